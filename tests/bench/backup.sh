#!/bin/sh
# tests/bench/backup.sh BUILD - comradarr-backup on a 1M-episode database
# (make bench runs it; not a test): wall time and peak RSS of create,
# verify and restore into a fresh database, and the archive's size.  Needs
# a PostgreSQL to create databases in (PGHOST etc., as inside
# pg_virtualenv); SERIES (default 10000) series of 100 episodes.
set -eu
build=${1:-build}
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=$root/$build/bin
series=${SERIES:-10000}
tmp=$(mktemp -d)
src="bench_backup_src_$$"
dst="bench_backup_dst_$$"
cleanup() {
	psql -Xq -d postgres -c "DROP DATABASE IF EXISTS $src WITH (FORCE)" \
		-c "DROP DATABASE IF EXISTS $dst WITH (FORCE)" >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT
psql -Xq -d postgres -c "CREATE DATABASE $src" -c "CREATE DATABASE $dst" >/dev/null
export SECRET_KEY=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
export COMRADARR_HOME=$tmp/home LOG_LEVEL=warn LOG_FORMAT=json DATABASE_URL="dbname=$src"
"$bin/comradarr" migrate >/dev/null
echo benchkey1234567890 | "$bin/comradarr" connector add tv --type sonarr \
	--url http://127.0.0.1:9 --api-key-file - >/dev/null
# the mirror of bench_discover: 100 episodes a series, ~90% with a file
psql -Xq -d "$src" <<SQL
INSERT INTO quality_profiles (connector_id, arr_id, name, upgrade_allowed, cutoff_quality_id)
	VALUES (1, 1, 'HD', true, 7);
INSERT INTO series (connector_id, arr_id, title, monitored, quality_profile_id)
	SELECT 1, s, 'Series ' || s, true, 1 FROM generate_series(1, $series) s;
INSERT INTO seasons (series_id, season_number, monitored, total_episode_count)
	SELECT id, n, true, 10 FROM series, generate_series(1, 10) n;
INSERT INTO episode_files (connector_id, series_id, arr_id, season_number, quality_id,
	quality_name, custom_format_score)
	SELECT 1, s.id, s.arr_id * 100 + n, (n - 1) / 10 + 1, 7, 'Q', 100
	FROM series s, generate_series(1, 100) n WHERE n % 10 <> 3;
INSERT INTO episodes (connector_id, series_id, arr_id, season_number, episode_number, title,
	air_date_utc, runtime, monitored, has_file, episode_file_id)
	SELECT 1, s.id, s.arr_id * 100 + n, (n - 1) / 10 + 1, (n - 1) % 10 + 1, 'Episode ' || n,
	now() - (100 - n) * interval '7 days', 45, true, n % 10 <> 3,
	CASE WHEN n % 10 <> 3 THEN s.arr_id * 100 + n END
	FROM series s, generate_series(1, 100) n;
ANALYZE;
CHECKPOINT;
SQL
eps=$(psql -XAtq -d "$src" -c "SELECT count(*) FROM episodes")
measure() {	# measure LABEL CMD...: one line of seconds and peak RSS
	label=$1; shift
	/usr/bin/time -f '%e %M' -o "$tmp/time" "$@" >"$tmp/out.jsonl" 2>"$tmp/err" ||
		{ echo "$label failed:" >&2; tail -n 3 "$tmp/err" >&2; exit 1; }
	printf '%-34s %8.2f s %8d MB RSS\n' "$label" "$(cut -d' ' -f1 "$tmp/time")" \
		"$(($(cut -d' ' -f2 "$tmp/time") / 1024))"
}
echo "comradarr-backup, $series series x 100 = $eps episodes:"
measure "create" "$bin/comradarr-backup" create --output "$tmp/b.tar" --json
echo "   archive: $(($(stat -c %s "$tmp/b.tar") / 1048576)) MB, $(tar tf "$tmp/b.tar" | wc -l) members"
measure "verify" "$bin/comradarr-backup" verify "$tmp/b.tar" --json
DATABASE_URL="dbname=$dst" measure "restore into an empty database" \
	"$bin/comradarr-backup" restore "$tmp/b.tar" --json
DATABASE_URL="dbname=$dst" measure "restore over the restored one" \
	"$bin/comradarr-backup" restore "$tmp/b.tar" --json
measure "create --no-mirror" "$bin/comradarr-backup" create --output "$tmp/n.tar" --no-mirror --json
echo "   archive: $(($(stat -c %s "$tmp/n.tar") / 1024)) KB"
[ "$(psql -XAtq -d "$dst" -c "SELECT count(*) FROM episodes")" -eq "$eps" ] ||
	echo "the restored database does not hold $eps episodes" >&2
