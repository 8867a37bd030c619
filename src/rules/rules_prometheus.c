/* Rules for the [prometheus] sections judged on the server (the
 * large-fleet mode, model/prometheus.h).
 *
 * The server already judged every host (collect/prom_query.c writes the
 * thresholds as PromQL): its counts per status are the section's hosts in
 * `counts`, and each problem row becomes a target "host/NAME" (so it has an
 * alert, a `since` and event lines like any host), marked `host` so it is
 * not counted twice. --once carries every host's values instead (`all`):
 * those are judged here by the same rules_eval_host() as SSH hosts. A
 * section that has not answered, or whose data went stale, is one unknown
 * target "prometheus/NAME" with the reason. */
#include "config.h"
#include "rules/domains.h"
#include "rules/rules_prometheus.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

/* Alerts and events for at most this many hosts of a section per
 * evaluation (the counts always hold them all). */
#define PROM_MAX_TARGETS 1000

void rules_prom_ctx_init(struct rules_prom_ctx *c, const struct fleet *f, size_t section,
			 const struct prom_fleet *pf)
{
	size_t n = 0;

	memset(c, 0, sizeof(*c));
	c->sec = fleet_nth(f, SEC_PROMETHEUS, section);
	c->mounts = fleet_list_split(c->sec ? fleet_section_value(c->sec, "disk") : "/", &n);
	c->nmounts = n > FLEET_MAX_DISKS ? FLEET_MAX_DISKS : (int)n;
	str_fmt(c->role, sizeof(c->role), "via prometheus %s", c->sec ? c->sec->name : "?");
	c->fh.role = c->role;
	c->fh.ram_reserve = -1;
	c->fh.jump_index = -1;
	c->fh.prometheus = (int)section;
	c->fh.containers = CONT_NONE;
	c->fh.gpus = GPUS_NONE;
	c->fh.th = f->th;
	c->fh.sec = c->sec;
	c->fh.interval = pf->interval;
	c->fh.ndisks = c->nmounts;
	for (int d = 0; d < c->nmounts; d++)
		c->fh.disks[d] = c->mounts[d];
}

void rules_prom_ctx_free(struct rules_prom_ctx *c)
{
	fleet_list_free(c->mounts);
	memset(c, 0, sizeof(*c));
}

void rules_prom_judge(struct rules_prom_ctx *c, const struct prom_fleet *pf, size_t i, double now,
		      struct host_sample *s, struct host_eval *he)
{
	const struct prom_values *pv = &pf->all[i];

	memset(s, 0, sizeof(*s));
	c->fh.name = (char *)pf->all_names[i];
	s->interval = pf->interval;
	s->attempted_at = pf->attempted_at;
	prom_values_host(pv, c->mounts, c->nmounts, pf->sampled_at,
			 c->sec ? c->sec->name : "?", s);
	/* the server saw the kill within oom_hold: "new OOM kill", dated now */
	rules_eval_host(&c->fh, s, now, (pv->have & (1u << PV_OOM_RECENT)) &&
			pv->v[PV_OOM_RECENT] > 0 ? pf->sampled_at : 0, he);
}

/* The sentence for a row the server judged, with the row's own numbers. */
static void row_problem(const struct rules_prom_ctx *c, const struct prom_row *r,
			struct host_eval *ev)
{
	const struct fleet_thresholds *th = &c->fh.th;
	const char *src = c->sec ? c->sec->name : "?";
	int worst = -1;

	for (int d = 0; d < c->nmounts && d < PROM_ROW_DISKS; d++)
		if (worst < 0 || r->disk_pct[d] > r->disk_pct[worst] ||
		    (r->reason == PR_DISK_UNREADABLE && r->disk_pct[d] < 0))
			worst = d;
	if (r->conn == HC_PROBE) {
		rules_problem_add(ev, ST_UNKNOWN, "conn", "Prometheus %s has no current series for it "
				  "(no longer scraped, or match/host_label changed)", src);
		return;
	}
	switch (r->reason) {
	case PR_DOWN:
		rules_problem_add(ev, ST_CRIT, "conn", "unreachable: Prometheus %s cannot scrape it "
				  "(up == 0)", src);
		return;
	case PR_PSI_CRIT:
	case PR_PSI_WARN:
		rules_problem_add(ev, r->reason == PR_PSI_CRIT ? ST_CRIT : ST_WARN, "psi",
				  "memory pressure: PSI some %.1f > %g", r->psi_some,
				  r->reason == PR_PSI_CRIT ? th->psi_crit : th->psi_warn);
		return;
	case PR_DISK_CRIT:
	case PR_DISK_WARN:
		rules_problem_add(ev, r->reason == PR_DISK_CRIT ? ST_CRIT : ST_WARN, "disk",
				  "disk %s %.0f%% used", worst >= 0 ? c->mounts[worst] : "?",
				  worst >= 0 ? r->disk_pct[worst] : 0.0);
		return;
	case PR_OOM:
		rules_problem_add(ev, ST_CRIT, "oom", "OOM kill in the last %g min",
				  th->oom_hold / 60);
		return;
	case PR_DISK_UNREADABLE:
		rules_problem_add(ev, ST_UNKNOWN, "disk", "disk %s: cannot read",
				  worst >= 0 ? c->mounts[worst] : "?");
		return;
	default:
		if (r->status != ST_OK)
			rules_problem_add(ev, (enum status)(r->status & 3), "prom",
					  "judged %s by Prometheus %s", status_name(r->status & 3), src);
		return;
	}
}

static void host_target(struct evaluation *out, size_t sec, int row, const char *name,
			const struct host_eval *he)
{
	struct target_eval *t = rules_target_add(out, DOM_PROMFLEET, (int)sec, row, "host/%s", name);

	t->ev = *he;
	t->host = true;
}

/* --once: every host, judged here. */
static void judge_all(const struct fleet *f, const struct prom_fleet *pf, size_t sec, double now,
		      struct evaluation *out)
{
	struct rules_prom_ctx c;
	struct host_sample s;
	struct host_eval he;
	size_t targets = 0;

	rules_prom_ctx_init(&c, f, sec, pf);
	for (size_t i = 0; i < pf->nall; i++) {
		rules_prom_judge(&c, pf, i, now, &s, &he);
		out->counts[he.status]++;
		out->worst = status_worst(out->worst, he.status);
		if (he.status != ST_OK && targets++ < PROM_MAX_TARGETS)
			host_target(out, sec, (int)i, pf->all_names[i], &he);
	}
	rules_prom_ctx_free(&c);
}

/* The dashboard: the server's counts, and the problem rows as targets. */
static void judge_rows(const struct fleet *f, const struct prom_fleet *pf, size_t sec,
		       struct evaluation *out)
{
	struct rules_prom_ctx c;

	rules_prom_ctx_init(&c, f, sec, pf);
	for (int st = 0; st < 4; st++) {
		out->counts[st] += (int)pf->counts[st];
		if (pf->counts[st])
			out->worst = status_worst(out->worst, (enum status)st);
	}
	for (int i = 0; i < pf->nproblems; i++) {
		struct host_eval he = { .status = (enum status)(pf->rows[i].status & 3), .age = -1 };
		row_problem(&c, &pf->rows[i], &he);
		host_target(out, sec, i, pf->rows[i].name, &he);
	}
	rules_prom_ctx_free(&c);
}

void rules_prometheus(const struct fleet *f, const struct snapshot *snap, double now,
		      struct rules_state *st, struct evaluation *out)
{
	for (size_t i = 0; i < snapshot_count(snap, DOM_PROMFLEET); i++) {
		const struct prom_fleet *pf = snap_promfleet(snap, i);
		const struct fleet_section *sec = fleet_nth(f, SEC_PROMETHEUS, i);
		/* what --once/--check read early in a long round is not stale */
		double at = rules_judge_time(st, pf->sampled_at, now);
		struct target_eval *t;
		if (pf->state == PF_OFF)
			continue;
		if (pf->all)
			judge_all(f, pf, i, at, out);
		else if (pf->state == PF_READY)
			judge_rows(f, pf, i, out);
		if (pf->state == PF_READY && !pf->error[0] &&
		    !(pf->sampled_at > 0 && at - pf->sampled_at > RULES_STALE_FACTOR * pf->interval &&
		      pf->interval > 0))
			continue;
		/* the section itself: not answering, failing, or stale */
		t = rules_target_add(out, DOM_PROMFLEET, (int)i, -1, "prometheus/%s",
				     sec ? sec->name : "?");
		if (pf->error[0])
			rules_problem_add(&t->ev, ST_UNKNOWN, "prometheus", "%s", pf->error);
		rules_check_stale(&t->ev, pf->sampled_at, pf->interval, at);
	}
}
