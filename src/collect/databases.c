#include "config.h"
#include "collect/db_parse.h"
#include "collect/source.h"
#include "collect/hosts.h"
#include "collect/backup_parse.h"
#include "collect/prom_postgres.h"
#include "collect/resolver.h"
#include "util/util.h"
#include "util/pg_notice.h"
#include "fleet/values.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <libpq-fe.h>

/* The databases collector: one libpq connection per [database], kept open
 * and driven only through libpq's asynchronous API (PQconnectStartParams /
 * PQconnectPoll, PQsendQuery / PQconsumeInput / PQisBusy) with PQsocket()
 * in the collector's pollset, so a hanging server costs only its own
 * deadline. PQconnectPoll ignores connect_timeout, so every state has our
 * own deadline; host names are resolved once at start (libpq's resolver
 * blocks) and passed as hostaddr. Every session is read-only with a
 * statement_timeout. The database rows [prometheus] sections find
 * (postgres_exporter targets, past the [database]s' rows) are this
 * source's too: it runs collect/prom_postgres.c, whose answers come
 * through the shared http engine. */

#define DB_BACKOFF_MIN 1.0
#define DB_BACKOFF_MAX 60.0
#define DB_BACKOFF_AUTH 300.0   /* a refused password will not fix itself */

enum db_state { DB_IDLE, DB_RESOLVING, DB_CONNECTING, DB_READY, DB_QUERY };

struct db_target {
	size_t index;
	const struct fleet_section *sec;
	const char *name;
	char *dsn;
	char *password_path;           /* password_file, resolved; NULL: ~/.pgpass */
	char hostaddr[INET6_ADDRSTRLEN];
	char *lookup;                  /* a host name looked up at every connect */
	struct resolve_req *dns;       /* that lookup, on the resolver's threads */
	bool looked_up;                /* hostaddr is this connect's lookup */
	char config_err[200];          /* set: never connect, say why */
	int tunnel_host;               /* -1: direct */
	int tunnel_port;               /* local end of the forward: socket */
	char tunnel_dir[200];          /* tunnel_dir/.s.PGSQL.tunnel_port */
	double interval, timeout;

	PGconn *pg;
	enum db_state state;
	PostgresPollingStatusType want;
	double deadline, next_poll, retry_at, backoff, sent_at;
	int poll_idx;
	struct db_sample work;
};

struct dbs {
	const struct collect_env *env;
	struct resolver *resolver;
	int dns_idx;
	struct db_target *t;
	size_t n;
	bool once;
	/* the rows found through [prometheus] sections (postgres_exporter) */
	struct prom_pgs *pg;
};

/* One row of everything fleetdeck shows; only statistics views and
 * functions the pg_monitor role may read. Replicas report replay lag from
 * the replay timestamp (0 when they have replayed all they received, so an
 * idle primary does not look like lag); primaries from pg_stat_replication. */
static const char db_query[] =
	"SELECT pg_is_in_recovery(),"
	" (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'),"
	" current_setting('max_connections')::int,"
	" CASE WHEN pg_is_in_recovery() THEN"
	"   CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0"
	"   ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp()) END"
	" ELSE (SELECT extract(epoch FROM max(replay_lag)) FROM pg_stat_replication) END,"
	" CASE WHEN pg_is_in_recovery() THEN"
	"   pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())"
	" ELSE (SELECT max(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn))"
	"       FROM pg_stat_replication) END,"
	" (SELECT count(*) FROM pg_stat_replication),"
	" (SELECT extract(epoch FROM now() - min(xact_start)) FROM pg_stat_activity"
	"   WHERE xact_start IS NOT NULL AND pid <> pg_backend_pid()"
	"   AND backend_type = 'client backend'),"
	" (SELECT count(*) FROM pg_locks WHERE NOT granted),"
	" pg_database_size(current_database()),"
	" current_setting('archive_mode'),"
	" a.archived_count, a.last_archived_wal, extract(epoch FROM a.last_archived_time),"
	" a.failed_count, extract(epoch FROM a.last_failed_time)"
	" FROM pg_stat_archiver a";

static double jitter(double s)
{
	/* +-20%: databases that failed together do not retry together */
	return s * (0.8 + 0.4 * ((double)rand() / RAND_MAX));
}

static void publish(struct dbs *d, struct db_target *t)
{
	collect_publish(d->env, DOM_DATABASE, t->index, &t->work, sizeof(t->work));
}

/* libpq's messages span lines ("connection to server ... failed: FATAL: ...");
 * one line, sanitized. */
static void copy_pg_error(char *dst, size_t len, const char *msg)
{
	str_copy(dst, msg ? msg : "unknown libpq error", len);
	for (char *p = dst; *p; p++)
		if (*p == '\n' || *p == '\t')
			*p = ' ';
	str_trim(dst);
	str_sanitize(dst);
}

static bool is_auth_error(const char *msg)
{
	static const char *const words[] = {
		"password authentication failed", "no password supplied",
		"authentication failed", "pg_hba.conf", "role \"", "permission denied",
	};

	for (size_t i = 0; i < ARRAY_LEN(words); i++)
		if (strstr(msg, words[i]))
			return true;
	return false;
}

static void db_close(struct db_target *t)
{
	resolve_req_cancel(t->dns);
	t->dns = NULL;
	if (t->pg)
		PQfinish(t->pg);
	t->pg = NULL;
	t->state = DB_IDLE;
}

static void db_fail(struct dbs *d, struct db_target *t, double now, enum db_fail kind,
		    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* The database is down (or unreadable): say why, close, back off. */
static void db_fail(struct dbs *d, struct db_target *t, double now, enum db_fail kind,
		    const char *fmt, ...)
{
	struct db_sample *s = &t->work;
	va_list ap;
	size_t len;

	va_start(ap, fmt);
	vsnprintf(s->error, sizeof(s->error), fmt, ap);
	va_end(ap);
	if (t->tunnel_host >= 0 && hosts_conn(d->env->hosts, (size_t)t->tunnel_host) != HC_OK) {
		len = strlen(s->error);
		str_fmt(s->error + len, sizeof(s->error) - len, " (tunnel host %s is not connected)",
			d->env->f->hosts[t->tunnel_host].name);
	}
	str_sanitize(s->error);
	s->up = false;
	s->fail = kind;
	s->valid = 0;
	s->collected = true;
	s->attempted_at = now_wall();
	db_close(t);
	if (kind == DBF_AUTH)
		t->backoff = DB_BACKOFF_AUTH;
	t->retry_at = now + jitter(t->backoff);
	t->backoff = t->backoff * 2 > DB_BACKOFF_MAX ? DB_BACKOFF_MAX : t->backoff * 2;
	publish(d, t);
}

/* A single host name is looked up (off the loop, collect/resolver.c) at
 * every connect and handed to libpq as hostaddr, so libpq never calls the
 * blocking resolver. Nothing to look up for Unix sockets, literal addresses,
 * several hosts, or a hostaddr already given. */
static void target_resolve(struct db_target *t, PQconninfoOption *opts)
{
	const char *host = NULL;
	unsigned char buf[sizeof(struct in6_addr)];

	for (PQconninfoOption *o = opts; o && o->keyword; o++) {
		if (strcmp(o->keyword, "hostaddr") == 0 && o->val && *o->val)
			return;
		if (strcmp(o->keyword, "host") == 0)
			host = o->val;
	}
	if (!host || !*host || host[0] == '/' || host[0] == '@' || strchr(host, ',') ||
	    inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1)
		return;
	t->lookup = xstrdup(host);
}

/* The lookup finished: note the address and connect, or fail (and retry
 * with backoff: a name that did not resolve at start may later). */
static void db_connect(struct dbs *d, struct db_target *t, double now);

static void lookup_step(struct dbs *d, struct db_target *t, double now)
{
	struct addrinfo *res = NULL;
	int rc = 0;

	if (!resolve_req_done(t->dns, &res, &rc))
		return;
	resolve_req_cancel(t->dns);
	t->dns = NULL;
	t->state = DB_IDLE;
	if (!res) {
		db_fail(d, t, now, DBF_CONNECT, "cannot resolve %s: %s", t->lookup, gai_strerror(rc));
		return;
	}
	if (res->ai_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)res->ai_addr)->sin_addr,
			  t->hostaddr, sizeof(t->hostaddr));
	else if (res->ai_family == AF_INET6)
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)res->ai_addr)->sin6_addr,
			  t->hostaddr, sizeof(t->hostaddr));
	freeaddrinfo(res);
	t->looked_up = true;
	db_connect(d, t, now);
	t->looked_up = false;
}

/* tunnel = HOST: a Unix socket in our private runtime directory forwarded
 * to the DSN's host:port as HOST sees it (ssh -L); libpq then connects to
 * host=DIR port=N, which is DIR/.s.PGSQL.N. No TCP port: another local
 * user cannot reach the database through us. */
static void target_tunnel(struct dbs *d, struct db_target *t, PQconninfoOption *opts)
{
	const char *host = "127.0.0.1", *port = "5432", *tn = fleet_section_get(t->sec, "tunnel");
	char err[200], *path;
	int hi = fleet_host_index(d->env->f, tn), p;

	for (PQconninfoOption *o = opts; o && o->keyword; o++) {
		if (!o->val || !*o->val)
			continue;
		if (strcmp(o->keyword, "host") == 0 || strcmp(o->keyword, "hostaddr") == 0)
			host = o->val;
		else if (strcmp(o->keyword, "port") == 0)
			port = o->val;
	}
	p = atoi(port);
	if (hi < 0 || host[0] == '/' || strchr(host, ',') || p <= 0 || p > 65535) {
		str_fmt(t->config_err, sizeof(t->config_err),
			"tunnel = %s needs a [host] and a DSN with one TCP host and port", tn);
		return;
	}
	/* libpq gets host=DIR port=N; nothing of the DSN may point elsewhere */
	path = values_dsn_without_address(t->dsn, err, sizeof(err));
	if (!path) {
		str_fmt(t->config_err, sizeof(t->config_err), "tunnel = %s: %s", tn, err);
		return;
	}
	free(t->dsn);
	t->dsn = path;
	t->tunnel_host = hi;
	str_fmt(t->work.via, sizeof(t->work.via), "tunnel through %s", tn);
	path = runtime_socket(&t->tunnel_port, err, sizeof(err));
	if (!path || hosts_forward(d->env->hosts, (size_t)hi, host, p, path, err, sizeof(err)) < 0)
		str_fmt(t->config_err, sizeof(t->config_err), "tunnel through %s: %s", tn, err);
	else
		str_copy(t->tunnel_dir, runtime_dir(err, sizeof(err)), sizeof(t->tunnel_dir));
	free(path);
}

static void target_init(struct dbs *d, struct db_target *t, size_t i)
{
	const struct fleet *f = d->env->f;
	char *perr = NULL;
	PQconninfoOption *opts;

	t->index = i;
	t->sec = fleet_nth(f, SEC_DATABASE, i);
	t->name = t->sec->name;
	t->poll_idx = -1;
	t->dsn = xstrdup(fleet_section_get(t->sec, "dsn") ? fleet_section_get(t->sec, "dsn") : "");
	t->password_path = fleet_section_path(t->sec, "password_file");
	t->tunnel_host = -1;
	t->interval = fleet_section_duration(t->sec, "interval", f->interval > 0 ? f->interval : 2);
	t->timeout = fleet_section_duration(t->sec, "timeout", f->timeout > 0 ? f->timeout : 5);
	t->backoff = DB_BACKOFF_MIN;
	t->poll_idx = -1;
	t->work.interval = t->interval;
	db_dsn_mask(t->dsn, t->work.dsn, sizeof(t->work.dsn));
	opts = PQconninfoParse(t->dsn, &perr);
	if (!opts) {
		/* libpq's parse error may quote the DSN: say only that it is bad */
		str_copy(t->config_err, "the dsn is not a valid libpq conninfo or URI",
			 sizeof(t->config_err));
		PQfreemem(perr);
		return;
	}
	if (fleet_section_get(t->sec, "tunnel"))
		target_tunnel(d, t, opts);
	else
		target_resolve(t, opts);
	PQconninfoFree(opts);
}

static struct resolve_req *resolve_lookup_start(struct dbs *d, struct db_target *t)
{
	if (!d->resolver)
		d->resolver = resolver_new(2);
	return resolver_lookup(d->resolver, t->lookup, 5432);
}

static void *databases_create(const struct collect_env *env)
{
	size_t n = fleet_count(env->f, SEC_DATABASE);
	struct prom_pgs *pg;
	struct dbs *d;

	if (env->m->dom[DOM_DATABASE].n < n)
		return NULL;
	/* the [database]s, and the databases [prometheus] sections find */
	if (!(pg = prom_pgs_new(env)) && !n)
		return NULL;
	d = xcalloc(1, sizeof(*d));
	d->env = env;
	d->pg = pg;
	d->n = n;
	d->t = xcalloc(n, sizeof(*d->t));
	for (size_t i = 0; i < n; i++)
		target_init(d, &d->t[i], i);
	return d;
}

/* Starts a connection: defaults first (the DSN may override them), the DSN,
 * then what fleetdeck insists on (read-only, statement_timeout, tunnel). */
static void db_connect(struct dbs *d, struct db_target *t, double now)
{
	const char *kw[16], *val[16];
	char ct[16], opt[160], port[8], err[200];
	char *password = NULL;
	int n = 0;

	if (t->config_err[0]) {
		db_fail(d, t, now, DBF_CONFIG, "%s", t->config_err);
		t->retry_at = now + DB_BACKOFF_AUTH;
		return;
	}
	if (t->lookup && !t->looked_up) {
		/* the name again at every connect: its address may have moved */
		t->dns = resolve_lookup_start(d, t);
		t->state = DB_RESOLVING;
		t->deadline = now + t->timeout;
		lookup_step(d, t, now);
		return;
	}
	if (t->password_path) {
		password = fleet_read_secret(t->password_path, err, sizeof(err));
		if (!password) {
			db_fail(d, t, now, DBF_CONFIG, "password_file: %s", err);
			return;
		}
	}
	str_fmt(ct, sizeof(ct), "%d", t->timeout < 2 ? 2 : (int)t->timeout);
	str_fmt(opt, sizeof(opt), "-c statement_timeout=%d -c lock_timeout=%d "
		"-c default_transaction_read_only=on", (int)(t->timeout * 1000),
		(int)(t->timeout * 1000));
	kw[n] = "connect_timeout"; val[n++] = ct;
	kw[n] = "application_name"; val[n++] = "fleetdeck";
	kw[n] = "dbname"; val[n++] = t->dsn;
	kw[n] = "options"; val[n++] = opt;
	if (password) {
		kw[n] = "password"; val[n++] = password;
	}
	if (t->tunnel_host >= 0) {
		str_fmt(port, sizeof(port), "%d", t->tunnel_port);
		kw[n] = "host"; val[n++] = t->tunnel_dir;
		kw[n] = "port"; val[n++] = port;
	} else if (t->hostaddr[0]) {
		kw[n] = "hostaddr"; val[n++] = t->hostaddr;
	}
	kw[n] = NULL; val[n] = NULL;
	t->pg = PQconnectStartParams(kw, val, 1);
	pg_notices_off(t->pg);
	if (password) {
		memset(password, 0, strlen(password));
		free(password);
	}
	if (!t->pg || PQstatus(t->pg) == CONNECTION_BAD) {
		char msg[256];
		copy_pg_error(msg, sizeof(msg), t->pg ? PQerrorMessage(t->pg) : "out of memory");
		db_fail(d, t, now, DBF_CONFIG, "cannot start a connection: %s", msg);
		return;
	}
	PQsetnonblocking(t->pg, 1);
	t->state = DB_CONNECTING;
	t->want = PGRES_POLLING_WRITING;
	/* through a tunnel the SSH session may have to come up first */
	t->deadline = now + t->timeout * (t->tunnel_host >= 0 ? 2 : 1);
}

static void db_send(struct dbs *d, struct db_target *t, double now)
{
	char msg[256];

	if (PQstatus(t->pg) != CONNECTION_OK || !PQsendQuery(t->pg, db_query)) {
		copy_pg_error(msg, sizeof(msg), PQerrorMessage(t->pg));
		db_fail(d, t, now, DBF_CONNECT, "connection lost: %s", msg);
		return;
	}
	t->state = DB_QUERY;
	t->sent_at = now;
	t->deadline = now + t->timeout + 1;
}

static void databases_prepare(void *s, struct pollset *ps, double now, double *deadline,
			      const struct collect_flags *fl)
{
	struct dbs *d = s;

	d->once = fl->once;
	d->dns_idx = d->resolver ? pollset_add(ps, resolver_fd(d->resolver), POLLIN) : -1;
	for (size_t i = 0; i < d->n; i++) {
		struct db_target *t = &d->t[i];
		bool done_once = fl->once && t->work.collected;
		t->poll_idx = -1;
		if (fl->poll_now && t->work.fail != DBF_AUTH) {
			t->next_poll = now;
			t->retry_at = now;
		}
		if (t->state == DB_IDLE && !fl->paused && !done_once && now >= t->retry_at)
			db_connect(d, t, now);
		if (t->state == DB_READY && !fl->paused && !done_once && now >= t->next_poll)
			db_send(d, t, now);
		switch (t->state) {
		case DB_IDLE:
			if (!done_once)
				deadline_min(deadline, t->retry_at);
			break;
		case DB_RESOLVING:
			deadline_min(deadline, t->deadline);
			break;
		case DB_CONNECTING:
			t->poll_idx = pollset_add(ps, PQsocket(t->pg),
						  t->want == PGRES_POLLING_READING ? POLLIN : POLLOUT);
			deadline_min(deadline, t->deadline);
			break;
		case DB_READY:
			/* an idle connection still hears the server going away */
			t->poll_idx = pollset_add(ps, PQsocket(t->pg), POLLIN);
			if (!done_once)
				deadline_min(deadline, t->next_poll);
			break;
		case DB_QUERY:
			t->poll_idx = pollset_add(ps, PQsocket(t->pg),
						  PQflush(t->pg) == 1 ? POLLIN | POLLOUT : POLLIN);
			deadline_min(deadline, t->deadline);
			break;
		}
	}
	prom_pgs_prepare(d->pg, now, deadline, fl);
}

static void connect_step(struct dbs *d, struct db_target *t, double now)
{
	char msg[256];

	t->want = PQconnectPoll(t->pg);
	if (t->want == PGRES_POLLING_OK) {
		t->state = DB_READY;
		t->backoff = DB_BACKOFF_MIN;
		t->next_poll = now;
		db_send(d, t, now);
		return;
	}
	if (t->want != PGRES_POLLING_FAILED)
		return;
	copy_pg_error(msg, sizeof(msg), PQerrorMessage(t->pg));
	if (is_auth_error(msg))
		db_fail(d, t, now, DBF_AUTH, "authentication refused (%s); fix password_file or "
			"~/.pgpass, next try in %.0f min", msg, DB_BACKOFF_AUTH / 60);
	else
		db_fail(d, t, now, DBF_CONNECT, "%s", msg);
}

/* Fills the sample from the statistics row (collect/db_parse.c); a NULL
 * leaves its bit clear. */
static void fill_sample(struct db_target *t, const PGresult *r, double now)
{
	struct db_sample *s = &t->work;
	int v = PQserverVersion(t->pg);
	const char *col[DBC__COUNT];

	s->valid = DBV_LATENCY;
	s->latency_ms = (now - t->sent_at) * 1000;
	if (v > 0) {
		if (v >= 100000)
			str_fmt(s->version, sizeof(s->version), "%d.%d", v / 10000, v % 10000);
		else
			str_fmt(s->version, sizeof(s->version), "%d.%d.%d", v / 10000,
				v / 100 % 100, v % 100);
		s->valid |= DBV_VERSION;
	}
	for (int c = 0; c < DBC__COUNT; c++)
		col[c] = c < PQnfields(r) && !PQgetisnull(r, 0, c) ? PQgetvalue(r, 0, c) : NULL;
	db_parse_row(col, s);
}

/* Reads whatever arrived; completes the query when libpq has it all. */
static void query_step(struct dbs *d, struct db_target *t, double now)
{
	PGresult *r, *first = NULL;
	char msg[256];

	if (!PQconsumeInput(t->pg)) {
		copy_pg_error(msg, sizeof(msg), PQerrorMessage(t->pg));
		db_fail(d, t, now, DBF_CONNECT, "connection lost: %s", msg);
		return;
	}
	if (PQisBusy(t->pg))
		return;
	while ((r = PQgetResult(t->pg))) {
		if (!first)
			first = r;
		else
			PQclear(r);
		if (PQisBusy(t->pg))
			break;   /* never happens for one statement; do not block */
	}
	if (!first || PQresultStatus(first) != PGRES_TUPLES_OK || PQntuples(first) != 1 ||
	    PQnfields(first) < 15) {
		copy_pg_error(msg, sizeof(msg), first ? PQresultErrorMessage(first) : "no result");
		PQclear(first);
		if (PQstatus(t->pg) != CONNECTION_OK)
			db_fail(d, t, now, DBF_CONNECT, "connection lost: %s", msg);
		else
			db_fail(d, t, now, DBF_QUERY, "the statistics query failed: %s", msg);
		return;
	}
	fill_sample(t, first, now);
	PQclear(first);
	t->work.up = true;
	t->work.fail = DBF_NONE;
	t->work.error[0] = '\0';
	t->work.collected = true;
	t->work.sampled_at = t->work.attempted_at = now_wall();
	t->state = DB_READY;
	t->next_poll = now + t->interval;
	publish(d, t);
}

/* An idle connection got bytes: a notice, or the server going away. */
static void idle_step(struct dbs *d, struct db_target *t, double now)
{
	char msg[256];

	if (PQconsumeInput(t->pg) && PQstatus(t->pg) == CONNECTION_OK)
		return;
	copy_pg_error(msg, sizeof(msg), PQerrorMessage(t->pg));
	db_fail(d, t, now, DBF_CONNECT, "connection lost: %s", msg);
}

static void databases_dispatch(void *s, const struct pollset *ps, double now)
{
	struct dbs *d = s;
	bool looked_up = d->dns_idx >= 0 && pollset_revents(ps, d->dns_idx);

	if (looked_up)
		resolver_drain(d->resolver);
	for (size_t i = 0; i < d->n; i++) {
		struct db_target *t = &d->t[i];
		bool ready = t->poll_idx >= 0 && pollset_revents(ps, t->poll_idx);
		switch (t->state) {
		case DB_RESOLVING:
			if (looked_up)
				lookup_step(d, t, now);
			if (t->state == DB_RESOLVING && now >= t->deadline)
				db_fail(d, t, now, DBF_CONNECT, "name lookup of %s timed out after %.0fs "
					"(the DNS server does not answer: check /etc/resolv.conf)",
					t->lookup, t->timeout);
			break;
		case DB_CONNECTING:
			if (ready)
				connect_step(d, t, now);
			else if (now >= t->deadline)
				db_fail(d, t, now, DBF_CONNECT, "connection timed out after %.0fs",
					now - t->deadline + t->timeout * (t->tunnel_host >= 0 ? 2 : 1));
			break;
		case DB_QUERY:
			if (ready)
				query_step(d, t, now);
			if (t->state == DB_QUERY && now >= t->deadline)
				db_fail(d, t, now, DBF_QUERY, "the statistics query timed out after %.0fs",
					t->timeout + 1);
			break;
		case DB_READY:
			if (ready)
				idle_step(d, t, now);
			break;
		case DB_IDLE:
			break;
		}
	}
}

static bool databases_round_done(void *s)
{
	struct dbs *d = s;

	for (size_t i = 0; i < d->n; i++)
		if (!d->t[i].work.collected)
			return false;
	return prom_pgs_round_done(d->pg);
}

static void databases_destroy(void *s)
{
	struct dbs *d = s;

	for (size_t i = 0; i < d->n; i++) {
		db_close(&d->t[i]);
		free(d->t[i].lookup);
		free(d->t[i].dsn);
		free(d->t[i].password_path);
	}
	free(d->t);
	prom_pgs_free(d->pg);
	resolver_free(d->resolver);
	free(d);
}

const struct source_ops source_databases = {
	.name = "databases",
	.create = databases_create,
	.prepare = databases_prepare,
	.dispatch = databases_dispatch,
	.round_done = databases_round_done,
	.destroy = databases_destroy,
};
