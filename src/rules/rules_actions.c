#include "config.h"
#include "rules/domains.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

/* SPEC §3, runners and key rows. */

#define KEY_WARN_FRACTION 0.9
#define KEY_DEFAULT_MAX_AGE (90.0 * 86400)

static void eval_runners(const struct fleet_section *sec, const struct runners_sample *s,
			 double now, struct host_eval *ev)
{
	int min = fleet_section_int(sec, "min", 0), max = fleet_section_int(sec, "max", -1);

	if (!s->collected) {
		rules_problem_add(ev, ST_UNKNOWN, "pending", "not listed yet");
		return;
	}
	if (s->error[0] || s->count < 0) {
		rules_problem_add(ev, ST_UNKNOWN, "list", "%s", s->error[0] ? s->error : "count unknown");
		return;
	}
	if (rules_check_stale(ev, s->sampled_at, s->interval, now))
		return;
	/* "no idle runner" only when idle is known (no runner at all is known
	 * too); a queue with idle unknown (status = forgejo has no runner
	 * states) is unknown, never green */
	if (s->queued > 0 && (s->idle == 0 || s->count == 0))
		rules_problem_add(ev, ST_WARN, "queue", "%d job%s queued and no idle runner",
				  s->queued, s->queued == 1 ? "" : "s");
	else if (s->queued > 0 && s->idle < 0)
		rules_problem_add(ev, ST_UNKNOWN, "queue", "%d job%s queued; whether a runner is idle "
				  "is unknown (the status source has no runner states)",
				  s->queued, s->queued == 1 ? "" : "s");
	if (s->count < min)
		rules_problem_add(ev, ST_WARN, "bounds", "%d runners, below min %d", s->count, min);
	if (max >= 0 && s->count > max)
		rules_problem_add(ev, ST_WARN, "bounds", "%d runners, above max %d", s->count, max);
}

/* max_age of a [key] in seconds (default 90d). */
static double rules_key_max_age(const struct fleet_section *sec)
{
	const char *v = fleet_section_value(sec, "max_age");
	double d;

	return v && parse_duration(v, &d) == 0 && d > 0 ? d : KEY_DEFAULT_MAX_AGE;
}

static void eval_key(const struct fleet_section *sec, const struct key_sample *s, double now,
		     struct host_eval *ev)
{
	double max_age = rules_key_max_age(sec), age;
	char a[32], m[32];

	if (!s->collected) {
		rules_problem_add(ev, ST_UNKNOWN, "pending", "not read yet");
		return;
	}
	if (s->error[0] || s->created_at <= 0) {
		rules_problem_add(ev, ST_UNKNOWN, "age", "%s", s->error[0] ? s->error : "age unknown");
		return;
	}
	if (rules_check_stale(ev, s->sampled_at, s->interval, now))
		return;
	age = now - s->created_at;
	fmt_age(a, sizeof(a), age);
	fmt_age(m, sizeof(m), max_age);
	if (age > max_age)
		rules_problem_add(ev, ST_CRIT, "age", "key is %s old, past max_age %s: rotate it", a, m);
	else if (age > KEY_WARN_FRACTION * max_age)
		rules_problem_add(ev, ST_WARN, "age", "key is %s old, near max_age %s", a, m);
}

void rules_runners(const struct fleet *f, const struct snapshot *snap, double now,
		   struct rules_state *st, struct evaluation *out)
{
	for (size_t i = 0; i < snapshot_count(snap, DOM_RUNNERS); i++) {
		const struct fleet_section *sec = fleet_nth(f, SEC_RUNNERS, i);
		struct target_eval *t;
		if (!sec)
			continue;
		t = rules_target_add(out, DOM_RUNNERS, (int)i, -1, "runners/%s", sec->name);
		eval_runners(sec, snap_runners(snap, i),
			     rules_judge_time(st, snap_runners(snap, i)->sampled_at, now), &t->ev);
	}
}

void rules_keys(const struct fleet *f, const struct snapshot *snap, double now,
		struct rules_state *st, struct evaluation *out)
{
	for (size_t i = 0; i < snapshot_count(snap, DOM_KEY); i++) {
		const struct fleet_section *sec = fleet_nth(f, SEC_KEY, i);
		struct target_eval *t;
		if (!sec)
			continue;
		t = rules_target_add(out, DOM_KEY, (int)i, -1, "key/%s", sec->name);
		eval_key(sec, snap_key(snap, i), rules_judge_time(st, snap_key(snap, i)->sampled_at, now),
			 &t->ev);
	}
}
