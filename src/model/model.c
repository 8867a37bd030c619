#include "config.h"
#include "model/model.h"
#include "util/util.h"
#include "fleet/fleet.h"

#include <string.h>
#include <stdlib.h>

const char *status_name(enum status s)
{
	switch (s) {
	case ST_OK: return "ok";
	case ST_WARN: return "warn";
	case ST_CRIT: return "crit";
	case ST_UNKNOWN: break;
	}
	return "unknown";
}

const char *host_conn_name(enum host_conn c)
{
	switch (c) {
	case HC_NEVER: return "not polled yet";
	case HC_OK: return "ok";
	case HC_UNREACHABLE: return "unreachable";
	case HC_HOSTKEY: return "host key refused";
	case HC_AUTH: return "authentication failed";
	case HC_PROBE: return "probe failed";
	}
	return "?";
}

void history_push(struct history *h, float v)
{
	h->v[h->pos] = v;
	h->pos = (h->pos + 1) % MODEL_HIST;
	if (h->len < MODEL_HIST)
		h->len++;
}

float history_get(const struct history *h, int i)
{
	int idx = (h->pos - 1 - i) % MODEL_HIST;
	if (idx < 0)
		idx += MODEL_HIST;
	return h->v[idx];
}

void host_sample_push_history(struct host_sample *s)
{
	if (s->valid & HV_CPU)
		history_push(&s->hist_cpu, (float)s->cpu_pct);
	if ((s->valid & HV_MEM) && s->mem_total)
		history_push(&s->hist_mem_pct,
			     (float)(100.0 * (double)(s->mem_total - s->mem_available) / (double)s->mem_total));
	if (s->valid & HV_PSI)
		history_push(&s->hist_psi, (float)s->psi_some10);
}

void model_init(struct model *m, size_t nhosts)
{
	memset(m, 0, sizeof(*m));
	pthread_mutex_init(&m->lock, NULL);
	m->nhosts = nhosts;
	m->hosts = xcalloc(nhosts, sizeof(*m->hosts));
	m->started_at = now_wall();
	m->generation = 1;
}

void model_init_fleet(struct model *m, const struct fleet *f)
{
	model_init(m, f->nhosts);
	m->ncontainers = m->ngpus = f->nhosts;
	m->nservices = fleet_count(f, SEC_SERVICE);
	m->nlinks = fleet_count(f, SEC_LINK);
	m->ndatabases = fleet_count(f, SEC_DATABASE);
	m->nbackups = fleet_count(f, SEC_BACKUP);
	m->nrunners = fleet_count(f, SEC_RUNNERS);
	m->nkeys = fleet_count(f, SEC_KEY);
#define ALLOC(type, name) m->name = xcalloc(m->n##name ? m->n##name : 1, sizeof(type));
	MODEL_DOMAINS(ALLOC)
#undef ALLOC
}

void model_publish(struct model *m, void *dst, const void *src, size_t size)
{
	pthread_mutex_lock(&m->lock);
	memcpy(dst, src, size);
	m->generation++;
	pthread_mutex_unlock(&m->lock);
}

void model_free(struct model *m)
{
	pthread_mutex_destroy(&m->lock);
#define FREE(type, name) free(m->name); m->name = NULL; m->n##name = 0;
	MODEL_DOMAINS(FREE)
#undef FREE
	free(m->hosts);
	m->hosts = NULL;
	m->nhosts = 0;
}

void model_publish_host(struct model *m, size_t i, const struct host_sample *s)
{
	if (i >= m->nhosts)
		return;
	pthread_mutex_lock(&m->lock);
	m->hosts[i] = *s;
	m->generation++;
	pthread_mutex_unlock(&m->lock);
}

void model_get_host(struct model *m, size_t i, struct host_sample *out)
{
	if (i >= m->nhosts)
		return;
	pthread_mutex_lock(&m->lock);
	*out = m->hosts[i];
	pthread_mutex_unlock(&m->lock);
}

bool model_snapshot(struct model *m, struct snapshot *snap)
{
	bool changed = false;

	pthread_mutex_lock(&m->lock);
	if (snap->generation != m->generation) {
		if (snap->nhosts != m->nhosts) {
			free(snap->hosts);
			snap->hosts = xcalloc(m->nhosts, sizeof(*snap->hosts));
			snap->nhosts = m->nhosts;
		}
		if (m->nhosts)  /* memcpy from NULL is undefined even for 0 bytes */
			memcpy(snap->hosts, m->hosts, m->nhosts * sizeof(*m->hosts));
#define COPY(type, name) \
		if (snap->n##name != m->n##name) { \
			free(snap->name); \
			snap->name = m->n##name ? xcalloc(m->n##name, sizeof(type)) : NULL; \
			snap->n##name = m->n##name; \
		} \
		if (m->n##name) \
			memcpy(snap->name, m->name, m->n##name * sizeof(type));
		MODEL_DOMAINS(COPY)
#undef COPY
		snap->generation = m->generation;
		snap->started_at = m->started_at;
		changed = true;
	}
	pthread_mutex_unlock(&m->lock);
	return changed;
}

void snapshot_free(struct snapshot *snap)
{
#define FREE(type, name) free(snap->name);
	MODEL_DOMAINS(FREE)
#undef FREE
	free(snap->hosts);
	memset(snap, 0, sizeof(*snap));
}

const char *snapshot_container_name(const struct snapshot *s, size_t host, const char *id)
{
	const struct host_containers *hc;

	if (!s || !id || !*id || host >= s->ncontainers)
		return NULL;
	hc = &s->containers[host];
	for (int k = 0; k < hc->n; k++)
		if (hc->c[k].id[0] && strncmp(hc->c[k].id, id, 12) == 0)
			return hc->c[k].name;
	return NULL;
}
