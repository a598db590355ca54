#!/bin/sh
# Admin commands run as root (sudo comradarr connector add) leave files the
# units, which run as the comradarr user, can use: the generated secret.key
# and the directories made for it belong to that user.
# Usage: ownership.sh BUILD_DIR (needs PG* from pg_virtualenv; root).
set -u
bin=$1/bin
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
if [ -z "${PGHOST:-}" ]; then echo "SKIPPED: no test PostgreSQL (run through tests/run.sh)"; exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
	# only root can hand files to another user; CI runs as root
	echo "ownership: 0 passed, 0 failed (not root: nothing to check)"
	exit 0
fi
user=comradarr
id "$user" >/dev/null 2>&1 ||
	useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$user" ||
	{ echo "FAIL: cannot create the user $user"; echo "ownership: 0 passed, 1 failed"; exit 1; }
tmp=$(mktemp -d)
chmod 0755 "$tmp"
db="t_owner_$$"
fakepid=
cleanup() {
	[ -n "$fakepid" ] && kill "$fakepid" 2>/dev/null && wait "$fakepid" 2>/dev/null
	psql -Xq -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT
psql -Xq -d postgres -c "CREATE DATABASE $db" >/dev/null
# the service user must reach the binaries wherever this clone lives
mkdir "$tmp/bin"
cp "$bin/comradarr" "$bin/comradarr-sync" "$tmp/bin/"
export DATABASE_URL="dbname=$db" COMRADARR_HOME="$tmp/state/comradarr" LOG_FORMAT=json
export PATH="$tmp/bin:$PATH"
unset SECRET_KEY SECRET_KEY_FILE
key=0123456789abcdef0123456789abcdef
as_service() { setpriv --reuid="$user" --regid="$user" --init-groups "$@"; }
owner() { stat -c '%U %a' "$1" 2>/dev/null; }

"$bin/fakearr" --port 0 --app sonarr --api-key "$key" --series 2 >"$tmp/fake.out" 2>"$tmp/fake.err" &
fakepid=$!
i=0
until grep -q '"port"' "$tmp/fake.out" 2>/dev/null; do
	i=$((i + 1)); [ $i -lt 100 ] || { echo "FAIL: fakearr did not start"; exit 1; }
	sleep 0.1
done
port=$(sed -n 's/.*"port":\([0-9]*\).*/\1/p' "$tmp/fake.out")

comradarr migrate >/dev/null 2>&1 && ok || bad "migrate"
printf '%s\n' "$key" | comradarr connector add tv --type sonarr --url "http://127.0.0.1:$port" \
	--api-key-file - >/dev/null 2>"$tmp/err" && ok || { bad "connector add as root"; cat "$tmp/err"; }
[ "$(owner "$COMRADARR_HOME/secret.key")" = "$user 600" ] && ok ||
	bad "secret.key made by root is '$(owner "$COMRADARR_HOME/secret.key")', not '$user 600'"
[ "$(owner "$COMRADARR_HOME")" = "$user 700" ] && ok ||
	bad "COMRADARR_HOME made by root is '$(owner "$COMRADARR_HOME")', not '$user 700'"
[ "$(owner "$tmp/state")" = "$user 700" ] && ok ||
	bad "a parent made by root is '$(owner "$tmp/state")', not '$user 700'"

# what a unit does next, as the service user
as_service comradarr connector test tv >/dev/null 2>"$tmp/err" && ok ||
	{ bad "the service user cannot use what root set up"; cat "$tmp/err"; }
as_service comradarr-sync --connector tv >/dev/null 2>"$tmp/err" && ok ||
	{ bad "comradarr-sync as the service user"; cat "$tmp/err"; }

# a second connector as root: the key is read, nothing changes hands
printf '%s\n' "$key" | comradarr connector add tv2 --type sonarr --url "http://127.0.0.1:$port" \
	--api-key-file - >/dev/null 2>"$tmp/err" && ok || { bad "second connector add"; cat "$tmp/err"; }
[ "$(owner "$COMRADARR_HOME/secret.key")" = "$user 600" ] && ok || bad "secret.key changed hands"
# a directory that already existed keeps its owner
[ "$(stat -c %U "$tmp")" = root ] && ok || bad "an existing directory changed hands"

echo "ownership: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
