# services: this domain's collector(s), rules, outputs, views and tests
# (issue 5: GPUs, service checks, links and the topology map).
src_libfleetdeck_a_SOURCES += \
	src/collect/gpus.c \
	src/collect/services.c \
	src/collect/gpu_parse.h src/collect/gpu_parse.c \
	src/collect/svc_check.h src/collect/svc_check.c \
	src/rules/rules_gpus.c \
	src/rules/rules_services.c \
	src/out/out_services.c

check_PROGRAMS += tests/unit/test_gpus
tests_unit_test_gpus_SOURCES = tests/unit/test_gpus.c
tests_unit_test_gpus_CFLAGS = $(UNITFLAGS)
tests_unit_test_gpus_LDADD = $(UNITLIBS)
TESTS += tests/unit/test_gpus
EXTRA_DIST += tests/data/gpus doc/services.md

src_libfleetdeck_a_SOURCES += src/ui/view_gpus.c

# fuzz: the nvidia-smi CSV, metrics JSON and remote check parsers
check_PROGRAMS += tests/fuzz/fuzz_gpus
tests_fuzz_fuzz_gpus_SOURCES = tests/fuzz/fuzz_gpus.c
tests_fuzz_fuzz_gpus_LDADD = $(FUZZ_LDADD)
FUZZ_TARGETS += gpus
TESTS += tests/fuzz/run-gpus.sh
EXTRA_DIST += tests/fuzz/run-gpus.sh tests/fuzz/corpus/gpus

# lab tests (LAB_NET 50, 51): see doc/testing.md and doc/services.md
SERVICES_LAB_TESTS = tests/services/gpus_lab.sh tests/services/services_lab.sh
TESTS += $(SERVICES_LAB_TESTS)
EXTRA_DIST += $(SERVICES_LAB_TESTS) tests/services/httpd.py tests/services/fake-nvidia-smi

# topology (view 2): the pure layout, the view, their unit test and a lab test
src_libfleetdeck_a_SOURCES += src/ui/topology_layout.c src/ui/topology_layout.h src/ui/view_topology.c
check_PROGRAMS += tests/unit/test_topology
tests_unit_test_topology_SOURCES = tests/unit/test_topology.c
tests_unit_test_topology_CFLAGS = $(UNITFLAGS)
tests_unit_test_topology_LDADD = $(UNITLIBS)
TESTS += tests/unit/test_topology tests/services/topology_tui.sh
EXTRA_DIST += tests/services/topology_tui.sh
