/* Each domain's rules (src/rules/rules_<domain>.c), named in its row of the
 * domain table (domain/domains.c); rules.c runs them in table order. */
#ifndef FLEETDECK_RULES_DOMAINS_H
#define FLEETDECK_RULES_DOMAINS_H

#include "rules/rules.h"

#define RULES_ARGS const struct fleet *f, const struct snapshot *snap, double now, \
	struct rules_state *st, struct evaluation *out

void rules_containers(RULES_ARGS);
void rules_databases(RULES_ARGS);
void rules_backups(RULES_ARGS);
void rules_gpus(RULES_ARGS);
void rules_services(RULES_ARGS);
void rules_links(RULES_ARGS);
void rules_runners(RULES_ARGS);
void rules_keys(RULES_ARGS);
void rules_prometheus(RULES_ARGS);

#endif
