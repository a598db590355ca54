#!/bin/sh
# Manual pages: mandoc -Tlint clean, one page per binary with the sections
# STYLE asks for, and every option a binary accepts documented in its page.
set -u
build=$1
cd "$(dirname "$0")/../.." || exit 1
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
command -v mandoc >/dev/null || { echo "SKIPPED: mandoc not installed (apt-get install mandoc)"; exit 0; }

for f in man/*.[157]; do
	out=$(mandoc -Tlint -Wwarning "$f" 2>&1)
	[ -z "$out" ] && ok || bad "mandoc -Tlint $f: $out"
done

render() { mandoc -Tascii "$1" 2>/dev/null | col -b; }

# options a command accepts, as the binary lists them; recurses into verbs
# (a front-door word naming a tool, comradarr-TOOL, has its own page)
opts_of() {
	"$@" --list-options 2>/dev/null | while read -r w; do
		case $w in
		--help|--version) ;;
		--*) echo "$w" ;;
		*) [ $# -eq 1 ] && [ -x "$build/bin/comradarr-$w" ] && continue
		   opts_of "$@" "$w" ;;
		esac
	done
}

for b in "$build"/bin/comradarr*; do
	[ -x "$b" ] || continue
	n=$(basename "$b")
	page=man/$n.1
	if [ ! -f "$page" ]; then bad "$n has no manual page $page"; continue; fi
	ok
	text=$(render "$page")
	for s in NAME SYNOPSIS DESCRIPTION "EXIT STATUS" ENVIRONMENT EXAMPLES "SEE ALSO"; do
		echo "$text" | grep -q "^$s" && ok || bad "$page has no $s section"
	done
	for o in $(opts_of "$b" | sort -u); do
		echo "$text" | grep -q -- "$o" && ok || bad "$page does not document $o (which $n accepts)"
	done
done
echo "man: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
