#!/bin/sh
# make install puts every binary, page, completion, unit and migration under
# PREFIX inside DESTDIR, and nothing from the test tree.
set -u
build=$1
cd "$(dirname "$0")/../.." || exit 1
pass=0
fail=0
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

if make -s BUILD="$(basename "$build")" DESTDIR="$dest" PREFIX=/usr install >"$dest.log" 2>&1; then ok; else
	bad "make install failed"; tail -n 20 "$dest.log"; fi
rm -f "$dest.log"
for b in "$build"/bin/comradarr*; do
	n=$(basename "$b")
	[ -x "$dest/usr/bin/$n" ] && ok || bad "$n not installed in bin"
	[ -f "$dest/usr/share/man/man1/$n.1" ] && ok || bad "$n.1 not installed"
done
[ -e "$dest/usr/bin/fakearr" ] && bad "the test server was installed" || ok
[ -f "$dest/usr/share/man/man5/comradarr.5" ] && ok || bad "comradarr.5 not installed"
[ -f "$dest/usr/share/man/man7/comradarr.7" ] && ok || bad "comradarr.7 not installed"
[ -f "$dest/usr/share/bash-completion/completions/comradarr" ] && ok || bad "bash completion not installed"
[ -f "$dest/usr/share/zsh/vendor-completions/_comradarr" ] && ok || bad "zsh completion not installed"
for u in systemd/*.service systemd/*.timer; do
	[ -f "$u" ] || continue
	f="$dest/usr/lib/systemd/system/$(basename "$u")"
	[ -f "$f" ] && ok || bad "$u not installed"
	grep -q '@BINDIR@' "$f" 2>/dev/null && bad "$u: @BINDIR@ not substituted" || ok
	case $u in
	*.service) grep -q '/usr/bin/comradarr' "$f" 2>/dev/null && ok || bad "$u does not run an installed binary" ;;
	esac
done
for s in sql/[0-9]*.sql; do
	[ -f "$dest/usr/share/comradarr/sql/$(basename "$s")" ] && ok || bad "$s not installed"
done
echo "install: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
