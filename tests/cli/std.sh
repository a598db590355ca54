#!/bin/sh
# The standard command-line tests every binary gets (STYLE 15):
# --help, --version, a bad option (exit 2), the database down (a clear error,
# exit 1) and up (works).  Usage: std.sh BUILD_DIR  (needs PG* from pg_virtualenv
# for the "database up" cases).
set -u
bin=$1/bin
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok() { pass=$((pass + 1)); }
. "$(dirname "$0")/../lib/catalogue.sh"
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# expect NAME WANT_STATUS COMMAND...: run, compare the exit status
expect() {
	_what=$1 _want=$2
	shift 2
	"$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	_got=$?
	if [ "$_got" -eq "$_want" ]; then ok; else
		bad "$_what: exit $_got, wanted $_want"; sed 's/^/  | /' "$tmp/err" | head -n 5
	fi
}

# What runs against the database, per binary (a harmless read-only verb).
db_args() {
	case $1 in
	comradarr) echo "migrate --status" ;;
	comradarr-sync) echo "--health-only" ;;
	comradarr-discover) echo "--summary" ;;
	comradarr-enqueue) echo "--from-registry --dry-run" ;;
	comradarr-maint) echo "--dry-run" ;;
	comradarr-notify) echo "--once" ;;
	*) echo "" ;;
	esac
}

for b in "$bin"/comradarr*; do
	[ -x "$b" ] || continue
	name=$(basename "$b")
	expect "$name --help" 0 "$b" --help
	grep -q "usage: $name" "$tmp/out" && ok || bad "$name --help prints no usage line"
	expect "$name --version" 0 "$b" --version
	grep -qE "^$name [0-9]+\.[0-9]+\.[0-9]+" "$tmp/out" && ok || bad "$name --version: '$(cat "$tmp/out")'"
	expect "$name --no-such-option" 2 "$b" --no-such-option
	grep -q "no-such-option" "$tmp/err" && ok || bad "$name: bad option not named in the error"
	[ -s "$tmp/out" ] && bad "$name: a usage error printed to stdout" || ok

	args=$(db_args "$name")
	[ -n "$args" ] || continue
	# database down: a port nobody listens on
	# shellcheck disable=SC2086
	DATABASE_URL="host=127.0.0.1 port=1 dbname=x connect_timeout=2" expect "$name db down" 1 "$b" $args
	grep -qi "cannot connect" "$tmp/err" && ok || bad "$name db down: unclear error: $(head -c 300 "$tmp/err")"
	grep -q "port=1" "$tmp/err" && bad "$name db down: the connection string leaked into the error" || ok
	# database up
	if [ -n "${PGHOST:-}" ]; then
		db="t_cli_$$"
		psql -q -d postgres -c "CREATE DATABASE $db" >/dev/null
		if [ "$name" != comradarr ]; then
			# an unmigrated database: a clear message saying what to do
			# shellcheck disable=SC2086
			DATABASE_URL="dbname=$db" COMRADARR_HOME="$tmp/home" expect "$name unmigrated" 1 "$b" $args
			grep -q "comradarr migrate" "$tmp/err" && ok || bad "$name: unmigrated database, unclear error"
			DATABASE_URL="dbname=$db" "$bin/comradarr" migrate >/dev/null
		fi
		# shellcheck disable=SC2086
		DATABASE_URL="dbname=$db" COMRADARR_HOME="$tmp/home" expect "$name db up" 0 "$b" $args
		# stdout is a file here, not a terminal: JSON lines, each with event
		# and ts, every event in the catalogue (the one output rule)
		# (nothing at all is fine: discover has no line to print without connectors)
		if [ ! -s "$tmp/out" ] || jq -e 'has("event") and has("ts")' "$tmp/out" >/dev/null 2>&1; then
			ok
		else
			bad "$name $args into a pipe did not print JSON lines: $(head -c 200 "$tmp/out")"
		fi
		catalogue_check "$tmp/out" && ok || bad "$name printed events missing from the catalogue"
		# --format human forces text even into a pipe
		# shellcheck disable=SC2086
		DATABASE_URL="dbname=$db" COMRADARR_HOME="$tmp/home" expect "$name --format human" 0 "$b" $args --format human
		if head -c 1 "$tmp/out" | grep -q '{'; then bad "$name --format human printed JSON"; else ok; fi
		psql -q -d postgres -c "DROP DATABASE $db" >/dev/null
	fi
done

# The front door runs comradarr-TOOL and rejects what is not a command.
expect "comradarr nosuchtool" 2 "$bin/comradarr" nosuchtool
grep -q "not a comradarr command" "$tmp/err" && ok || bad "comradarr nosuchtool: unclear error"
for t in "$bin"/comradarr-*; do
	[ -x "$t" ] || continue
	tool=${t##*/comradarr-}
	expect "comradarr $tool --version" 0 "$bin/comradarr" "$tool" --version
	grep -q "^comradarr-$tool " "$tmp/out" && ok || bad "comradarr $tool did not run comradarr-$tool"
done

echo "cli-std: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
