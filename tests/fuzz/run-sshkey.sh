#!/bin/sh
# make check: authorized_keys lines and the rotation state file (provider/key_sshkey.c) on its corpus and a few
# thousand mutations of it (see driver.c and fuzz_sshkey.c).
s=${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
exec "$s/tests/fuzz/run" sshkey "$@"
