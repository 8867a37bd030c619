#!/bin/sh
# make check: runner list and systemctl list-units output (provider/parse.c) on its corpus and a few
# thousand mutations of it (see driver.c and fuzz_runners.c).
s=${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
exec "$s/tests/fuzz/run" runners "$@"
