#!/bin/sh
# make check: ssh -G output (collect/sshconfig.c) on its corpus and a few
# thousand mutations of it (see driver.c and fuzz_sshconfig.c).
s=${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
exec "$s/tests/fuzz/run" sshconfig "$@"
