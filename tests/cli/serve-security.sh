#!/bin/sh
# comradarr-serve against the classes of finding a review of another *arr
# helper's web UI reported: unauthenticated routes, path tricks, secrets in
# answers, no CSRF, session fixation, enumeration, oversized and malformed
# requests, header injection.  Each check would fail against a naive server.
# Usage: serve-security.sh BUILD_DIR (needs PG* from pg_virtualenv).
set -u
bin=$1/bin
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
if [ -z "${PGHOST:-}" ]; then echo "SKIPPED: no test PostgreSQL (run through tests/run.sh)"; exit 0; fi
for t in curl jq; do
	command -v $t >/dev/null || { echo "SKIPPED: $t not installed"; exit 0; }
done
. "$(dirname "$0")/../lib/catalogue.sh"
tmp=$(mktemp -d)
db="t_servesec_$$"
serve_pid=
serve2_pid=
fake_pid=
cleanup() {
	for p in $serve_pid $serve2_pid $fake_pid; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	psql -Xq -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT
psql -Xq -d postgres -c "CREATE DATABASE $db" >/dev/null
mkdir -m 0700 "$tmp/home"
export DATABASE_URL="dbname=$db" COMRADARR_HOME="$tmp/home" LOG_FORMAT=json
export PATH="$bin:$PATH"
unset SECRET_KEY SECRET_KEY_FILE ADMIN_USER ADMIN_PASS
arrkey=feedfacecafebeef0123456789abcdef
admin_pw='admin password for the suite'
user_pw='user password for the suite'
ro_pw='reader password for the suite'

comradarr migrate >/dev/null 2>&1 || { echo "migrate failed"; exit 1; }
printf '%s\n' "$admin_pw" | comradarr user add admin --role admin --password-file - >/dev/null
printf '%s\n' "$user_pw" | comradarr user add ursula --role user --password-file - >/dev/null
printf '%s\n' "$ro_pw" | comradarr user add rita --role readonly --password-file - >/dev/null
rokey=$(comradarr apikey add --description ro --scope read --json | jq -r .api_key)
fullkey=$(comradarr apikey add --description full --scope full --json | jq -r .api_key)
"$bin/fakearr" --port 0 --app sonarr --api-key "$arrkey" --series 2 >"$tmp/fake.out" 2>/dev/null &
fake_pid=$!
i=0
until grep -q '"port"' "$tmp/fake.out" 2>/dev/null; do
	i=$((i + 1)); [ $i -lt 100 ] || { echo "the fake did not start"; exit 1; }; sleep 0.1
done
fport=$(jq -r .port "$tmp/fake.out" | head -n 1)
printf '%s\n' "$arrkey" | comradarr connector add tv --type sonarr --url "http://127.0.0.1:$fport" \
	--api-key-file - >/dev/null 2>&1 || { echo "connector add failed"; exit 1; }

comradarr-serve --listen 127.0.0.1:0 --login-limit 1000 --json >"$tmp/serve.out" 2>"$tmp/serve.err" &
serve_pid=$!
i=0
until grep -q '"serve_listening"' "$tmp/serve.out" 2>/dev/null; do
	i=$((i + 1)); [ $i -lt 300 ] || { echo "the server did not start"; cat "$tmp/serve.err"; exit 1; }
	sleep 0.1
done
port=$(jq -r 'select(.event == "serve_listening") | .port' "$tmp/serve.out")
base="http://127.0.0.1:$port"
origin="Origin: $base"

# req METHOD PATH [curl args]: status in $st, body in $tmp/body, headers in $tmp/hdr
req() {
	_m=$1 _p=$2
	shift 2
	st=$(curl -s --path-as-is -X "$_m" -o "$tmp/body" -D "$tmp/hdr" -w '%{http_code}' \
		"$@" "$base$_p")
}
hdr() { grep -i "^$1:" "$tmp/hdr" | head -n 1 | cut -d: -f2- | tr -d '\r' | sed 's/^ //'; }
code() { jq -r '.error.code // empty' "$tmp/body" 2>/dev/null; }

# login USER PASSWORD: sets $cookie and $csrf
login() {
	cookie='' csrf=''
	req POST /api/auth/login -H "$origin" -H 'Content-Type: application/json' \
		-d "{\"username\":\"$1\",\"password\":\"$2\"}"
	[ "$st" = 200 ] || { bad "login $1: $st $(cat "$tmp/body")"; return; }
	cookie=$(hdr Set-Cookie | cut -d';' -f1)
	csrf=$(jq -r .csrf_token "$tmp/body")
}
login admin "$admin_pw"; A_cookie=$cookie A_csrf=$csrf
login ursula "$user_pw"; U_cookie=$cookie U_csrf=$csrf
login rita "$ro_pw"; R_cookie=$cookie R_csrf=$csrf

# ---- unauthenticated access: every route in the table
comradarr-serve --list-routes --json >"$tmp/routes"
n=$(jq -s length "$tmp/routes")
[ "$n" -ge 30 ] && ok || bad "only $n routes listed"
fill() { echo "$1" | sed 's/{name}/tv/; s/{connector}/tv/; s/{kind}/episode/; s/{id}/1/; s/{key}/ui.theme/'; }
jq -r '[.method, .path, .access, .kind] | @tsv' "$tmp/routes" >"$tmp/routes.tsv"
while IFS="$(printf '\t')" read -r m p access kind; do
	path=$(fill "$p")
	req "$m" "$path" -H "$origin" -H 'Content-Type: application/json' -d '{}'
	if [ "$access" = public ]; then
		[ "$st" != 401 ] && [ "$st" != 403 ] && ok || bad "public $m $p refused anonymously: $st"
	elif [ "$kind" = page ]; then
		[ "$st" = 302 ] && ok || bad "page $m $p without a session: $st, wanted 302"
	else
		[ "$st" = 401 ] && [ "$(code)" = unauthenticated ] && ok ||
			bad "$m $p without credentials: $st $(code), wanted 401"
	fi
	# levels: a readonly session may not write, a user may not administer,
	# a read key may not write, a full key may not administer
	case $access in
	write|admin)
		req "$m" "$path" -H "$origin" -H "Cookie: $R_cookie" -H "X-CSRF-Token: $R_csrf" -d '{}'
		[ "$st" = 403 ] && [ "$(code)" = forbidden ] && ok || bad "readonly session $m $p: $st"
		req "$m" "$path" -H "X-Api-Key: $rokey" -d '{}'
		[ "$st" = 403 ] && ok || bad "read key $m $p: $st"
		;;
	esac
	if [ "$access" = webhook ]; then	# only the connector's secret opens it
		req "$m" "$path" -H "$origin" -H "Cookie: $A_cookie" -H "X-CSRF-Token: $A_csrf" -d '{}'
		[ "$st" = 401 ] && ok || bad "admin session $m $p: $st"
		req "$m" "$path" -H "X-Api-Key: $fullkey" -d '{}'
		[ "$st" = 401 ] && ok || bad "full key $m $p: $st"
		req "$m" "$path" -H "X-Webhook-Secret: $fullkey" -d '{}'
		[ "$st" = 401 ] && ok || bad "a wrong webhook secret $m $p: $st"
	fi
	if [ "$access" = admin ]; then
		req "$m" "$path" -H "$origin" -H "Cookie: $U_cookie" -H "X-CSRF-Token: $U_csrf" -d '{}'
		[ "$st" = 403 ] && ok || bad "user session $m $p: $st"
		req "$m" "$path" -H "X-Api-Key: $fullkey" -d '{}'
		[ "$st" = 403 ] && ok || bad "full key $m $p: $st"
	fi
done <"$tmp/routes.tsv"

# ---- path normalisation: no spelling of an admin route reaches it for a reader,
# and none but the canonical one is routed at all
for p in '/api//users' '/api/./users' '/api/users/' '/api/users.' '/api/users/..' \
	'/api/x/../users' '/api/%2e%2e/api/users' '/api%2fusers' '/api%2Fusers' '/API/users' \
	'/api/Users' '/api/users;x' '/api/users%00' '/api/users%3b' '/api\users' '/api/%5cusers' \
	'//api/users' '/./api/users' '/api/users%2f' '/api/users%20' '/api/users..%2f'; do
	req GET "$p" -H "Cookie: $R_cookie"
	case $st in
	400|404) ok ;;
	*) bad "GET $p as a reader: $st (wanted 400 or 404)" ;;
	esac
	req GET "$p" -H "Cookie: $A_cookie"
	[ "$st" != 200 ] && ok || bad "GET $p reached a route as admin"
done
# an escaped letter is the same path, and gets the same check
req GET '/api/%75sers' -H "Cookie: $R_cookie"
[ "$st" = 403 ] && ok || bad "GET /api/%75sers as a reader: $st, wanted 403"
long=$(head -c 1100 /dev/zero | tr '\0' a)
req GET "/$long"
[ "$st" = 400 ] && ok || bad "overlong path: $st"

# ---- CSRF and same origin
S="Cookie: $A_cookie"
req POST /api/queue/pause -H "$S" -H "$origin"
[ "$st" = 403 ] && [ "$(code)" = csrf ] && ok || bad "POST without CSRF token: $st $(code)"
req POST /api/queue/pause -H "$S" -H "$origin" -H "X-CSRF-Token: ${A_csrf}x"
[ "$st" = 403 ] && [ "$(code)" = csrf ] && ok || bad "POST with a wrong CSRF token: $st $(code)"
req POST /api/queue/pause -H "$S" -H "$origin" -H "X-CSRF-Token: $U_csrf"
[ "$st" = 403 ] && ok || bad "POST with another session's CSRF token: $st"
req POST /api/queue/pause -H "$S" -H 'Origin: http://evil.example' -H "X-CSRF-Token: $A_csrf"
[ "$st" = 403 ] && [ "$(code)" = cross_origin ] && ok || bad "cross-origin POST: $st $(code)"
req POST /api/queue/pause -H "$S" -H "Origin: http://127.0.0.1:$((port + 1))" -H "X-CSRF-Token: $A_csrf"
[ "$st" = 403 ] && ok || bad "POST from another port's origin: $st"
req POST /api/queue/pause -H "$S" -H 'Sec-Fetch-Site: cross-site' -H "X-CSRF-Token: $A_csrf"
[ "$st" = 403 ] && [ "$(code)" = cross_site ] && ok || bad "Sec-Fetch-Site cross-site: $st $(code)"
req POST /api/queue/pause -H "$S" -H 'Sec-Fetch-Site: same-site' -H "$origin" -H "X-CSRF-Token: $A_csrf"
[ "$st" = 403 ] && ok || bad "Sec-Fetch-Site same-site: $st"
req POST /api/queue/pause -H "$S" -H "X-CSRF-Token: $A_csrf"
[ "$st" = 403 ] && [ "$(code)" = origin_missing ] && ok || bad "POST without Origin: $st $(code)"
req POST /api/queue/pause -H "$S" -H 'Sec-Fetch-Site: same-origin' -H "X-CSRF-Token: $A_csrf"
[ "$st" = 200 ] && ok || bad "same-origin POST with the token: $st $(cat "$tmp/body")"
req POST /api/auth/login -H 'Origin: http://evil.example' -d "{\"username\":\"admin\",\"password\":\"$admin_pw\"}"
[ "$st" = 403 ] && ok || bad "cross-origin login: $st"
req DELETE /api/apikeys/1 -H "$S" -H 'Sec-Fetch-Site: cross-site'
[ "$st" = 403 ] && ok || bad "cross-site DELETE: $st"

# ---- security headers on every kind of answer
check_headers() {	# WHAT
	for h in Content-Security-Policy X-Frame-Options X-Content-Type-Options Referrer-Policy \
		Cache-Control X-Request-Id; do
		[ -n "$(hdr $h)" ] && ok || bad "$1: no $h"
	done
	hdr Content-Security-Policy | grep -q "default-src 'self'" && ok || bad "$1: CSP"
	hdr Content-Security-Policy | grep -q "frame-ancestors 'none'" && ok || bad "$1: frame-ancestors"
	hdr Content-Security-Policy | grep -q "unsafe-inline" && bad "$1: CSP allows inline" || ok
	[ "$(hdr X-Frame-Options)" = DENY ] && ok || bad "$1: X-Frame-Options"
	[ "$(hdr X-Content-Type-Options)" = nosniff ] && ok || bad "$1: nosniff"
	[ "$(hdr Cache-Control)" = no-store ] && ok || bad "$1: Cache-Control $(hdr Cache-Control)"
	[ -z "$(hdr Server)" ] && ok || bad "$1: Server header $(hdr Server)"
}
req GET /healthz; [ "$st" = 200 ] && check_headers 200
req GET /nowhere; [ "$st" = 404 ] && check_headers 404 || bad "404: $st"
req POST /healthz -H "$origin"; [ "$st" = 405 ] && check_headers 405 || bad "405: $st"
[ "$(hdr Allow)" = GET ] && ok || bad "405 without Allow: GET ($(hdr Allow))"
req TRACE /healthz; [ "$st" = 405 ] && ok || bad "TRACE: $st"
req GET '/a/../b'; [ "$st" = 400 ] && check_headers 400 || bad "400: $st"
req GET /api/users; [ "$st" = 401 ] && check_headers 401
req GET /api/users -H "Cookie: $R_cookie"; [ "$st" = 403 ] && check_headers 403
# a server whose database is gone: 503 with the same headers
comradarr-serve --listen 127.0.0.1:0 --json >"$tmp/serve2.out" 2>"$tmp/serve2.err" &
serve2_pid=$!
i=0
until grep -q '"serve_listening"' "$tmp/serve2.out" 2>/dev/null; do
	i=$((i + 1)); [ $i -lt 300 ] || break; sleep 0.1
done
port2=$(jq -r 'select(.event == "serve_listening") | .port' "$tmp/serve2.out")
# (the row is put back afterwards: running the newest migration again would
# fail on its tables, which are there, and leave the schema "pending")
psql -Xq -d "$db" -c "CREATE TABLE saved_migration AS SELECT * FROM schema_migrations
	WHERE version = (SELECT max(version) FROM schema_migrations);
	DELETE FROM schema_migrations WHERE version = (SELECT version FROM saved_migration)"
st=$(curl -s -o "$tmp/body" -D "$tmp/hdr" -w '%{http_code}' "http://127.0.0.1:$port2/readyz")
[ "$st" = 503 ] && check_headers 503 || bad "readyz with pending migrations: $st"
psql -Xq -d "$db" -c "INSERT INTO schema_migrations SELECT * FROM saved_migration; DROP TABLE saved_migration"
comradarr migrate --status >/dev/null 2>&1 && ok || bad "the schema is not whole again after the readyz check"
kill "$serve2_pid"; wait "$serve2_pid"; serve2_pid=

# ---- caching: a fingerprinted asset for a year (its URL changes with its
# bytes), its plain name and every page revalidated or never stored; the
# security headers on all of them
req GET /login
# (the page names them relative to its <base>)
css=/$(grep -o 'assets/app\.[0-9a-f]*\.css' "$tmp/body" | head -n 1)
js=/$(grep -o 'assets/app\.[0-9a-f]*\.js' "$tmp/body" | head -n 1)
[ "$css" != / ] && [ "$js" != / ] && ok || bad "/login names no fingerprinted app.css/app.js"
[ "$(hdr Cache-Control)" = no-store ] && ok || bad "/login: Cache-Control $(hdr Cache-Control)"
for a in "$css" "$js"; do
	req GET "$a"
	[ "$st" = 200 ] && ok || bad "$a: $st"
	[ "$(hdr Cache-Control)" = "public, max-age=31536000, immutable" ] && ok ||
		bad "$a: Cache-Control $(hdr Cache-Control)"
	for h in Content-Security-Policy X-Frame-Options X-Content-Type-Options Referrer-Policy \
		X-Request-Id ETag Content-Type; do
		[ -n "$(hdr $h)" ] && ok || bad "$a: no $h"
	done
	etag=$(hdr ETag)
	req GET "$a" -H "If-None-Match: $etag"
	[ "$st" = 304 ] && ok || bad "$a with If-None-Match: $st"
	req GET "$a" -H "If-None-Match: W/$etag, \"other\""
	[ "$st" = 304 ] && ok || bad "$a with a weak If-None-Match list: $st"
done
req GET /assets/app.css
[ "$st" = 200 ] && [ "$(hdr Cache-Control)" = no-cache ] && [ -n "$(hdr ETag)" ] && ok ||
	bad "/assets/app.css: $st, Cache-Control $(hdr Cache-Control)"
req GET "$(echo "$css" | sed 's/\.[0-9a-f]*\.css$/.00000000.css/')"
[ "$st" = 404 ] && ok || bad "a stale fingerprint: $st, wanted 404"

# ---- oversized and malformed requests
big=$(head -c 5000 /dev/zero | tr '\0' x)
req POST /api/auth/login -H "$origin" -d "{\"username\":\"$big\"}"
[ "$st" = 413 ] && check_headers 413 || bad "5 KB login body: $st"
req POST /api/auth/login -H "$origin" -H 'Content-Length: 100000000' -d '{}'
[ "$st" = 413 ] && ok || bad "a Content-Length of 100 MB: $st"
head -c 70000 /dev/zero | tr '\0' ' ' >"$tmp/big"
req POST /api/queue/pause -H "$S" -H "$origin" -H "X-CSRF-Token: $A_csrf" \
	-H 'Transfer-Encoding: chunked' --data-binary "@$tmp/big"
[ "$st" = 413 ] && ok || bad "a chunked 70 KB body: $st"
for body in '{' '[]' '"x"' '{"username":"a","username":"b","password":"c"}' 'null'; do
	req POST /api/auth/login -H "$origin" -d "$body"
	[ "$st" = 400 ] && ok || bad "login body '$body': $st"
done
req POST /api/auth/login -H "$origin" -d '{"username":1,"password":2}'
[ "$st" = 400 ] && ok || bad "login with numbers: $st"

# ---- session fixation: a planted id never becomes a session
planted=AAAAAAAAAAAAAAAAAAAAAA
req POST /api/auth/login -H "$origin" -H "Cookie: comradarr_session=$planted" \
	-d "{\"username\":\"rita\",\"password\":\"$ro_pw\"}"
new=$(hdr Set-Cookie | cut -d';' -f1)
[ "$st" = 200 ] && [ "$new" != "comradarr_session=$planted" ] && ok || bad "login kept the planted id"
hdr Set-Cookie | grep -q 'HttpOnly' && hdr Set-Cookie | grep -q 'SameSite=Strict' && ok ||
	bad "session cookie flags: $(hdr Set-Cookie)"
req GET /api/auth/session -H "Cookie: comradarr_session=$planted"
[ "$st" = 401 ] && ok || bad "the planted id works: $st"
# logging in again rotates: the old id dies
req POST /api/auth/login -H "$origin" -H "Cookie: $new" -d "{\"username\":\"rita\",\"password\":\"$ro_pw\"}"
req GET /api/auth/session -H "Cookie: $new"
[ "$st" = 401 ] && ok || bad "the id from before a second login still works: $st"
# behind a trusted TLS proxy the cookie is __Host- and Secure: not tested here
# (TRUSTED_PROXIES is off); over plain HTTP the __Host- name is ignored
req GET /api/auth/session -H "Cookie: __Host-comradarr_session=$(echo "$A_cookie" | cut -d= -f2)"
[ "$st" = 401 ] && ok || bad "a __Host- cookie over plain HTTP was accepted: $st"

# ---- enumeration: unknown user and wrong password answer alike
req POST /api/auth/login -H "$origin" -d '{"username":"ursula","password":"not her password"}'
a_st=$st; cp "$tmp/body" "$tmp/a"
req POST /api/auth/login -H "$origin" -d '{"username":"nobody-at-all","password":"not her password"}'
[ "$st" = "$a_st" ] && cmp -s "$tmp/body" "$tmp/a" && ok || bad "unknown user answers differently"

# ---- header injection
req GET /healthz -H 'X-Request-Id: abc"<script>'
[ "$(hdr X-Request-Id)" != 'abc"<script>' ] && ok || bad "a hostile X-Request-Id was echoed"
req GET /healthz -H 'X-Request-Id: trace-123.abc_DEF'
[ "$(hdr X-Request-Id)" = trace-123.abc_DEF ] && ok || bad "a plain X-Request-Id was not kept"
req GET '/api/connectors/tv%0d%0aSet-Cookie:%20x=y' -H "Cookie: $A_cookie"
[ "$st" = 400 ] && ! grep -qi '^Set-Cookie: x=y' "$tmp/hdr" && ok || bad "CRLF in a path: $st"

# ---- settings sections: channel credentials and backups
# A webhook channel named like the walk's {name} ("tv"), so the GET walk
# below reads it through every channel route and page; its URL path and
# HMAC secret must then appear in no answer and no log line.
hooksecret="hook-path-$$-secretvalue"
hmacsecret="hmac-$$-secretvalue"
req POST /api/channels -H "$origin" -H "Cookie: $A_cookie" -H "X-CSRF-Token: $A_csrf" \
	-H 'Content-Type: application/json' -d "{\"name\":\"tv\",\"type\":\"webhook\",\"secrets\":
	{\"url\":\"http://127.0.0.1:$fport/hook/$hooksecret\",\"hmac_secret\":\"$hmacsecret\"}}"
[ "$st" = 201 ] && ok || bad "channel add: $st $(cat "$tmp/body")"
jq -e '.secrets_masked | length == 2 and all(.masked | test("^[*]+[a-z]{4}$"))' "$tmp/body" >/dev/null &&
	ok || bad "the new channel's credentials are not masked: $(cat "$tmp/body")"
cat "$tmp/hdr" "$tmp/body" >"$tmp/settings-answers"
# a test message to an address that refuses it: the error names no secret
req POST /api/channels/tv/test -H "$origin" -H "Cookie: $A_cookie" -H "X-CSRF-Token: $A_csrf"
[ "$st" = 200 ] && jq -e '.ok == false and (.error | length > 0)' "$tmp/body" >/dev/null && ok ||
	bad "channel test to a refusing receiver: $st $(cat "$tmp/body")"
cat "$tmp/hdr" "$tmp/body" >>"$tmp/settings-answers"
req POST /settings/channels/tv/test -H "$origin" -H "Cookie: $A_cookie" -H "X-CSRF-Token: $A_csrf"
[ "$st" = 200 ] && ok || bad "channel test page: $st"
cat "$tmp/hdr" "$tmp/body" >>"$tmp/settings-answers"
# a backup to download; its name is the only way in
req POST /api/backups -H "$origin" -H "Cookie: $A_cookie" -H "X-CSRF-Token: $A_csrf"
[ "$st" = 201 ] || [ "$st" = 202 ] && ok || bad "backup create: $st $(cat "$tmp/body")"
for p in '/api/backups/..%2fsecret.key/download' '/api/backups/%2e%2e%2fsecret.key/download' \
	'/api/backups/secret.key/download' '/api/backups/comradarr-..tar/download' \
	'/api/backups/..%252fsecret.key/download'; do
	req GET "$p" -H "Cookie: $A_cookie"
	{ [ "$st" = 400 ] || [ "$st" = 404 ]; } && ! grep -q '"event"\|^[0-9a-f]\{64\}$' "$tmp/body" && ok ||
		bad "backup download $p: $st"
done
for secret in "$hooksecret" "$hmacsecret"; do
	grep -qF -- "$secret" "$tmp/settings-answers" && bad "a channel secret appears in an answer" || ok
done

# ---- secrets never in an answer or a log line
: >"$tmp/all"
while IFS="$(printf '\t')" read -r m p access kind; do
	[ "$m" = GET ] || continue
	req GET "$(fill "$p")" -H "Cookie: $A_cookie"
	cat "$tmp/hdr" "$tmp/body" >>"$tmp/all"
done <"$tmp/routes.tsv"
req POST /api/connectors/tv/test -H "Cookie: $A_cookie" -H "$origin" -H "X-CSRF-Token: $A_csrf"
[ "$st" = 200 ] && ok || bad "connector test: $st"
cat "$tmp/hdr" "$tmp/body" >>"$tmp/all"
for secret in "$arrkey" "$admin_pw" "$user_pw" "$ro_pw" "$rokey" "$fullkey" \
	"$hooksecret" "$hmacsecret" "$(echo "$A_cookie" | cut -d= -f2)"; do
	grep -qF -- "$secret" "$tmp/all" && bad "a secret appears in an answer" || ok
	grep -qF -- "$secret" "$tmp/serve.out" "$tmp/serve.err" && bad "a secret appears in the log" || ok
done
psql -XAtq -d "$db" -c "SELECT password_hash FROM users" | grep -qv '^\$argon2id\$' &&
	bad "a password stored other than as Argon2id" || ok
psql -XAtq -d "$db" -c "SELECT count(*) FROM api_keys WHERE key_hash = '$fullkey'" | grep -qx 0 &&
	ok || bad "an API key stored as it is"

# ---- two-factor authentication: enrolled at the command line, a login that
# needs the code, replay, the pending login as a fixation target, recovery
# codes, CSRF on enrolment, and the secret in no answer or log line.
# Codes are computed here with Python's hmac (another implementation).
totp() {	# totp BASE32 [STEP_DELTA]
	python3 - "$1" "${2:-0}" <<'PY'
import base64, hashlib, hmac, struct, sys, time
k = base64.b32decode(sys.argv[1] + "=" * (-len(sys.argv[1]) % 8))
h = hmac.new(k, struct.pack(">Q", int(time.time()) // 30 + int(sys.argv[2])), hashlib.sha1).digest()
o = h[-1] & 15
print("%06d" % ((struct.unpack(">I", h[o:o + 4])[0] & 0x7fffffff) % 1000000))
PY
}
comradarr user totp enable ursula --json </dev/null >"$tmp/totp.out" 2>"$tmp/totp.err"
rc=$?
secret=$(jq -r 'select(.event == "totp_enrolment") | .secret' "$tmp/totp.out")
uri=$(jq -r 'select(.event == "totp_enrolment") | .otpauth_uri' "$tmp/totp.out")
[ "$rc" = 0 ] && [ ${#secret} = 32 ] && ok || bad "totp enable: exit $rc, secret '$secret': $(cat "$tmp/totp.err")"
[ "$uri" = "otpauth://totp/Comradarr:ursula?secret=$secret&issuer=Comradarr&algorithm=SHA1&digits=6&period=30" ] &&
	ok || bad "otpauth URI: $uri"
jq -se 'any(.[]; .event == "totp_pending")' "$tmp/totp.out" >/dev/null && ok || bad "no totp_pending without a code"
# still pending: the password alone logs in
login ursula "$user_pw"
[ -n "$cookie" ] && ok || bad "a pending enrolment already asks for a code"
# a key rotation re-seals the secret with the others (bound to the user id);
# the confirmation below opens it with the new key, and the server restarted
# with that key checks the codes of the logins after it
comradarr key rotate >"$tmp/krot.out" 2>"$tmp/krot.err" &&
	[ "$(jq -r 'select(.event == "key_rotated") | .resealed' "$tmp/krot.out")" -ge 2 ] && ok ||
	bad "key rotate with a second factor waiting: $(cat "$tmp/krot.err")"
comradarr key confirm >/dev/null 2>&1 && ok || bad "key confirm"
kill "$serve_pid"; wait "$serve_pid"; serve_pid=
comradarr-serve --listen 127.0.0.1:0 --login-limit 1000 --json >>"$tmp/serve.out" 2>>"$tmp/serve.err" &
serve_pid=$!
i=0
until [ "$(grep -c '"serve_listening"' "$tmp/serve.out")" -ge 2 ]; do
	i=$((i + 1)); [ $i -lt 300 ] || { echo "the server did not start again"; exit 1; }; sleep 0.1
done
port=$(jq -r 'select(.event == "serve_listening") | .port' "$tmp/serve.out" | tail -n 1)
base="http://127.0.0.1:$port"
origin="Origin: $base"
comradarr user totp enable ursula --code 000000 --json >>"$tmp/totp.out" 2>"$tmp/totp.err"
rc=$?
if [ "$(totp "$secret" 0)" != 000000 ] && [ "$(totp "$secret" -1)" != 000000 ] &&
	[ "$(totp "$secret" 1)" != 000000 ]; then
	[ "$rc" = 2 ] && ok || bad "a wrong code confirmed the enrolment: exit $rc"
fi
first=$(totp "$secret" 0)	# kept: a new step may begin before the replay below
comradarr user totp enable ursula --code "$first" --json >>"$tmp/totp.out" 2>"$tmp/totp.err"
rc=$?
rcode=$(jq -r 'select(.event == "totp_recovery_codes") | .recovery_codes[0]' "$tmp/totp.out" | tail -n 1)
[ "$rc" = 0 ] && jq -se 'any(.[]; .event == "totp_enabled")' "$tmp/totp.out" >/dev/null &&
	[ "$(jq -r 'select(.event == "totp_recovery_codes") | .recovery_codes | length' "$tmp/totp.out")" = 10 ] &&
	ok || bad "totp enable --code: exit $rc: $(cat "$tmp/totp.err")"
comradarr user list --json | jq -se 'any(.[]; .user == "ursula" and .totp == true)' >/dev/null && ok ||
	bad "user list does not say ursula has a second factor"
# the password now leads to a pending login, not a session
req POST /api/auth/login -H "$origin" -d "{\"username\":\"ursula\",\"password\":\"$user_pw\"}"
pending=$(jq -r .pending_token "$tmp/body")
lcookie=$(hdr Set-Cookie | cut -d';' -f1)
[ "$st" = 200 ] && [ "$(jq -r .totp_required "$tmp/body")" = true ] && [ "$(jq -r '.csrf_token // empty' "$tmp/body")" = "" ] &&
	! grep -qi '^Set-Cookie: comradarr_session=' "$tmp/hdr" && ok || bad "TOTP login made a session: $st $(cat "$tmp/body")"
hdr Set-Cookie | grep -q 'HttpOnly' && hdr Set-Cookie | grep -q 'SameSite=Strict' && ok ||
	bad "login cookie flags: $(hdr Set-Cookie)"
req GET /api/auth/session -H "Cookie: $lcookie"
[ "$st" = 401 ] && ok || bad "the login cookie opens a session: $st"
# a planted pending token leads nowhere (and is no wrong code)
req POST /api/auth/totp -H "$origin" -H "Cookie: comradarr_login=AAAAAAAAAAAAAAAAAAAAAA" \
	-d "{\"code\":\"$(totp "$secret" 1)\"}"
[ "$st" = 401 ] && [ "$(code)" = login_expired ] && ok || bad "a planted login cookie: $st $(code)"
# from another site: refused before any code is looked at
req POST /api/auth/totp -H "Origin: https://evil.example" -H "Cookie: $lcookie" \
	-d "{\"code\":\"$(totp "$secret" 1)\"}"
[ "$st" = 403 ] && ok || bad "a cross-site second step: $st"
# the enrolment's code is spent; the next step's works once
req POST /api/auth/totp -H "$origin" -d "{\"pending_token\":\"$pending\",\"code\":\"$first\"}"
[ "$st" = 401 ] && [ "$(code)" = wrong_code ] && ok || bad "a replayed code: $st $(code)"
req POST /api/auth/totp -H "$origin" -H "Cookie: $lcookie" -d "{\"code\":\"$(totp "$secret" 1)\"}"
T_cookie=$(grep -io 'comradarr_session=[^;]*' "$tmp/hdr" | head -n 1)
T_csrf=$(jq -r .csrf_token "$tmp/body")
[ "$st" = 200 ] && [ -n "$T_cookie" ] && ok || bad "the second step: $st $(cat "$tmp/body")"
cat "$tmp/hdr" "$tmp/body" >"$tmp/all2"
req POST /api/auth/totp -H "$origin" -d "{\"pending_token\":\"$pending\",\"code\":\"$(totp "$secret" 1)\"}"
[ "$st" = 401 ] && [ "$(code)" = login_expired ] && ok || bad "the pending token worked twice: $st $(code)"
# enrolment is CSRF-protected like every change
req POST /api/auth/totp/recovery -H "$origin" -H "Cookie: $T_cookie" -d "{\"password\":\"$user_pw\"}"
[ "$st" = 403 ] && ok || bad "new recovery codes without a CSRF token: $st"
req POST /api/auth/totp/setup -H "Origin: https://evil.example" -H "Cookie: $T_cookie" -H "X-CSRF-Token: $T_csrf" \
	-d "{\"password\":\"$user_pw\"}"
[ "$st" = 403 ] && ok || bad "set-up from another site: $st"
# an API key has no account to enrol
req GET /api/auth/totp/status -H "X-Api-Key: $fullkey"
[ "$st" = 400 ] && [ "$(code)" = not_a_session ] && ok || bad "an API key reads a second factor: $st"
# a recovery code, once
req POST /api/auth/login -H "$origin" -d "{\"username\":\"ursula\",\"password\":\"$user_pw\"}"
pending=$(jq -r .pending_token "$tmp/body")
req POST /api/auth/totp -H "$origin" -d "{\"pending_token\":\"$pending\",\"code\":\"$rcode\"}"
[ "$st" = 200 ] && [ "$(jq -r .recovery_codes_left "$tmp/body")" = 9 ] && ok || bad "a recovery code: $st $(cat "$tmp/body")"
req POST /api/auth/login -H "$origin" -d "{\"username\":\"ursula\",\"password\":\"$user_pw\"}"
pending=$(jq -r .pending_token "$tmp/body")
req POST /api/auth/totp -H "$origin" -d "{\"pending_token\":\"$pending\",\"code\":\"$rcode\"}"
[ "$st" = 401 ] && ok || bad "a used recovery code worked again: $st"
# new codes at the command line; disable needs the password; reset is the admin's
comradarr user totp recovery ursula --json >>"$tmp/totp.out" 2>"$tmp/totp.err" && ok || bad "totp recovery: $(cat "$tmp/totp.err")"
printf 'not her password\n' | comradarr user totp disable ursula --password-file - --json >>"$tmp/totp.out" 2>"$tmp/totp.err"
[ $? = 2 ] && ok || bad "totp disable with a wrong password"
printf '%s\n' "$user_pw" | comradarr user totp disable ursula --password-file - --json >>"$tmp/totp.out" 2>"$tmp/totp.err" &&
	ok || bad "totp disable: $(cat "$tmp/totp.err")"
comradarr user totp reset ursula --json >>"$tmp/totp.out" 2>"$tmp/totp.err"
[ $? = 1 ] && grep -q 'has no two-factor' "$tmp/totp.err" && ok || bad "reset without a second factor: $(cat "$tmp/totp.err")"
comradarr user totp enable ursula --algorithm SHA512 --json </dev/null >>"$tmp/totp.out" 2>"$tmp/totp.err"
s512=$(jq -r 'select(.event == "totp_enrolment") | .secret' "$tmp/totp.out" | tail -n 1)
[ ${#s512} = 103 ] && ok || bad "a SHA-512 secret of ${#s512} characters"
comradarr user totp enable ursula --algorithm MD5 </dev/null >/dev/null 2>&1
[ $? = 2 ] && ok || bad "an unknown algorithm was accepted"
comradarr user totp enable ursula --algorithm SHA1 --code 123456 </dev/null >/dev/null 2>&1
[ $? = 2 ] && ok || bad "--code with --algorithm was accepted"
comradarr user totp reset ursula --json >>"$tmp/totp.out" 2>"$tmp/totp.err" && ok || bad "totp reset: $(cat "$tmp/totp.err")"
comradarr user totp reset nobody-at-all >/dev/null 2>&1
[ $? = 1 ] && ok || bad "reset of an unknown user"
[ "$(psql -XAtq -d "$db" -c "SELECT count(*) FROM audit_log WHERE action LIKE 'user.totp.%' AND actor LIKE 'cli:%'")" -ge 6 ] &&
	ok || bad "the command line's second-factor changes are not audited"
# the secret, the codes and the tokens: in no answer, no log line, nothing stored in the clear
for secret_ in "$secret" "$s512" "$rcode" "$pending"; do
	grep -qF -- "$secret_" "$tmp/all2" && bad "a second-factor secret appears in an answer" || ok
	grep -qF -- "$secret_" "$tmp/serve.out" "$tmp/serve.err" && bad "a second-factor secret appears in the log" || ok
	grep -qF -- "$secret_" "$tmp/totp.err" && bad "a second-factor secret appears on standard error" || ok
done
psql -XAtq -d "$db" -c "SELECT count(*) FROM login_pending WHERE token_hash = '$pending'" | grep -qx 0 &&
	ok || bad "a pending token stored as it is"
catalogue_check "$tmp/totp.out" && ok || bad "comradarr user totp printed events missing from the catalogue"

# ---- /metrics: a read key as a Bearer token; Prometheus' own parser reads it
req GET /metrics
[ "$st" = 401 ] && ok || bad "/metrics without credentials: $st"
req GET /metrics -H "Authorization: Bearer $rokey"
[ "$st" = 200 ] && ok || bad "/metrics with a read key: $st"
hdr Content-Type | grep -q '^text/plain; version=0.0.4' && ok || bad "/metrics content type: $(hdr Content-Type)"
if /usr/bin/python3 - "$tmp/body" >"$tmp/families" 2>"$tmp/perr" <<'PY'
import sys
from prometheus_client.parser import text_string_to_metric_families
for f in text_string_to_metric_families(open(sys.argv[1]).read()):
    for s in f.samples:
        print(f.name, f.type, s.name, s.labels.get("connector", ""), s.labels.get("route", ""), s.value)
PY
then ok; else bad "Prometheus' parser refused /metrics: $(tail -n 1 "$tmp/perr")"; fi
grep -q '^comradarr_http_requests counter comradarr_http_requests_total  /api/auth/login ' "$tmp/families" &&
	ok || bad "/metrics has no request counter for /api/auth/login"
grep -q '^comradarr_http_request_duration_seconds histogram ' "$tmp/families" && ok || bad "no latency histogram"
grep -q '^comradarr_connector_health gauge comradarr_connector_health tv ' "$tmp/families" && ok ||
	bad "no connector health in /metrics"
grep -q '^comradarr_indexer_daily_budget gauge comradarr_indexer_daily_budget tv  500' "$tmp/families" &&
	ok || bad "no daily budget (moderate: 500) in /metrics"
grep -qF -- "$rokey" "$tmp/body" && bad "/metrics shows the key" || ok

# ---- the event stream (GET /api/events, Accept: text/event-stream): the same
# door as any read route, readable by no other site, nothing secret in it
# stream SECONDS [curl args]: status in $st, what came in $tmp/stream
stream() {
	_t=$1
	shift
	st=$(curl -s -N --path-as-is --max-time "$_t" -o "$tmp/stream" -D "$tmp/hdr" -w '%{http_code}' \
		-H 'Accept: text/event-stream' "$@")
}
stream 5 "$base/api/events"
[ "$st" = 401 ] && jq -e '.error.code == "unauthenticated"' "$tmp/stream" >/dev/null && ok ||
	bad "an anonymous event stream: $st"
stream 5 -H "Cookie: comradarr_session=0123456789abcdef0123456789abcdef" "$base/api/events"
[ "$st" = 401 ] && ok || bad "an event stream with a made-up session: $st"
stream 5 "$base/api/events?apikey=$rokey"
[ "$st" = 400 ] && jq -e '.error.code == "api_key_in_url"' "$tmp/stream" >/dev/null && ok ||
	bad "an event stream with the key in the URL: $st"
for p in '/api//events' '/api/./events' '/api/Events' '/api/events/' '/api/events.'; do
	stream 5 -H "X-Api-Key: $rokey" "$base$p"
	[ "$st" = 400 ] || [ "$st" = 404 ] && ok || bad "event stream at $p: $st"
done
stream 5 -H "X-Api-Key: $rokey" -H 'Last-Event-ID: 1 OR 1=1' "$base/api/events"
[ "$st" = 400 ] && ok || bad "a Last-Event-ID that is no id: $st"
# a read key may listen; the whole outbox so far comes first
stream 3 -H "X-Api-Key: $rokey" "$base/api/events?after=0"
[ "$st" = 200 ] && ok || bad "an event stream with a read key: $st"
hdr Content-Type | grep -q '^text/event-stream' && ok || bad "stream content type: $(hdr Content-Type)"
hdr Content-Security-Policy | grep -q "default-src 'self'" && ok || bad "a stream without the CSP"
[ -z "$(hdr Access-Control-Allow-Origin)" ] && ok || bad "another origin may read the stream"
grep -q '^id: [0-9][0-9]*$' "$tmp/stream" && grep -q '^event: [a-z_]*$' "$tmp/stream" && ok ||
	bad "no event in the replayed stream: $(head -c 300 "$tmp/stream")"
for secret in "$arrkey" "$admin_pw" "$user_pw" "$ro_pw" "$rokey" "$fullkey"; do
	grep -qF -- "$secret" "$tmp/stream" && bad "a secret appears in the event stream" || ok
done
# a readonly session listens too
stream 3 -H "Cookie: $R_cookie" "$base/api/events"
[ "$st" = 200 ] && ok || bad "an event stream with a readonly session: $st"

kill "$serve_pid"; wait "$serve_pid"; rc=$?; serve_pid=
[ "$rc" = 0 ] && ok || bad "SIGTERM: exit $rc"
catalogue_check "$tmp/serve.out" && ok || bad "comradarr-serve printed events missing from the catalogue"
echo "serve-security: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
