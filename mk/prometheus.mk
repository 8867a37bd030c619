# prometheus: [prometheus] sections as a data source for hosts (SPEC §6):
# discovery at start, the collector, the API parsers, their tests.
# See doc/prometheus.md.
src_libfleetdeck_a_SOURCES += \
	src/collect/prom_stream.h src/collect/prom_stream.c \
	src/collect/prom_parse.h src/collect/prom_parse.c \
	src/collect/prom_query.h src/collect/prom_query.c \
	src/collect/prom_client.h src/collect/prom_client.c \
	src/collect/prom_hosts.h src/collect/prom_hosts.c \
	src/collect/prom_exporters.h src/collect/prom_exporters.c \
	src/collect/prom_postgres.h src/collect/prom_postgres.c \
	src/model/prometheus.h src/model/prom_values.c \
	src/collect/prometheus.h src/collect/prom_discover.c \
	src/collect/prometheus.c src/collect/prom_fleet.c \
	src/rules/rules_prometheus.h src/rules/rules_prometheus.c \
	src/out/out_prometheus.c

check_PROGRAMS += tests/unit/test_prom
tests_unit_test_prom_SOURCES = tests/unit/test_prom.c
tests_unit_test_prom_CFLAGS = $(UNITFLAGS)
tests_unit_test_prom_LDADD = $(UNITLIBS)
TESTS += tests/unit/test_prom
EXTRA_DIST += tests/data/prometheus doc/prometheus.md

# fuzz: the query/series answers and the PromQL builders
check_PROGRAMS += tests/fuzz/fuzz_prom
tests_fuzz_fuzz_prom_SOURCES = tests/fuzz/fuzz_prom.c
tests_fuzz_fuzz_prom_LDADD = $(FUZZ_LDADD)
FUZZ_TARGETS += prom
TESTS += tests/fuzz/run-prom.sh
EXTRA_DIST += tests/fuzz/run-prom.sh tests/fuzz/corpus/prom

# lab tests, see doc/testing.md: real Prometheus + 3 node_exporters (LAB_NET
# 70); large sections judged on the server: VictoriaMetrics with imported
# synthetic hosts (73), Prometheus scraping a synthetic exporter (74);
# containers and GPUs from cAdvisor/DCGM stand-ins through Prometheus (71);
# PostgreSQL from a real postgres_exporter through Prometheus (131)
PROMETHEUS_LAB_TESTS = tests/prometheus/prometheus_lab.sh tests/prometheus/victoria_judged.sh \
	tests/prometheus/prometheus_judged.sh tests/prometheus/prometheus_exporters.sh \
	tests/prometheus/prometheus_postgres.sh
TESTS += $(PROMETHEUS_LAB_TESTS)
EXTRA_DIST += $(PROMETHEUS_LAB_TESTS) tests/prometheus/synth_fleet.py \
	tests/prometheus/exporter_standin.py tests/prometheus/busy_proxy.py tests/prometheus/lib.sh

# make bench (bench/prometheus.sh builds it on demand): the cost of reading
# an answer, per series
EXTRA_PROGRAMS += bench/prom_parse_bench
bench_prom_parse_bench_SOURCES = bench/prom_parse_bench.c
bench_prom_parse_bench_LDADD = src/libfleetdeck.a $(LIBS_ALL)
EXTRA_DIST += bench/prometheus.sh
CLEANFILES += bench/prom_parse_bench
