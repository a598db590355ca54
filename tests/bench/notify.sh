#!/bin/sh
# tests/bench/notify.sh BUILD - comradarr-notify's routing on a big outbox
# (make bench runs it from tests/bench/run.sh; not a test).  Needs a
# PostgreSQL to create a database in (PG* as inside pg_virtualenv).
#
# CHANNELS channels (default 8) of the default selection read an outbox of
# ITEMS item events (default 200000, what a big first sync writes) and 2000
# discoveries; then every channel takes 'all' and reads ITEMS / 4 more.
# Prints the wall time of each round and the plan of the outbox read.
set -eu
build=${1:-build}
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=$root/$build/bin
CHANNELS=${CHANNELS:-8} ITEMS=${ITEMS:-200000}
tmp=$(mktemp -d)
trap 'dropdb --if-exists bench_notify >/dev/null 2>&1; rm -rf "$tmp"' EXIT
export SECRET_KEY=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
export COMRADARR_HOME=$tmp/home LOG_LEVEL=warn LOG_FORMAT=json
createdb bench_notify
export DATABASE_URL=dbname=bench_notify
q() { psql -XAtq -d bench_notify -c "$1"; }
now() { date +%s.%N; }
"$bin/comradarr" migrate >/dev/null
i=0
while [ $i -lt "$CHANNELS" ]; do
	i=$((i + 1))
	# nothing listens there: the rounds below only route (the window is an hour)
	printf 'http://127.0.0.1:9/discord/%s\n' "bench-token-$i-0123456789" >"$tmp/url"
	"$bin/comradarr" channel add "c$i" --type discord --webhook-url-file "$tmp/url" \
		--batch-window 3600 </dev/null >/dev/null
done
q "INSERT INTO events (kind, payload) SELECT 'item_added', jsonb_build_object('type', 'episode',
	'series_arr_id', g % 500, 'title', 'Episode ' || g) FROM generate_series(1, $ITEMS) g"
q "INSERT INTO events (kind, payload) SELECT 'discover_done', jsonb_build_object('gaps', g,
	'upgrades', 1) FROM generate_series(1, 2000) g"
q "ANALYZE events"
s=$(now)
"$bin/comradarr-notify" --once >"$tmp/r1"
e=$(now)
printf '%-60s %8.2f s  (%s deliveries)\n' "default selection: $CHANNELS channels, $((ITEMS + 2000)) events" \
	"$(echo "$e - $s" | bc)" "$(q 'SELECT count(*) FROM notify_deliveries')"
q "UPDATE notify_channels SET events = '{all}'"
q "INSERT INTO events (kind, payload) SELECT 'item_added', jsonb_build_object('type', 'episode',
	'series_arr_id', g % 500, 'title', 'Episode ' || g) FROM generate_series(1, $((ITEMS / 4))) g"
s=$(now)
"$bin/comradarr-notify" --once >"$tmp/r2"
e=$(now)
printf '%-60s %8.2f s  (%s deliveries)\n' "'all': $CHANNELS channels, $((ITEMS / 4)) more events" \
	"$(echo "$e - $s" | bc)" "$(q 'SELECT count(*) FROM notify_deliveries')"
x=$(q "SELECT min(xid)::text FROM events")
echo "the outbox read (a batch of 5000 past a cursor):"
psql -XAq -d bench_notify -c "EXPLAIN (ANALYZE, COSTS OFF) SELECT e.id FROM events e
	WHERE (e.xid, e.id) > ('$x'::xid8, $((ITEMS / 2))::bigint)
	AND e.xid < pg_snapshot_xmin(pg_current_snapshot())
	AND e.kind <> ALL ('{item_added,file_gained}'::text[]) ORDER BY e.xid, e.id LIMIT 5000"
