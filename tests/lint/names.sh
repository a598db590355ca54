#!/bin/sh
# Help, completions and manual pages name only what exists: every tool that
# 'comradarr --help', a completion or a page names has a binary and a page,
# and every comradarr page a page refers to (.Xr) is there.
set -u
build=$1
cd "$(dirname "$0")/../.." || exit 1
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

tool_exists() {	# tool_exists comradarr-x WHERE
	if [ -x "$build/bin/$1" ]; then ok; else bad "$2 names $1, which is not built"; fi
	if [ -f "man/$1.1" ]; then ok; else bad "$2 names $1, which has no manual page"; fi
}

# the front door's list of tools
tools=$("$build/bin/comradarr" --help | sed -n '/^tools/,/^$/p' | tail -n +2)
[ -n "$tools" ] && ok || bad "comradarr --help lists no tools"
for t in $tools; do tool_exists "comradarr-$t" "comradarr --help"; done
# ... and each binary is listed
for b in "$build"/bin/comradarr-*; do
	t=${b##*/comradarr-}
	echo " $tools " | tr '\n' ' ' | grep -q " $t " && ok || bad "comradarr --help does not list $t"
done

# completions
for n in $(sed -n 's/^complete -F _comradarr //p; /^	comradarr/p' completions/comradarr.bash | tr -d '\\'); do
	[ "$n" = comradarr ] || tool_exists "$n" "completions/comradarr.bash"
done
for n in $(sed -n 's/^#compdef //p' completions/_comradarr); do
	[ "$n" = comradarr ] || tool_exists "$n" "completions/_comradarr"
done

# pages: tools named in comradarr(7), and every comradarr page referred to
for n in $(sed -n 's/^\.It Nm \(comradarr\\-[a-z]*\).*/\1/p' man/comradarr.7 | sed 's/\\//'); do
	tool_exists "$n" "comradarr(7)"
done
for f in man/*.[157]; do
	grep -h '^\.Xr comradarr' "$f" | while read -r _ name sec _; do
		[ -f "man/$name.$sec" ] || echo "$f refers to $name($sec), which has no page"
	done
done >"${TMPDIR:-/tmp}/names.$$"
if [ -s "${TMPDIR:-/tmp}/names.$$" ]; then
	while read -r line; do bad "$line"; done <"${TMPDIR:-/tmp}/names.$$"
else
	ok
fi
rm -f "${TMPDIR:-/tmp}/names.$$"
echo "names: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
