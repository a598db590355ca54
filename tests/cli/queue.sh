#!/bin/sh
# The queue from the shell, against a fake Sonarr: `comradarr queue
# pause|resume|clear|list|status`, `comradarr registry list`, `comradarr
# priority set` (shown by explain), `comradarr connector history`, and the
# dispatcher's re-check (an item that got its file before dispatch is never
# searched).  Each verb in JSON and in human form; every event printed is in
# comradarr(7)'s catalogue.  Usage: queue.sh BUILD_DIR
set -u
bin=$1/bin
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
if [ -z "${PGHOST:-}" ]; then echo "SKIPPED: no test PostgreSQL (run through tests/run.sh)"; exit 0; fi
command -v jq >/dev/null || { echo "SKIPPED: jq not installed"; exit 0; }
tmp=$(mktemp -d)
db="t_queue_$$"
fake_pid=
cleanup() {
	if [ -n "$fake_pid" ]; then
		kill "$fake_pid" 2>/dev/null
		wait "$fake_pid" 2>/dev/null
	fi
	psql -Xq -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT
psql -Xq -d postgres -c "CREATE DATABASE $db" >/dev/null
export DATABASE_URL="dbname=$db" COMRADARR_HOME="$tmp/home" LOG_FORMAT=json
export SECRET_KEY=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
export PATH="$bin:$PATH"
q() { psql -XAtq -d "$db" -c "$1"; }

# one fake, started here (not in a subshell) so cleanup knows its pid
"$bin/fakearr" --port 0 --api-key key-tv-0123456789abcdef --app sonarr --series 4 --seasons 1 \
	--episodes 6 --missing 1 --unaired 0 --unmonitored 0 --seed 9 --command-ms 0 --grab 0 \
	>"$tmp/fake.out" 2>"$tmp/fake.err" &
fake_pid=$!
i=0
until grep -q '"port"' "$tmp/fake.out" 2>/dev/null; do
	i=$((i + 1)); [ $i -lt 100 ] || { echo "the fake did not start"; exit 1; }
	sleep 0.1
done
port=$(sed -n 's/.*"port":\([0-9]*\).*/\1/p' "$tmp/fake.out")

comradarr migrate >/dev/null 2>&1 && ok || bad "migrate"
printf 'key-tv-0123456789abcdef\n' | comradarr connector add tv --type sonarr \
	--url "http://127.0.0.1:$port" --api-key-file - >/dev/null 2>"$tmp/add.err" && ok ||
	{ bad "connector add"; cat "$tmp/add.err"; }
# episode searches only, two queries per batch, so there are several batches
q "UPDATE connectors SET season_pack_enabled = false" >/dev/null
comradarr profile add small --rpm 60 --batch 2 --daily-budget 1000 >/dev/null && ok || bad "profile add"
comradarr profile assign tv small >/dev/null && ok || bad "profile assign"
comradarr connector test tv --json >"$tmp/test.jsonl" 2>"$tmp/test.err" && ok || bad "connector test"
comradarr-sync >"$tmp/sync.jsonl" 2>"$tmp/sync.err" && ok || { bad "sync"; tail -n 3 "$tmp/sync.err"; }
comradarr-discover >"$tmp/disc.jsonl" 2>"$tmp/disc.err" && ok || bad "discover"
[ "$(q "SELECT count(*) FROM search_registry")" -eq 24 ] && ok || bad "expected 24 gap entries"

# ---- priority set: series 3 first, shown by explain and in the queue's order
series3=$(q "SELECT arr_id FROM series ORDER BY arr_id OFFSET 2 LIMIT 1")
ep3=$(q "SELECT e.arr_id FROM episodes e JOIN series s ON s.id = e.series_id WHERE s.arr_id = $series3 ORDER BY e.arr_id LIMIT 1")
comradarr priority set tv series "$series3" 500 --json >"$tmp/prio.jsonl" 2>"$tmp/prio.err" && ok ||
	{ bad "priority set"; cat "$tmp/prio.err"; }
[ "$(jq -r 'select(.event == "priority_set") | .priority_override' "$tmp/prio.jsonl")" = 500 ] && ok ||
	bad "priority_set line"
[ "$(q "SELECT priority_override FROM series WHERE arr_id = $series3")" -eq 500 ] && ok ||
	bad "the override was not stored"
[ "$(q "SELECT count(*) FROM events WHERE kind = 'priority_set'")" -eq 1 ] && ok || bad "no priority_set event"
comradarr explain tv episode "$ep3" --json >"$tmp/explain.jsonl" 2>/dev/null && ok || bad "explain"
[ "$(jq '.registry[0].breakdown.override' "$tmp/explain.jsonl")" -gt 0 ] && ok ||
	bad "explain does not show the series override"
comradarr priority set tv series 999999 5 >/dev/null 2>"$tmp/prio2.err"
[ $? -eq 1 ] && grep -q "no series 999999" "$tmp/prio2.err" && ok || bad "an unknown series is not an error"
comradarr priority set tv series "$series3" 5000 >/dev/null 2>&1
[ $? -eq 2 ] && ok || bad "an override out of range is not a usage error"
comradarr priority set tv season 1 5 >/dev/null 2>&1
[ $? -eq 2 ] && ok || bad "'season' is not a usage error"

comradarr-enqueue --from-registry >"$tmp/enq.jsonl" 2>"$tmp/enq.err" && ok || bad "enqueue"
[ "$(q "SELECT count(*) FROM request_queue")" -eq 12 ] && ok || bad "expected 12 batches of 2"

# ---- registry list
comradarr registry list --json >"$tmp/reg.jsonl" 2>/dev/null && ok || bad "registry list"
[ "$(jq -s 'map(select(.event == "registry_entry")) | length' "$tmp/reg.jsonl")" -eq 24 ] && ok ||
	bad "registry list did not list the 24 entries"
[ "$(jq -s 'map(select(.event == "registry_entry")) | .[0].series' "$tmp/reg.jsonl" | tr -d '"')" = \
  "$(q "SELECT title FROM series WHERE arr_id = $series3")" ] && ok ||
	bad "the overridden series is not first"
[ "$(jq -s 'map(select(.event == "registry_entry" and .queue_id != null)) | length' "$tmp/reg.jsonl")" -eq 24 ] &&
	ok || bad "queued entries do not name their batch"
comradarr registry list --state queued --type gap --limit 5 --json >"$tmp/reg2.jsonl" 2>/dev/null &&
	[ "$(jq -s 'map(select(.event == "registry_entry")) | length' "$tmp/reg2.jsonl")" -eq 5 ] && ok ||
	bad "registry list --state --type --limit"
comradarr registry list --state cooldown --json >"$tmp/reg3.jsonl" 2>/dev/null &&
	[ "$(jq -s 'map(select(.event == "registry_entry")) | length' "$tmp/reg3.jsonl")" -eq 0 ] && ok ||
	bad "registry list --state cooldown is not empty"
title3=$(q "SELECT title FROM series WHERE arr_id = $series3")
comradarr registry list --series "$(echo "$title3" | tr '[:lower:]' '[:upper:]')" --json \
	>"$tmp/reg4.jsonl" 2>/dev/null &&
	[ "$(jq -s 'map(select(.event == "registry_entry")) | length' "$tmp/reg4.jsonl")" -eq 6 ] && ok ||
	bad "registry list --series (any case)"
comradarr registry list --format human >"$tmp/reg.txt" 2>/dev/null && grep -q '^ENTRY' "$tmp/reg.txt" &&
	ok || bad "registry list as a table"
comradarr registry list --state bogus >/dev/null 2>&1
[ $? -eq 2 ] && ok || bad "an unknown --state is not a usage error"

# ---- queue list and status
comradarr queue list --json >"$tmp/list.jsonl" 2>/dev/null && ok || bad "queue list"
[ "$(jq -s 'map(select(.event == "queue_batch")) | length' "$tmp/list.jsonl")" -eq 12 ] && ok ||
	bad "queue list did not list 12 batches"
comradarr queue list --limit 3 --format human >"$tmp/list.txt" 2>/dev/null &&
	[ "$(grep -c EpisodeSearch "$tmp/list.txt")" -eq 3 ] && ok || bad "queue list --limit as a table"
comradarr queue status --json >"$tmp/status.jsonl" 2>/dev/null && ok || bad "queue status"
[ "$(jq -s 'map(select(.event == "queue_connector")) | .[0].batches' "$tmp/status.jsonl")" -eq 12 ] && ok ||
	bad "queue status does not count 12 batches"

# ---- pause: nothing is sent; resume: it is
comradarr queue pause --reason "cli test" --json >"$tmp/pause.jsonl" 2>/dev/null &&
	jq -e 'select(.event == "queue_paused")' "$tmp/pause.jsonl" >/dev/null && ok || bad "queue pause"
comradarr queue status --json >"$tmp/status2.jsonl" 2>/dev/null
jq -se 'map(select(.event == "queue_status")) | .[0].paused == true' "$tmp/status2.jsonl" >/dev/null &&
	ok || bad "queue status does not say paused"
comradarr-dispatch --once --max-wait 0 --poll 50 >"$tmp/disp0.jsonl" 2>"$tmp/disp0.err" && ok ||
	bad "dispatch while paused"
[ "$(curl -s "http://127.0.0.1:$port/__fake/ledger" | jq length)" -eq 0 ] && ok ||
	bad "a search was sent while the queue was paused"
comradarr queue resume --json >"$tmp/resume.jsonl" 2>/dev/null &&
	jq -e 'select(.event == "queue_resumed")' "$tmp/resume.jsonl" >/dev/null && ok || bad "queue resume"

# ---- the re-check: the first batch's items get their files before dispatch
first=$(q "SELECT array_to_string(arr_ids, ' ') FROM request_queue ORDER BY priority DESC, id LIMIT 1")
for id in $first; do
	curl -sf -X POST "http://127.0.0.1:$port/__fake/mutate" \
		-d "{\"op\":\"add_episode_file\",\"id\":$id,\"quality\":7}" >/dev/null || bad "mutate $id"
done
comradarr-sync >"$tmp/sync2.jsonl" 2>"$tmp/sync2.err" && ok || bad "second sync"
comradarr-dispatch --once --max-wait 0 --poll 50 --max-batches 2 >"$tmp/disp.jsonl" 2>"$tmp/disp.err" &&
	ok || { bad "dispatch"; tail -n 3 "$tmp/disp.err"; }
jq -se 'map(select(.event == "search_dropped" and .batch == "resolved")) | length == 1' "$tmp/disp.jsonl" \
	>/dev/null && ok || bad "no search_dropped line for the resolved batch"
ledger=$(curl -s "http://127.0.0.1:$port/__fake/ledger")
for id in $first; do
	echo "$ledger" | jq -e --argjson id "$id" '[.[].body.episodeIds // [] | .[]] | index($id) == null' \
		>/dev/null && ok || bad "episode $id had its file and was searched anyway"
done
[ "$(echo "$ledger" | jq length)" -eq 2 ] && ok || bad "expected 2 searches sent"
[ "$(q "SELECT sum(cost) FROM throttle_ledger")" -eq 4 ] && ok || bad "the throttle charged more than was sent"

# ---- clear: the waiting batches go, their entries are pending again
comradarr queue clear --connector tv --json >"$tmp/clear.jsonl" 2>/dev/null && ok || bad "queue clear"
left=$(jq -r 'select(.event == "queue_cleared") | .batches' "$tmp/clear.jsonl")
[ "$left" -eq 9 ] && ok || bad "queue clear removed $left batches, expected 9"
[ "$(q "SELECT count(*) FROM request_queue")" -eq 0 ] && ok || bad "batches left after clear"
[ "$(q "SELECT count(*) FROM search_registry WHERE state = 'pending'")" -eq 18 ] && ok ||
	bad "cleared entries are not pending"
comradarr queue clear --format human >"$tmp/clear.txt" 2>/dev/null && grep -q "removed 0" "$tmp/clear.txt" &&
	ok || bad "queue clear as a sentence"
comradarr queue clear --connector nosuch >/dev/null 2>&1
[ $? -ne 0 ] && ok || bad "clearing an unknown connector succeeded"

# ---- connector history
comradarr connector history tv --json >"$tmp/hist.jsonl" 2>/dev/null && ok || bad "connector history"
jq -se 'map(select(.event == "connector_sync_state")) | .[0].consecutive_failures == 0' "$tmp/hist.jsonl" \
	>/dev/null && ok || bad "no sync state in the history"
[ "$(jq -s 'map(select(.event == "connector_health")) | length' "$tmp/hist.jsonl")" -ge 1 ] && ok ||
	bad "no health check in the history"
comradarr connector history tv --format human >"$tmp/hist.txt" 2>/dev/null && grep -q "last sync" "$tmp/hist.txt" &&
	ok || bad "connector history as text"
comradarr connector history nosuch >/dev/null 2>&1
[ $? -eq 1 ] && ok || bad "the history of an unknown connector is not an error"

# every line is JSON with event and ts, and every event is in the catalogue
for f in "$tmp"/*.jsonl; do
	jq -e 'has("event") and has("ts")' "$f" >/dev/null 2>&1 && ok ||
		bad "$(basename "$f") has a line that is not a JSON object with event and ts"
done
. "$(dirname "$0")/../lib/catalogue.sh"
catalogue_check "$tmp"/*.jsonl && ok || bad "events missing from the catalogue"
if grep -q "0123456789abcdef" "$tmp"/*.jsonl "$tmp"/*.err "$tmp"/*.txt; then bad "an API key was printed"; else ok; fi
echo "queue: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
