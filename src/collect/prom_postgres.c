/* PostgreSQL from postgres_exporter, through the [prometheus] source (see
 * prom_postgres.h). Metric names and labels as prometheus-postgres-exporter
 * 0.11.1 serves them with its default metrics; doc/prometheus.md
 * "PostgreSQL (postgres_exporter)" lists the queries and what is not
 * served. */
#include "config.h"
#include "collect/db_parse.h"
#include "collect/prom_client.h"
#include "collect/prom_exporters.h"
#include "collect/prom_hosts.h"
#include "collect/prom_postgres.h"
#include "collect/prometheus.h"
#include "util/text.h"
#include "util/util.h"

#include <math.h>
#include <stddef.h>
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

/* One row's values while a round's answers come in. */
struct grow {
	double v[G__N];
	uint32_t have;             /* bit per enum gq */
	char version[32];
	double sampled_at;         /* the newest good round, kept across rounds */
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

/* ---- the rows: the exporter targets, found at run time ---- */

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

/* Rows past the fleet file's [database]s are asked of the server again
 * every this many rounds: a target added appears, a removed one goes. */
#define PG_REDISCOVER_ROUNDS 5
/* A server that does not answer discovery: asked again after 1 s, doubling
 * to 60 s (+-20 %). */
#define PG_BACKOFF_MIN 1.0
#define PG_BACKOFF_MAX 60.0

struct pgsec;

struct gcall {
	struct prom_roundq rq;     /* first: the call's arg */
	struct pgsec *g;
	enum gq q;
};

/* One exporter target of a section. */
struct pgrow {
	char *name;                /* the host_label value (printable) */
	const char *host;          /* the fleet host it is on (borrowed from the fleet), or NULL */
	size_t slot;               /* model index - the fleet file's [database]s */
	struct grow r;
};

/* One [prometheus] section with a postgres key. */
struct pgsec {
	struct prom_pgs *top;
	const struct fleet_section *sec;
	int section;               /* its index among the [prometheus] sections */
	struct prom_conn conn;
	struct prom_names nm;      /* the discovery in flight */
	bool discovering;
	bool have_names;           /* a discovery answered */
	struct pgrow *rows;        /* sorted by name */
	size_t n;
	size_t answered;           /* targets the last lookup answered (some may be others' rows) */
	/* while no target is known and the lookup fails: one row that says
	 * why (as an unknown placeholder host does for hosts), so the reason
	 * is on screen and in the outputs, not only "none found yet" */
	struct pgrow why_row;
	bool why_shown;
	const char **names;        /* rows[i].name, for hs */
	struct prom_hostset hs;
	struct gcall q[G__N];
	int pending;               /* value queries in flight (+1 while starting) */
	int rounds, since_discover;
	double interval, next_poll, next_discover, backoff;   /* monotonic */
};

struct prom_pgs {
	const struct collect_env *env;
	size_t nd;                 /* the fleet file's [database]s: the rows found come after */
	bool *used;                /* per slot past them */
	size_t nslots, first_free;
	struct pgsec *s;
	size_t n;
};

static void on_sample(void *arg, const struct prom_sample *s);

/* ---- slots: model rows past the fleet file's [database]s ---- */

static size_t slot_take(struct prom_pgs *p)
{
	size_t i = p->first_free;

	while (i < p->nslots && p->used[i])
		i++;
	if (i == p->nslots) {
		/* the model grows (never shrinks): a freed slot is used again */
		size_t n = p->nslots < 8 ? 16 : 2 * p->nslots;
		p->used = xrealloc(p->used, n * sizeof(*p->used));
		memset(p->used + p->nslots, 0, (n - p->nslots) * sizeof(*p->used));
		p->nslots = n;
		model_resize(p->env->m, DOM_DATABASE, p->nd + n, false);
	}
	p->used[i] = true;
	p->first_free = i + 1;
	return i;
}

/* A target gone: its row is empty in the model (no row), its slot free. */
static void slot_free(struct prom_pgs *p, size_t slot)
{
	static const struct db_sample none;

	p->used[slot] = false;
	if (slot < p->first_free)
		p->first_free = slot;
	collect_publish(p->env, DOM_DATABASE, p->nd + slot, &none, sizeof(none));
}

/* ---- the queries ---- */

static void pg_build(struct pgsec *g)
{
	const char *L = g->conn.label;
	size_t cap = g->n + g->n / 4 + 64;

	for (int q = 0; q < G__N; q++) {
		const struct gdef *d = &gdefs[q];
		struct gcall *x = &g->q[q];
		static const char *const agg[] = { "min", "max", "sum", "count" };
		char err[256], *sel, *text;

		free(x->rq.args);
		x->rq.args = NULL;
		sel = prom_selector(d->metric, fleet_section_get(g->sec, "postgres"), NULL,
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
			.conn = &g->conn, .doc = PROM_DOC_VECTOR,
			.want = { L, d->by, NULL },
			.fn = on_sample, .arg = x, .cap = cap, .done = prom_roundq_done,
		};
		free(text);
		free(sel);
	}
}

static int cmp_row(const void *a, const void *b)
{
	return strcmp(((const struct pgrow *)a)->name, ((const struct pgrow *)b)->name);
}

/* Whether another section already has a row of that name: the first to
 * find a target keeps it (two Prometheus servers of an HA pair, or two
 * sites with the same localhost:9187), so no name is two rows, two
 * alerts or two series. */
static bool found_elsewhere(const struct pgsec *g, const char *name)
{
	const struct prom_pgs *p = g->top;
	struct pgrow key = { .name = (char *)name };

	for (size_t k = 0; k < p->n; k++)
		if (&p->s[k] != g && p->s[k].n &&
		    bsearch(&key, p->s[k].rows, p->s[k].n, sizeof(key), cmp_row))
			return true;
	return false;
}

/* The targets now (sorted, distinct, printable): the rows that stay keep
 * their slot and values, the gone ones leave the model, the new ones take
 * a slot. A [database] of the same name in the fleet file wins, then the
 * section that found it first. A gone row's slot is freed only after the
 * new ones took theirs: its row reads empty until the next lookup, so a
 * recording sees the target go before another takes the row. */
static void rows_update(struct pgsec *g, char **v, size_t n)
{
	struct prom_pgs *p = g->top;
	const struct fleet *f = p->env->f;
	struct pgrow *rows = xcalloc(n + 1, sizeof(*rows));
	size_t *gone = xcalloc(g->n + 1, sizeof(*gone));
	size_t k = 0, i = 0, j = 0, ngone = 0;

	while (i < g->n || j < n) {
		int c = i == g->n ? 1 : j == n ? -1 : strcmp(g->rows[i].name, v[j]);
		if (c < 0) {            /* gone */
			gone[ngone++] = g->rows[i].slot;
			free(g->rows[i++].name);
		} else if (c == 0) {    /* still there */
			rows[k++] = g->rows[i++];
			j++;
		} else {                /* new */
			const char *name = v[j++];
			if (strlen(name) >= sizeof(((struct db_sample *)0)->name) ||
			    !text_is_clean(name) || fleet_find_section(f, SEC_DATABASE, name) ||
			    found_elsewhere(g, name))
				continue;
			rows[k].name = xstrdup(name);
			rows[k].host = target_host(f, g->section, name);
			rows[k++].slot = slot_take(p);
		}
	}
	for (i = 0; i < ngone; i++)
		slot_free(p, gone[i]);
	free(gone);
	free(g->rows);
	g->rows = rows;
	g->n = k;
	free(g->names);
	g->names = xcalloc(k + 1, sizeof(*g->names));
	for (i = 0; i < k; i++)
		g->names[i] = g->rows[i].name;
	prom_hostset_free(&g->hs);
	prom_hostset_init(&g->hs, g->names, g->n, NULL, 0);
	pg_build(g);
}

struct prom_pgs *prom_pgs_new(const struct collect_env *env)
{
	const struct fleet *f = env->f;
	size_t nsec = fleet_count(f, SEC_PROMETHEUS);
	struct prom_pgs *p = NULL;

	for (size_t k = 0; k < nsec; k++) {
		const struct fleet_section *sec = fleet_nth(f, SEC_PROMETHEUS, k);
		struct pgsec *g;
		if (!fleet_section_get(sec, "postgres"))
			continue;
		if (!p) {
			p = xcalloc(1, sizeof(*p));
			p->env = env;
			p->nd = fleet_count(f, SEC_DATABASE);
			p->s = xcalloc(nsec, sizeof(*p->s));
		}
		g = &p->s[p->n++];
		g->top = p;
		g->sec = sec;
		g->section = (int)k;
		prom_conn_init(&g->conn, sec, f->timeout);
		g->interval = fleet_section_duration(sec, "interval", f->interval > 0 ? f->interval : 2);
		prom_hostset_init(&g->hs, NULL, 0, NULL, 0);
	}
	return p;
}

void prom_pgs_free(struct prom_pgs *p)
{
	if (!p)
		return;
	for (size_t k = 0; k < p->n; k++) {
		struct pgsec *g = &p->s[k];
		for (int q = 0; q < G__N; q++) {
			free(g->q[q].rq.args);
			prom_call_clear(&g->q[q].rq.call);
		}
		prom_names_free(&g->nm);
		prom_hostset_free(&g->hs);
		for (size_t i = 0; i < g->n; i++)
			free(g->rows[i].name);
		free(g->why_row.name);
		free(g->rows);
		free(g->names);
		prom_conn_free(&g->conn);
	}
	free(p->s);
	free(p->used);
	free(p);
}

static void on_sample(void *arg, const struct prom_sample *s)
{
	struct gcall *x = arg;
	struct pgsec *g = x->g;
	struct grow *r;
	long i;

	if (s->cut || !isfinite(s->value) || s->value < 0 ||
	    (i = prom_hostset_find(&g->hs, s->label[0])) < 0)
		return;
	r = &g->rows[i].r;
	if (x->q == G_VERSION) {
		if (!s->label[1][0])
			return;
		prom_pg_version(s->label[1], r->version, sizeof(r->version));
	}
	r->v[x->q] = s->value;
	r->have |= 1u << x->q;
}

/* A value of this round as the text libpq would have given (NULL: not
 * served), for db_parse_row's range checks. */
static const char *col(const struct pgsec *g, const struct grow *r, enum gq q, char *buf,
		       size_t size)
{
	if (!g->q[q].rq.call.ok || !(r->have & (1u << q)))
		return NULL;
	str_fmt(buf, size, "%.17g", r->v[q]);
	return buf;
}

/* The values the exporter serves, through the same parser as libpq's row. */
static void fill(const struct pgsec *g, const struct grow *r, struct db_sample *s)
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
static const char *failed(const struct pgsec *g)
{
	for (int q = G_UP; q <= G_PG_UP; q++)
		if (!g->q[q].rq.call.ok)
			return g->q[q].rq.call.over ? "more series than exporter targets: is host_label "
						  "one label per target?"
			       : g->q[q].rq.call.err[0] ? g->q[q].rq.call.err : "no answer";
	return NULL;
}

/* What every row of the section says whatever its values: an attempt
 * through the section, not (yet) a database that answered. */
static void row_init(const struct pgsec *g, const struct pgrow *row, double now,
		     struct db_sample *s)
{
	memset(s, 0, sizeof(*s));
	s->collected = true;
	s->interval = g->interval;
	s->attempted_at = now;
	str_fmt(s->via, sizeof(s->via), "prometheus %s (postgres_exporter)", g->sec->name);
	str_sanitize(s->via);
	str_copy(s->name, row->name, sizeof(s->name));
	if (row->host)
		str_copy(s->host, row->host, sizeof(s->host));
	s->prometheus = g->section + 1;
	s->fail = DBF_SOURCE;
}

static void publish_row(const struct pgsec *g, struct pgrow *row, double now, double eval,
			const char *why)
{
	const char *sec = g->sec->name;
	struct grow *r = &row->r;
	struct db_sample s;

	row_init(g, row, now, &s);
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
	collect_publish(g->top->env, DOM_DATABASE, g->top->nd + row->slot, &s, sizeof(s));
}

/* ---- a round: discovery when due, then the values ---- */

static void round_end(struct pgsec *g)
{
	g->rounds++;
	g->since_discover++;
}

static void values_done(void *arg)
{
	struct pgsec *g = arg;
	const char *why;
	double now, t, eval;

	if (--g->pending > 0)
		return;
	why = failed(g);
	now = now_wall();
	t = g->q[G_PG_UP].rq.call.reader.eval_time;
	eval = t > 0 ? t : now;
	for (size_t i = 0; i < g->n; i++) {
		struct grow *r = &g->rows[i].r;
		publish_row(g, &g->rows[i], now, eval, why);
		r->have = 0;
		r->version[0] = '\0';
	}
	for (int q = 0; q < G__N; q++)
		prom_call_clear(&g->q[q].rq.call);
	round_end(g);
}

static void values_start(struct pgsec *g)
{
	if (!g->n) {
		round_end(g);
		return;
	}
	g->pending = 1;  /* held until every query is started */
	for (int q = 0; q < G__N; q++)
		g->pending += prom_roundq_start(&g->q[q].rq, g->top->env->http, values_done, g);
	values_done(g);
}

static double jitter(double s)
{
	/* +-20 %, so many fleetdecks do not retry in step */
	return s * (0.8 + 0.4 * ((double)rand() / RAND_MAX));
}

/* No target known and the lookup failed (or cannot be made): one row,
 * named for the section, unknown with the reason. */
static void why_show(struct pgsec *g, const char *why)
{
	struct db_sample s;

	if (!g->why_shown) {
		free(g->why_row.name);
		g->why_row.name = xasprintf("prometheus:%s", g->sec->name);
		g->why_row.slot = slot_take(g->top);
		g->why_shown = true;
	}
	row_init(g, &g->why_row, now_wall(), &s);
	str_fmt(s.error, sizeof(s.error), "Prometheus %s: no postgres_exporter target known "
		"yet: %s", g->sec->name, why);
	str_sanitize(s.error);
	collect_publish(g->top->env, DOM_DATABASE, g->top->nd + g->why_row.slot, &s, sizeof(s));
}

/* Targets found: the reason's row goes. */
static void why_drop(struct pgsec *g)
{
	if (!g->why_shown)
		return;
	slot_free(g->top, g->why_row.slot);
	g->why_shown = false;
}

static void discover_done(struct prom_call *c)
{
	struct pgsec *g = (struct pgsec *)(void *)((char *)c - offsetof(struct pgsec, nm.call));
	char err[256];

	g->discovering = false;
	if (g->nm.call.over)
		str_fmt(err, sizeof(err), "more than %d postgres_exporter targets match: narrow "
			"postgres", PG_MAX_TARGETS);
	if (g->nm.call.over || prom_names_finish(&g->nm, err, sizeof(err)) < 0) {
		/* asked again after a backoff; the rows found before stay, and
		 * this round's values tell what the server says of them */
		g->backoff = g->backoff > 0 ? g->backoff * 2 : PG_BACKOFF_MIN;
		if (g->backoff > PG_BACKOFF_MAX)
			g->backoff = PG_BACKOFF_MAX;
		g->next_discover = now_mono() + jitter(g->backoff);
		if (!g->n)
			why_show(g, err);
	} else {
		g->backoff = 0;
		g->since_discover = 0;
		g->have_names = true;
		g->answered = g->nm.n;
		rows_update(g, g->nm.v, g->nm.n);
		/* none answered is a selector to fix; names another row has
		 * (a [database], another section) are not */
		if (g->nm.n) {
			why_drop(g);
		} else {
			str_fmt(err, sizeof(err), "no target of up matches postgres = %s",
				fleet_section_get(g->sec, "postgres"));
			why_show(g, err);
		}
	}
	prom_names_free(&g->nm);
	values_start(g);
}

static void discover_start(struct pgsec *g)
{
	char err[256], *sel, *q, *args;

	prom_names_init(&g->nm, &g->conn);
	g->nm.call.cap = PG_MAX_TARGETS;
	g->nm.call.done = discover_done;
	if (!(sel = prom_selector("up", fleet_section_get(g->sec, "postgres"), NULL, err,
				  sizeof(err)))) {
		prom_names_free(&g->nm);
		why_show(g, err);
		round_end(g);
		return;
	}
	/* every target of the job, answering or not */
	q = xasprintf("count by (%s) (%s)", g->conn.label, sel);
	args = prom_query_args(q, PG_MAX_TARGETS + 1);
	g->discovering = true;
	if (prom_call_start(&g->nm.call, g->top->env->http, "query", args) < 0)
		discover_done(&g->nm.call);
	free(args);
	free(q);
	free(sel);
}

static void round_start(struct pgsec *g, double now, bool once)
{
	g->next_poll = now + g->interval;
	/* every round while none is known, else every few rounds */
	if (!g->have_names || ((!g->answered || g->since_discover >= PG_REDISCOVER_ROUNDS) &&
			       (once || now >= g->next_discover)))
		discover_start(g);
	else
		values_start(g);
}

void prom_pgs_prepare(struct prom_pgs *p, double now, double *deadline,
		      const struct collect_flags *fl)
{
	for (size_t k = 0; p && k < p->n; k++) {
		struct pgsec *g = &p->s[k];
		double due = g->have_names ? g->next_poll : g->next_discover;
		if (g->conn.setup_err[0]) {
			if (!g->rounds) {
				why_show(g, g->conn.setup_err);
				round_end(g);  /* nothing to ask: --once has its answer */
			}
			continue;
		}
		if (g->discovering || g->pending)
			continue;
		if (fl->once) {
			if (!g->rounds)
				round_start(g, now, true);
			continue;
		}
		if (fl->paused)
			continue;
		if (fl->poll_now || now >= due)
			round_start(g, now, false);
		else
			deadline_min(deadline, due);
	}
}

bool prom_pgs_round_done(const struct prom_pgs *p)
{
	for (size_t k = 0; p && k < p->n; k++)
		if (!p->s[k].rounds)
			return false;
	return true;
}
