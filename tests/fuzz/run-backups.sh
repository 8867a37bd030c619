#!/bin/sh
# make check: the backup parsers on recorded outputs and a few thousand
# mutations of them (see driver.c).
s=${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
exec "$s/tests/fuzz/run" backups "$@"
