#include "config.h"

#include <string.h>

#include "rules/domains.h"
#include "util/util.h"

/* Service and link rules (SPEC §3): a failed check is crit; a certificate
 * with less than 14 days left is warn, less than 3 crit; a result older than
 * 3 x interval + timeout is unknown (a check may legitimately take its
 * timeout). A section without `check` is not a target: it is
 * drawn (topology) but never judged. */

#define CERT_WARN_DAYS 14.0
#define CERT_CRIT_DAYS 3.0

static void check_eval(struct host_eval *ev, const struct service_sample *s, double now,
		       const char *what)
{
	double age = s->sampled_at > 0 ? now - s->sampled_at : -1;

	ev->age = age;
	if (!s->collected) {
		rules_problem_add(ev, ST_UNKNOWN, "pending", "%s not checked yet", what);
		return;
	}
	/* a check may take up to its timeout: only later than that is it stale */
	if (age > 3 * (s->interval > 0 ? s->interval : 2) + s->timeout) {
		ev->stale = true;
		rules_problem_add(ev, ST_UNKNOWN, "stale", "stale: last checked %.0f s ago", age);
		return;
	}
	if (!s->ok)
		rules_problem_add(ev, ST_CRIT, "check", "check failed: %s", s->error);
	if (s->cert_days_left >= 0 && s->cert_days_left < CERT_CRIT_DAYS)
		rules_problem_add(ev, ST_CRIT, "cert", "TLS certificate expires in %.1f days",
				  s->cert_days_left);
	else if (s->cert_days_left >= 0 && s->cert_days_left < CERT_WARN_DAYS)
		rules_problem_add(ev, ST_WARN, "cert", "TLS certificate expires in %.0f days",
				  s->cert_days_left);
}

/* "A -> B" as "A->B" for target names. */
static void link_target(char *buf, size_t size, const char *name)
{
	size_t n = 0;

	for (const char *p = name; *p && n + 1 < size; p++)
		if (*p != ' ')
			buf[n++] = *p;
	buf[n] = '\0';
}

void rules_services(const struct fleet *f, const struct snapshot *snap, double now,
		    struct rules_state *st, struct evaluation *out)
{
	size_t ns = fleet_count(f, SEC_SERVICE);

	for (size_t i = 0; i < ns && i < snapshot_count(snap, DOM_SERVICE); i++) {
		const struct fleet_section *sec = fleet_nth(f, SEC_SERVICE, i);
		struct target_eval *t;

		if (!fleet_section_get(sec, "check"))
			continue;
		t = rules_target_add(out, DOM_SERVICE, (int)i, -1, "service/%s", sec->name);
		check_eval(&t->ev, snap_service(snap, i),
			   rules_judge_time(st, snap_service(snap, i)->sampled_at, now), "service");
	}
}

void rules_links(const struct fleet *f, const struct snapshot *snap, double now,
		 struct rules_state *st, struct evaluation *out)
{
	size_t nl = fleet_count(f, SEC_LINK);
	char name[96];

	for (size_t i = 0; i < nl && i < snapshot_count(snap, DOM_LINK); i++) {
		const struct fleet_section *sec = fleet_nth(f, SEC_LINK, i);
		struct target_eval *t;

		if (!fleet_section_get(sec, "check"))
			continue;
		link_target(name, sizeof(name), sec->name);
		t = rules_target_add(out, DOM_LINK, (int)i, -1, "link/%s", name);
		check_eval(&t->ev, &snap_link(snap, i)->c,
			   rules_judge_time(st, snap_link(snap, i)->c.sampled_at, now), "link");
	}
}
