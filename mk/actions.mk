# actions: this domain's collector(s), rules, outputs, views and tests.
src_libfleetdeck_a_SOURCES += \
	src/collect/runners.c \
	src/collect/keys.c \
	src/rules/rules_actions.c \
	src/out/out_actions.c
