#include "config.h"
#include "rules/domains.h"

/* containers: no rules yet (see SPEC §3). Add targets with rules_target_add()
 * and their problems with rules_problem_add(). */
void rules_containers(const struct fleet *f, const struct snapshot *snap, double now,
		struct rules_state *st, struct evaluation *out)
{
	(void)f; (void)snap; (void)now; (void)st; (void)out;
}
