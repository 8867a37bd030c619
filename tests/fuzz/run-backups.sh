#!/bin/sh
# make check: the backup parsers on recorded outputs and a few thousand
# mutations of them (see driver.c). Extra arguments go to the driver.
exec "${TOP_BUILDDIR:-.}/tests/fuzz/fuzz_backups" -t 5 "$@" \
	"${TOP_SRCDIR:-.}/tests/fuzz/corpus/backups"
