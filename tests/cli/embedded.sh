#!/bin/sh
# The embedded database from nothing, with no DATABASE_URL, as a user would
# start (issue "Foundation", Req 30.1, 30.3): db init, start, status,
# migrate, connector add/list, no API key in the clear anywhere in the
# database, db stop.  Usage: embedded.sh BUILD_DIR
set -u
bin=$1/bin
pass=0
fail=0
home=$(mktemp -d /tmp/comradarr-embedded.XXXXXX)
chmod 0755 "$home"
export COMRADARR_HOME="$home/home"
unset DATABASE_URL SECRET_KEY PGHOST PGPORT PGUSER PGPASSWORD PGDATABASE PGCLUSTER
cleanup() { "$bin/comradarr" db stop >/dev/null 2>&1; rm -rf "$home"; }
trap cleanup EXIT
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
run() {	# run WANT_STATUS ARGS...
	_want=$1
	shift
	# the sentences a person reads: --format human, as on a terminal
	"$bin/comradarr" "$@" --format human >"$home/out" 2>"$home/err" </dev/null
	_got=$?
	[ "$_got" -eq "$_want" ] && ok || { bad "comradarr $*: exit $_got, wanted $_want"; head -n 5 "$home/err"; }
}
key=5f2d9c1be0a84f37a6c1d2e3f4a5b6c7

run 1 db status
grep -q "no embedded database" "$home/out" && ok || bad "status before init: $(cat "$home/out")"
run 1 migrate
grep -q "comradarr db start" "$home/err" && ok || bad "migrate before start does not say what to do"
run 0 db init
run 0 db init
grep -q "already exists" "$home/out" && ok || bad "second init not idempotent"
run 0 db start
run 0 db status
run 0 migrate
printf '%s\n' "$key" | "$bin/comradarr" connector add tv --type sonarr --url http://127.0.0.1:8989 \
	--api-key-file - >/dev/null 2>&1 && ok || bad "connector add"
run 0 connector list
grep -q "tv" "$home/out" && ok || bad "connector list does not show tv"
grep -q "$key" "$home/out" && bad "connector list shows the key" || ok
[ "$(stat -c %a "$COMRADARR_HOME/secret.key")" = 600 ] && ok || bad "secret.key is not mode 0600"
# the socket only, no TCP
grep -q "^listen_addresses = ''" "$COMRADARR_HOME/pg/postgresql.auto.conf" && ok || bad "TCP not off"
conn="host=$COMRADARR_HOME/run port=5432 user=comradarr dbname=comradarr"
n=$(psql -XAtq "$conn" -c "SELECT count(*) FROM connectors c WHERE c::text LIKE '%$key%'" 2>&1)
[ "$n" = 0 ] && ok || bad "the API key is stored in the clear ($n)"
dump=$(su -s /bin/sh comradarr -c "pg_dump -h '$COMRADARR_HOME/run' -p 5432 -U comradarr comradarr" 2>/dev/null ||
	pg_dump "$conn" 2>/dev/null)
[ -n "$dump" ] && ok || bad "could not dump the database"
echo "$dump" | grep -q "$key" && bad "the API key appears in a dump of the database" || ok
run 0 db stop
run 1 db status
grep -q "stopped" "$home/out" && ok || bad "status after stop: $(cat "$home/out")"
run 1 connector list
grep -q "comradarr db start" "$home/err" && ok || bad "a stopped database does not say what to do"
echo "embedded: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
