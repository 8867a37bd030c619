#!/bin/sh
# make check: the container parsers on their corpus (recordings of engine
# answers and cgroup files) and a few thousand mutations of it (driver.c).
exec "${TOP_BUILDDIR:-.}/tests/fuzz/fuzz_containers" -t 5 "$@" \
	"${TOP_SRCDIR:-.}/tests/fuzz/corpus/containers" "${TOP_SRCDIR:-.}/tests/data/containers"
