#include "config.h"
#include "domain/domain.h"
#include "out/domains.h"
#include "model/fields.h"
#include "history/history.h"
#include "out/flat.h"
#include "rules/rules_databases.h"
#include "util/util.h"
#include "util/text.h"

#include <math.h>
#include <string.h>

/* SPEC §4 "databases" and "backups", and the --once text section. Unknown
 * values are null, never a made-up zero; the DSN is shown masked. */

static json_t *j_num_if(bool ok, double v)
{
	return ok && isfinite(v) ? json_real(round(v * 1000) / 1000) : json_null();
}

static json_t *j_time(double t)
{
	return j_num_if(t > 0, t);
}

static json_t *j_int_if(bool ok, long long v)
{
	return ok ? json_integer(v) : json_null();
}

static json_t *j_str_or_null(const char *s)
{
	return json_text(s, true);
}

static json_t *j_problems(const struct target_eval *t)
{
	json_t *a = json_array();

	for (int i = 0; t && i < t->ev.nproblems; i++)
		json_array_append_new(a, j_str_or_null(t->ev.problems[i].text));
	return a;
}

static json_t *j_secs_key(const struct fleet_section *sec, const char *key)
{
	double v = rules_section_seconds(sec, key);
	return v > 0 ? json_real(v) : json_null();
}

static json_t *json_archiver(const struct db_sample *d)
{
	json_t *o = json_object();
	bool v = d->up && (d->valid & DBV_ARCHIVER);

	json_object_set_new(o, "archive_mode", j_str_or_null(d->up ? d->archive_mode : NULL));
	json_object_set_new(o, "last_archived_at", v ? j_time(d->archiver_last_archived_at) : json_null());
	json_object_set_new(o, "last_archived_wal", j_str_or_null(v ? d->archiver_last_wal : NULL));
	json_object_set_new(o, "archived_count", j_int_if(v, (long long)d->archiver_archived_count));
	json_object_set_new(o, "failed_count", j_int_if(v, (long long)d->archiver_failed_count));
	json_object_set_new(o, "last_failed_at", v ? j_time(d->archiver_last_failed_at) : json_null());
	return o;
}

static json_t *json_database(const struct fleet_section *sec, const struct db_sample *d,
			     const struct target_eval *t, double now)
{
	json_t *o = json_object();
	unsigned v = d->up ? d->valid : 0;

	json_object_set_new(o, "name", json_text(sec->name, false));
	json_object_set_new(o, "status", json_string(status_name(t ? t->ev.status : ST_UNKNOWN)));
	json_object_set_new(o, "up", db_sample_unknown(d) ? json_null() : json_boolean(d->up));
	json_object_set_new(o, "host", j_str_or_null(fleet_section_get(sec, "host")));
	json_object_set_new(o, "tunnel", j_str_or_null(fleet_section_get(sec, "tunnel")));
	json_object_set_new(o, "replica_of", j_str_or_null(fleet_section_get(sec, "replica_of")));
	json_object_set_new(o, "dsn", j_str_or_null(d->dsn));
	json_object_set_new(o, "version", j_str_or_null(v & DBV_VERSION ? d->version : NULL));
	json_object_set_new(o, "in_recovery", v & DBV_RECOVERY ? json_boolean(d->in_recovery) : json_null());
	json_object_set_new(o, "connections", j_int_if(v & DBV_CONNECTIONS, d->connections));
	json_object_set_new(o, "max_connections", j_int_if(v & DBV_CONNECTIONS, d->max_connections));
	json_object_set_new(o, "replication_lag_s", j_num_if(v & DBV_LAG_S, d->replication_lag_s));
	json_object_set_new(o, "replication_lag_bytes",
			    j_int_if(v & DBV_LAG_BYTES, (long long)d->replication_lag_bytes));
	json_object_set_new(o, "replicas", j_int_if(v & DBV_RECOVERY && !d->in_recovery, d->replicas));
	json_object_set_new(o, "longest_xact_s", j_num_if(v & DBV_XACT, d->longest_xact_s));
	json_object_set_new(o, "waiting_locks", j_int_if(v & DBV_LOCKS, d->waiting_locks));
	json_object_set_new(o, "size", j_int_if(v & DBV_SIZE, (long long)d->size));
	json_object_set_new(o, "latency_ms", j_num_if(v & DBV_LATENCY, d->latency_ms));
	json_object_set_new(o, "archiver", json_archiver(d));
	json_object_set_new(o, "rpo_s", j_secs_key(sec, "rpo"));
	json_object_set_new(o, "sampled_at", j_time(d->sampled_at));
	json_object_set_new(o, "age_s", j_num_if(d->sampled_at > 0, now - d->sampled_at));
	json_object_set_new(o, "stale", json_boolean(t && t->ev.stale));
	json_object_set_new(o, "error", j_str_or_null(d->up ? NULL : d->error));
	json_object_set_new(o, "problems", j_problems(t));
	return o;
}

json_t *json_databases(OUT_ARGS)
{
	json_t *a = json_array();
	for (size_t i = 0; i < snapshot_count(s, DOM_DATABASE); i++) {
		struct db_row tmp;
		const struct fleet_section *sec = db_row_section(f, s, i, &tmp);
		if (sec)
			json_array_append_new(a, json_database(sec, snap_database(s, i),
					      rules_target_find(ev, DOM_DATABASE, (int)i, -1), now));
	}
	return a;
}

static json_t *json_backup(const struct fleet_section *sec, const struct backup_sample *b,
			   const struct target_eval *t, double now)
{
	json_t *o = json_object();
	bool k = b->collected && b->known && b->last_at > 0;

	json_object_set_new(o, "name", json_text(sec->name, false));
	json_object_set_new(o, "source", j_str_or_null(fleet_section_get(sec, "source")));
	json_object_set_new(o, "status", json_string(status_name(t ? t->ev.status : ST_UNKNOWN)));
	json_object_set_new(o, "rpo_status", json_string(rpo_status_name(rules_backup_verdict(t))));
	json_object_set_new(o, "of", j_str_or_null(fleet_section_get(sec, "of")));
	json_object_set_new(o, "host", j_str_or_null(fleet_section_get(sec, "host")));
	json_object_set_new(o, "rpo_s", j_secs_key(sec, "rpo"));
	json_object_set_new(o, "rto_s", j_secs_key(sec, "rto"));
	json_object_set_new(o, "last_at", k ? j_time(b->last_at) : json_null());
	json_object_set_new(o, "age_s", j_num_if(k, now - b->last_at > 0 ? now - b->last_at : 0));
	json_object_set_new(o, "size", j_int_if(k && b->has_size, (long long)b->size));
	json_object_set_new(o, "latest", j_str_or_null(k ? b->item : NULL));
	json_object_set_new(o, "count", j_int_if(b->collected && b->count >= 0, b->count));
	json_object_set_new(o, "sampled_at", j_time(b->sampled_at));
	json_object_set_new(o, "stale", json_boolean(t && t->ev.stale));
	json_object_set_new(o, "error", j_str_or_null(b->known ? NULL : b->error));
	json_object_set_new(o, "failure", j_str_or_null(b->failure));
	json_object_set_new(o, "problems", j_problems(t));
	return o;
}

json_t *json_backups(OUT_ARGS)
{
	json_t *a = json_array();
	size_t n = fleet_count(f, SEC_BACKUP);

	for (size_t i = 0; i < n && i < snapshot_count(s, DOM_BACKUP); i++)
		json_array_append_new(a, json_backup(fleet_nth(f, SEC_BACKUP, i), snap_backup(s, i),
				      rules_target_find(ev, DOM_BACKUP, (int)i, -1), now));
	return a;
}

/* One line of text without terminal escapes. */
static const char *safe(char *buf, size_t len, const char *s)
{
	str_copy(buf, s ? s : "", len);
	return str_sanitize(buf);
}

static void text_database(FILE *fp, const struct fleet_section *sec, const struct db_sample *d,
			  const struct target_eval *t)
{
	char name[64], conn[24] = "-", lag[24] = "-", size[16] = "-", arch[24] = "-", ver[24] = "-";
	unsigned v = d->up ? d->valid : 0;

	if (v & DBV_VERSION)
		str_fmt(ver, sizeof(ver), "%s%s", d->version,
			(v & DBV_RECOVERY) && d->in_recovery ? " replica" : "");
	if (v & DBV_CONNECTIONS)
		str_fmt(conn, sizeof(conn), "%d/%d", d->connections, d->max_connections);
	if (v & DBV_LAG_S)
		str_fmt(lag, sizeof(lag), "%.1fs", d->replication_lag_s);
	if (v & DBV_SIZE)
		fmt_bytes(size, sizeof(size), (double)d->size);
	if ((v & DBV_ARCHIVER) && d->archiver_last_archived_at > 0)
		str_fmt(arch, sizeof(arch), "%llu ok %llu fail",
			(unsigned long long)d->archiver_archived_count,
			(unsigned long long)d->archiver_failed_count);
	fprintf(fp, "%-7s  %-20.20s  %-5s  %-14.14s  %-9s  %7s  %7s  %s\n",
		status_name(t ? t->ev.status : ST_UNKNOWN), safe(name, sizeof(name), sec->name),
		db_sample_unknown(d) ? "?" : d->up ? "up" : "DOWN",
		ver, conn, lag, size, arch);
}

static void text_backup(FILE *fp, const struct fleet_section *sec, const struct backup_sample *b,
			const struct target_eval *t, double now)
{
	char name[64], src[16], age[16] = "-", rpo[16] = "-", sz[16] = "-", why[200] = "";
	enum rpo_status r = rules_backup_verdict(t);
	double rv = rules_section_seconds(sec, "rpo");

	if (b->known && b->last_at > 0)
		fmt_age(age, sizeof(age), now - b->last_at > 0 ? now - b->last_at : 0);
	if (rv > 0)
		fmt_age(rpo, sizeof(rpo), rv);
	if (b->known && b->has_size)
		fmt_bytes(sz, sizeof(sz), (double)b->size);
	if (t && t->ev.nproblems)
		safe(why, sizeof(why), t->ev.problems[0].text);
	fprintf(fp, "%-7s  %-20.20s  %-11.11s  %-7s  %7s  %7s  %7s  %s\n",
		status_name(t ? t->ev.status : ST_UNKNOWN), safe(name, sizeof(name), sec->name),
		safe(src, sizeof(src), fleet_section_get(sec, "source")), rpo_status_name(r),
		age, rpo, sz, why);
}

void text_databases(FILE *fp, OUT_ARGS)
{
	bool head = false;

	(void)now;
	for (size_t i = 0; i < snapshot_count(s, DOM_DATABASE); i++) {
		struct db_row tmp;
		const struct fleet_section *sec = db_row_section(f, s, i, &tmp);
		if (!sec)
			continue;
		if (!head)
			fprintf(fp, "\n%-7s  %-20s  %-5s  %-14s  %-9s  %7s  %7s  %s\n", "STATUS",
				"DATABASE", "UP", "VERSION", "CONN", "LAG", "SIZE", "ARCHIVER");
		head = true;
		text_database(fp, sec, snap_database(s, i),
			      rules_target_find(ev, DOM_DATABASE, (int)i, -1));
	}
}

void text_backups(FILE *fp, OUT_ARGS)
{
	size_t nb = fleet_count(f, SEC_BACKUP);

	if (nb) {
		fprintf(fp, "\n%-7s  %-20s  %-11s  %-7s  %7s  %7s  %7s  %s\n", "STATUS", "BACKUP",
			"SOURCE", "STATE", "AGE", "RPO", "SIZE", "PROBLEM");
		for (size_t i = 0; i < nb && i < snapshot_count(s, DOM_BACKUP); i++)
			text_backup(fp, fleet_nth(f, SEC_BACKUP, i), snap_backup(s, i),
				    rules_target_find(ev, DOM_BACKUP, (int)i, -1), now);
	}
}

/* ---- what a recording keeps (model/fields.h; the domain table's .record) ---- */

/* Not recorded: the DSN (masked in the model, but a recording is pasted
 * around; the fleet file names the database). */
static const struct rec_field db_fields[] = {
	R_BOO(struct db_sample, collected), R_TIM(struct db_sample, sampled_at),
	R_TIM(struct db_sample, attempted_at), R_DBL(struct db_sample, interval),
	R_BOO(struct db_sample, up), R_INT(struct db_sample, fail), R_STR(struct db_sample, error),
	R_UNS(struct db_sample, valid), R_STR(struct db_sample, version), R_STR(struct db_sample, via),
	R_BOO(struct db_sample, in_recovery), R_INT(struct db_sample, connections),
	R_INT(struct db_sample, max_connections), R_DBL(struct db_sample, replication_lag_s),
	R_U64(struct db_sample, replication_lag_bytes), R_INT(struct db_sample, replicas),
	R_DBL(struct db_sample, longest_xact_s), R_INT(struct db_sample, waiting_locks),
	R_U64(struct db_sample, size), R_DBL(struct db_sample, latency_ms),
	R_STR(struct db_sample, archive_mode), R_TIM(struct db_sample, archiver_last_archived_at),
	R_U64(struct db_sample, archiver_archived_count), R_U64(struct db_sample, archiver_failed_count),
	R_TIM(struct db_sample, archiver_last_failed_at), R_STR(struct db_sample, archiver_last_wal),
	/* a database found through [prometheus]: its name, host and section */
	R_STR(struct db_sample, name), R_STR(struct db_sample, host),
	R_INT(struct db_sample, prometheus),
	/* values refused: the database is unknown for them (without it a
	 * replay would judge it ok) */
	R_STR(struct db_sample, implausible),
};
R_DESC(rec_databases, db_fields);

static const struct rec_field backup_fields[] = {
	R_BOO(struct backup_sample, collected), R_TIM(struct backup_sample, sampled_at),
	R_TIM(struct backup_sample, attempted_at), R_DBL(struct backup_sample, interval),
	R_BOO(struct backup_sample, known), R_STR(struct backup_sample, error),
	R_TIM(struct backup_sample, last_at), R_BOO(struct backup_sample, has_size),
	R_U64(struct backup_sample, size), R_STR(struct backup_sample, item),
	R_INT(struct backup_sample, count), R_STR(struct backup_sample, failure),
	R_STR(struct backup_sample, warning),
};
R_DESC(rec_backups, backup_fields);

/* What the history keeps of a database and of a backup (their rows' .trends).
 * A database found through [prometheus] is kept under its name too: its
 * row is reused by the next target found after it goes, which must not
 * inherit its trends ("" for a [database]). */
void trends_databases(struct hist_store *h, size_t i, const void *sample)
{
	const struct db_sample *d = sample;

	if (!d->up || d->sampled_at <= 0)
		return;
	if (d->valid & DBV_CONNECTIONS)
		hist_add(h, HM_DB_CONNECTIONS, i, d->name, d->sampled_at, d->interval, d->connections);
	if (d->valid & DBV_LAG_S)
		hist_add(h, HM_DB_LAG, i, d->name, d->sampled_at, d->interval, d->replication_lag_s);
}

void trends_backups(struct hist_store *h, size_t i, const void *sample)
{
	const struct backup_sample *b = sample;

	if (!b->collected || !b->known || b->last_at <= 0 || b->sampled_at <= 0)
		return;
	hist_add(h, HM_BACKUP_AGE, i, "", b->sampled_at, b->interval,
		 b->sampled_at > b->last_at ? b->sampled_at - b->last_at : 0);
}

/* ---- what the exports show (out/flat.h; the domain table's .export) ---- */

static const struct flat_family database_families[] = {
	FLAT("database_status", "", "status", 1, FH_STATUS, "Status of the database (1 for the current one)."),
	FLAT("database_up", "", "up", 1, FH_BOOL, "1 when the database answered."),
	FLAT("database_connections", "", "connections", 1, FH_NUMBER, "Connections in use."),
	FLAT("database_max_connections", "", "max_connections", 1, FH_NUMBER, "max_connections."),
	FLAT("database_replication_lag_seconds", "seconds", "replication_lag_s", 1, FH_NUMBER, "Replication lag (replicas)."),
	FLAT("database_replication_lag_bytes", "bytes", "replication_lag_bytes", 1, FH_NUMBER, "Replication lag in WAL bytes."),
	FLAT("database_longest_transaction_seconds", "seconds", "longest_xact_s", 1, FH_NUMBER, "Age of the longest open transaction."),
	FLAT("database_waiting_locks", "", "waiting_locks", 1, FH_NUMBER, "Lock requests waiting."),
	FLAT("database_size_bytes", "bytes", "size", 1, FH_NUMBER, "Database size."),
	FLAT("database_archiver_failed", "", "archiver.failed_count", 1, FH_NUMBER, "pg_stat_archiver failed_count (cumulative)."),
	FLAT("database_archiver_last_archived_timestamp_seconds", "seconds", "archiver.last_archived_at", 1, FH_NUMBER, "pg_stat_archiver last_archived_time."),
};
const struct flat_kind flat_databases = {
	"database", "databases", NULL, { "database" }, { "name" }, NULL,
	FLAT_FAMILIES(database_families)
};

static const struct flat_family backup_families[] = {
	FLAT("backup_status", "", "status", 1, FH_STATUS, "Status of the backup against its RPO (1 for the current one)."),
	FLAT("backup_last_timestamp_seconds", "seconds", "last_at", 1, FH_NUMBER, "Unix time of the newest good backup."),
	FLAT("backup_age_seconds", "seconds", "age_s", 1, FH_NUMBER, "Age of the newest good backup."),
	FLAT("backup_rpo_seconds", "seconds", "rpo_s", 1, FH_NUMBER, "The backup's recovery point objective."),
	FLAT("backup_size_bytes", "bytes", "size", 1, FH_NUMBER, "Size of the newest backup."),
};
const struct flat_kind flat_backups = {
	"backup", "backups", NULL, { "backup" }, { "name" }, NULL,
	FLAT_FAMILIES(backup_families)
};
