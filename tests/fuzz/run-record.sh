#!/bin/sh
# make check: the recording reader (--replay) on small recordings and a few
# thousand mutations of them (see driver.c).
s=${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
exec "$s/tests/fuzz/run" record "$@"
