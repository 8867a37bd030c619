#include "config.h"
#include "domain/domain.h"
#include "rules/domains.h"
#include "rules/rules_databases.h"
#include "util/util.h"

#include <string.h>

/* SPEC §3, database and backup rows. Judged here, on the reader's clock, so
 * a collector that froze turns everything stale (unknown), never green. */

#define DB_CONN_WARN_PCT 90.0
#define DB_LAG_WARN_S 60.0

static void eval_database(const struct fleet_section *sec, const struct db_sample *s,
			  double now, struct host_eval *ev)
{
	if (!s->collected) {
		rules_problem_add(ev, ST_UNKNOWN, "pending", "not polled yet");
		return;
	}
	if (!s->up) {
		if (s->sampled_at > 0)
			ev->age = now - s->sampled_at;
		if (s->fail == DBF_AUTH)
			rules_problem_add(ev, ST_CRIT, "auth", "%s", s->error);
		else if (s->fail == DBF_SOURCE)   /* the exporter, not the database */
			rules_problem_add(ev, ST_UNKNOWN, "unreadable", "%s", s->error);
		else
			rules_problem_add(ev, ST_CRIT, "down", "down: %s", s->error);
		return;
	}
	if (rules_check_stale(ev, s->sampled_at, s->interval, now))
		return;
	/* a value the parser refused is n/a, and said (collect/plausible.h) */
	if (s->implausible[0])
		rules_problem_add(ev, ST_UNKNOWN, "implausible", "%s", s->implausible);
	if ((s->valid & DBV_CONNECTIONS) && s->max_connections > 0 &&
	    100.0 * s->connections / s->max_connections > DB_CONN_WARN_PCT)
		rules_problem_add(ev, ST_WARN, "connections", "%d of %d connections in use (> %.0f%%)",
				  s->connections, s->max_connections, DB_CONN_WARN_PCT);
	if ((s->valid & DBV_LAG_S) && s->replication_lag_s > DB_LAG_WARN_S)
		rules_problem_add(ev, ST_WARN, "lag", "replication lag %.0fs (> %.0fs)",
				  s->replication_lag_s, DB_LAG_WARN_S);
	if ((s->valid & DBV_ARCHIVER) && s->archiver_failed_count > 0 &&
	    s->archiver_last_failed_at > s->archiver_last_archived_at)
		rules_problem_add(ev, ST_WARN, "archiver", "WAL archiving is failing (%llu failures)",
				  (unsigned long long)s->archiver_failed_count);
	(void)sec;
}

double rules_section_seconds(const struct fleet_section *sec, const char *key)
{
	const char *v = fleet_section_get(sec, key);
	double d;

	return v && parse_duration(v, &d) == 0 ? d : 0;
}

const char *rpo_status_name(enum rpo_status r)
{
	static const char *const names[] = { "ok", "warn", "breach", "unknown" };
	return names[r];
}

enum rpo_status rules_backup_rpo(const struct fleet_section *sec, const struct backup_sample *s,
				 double now)
{
	double rpo = rules_section_seconds(sec, "rpo"), age;

	if (!s->collected || !s->known || s->last_at <= 0)
		return RPO_UNKNOWN;
	if (s->interval > 0 && now - s->sampled_at > RULES_STALE_FACTOR * s->interval)
		return RPO_UNKNOWN;
	age = now - s->last_at;
	if (rpo <= 0 || age <= 0.8 * rpo)
		return RPO_OK;
	return age <= rpo ? RPO_WARN : RPO_BREACH;
}

void rules_backup_eval(const struct fleet_section *sec, const struct backup_sample *s,
		       double now, struct host_eval *ev)
{
	double rpo = rules_section_seconds(sec, "rpo"), age;
	char a[32], r[32];

	if (!s->collected) {
		rules_problem_add(ev, ST_UNKNOWN, "pending", "not read yet");
		return;
	}
	if (s->failure[0])
		rules_problem_add(ev, ST_CRIT, "failed", "%s", s->failure);
	if (!s->known) {
		rules_problem_add(ev, ST_UNKNOWN, "unreadable", "cannot tell the last backup: %s",
				  s->error[0] ? s->error : "no answer");
		return;
	}
	if (rules_check_stale(ev, s->sampled_at, s->interval, now))
		return;
	age = now - s->last_at;
	if (age < 0)
		age = 0;
	fmt_age(a, sizeof(a), age);
	fmt_age(r, sizeof(r), rpo);
	if (rpo > 0 && age > rpo)
		rules_problem_add(ev, ST_CRIT, "rpo", "RPO breached: last good backup %s ago (rpo %s)", a, r);
	else if (rpo > 0 && age > 0.8 * rpo)
		rules_problem_add(ev, ST_WARN, "rpo", "last good backup %s ago, over 80%% of the rpo %s", a, r);
	if (s->warning[0])
		rules_problem_add(ev, ST_WARN, "warning", "%s", s->warning);
}

/* Does any [backup] protect this database (of = NAME, or a pg-archiver's
 * database = NAME)? */
static bool database_protected(const struct fleet *f, const char *name)
{
	size_t nb = fleet_count(f, SEC_BACKUP);

	for (size_t j = 0; j < nb; j++) {
		const struct fleet_section *b = fleet_nth(f, SEC_BACKUP, j);
		const char *of = fleet_section_get(b, "of"), *db = fleet_section_get(b, "database");
		if ((of && strcmp(of, name) == 0) || (db && strcmp(db, name) == 0))
			return true;
	}
	return false;
}

/* A database promised an RPO that no [backup] judges: the on-call question
 * "how much would we lose" has no answer for it, which must show. */
static void check_unprotected(const struct fleet *f, const struct fleet_section *sec,
			      struct host_eval *ev)
{
	const char *rpo = fleet_section_get(sec, "rpo");

	if (rpo && !database_protected(f, sec->name))
		rules_problem_add(ev, ST_WARN, "unprotected", "rpo %s but no [backup] protects it "
				  "(add one with of = %s)", rpo, sec->name);
}

void rules_databases(const struct fleet *f, const struct snapshot *snap, double now,
		struct rules_state *st, struct evaluation *out)
{
	for (size_t i = 0; i < snapshot_count(snap, DOM_DATABASE); i++) {
		struct db_row tmp;
		const struct fleet_section *sec = db_row_section(f, snap, i, &tmp);
		struct target_eval *t;
		const struct db_sample *s = snap_database(snap, i);

		if (!sec)
			continue;
		t = rules_target_add(out, DOM_DATABASE, (int)i, -1, "database/%s", sec->name);

		eval_database(sec, s, rules_judge_time(st, s->sampled_at, now), &t->ev);
		check_unprotected(f, sec, &t->ev);
	}
}

void rules_backups(const struct fleet *f, const struct snapshot *snap, double now,
		   struct rules_state *st, struct evaluation *out)
{
	size_t nb = fleet_count(f, SEC_BACKUP);

	for (size_t i = 0; i < nb && i < snapshot_count(snap, DOM_BACKUP); i++) {
		const struct fleet_section *sec = fleet_nth(f, SEC_BACKUP, i);
		struct target_eval *t = rules_target_add(out, DOM_BACKUP, (int)i, -1,
							 "backup/%s", sec->name);
		const struct backup_sample *s = snap_backup(snap, i);
		double at = rules_judge_time(st, s->sampled_at, now);

		rules_backup_eval(sec, s, at, &t->ev);
		t->verdict = (int)rules_backup_rpo(sec, s, at);
	}
}
