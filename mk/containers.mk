# containers: this domain's collector(s), rules, outputs, views and tests.
src_libfleetdeck_a_SOURCES += \
	src/collect/containers.c \
	src/collect/container_parse.h src/collect/container_parse.c \
	src/rules/rules_containers.c \
	src/out/out_containers.c \
	src/ui/view_ram.c

EXTRA_DIST += doc/containers.md tests/data/containers

# unit tests: parsers on recordings, rules, JSON, the RAM view
check_PROGRAMS += tests/unit/test_containers
tests_unit_test_containers_SOURCES = tests/unit/test_containers.c
tests_unit_test_containers_CFLAGS = $(UNITFLAGS)
tests_unit_test_containers_LDADD = $(UNITLIBS)
TESTS += tests/unit/test_containers

# fuzz target: the container JSON and cgroup parsers
check_PROGRAMS += tests/fuzz/fuzz_containers
tests_fuzz_fuzz_containers_SOURCES = tests/fuzz/fuzz_containers.c
tests_fuzz_fuzz_containers_LDADD = $(FUZZ_LDADD)
FUZZ_TARGETS += containers
TESTS += tests/fuzz/run-containers.sh
EXTRA_DIST += tests/fuzz/run-containers.sh tests/fuzz/corpus/containers

# lab tests: a real podman API and CLI; RAM contention in JSON and on screen
CONTAINERS_LAB_TESTS = \
	tests/containers/containers_podman.sh \
	tests/containers/containers_ssh_api.sh \
	tests/containers/ram_reserve.sh \
	tests/containers/socket_perm.sh \
	tests/containers/many_containers.sh
TESTS += $(CONTAINERS_LAB_TESTS)
EXTRA_DIST += $(CONTAINERS_LAB_TESTS) tests/containers/podman-setup.sh tests/containers/many_engine.py
