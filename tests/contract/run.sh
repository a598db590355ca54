#!/bin/sh
# tests/contract/run.sh BUILD_DIR - every request Comradarr sends, checked
# against the apps' published OpenAPI documents (issue 3, Req 23-29, 38).
#
# For each app (Sonarr, Radarr, Whisparr v2, Whisparr v3, Prowlarr):
#  1. write the app's document plus a small overlay (overlay.js) into a
#     temporary directory; the documents stay in ../shared/arr-openapi;
#  2. start the fake *arr in that mode and a validating proxy in front of it
#     (prism proxy --errors): every request of the client and every answer
#     of the fake is checked against the document, and a violation comes
#     back as a 422/500 problem document;
#  3. run test_contract_calls (every client call) through the proxy; any
#     violation fails the run and is printed in full;
#  4. run test_contract_mock against `prism mock --dynamic` (answers made up
#     from the schemas, several seeds): the parsers must never crash and must
#     skip, not mis-read, what they cannot use; also with the ASan build's
#     binary when build-asan exists.
# Without ../shared/arr-openapi (a user's clone) it prints SKIPPED and why.
# The last line is "contract: N passed, N failed".
set -u

root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
case $build in /*) ;; *) build=$root/$build ;; esac
specs=${COMRADARR_OPENAPI_DIR:-$root/../shared/arr-openapi}
prism=$root/tests/.npm/node_modules/.bin/prism
seeds=${CONTRACT_SEEDS:-"11 23 37"}
key=contract-test-key-0123456789abcdef

if [ ! -d "$specs" ]; then
	echo "SKIPPED: no OpenAPI documents in '$specs' (they come with the project's shared folder; set COMRADARR_OPENAPI_DIR)"
	exit 0
fi
if ! command -v node >/dev/null 2>&1 || [ ! -x "$prism" ]; then
	echo "SKIPPED: the validating proxy is not installed; run: sh tests/deps.sh --test"
	exit 0
fi
if ! command -v curl >/dev/null 2>&1; then
	echo "SKIPPED: curl is not installed; run: sh tests/deps.sh --test"
	exit 0
fi

calls=$build/tests/integration/test_contract_calls
mock=$build/tests/integration/test_contract_mock
fake=$build/bin/fakearr
for f in "$calls" "$mock" "$fake"; do
	if [ ! -x "$f" ]; then
		echo "contract: '$f' is missing; build it: make BUILD=$(basename "$build") tests"
		echo "contract: 0 passed, 1 failed"
		exit 1
	fi
done
mocks="$mock"
asan_mock=${CONTRACT_ASAN_BUILD:-$root/build-asan}/tests/integration/test_contract_mock
if [ -x "$asan_mock" ] && [ "$asan_mock" != "$mock" ]; then
	mocks="$mocks $asan_mock"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/comradarr-contract.XXXXXX") || exit 1
pids=""
cleanup() {
	for p in $pids; do
		kill "$p" 2>/dev/null
	done
	for p in $pids; do
		wait "$p" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 2' INT TERM

passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok - $1"; }
not_ok() {
	failed=$((failed + 1))
	echo "not ok - $1"
	[ -f "$2" ] && sed -e 's/^/    /' "$2" | grep -v '"level":"\(info\|debug\)"' | tail -n 40
}

free_port() {
	node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close();});'
}

# wait_http PORT PID LOG: until something answers HTTP on PORT (120 s:
# prism reads a large OpenAPI document first, which took over 30 s on a
# busy 2-core machine)
wait_http() {
	i=0
	while [ $i -lt 480 ]; do
		if curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$1/ping"; then
			return 0
		fi
		if ! kill -0 "$2" 2>/dev/null; then
			echo "contract: process $2 exited; its log:" >&2
			tail -n 20 "$3" >&2
			return 1
		fi
		sleep 0.25
		i=$((i + 1))
	done
	echo "contract: nothing listens on port $1 after 120 s" >&2
	return 1
}

# start_fake APP LOG: sets fake_port and fake_pid
start_fake() {
	COMRADARR_FAKE_NOW=2026-01-01T00:00:00Z "$fake" --app "$1" --port 0 --api-key "$key" \
		--series 3 --seasons 2 --episodes 4 --movies 8 --missing 0.4 --cutoff 0.4 \
		--grab 1 --import 1 --command-ms 1000 >"$2.out" 2>"$2" &
	fake_pid=$!
	pids="$pids $fake_pid"
	fake_port=""
	i=0
	while [ $i -lt 120 ] && [ -z "$fake_port" ]; do
		fake_port=$(sed -n 's/.*"listening","port":\([0-9]*\).*/\1/p' "$2.out" 2>/dev/null | head -n 1)
		[ -n "$fake_port" ] || sleep 0.25
		i=$((i + 1))
	done
	[ -n "$fake_port" ]
}

# stop PID...: end processes this script started
stop() {
	for p in "$@"; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
}

coverage=$tmp/coverage
: >"$coverage"

run_app() {
	app=$1 doc=$2
	spec=$tmp/$app.openapi.json
	if ! node "$root/tests/contract/overlay.js" "$specs/$doc" "$spec" >"$tmp/$app.overlay" 2>&1; then
		not_ok "$app: overlay on $doc" "$tmp/$app.overlay"
		return
	fi
	if ! start_fake "$app" "$tmp/$app.fake.log"; then
		not_ok "$app: start the fake" "$tmp/$app.fake.log"
		return
	fi
	# the proxy and one mock per seed start together: each takes seconds
	pport=$(free_port)
	"$prism" proxy "$spec" "http://127.0.0.1:$fake_port" --errors --port "$pport" \
		>"$tmp/$app.proxy.log" 2>&1 &
	ppid=$!
	pids="$pids $ppid"
	mports="" mpids=""
	for seed in $seeds; do
		mp=$(free_port)
		"$prism" mock "$spec" --dynamic --seed "$seed" --errors --port "$mp" \
			>"$tmp/$app.mock.$seed.log" 2>&1 &
		mpids="$mpids $!"
		pids="$pids $!"
		mports="$mports $seed:$mp:$!"
	done

	if wait_http "$pport" "$ppid" "$tmp/$app.proxy.log" 2>"$tmp/$app.wait"; then
		if COMRADARR_CONTRACT_URL="http://127.0.0.1:$pport" \
		   COMRADARR_CONTRACT_FAKE_URL="http://127.0.0.1:$fake_port" \
		   COMRADARR_CONTRACT_APP="$app" COMRADARR_CONTRACT_KEY="$key" \
		   "$calls" >"$tmp/$app.calls.log" 2>&1; then
			ok "$app: every client call and every answer of the fake match $doc"
		else
			not_ok "$app: calls through the validating proxy ($doc)" "$tmp/$app.calls.log"
		fi
		grep "^contract $app: " "$tmp/$app.calls.log" >>"$coverage"
	else
		not_ok "$app: start the validating proxy" "$tmp/$app.wait"
	fi
	# shellcheck disable=SC2086
	stop $ppid "$fake_pid"

	for m in $mports; do
		seed=${m%%:*} rest=${m#*:}
		mp=${rest%%:*} mpid=${rest#*:}
		if ! wait_http "$mp" "$mpid" "$tmp/$app.mock.$seed.log" 2>"$tmp/$app.wait"; then
			not_ok "$app: start the mock (seed $seed)" "$tmp/$app.wait"
			continue
		fi
		for bin in $mocks; do
			label="$app: parsers on made-up answers (seed $seed, $(basename "$(dirname "$(dirname "$(dirname "$bin")")")"))"
			if COMRADARR_CONTRACT_MOCK_URL="http://127.0.0.1:$mp" \
			   COMRADARR_CONTRACT_APP="$app" COMRADARR_CONTRACT_KEY="$key" \
			   "$bin" >"$tmp/$app.mock.run" 2>&1; then
				ok "$label"
			else
				not_ok "$label" "$tmp/$app.mock.run"
			fi
			grep "^contract-mock $app: " "$tmp/$app.mock.run" >>"$coverage"
		done
	done
	# shellcheck disable=SC2086
	stop $mpids
}

run_app sonarr sonarr-main.openapi.json
run_app radarr radarr-master.openapi.json
run_app whisparr2 whisparr-v2.openapi.json
run_app whisparr3 whisparr-eros.openapi.json
run_app prowlarr prowlarr-master.openapi.json

echo
echo "validated through the proxy (request and answer), per app:"
grep '^contract ' "$coverage" | sed -e 's/^contract /  /'
if grep -q '^contract-mock ' "$coverage"; then
	echo "parsed from made-up answers (all seeds and builds), per app:"
	grep '^contract-mock ' "$coverage" | sed -e 's/^contract-mock /  /' |
		awk '{ k = $0; sub(/ -> .*/, "", k); n[k] += $(NF - 1); if (!(k in o)) { o[k] = ++c; ks[c] = k } }
		     END { for (i = 1; i <= c; i++) printf "%s -> %d elements\n", ks[i], n[ks[i]] }'
fi
echo "contract: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
