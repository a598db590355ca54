#!/bin/sh
# tests/bench/serve_events.sh BUILD - comradarr-serve's event stream under
# load (make bench, from serve.sh; not a test): STREAMS open streams (default
# 200), then EVENTS events (default 2000) written in batches of 100; prints
# the server's memory per open stream, its CPU time per event delivered to
# every stream, the database connections it holds, and /healthz's answer
# time while the streams are open (they must not hold the worker threads).
set -eu
build=${1:-build}
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
if [ -z "${COMRADARR_IN_PGENV:-}" ]; then
	COMRADARR_IN_PGENV=1 exec pg_virtualenv -t -o fsync=off -o synchronous_commit=off \
		-o full_page_writes=off sh "$0" "$@"
fi
STREAMS=${STREAMS:-200} EVENTS=${EVENTS:-2000}
bin=$root/$build/bin
tmp=$(mktemp -d)
pid=
client=
cleanup() {
	[ -n "$client" ] && kill "$client" 2>/dev/null && wait "$client" 2>/dev/null
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	dropdb --if-exists benchevents 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
export SECRET_KEY=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
export COMRADARR_HOME=$tmp/home LOG_LEVEL=warn LOG_FORMAT=json
createdb benchevents
export DATABASE_URL=dbname=benchevents PGDATABASE=benchevents
"$bin/comradarr" migrate >/dev/null
# a key answers 600 requests a minute: one key for every 50 streams
keys=
k=0
while [ $k -lt $(( (STREAMS + 49) / 50 )) ]; do
	keys="$keys${keys:+,}$("$bin/comradarr" apikey add --description bench --scope read --json | jq -r .api_key)"
	k=$((k + 1))
done
key=${keys%%,*}

"$bin/comradarr-serve" --listen 127.0.0.1:0 --json --threads 4 --no-access-log \
	--event-streams "$STREAMS" --event-streams-per-user "$STREAMS" >"$tmp/serve.out" 2>"$tmp/serve.err" &
pid=$!
i=0
until grep -q '"serve_listening"' "$tmp/serve.out" 2>/dev/null; do
	i=$((i + 1)); [ $i -lt 300 ] || { echo "the server did not start" >&2; exit 1; }
	sleep 0.1
done
port=$(sed -n 's/.*"serve_listening".*"port":\([0-9]*\).*/\1/p' "$tmp/serve.out")
tck=$(getconf CLK_TCK)
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$pid/stat"; }
rss() { awk '/VmRSS/ { print $2 }' "/proc/$pid/status"; }
threads() { awk '/Threads/ { print $2 }' "/proc/$pid/status"; }

# the client: STREAMS sockets, each counting the events it is sent; it
# writes "open" once every stream has its first bytes, "done N" at the end
cat >"$tmp/client.py" <<'PY'
import selectors, socket, sys, time
port, n, want, keys, out = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4].split(","), sys.argv[5]
sel = selectors.DefaultSelector()
counts, started, tail = {}, set(), {}
for i in range(n):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(("GET /api/events HTTP/1.0\r\nHost: x\r\nAccept: text/event-stream\r\n"
               "X-Api-Key: %s\r\n\r\n" % keys[i // 50]).encode())
    s.setblocking(False)
    sel.register(s, selectors.EVENT_READ, i)
    counts[i] = 0
def report(msg):
    with open(out, "a") as f:
        f.write(msg + "\n")
opened = False
deadline = time.time() + 600
while time.time() < deadline:
    for k, _ in sel.select(1):
        data = k.fileobj.recv(65536)
        if not data:
            sel.unregister(k.fileobj)
            continue
        if k.data not in started and not data.startswith(b"HTTP/1.1 200"):
            report("refused " + data.split(b"\r\n")[0].decode())
            sys.exit(1)
        started.add(k.data)
        # a frame may start a read: count with the byte before it
        counts[k.data] += (tail.get(k.data, b"") + data).count(b"\nid: ")
        tail[k.data] = data[-1:]
    if not opened and len(started) == n:
        opened = True
        report("open")
    if opened and min(counts.values()) >= want:
        break
report("done %d %d" % (min(counts.values()), max(counts.values())))
PY
python3 "$tmp/client.py" "$port" "$STREAMS" "$EVENTS" "$keys" "$tmp/client.out" &
client=$!
rss0=$(rss)
i=0
until grep -q '^open' "$tmp/client.out" 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 600 ] && ! grep -q '^refused' "$tmp/client.out" 2>/dev/null ||
		{ echo "the streams did not open: $(cat "$tmp/client.out" 2>/dev/null)" >&2; exit 1; }
	sleep 0.1
done
sleep 1
rss1=$(rss)
open=$(curl -s -H "X-Api-Key: $key" "http://127.0.0.1:$port/metrics" | awk '/^comradarr_event_streams / { print $2 }')
conns=$(psql -XAtq -c "SELECT count(*) FROM pg_stat_activity WHERE datname = 'benchevents' AND application_name LIKE 'comradarr-serve%'")
hz=$(curl -s -o /dev/null -w '%{http_code} in %{time_total}s' "http://127.0.0.1:$port/healthz")
echo "comradarr-serve event streams: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "   $open streams open: RSS ${rss0} -> ${rss1} kB ($(( (rss1 - rss0) * 1024 / STREAMS )) bytes a stream)," \
	"$(threads) threads, $conns database connections; /healthz meanwhile: $hz"
c0=$(cpu_ticks)
t0=$(date +%s.%N)
b=0
while [ $b -lt $((EVENTS / 100)) ]; do
	psql -XAtq -c "INSERT INTO events (kind, payload) SELECT 'search_outcome',
		jsonb_build_object('outcome', 'grabbed', 'n', g) FROM generate_series(1, 100) g"
	b=$((b + 1))
done
wait "$client" || true
client=
t1=$(date +%s.%N)
c1=$(cpu_ticks)
rss2=$(rss)
got=$(sed -n 's/^done //p' "$tmp/client.out")
awk -v a="$c0" -v b="$c1" -v t="$tck" -v e="$EVENTS" -v s="$STREAMS" -v w0="$t0" -v w1="$t1" \
	-v got="$got" -v r="$rss2" 'BEGIN {
	cpu = (b - a) / t
	printf "   %d events to %d streams (each got min/max %s): server CPU %.2f s, %.1f us an event, %.2f us an event a stream; %.1f s wall; RSS after %d kB\n",
		e, s, got, cpu, cpu * 1e6 / e, cpu * 1e6 / e / s, w1 - w0, r }'
