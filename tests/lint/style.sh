#!/bin/sh
# Mechanical rules from the project's style (STYLE.md): banned functions,
# lib/ never exits or prints to stdout, every source includes banned.h last,
# no stubs left behind, no API key in a query string, files kept small.
set -u
cd "$(dirname "$0")/../.." || exit 1
pass=0
fail=0
check() {
	# check NAME OUTPUT: OUTPUT empty = pass
	if [ -z "$2" ]; then pass=$((pass + 1)); else
		fail=$((fail + 1)); echo "FAIL: $1"; echo "$2" | sed 's/^/  /' | head -n 20; fi
}
# the code without comments (the preprocessor strips them, expanding
# nothing) and without string literals, for grepping
code() {
	gcc -fpreprocessed -dD -E -P "$1" 2>/dev/null | grep -v '^#' |
		sed -e 's/"\([^"\\]\|\\.\)*"/""/g'
}
srcs=$(git ls-files 'lib/*.c' 'lib/*.h' 'cmd/*.c' 'cmd/*.h' 'tests/fakearr/*.c' 2>/dev/null ||
	find lib cmd tests/fakearr -name '*.[ch]')
csrcs=$(echo "$srcs" | grep '\.c$')

out=""
for f in $csrcs; do
	hits=$(code "$f" | grep -nE '(^|[^A-Za-z0-9_])(strcpy|strcat|strncpy|strncat|sprintf|vsprintf|strtok|gets|atoi|atol|asctime|ctime|gmtime|localtime)[[:space:]]*\(' )
	[ -n "$hits" ] && out="$out$f: $hits
"
done
check "banned functions called" "$out"

out=""
for f in $(echo "$csrcs" | grep '^lib/'); do
	hits=$(code "$f" | grep -nE '(^|[^A-Za-z0-9_])(exit|printf|puts|putchar|abort)[[:space:]]*\(|[^a-z_]stdout[^a-z_]')
	[ -n "$hits" ] && out="$out$f: $hits
"
done
check "lib/ must not exit or print to stdout" "$out"

out=""
for f in $(echo "$csrcs" | grep -E '^(lib|cmd)/'); do
	last=$(grep -E '^#include' "$f" | tail -n 1)
	[ "$last" = '#include "core/banned.h"' ] || out="$out$f: last include is '$last'
"
done
check "every source includes core/banned.h last" "$out"

out=$(echo "$srcs" | xargs grep -nwE 'TODO|FIXME|XXX|stub|stubbed' 2>/dev/null | grep -v 'tests/fakearr' )
check "no TODO/FIXME/stub left in lib/ or cmd/" "$out"

out=$(grep -rnE '[?&]apikey=' lib/arr 2>/dev/null | grep -v 'redact' )
check "the API key never goes in a query string" "$out"

out=""
for f in $csrcs; do
	n=$(wc -l < "$f")
	[ "$n" -gt 900 ] && out="$out$f: $n lines
"
done
check "no source file over 900 lines (split by concern)" "$out"

out=$(echo "$srcs" | xargs grep -lP '\t+ +\t' 2>/dev/null)
check "no mixed tab/space indentation" "$out"

echo "style: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
