#!/bin/sh
# make check: the container parsers on their corpus (recordings of engine
# answers and cgroup files) and a few thousand mutations of it (driver.c).
s=${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
exec "$s/tests/fuzz/run" containers "$s/tests/data/containers" "$@"
