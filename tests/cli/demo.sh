#!/bin/sh
# README's demo, as a newcomer runs it: 'make demo' (examples/demo.sh) must
# finish, and 'sh examples/demo.sh stop' must leave no process of it behind
# (neither the fakes nor the embedded PostgreSQL).  Usage: demo.sh BUILD_DIR
set -u
build=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
command -v psql >/dev/null || { echo "SKIPPED: psql not installed"; exit 0; }
# inside the build folder: as root the embedded cluster runs as the
# comradarr user, who cannot enter a private temporary folder
demo="$build/demo-test.$$"
export COMRADARR_DEMO_DIR="$demo"
unset PGHOST PGPORT PGUSER PGDATABASE DATABASE_URL
# what the demo runs: the embedded PostgreSQL (its data folder is in the
# demo) and the processes whose pids it wrote down
pids=""
left() {
	pgrep -f "$demo" 2>/dev/null
	for p in $pids; do kill -0 "$p" 2>/dev/null && echo "$p"; done
}
cleanup() {
	sh "$root/examples/demo.sh" "$build" stop >/dev/null 2>&1
	for p in $(left); do kill -9 "$p" 2>/dev/null; done
	rm -rf "$demo"
}
trap cleanup EXIT

if sh "$root/examples/demo.sh" "$build" >"$build/demo-test.$$.log" 2>&1; then ok; else
	bad "the demo failed:"; tail -n 20 "$build/demo-test.$$.log"; fi
grep -q "comradarr queue status" "$build/demo-test.$$.log" && ok || bad "the demo did not reach the queue"
if [ -x "$build/bin/comradarr-notify" ] && /usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null; then
	# the run's events reached the webhook and the mailbox, each once
	grep -q "signed requests" "$build/demo-test.$$.log" && ok || bad "the demo sent no notifications"
	[ "$(jq -r '.headers["X-Comradarr-Delivery"]' "$demo/webhook.jsonl" | sort | uniq -d)" = "" ] &&
		[ "$(jq -r 'select(.status == 200 and (.problems | length) == 0)' "$demo/webhook.jsonl" |
		jq -s length)" -ge 2 ] && ok || bad "the demo's webhook got duplicates or refusals"
	[ "$(find "$demo/mail" -name '*.eml' | wc -l)" -ge 2 ] && ok || bad "the demo's mail did not arrive"
fi
pids=$(cat "$demo"/*.pid 2>/dev/null)
[ -n "$pids" ] && ok || bad "the demo wrote no pid files"
[ -n "$(left)" ] && ok || bad "the demo left nothing running to explore"
# the web UI: the printed address answers, and the printed password signs in
url=$(sed -n 's/^open   //p' "$build/demo-test.$$.log")
pw=$(sed -n 's/^pass   //p' "$build/demo-test.$$.log")
if [ -x "$build/bin/comradarr-serve" ]; then
	[ -n "$url" ] && [ -n "$pw" ] && ok || bad "the demo printed no URL and password"
	code=$(curl -s -o /dev/null -w '%{http_code}' "${url}login")
	[ "$code" = 200 ] && ok || bad "GET ${url}login answered $code"
	origin=$(echo "$url" | sed 's|/$||')
	code=$(curl -s -o /dev/null -w '%{http_code}' -H "Origin: $origin" --data-urlencode user=admin \
		--data-urlencode "password=$pw" "${url}login")
	[ "$code" = 303 ] && ok || bad "signing in with the printed password answered $code"
fi
sh "$root/examples/demo.sh" "$build" stop >/dev/null 2>&1 && ok || bad "demo.sh stop failed"
sleep 0.5
if [ -z "$(left)" ]; then ok; else bad "after 'demo.sh stop' still running: $(left | tr '\n' ' ')"; fi
rm -f "$build/demo-test.$$.log"
echo "demo: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
