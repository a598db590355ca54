#!/bin/sh
# The whole main job from a shell, as the timers and README run it, against
# fake Sonarr and Radarr:
#   comradarr-sync && comradarr-discover | comradarr-enqueue && comradarr-dispatch --once
# Then what it must have done: mirrored the libraries, queued gaps, sent
# searches the fakes' ledgers saw, spent no more than the profile allows in
# the minute, and written JSON lines jq can read.  Usage: pipeline.sh BUILD_DIR
set -u
bin=$1/bin
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
if [ -z "${PGHOST:-}" ]; then echo "SKIPPED: no test PostgreSQL (run through tests/run.sh)"; exit 0; fi
command -v jq >/dev/null || { echo "SKIPPED: jq not installed"; exit 0; }
tmp=$(mktemp -d)
db="t_pipeline_$$"
# The fakes' pids go to files: fake() runs in $(...), a subshell, so a
# variable set there never reaches this cleanup (it used to leak them).
cleanup() {
	for f in "$tmp"/*.pid; do
		[ -f "$f" ] || continue
		kill "$(cat "$f")" 2>/dev/null && wait "$(cat "$f")" 2>/dev/null
	done
	psql -Xq -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT
psql -Xq -d postgres -c "CREATE DATABASE $db" >/dev/null
export DATABASE_URL="dbname=$db" COMRADARR_HOME="$tmp/home" LOG_FORMAT=json
export SECRET_KEY=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
export PATH="$bin:$PATH"

. "$(dirname "$0")/../lib/fake.sh"
tv=$(fake tv --app sonarr --series 12 --seasons 2 --episodes 6 --missing 0.3 --seed 3 --command-ms 200 --grab 0.5)
films=$(fake films --app radarr --movies 60 --missing 0.3 --seed 3 --command-ms 200 --grab 0.5)

comradarr migrate >/dev/null 2>&1 && ok || bad "migrate"
for c in tv:sonarr:$tv films:radarr:$films; do
	n=${c%%:*} r=${c#*:} t=${r%%:*} p=${r#*:}
	printf 'key-%s-0123456789abcdef\n' "$n" |
		comradarr connector add "$n" --type "$t" --url "http://127.0.0.1:$p" --api-key-file - \
			>/dev/null 2>"$tmp/add.err" && ok || { bad "connector add $n"; cat "$tmp/add.err"; }
done
# 20 queries a minute, so one cycle sends a known amount and stops
comradarr profile add pipe --rpm 20 --batch 10 --daily-budget 100 >/dev/null && ok || bad "profile add"
comradarr profile assign tv pipe >/dev/null && comradarr profile assign films pipe >/dev/null && ok ||
	bad "profile assign"

# the job, exactly as the README writes it
if comradarr-sync >"$tmp/sync.jsonl" 2>"$tmp/sync.err" &&
   comradarr-discover 2>"$tmp/disc.err" | tee "$tmp/disc.jsonl" |
	comradarr-enqueue >"$tmp/enq.jsonl" 2>"$tmp/enq.err" &&
   comradarr-dispatch --once --max-wait 0 --poll 100 >"$tmp/disp.jsonl" 2>"$tmp/disp.err"; then
	ok
else
	bad "the job failed"
	tail -n 5 "$tmp"/*.err
fi

# every stdout line is JSON with event and ts
for f in sync disc enq disp; do
	if jq -e 'has("event") and has("ts")' "$tmp/$f.jsonl" >/dev/null 2>&1; then ok; else
		bad "$f printed a line that is not a JSON object with event and ts"; fi
done
# ... and every event is in comradarr(7)'s catalogue
. "$(dirname "$0")/../lib/catalogue.sh"
catalogue_check "$tmp"/*.jsonl && ok || bad "events missing from the catalogue"
q() { psql -XAtq -d "$db" -c "$1"; }
[ "$(q 'SELECT count(*) FROM series')" -eq 12 ] && ok || bad "series not mirrored"
[ "$(q 'SELECT count(*) FROM movies')" -eq 60 ] && ok || bad "movies not mirrored"
cands=$(jq -s '[.[] | select(.event == "candidate")] | length' "$tmp/disc.jsonl")
[ "$cands" -gt 0 ] && ok || bad "discover found no candidates"
[ "$(q 'SELECT count(*) FROM search_registry')" -ge "$cands" ] && ok || bad "registry smaller than the candidates"
# what the fakes received is what dispatch says it sent, within the minute's budget
sent_tv=$(curl -s "http://127.0.0.1:$tv/__fake/ledger" | jq '[.. | objects | select(has("seq"))] | length')
sent_films=$(curl -s "http://127.0.0.1:$films/__fake/ledger" | jq '[.. | objects | select(has("seq"))] | length')
[ $((sent_tv + sent_films)) -gt 0 ] && ok || bad "no search reached the fakes"
spent=$(q "SELECT coalesce(max(s), 0) FROM (SELECT sum(cost) s FROM throttle_ledger GROUP BY connector_id) x")
[ "$spent" -le 20 ] && ok || bad "a connector spent $spent queries in one minute (limit 20)"
[ "$spent" -gt 0 ] && ok || bad "nothing was spent"
cmds=$(q "SELECT count(*) FROM request_queue WHERE command_id IS NOT NULL")
[ "$cmds" -eq $((sent_tv + sent_films)) ] || [ "$(q 'SELECT count(*) FROM search_history')" -eq $((sent_tv + sent_films)) ] &&
	ok || bad "dispatch recorded $cmds commands, the fakes saw $((sent_tv + sent_films))"
# a second sync, after the app changed, reports item by item (JSON when piped)
for p in "$tv" "$films"; do
	curl -sf -X POST "http://127.0.0.1:$p/__fake/mutate" -d '{"op":"random","seed":5,"count":12}' \
		>/dev/null && ok || bad "the fake on port $p refused the library change"
done
comradarr-sync >"$tmp/sync2.jsonl" 2>"$tmp/sync2.err" && ok || { bad "second sync"; tail -n 3 "$tmp/sync2.err"; }
catalogue_check "$tmp/sync2.jsonl" && ok || bad "second sync's events missing from the catalogue"

# the secret never reaches a report or a log
if grep -q "0123456789abcdef" "$tmp"/*.jsonl "$tmp"/*.err; then bad "an API key was printed"; else ok; fi
echo "pipeline: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
