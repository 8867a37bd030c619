# databases: this domain's collector(s), rules, outputs, views and tests.
src_libfleetdeck_a_SOURCES += \
	src/collect/databases.c \
	src/collect/db_parse.c src/collect/db_parse.h \
	src/collect/backups.c \
	src/rules/rules_databases.c \
	src/out/out_databases.c
src_libfleetdeck_a_SOURCES += \
	src/collect/backup_parse.c \
	src/collect/backup_parse.h
src_libfleetdeck_a_SOURCES += src/rules/rules_databases.h

# unit tests: parsers, RPO rule, DSN mask
check_PROGRAMS += tests/unit/test_databases
tests_unit_test_databases_SOURCES = tests/unit/test_databases.c
tests_unit_test_databases_CFLAGS = $(UNITFLAGS)
tests_unit_test_databases_LDADD = $(UNITLIBS)
TESTS += tests/unit/test_databases
EXTRA_DIST += tests/data/databases

# fuzz target: restic/pgBackRest JSON, file lines, command times, DSN mask
check_PROGRAMS += tests/fuzz/fuzz_backups
tests_fuzz_fuzz_backups_SOURCES = tests/fuzz/fuzz_backups.c
tests_fuzz_fuzz_backups_LDADD = $(FUZZ_LDADD)
FUZZ_TARGETS += backups
TESTS += tests/fuzz/run-backups.sh
EXTRA_DIST += tests/fuzz/run-backups.sh tests/fuzz/corpus/backups

# lab tests: a real PostgreSQL, restic repository and dump directory
DB_LAB_TESTS = tests/databases/db_backups.sh tests/databases/db_tui.sh tests/databases/pgbackrest.sh \
	tests/databases/replica.sh tests/databases/db_auth.sh tests/databases/db_notices.sh
TESTS += $(DB_LAB_TESTS)
EXTRA_DIST += $(DB_LAB_TESTS) tests/databases/pglab.sh doc/databases.md
src_libfleetdeck_a_SOURCES += src/ui/view_databases.c
