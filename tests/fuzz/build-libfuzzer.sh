#!/bin/sh
# Builds the fuzz targets as real libFuzzer binaries (clang,
# -fsanitize=fuzzer,address,undefined) into tests/fuzz/out/, compiling the
# src/ files each target needs directly: no special ./configure needed.
#
#   sh tests/fuzz/build-libfuzzer.sh                  build every target
#   sh tests/fuzz/build-libfuzzer.sh --run fleet 60   build, then fuzz 60 s
#   make fuzz [FUZZ_TARGET=fleet] [FUZZ_TIME=60]      the same, from make
#
# Run from the build tree (for config.h; one is made up if none is found).
# A run keeps what it learns in tests/fuzz/out/corpus-NAME/ and leaves any
# crashing input as tests/fuzz/out/crash-*; replay one with
#   tests/fuzz/out/fuzz_NAME tests/fuzz/out/crash-...
# or with the gcc build: tests/fuzz/fuzz_NAME tests/fuzz/out/crash-...
# Set CC to choose the compiler (default clang).
#
# A new target: one `target NAME "SOURCES" "EXTRA_SEED_DIRS"` line below.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
srcdir=$(cd "$here/../.." && pwd)
builddir=$(pwd)
out="$builddir/tests/fuzz/out"
CC=${CC:-clang}
CFLAGS="-g -O1 -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
	-fno-omit-frame-pointer -Wall -Wno-unused-parameter"

mkdir -p "$out"
confdir=$builddir
if [ ! -f "$confdir/config.h" ]; then
	confdir=$srcdir
	if [ ! -f "$confdir/config.h" ]; then
		confdir="$out/include"
		mkdir -p "$confdir"
		: > "$confdir/config.h"
	fi
fi

targets=""
target() {
	name=$1 sources=$2
	eval "seeds_$name=\"\$3\""
	targets="$targets $name"
	echo "  FUZZ     $out/fuzz_$name"
	# shellcheck disable=SC2086
	(cd "$srcdir" && $CC $CFLAGS -I"$srcdir/src" -I"$confdir" \
		-o "$out/fuzz_$name" "tests/fuzz/fuzz_$name.c" $sources -lm)
}

target fleet "src/util/util.c src/util/text.c src/fleet/*.c -ljansson" "$srcdir/data"
target probe "src/util/util.c src/util/text.c src/collect/probe.c -ljansson" ""
target containers "src/util/util.c src/util/text.c src/collect/container_parse.c -ljansson" "$srcdir/tests/data/containers"
target backups "src/util/util.c src/util/text.c src/collect/backup_parse.c -ljansson" ""
target gpus "src/util/util.c src/util/text.c src/collect/gpu_parse.c src/collect/svc_check.c src/collect/http.c src/loop/pollset.c -ljansson -lcurl" "$srcdir/tests/data/gpus"
target prom "src/util/util.c src/util/text.c src/collect/prom_parse.c -ljansson" "$srcdir/tests/data/prometheus"
target text "src/util/util.c src/util/text.c -ljansson" ""

if [ "${1:-}" = "--run" ]; then
	name=${2:-fleet}
	time=${3:-60}
	eval "seeds=\${seeds_$name:-}"
	mkdir -p "$out/corpus-$name"
	cd "$out"
	# shellcheck disable=SC2086
	exec "./fuzz_$name" -max_total_time="$time" -print_final_stats=1 \
		-timeout=10 -rss_limit_mb=2048 -artifact_prefix="$out/" \
		"corpus-$name" "$srcdir/tests/fuzz/corpus/$name" $seeds
fi
