# security (issue #12, doc/security.md): tests of the trust promises that
# span domains. Each names the promise it checks.
SECURITY_TESTS = tests/security/token_origin.sh
TESTS += $(SECURITY_TESTS)
EXTRA_DIST += $(SECURITY_TESTS) doc/security.md
