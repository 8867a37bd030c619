/* The PromQL fleetdeck sends (see prom_query.h). */
#include "config.h"
#include "collect/prom_query.h"
#include "collect/prom_parse.h"
#include "util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* File systems that are never a watched disk (node_exporter's own default
 * exclusions cover most; a mount point can still show up twice, as rootfs). */
#define PSEUDO_FSTYPES "rootfs|tmpfs|ramfs|devtmpfs|squashfs|nsfs|proc|sysfs|autofs|fuse\\\\.lxcfs"

static const struct vdef {
	const char *metric;        /* NULL: built by hand */
	const char *by;            /* a second label kept besides the host label */
} vdefs[PV__N] = {
	[PV_UP] = { "up", NULL },
	[PV_LOAD1] = { "node_load1", NULL },
	[PV_LOAD5] = { "node_load5", NULL },
	[PV_LOAD15] = { "node_load15", NULL },
	[PV_CPU] = { "node_cpu_seconds_total", NULL },
	[PV_CORES] = { "node_cpu_seconds_total", NULL },
	[PV_MEMTOTAL] = { "node_memory_MemTotal_bytes", NULL },
	[PV_MEMAVAIL] = { "node_memory_MemAvailable_bytes", NULL },
	[PV_SWAPTOTAL] = { "node_memory_SwapTotal_bytes", NULL },
	[PV_SWAPFREE] = { "node_memory_SwapFree_bytes", NULL },
	[PV_PSI_SOME] = { "node_pressure_memory_waiting_seconds_total", NULL },
	[PV_PSI_FULL] = { "node_pressure_memory_stalled_seconds_total", NULL },
	[PV_BOOT] = { "node_boot_time_seconds", NULL },
	[PV_OOM] = { "node_vmstat_oom_kill", NULL },
	[PV_OOM_RECENT] = { "node_vmstat_oom_kill", NULL },
	[PV_FS_SIZE] = { "node_filesystem_size_bytes", "mountpoint" },
	[PV_FS_FREE] = { "node_filesystem_free_bytes", "mountpoint" },
	[PV_FS_AVAIL] = { "node_filesystem_avail_bytes", "mountpoint" },
	[PV_UNAME] = { "node_uname_info", "release" },
};

const char *prom_value_by(enum prom_value v)
{
	return v < PV__N ? vdefs[v].by : NULL;
}

const char *prom_value_metric(enum prom_value v)
{
	return v < PV__N ? vdefs[v].metric : "";
}

int prom_value_per_host(enum prom_value v, int nmounts)
{
	return v >= PV_FS_SIZE && v <= PV_FS_AVAIL && nmounts > 1 ? nmounts : 1;
}

char *prom_names_regex(const char *const *names, size_t n)
{
	size_t len = 0, cap = 64;
	char *re = xmalloc(cap);

	re[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		char *lit = prom_regex_literal(names[i]);
		size_t l = strlen(lit);
		if (len + l + 2 > cap) {
			cap = 2 * (len + l + 2);
			re = xrealloc(re, cap);
		}
		len += (size_t)sprintf(re + len, "%s%s", i ? "|" : "", lit);
		free(lit);
	}
	return re;
}

/* The matchers every selector of the section gets besides match: the host
 * restriction (names) and, for filesystems, the mounts. */
static char *extra_matchers(const struct prom_qctx *c, bool fs, const char *more)
{
	char *parts[3] = { NULL, NULL, NULL }, *out;
	int n = 0;

	if (c->names) {
		char *re = prom_names_regex(c->names, c->nnames), *q = prom_quote(re);
		parts[n++] = xasprintf("%s=~%s", c->label, q);
		free(q);
		free(re);
	}
	if (fs) {
		char *re = prom_names_regex((const char *const *)c->mounts, (size_t)c->nmounts);
		char *q = prom_quote(c->nmounts ? re : "/");
		parts[n++] = xasprintf("mountpoint=~%s,fstype!~\"" PSEUDO_FSTYPES "\"", q);
		free(q);
		free(re);
	}
	if (more)
		parts[n++] = xstrdup(more);
	out = xasprintf("%s%s%s%s%s", n > 0 ? parts[0] : "", n > 1 ? "," : "", n > 1 ? parts[1] : "",
			n > 2 ? "," : "", n > 2 ? parts[2] : "");
	for (int i = 0; i < n; i++)
		free(parts[i]);
	return out;
}

static char *sel(const struct prom_qctx *c, const char *metric, bool fs, const char *more,
		 char *err, size_t errlen)
{
	char *extra = extra_matchers(c, fs, more);
	char *s = prom_selector(metric, c->match, extra, err, errlen);

	free(extra);
	return s;
}

static void window_text(const struct prom_qctx *c, char *buf, size_t size)
{
	double w = c->rate_window > 0 ? c->rate_window : 60;

	str_fmt(buf, size, "%.0fs", w < 1 ? 1 : w);
}

/* The OOM check's window: oom_hold, at least a second. */
static void hold_text(const struct fleet_thresholds *th, char *buf, size_t size)
{
	str_fmt(buf, size, "%.0fs", th->oom_hold > 1 ? th->oom_hold : 1);
}

char *prom_value_query(enum prom_value v, const struct prom_qctx *c, char *err, size_t errlen)
{
	const char *L = c->label;
	bool fs = v >= PV_FS_SIZE && v <= PV_FS_AVAIL;
	char win[32], *s, *out;

	if (v >= PV__N)
		return NULL;
	window_text(c, win, sizeof(win));
	s = sel(c, vdefs[v].metric, fs, v == PV_CPU || v == PV_CORES ? "mode=\"idle\"" : NULL,
		err, errlen);
	if (!s)
		return NULL;
	switch (v) {
	case PV_CPU:
		out = xasprintf("100 - avg by (%s) (rate(%s[%s])) * 100", L, s, win);
		break;
	case PV_CORES:
		out = xasprintf("count by (%s) (%s)", L, s);
		break;
	case PV_PSI_SOME:
	case PV_PSI_FULL:
		out = xasprintf("max by (%s) (rate(%s[%s])) * 100", L, s, win);
		break;
	case PV_OOM_RECENT:
		/* kills within oom_hold: the counter now over its lowest in that
		 * window (not increase(): engines extrapolate it differently,
		 * VictoriaMetrics counts a series' first value as an increase) */
		out = xasprintf("max by (%s) (%s - min_over_time(%s[%.0fs]))", L, s, s,
				c->oom_hold > 1 ? c->oom_hold : 600);
		break;
	default:
		if (vdefs[v].by)
			out = xasprintf("max by (%s, %s) (%s)", L, vdefs[v].by, s);
		else
			out = xasprintf("max by (%s) (%s)", L, s);
		break;
	}
	free(s);
	return out;
}

/* The pieces of the status expression, each one series per host. */
struct status_parts {
	char *up, *psi, *disk, *mounts_seen, *oom;
};

static void parts_free(struct status_parts *p)
{
	free(p->up);
	free(p->psi);
	free(p->disk);
	free(p->mounts_seen);
	free(p->oom);
}

/* The selectors the judgement reads (the section's match, the mounts). */
struct judged_sels {
	char *up, *psi, *size, *free, *avail, *oom;
};

static void sels_free(struct judged_sels *j)
{
	free(j->up);
	free(j->psi);
	free(j->size);
	free(j->free);
	free(j->avail);
	free(j->oom);
}

/* 0, or -1 with err set (all NULL then). */
static int sels_build(const struct prom_qctx *c, struct judged_sels *j, char *err, size_t errlen)
{
	j->up = sel(c, "up", false, NULL, err, errlen);
	j->psi = sel(c, vdefs[PV_PSI_SOME].metric, false, NULL, err, errlen);
	j->size = sel(c, vdefs[PV_FS_SIZE].metric, true, NULL, err, errlen);
	j->free = sel(c, vdefs[PV_FS_FREE].metric, true, NULL, err, errlen);
	j->avail = sel(c, vdefs[PV_FS_AVAIL].metric, true, NULL, err, errlen);
	j->oom = sel(c, vdefs[PV_OOM].metric, false, NULL, err, errlen);
	if (j->up && j->psi && j->size && j->free && j->avail && j->oom)
		return 0;
	sels_free(j);
	memset(j, 0, sizeof(*j));
	return -1;
}

static int parts_build(const struct prom_qctx *c, const struct fleet_thresholds *th,
		       struct status_parts *p, char *err, size_t errlen)
{
	const char *L = c->label;
	char win[32], hold[32];
	struct judged_sels j;
	int ok = sels_build(c, &j, err, errlen);
	char *up = j.up, *psi = j.psi, *size = j.size, *free_ = j.free, *avail = j.avail,
	     *oom = j.oom;
	int rc = -1;

	memset(p, 0, sizeof(*p));
	window_text(c, win, sizeof(win));
	hold_text(th, hold, sizeof(hold));
	if (ok == 0) {
		/* used = size - free; percent of what non-root can use, as df */
		char *s = xasprintf("max by (%s, mountpoint) (%s)", L, size);
		p->up = xasprintf("max by (%s) (%s)", L, up);
		p->psi = xasprintf("max by (%s) (rate(%s[%s])) * 100", L, psi, win);
		/* 100 * used / (used + avail) = 100 / (1 + avail / used): each
		 * metric once, so the server reads each once; the three series
		 * of a filesystem carry the same labels, so they are matched as
		 * they are (aggregating each first cost VictoriaMetrics a pass
		 * more per metric: 21 s against 12 s at 100,000 hosts here) */
		p->disk = xasprintf("max by (%s) (100 / (1 + %s / (%s - %s)))", L, avail, size,
				    free_);
		p->mounts_seen = xasprintf("count by (%s) (%s)", L, s);
		p->oom = xasprintf("max by (%s) (%s - min_over_time(%s[%s]))", L, oom, oom, hold);
		free(s);
		rc = 0;
	}
	sels_free(&j);
	return rc;
}

/* One reason series per host: tagged with label fleetdeck_r=TAG so that
 * `or` keeps them all, for the max by host that takes the worst. */
static char *tagged(const char *expr, const char *tag)
{
	return xasprintf("label_replace(%s, \"fleetdeck_r\", \"%s\", \"\", \"\")", expr, tag);
}

char *prom_status_query(const struct prom_qctx *c, const struct fleet_thresholds *th,
			char *err, size_t errlen)
{
	struct status_parts p;
	char *parts[5], *out;
	int mounts = c->nmounts > 0 ? c->nmounts : 1;
	char *e;

	if (parts_build(c, th, &p, err, errlen) < 0) {
		parts_free(&p);
		return NULL;
	}
	/* each expression is evaluated once: the server's cost is one pass
	 * over each metric. up 0 -> 301 (down), up 1 -> 0 (ok) */
	e = xasprintf("%s * -%d + %d", p.up, PR_DOWN, PR_DOWN);
	parts[0] = tagged(e, "up");
	free(e);
	/* over warn: 2xx, and over crit too: 3xx */
	e = xasprintf("((%s > %.17g) > bool %.17g) * 100 + %d", p.psi, th->psi_warn, th->psi_crit,
		      PR_PSI_WARN);
	parts[1] = tagged(e, "psi");
	free(e);
	e = xasprintf("((%s > %.17g) > bool %.17g) * 100 + %d", p.disk, th->disk_warn,
		      th->disk_crit, PR_DISK_WARN);
	parts[2] = tagged(e, "disk");
	free(e);
	e = xasprintf("(%s > 0) * 0 + %d", p.oom, PR_OOM);
	parts[3] = tagged(e, "oom");
	free(e);
	/* a watched mount without series: unknown (only when nothing worse) */
	e = xasprintf("(%s == 1) * 0 + %d unless on (%s) (%s >= %d)", p.up, PR_DISK_UNREADABLE,
		      c->label, p.mounts_seen, mounts);
	parts[4] = tagged(e, "mounts");
	free(e);
	out = xasprintf("max by (%s) (%s or %s or %s or %s or %s)", c->label, parts[0], parts[1],
			parts[2], parts[3], parts[4]);
	for (size_t i = 0; i < ARRAY_LEN(parts); i++)
		free(parts[i]);
	parts_free(&p);
	return out;
}

enum prom_problem prom_check_problem(enum prom_check k)
{
	switch (k) {
	case PC_DISK: return PP_DISK;
	case PC_OOM: return PP_OOM;
	case PC_MOUNTS: return PP_MOUNTS;
	case PC_DOWN: return PP_DOWN;
	case PC_PSI: return PP_PSI;
	default: return PP__N;
	}
}

/* Step 1's queries. Each threshold filters a metric's per-host series
 * before any arithmetic, so the server's binary operations over every
 * host are the fewest the checks allow (VictoriaMetrics 1.79 runs each
 * over 100,000 series in about the time it reads a metric): no per-query
 * `and on (up == 1)` join (the client lets a host down win over its last
 * values), PSI compared as a rate before it is scaled, the disk's used
 * share compared as avail / used, the OOM counter compared with its
 * window's lowest. */
char *prom_check_query(enum prom_check k, const struct prom_qctx *c,
		       const struct fleet_thresholds *th, char *err, size_t errlen)
{
	const char *L = c->label;
	int mounts = c->nmounts > 0 ? c->nmounts : 1;
	char win[32], hold[32], *out = NULL;
	struct judged_sels j;

	if (sels_build(c, &j, err, errlen) < 0)
		return NULL;
	window_text(c, win, sizeof(win));
	hold_text(th, hold, sizeof(hold));
	switch (k) {
	case PC_UP:
		out = xasprintf("count(max by (%s) (%s) == 1)", L, j.up);
		break;
	case PC_DOWN:
		out = xasprintf("max by (%s) (%s) == 0", L, j.up);
		break;
	case PC_PSI:
		out = xasprintf("(max by (%s) (rate(%s[%s])) > %.17g) * 100", L, j.psi, win,
				th->psi_warn / 100);
		break;
	case PC_OOM:
		/* oom - min_over_time(oom) > 0, without the subtraction; not
		 * increase(oom[hold]) > 0, one read less: VictoriaMetrics counts
		 * a series' first value in the window as an increase when it
		 * has no sample before (every host of a fleet younger than
		 * oom_hold, with a steady counter under 10, would be OOM) */
		out = xasprintf("max by (%s) (%s > min_over_time(%s[%s]))", L, j.oom, j.oom, hold);
		break;
	case PC_MOUNTS:
		/* a watched mount without series: unknown (only when nothing worse) */
		if (mounts == 1)
			out = xasprintf("(%s == 1) unless on (%s) %s", j.up, L, j.size);
		else
			out = xasprintf("(%s == 1) unless on (%s) (count by (%s) (count by (%s, mountpoint) (%s)) >= %d)",
					j.up, L, L, L, j.size, mounts);
		break;
	case PC_DISK:
		/* used % = 100 * used / (used + avail) with used = size - free
		 * (what non-root can use, as df): over warn when avail / used
		 * < (100 - warn) / warn; the few over it are scaled afterwards */
		if (th->disk_warn > 0)
			out = xasprintf("max by (%s) (100 / (1 + (%s / (%s - %s) < %.17g)))", L, j.avail,
					j.size, j.free, (100 - th->disk_warn) / th->disk_warn);
		else
			out = xasprintf("max by (%s) (100 / (1 + %s / (%s - %s))) > %.17g", L, j.avail,
					j.size, j.free, th->disk_warn);
		break;
	case PC__N:
		break;
	}
	sels_free(&j);
	return out;
}

/* A superset of the hosts check k lists, from fewer reads (on
 * VictoriaMetrics 1.79 at 100,000 hosts, a read of a metric is ~1.3 s of
 * the server's CPU): the disk's avail / size (two of its three metrics;
 * size - free <= size, so every disk over warn is in it), the OOM
 * counter's variance over oom_hold (one read of two; it is 0 exactly for
 * a constant series on Prometheus and VictoriaMetrics alike, and also
 * lists a counter reset, which the check then rules out). The check's own
 * query then asks only those hosts. NULL with err empty when k has none. */
char *prom_check_prefilter(enum prom_check k, const struct prom_qctx *c,
			   const struct fleet_thresholds *th, char *err, size_t errlen)
{
	const char *L = c->label;
	char hold[32], *out = NULL;
	struct judged_sels j;

	err[0] = '\0';
	if (c->names || !(k == PC_OOM || (k == PC_DISK && th->disk_warn > 0)))
		return NULL;
	if (sels_build(c, &j, err, errlen) < 0)
		return NULL;
	hold_text(th, hold, sizeof(hold));
	if (k == PC_OOM)
		out = xasprintf("max by (%s) (stdvar_over_time(%s[%s]) > 0)", L, j.oom, hold);
	else
		out = xasprintf("max by (%s) (%s / %s < %.17g)", L, j.avail, j.size,
				(100 - th->disk_warn) / th->disk_warn);
	sels_free(&j);
	return out;
}

enum prom_reason prom_check_reason(enum prom_problem p, double v, const struct fleet_thresholds *th)
{
	switch (p) {
	case PP_DOWN: return PR_DOWN;
	case PP_PSI: return v > th->psi_crit ? PR_PSI_CRIT : PR_PSI_WARN;
	case PP_DISK: return v > th->disk_crit ? PR_DISK_CRIT : PR_DISK_WARN;
	case PP_OOM: return PR_OOM;
	case PP_MOUNTS: return PR_DISK_UNREADABLE;
	default: return PR_OK;
	}
}
