/* A set of hosts by name and the values their answers brought: the one
 * place samples become host values, for the classic collector (every
 * host of a section), the large-fleet rows (the hosts on screen) and
 * --once's every-host fetch. Lookup is an open-addressing hash by name;
 * each host costs its struct prom_values (a fixed ~420 bytes) plus 8 bytes
 * of index, whatever the server holds for it. */
#ifndef FLEETDECK_PROM_HOSTS_H
#define FLEETDECK_PROM_HOSTS_H

#include <stddef.h>
#include <stdint.h>
#include "collect/prom_parse.h"
#include "model/prometheus.h"

struct prom_hostset {
	const char *const *names;    /* borrowed, n of them */
	size_t n;
	char *const *mounts;         /* borrowed: the watched mounts, in disk order */
	int nmounts;
	struct prom_values *vals;    /* n, owned */
	uint32_t *slots;             /* index + 1, 0 empty */
	size_t nslots;
};

void prom_hostset_init(struct prom_hostset *hs, const char *const *names, size_t n,
		       char *const *mounts, int nmounts);
void prom_hostset_free(struct prom_hostset *hs);
/* The index of name, or -1. */
long prom_hostset_find(const struct prom_hostset *hs, const char *name);
/* One sample of value v's answer (label[0] the host, label[1] the mount or
 * release): kept when its host is in the set and its value is finite and
 * not negative (NaN, Inf, negative: that value stays unknown). */
void prom_hostset_sample(struct prom_hostset *hs, enum prom_value v, const struct prom_sample *s);
/* After a round: values whose answer failed count for nothing. */
void prom_hostset_keep(struct prom_hostset *hs, uint32_t ok_values);
void prom_hostset_clear(struct prom_hostset *hs);
/* The values (n of them, the caller frees them); the rest is freed. */
struct prom_values *prom_hostset_take(struct prom_hostset *hs);

#endif
