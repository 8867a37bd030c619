/* Export formats (issue 15): OpenMetrics and CSV rendered from a §4
 * document: units converted, unknown values absent (never 0), remote text
 * escaped for each format, spreadsheet formulas defused. */
#include "config.h"
#include "out/out.h"
#include "out/flat.h"
#include "domain/domain.h"
#include "util/util.h"

#include <check.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const char *doc_text =
	"{\"schema\":1,\"fleet\":\"t\",\"generated_at\":1795392540.5,\"status\":\"crit\","
	"\"hosts\":[{\"name\":\"black\",\"status\":\"ok\",\"reachable\":true,\"cpu_pct\":12.5,"
	"  \"load\":[0.5,0.25,0.125],\"mem_total\":1000,\"mem_available\":null,\"latency_ms\":3,"
	"  \"disks\":[{\"mount\":\"/\",\"size\":100,\"used\":50,\"used_pct\":50}],"
	"  \"containers\":[{\"name\":\"we\\\"b\\\\x\\ny\",\"status\":\"warn\",\"mem_used\":7,\"mem_limit\":null,"
	"     \"problems\":[\"=HYPERLINK(\\\"http://x\\\"), \\\"no\\\" limit\"]}],"
	"  \"gpus\":[{\"index\":0,\"status\":\"ok\",\"util_pct\":80}],\"problems\":[]},"
	" {\"name\":\"vps-0\",\"status\":\"crit\",\"reachable\":false,\"cpu_pct\":null,\"load\":null,"
	"  \"disks\":null,\"containers\":[],\"gpus\":[],\"problems\":[\"unreachable: connection refused\"]}],"
	"\"services\":[],\"databases\":[{\"name\":\"pg\",\"status\":\"ok\",\"up\":true,\"connections\":5,"
	"  \"archiver\":{\"failed_count\":2,\"last_archived_at\":null},\"problems\":[]}],"
	"\"backups\":[{\"name\":\"wal\",\"status\":\"crit\",\"age_s\":7200,\"rpo_s\":900,\"problems\":[\"RPO breached\"]}],"
	"\"links\":[{\"from\":\"vps-0\",\"to\":\"black\",\"status\":\"ok\",\"latency_ms\":1.5}],"
	"\"runners\":[],\"keys\":[],"
	"\"alerts\":[{\"severity\":\"crit\",\"target\":\"host/vps-0\",\"code\":\"unreachable\",\"message\":\"x\",\"since\":1795392500}]}";

static char *render(int (*fn)(FILE *, json_t *, bool), bool flag)
{
	json_error_t err;
	json_t *doc = json_loads(doc_text, 0, &err);
	char *buf = NULL;
	size_t len = 0;
	FILE *fp;

	ck_assert_msg(doc != NULL, "test document: %s", err.text);
	fp = open_memstream(&buf, &len);
	ck_assert_int_eq(fn(fp, doc, flag), 0);
	fclose(fp);
	json_decref(doc);
	return buf;
}

START_TEST(test_om_units_and_unknowns)
{
	char *t = render(out_metrics_doc, true);

	ck_assert_ptr_nonnull(strstr(t, "fleetdeck_host_cpu_busy_ratio{host=\"black\"} 0.125\n"));
	ck_assert_ptr_nonnull(strstr(t, "fleetdeck_host_latency_seconds{host=\"black\"} 0.003\n"));
	ck_assert_ptr_nonnull(strstr(t, "fleetdeck_host_load15{host=\"black\"} 0.125\n"));
	ck_assert_ptr_nonnull(strstr(t, "fleetdeck_host_up{host=\"vps-0\"} 0\n"));
	ck_assert_ptr_nonnull(strstr(t, "fleetdeck_host_status{host=\"vps-0\",status=\"crit\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(t, "fleetdeck_host_status{host=\"vps-0\",status=\"ok\"} 0\n"));
	ck_assert_ptr_nonnull(strstr(t, "fleetdeck_disk_used_ratio{host=\"black\",mount=\"/\"} 0.5\n"));
	ck_assert_ptr_nonnull(strstr(t, "fleetdeck_gpu_utilization_ratio{host=\"black\",gpu=\"0\"} 0.8\n"));
	ck_assert_ptr_nonnull(strstr(t, "fleetdeck_database_archiver_failed{database=\"pg\"} 2\n"));
	ck_assert_ptr_nonnull(strstr(t, "fleetdeck_link_latency_seconds{from=\"vps-0\",to=\"black\"} 0.0015\n"));
	ck_assert_ptr_nonnull(strstr(t, "fleetdeck_backup_status{backup=\"wal\",status=\"crit\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(t, "fleetdeck_alerts{severity=\"crit\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(t, "fleetdeck_alert_since_timestamp_seconds{target=\"host/vps-0\",code=\"unreachable\",severity=\"crit\"} 1795392500\n"));
	/* unknown (null or absent) values have no sample, never a zero */
	ck_assert_ptr_null(strstr(t, "fleetdeck_host_cpu_busy_ratio{host=\"vps-0\"}"));
	ck_assert_ptr_null(strstr(t, "fleetdeck_host_memory_available_bytes{"));
	ck_assert_ptr_null(strstr(t, "fleetdeck_container_memory_limit_bytes{"));
	ck_assert_ptr_null(strstr(t, "fleetdeck_database_archiver_last_archived_timestamp_seconds{"));
	/* every family has its metadata, OpenMetrics ends with # EOF */
	ck_assert_ptr_nonnull(strstr(t, "# UNIT fleetdeck_host_cpu_busy_ratio ratio\n"));
	ck_assert_ptr_nonnull(strstr(t, "# TYPE fleetdeck_host_cpu_busy_ratio gauge\n"));
	ck_assert_str_eq(t + strlen(t) - 6, "# EOF\n");
	free(t);
}
END_TEST

START_TEST(test_om_label_escaping)
{
	char *t = render(out_metrics_doc, true);

	/* a container named  we"b\x<newline>y  by a remote engine */
	ck_assert_ptr_nonnull(strstr(t, "fleetdeck_container_memory_used_bytes{host=\"black\",container=\"we\\\"b\\\\x\\ny\"} 7\n"));
	free(t);
}
END_TEST

START_TEST(test_classic_text_format)
{
	char *t = render(out_metrics_doc, false);

	ck_assert_ptr_null(strstr(t, "# EOF"));
	ck_assert_ptr_null(strstr(t, "# UNIT"));
	ck_assert_ptr_nonnull(strstr(t, "fleetdeck_host_up{host=\"black\"} 1\n"));
	free(t);
}
END_TEST

START_TEST(test_csv_rows)
{
	char *t = render(out_csv_doc, true);

	ck_assert(str_starts(t, "time_utc,time,target,status,metric,value\r\n"));
	ck_assert_ptr_nonnull(strstr(t, ",1795392540.500,host/black,ok,cpu_pct,12.5\r\n"));
	ck_assert_ptr_nonnull(strstr(t, ",host/black,ok,load1,0.5\r\n"));
	ck_assert_ptr_nonnull(strstr(t, ",host/vps-0,crit,reachable,false\r\n"));
	ck_assert_ptr_nonnull(strstr(t, ",host/vps-0,crit,problem,unreachable: connection refused\r\n"));
	ck_assert_ptr_nonnull(strstr(t, ",disk/black:/,,used_pct,50\r\n"));
	ck_assert_ptr_nonnull(strstr(t, ",link/vps-0->black,ok,latency_ms,1.5\r\n"));
	ck_assert_ptr_nonnull(strstr(t, ",backup/wal,crit,age_s,7200\r\n"));
	ck_assert_ptr_nonnull(strstr(t, "2026-11-23 00:09:00,"));
	/* unknown: no row */
	ck_assert_ptr_null(strstr(t, "host/vps-0,crit,cpu_pct"));
	ck_assert_ptr_null(strstr(t, "mem_available"));
	free(t);
}
END_TEST

START_TEST(test_csv_quoting_and_formulas)
{
	char *t = render(out_csv_doc, false);

	ck_assert(!str_starts(t, "time_utc"));
	/* the target holds a quote and a newline: quoted, quotes doubled */
	ck_assert_ptr_nonnull(strstr(t, ",\"container/black/we\"\"b\\x\ny\",warn,mem_used,7\r\n"));
	/* a problem text that a spreadsheet would run as a formula */
	ck_assert_ptr_nonnull(strstr(t, ",problem,\"'=HYPERLINK(\"\"http://x\"\"), \"\"no\"\" limit\"\r\n"));
	free(t);
}
END_TEST

/* The exports follow the domain table: every row that writes a JSON array
 * exports it (but the server-judged [prometheus] sections), as its first
 * kind; each kind has a status family (but disks), and every family is
 * named fleetdeck_<kind>_..., once. */
START_TEST(test_every_domain_exported)
{
	const char *seen[256];
	size_t nseen = 0;

	DOMAINS_FOREACH(d) {
		if (d->id == DOM_PROMFLEET) {
			ck_assert_ptr_null(d->export);
			continue;
		}
		ck_assert_msg(d->export && d->export[0], "%s is not exported", d->name);
		ck_assert_str_eq(d->export[0]->array, d->json_key);
	}
	FLAT_KINDS_FOREACH(k) {
		const struct flat_kind *fk = *k;
		char prefix[64];
		bool status = false;

		ck_assert_uint_gt(fk->nfam, 0);
		ck_assert_ptr_nonnull(fk->label[0]);
		snprintf(prefix, sizeof(prefix), "fleetdeck_%s_", fk->kind);
		for (size_t i = 0; i < fk->nfam; i++) {
			const char *name = fk->fam[i].name;

			ck_assert_msg(strncmp(name, prefix, strlen(prefix)) == 0, "%s", name);
			status |= fk->fam[i].how == FH_STATUS;
			for (size_t j = 0; j < nseen; j++)
				ck_assert_str_ne(seen[j], name);
			ck_assert_uint_lt(nseen, ARRAY_LEN(seen));
			seen[nseen++] = name;
		}
		ck_assert_msg(status || fk->parent, "%s has no status family", fk->kind);
	}
}
END_TEST

static Suite *export_suite(void)
{
	Suite *s = suite_create("export");
	TCase *om = tcase_create("openmetrics");
	TCase *csv = tcase_create("csv");

	tcase_add_test(om, test_om_units_and_unknowns);
	tcase_add_test(om, test_om_label_escaping);
	tcase_add_test(om, test_classic_text_format);
	tcase_add_test(om, test_every_domain_exported);
	tcase_add_test(csv, test_csv_rows);
	tcase_add_test(csv, test_csv_quoting_and_formulas);
	suite_add_tcase(s, om);
	suite_add_tcase(s, csv);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(export_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
