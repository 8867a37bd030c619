#!/bin/sh
# make check: theme files (ui/theme.c), the shipped themes too, on its corpus and a few
# thousand mutations of it (see driver.c and fuzz_theme.c).
s=${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
exec "$s/tests/fuzz/run" theme "$s/themes" "$@"
