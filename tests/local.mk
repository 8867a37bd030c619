# tests: unit tests of the collector side (probe parser, known_hosts)
check_PROGRAMS += tests/unit/test_probe tests/unit/test_knownhosts
tests_unit_test_probe_SOURCES = tests/unit/test_probe.c
tests_unit_test_probe_CFLAGS = $(UNITFLAGS)
tests_unit_test_probe_LDADD = $(UNITLIBS)
tests_unit_test_knownhosts_SOURCES = tests/unit/test_knownhosts.c
tests_unit_test_knownhosts_CFLAGS = $(UNITFLAGS)
tests_unit_test_knownhosts_LDADD = $(UNITLIBS)
TESTS += tests/unit/test_probe tests/unit/test_knownhosts
EXTRA_DIST += tests/data/probe .ci/run
