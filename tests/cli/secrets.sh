#!/bin/sh
# Secrets, as a user's shell sees them: the stored API key goes only where
# it was sealed for, key files others can read are refused, a lost key is
# named rather than replaced, and no tool can dump core.
# Usage: secrets.sh BUILD_DIR (needs PG* from pg_virtualenv).
set -u
bin=$1/bin
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
if [ -z "${PGHOST:-}" ]; then echo "SKIPPED: no test PostgreSQL (run through tests/run.sh)"; exit 0; fi
py=/usr/bin/python3
[ -x "$py" ] || { echo "SKIPPED: $py not installed"; exit 0; }
tmp=$(mktemp -d)
db="t_secrets_$$"
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
mkdir -m 0700 "$tmp/home"
export DATABASE_URL="dbname=$db" COMRADARR_HOME="$tmp/home" LOG_FORMAT=json
export PATH="$bin:$PATH"
unset SECRET_KEY SECRET_KEY_FILE
q() { psql -XAtq -d "$db" -c "$1"; }
key=0123456789abcdef0123456789abcdef

. "$(dirname "$0")/../lib/fake.sh"
# shellcheck disable=SC2034 # read by fake()
fake_key=$key
a=$(fake a --app sonarr --series 2)
b=$(fake b --app sonarr --series 2)
# a listener that writes down every byte anyone sends it
"$py" -c '
import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(8)
print(s.getsockname()[1], flush=True)
out = open(sys.argv[1], "ab")
while True:
    c, _ = s.accept(); c.settimeout(2)
    try:
        while True:
            d = c.recv(65536)
            if not d: break
            out.write(d); out.flush()
    except OSError: pass
    c.close()
' "$tmp/caught" >"$tmp/listener.out" &
echo $! >"$tmp/listener.pid"
i=0
until [ -s "$tmp/listener.out" ]; do i=$((i + 1)); [ $i -lt 100 ] || break; sleep 0.1; done
trap_port=$(cat "$tmp/listener.out")

comradarr migrate >/dev/null 2>&1 && ok || bad "migrate"
printf '%s\n' "$key" | comradarr connector add tv --type sonarr --url "http://127.0.0.1:$a" \
	--api-key-file - --format json >"$tmp/add.out" 2>"$tmp/err" && ok || { bad "connector add"; cat "$tmp/err"; }
# what was just sealed is shown masked, as 'connector show' would
grep -q '"api_key_masked":"\**cdef"' "$tmp/add.out" && ok || bad "connector add shows $(cat "$tmp/add.out")"
[ -f "$tmp/home/secret.key" ] && ok || bad "no key was generated on first use"
comradarr connector test tv >/dev/null 2>"$tmp/err" && ok || { bad "connector test"; cat "$tmp/err"; }

# the address moved behind Comradarr's back: the key is refused, not sent
q "UPDATE connectors SET url = 'http://127.0.0.1:$trap_port' WHERE name = 'tv'"
comradarr connector test tv --format human >"$tmp/out" 2>"$tmp/err"
[ $? -ne 0 ] && ok || bad "connector test succeeded against a moved URL"
grep -q "not sealed for" "$tmp/err" "$tmp/out" && ok || bad "unclear refusal: $(cat "$tmp/err" "$tmp/out")"
comradarr-sync --connector tv >/dev/null 2>&1
sleep 0.3
if [ -s "$tmp/caught" ]; then bad "something was sent to the moved URL: $(head -c 200 "$tmp/caught")"; else ok; fi
# and the TLS setting is bound too
q "UPDATE connectors SET url = 'http://127.0.0.1:$a', tls_verify = NOT tls_verify WHERE name = 'tv'"
comradarr connector test tv >/dev/null 2>&1 && bad "a changed TLS setting still opened the key" || ok
q "UPDATE connectors SET tls_verify = NOT tls_verify WHERE name = 'tv'"
comradarr connector test tv >/dev/null 2>&1 && ok || bad "the original binding no longer opens"

# edit --url re-seals, but only once the user said yes
comradarr connector edit tv --url "http://127.0.0.1:$b" </dev/null >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && ok || bad "edit --url without --yes did not stop"
grep -q -- "--yes" "$tmp/err" && ok || bad "edit --url does not say how to confirm: $(cat "$tmp/err")"
[ "$(q "SELECT url FROM connectors WHERE name = 'tv'")" = "http://127.0.0.1:$a" ] && ok ||
	bad "edit --url without --yes changed the address"
comradarr connector edit tv --url "http://127.0.0.1:$b" --yes >/dev/null 2>"$tmp/err" && ok ||
	{ bad "edit --url --yes"; cat "$tmp/err"; }
comradarr connector test tv >/dev/null 2>"$tmp/err" && ok || { bad "test after edit --url"; cat "$tmp/err"; }

# a key file others can read is refused, with the chmod to run
chmod 0644 "$tmp/home/secret.key"
comradarr connector list >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] && ok || bad "a world-readable key file was accepted"
grep -q "chmod 600" "$tmp/err" && ok || bad "no chmod advice: $(cat "$tmp/err")"
cp "$tmp/home/secret.key" "$tmp/key.copy"
SECRET_KEY_FILE="$tmp/key.copy" comradarr connector list >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] && grep -q "chmod 600" "$tmp/err" && ok || bad "a world-readable SECRET_KEY_FILE was accepted"
chmod 0600 "$tmp/home/secret.key"

# the key is lost: named, not silently replaced
id=$(q "SELECT encode(substring(api_key_enc from 2 for 8), 'hex') FROM connectors WHERE name = 'tv'")
mv "$tmp/home/secret.key" "$tmp/key.saved"
comradarr connector test tv >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] && ok || bad "a missing key did not fail"
grep -q "key id $id" "$tmp/err" && ok || bad "the error does not name key id $id: $(cat "$tmp/err")"
[ -e "$tmp/home/secret.key" ] && bad "a new key was generated over sealed data" || ok
mv "$tmp/key.saved" "$tmp/home/secret.key"

# no core dumps: a running tool's core limit is 0
comradarr-dispatch --loop --interval 60 >/dev/null 2>&1 &
echo $! >"$tmp/dispatch.pid"
sleep 0.5
grep -q "^Max core file size *0 *0" "/proc/$(cat "$tmp/dispatch.pid")/limits" && ok ||
	bad "comradarr-dispatch may dump core: $(grep core "/proc/$(cat "$tmp/dispatch.pid")/limits")"

if grep -rq "$key" "$tmp"/*.out "$tmp/err" 2>/dev/null; then bad "the API key was printed"; else ok; fi
echo "secrets: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
