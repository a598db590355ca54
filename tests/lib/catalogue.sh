# shellcheck shell=sh
# tests/lib/catalogue.sh - sourced by shell suites: every event a tool
# printed must be in comradarr(7)'s catalogue (".It Va name , name ...").
#   catalogue_check FILE...   prints "FAIL: ..." per unknown event; returns
#                             the number of unknown events (0: all known)
catalogue_names() {
	sed -n 's/^\.It Va //p' "$(dirname "$0")/../../man/comradarr.7" | tr ',' '\n' |
		sed 's/^ *//; s/ .*//' | grep -E '^[a-z_]+$' | sort -u
}
catalogue_check() {
	_known=$(catalogue_names)
	_bad=0
	for _e in $(cat "$@" 2>/dev/null | jq -r 'select(type == "object") | .event // empty' 2>/dev/null | sort -u); do
		if ! echo "$_known" | grep -qx "$_e"; then
			echo "FAIL: event '$_e' is not in the catalogue of man/comradarr.7"
			_bad=$((_bad + 1))
		fi
	done
	return "$_bad"
}
