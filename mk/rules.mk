# src/rules: files of this area (host rules and the non-interactive outputs)
src_libfleetdeck_a_SOURCES += src/rules/rules.c src/rules/rules.h \
	src/rules/target_state.c src/rules/target_state.h \
	src/out/out.h src/out/json.c src/out/text.c src/out/check.c

check_PROGRAMS += tests/unit/test_rules tests/unit/test_out
tests_unit_test_rules_SOURCES = tests/unit/test_rules.c
tests_unit_test_rules_CFLAGS = $(UNITFLAGS)
tests_unit_test_rules_LDADD = $(UNITLIBS)
tests_unit_test_out_SOURCES = tests/unit/test_out.c
tests_unit_test_out_CFLAGS = $(UNITFLAGS)
tests_unit_test_out_LDADD = $(UNITLIBS)
TESTS += tests/unit/test_rules tests/unit/test_out

# the model: snapshots, shared samples, storage per target
check_PROGRAMS += tests/unit/test_model
tests_unit_test_model_SOURCES = tests/unit/test_model.c
tests_unit_test_model_CFLAGS = $(UNITFLAGS)
tests_unit_test_model_LDADD = $(UNITLIBS)
TESTS += tests/unit/test_model
