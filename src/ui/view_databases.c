/* View 5: databases and backups. The databases table, worst first (the
 * rules' status; equal ones in row order), then every backup with its RPO
 * bar (age against the RPO, the 80 % mark drawn), breaches first; each
 * table keeps its worst MAX_ROWS / 2 rows and says "+N more" below.
 * Enter opens the selected row's detail (every field, the last error)
 * below the tables and Enter closes it (Esc belongs to the frame). Draws
 * only cells. */
#include "config.h"
#include "domain/domain.h"
#include "ui/views.h"
#include "history/history.h"
#include "rules/rules_databases.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

#define MAX_ROWS 512
#define BAR_W 20

/* What the last frame drew, for clicks and Enter: item -> screen row. */
static struct {
	int nd, nb;
	int dmore, bmore;             /* databases, backups past the MAX_ROWS / 2 kept */
	int order[MAX_ROWS];          /* backup item k -> backup index */
	int dorder[MAX_ROWS];         /* database item k -> database index (a row there) */
	int row_y[MAX_ROWS];          /* item -> screen row, -1 off screen */
} dbv;

static const struct target_eval *find(const struct ui_ctx *u, enum domain_id k, int i)
{
	return u->ev ? rules_target_find(u->ev, k, i, -1) : NULL;
}

/* Database i's name: its [database]'s, or the one found through Prometheus. */
static const char *db_name(const struct ui_ctx *u, int i)
{
	struct db_row tmp;
	const struct fleet_section *sec = db_row_section(u->f, u->snap, (size_t)i, &tmp);

	/* a found row's name is its sample's: it outlives tmp */
	return sec ? sec->name : "";
}

static enum status st_of(const struct target_eval *t)
{
	return t ? t->ev.status : ST_UNKNOWN;
}

static double ratio(const struct ui_ctx *u, int i)
{
	const struct backup_sample *b = snap_backup(u->snap, i);
	double rpo = rules_section_seconds(fleet_nth(u->f, SEC_BACKUP, (size_t)i), "rpo");

	if (!b->known || b->last_at <= 0 || rpo <= 0)
		return -1;
	return (u->now - b->last_at) / rpo;
}

static const struct ui_ctx *sort_ctx;

/* Breaches (crit) first, then warn, unknown, ok; within one, the oldest
 * against its RPO first. */
static int backup_cmp(const void *a, const void *b)
{
	int i = *(const int *)a, j = *(const int *)b;
	enum status si = st_of(find(sort_ctx, DOM_BACKUP, i)), sj = st_of(find(sort_ctx, DOM_BACKUP, j));
	double ri = ratio(sort_ctx, i), rj = ratio(sort_ctx, j);

	if (si != sj)
		return si > sj ? -1 : 1;
	if (ri != rj)
		return ri > rj ? -1 : 1;
	return i - j;
}

/* A database row and the rules' status for it (not judged again here). */
struct db_key {
	int i;
	enum status st;
};

/* Worst first, in enum status order (crit, warn, unknown, ok); equal
 * statuses in row order, so that rows keep their places between rounds. */
static int db_cmp(const void *a, const void *b)
{
	const struct db_key *x = a, *y = b;

	if (x->st != y->st)
		return x->st > y->st ? -1 : 1;
	return x->i - y->i;
}

/* The rows this frame shows. Each table keeps at most MAX_ROWS / 2 rows:
 * they are sorted worst first before the cut, so that a crit database
 * found past the first few hundred is still shown; dmore and bmore count
 * the rest. */
static void counts(const struct ui_ctx *u)
{
	size_t ns = snapshot_count(u->snap, DOM_DATABASE), nb = fleet_count(u->f, SEC_BACKUP), k = 0;
	struct db_key *keys = xcalloc(ns ? ns : 1, sizeof(*keys));
	int *all;

	/* the [database]s, then the databases found through [prometheus] */
	for (size_t i = 0; i < ns; i++) {
		struct db_row tmp;
		if (db_row_section(u->f, u->snap, i, &tmp))
			keys[k++] = (struct db_key){ (int)i, st_of(find(u, DOM_DATABASE, (int)i)) };
	}
	qsort(keys, k, sizeof(*keys), db_cmp);
	dbv.nd = k < MAX_ROWS / 2 ? (int)k : MAX_ROWS / 2;
	dbv.dmore = (int)k - dbv.nd;
	for (int j = 0; j < dbv.nd; j++)
		dbv.dorder[j] = keys[j].i;
	free(keys);

	if (nb > snapshot_count(u->snap, DOM_BACKUP))
		nb = snapshot_count(u->snap, DOM_BACKUP);
	all = xcalloc(nb ? nb : 1, sizeof(*all));
	for (size_t i = 0; i < nb; i++)
		all[i] = (int)i;
	sort_ctx = u;
	qsort(all, nb, sizeof(int), backup_cmp);
	dbv.nb = nb < MAX_ROWS / 2 ? (int)nb : MAX_ROWS / 2;
	dbv.bmore = (int)nb - dbv.nb;
	memcpy(dbv.order, all, (size_t)dbv.nb * sizeof(int));
	free(all);
}

/* The item the selection was on in the last frame and the database or
 * backup it showed, so that the selection (and the open detail) stays on
 * that database when a change of status moves it in the order. */
static struct {
	const struct view_state *vs;
	int item;                     /* vs->sel then */
	int db, bk;                   /* its database or backup index, else -1 */
} picked = { NULL, -1, -1, -1 };

static void pick(const struct view_state *vs)
{
	picked.vs = vs;
	picked.item = vs->sel;
	picked.db = vs->sel >= 0 && vs->sel < dbv.nd ? dbv.dorder[vs->sel] : -1;
	picked.bk = vs->sel >= dbv.nd && vs->sel < dbv.nd + dbv.nb ? dbv.order[vs->sel - dbv.nd] : -1;
}

/* A key or a click moved the selection since the last frame: it meant the
 * row drawn there, so take that row's database or backup from the order
 * drawn (before counts() sorts again), not from this frame's. */
static void repick(const struct view_state *vs)
{
	if (picked.vs == vs && vs->sel != picked.item)
		pick(vs);
}

/* The selection goes to where that database or backup is now. One no
 * longer shown (sorted past the cut, or gone) closes the detail: the
 * selection keeps its place (clamped by the layout), but no detail of
 * another database shows under it. */
static void follow(struct view_state *vs)
{
	if (picked.vs != vs || vs->sel != picked.item || (picked.db < 0 && picked.bk < 0))
		return;
	for (int k = 0; k < dbv.nd; k++)
		if (picked.db >= 0 && dbv.dorder[k] == picked.db) {
			vs->sel = k;
			return;
		}
	for (int k = 0; k < dbv.nb; k++)
		if (picked.bk >= 0 && dbv.order[k] == picked.bk) {
			vs->sel = dbv.nd + k;
			return;
		}
	vs->sub_open = false;
}

/* The RPO bar at narrow widths: 20 columns from 100 on, else 10. */
static int narrow_bar_w(int w)
{
	return w >= 100 ? BAR_W : 10;
}

static int status_cell(struct cells *c, int x, int y, const struct target_eval *t)
{
	bool stale = t && t->ev.stale && t->ev.status != ST_CRIT && t->ev.status != ST_WARN;
	return cells_text(c, x, y, 7, stale ? ROLE_STALE : view_status_role(st_of(t)),
			  stale ? "STALE" : view_status_word(st_of(t)));
}

/* Below this width the tables drop their least urgent columns (VERSION,
 * XACT, LOCKS, SIZE, ARCHIVED; SOURCE, RTO) and shrink the RPO bar, so
 * that the first problem stays on screen; the detail shows the rest. */
#define WIDE 120
#define NAME_W_NARROW 14

static const char *db_header(int w)
{
	return w >= WIDE ?
	       "STATUS  DATABASE           UP    VERSION       CONN          LAG     XACT LOCKS    SIZE  ARCHIVED"
	       : "STATUS  DATABASE       UP   CONN        LAG  PROBLEM";
}

static void backup_header(int w, char *buf, size_t size)
{
	if (w >= WIDE) {
		str_copy(buf, "STATUS  BACKUP             RPO     AGE vs RPO (| = 80%)  AGE / RPO     SOURCE      RTO     PROBLEM",
			 size);
		return;
	}
	/* the bar's header is as wide as the bar */
	str_fmt(buf, size, "STATUS  BACKUP         RPO    %-*s AGE / RPO  PROBLEM", narrow_bar_w(w),
		narrow_bar_w(w) >= 18 ? "AGE vs RPO (| = 80%)" : "AGE vs RPO");
}

static void first_problem(struct cells *c, int x, int y, int w, const struct target_eval *t)
{
	if (t && t->ev.nproblems)
		cells_text_ellipsis(c, x, y, w, view_status_role(t->ev.problems[0].severity),
				    t->ev.problems[0].text);
}

/* up, DOWN, or "?" (model/databases.h db_sample_unknown) */
static int db_up_role(const struct db_sample *d)
{
	return d->up ? ROLE_OK : db_sample_unknown(d) ? ROLE_UNKNOWN : ROLE_CRIT;
}

static const char *db_up_word(const struct db_sample *d)
{
	return db_sample_unknown(d) ? "?" : d->up ? "up" : "DOWN";
}

static void db_row_narrow(struct cells *c, struct rect b, int y, const struct ui_ctx *u, int i)
{
	const struct db_sample *d = snap_database(u->snap, i);
	const struct target_eval *t = find(u, DOM_DATABASE, i);
	int role = t && t->ev.stale ? ROLE_STALE : ROLE_NORMAL;
	char buf[64];

	status_cell(c, b.x + 1, y, t);
	cells_text_ellipsis(c, b.x + 9, y, NAME_W_NARROW, ROLE_TITLE,
			    db_name(u, i));
	cells_text(c, b.x + 24, y, 4, db_up_role(d), db_up_word(d));
	if (!d->up) {
		/* the problem says why, with the error; else the error itself */
		if (t && t->ev.nproblems)
			first_problem(c, b.x + 29, y, b.w - 30, t);
		else
			cells_text_ellipsis(c, b.x + 29, y, b.w - 30, ROLE_CRIT,
					    d->collected ? d->error : "not polled yet");
		return;
	}
	if (d->valid & DBV_CONNECTIONS)
		str_fmt(buf, sizeof(buf), "%d/%d", d->connections, d->max_connections);
	cells_text(c, b.x + 29, y, 9, role, d->valid & DBV_CONNECTIONS ? buf : "n/a");
	if (d->valid & DBV_LAG_S)
		str_fmt(buf, sizeof(buf), "%.1fs", d->replication_lag_s);
	cells_text_right(c, b.x + 38, y, 6, role, d->valid & DBV_LAG_S ? buf : "-");
	first_problem(c, b.x + 46, y, b.w - 47, t);
}

static void db_row(struct cells *c, struct rect b, int y, const struct ui_ctx *u, int i)
{
	const struct db_sample *d = snap_database(u->snap, i);
	const struct target_eval *t = find(u, DOM_DATABASE, i);
	unsigned v = d->up ? d->valid : 0;
	int role = t && t->ev.stale ? ROLE_STALE : ROLE_NORMAL;
	char buf[64], a[16];

	if (b.w < WIDE) {
		db_row_narrow(c, b, y, u, i);
		return;
	}

	status_cell(c, b.x + 1, y, t);
	cells_text_ellipsis(c, b.x + 9, y, 18, ROLE_TITLE, db_name(u, i));
	cells_text(c, b.x + 28, y, 5, db_up_role(d), db_up_word(d));
	if (!d->up) {
		cells_text_ellipsis(c, b.x + 34, y, b.w - 35, ROLE_CRIT, d->collected ? d->error : "not polled yet");
		return;
	}
	str_fmt(buf, sizeof(buf), "%s%s", v & DBV_VERSION ? d->version : "n/a",
		(v & DBV_RECOVERY) && d->in_recovery ? " replica" : "");
	cells_text(c, b.x + 34, y, 13, role, buf);
	if (v & DBV_CONNECTIONS)
		str_fmt(buf, sizeof(buf), "%d/%d", d->connections, d->max_connections);
	cells_text(c, b.x + 48, y, 9, role, v & DBV_CONNECTIONS ? buf : "n/a");
	if (v & DBV_LAG_S)
		str_fmt(buf, sizeof(buf), "%.1fs", d->replication_lag_s);
	cells_text_right(c, b.x + 57, y, 8, role, v & DBV_LAG_S ? buf : "-");
	cells_text_right(c, b.x + 66, y, 7, role, v & DBV_XACT ? fmt_age(a, sizeof(a), d->longest_xact_s) : "n/a");
	if (v & DBV_LOCKS)
		str_fmt(buf, sizeof(buf), "%d", d->waiting_locks);
	cells_text_right(c, b.x + 74, y, 5, role, v & DBV_LOCKS ? buf : "n/a");
	cells_text_right(c, b.x + 80, y, 7, role, v & DBV_SIZE ? fmt_bytes(a, sizeof(a), (double)d->size) : "n/a");
	if ((v & DBV_ARCHIVER) && d->archiver_last_archived_at > 0)
		str_fmt(buf, sizeof(buf), "%s ago, %llu failed",
			fmt_age(a, sizeof(a), u->now - d->archiver_last_archived_at),
			(unsigned long long)d->archiver_failed_count);
	else
		str_copy(buf, (v & DBV_ARCHIVER) ? "never archived" : "-", sizeof(buf));
	cells_text_ellipsis(c, b.x + 89, y, b.w - 90, role, buf);
}

/* status, name, RPO, the bar, age / RPO and the first problem. */
static void backup_row_narrow(struct cells *c, struct rect b, int y, const struct ui_ctx *u, int i)
{
	const struct fleet_section *sec = fleet_nth(u->f, SEC_BACKUP, (size_t)i);
	const struct backup_sample *s = snap_backup(u->snap, i);
	const struct target_eval *t = find(u, DOM_BACKUP, i);
	enum rpo_status r = rules_backup_verdict(t);
	double rv = ratio(u, i), rpo = rules_section_seconds(sec, "rpo");
	struct bar_marker mk = { 0.8, ROLE_BAR_RESERVE };
	int bw = narrow_bar_w(b.w), x = b.x + 31 + bw + 1;
	char buf[64], a[16], p[16];

	status_cell(c, b.x + 1, y, t);
	cells_text_ellipsis(c, b.x + 9, y, NAME_W_NARROW, ROLE_TITLE, sec->name);
	cells_text(c, b.x + 24, y, 6, r == RPO_BREACH ? ROLE_CRIT : view_status_role(st_of(t)),
		   r == RPO_BREACH ? "BREACH" : rpo_status_name(r));
	if (rv >= 0)
		cells_bar(c, b.x + 31, y, bw, rv, r == RPO_BREACH ? ROLE_CRIT : r == RPO_WARN ? ROLE_WARN
			  : ROLE_OK, &mk, 1);
	else
		cells_text(c, b.x + 31, y, bw, ROLE_UNKNOWN, "n/a");
	str_fmt(buf, sizeof(buf), "%s / %s", rv >= 0 ? fmt_age(a, sizeof(a), u->now - s->last_at) : "?",
		fmt_age(p, sizeof(p), rpo));
	cells_text(c, x, y, 10, ROLE_NORMAL, buf);
	first_problem(c, x + 11, y, b.x + b.w - 1 - (x + 11), t);
}

static void backup_row(struct cells *c, struct rect b, int y, const struct ui_ctx *u, int i)
{
	const struct fleet_section *sec = fleet_nth(u->f, SEC_BACKUP, (size_t)i);
	const struct backup_sample *s = snap_backup(u->snap, i);
	const struct target_eval *t = find(u, DOM_BACKUP, i);
	enum rpo_status r = rules_backup_verdict(t);
	double rv = ratio(u, i), rpo = rules_section_seconds(sec, "rpo");
	double rto = rules_section_seconds(sec, "rto");
	struct bar_marker mk = { 0.8, ROLE_BAR_RESERVE };
	int bar_role = r == RPO_BREACH ? ROLE_CRIT : r == RPO_WARN ? ROLE_WARN : ROLE_OK;
	char buf[96], a[16], p[16];

	if (b.w < WIDE) {
		backup_row_narrow(c, b, y, u, i);
		return;
	}
	status_cell(c, b.x + 1, y, t);
	cells_text_ellipsis(c, b.x + 9, y, 18, ROLE_TITLE, sec->name);
	cells_text(c, b.x + 28, y, 7, r == RPO_BREACH ? ROLE_CRIT : view_status_role(st_of(t)),
		   r == RPO_BREACH ? "BREACH" : rpo_status_name(r));
	if (rv >= 0)
		cells_bar(c, b.x + 36, y, BAR_W, rv, bar_role, &mk, 1);
	else
		cells_text(c, b.x + 36, y, BAR_W, ROLE_UNKNOWN, "n/a");
	str_fmt(buf, sizeof(buf), "%s / %s", rv >= 0 ? fmt_age(a, sizeof(a), u->now - s->last_at) : "?",
		fmt_age(p, sizeof(p), rpo));
	cells_text(c, b.x + 57, y, 12, ROLE_NORMAL, buf);
	cells_text_ellipsis(c, b.x + 70, y, 11, ROLE_DIM, fleet_section_get(sec, "source"));
	cells_text(c, b.x + 82, y, 7, ROLE_DIM, rto > 0 ? fmt_age(a, sizeof(a), rto) : "-");
	if (t && t->ev.nproblems)
		cells_text_ellipsis(c, b.x + 90, y, b.w - 91, view_status_role(t->ev.problems[0].severity),
				    t->ev.problems[0].text);
}

static void header(struct cells *c, struct rect b, int y, const char *text)
{
	cells_fill(c, (struct rect){ b.x, y, b.w, 1 }, ' ', ROLE_HEADER);
	cells_text(c, b.x + 1, y, b.w - 1, ROLE_HEADER, text);
}

/* "+44 more databases (worst first shown)": a line, not an item. */
static void more_line(struct cells *c, struct rect b, int y, int more, const char *what)
{
	cells_textf(c, b.x + 1, y, b.w - 1, ROLE_DIM, "+%d more %s (worst first shown)", more, what);
}

/* Where the detail writes its next line. With draw false it only counts
 * lines, so the panel can be sized to its text before it is drawn. */
struct pen {
	struct cells *c;
	int x, y, w, ylim;
	bool draw;
};

/* Bytes of s that fit in w columns, cut after the last space when the
 * whole does not fit (or mid-word when one word is wider than w). */
static size_t fit(const struct cells *c, const char *s, int w)
{
	char buf[512];
	size_t n = 0, space = 0;
	uint32_t cp;
	int len;

	while ((len = utf8_decode(s + n, &cp)) > 0 && n + (size_t)len < sizeof(buf)) {
		memcpy(buf, s, n + (size_t)len);
		buf[n + (size_t)len] = '\0';
		if (cells_text_width(c, buf) > w)
			return space ? space : n ? n : (size_t)len;
		n += (size_t)len;
		if (cp == ' ')
			space = n;
	}
	return n;
}

/* Writes s over as many lines as it needs (the man page promises the
 * error "in full"); only when the panel runs out does the last line end
 * in an ellipsis. */
static void pen_wrap(struct pen *p, int role, const char *s)
{
	char line[512];

	if (p->w < 1)
		return;
	while (*s && p->y < p->ylim) {
		size_t n = fit(p->c, s, p->w);
		if (n >= sizeof(line))
			n = sizeof(line) - 1;
		memcpy(line, s, n);
		line[n] = '\0';
		if (p->draw && p->y == p->ylim - 1 && s[n])
			cells_text_ellipsis(p->c, p->x, p->y, p->w, role, s);
		else if (p->draw)
			cells_text(p->c, p->x, p->y, p->w, role, line);
		p->y++;
		s += n;
		while (*s == ' ')
			s++;
	}
}

/* "connections 1h ▁▂▅▇" from the history store: one line when it has
 * points in the window, none otherwise. */
static void pen_trend(struct pen *p, const struct ui_ctx *u, const char *label, int metric,
		      int index, const char *sub, double span, double lo, double hi)
{
	int lw = (int)strlen(label) + 1, w = p->w - lw;
	double v, t;

	if (p->y >= p->ylim || w < 8 || !u->hist ||
	    !hist_last(u->hist, (enum hist_metric)metric, (size_t)index, sub, &v, &t) || t < u->now - span)
		return;
	if (w > 60)
		w = 60;
	if (p->draw) {
		cells_text(p->c, p->x, p->y, lw, ROLE_DIM, label);
		view_trend(p->c, p->x + lw, p->y, w, u, metric, (size_t)index, sub, span, lo, hi,
			   ROLE_BAR_USED);
	}
	p->y++;
}

static const char *ago(char *buf, size_t size, const char *what, double at, double now)
{
	char a[16];

	if (at <= 0)
		str_fmt(buf, size, "never %s", what);
	else
		str_fmt(buf, size, "%s %s ago", what, fmt_age(a, sizeof(a), now - at));
	return buf;
}

/* Every value of a database; a database that is down or not polled has
 * none of them now: "n/a", never a stale zero. */
static void db_detail(struct pen *p, const struct ui_ctx *u, int item)
{
	const struct db_sample *d = snap_database(u->snap, item);
	unsigned v = d->up ? d->valid : 0;
	char buf[512], a[16], b[16], s[48], x[16], sz[16], ar[64], r[16];

	str_fmt(buf, sizeof(buf), "database %s  dsn %s %s", db_name(u, item),
		d->dsn, d->via);
	pen_wrap(p, ROLE_TITLE, buf);
	if (v & DBV_LAG_S)
		str_fmt(a, sizeof(a), "%.1fs", d->replication_lag_s);
	if (v & DBV_LAG_BYTES)
		fmt_bytes(b, sizeof(b), (double)d->replication_lag_bytes);
	if (v & DBV_LATENCY)
		str_fmt(x, sizeof(x), "%.1f ms", d->latency_ms);
	/* replicas is a plain count, known whenever the database is up */
	if (d->up)
		str_fmt(r, sizeof(r), "%d", d->replicas);
	str_fmt(buf, sizeof(buf), "version %s%s  replicas %s  lag %s / %s  query %s  %s",
		v & DBV_VERSION ? d->version : "n/a", (v & DBV_RECOVERY) && d->in_recovery ? " (replica)" : "",
		d->up ? r : "n/a", v & DBV_LAG_S ? a : "n/a", v & DBV_LAG_BYTES ? b : "n/a",
		v & DBV_LATENCY ? x : "n/a", ago(s, sizeof(s), "sampled", d->sampled_at, u->now));
	pen_wrap(p, ROLE_NORMAL, buf);
	if (!d->up)
		return;
	if (v & DBV_CONNECTIONS)
		str_fmt(a, sizeof(a), "%d/%d", d->connections, d->max_connections);
	if ((v & DBV_ARCHIVER) && d->archiver_last_archived_at > 0)
		str_fmt(ar, sizeof(ar), "archived %s ago, %llu failed",
			fmt_age(b, sizeof(b), u->now - d->archiver_last_archived_at),
			(unsigned long long)d->archiver_failed_count);
	else
		str_copy(ar, (v & DBV_ARCHIVER) ? "never archived" : "archiver n/a", sizeof(ar));
	if (v & DBV_LOCKS)
		str_fmt(b, sizeof(b), "%d", d->waiting_locks);
	str_fmt(buf, sizeof(buf), "conn %s  xact %s  locks %s  size %s  %s",
		v & DBV_CONNECTIONS ? a : "n/a",
		v & DBV_XACT ? fmt_age(x, sizeof(x), d->longest_xact_s) : "n/a",
		v & DBV_LOCKS ? b : "n/a", v & DBV_SIZE ? fmt_bytes(sz, sizeof(sz), (double)d->size) : "n/a",
		ar);
	pen_wrap(p, ROLE_NORMAL, buf);
	pen_trend(p, u, "connections 1h", HM_DB_CONNECTIONS, item, d->name, HIST_FINE_SPAN, 0,
		  v & DBV_CONNECTIONS ? d->max_connections : 0);
	pen_trend(p, u, "lag 1h", HM_DB_LAG, item, d->name, HIST_FINE_SPAN, 0, 0);
}

static void backup_detail(struct pen *p, const struct ui_ctx *u, int i)
{
	const struct backup_sample *s = snap_backup(u->snap, i);
	const struct fleet_section *sec = fleet_nth(u->f, SEC_BACKUP, (size_t)i);
	double rto = rules_section_seconds(sec, "rto");
	char buf[512], a[16], n[16], r[48], l[48], t[16];

	if (s->count >= 0)
		str_fmt(n, sizeof(n), "%d", s->count);
	str_fmt(buf, sizeof(buf), "backup %s  source %s  of %s  latest %s  count %s",
		sec->name, fleet_section_get(sec, "source"),
		fleet_section_get(sec, "of") ? fleet_section_get(sec, "of") : "-",
		s->item[0] ? s->item : s->known ? "-" : "n/a", s->known && s->count >= 0 ? n : "n/a");
	pen_wrap(p, ROLE_TITLE, buf);
	if (s->has_size)
		fmt_bytes(a, sizeof(a), (double)s->size);
	str_fmt(buf, sizeof(buf), "size %s  %s  %s  rto %s", s->has_size ? a : s->known ? "-" : "n/a",
		ago(l, sizeof(l), "backed up", s->last_at, u->now),
		ago(r, sizeof(r), "read", s->sampled_at, u->now),
		rto > 0 ? fmt_age(t, sizeof(t), rto) : "-");
	pen_wrap(p, ROLE_NORMAL, buf);
	if (!s->known && s->error[0])
		pen_wrap(p, ROLE_UNKNOWN, s->error);
	pen_trend(p, u, "age 24h", HM_BACKUP_AGE, i, "", HIST_COARSE_SPAN, 0,
		  rules_section_seconds(sec, "rpo"));
}

/* The detail of the selected item: every field, the last error and every
 * problem in full. Returns the lines it used (or would use). */
static int detail_lines(struct pen *p, const struct ui_ctx *u, int item)
{
	const struct target_eval *t;
	int y0 = p->y;

	if (item < dbv.nd) {
		const struct db_sample *d = snap_database(u->snap, dbv.dorder[item]);
		t = find(u, DOM_DATABASE, dbv.dorder[item]);
		db_detail(p, u, dbv.dorder[item]);
		if (!d->up && d->collected)
			pen_wrap(p, ROLE_CRIT, d->error);
	} else {
		t = find(u, DOM_BACKUP, dbv.order[item - dbv.nd]);
		backup_detail(p, u, dbv.order[item - dbv.nd]);
	}
	for (int k = 0; t && k < t->ev.nproblems; k++)
		pen_wrap(p, view_status_role(t->ev.problems[k].severity), t->ev.problems[k].text);
	return p->y - y0;
}

static void detail(struct cells *c, struct rect r, const struct ui_ctx *u, int item)
{
	struct pen p = { c, r.x + 2, r.y + 1, r.w - 4, r.y + r.h - 1, true };

	cells_box(c, r, ROLE_BORDER, "detail (Enter closes)");
	detail_lines(&p, u, item);
}

/* The panel's height: its text plus the box, at least 7 rows, at most half
 * the body (the tables keep the rest); 0 when the body is too small. */
static int detail_height(struct cells *c, struct rect body, const struct ui_ctx *u, int item)
{
	struct pen p = { c, 0, 0, body.w - 4, 1 << 20, false };
	int h;

	if (body.h < 16)
		return 0;
	h = detail_lines(&p, u, item) + 2;
	if (h > body.h / 2)
		h = body.h / 2;
	return h < 7 ? 7 : h;
}

/* A [prometheus] section may find databases at run time. */
static bool looking_for(const struct fleet *f)
{
	for (size_t k = 0; k < fleet_count(f, SEC_PROMETHEUS); k++)
		if (fleet_section_get(fleet_nth(f, SEC_PROMETHEUS, k), "postgres"))
			return true;
	return false;
}

static void databases_draw(struct cells *c, struct rect body, const struct ui_ctx *u,
			   const struct ui_state *s, struct view_state *vs)
{
	int n, y, rows, dh;
	char hb[160];

	(void)s;
	if (!u->wall)
		repick(vs);
	counts(u);
	n = dbv.nd + dbv.nb;
	vs->target = -1;
	for (int i = 0; i < MAX_ROWS; i++)
		dbv.row_y[i] = -1;
	if (n == 0) {
		view_list_layout(vs, 0, 1, body.y);
		pick(vs);
		cells_text(c, body.x + 2, body.y + 1, body.w - 4, ROLE_DIM, looking_for(u->f) ?
			   "No database found yet through [prometheus] postgres = (looked for "
			   "every few rounds, and with backoff while the server does not answer)." :
			   "No [database] or [backup] in this fleet file (see fleetdeck.fleet(5)).");
		return;
	}
	/* a wall has no selection: its list stays at the top, worst first */
	if (!u->wall)
		follow(vs);
	dh = vs->sub_open && vs->sel >= 0 && vs->sel < n ? detail_height(c, body, u, vs->sel) : 0;
	rows = body.h - dh - 2 - (dbv.nd && dbv.nb ? 1 : 0) - (dbv.dmore > 0) - (dbv.bmore > 0);
	if (rows < 1)
		rows = 1;
	view_list_layout(vs, n, rows, body.y + 1);
	pick(vs);
	y = body.y;
	if (dbv.nd)
		header(c, body, y++, db_header(body.w));
	for (int it = vs->top; it < n && y < body.y + body.h - dh; it++) {
		if (it == dbv.nd && dbv.nb) {
			if (y >= body.y + body.h - dh - 1)
				break;
			backup_header(body.w, hb, sizeof(hb));
			header(c, body, y++, hb);
		}
		if (it < dbv.nd)
			db_row(c, body, y, u, dbv.dorder[it]);
		else
			backup_row(c, body, y, u, dbv.order[it - dbv.nd]);
		dbv.row_y[it] = y;
		if (it == vs->sel && !u->wall)
			cells_paint(c, (struct rect){ body.x, y, body.w, 1 }, -1, CF_SELECTED);
		y++;
		/* each cut table ends in how many rows it left out */
		if (it == dbv.nd - 1 && dbv.dmore && y < body.y + body.h - dh)
			more_line(c, body, y++, dbv.dmore, "databases");
		if (it == n - 1 && dbv.nb && dbv.bmore && y < body.y + body.h - dh)
			more_line(c, body, y++, dbv.bmore, "backups");
	}
	if (dh && vs->sel >= 0 && vs->sel < n)
		detail(c, (struct rect){ body.x, body.y + body.h - dh, body.w, dh }, u, vs->sel);
}

static bool databases_key(struct ui_state *s, const struct ui_ctx *u, struct view_state *vs, int key)
{
	(void)s; (void)u;
	if (key == UK_ESC) {
		bool was = vs->sub_open;
		vs->sub_open = false;
		return was;
	}
	if ((key == UK_ENTER || key == '\r') && vs->nitems > 0) {
		vs->sub_open = !vs->sub_open;
		return true;
	}
	return false;
}

static int databases_hit(const struct view_state *vs, int x, int y)
{
	(void)x;
	for (int i = vs->top; i < vs->nitems && i < MAX_ROWS; i++)
		if (dbv.row_y[i] == y)
			return i;
	return -1;
}

const struct view view_databases = {
	.name = "databases", .title = "Databases", .ready = true,
	.help = "PostgreSQL health and every backup against its RPO",
	.draw = databases_draw, .on_key = databases_key, .hit = databases_hit,
	.wall_title = "Backups vs RPO",
	.wall_kinds = 1u << DOM_DATABASE | 1u << DOM_BACKUP,
};
