/* PostgreSQL from postgres_exporter, through the [prometheus] source (see
 * prom_postgres.h). Metric names and labels as prometheus-postgres-exporter
 * 0.11.1 serves them with its default metrics; doc/prometheus.md
 * "PostgreSQL (postgres_exporter)" lists the queries and what is not
 * served. */
#include "config.h"
#include "collect/db_parse.h"
#include "collect/prom_exporters.h"
#include "collect/prom_hosts.h"
#include "collect/prom_postgres.h"
#include "collect/prometheus.h"
#include "util/text.h"
#include "util/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Discovery answers more exporter targets than this only to a narrower selector. */
#define PG_MAX_TARGETS 100000

enum gq {
	G_UP, G_PG_UP, G_VERSION, G_STANDBY, G_BACKENDS, G_MAXCONN, G_LAG_BYTES, G_REPLICAS,
	G_XACT, G_SIZE, G_ARCHIVED, G_FAILED, G_LAST_ARCHIVED,
	G__N
};

enum gagg { A_MIN, A_MAX, A_SUM, A_COUNT, A_AGE_TO_TIME };

static const struct gdef {
	const char *metric;
	enum gagg agg;
	const char *by;            /* a label kept besides the host label, or NULL */
} gdefs[G__N] = {
	/* the exporter's target: 0 = Prometheus cannot scrape it */
	[G_UP] = { "up", A_MIN, NULL },
	/* 0 = the exporter cannot connect to PostgreSQL: the database is down */
	[G_PG_UP] = { "pg_up", A_MIN, NULL },
	[G_VERSION] = { "pg_static", A_MAX, "short_version" },
	/* the in_hot_standby setting (PostgreSQL 14 on): in recovery */
	[G_STANDBY] = { "pg_settings_in_hot_standby", A_MAX, NULL },
	/* backends connected to each database, summed over the server */
	[G_BACKENDS] = { "pg_stat_database_numbackends", A_SUM, NULL },
	[G_MAXCONN] = { "pg_settings_max_connections", A_MAX, NULL },
	/* a primary's walsenders: WAL bytes each replica has still to replay */
	[G_LAG_BYTES] = { "pg_stat_replication_pg_wal_lsn_diff", A_MAX, NULL },
	[G_REPLICAS] = { "pg_stat_replication_pg_wal_lsn_diff", A_COUNT, NULL },
	/* per database and state, now() - xact_start */
	[G_XACT] = { "pg_stat_activity_max_tx_duration", A_MAX, NULL },
	/* every database of the server */
	[G_SIZE] = { "pg_database_size_bytes", A_SUM, NULL },
	[G_ARCHIVED] = { "pg_stat_archiver_archived_count", A_MAX, NULL },
	[G_FAILED] = { "pg_stat_archiver_failed_count", A_MAX, NULL },
	/* the scrape's time less the age: when the last WAL was archived
	 * (NaN, never archived, stays out) */
	[G_LAST_ARCHIVED] = { "pg_stat_archiver_last_archive_age", A_AGE_TO_TIME, NULL },
};

struct gcall {
	struct prom_roundq rq;     /* first: the call's arg */
	struct prom_pg *g;
	enum gq q;
};

/* One row's values while a round's answers come in. */
struct grow {
	double v[G__N];
	uint32_t have;             /* bit per enum gq */
	char version[32];
	double sampled_at;         /* the newest good round, kept across rounds */
};

struct prom_pg {
	struct prom_conn *conn;
	const char **names;        /* the rows' names: the exporter targets' host label values */
	size_t *index;             /* their model indexes (DOM_DATABASE) */
	size_t n;
	struct prom_hostset hs;    /* by name */
	struct grow *r;            /* n */
	struct gcall q[G__N];
};

const char *prom_pg_version(const char *v, char *buf, size_t size)
{
	char *end;
	long major = strtol(v, &end, 10);
	const char *second = *end == '.' ? strchr(end + 1, '.') : NULL;
	size_t len = strlen(v);

	/* "15.18.0": from 10 on the version is two numbers */
	if (end != v && major >= 10 && second)
		len = (size_t)(second - v);
	if (len >= size)
		len = size - 1;
	memcpy(buf, v, len);
	buf[len] = '\0';
	str_sanitize(buf);
	return buf;
}

/* ---- start-up: the exporter targets become [database] rows ---- */

/* The fleet host a target belongs to: its name without ":port" is the
 * host's (or the host's without ":port"); a host of the same section
 * first. NULL: none. */
static const char *target_host(const struct fleet *f, int section, const char *target)
{
	char key[PROM_LABEL_MAX], hk[PROM_LABEL_MAX];
	const char *other = NULL;

	prom_host_key(target, key, sizeof(key));
	for (size_t i = 0; i < f->nhosts; i++) {
		if (strcmp(prom_host_key(f->hosts[i].name, hk, sizeof(hk)), key) != 0)
			continue;
		if (f->hosts[i].prometheus == section)
			return f->hosts[i].name;
		if (!other)
			other = f->hosts[i].name;
	}
	return other;
}

static bool section_is_classic(const struct fleet *f, int section)
{
	for (size_t i = 0; i < f->nhosts; i++)
		if (f->hosts[i].prometheus == section)
			return true;
	return false;
}

/* The exporter targets of one section (sorted, distinct), or -1 with err. */
static int pg_targets(const struct fleet *f, const struct fleet_section *s, double budget,
		      struct prom_conn *conn, struct prom_names *nm, char *err, size_t errlen)
{
	char *sel, *q, *args;

	prom_conn_init(conn, s, f->timeout);
	if (budget > 0 && conn->timeout > budget)
		conn->timeout = budget;
	prom_names_init(nm, conn);
	nm->call.cap = PG_MAX_TARGETS;
	if (conn->setup_err[0]) {
		str_copy(err, conn->setup_err, errlen);
		return -1;
	}
	if (!(sel = prom_selector("up", fleet_section_get(s, "postgres"), NULL, err, errlen)))
		return -1;
	/* every target of the job, answering or not */
	q = xasprintf("count by (%s) (%s)", conn->label, sel);
	args = prom_query_args(q, PG_MAX_TARGETS + 1);
	prom_call_run(&nm->call, "query", args);
	free(args);
	free(q);
	free(sel);
	return prom_names_finish(nm, err, errlen);
}

size_t prom_pg_discover(struct fleet *f, FILE *msg, double budget)
{
	size_t nsec = fleet_count(f, SEC_PROMETHEUS), added = 0;

	for (size_t k = 0; k < nsec; k++) {
		const struct fleet_section *s = fleet_nth(f, SEC_PROMETHEUS, k);
		struct prom_names nm;
		struct prom_conn conn;
		char err[512] = "";

		/* a large section (judged on the server) or one whose server did
		 * not answer at start reads hosts only */
		if (!fleet_section_get(s, "postgres"))
			continue;
		if (!section_is_classic(f, (int)k)) {
			fprintf(msg, "fleetdeck: [prometheus %s]: postgres: databases are read only "
				"from a section whose hosts are found at start (not judged on the "
				"server): none from this one\n", s->name);
			continue;
		}
		if (pg_targets(f, s, budget, &conn, &nm, err, sizeof(err)) < 0) {
			fprintf(msg, "fleetdeck: [prometheus %s]: no postgres_exporter targets: %s\n",
				s->name, err);
		} else if (!nm.n) {
			fprintf(msg, "fleetdeck: [prometheus %s]: no postgres_exporter target matches "
				"postgres = %s\n", s->name, fleet_section_get(s, "postgres"));
		}
		if (nm.skipped)
			fprintf(msg, "fleetdeck: [prometheus %s]: %zu postgres_exporter target name%s "
				"with control characters left out\n", s->name, nm.skipped,
				nm.skipped == 1 ? "" : "s");
		for (size_t i = 0; i < nm.n; i++) {
			const char *host = target_host(f, (int)k, nm.v[i]);
			const char *kv[] = { "host", host, NULL, NULL };
			struct fleet_section *d;
			if (fleet_find_section(f, SEC_DATABASE, nm.v[i]))
				continue;  /* a [database] of that name in the file wins */
			d = fleet_section_add(f, SEC_DATABASE, nm.v[i], host ? kv : NULL);
			d->prometheus = (int)k + 1;
			added++;
		}
		prom_names_free(&nm);
		prom_conn_free(&conn);
	}
	return added;
}

/* ---- the collector ---- */

static void on_sample(void *arg, const struct prom_sample *s);

static void pg_build(struct prom_pg *g)
{
	const char *L = g->conn->label;
	size_t cap = g->n + g->n / 4 + 64;

	for (int q = 0; q < G__N; q++) {
		const struct gdef *d = &gdefs[q];
		struct gcall *x = &g->q[q];
		static const char *const agg[] = { "min", "max", "sum", "count" };
		char err[256], *sel, *text;

		sel = prom_selector(d->metric, fleet_section_get(g->conn->sec, "postgres"), NULL,
				    err, sizeof(err));
		if (!sel)
			continue;
		if (d->agg == A_AGE_TO_TIME)
			text = xasprintf("max by (%s) (timestamp(%s) - %s)", L, sel, sel);
		else
			text = xasprintf("%s by (%s%s%s) (%s)", agg[d->agg], L, d->by ? ", " : "",
					 d->by ? d->by : "", sel);
		x->g = g;
		x->q = (enum gq)q;
		x->rq.args = prom_query_args(text, cap + 1);
		x->rq.call = (struct prom_call){
			.conn = g->conn, .doc = PROM_DOC_VECTOR,
			.want = { L, d->by, NULL },
			.fn = on_sample, .arg = x, .cap = cap, .done = prom_roundq_done,
		};
		free(text);
		free(sel);
	}
}

struct prom_pg *prom_pg_new(struct prom_conn *conn, const struct fleet *f)
{
	size_t nd = fleet_count(f, SEC_DATABASE), nsec = fleet_count(f, SEC_PROMETHEUS);
	int section = -1;
	struct prom_pg *g;

	for (size_t k = 0; k < nsec; k++)
		if (fleet_nth(f, SEC_PROMETHEUS, k) == conn->sec)
			section = (int)k;
	if (section < 0 || !fleet_section_get(conn->sec, "postgres"))
		return NULL;
	g = xcalloc(1, sizeof(*g));
	g->conn = conn;
	g->names = xcalloc(nd + 1, sizeof(*g->names));
	g->index = xcalloc(nd + 1, sizeof(*g->index));
	for (size_t i = 0; i < nd; i++) {
		const struct fleet_section *d = fleet_nth(f, SEC_DATABASE, i);
		if (d->prometheus != section + 1)
			continue;
		g->names[g->n] = d->name;
		g->index[g->n++] = i;
	}
	if (!g->n) {
		prom_pg_free(g);
		return NULL;
	}
	prom_hostset_init(&g->hs, g->names, g->n, NULL, 0);
	g->r = xcalloc(g->n, sizeof(*g->r));
	pg_build(g);
	return g;
}

void prom_pg_free(struct prom_pg *g)
{
	if (!g)
		return;
	for (int q = 0; q < G__N; q++) {
		free(g->q[q].rq.args);
		prom_call_clear(&g->q[q].rq.call);
	}
	if (g->r)
		prom_hostset_free(&g->hs);
	free(g->r);
	free(g->names);
	free(g->index);
	free(g);
}

static void on_sample(void *arg, const struct prom_sample *s)
{
	struct gcall *x = arg;
	struct prom_pg *g = x->g;
	struct grow *r;
	long i;

	if (s->cut || !isfinite(s->value) || s->value < 0 ||
	    (i = prom_hostset_find(&g->hs, s->label[0])) < 0)
		return;
	r = &g->r[i];
	if (x->q == G_VERSION) {
		if (!s->label[1][0])
			return;
		prom_pg_version(s->label[1], r->version, sizeof(r->version));
	}
	r->v[x->q] = s->value;
	r->have |= 1u << x->q;
}

int prom_pg_start(struct prom_pg *g, struct http *h, void (*done)(void *), void *arg)
{
	int started = 0;

	for (int q = 0; q < G__N; q++)
		started += prom_roundq_start(&g->q[q].rq, h, done, arg);
	return started;
}

/* A value of this round as the text libpq would have given (NULL: not
 * served), for db_parse_row's range checks. */
static const char *col(const struct prom_pg *g, const struct grow *r, enum gq q, char *buf,
		       size_t size)
{
	if (!g->q[q].rq.call.ok || !(r->have & (1u << q)))
		return NULL;
	str_fmt(buf, size, "%.17g", r->v[q]);
	return buf;
}

/* The values the exporter serves, through the same parser as libpq's row. */
static void fill(const struct prom_pg *g, const struct grow *r, struct db_sample *s)
{
	char b[DBC__COUNT][40];
	const char *c[DBC__COUNT] = { NULL };
	bool xact;

	if (g->q[G_VERSION].rq.call.ok && (r->have & (1u << G_VERSION)) && r->version[0]) {
		str_copy(s->version, r->version, sizeof(s->version));
		s->valid |= DBV_VERSION;
	}
	if (g->q[G_STANDBY].rq.call.ok && (r->have & (1u << G_STANDBY)))
		c[DBC_RECOVERY] = r->v[G_STANDBY] >= 1 ? "t" : "f";
	c[DBC_CONNECTIONS] = col(g, r, G_BACKENDS, b[DBC_CONNECTIONS], sizeof(b[0]));
	c[DBC_MAX_CONNECTIONS] = col(g, r, G_MAXCONN, b[DBC_MAX_CONNECTIONS], sizeof(b[0]));
	c[DBC_LAG_BYTES] = col(g, r, G_LAG_BYTES, b[DBC_LAG_BYTES], sizeof(b[0]));
	/* no walsender series: no replica */
	c[DBC_REPLICAS] = g->q[G_REPLICAS].rq.call.ok ? col(g, r, G_REPLICAS, b[DBC_REPLICAS],
							   sizeof(b[0])) : NULL;
	if (g->q[G_REPLICAS].rq.call.ok && !c[DBC_REPLICAS])
		c[DBC_REPLICAS] = "0";
	c[DBC_XACT_S] = col(g, r, G_XACT, b[DBC_XACT_S], sizeof(b[0]));
	xact = c[DBC_XACT_S] != NULL;
	c[DBC_SIZE] = col(g, r, G_SIZE, b[DBC_SIZE], sizeof(b[0]));
	c[DBC_ARCHIVED_COUNT] = col(g, r, G_ARCHIVED, b[DBC_ARCHIVED_COUNT], sizeof(b[0]));
	c[DBC_FAILED_COUNT] = col(g, r, G_FAILED, b[DBC_FAILED_COUNT], sizeof(b[0]));
	c[DBC_LAST_ARCHIVED_AT] = col(g, r, G_LAST_ARCHIVED, b[DBC_LAST_ARCHIVED_AT], sizeof(b[0]));
	db_parse_row(c, s);
	/* libpq's NULL there is "no open transaction"; here it is "not served" */
	if (!xact)
		s->valid &= ~(unsigned)DBV_XACT;
}

/* Why the round tells nothing of the rows: a failed answer (why), else NULL. */
static const char *failed(const struct prom_pg *g)
{
	for (int q = G_UP; q <= G_PG_UP; q++)
		if (!g->q[q].rq.call.ok)
			return g->q[q].rq.call.over ? "more series than exporter targets: is host_label "
						  "one label per target?"
			       : g->q[q].rq.call.err[0] ? g->q[q].rq.call.err : "no answer";
	return NULL;
}

static void publish_row(const struct prom_pg *g, struct grow *r, size_t i,
			const struct collect_env *env, double now, double eval, double interval,
			const char *why)
{
	const char *sec = g->conn->sec->name;
	struct db_sample s = { 0 };

	s.collected = true;
	s.interval = interval;
	s.attempted_at = now;
	str_fmt(s.via, sizeof(s.via), "prometheus %s (postgres_exporter)", sec);
	s.fail = DBF_SOURCE;
	if (why)
		str_fmt(s.error, sizeof(s.error), "Prometheus %s: postgres_exporter's series: %s",
			sec, why);
	else if (!(r->have & (1u << G_UP)))
		str_fmt(s.error, sizeof(s.error), "Prometheus %s has no current series for this "
			"postgres_exporter target", sec);
	else if (r->v[G_UP] < 1)
		str_fmt(s.error, sizeof(s.error), "Prometheus %s cannot scrape this postgres_exporter "
			"(up == 0)", sec);
	else if (!(r->have & (1u << G_PG_UP)))
		str_fmt(s.error, sizeof(s.error), "Prometheus %s: this postgres_exporter target "
			"serves no pg_up (is postgres = the exporter's job?)", sec);
	else if (r->v[G_PG_UP] < 1) {
		s.fail = DBF_CONNECT;
		str_fmt(s.error, sizeof(s.error), "postgres_exporter cannot connect to PostgreSQL "
			"(pg_up == 0, Prometheus %s)", sec);
	} else {
		s.fail = DBF_NONE;
		s.up = true;
		r->sampled_at = eval;
		fill(g, r, &s);
	}
	str_sanitize(s.error);
	s.sampled_at = r->sampled_at;
	collect_publish(env, DOM_DATABASE, g->index[i], &s, sizeof(s));
}

void prom_pg_publish(struct prom_pg *g, const struct collect_env *env, double interval)
{
	const char *why = failed(g);
	double now = now_wall();
	double t = g->q[G_PG_UP].rq.call.reader.eval_time, eval = t > 0 ? t : now;

	for (size_t i = 0; i < g->n; i++) {
		struct grow *r = &g->r[i];
		publish_row(g, r, i, env, now, eval, interval, why);
		r->have = 0;
		r->version[0] = '\0';
	}
	for (int q = 0; q < G__N; q++)
		prom_call_clear(&g->q[q].rq.call);
}
