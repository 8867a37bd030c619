/* View 4, GPUs: per GPU a block of lines (name and status; utilization and
 * memory bars with history sparklines; temperature, power/limit and the
 * processes using it). GPUs that disappeared and hosts whose nvidia-smi
 * fails are listed too, as crit lines: a broken GPU host never looks empty. */
#include "config.h"

#include <string.h>

#include "ui/views.h"
#include "history/history.h"
#include "util/util.h"

#define BLOCK 4   /* lines per GPU, the last one blank */

enum item_kind { IT_GPU, IT_PROBLEM };

struct item {
	enum item_kind kind;
	size_t host;
	int gpu;                     /* index into host_gpus.g, or the GPU index gone */
	const struct target_eval *t;
};

#define MAX_ITEMS 512

static bool gpu_present(const struct host_gpus *hg, int idx)
{
	for (int k = 0; k < hg->n; k++)
		if (hg->g[k].index == idx)
			return true;
	return false;
}

/* GPUs in host order, then the GPU targets with no GPU in the sample (gone,
 * nvidia-smi failing, not read yet) right after their host's GPUs. */
static int items_collect(const struct ui_ctx *u, const char *filter, struct item *it)
{
	size_t nh = view_nhosts(u);
	int n = 0;

	for (size_t i = 0; i < nh && i < snapshot_count(u->snap, DOM_GPU); i++) {
		const struct host_gpus *hg = snap_gpus(u->snap, i);

		if (!view_host_matches(u->f, i, filter))
			continue;
		for (int k = 0; hg->collected && !hg->absent && k < hg->n && n < MAX_ITEMS; k++)
			it[n++] = (struct item){ IT_GPU, i, k,
				rules_target_find(u->ev, DOM_GPU, (int)i, hg->g[k].index) };
		for (size_t t = 0; t < u->ev->ntargets && n < MAX_ITEMS; t++) {
			const struct target_eval *te = &u->ev->targets[t];
			if (te->kind != DOM_GPU || te->index != (int)i)
				continue;
			if (te->sub >= 0 && gpu_present(hg, te->sub))
				continue;
			it[n++] = (struct item){ IT_PROBLEM, i, te->sub, te };
		}
	}
	return n;
}

/* The GPU's trend over the last half hour (history/history.h). */
#define GPU_TREND_SPAN 1800.0

static void bar_line(struct cells *c, int x, int y, int w, const char *label, bool valid,
		     double pct, const char *value, const struct ui_ctx *u, int metric,
		     size_t host, int gpu, int vrole)
{
	char sub[16];
	int barw = w >= 100 ? 30 : w >= 80 ? 20 : 10;
	int sparkw = w - 6 - barw - 2 - 16 - 2 - 2;

	cells_text(c, x, y, 6, ROLE_DIM, label);
	if (valid)
		cells_bar(c, x + 6, y, barw, pct / 100.0, pct > 95 ? ROLE_WARN : ROLE_BAR_USED, NULL, 0);
	else
		cells_text(c, x + 6, y, barw, ROLE_DIM, "n/a");
	cells_text(c, x + 6 + barw + 2, y, 16, vrole, value);
	str_fmt(sub, sizeof(sub), "%d", gpu);
	if (sparkw >= 8)
		view_trend(c, x + 6 + barw + 2 + 16 + 2, y, sparkw > 60 ? 60 : sparkw, u, metric,
			   host, sub, GPU_TREND_SPAN, 0, 100, ROLE_BAR_USED);
}

static void gpu_values_line(struct cells *c, int x, int y, int w, const struct gpu_sample *g,
			    int vrole, const struct snapshot *snap, size_t host)
{
	char buf[256], mem[16];
	int used = 0;

	if (g->valid & GV_TEMP)
		str_fmt(buf, sizeof(buf), "temp %.0f°C", g->temp_c);
	else
		str_copy(buf, "temp n/a", sizeof(buf));
	used += cells_text(c, x, y, w, (g->valid & GV_TEMP) && g->temp_c > 85 ? ROLE_WARN : vrole, buf);
	if (g->valid & GV_POWER)
		str_fmt(buf, sizeof(buf), "   power %.0f", g->power_w);
	else
		str_copy(buf, "   power n/a", sizeof(buf));
	used += cells_text(c, x + used, y, w - used, vrole, buf);
	if (g->valid & GV_POWER_LIMIT)
		str_fmt(buf, sizeof(buf), "/%.0f W", g->power_limit_w);
	else
		str_copy(buf, (g->valid & GV_POWER) ? " W" : "", sizeof(buf));
	used += cells_text(c, x + used, y, w - used, vrole, buf);
	used += cells_text(c, x + used, y, w - used, ROLE_DIM, "   procs: ");
	if (!(g->valid & GV_PROCS)) {
		cells_text(c, x + used, y, w - used, ROLE_DIM, "n/a");
		return;
	}
	if (g->nprocs_total == 0) {
		cells_text(c, x + used, y, w - used, ROLE_DIM, "none");
		return;
	}
	buf[0] = '\0';
	for (int k = 0; k < g->nprocs; k++) {
		const char *base = strrchr(g->procs[k].name, '/');
		size_t len = strlen(buf);
		base = base ? base + 1 : g->procs[k].name;
		if (g->procs[k].mem_valid)
			fmt_bytes(mem, sizeof(mem), (double)g->procs[k].mem);
		const char *ctr = snapshot_container_name(snap, host, g->procs[k].container);
		str_fmt(buf + len, sizeof(buf) - len, "%s%s[%d] %s", k ? ", " : "", base,
			g->procs[k].pid, g->procs[k].mem_valid ? mem : "n/a");
		/* which container (or service) it belongs to, when its cgroup said */
		if (g->procs[k].container[0] || g->procs[k].unit[0]) {
			len = strlen(buf);
			str_fmt(buf + len, sizeof(buf) - len, " in %s", g->procs[k].container[0] ?
				(ctr ? ctr : g->procs[k].container) : g->procs[k].unit);
		}
	}
	if (g->nprocs_total > g->nprocs) {
		size_t len = strlen(buf);
		str_fmt(buf + len, sizeof(buf) - len, " +%d more", g->nprocs_total - g->nprocs);
	}
	cells_text_ellipsis(c, x + used, y, w - used, vrole, buf);
}

static void gpu_block(struct cells *c, struct rect body, int y, const struct ui_ctx *u,
		      const struct item *it)
{
	const struct gpu_sample *g = &snap_gpus(u->snap, it->host)->g[it->gpu];
	enum status st = it->t ? it->t->ev.status : ST_UNKNOWN;
	bool stale = it->t && it->t->ev.stale;
	int vrole = stale ? ROLE_STALE : ROLE_NORMAL;
	int x = body.x + 1, w = body.w - 2;
	double mpct = 0;
	char buf[64], u1[16], u2[16];
	bool mvalid = (g->valid & GV_MEM_USED) && (g->valid & GV_MEM_TOTAL) && g->mem_total > 0;

	cells_text(c, x, y, 8, view_status_role(st), view_status_word(st));
	cells_textf(c, x + 9, y, w - 9, stale ? ROLE_STALE : ROLE_TITLE, "%s  GPU %d  %s",
		    u->f->hosts[it->host].name, g->index, (g->valid & GV_NAME) ? g->name : "n/a");
	if (it->t && it->t->ev.nproblems && st != ST_OK)
		cells_text_right(c, x + w / 2, y, w - w / 2, view_status_role(st),
				 it->t->ev.problems[0].text);
	if (g->valid & GV_UTIL)
		str_fmt(buf, sizeof(buf), "%.0f%%", g->util_pct);
	else
		str_copy(buf, "n/a", sizeof(buf));
	bar_line(c, x + 2, y + 1, w - 2, "util", g->valid & GV_UTIL, g->util_pct, buf,
		 u, HM_GPU_UTIL, (size_t)it->host, g->index, vrole);
	if (mvalid) {
		mpct = 100.0 * (double)g->mem_used / (double)g->mem_total;
		str_fmt(buf, sizeof(buf), "%s/%s %.0f%%", fmt_bytes(u1, sizeof(u1), (double)g->mem_used),
			fmt_bytes(u2, sizeof(u2), (double)g->mem_total), mpct);
	} else {
		str_copy(buf, "n/a", sizeof(buf));
	}
	bar_line(c, x + 2, y + 2, w - 2, "mem", mvalid, mpct, buf, u, HM_GPU_MEM,
		 (size_t)it->host, g->index, vrole);
	gpu_values_line(c, x + 8, y + 3, w - 8, g, vrole, u->snap, (size_t)it->host);
}

static void problem_line(struct cells *c, struct rect body, int y, const struct ui_ctx *u,
			 const struct item *it)
{
	enum status st = it->t->ev.status;
	int x = body.x + 1, w = body.w - 2;

	cells_text(c, x, y, 8, view_status_role(st), view_status_word(st));
	if (it->gpu >= 0)
		cells_textf(c, x + 9, y, w - 9, ROLE_TITLE, "%s  GPU %d", u->f->hosts[it->host].name,
			    it->gpu);
	else
		cells_textf(c, x + 9, y, w - 9, ROLE_TITLE, "%s  GPUs", u->f->hosts[it->host].name);
	cells_text_ellipsis(c, x + 9, y + 1, w - 9, view_status_role(st),
			    it->t->ev.nproblems ? it->t->ev.problems[0].text : "");
}

static void gpus_draw(struct cells *c, struct rect body, const struct ui_ctx *u,
		      const struct ui_state *s, struct view_state *vs)
{
	static struct item it[MAX_ITEMS];
	int n = items_collect(u, s->filter, it), page, y;

	vs->target = -1;
	if (n == 0) {
		view_list_layout(vs, 0, 1, body.y);
		cells_text(c, body.x + 2, body.y + 1, body.w - 4, ROLE_DIM,
			   "No GPUs: no host has gpus = nvidia or http-json, and no host "
			   "with gpus = auto has nvidia-smi.");
		return;
	}
	page = body.h / BLOCK > 0 ? body.h / BLOCK : 1;
	view_list_layout(vs, n, page, body.y);
	y = body.y;
	for (int k = vs->top; k < n && y < body.y + body.h; k++, y += BLOCK) {
		if (it[k].kind == IT_GPU)
			gpu_block(c, body, y, u, &it[k]);
		else
			problem_line(c, body, y, u, &it[k]);
		if (k == vs->sel && !u->wall)
			cells_paint(c, (struct rect){ body.x, y, body.w, 1 }, -1, CF_SELECTED);
	}
	if (vs->sel >= 0 && vs->sel < n)
		vs->target = (int)it[vs->sel].host;
}

static int gpus_hit(const struct view_state *vs, int x, int y)
{
	(void)x;
	if (y < vs->list_y)
		return -1;
	return vs->top + (y - vs->list_y) / BLOCK;
}

static int gpus_target(const struct ui_ctx *u, const struct ui_state *s, int item)
{
	static struct item it[MAX_ITEMS];
	int n = items_collect(u, s->filter, it);

	return item >= 0 && item < n ? (int)it[item].host : -1;
}

/* The overview's GPU column (views.h): GPUs on the host, coloured by the
 * worst GPU's status; "-" when the host has none (or they are not read),
 * "?" when reading them failed. */
static int gpu_cell(const struct ui_ctx *u, size_t i, int vrole, char *buf, size_t size)
{
	const struct host_gpus *hg = i < snapshot_count(u->snap, DOM_GPU) ? snap_gpus(u->snap, i) : NULL;
	enum status worst = ST_OK;

	if (!hg || !hg->collected || hg->absent || (hg->n == 0 && !hg->error[0])) {
		str_copy(buf, "-", size);
		return ROLE_DIM;
	}
	for (size_t t = 0; t < u->ev->ntargets; t++)
		if (u->ev->targets[t].kind == DOM_GPU && u->ev->targets[t].index == (int)i)
			worst = status_worst(worst, u->ev->targets[t].ev.status);
	if (hg->n == 0) {
		str_copy(buf, "?", size);
		return view_status_role(worst);
	}
	str_fmt(buf, size, "%d", hg->n);
	return worst == ST_OK ? vrole : view_status_role(worst);
}

const struct host_column gpu_column = { "GPU", 3, 9, gpu_cell };

const struct view view_gpus = {
	.name = "gpus",
	.title = "GPUs",
	.help = "every GPU: utilization, memory, temperature, power, processes",
	.ready = true,
	.draw = gpus_draw,
	.hit = gpus_hit,
	.target = gpus_target,
	.wall_title = "GPUs",
	.wall_kinds = 1u << DOM_GPU,
};
