# history (issue 15): export formats, --serve-metrics, record and replay.
src_libfleetdeck_a_SOURCES += \
	src/out/flat.h src/out/flat.c \
	src/out/openmetrics.c src/out/csv.c src/out/export.c \
	src/serve/serve.h src/serve/serve.c
EXTRA_DIST += doc/history.md

check_PROGRAMS += tests/unit/test_export
tests_unit_test_export_SOURCES = tests/unit/test_export.c
tests_unit_test_export_CFLAGS = $(UNITFLAGS)
tests_unit_test_export_LDADD = $(UNITLIBS)
TESTS += tests/unit/test_export

HISTORY_LAB_TESTS = tests/history/export_lab.sh tests/history/serve_metrics.sh
TESTS += $(HISTORY_LAB_TESTS)
EXTRA_DIST += $(HISTORY_LAB_TESTS)
