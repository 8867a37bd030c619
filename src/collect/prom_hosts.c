/* Hosts by name and their values (see prom_hosts.h). */
#include "config.h"
#include "collect/prom_hosts.h"
#include "util/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static uint32_t name_hash(const char *s)
{
	uint32_t h = 2166136261u;  /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

void prom_hostset_init(struct prom_hostset *hs, const char *const *names, size_t n,
		       char *const *mounts, int nmounts)
{
	memset(hs, 0, sizeof(*hs));
	hs->names = names;
	hs->n = n;
	hs->mounts = mounts;
	hs->nmounts = nmounts < PROM_MOUNTS ? nmounts : PROM_MOUNTS;
	hs->vals = xcalloc(n ? n : 1, sizeof(*hs->vals));
	hs->nslots = 16;
	while (hs->nslots < 2 * n)
		hs->nslots *= 2;
	hs->slots = xcalloc(hs->nslots, sizeof(*hs->slots));
	for (size_t i = 0; i < n; i++) {
		size_t k = name_hash(names[i]) & (hs->nslots - 1);
		while (hs->slots[k])
			k = (k + 1) & (hs->nslots - 1);
		hs->slots[k] = (uint32_t)i + 1;
	}
}

void prom_hostset_free(struct prom_hostset *hs)
{
	free(hs->vals);
	free(hs->slots);
	memset(hs, 0, sizeof(*hs));
}

struct prom_values *prom_hostset_take(struct prom_hostset *hs)
{
	struct prom_values *v = hs->vals;

	hs->vals = NULL;
	prom_hostset_free(hs);
	return v;
}

long prom_hostset_find(const struct prom_hostset *hs, const char *name)
{
	if (!hs->nslots)
		return -1;
	for (size_t k = name_hash(name) & (hs->nslots - 1); hs->slots[k];
	     k = (k + 1) & (hs->nslots - 1))
		if (strcmp(hs->names[hs->slots[k] - 1], name) == 0)
			return (long)hs->slots[k] - 1;
	return -1;
}

void prom_hostset_sample(struct prom_hostset *hs, enum prom_value v, const struct prom_sample *s)
{
	struct prom_values *a;
	long i;

	if (s->cut || !isfinite(s->value) || s->value < 0 || v >= PV__N)
		return;
	if ((i = prom_hostset_find(hs, s->label[0])) < 0)
		return;
	a = &hs->vals[i];
	switch (v) {
	case PV_FS_SIZE:
	case PV_FS_FREE:
	case PV_FS_AVAIL:
		for (int d = 0; d < hs->nmounts; d++) {
			if (strcmp(hs->mounts[d], s->label[1]) != 0)
				continue;
			a->fs[d][v - PV_FS_SIZE] = s->value;
			a->fs_have[d] |= (uint8_t)(1u << (v - PV_FS_SIZE));
		}
		return;
	case PV_UNAME:
		if (!s->label[1][0])
			return;
		str_copy(a->release, s->label[1], sizeof(a->release));
		str_sanitize(a->release);
		break;
	default:
		a->v[v] = s->value;
		break;
	}
	a->have |= 1u << v;
}

void prom_hostset_keep(struct prom_hostset *hs, uint32_t ok)
{
	uint32_t fs = (1u << PV_FS_SIZE) | (1u << PV_FS_FREE) | (1u << PV_FS_AVAIL);

	for (size_t i = 0; i < hs->n; i++) {
		hs->vals[i].have &= ok;
		if ((ok & fs) != fs)  /* a disk needs all three */
			memset(hs->vals[i].fs_have, 0, sizeof(hs->vals[i].fs_have));
	}
}

void prom_hostset_clear(struct prom_hostset *hs)
{
	memset(hs->vals, 0, (hs->n ? hs->n : 1) * sizeof(*hs->vals));
}
