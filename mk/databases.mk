# databases: this domain's collector(s), rules, outputs, views and tests.
src_libfleetdeck_a_SOURCES += \
	src/collect/databases.c \
	src/collect/backups.c \
	src/rules/rules_databases.c \
	src/out/out_databases.c
