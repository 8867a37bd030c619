#include "config.h"
#include "out/domains.h"
#include "model/fields.h"
#include "history/history.h"
#include "out/flat.h"
#include "util/util.h"
#include "util/text.h"

#include <string.h>

/* Containers in the outputs: hosts[].containers in JSON (SPEC §4) and a
 * CONTAINERS section in the --once text. Unknown values are null / "n/a",
 * never a made-up zero; mem_limit null means "no limit". */

static bool host_has(const struct snapshot *s, size_t host)
{
	return host < snapshot_count(s, DOM_CONTAINER) && snap_containers(s, host)->collected;
}

static json_t *problems_json(const struct target_eval *t)
{
	json_t *a = json_array();

	for (int p = 0; t && p < t->ev.nproblems; p++)
		json_array_append_new(a, json_text(t->ev.problems[p].text, false));
	return a;
}

static json_t *container_json(const struct container_sample *c, const struct target_eval *t)
{
	json_t *o = json_object();

	json_object_set_new(o, "name", json_text(c->name, false));
	json_object_set_new(o, "id", json_text(c->id, false));
	json_object_set_new(o, "image", json_text(c->image, false));
	json_object_set_new(o, "state", json_text(c->state, false));
	json_object_set_new(o, "restarts", c->valid & CV_RESTARTS ? json_integer(c->restarts) : json_null());
	json_object_set_new(o, "mem_used", c->valid & CV_MEM ? json_integer((json_int_t)c->mem_used)
			    : json_null());
	/* SPEC §4: null = no limit; an unknown limit is left out of the number too */
	json_object_set_new(o, "mem_limit", (c->valid & CV_LIMIT) && c->mem_limit > 0
			    ? json_integer((json_int_t)c->mem_limit) : json_null());
	json_object_set_new(o, "mem_limit_known", json_boolean(c->valid & CV_LIMIT));
	json_object_set_new(o, "cpu_pct", c->valid & CV_CPU ? json_real(c->cpu_pct) : json_null());
	json_object_set_new(o, "status", json_string(status_name(t ? t->ev.status : ST_UNKNOWN)));
	json_object_set_new(o, "problems", problems_json(t));
	return o;
}

json_t *json_containers(OUT_ARGS, size_t host)
{
	json_t *a = json_array();
	const struct host_containers *hc;

	(void)f; (void)now;
	if (!host_has(s, host))
		return a;
	hc = snap_containers(s, host);
	for (int k = 0; k < hc->n && k < MODEL_MAX_CONTAINERS; k++)
		json_array_append_new(a, container_json(&hc->c[k],
							rules_target_find(ev, DOM_CONTAINER, (int)host, k)));
	return a;
}

static void text_host(FILE *fp, const struct fleet *f, const struct host_containers *hc,
		      const struct evaluation *ev, size_t i)
{
	const struct target_eval *ht = rules_target_find(ev, DOM_CONTAINER, (int)i, -1);
	char used[16], lim[16], cpu[16];

	if (hc->n == 0 && !ht) {
		fprintf(fp, "%-7s  %-20.20s  %s\n", "-", f->hosts[i].name,
			hc->err == CE_NO_ENGINE ? "no container engine" : "no containers");
		return;
	}
	for (int p = 0; ht && p < ht->ev.nproblems; p++)
		fprintf(fp, "%-7s  %-20.20s  %s\n", status_name(ht->ev.problems[p].severity),
			f->hosts[i].name, ht->ev.problems[p].text);
	for (int k = 0; k < hc->n && k < MODEL_MAX_CONTAINERS; k++) {
		const struct container_sample *c = &hc->c[k];
		const struct target_eval *t = rules_target_find(ev, DOM_CONTAINER, (int)i, k);

		if (c->valid & CV_MEM)
			fmt_bytes(used, sizeof(used), (double)c->mem_used);
		else
			str_copy(used, "n/a", sizeof(used));
		if (!(c->valid & CV_LIMIT))
			str_copy(lim, "n/a", sizeof(lim));
		else if (c->mem_limit == 0)
			str_copy(lim, "none", sizeof(lim));
		else
			fmt_bytes(lim, sizeof(lim), (double)c->mem_limit);
		if (c->valid & CV_CPU)
			snprintf(cpu, sizeof(cpu), "%.1f%%", c->cpu_pct);
		else
			str_copy(cpu, "n/a", sizeof(cpu));
		fprintf(fp, "%-7s  %-20.20s  %-24.24s  %-9.9s  %7s  %7s  %6s  %s\n",
			status_name(t ? t->ev.status : ST_UNKNOWN), f->hosts[i].name, c->name,
			c->state, used, lim, cpu, t && t->ev.nproblems ? t->ev.problems[0].text : "");
	}
}

void text_containers(FILE *fp, OUT_ARGS)
{
	bool any = false;

	(void)now;
	for (size_t i = 0; i < f->nhosts; i++)
		any |= host_has(s, i);
	if (!any)
		return;
	fprintf(fp, "\n%-7s  %-20s  %-24s  %-9s  %7s  %7s  %6s  %s\n", "STATUS", "HOST",
		"CONTAINER", "STATE", "MEM", "LIMIT", "CPU", "PROBLEM");
	for (size_t i = 0; i < f->nhosts; i++)
		if (host_has(s, i))
			text_host(fp, f, snap_containers(s, i), ev, i);
}

/* ---- what a recording keeps (model/fields.h; the domain table's .record) ---- */

static const struct rec_field container_fields[] = {
	R_STR(struct container_sample, id), R_STR(struct container_sample, name),
	R_STR(struct container_sample, image), R_STR(struct container_sample, state),
	R_UNS(struct container_sample, valid), R_INT(struct container_sample, restarts),
	R_U64(struct container_sample, mem_used), R_U64(struct container_sample, mem_limit),
	R_DBL(struct container_sample, cpu_pct),
	/* why a row is unknown: values refused, an inspect that gave nothing
	 * (without them a replay would judge the row ok) */
	R_STR(struct container_sample, implausible), R_STR(struct container_sample, unread),
};
static R_DESC(container_desc, container_fields);

static const struct rec_field containers_fields[] = {
	R_BOO(struct host_containers, collected), R_TIM(struct host_containers, sampled_at),
	R_DBL(struct host_containers, interval), R_STR(struct host_containers, engine),
	R_STR(struct host_containers, via), R_INT(struct host_containers, err),
	R_STR(struct host_containers, error), R_INT(struct host_containers, total),
	R_ARR(struct host_containers, c, struct container_sample, n, container_desc),
};
R_DESC(rec_containers, containers_fields);

/* What the history keeps of a host's containers (the row's .trends). */
void trends_containers(struct hist_store *h, size_t i, const void *sample)
{
	const struct host_containers *hc = sample;

	if (!hc->collected || hc->sampled_at <= 0)
		return;
	for (int k = 0; k < hc->n && k < MODEL_MAX_CONTAINERS; k++)
		if ((hc->c[k].valid & CV_MEM) && hc->c[k].name[0])
			hist_add(h, HM_CONTAINER_MEM, i, hc->c[k].name, hc->sampled_at, hc->interval,
				 (double)hc->c[k].mem_used);
}

/* ---- what the exports show (out/flat.h; the domain table's .export) ---- */

static const struct flat_family container_families[] = {
	FLAT("container_status", "", "status", 1, FH_STATUS, "Status of the container (1 for the current one)."),
	FLAT("container_memory_used_bytes", "bytes", "mem_used", 1, FH_NUMBER, "Memory the container uses."),
	FLAT("container_memory_limit_bytes", "bytes", "mem_limit", 1, FH_NUMBER, "The container's memory limit (absent when it has none)."),
	FLAT("container_cpu_ratio", "ratio", "cpu_pct", FLAT_PCT, FH_NUMBER, "CPU used, in cores (1 = one core busy)."),
	FLAT("container_restarts", "", "restarts", 1, FH_NUMBER, "Restarts of the container (cumulative)."),
};
const struct flat_kind flat_containers = {
	"container", "containers", &flat_host, { "container" }, { "name" }, NULL,
	FLAT_FAMILIES(container_families)
};
