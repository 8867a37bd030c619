/* Outputs of the [prometheus] sections judged on the server: a top-level
 * "prometheus" array (state, counts per status, the problem hosts), and with
 * --once every host in "hosts", written like an SSH host (same fields, same
 * rules: rules_prometheus.h). The --once text table gets one line per
 * section and its problem hosts. */
#include "config.h"
#include "out/domains.h"
#include "rules/rules_prometheus.h"
#include "util/text.h"
#include "util/util.h"

#include <stdint.h>
#include <string.h>

static const char *state_name(enum prom_fleet_state st)
{
	switch (st) {
	case PF_DISCOVERING: return "discovering";
	case PF_READY: return "ready";
	case PF_OFF: break;
	}
	return "off";
}

static json_t *counts_json(const size_t counts[4])
{
	json_t *o = json_object();
	static const enum status order[] = { ST_OK, ST_WARN, ST_CRIT, ST_UNKNOWN };

	for (size_t i = 0; i < ARRAY_LEN(order); i++)
		json_object_set_new(o, status_name(order[i]), json_integer((json_int_t)counts[order[i]]));
	return o;
}

static json_t *problem_hosts(const struct evaluation *ev, size_t sec)
{
	json_t *a = json_array();

	for (size_t t = 0; t < ev->ntargets; t++) {
		const struct target_eval *te = &ev->targets[t];
		json_t *o;
		if (te->kind != DOM_PROMFLEET || te->index != (int)sec || !te->host)
			continue;
		/* the names are the server's instance labels: through the
		 * one JSON string helper (util/text.h) like every remote text */
		o = json_object();
		json_object_set_new(o, "name", json_text(te->target + strlen("host/"), false));
		json_object_set_new(o, "status", json_string(status_name(te->ev.status)));
		json_object_set_new(o, "problem", json_text(te->ev.nproblems ?
							    te->ev.problems[0].text : NULL, false));
		json_array_append_new(a, o);
	}
	return a;
}

json_t *json_prometheus(OUT_ARGS)
{
	json_t *a = json_array();

	(void)now;
	for (size_t i = 0; i < snapshot_count(s, DOM_PROMFLEET); i++) {
		const struct prom_fleet *pf = snap_promfleet(s, i);
		const struct fleet_section *sec = fleet_nth(f, SEC_PROMETHEUS, i);
		size_t counts[4] = { 0 };
		json_t *o;
		if (pf->state == PF_OFF || !sec)
			continue;
		o = json_object();
		json_object_set_new(o, "name", json_string(sec->name));
		json_object_set_new(o, "url", json_string(fleet_section_get(sec, "url") ?: ""));
		json_object_set_new(o, "judged_on", json_string(pf->all ? "client" : "server"));
		json_object_set_new(o, "state", json_string(state_name(pf->state)));
		json_object_set_new(o, "hosts", json_integer((json_int_t)(pf->all ? pf->nall : pf->nhosts)));
		if (pf->all) {
			/* --once: the counts of the rules' judgement of every host */
			struct rules_prom_ctx c;
			struct host_sample hs;
			struct host_eval he;
			rules_prom_ctx_init(&c, f, i, pf);
			for (size_t k = 0; k < pf->nall; k++) {
				rules_prom_judge(&c, pf, k, rules_eval_judge_time(ev, pf->sampled_at, now), &hs, &he);
				counts[he.status]++;
			}
			rules_prom_ctx_free(&c);
		} else {
			memcpy(counts, pf->counts, sizeof(counts));
		}
		json_object_set_new(o, "counts", counts_json(counts));
		json_object_set_new(o, "problem_hosts", problem_hosts(ev, i));
		json_object_set_new(o, "sampled_at", pf->sampled_at > 0 ?
				    json_real(pf->sampled_at) : json_null());
		json_object_set_new(o, "error", pf->error[0] ? json_string(pf->error) : json_null());
		json_array_append_new(a, o);
	}
	return a;
}

void json_prometheus_hosts(OUT_ARGS, void (*put)(void *arg, json_t *host), void *arg)
{
	for (size_t i = 0; i < snapshot_count(s, DOM_PROMFLEET); i++) {
		const struct prom_fleet *pf = snap_promfleet(s, i);
		struct rules_prom_ctx c;
		if (!pf->all)
			continue;
		rules_prom_ctx_init(&c, f, i, pf);
		for (size_t k = 0; k < pf->nall; k++) {
			struct host_sample hs;
			struct host_eval he;
			rules_prom_judge(&c, pf, k, rules_eval_judge_time(ev, pf->sampled_at, now), &hs, &he);
			put(arg, out_json_host(f, s, ev, now, &c.fh, pf->all_names[k], &hs, &he,
					       SIZE_MAX));
		}
		rules_prom_ctx_free(&c);
	}
}

void text_prometheus(FILE *fp, OUT_ARGS)
{
	(void)now;
	for (size_t i = 0; i < snapshot_count(s, DOM_PROMFLEET); i++) {
		const struct prom_fleet *pf = snap_promfleet(s, i);
		const struct fleet_section *sec = fleet_nth(f, SEC_PROMETHEUS, i);
		if (pf->state == PF_OFF || !sec)
			continue;
		fprintf(fp, "\nprometheus %s: ", sec->name);
		if (pf->state != PF_READY)
			fprintf(fp, "%s\n", pf->error);
		else
			fprintf(fp, "%zu hosts: %zu ok, %zu warn, %zu crit, %zu unknown%s%s\n",
				pf->nhosts, pf->counts[ST_OK], pf->counts[ST_WARN], pf->counts[ST_CRIT],
				pf->counts[ST_UNKNOWN], pf->error[0] ? "; " : "", pf->error);
		for (size_t t = 0; t < ev->ntargets; t++) {
			const struct target_eval *te = &ev->targets[t];
			if (te->kind != DOM_PROMFLEET || te->index != (int)i || !te->host)
				continue;
			fprintf(fp, "  %-7s  %-32s  %s\n", status_name(te->ev.status),
				te->target + strlen("host/"),
				te->ev.nproblems ? te->ev.problems[0].text : "");
		}
	}
}
