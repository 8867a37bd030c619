# package: what a user installs and first runs — the example fleets in data/,
# the Debian package, the bash completion, the systemd units, the lab
# replicas of the reference fleets — and the tests that keep them true.
# Example fleets are installed as documentation (Debian: /usr/share/doc/fleetdeck/examples).
examplesdir = $(docdir)/examples
dist_examples_DATA = data/cocotte.fleet data/orbisvoice.fleet data/storyforge.fleet \
	data/toneforge.fleet data/toolcall.fleet

PACKAGE_TESTS = tests/package/examples_safe.sh
TESTS += $(PACKAGE_TESTS)
EXTRA_DIST += $(PACKAGE_TESTS)
