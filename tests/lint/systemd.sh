#!/bin/sh
# Every unit as installed passes `systemd-analyze verify`, every service
# carries the same hardening and rates "OK" or better in
# `systemd-analyze security --offline`, and the examples/systemd drop-ins
# name only units that exist.
# Usage: systemd.sh BUILD_DIR
set -u
build=$1
cd "$(dirname "$0")/../.." || exit 1
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
command -v systemd-analyze >/dev/null 2>&1 || { echo "SKIPPED: systemd-analyze not installed"; exit 0; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# install the units with @BINDIR@ pointing at this build, as make install does
bindir=$(cd "$build/bin" && pwd)
mkdir -p "$tmp/units"
for u in systemd/*.service systemd/*.timer; do
	sed "s|@BINDIR@|$bindir|g" "$u" >"$tmp/units/$(basename "$u")"
done
# the hardening every service must carry (the unit may add, never drop)
required="NoNewPrivileges=yes ProtectSystem=strict ProtectHome=yes PrivateTmp=yes
PrivateDevices=yes ProtectKernelTunables=yes ProtectKernelModules=yes ProtectKernelLogs=yes
ProtectControlGroups=yes RestrictNamespaces=yes LockPersonality=yes MemoryDenyWriteExecute=yes
RestrictAddressFamilies=AF_UNIX+AF_INET+AF_INET6 SystemCallFilter=@system-service
CapabilityBoundingSet= LimitCORE=0 User=comradarr EnvironmentFile=-/etc/comradarr/comradarr.env"

for u in "$tmp"/units/*; do
	n=$(basename "$u")
	if out=$(cd "$tmp/units" && SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no "./$n" 2>&1) &&
		[ -z "$(echo "$out" | grep -v 'Cannot add dependency job\|Failed to.*comradarr.*user\|is not in the unit search path')" ]; then
		ok
	else
		# verify checks the whole dependency graph: only messages about
		# this unit count
		msgs=$(echo "$out" | grep -F "$n" | grep -v 'Cannot add dependency job')
		if [ -n "$msgs" ]; then bad "$n: systemd-analyze verify:"; echo "$msgs" | sed 's/^/  /'; else ok; fi
	fi
	case $n in *.service) ;; *) continue ;; esac
	for r in $required; do
		r=$(echo "$r" | tr + ' ')
		grep -qxF "$r" "$u" && ok || bad "$n lacks $r"
	done
	line=$(systemd-analyze security --offline=yes --root=/ "$u" 2>/dev/null |
		grep -E 'Overall exposure level' | tail -n 1)
	level=$(echo "$line" | sed -E 's/.*: *([0-9.]+) *([A-Z]+).*/\1 \2/')
	echo "$n: exposure ${level:-unknown}"
	case $level in
	*SAFE | *OK) ok ;;
	*) bad "$n: exposure '${level:-unknown}' is worse than OK" ;;
	esac
done

# every timer starts a unit that exists; a missed schedule, sync or
# dispatch tick runs at boot; the schedules replaced the hourly sweep unit
for t in systemd/*.timer; do
	u=$(sed -n 's/^Unit=//p' "$t")
	[ -n "$u" ] && [ -f "systemd/$u" ] && ok || bad "$t starts '$u', which is not in systemd/"
	grep -qx 'WantedBy=timers.target' "$t" && ok || bad "$t is not wanted by timers.target"
done
for t in schedule sync sync-full dispatch maint backup; do
	[ -f "systemd/comradarr-$t.timer" ] || { bad "comradarr-$t.timer is missing"; continue; }
	grep -qx 'Persistent=true' "systemd/comradarr-$t.timer" && ok || bad "comradarr-$t.timer is not Persistent"
done
grep -qx 'OnCalendar=minutely' systemd/comradarr-schedule.timer && ok ||
	bad "comradarr-schedule.timer does not run every minute"
[ ! -e systemd/comradarr-sweep.timer ] && ok || bad "comradarr-sweep.timer is back: the schedules replace it"

# the drop-ins in examples/systemd name units that exist
for d in examples/systemd/*.conf; do
	for ref in $(grep -oE 'comradarr-[a-z-]+\.(service|timer)' "$d" | sort -u); do
		[ -f "systemd/$ref" ] && ok || bad "$d names $ref, which does not exist"
	done
	# and their keys are ones systemd knows, in the section they name
	for kind in service timer; do
		sect=$(echo "$kind" | sed 's/^./\u&/')
		grep -q "^\[$sect\]" "$d" || continue
		sed -n "/^\[$sect\]/,/^\[/p" "$d" | grep -v '^\[' | grep -v '^#' | grep . |
			sed "s|/usr/local/bin/|$bindir/|g" >"$tmp/drop.lines"
		awk -v f="$tmp/drop.lines" '{ print } $0 == "['"$sect"']" { while ((getline l < f) > 0) print l }' \
			"$tmp/units/comradarr-sync.$kind" >"$tmp/drop.$kind"
		sed -i 's/^Unit=.*/Unit=drop.service/' "$tmp/drop.$kind"
		[ "$kind" = timer ] && cp "$tmp/units/comradarr-sync.service" "$tmp/drop.service"
		out=$(cd "$tmp" && systemd-analyze verify --man=no "./drop.$kind" 2>&1 | grep -F "drop.$kind")
		[ -z "$out" ] && ok || bad "$d: $out"
	done
done

echo "systemd: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
