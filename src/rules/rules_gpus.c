#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rules/domains.h"
#include "util/util.h"

/* GPU rules (SPEC §3): temperature > 85 °C warn, memory > 95 % warn, a GPU
 * that was there and is gone crit, nvidia-smi failing crit, data older than
 * 3 x interval unknown. A host with `gpus = auto` and no nvidia-smi has no
 * GPU targets at all. */

#define GPU_TEMP_WARN 85.0
#define GPU_MEM_WARN 95.0

/* rules_state.dom[DOM_GPU]: GPU indexes (< 64) ever seen per host. */
struct gpu_memory {
	size_t n;
	uint64_t *seen;
};

static void memory_free(void *p)
{
	struct gpu_memory *m = p;

	if (m)
		free(m->seen);
	free(m);
}

static struct gpu_memory *memory_get(struct rules_state *st, size_t nhosts)
{
	struct gpu_memory *m = st->dom[DOM_GPU];

	if (!m) {
		m = xcalloc(1, sizeof(*m));
		st->dom[DOM_GPU] = m;
		st->dom_free[DOM_GPU] = memory_free;
	}
	if (m->n < nhosts) {
		m->seen = xrealloc(m->seen, nhosts * sizeof(*m->seen));
		memset(m->seen + m->n, 0, (nhosts - m->n) * sizeof(*m->seen));
		m->n = nhosts;
	}
	return m;
}

static void gpu_checks(struct host_eval *ev, const struct gpu_sample *g)
{
	double pct;

	/* a value the parser refused is n/a, and said: never a confident status */
	if (g->implausible[0])
		rules_problem_add(ev, ST_UNKNOWN, "gpu-implausible", "GPU %d: %s", g->index,
				  g->implausible);
	if ((g->valid & GV_TEMP) && g->temp_c > GPU_TEMP_WARN)
		rules_problem_add(ev, ST_WARN, "gpu-temp", "GPU %d at %.0f °C (over %.0f °C)",
				  g->index, g->temp_c, GPU_TEMP_WARN);
	if ((g->valid & GV_MEM_USED) && (g->valid & GV_MEM_TOTAL) && g->mem_total > 0) {
		pct = 100.0 * (double)g->mem_used / (double)g->mem_total;
		if (pct > GPU_MEM_WARN)
			rules_problem_add(ev, ST_WARN, "gpu-mem", "GPU %d memory %.0f%% used "
					  "(over %.0f%%)", g->index, pct, GPU_MEM_WARN);
	}
}

static bool has_index(const struct host_gpus *hg, int idx)
{
	for (int k = 0; k < hg->n; k++)
		if (hg->g[k].index == idx)
			return true;
	return false;
}

/* GPUs seen before and absent from a fresh reading. */
static void missing_gpus(const char *host, size_t i, const struct host_gpus *hg,
			 uint64_t seen, struct evaluation *out)
{
	for (int idx = 0; idx < 64; idx++) {
		struct target_eval *t;

		if (!(seen & (1ull << idx)) || has_index(hg, idx))
			continue;
		t = rules_target_add(out, DOM_GPU, (int)i, idx, "gpu/%s/%d", host, idx);
		t->ev.age = 0;
		if (hg->error[0])
			rules_problem_add(&t->ev, ST_CRIT, "gpu-missing", "GPU %d is gone: %s",
					  idx, hg->error);
		else
			rules_problem_add(&t->ev, ST_CRIT, "gpu-missing", "GPU %d is gone "
					  "(it was there before)", idx);
	}
}

/* Host i's GPU targets; returns until when a host that produced none
 * stays without (0: it has some). */
static double host_gpus_eval(const struct fleet_host *fh, size_t i, const struct host_gpus *hg,
			     double now, uint64_t *seen, struct evaluation *out)
{
	double interval = hg->interval > 0 ? hg->interval : fh->interval;
	double age = hg->sampled_at > 0 ? now - hg->sampled_at : -1;
	bool fresh = hg->sampled_at > 0 && hg->sampled_at >= hg->attempted_at;
	bool stale = age < 0 || age > RULES_STALE_FACTOR * interval;
	struct target_eval *t;
	size_t first = out->ntargets;

	if (fh->gpus == GPUS_AUTO && (!hg->collected || hg->absent))
		return INFINITY;   /* no nvidia-smi there (or not known yet): not a GPU host */
	if (hg->sampled_at <= 0 || (fresh && hg->n == 0 && hg->error[0] && !*seen)) {
		t = rules_target_add(out, DOM_GPU, (int)i, -1, "gpu/%s", fh->name);
		t->ev.age = age;
		if (!hg->collected)
			rules_problem_add(&t->ev, ST_UNKNOWN, "gpu-pending", "GPUs not read yet");
		else if (hg->sampled_at <= 0)
			rules_problem_add(&t->ev, ST_UNKNOWN, "gpu-nodata", "%s", hg->error);
		else
			rules_problem_add(&t->ev, ST_CRIT, "gpu-failed", "%s", hg->error);
		return 0;
	}
	for (int k = 0; k < hg->n; k++) {
		const struct gpu_sample *g = &hg->g[k];

		t = rules_target_add(out, DOM_GPU, (int)i, g->index, "gpu/%s/%d", fh->name, g->index);
		t->ev.age = age;
		t->ev.stale = stale;
		t->ev.stale_at = hg->sampled_at + RULES_STALE_FACTOR * interval;
		if (stale)
			rules_problem_add(&t->ev, ST_UNKNOWN, "stale", "stale: GPU data %.0f s old",
					  age);
		else
			gpu_checks(&t->ev, g);
		if (fresh && g->index >= 0 && g->index < 64)
			*seen |= 1ull << g->index;
	}
	if (fresh && !stale)
		missing_gpus(fh->name, i, hg, *seen, out);
	/* none (no GPU listed, none missing): none until it turns stale */
	return out->ntargets == first ? hg->sampled_at + RULES_STALE_FACTOR * interval : 0;
}

void rules_gpus(const struct fleet *f, const struct snapshot *snap, double now,
		struct rules_state *st, struct evaluation *out)
{
	size_t n = snapshot_count(snap, DOM_GPU) < f->nhosts ? snapshot_count(snap, DOM_GPU) : f->nhosts;
	struct gpu_memory *m;
	const size_t *v;
	size_t nv;

	if (n == 0)
		return;
	m = memory_get(st, n);
	nv = rules_hosts_visit(st, snap, DOM_GPU, n, now, &v);
	for (size_t k = 0; k < nv; k++) {
		size_t i = v[k];
		double until = INFINITY;

		/* a host that does not answer is its own crit problem; its GPUs
		 * are judged again when it answers (what was seen is kept) */
		if (f->hosts[i].gpus != GPUS_NONE &&
		    !(i < snap->nhosts && snap_host(snap, i)->conn != HC_OK &&
		      f->hosts[i].gpus != GPUS_HTTP_JSON))
			until = host_gpus_eval(&f->hosts[i], i, snap_gpus(snap, i), now, &m->seen[i],
					       out);
		rules_host_quiet(st, DOM_GPU, i, until);
	}
}
