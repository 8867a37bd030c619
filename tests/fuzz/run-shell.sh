#!/bin/sh
# make check: the shell's end-marker framing (collect/shell.c) on its corpus and a few
# thousand mutations of it (see driver.c and fuzz_shell.c).
s=${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
exec "$s/tests/fuzz/run" shell "$@"
