#!/bin/sh
# The web UI in a real browser: Debian's chromium driven by playwright-core
# (tests/.npm, installed by tests/deps.sh --test) against a real
# comradarr-serve, a throwaway database (tests/run.sh's pg_virtualenv) and
# fake Sonarr and Radarr.  tests/e2e/ui.js does the clicking; this script
# starts and stops everything around it.  Screenshots of every page (both
# themes, and a phone-sized viewport) go to BUILD/ui-shots/.
# Usage: tests/e2e/run.sh BUILD_DIR
set -u
build=$1
bin=$build/bin
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
npm_dir=$root/tests/.npm/node_modules

if [ -z "${PGHOST:-}" ]; then echo "e2e: SKIPPED: no test PostgreSQL (run through tests/run.sh)"; exit 0; fi
command -v node >/dev/null || { echo "e2e: SKIPPED: node is not installed (tests/deps.sh --test)"; exit 0; }
chromium=${CHROMIUM:-/usr/bin/chromium}
[ -x "$chromium" ] || { echo "e2e: SKIPPED: no chromium at $chromium (apt-get install chromium)"; exit 0; }
[ -d "$npm_dir/playwright-core" ] ||
	{ echo "e2e: SKIPPED: playwright-core is not in tests/.npm (run tests/deps.sh --test)"; exit 0; }
[ -x "$bin/comradarr-serve" ] || { echo "e2e: SKIPPED: no $bin/comradarr-serve"; exit 0; }

tmp=$(mktemp -d)
db="t_e2e_$$"
serve_pid=""
tv_pid=""
films_pid=""
cleanup() {
	for p in $serve_pid $tv_pid $films_pid; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	# what ui.js started in the background (comradarr-dispatch), if it left any
	if [ -f "$tmp/bg.pid" ]; then kill "$(cat "$tmp/bg.pid")" 2>/dev/null; fi
	psql -Xq -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT
psql -Xq -d postgres -c "CREATE DATABASE $db" >/dev/null || { echo "e2e: cannot create a database"; exit 1; }
export DATABASE_URL="dbname=$db" COMRADARR_HOME="$tmp/home" LOG_FORMAT=json
export SECRET_KEY=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
export PATH="$bin:$PATH"

# wait_port FILE: the "port" of the first JSON line that has one
wait_port() {
	i=0
	until grep -q '"port"' "$1" 2>/dev/null; do
		i=$((i + 1)); [ $i -lt 150 ] || return 1
		sleep 0.1
	done
	sed -n 's/.*"port":\([0-9]*\).*/\1/p' "$1" | head -n 1
}

# the fakes: command-ms slows each search so a batch is seen in flight
"$bin/fakearr" --app sonarr --port 0 --api-key e2e-tv-key-0123456789abcdef --seed 5 --series 24 \
	--seasons 2 --episodes 8 --missing 0.25 --cutoff 0.1 --command-ms 1500 --grab 0.6 \
	>"$tmp/tv.out" 2>"$tmp/tv.err" &
tv_pid=$!
"$bin/fakearr" --app radarr --port 0 --api-key e2e-films-key-0123456789abcdef --seed 5 --movies 120 \
	--missing 0.2 --cutoff 0.1 --command-ms 1500 --grab 0.6 >"$tmp/films.out" 2>"$tmp/films.err" &
films_pid=$!
tv_port=$(wait_port "$tmp/tv.out") || { echo "e2e: fake sonarr did not start"; cat "$tmp/tv.err"; exit 1; }
films_port=$(wait_port "$tmp/films.out") || { echo "e2e: fake radarr did not start"; exit 1; }

comradarr migrate >"$tmp/setup.log" 2>&1 || { echo "e2e: migrate failed"; cat "$tmp/setup.log"; exit 1; }
pass="e2e-admin-password-1"
printf '%s\n' "$pass" | comradarr user add admin --password-file - >>"$tmp/setup.log" 2>&1 ||
	{ echo "e2e: user add failed"; cat "$tmp/setup.log"; exit 1; }
# films from the shell; tv is added through the browser
printf 'e2e-films-key-0123456789abcdef\n' |
	comradarr connector add films --type radarr --url "http://127.0.0.1:$films_port" --api-key-file - \
	>>"$tmp/setup.log" 2>&1 || { echo "e2e: connector add failed"; cat "$tmp/setup.log"; exit 1; }
comradarr profile add e2e --rpm 60 --batch 10 --daily-budget 500 >>"$tmp/setup.log" 2>&1 &&
	comradarr profile assign films e2e >>"$tmp/setup.log" 2>&1 ||
	{ echo "e2e: profile failed"; cat "$tmp/setup.log"; exit 1; }

# --login-limit: the suite signs in a few dozen times from one address
# (the limit itself is tested in tests/cli/serve-security.sh)
comradarr-serve --listen 127.0.0.1:0 --threads 4 --login-limit 120 >"$tmp/serve.out" 2>"$tmp/serve.err" &
serve_pid=$!
port=$(wait_port "$tmp/serve.out") || { echo "e2e: comradarr-serve did not start"; cat "$tmp/serve.err"; exit 1; }

shots=$build/ui-shots
rm -rf "$shots"
mkdir -p "$shots"
E2E_BASE="http://127.0.0.1:$port/" E2E_USER=admin E2E_PASS=$pass E2E_SHOTS=$shots E2E_TMP=$tmp \
E2E_TV_URL="http://127.0.0.1:$tv_port" E2E_TV_KEY=e2e-tv-key-0123456789abcdef E2E_DB=$db \
E2E_CHROMIUM=$chromium E2E_NPM=$npm_dir \
	node "$here/ui.js"
rc=$?
if [ $rc -ne 0 ]; then
	echo "---- comradarr-serve's log (last lines)"
	tail -n 20 "$tmp/serve.err"
	echo "---- its refusals and redirects (last ones)"
	grep -E '"status":(302|401|403|5[0-9][0-9])' "$tmp/serve.out" | tail -n 15
fi
exit $rc
