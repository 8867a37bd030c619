#!/bin/sh
# make check: the fleet parser on its corpus, the example fleets and a few
# thousand mutations of them (see driver.c).
s=${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
exec "$s/tests/fuzz/run" fleet "$s/data" "$@"
