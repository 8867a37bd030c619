# package: what a user installs and first runs — the example fleets in data/,
# the Debian package, the bash completion, the systemd units, the lab
# replicas of the reference fleets — and the tests that keep them true.
# Example fleets are installed as documentation (Debian: /usr/share/doc/fleetdeck/examples).
examplesdir = $(docdir)/examples
dist_examples_DATA = data/cocotte.fleet data/orbisvoice.fleet data/storyforge.fleet \
	data/toneforge.fleet data/toolcall.fleet \
	contrib/fleetdeck-wall@.service contrib/fleetdeck-metrics.service

PACKAGE_TESTS = tests/package/examples_safe.sh tests/package/completion.sh \
	tests/package/units.sh tests/package/deb.sh tests/package/bootstrap_report.sh
TESTS += $(PACKAGE_TESTS)
EXTRA_DIST += $(PACKAGE_TESTS)

# Live replicas of the reference fleets (tests/lab/up --fleet NAME): one test
# per seed, every section of data/NAME.fleet live (LAB_NET 31-35).
REPLICA_TESTS = tests/replicas/toneforge.sh tests/replicas/toolcall.sh \
	tests/replicas/storyforge.sh tests/replicas/orbisvoice.sh tests/replicas/cocotte.sh
TESTS += $(REPLICA_TESTS)
EXTRA_DIST += $(REPLICA_TESTS) tests/lab/replica.sh

# Bash completion, generated from the option and view tables at build time
# and installed where bash-completion looks (configure --with-bash-completion-dir).
noinst_PROGRAMS = src/gen-completion
src_gen_completion_SOURCES = src/gen_completion.c
src_gen_completion_LDADD = src/libfleetdeck.a $(LIBS_ALL)
bashcompletiondir = $(BASH_COMPLETION_DIR)
bashcompletion_DATA = completion/fleetdeck
CLEANFILES += completion/fleetdeck
completion/fleetdeck: src/gen-completion$(EXEEXT)
	$(AM_V_GEN)$(MKDIR_P) completion && src/gen-completion$(EXEEXT) > $@.tmp && mv $@.tmp $@

# The user's documentation, installed next to the examples (docdir): what a
# user reads to write a fleet file, run the wall, export, and trust it.
dist_doc_DATA = README.md doc/fleet-file.md doc/wall.md doc/prometheus.md doc/history.md \
	doc/security.md doc/databases.md doc/services.md doc/containers.md doc/actions.md \
	doc/rules.md doc/ui.md

# Debian packaging: dpkg-buildpackage -us -uc -b (tests/package/deb.sh).
# LICENSE (MIT/Expat) reaches Debian users as debian/copyright, not docdir.
EXTRA_DIST += LICENSE debian/changelog debian/control debian/copyright debian/rules \
	debian/source/format

# `make installcheck` (run by distcheck after installing into a prefix): the
# installed program finds its themes there, not in the sources.
installcheck-local:
	$(SHELL) $(srcdir)/tests/package/installcheck.sh '$(bindir)/fleetdeck' '$(pkgdatadir)' \
		'$(abs_top_srcdir)' '$(abs_top_builddir)'
EXTRA_DIST += tests/package/installcheck.sh
