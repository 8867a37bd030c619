#!/bin/sh
# make check: the host probe parser on recorded outputs and a few thousand
# mutations of them (see driver.c).
s=${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
exec "$s/tests/fuzz/run" probe "$s/tests/data/probe" "$@"
