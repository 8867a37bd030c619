/* Judging the hosts of a large [prometheus] section with the rules of SSH
 * hosts (rules_prometheus.c); the outputs use it to write --once's every
 * host the same way. */
#ifndef FLEETDECK_RULES_PROMETHEUS_H
#define FLEETDECK_RULES_PROMETHEUS_H

#include "fleet/fleet.h"
#include "model/model.h"
#include "rules/rules.h"

/* What every host of one section shares: a fleet_host as discovery would
 * have made it (role "via prometheus NAME", the fleet's thresholds, the
 * section's watched mounts and interval). */
struct rules_prom_ctx {
	const struct fleet_section *sec;
	struct fleet_host fh;
	char **mounts;
	int nmounts;
	char role[128];
};

void rules_prom_ctx_init(struct rules_prom_ctx *c, const struct fleet *f, size_t section,
			 const struct prom_fleet *pf);
void rules_prom_ctx_free(struct rules_prom_ctx *c);
/* Host i of pf->all as a sample, judged (c->fh.name is set to its name). */
void rules_prom_judge(struct rules_prom_ctx *c, const struct prom_fleet *pf, size_t i, double now,
		      struct host_sample *s, struct host_eval *he);

#endif
