/* A Prometheus host's values as a host sample (model/prometheus.h): one
 * conversion for the classic collector, --once's every-host output and the
 * rows of the large-fleet mode. */
#include "config.h"
#include "model/model.h"
#include "model/prometheus.h"
#include "util/util.h"

#include <string.h>

#define B(v) (1u << (v))

static bool have_all(uint32_t have, uint32_t bits)
{
	return (have & bits) == bits;
}

static double pct(double v)
{
	return v > 100 ? 100 : v;
}

static void fill_disks(struct host_sample *s, const struct prom_values *pv, char *const *mounts,
		       int nmounts)
{
	s->ndisks = 0;
	for (int d = 0; d < nmounts && d < MODEL_MAX_DISKS && d < PROM_MOUNTS; d++) {
		struct disk_sample *ds = &s->disks[s->ndisks++];
		const double *fs = pv->fs[d];
		double used;
		memset(ds, 0, sizeof(*ds));
		str_copy(ds->mount, mounts[d], sizeof(ds->mount));
		if (pv->fs_have[d] != 7 || fs[PROM_FS_FREE] > fs[PROM_FS_SIZE])
			continue;
		/* as df: used = size - free, percent of what non-root can use */
		used = fs[PROM_FS_SIZE] - fs[PROM_FS_FREE];
		ds->size = (uint64_t)fs[PROM_FS_SIZE];
		ds->used = (uint64_t)used;
		ds->used_pct = used + fs[PROM_FS_AVAIL] > 0 ? 100.0 * used / (used + fs[PROM_FS_AVAIL]) : 0;
		ds->valid = true;
	}
	if (s->ndisks)
		s->valid |= HV_DISKS;
}

void prom_values_sample(const struct prom_values *pv, char *const *mounts, int nmounts,
			double eval_time, struct host_sample *s)
{
	uint32_t h = pv->have;
	const double *v = pv->v;

	s->conn = HC_OK;
	s->error[0] = '\0';
	s->sampled_at = eval_time;
	if (have_all(h, B(PV_LOAD1) | B(PV_LOAD5) | B(PV_LOAD15))) {
		s->load[0] = v[PV_LOAD1];
		s->load[1] = v[PV_LOAD5];
		s->load[2] = v[PV_LOAD15];
		s->valid |= HV_LOAD;
	}
	if (h & B(PV_CPU)) {
		s->cpu_pct = pct(v[PV_CPU]);
		s->valid |= HV_CPU;
	}
	if ((h & B(PV_CORES)) && v[PV_CORES] >= 1 && v[PV_CORES] < 1e6) {
		s->cores = (int)v[PV_CORES];
		s->valid |= HV_CORES;
	}
	if (have_all(h, B(PV_MEMTOTAL) | B(PV_MEMAVAIL)) && v[PV_MEMAVAIL] <= v[PV_MEMTOTAL]) {
		s->mem_total = (uint64_t)v[PV_MEMTOTAL];
		s->mem_available = (uint64_t)v[PV_MEMAVAIL];
		s->valid |= HV_MEM;
	}
	if (have_all(h, B(PV_SWAPTOTAL) | B(PV_SWAPFREE)) && v[PV_SWAPFREE] <= v[PV_SWAPTOTAL]) {
		s->swap_total = (uint64_t)v[PV_SWAPTOTAL];
		s->swap_used = (uint64_t)(v[PV_SWAPTOTAL] - v[PV_SWAPFREE]);
		s->valid |= HV_SWAP;
	}
	if (have_all(h, B(PV_PSI_SOME) | B(PV_PSI_FULL))) {
		s->psi_some10 = pct(v[PV_PSI_SOME]);
		s->psi_full10 = pct(v[PV_PSI_FULL]);
		s->valid |= HV_PSI;
	}
	if (h & B(PV_OOM)) {
		s->oom_kills = (uint64_t)v[PV_OOM];
		s->valid |= HV_OOM;
	}
	if ((h & B(PV_BOOT)) && v[PV_BOOT] > 0 && v[PV_BOOT] <= eval_time) {
		s->boot_time = v[PV_BOOT];
		s->uptime_s = eval_time - v[PV_BOOT];
		s->valid |= HV_UPTIME;
	}
	if (h & B(PV_UNAME)) {
		str_copy(s->kernel, pv->release, sizeof(s->kernel));
		s->valid |= HV_KERNEL;
	}
	fill_disks(s, pv, mounts, nmounts);
}

bool prom_values_host(const struct prom_values *pv, char *const *mounts, int nmounts,
		      double eval_time, const char *source, struct host_sample *s)
{
	if ((pv->have & B(PV_UP)) && pv->v[PV_UP] == 0) {
		s->conn = HC_UNREACHABLE;
		str_fmt(s->error, sizeof(s->error), "Prometheus %s cannot scrape it (up == 0): the "
			"host or its node_exporter is down or unreachable from Prometheus", source);
		str_sanitize(s->error);
		return false;
	}
	if (!(pv->have & ~B(PV_UNAME))) {
		s->conn = HC_PROBE;
		str_fmt(s->error, sizeof(s->error), "Prometheus %s has no current series for it (no "
			"longer scraped, or match/host_label changed)", source);
		str_sanitize(s->error);
		return false;
	}
	s->valid = 0;
	prom_values_sample(pv, mounts, nmounts, eval_time, s);
	return true;
}

bool model_prom_want(struct model *m, size_t i, const struct prom_want *w)
{
	bool changed = false;

	pthread_mutex_lock(&m->lock);
	if (i >= m->nprom_wants) {
		m->prom_wants = xrealloc(m->prom_wants, (i + 1) * sizeof(*m->prom_wants));
		memset(m->prom_wants + m->nprom_wants, 0,
		       (i + 1 - m->nprom_wants) * sizeof(*m->prom_wants));
		m->nprom_wants = i + 1;
	}
	if (m->prom_wants[i].offset != w->offset || m->prom_wants[i].count != w->count ||
	    strcmp(m->prom_wants[i].filter, w->filter) != 0) {
		m->prom_wants[i] = *w;
		m->prom_want_gen++;
		changed = true;
	}
	pthread_mutex_unlock(&m->lock);
	return changed;
}

uint64_t model_prom_wanted(struct model *m, size_t i, struct prom_want *out)
{
	uint64_t gen;

	pthread_mutex_lock(&m->lock);
	if (i < m->nprom_wants)
		*out = m->prom_wants[i];
	else
		memset(out, 0, sizeof(*out));
	gen = m->prom_want_gen;
	pthread_mutex_unlock(&m->lock);
	return gen;
}
