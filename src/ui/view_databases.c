/* View 5: databases and backups. The databases table, then every backup
 * with its RPO bar (age against the RPO, the 80 % mark drawn), breaches
 * first; Enter opens the selected row's detail (every field, the last
 * error) below the tables and Enter closes it (Esc belongs to the frame). Draws only cells. */
#include "config.h"
#include "ui/views.h"
#include "rules/rules_databases.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

#define MAX_ROWS 512
#define BAR_W 20

/* What the last frame drew, for clicks and Enter: item -> screen row. */
static struct {
	int nd, nb;
	int order[MAX_ROWS];          /* backup item k -> backup index */
	int row_y[MAX_ROWS];          /* item -> screen row, -1 off screen */
} dbv;

static const struct target_eval *find(const struct ui_ctx *u, enum target_kind k, int i)
{
	return u->ev ? rules_target_find(u->ev, k, i, -1) : NULL;
}

static enum status st_of(const struct target_eval *t)
{
	return t ? t->ev.status : ST_UNKNOWN;
}

static double ratio(const struct ui_ctx *u, int i)
{
	const struct backup_sample *b = &u->snap->backups[i];
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
	enum status si = st_of(find(sort_ctx, TK_BACKUP, i)), sj = st_of(find(sort_ctx, TK_BACKUP, j));
	double ri = ratio(sort_ctx, i), rj = ratio(sort_ctx, j);

	if (si != sj)
		return si > sj ? -1 : 1;
	if (ri != rj)
		return ri > rj ? -1 : 1;
	return i - j;
}

static void counts(const struct ui_ctx *u)
{
	size_t nd = fleet_count(u->f, SEC_DATABASE), nb = fleet_count(u->f, SEC_BACKUP);

	dbv.nd = (int)(nd < u->snap->ndatabases ? nd : u->snap->ndatabases);
	dbv.nb = (int)(nb < u->snap->nbackups ? nb : u->snap->nbackups);
	if (dbv.nd > MAX_ROWS / 2)
		dbv.nd = MAX_ROWS / 2;
	if (dbv.nb > MAX_ROWS / 2)
		dbv.nb = MAX_ROWS / 2;
	for (int i = 0; i < dbv.nb; i++)
		dbv.order[i] = i;
	sort_ctx = u;
	qsort(dbv.order, (size_t)dbv.nb, sizeof(int), backup_cmp);
}

static int status_cell(struct cells *c, int x, int y, const struct target_eval *t)
{
	bool stale = t && t->ev.stale && t->ev.status != ST_CRIT && t->ev.status != ST_WARN;
	return cells_text(c, x, y, 7, stale ? ROLE_STALE : view_status_role(st_of(t)),
			  stale ? "STALE" : view_status_word(st_of(t)));
}

static void db_row(struct cells *c, struct rect b, int y, const struct ui_ctx *u, int i)
{
	const struct db_sample *d = &u->snap->databases[i];
	const struct target_eval *t = find(u, TK_DATABASE, i);
	unsigned v = d->up ? d->valid : 0;
	int role = t && t->ev.stale ? ROLE_STALE : ROLE_NORMAL;
	char buf[64], a[16];

	status_cell(c, b.x + 1, y, t);
	cells_text_ellipsis(c, b.x + 9, y, 18, ROLE_TITLE, fleet_nth(u->f, SEC_DATABASE, (size_t)i)->name);
	cells_text(c, b.x + 28, y, 5, d->up ? ROLE_OK : d->collected ? ROLE_CRIT : ROLE_UNKNOWN,
		   !d->collected ? "?" : d->up ? "up" : "DOWN");
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

static void backup_row(struct cells *c, struct rect b, int y, const struct ui_ctx *u, int i)
{
	const struct fleet_section *sec = fleet_nth(u->f, SEC_BACKUP, (size_t)i);
	const struct backup_sample *s = &u->snap->backups[i];
	const struct target_eval *t = find(u, TK_BACKUP, i);
	enum rpo_status r = rules_backup_rpo(sec, s, u->now);
	double rv = ratio(u, i), rpo = rules_section_seconds(sec, "rpo");
	double rto = rules_section_seconds(sec, "rto");
	struct bar_marker mk = { 0.8, ROLE_BAR_RESERVE };
	int bar_role = r == RPO_BREACH ? ROLE_CRIT : r == RPO_WARN ? ROLE_WARN : ROLE_OK;
	char buf[96], a[16], p[16];

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

/* The detail of the selected item: every field and the full problem text. */
static void detail(struct cells *c, struct rect r, const struct ui_ctx *u, int item)
{
	char buf[320], a[16];
	int y = r.y + 1;
	const struct target_eval *t;

	cells_box(c, r, ROLE_BORDER, "detail (Enter closes)");
	if (item < dbv.nd) {
		const struct db_sample *d = &u->snap->databases[item];
		t = find(u, TK_DATABASE, item);
		str_fmt(buf, sizeof(buf), "database %s  dsn %s %s", fleet_nth(u->f, SEC_DATABASE, (size_t)item)->name,
			d->dsn, d->via);
		cells_text_ellipsis(c, r.x + 2, y++, r.w - 4, ROLE_TITLE, buf);
		str_fmt(buf, sizeof(buf), "replicas %d  lag %s  sampled %s ago  query %.1f ms",
			d->replicas, (d->valid & DBV_LAG_BYTES) ? fmt_bytes(a, sizeof(a), (double)d->replication_lag_bytes) : "-",
			d->sampled_at > 0 ? fmt_age(a, sizeof(a), u->now - d->sampled_at) : "never", d->latency_ms);
		cells_text_ellipsis(c, r.x + 2, y++, r.w - 4, ROLE_NORMAL, buf);
		if (!d->up && d->collected)
			cells_text_ellipsis(c, r.x + 2, y++, r.w - 4, ROLE_CRIT, d->error);
	} else {
		int i = dbv.order[item - dbv.nd];
		const struct backup_sample *s = &u->snap->backups[i];
		const struct fleet_section *sec = fleet_nth(u->f, SEC_BACKUP, (size_t)i);
		t = find(u, TK_BACKUP, i);
		str_fmt(buf, sizeof(buf), "backup %s  source %s  of %s  latest %s  count %d",
			sec->name, fleet_section_get(sec, "source"),
			fleet_section_get(sec, "of") ? fleet_section_get(sec, "of") : "-",
			s->item[0] ? s->item : "-", s->count);
		cells_text_ellipsis(c, r.x + 2, y++, r.w - 4, ROLE_TITLE, buf);
		if (s->has_size)
			fmt_bytes(a, sizeof(a), (double)s->size);
		str_fmt(buf, sizeof(buf), "size %s  read %s ago", s->has_size ? a : "-",
			s->sampled_at > 0 ? fmt_age(a, sizeof(a), u->now - s->sampled_at) : "never");
		cells_text_ellipsis(c, r.x + 2, y++, r.w - 4, ROLE_NORMAL, buf);
		if (!s->known && s->error[0])
			cells_text_ellipsis(c, r.x + 2, y++, r.w - 4, ROLE_UNKNOWN, s->error);
	}
	for (int k = 0; t && k < t->ev.nproblems && y < r.y + r.h - 1; k++)
		cells_text_ellipsis(c, r.x + 2, y++, r.w - 4, view_status_role(t->ev.problems[k].severity),
				    t->ev.problems[k].text);
}

static void databases_draw(struct cells *c, struct rect body, const struct ui_ctx *u,
			   const struct ui_state *s, struct view_state *vs)
{
	int n, y, rows, dh;

	(void)s;
	counts(u);
	n = dbv.nd + dbv.nb;
	vs->target = -1;
	for (int i = 0; i < MAX_ROWS; i++)
		dbv.row_y[i] = -1;
	if (n == 0) {
		view_list_layout(vs, 0, 1, body.y);
		cells_text(c, body.x + 2, body.y + 1, body.w - 4, ROLE_DIM,
			   "No [database] or [backup] in this fleet file (see fleetdeck.fleet(5)).");
		return;
	}
	dh = vs->sub_open ? (body.h >= 16 ? 7 : 0) : 0;
	rows = body.h - dh - 2 - (dbv.nd && dbv.nb ? 1 : 0);
	if (rows < 1)
		rows = 1;
	view_list_layout(vs, n, rows, body.y + 1);
	y = body.y;
	if (dbv.nd)
		header(c, body, y++, "STATUS  DATABASE           UP    VERSION       CONN          LAG     XACT LOCKS    SIZE  ARCHIVED");
	for (int it = vs->top; it < n && y < body.y + body.h - dh; it++) {
		if (it == dbv.nd && dbv.nb) {
			if (y >= body.y + body.h - dh - 1)
				break;
			header(c, body, y++, "STATUS  BACKUP             RPO     AGE vs RPO (| = 80%)  AGE / RPO     SOURCE      RTO     PROBLEM");
		}
		if (it < dbv.nd)
			db_row(c, body, y, u, it);
		else
			backup_row(c, body, y, u, dbv.order[it - dbv.nd]);
		dbv.row_y[it] = y;
		if (it == vs->sel && !u->wall)
			cells_paint(c, (struct rect){ body.x, y, body.w, 1 }, -1, CF_SELECTED);
		y++;
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
	.hotkey = '5', .name = "databases", .title = "Databases", .ready = true,
	.draw = databases_draw, .on_key = databases_key, .hit = databases_hit,
};
