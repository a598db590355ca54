#!/bin/sh
# The bash completion offers what the binaries say they accept.
set -u
bin=$1/bin
pass=0
fail=0
command -v bash >/dev/null || { echo "SKIPPED: no bash"; exit 0; }
check() {
	# check "WORDS..." EXPECTED: complete the last word of WORDS
	out=$(PATH="$bin:$PATH" bash -c '
		. "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 ))
		_comradarr; printf "%s\n" "${COMPREPLY[@]}"' _ completions/comradarr.bash $1)
	if echo "$out" | grep -qx -- "$2"; then pass=$((pass + 1)); else
		fail=$((fail + 1)); echo "FAIL: completing '$1' did not offer '$2' (got: $(echo $out))"; fi
}
check "comradarr con" connector
check "comradarr connector a" add
check "comradarr connector add --ty" --type
check "comradarr connector add --type son" sonarr
check "comradarr migrate --st" --status
check "comradarr db st" start
check "comradarr sch" schedule
check "comradarr schedule ne" next
check "comradarr schedule add x --sw" --sweep
check "comradarr schedule add x --sweep up" upgrades
check "comradarr schedule add x --zone Europe/Be" Europe/Berlin
check "comradarr channel a" add
check "comradarr channel add --type dis" discord
check "comradarr channel add --quiet-m" --quiet-mode
check "comradarr reg" registry
check "comradarr registry l" list
check "comradarr registry list --type g" gap
check "comradarr registry list --state coo" cooldown
check "comradarr pri" priority
check "comradarr connector hi" history
check "comradarr user to" totp
check "comradarr user totp en" enable
check "comradarr user totp re" recovery
check "comradarr user totp enable ann --alg" --algorithm
check "comradarr user totp enable ann --algorithm SHA2" SHA256
check "comradarr user totp disable ann --pass" --password-file
for b in "$bin"/comradarr-*; do
	[ -x "$b" ] || continue
	n=$(basename "$b")
	check "$n --he" --help
done
echo "completions: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
