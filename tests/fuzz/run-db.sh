#!/bin/sh
# make check: PostgreSQL statistics rows (collect/db_parse.c) on its corpus and a few
# thousand mutations of it (see driver.c and fuzz_db.c).
s=${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
exec "$s/tests/fuzz/run" db "$@"
