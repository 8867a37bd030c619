#include "config.h"
#include "out/domains.h"
#include "model/fields.h"
#include "history/history.h"
#include "out/flat.h"
#include "util/util.h"
#include "util/text.h"

#include <stdlib.h>
#include <string.h>

/* SPEC §4 "runners" and "keys", and the --once text section. Unknown
 * values are null; a key's secret is never in the model, so never here. */

static json_t *j_str(const char *s)
{
	return json_text(s, true);
}

static json_t *j_count(int n)
{
	return n >= 0 ? json_integer(n) : json_null();
}

static json_t *j_section_int(const struct fleet_section *sec, const char *key)
{
	const char *v = fleet_section_value(sec, key);
	char *end;
	long n;

	if (!v)
		return json_null();
	n = strtol(v, &end, 10);
	return end != v && *end == '\0' ? json_integer(n) : json_null();
}

static const char *target_status(const struct evaluation *ev, enum domain_id k, size_t i)
{
	const struct target_eval *t = rules_target_find(ev, k, (int)i, -1);

	return status_name(t ? (t->ev.stale ? ST_UNKNOWN : t->ev.status) : ST_UNKNOWN);
}

static json_t *j_problems(const struct evaluation *ev, enum domain_id k, size_t i)
{
	const struct target_eval *t = rules_target_find(ev, k, (int)i, -1);
	json_t *a = json_array();

	for (int p = 0; t && p < t->ev.nproblems; p++)
		json_array_append_new(a, j_str(t->ev.problems[p].text));
	return a;
}

json_t *json_runners(OUT_ARGS)
{
	json_t *a = json_array();

	(void)now;
	for (size_t i = 0; i < snapshot_count(s, DOM_RUNNERS); i++) {
		const struct fleet_section *sec = fleet_nth(f, SEC_RUNNERS, i);
		const struct runners_sample *r = snap_runners(s, i);
		bool ok = r->collected && !r->error[0];
		json_t *o = json_object(), *list = json_array();

		if (!sec)
			continue;
		json_object_set_new(o, "name", j_str(sec->name));
		json_object_set_new(o, "provider", j_str(fleet_section_value(sec, "provider")));
		json_object_set_new(o, "status", json_string(target_status(ev, DOM_RUNNERS, i)));
		json_object_set_new(o, "sampled_at", r->sampled_at > 0 ? json_real(r->sampled_at) : json_null());
		json_object_set_new(o, "count", j_count(ok ? r->count : -1));
		json_object_set_new(o, "min", j_section_int(sec, "min"));
		json_object_set_new(o, "max", j_section_int(sec, "max"));
		/* each unknown on its own (a plain list, or status = forgejo,
		 * which knows busy but not idle): null, never zero */
		json_object_set_new(o, "busy", j_count(ok ? r->busy : -1));
		json_object_set_new(o, "idle", j_count(ok ? r->idle : -1));
		json_object_set_new(o, "offline", j_count(ok ? r->offline : -1));
		json_object_set_new(o, "queued", j_count(ok ? r->queued : -1));
		for (int k = 0; ok && k < r->n; k++) {
			json_t *it = json_object();
			json_object_set_new(it, "name", j_str(r->r[k].name));
			json_object_set_new(it, "state", j_str(r->r[k].state));
			if (r->r[k].created_at > 0)
				json_object_set_new(it, "created_at", json_real(r->r[k].created_at));
			json_array_append_new(list, it);
		}
		json_object_set_new(o, "runners", list);
		if (ok && r->cost_hourly >= 0)   /* digitalocean: price_hourly x droplets */
			json_object_set_new(o, "cost_hourly", json_real(r->cost_hourly));
		json_object_set_new(o, "error", j_str(r->error));
		json_object_set_new(o, "problems", j_problems(ev, DOM_RUNNERS, i));
		json_array_append_new(a, o);
	}
	return a;
}

static double key_max_age(const struct fleet_section *sec)
{
	const char *v = fleet_section_value(sec, "max_age");
	double d;

	return v && parse_duration(v, &d) == 0 && d > 0 ? d : 90.0 * 86400;
}

json_t *json_keys(OUT_ARGS)
{
	json_t *a = json_array();

	for (size_t i = 0; i < snapshot_count(s, DOM_KEY); i++) {
		const struct fleet_section *sec = fleet_nth(f, SEC_KEY, i);
		const struct key_sample *k = snap_key(s, i);
		bool ok = k->collected && !k->error[0] && k->created_at > 0;
		json_t *o = json_object();

		if (!sec)
			continue;
		json_object_set_new(o, "name", j_str(sec->name));
		json_object_set_new(o, "provider", j_str(fleet_section_value(sec, "provider")));
		json_object_set_new(o, "status", json_string(target_status(ev, DOM_KEY, i)));
		json_object_set_new(o, "id", j_str(ok ? k->id : NULL));
		json_object_set_new(o, "created_at", ok ? json_real(k->created_at) : json_null());
		json_object_set_new(o, "age_s", ok ? json_real(now - k->created_at) : json_null());
		json_object_set_new(o, "max_age_s", json_real(key_max_age(sec)));
		json_object_set_new(o, "error", j_str(k->error));
		json_object_set_new(o, "problems", j_problems(ev, DOM_KEY, i));
		json_array_append_new(a, o);
	}
	return a;
}

void text_runners(FILE *fp, OUT_ARGS)
{
	(void)now;
	if (snapshot_count(s, DOM_RUNNERS) > 0)
		fprintf(fp, "\n%-8s %-24s %-13s %6s %9s  %s\n", "STATUS", "RUNNERS", "PROVIDER", "COUNT",
			"MIN/MAX", "PROBLEMS");
	for (size_t i = 0; i < snapshot_count(s, DOM_RUNNERS); i++) {
		const struct fleet_section *sec = fleet_nth(f, SEC_RUNNERS, i);
		const struct runners_sample *r = snap_runners(s, i);
		const struct target_eval *t = rules_target_find(ev, DOM_RUNNERS, (int)i, -1);
		char cnt[16], mm[24], name[64];
		if (!sec)
			continue;
		str_copy(name, sec->name, sizeof(name));
		str_fmt(cnt, sizeof(cnt), r->count >= 0 && !r->error[0] ? "%d" : "n/a", r->count);
		str_fmt(mm, sizeof(mm), "%s/%s", fleet_section_value(sec, "min") ?: "0",
			fleet_section_value(sec, "max") ?: "-");
		fprintf(fp, "%-8s %-24s %-13s %6s %9s  %s\n", target_status(ev, DOM_RUNNERS, i), name,
			fleet_section_value(sec, "provider"), cnt, mm,
			t && t->ev.nproblems ? t->ev.problems[0].text : "");
	}
}

void text_keys(FILE *fp, OUT_ARGS)
{
	char age[32];

	if (snapshot_count(s, DOM_KEY) > 0)
		fprintf(fp, "\n%-8s %-24s %-20s %8s %8s  %s\n", "STATUS", "KEY", "PROVIDER", "AGE",
			"MAX_AGE", "PROBLEMS");
	for (size_t i = 0; i < snapshot_count(s, DOM_KEY); i++) {
		const struct fleet_section *sec = fleet_nth(f, SEC_KEY, i);
		const struct key_sample *k = snap_key(s, i);
		const struct target_eval *t = rules_target_find(ev, DOM_KEY, (int)i, -1);
		char ma[32];
		if (!sec)
			continue;
		if (k->created_at > 0 && !k->error[0])
			fmt_age(age, sizeof(age), now - k->created_at);
		else
			str_copy(age, "n/a", sizeof(age));
		fmt_age(ma, sizeof(ma), key_max_age(sec));
		fprintf(fp, "%-8s %-24s %-20s %8s %8s  %s\n", target_status(ev, DOM_KEY, i), sec->name,
			fleet_section_value(sec, "provider"), age, ma,
			t && t->ev.nproblems ? t->ev.problems[0].text : "");
	}
}

/* ---- what a recording keeps (model/fields.h; the domain table's .record) ---- */

static const struct rec_field runner_fields[] = {
	R_STR(struct runner_item, name), R_STR(struct runner_item, state),
	R_TIM(struct runner_item, created_at),
};
static R_DESC(runner_desc, runner_fields);

static const struct rec_field runners_fields[] = {
	R_BOO(struct runners_sample, collected), R_TIM(struct runners_sample, sampled_at),
	R_DBL(struct runners_sample, interval), R_STR(struct runners_sample, error),
	R_INT(struct runners_sample, count), R_INT(struct runners_sample, busy),
	R_INT(struct runners_sample, idle), R_INT(struct runners_sample, offline),
	R_INT(struct runners_sample, queued), R_DBL(struct runners_sample, cost_hourly),
	R_ARR(struct runners_sample, r, struct runner_item, n, runner_desc),
};
R_DESC(rec_runners, runners_fields);

/* What the history keeps of a runner fleet (its row's .trends). */
void trends_runners(struct hist_store *h, size_t i, const void *sample)
{
	const struct runners_sample *r = sample;

	if (!r->collected || r->sampled_at <= 0 || r->queued < 0)
		return;
	hist_add(h, HM_RUNNERS_QUEUED, i, "", r->sampled_at, r->interval, r->queued);
}

/* The key's shown id or prefix, never the secret (the model has none). */
static const struct rec_field key_fields[] = {
	R_BOO(struct key_sample, collected), R_TIM(struct key_sample, sampled_at),
	R_DBL(struct key_sample, interval), R_STR(struct key_sample, error),
	R_TIM(struct key_sample, created_at), R_STR(struct key_sample, id),
};
R_DESC(rec_keys, key_fields);

/* ---- what the exports show (out/flat.h; the domain table's .export) ---- */

static const struct flat_family runners_families[] = {
	FLAT("runners_status", "", "status", 1, FH_STATUS, "Status of the runner fleet (1 for the current one)."),
	FLAT("runners_running", "", "count", 1, FH_NUMBER, "Runners running or starting."),
	FLAT("runners_busy", "", "busy", 1, FH_NUMBER, "Runners running a job."),
	FLAT("runners_idle", "", "idle", 1, FH_NUMBER, "Runners waiting for a job."),
	FLAT("runners_offline", "", "offline", 1, FH_NUMBER, "Runners offline."),
	FLAT("runners_queued_jobs", "", "queued", 1, FH_NUMBER, "Jobs waiting for a runner."),
};
const struct flat_kind flat_runners = {
	"runners", "runners", NULL, { "runners" }, { "name" }, NULL,
	FLAT_FAMILIES(runners_families)
};

static const struct flat_family key_families[] = {
	FLAT("key_status", "", "status", 1, FH_STATUS, "Status of the key against its max_age (1 for the current one)."),
	FLAT("key_age_seconds", "seconds", "age_s", 1, FH_NUMBER, "Age of the key."),
	FLAT("key_max_age_seconds", "seconds", "max_age_s", 1, FH_NUMBER, "The key's max_age."),
};
const struct flat_kind flat_keys = {
	"key", "keys", NULL, { "key" }, { "name" }, NULL,
	FLAT_FAMILIES(key_families)
};
