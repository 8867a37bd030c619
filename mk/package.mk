# package: what a user installs and first runs — the example fleets in data/,
# the Debian package, the bash completion, the systemd units, the lab
# replicas of the reference fleets — and the tests that keep them true.
# Example fleets are installed as documentation (Debian: /usr/share/doc/fleetdeck/examples).
examplesdir = $(docdir)/examples
dist_examples_DATA = data/cocotte.fleet data/orbisvoice.fleet data/storyforge.fleet \
	data/toneforge.fleet data/toolcall.fleet \
	contrib/fleetdeck-wall@.service contrib/fleetdeck-metrics.service

PACKAGE_TESTS = tests/package/examples_safe.sh tests/package/completion.sh \
	tests/package/units.sh
TESTS += $(PACKAGE_TESTS)
EXTRA_DIST += $(PACKAGE_TESTS)

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
