#include "config.h"
#include "model/model.h"
#include "util/util.h"

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

/* ---- samples: immutable, shared, freed with their last reference ---- */

/* What an unpublished target reads as: zeros (nothing collected). Large
 * enough for every domain's sample type: model_init_fleet() checks each
 * row of the domain table against MODEL_SAMPLE_MAX. */
static const union {
	max_align_t align;
	unsigned char bytes[MODEL_SAMPLE_MAX];
} zero_sample;

static struct sample *sample_new(const void *data, size_t size, uint64_t gen)
{
	struct sample *sm;

	if (size > UINT32_MAX)
		fatal("sample of %zu bytes", size);
	sm = xmalloc(sizeof(*sm) + size);
	atomic_init(&sm->refs, 1);
	sm->size = (uint32_t)size;
	sm->gen = gen;
	if (size && data)
		memcpy(sm->data, data, size);
	else if (size)
		memset(sm->data, 0, size);
	return sm;
}

static struct sample *sample_ref(struct sample *sm)
{
	if (sm)
		atomic_fetch_add_explicit(&sm->refs, 1, memory_order_relaxed);
	return sm;
}

static void sample_unref(struct sample *sm)
{
	if (sm && atomic_fetch_sub_explicit(&sm->refs, 1, memory_order_acq_rel) == 1)
		free(sm);
}

/* ---- the model (collector side) ---- */

static void dom_grow(struct sample ***v, size_t *cap, size_t n)
{
	size_t old = *cap;

	if (n <= old)
		return;
	*cap = n;
	*v = xrealloc(*v, n * sizeof(**v));
	memset(*v + old, 0, (n - old) * sizeof(**v));
}

/* Sets the size of one domain; targets beyond a smaller size are dropped. */
static void dom_set_size(struct model_dom *d, size_t n)
{
	for (size_t i = n; i < d->n; i++) {
		sample_unref(d->v[i]);
		d->v[i] = NULL;
	}
	dom_grow(&d->v, &d->cap, n);
	d->n = n;
}

void model_init(struct model *m, size_t nhosts)
{
	memset(m, 0, sizeof(*m));
	pthread_mutex_init(&m->lock, NULL);
	m->started_at = now_wall();
	m->generation = 1;
	m->dom[DOM_HOST].per_host = true;
	dom_set_size(&m->dom[DOM_HOST], nhosts);
	m->nhosts = nhosts;
}

void model_resize(struct model *m, enum domain_id d, size_t n, bool per_host)
{
	pthread_mutex_lock(&m->lock);
	m->dom[d].per_host = per_host || d == DOM_HOST;
	if (d == DOM_HOST) {
		m->nhosts = n;
		for (int k = 0; k < DOM__COUNT; k++)
			if (m->dom[k].per_host)
				dom_set_size(&m->dom[k], n);
	} else {
		dom_set_size(&m->dom[d], m->dom[d].per_host ? m->nhosts : n);
	}
	m->layout++;
	m->generation++;
	pthread_mutex_unlock(&m->lock);
}

void model_free(struct model *m)
{
	pthread_mutex_destroy(&m->lock);
	for (int d = 0; d < DOM__COUNT; d++) {
		dom_set_size(&m->dom[d], 0);
		free(m->dom[d].v);
		m->dom[d].v = NULL;
		m->dom[d].cap = 0;
	}
	m->nhosts = 0;
	free(m->prom_wants);
	m->prom_wants = NULL;
	m->nprom_wants = 0;
	model_logins_free(m);
}

size_t model_bytes(struct model *m, int d)
{
	size_t total = 0;

	pthread_mutex_lock(&m->lock);
	for (int k = 0; k < DOM__COUNT; k++) {
		if (d != DOM__COUNT && k != d)
			continue;
		total += m->dom[k].cap * sizeof(*m->dom[k].v);
		for (size_t i = 0; i < m->dom[k].n; i++)
			if (m->dom[k].v[i])
				total += sizeof(struct sample) + m->dom[k].v[i]->size;
	}
	pthread_mutex_unlock(&m->lock);
	return total;
}

void model_put(struct model *m, enum domain_id d, size_t i, const void *sample, size_t size)
{
	struct sample *sm, *old;
	struct model_change *c;

	if ((unsigned)d >= DOM__COUNT)
		return;
	/* built outside the lock: the lock covers one pointer swap */
	sm = sample_new(sample, size, 0);
	pthread_mutex_lock(&m->lock);
	if (i >= m->dom[d].n) {
		pthread_mutex_unlock(&m->lock);
		sample_unref(sm);
		return;
	}
	sm->gen = ++m->generation;
	old = m->dom[d].v[i];
	m->dom[d].v[i] = sm;
	c = &m->journal[m->jhead++ % MODEL_JOURNAL];
	c->dom = (uint32_t)d;
	c->index = (uint32_t)i;
	pthread_mutex_unlock(&m->lock);
	sample_unref(old);
}

bool model_get(struct model *m, enum domain_id d, size_t i, void *out, size_t size)
{
	struct sample *sm = NULL;
	size_t n;

	if ((unsigned)d < DOM__COUNT) {
		pthread_mutex_lock(&m->lock);
		if (i < m->dom[d].n)
			sm = sample_ref(m->dom[d].v[i]);
		pthread_mutex_unlock(&m->lock);
	}
	n = sm ? (sm->size < size ? sm->size : size) : 0;
	if (n)
		memcpy(out, sm->data, n);
	memset((char *)out + n, 0, size - n);
	sample_unref(sm);
	return sm != NULL;
}

/* ---- snapshots (reader side) ---- */

static void changed_add(struct snapshot *s, uint32_t d, uint32_t i)
{
	if (s->nchanged == s->capchanged) {
		s->capchanged = s->capchanged ? s->capchanged * 2 : 64;
		s->changed = xrealloc(s->changed, s->capchanged * sizeof(*s->changed));
	}
	s->changed[s->nchanged++] = (struct model_change){ d, i };
}

/* Takes target i of domain d from the model if it is not the one held. */
static bool take(struct snapshot *s, const struct model *m, int d, size_t i, bool note)
{
	struct sample *cur = m->dom[d].v[i];

	if (s->dom[d].v[i] == cur)
		return false;
	sample_unref(s->dom[d].v[i]);
	s->dom[d].v[i] = sample_ref(cur);
	if (note)
		changed_add(s, (uint32_t)d, (uint32_t)i);
	return true;
}

static void snapshot_dom_size(struct snapshot *s, int d, size_t n)
{
	size_t cap = s->dom[d].n;

	for (size_t i = n; i < s->dom[d].n; i++) {
		sample_unref(s->dom[d].v[i]);
		s->dom[d].v[i] = NULL;
	}
	if (n > cap) {
		s->dom[d].v = xrealloc(s->dom[d].v, n * sizeof(*s->dom[d].v));
		memset(s->dom[d].v + cap, 0, (n - cap) * sizeof(*s->dom[d].v));
	}
	s->dom[d].n = n;
}

/* Every target: a new reader, a new layout, or more changes than the
 * journal remembers. */
static void take_all(struct snapshot *s, const struct model *m)
{
	for (int d = 0; d < DOM__COUNT; d++) {
		snapshot_dom_size(s, d, m->dom[d].n);
		for (size_t i = 0; i < m->dom[d].n; i++)
			take(s, m, d, i, false);
	}
	s->changed_all = true;
}

bool model_snapshot(struct model *m, struct snapshot *snap)
{
	bool changed = false;

	snap->nchanged = 0;
	snap->changed_all = false;
	snap->jprev = snap->jpos;
	pthread_mutex_lock(&m->lock);
	if (snap->generation != m->generation || snap->src != m) {
		if (snap->src != m || snap->layout != m->layout ||
		    m->jhead - snap->jpos > MODEL_JOURNAL) {
			take_all(snap, m);
		} else {
			for (uint64_t k = snap->jpos; k < m->jhead; k++) {
				const struct model_change *c = &m->journal[k % MODEL_JOURNAL];
				take(snap, m, (int)c->dom, c->index, true);
			}
		}
		snap->src = m;
		snap->layout = m->layout;
		snap->jpos = m->jhead;
		snap->generation = m->generation;
		snap->started_at = m->started_at;
		snap->nhosts = m->nhosts;
		changed = true;
	}
	pthread_mutex_unlock(&m->lock);
	return changed;
}

void snapshot_free(struct snapshot *snap)
{
	for (int d = 0; d < DOM__COUNT; d++) {
		snapshot_dom_size(snap, d, 0);
		free(snap->dom[d].v);
	}
	free(snap->changed);
	memset(snap, 0, sizeof(*snap));
}

const void *snapshot_get(const struct snapshot *s, enum domain_id d, size_t i)
{
	const struct sample *sm;

	if (!s || (unsigned)d >= DOM__COUNT || i >= s->dom[d].n)
		return zero_sample.bytes;
	sm = s->dom[d].v[i];
	return sm ? (const void *)sm->data : zero_sample.bytes;
}

uint64_t snapshot_gen(const struct snapshot *s, enum domain_id d, size_t i)
{
	if (!s || (unsigned)d >= DOM__COUNT || i >= s->dom[d].n || !s->dom[d].v[i])
		return 0;
	return s->dom[d].v[i]->gen;
}

void snapshot_put(struct snapshot *s, enum domain_id d, size_t i, const void *sample,
		  size_t size)
{
	if ((unsigned)d >= DOM__COUNT)
		return;
	if (i >= s->dom[d].n)
		snapshot_dom_size(s, d, i + 1);
	sample_unref(s->dom[d].v[i]);
	s->dom[d].v[i] = sample_new(sample, size, ++s->generation);
	if (d == DOM_HOST && s->nhosts < s->dom[d].n)
		s->nhosts = s->dom[d].n;
	s->src = NULL;    /* hand-made: a model_snapshot() starts over */
}

void snapshot_put_hosts(struct snapshot *s, const struct host_sample *hosts, size_t n)
{
	snapshot_dom_size(s, DOM_HOST, n);
	s->nhosts = n;
	for (size_t i = 0; i < n; i++)
		snapshot_put(s, DOM_HOST, i, &hosts[i], sizeof(hosts[i]));
}

void *snapshot_edit(struct snapshot *s, enum domain_id d, size_t i, size_t size)
{
	struct sample *sm;

	if ((unsigned)d >= DOM__COUNT)
		return NULL;
	if (i >= s->dom[d].n)
		snapshot_dom_size(s, d, i + 1);
	sm = s->dom[d].v[i];
	if (!sm || sm->size < size || atomic_load(&sm->refs) > 1) {
		struct sample *priv = sample_new(NULL, size, 0);

		if (sm)
			memcpy(priv->data, sm->data, sm->size < size ? sm->size : size);
		sample_unref(sm);
		s->dom[d].v[i] = sm = priv;
	}
	sm->gen = ++s->generation;
	if (d == DOM_HOST && s->nhosts < s->dom[d].n)
		s->nhosts = s->dom[d].n;
	s->src = NULL;
	return sm->data;
}

const char *snapshot_container_name(const struct snapshot *s, size_t host, const char *id)
{
	const struct host_containers *hc;

	if (!s || !id || !*id || host >= snapshot_count(s, DOM_CONTAINER))
		return NULL;
	hc = snap_containers(s, host);
	for (int k = 0; k < hc->n; k++)
		if (hc->c[k].id[0] && strncmp(hc->c[k].id, id, 12) == 0)
			return hc->c[k].name;
	return NULL;
}
