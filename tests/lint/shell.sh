#!/bin/sh
# Run the shell linter over every shell script the project ships or runs.
set -u
cd "$(dirname "$0")/../.." || exit 1
command -v shellcheck >/dev/null || { echo "SKIPPED: shellcheck not installed"; exit 0; }
pass=0
fail=0
for f in $(git ls-files '*.sh' .ci/run 2>/dev/null) completions/comradarr.bash; do
	[ -f "$f" ] || continue
	case $f in completions/*) sh_opt="-s bash" ;; *) sh_opt="" ;; esac
	# shellcheck disable=SC2086
	if out=$(shellcheck -S warning $sh_opt "$f" 2>&1); then pass=$((pass + 1)); else
		fail=$((fail + 1)); echo "FAIL: shellcheck $f"; echo "$out" | head -n 30; fi
done
echo "shellcheck: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
