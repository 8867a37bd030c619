#!/bin/sh
# make check: the Prometheus API parsers and PromQL builders on recorded
# answers and a few thousand mutations of them (see driver.c). Extra
# arguments go to the driver.
exec "${TOP_BUILDDIR:-.}/tests/fuzz/fuzz_prom" -t 5 "$@" \
	"${TOP_SRCDIR:-.}/tests/fuzz/corpus/prom"
