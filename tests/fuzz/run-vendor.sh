#!/bin/sh
# make check: DigitalOcean, GitHub and Forgejo API answers (provider/doapi.c) on its corpus and a few
# thousand mutations of it (see driver.c and fuzz_vendor.c).
s=${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
exec "$s/tests/fuzz/run" vendor "$@"
