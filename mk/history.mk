# history (issue 15): export formats, --serve-metrics, record and replay.
src_libfleetdeck_a_SOURCES += \
	src/out/flat.h src/out/flat.c src/out/spool.h src/out/spool.c \
	src/out/openmetrics.c src/out/csv.c src/out/export.c \
	src/serve/serve.h src/serve/serve.c \
	src/record/codec.h src/record/codec.c \
	src/record/recfile.h src/record/reader.c src/record/fleetconf.c \
	src/record/recorder.h src/record/recorder.c \
	src/record/replay.h src/record/replay.c src/record/replay_run.c \
	src/ui/timeline.h src/ui/timeline.c
EXTRA_DIST += doc/history.md bench/history

check_PROGRAMS += tests/unit/test_export
tests_unit_test_export_SOURCES = tests/unit/test_export.c
tests_unit_test_export_CFLAGS = $(UNITFLAGS)
tests_unit_test_export_LDADD = $(UNITLIBS)
TESTS += tests/unit/test_export

HISTORY_LAB_TESTS = tests/history/export_lab.sh tests/history/serve_metrics.sh \
	tests/history/record_replay.sh tests/history/record_rotate.sh \
	tests/history/record_tui.sh
TESTS += $(HISTORY_LAB_TESTS)
EXTRA_DIST += $(HISTORY_LAB_TESTS) tests/history/lib.sh

# fuzz target: the recording reader (tests/fuzz/driver.c pattern, mk/fuzz.mk)
check_PROGRAMS += tests/fuzz/fuzz_record
tests_fuzz_fuzz_record_SOURCES = tests/fuzz/fuzz_record.c
tests_fuzz_fuzz_record_LDADD = $(FUZZ_LDADD)
FUZZ_TARGETS += record
TESTS += tests/fuzz/run-record.sh
EXTRA_DIST += tests/fuzz/run-record.sh tests/fuzz/corpus/record

check_PROGRAMS += tests/unit/test_record
tests_unit_test_record_SOURCES = tests/unit/test_record.c
tests_unit_test_record_CFLAGS = $(UNITFLAGS)
tests_unit_test_record_LDADD = $(UNITLIBS)
TESTS += tests/unit/test_record
src_libfleetdeck_a_SOURCES += src/history/history.h src/history/history.c src/ui/trend.c

check_PROGRAMS += tests/unit/test_history
tests_unit_test_history_SOURCES = tests/unit/test_history.c
tests_unit_test_history_CFLAGS = $(UNITFLAGS)
tests_unit_test_history_LDADD = $(UNITLIBS)
TESTS += tests/unit/test_history

# bench/replay_bench (built on demand: make bench/replay_bench): seek and
# step latency of a replay, on e.g. bench/long_recording.py's 10 hours
EXTRA_PROGRAMS += bench/replay_bench
bench_replay_bench_SOURCES = bench/replay_bench.c
bench_replay_bench_LDADD = src/libfleetdeck.a $(LIBS_ALL)
CLEANFILES += bench/replay_bench
EXTRA_DIST += bench/long_recording.py
