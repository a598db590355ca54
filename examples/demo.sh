#!/bin/sh
# make demo: a whole Comradarr installation on this machine, with nothing of
# yours touched.  It builds (already done by make), creates an embedded
# PostgreSQL under build/demo/home, starts fake Sonarr and Radarr instances
# with a generated library, adds them as connectors, runs the job, and leaves
# everything running so you can look around.  Stop it with:
#   sh examples/demo.sh stop
set -eu
# demo.sh [BUILD] [stop]: BUILD is make's build folder (default build)
action=start
case "${1:-}" in
stop) build=build; action=stop ;;
*) build=${1:-build}; [ "${2:-}" = stop ] && action=stop ;;
esac
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
case $build in
/*) bdir=$build ;;
*) bdir=$root/$build ;;
esac
bin="$bdir/bin"
# COMRADARR_DEMO_DIR: somewhere else than BUILD/demo (the tests use it)
demo=${COMRADARR_DEMO_DIR:-$bdir/demo}
# As root the embedded PostgreSQL runs as the system user comradarr, which
# must be able to enter every folder above its data: a clone under /root
# (mode 0700) is out of its reach, so the demo lives under /var/tmp then,
# at a path derived from the build folder (so 'stop' finds it again).
others_can_enter() {
	d=$1
	while [ "$d" != / ] && [ -n "$d" ]; do
		[ -e "$d" ] || { d=$(dirname "$d"); continue; }
		case $(stat -c %A "$d") in
		?????????[xt]) ;;
		*) return 1 ;;
		esac
		d=$(dirname "$d")
	done
}
if [ -z "${COMRADARR_DEMO_DIR:-}" ] && [ "$(id -u)" -eq 0 ] && ! others_can_enter "$bdir"; then
	demo=/var/tmp/comradarr-demo-$(printf '%s' "$bdir" | cksum | cut -d' ' -f1)
fi
export COMRADARR_HOME="$demo/home"
export PATH="$bin:$PATH"
unset DATABASE_URL
export SECRET_KEY_FILE="$demo/secret.key"

# stop: every process the demo started (their pids are in $demo/*.pid),
# waited for, then the embedded PostgreSQL
stop() {
	for p in "$demo"/*.pid; do
		[ -f "$p" ] || continue
		pid=$(cat "$p")
		if kill "$pid" 2>/dev/null; then
			i=0
			while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
			kill -9 "$pid" 2>/dev/null || true
		fi
		rm -f "$p"
	done
	if [ -d "$COMRADARR_HOME/pg" ] && [ -f "$SECRET_KEY_FILE" ]; then
		comradarr db stop --format human || true
	fi
}
if [ "$action" = stop ]; then
	stop
	exit 0
fi

# a fresh demo each time: stop the last one and start from nothing
stop 2>/dev/null || true
rm -rf "$demo"
mkdir -p "$demo"
chmod 0755 "$demo"
[ -f "$demo/secret.key" ] || { od -An -N32 -tx1 /dev/urandom | tr -d ' \n' > "$demo/secret.key"; chmod 600 "$demo/secret.key"; }

say() { printf '\n== %s\n' "$*"; }

say "embedded PostgreSQL under $COMRADARR_HOME"
comradarr db init
comradarr db start
comradarr migrate

# start_fake NAME APP PORTFILE ARGS...: a fake *arr in the background
start_fake() {
	name=$1 app=$2
	shift 2
	"$bin/fakearr" --app "$app" --port 0 --api-key "demo-$name-key-0123456789abcdef" "$@" \
		> "$demo/$name.out" 2> "$demo/$name.log" &
	echo $! > "$demo/$name.pid"
	i=0
	until grep -q listening "$demo/$name.out" 2>/dev/null; do
		i=$((i + 1)); [ $i -lt 100 ] || { echo "demo: fake $app did not start; see $demo/$name.log"; exit 1; }
		sleep 0.1
	done
	sed -n 's/.*"port":\([0-9]*\).*/\1/p' "$demo/$name.out"
}

say "fake Sonarr and Radarr with a generated library"
tv_port=$(start_fake tv sonarr --seed 7 --series 40 --seasons 3 --episodes 10 --missing 0.15 --cutoff 0.1 --command-ms 300 --grab 0.6)
films_port=$(start_fake films radarr --seed 7 --movies 300 --missing 0.1 --cutoff 0.1 --command-ms 300 --grab 0.6)
echo "sonarr on 127.0.0.1:$tv_port, radarr on 127.0.0.1:$films_port"

say "connectors"
for c in tv:sonarr:$tv_port films:radarr:$films_port; do
	name=${c%%:*} rest=${c#*:} type=${rest%%:*} port=${rest#*:}
	comradarr connector rm "$name" >/dev/null 2>&1 || true
	printf 'demo-%s-key-0123456789abcdef\n' "$name" |
		comradarr connector add "$name" --type "$type" --url "http://127.0.0.1:$port" --api-key-file -
done
comradarr connector list

say "connector test"
comradarr connector test tv
comradarr connector test films

# A quick profile so the demo finishes in seconds: 60 indexer queries a
# minute per connector, 400 a day.  Real installations keep the Moderate
# default (5 a minute, 500 a day) or something gentler.
say "a throttle profile for the demo"
comradarr profile add demo --rpm 60 --batch 10 --daily-budget 400 >/dev/null
comradarr profile assign tv demo >/dev/null
comradarr profile assign films demo >/dev/null
comradarr profile show demo

# Notifications: the events of the run below go to a webhook receiver and an
# SMTP server on loopback (the test suite's, which check each request the way
# the services do), each exactly once.
notify_demo=0
if [ -x "$bin/comradarr-notify" ] && /usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null &&
	command -v openssl >/dev/null; then
	notify_demo=1
	say "notification channels: a webhook and an SMTP server on loopback"
	# start_bg NAME CMD...: a server in the background (not in a $(...): the
	# shell would wait on it); port_of NAME: its port once it listens
	start_bg() {
		name=$1
		shift
		"$@" > "$demo/$name.port" 2> "$demo/$name.log" &
		echo $! > "$demo/$name.pid"
	}
	port_of() {
		i=0
		until [ -s "$demo/$1.port" ]; do
			i=$((i + 1)); [ $i -lt 100 ] || { echo "demo: $1 did not start; see $demo/$1.log" >&2; exit 1; }
			sleep 0.1
		done
		head -n 1 "$demo/$1.port"
	}
	od -An -N16 -tx1 /dev/urandom | tr -d ' \n' > "$demo/hmac.secret"
	start_bg webhook /usr/bin/python3 tests/notify/receiver.py "$demo/webhook.jsonl" \
		"$(cat "$demo/hmac.secret")"
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$demo/smtp.key" -out "$demo/smtp.crt" \
		-days 1 -subj /CN=127.0.0.1 >/dev/null 2>&1
	mkdir -p "$demo/mail"
	printf 'demo-smtp-password\n' > "$demo/smtp.password"
	start_bg smtp /usr/bin/python3 tests/notify/smtpd.py "$demo/mail" "$demo/smtp.crt" \
		"$demo/smtp.key" demo "$(cat "$demo/smtp.password")"
	hook_port=$(port_of webhook)
	smtp_port=$(port_of smtp)
	printf 'http://127.0.0.1:%s/webhook/demo\n' "$hook_port" |
		comradarr channel add hook --type webhook --webhook-url-file - \
			--hmac-secret-file "$demo/hmac.secret" --batch-window 0
	comradarr channel add mail --type email --url "smtp://127.0.0.1:$smtp_port" --no-tls-verify \
		--from comradarr@demo.invalid --to you@demo.invalid --username demo \
		--password-file "$demo/smtp.password" --batch-window 0 --min-severity info
	comradarr channel test mail
fi

say "comradarr sync"
comradarr-sync
say "comradarr discover | comradarr enqueue"
comradarr-discover --format human | tail -n 3
comradarr-discover | comradarr-enqueue --format human | tail -n 3
say "comradarr dispatch --once (one minute's budget, then the rest waits its turn)"
comradarr-dispatch --once --max-wait 0 --poll 250
say "comradarr queue status"
comradarr queue status

say "the database now holds"
psql "host=$COMRADARR_HOME/run port=5432 user=comradarr dbname=comradarr" -P pager=off -c "
	SELECT c.name AS connector, c.type, c.health,
	       (SELECT count(*) FROM series s WHERE s.connector_id = c.id) AS series,
	       (SELECT count(*) FROM episodes e WHERE e.connector_id = c.id) AS episodes,
	       (SELECT count(*) FROM movies m WHERE m.connector_id = c.id) AS movies,
	       (SELECT count(*) FROM search_registry r WHERE r.connector_id = c.id) AS registry,
	       (SELECT count(*) FROM request_queue q WHERE q.connector_id = c.id) AS queued
	FROM connectors c ORDER BY c.name"

if [ "$notify_demo" = 1 ]; then
	say "comradarr notify --once: the run's events to the webhook and the mailbox, once each"
	comradarr-notify --once --format human
	echo "the webhook received $(wc -l < "$demo/webhook.jsonl") signed requests ($demo/webhook.jsonl);"
	echo "the SMTP server $(find "$demo/mail" -name '*.eml' | wc -l) messages ($demo/mail)"
fi

if [ -x "$bin/comradarr-serve" ]; then
	say "the web UI"
	# an administrator with a generated password, shown here once: the demo
	# listens on loopback only, but it is still a real login
	pass=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
	printf '%s\n' "$pass" | comradarr user add admin --password-file - >/dev/null
	# COMRADARR_DEMO_LISTEN: another address (default: loopback, port 3000,
	# or any free port when 3000 is taken)
	listen=${COMRADARR_DEMO_LISTEN:-127.0.0.1:3000}
	start_serve() {
		"$bin/comradarr-serve" --listen "$1" --format json > "$demo/serve.out" 2> "$demo/serve.log" &
		echo $! > "$demo/serve.pid"
		i=0
		until grep -q '"port"' "$demo/serve.out" 2>/dev/null; do
			kill -0 "$(cat "$demo/serve.pid")" 2>/dev/null || return 1
			i=$((i + 1)); [ $i -lt 100 ] || return 1
			sleep 0.1
		done
	}
	if ! start_serve "$listen"; then
		if [ -n "${COMRADARR_DEMO_LISTEN:-}" ] || ! start_serve 127.0.0.1:0; then
			echo "demo: comradarr-serve did not start; see $demo/serve.log"
			exit 1
		fi
	fi
	port=$(sed -n 's/.*"port":\([0-9]*\).*/\1/p' "$demo/serve.out" | head -n 1)
	host=$(sed -n 's/.*"host":"\([^"]*\)".*/\1/p' "$demo/serve.out" | head -n 1)
	case $host in *:*) host="[$host]" ;; esac
	echo "open   http://$host:$port/"
	echo "user   admin"
	echo "pass   $pass"
fi
say "done; the web UI, the fakes and the database keep running: stop them with 'sh examples/demo.sh stop'"
