/* Each domain's rules (src/rules/rules_<domain>.c), listed in rules.c. */
#ifndef FLEETDECK_RULES_DOMAINS_H
#define FLEETDECK_RULES_DOMAINS_H

#include "rules/rules.h"

void rules_containers(const struct fleet *f, const struct snapshot *snap, double now,
		struct rules_state *st, struct evaluation *out);
void rules_databases(const struct fleet *f, const struct snapshot *snap, double now,
		struct rules_state *st, struct evaluation *out);
void rules_gpus(const struct fleet *f, const struct snapshot *snap, double now,
		struct rules_state *st, struct evaluation *out);
void rules_services(const struct fleet *f, const struct snapshot *snap, double now,
		struct rules_state *st, struct evaluation *out);
void rules_actions(const struct fleet *f, const struct snapshot *snap, double now,
		struct rules_state *st, struct evaluation *out);

#endif
