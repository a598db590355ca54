#!/bin/sh
# The systemd units: every .timer starts a .service that exists and is
# enabled through timers.target; every tool's .service carries the common
# hardening; the timers whose missed runs must catch up are Persistent; and
# systemd-analyze (where installed) finds nothing wrong with any of them,
# checked on copies whose @BINDIR@ points at the build.
set -u
build=$1
cd "$(dirname "$0")/../.." || exit 1
case $build in /*) ;; *) build=$PWD/$build ;; esac
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for t in systemd/*.timer; do
	u=$(sed -n 's/^Unit=//p' "$t")
	[ -n "$u" ] && [ -f "systemd/$u" ] && ok || bad "$t starts '$u', which is not in systemd/"
	grep -qx 'WantedBy=timers.target' "$t" && ok || bad "$t is not wanted by timers.target"
done
# a missed schedule, sync or dispatch tick should run at boot
for t in schedule sync reconcile dispatch; do
	[ -f "systemd/comradarr-$t.timer" ] || { bad "comradarr-$t.timer is missing"; continue; }
	grep -qx 'Persistent=true' "systemd/comradarr-$t.timer" && ok || bad "comradarr-$t.timer is not Persistent"
done
grep -qx 'OnCalendar=minutely' systemd/comradarr-schedule.timer && ok ||
	bad "comradarr-schedule.timer does not run every minute"
[ ! -e systemd/comradarr-sweep.timer ] && ok || bad "comradarr-sweep.timer is back: the schedules replace it"
# what every tool's service has (comradarr-db runs PostgreSQL itself, as its own user)
for s in systemd/*.service; do
	[ "$s" = systemd/comradarr-db.service ] && continue
	for k in NoNewPrivileges=yes ProtectSystem=strict ProtectHome=yes PrivateTmp=yes \
		PrivateDevices=yes ProtectKernelTunables=yes ProtectKernelModules=yes \
		ProtectControlGroups=yes RestrictSUIDSGID=yes RestrictRealtime=yes \
		LockPersonality=yes SystemCallArchitectures=native CapabilityBoundingSet= \
		UMask=0077 User=comradarr; do
		grep -qx -- "$k" "$s" && ok || bad "$s lacks $k"
	done
done
if command -v systemd-analyze >/dev/null 2>&1; then
	for f in systemd/*.service systemd/*.timer; do
		sed "s|@BINDIR@|$build/bin|g" "$f" >"$tmp/$(basename "$f")"
	done
	for f in "$tmp"/*; do
		out=$(systemd-analyze verify --man=no "$f" 2>&1 | grep -v -e 'postgresql.service' -e 'network-online')
		[ -z "$out" ] && ok || bad "systemd-analyze verify $(basename "$f"): $out"
	done
else
	echo "systemd-analyze not installed: the units' syntax is not checked"
fi
echo "units: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
