#!/bin/sh
# make check: the GPU and remote-check parsers on recorded outputs and a few
# thousand mutations of them (see driver.c).
s=${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
exec "$s/tests/fuzz/run" gpus "$s/tests/data/gpus" "$@"
