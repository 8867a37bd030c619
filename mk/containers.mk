# containers: this domain's collector(s), rules, outputs, views and tests.
src_libfleetdeck_a_SOURCES += \
	src/collect/containers.c \
	src/rules/rules_containers.c \
	src/out/out_containers.c
