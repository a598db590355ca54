#!/bin/sh
# tests/run.sh BUILD... - every suite, against each build directory.
#
# Unit and integration suites (Check binaries) and the CLI suites run once
# per build (the strict build and the ASan+UBSan one); lint, contract, fuzz
# and browser suites run once.  Integration suites need PostgreSQL: this
# script re-runs itself inside pg_virtualenv (a throwaway cluster, fsync off),
# which is stopped when it exits.  Each suite prints its runner's summary;
# the last line is the total, "N passed, N failed".  A suite whose dependency
# is missing prints SKIPPED and why; under CI (CI set) a skip is a failure.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 1
[ $# -gt 0 ] || set -- build

if [ -z "${COMRADARR_IN_PGENV:-}" ]; then
	if command -v pg_virtualenv >/dev/null 2>&1; then
		COMRADARR_IN_PGENV=1 exec pg_virtualenv -t -o fsync=off -o max_connections=300 \
			-o synchronous_commit=off -o full_page_writes=off \
			sh "$0" "$@"
	fi
	echo "run: pg_virtualenv not found (apt-get install postgresql-common); database suites will be skipped" >&2
	COMRADARR_IN_PGENV=none
	export COMRADARR_IN_PGENV
fi

passed=0
failed=0
skipped=0
failures=""
logdir=${TMPDIR:-/tmp}/comradarr-tests.$$
mkdir -p "$logdir"
export ASAN_OPTIONS="abort_on_error=1:detect_leaks=1:halt_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export LSAN_OPTIONS="suppressions=$root/tests/lsan.supp:print_suppressions=0"
export LOG_FORMAT=json

skip() {
	skipped=$((skipped + 1))
	echo "SKIPPED: $1"
	if [ -n "${CI:-}" ]; then
		failed=$((failed + 1))
		failures="$failures\n  skipped in CI: $1"
	fi
}

# tally NAME LOG STATUS: read a Check or "N passed, N failed" summary
tally() {
	name=$1 log=$2 status=$3
	line=$(grep -E '^[0-9]+%: Checks: [0-9]+' "$log" | tail -n 1)
	if [ -n "$line" ]; then
		n=$(echo "$line" | sed -E 's/.*Checks: ([0-9]+).*/\1/')
		f=$(echo "$line" | sed -E 's/.*Failures: ([0-9]+).*/\1/')
		e=$(echo "$line" | sed -E 's/.*Errors: ([0-9]+).*/\1/')
		passed=$((passed + n - f - e))
		failed=$((failed + f + e))
		[ $((f + e)) -gt 0 ] && failures="$failures\n  $name: $f failures, $e errors"
	else
		line=$(grep -E '^([a-z0-9-]+: )?[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
		if [ -n "$line" ]; then
			p=$(echo "$line" | sed -E 's/^([a-z0-9-]+: )?([0-9]+) passed.*/\2/')
			f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
			passed=$((passed + p))
			failed=$((failed + f))
			[ "$f" -gt 0 ] && failures="$failures\n  $name: $f failed"
		fi
	fi
	if [ "$status" -ne 0 ] && ! echo "$failures" | grep -qF "  $name:"; then
		failed=$((failed + 1))
		failures="$failures\n  $name: exited with status $status"
	fi
	if [ "$status" -ne 0 ]; then
		echo "---- $name failed (exit $status); its output:"
		tail -n 60 "$log"
		echo "----"
	fi
}

run_suite() {
	name=$1
	shift
	log="$logdir/$(echo "$name" | tr '/ ' '__').log"
	echo "== $name"
	# Each suite in a session of its own: whatever it started and did not
	# stop is still in that session when it ends, and is killed and counted
	# as a failure (a suite must stop what it starts).
	sidfile="$logdir/sid.$$"
	setsid -w sh -c 'echo $$ >"$1"; shift; exec timeout "$0" "$@"' "${SUITE_TIMEOUT:-900}" \
		"$sidfile" "$@" >"$log" 2>&1
	status=$?
	sid=$(cat "$sidfile" 2>/dev/null)
	rm -f "$sidfile"
	if [ -n "$sid" ]; then
		# Zombies are skipped: they are already dead, and in a container
		# whose PID 1 does not reap orphans they stay listed for ever.
		left=$(ps -e -o sid=,stat=,pid=,args= |
			awk -v s="$sid" '$1 == s && $2 !~ /^Z/ { $1 = ""; $2 = ""; print }')
		if [ -n "$left" ]; then
			echo "$left" | awk '{ print $1 }' | xargs -r kill -9 2>/dev/null
			n=$(echo "$left" | wc -l)
			failed=$((failed + 1))
			failures="$failures\n  $name: left $n process(es) running"
			echo "FAIL: $name left $n process(es) running:"
			echo "$left" | sed 's/^/  | /' | cut -c1-200
		fi
	fi
	grep -E '^[0-9]+%: Checks:|^([a-z0-9-]+: )?[0-9]+ passed, [0-9]+ failed|SKIPPED' "$log"
	if grep -qE '^([a-z0-9-]+: )?SKIPPED' "$log"; then
		skip "$name: $(grep -E '^([a-z0-9-]+: )?SKIPPED' "$log" | head -n 1 | sed -E 's/^([a-z0-9-]+: )?SKIPPED:* *//')"
	fi
	tally "$name" "$log" "$status"
}

for build in "$@"; do
	[ -d "$build" ] || { echo "run: no build in '$build' (make BUILD=$build)"; failed=$((failed + 1)); continue; }
	export FAKEARR_BIN="$root/$build/bin/fakearr"
	export COMRADARR_BIN_DIR="$root/$build/bin"
	for t in "$build"/tests/unit/test_*; do
		[ -x "$t" ] || continue
		run_suite "$t" "$t"
	done
	for t in "$build"/tests/integration/test_*; do
		[ -x "$t" ] || continue
		if [ "${COMRADARR_IN_PGENV}" = none ]; then
			skip "$t: no PostgreSQL"
			continue
		fi
		run_suite "$t" "$t"
	done
	for s in tests/cli/*.sh; do
		[ -f "$s" ] || continue
		run_suite "$s ($build)" sh "$s" "$root/$build"
	done
done

# Once, against the first build.
first=$1
export FAKEARR_BIN="$root/$first/bin/fakearr"
export COMRADARR_BIN_DIR="$root/$first/bin"
for s in tests/lint/*.sh tests/contract/run.sh tests/e2e/run.sh; do
	[ -f "$s" ] || continue
	run_suite "$s" sh "$s" "$root/$first"
done
if [ -f tests/fuzz/run.sh ]; then
	run_suite "tests/fuzz/run.sh" sh tests/fuzz/run.sh short
fi

echo
if [ -n "$failures" ]; then
	printf 'failed suites:%b\n' "$failures"
else
	rm -rf "$logdir"
fi
[ "$skipped" -gt 0 ] && echo "($skipped suites skipped)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
