# shellcheck shell=sh disable=SC2154 # bin and tmp are the sourcing suite's
# tests/lib/fake.sh - sourced by shell suites and benches: start a fake *arr
# app (tests/fakearr) on a free loopback port.
#   fake NAME ARGS...   starts "$bin/fakearr --port 0 ARGS...", waits until
#                       it prints its port and prints that port.  Its API key
#                       is $fake_key, else key-NAME-0123456789abcdef.  Output
#                       goes to $tmp/NAME.out/.err and the pid to
#                       $tmp/NAME.pid: callers use $(fake ...), a subshell,
#                       so the pid file is how their cleanup finds it.
#   $fake_wait          tenths of a second to wait for the port (default 100)
fake() {
	_n=$1
	shift
	"$bin/fakearr" --port 0 --api-key "${fake_key:-key-$_n-0123456789abcdef}" "$@" \
		>"$tmp/$_n.out" 2>"$tmp/$_n.err" &
	echo $! >"$tmp/$_n.pid"
	_i=0
	until grep -q '"port"' "$tmp/$_n.out" 2>/dev/null; do
		_i=$((_i + 1))
		[ "$_i" -lt "${fake_wait:-100}" ] || { echo "fake $_n did not start" >&2; exit 1; }
		sleep 0.1
	done
	sed -n 's/.*"port":\([0-9]*\).*/\1/p' "$tmp/$_n.out"
}
