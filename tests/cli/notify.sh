#!/bin/sh
# comradarr-notify and 'comradarr channel' against real receivers on
# loopback: an HTTP receiver that checks each service's requests the way the
# service documents them (tests/notify/receiver.py) and a real SMTP server
# with STARTTLS and login (tests/notify/smtpd.py, aiosmtpd).  Events come from
# the tools themselves (sync, discover, queue pause).
# Usage: notify.sh BUILD_DIR (needs PG* from pg_virtualenv).
set -u
bin=$1/bin
here=$(cd "$(dirname "$0")/.." && pwd)
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
if [ -z "${PGHOST:-}" ]; then echo "SKIPPED: no test PostgreSQL (run through tests/run.sh)"; exit 0; fi
py=/usr/bin/python3
[ -x "$py" ] || { echo "SKIPPED: $py not installed"; exit 0; }
"$py" -c 'import aiosmtpd' 2>/dev/null || { echo "SKIPPED: python3-aiosmtpd not installed"; exit 0; }
command -v openssl >/dev/null || { echo "SKIPPED: no openssl"; exit 0; }
tmp=$(mktemp -d)
db="t_notify_$$"
recv_pid=
smtp_pid=
smtps_pid=
fake_pid=
bg_pids=
cleanup() {
	for p in $bg_pids $fake_pid $recv_pid $smtp_pid $smtps_pid; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	psql -Xq -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1
	[ -n "${KEEP:-}" ] && echo "kept $tmp" || rm -rf "$tmp"
}
trap cleanup EXIT
psql -Xq -d postgres -c "CREATE DATABASE $db" >/dev/null
mkdir -m 0700 "$tmp/home" "$tmp/mail" "$tmp/s"
export DATABASE_URL="dbname=$db" COMRADARR_HOME="$tmp/home" LOG_FORMAT=json
export PATH="$bin:$PATH"
unset SECRET_KEY SECRET_KEY_FILE
q() { psql -XAtq -d "$db" -c "$1"; }
n=0
next_out() { n=$((n + 1)); f="$tmp/o.$n"; }	# a fresh file for a command's JSON lines

wait_port() {	# wait_port FILE: the first line once it is there
	i=0
	until [ -s "$1" ]; do
		i=$((i + 1)); [ $i -lt 100 ] || { echo "FAIL: $1 never started"; exit 1; }
		sleep 0.1
	done
	head -n1 "$1"
}

# ---------------------------------------------------------------- receivers
hmac=whsec-$$-0123456789abcdef
"$py" "$here/notify/receiver.py" "$tmp/log" "$hmac" >"$tmp/recv.port" 2>"$tmp/recv.err" &
recv_pid=$!
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/key.pem" -out "$tmp/cert.pem" \
	-days 1 -subj /CN=127.0.0.1 >/dev/null 2>&1
smtp_pass=smtp-pass-$$-secret
"$py" "$here/notify/smtpd.py" "$tmp/mail" "$tmp/cert.pem" "$tmp/key.pem" mailer "$smtp_pass" \
	>"$tmp/smtp.port" 2>"$tmp/smtp.err" &
smtp_pid=$!
mkdir "$tmp/mail2"
"$py" "$here/notify/smtpd.py" "$tmp/mail2" "$tmp/cert.pem" "$tmp/key.pem" mailer "$smtp_pass" implicit \
	>"$tmp/smtps.port" 2>"$tmp/smtps.err" &
smtps_pid=$!
P=$(wait_port "$tmp/recv.port")
S=$(wait_port "$tmp/smtp.port")
S2=$(wait_port "$tmp/smtps.port")
R="http://127.0.0.1:$P"
control() {	# control PREFIX ANSWERS-JSON
	curl -s -o /dev/null -X POST --data "{\"prefix\":\"$1\",\"answers\":$2}" "$R/_control"
}
count() {	# count SERVICE [STATUS]: requests the receiver logged
	if [ $# -eq 2 ]; then
		jq -c "select(.service == \"$1\" and .status == $2)" "$tmp/log" 2>/dev/null | wc -l
	else
		jq -c "select(.service == \"$1\")" "$tmp/log" 2>/dev/null | wc -l
	fi
}
problems() { jq -r 'select(.problems | length > 0) | "\(.service): \(.problems)"' "$tmp/log" 2>/dev/null; }

# ---------------------------------------------------------------- channels
comradarr migrate >/dev/null 2>&1 && ok || bad "migrate"
disc_tok=discord-token-$$-abcdefgh
printf '%s\n' "$R/discord/1234/$disc_tok" >"$tmp/s/discord"
printf '%s\n' "$R/slack/T000/B000/slack-secret-$$-xyz" >"$tmp/s/slack"
tg_tok=123456:telegram-token-$$-abc
printf '%s\n' "$tg_tok" >"$tmp/s/telegram"
printf '%s\n' "pushover-app-$$-token" >"$tmp/s/po_token"
printf '%s\n' "pushover-user-$$-key" >"$tmp/s/po_user"
printf '%s\n' "gotify-app-$$-token" >"$tmp/s/gotify"
printf '%s\n' "ntfy-access-$$-token" >"$tmp/s/ntfy"
printf '%s\n' "$smtp_pass" >"$tmp/s/smtp"
printf '%s\n' "$R/webhook/in/hook-path-$$-secret" >"$tmp/s/webhook"
printf '%s\n' "$hmac" >"$tmp/s/hmac"
secrets="$disc_tok slack-secret-$$-xyz telegram-token-$$-abc pushover-app-$$-token pushover-user-$$-key
gotify-app-$$-token ntfy-access-$$-token $smtp_pass hook-path-$$-secret $hmac"

common="--batch-window 0 --events all"
add() {	# add NAME ARGS...: comradarr channel add, lines kept
	name=$1; shift
	next_out
	# shellcheck disable=SC2086
	comradarr channel add "$name" $common "$@" >"$f" 2>"$f.err" </dev/null && ok ||
		bad "channel add $name: $(cat "$f.err")"
}
# The connector first: adding it writes its default schedules' events, which
# channels made afterwards never hear (a channel starts at the outbox's head).
key=0123456789abcdef0123456789abcdef
"$bin/fakearr" --port 0 --app sonarr --api-key "$key" --series 3 >"$tmp/fake.out" 2>"$tmp/fake.err" &
fake_pid=$!
i=0
until grep -q '"port"' "$tmp/fake.out" 2>/dev/null; do
	i=$((i + 1)); [ $i -lt 100 ] || { bad "fakearr did not start"; break; }
	sleep 0.1
done
fp=$(sed -n 's/.*"port":\([0-9]*\).*/\1/p' "$tmp/fake.out")
printf '%s\n' "$key" | comradarr connector add tv --type sonarr --url "http://127.0.0.1:$fp" \
	--api-key-file - >/dev/null 2>&1 && ok || bad "connector add"
add discord --type discord --webhook-url-file "$tmp/s/discord"
add slack --type slack --webhook-url-file "$tmp/s/slack"
add telegram --type telegram --url "$R/telegram" --token-file "$tmp/s/telegram" --chat-id 42
add pushover --type pushover --url "$R/pushover" --token-file "$tmp/s/po_token" \
	--user-key-file "$tmp/s/po_user"
add gotify --type gotify --url "$R/gotify" --token-file "$tmp/s/gotify" --priority 4
add ntfy --type ntfy --url "$R/ntfy" --topic alerts --token-file "$tmp/s/ntfy" --tags tv,comradarr
add mail --type email --url "smtp://127.0.0.1:$S" --from comradarr@example.org \
	--to ops@example.org --to me@example.org --username mailer --password-file "$tmp/s/smtp" \
	--no-tls-verify
add hook --type webhook --webhook-url-file "$tmp/s/webhook" --hmac-secret-file "$tmp/s/hmac"

# bad input: clear error, nothing stored
comradarr channel add x --type fax </dev/null >/dev/null 2>"$tmp/err"
[ $? -ne 0 ] && grep -q "unknown channel type 'fax'" "$tmp/err" && ok || bad "type fax: $(cat "$tmp/err")"
comradarr channel add x --type discord </dev/null >/dev/null 2>"$tmp/err"
[ $? -ne 0 ] && grep -q -- "--webhook-url-file" "$tmp/err" && ok || bad "no url: $(cat "$tmp/err")"
comradarr channel add x --type ntfy --url "$R/ntfy" --topic t --quiet-hours 25:00-01:00 \
	</dev/null >/dev/null 2>"$tmp/err"
[ $? -ne 0 ] && grep -q "HH:MM-HH:MM" "$tmp/err" && ok || bad "bad quiet hours: $(cat "$tmp/err")"
comradarr channel add x --type ntfy --url "$R/ntfy" --topic t --template 'search_outcome={title}' \
	</dev/null >/dev/null 2>"$tmp/err"
[ $? -ne 0 ] && grep -q "unknown placeholder" "$tmp/err" && ok || bad "bad template: $(cat "$tmp/err")"
comradarr channel add x --type email --url "smtp://127.0.0.1:$S" --from a@b --to c@d \
	--events 'Nope' </dev/null >/dev/null 2>"$tmp/err"
[ $? -ne 0 ] && ok || bad "a bad event kind was accepted"
[ "$(q "SELECT count(*) FROM notify_channels WHERE name = 'x'")" = 0 ] && ok || bad "a refused add stored a row"
[ "$(q "SELECT count(*) FROM notify_channels")" = 8 ] && ok || bad "not 8 channels"

# credentials are sealed, and shown masked
q "SELECT encode(secret_enc, 'escape') FROM notify_channels" >"$tmp/sealed"
for s in $secrets; do
	grep -qF "$s" "$tmp/sealed" && bad "'$s' is stored in the clear"
done
ok
next_out
comradarr channel show telegram --json >"$f" 2>&1
jq -e '.secrets_masked[] | select(.name == "token") | .masked | test("^\\*+[^*]{4}$")' "$f" >/dev/null && ok || bad "token not masked: $(cat "$f")"

# ---------------------------------------------------------------- channel test
for c in discord slack telegram pushover gotify ntfy mail hook; do
	next_out
	comradarr channel test "$c" --json >"$f" 2>"$f.err"
	rc=$?
	[ $rc -eq 0 ] && jq -s -e '.[0].event == "channel_test" and .[0].ok' "$f" >/dev/null && ok ||
		bad "channel test $c (exit $rc): $(cat "$f" "$f.err")"
done
for s in discord slack telegram pushover gotify ntfy webhook; do
	[ "$(count $s 200)" = 1 ] && ok || bad "channel test: $s got $(count $s 200) accepted requests"
done
[ -z "$(problems)" ] && ok || bad "requests the services would refuse: $(problems)"
[ -f "$tmp/mail/1.eml" ] && grep -q "^Subject: Comradarr: test message" "$tmp/mail/1.eml" && ok ||
	bad "no test mail: $(ls "$tmp/mail")"
jq -e '.tls and .login and (.to | length == 2)' "$tmp/mail/1.json" >/dev/null && ok ||
	bad "mail not over STARTTLS with login to both: $(cat "$tmp/mail/1.json")"
# smtps://: TLS from the first byte
comradarr channel add mails --type email --url "smtps://127.0.0.1:$S2" --from comradarr@example.org \
	--to ops@example.org --username mailer --password-file "$tmp/s/smtp" --no-tls-verify \
	--events queue_cleared </dev/null >/dev/null 2>"$tmp/err" && ok || bad "add mails: $(cat "$tmp/err")"
comradarr channel test mails >/dev/null 2>"$tmp/err" && [ -f "$tmp/mail2/1.eml" ] &&
	jq -e '.tls and .login' "$tmp/mail2/1.json" >/dev/null && ok || bad "smtps test mail: $(cat "$tmp/err")"
comradarr channel rm mails >/dev/null 2>&1
# a wrong password: refused, and said so without the password
printf 'not-the-password\n' >"$tmp/s/wrongpw"
comradarr channel add mails --type email --url "smtp://127.0.0.1:$S" --from comradarr@example.org \
	--to ops@example.org --username mailer --password-file "$tmp/s/wrongpw" --no-tls-verify \
	--events queue_cleared </dev/null >/dev/null 2>&1
comradarr channel test mails >"$tmp/o.wrongpw" 2>&1
[ $? -eq 1 ] && grep -qi "login denied\|auth" "$tmp/o.wrongpw" && ok ||
	bad "a refused SMTP login: $(cat "$tmp/o.wrongpw")"
grep -q "not-the-password" "$tmp/o.wrongpw" && bad "the wrong password was printed" || ok
comradarr channel rm mails >/dev/null 2>&1
next_out
comradarr channel test discord --format human >"$f" 2>&1 && grep -q "accepted the test message (200" "$f" &&
	ok || bad "human test output: $(cat "$f")"
# the test shows what the receiver answered
grep -h '"channel_test"' "$tmp"/o.* | jq -s -e '.[] | select(.channel == "telegram") | .answer |
	test("message_id")' >/dev/null && ok || bad "telegram's answer not shown"

# ---------------------------------------------------------------- the pipeline's events
comradarr-sync >/dev/null 2>&1 && ok || bad "sync"
comradarr-discover >/dev/null 2>&1 && ok || bad "discover"
comradarr queue pause >/dev/null 2>&1 && ok || bad "queue pause"
: >"$tmp/log"
next_out
comradarr-notify --once >"$f" 2>"$f.err"
rc=$?
[ $rc -eq 0 ] && ok || bad "notify exit $rc: $(cat "$f.err")"
jq -s -e '.[] | select(.event == "notify_done") | .sent == 24 and .failed == 0' "$f" >/dev/null && ok ||
	bad "not 3 messages x 8 channels: $(grep notify_done "$f")"
for s in discord slack telegram pushover gotify ntfy webhook; do
	[ "$(count $s 200)" = 3 ] && ok || bad "$s got $(count $s 200) messages, not 3"
done
[ -z "$(problems)" ] && ok || bad "requests the services would refuse: $(problems)"
[ "$(find "$tmp/mail" -name '*.eml' | wc -l)" = 4 ] && ok || bad "mail count: $(ls "$tmp/mail")"
grep -l "discover" "$tmp"/mail/*.eml >/dev/null 2>&1 && ok || bad "no discover mail"
m=$(grep -l "X-Comradarr-Event: discover_done" "$tmp"/mail/*.eml | head -n1)
[ -n "$m" ] && grep -q "^Message-ID: <notify-[0-9]*@example.org>" "$m" &&
	grep -q "tv: discovery finished (gaps: " "$m" && ok || bad "discover mail: $(cat "$m" 2>/dev/null)"
jq -r 'select(.service == "webhook") | .body' "$tmp/log" | jq -s -e '.[] | select(.event_type == "discover_done") |
	.events[0].kind == "discover_done" and .events[0].connector == "tv" and .count == 1' >/dev/null &&
	ok || bad "webhook body: $(jq -r 'select(.service == "webhook") | .body' "$tmp/log")"
# the signature checks out with python's hmac (the receiver refuses it otherwise)
[ "$(jq -r 'select(.service == "webhook") | .problems | length' "$tmp/log" | sort -u)" = 0 ] && ok ||
	bad "webhook signature refused"
jq -r 'select(.service == "discord") | .body' "$tmp/log" | jq -s -e 'map(.embeds[0].title) | any(test("on tv"))' \
	>/dev/null && ok || bad "discord embed"
[ "$(q "SELECT count(*) FROM notify_deliveries WHERE state = 'sent'")" = 24 ] && ok ||
	bad "deliveries: $(q "SELECT state, count(*) FROM notify_deliveries GROUP BY 1")"

# exactly once: another run sends nothing
next_out
comradarr-notify --once >"$f" 2>"$f.err"
jq -s -e '.[] | select(.event == "notify_done") | .sent == 0 and .routed == 0' "$f" >/dev/null && ok ||
	bad "a second run did something: $(grep notify_done "$f")"
[ "$(count webhook)" = 3 ] && ok || bad "a second run sent again"

# ---------------------------------------------------------------- 429, Retry-After
control /discord/ '[429]'
comradarr queue resume >/dev/null 2>&1
next_out
comradarr-notify --once >"$f" 2>"$f.err"
jq -s -e '.[] | select(.event == "notify_retry" and .channel == "discord") | .status == 429 and
	.retry_in_ms >= 900 and .retry_in_ms <= 1100' "$f" >/dev/null && ok ||
	bad "429 not retried after its Retry-After: $(grep discord "$f")"
# rounds until it goes (a slow machine may need one round, a fast one two)
i=0
until [ "$(count discord 200)" = 4 ]; do
	i=$((i + 1)); [ $i -le 6 ] || { bad "not sent after Retry-After"; break; }
	sleep 0.5
	next_out
	comradarr-notify --once >"$f" 2>"$f.err"
done
[ "$(count discord 200)" = 4 ] && ok || bad "the retry after a 429 sent $(count discord 200) messages"
t429=$(jq -r 'select(.service == "discord" and .status == 429) | .t' "$tmp/log")
t200=$(jq -r 'select(.service == "discord" and .status == 200) | .t' "$tmp/log" | tail -n1)
"$py" -c "import sys; sys.exit(0 if $t200 - $t429 >= 1.0 else 1)" && ok ||
	bad "the retry came $t429 -> $t200, sooner than Retry-After"

# ---------------------------------------------------------------- 500: backoff
control /webhook/ '[500]'
comradarr queue pause >/dev/null 2>&1
next_out
comradarr-notify --once >"$f" 2>"$f.err"
jq -s -e '.[] | select(.event == "notify_retry" and .channel == "hook") | .status == 500 and
	.retry_in_ms >= 20000' "$f" >/dev/null && ok || bad "500 not backed off: $(grep hook "$f")"
[ "$(q "SELECT attempts FROM notify_messages m JOIN notify_channels c ON c.id = m.channel_id
	WHERE c.name = 'hook' AND m.state = 'pending'")" = 1 ] && ok || bad "attempt not counted"
# time passes (the backoff is half a minute)
q "UPDATE notify_messages SET next_attempt_at = now() WHERE state = 'pending'"
next_out
comradarr-notify --once >"$f" 2>"$f.err"
jq -s -e '.[] | select(.event == "notify_sent" and .channel == "hook") | .attempts == 2' "$f" >/dev/null && ok ||
	bad "not sent after the backoff: $(cat "$f")"

# ---------------------------------------------------------------- 401: the channel stops
control /gotify/ '[401]'
comradarr queue resume >/dev/null 2>&1
next_out
comradarr-notify --once >"$f" 2>"$f.err"
rc=$?
[ $rc -eq 3 ] && ok || bad "a stopped channel did not exit 3 (got $rc)"
jq -s -e '.[] | select(.event == "notify_channel_stopped" and .channel == "gotify") | .status == 401' "$f" \
	>/dev/null && ok || bad "401 did not stop gotify: $(grep gotify "$f")"
[ -n "$(q "SELECT stopped_reason FROM notify_channels WHERE name = 'gotify'")" ] && ok || bad "no stopped_reason"
[ "$(q "SELECT count(*) FROM events WHERE kind = 'notify_channel_stopped'")" = 1 ] && ok ||
	bad "no notify_channel_stopped in the outbox"
before=$(count gotify)
comradarr queue pause >/dev/null 2>&1
next_out
comradarr-notify --once >"$f" 2>"$f.err"
[ "$(count gotify)" = "$before" ] && ok || bad "a stopped channel was sent to"
# the other channels heard that gotify stopped
jq -r 'select(.service == "webhook") | .body' "$tmp/log" | jq -s -e '.[] | select(.event_type ==
	"notify_channel_stopped")' >/dev/null && ok || bad "the stop was not told to the other channels"
comradarr channel enable gotify >/dev/null 2>&1 && ok || bad "enable"
[ -z "$(q "SELECT stopped_reason FROM notify_channels WHERE name = 'gotify'")" ] && ok ||
	bad "enable did not restart the channel"

# ---------------------------------------------------------------- digest
comradarr channel add digest --type webhook --webhook-url-file "$tmp/s/webhook" \
	--hmac-secret-file "$tmp/s/hmac" --events queue_paused,queue_resumed --batch-window 600 \
	</dev/null >/dev/null 2>&1 && ok || bad "add digest"
for i in 1 2 3; do comradarr queue resume >/dev/null 2>&1; comradarr queue pause >/dev/null 2>&1; done
next_out
comradarr-notify --once >"$f" 2>"$f.err"
jq -s -e '.[] | select(.event == "notify_sent" and .channel == "digest")' "$f" >/dev/null &&
	bad "sent inside the batching window" || ok
# ten minutes pass
q "UPDATE events SET created_at = created_at - interval '11 minutes'
	WHERE kind IN ('queue_paused', 'queue_resumed')"
next_out
comradarr-notify --once >"$f" 2>"$f.err"
[ "$(jq -c 'select(.event == "notify_sent" and .channel == "digest")' "$f" | wc -l)" = 2 ] && ok ||
	bad "not two digests: $(grep digest "$f")"
jq -r 'select(.service == "webhook") | .body' "$tmp/log" | jq -s -e '.[] | select(.channel == "digest" and
	.event_type == "queue_paused") | .count == 3 and (.body | test("^3 queue_paused events"))' \
	>/dev/null && ok || bad "digest body: $(jq -r 'select(.service == "webhook") | .body' "$tmp/log" | tail -n2)"

# ---------------------------------------------------------------- quiet hours, the hourly cap
h=$(date -u +%H)
h=${h#0}
qs=$(printf '%02d:00' $(( (h + 23) % 24 )))
qe=$(printf '%02d:00' $(( (h + 1) % 24 )))
comradarr channel add night --type ntfy --url "$R/ntfy" --topic night $common --quiet-hours "$qs-$qe" \
	</dev/null >/dev/null 2>&1 && ok || bad "add night"
comradarr channel add night2 --type ntfy --url "$R/ntfy" --topic night2 $common \
	--quiet-hours "$qs-$qe" --quiet-mode drop </dev/null >/dev/null 2>&1 && ok || bad "add night2"
comradarr channel add capped --type ntfy --url "$R/ntfy" --topic capped $common --max-per-hour 1 \
	</dev/null >/dev/null 2>&1 && ok || bad "add capped"
comradarr queue resume >/dev/null 2>&1
comradarr queue clear >/dev/null 2>&1
next_out
comradarr-notify --once >"$f" 2>"$f.err"
jq -s -e '.[] | select(.event == "notify_held" and .channel == "night") | .events == 2' "$f" >/dev/null && ok ||
	bad "quiet hours did not hold: $(grep night "$f")"
jq -s -e '.[] | select(.event == "notify_dropped" and .channel == "night2") | .events == 2' "$f" >/dev/null && ok ||
	bad "quiet hours did not drop: $(grep night2 "$f")"
[ "$(jq -c 'select(.event == "notify_sent" and .channel == "capped")' "$f" | wc -l)" = 1 ] &&
	jq -s -e '.[] | select(.event == "notify_deferred" and .channel == "capped")' "$f" >/dev/null && ok ||
	bad "the hourly cap: $(grep capped "$f")"
# quiet hours end: what was held goes out as one digest per kind
comradarr channel edit night --no-quiet-hours >/dev/null 2>&1
next_out
comradarr-notify --once >"$f" 2>"$f.err"
[ "$(jq -c 'select(.event == "notify_sent" and .channel == "night")' "$f" | wc -l)" = 2 ] && ok ||
	bad "held events not sent after quiet hours: $(grep night "$f")"

# ---------------------------------------------------------------- three notifiers at once
control /discord/ '["slow"]'
control /slack/ '["slow"]'
control /telegram/ '["slow"]'
comradarr queue pause >/dev/null 2>&1
: >"$tmp/log"
comradarr-notify --once >"$tmp/c1" 2>"$tmp/c1.err" &
c1=$!
comradarr-notify --once >"$tmp/c2" 2>"$tmp/c2.err" &
c2=$!
comradarr-notify --once >"$tmp/c3" 2>"$tmp/c3.err" &
c3=$!
bg_pids="$c1 $c2 $c3"
wait $c1
wait $c2
wait $c3
bg_pids=
total=$(cat "$tmp/c1" "$tmp/c2" "$tmp/c3" | jq -c 'select(.event == "notify_sent")' | wc -l)
composed=$(cat "$tmp/c1" "$tmp/c2" "$tmp/c3" | jq -c 'select(.event == "notify_composed")' | wc -l)
deferred=$(cat "$tmp/c1" "$tmp/c2" "$tmp/c3" | jq -c 'select(.event == "notify_deferred")' | wc -l)
[ "$((total + deferred))" = "$composed" ] && [ "$total" -ge 8 ] && ok ||
	bad "three notifiers sent $total messages and deferred $deferred of $composed"
[ -s "$tmp/c1" ] && [ -s "$tmp/c2" ] && [ -s "$tmp/c3" ] && ok || bad "a notifier printed nothing"
for s in discord slack telegram pushover gotify webhook; do
	ids=$(jq -r "select(.service == \"$s\" and .status == 200) | .headers[\"X-Comradarr-Delivery\"] // .body" \
		"$tmp/log" | sort | uniq -d)
	[ -z "$ids" ] && ok || bad "$s got one message twice"
done
[ "$(q "SELECT count(*) FROM (SELECT event_id, channel_id FROM notify_deliveries GROUP BY 1, 2
	HAVING count(*) > 1) d")" = 0 ] && ok || bad "duplicate deliveries"

# ---------------------------------------------------------------- kill -9 during a send
control /webhook/ '["hang"]'
comradarr queue resume >/dev/null 2>&1
: >"$tmp/log"
comradarr-notify --once >"$tmp/k1" 2>"$tmp/k1.err" &
k1=$!
bg_pids=$k1
i=0
until [ "$(count webhook '"hang"')" -ge 1 ]; do
	i=$((i + 1)); [ $i -lt 100 ] || break
	sleep 0.1
done
kill -9 $k1 2>/dev/null
wait $k1 2>/dev/null
bg_pids=
[ "$(q "SELECT count(*) FROM notify_messages m JOIN notify_channels c ON c.id = m.channel_id
	WHERE c.name = 'hook' AND m.state = 'pending'")" = 1 ] && ok || bad "the message in flight was lost"
control /webhook/ '[]'
next_out
comradarr-notify --once >"$f" 2>"$f.err"
jq -s -e '.[] | select(.event == "notify_sent" and .channel == "hook")' "$f" >/dev/null && ok ||
	bad "not resent after kill -9: $(cat "$f")"
hooklog=$(jq -c 'select(.service == "webhook" and (.body | fromjson | .channel) == "hook")' "$tmp/log")
[ "$(echo "$hooklog" | wc -l)" = 2 ] && ok || bad "hook got $(echo "$hooklog" | wc -l) requests, not 2"
[ "$(echo "$hooklog" | jq -r '.headers["X-Comradarr-Delivery"]' | sort -u | wc -l)" = 1 ] && ok ||
	bad "the resend carried another delivery id"

# ---------------------------------------------------------------- moved address, rm
q "UPDATE notify_channels SET config = jsonb_set(config, '{url}', '\"http://127.0.0.1:9/x\"')
	WHERE name = 'telegram'"
comradarr channel test telegram >/dev/null 2>"$tmp/err"
[ $? -ne 0 ] && grep -q "not sealed for" "$tmp/err" && ok || bad "a moved address opened: $(cat "$tmp/err")"
comradarr queue pause >/dev/null 2>&1
next_out
comradarr-notify --once >"$f" 2>"$f.err"
jq -s -e '.[] | select(.event == "notify_channel_stopped" and .channel == "telegram") |
	(.error | test("not sealed for"))' "$f" >/dev/null && ok ||
	bad "credentials that do not open did not stop the channel: $(grep telegram "$f")"
comradarr queue resume >/dev/null 2>&1
comradarr channel edit ntfy --url "$R/ntfy2" </dev/null >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -q -- "--yes" "$tmp/err" && ok || bad "edit --url without --yes: $(cat "$tmp/err")"
comradarr channel edit ntfy --url "$R/ntfy" --yes >/dev/null 2>&1 && ok || bad "edit --url --yes"
comradarr channel rm night2 >/dev/null 2>&1 && ok || bad "rm"
comradarr channel show night2 >/dev/null 2>&1 && bad "rm left the channel" || ok

# ---------------------------------------------------------------- a long transaction's event
# An event whose transaction started first but commits last (a long sync)
# has the smaller id: a cursor of ids would pass it by.
psql -XAtq -d "$db" -c "BEGIN" -c "INSERT INTO events (kind) VALUES ('slow_done') RETURNING id" \
	-c "SELECT pg_sleep(2)" -c "COMMIT" >"$tmp/slow.id" 2>&1 &
slow_pid=$!
bg_pids=$slow_pid
sleep 0.5
fast=$(q "INSERT INTO events (kind) VALUES ('fast_done') RETURNING id")
next_out
comradarr-notify --once >"$f" 2>"$f.err"
# the later one waits too: until the older transaction ends, nothing after
# its start is final (comradarr-notify(1))
[ "$(q "SELECT count(*) FROM notify_deliveries WHERE event_id = $fast")" = 0 ] && ok ||
	bad "routed past a transaction still running"
wait $slow_pid
bg_pids=
slow=$(head -n1 "$tmp/slow.id")
[ "$slow" -lt "$fast" ] && ok || bad "the long transaction's event ($slow) should have the smaller id ($fast)"
next_out
comradarr-notify --once >"$f" 2>"$f.err"
[ "$(q "SELECT count(*) FROM notify_deliveries d JOIN notify_channels c ON c.id = d.channel_id
	WHERE c.name = 'hook' AND d.event_id = $slow")" = 1 ] && ok ||
	bad "the event of the transaction that committed last was skipped"
[ "$(q "SELECT count(*) FROM notify_deliveries d JOIN notify_channels c ON c.id = d.channel_id
	WHERE c.name = 'hook' AND d.event_id = $fast")" = 1 ] && ok || bad "the later event was not routed"

# ---------------------------------------------------------------- templates and {url}
comradarr channel add linked --type ntfy --url "$R/ntfy" --topic linked --batch-window 0 \
	--events queue_paused --template 'queue_paused={event_type} by {connector_name}: see {url}' \
	</dev/null >/dev/null 2>&1 && ok || bad "add linked"
comradarr queue pause >/dev/null 2>&1
: >"$tmp/log"
next_out
comradarr-notify --once --public-url http://ui.example:8080/comradarr >"$f" 2>"$f.err"
jq -r 'select(.path == "/ntfy/linked") | .body' "$tmp/log" |
	grep -qE '^queue_paused by : see http://ui.example:8080/comradarr/events/[0-9]+$' && ok ||
	bad "template with {url}: $(jq -r 'select(.path == "/ntfy/linked") | .body' "$tmp/log")"
comradarr queue resume >/dev/null 2>&1

# ---------------------------------------------------------------- long texts are cut, not refused
long=$("$py" -c 'print("\u00e9" * 1900 + " {event_type}")')
for c in telegram discord; do
	if [ $c = telegram ]; then a="--url $R/telegram --token-file $tmp/s/telegram --chat-id 7"
	else a="--webhook-url-file $tmp/s/discord"; fi
	# shellcheck disable=SC2086
	comradarr channel add "long$c" --type $c $a --batch-window 0 --events queue_paused,queue_resumed \
		--template "queue_paused=$long" --template "queue_resumed=$long" </dev/null >/dev/null 2>"$tmp/err" &&
		ok || bad "add long$c: $(cat "$tmp/err")"
done
for i in 1 2 3; do comradarr queue pause >/dev/null 2>&1; comradarr queue resume >/dev/null 2>&1; done
: >"$tmp/log"
next_out
comradarr-notify --once >"$f" 2>"$f.err"
[ -z "$(problems)" ] && ok || bad "a long message was refused: $(problems)"
# the long ones: two digests each (the other channels hear short ones)
jq -s -e '[.[] | select(.service == "telegram") | .body | fromjson | .text |
	select(length > 1000)] | length == 2 and all(length == 4096 and endswith("..."))' "$tmp/log" \
	>/dev/null && ok || bad "telegram texts not cut to 4096"
jq -s -e '[.[] | select(.service == "discord") | .body | fromjson | .embeds[0].description |
	select(length > 1000)] | length == 2 and all(length == 4096)' "$tmp/log" >/dev/null && ok ||
	bad "discord embeds not cut to 4096"

# ---------------------------------------------------------------- secrets never shown
for s in $secrets; do
	if grep -rqF -- "$s" "$tmp"/o.* "$tmp"/c1 "$tmp"/c2 "$tmp"/c3 "$tmp"/k1 "$tmp/err" 2>/dev/null; then
		bad "secret '$s' was printed"
	fi
done
q "SELECT coalesce(answer, '') || coalesce(last_error, '') FROM notify_messages" >"$tmp/answers"
q "SELECT coalesce(stopped_reason, '') FROM notify_channels" >>"$tmp/answers"
for s in $secrets; do
	grep -qF -- "$s" "$tmp/answers" && bad "secret '$s' stored in an answer or error"
done
ok

. "$here/lib/catalogue.sh"
catalogue_check "$tmp"/o.* "$tmp"/c1 "$tmp"/c2 "$tmp"/c3 && ok || fail=$((fail + 1))
echo "notify: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
