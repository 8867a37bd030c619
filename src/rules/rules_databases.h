/* Database and backup rules, exposed for the outputs, the view and tests. */
#ifndef FLEETDECK_RULES_DATABASES_H
#define FLEETDECK_RULES_DATABASES_H

#include "fleet/fleet.h"
#include "model/model.h"
#include "rules/rules.h"

enum rpo_status { RPO_OK, RPO_WARN, RPO_BREACH, RPO_UNKNOWN };

/* Problems of one backup (SPEC §2: ok <= 0.8 x rpo < warn <= rpo < breach;
 * unknown when unreadable or stale). */
void rules_backup_eval(const struct fleet_section *sec, const struct backup_sample *s,
		       double now, struct host_eval *ev);
/* The backup's RPO status alone, and its word ("ok" "warn" "breach" "unknown"). */
enum rpo_status rules_backup_rpo(const struct fleet_section *sec, const struct backup_sample *s,
				 double now);
const char *rpo_status_name(enum rpo_status r);
/* The RPO status the rules gave a backup's target (unknown without one):
 * what views and outputs show, so they never judge it again. */
static inline enum rpo_status rules_backup_verdict(const struct target_eval *t)
{
	return t && t->verdict >= RPO_OK && t->verdict <= RPO_UNKNOWN ? (enum rpo_status)t->verdict
								       : RPO_UNKNOWN;
}
/* A duration key of a section in seconds, 0 when unset. */
double rules_section_seconds(const struct fleet_section *sec, const char *key);

#endif
