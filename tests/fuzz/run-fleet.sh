#!/bin/sh
# make check: the fleet parser on its corpus, the example fleets and a few
# thousand mutations of them (see driver.c). Extra arguments go to the driver.
exec "${TOP_BUILDDIR:-.}/tests/fuzz/fuzz_fleet" -t 5 "$@" \
	"${TOP_SRCDIR:-.}/tests/fuzz/corpus/fleet" "${TOP_SRCDIR:-.}/data"
