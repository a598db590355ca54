#!/bin/sh
# Install what Comradarr needs from Debian (and, for the test suites, npm).
#   tests/deps.sh          build + run dependencies (make deps, make demo)
#   tests/deps.sh --test   also what `make check` needs
# As root, missing packages are installed with apt-get; otherwise the exact
# command to run is printed and the script fails.
set -eu

BUILD_PKGS="build-essential pkg-config libpq-dev libcurl4-openssl-dev libsodium-dev \
libargon2-dev libjansson-dev libmicrohttpd-dev check postgresql postgresql-common tzdata"
# What the suites use: chromium (the web UI's browser suite, with
# playwright-core below), a real SMTP server for tests/cli/notify.sh
# (aiosmtpd, with a certificate openssl makes), wrk (the server's load
# bench), the Prometheus client (/metrics' parser), python3 and tar (the
# backup suite rewrites and lists archives with them).
TEST_PKGS="mandoc shellcheck clang libclang-rt-14-dev jq procps curl chromium python3-aiosmtpd \
openssl wrk python3-prometheus-client python3 tar"

want="$BUILD_PKGS"
test_mode=0
[ "${1:-}" = "--test" ] && { want="$want $TEST_PKGS"; test_mode=1; }

missing=""
for p in $want; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done

# Node may come from another packaging that bundles npm: ask for the commands.
if [ "$test_mode" -eq 1 ] && ! { command -v node >/dev/null && command -v npm >/dev/null; }; then
	missing="$missing nodejs npm"
fi

if [ -n "$missing" ]; then
	if [ "$(id -u)" -eq 0 ]; then
		echo "deps: installing:$missing" >&2
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq >&2
		# shellcheck disable=SC2086
		apt-get install -y -qq --no-install-recommends $missing >&2
	else
		echo "deps: missing Debian packages:$missing" >&2
		echo "deps: run as root:  apt-get install$missing" >&2
		exit 1
	fi
fi

if [ "$test_mode" -eq 1 ]; then
	# The contract suite's OpenAPI validator, kept out of the source tree
	# under tests/.npm (git-ignored).
	here=$(cd "$(dirname "$0")" && pwd)
	if [ ! -x "$here/.npm/node_modules/.bin/prism" ]; then
		echo "deps: installing npm packages into tests/.npm" >&2
		mkdir -p "$here/.npm"
		(cd "$here/.npm" && [ -f package.json ] || echo '{"private":true}' > "$here/.npm/package.json")
		npm install --prefix "$here/.npm" --no-audit --no-fund --loglevel=error \
			@stoplight/prism-cli@5 >&2 || {
			echo "deps: npm install failed; the contract suite will say SKIPPED" >&2
			[ -n "${CI:-}" ] && exit 1
		}
	fi
fi
if [ "$test_mode" -eq 1 ]; then
	# The browser suite (tests/e2e): playwright-core drives Debian's
	# chromium (no browser download), axe-core checks accessibility.
	here=$(cd "$(dirname "$0")" && pwd)
	if [ ! -d "$here/.npm/node_modules/playwright-core" ] || [ ! -d "$here/.npm/node_modules/axe-core" ]; then
		echo "deps: installing playwright-core and axe-core into tests/.npm" >&2
		mkdir -p "$here/.npm"
		[ -f "$here/.npm/package.json" ] || echo '{"private":true}' > "$here/.npm/package.json"
		PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --prefix "$here/.npm" --no-audit --no-fund \
			--loglevel=error playwright-core@1 axe-core@4 >&2 || {
			echo "deps: npm install failed; the browser suite will say SKIPPED" >&2
			[ -n "${CI:-}" ] && exit 1
		}
	fi
	# jsQR reads back the QR code of the two-factor enrolment page (a
	# decoder written by others: the proof that the server's codes scan)
	if [ ! -d "$here/.npm/node_modules/jsqr" ]; then
		echo "deps: installing jsqr into tests/.npm" >&2
		mkdir -p "$here/.npm"
		[ -f "$here/.npm/package.json" ] || echo '{"private":true}' > "$here/.npm/package.json"
		npm install --prefix "$here/.npm" --no-audit --no-fund --loglevel=error jsqr@1 >&2 || {
			echo "deps: npm install jsqr failed; the QR check of the browser suite fails" >&2
			[ -n "${CI:-}" ] && exit 1
		}
	fi
fi
exit 0
