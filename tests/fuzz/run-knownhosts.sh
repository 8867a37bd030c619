#!/bin/sh
# make check: known_hosts files (collect/knownhosts.c) on its corpus and a few
# thousand mutations of it (see driver.c and fuzz_knownhosts.c).
s=${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
exec "$s/tests/fuzz/run" knownhosts "$@"
