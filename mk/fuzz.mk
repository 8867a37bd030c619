# tests/fuzz: one fuzz target per parser of remote or user input, and the one
# harness that runs them all (doc/reliability.md).
#
# A target NAME is tests/fuzz/fuzz_NAME.c (LLVMFuzzerTestOneInput), a seed
# corpus tests/fuzz/corpus/NAME/ (crashes found become regression inputs
# there, replayed by every make check) and tests/fuzz/run-NAME.sh (two lines:
# `exec .../tests/fuzz/run NAME [MORE_SEED_DIRS]`). In the area's make
# fragment, these six lines (NAME = fleet here):
#
#   check_PROGRAMS += tests/fuzz/fuzz_fleet
#   tests_fuzz_fuzz_fleet_SOURCES = tests/fuzz/fuzz_fleet.c
#   tests_fuzz_fuzz_fleet_LDADD = $(FUZZ_LDADD)
#   FUZZ_TARGETS += fleet
#   TESTS += tests/fuzz/run-fleet.sh
#   EXTRA_DIST += tests/fuzz/run-fleet.sh tests/fuzz/corpus/fleet
#
# A normal build links each target with driver.c (gcc, no libFuzzer): make
# check replays the corpus and a few seconds of seeded mutations. With
# ./configure --enable-fuzzing (clang) the same targets are libFuzzer
# binaries with ASan+UBSan+float-cast-overflow, and `make fuzz` runs each for
# FUZZ_TIME seconds, keeping what it learns in tests/fuzz/out/corpus-NAME/
# and writing tests/fuzz/out/summary.md (execs, coverage, crashes).

if ENABLE_FUZZING
FUZZ_LDADD = src/libfleetdeck.a $(LIBS_ALL) $(FUZZER_LINK)
else
check_LIBRARIES = tests/fuzz/libfuzzdriver.a
tests_fuzz_libfuzzdriver_a_SOURCES = tests/fuzz/driver.c
FUZZ_LDADD = tests/fuzz/libfuzzdriver.a src/libfleetdeck.a $(LIBS_ALL)
endif

EXTRA_DIST += tests/fuzz/run tests/fuzz/fuzz-all tests/sanitized

check_PROGRAMS += tests/fuzz/fuzz_fleet
tests_fuzz_fuzz_fleet_SOURCES = tests/fuzz/fuzz_fleet.c
tests_fuzz_fuzz_fleet_LDADD = $(FUZZ_LDADD)
FUZZ_TARGETS += fleet
TESTS += tests/fuzz/run-fleet.sh
EXTRA_DIST += tests/fuzz/run-fleet.sh tests/fuzz/corpus/fleet

# make fuzz [FUZZ_TIME=60] [FUZZ_TARGETS='fleet probe']
FUZZ_TIME = 60
fuzz: $(check_PROGRAMS)
	TOP_SRCDIR='$(abs_top_srcdir)' TOP_BUILDDIR='$(abs_top_builddir)' \
	FUZZ_TIME='$(FUZZ_TIME)' $(SHELL) $(srcdir)/tests/fuzz/fuzz-all $(FUZZ_TARGETS)

clean-local: clean-fuzz
clean-fuzz:
	rm -rf tests/fuzz/out tests/sanitizer

.PHONY: fuzz clean-fuzz

# The parsers of remote or user input that belong to no other area's
# fragment (issue #13): known_hosts, ssh -G, theme files, vendor APIs,
# runner listings, the audit log, authorized_keys and the rotation state,
# the shell's framing, PostgreSQL's statistics row.
EXTRA_DIST += tests/fuzz/fuzz.h
check_PROGRAMS += tests/fuzz/fuzz_knownhosts tests/fuzz/fuzz_sshconfig tests/fuzz/fuzz_theme \
	tests/fuzz/fuzz_vendor tests/fuzz/fuzz_runners tests/fuzz/fuzz_audit \
	tests/fuzz/fuzz_sshkey tests/fuzz/fuzz_shell tests/fuzz/fuzz_db
tests_fuzz_fuzz_knownhosts_SOURCES = tests/fuzz/fuzz_knownhosts.c
tests_fuzz_fuzz_knownhosts_LDADD = $(FUZZ_LDADD)
tests_fuzz_fuzz_sshconfig_SOURCES = tests/fuzz/fuzz_sshconfig.c
tests_fuzz_fuzz_sshconfig_LDADD = $(FUZZ_LDADD)
tests_fuzz_fuzz_theme_SOURCES = tests/fuzz/fuzz_theme.c
tests_fuzz_fuzz_theme_LDADD = $(FUZZ_LDADD)
tests_fuzz_fuzz_vendor_SOURCES = tests/fuzz/fuzz_vendor.c
tests_fuzz_fuzz_vendor_LDADD = $(FUZZ_LDADD)
tests_fuzz_fuzz_runners_SOURCES = tests/fuzz/fuzz_runners.c
tests_fuzz_fuzz_runners_LDADD = $(FUZZ_LDADD)
tests_fuzz_fuzz_audit_SOURCES = tests/fuzz/fuzz_audit.c
tests_fuzz_fuzz_audit_LDADD = $(FUZZ_LDADD)
tests_fuzz_fuzz_sshkey_SOURCES = tests/fuzz/fuzz_sshkey.c
tests_fuzz_fuzz_sshkey_LDADD = $(FUZZ_LDADD)
tests_fuzz_fuzz_shell_SOURCES = tests/fuzz/fuzz_shell.c
tests_fuzz_fuzz_shell_LDADD = $(FUZZ_LDADD)
tests_fuzz_fuzz_db_SOURCES = tests/fuzz/fuzz_db.c
tests_fuzz_fuzz_db_LDADD = $(FUZZ_LDADD)
FUZZ_TARGETS += knownhosts sshconfig theme vendor runners audit sshkey shell db
FUZZ_MORE_TESTS = tests/fuzz/run-knownhosts.sh tests/fuzz/run-sshconfig.sh \
	tests/fuzz/run-theme.sh tests/fuzz/run-vendor.sh tests/fuzz/run-runners.sh \
	tests/fuzz/run-audit.sh tests/fuzz/run-sshkey.sh tests/fuzz/run-shell.sh tests/fuzz/run-db.sh
TESTS += $(FUZZ_MORE_TESTS)
EXTRA_DIST += $(FUZZ_MORE_TESTS) tests/fuzz/corpus/knownhosts tests/fuzz/corpus/sshconfig \
	tests/fuzz/corpus/theme tests/fuzz/corpus/vendor tests/fuzz/corpus/runners \
	tests/fuzz/corpus/audit tests/fuzz/corpus/sshkey tests/fuzz/corpus/shell tests/fuzz/corpus/db
