# services: this domain's collector(s), rules, outputs, views and tests.
src_libfleetdeck_a_SOURCES += \
	src/collect/gpus.c \
	src/collect/services.c \
	src/rules/rules_gpus.c \
	src/rules/rules_services.c \
	src/out/out_services.c
