#!/bin/sh
# tests/bench/serve.sh BUILD - comradarr-serve under load (make bench; not a
# test): wrk against /healthz (with and without the access log), an
# authenticated page of 500 registry entries on a 1M-episode database, and a
# flood of failed logins from many addresses while memory is watched, and
# 200 open event streams (serve_events.sh).
# Starts its own throwaway PostgreSQL (pg_virtualenv).  Knobs: DURATION (s,
# default 10), CONNS (default 64), FLOOD_SECONDS (default 60), EPISODES
# (default 1000000).
set -eu
build=${1:-build}
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
if [ -z "${COMRADARR_IN_PGENV:-}" ]; then
	COMRADARR_IN_PGENV=1 exec pg_virtualenv -t -o fsync=off -o synchronous_commit=off \
		-o full_page_writes=off sh "$0" "$@"
fi
command -v wrk >/dev/null || { echo "serve bench: wrk is not installed" >&2; exit 1; }
DURATION=${DURATION:-10} CONNS=${CONNS:-64} FLOOD_SECONDS=${FLOOD_SECONDS:-60}
EPISODES=${EPISODES:-1000000}
bin=$root/$build/bin
tmp=$(mktemp -d)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
export SECRET_KEY=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
export COMRADARR_HOME=$tmp/home LOG_LEVEL=warn LOG_FORMAT=json
createdb benchserve
export DATABASE_URL=dbname=benchserve PGDATABASE=benchserve
"$bin/comradarr" migrate >/dev/null
pw='bench password, long enough'
printf '%s\n' "$pw" | "$bin/comradarr" user add bench --password-file - >/dev/null

start() {	# start ARGS...: the server, its port in $port
	"$bin/comradarr-serve" --listen 127.0.0.1:0 --json "$@" >"$tmp/serve.out" 2>"$tmp/serve.err" &
	pid=$!
	i=0
	until grep -q '"serve_listening"' "$tmp/serve.out" 2>/dev/null; do
		i=$((i + 1)); [ $i -lt 300 ] || { echo "the server did not start" >&2; exit 1; }
		sleep 0.1
	done
	port=$(sed -n 's/.*"serve_listening".*"port":\([0-9]*\).*/\1/p' "$tmp/serve.out")
}
stop() { kill "$pid"; wait "$pid" || true; pid=; }
summary() {	# summary LABEL: requests/s and latency percentiles from wrk --latency
	awk -v l="$1" '/Requests\/sec/ { rps = $2 } /^ +50%/ { p50 = $2 } /^ +99%/ { p99 = $2 }
		/Non-2xx/ { bad = $NF } /Socket errors/ { err = $0 }
		END { printf "%-46s %10s req/s   p50 %-8s p99 %-8s %s%s\n", l, rps, p50, p99,
			bad ? "non-2xx " bad " " : "", err }'
}

tck=$(getconf CLK_TCK)
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$pid/stat"; }
# per_request: the server's own CPU time per answered request during the last
# wrk run ($c0 before, $c1 after, requests from $tmp/wrk).  On a shared,
# loaded machine req/s says little; this says what a request costs.
per_request() {
	n=$(awk '/requests in/ { print $1 }' "$tmp/wrk")
	awk -v a="$c0" -v b="$c1" -v t="$tck" -v n="$n" 'BEGIN {
		us = (b - a) / t * 1e6 / (n > 0 ? n : 1)
		printf "   server CPU %.1f us per request (%d requests): %.0f req/s per core at most\n",
			us, n, (us > 0 ? 1e6 / us : 0) }'
}
echo "comradarr-serve: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)," \
	"wrk -t2 -c$CONNS -d${DURATION}s on loopback"
start --no-access-log
c0=$(cpu_ticks)
wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency "http://127.0.0.1:$port/healthz" >"$tmp/wrk" 2>&1
c1=$(cpu_ticks)
summary "GET /healthz (no access log)" <"$tmp/wrk"
per_request
stop
start
c0=$(cpu_ticks)
wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency "http://127.0.0.1:$port/healthz" >"$tmp/wrk" 2>&1
c1=$(cpu_ticks)
summary "GET /healthz (access log to a file)" <"$tmp/wrk"
per_request
stop

# a 1M-episode registry: series of 100 episodes, every episode a gap entry
series=$((EPISODES / 100))
psql -XAtq <<SQL
INSERT INTO connectors (name, type, url, api_key_enc) VALUES ('tv', 'sonarr', 'http://127.0.0.1:9', '\\x00');
INSERT INTO series (connector_id, arr_id, title, monitored)
	SELECT 1, g, 'Series ' || g, true FROM generate_series(1, $series) g;
INSERT INTO episodes (connector_id, series_id, arr_id, season_number, episode_number, title, monitored, has_file)
	SELECT 1, s.id, (s.arr_id - 1) * 100 + e, 1 + (e - 1) / 10, e, 'Episode ' || e, true, false
	FROM series s, generate_series(1, 100) e;
INSERT INTO search_registry (connector_id, episode_id, search_type) SELECT 1, id, 'gap' FROM episodes;
VACUUM ANALYZE series; VACUUM ANALYZE episodes; VACUUM ANALYZE search_registry;
SQL
echo "registry: $(psql -XAtq -c 'SELECT count(*) FROM search_registry') entries"
start --no-access-log
cookie=$(curl -s -D - -o /dev/null -H "Origin: http://127.0.0.1:$port" \
	-d "{\"username\":\"bench\",\"password\":\"$pw\"}" "http://127.0.0.1:$port/api/auth/login" |
	sed -n 's/^Set-Cookie: \([^;]*\).*/\1/p')
mid=$(psql -XAtq -c "SELECT id FROM search_registry ORDER BY id OFFSET $((EPISODES / 2)) LIMIT 1")
n=$(curl -s -H "Cookie: $cookie" "http://127.0.0.1:$port/api/registry?limit=500&after=$mid" | jq '.items | length')
[ "$n" = 500 ] || echo "registry page: $n items, wanted 500" >&2
c0=$(cpu_ticks)
wrk -t2 -c8 -d"${DURATION}s" --latency -H "Cookie: $cookie" \
	"http://127.0.0.1:$port/api/registry?limit=500&after=$mid" >"$tmp/wrk" 2>&1
c1=$(cpu_ticks)
summary "GET /api/registry 500 entries (session, c8)" <"$tmp/wrk"
per_request
psql -XAtq -c "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) SELECT r.id FROM search_registry r
	JOIN connectors c ON c.id = r.connector_id LEFT JOIN episodes ep ON ep.id = r.episode_id
	LEFT JOIN series s ON s.id = ep.series_id WHERE r.id > $mid ORDER BY r.id LIMIT 500" |
	grep -E 'Index|Execution' | sed 's/^/   /'
stop

# failed logins from many addresses (a trusted proxy says which): memory stays
# flat, the per-address limit answers most of them before any hash, and the
# real user logs in once the lock is over
export TRUSTED_PROXIES=127.0.0.1
start --no-access-log
cat >"$tmp/flood.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"username":"bench","password":"a wrong guess of a password"}'
wrk.headers["Content-Type"] = "application/json"
request = function()
	wrk.headers["X-Forwarded-For"] = string.format("10.%d.%d.%d", math.random(0, 255),
		math.random(0, 255), math.random(1, 254))
	return wrk.format()
end
LUA
rss() { awk '/VmRSS/ { print $2 }' "/proc/$pid/status"; }
before=$(rss)
wrk -t2 -c32 -d"${FLOOD_SECONDS}s" --latency -s "$tmp/flood.lua" "http://127.0.0.1:$port/api/auth/login" >"$tmp/wrk" 2>&1
summary "POST /api/auth/login, wrong password, flood" <"$tmp/wrk"
after=$(rss)
sleep 5	# let the logins wrk gave up on finish, so they cannot lock the account again
echo "   RSS before ${before} kB, after ${after} kB; failed logins recorded: $(psql -XAtq -c "SELECT count(*) FROM audit_log WHERE action = 'login' AND outcome <> 'ok'")"
psql -XAtq -c "UPDATE users SET locked_until = NULL, failed_logins = 0" >/dev/null
# as a browser would: retry while the server says it is busy (503, Retry-After: 1)
i=0
while :; do
	st=$(curl -s -o /dev/null -w '%{http_code}' -H "Origin: http://127.0.0.1:$port" \
		-H 'X-Forwarded-For: 192.168.7.7' -d "{\"username\":\"bench\",\"password\":\"$pw\"}" \
		"http://127.0.0.1:$port/api/auth/login")
	i=$((i + 1))
	[ "$st" = 503 ] && [ $i -lt 30 ] || break
	sleep 1
done
echo "   the real user's login after the lock: HTTP $st (attempt $i)"
stop

# open event streams: memory per stream, CPU per event delivered (its own database)
sh "$root/tests/bench/serve_events.sh" "$build"
