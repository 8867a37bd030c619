/* Backup sources' parsers (restic, pgBackRest, file, command times), the
 * RPO rule at and around its thresholds, and the DSN mask. */
#include "config.h"
#include "collect/backup_parse.h"
#include "collect/db_parse.h"
#include "collect/prom_postgres.h"
#include "domain/domain.h"
#include "record/codec.h"
#include "rules/rules_databases.h"
#include "fleet/values.h"
#include "util/util.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T0 1795392540.0

static char *slurp(const char *name)
{
	const char *dir = getenv("TOP_SRCDIR");
	char *path = xasprintf("%s/tests/data/databases/%s", dir ? dir : ".", name);
	FILE *fp = fopen(path, "r");
	char *buf = xcalloc(1, 1 << 20);
	size_t n;

	ck_assert_msg(fp != NULL, "cannot open %s", path);
	n = fread(buf, 1, (1 << 20) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	free(path);
	return buf;
}

static struct backup_sample fresh(void)
{
	struct backup_sample b;

	memset(&b, 0, sizeof(b));
	b.count = -1;
	return b;
}

START_TEST(test_time_formats)
{
	double t;

	ck_assert_int_eq(backup_parse_time("1577836800", &t), 0);
	ck_assert_double_eq(t, 1577836800);
	ck_assert_int_eq(backup_parse_time(" 1577836800.5\n", &t), 0);
	ck_assert_double_eq(t, 1577836800.5);
	ck_assert_int_eq(backup_parse_time("2020-01-01T00:00:00Z", &t), 0);
	ck_assert_double_eq(t, 1577836800);
	ck_assert_int_eq(backup_parse_time("2020-01-01 02:00:00+02:00", &t), 0);
	ck_assert_double_eq(t, 1577836800);
	ck_assert_int_eq(backup_parse_time("2019-12-31T19:00:00.250-0500", &t), 0);
	ck_assert_double_eq(t, 1577836800.25);
	ck_assert_int_eq(backup_parse_time("2024-02-29T12:00:00", &t), 0);  /* no zone: UTC */
	ck_assert_double_eq(t, 1709208000);
	/* restic's nanoseconds and offset */
	ck_assert_int_eq(backup_parse_time("2020-01-01T01:00:00.123456789+01:00", &t), 0);
	ck_assert(t > 1577836800.12 && t < 1577836800.13);
	ck_assert_int_eq(backup_parse_time("", &t), -1);
	ck_assert_int_eq(backup_parse_time("yesterday", &t), -1);
	ck_assert_int_eq(backup_parse_time("2020-13-01T00:00:00Z", &t), -1);
	ck_assert_int_eq(backup_parse_time("2020-01-01T00:00:00Zjunk", &t), -1);
	ck_assert_int_eq(backup_parse_time("-5", &t), -1);
	ck_assert_int_eq(backup_parse_time("12abc", &t), -1);
}
END_TEST

START_TEST(test_restic)
{
	char *j = slurp("restic-snapshots.json");
	struct backup_sample b = fresh();

	/* restic 0.14 output, recorded: newest is the 2024 one tagged quinn.db */
	ck_assert_int_eq(backup_parse_restic(j, strlen(j), NULL, NULL, &b), 0);
	ck_assert(b.known);
	ck_assert_double_eq(b.last_at, 1716199200);
	ck_assert_int_eq(b.count, 3);
	ck_assert_str_eq(b.item, "c3d4e5f6");
	ck_assert(!b.has_size);
	b = fresh();
	ck_assert_int_eq(backup_parse_restic(j, strlen(j), "nightly", NULL, &b), 0);
	ck_assert_double_eq(b.last_at, 1577836800);
	ck_assert_int_eq(b.count, 1);
	b = fresh();
	ck_assert_int_eq(backup_parse_restic(j, strlen(j), "nope", NULL, &b), -1);
	ck_assert(!b.known);
	ck_assert_ptr_nonnull(strstr(b.error, "no restic snapshot tagged nope"));
	b = fresh();
	ck_assert_int_eq(backup_parse_restic("[]", 2, NULL, NULL, &b), -1);
	b = fresh();
	ck_assert_int_eq(backup_parse_restic("Fatal: wrong password", 21, NULL, NULL, &b), -1);
	ck_assert_ptr_nonnull(strstr(b.error, "no JSON"));
	free(j);
}
END_TEST

START_TEST(test_pgbackrest)
{
	char *j = slurp("pgbackrest-info.json");
	struct backup_sample b = fresh();

	/* a recording that follows pgBackRest's documented info JSON */
	ck_assert_int_eq(backup_parse_pgbackrest(j, strlen(j), "main", &b), 0);
	ck_assert(b.known);
	ck_assert_double_eq(b.last_at, 1716202800);   /* the incr, not the errored one */
	ck_assert_str_eq(b.item, "20240520-100000F_20240520-110000I");
	ck_assert(b.has_size);
	ck_assert_uint_eq(b.size, 2097152);
	b = fresh();
	ck_assert_int_eq(backup_parse_pgbackrest(j, strlen(j), "empty", &b), -1);
	ck_assert_ptr_nonnull(strstr(b.error, "no valid backups"));
	b = fresh();
	ck_assert_int_eq(backup_parse_pgbackrest(j, strlen(j), "other", &b), -1);
	ck_assert_ptr_nonnull(strstr(b.error, "no stanza other"));
	free(j);
}
END_TEST

START_TEST(test_file_and_command)
{
	struct backup_sample b = fresh();

	ck_assert_int_eq(backup_parse_file("newest 1716199200 4096 3\ngood 1716199200 4096\n"
					   "name quinn-3.sql.gz\n", &b), 0);
	ck_assert(b.known && b.has_size && b.failure[0] == '\0');
	ck_assert_uint_eq(b.size, 4096);
	ck_assert_str_eq(b.item, "quinn-3.sql.gz");
	b = fresh();
	/* zero-byte newest: a failure; the last good one still dates the RPO */
	ck_assert_int_eq(backup_parse_file("newest 1716199300 0 4\ngood 1716199200 4096\n"
					   "name q\x1b[2J.gz\n", &b), 0);
	ck_assert(b.known);
	ck_assert_double_eq(b.last_at, 1716199200);
	ck_assert_ptr_nonnull(strstr(b.failure, "empty"));
	ck_assert_ptr_null(strchr(b.item, 0x1b));
	b = fresh();
	ck_assert_int_eq(backup_parse_file("newest 1716199300 0 1\nname x\n", &b), -1);
	ck_assert(!b.known);
	b = fresh();
	ck_assert_int_eq(backup_parse_file("garbage", &b), -1);
	b = fresh();
	ck_assert_int_eq(backup_parse_command("2024-05-20T10:00:00Z\nsecond line\n", &b), 0);
	ck_assert_double_eq(b.last_at, 1716199200);
	b = fresh();
	ck_assert_int_eq(backup_parse_command("backup OK\n", &b), -1);
	ck_assert_ptr_nonnull(strstr(b.error, "not an epoch or ISO-8601"));
}
END_TEST

/* Issue #13: a backup dated 2150 or 1970, a size of -1 or 2^70 bytes, a
 * 2^70 integer in the JSON: never the newest good backup an RPO is judged
 * on, never a crash or a dropped list; the value is named. */
START_TEST(test_backup_implausible_numbers)
{
	struct backup_sample b = fresh();
	static const char restic[] =
		"[{\"time\": \"2150-01-01T00:00:00Z\", \"short_id\": \"future\"},"
		" {\"time\": \"2024-05-20T10:00:00Z\", \"short_id\": \"good\","
		"  \"summary\": {\"total_bytes_processed\": 1180591620717411303424}}]";

	ck_assert_int_eq(backup_parse_restic(restic, strlen(restic), NULL, NULL, &b), 0);
	ck_assert_str_eq(b.item, "good");
	ck_assert_double_eq(b.last_at, 1716199200);
	ck_assert(!b.has_size);
	ck_assert_msg(strstr(b.warning, "snapshot time = 5.68") && strstr(b.warning, "implausible"),
		      "%s", b.warning);
	ck_assert_msg(strstr(b.warning, "total_bytes_processed = 1.18059e+21"), "%s", b.warning);
	b = fresh();
	ck_assert_int_eq(backup_parse_file("newest 1716199200 -1 3\ngood 1716199200 4096\n", &b), -1);
	ck_assert(!b.known);
	ck_assert_msg(strstr(b.error, "newest file's size = -1: implausible"), "%s", b.error);
	b = fresh();
	ck_assert_int_eq(backup_parse_file("newest 99999999999 10 3\ngood 99999999999 10\n", &b), -1);
	ck_assert_msg(strstr(b.error, "mtime = 1e+11: implausible"), "%s", b.error);
	b = fresh();
	ck_assert_int_eq(backup_parse_command("0\n", &b), -1);
	ck_assert(!b.known);
	ck_assert_msg(strstr(b.error, "the command's time = 0: implausible"), "%s", b.error);
}
END_TEST

/* Issue #13: the statistics row as libpq gives it (text, NULL): plausible
 * numbers kept, garbage refused and named, no undefined cast of a huge
 * float (lag bytes 1e30 used to be cast to uint64_t). */
START_TEST(test_db_row_numbers)
{
	struct db_sample s;
	const char *good[DBC__COUNT] = {
		"f", "12", "100", NULL, "0", "2", "3.5", "0", "8388608", "on",
		"42", "000000010000000000000003", "1716199200.25", "0", NULL,
	};
	const char *bad[DBC__COUNT] = {
		"t", "-3", "100", "1e308", "1e30", "x", NULL, "99999999999", "1180591620717411303424",
		"on\x1b[2J", "7", "w", "-5", "1", "4102444801",
	};

	memset(&s, 0, sizeof(s));
	db_parse_row(good, &s);
	ck_assert(s.valid & DBV_CONNECTIONS);
	ck_assert_int_eq(s.connections, 12);
	ck_assert(!(s.valid & DBV_LAG_S));
	ck_assert(s.valid & DBV_LAG_BYTES);
	ck_assert_int_eq(s.replicas, 2);
	ck_assert_double_eq(s.longest_xact_s, 3.5);
	ck_assert_uint_eq(s.size, 8388608);
	ck_assert(s.valid & DBV_ARCHIVER);
	ck_assert_double_eq(s.archiver_last_archived_at, 1716199200.25);
	ck_assert_str_eq(s.implausible, "");

	memset(&s, 0, sizeof(s));
	db_parse_row(bad, &s);
	ck_assert(s.valid & DBV_RECOVERY);
	ck_assert(!(s.valid & (DBV_CONNECTIONS | DBV_LAG_S | DBV_LAG_BYTES | DBV_LOCKS | DBV_SIZE)));
	ck_assert(s.valid & DBV_XACT);             /* NULL: no open transaction */
	ck_assert(s.valid & DBV_ARCHIVER);
	ck_assert_double_eq(s.archiver_last_archived_at, 0);
	ck_assert_double_eq(s.archiver_last_failed_at, 0);
	ck_assert_ptr_null(strchr(s.archive_mode, 0x1b));
	ck_assert_msg(strstr(s.implausible, "connections = -3: implausible"), "%s", s.implausible);
}
END_TEST

static struct fleet_kv kv_rpo = { (char *)"rpo", (char *)"1h", "t.fleet", 1 };

static struct fleet_section mksec(void)
{
	struct fleet_section s;

	memset(&s, 0, sizeof(s));
	s.kind = SEC_BACKUP;
	s.name = (char *)"b";
	s.kv = &kv_rpo;
	s.nkv = 1;
	return s;
}

static enum status eval(const struct backup_sample *b)
{
	struct fleet_section sec = mksec();
	struct host_eval ev;
	enum status st = ST_OK;

	memset(&ev, 0, sizeof(ev));
	rules_backup_eval(&sec, b, T0, &ev);
	for (int i = 0; i < ev.nproblems; i++)
		st = status_worst(st, ev.problems[i].severity);
	return st;
}

START_TEST(test_rpo_thresholds)
{
	struct fleet_section sec = mksec();
	struct backup_sample b = fresh();

	b.collected = b.known = true;
	b.sampled_at = T0 - 1;
	b.interval = 60;
	b.last_at = T0 - 0.8 * 3600;           /* exactly 0.8 x rpo: ok */
	ck_assert_int_eq(eval(&b), ST_OK);
	ck_assert_int_eq(rules_backup_rpo(&sec, &b, T0), RPO_OK);
	b.last_at = T0 - 0.8 * 3600 - 1;       /* just over: warn */
	ck_assert_int_eq(eval(&b), ST_WARN);
	b.last_at = T0 - 3600;                 /* exactly rpo: still warn */
	ck_assert_int_eq(rules_backup_rpo(&sec, &b, T0), RPO_WARN);
	b.last_at = T0 - 3601;                 /* breach: crit */
	ck_assert_int_eq(eval(&b), ST_CRIT);
	ck_assert_str_eq(rpo_status_name(rules_backup_rpo(&sec, &b, T0)), "breach");
	b.last_at = T0 - 60;
	b.sampled_at = T0 - 181;               /* older than 3 x interval: stale */
	ck_assert_int_eq(eval(&b), ST_UNKNOWN);
	ck_assert_int_eq(rules_backup_rpo(&sec, &b, T0), RPO_UNKNOWN);
	b.sampled_at = T0 - 1;
	b.known = false;                       /* unreadable: unknown, never ok */
	ck_assert_int_eq(eval(&b), ST_UNKNOWN);
	b.collected = false;
	ck_assert_int_eq(eval(&b), ST_UNKNOWN);
}
END_TEST

START_TEST(test_dsn_mask)
{
	char out[192];

	db_dsn_mask("host=db user=m password=hunter2 dbname=x", out, sizeof(out));
	ck_assert_str_eq(out, "host=db user=m password=**** dbname=x");
	db_dsn_mask("password = 'a b\\' c' host=db", out, sizeof(out));
	ck_assert_str_eq(out, "password = **** host=db");
	db_dsn_mask("postgresql://mon:hunter2@db:5432/x?sslmode=require&password=zz", out, sizeof(out));
	ck_assert_str_eq(out, "postgresql://mon:****@db:5432/x?sslmode=require&password=****");
	db_dsn_mask("postgresql://mon@db/x", out, sizeof(out));
	ck_assert_str_eq(out, "postgresql://mon@db/x");
	db_dsn_mask("postgresql://a:@h/x?password=", out, sizeof(out));
	ck_assert_str_eq(out, "postgresql://a:****@h/x?password=****");
	db_dsn_mask("host=db mypassword=x", out, sizeof(out));
	ck_assert_str_eq(out, "host=db mypassword=x");
	/* every option libpq marks secret (dispchar "*"), not only password */
	db_dsn_mask("host=db sslkey=/k sslpassword='key pass' user=m", out, sizeof(out));
	ck_assert_str_eq(out, "host=db sslkey=/k sslpassword=**** user=m");
	db_dsn_mask("postgresql://m@db/x?sslpassword=kp&sslmode=verify-full", out, sizeof(out));
	ck_assert_str_eq(out, "postgresql://m@db/x?sslpassword=****&sslmode=verify-full");
	db_dsn_mask("host=db password='unterminated", out, sizeof(out));
	ck_assert_ptr_null(strstr(out, "unterminated"));
}
END_TEST

/* Through a tunnel libpq gets host=DIR port=N (a private Unix socket):
 * the DSN loses its address, keeps the rest quoted, and one that demands
 * encryption (which libpq does not do on a Unix socket) is refused. */
START_TEST(test_dsn_for_tunnel)
{
	char err[300] = "";
	char *s = values_dsn_without_address("host=db.example hostaddr=10.0.0.5 port=6432 dbname='a b' "
					     "user=o\\'k sslmode=prefer", err, sizeof(err));

	ck_assert_ptr_nonnull(s);
	ck_assert_ptr_null(strstr(s, "db.example"));
	ck_assert_ptr_null(strstr(s, "10.0.0.5"));
	ck_assert_ptr_null(strstr(s, "6432"));
	ck_assert_ptr_nonnull(strstr(s, "dbname='a b'"));
	ck_assert_ptr_nonnull(strstr(s, "user='o\\'k'"));
	free(s);
	s = values_dsn_without_address("postgresql://m@db:5432/x?application_name=fd", err, sizeof(err));
	ck_assert_ptr_nonnull(s);
	ck_assert_ptr_null(strstr(s, "db"  ":"));
	ck_assert_ptr_nonnull(strstr(s, "dbname='x'"));
	free(s);
	for (int i = 0; i < 4; i++) {
		static const char *const demand[] = {
			"host=db sslmode=require", "host=db sslmode=verify-full",
			"postgresql://m@db/x?sslmode=verify-ca", "host=db gssencmode=require" };
		err[0] = '\0';
		ck_assert_ptr_null(values_dsn_without_address(demand[i], err, sizeof(err)));
		ck_assert_ptr_nonnull(strstr(err, "tunnel"));
	}
	ck_assert_ptr_null(values_dsn_without_address("host='x", err, sizeof(err)));
	ck_assert_ptr_null(strstr(err, "'x"));
}
END_TEST

/* --once/--check: what a target answered early in a long round is judged
 * as of its answer, never "stale" at the round's end (hosts always were;
 * databases, backups, services, links, runners and keys now too), while
 * the dashboard (no fresh_since) still calls the same sample stale. */
START_TEST(test_once_round_not_stale)
{
	static const char text[] =
		"[host a]\n"
		"[database d]\ndsn = host=10.0.0.1 dbname=d user=m\n"
		"[backup d-wal]\nsource = pg-archiver\ndatabase = d\nrpo = 1h\n"
		"[service s]\nhost = a\ncheck = tcp 10.0.0.1:80\n"
		"[link a -> d]\ncheck = tcp 10.0.0.1:81\n"
		"[runners r]\nprovider = systemd\nhost = a\nunit = r@\n";
	struct fleet f;
	struct fleet_diags d = { 0 };
	struct snapshot snap = { 0 };
	const double at = T0 + 1, end = T0 + 40;   /* a 40 s round, 2 s interval */

	ck_assert_int_eq(fleet_load_buffer("u.fleet", text, strlen(text), &f, &d), 0);
	snapshot_put(&snap, DOM_DATABASE, 0, &(struct db_sample){ .collected = true, .up = true,
		     .sampled_at = at, .interval = 2 }, sizeof(struct db_sample));
	snapshot_put(&snap, DOM_BACKUP, 0, &(struct backup_sample){ .collected = true, .known = true,
		     .sampled_at = at, .interval = 2, .last_at = at - 60 }, sizeof(struct backup_sample));
	snapshot_put(&snap, DOM_SERVICE, 0, &(struct service_sample){ .collected = true, .ok = true,
		     .sampled_at = at, .interval = 2, .cert_days_left = -1 }, sizeof(struct service_sample));
	snapshot_put(&snap, DOM_LINK, 0, &(struct link_sample){ .c = { .collected = true, .ok = true,
		     .sampled_at = at, .interval = 2, .cert_days_left = -1 } }, sizeof(struct link_sample));
	snapshot_put(&snap, DOM_RUNNERS, 0, &(struct runners_sample){ .collected = true, .sampled_at = at,
		     .interval = 2, .count = 1, .idle = 1, .queued = -1 }, sizeof(struct runners_sample));
	for (int once = 1; once >= 0; once--) {
		struct rules_state st = { 0 };
		struct evaluation ev = { 0 };
		int stale = 0;

		rules_state_init(&st, f.nhosts);
		st.fresh_since = once ? T0 : 0;
		rules_evaluate(&f, &snap, end, &st, &ev);
		for (size_t i = 0; i < ev.ntargets; i++)
			for (int p = 0; p < ev.targets[i].ev.nproblems; p++)
				if (strcmp(ev.targets[i].ev.problems[p].code, "stale") == 0) {
					if (once)
						ck_abort_msg("%s: %s", ev.targets[i].target,
							     ev.targets[i].ev.problems[p].text);
					stale++;
				}
		if (!once)
			ck_assert_int_eq(stale, 5);
		evaluation_free(&ev);
		rules_state_free(&st);
	}
	snapshot_free(&snap);
	fleet_free(&f);
	fleet_diags_free(&d);
}
END_TEST

/* A postgres_exporter's database (collect/prom_postgres.c): a model row
 * past the fleet file's [database]s, named in its sample (the fleet is not
 * changed), judged by the same rules: an exporter Prometheus cannot scrape
 * is unknown, not down; PostgreSQL the exporter cannot reach is down. An
 * empty name there is no row; a [database] of the file keeps index 0. */
START_TEST(test_prometheus_row)
{
	static const char text[] = "[host a]\nrole = r\n[prometheus p]\nurl = http://127.0.0.1:1\n"
				   "postgres = {job=\"postgres\"}\n"
				   "[database f]\ndsn = host=10.0.0.1 dbname=f user=m\n";
	struct fleet f;
	struct fleet_diags d = { 0 };
	struct db_row tmp;
	const struct fleet_section *sec;
	char v[32];

	ck_assert_int_eq(fleet_load_buffer("u.fleet", text, strlen(text), &f, &d), 0);

	struct db_sample src = { .collected = true, .fail = DBF_SOURCE, .interval = 2,
				 .error = "Prometheus p cannot scrape this postgres_exporter (up == 0)",
				 .name = "a:9187", .host = "a", .prometheus = 1 };
	struct db_sample down = { .collected = true, .fail = DBF_CONNECT, .interval = 2,
				  .error = "postgres_exporter cannot connect to PostgreSQL (pg_up == 0)",
				  .name = "a:9188", .prometheus = 1 };
	struct db_sample gone = { 0 };
	struct snapshot snap = { 0 };
	struct rules_state st = { 0 };
	struct evaluation ev = { 0 };

	ck_assert(db_sample_unknown(&src));
	ck_assert(!db_sample_unknown(&down));
	snapshot_put(&snap, DOM_DATABASE, 1, &src, sizeof(src));
	snapshot_put(&snap, DOM_DATABASE, 2, &gone, sizeof(gone));
	snapshot_put(&snap, DOM_DATABASE, 3, &down, sizeof(down));
	ck_assert_str_eq(db_row_section(&f, &snap, 0, &tmp)->name, "f");
	sec = db_row_section(&f, &snap, 1, &tmp);
	ck_assert_str_eq(sec->name, "a:9187");
	ck_assert_str_eq(fleet_section_get(sec, "host"), "a");
	ck_assert_int_eq(sec->prometheus, 1);
	ck_assert_ptr_null(db_row_section(&f, &snap, 2, &tmp));
	ck_assert_ptr_null(fleet_section_get(db_row_section(&f, &snap, 3, &tmp), "host"));
	ck_assert_ptr_null(db_row_section(&f, &snap, 4, &tmp));
	rules_state_init(&st, f.nhosts);
	rules_evaluate(&f, &snap, T0, &st, &ev);
	ck_assert_int_eq(rules_target_find(&ev, DOM_DATABASE, 1, -1)->ev.status, ST_UNKNOWN);
	ck_assert_str_eq(rules_target_find(&ev, DOM_DATABASE, 1, -1)->target, "database/a:9187");
	ck_assert_ptr_null(rules_target_find(&ev, DOM_DATABASE, 2, -1));
	ck_assert_int_eq(rules_target_find(&ev, DOM_DATABASE, 3, -1)->ev.status, ST_CRIT);
	evaluation_free(&ev);
	rules_state_free(&st);

	/* a recording keys a found row by its name; a replay that does not
	 * know the name yet puts it past the rows it has */
	const struct domain *dd = &domains[DOM_DATABASE];
	ck_assert_str_eq(rec_elem_name(dd, &f, &snap, 0), "f");
	ck_assert_str_eq(rec_elem_name(dd, &f, &snap, 1), "a:9187");
	ck_assert_ptr_null(rec_elem_name(dd, &f, &snap, 2));
	ck_assert_ptr_null(rec_elem_name(dd, &f, NULL, 1));
	ck_assert_int_eq(rec_elem_index(dd, &f, &snap, "a:9188"), 3);
	ck_assert_int_eq(rec_elem_index(dd, &f, &snap, "f"), 0);
	ck_assert_int_eq(rec_elem_index(dd, &f, &snap, "b:9187"), 4);
	ck_assert_int_eq(rec_elem_index(&domains[DOM_BACKUP], &f, &snap, "b:9187"), -1);
	snapshot_free(&snap);

	ck_assert_str_eq(prom_pg_version("15.18.0", v, sizeof(v)), "15.18");
	ck_assert_str_eq(prom_pg_version("10.0.0", v, sizeof(v)), "10.0");
	ck_assert_str_eq(prom_pg_version("9.6.24", v, sizeof(v)), "9.6.24");
	ck_assert_str_eq(prom_pg_version("16", v, sizeof(v)), "16");
	ck_assert_ptr_null(strchr(prom_pg_version("x\x1b[2J", v, sizeof(v)), 0x1b));
	fleet_free(&f);
	fleet_diags_free(&d);
}
END_TEST

/* A database with an RPO but no [backup] protecting it is a warning;
 * a backup `of` it (or a pg-archiver's `database`) answers the promise. */
START_TEST(test_unprotected)
{
	static const char text[] =
		"[database a]\ndsn = host=10.0.0.1 dbname=a user=m\nrpo = 15m\n"
		"[database b]\ndsn = host=10.0.0.1 dbname=b user=m\nrpo = 1h\n"
		"[database c]\ndsn = host=10.0.0.1 dbname=c user=m\n"
		"[backup b-wal]\nsource = pg-archiver\ndatabase = b\nrpo = 15m\n";
	struct fleet f;
	struct fleet_diags d = { 0 };
	struct snapshot snap = { 0 };
	struct rules_state st = { 0 };
	struct evaluation ev = { 0 };
	const struct target_eval *t;

	ck_assert_int_eq(fleet_load_buffer("u.fleet", text, strlen(text), &f, &d), 0);
	for (size_t i = 0; i < 3; i++)
		snapshot_put(&snap, DOM_DATABASE, i, &(struct db_sample){ 0 }, sizeof(struct db_sample));
	snapshot_put(&snap, DOM_BACKUP, 0, &(struct backup_sample){ 0 }, sizeof(struct backup_sample));
	rules_state_init(&st, 0);
	rules_evaluate(&f, &snap, T0, &st, &ev);
	t = rules_target_find(&ev, DOM_DATABASE, 0, -1);
	ck_assert_ptr_nonnull(t);
	ck_assert_int_ge(t->ev.status, ST_WARN);
	ck_assert(t->ev.nproblems >= 1);
	{
		bool found = false;
		for (int k = 0; k < t->ev.nproblems; k++)
			found |= strcmp(t->ev.problems[k].code, "unprotected") == 0;
		ck_assert(found);
	}
	/* b is protected by its archiver; c promised no RPO */
	for (int i = 1; i <= 2; i++) {
		t = rules_target_find(&ev, DOM_DATABASE, i, -1);
		for (int k = 0; k < t->ev.nproblems; k++)
			ck_assert_str_ne(t->ev.problems[k].code, "unprotected");
	}
	evaluation_free(&ev);
	rules_state_free(&st);
	snapshot_free(&snap);
	fleet_free(&f);
	fleet_diags_free(&d);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("databases");
	TCase *tc = tcase_create("parse");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_once_round_not_stale);
	tcase_add_test(tc, test_time_formats);
	tcase_add_test(tc, test_restic);
	tcase_add_test(tc, test_pgbackrest);
	tcase_add_test(tc, test_file_and_command);
	tcase_add_test(tc, test_backup_implausible_numbers);
	tcase_add_test(tc, test_db_row_numbers);
	tcase_add_test(tc, test_rpo_thresholds);
	tcase_add_test(tc, test_dsn_mask);
	tcase_add_test(tc, test_dsn_for_tunnel);
	tcase_add_test(tc, test_unprotected);
	tcase_add_test(tc, test_prometheus_row);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
