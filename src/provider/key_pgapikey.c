/* Key provider `pg-apikey`. One transaction: lock the live row(s), insert
 * the new key (prefix + SHA-256, other columns copied from the old row so a
 * `where` that selected the old key selects the new one), set the old
 * rows' revoked_at to now() + grace, commit. Any error before COMMIT rolls
 * everything back, so the old key stays valid.
 *
 * Durable: before COMMIT, the new key's plaintext is written (0600, fsync'd
 * with its directory) to deliver_file, or, without one, to a recovery file
 * next to the audit log (pgkey-NAME.recovery): once the new key is live its
 * plaintext exists somewhere that survives a crash. The recovery file is
 * removed when the commit is confirmed and the plaintext is in the result
 * dialog's hands. A COMMIT whose answer is lost (the connection broke) has
 * an unknown outcome: reported as CHECK (audited "check"), the plaintext
 * file kept, never as "the old key stays valid". */
#include "config.h"
#include "provider/provider.h"
#include "provider/sshcmd.h"
#include "util/util.h"
#include "util/pg_notice.h"
#include "fleet/values.h"

#include <errno.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <openssl/evp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sys/socket.h>

enum { COL_ID, COL_PREFIX, COL_HASH, COL_CREATED, COL_REVOKED, NCOLS };

struct pgk {
	PGconn *c;
	char *table;                 /* quoted, maybe schema-qualified */
	char *col[NCOLS];            /* quoted */
	char *where;                 /* SQL condition selecting the key's rows */
	char *idval;                 /* id = ..., as a parameter, or NULL */
	struct sshtun tun;           /* the database's `tunnel`, when it has one */
	char tundir[200];            /* its socket's directory */
	bool tunneled;
};

static char *quote_ident(PGconn *c, const char *s)
{
	char *q = PQescapeIdentifier(c, s, strlen(s));
	char *out = xstrdup(q ? q : "\"\"");

	PQfreemem(q);
	return out;
}

/* "schema.table" -> "schema"."table"; each part quoted on its own. */
static char *quote_table(PGconn *c, const char *s)
{
	const char *dot = strchr(s, '.');
	char *a, *b, *out, *part;

	if (!dot)
		return quote_ident(c, s);
	part = xstrndup(s, (size_t)(dot - s));
	a = quote_ident(c, part);
	b = quote_ident(c, dot + 1);
	out = xasprintf("%s.%s", a, b);
	free(part);
	free(a);
	free(b);
	return out;
}

static void pgk_close(struct pgk *k)
{
	if (k->c)
		PQfinish(k->c);
	free(k->table);
	for (int i = 0; i < NCOLS; i++)
		free(k->col[i]);
	free(k->where);
	free(k->idval);
	/* after PQfinish: the connection runs through it */
	if (k->tunneled)
		sshtun_close(&k->tun);
	memset(k, 0, sizeof(*k));
}

/* The DSN's host and port (libpq's defaults: 127.0.0.1 and 5432 as seen
 * from the tunnel host), checked to be one TCP host that ssh -L can take. */
static int dsn_target(const char *dsn, char *host, size_t hostlen, int *port,
		      char *err, size_t errlen)
{
	char *perr = NULL;
	PQconninfoOption *opts = PQconninfoParse(dsn, &perr);
	const char *h = NULL, *ha = NULL, *p = NULL;

	if (!opts) {
		str_fmt(err, errlen, "the dsn cannot be parsed: %s", perr ? perr : "out of memory");
		err[strcspn(err, "\n")] = '\0';
		PQfreemem(perr);
		return -1;
	}
	for (PQconninfoOption *o = opts; o->keyword; o++) {
		if (!o->val || !o->val[0])
			continue;
		if (strcmp(o->keyword, "host") == 0)
			h = o->val;
		else if (strcmp(o->keyword, "hostaddr") == 0)
			ha = o->val;
		else if (strcmp(o->keyword, "port") == 0)
			p = o->val;
	}
	str_copy(host, ha ? ha : h ? h : "127.0.0.1", hostlen);
	*port = p ? atoi(p) : 5432;
	PQconninfoFree(opts);
	/* ssh -L parses the value: no separators, no unix socket paths */
	if (!host[0] || strspn(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_:")
	    != strlen(host) || *port <= 0 || *port > 65535) {
		str_copy(err, "a tunnel needs the dsn to name one TCP host and port", errlen);
		return -1;
	}
	return 0;
}

/* Opens the [database]'s `tunnel` (ssh -L through that host) and adds
 * host/hostaddr/port pointing at it to keys/vals. 0 when there is no
 * tunnel or it is up, -1 with err. */
static int pgk_tunnel(const struct fleet *f, const struct fleet_section *db, double timeout,
		      struct pgk *k, const char **keys, const char **vals, int *n,
		      char *port, size_t portlen, char *err, size_t errlen)
{
	const char *via = fleet_section_get(db, "tunnel");
	char dhost[256];
	int hi, dport;

	if (!via)
		return 0;
	hi = fleet_host_index(f, via);
	if (hi < 0) {
		str_fmt(err, errlen, "tunnel: no [host %s]", via);
		return -1;
	}
	if (dsn_target(fleet_section_get(db, "dsn"), dhost, sizeof(dhost), &dport, err, errlen) < 0)
		return -1;
	if (f->hosts[hi].local)
		return 0;    /* the tunnel host is this machine: connect directly */
	if (sshtun_open(&k->tun, f, hi, dhost, dport, timeout, err, errlen) < 0)
		return -1;
	k->tunneled = true;
	str_fmt(port, portlen, "%d", k->tun.fwd.port);
	/* the tunnel's Unix socket: host=DIR port=N is DIR/.s.PGSQL.N */
	str_copy(k->tundir, k->tun.fwd.path, sizeof(k->tundir));
	*strrchr(k->tundir, '/') = '\0';
	keys[*n] = "host"; vals[(*n)++] = k->tundir;
	keys[*n] = "port"; vals[(*n)++] = port;
	return 0;
}

/* PQconnectdbParams(), but with the notice processor set before anything
 * is read: the server can send a NOTICE/WARNING while logging in (between
 * AuthenticationOk and ReadyForQuery: a role or database setting invalid at
 * login, a collation version mismatch), which the blocking call would hand
 * to libpq's default processor, i.e. print on the terminal. PQconnectStart
 * only opens the socket and sends the startup packet; the login is driven
 * here, bounded by timeout seconds. Returns the connection (check PQstatus;
 * *timed_out when the bound was hit), or NULL when out of memory. */
static PGconn *pg_connect_quiet(const char *const *keys, const char *const *vals, double timeout,
				bool *timed_out)
{
	PGconn *c = PQconnectStartParams(keys, vals, 1);
	PostgresPollingStatusType st = PGRES_POLLING_WRITING;
	double deadline = now_mono() + timeout;

	*timed_out = false;
	pg_notices_off(c);
	if (!c || PQstatus(c) == CONNECTION_BAD)
		return c;
	while (st != PGRES_POLLING_OK && st != PGRES_POLLING_FAILED) {
		struct pollfd p = { .fd = PQsocket(c), .events = st == PGRES_POLLING_READING ? POLLIN : POLLOUT };
		double left = deadline - now_mono();
		int rc;

		if (left <= 0) {
			*timed_out = true;
			break;
		}
		rc = poll(&p, 1, (int)(left * 1000) + 1);
		if (rc < 0 && errno != EINTR)
			break;
		if (rc > 0)
			st = PQconnectPoll(c);
	}
	return c;
}

static int pgk_connect(const struct fleet *f, const struct fleet_section *sec, double timeout,
		       struct pgk *k, char *err, size_t errlen)
{
	const char *dbname = fleet_section_get(sec, "database");
	const struct fleet_section *db = dbname ? fleet_find_section(f, SEC_DATABASE, dbname) : NULL;
	const char *keys[8], *vals[8];
	char tmo[16], opts[64], tport[16], *pw = NULL, *pwpath, *bare = NULL;
	char **cols;
	size_t ncols = 0;
	int n = 0;
	bool timed_out;

	memset(k, 0, sizeof(*k));
	if (!db || !fleet_section_get(db, "dsn")) {
		str_fmt(err, errlen, "[key %s]: database %s is not a [database] with a dsn",
			sec->name, dbname ? dbname : "(unset)");
		return -1;
	}
	/* through a tunnel the DSN must not name an address of its own */
	{
		const char *via = fleet_section_get(db, "tunnel");
		int hi = via ? fleet_host_index(f, via) : -1;
		if (hi >= 0 && !f->hosts[hi].local &&
		    !(bare = values_dsn_without_address(fleet_section_get(db, "dsn"), err, errlen)))
			return -1;
	}
	pwpath = fleet_section_path(db, "password_file");
	if (pwpath) {
		pw = fleet_read_secret(pwpath, err, errlen);
		free(pwpath);
		if (!pw) {
			free(bare);
			return -1;
		}
	}
	str_fmt(tmo, sizeof(tmo), "%d", timeout < 2 ? 2 : (int)timeout);
	str_fmt(opts, sizeof(opts), "-c statement_timeout=%d", (int)(timeout * 1000) + 1000);
	/* the dsn first: the keywords after it override what it says */
	keys[n] = "dbname"; vals[n++] = bare ? bare : fleet_section_get(db, "dsn");
	keys[n] = "connect_timeout"; vals[n++] = tmo;
	keys[n] = "options"; vals[n++] = opts;
	if (pw) {
		keys[n] = "password";
		vals[n++] = pw;
	}
	if (pgk_tunnel(f, db, timeout, k, keys, vals, &n, tport, sizeof(tport), err, errlen) < 0) {
		free(bare);
		if (pw) {
			explicit_bzero(pw, strlen(pw));
			free(pw);
		}
		return -1;
	}
	keys[n] = NULL; vals[n] = NULL;
	k->c = pg_connect_quiet(keys, vals, timeout < 2 ? 2 : timeout, &timed_out);
	free(bare);
	if (pw) {
		explicit_bzero(pw, strlen(pw));
		free(pw);
	}
	if (PQstatus(k->c) != CONNECTION_OK) {
		str_fmt(err, errlen, "cannot connect to database %s%s%s: %s", dbname,
			k->tunneled ? " through the tunnel via " : "",
			k->tunneled ? fleet_section_get(db, "tunnel") : "",
			timed_out ? "timeout expired" : k->c ? PQerrorMessage(k->c) : "out of memory");
		err[strcspn(err, "\n")] = '\0';
		pgk_close(k);
		return -1;
	}
	k->table = quote_table(k->c, fleet_section_value(sec, "table"));
	cols = fleet_list_split(fleet_section_value(sec, "columns"), &ncols);
	if (ncols != NCOLS) {
		str_fmt(err, errlen, "[key %s]: columns must name %d columns "
			"(id prefix key_hash created_at revoked_at)", sec->name, NCOLS);
		fleet_list_free(cols);
		pgk_close(k);
		return -1;
	}
	for (int i = 0; i < NCOLS; i++)
		k->col[i] = quote_ident(k->c, cols[i]);
	fleet_list_free(cols);
	if (fleet_section_get(sec, "where")) {
		k->where = xasprintf("(%s)", fleet_section_get(sec, "where"));
	} else if (fleet_section_get(sec, "id")) {
		k->where = xasprintf("%s::text = $1", k->col[COL_ID]);
		k->idval = xstrdup(fleet_section_get(sec, "id"));
	} else {
		str_fmt(err, errlen, "[key %s]: set id or where to select the key", sec->name);
		pgk_close(k);
		return -1;
	}
	return 0;
}

static int pg_failed(PGresult *r, ExecStatusType want, const char *what, char *err, size_t errlen)
{
	if (PQresultStatus(r) == want)
		return 0;
	str_fmt(err, errlen, "%s: %s", what, PQresultErrorMessage(r));
	err[strcspn(err, "\n")] = '\0';
	PQclear(r);
	return -1;
}

/* The newest live key selected by the section: its creation time and a
 * shown id ("#12 tf_live_"). */
static int pgkey_read(const struct fleet *f, const struct fleet_section *sec, double timeout,
		      double *created_at, char *id, size_t idlen, char *err, size_t errlen)
{
	struct pgk k;
	PGresult *r;
	char *sql;
	const char *params[1];

	if (pgk_connect(f, sec, timeout, &k, err, errlen) < 0)
		return -1;
	params[0] = k.idval;
	sql = xasprintf("SELECT %s::text, %s, extract(epoch FROM %s)::float8 FROM %s "
			"WHERE %s AND (%s IS NULL OR %s > now()) ORDER BY %s DESC LIMIT 1",
			k.col[COL_ID], k.col[COL_PREFIX], k.col[COL_CREATED], k.table, k.where,
			k.col[COL_REVOKED], k.col[COL_REVOKED], k.col[COL_CREATED]);
	r = PQexecParams(k.c, sql, k.idval ? 1 : 0, NULL, params, NULL, NULL, 0);
	free(sql);
	if (pg_failed(r, PGRES_TUPLES_OK, "reading the key", err, errlen) < 0) {
		pgk_close(&k);
		return -1;
	}
	if (PQntuples(r) != 1) {
		str_fmt(err, errlen, "no live key matches in %s", fleet_section_value(sec, "table"));
		PQclear(r);
		pgk_close(&k);
		return -1;
	}
	str_fmt(id, idlen, "#%s %s", PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1));
	*created_at = strtod(PQgetvalue(r, 0, 2), NULL);
	PQclear(r);
	pgk_close(&k);
	return 0;
}

/* ---- rotation ---------------------------------------------------------------- */

static int key_generate(const char *prefix, char *key, size_t keylen, char *hash, size_t hashlen)
{
	unsigned char rnd[24], md[32];
	unsigned int mdlen = 0;
	size_t n;

	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		return -1;
	n = (size_t)str_fmt(key, keylen, "%s", prefix ? prefix : "");
	for (size_t i = 0; i < sizeof(rnd) && n + 2 < keylen; i++, n += 2)
		snprintf(key + n, 3, "%02x", rnd[i]);
	explicit_bzero(rnd, sizeof(rnd));
	if (!EVP_Digest(key, strlen(key), md, &mdlen, EVP_sha256(), NULL) || mdlen != 32 ||
	    hashlen < 65)
		return -1;
	for (int i = 0; i < 32; i++)
		snprintf(hash + 2 * i, 3, "%02x", md[i]);
	return 0;
}

/* The other columns of the table, quoted and comma-separated (so the new
 * row keeps the old one's owner, name, scopes ...). */
static char *other_columns(struct pgk *k, char *err, size_t errlen)
{
	char *sql = xasprintf("SELECT * FROM %s WHERE false", k->table), *out = xstrdup("");
	PGresult *r = PQexec(k->c, sql);

	free(sql);
	if (pg_failed(r, PGRES_TUPLES_OK, "reading the table's columns", err, errlen) < 0) {
		free(out);
		return NULL;
	}
	for (int i = 0; i < PQnfields(r); i++) {
		char *q = quote_ident(k->c, PQfname(r, i)), *next;
		bool mine = false;
		for (int c = 0; c < NCOLS; c++)
			mine = mine || strcmp(q, k->col[c]) == 0;
		if (!mine) {
			next = xasprintf("%s, %s", out, q);
			free(out);
			out = next;
		}
		free(q);
	}
	PQclear(r);
	return out;
}

/* Writes key to path (0600), durably: file and directory fsync'd. */
static int write_durable(const char *path, const char *key, char *err, size_t errlen)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');
	bool ok;
	int dfd;

	if (fd < 0) {
		str_fmt(err, errlen, "cannot write %s: %s", path, strerror(errno));
		free(dir);
		return -1;
	}
	ok = fchmod(fd, 0600) == 0 && write(fd, key, strlen(key)) == (ssize_t)strlen(key) &&
	     write(fd, "\n", 1) == 1 && fsync(fd) == 0;
	if (!ok)
		str_fmt(err, errlen, "cannot write %s: %s", path, strerror(errno));
	close(fd);
	if (slash)
		*(slash == dir ? slash + 1 : slash) = '\0';
	dfd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	free(dir);
	return ok ? 0 : -1;
}

/* Where the plaintext goes before COMMIT: deliver_file, else the recovery
 * file next to the audit log. malloc'd; *recovery says which. */
static char *plaintext_path(const struct action_job *j, bool *recovery)
{
	char *path = fleet_section_path(j->sec, "deliver_file"), *dir, *slash, safe[64];

	*recovery = !path;
	if (path)
		return path;
	dir = xstrdup(j->f->audit_log);
	slash = strrchr(dir, '/');
	str_copy(safe, j->sec->name, sizeof(safe));
	for (char *p = safe; *p; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-", *p))
			*p = '_';
	if (slash)
		*slash = '\0';
	path = xasprintf("%s/pgkey-%s.recovery", slash ? dir : ".", safe);
	free(dir);
	return path;
}

/* The COMMIT's answer: 0 committed, -1 refused (rolled back: nothing
 * changed), ACTION_CHECK when it is unknown whether it committed. */
static int commit(struct pgk *k, const char *keyfile, char *err, size_t errlen)
{
	PGresult *r = PQexec(k->c, "COMMIT");
	ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;

	if (r && st == PGRES_COMMAND_OK) {
		PQclear(r);
		return 0;
	}
	if (PQstatus(k->c) == CONNECTION_BAD || !r) {
		str_fmt(err, errlen, "the connection broke during COMMIT: it is unknown whether the new "
			"key was stored; CHECK the table: if a row with the new key's prefix exists, the "
			"new key (in %s, 0600) is live and the old one is revoked after the grace; "
			"otherwise nothing changed", keyfile);
		PQclear(r);
		return ACTION_CHECK;
	}
	pg_failed(r, PGRES_COMMAND_OK, "COMMIT", err, errlen);
	return -1;
}

/* The test hook of tests/actions/pg_apikey.sh: the connection to the
 * database is cut right before COMMIT (its socket shut down), as when the
 * network breaks with the COMMIT in flight. */
static void checkpoint_commit(PGconn *c)
{
	const char *at = getenv("FLEETDECK_TEST_KILL_AT");

	if (at && strcmp(at, "pg-commit") == 0)
		shutdown(PQsocket(c), SHUT_RDWR);
}

static int rotate_tx(struct action_job *j, struct pgk *k, const char *key, const char *hash,
		     double grace, const char *keyfile, char *err, size_t errlen)
{
	const char *params[4];
	char pfx[9], gr[32], *sql, *others, oldid[64];
	PGresult *r;
	int nold;

	r = PQexec(k->c, "BEGIN");
	if (pg_failed(r, PGRES_COMMAND_OK, "BEGIN", err, errlen) < 0)
		return -1;
	PQclear(r);
	j->progress(j, "locking the live key");
	params[0] = k->idval;
	sql = xasprintf("SELECT %s::text FROM %s WHERE %s AND %s IS NULL ORDER BY %s DESC FOR UPDATE",
			k->col[COL_ID], k->table, k->where, k->col[COL_REVOKED], k->col[COL_CREATED]);
	r = PQexecParams(k->c, sql, k->idval ? 1 : 0, NULL, params, NULL, NULL, 0);
	free(sql);
	if (pg_failed(r, PGRES_TUPLES_OK, "selecting the live key", err, errlen) < 0)
		return -1;
	nold = PQntuples(r);
	if (nold < 1) {
		str_copy(err, "no live (unrevoked) key matches: nothing to rotate", errlen);
		PQclear(r);
		return -1;
	}
	str_copy(oldid, PQgetvalue(r, 0, 0), sizeof(oldid));
	PQclear(r);
	if (!(others = other_columns(k, err, errlen)))
		return -1;
	j->progress(j, "inserting the new key");
	str_copy(pfx, key, sizeof(pfx));
	params[0] = pfx;
	params[1] = hash;
	params[2] = oldid;
	sql = xasprintf("INSERT INTO %s (%s, %s, %s, %s%s) SELECT $1, $2, now(), NULL%s FROM %s "
			"WHERE %s::text = $3 RETURNING %s::text",
			k->table, k->col[COL_PREFIX], k->col[COL_HASH], k->col[COL_CREATED],
			k->col[COL_REVOKED], others, others, k->table, k->col[COL_ID], k->col[COL_ID]);
	free(others);
	r = PQexecParams(k->c, sql, 3, NULL, params, NULL, NULL, 0);
	free(sql);
	if (pg_failed(r, PGRES_TUPLES_OK, "inserting the new key", err, errlen) < 0)
		return -1;
	str_fmt(j->new_id, sizeof(j->new_id), "#%s %s", PQgetvalue(r, 0, 0), pfx);
	PQclear(r);
	j->progress(j, "revoking the old key after the grace period");
	str_fmt(gr, sizeof(gr), "%.0f", grace);
	params[0] = gr;
	params[1] = hash;
	params[2] = k->idval;
	/* the rows the lock selected, except the new one (which a `where` may
	 * also match, since it copied the old row's other columns) */
	if (k->idval)
		sql = xasprintf("UPDATE %s SET %s = now() + make_interval(secs => $1::float8) "
				"WHERE %s::text = $3 AND %s IS NULL AND %s <> $2",
				k->table, k->col[COL_REVOKED], k->col[COL_ID], k->col[COL_REVOKED],
				k->col[COL_HASH]);
	else
		sql = xasprintf("UPDATE %s SET %s = now() + make_interval(secs => $1::float8) "
				"WHERE %s AND %s IS NULL AND %s <> $2",
				k->table, k->col[COL_REVOKED], k->where, k->col[COL_REVOKED],
				k->col[COL_HASH]);
	r = PQexecParams(k->c, sql, k->idval ? 3 : 2, NULL, params, NULL, NULL, 0);
	free(sql);
	if (pg_failed(r, PGRES_COMMAND_OK, "revoking the old key", err, errlen) < 0)
		return -1;
	PQclear(r);
	/* the plaintext is on disk before the key can be live */
	j->progress(j, "writing the new key");
	if (write_durable(keyfile, key, err, errlen) < 0) {
		size_t len = strlen(err);
		str_fmt(err + len, errlen - len, "; not committed, the old key stays valid");
		return -1;
	}
	checkpoint_commit(k->c);
	j->progress(j, "committing");
	return commit(k, keyfile, err, errlen);
}

static void pg_describe(const struct action_job *j, char *buf, size_t size)
{
	const char *grace = fleet_section_value(j->sec, "grace");

	str_fmt(buf, size, "In one transaction on database %s: insert a new key%s%s into %s, "
		"and revoke the old one after a grace of %s. The new key is shown once%s%s.",
		fleet_section_get(j->sec, "database") ? fleet_section_get(j->sec, "database") : "?",
		fleet_section_get(j->sec, "key_prefix") ? " starting " : "",
		fleet_section_get(j->sec, "key_prefix") ? fleet_section_get(j->sec, "key_prefix") : "",
		fleet_section_value(j->sec, "table"), grace ? grace : "24h",
		fleet_section_get(j->sec, "deliver_file") ? " and written to " : "",
		fleet_section_get(j->sec, "deliver_file") ? fleet_section_get(j->sec, "deliver_file") : "");
}

static int pg_rotate(struct action_job *j, char *err, size_t errlen)
{
	char key[160], hash[65];
	double grace = 86400, timeout = j->f->timeout;
	const char *g = fleet_section_value(j->sec, "grace");
	struct pgk k;
	char *keyfile;
	bool recovery;
	int rc;

	if (g && parse_duration(g, &grace) < 0)
		grace = 86400;
	if (key_generate(fleet_section_get(j->sec, "key_prefix"), key, sizeof(key), hash, sizeof(hash)) < 0) {
		str_copy(err, "cannot generate a key (no randomness)", errlen);
		return -1;
	}
	j->progress(j, "connecting");
	if (pgk_connect(j->f, j->sec, timeout, &k, err, errlen) < 0) {
		explicit_bzero(key, sizeof(key));
		return -1;
	}
	keyfile = plaintext_path(j, &recovery);
	rc = rotate_tx(j, &k, key, hash, grace, keyfile, err, errlen);
	pgk_close(&k);    /* an open transaction is rolled back by closing */
	if (rc == 0) {
		str_copy(j->secret, key, sizeof(j->secret));
		if (recovery)
			unlink(keyfile);   /* committed, and the dialog has it */
		else
			str_fmt(j->note, sizeof(j->note), "written to %s (0600)", keyfile);
	} else if (rc < 0) {
		/* not committed: the file holds a key that never became valid */
		unlink(keyfile);
	} else {
		/* unknown: the plaintext stays in keyfile, and on screen */
		str_copy(j->secret, key, sizeof(j->secret));
	}
	free(keyfile);
	explicit_bzero(key, sizeof(key));
	return rc;
}

const struct key_provider key_pg_apikey = {
	.name = "pg-apikey",
	.reading = KR_WORKER,
	.read = pgkey_read,
	.describe = pg_describe,
	.rotate = pg_rotate,
};
