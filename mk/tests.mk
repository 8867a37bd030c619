# tests: unit tests of the collector side (probe parser, known_hosts)
check_PROGRAMS += tests/unit/test_probe tests/unit/test_knownhosts
tests_unit_test_probe_SOURCES = tests/unit/test_probe.c
tests_unit_test_probe_CFLAGS = $(UNITFLAGS)
tests_unit_test_probe_LDADD = $(UNITLIBS)
tests_unit_test_knownhosts_SOURCES = tests/unit/test_knownhosts.c tests/unit/proc_alive.h
tests_unit_test_knownhosts_CFLAGS = $(UNITFLAGS)
tests_unit_test_knownhosts_LDADD = $(UNITLIBS)
TESTS += tests/unit/test_probe tests/unit/test_knownhosts
# the shell's request framing, deadline on the host and output caps (#13)
check_PROGRAMS += tests/unit/test_shell
tests_unit_test_shell_SOURCES = tests/unit/test_shell.c tests/unit/proc_alive.h
tests_unit_test_shell_CFLAGS = $(UNITFLAGS)
tests_unit_test_shell_LDADD = $(UNITLIBS)
TESTS += tests/unit/test_shell
EXTRA_DIST += tests/data/probe .ci/run

# fuzz target for the probe parser (pattern: mk/fuzz.mk)
check_PROGRAMS += tests/fuzz/fuzz_probe
tests_fuzz_fuzz_probe_SOURCES = tests/fuzz/fuzz_probe.c
tests_fuzz_fuzz_probe_LDADD = $(FUZZ_LDADD)
FUZZ_TARGETS += probe
TESTS += tests/fuzz/run-probe.sh
EXTRA_DIST += tests/fuzz/run-probe.sh tests/fuzz/corpus/probe
