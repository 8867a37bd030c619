# security (issue #12, doc/security.md): tests of the trust promises that
# span domains. Each names the promise it checks.
SECURITY_TESTS = tests/security/token_origin.sh tests/security/hostile_text.sh \
	tests/security/operator_commands.sh tests/security/secrets.sh \
	tests/security/hostkey_paths.sh tests/security/rotation_kill.sh \
	tests/security/pg_durable.sh tests/security/child_fds.sh \
	tests/security/forward_perm.sh tests/security/jump_chain.sh
TESTS += $(SECURITY_TESTS)
EXTRA_DIST += $(SECURITY_TESTS) doc/security.md

# the one text sanitiser: unit test and fuzz target (doc/security.md)
check_PROGRAMS += tests/unit/test_text tests/fuzz/fuzz_text
tests_unit_test_text_SOURCES = tests/unit/test_text.c
tests_unit_test_text_CFLAGS = $(UNITFLAGS)
tests_unit_test_text_LDADD = $(UNITLIBS)
tests_fuzz_fuzz_text_SOURCES = tests/fuzz/fuzz_text.c
tests_fuzz_fuzz_text_LDADD = $(FUZZ_LDADD)
FUZZ_TARGETS += text
TESTS += tests/unit/test_text tests/fuzz/run-text.sh
EXTRA_DIST += tests/fuzz/run-text.sh tests/fuzz/corpus/text
