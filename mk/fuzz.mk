# tests/fuzz: fuzz targets, one per parser.
#
# Each target NAME is tests/fuzz/fuzz_NAME.c (LLVMFuzzerTestOneInput) plus a
# seed corpus in tests/fuzz/corpus/NAME/. make check links it with driver.c,
# which replays the corpus and a few thousand seeded mutations of it in a
# few seconds (run under --enable-sanitizers to catch memory errors), through
# the two-line script tests/fuzz/run-NAME.sh. make fuzz builds the same
# targets with clang's libFuzzer (tests/fuzz/build-libfuzzer.sh) for real,
# coverage-guided runs. To add a target, copy the four fleet lines below,
# run-fleet.sh and the `build fleet ...` line of build-libfuzzer.sh.

EXTRA_DIST += tests/fuzz/driver.c tests/fuzz/build-libfuzzer.sh

check_PROGRAMS += tests/fuzz/fuzz_fleet
tests_fuzz_fuzz_fleet_SOURCES = tests/fuzz/driver.c tests/fuzz/fuzz_fleet.c
tests_fuzz_fuzz_fleet_LDADD = src/libfleetdeck.a $(LIBS_ALL)
TESTS += tests/fuzz/run-fleet.sh
EXTRA_DIST += tests/fuzz/run-fleet.sh tests/fuzz/corpus/fleet

# Coverage-guided fuzzing with clang: make fuzz [FUZZ_TIME=60] [FUZZ_TARGET=fleet]
FUZZ_TIME = 60
FUZZ_TARGET = fleet
fuzz:
	$(SHELL) $(srcdir)/tests/fuzz/build-libfuzzer.sh --run $(FUZZ_TARGET) $(FUZZ_TIME)

.PHONY: fuzz
