#!/bin/sh
# make check: the Prometheus API parsers and PromQL builders on recorded
# answers and a few thousand mutations of them (see driver.c). Extra
s=${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
exec "$s/tests/fuzz/run" prom "$s/tests/data/prometheus" "$@"
