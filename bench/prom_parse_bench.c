/* make bench: what reading a Prometheus answer costs, per series.
 *
 *   bench/prom_parse_bench [N]     (default 100,000 series)
 *
 * Builds an instant-vector answer of N one-series-per-host samples as the
 * value queries get them ({"metric":{"instance":"host-000001:9100"},
 * "value":[t,"v"]}), then reads it as the collector does: fed in 64 KiB
 * pieces (a network read) to a prom_reader whose samples go into a
 * prom_hostset of the N hosts. Prints the answer's bytes per series, the
 * CPU time per series and per MB, and what a host costs in memory. Also
 * reads it with jansson (json_loadb, what fleetdeck did before) for the
 * ratio.
 *
 *   bench/prom_parse_bench --status-query LABEL MATCH
 *
 * prints the status PromQL fleetdeck sends for a section with the default
 * thresholds and `/` watched (the bench's curl + jq baseline sends it too);
 *   bench/prom_parse_bench --check-queries LABEL MATCH
 * prints step 1's queries (the counts and problem hosts), one a line. */
#include "config.h"
#include "collect/prom_hosts.h"
#include "collect/prom_parse.h"
#include "collect/prom_query.h"
#include "util/util.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void on_sample(void *arg, const struct prom_sample *s)
{
	prom_hostset_sample(arg, PV_LOAD1, s);
}

static int status_query(const char *label, const char *match, bool checks)
{
	char *mounts[] = { "/" }, err[256], *q;
	struct fleet_thresholds th = { .psi_warn = 10, .psi_crit = 40, .disk_warn = 90,
				       .disk_crit = 95, .oom_hold = 3600 };
	struct prom_qctx c = { .label = label, .match = match, .mounts = mounts, .nmounts = 1,
			       .rate_window = 3600, .oom_hold = 3600 };

	for (int k = 0; k < (checks ? PC__N : 1); k++) {
		q = checks ? prom_check_query((enum prom_check)k, &c, &th, err, sizeof(err))
			   : prom_status_query(&c, &th, err, sizeof(err));
		if (!q) {
			fprintf(stderr, "prom_parse_bench: %s\n", err);
			return 1;
		}
		puts(q);
		free(q);
	}
	return 0;
}

int main(int argc, char **argv)
{
	size_t n, len = 0, cap;
	char **names, *body, err[256];
	char *mounts[] = { "/" };
	struct prom_hostset hs;
	struct prom_reader r;
	double t0, ours, theirs;
	json_error_t je;
	json_t *root;
	int rounds = 5;

	if (argc == 4 && strcmp(argv[1], "--status-query") == 0)
		return status_query(argv[2], argv[3], false);
	if (argc == 4 && strcmp(argv[1], "--check-queries") == 0)
		return status_query(argv[2], argv[3], true);
	n = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 100000;
	names = xcalloc(n, sizeof(*names));

	for (size_t i = 0; i < n; i++)
		names[i] = xasprintf("host-%06zu:9100", i + 1);
	cap = 128 + n * 96;
	body = xmalloc(cap);
	len += (size_t)sprintf(body, "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\","
			       "\"result\":[");
	for (size_t i = 0; i < n; i++)
		len += (size_t)sprintf(body + len, "%s{\"metric\":{\"instance\":\"%s\"},"
				       "\"value\":[1714000000.123,\"%.2f\"]}", i ? "," : "",
				       names[i], 0.5 + (double)(i % 100) / 100);
	len += (size_t)sprintf(body + len, "]}}");
	prom_hostset_init(&hs, (const char *const *)names, n, mounts, 1);

	t0 = cpu_now();
	for (int k = 0; k < rounds; k++) {
		prom_reader_init(&r, PROM_DOC_VECTOR, (const char *const[]){ "instance", NULL },
				 on_sample, &hs);
		for (size_t off = 0; off < len; off += 65536)
			prom_reader_feed(&r, body + off, len - off < 65536 ? len - off : 65536);
		if (prom_reader_finish(&r, err, sizeof(err)) < 0 || r.samples != n) {
			fprintf(stderr, "prom_parse_bench: %s\n", err);
			return 1;
		}
	}
	ours = (cpu_now() - t0) / rounds;

	t0 = cpu_now();
	for (int k = 0; k < rounds; k++) {
		root = json_loadb(body, len, 0, &je);
		json_decref(root);
	}
	theirs = (cpu_now() - t0) / rounds;

	printf("parse: %zu series, %.1f bytes per series (%.1f MB answer)\n", n, (double)len / n,
	       (double)len / 1e6);
	printf("parse: streamed into the hosts: %.0f ns per series, %.0f MB/s, %.3f s for the answer; "
	       "reader state %zu bytes\n", ours / n * 1e9, (double)len / 1e6 / ours, ours,
	       sizeof(struct prom_reader));
	printf("parse: jansson json_loadb alone (the old way, tree held whole): %.3f s (%.1fx)\n",
	       theirs, theirs / ours);
	printf("memory: %zu bytes per host (struct prom_values) + %zu of index, whatever the "
	       "server holds for it\n", sizeof(struct prom_values),
	       hs.nslots * sizeof(*hs.slots) / n);
	prom_hostset_free(&hs);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(body);
	return 0;
}
