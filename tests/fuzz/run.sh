#!/bin/sh
# Build and run the libFuzzer targets: lib/arr's splitter and parsers, the
# log redactor (no secret survives it), comradarr-serve's path
# canonicalisation and the *arr webhook payload parser.
#
#   sh tests/fuzz/run.sh short   ~20 s per target (what make check runs)
#   sh tests/fuzz/run.sh long    10 minutes per target (make fuzz)
#
# The targets are compiled with clang straight from the lib sources they
# need (no libcomradarr.a: it is built without coverage instrumentation)
# into build-fuzz/.  Without clang or its libFuzzer runtime the run says
# SKIPPED and why, and succeeds.
set -eu

mode=${1:-short}
case "$mode" in
short) secs=20 ;;
long) secs=600 ;;
*) echo "usage: $0 short|long" >&2; exit 2 ;;
esac

top=$(cd "$(dirname "$0")/../.." && pwd)
out="$top/build-fuzz"
CLANG=${CLANG:-clang}

if ! command -v "$CLANG" >/dev/null 2>&1; then
	echo "fuzz: SKIPPED: $CLANG is not installed (apt-get install clang)"
	exit 0
fi
mkdir -p "$out"
probe="$out/probe.c"
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n)\n{ (void)d; (void)n; return 0; }\n' > "$probe"
if ! "$CLANG" -fsanitize=fuzzer -o "$out/probe" "$probe" >/dev/null 2>&1; then
	echo "fuzz: SKIPPED: $CLANG has no libFuzzer runtime (apt-get install libclang-rt-14-dev)"
	exit 0
fi

pkgs="jansson libcurl libsodium"
cflags="-std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined -I$top/lib $(pkg-config --cflags $pkgs)"
libs="$(pkg-config --libs $pkgs) -lm -lpthread"
core="$top/lib/core/buf.c $top/lib/core/clock.c $top/lib/core/err.c $top/lib/core/log.c \
	$top/lib/core/jsonl.c"
arr="$top/lib/arr/jsplit.c $top/lib/arr/jget.c $top/lib/arr/quality.c \
	$top/lib/arr/parse_media.c $top/lib/arr/parse_misc.c $top/lib/arr/page.c \
	$top/lib/arr/client.c $top/lib/arr/httperr.c $top/lib/arr/retry.c \
	$top/lib/arr/webhook.c $top/lib/web/path.c"

status=0
npass=0
nfail=0
for t in jsplit parse redact webpath webhook; do
	bin="$out/fuzz_$t"
	corpus="$out/corpus_$t"
	mkdir -p "$corpus"
	# a few seeds in the shapes the apps send
	printf '[{"id":1,"title":"A","tmdbId":2,"movieFile":{"id":3,"quality":{"quality":{"id":7,"name":"Bluray-1080p"},"revision":{"version":1}}}}]' > "$corpus/seed_movie"
	printf '[{"id":5,"seriesId":1,"seasonNumber":1,"episodeNumber":2,"airDateUtc":"2020-01-01T00:00:00Z"},"x",1,[]]' > "$corpus/seed_episode"
	printf '{"page":1,"pageSize":2,"totalRecords":3,"records":[{"id":1},{"id":1}]}' > "$corpus/seed_page"
	printf '/api/connectors/tv%%20x/test' > "$corpus/seed_path"
	printf '{"eventType":"Grab","series":{"id":7},"episodes":[{"id":101},{"id":102}]}' > "$corpus/seed_grab"
	printf '{"eventType":"MovieDelete","movie":{"id":55}}' > "$corpus/seed_moviedelete"
	# shellcheck disable=SC2086
	"$CLANG" $cflags -o "$bin" "$top/tests/fuzz/fuzz_$t.c" $core $arr $libs
	echo "fuzz: fuzz_$t for ${secs}s"
	if ! "$bin" -max_total_time="$secs" -max_len=65536 -print_final_stats=0 \
		-artifact_prefix="$out/crash_${t}_" "$corpus" >"$out/fuzz_$t.log" 2>&1; then
		echo "fuzz: fuzz_$t FAILED; see $out/fuzz_$t.log and $out/crash_${t}_*"
		tail -n 30 "$out/fuzz_$t.log"
		status=1
		nfail=$((nfail + 1))
	else
		npass=$((npass + 1))
		echo "fuzz: fuzz_$t passed ($(grep -c . "$out/fuzz_$t.log") log lines," \
			"$(ls "$corpus" | wc -l) corpus entries)"
	fi
done
echo "fuzz: $npass passed, $nfail failed"
exit $status
