#!/bin/sh
# make check: the one text sanitiser (util/text.c) on hostile strings and a
# few thousand mutations of them (see driver.c and fuzz_text.c's invariants).
s=${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
exec "$s/tests/fuzz/run" text "$@"
