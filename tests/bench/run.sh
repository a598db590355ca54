#!/bin/sh
# tests/bench/run.sh BUILD - the sync benchmark (make bench; not a test).
# Starts its own throwaway PostgreSQL (pg_virtualenv) and fake *arr apps on
# loopback, then prints one table: the raw COPY limit, a full sync of
# SERIES series x EPISODES episodes, an unchanged incremental, an incremental
# after 1% of series changed, the same for MOVIES movies, and the client's
# stream of a 250 MB movie list (bench_stream), then discover, dispatch and
# maintenance (bench_maint) benchmarks.  Besides wall time it shows
# comradarr-sync's own CPU time and the fake's: the fake shares the cores
# here, where a real *arr would be another machine.
set -eu
build=${1:-build}
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
if [ -z "${COMRADARR_IN_PGENV:-}" ]; then
	COMRADARR_IN_PGENV=1 exec pg_virtualenv -t -o fsync=off -o synchronous_commit=off \
		-o full_page_writes=off sh "$0" "$@"
fi
SERIES=${SERIES:-20000} SEASONS=${SEASONS:-5} EPS=${EPS:-10} MOVIES=${MOVIES:-50000}
DISCOVER_SERIES=${DISCOVER_SERIES:-10000}
bin=$root/$build/bin
tmp=$(mktemp -d)
# fake() runs in a command substitution: its pid travels through a file
cleanup() {
	for f in "$tmp"/*.pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT
tck=$(getconf CLK_TCK)
export SECRET_KEY=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
export COMRADARR_HOME=$tmp/home LOG_LEVEL=warn LOG_FORMAT=json
createdb bench
export DATABASE_URL=dbname=bench PGDATABASE=bench
"$bin/comradarr" migrate >/dev/null

. "$(dirname "$0")/../lib/fake.sh"
# shellcheck disable=SC2034 # read by fake()
fake_key=benchkey1234 fake_wait=600
tvport=$(fake tv --app sonarr --series "$SERIES" --seasons "$SEASONS" --episodes "$EPS")
mvport=$(fake mv --app radarr --movies "$MOVIES")
echo benchkey1234 | "$bin/comradarr" connector add tv --type sonarr --url "http://127.0.0.1:$tvport" --api-key-file - >/dev/null
echo benchkey1234 | "$bin/comradarr" connector add films --type radarr --url "http://127.0.0.1:$mvport" --api-key-file - >/dev/null

writes() {	# rows inserted+updated+deleted in the mirror tables so far
	psql -XAtq -c "SELECT sum(n_tup_ins + n_tup_upd + n_tup_del) FROM pg_stat_user_tables
		WHERE schemaname = 'public' AND relname IN ('series','seasons','episodes',
		'episode_files','movies','quality_profiles','events','search_registry')"
}
fake_cpu() {	# fake_cpu NAME: CPU seconds the fake has used so far, in ticks
	awk '{ print $14 + $15 }' "/proc/$(cat "$tmp/$1.pid")/stat"
}
# run LABEL CONNECTOR FAKE PORT ARGS...: one sync; sets secs, cpu, fcpu,
# rss_kb, reqs, bytes, rows
run() {
	label=$1 conn=$2 fk=$3 port=$4; shift 4
	curl -s -X DELETE "http://127.0.0.1:$port/__fake/stats" >/dev/null
	psql -XAtq -c "SELECT pg_stat_clear_snapshot()" >/dev/null
	w0=$(writes)
	f0=$(fake_cpu "$fk")
	/usr/bin/time -f '%e %M %U %S' -o "$tmp/time" "$bin/comradarr-sync" --connector "$conn" --json "$@" >"$tmp/$label.jsonl"
	f1=$(fake_cpu "$fk")
	sleep 0.6	# the statistics collector reports with a delay
	w1=$(writes)
	secs=$(cut -d' ' -f1 "$tmp/time") rss_kb=$(cut -d' ' -f2 "$tmp/time")
	cpu=$(awk '{ printf "%.2f", $3 + $4 }' "$tmp/time")
	fcpu=$(awk -v a="$f0" -v b="$f1" -v t="$tck" 'BEGIN { printf "%.2f", (b - a) / t }')
	st=$(curl -s "http://127.0.0.1:$port/__fake/stats")
	# the sync's own count (the fake's would include this stats call)
	reqs=$(sed -n 's/.*"event":"sync_done".*"api_calls":\([0-9]*\).*/\1/p' "$tmp/$label.jsonl")
	bytes=$(echo "$st" | sed -n 's/.*"bytes_sent": *\([0-9]*\).*/\1/p')
	rows=$((w1 - w0))
	grep -q '"sync_done"' "$tmp/$label.jsonl" || { echo "$label: sync failed" >&2; tail -3 "$tmp/$label.jsonl" >&2; }
}
row() {	# row NAME ROWS_IN_MIRROR
	rate=$(awk -v n="$2" -v s="$secs" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }')
	printf '%-40s %8.2f %8s %8s %8s %7s %9s %11s %9s\n' "$1" "$secs" "$cpu" "$fcpu" "$rate" \
		"$((rss_kb / 1024))" "$reqs" "$bytes" "$rows"
}

run tvfull tv tv "$tvport" --full
full_secs=$secs
split=$(sed -n 's/.*"event":"sync_done".*"fetch_ms":\([0-9]*\),"merge_ms":\([0-9]*\).*/fetch and stage \1 ms, merge \2 ms/p' "$tmp/tvfull.jsonl")
eps=$(psql -XAtq -c "SELECT count(*) FROM episodes")
mirror_rows=$(psql -XAtq -c "SELECT (SELECT count(*) FROM series) + (SELECT count(*) FROM seasons) + (SELECT count(*) FROM episodes) + (SELECT count(*) FROM episode_files)")
tvfull="$secs $rss_kb $reqs $bytes $rows $cpu $fcpu"
# (1) raw limit: COPY exactly the rows the mirror holds into empty tables of the same shape
for t in series seasons episodes episode_files; do
	psql -XAtq -c "\\copy (SELECT * FROM $t) TO '$tmp/$t.copy'"
	psql -XAtq -c "CREATE TABLE raw_$t (LIKE $t INCLUDING INDEXES)"
done
rawcopy() {	# rawcopy: COPY the files into the raw_ tables, print the seconds
	t0=$(date +%s.%N)
	for t in series seasons episodes episode_files; do
		psql -XAtq -c "\\copy raw_$t FROM '$tmp/$t.copy'"
	done
	t1=$(date +%s.%N)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }'
}
raw=$(rawcopy)
psql -XAtq -c "DROP TABLE raw_series, raw_seasons, raw_episodes, raw_episode_files"
# (1b) the same into tables with the mirror's foreign keys too: the checks
# the mirror's own tables cannot skip
for t in series seasons episodes episode_files; do
	psql -XAtq -c "CREATE TABLE raw_$t (LIKE $t INCLUDING INDEXES)"
done
psql -XAtq -c "ALTER TABLE raw_series ADD FOREIGN KEY (connector_id) REFERENCES connectors" \
	-c "ALTER TABLE raw_seasons ADD FOREIGN KEY (series_id) REFERENCES raw_series" \
	-c "ALTER TABLE raw_episodes ADD FOREIGN KEY (connector_id) REFERENCES connectors" \
	-c "ALTER TABLE raw_episodes ADD FOREIGN KEY (series_id) REFERENCES raw_series" \
	-c "ALTER TABLE raw_episode_files ADD FOREIGN KEY (connector_id) REFERENCES connectors" \
	-c "ALTER TABLE raw_episode_files ADD FOREIGN KEY (series_id) REFERENCES raw_series"
rawfk=$(rawcopy)
psql -XAtq -c "DROP TABLE raw_episode_files, raw_episodes, raw_seasons, raw_series"

printf '%-40s %8s %8s %8s %8s %7s %9s %11s %9s\n' "step" "seconds" "CPU s" "fake CPU" "rows/s" \
	"RSS MB" "requests" "bytes" "rows wr."
secs=$raw cpu=- fcpu=- rss_kb=0 reqs=- bytes=- rows=$mirror_rows
row "1. raw COPY of the mirror's rows" "$mirror_rows"
secs=$rawfk
row "1b. the same with the mirror's FKs" "$mirror_rows"
set -- $tvfull; secs=$1 rss_kb=$2 reqs=$3 bytes=$4 rows=$5 cpu=$6 fcpu=$7
row "2. full sync $SERIES series/$eps eps" "$mirror_rows"
awk -v a="$full_secs" -v b="$raw" -v c="$rawfk" 'BEGIN { printf "   ratio full sync / raw COPY: %.2f (target <= 1.5); / raw COPY with FKs: %.2f\n", a / b, a / c }'
echo "   $split"
run tvinc0 tv tv "$tvport"
row "3. incremental, nothing changed" 0
n=$((SERIES / 100))
curl -s -X POST -d "{\"op\":\"random\",\"seed\":9,\"count\":$n}" "http://127.0.0.1:$tvport/__fake/mutate" >/dev/null
run tvinc1 tv tv "$tvport"
row "4. incremental, ~1% of series changed" 0
run mvfull films mv "$mvport" --full
row "5a. full sync $MOVIES movies" "$MOVIES"
run mvinc0 films mv "$mvport"
row "5b. movies incremental, nothing changed" 0
curl -s -X POST -d "{\"op\":\"random\",\"seed\":9,\"count\":$((MOVIES / 100))}" "http://127.0.0.1:$mvport/__fake/mutate" >/dev/null
run mvinc1 films mv "$mvport"
row "5c. movies incremental, ~1% changed" 0
# 6. the client alone: a 250 MB movie list streamed and parsed
FAKEARR_BIN=$bin/fakearr "$root/$build/tests/bench/bench_stream" >"$tmp/stream.json" 2>"$tmp/stream.err" ||
	{ echo "bench_stream failed:" >&2; tail -3 "$tmp/stream.err" >&2; }
st=$(cat "$tmp/stream.json")
secs=$(echo "$st" | sed -n 's/.*"seconds":\([0-9.]*\).*/\1/p')
rss_kb=$(echo "$st" | sed -n 's/.*"peak_rss_kb_after":\([0-9]*\).*/\1/p')
bytes=$(echo "$st" | sed -n 's/.*"bytes":\([0-9]*\).*/\1/p')
nmv=$(echo "$st" | sed -n 's/.*"movies":\([0-9]*\).*/\1/p')
cpu=- fcpu=- reqs=1 rows=0
row "6. stream $nmv movies (bench_stream)" "${nmv:-0}"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo), $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1), PostgreSQL $(psql -XAtq -c 'SHOW server_version')"

# discovery and queueing on a 1M-episode mirror (prints its EXPLAINs), then a
# simulated day of dispatch per preset; each starts from its own database
echo
echo "discover + enqueue ($DISCOVER_SERIES series x 100 episodes):"
"$root/$build/tests/bench/bench_discover" "$DISCOVER_SERIES" ||
	echo "bench_discover failed" >&2
echo
echo "a simulated day of dispatch:"
FAKEARR_BIN=$bin/fakearr COMRADARR_BIN_DIR=$bin "$root/$build/tests/bench/bench_day" ||
	echo "bench_day failed" >&2
echo
echo "maintenance: a busy year pruned once, then maint every day:"
"$root/$build/tests/bench/bench_maint" "${MAINT_PER_DAY:-300}" ||
	echo "bench_maint failed" >&2

# the web UI's pages (reads + HTML) on a 1M-episode mirror
echo
echo "web UI pages ($DISCOVER_SERIES series x 100 episodes):"
"$root/$build/tests/bench/bench_ui" "$DISCOVER_SERIES" || echo "bench_ui failed" >&2

# the HTTP server: its own script, its own cluster
echo
sh "$root/tests/bench/serve.sh" "$build" || echo "serve bench failed" >&2

echo
sh "$root/tests/bench/backup.sh" "$build" || echo "bench backup failed" >&2

echo
echo "comradarr-notify routing:"
sh "$root/tests/bench/notify.sh" "$build" || echo "bench notify failed" >&2
