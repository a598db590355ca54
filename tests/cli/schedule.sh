#!/bin/sh
# Sweep schedules from the shell, against a fake Sonarr, with the clock
# stepped through a simulated day (COMRADARR_FAKE_NOW):
#   - connector add creates the default schedules;
#   - bad input names the field, suggests zones, refuses missing connectors;
#   - 'schedule next' lists correct runs across a DST change;
#   - two 'schedule run' processes every 10 minutes run each due time once:
#     the hourly schedule once per hour, missed hours caught up by one run,
#     the 02:30 Europe/Berlin run once on the spring-forward day, disabled
#     schedules never;
#   - a clock that went back runs nothing again;
#   - a connector still being swept is skipped (the advisory lock);
#   - a runner killed between claiming and finishing is retried once, then
#     given up as failed;
#   - every JSON line's event is in comradarr(7)'s catalogue.
# Usage: schedule.sh BUILD_DIR
set -u
bin=$1/bin
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
if [ -z "${PGHOST:-}" ]; then echo "SKIPPED: no test PostgreSQL (run through tests/run.sh)"; exit 0; fi
command -v jq >/dev/null || { echo "SKIPPED: jq not installed"; exit 0; }
tmp=$(mktemp -d)
db="t_schedule_$$"
fake_pid=""
lock_pid=""
run_pid=""
cleanup() {
	for p in $run_pid $lock_pid $fake_pid; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	psql -Xq -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT
psql -Xq -d postgres -c "CREATE DATABASE $db" >/dev/null
export DATABASE_URL="dbname=$db" COMRADARR_HOME="$tmp/home" LOG_FORMAT=json
export SECRET_KEY=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
export PATH="$bin:$PATH"
unset TZ
q() { psql -XAtq -d "$db" -c "$1"; }
# any_line FILE FILTER: some JSON line of FILE makes FILTER true
any_line() { jq -s -e "[.[] | $2] | any" "$1" >/dev/null; }

"$bin/fakearr" --app sonarr --port 0 --api-key key-tv-0123456789abcdef --series 8 --seasons 2 \
	--episodes 6 --missing 0.4 --cutoff 0.3 --seed 7 >"$tmp/fake.out" 2>"$tmp/fake.err" &
fake_pid=$!
i=0
until grep -q '"port"' "$tmp/fake.out" 2>/dev/null; do
	i=$((i + 1)); [ $i -lt 100 ] || { echo "the fake did not start"; exit 1; }
	sleep 0.1
done
port=$(sed -n 's/.*"port":\([0-9]*\).*/\1/p' "$tmp/fake.out")

comradarr migrate >/dev/null 2>&1 && ok || bad "migrate"
# The simulated day: 2027-03-28, when Berlin springs forward at 01:00Z.
t0=$(date -u -d 2027-03-27T23:30:00Z +%s)
at() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
export COMRADARR_FAKE_NOW
COMRADARR_FAKE_NOW=$(at "$t0")

# --- the default schedules come with the connector
printf 'key-tv-0123456789abcdef\n' | comradarr connector add tv --type sonarr \
	--url "http://127.0.0.1:$port" --api-key-file - >"$tmp/add.jsonl" 2>"$tmp/add.err" && ok ||
	{ bad "connector add"; cat "$tmp/add.err"; }
[ "$(jq -r 'select(.event == "schedule_added") | .schedule' "$tmp/add.jsonl" | tr '\n' ' ')" = \
  "tv-gaps tv-upgrades " ] && ok || bad "connector add did not report its default schedules"
comradarr schedule list >"$tmp/list0.jsonl" 2>"$tmp/list0.err" && ok || bad "schedule list"
[ "$(jq -r 'select(.event == "schedule") | "\(.schedule) \(.cron) \(.zone) \(.sweep)"' "$tmp/list0.jsonl" |
	sort | tr '\n' ';')" = "tv-gaps 0 * * * * UTC gaps;tv-upgrades 30 3 * * * UTC upgrades;" ] && ok ||
	{ bad "default schedules are not tv-gaps hourly and tv-upgrades daily at 03:30"; cat "$tmp/list0.jsonl"; }
[ "$(q "SELECT count(*) FROM events WHERE kind = 'schedule_added'")" -eq 2 ] && ok ||
	bad "the default schedules wrote no schedule_added events"

# --- bad input: a clear error naming the field, nothing written
comradarr schedule add x --connector tv --cron "60 2 * * *" >"$tmp/e1.jsonl" 2>/dev/null
[ $? -eq 1 ] && ok || bad "minute 60 accepted"
any_line "$tmp/e1.jsonl" 'select(.event == "error") | .message | test("minute 60 is out of range")' && ok ||
	bad "minute 60: the error does not name the field"
comradarr schedule add x --connector tv --cron "30 2 * * *" --zone Europe/Berln >"$tmp/e2.jsonl" 2>/dev/null
any_line "$tmp/e2.jsonl" 'select(.event == "error") | .message | test("did you mean .Europe/Berlin.")' && ok ||
	bad "a misspelt zone suggests nothing"
comradarr schedule add x --connector nosuch --cron "@daily" >"$tmp/e3.jsonl" 2>/dev/null
[ $? -ne 0 ] && any_line "$tmp/e3.jsonl" 'select(.event == "error") | .kind == "not_found"' &&
	ok || bad "a schedule for a missing connector was not refused"
comradarr schedule add x --cron "@daily" >/dev/null 2>&1
[ $? -eq 2 ] && ok || bad "no --connector and no --all-connectors is not a usage error"
comradarr schedule add x --connector tv --cron "@daily" --sweep both >/dev/null 2>&1
[ $? -eq 2 ] && ok || bad "--sweep both is not a usage error"
comradarr schedule add feb --connector tv --cron "0 0 31 1,2 *" >"$tmp/w.jsonl" 2>"$tmp/w.err" && ok ||
	bad "a schedule that fires in January was refused"
grep -q "day-of-month 31 never occurs in February" "$tmp/w.err" &&
	any_line "$tmp/w.jsonl" 'select(.event == "schedule_added") | .warning | test("February")' &&
	ok || bad "no warning for February 31"
comradarr schedule rm feb >"$tmp/rm.jsonl" && jq -e '.event == "schedule_removed"' "$tmp/rm.jsonl" \
	>/dev/null && ok || bad "schedule rm"
[ "$(q 'SELECT count(*) FROM schedules')" -eq 2 ] && ok || bad "a refused schedule was written"

# --- the schedules of the day
comradarr schedule add nightly --connector tv --cron "30 2 * * *" --zone Europe/Berlin \
	>"$tmp/nightly.jsonl" && ok || bad "schedule add nightly"
jq -e '.description == "at 02:30 every day in Europe/Berlin"' "$tmp/nightly.jsonl" >/dev/null && ok ||
	bad "nightly's description: $(jq -r .description "$tmp/nightly.jsonl")"
comradarr schedule add never --connector tv --cron "* * * * *" --disabled >/dev/null && ok ||
	bad "schedule add --disabled"
comradarr schedule add later --all-connectors --sweep upgrades --cron "@hourly" --max-items 2 \
	>/dev/null && ok || bad "schedule add --all-connectors"
comradarr schedule disable later >/dev/null && ok || bad "schedule disable"
comradarr schedule next nightly --count 3 >"$tmp/next.jsonl" && ok || bad "schedule next"
[ "$(jq -r '"\(.at) \(.utc_offset_s)"' "$tmp/next.jsonl" | tr '\n' ';')" = \
  "2027-03-28T01:00:00.000Z 7200;2027-03-29T00:30:00.000Z 7200;2027-03-30T00:30:00.000Z 7200;" ] &&
	ok || { bad "schedule next: wrong runs across the DST change"; cat "$tmp/next.jsonl"; }

# the mirror the sweeps read
comradarr-sync >/dev/null 2>"$tmp/sync.err" && ok || { bad "sync"; tail -n 3 "$tmp/sync.err"; }

# --- the day, two runners every 10 minutes; down from 10:00 to 14:59
t=$t0
n=0
while [ "$t" -lt $((t0 + 86400)) ]; do
	h=$(date -u -d "@$t" +%H)
	d=$(date -u -d "@$t" +%d)
	if [ "$d" = 28 ] && [ "$h" -ge 10 ] && [ "$h" -lt 15 ]; then
		t=$((t + 600))
		continue
	fi
	COMRADARR_FAKE_NOW=$(at "$t")
	comradarr schedule run >"$tmp/run.$n.a.jsonl" 2>"$tmp/run.$n.a.err" &
	pa=$!
	comradarr schedule run >"$tmp/run.$n.b.jsonl" 2>"$tmp/run.$n.b.err" &
	pb=$!
	wait $pa || bad "runner a failed at $(at "$t"): $(tail -n 1 "$tmp/run.$n.a.err")"
	wait $pb || bad "runner b failed at $(at "$t"): $(tail -n 1 "$tmp/run.$n.b.err")"
	n=$((n + 1))
	t=$((t + 600))
done
cat "$tmp"/run.*.jsonl >"$tmp/day.jsonl"
runs() { jq -r "select(.event == \"schedule_run\" and .schedule == \"$1\") | .due" "$tmp/day.jsonl" | sort; }
[ "$(runs tv-gaps | uniq -d | wc -l)" -eq 0 ] && ok || bad "an hourly due time ran twice: $(runs tv-gaps | uniq -d)"
[ "$(runs tv-gaps | wc -l)" -eq 19 ] && ok || bad "tv-gaps ran $(runs tv-gaps | wc -l) times, not 19 (24 hours, 5 down, caught up once)"
[ "$(jq -r 'select(.event == "schedule_run" and .schedule == "tv-gaps" and .due == "2027-03-28T15:00:00.000Z") | .missed' "$tmp/day.jsonl")" = 5 ] &&
	ok || bad "the catch-up run at 15:00 does not stand for the 5 missed hours"
[ "$(runs tv-gaps | grep -c 'T1[0-4]:')" -eq 0 ] && ok || bad "a missed hour ran on its own"
[ "$(runs nightly | tr '\n' ' ')" = "2027-03-28T01:00:00.000Z " ] && ok ||
	bad "nightly (02:30 Berlin, spring forward) ran at: $(runs nightly | tr '\n' ' ')"
[ "$(runs tv-upgrades | tr "\n" " ")" = "2027-03-28T03:30:00.000Z " ] && ok ||
	bad "tv-upgrades ran at: $(runs tv-upgrades | tr '\n' ' ')"
[ "$(q "SELECT r.status FROM schedule_runs r JOIN schedules s ON s.id = r.schedule_id
	WHERE s.name = 'tv-upgrades'")" = "done" ] && ok || bad "the upgrade sweep did not finish"
[ "$(runs never | wc -l)" -eq 0 ] && [ "$(runs later | wc -l)" -eq 0 ] && ok || bad "a disabled schedule ran"
[ "$(q "SELECT count(*) FROM schedule_runs WHERE status <> 'running'")" -eq 21 ] && ok ||
	bad "schedule_runs holds $(q "SELECT count(*) FROM schedule_runs") runs, not 21 finished"
[ "$(q "SELECT count(*) FROM events WHERE kind LIKE 'sweep\_%'")" -eq 21 ] && ok ||
	bad "the outbox holds $(q "SELECT count(*) FROM events WHERE kind LIKE 'sweep\_%'") sweep events, not 21"
[ "$(jq -s '[.[] | select(.event == "sweep_done" and .schedule == "tv-gaps")] | .[0].found' "$tmp/day.jsonl")" -gt 0 ] &&
	ok || bad "the first gap sweep found nothing"
[ "$(q "SELECT count(*) FROM search_registry WHERE state = 'queued'")" -gt 0 ] && ok ||
	bad "the sweeps queued nothing"
[ "$(q "SELECT count(DISTINCT runner) FROM schedule_runs")" -ge 2 ] && ok ||
	bad "one runner took every due time: the race was not exercised"

# --- a clock that went back runs nothing again
COMRADARR_FAKE_NOW=$(at $((t0 + 5 * 3600)))
comradarr schedule run >"$tmp/back.jsonl" 2>/dev/null && ok || bad "run with the clock set back failed"
[ "$(jq -s '[.[] | select(.event == "schedule_run")] | length' "$tmp/back.jsonl")" -eq 0 ] && ok ||
	bad "a clock set back ran a due time again"
COMRADARR_FAKE_NOW=$(at $((t0 + 86400)))
comradarr schedule list >"$tmp/list1.jsonl" && ok || bad "schedule list after the day"
any_line "$tmp/list1.jsonl" 'select(.schedule == "tv-gaps") | .last_run.status == "done" and
	.last_run.due == "2027-03-28T23:00:00.000Z" and .next == "2027-03-29T00:00:00.000Z"' && ok || { bad "list does not show tv-gaps' last and next runs"; cat "$tmp/list1.jsonl"; }

# only tv-gaps from here on
for s in nightly tv-upgrades; do comradarr schedule disable "$s" >/dev/null || bad "disable $s"; done
tv_id=$(q "SELECT id FROM connectors WHERE name = 'tv'")
# hold_lock CLASS SECONDS: a session holds our advisory lock (class, tv) for a while
hold_lock() {
	key=$(( (0x436f6d72 << 32) | ($1 << 24) | tv_id ))
	psql -XAtq -d "$db" -c "SELECT pg_advisory_lock($key)" -c "SELECT pg_sleep($2)" >/dev/null &
	lock_pid=$!
	i=0
	until [ "$(q "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted")" -gt 0 ]; do
		i=$((i + 1)); [ $i -lt 100 ] || { bad "the lock was not taken"; break; }
		sleep 0.05
	done
}
release_lock() { wait "$lock_pid" 2>/dev/null; lock_pid=""; }

# --- a connector still being swept is skipped (Req 8.3)
day2=$((t0 + 86400 + 1800))	# 2027-03-29 00:00Z
COMRADARR_FAKE_NOW=$(at "$day2")
skips=$(q "SELECT count(*) FROM events WHERE kind = 'sweep_skipped'")
hold_lock 7 2
comradarr schedule run >"$tmp/skip.jsonl" 2>/dev/null && ok || bad "run with the connector busy failed"
release_lock
any_line "$tmp/skip.jsonl" 'select(.event == "sweep_skipped") | .reason | test("still being swept")' && ok ||
	{ bad "a busy connector was not reported as skipped"; cat "$tmp/skip.jsonl"; }
[ "$(q "SELECT count(*) FROM events WHERE kind = 'sweep_skipped'")" -eq $((skips + 1)) ] && ok ||
	bad "no sweep_skipped event in the outbox"

# --- a runner killed between claiming and finishing: retried once, then failed
# crash TIME: enqueue waits on its lock, so the runner is killed mid-sweep
crash() {
	COMRADARR_FAKE_NOW=$(at "$1")
	hold_lock 4 4
	comradarr schedule run >"$tmp/crash.jsonl" 2>/dev/null &
	run_pid=$!
	i=0
	until [ "$(q "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")" -gt 0 ]; do
		i=$((i + 1)); [ $i -lt 100 ] || { bad "the runner never waited on the lock"; break; }
		sleep 0.05
	done
	kill -9 "$run_pid"
	wait "$run_pid" 2>/dev/null
	run_pid=""
	release_lock
}
t1=$((day2 + 3600))	# 01:00, tv-gaps due
crash "$t1"
[ "$(q "SELECT status || ' ' || attempts FROM schedule_runs WHERE due_at = to_timestamp($t1)")" = "running 1" ] &&
	ok || bad "the killed run is not left 'running'"
comradarr schedule show tv-gaps >"$tmp/show.jsonl" && jq -e '.last_run.status == "running"' "$tmp/show.jsonl" \
	>/dev/null && ok || bad "show does not make the unfinished run visible"
# 10 minutes on: not yet abandoned
COMRADARR_FAKE_NOW=$(at $((t1 + 600)))
comradarr schedule run >"$tmp/r10.jsonl" 2>/dev/null
[ "$(q "SELECT attempts FROM schedule_runs WHERE due_at = to_timestamp($t1)")" = 1 ] && ok ||
	bad "a run 10 minutes old was taken as abandoned"
# 31 minutes on: retried, and killed again
crash $((t1 + 1860))
[ "$(q "SELECT status || ' ' || attempts FROM schedule_runs WHERE due_at = to_timestamp($t1)")" = "running 2" ] &&
	ok || bad "the abandoned run was not retried: $(q "SELECT status, attempts FROM schedule_runs WHERE due_at = to_timestamp($t1)")"
# another 31 minutes: given up
COMRADARR_FAKE_NOW=$(at $((t1 + 3720)))
comradarr schedule run >"$tmp/giveup.jsonl" 2>/dev/null
[ $? -eq 1 ] && ok || bad "giving up a run did not fail the runner"
[ "$(q "SELECT status FROM schedule_runs WHERE due_at = to_timestamp($t1)")" = failed ] && ok ||
	bad "a run abandoned twice is not failed"
[ "$(q "SELECT count(*) FROM events WHERE kind = 'sweep_failed'")" -eq 1 ] && ok ||
	bad "no sweep_failed event in the outbox"
# and the schedule goes on: 02:00 ran in that same call
[ "$(q "SELECT status FROM schedule_runs WHERE due_at = to_timestamp($((t1 + 3600)))")" = "done" ] && ok ||
	bad "the next due time did not run"

# --- edits, enable, human output
comradarr schedule edit nightly --cron "15 4 * * *" --zone America/New_York --max-items 5 \
	>"$tmp/edit.jsonl" && jq -e '.event == "schedule_updated" and .max_items == 5' "$tmp/edit.jsonl" \
	>/dev/null && ok || bad "schedule edit"
comradarr schedule enable nightly >/dev/null && ok || bad "schedule enable"
# the new expression counts from the edit: 04:15 New York (08:15Z) on the
# 28th is not a missed run, the one on the 29th runs
comradarr schedule run nightly >"$tmp/edited.jsonl" 2>/dev/null
[ "$(jq -s '[.[] | select(.event == "schedule_run")] | length' "$tmp/edited.jsonl")" -eq 0 ] && ok ||
	bad "an edit started a catch-up run"
COMRADARR_FAKE_NOW=2027-03-29T08:20:00Z
comradarr schedule run nightly >"$tmp/edited2.jsonl" 2>/dev/null
[ "$(jq -r 'select(.event == "schedule_run") | "\(.due) \(.missed)"' "$tmp/edited2.jsonl")" = \
  "2027-03-29T08:15:00.000Z 0" ] && ok ||
	{ bad "the edited schedule did not run at 04:15 New York"; cat "$tmp/edited2.jsonl"; }
comradarr schedule edit nightly --cron "15 4 * *" >/dev/null 2>&1
[ $? -eq 1 ] && [ "$(q "SELECT cron FROM schedules WHERE name = 'nightly'")" = "15 4 * * *" ] && ok ||
	bad "a bad edit was not refused, or changed the schedule"
comradarr schedule list --format human >"$tmp/human.txt" && grep -q "at 04:15 every day in America/New_York" \
	"$tmp/human.txt" && ok || bad "the human list lacks the description"
comradarr schedule next nightly --count 2 --format human >"$tmp/next.txt" && grep -q -- "-04:00 America/New_York" \
	"$tmp/next.txt" && ok || bad "human next lacks the UTC offset"

for f in "$tmp"/*.jsonl; do
	if jq -s -e 'all(.[]; has("event") and has("ts"))' "$f" >/dev/null 2>&1; then :; else
		bad "$(basename "$f"): a line that is not a JSON object with event and ts"; fi
done
. "$(dirname "$0")/../lib/catalogue.sh"
catalogue_check "$tmp"/*.jsonl && ok || bad "events missing from the catalogue"
if grep -q "0123456789abcdef" "$tmp"/*.jsonl "$tmp"/*.err 2>/dev/null; then bad "an API key was printed"; else ok; fi
echo "schedule: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
