#!/bin/sh
# make check: the audit log reader (action/audit.c) on its corpus and a few
# thousand mutations of it (see driver.c and fuzz_audit.c).
s=${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
exec "$s/tests/fuzz/run" audit "$@"
