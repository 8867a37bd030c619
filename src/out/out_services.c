#include "config.h"

#include <math.h>
#include <string.h>

#include "out/domains.h"
#include "model/fields.h"
#include "history/history.h"
#include "out/flat.h"
#include "util/util.h"
#include "util/text.h"

/* GPUs (per host), services and links in the JSON document (SPEC §4) and
 * the --once text. Unknown values are null, never 0; a section without a
 * check has "status": null and "checked": false. */

static json_t *num_if(bool ok, double v)
{
	return ok && isfinite(v) ? json_real(round(v * 100) / 100) : json_null();
}

static json_t *uint_if(bool ok, uint64_t v)
{
	return ok ? json_integer(v > INT64_MAX ? INT64_MAX : (json_int_t)v) : json_null();
}

static json_t *str_or_null(const char *s)
{
	return json_text(s, true);
}

static json_t *problems_json(const struct target_eval *t)
{
	json_t *a = json_array();

	for (int k = 0; t && k < t->ev.nproblems; k++)
		json_array_append_new(a, json_text(t->ev.problems[k].text, false));
	return a;
}

static json_t *status_json(const struct target_eval *t)
{
	return t ? json_string(status_name(t->ev.status)) : json_null();
}

static json_t *procs_json(const struct gpu_sample *g, const struct snapshot *s, size_t host)
{
	json_t *a = json_array();

	for (int k = 0; k < g->nprocs; k++) {
		json_t *p = json_object();
		const char *ctr = snapshot_container_name(s, host, g->procs[k].container);
		json_object_set_new(p, "pid", json_integer(g->procs[k].pid));
		json_object_set_new(p, "name", json_text(g->procs[k].name, false));
		json_object_set_new(p, "mem_used", uint_if(g->procs[k].mem_valid, g->procs[k].mem));
		/* the container it runs in: its name when known, else the short id */
		json_object_set_new(p, "container", g->procs[k].container[0] ?
				    json_text(ctr ? ctr : g->procs[k].container, false) : json_null());
		/* or the systemd service it runs in, when not in a container */
		json_object_set_new(p, "unit", g->procs[k].unit[0] ?
				    json_text(g->procs[k].unit, false) : json_null());
		json_array_append_new(a, p);
	}
	return a;
}

static json_t *gpu_json(const struct gpu_sample *g, const struct target_eval *t,
			const struct snapshot *s, size_t host)
{
	json_t *o = json_object();
	unsigned v = g->valid;

	json_object_set_new(o, "index", json_integer(g->index));
	json_object_set_new(o, "name", (v & GV_NAME) ? json_text(g->name, false) : json_null());
	json_object_set_new(o, "uuid", str_or_null(g->uuid));
	json_object_set_new(o, "status", status_json(t));
	json_object_set_new(o, "util_pct", num_if(v & GV_UTIL, g->util_pct));
	json_object_set_new(o, "mem_used", uint_if(v & GV_MEM_USED, g->mem_used));
	json_object_set_new(o, "mem_total", uint_if(v & GV_MEM_TOTAL, g->mem_total));
	json_object_set_new(o, "temp_c", num_if(v & GV_TEMP, g->temp_c));
	json_object_set_new(o, "power_w", num_if(v & GV_POWER, g->power_w));
	json_object_set_new(o, "power_limit_w", num_if(v & GV_POWER_LIMIT, g->power_limit_w));
	json_object_set_new(o, "processes", (v & GV_PROCS) ? procs_json(g, s, host) : json_null());
	json_object_set_new(o, "problems", problems_json(t));
	return o;
}

json_t *json_gpus(OUT_ARGS, size_t host)
{
	json_t *a = json_array();
	const struct host_gpus *hg;

	(void)f; (void)now;
	if (host >= snapshot_count(s, DOM_GPU))
		return a;
	hg = snap_gpus(s, host);
	if (!hg->collected || hg->absent || hg->sampled_at <= 0)
		return a;
	for (int k = 0; k < hg->n; k++)
		json_array_append_new(a, gpu_json(&hg->g[k],
			rules_target_find(ev, DOM_GPU, (int)host, hg->g[k].index), s, host));
	return a;
}

/* Fields services and links share. */
static void check_json(json_t *o, const struct fleet_section *sec,
		       const struct service_sample *c, const struct target_eval *t)
{
	bool has = c->collected;

	json_object_set_new(o, "check", str_or_null(fleet_section_get(sec, "check")));
	json_object_set_new(o, "checked", json_boolean(fleet_section_get(sec, "check") != NULL));
	json_object_set_new(o, "status", status_json(t));
	json_object_set_new(o, "ok", has ? json_boolean(c->ok) : json_null());
	json_object_set_new(o, "http_status", has && c->http_status > 0 ?
			    json_integer(c->http_status) : json_null());
	json_object_set_new(o, "latency_ms", num_if(has && c->latency_valid, c->latency_ms));
	json_object_set_new(o, "sampled_at", c->sampled_at > 0 ?
			    json_real(round(c->sampled_at * 1000) / 1000) : json_null());
	json_object_set_new(o, "error", has && !c->ok ? str_or_null(c->error) : json_null());
	json_object_set_new(o, "problems", problems_json(t));
}

json_t *json_services(OUT_ARGS)
{
	json_t *a = json_array();
	size_t n = fleet_count(f, SEC_SERVICE);

	(void)now;
	for (size_t i = 0; i < n && i < snapshot_count(s, DOM_SERVICE); i++) {
		const struct fleet_section *sec = fleet_nth(f, SEC_SERVICE, i);
		const struct service_sample *c = snap_service(s, i);
		json_t *o = json_object();

		json_object_set_new(o, "name", json_text(sec->name, false));
		json_object_set_new(o, "host", str_or_null(fleet_section_get(sec, "host")));
		json_object_set_new(o, "from", str_or_null(fleet_section_get(sec, "from")));
		json_object_set_new(o, "cert_days_left", num_if(c->collected && c->cert_days_left >= 0,
								 c->cert_days_left));
		check_json(o, sec, c, rules_target_find(ev, DOM_SERVICE, (int)i, -1));
		json_array_append_new(a, o);
	}
	return a;
}

/* Splits "A -> B" into its ends. */
static void link_ends(const char *name, char *a, char *b, size_t size)
{
	const char *arrow = strstr(name, "->");

	if (!arrow) {
		str_copy(a, name, size);
		b[0] = '\0';
		return;
	}
	str_copy(a, name, (size_t)(arrow - name) + 1 < size ? (size_t)(arrow - name) + 1 : size);
	arrow += 2;
	while (*arrow == ' ')
		arrow++;
	str_copy(b, arrow, size);
	str_trim(a);
	str_trim(b);
}

json_t *json_links(OUT_ARGS)
{
	json_t *a = json_array();
	size_t n = fleet_count(f, SEC_LINK);
	char from[128], to[128];

	(void)now;
	for (size_t i = 0; i < n && i < snapshot_count(s, DOM_LINK); i++) {
		const struct fleet_section *sec = fleet_nth(f, SEC_LINK, i);
		json_t *o = json_object();

		link_ends(sec->name, from, to, sizeof(from));
		json_object_set_new(o, "from", json_text(from, false));
		json_object_set_new(o, "to", json_text(to, false));
		json_object_set_new(o, "label", str_or_null(fleet_section_get(sec, "label")));
		check_json(o, sec, &snap_link(s, i)->c, rules_target_find(ev, DOM_LINK, (int)i, -1));
		json_array_append_new(a, o);
	}
	return a;
}

static void text_detail(char *buf, size_t size, const struct service_sample *c,
			const struct target_eval *t)
{
	if (!c->collected)
		str_copy(buf, "-", size);
	else if (t && t->ev.nproblems)
		str_copy(buf, t->ev.problems[0].text, size);
	else if (c->http_status)
		str_fmt(buf, size, "HTTP %d", c->http_status);
	else
		str_copy(buf, "connected", size);
}

static void text_check_row(FILE *fp, const char *name, const char *where,
			   const struct service_sample *c, const struct target_eval *t)
{
	char lat[16] = "-", detail[200];

	if (c->collected && c->latency_valid)
		str_fmt(lat, sizeof(lat), "%.0fms", c->latency_ms);
	text_detail(detail, sizeof(detail), c, t);
	fprintf(fp, "%-7s  %-24.24s  %-12.12s  %7s  %s\n", t ? status_name(t->ev.status) : "-",
		name, where, lat, detail);
}

void text_gpus(FILE *fp, OUT_ARGS)
{
	bool header = false;
	char used[16], total[16], mem[40];

	(void)now;
	for (size_t i = 0; i < f->nhosts && i < snapshot_count(s, DOM_GPU); i++) {
		const struct host_gpus *hg = snap_gpus(s, i);

		for (int k = 0; hg->collected && !hg->absent && k < hg->n; k++) {
			const struct gpu_sample *g = &hg->g[k];
			const struct target_eval *t = rules_target_find(ev, DOM_GPU, (int)i, g->index);

			if (!header)
				fprintf(fp, "\n%-7s  %-12s  %-3s  %-24s  %5s  %-15s  %5s  %s\n", "GPU",
					"HOST", "#", "NAME", "UTIL", "MEMORY", "TEMP", "POWER");
			header = true;
			fmt_bytes(used, sizeof(used), (double)g->mem_used);
			fmt_bytes(total, sizeof(total), (double)g->mem_total);
			str_fmt(mem, sizeof(mem), "%s/%s", used, total);
			fprintf(fp, "%-7s  %-12.12s  %-3d  %-24.24s  ", t ? status_name(t->ev.status) : "-",
				f->hosts[i].name, g->index, (g->valid & GV_NAME) ? g->name : "n/a");
			if (g->valid & GV_UTIL)
				fprintf(fp, "%4.0f%%  ", g->util_pct);
			else
				fprintf(fp, "%5s  ", "n/a");
			fprintf(fp, "%-15s  ", (g->valid & GV_MEM_USED) && (g->valid & GV_MEM_TOTAL) ?
				mem : "n/a");
			if (g->valid & GV_TEMP)
				fprintf(fp, "%4.0fC  ", g->temp_c);
			else
				fprintf(fp, "%5s  ", "n/a");
			if (g->valid & GV_POWER)
				fprintf(fp, "%.0fW", g->power_w);
			else
				fprintf(fp, "n/a");
			if (g->valid & GV_POWER_LIMIT)
				fprintf(fp, "/%.0fW", g->power_limit_w);
			fputc('\n', fp);
		}
	}
}

void text_services(FILE *fp, OUT_ARGS)
{
	size_t ns = fleet_count(f, SEC_SERVICE);

	(void)now;
	if (ns > 0 && snapshot_count(s, DOM_SERVICE) > 0)
		fprintf(fp, "\n%-7s  %-24s  %-12s  %7s  %s\n", "SERVICE", "NAME", "HOST", "LATENCY",
			"RESULT");
	for (size_t i = 0; i < ns && i < snapshot_count(s, DOM_SERVICE); i++) {
		const struct fleet_section *sec = fleet_nth(f, SEC_SERVICE, i);
		const char *host = fleet_section_get(sec, "host");

		text_check_row(fp, sec->name, host ? host : "-", snap_service(s, i),
			       rules_target_find(ev, DOM_SERVICE, (int)i, -1));
	}
}

void text_links(FILE *fp, OUT_ARGS)
{
	size_t nl = fleet_count(f, SEC_LINK);

	(void)now;
	if (nl > 0 && snapshot_count(s, DOM_LINK) > 0)
		fprintf(fp, "\n%-7s  %-24s  %-12s  %7s  %s\n", "LINK", "FROM -> TO", "LABEL", "LATENCY",
			"RESULT");
	for (size_t i = 0; i < nl && i < snapshot_count(s, DOM_LINK); i++) {
		const struct fleet_section *sec = fleet_nth(f, SEC_LINK, i);
		const char *label = fleet_section_get(sec, "label");

		text_check_row(fp, sec->name, label ? label : "-", &snap_link(s, i)->c,
			       rules_target_find(ev, DOM_LINK, (int)i, -1));
	}
}

/* ---- what a recording keeps (model/fields.h; the domain table's .record) ---- */

static const struct rec_field gpu_proc_fields[] = {
	R_INT(struct gpu_proc, pid), R_STR(struct gpu_proc, name), R_STR(struct gpu_proc, container),
	R_STR(struct gpu_proc, unit), R_BOO(struct gpu_proc, mem_valid), R_U64(struct gpu_proc, mem),
};
static R_DESC(gpu_proc_desc, gpu_proc_fields);

static const struct rec_field gpu_fields[] = {
	R_INT(struct gpu_sample, index), R_STR(struct gpu_sample, name), R_STR(struct gpu_sample, uuid),
	R_UNS(struct gpu_sample, valid), R_DBL(struct gpu_sample, util_pct), R_DBL(struct gpu_sample, temp_c),
	R_DBL(struct gpu_sample, power_w), R_DBL(struct gpu_sample, power_limit_w),
	R_U64(struct gpu_sample, mem_used), R_U64(struct gpu_sample, mem_total),
	R_INT(struct gpu_sample, nprocs_total),
	R_ARR(struct gpu_sample, procs, struct gpu_proc, nprocs, gpu_proc_desc),
	/* values refused: the GPU's host is unknown for them (without it a
	 * replay would judge it ok) */
	R_STR(struct gpu_sample, implausible),
};
static R_DESC(gpu_desc, gpu_fields);

static const struct rec_field gpus_fields[] = {
	R_BOO(struct host_gpus, collected), R_BOO(struct host_gpus, absent), R_INT(struct host_gpus, source),
	R_TIM(struct host_gpus, sampled_at), R_TIM(struct host_gpus, attempted_at),
	R_DBL(struct host_gpus, interval), R_STR(struct host_gpus, error), R_ARR(struct host_gpus, g, struct gpu_sample, n, gpu_desc),
};
R_DESC(rec_gpus, gpus_fields);

/* What the history keeps of a host's GPUs (the row's .trends). */
void trends_gpus(struct hist_store *h, size_t i, const void *sample)
{
	const struct host_gpus *hg = sample;
	char sub[16];

	if (!hg->collected || hg->sampled_at <= 0)
		return;
	for (int k = 0; k < hg->n && k < MODEL_MAX_GPUS; k++) {
		const struct gpu_sample *g = &hg->g[k];
		str_fmt(sub, sizeof(sub), "%d", g->index);
		if (g->valid & GV_UTIL)
			hist_add(h, HM_GPU_UTIL, i, sub, hg->sampled_at, hg->interval, g->util_pct);
		if ((g->valid & GV_MEM_USED) && (g->valid & GV_MEM_TOTAL) && g->mem_total)
			hist_add(h, HM_GPU_MEM, i, sub, hg->sampled_at, hg->interval,
				 100.0 * (double)g->mem_used / (double)g->mem_total);
	}
}

static const struct rec_field service_fields[] = {
	R_BOO(struct service_sample, collected), R_INT(struct service_sample, kind),
	R_TIM(struct service_sample, sampled_at), R_DBL(struct service_sample, interval),
	R_DBL(struct service_sample, timeout), R_BOO(struct service_sample, ok),
	R_INT(struct service_sample, http_status), R_BOO(struct service_sample, latency_valid),
	R_DBL(struct service_sample, latency_ms), R_DBL(struct service_sample, cert_days_left),
	R_BOO(struct service_sample, remote), R_STR(struct service_sample, error),
};
R_DESC(rec_services, service_fields);
_Static_assert(sizeof(struct link_sample) == sizeof(struct service_sample),
	       "a link is its check: links are recorded with rec_services");

/* ---- what the exports show (out/flat.h; the domain table's .export) ---- */

static const struct flat_family gpu_families[] = {
	FLAT("gpu_status", "", "status", 1, FH_STATUS, "Status of the GPU (1 for the current one)."),
	FLAT("gpu_utilization_ratio", "ratio", "util_pct", FLAT_PCT, FH_NUMBER, "GPU utilization."),
	FLAT("gpu_memory_used_bytes", "bytes", "mem_used", 1, FH_NUMBER, "GPU memory in use."),
	FLAT("gpu_memory_total_bytes", "bytes", "mem_total", 1, FH_NUMBER, "GPU memory."),
	FLAT("gpu_temperature_celsius", "celsius", "temp_c", 1, FH_NUMBER, "GPU temperature."),
	FLAT("gpu_power_watts", "", "power_w", 1, FH_NUMBER, "GPU power draw in watts."),
	FLAT("gpu_power_limit_watts", "", "power_limit_w", 1, FH_NUMBER, "GPU power limit in watts."),
};
const struct flat_kind flat_gpus = {
	"gpu", "gpus", &flat_host, { "gpu" }, { "index" }, NULL,
	FLAT_FAMILIES(gpu_families)
};

static const struct flat_family service_families[] = {
	FLAT("service_status", "", "status", 1, FH_STATUS, "Status of the service check (1 for the current one)."),
	FLAT("service_check_ok", "", "ok", 1, FH_BOOL, "1 when the last check passed."),
	FLAT("service_http_status", "", "http_status", 1, FH_NUMBER, "HTTP status of the last check."),
	FLAT("service_latency_seconds", "seconds", "latency_ms", FLAT_MS, FH_NUMBER, "Latency of the last check."),
	FLAT("service_cert_days_left", "", "cert_days_left", 1, FH_NUMBER, "Days until the TLS certificate expires."),
};
const struct flat_kind flat_services = {
	"service", "services", NULL, { "service" }, { "name" }, NULL,
	FLAT_FAMILIES(service_families)
};

static const struct flat_family link_families[] = {
	FLAT("link_status", "", "status", 1, FH_STATUS, "Status of the link check (1 for the current one)."),
	FLAT("link_latency_seconds", "seconds", "latency_ms", FLAT_MS, FH_NUMBER, "Latency of the link check."),
};
const struct flat_kind flat_links = {
	"link", "links", NULL, { "from", "to" }, { "from", "to" }, "->",
	FLAT_FAMILIES(link_families)
};
