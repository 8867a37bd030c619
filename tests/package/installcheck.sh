#!/bin/sh
# installcheck.sh BIN PKGDATADIR SRCDIR BUILDDIR — `make installcheck` (and so
# `make distcheck`, which installs into a prefix): the installed fleetdeck
# finds its themes in PKGDATADIR with nothing pointing at the sources, and
# names neither the source nor the build tree. The dashboard needs a
# terminal: script(1) gives it one for a few seconds.
bin=$1 data=$2 src=$3 build=$4
[ -x "$bin" ] || { echo "installcheck: $bin is not installed" >&2; exit 1; }
[ -z "${DESTDIR:-}" ] || { echo "installcheck: skipped under DESTDIR (the program looks in $data without it)"; exit 0; }
command -v script >/dev/null 2>&1 || { echo "installcheck: skipped: no script(1) (bsdutils)"; exit 0; }
t=$(mktemp -d "${TMPDIR:-/tmp}/fdinstcheck.XXXXXX") || exit 1
trap 'rm -rf "$t"' EXIT
printf '[fleet instcheck]\n[host here]\nssh = local\ncontainers = none\ngpus = none\n' >"$t/f.fleet"
fail=0
run() {   # run THEME: the dashboard for 4 s, its stderr in $t/err
	env -u FLEETDECK_DATADIR -u XDG_DATA_HOME HOME="$t" TERM=xterm \
		script -qec "timeout 4 '$bin' -c '$t/f.fleet' --theme $1 2>'$t/err'" /dev/null >/dev/null 2>&1 </dev/null
}
for th in default light mono high-contrast; do
	[ -f "$data/themes/$th" ] || { echo "FAIL: $data/themes/$th is not installed"; fail=1; continue; }
	run "$th"
	if grep -qi theme "$t/err"; then
		echo "FAIL: the installed fleetdeck does not find theme $th: $(cat "$t/err")"; fail=1
	else
		echo "ok: the installed fleetdeck finds theme $th in $data/themes"
	fi
done
run nosuch
if grep -qF "$data/themes" "$t/err" && ! grep -qF -e "$src" -e "$build" "$t/err"; then
	echo "ok: an unknown theme's message names $data/themes and no source or build path"
else
	echo "FAIL: an unknown theme's message: $(cat "$t/err")"; fail=1
fi
exit $fail
