#!/bin/sh
# comradarr-maint, 'comradarr settings' and 'comradarr stats' on a database
# with a year of history: what each step removes is exactly what its
# retention says, the statistics answer the same before and after pruning,
# a dry run changes nothing, a failed step is rolled back whole, a second
# maint never runs beside the first, and writes like a dispatch's never wait
# on it.  Today's history comes from the real pipeline against fake Sonarr
# and Radarr (the events' real payloads), the year before from SQL.
# Usage: maint.sh BUILD_DIR
set -u
bin=$1/bin
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
if [ -z "${PGHOST:-}" ]; then echo "SKIPPED: no test PostgreSQL (run through tests/run.sh)"; exit 0; fi
command -v jq >/dev/null || { echo "SKIPPED: jq not installed"; exit 0; }
tmp=$(mktemp -d)
db="t_maint_$$"
holder=""
cleanup() {
	for f in "$tmp"/*.pid; do
		[ -f "$f" ] || continue
		kill "$(cat "$f")" 2>/dev/null && wait "$(cat "$f")" 2>/dev/null
	done
	if [ -n "$holder" ]; then
		kill "$holder" 2>/dev/null
		wait "$holder" 2>/dev/null
	fi
	psql -Xq -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT
psql -Xq -d postgres -c "CREATE DATABASE $db" >/dev/null
export DATABASE_URL="dbname=$db" COMRADARR_HOME="$tmp/home" LOG_FORMAT=json
export SECRET_KEY=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
export PATH="$bin:$PATH"
. "$(dirname "$0")/../lib/catalogue.sh"
q() { psql -XAtq -v ON_ERROR_STOP=1 -d "$db" -c "$1"; }

. "$(dirname "$0")/../lib/fake.sh"

# ---------------------------------------------------------------- today: the real pipeline
tv=$(fake tv --app sonarr --series 8 --seasons 2 --episodes 6 --missing 0.3 --seed 4 --command-ms 100 --grab 0.5)
films=$(fake films --app radarr --movies 40 --missing 0.3 --seed 4 --command-ms 100 --grab 0.5)
comradarr migrate >/dev/null 2>&1 && ok || bad "migrate"
for c in tv:sonarr:$tv films:radarr:$films; do
	n=${c%%:*} r=${c#*:} t=${r%%:*} p=${r#*:}
	printf 'key-%s-0123456789abcdef\n' "$n" |
		comradarr connector add "$n" --type "$t" --url "http://127.0.0.1:$p" --api-key-file - \
			>/dev/null 2>"$tmp/add.err" && ok || { bad "connector add $n"; cat "$tmp/add.err"; }
done
if comradarr-sync >/dev/null 2>"$tmp/sync.err" &&
   comradarr-discover 2>/dev/null | comradarr-enqueue >/dev/null 2>&1 &&
   comradarr-dispatch --once --max-wait 0 --poll 100 >/dev/null 2>"$tmp/disp.err"; then ok; else
	bad "the pipeline failed"; tail -n 3 "$tmp"/*.err; fi
comradarr-sync --health-only >/dev/null 2>&1 && ok || bad "sync --health-only"
[ "$(q "SELECT count(*) FROM connector_health_history WHERE response_ms IS NOT NULL")" -ge 2 ] && ok ||
	bad "a health check did not record its response time"
today_searches=$(q "SELECT count(*) FROM search_history")
[ "$today_searches" -gt 0 ] && ok || bad "the pipeline sent no search"

# today's figures, counted live before any maint ran
comradarr stats --connector tv >"$tmp/live.jsonl" 2>"$tmp/live.err" && ok || bad "stats failed: $(cat "$tmp/live.err")"
want=$(q "SELECT count(*) FROM search_history WHERE connector_name = 'tv'")
got=$(jq -s 'map(.searches) | add // 0' "$tmp/live.jsonl")
[ "$got" -eq "$want" ] && ok || bad "stats counted $got searches for tv today, search_history holds $want"
want=$(q "SELECT coalesce(sum((payload->>'added')::int), 0) FROM events WHERE kind = 'discover_done' AND payload->>'connector' = 'tv'")
got=$(jq -s 'map(.discovered) | add // 0' "$tmp/live.jsonl")
[ "$got" -eq "$want" ] && [ "$got" -gt 0 ] && ok || bad "stats discovered $got for tv, discover_done says $want"
# queries against the budget: the connector's profile (the default, moderate) times the days
per_day=$(comradarr profile show moderate --json 2>/dev/null | jq '.daily_budget')
got=$(jq -s '.[-1] | .budget / .days' "$tmp/live.jsonl")
[ "$got" = "$per_day" ] && ok || bad "stats budget per day for tv is $got, its profile's is $per_day"
want=$(q "SELECT count(*) FROM stats_daily")
[ "$want" -eq 0 ] && ok || bad "'comradarr stats' wrote $want daily rows (it must only read)"

# ---------------------------------------------------------------- a year of history
midnight="(date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')"
q "
INSERT INTO search_history (connector_id, connector_name, command, search_type, content_kind,
	indexer_queries, outcome, items_grabbed, started_at, ended_at)
SELECT c.id, c.name, 'EpisodeSearch', CASE WHEN i % 2 = 0 THEN 'gap' ELSE 'upgrade' END, 'episode',
	1 + i % 4, o.outcome, CASE WHEN o.outcome = 'grabbed' THEN 1 + d % 3 ELSE 0 END,
	$midnight - d * interval '1 day' + i * interval '1 hour',
	$midnight - d * interval '1 day' + i * interval '1 hour' + (100 * i + d) * interval '1 ms'
FROM connectors c, generate_series(1, 365) d, generate_series(1, 8) i,
	LATERAL (SELECT (ARRAY['grabbed','no_results','indexer_error','rate_limited','timeout',
			      'error','no_results','grabbed'])[i] AS outcome) o;
INSERT INTO events (created_at, kind, connector_id, payload)
SELECT $midnight - d * interval '1 day' + h * interval '1 hour', 'discover_done', c.id,
	jsonb_build_object('connector', c.name, 'source', 'mirror', 'gaps', 100 + d + h,
			   'upgrades', (d + h) % 17, 'added', (d + h) % 5, 'removed', 0)
FROM connectors c, generate_series(1, 365) d, unnest(ARRAY[1, 9, 17]) h;
INSERT INTO events (created_at, kind, connector_id, payload)
SELECT $midnight - d * interval '1 day' + interval '2 hours', 'enqueue_done', c.id,
	jsonb_build_object('batches', 1, 'items', d % 7, 'season_packs', 0, 'indexer_queries', d % 7)
FROM connectors c, generate_series(1, 365) d;
INSERT INTO events (created_at, kind, connector_id, payload)
SELECT $midnight - d * interval '1 day' + i * interval '1 hour', 'search_outcome', c.id, '{}'
FROM connectors c, generate_series(1, 365) d, generate_series(1, 10) i;
INSERT INTO connector_health_history (connector_id, checked_at, status, response_ms)
SELECT c.id, $midnight - d * interval '1 day' + h * interval '1 hour',
	CASE WHEN (d + h) % 10 = 0 THEN 'offline' ELSE 'healthy' END,
	CASE WHEN (d + h) % 10 = 0 THEN NULL ELSE 10 + (d * h) % 50 END
FROM connectors c, generate_series(1, 365) d, generate_series(0, 23) h;
INSERT INTO throttle_ledger (connector_id, at, cost)
SELECT c.id, $midnight - d * interval '1 day' + i * interval '1 hour', 1
FROM connectors c, generate_series(1, 10) d, generate_series(1, 5) i;
" >/dev/null && ok || bad "seeding a year of history"
# exhausted entries: ten forgotten long ago, ten recent; two orphans the
# cascades missed (their trigger switched off while their movies go); and a
# waiting batch without items, as a sync leaves one it emptied
fid=$(q "SELECT id FROM connectors WHERE name = 'films'")
q "
INSERT INTO movies (connector_id, arr_id, title, monitored, has_file)
SELECT $fid, 9000 + i, 'Old ' || i, true, false FROM generate_series(1, 22) i;
INSERT INTO search_registry (connector_id, movie_id, search_type, state, updated_at)
SELECT $fid, m.id, 'gap', CASE WHEN m.arr_id > 9020 THEN 'pending' ELSE 'exhausted' END,
	CASE WHEN m.arr_id <= 9010 THEN now() - interval '200 days' ELSE now() - interval '5 days' END
FROM movies m WHERE m.arr_id > 9000;
ALTER TABLE movies DISABLE TRIGGER movies_registry_cascade;
DELETE FROM movies WHERE arr_id IN (9021, 9022);
ALTER TABLE movies ENABLE TRIGGER movies_registry_cascade;
INSERT INTO request_queue (connector_id, command, arr_ids, indexer_queries, priority)
VALUES ($fid, 'MoviesSearch', '{9099}', 1, 1);
" >/dev/null && ok || bad "seeding exhausted entries and orphans"

# What each retention must remove, counted before maint runs.
cut() { echo "($midnight - interval '$1 days')"; }
exp_sh=$(q "SELECT count(*) FROM search_history WHERE started_at < $(cut 30)")
exp_ev=$(q "SELECT count(*) FROM events WHERE created_at < $(cut 30)")
exp_h=$(q "SELECT count(*) FROM connector_health_history WHERE checked_at < $(cut 30)")
exp_l=$(q "SELECT count(*) FROM throttle_ledger WHERE at < $(cut 2)")
[ "$exp_sh" -gt 0 ] && [ "$exp_ev" -gt 0 ] && [ "$exp_h" -gt 0 ] && [ "$exp_l" -gt 0 ] && ok ||
	bad "the fixture has nothing to prune ($exp_sh $exp_ev $exp_h $exp_l)"

# The statistics over the whole year, by day and by week (ts dropped, and
# queue_depth: a sample of the queue now, which maint's clean-up of an
# empty batch changes; every other figure is history).
from=$(q "SELECT to_char($midnight - interval '400 days', 'YYYY-MM-DD')")
stats() {	# stats FILE ARGS...
	f=$1
	shift
	comradarr stats --from "$from" "$@" 2>"$tmp/stats.err" | jq -c -S 'del(.ts, .queue_depth)' >"$f" ||
		bad "stats $*: $(cat "$tmp/stats.err")"
}
stats "$tmp/before.day"
stats "$tmp/before.week" --by week
[ "$(wc -l <"$tmp/before.day")" -ge $((2 * 365)) ] && ok ||
	bad "stats by day has $(wc -l <"$tmp/before.day") rows for two connectors over a year"
jq -e 'select(.searches > 0) | .success_rate != null' "$tmp/before.day" >/dev/null && ok ||
	bad "no success rate in the statistics"
# a year-old day's error rate and response times, as its health checks say
d200=$(q "SELECT to_char($midnight - interval '200 days', 'YYYY-MM-DD')")
want=$(q "SELECT count(*) FILTER (WHERE status = 'offline') || ' ' || sum(response_ms) / count(response_ms) || ' ' || max(response_ms)
	FROM connector_health_history h JOIN connectors c ON c.id = h.connector_id
	WHERE c.name = 'tv' AND checked_at >= $(cut 200) AND checked_at < $(cut 199)")
got=$(jq -r --arg d "$d200" 'select(.period == $d and .connector == "tv") |
	"\(.health_failures) \(.avg_response_ms) \(.max_response_ms)"' "$tmp/before.day")
[ "$got" = "$want" ] && ok || bad "health figures of $d200: '$got', the checks say '$want'"

# Everything maint could touch, to compare before and after a run that must change nothing.
snapshot() {
	q "SELECT (SELECT count(*) FROM search_history), (SELECT count(*) FROM events),
		(SELECT count(*) FROM connector_health_history), (SELECT count(*) FROM throttle_ledger),
		(SELECT count(*) FROM search_registry), (SELECT count(*) FROM settings),
		(SELECT md5(coalesce(string_agg(s::text, ',' ORDER BY day, connector), ''))
		 FROM (SELECT day, connector, searches, grabbed, discovered, health_checks, queue_depth,
		       rolled_at FROM stats_daily) s)"
}
snap0=$(snapshot)

# ---------------------------------------------------------------- dry run
comradarr-maint --dry-run >"$tmp/dry.jsonl" 2>"$tmp/dry.err" && ok || bad "maint --dry-run failed: $(tail -n 2 "$tmp/dry.err")"
[ "$(snapshot)" = "$snap0" ] && ok || bad "a dry run changed the database"
pruned() { jq -s --arg t "$2" '[.[] | select(.event == "maint_prune" and .table == $t) | .rows] | add // -1' "$1"; }
[ "$(pruned "$tmp/dry.jsonl" search_history)" -eq "$exp_sh" ] && ok ||
	bad "dry run would prune $(pruned "$tmp/dry.jsonl" search_history) search_history rows, expected $exp_sh"
[ "$(pruned "$tmp/dry.jsonl" events)" -eq "$exp_ev" ] && ok || bad "dry run: events $(pruned "$tmp/dry.jsonl" events), expected $exp_ev"
jq -e -s 'all(.[]; .dry_run == true)' "$tmp/dry.jsonl" >/dev/null && ok || bad "a dry-run line without dry_run"
comradarr-maint --dry-run --format human >"$tmp/dry.txt" 2>/dev/null
grep -q "dry run, nothing changed" "$tmp/dry.txt" && ok || bad "human dry run: $(tail -n 1 "$tmp/dry.txt")"

# ---------------------------------------------------------------- one at a time
key=$(q "SELECT (x'436f6d72'::bigint << 32) | (5 << 24)")
PGAPPNAME=maint_lock_holder psql -XAtq -d "$db" -c "SELECT pg_advisory_lock($key)" -c "SELECT pg_sleep(60)" \
	>/dev/null 2>&1 &
holder=$!
i=0
until [ "$(q "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted")" -gt 0 ]; do
	i=$((i + 1)); [ $i -lt 100 ] || break
	sleep 0.1
done
comradarr-maint >"$tmp/busy.jsonl" 2>/dev/null && ok || bad "maint beside another did not exit 0"
jq -e -s 'length == 1 and .[0].event == "maint_skipped"' "$tmp/busy.jsonl" >/dev/null && ok ||
	bad "maint beside another did not report maint_skipped: $(cat "$tmp/busy.jsonl")"
[ "$(snapshot)" = "$snap0" ] && ok || bad "a skipped maint changed the database"
q "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'maint_lock_holder'" >/dev/null
wait "$holder" 2>/dev/null
holder=""

# ---------------------------------------------------------------- a failed step is rolled back
q "CREATE FUNCTION t_refuse() RETURNS trigger LANGUAGE plpgsql AS \$\$ BEGIN RAISE EXCEPTION 'refused by the test'; END \$\$;
   CREATE TRIGGER t_refuse BEFORE DELETE ON search_history FOR EACH STATEMENT EXECUTE FUNCTION t_refuse();" >/dev/null
sh0=$(q "SELECT count(*) FROM search_history")
comradarr-maint --step prune >"$tmp/failed.jsonl" 2>/dev/null
rc=$?
[ "$rc" -eq 3 ] && ok || bad "a failed step: exit $rc, wanted 3 (partial)"
jq -e -s 'any(.[]; .event == "maint_failed" and .table == "search_history" and (.message | test("refused by the test")))' \
	"$tmp/failed.jsonl" >/dev/null && ok || bad "no maint_failed line for search_history"
[ "$(q "SELECT count(*) FROM search_history")" -eq "$sh0" ] && ok || bad "the failed prune deleted rows"
# its roll-up ran in the same transaction: rolled back with it
[ "$(q "SELECT count(*) FROM stats_daily WHERE searches > 0")" -eq 0 ] && ok ||
	bad "the failed step's roll-up of search_history was kept"
# the other tables' steps were done
[ "$(pruned "$tmp/failed.jsonl" events)" -eq "$exp_ev" ] && ok || bad "the steps after the failed one did not run"
q "DROP TRIGGER t_refuse ON search_history; DROP FUNCTION t_refuse()" >/dev/null

# ---------------------------------------------------------------- the real run, beside a writer
# A dispatcher's writes (history, outbox, ledger, registry updates) with a
# one-second lock timeout, over and over while maint runs: any wait longer
# than a second fails the statement.
comradarr-maint >"$tmp/run.jsonl" 2>"$tmp/run.err" &
maint=$!
writes=0
: >"$tmp/writer.err"
while kill -0 "$maint" 2>/dev/null; do
	psql -XAtq -v ON_ERROR_STOP=1 -d "$db" >/dev/null 2>>"$tmp/writer.err" <<-EOF || echo "write failed" >>"$tmp/writer.err"
	SET lock_timeout = '1s';
	BEGIN;
	INSERT INTO search_history (connector_name, command, content_kind, outcome, started_at, ended_at)
		VALUES ('writer', 'MoviesSearch', 'movie', 'no_results', now(), now());
	INSERT INTO events (kind, payload) VALUES ('search_outcome', '{}');
	INSERT INTO throttle_ledger (connector_id, at, cost) VALUES ($fid, now(), 1);
	UPDATE search_registry SET updated_at = now() WHERE state = 'pending';
	COMMIT;
	EOF
	writes=$((writes + 1))
done
wait "$maint"
rc=$?
[ "$rc" -eq 0 ] && ok || bad "maint: exit $rc: $(tail -n 3 "$tmp/run.err")"
[ -s "$tmp/writer.err" ] && bad "a write beside maint waited over a second or failed: $(head -n 3 "$tmp/writer.err")" || ok
[ "$writes" -gt 0 ] && ok || bad "no write ran beside maint"
jq -e 'has("event") and has("ts")' "$tmp/run.jsonl" >/dev/null 2>&1 && ok || bad "maint printed a line that is not JSON with event and ts"
catalogue_check "$tmp"/*.jsonl && ok || bad "maint's events missing from the catalogue"
[ "$(pruned "$tmp/run.jsonl" search_history)" -eq "$exp_sh" ] && ok ||
	bad "pruned $(pruned "$tmp/run.jsonl" search_history) search_history rows, expected $exp_sh"
# the run with the failed step pruned the other tables already
both() { echo $(($(pruned "$tmp/failed.jsonl" "$1") + $(pruned "$tmp/run.jsonl" "$1"))); }
[ "$(pruned "$tmp/failed.jsonl" connector_health_history)" -eq "$exp_h" ] && ok || bad "health history: expected $exp_h"
[ "$(both connector_health_history)" -eq "$exp_h" ] && ok || bad "health history pruned twice"
[ "$(pruned "$tmp/failed.jsonl" throttle_ledger)" -eq "$exp_l" ] && ok || bad "ledger: expected $exp_l"
[ "$(both search_registry)" -eq 10 ] && ok || bad "exhausted entries: expected 10 forgotten, $(both search_registry)"
[ "$(q "SELECT count(*) FROM search_history WHERE started_at < $(cut 30)")" -eq 0 ] && ok || bad "old search history left"
[ "$(q "SELECT count(*) FROM search_registry WHERE state = 'exhausted'")" -eq 10 ] && ok || bad "recent exhausted entries removed"
jq -e -s 'any(.[]; .event == "maint_orphans" and .table == "search_registry" and .rows == 2)' "$tmp/run.jsonl" \
	>/dev/null && ok || bad "the two orphaned entries were not found"
[ "$(q "SELECT count(*) FROM search_registry r WHERE r.movie_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM movies m WHERE m.id = r.movie_id)")" -eq 0 ] &&
	ok || bad "orphans left"
# a waiting batch whose items are all gone is removed too, without a warning
jq -e -s 'any(.[]; .event == "maint_orphans" and .table == "request_queue" and .rows == 1 and .unexpected == false)' \
	"$tmp/run.jsonl" >/dev/null && ok || bad "the empty batch was not removed"
[ "$(q "SELECT count(*) FROM request_queue q WHERE NOT EXISTS (SELECT 1 FROM request_queue_items i WHERE i.queue_id = q.id)")" -eq 0 ] &&
	ok || bad "an empty batch left"
jq -e -s 'any(.[]; .event == "maint_vacuum" and .table == "search_history")' "$tmp/run.jsonl" >/dev/null && ok ||
	bad "search_history changed but was not vacuumed"
jq -e -s 'any(.[]; .event == "maint_size" and .table == "*" and .bytes > 0)' "$tmp/run.jsonl" >/dev/null && ok ||
	bad "no size report"
jq -e -s '.[-1].event == "maint_done" and .[-1].failed == 0' "$tmp/run.jsonl" >/dev/null && ok || bad "no clean maint_done last"
[ "$(q "SELECT count(*) FROM events WHERE kind = 'maint_done' AND (payload->>'pruned')::bigint = $(jq -s '.[-1].pruned' "$tmp/run.jsonl")")" -eq 1 ] &&
	ok || bad "the run's maint_done is not in the outbox"

# today's queue depth is the queue now
today=$(q "SELECT to_char($midnight, 'YYYY-MM-DD')")
want=$(q "SELECT count(*) FROM request_queue WHERE connector_id = $fid AND claimed_by IS NULL")
got=$(comradarr stats --connector films --from "$today" 2>/dev/null | jq -s '.[-1].queue_depth')
[ "$got" = "$want" ] && ok || bad "today's queue depth for films is $got, the queue holds $want"

# the same statistics after pruning (the writer's connector left out)
same() {	# same BEFORE AFTER WHAT
	if diff "$1" "$2" >"$tmp/diff" 2>&1; then ok; else
		bad "$3: the statistics changed: $(head -n 4 "$tmp/diff")"; fi
}
stats "$tmp/after.day"
stats "$tmp/after.week" --by week
grep -v '"connector":"writer"' "$tmp/after.day" >"$tmp/after.day.f"
grep -v '"connector":"writer"' "$tmp/after.week" >"$tmp/after.week.f"
same "$tmp/before.day" "$tmp/after.day.f" "by day, after maint"
same "$tmp/before.week" "$tmp/after.week.f" "by week, after maint"

# again: nothing more to do, the same figures
comradarr-maint --step rollup --step prune >"$tmp/again.jsonl" 2>/dev/null && ok || bad "second maint failed"
[ "$(jq -s '[.[] | select(.event == "maint_prune" and .table != "throttle_ledger") | .rows] | add' "$tmp/again.jsonl")" -eq 0 ] &&
	ok || bad "a second maint pruned again"
stats "$tmp/again.day"
grep -v '"connector":"writer"' "$tmp/again.day" >"$tmp/again.day.f"
same "$tmp/before.day" "$tmp/again.day.f" "after a second maint"

# statistics read while maint rolls up and prunes: both work (roll-ups take turns)
comradarr-maint --step rollup --step prune >/dev/null 2>"$tmp/cm.err" &
m=$!
comradarr stats --from "$from" >/dev/null 2>"$tmp/cs1.err" &
s1=$!
comradarr stats --from "$from" --by week >/dev/null 2>"$tmp/cs2.err" &
s2=$!
wait "$m" && ok || bad "maint beside two stats failed: $(cat "$tmp/cm.err")"
wait "$s1" && ok || bad "stats beside maint failed: $(cat "$tmp/cs1.err")"
wait "$s2" && ok || bad "stats by week beside maint failed: $(cat "$tmp/cs2.err")"

# ---------------------------------------------------------------- settings, applied without restart
comradarr settings set retention.events_days 3 >"$tmp/set.jsonl" 2>/dev/null && ok || bad "settings set failed"
jq -e '.event == "setting_changed" and .value == 3 and .previous == 30' "$tmp/set.jsonl" >/dev/null && ok ||
	bad "setting_changed line: $(cat "$tmp/set.jsonl")"
[ "$(q "SELECT count(*) FROM events WHERE kind = 'setting_changed' AND payload->>'key' = 'retention.events_days'")" -eq 1 ] &&
	ok || bad "no setting_changed event in the outbox"
[ "$(comradarr settings get retention.events_days --format human)" = 3 ] && ok || bad "settings get after set"
comradarr-maint --step prune >"$tmp/short.jsonl" 2>/dev/null && ok || bad "maint after the change failed"
[ "$(q "SELECT count(*) FROM events WHERE created_at < $(cut 3)")" -eq 0 ] && ok || bad "events older than 3 days left"
stats "$tmp/short.day"
grep -v '"connector":"writer"' "$tmp/short.day" >"$tmp/short.day.f"
same "$tmp/before.day" "$tmp/short.day.f" "after pruning events to 3 days"

set0=$(q "SELECT count(*), max(updated_at) FROM settings")
comradarr settings set retention.events_days 0 >/dev/null 2>"$tmp/range.err"
rc=$?
[ "$rc" -eq 2 ] && ok || bad "an out-of-range value: exit $rc, wanted 2"
grep -q "from 1 to 3650 (days)" "$tmp/range.err" && ok || bad "out-of-range error without the range: $(cat "$tmp/range.err")"
comradarr settings set retention.events_days ten >/dev/null 2>&1
[ $? -eq 2 ] && ok || bad "a word for a number was accepted"
comradarr settings set queue.paused maybe >/dev/null 2>&1
[ $? -eq 2 ] && ok || bad "'maybe' for a switch was accepted"
comradarr settings set retention.nothing 5 >/dev/null 2>"$tmp/unknown.err"
[ $? -eq 2 ] && grep -q "comradarr settings list" "$tmp/unknown.err" && ok || bad "an unknown key: $(cat "$tmp/unknown.err")"
[ "$(q "SELECT count(*), max(updated_at) FROM settings")" = "$set0" ] && ok || bad "a refused value was written"
comradarr settings reset retention.events_days >/dev/null 2>&1 && ok || bad "settings reset"
[ "$(comradarr settings get retention.events_days --format human)" = 30 ] && ok || bad "reset did not restore the default"
comradarr settings list retention >"$tmp/list.jsonl" 2>/dev/null && ok || bad "settings list"
[ "$(jq -s 'map(select(.key | startswith("retention."))) | length' "$tmp/list.jsonl")" -eq 5 ] &&
	[ "$(wc -l <"$tmp/list.jsonl")" -eq 5 ] && ok || bad "settings list retention: $(wc -l <"$tmp/list.jsonl") lines"
catalogue_check "$tmp/set.jsonl" "$tmp/list.jsonl" && ok || bad "settings events missing from the catalogue"
# the bash completion offers the keys after 'settings set'
if command -v bash >/dev/null; then
	out=$(bash -c '. "$1"; COMP_WORDS=(comradarr settings set retention.ev); COMP_CWORD=3
		_comradarr; printf "%s\n" "${COMPREPLY[@]}"' _ "$(dirname "$0")/../../completions/comradarr.bash")
	[ "$out" = retention.events_days ] && ok || bad "completing 'settings set retention.ev' offered '$out'"
fi
# comradarr(5) gives each retention's default and range as the binary defines them
man5="$(dirname "$0")/../../man/comradarr.5"
jq -r '"\(.key) Ta \(.default) Ta \(.min)\\(en\(.max) "' "$tmp/list.jsonl" | while read -r line; do
	grep -qF ".It $line" "$man5" || echo "$line"
done >"$tmp/man5.diff"
[ -s "$tmp/man5.diff" ] && bad "comradarr(5) disagrees with the settings: $(cat "$tmp/man5.diff")" || ok

# ---------------------------------------------------------------- stats formats and bad input
comradarr stats --from "$from" --csv >"$tmp/stats.csv" 2>/dev/null && ok || bad "stats --csv"
head -n 1 "$tmp/stats.csv" | grep -q '^period,connector,.*success_rate' && ok || bad "csv header: $(head -n 1 "$tmp/stats.csv")"
[ $(($(wc -l <"$tmp/stats.csv") - 1)) -eq "$(wc -l <"$tmp/after.day")" ] && ok || bad "csv rows differ from JSON lines"
comradarr stats --from "$from" --connector films --by week --format human >"$tmp/stats.txt" 2>/dev/null && ok || bad "stats human"
grep -q '^PERIOD' "$tmp/stats.txt" && ! grep -q ' tv ' "$tmp/stats.txt" && ok || bad "stats --connector films showed tv"
catalogue_check "$tmp/after.day" && ok || bad "stats events missing from the catalogue"
for a in "--from 2026-02-30" "--by month" "--from 2026-12-07 --to 2026-12-01"; do
	# shellcheck disable=SC2086
	comradarr stats $a >/dev/null 2>&1
	[ $? -eq 2 ] && ok || bad "stats $a was not a usage error"
done
comradarr-maint --step nothing >/dev/null 2>"$tmp/step.err"
[ $? -eq 2 ] && grep -q "rollup, prune" "$tmp/step.err" && ok || bad "an unknown step: $(cat "$tmp/step.err")"

# ---------------------------------------------------------------- a real dispatch beside maint
# The dispatcher with a one-second lock timeout (PGOPTIONS), sending to the
# fakes while maint prunes a fresh load of old events and vacuums: a wait
# of over a second on any lock would fail it.
comradarr profile add fast --rpm 60 --batch 10 --daily-budget 100000 >/dev/null 2>&1 &&
	comradarr profile assign tv fast >/dev/null 2>&1 &&
	comradarr profile assign films fast >/dev/null 2>&1 && ok || bad "profile for the last dispatch"
waiting=$(q "SELECT count(*) FROM request_queue WHERE claimed_by IS NULL")
[ "$waiting" -gt 0 ] && ok || bad "no batch left for the last dispatch"
q "INSERT INTO events (created_at, kind, payload) SELECT now() - interval '200 days' + i * interval '1 s',
	'search_outcome', '{}' FROM generate_series(1, 300000) i" >/dev/null
old_events=$(q "SELECT count(*) FROM events WHERE created_at < $(cut 30)")
comradarr-maint >"$tmp/beside.jsonl" 2>"$tmp/beside.err" &
m=$!
# and a second maint at the same moment: skipped while the first runs, or
# after it with nothing left; never both pruning
comradarr-maint >"$tmp/second.jsonl" 2>"$tmp/second.err" &
m2=$!
# the dispatch starts once maint is deleting the old events
i=0
during=no
while [ $i -lt 200 ] && kill -0 "$m" 2>/dev/null; do
	if [ "$(q "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'comradarr-maint'
		AND state = 'active' AND query LIKE 'DELETE FROM events%'")" -gt 0 ]; then
		during=yes
		break
	fi
	i=$((i + 1))
	sleep 0.05
done
PGOPTIONS="-c lock_timeout=1000" comradarr-dispatch --once --max-wait 0 --poll 100 \
	>"$tmp/disp2.jsonl" 2>"$tmp/disp2.err" && ok || bad "dispatch beside maint failed: $(tail -n 3 "$tmp/disp2.err")"
wait "$m" && ok || bad "maint beside dispatch failed: $(tail -n 3 "$tmp/beside.err")"
wait "$m2" && ok || bad "the second maint failed: $(tail -n 3 "$tmp/second.err")"
total=$(cat "$tmp/beside.jsonl" "$tmp/second.jsonl" |
	jq -s '[.[] | select(.event == "maint_prune" and .table == "events") | .rows] | add')
[ "$total" -eq "$old_events" ] && ok || bad "two maints pruned $total old events between them, there were $old_events"
[ "$(cat "$tmp/beside.jsonl" "$tmp/second.jsonl" | jq -s '[.[] | select(.event == "maint_done")] | length')" -ge 1 ] &&
	ok || bad "neither maint finished"
sent=$(jq -s '[.[] | select(.event == "search")] | length' "$tmp/disp2.jsonl")
[ "$sent" -gt 0 ] && ok || bad "the dispatch beside maint sent nothing"
grep -qi "lock timeout" "$tmp/disp2.err" && bad "the dispatch waited over a second for a lock" || ok
echo "dispatch beside maint: $sent searches sent, started while maint was deleting events: $during"
catalogue_check "$tmp/beside.jsonl" "$tmp/second.jsonl" "$tmp/disp2.jsonl" && ok || bad "events missing from the catalogue"

# ---------------------------------------------------------------- what notify still needs stays
# A channel that has not routed an old event yet keeps it from the prune;
# once the channel is gone, the next prune removes it.
printf 'http://127.0.0.1:9/hook\n' >"$tmp/hook_url"
printf 'a-webhook-signing-secret\n' >"$tmp/hook_hmac"
comradarr channel add keeper --type webhook --webhook-url-file "$tmp/hook_url" \
	--hmac-secret-file "$tmp/hook_hmac" </dev/null >/dev/null 2>"$tmp/ch.err" &&
	ok || bad "channel add: $(cat "$tmp/ch.err")"
kept=$(q "INSERT INTO events (kind, payload, created_at) VALUES ('queue_paused', '{}', now() - interval '400 days')
	RETURNING id")
comradarr-maint --step prune >/dev/null 2>"$tmp/keep.err" || bad "maint with a channel: $(tail -n 3 "$tmp/keep.err")"
[ "$(q "SELECT count(*) FROM events WHERE id = $kept")" = 1 ] && ok ||
	bad "maint pruned an event a notification channel had not routed yet"
comradarr channel rm keeper --yes >/dev/null 2>&1 || comradarr channel rm keeper >/dev/null 2>&1
comradarr-maint --step prune >/dev/null 2>"$tmp/keep.err" || bad "maint after channel rm: $(tail -n 3 "$tmp/keep.err")"
[ "$(q "SELECT count(*) FROM events WHERE id = $kept")" = 0 ] && ok ||
	bad "the old event stayed once no channel needed it"

echo "maint: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
