#!/bin/bash
# deb.sh — the Debian package, built as a user would from a clean clone:
# `dpkg-buildpackage -us -uc -b` succeeds, lintian reports no error and no
# warning, the .deb holds the binary, man pages, themes, completion, example
# fleets, systemd units and docs, its copyright file is LICENSE's (Expat),
# its version is the program's; and the packaged binary, run with /usr/share
# replaced by the package's own and the source and build trees hidden (a private mount namespace), finds its themes
# in /usr/share/fleetdeck/themes and never names a build path. Slow (a full
# build and lintian): minutes, not seconds.
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
lab_test_begin deb 1200
for t in dpkg-buildpackage dh dh_autoreconf lintian dpkg-deb objcopy; do
	command -v "$t" >/dev/null 2>&1 ||
		lab_skip "needs $t (Debian packages dpkg-dev, debhelper, dh-autoreconf, lintian, binutils; ./bootstrap installs them)"
done
git -C "$TOP_SRCDIR" rev-parse --git-dir >/dev/null 2>&1 ||
	lab_skip "not a git checkout (a release tarball or distcheck): the package is built from a clean clone in a checkout's make check"

# A clean clone of the working tree: the files git knows (tracked, or new
# and not ignored), as they are now; no build products.
mkdir -p "$T/src"
(cd "$TOP_SRCDIR" && git ls-files -z --cached --others --exclude-standard |
	tar --null --ignore-failed-read -cf - -T - 2>/dev/null) | tar -xf - -C "$T/src" ||
	{ bad "a clean copy of the sources"; lab_finish; }
ok "a clean copy of the sources ($(find "$T/src" -type f | wc -l) files)"

# Built as a user would, not as a child of make check: make's MAKEFLAGS
# carries the outer run's TEST_LOGS (Automake's check-TESTS sets it on the
# command line), which overrode debian/rules' TESTS and made the package
# build run the whole lab suite, this test included, as root beside the
# outer run's own tests. Nor the harness's variables pointing at the tree.
# Under timeout(1), which stops the whole build (its process group): the
# watchdog's TERM waits for a foreground child, so a hung build would
# otherwise hold this test, and the run, long past its limit.
build_limit=900   # of the test's 1200 s
(cd "$T/src" && timeout -k 20 "$build_limit" env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES \
	-u FLEETDECK -u FLEETDECK_DATADIR -u TOP_SRCDIR -u TOP_BUILDDIR \
	-u ASAN_OPTIONS -u UBSAN_OPTIONS -u LSAN_OPTIONS \
	DEB_BUILD_OPTIONS="parallel=$(nproc)" dpkg-buildpackage -us -uc -b) >"$T/build.log" 2>&1
rc=$?
deb=$(ls "$T"/fleetdeck_*.deb 2>/dev/null | head -1)
if [ "$rc" = 0 ] && [ -f "$deb" ]; then
	ok "dpkg-buildpackage -us -uc -b builds ${deb##*/}"
elif [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
	bad "dpkg-buildpackage -us -uc -b builds the package (stopped after $build_limit s)" "$(tail -25 "$T/build.log")"
	lab_finish
else
	# which unit test failed and how (Check's :F:/:E: lines), then the end
	bad "dpkg-buildpackage -us -uc -b builds the package (rc $rc)" \
		"$(grep -E '^(FAIL|ERROR):|:[EF]:' "$T/build.log" | head -20; tail -25 "$T/build.log")"
	lab_finish
fi

# The package build runs the unit tests, all of them and nothing else (no
# lab test: they start servers as root).
units=$(cd "$T/src" && ls tests/unit/test_*.c | sed 's/\.c$//' | sort)
ran=$(sed -n 's/^\(PASS\|FAIL\|SKIP\|XFAIL\|XPASS\|ERROR\): //p' "$T/build.log" | sort)
if [ -n "$units" ] && [ "$ran" = "$units" ] && ! grep -q '^\(FAIL\|ERROR\|XPASS\): ' "$T/build.log"; then
	ok "the package build ran the $(echo "$units" | wc -l) unit tests and nothing else"
else
	bad "the package build ran the $(echo "$units" | wc -l) unit tests and nothing else" \
		"ran: $(echo $ran | cut -c1-400)"
fi

timeout -k 10 200 lintian "$T"/fleetdeck_*.changes >"$T/lintian.out" 2>&1
lrc=$?
tags=$(grep -E '^[EW]: ' "$T/lintian.out")
if [ -z "$tags" ] && [ "$lrc" = 0 ]; then
	ok "lintian: no error, no warning ($(grep -c '^[IPX]: ' "$T/lintian.out") notes below that level)"
else
	bad "lintian: no error, no warning (rc $lrc)" "$tags" "$(head -5 "$T/lintian.out")"
fi

dpkg-deb -c "$deb" | awk '{ print $6 }' | sed 's|^\./|/|' >"$T/contents"
miss=
for f in /usr/bin/fleetdeck /usr/share/man/man1/fleetdeck.1.gz /usr/share/man/man5/fleetdeck.fleet.5.gz \
	/usr/share/fleetdeck/themes/default /usr/share/fleetdeck/themes/light \
	/usr/share/fleetdeck/themes/mono /usr/share/fleetdeck/themes/high-contrast \
	"$(pkg-config --variable=completionsdir bash-completion 2>/dev/null || echo /usr/share/bash-completion/completions)/fleetdeck" \
	/usr/share/doc/fleetdeck/copyright /usr/share/doc/fleetdeck/README.md.gz \
	/usr/share/doc/fleetdeck/examples/fleetdeck-wall@.service \
	/usr/share/doc/fleetdeck/examples/fleetdeck-metrics.service; do
	grep -qx -- "$f" "$T/contents" || miss="$miss $f"
done
for f in "$TOP_SRCDIR"/data/*.fleet; do
	grep -qx -- "/usr/share/doc/fleetdeck/examples/${f##*/}" "$T/contents" || miss="$miss examples/${f##*/}"
done
check "the package holds binary, man pages, themes, completion, example fleets, units, docs${miss:+ (missing:$miss)}" test -z "$miss"

root=$T/root
dpkg-deb -x "$deb" "$root"
# The package's copyright file: DEP-5, Expat, the same permission text as
# the sources' LICENSE (lintian above checks the format).
cp=$root/usr/share/doc/fleetdeck/copyright
lic=$(sed -n '/^Permission/,$p' "$TOP_SRCDIR/LICENSE")
deblic=$(sed -n '/^License: Expat$/,$p' "$cp" | sed -n '/^ /p' | sed 's/^ //; s/^\.$//')
if grep -qx 'License: Expat' "$cp" && [ -n "$lic" ] && [ "$lic" = "$deblic" ] &&
   grep -qx 'Copyright (c) 2026 the fleetdeck developers' "$TOP_SRCDIR/LICENSE" &&
   grep -qx 'Copyright: 2026 the fleetdeck developers' "$cp"; then
	ok "copyright: Expat, the LICENSE's text and holder"
else
	bad "copyright: Expat, the LICENSE's text and holder" "$(head -12 "$cp")"
fi
ver=$(cd "$T/src" && dpkg-parsechangelog -S Version)
got=$("$root/usr/bin/fleetdeck" --version 2>&1)
check "the package version ($ver) is the program's ($got)" test "$got" = "fleetdeck $ver"
objcopy -O binary --only-section=.rodata "$root/usr/bin/fleetdeck" "$T/rodata"
if grep -qaF -e "$T/src" -e "$TOP_SRCDIR" "$T/rodata"; then
	bad "the packaged binary names no build or source path" "$(strings "$T/rodata" | grep -F -e "$T/src" -e "$TOP_SRCDIR" | head -3)"
else
	ok "the packaged binary names no build or source path"
fi
if MANPATH=$root/usr/share/man man -w fleetdeck.fleet >/dev/null 2>&1 &&
   MANPATH=$root/usr/share/man man fleetdeck 2>/dev/null | grep -q FLEETDECK_DATADIR; then
	ok "man finds fleetdeck(1) and fleetdeck.fleet(5) where the package puts them"
else
	bad "man finds fleetdeck(1) and fleetdeck.fleet(5) where the package puts them"
fi

# As installed: /usr/share is the package's, the sources and the build tree
# are hidden, nothing points at them (no FLEETDECK_DATADIR).
if ! unshare -m --propagation private true 2>/dev/null; then
	printf 'note: no mount namespaces here: the installed-layout run is skipped\n'
	lab_finish
fi
cat >"$T/installed" <<EOF
#!/bin/sh
# installed CMD...: CMD with the package's /usr/share and no source tree.
exec unshare -m --propagation private sh -c '
	mount --bind "$root/usr/share" /usr/share &&
	mount -t tmpfs none "$TOP_SRCDIR" && mount -t tmpfs none "$T/src" || exit 98
	exec env -u FLEETDECK_DATADIR TERM=screen-256color "\$@"' installed "\$@"
EOF
chmod +x "$T/installed"
printf '[fleet debtest]\ninterval = 1s\n\n[host here]\nssh = local\ncontainers = none\ngpus = none\n' >"$T/local.fleet"
# Each run: the fleet drawn; stderr says nothing about themes for the shipped
# ones, and for an unknown one names /usr/share/fleetdeck/themes and no build
# path (it then falls back to the default theme).
for how in "--theme light" "--wall" "--theme nosuch"; do
	printf '#!/bin/sh\n%q %q -c %q %s 2>%q\necho EXITED:$?\nexec sleep 60\n' "$T/installed" \
		"$root/usr/bin/fleetdeck" "$T/local.fleet" "$how" "$T/tui.err" >"$T/tui.sh"
	tmux_start "inst${how##*[ -]}" 100 30 "sh $T/tui.sh"
	lab_bg "$(tmux_pane_pid)"
	if ! tmux_wait_for debtest 15 || tmux_has EXITED; then
		bad "installed fleetdeck $how draws the fleet" "$(tmux_show)" "stderr: $(cat "$T/tui.err")"
	elif [ "$how" != "--theme nosuch" ] && grep -qi theme "$T/tui.err"; then
		bad "installed fleetdeck $how finds its theme in /usr/share/fleetdeck/themes" "stderr: $(cat "$T/tui.err")"
	elif [ "$how" != "--theme nosuch" ]; then
		ok "installed fleetdeck $how draws the fleet, its theme found in /usr/share/fleetdeck/themes"
	elif grep -qF "/usr/share/fleetdeck/themes" "$T/tui.err" && ! grep -qF -e "$TOP_SRCDIR" -e "$T/src" "$T/tui.err"; then
		ok "an unknown theme: the message names /usr/share/fleetdeck/themes and no build path"
	else
		bad "an unknown theme: the message names /usr/share/fleetdeck/themes and no build path" "stderr: $(cat "$T/tui.err")"
	fi
	tmux_send q
	wait_for 5 tmux_has EXITED:0 || bad "q ends installed fleetdeck $how" "$(tmux_show)"
	tmux_kill
done

lab_finish
