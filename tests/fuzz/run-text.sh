#!/bin/sh
# make check: the one text sanitiser (util/text.c) on hostile strings and a
# few thousand mutations of them (see driver.c and fuzz_text.c's invariants).
exec "${TOP_BUILDDIR:-.}/tests/fuzz/fuzz_text" -t 5 "$@" \
	"${TOP_SRCDIR:-.}/tests/fuzz/corpus/text"
