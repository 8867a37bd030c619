#include "config.h"
#include "rules/domains.h"
#include "util/util.h"

#include <math.h>
#include <string.h>

/* Container and RAM-contention rules (SPEC §3).
 *
 * Per container, a target "container/HOST/NAME" (sub = its index):
 *   stale list (> 3 x interval) or engine error  -> unknown
 *   its inspect failed (list's name and state only) -> unknown, with why
 *   expected by a [service] container = but not running -> crit
 *   no memory limit on a host with ram_reserve   -> warn "no memory limit"
 * Per host, a target "containers/HOST" (sub = -1) when there is something
 * to say about the host as a whole: the engine cannot be read, an expected
 * container does not exist, or the sum of memory limits is more than the
 * host's RAM ("overcommitted"). The reserve itself (available < ram_reserve)
 * is a host problem raised by the host rules; the RAM view shows it. */


/* States in which a container holds (or will hold) memory. */
static bool state_alive(const char *st)
{
	return strcmp(st, "exited") && strcmp(st, "dead") && strcmp(st, "removing") &&
	       strcmp(st, "stopped");
}

static int container_find(const struct host_containers *hc, const char *name)
{
	for (int k = 0; k < hc->n; k++)
		if (!strcmp(hc->c[k].name, name))
			return k;
	return -1;
}

/* The [service] on host `host` whose container = name, or NULL. */
static const struct fleet_section *service_for(const struct fleet *f, const char *host,
					       const char *name)
{
	size_t n = fleet_count(f, SEC_SERVICE);

	for (size_t j = 0; j < n; j++) {
		const struct fleet_section *s = fleet_nth(f, SEC_SERVICE, j);
		const char *h = fleet_section_get(s, "host"), *c = fleet_section_get(s, "container");
		if (h && c && !strcmp(h, host) && !strcmp(c, name))
			return s;
	}
	return NULL;
}

/* Sum of the memory limits that apply on the host: live containers' limits,
 * plus mem_limit of its services whose container has none (or is unknown). */
static uint64_t limits_sum(const struct fleet *f, const struct fleet_host *fh,
			   const struct host_containers *hc)
{
	uint64_t sum = 0;
	size_t n = fleet_count(f, SEC_SERVICE);

	for (int k = 0; k < hc->n; k++)
		if ((hc->c[k].valid & CV_LIMIT) && state_alive(hc->c[k].state))
			sum += hc->c[k].mem_limit;
	for (size_t j = 0; j < n; j++) {
		const struct fleet_section *s = fleet_nth(f, SEC_SERVICE, j);
		const char *h = fleet_section_get(s, "host"), *c = fleet_section_get(s, "container");
		const char *ml = fleet_section_get(s, "mem_limit");
		int64_t v;
		int k;

		if (!h || strcmp(h, fh->name) || !ml || parse_size(ml, &v) < 0 || v <= 0)
			continue;
		k = c ? container_find(hc, c) : -1;
		if (k >= 0 && (hc->c[k].valid & CV_LIMIT) && hc->c[k].mem_limit > 0)
			continue;
		sum += (uint64_t)v;
	}
	return sum;
}

static void container_eval(const struct fleet *f, const struct fleet_host *fh,
			   const struct host_containers *hc, int k, bool stale, double age,
			   struct evaluation *out)
{
	const struct container_sample *c = &hc->c[k];
	const struct fleet_section *svc = service_for(f, fh->name, c->name);
	struct target_eval *t = rules_target_add(out, DOM_CONTAINER, (int)(fh - f->hosts), k,
						 "container/%s/%s", fh->name, c->name);
	char a[16];

	t->ev.age = age;
	if (stale || hc->err != CE_NONE) {
		t->ev.stale = stale;
		if (hc->err != CE_NONE)
			rules_problem_add(&t->ev, ST_UNKNOWN, "engine", "%s", hc->error);
		else
			rules_problem_add(&t->ev, ST_UNKNOWN, "stale", "stale: no data for %s",
					  fmt_age(a, sizeof(a), age));
		return;
	}
	/* a value the parser refused is n/a, and said (collect/plausible.h) */
	if (c->implausible[0])
		rules_problem_add(&t->ev, ST_UNKNOWN, "implausible", "%s", c->implausible);
	/* its inspect gave nothing: name and state are the list's, the rest
	 * unknown, so the row is never ok from the list alone */
	if (c->unread[0])
		rules_problem_add(&t->ev, ST_UNKNOWN, "inspect", "%s", c->unread);
	/* a state the list refused (ctrp_unread: "unknown") is not known to
	 * be down: the row is already unknown with the inspect's reason */
	if (svc && strcmp(c->state, "running") && !(c->unread[0] && !strcmp(c->state, "unknown")))
		rules_problem_add(&t->ev, ST_CRIT, "down", "not running (%s) but service %s needs it",
				  c->state, svc->name);
	if (fh->ram_reserve >= 0 && (c->valid & CV_LIMIT) && c->mem_limit == 0 &&
	    state_alive(c->state))
		rules_problem_add(&t->ev, ST_WARN, "nolimit", "no memory limit");
}

/* Host-wide: engine errors, expected containers that do not exist, overcommit. */
static void host_eval(const struct fleet *f, const struct fleet_host *fh, size_t i,
		      const struct host_containers *hc, const struct host_sample *hs,
		      bool stale, double age, struct evaluation *out)
{
	struct host_eval ev;
	size_t n = fleet_count(f, SEC_SERVICE);
	bool expected = false;
	uint64_t sum;
	char a[16], b[16];

	host_eval_clear(&ev);
	ev.age = age;
	ev.stale = stale;
	for (size_t j = 0; j < n; j++) {
		const struct fleet_section *s = fleet_nth(f, SEC_SERVICE, j);
		const char *h = fleet_section_get(s, "host"), *c = fleet_section_get(s, "container");
		if (!h || !c || strcmp(h, fh->name))
			continue;
		expected = true;
		if (!stale && hc->err == CE_NONE && container_find(hc, c) < 0)
			rules_problem_add(&ev, ST_CRIT, "missing",
					  "container %s of service %s does not exist", c, s->name);
	}
	/* no engine where none was asked for (containers = auto, no [service]
	 * container on it) is simply a host without containers */
	if (hc->err != CE_NONE &&
	    (hc->err != CE_NO_ENGINE || expected || fh->containers != CONT_AUTO))
		rules_problem_add(&ev, ST_UNKNOWN, "engine", "%s", hc->error);
	else if (stale && hc->collected)
		rules_problem_add(&ev, ST_UNKNOWN, "stale", "containers stale: no data for %s",
				  fmt_age(a, sizeof(a), age));
	sum = limits_sum(f, fh, hc);
	if (!stale && (hs->valid & HV_MEM) && hs->mem_total > 0 && sum > hs->mem_total)
		rules_problem_add(&ev, ST_WARN, "overcommit",
				  "memory limits overcommitted: %s of limits > %s RAM",
				  fmt_bytes(a, sizeof(a), (double)sum),
				  fmt_bytes(b, sizeof(b), (double)hs->mem_total));
	if (!ev.nproblems)
		return;
	struct target_eval *t = rules_target_add(out, DOM_CONTAINER, (int)i, -1,
						 "containers/%s", fh->name);
	t->ev = ev;
}

/* Host i's container targets; returns until when a host that produced
 * none stays without (0: it has some, or it is stale). */
static double host_containers_eval(const struct fleet *f, const struct snapshot *snap, size_t i,
				   double now, struct evaluation *out)
{
	const struct fleet_host *fh = &f->hosts[i];
	const struct host_containers *hc = snap_containers(snap, i);
	double iv = hc->interval > 0 ? hc->interval : fh->interval > 0 ? fh->interval : 2;
	double age = hc->sampled_at > 0 ? now - hc->sampled_at : -1;
	bool stale = hc->collected && (age < 0 || age > RULES_STALE_FACTOR * iv);
	size_t first = out->ntargets;

	if (fh->containers == CONT_NONE || !hc->collected)
		return INFINITY;
	/* a host that does not answer is one crit problem (its own), not
	 * three: its containers are not judged until it answers again */
	if (snap_host(snap, i)->conn != HC_OK)
		return INFINITY;
	for (int k = 0; k < hc->n && k < MODEL_MAX_CONTAINERS; k++)
		container_eval(f, fh, hc, k, stale, age, out);
	host_eval(f, fh, i, hc, snap_host(snap, i), stale, age, out);
	/* the moment this list turns stale: the screen is drawn then */
	for (size_t j = first; hc->sampled_at > 0 && j < out->ntargets; j++)
		out->targets[j].ev.stale_at = hc->sampled_at + RULES_STALE_FACTOR * iv;
	/* none now (so not stale either): none until it turns stale */
	return out->ntargets == first && hc->sampled_at > 0 ?
	       hc->sampled_at + RULES_STALE_FACTOR * iv : 0;
}

void rules_containers(const struct fleet *f, const struct snapshot *snap, double now,
		      struct rules_state *st, struct evaluation *out)
{
	size_t n = f->nhosts, nv;
	const size_t *v;

	if (snapshot_count(snap, DOM_CONTAINER) < n)
		n = snapshot_count(snap, DOM_CONTAINER);
	if (snap->nhosts < n)
		n = snap->nhosts;
	nv = rules_hosts_visit(st, snap, DOM_CONTAINER, n, now, &v);
	for (size_t k = 0; k < nv; k++)
		rules_host_quiet(st, DOM_CONTAINER, v[k],
				 host_containers_eval(f, snap, v[k], now, out));
}
