/* The host detail screen (Enter on a host, Esc back): every field, the
 * problems in full, and history sparklines. It scrolls when it is taller
 * than the screen: vs->sel is the first line shown. */
#include "config.h"
#include "ui/views.h"
#include "history/history.h"
#include "util/util.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define LABEL_W 13

/* A drawing cursor: lines are laid out from y0 and shifted up by `skip`. */
struct pen {
	struct cells *c;
	struct rect r;
	int line;          /* next line, counted from the top of the content */
	int skip;          /* lines scrolled off the top */
};

static int pen_y(const struct pen *p)
{
	return p->r.y + p->line - p->skip;
}

static void pen_label(struct pen *p, const char *label, int role, const char *value)
{
	int y = pen_y(p);

	cells_text(p->c, p->r.x + 2, y, LABEL_W, ROLE_DIM, label);
	cells_text_ellipsis(p->c, p->r.x + 2 + LABEL_W, y, p->r.w - 3 - LABEL_W, role, value);
	p->line++;
}

static void pen_heading(struct pen *p, const char *title)
{
	p->line++;
	cells_text(p->c, p->r.x + 1, pen_y(p), p->r.w - 2, ROLE_HEADER, title);
	p->line++;
}

/* Wraps text at spaces into lines of width w starting at column x. */
static void pen_wrapped(struct pen *p, int x, int w, int role, const char *text)
{
	char buf[RULES_TEXT_LEN + 1];
	const char *s = text;

	if (w < 8)
		w = 8;
	while (*s) {
		size_t len = strlen(s), cut = len;

		if ((int)cells_text_width(p->c, s) > w) {
			cut = (size_t)w < len ? (size_t)w : len;
			while (cut > 0 && s[cut] != ' ')
				cut--;
			if (cut == 0)
				cut = (size_t)w < len ? (size_t)w : len;
			/* never split a UTF-8 sequence */
			while (cut > 1 && ((unsigned char)s[cut] & 0xc0) == 0x80)
				cut--;
		}
		if (cut >= sizeof(buf))
			cut = sizeof(buf) - 1;
		memcpy(buf, s, cut);
		buf[cut] = '\0';
		cells_text(p->c, x, pen_y(p), w, role, buf);
		p->line++;
		s += cut;
		while (*s == ' ')
			s++;
	}
}

static void fmt_na(char *buf, size_t size, bool valid, const char *fmt, double v)
{
	if (!valid) {
		str_copy(buf, "n/a", size);
		return;
	}
	str_fmt(buf, size, fmt, v);
}

static void section_identity(struct pen *p, const struct ui_ctx *u, int i)
{
	const struct fleet_host *fh = &u->f->hosts[i];
	const struct host_sample *s = snap_host(u->snap, i);
	const struct host_eval *he = &u->ev->hosts[i];
	double sampled = rules_host_age(u->ev, (size_t)i);
	char buf[256], age[16];
	int x = p->r.x + 1, y = pen_y(p);

	x += cells_text(p->c, x, y, p->r.w - 2, ROLE_TITLE, fh->name) + 2;
	x += cells_text(p->c, x, y, p->r.x + p->r.w - x, view_status_role(he->status),
			view_status_word(he->status)) + 2;
	if (he->stale)
		cells_text(p->c, x, y, p->r.x + p->r.w - x, ROLE_STALE, "STALE");
	p->line += 2;
	pen_label(p, "role", ROLE_NORMAL, fh->role ? fh->role : "-");
	str_fmt(buf, sizeof(buf), "%s%s%s", fh->local ? "local" : fh->ssh ? fh->ssh : fh->name,
		fh->jump ? "  via " : "", fh->jump ? fh->jump : "");
	pen_label(p, "reached by", ROLE_NORMAL, buf);
	pen_label(p, "connection", s->conn == HC_OK ? ROLE_OK : s->conn == HC_NEVER ? ROLE_DIM : ROLE_CRIT,
		  host_conn_name(s->conn));
	if (s->error[0])
		pen_label(p, "error", ROLE_CRIT, s->error);
	pen_label(p, "fingerprint", ROLE_NORMAL, s->fingerprint[0] ? s->fingerprint : "n/a");
	if (sampled >= 0)
		str_fmt(buf, sizeof(buf), "%s ago (every %.0fs, %llu good probes)",
			fmt_age(age, sizeof(age), sampled), s->interval > 0 ? s->interval : fh->interval,
			(unsigned long long)s->rounds);
	else
		str_copy(buf, "never", sizeof(buf));
	pen_label(p, "sampled", he->stale ? ROLE_STALE : ROLE_NORMAL, buf);
	fmt_na(buf, sizeof(buf), s->valid & HV_LATENCY, "%.1f ms", s->latency_ms);
	pen_label(p, "latency", ROLE_NORMAL, buf);
}

static void section_system(struct pen *p, const struct host_sample *s)
{
	char buf[128], a[16];

	pen_heading(p, "System");
	pen_label(p, "kernel", ROLE_NORMAL, s->valid & HV_KERNEL ? s->kernel : "n/a");
	if (s->valid & HV_UPTIME) {
		time_t boot = (time_t)s->boot_time;
		struct tm tm;
		char when[32] = "";

		if (s->boot_time > 0 && localtime_r(&boot, &tm))
			strftime(when, sizeof(when), ", booted %Y-%m-%d %H:%M", &tm);
		str_fmt(buf, sizeof(buf), "%s%s", fmt_age(a, sizeof(a), s->uptime_s), when);
	} else {
		str_copy(buf, "n/a", sizeof(buf));
	}
	pen_label(p, "uptime", ROLE_NORMAL, buf);
	if (s->valid & HV_LOAD)
		str_fmt(buf, sizeof(buf), "%.2f %.2f %.2f", s->load[0], s->load[1], s->load[2]);
	pen_label(p, "load 1/5/15", ROLE_NORMAL, s->valid & HV_LOAD ? buf : "n/a");
	fmt_na(buf, sizeof(buf), s->valid & HV_CPU, "%.1f %%", s->cpu_pct);
	pen_label(p, "cpu", ROLE_NORMAL, buf);
	fmt_na(buf, sizeof(buf), s->valid & HV_CORES, "%.0f", s->cores);
	pen_label(p, "cores", ROLE_NORMAL, buf);
}

static void bar_line(struct pen *p, const char *label, double frac, int role,
		     double marker, const char *text)
{
	int y = pen_y(p), bw = p->r.w - 4 - LABEL_W - 32;
	struct bar_marker m = { marker, ROLE_BAR_RESERVE };

	if (bw > 40)
		bw = 40;
	cells_text(p->c, p->r.x + 2, y, LABEL_W, ROLE_DIM, label);
	if (bw >= 8) {
		cells_bar(p->c, p->r.x + 2 + LABEL_W, y, bw, frac, role, &m, marker >= 0 ? 1 : 0);
		cells_text(p->c, p->r.x + 3 + LABEL_W + bw, y, p->r.w - 4 - LABEL_W - bw, ROLE_NORMAL, text);
	} else {
		cells_text(p->c, p->r.x + 2 + LABEL_W, y, p->r.w - 3 - LABEL_W, ROLE_NORMAL, text);
	}
	p->line++;
}

static void section_memory(struct pen *p, const struct fleet_host *fh, const struct host_sample *s)
{
	char buf[160], t[16], u[16], a[16], r[16];

	pen_heading(p, "Memory");
	if ((s->valid & HV_MEM) && s->mem_total) {
		uint64_t used = s->mem_total > s->mem_available ? s->mem_total - s->mem_available : 0;
		bool short_of = fh->ram_reserve >= 0 && s->mem_available < (uint64_t)fh->ram_reserve;

		str_fmt(buf, sizeof(buf), "%s used of %s, %s available%s%s",
			fmt_bytes(u, sizeof(u), (double)used), fmt_bytes(t, sizeof(t), (double)s->mem_total),
			fmt_bytes(a, sizeof(a), (double)s->mem_available),
			fh->ram_reserve >= 0 ? ", reserve " : "",
			fh->ram_reserve >= 0 ? fmt_bytes(r, sizeof(r), (double)fh->ram_reserve) : "");
		bar_line(p, "memory", (double)used / (double)s->mem_total,
			 short_of ? ROLE_CRIT : ROLE_BAR_USED,
			 fh->ram_reserve > 0 ? 1.0 - (double)fh->ram_reserve / (double)s->mem_total : -1,
			 buf);
	} else {
		pen_label(p, "memory", ROLE_NORMAL, "n/a");
	}
	if ((s->valid & HV_SWAP) && s->swap_total) {
		str_fmt(buf, sizeof(buf), "%s of %s", fmt_bytes(u, sizeof(u), (double)s->swap_used),
			fmt_bytes(t, sizeof(t), (double)s->swap_total));
		bar_line(p, "swap", (double)s->swap_used / (double)s->swap_total, ROLE_BAR_SWAP, -1, buf);
	} else {
		pen_label(p, "swap", ROLE_NORMAL, s->valid & HV_SWAP ? "none" : "n/a");
	}
	if (s->valid & HV_PSI)
		str_fmt(buf, sizeof(buf), "some %.2f  full %.2f (avg10)", s->psi_some10, s->psi_full10);
	pen_label(p, "pressure", ROLE_NORMAL, s->valid & HV_PSI ? buf : "n/a");
	fmt_na(buf, sizeof(buf), s->valid & HV_OOM, "%.0f since boot", (double)s->oom_kills);
	pen_label(p, "OOM kills", ROLE_NORMAL, buf);
}

static void section_disks(struct pen *p, const struct host_sample *s)
{
	char buf[96], u[16], t[16];

	pen_heading(p, "Disks");
	if (!(s->valid & HV_DISKS) || s->ndisks == 0) {
		pen_label(p, "disks", ROLE_NORMAL, "n/a");
		return;
	}
	for (int i = 0; i < s->ndisks && i < MODEL_MAX_DISKS; i++) {
		const struct disk_sample *d = &s->disks[i];

		if (!d->valid) {
			pen_label(p, d->mount, ROLE_UNKNOWN, "n/a (cannot be read)");
			continue;
		}
		str_fmt(buf, sizeof(buf), "%.0f%%  %s of %s", d->used_pct,
			fmt_bytes(u, sizeof(u), (double)d->used), fmt_bytes(t, sizeof(t), (double)d->size));
		bar_line(p, d->mount, d->used_pct / 100.0, ROLE_BAR_USED, -1, buf);
	}
}

static void section_problems(struct pen *p, const struct host_eval *he)
{
	pen_heading(p, "Problems");
	if (he->nproblems == 0) {
		cells_text(p->c, p->r.x + 2, pen_y(p), p->r.w - 3, ROLE_OK, "none");
		p->line++;
		return;
	}
	for (int i = 0; i < he->nproblems && i < RULES_MAX_PROBLEMS; i++) {
		const struct problem *pr = &he->problems[i];

		cells_text(p->c, p->r.x + 2, pen_y(p), 8, view_status_role(pr->severity),
			   view_status_word(pr->severity));
		pen_wrapped(p, p->r.x + 11, p->r.w - 12, ROLE_NORMAL, pr->text);
	}
}

/* One metric over `span`: its sparkline and newest value. */
static void spark_line(struct pen *p, const struct ui_ctx *u, size_t host, const char *label,
		       int m, double span, double lo, double hi, const char *unit)
{
	int y = pen_y(p), w = p->r.w - 4 - LABEL_W - 12;
	double v, t;

	cells_text(p->c, p->r.x + 2, y, LABEL_W, ROLE_DIM, label);
	if (w > MODEL_HIST)
		w = MODEL_HIST;
	if (!view_trend(p->c, p->r.x + 2 + LABEL_W, y, w, u, m, host, "", span, lo, hi,
			ROLE_BAR_USED) || !hist_last(u->hist, (enum hist_metric)m, host, "", &v, &t))
		cells_text(p->c, p->r.x + 2 + LABEL_W, y, p->r.w - LABEL_W - 3, ROLE_NORMAL, "n/a");
	else
		cells_textf(p->c, p->r.x + 3 + LABEL_W + w, y, 11, ROLE_NORMAL, "%.1f%s", v, unit);
	p->line++;
}

/* The last hour at the poll interval, the last day at the store's day step
 * (one-minute means below ~2,900 hosts, doc/history.md). */
static void section_history(struct pen *p, const struct ui_ctx *u, size_t host)
{
	pen_heading(p, "History (newest on the right)");
	spark_line(p, u, host, "cpu % 1h", HM_HOST_CPU, HIST_FINE_SPAN, 0, 100, "%");
	spark_line(p, u, host, "memory % 1h", HM_HOST_MEM, HIST_FINE_SPAN, 0, 100, "%");
	spark_line(p, u, host, "PSI some 1h", HM_HOST_PSI, HIST_FINE_SPAN, 0, 0, "");
	spark_line(p, u, host, "cpu % 24h", HM_HOST_CPU, HIST_COARSE_SPAN, 0, 100, "%");
	spark_line(p, u, host, "memory % 24h", HM_HOST_MEM, HIST_COARSE_SPAN, 0, 100, "%");
}

void detail_draw(struct cells *c, struct rect body, const struct ui_ctx *u,
		 const struct ui_state *s, struct view_state *vs)
{
	int i = s->detail_host;
	struct pen p = { c, body, 0, vs->sel };

	if (i < 0 || (size_t)i >= view_nhosts(u)) {
		cells_text(c, body.x + 1, body.y, body.w - 2, ROLE_DIM, "This host is no longer in the fleet.");
		view_list_layout(vs, 0, 1, body.y);
		return;
	}
	section_identity(&p, u, i);
	section_system(&p, snap_host(u->snap, i));
	section_memory(&p, &u->f->hosts[i], snap_host(u->snap, i));
	section_disks(&p, snap_host(u->snap, i));
	section_problems(&p, &u->ev->hosts[i]);
	section_history(&p, u, (size_t)i);
	/* sel is the first line shown: scrolling stops with the last line at the bottom */
	view_list_layout(vs, p.line - body.h + 1, 1, body.y);
	vs->top = vs->sel;
	vs->page = body.h > 1 ? body.h - 1 : 1;
	vs->target = i;
}
