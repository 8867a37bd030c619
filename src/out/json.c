#include "config.h"
#include "out/out.h"
#include "domain/domain.h"
#include "out/domains.h"
#include "model/fields.h"
#include "history/history.h"
#include "util/util.h"
#include "util/text.h"

#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* SPEC §4. Field names are a public interface: add, never rename. Unknown
 * values are null, never a made-up zero. */
#define JSON_SCHEMA 1

static json_t *j_real(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

/* Unix seconds, to the millisecond; 0 means never. */
static json_t *j_time(double t)
{
	return t > 0 && isfinite(t) ? json_real(round(t * 1000) / 1000) : json_null();
}

/* Durations to the millisecond: 0.3, not 0.299999952316284. */
static json_t *j_secs(double v)
{
	return v >= 0 && isfinite(v) ? json_real(round(v * 1000) / 1000) : json_null();
}

static json_t *j_real_if(bool ok, double v)
{
	return ok ? j_real(v) : json_null();
}

static json_t *j_uint_if(bool ok, uint64_t v)
{
	if (!ok)
		return json_null();
	return json_integer(v > INT64_MAX ? INT64_MAX : (json_int_t)v);
}

/* Remote text through the one JSON string helper (util/text.h): valid
 * UTF-8, no control or bidi characters, so `jq -r` prints it inert. */
static json_t *j_str(const char *s)
{
	return json_text(s, false);
}

static json_t *j_str_or_null(const char *s)
{
	return json_text(s, true);
}

static json_t *j_reachable(enum host_conn c)
{
	switch (c) {
	case HC_NEVER:
		return json_null();
	case HC_OK:
	case HC_PROBE:     /* it answered; what it said was unusable */
		return json_true();
	case HC_UNREACHABLE:
	case HC_HOSTKEY:
	case HC_AUTH:
		break;
	}
	return json_false();
}

static json_t *json_load_avg(const struct host_sample *s)
{
	json_t *a;

	if (!(s->valid & HV_LOAD))
		return json_null();
	a = json_array();
	for (int i = 0; i < 3; i++)
		json_array_append_new(a, j_real(s->load[i]));
	return a;
}

static json_t *json_disk(const struct disk_sample *d)
{
	json_t *o = json_object();

	json_object_set_new(o, "mount", j_str(d->mount));
	json_object_set_new(o, "size", j_uint_if(d->valid, d->size));
	json_object_set_new(o, "used", j_uint_if(d->valid, d->used));
	json_object_set_new(o, "used_pct", j_real_if(d->valid, d->used_pct));
	json_object_set_new(o, "valid", json_boolean(d->valid));
	return o;
}

/* null when the probe did not report disks at all: unknown, not "none" */
static json_t *json_disks(const struct host_sample *s)
{
	json_t *a;

	if (!(s->valid & HV_DISKS))
		return json_null();
	a = json_array();
	for (int i = 0; i < s->ndisks && i < MODEL_MAX_DISKS; i++)
		json_array_append_new(a, json_disk(&s->disks[i]));
	return a;
}

static json_t *json_problems(const struct host_eval *ev)
{
	json_t *a = json_array();

	for (int i = 0; ev && i < ev->nproblems; i++)
		json_array_append_new(a, j_str(ev->problems[i].text));
	return a;
}

static void json_host_identity(json_t *o, const struct host_sample *s,
			       const struct host_eval *ev)
{
	json_object_set_new(o, "status", json_string(status_name(ev ? ev->status : ST_UNKNOWN)));
	json_object_set_new(o, "reachable", j_reachable(s->conn));
	json_object_set_new(o, "sampled_at", j_time(s->sampled_at));
	json_object_set_new(o, "latency_ms", j_real_if(s->valid & HV_LATENCY, s->latency_ms));
}

static void json_host_metrics(json_t *o, const struct fleet_host *h,
			      const struct host_sample *s)
{
	unsigned v = s->valid;

	json_object_set_new(o, "load", json_load_avg(s));
	json_object_set_new(o, "cpu_pct", j_real_if(v & HV_CPU, s->cpu_pct));
	json_object_set_new(o, "cores", v & HV_CORES ? json_integer(s->cores) : json_null());
	json_object_set_new(o, "mem_total", j_uint_if(v & HV_MEM, s->mem_total));
	json_object_set_new(o, "mem_available", j_uint_if(v & HV_MEM, s->mem_available));
	json_object_set_new(o, "swap_used", j_uint_if(v & HV_SWAP, s->swap_used));
	json_object_set_new(o, "psi_mem_some_avg10", j_real_if(v & HV_PSI, s->psi_some10));
	json_object_set_new(o, "psi_mem_full_avg10", j_real_if(v & HV_PSI, s->psi_full10));
	json_object_set_new(o, "oom_kills", j_uint_if(v & HV_OOM, s->oom_kills));
	json_object_set_new(o, "ram_reserve",
			    h && h->ram_reserve >= 0 ? json_integer(h->ram_reserve) : json_null());
	json_object_set_new(o, "disks", json_disks(s));
}

/* Fields beyond §4: allowed by the schema, useful to scripts. */
static void json_host_extra(json_t *o, const struct fleet_host *h,
			    const struct host_sample *s, const struct host_eval *ev)
{
	unsigned v = s->valid;

	json_object_set_new(o, "role", j_str_or_null(h ? h->role : NULL));
	json_object_set_new(o, "address", j_str_or_null(h ? h->address : NULL));
	json_object_set_new(o, "conn", json_string(host_conn_name(s->conn)));
	json_object_set_new(o, "error", j_str_or_null(s->conn == HC_OK ? NULL : s->error));
	json_object_set_new(o, "fingerprint", j_str_or_null(s->fingerprint));
	json_object_set_new(o, "stale", json_boolean(ev && ev->stale));
	json_object_set_new(o, "age_s", ev ? j_secs(ev->age) : json_null());
	json_object_set_new(o, "interval_s", s->interval > 0 ? j_real(s->interval) :
			    h && h->interval > 0 ? j_real(h->interval) : json_null());
	json_object_set_new(o, "kernel", v & HV_KERNEL ? j_str_or_null(s->kernel) : json_null());
	json_object_set_new(o, "uptime_s", j_real_if(v & HV_UPTIME, s->uptime_s));
	json_object_set_new(o, "boot_time", v & HV_UPTIME ? j_time(s->boot_time) : json_null());
	json_object_set_new(o, "swap_total", j_uint_if(v & HV_SWAP, s->swap_total));
}

json_t *out_json_host(OUT_ARGS, const struct fleet_host *h, const char *name,
		      const struct host_sample *hs, const struct host_eval *he, size_t host)
{
	json_t *o = json_object();

	json_object_set_new(o, "name", j_str(name));
	json_host_identity(o, hs, he);
	json_host_metrics(o, h, hs);
	/* the per-host domains' arrays ("containers", "gpus"); a host outside
	 * the model (host == SIZE_MAX) has none of them */
	DOMAINS_FOREACH(d)
		if (d->json_host)
			json_object_set_new(o, d->json_key, host == SIZE_MAX ? json_array() :
					    d->json_host(f, s, ev, now, host));
	json_object_set_new(o, "problems", json_problems(he));
	json_host_extra(o, h, hs, he);
	return o;
}

static json_t *json_host(const struct fleet *f, const struct snapshot *snap,
			 const struct evaluation *ev, double now, size_t i)
{
	const struct fleet_host *h = f && i < f->nhosts ? &f->hosts[i] : NULL;
	const struct host_eval *he = ev && i < ev->nhosts ? &ev->hosts[i] : NULL;
	char name[32];

	if (!h || !h->name)
		str_fmt(name, sizeof(name), "#%zu", i);
	return out_json_host(f, snap, ev, now, h, h && h->name ? h->name : name, snap_host(snap, i),
			     he, i);
}

static json_t *json_alert(const struct alert *a)
{
	json_t *o = json_object();

	json_object_set_new(o, "severity", json_string(status_name(a->severity)));
	json_object_set_new(o, "target", j_str(a->target));
	json_object_set_new(o, "message", j_str(a->message));
	json_object_set_new(o, "since", j_time(a->since));
	json_object_set_new(o, "code", j_str(a->code));
	return o;
}

/* Hosts per status ("counts", as since schema 1) and every other target
 * per status ("target_counts"). */
static json_t *json_counts(const int counts[4])
{
	json_t *o = json_object();
	static const enum status order[] = { ST_OK, ST_WARN, ST_CRIT, ST_UNKNOWN };

	for (size_t i = 0; i < ARRAY_LEN(order); i++)
		json_object_set_new(o, status_name(order[i]), json_integer(counts[order[i]]));
	return o;
}

/* 15 digits: times keep their milliseconds without 0.1 turning into
 * 0.10000000000000001 */
#define JSON_INDENT_BY 2
#define JSON_FLAGS (JSON_INDENT(JSON_INDENT_BY) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15))
#define SPACES "    "      /* the deepest a part is written at: 2 levels */

/* ---- the document, made in one place for two sinks ----
 *
 * Built whole (out_json_document), written as it is made (out_json: --once
 * --json), or handed part by part to a reader (out_json_parts: the export
 * formats and --serve-metrics): each top-level member, each host and each
 * alert is made, written or handed over, and freed before the next, so
 * what an output holds does not grow with the fleet (issue #11: 100,000
 * hosts). The bytes are the same as json_dumpf() of
 * the whole tree: each part is dumped by jansson with the same flags and
 * indented to its depth (a newline in jansson's output is always layout:
 * one in a string is written \n). tests/unit/test_out.c compares the two. */
struct jdoc {
	json_t *root;          /* whole: the document */
	json_t *arr;           /* whole: the array being filled */
	out_part_fn part;      /* parts: the reader */
	void *parg;
	const char *akey;      /* parts: the array being handed over */
	FILE *fp;              /* streamed */
	int depth;             /* streamed: of what the next dump writes */
	size_t nmembers, nelems;
	int err;
};

static int put_indented(const char *buf, size_t len, void *arg)
{
	struct jdoc *d = arg;
	size_t indent = (size_t)d->depth * JSON_INDENT_BY;
	const char *nl;

	while ((nl = memchr(buf, '\n', len))) {
		size_t n = (size_t)(nl - buf) + 1;
		if (fwrite(buf, 1, n, d->fp) != n || fwrite(SPACES, 1, indent, d->fp) != indent)
			return -1;
		buf += n;
		len -= n;
	}
	return len && fwrite(buf, 1, len, d->fp) != len ? -1 : 0;
}

/* v (taken) written at depth as jansson would write it there */
static void jdoc_dump(struct jdoc *d, json_t *v, int depth)
{
	d->depth = depth;
	if (!v || json_dump_callback(v, put_indented, d, JSON_FLAGS | JSON_ENCODE_ANY) < 0)
		d->err = -1;
	json_decref(v);
}

/* streamed: the separator and "key": of the next top-level member */
static void jdoc_key(struct jdoc *d, const char *key)
{
	fputs(d->nmembers++ ? ",\n  " : "{\n  ", d->fp);
	jdoc_dump(d, json_string(key), 1);
	fputs(": ", d->fp);
}

/* A member (taken) to a reader: an array element by element. */
static void part_member(out_part_fn fn, void *arg, const char *key, json_t *v)
{
	size_t i;
	json_t *e;

	if (!json_is_array(v))
		fn(arg, key, v);
	else
		json_array_foreach(v, i, e)
			fn(arg, key, e);
	json_decref(v);
}

static void jdoc_member(struct jdoc *d, const char *key, json_t *v)
{
	if (d->part) {
		part_member(d->part, d->parg, key, v);
		return;
	}
	if (d->root) {
		json_object_set_new(d->root, key, v);
		return;
	}
	jdoc_key(d, key);
	jdoc_dump(d, v, 1);
}

/* A top-level array filled by jdoc_elem() until jdoc_array_end(). */
static void jdoc_array(struct jdoc *d, const char *key)
{
	if (d->part) {
		d->akey = key;
		return;
	}
	if (d->root) {
		d->arr = json_array();
		json_object_set_new(d->root, key, d->arr);
		return;
	}
	jdoc_key(d, key);
	fputc('[', d->fp);
	d->nelems = 0;
}

static void jdoc_elem(struct jdoc *d, json_t *v)
{
	if (d->part) {
		d->part(d->parg, d->akey, v);
		json_decref(v);
		return;
	}
	if (d->root) {
		json_array_append_new(d->arr, v);
		return;
	}
	fputs(d->nelems++ ? ",\n" SPACES : "\n" SPACES, d->fp);
	jdoc_dump(d, v, 2);
}

static void jdoc_array_end(struct jdoc *d)
{
	d->arr = NULL;
	if (!d->root && !d->part)
		fputs(d->nelems ? "\n  ]" : "]", d->fp);
}

/* for json_prometheus_hosts() */
static void put_host(void *arg, json_t *host)
{
	jdoc_elem(arg, host);
}

/* SPEC §4, in order. */
static void json_doc(struct jdoc *d, const struct fleet *f, const struct snapshot *s,
		     const struct evaluation *ev, double now)
{
	jdoc_member(d, "schema", json_integer(JSON_SCHEMA));
	jdoc_member(d, "fleet", j_str_or_null(f ? f->name : NULL));
	jdoc_member(d, "generated_at", j_time(now));
	jdoc_member(d, "status", json_string(status_name(ev->worst)));
	jdoc_array(d, "hosts");
	for (size_t i = 0; s && i < s->nhosts; i++)
		jdoc_elem(d, json_host(f, s, ev, now, i));
	/* --once: every host of the [prometheus] sections judged on the server */
	json_prometheus_hosts(f, s, ev, now, put_host, d);
	jdoc_array_end(d);
	/* every domain's array is present, empty when the fleet has none (SPEC §4) */
	DOMAINS_FOREACH(dom)
		if (dom->json)
			jdoc_member(d, dom->json_key, dom->json(f, s, ev, now));
	jdoc_array(d, "alerts");
	for (size_t i = 0; i < ev->nalerts; i++)
		jdoc_elem(d, json_alert(&ev->alerts[i]));
	jdoc_array_end(d);
	jdoc_member(d, "counts", json_counts(ev->counts));
	jdoc_member(d, "target_counts", json_counts(ev->target_counts));
	jdoc_member(d, "oldest_age_s", j_secs(ev->oldest_age));
}

json_t *out_json_document(const struct fleet *f, const struct snapshot *s,
			  const struct evaluation *ev, double now)
{
	struct jdoc d = { .root = json_object() };

	json_doc(&d, f, s, ev, now);
	return d.root;
}

void out_json_parts(const struct fleet *f, const struct snapshot *s,
		    const struct evaluation *ev, double now, out_part_fn fn, void *arg)
{
	struct jdoc d = { .part = fn, .parg = arg };

	json_doc(&d, f, s, ev, now);
}

void out_json_doc_parts(json_t *doc, out_part_fn fn, void *arg)
{
	const char *key;
	json_t *v;

	json_object_foreach(doc, key, v)
		part_member(fn, arg, key, json_incref(v));
}

int out_json(FILE *fp, const struct fleet *f, const struct snapshot *s,
	     const struct evaluation *ev, double now)
{
	struct jdoc d = { .fp = fp };

	json_doc(&d, f, s, ev, now);
	fputs(d.nmembers ? "\n}" : "{}", fp);
	if (d.err < 0 || fputc('\n', fp) == EOF || fflush(fp) == EOF || ferror(fp))
		return -1;
	return 0;
}

/* ---- what a recording keeps (model/fields.h; the domain table's .record) ---- */

_Static_assert(sizeof(enum host_conn) == sizeof(int), "enums are recorded as int");

static const struct rec_field disk_fields[] = {
	R_STR(struct disk_sample, mount), R_BOO(struct disk_sample, valid),
	R_U64(struct disk_sample, size), R_U64(struct disk_sample, used), R_DBL(struct disk_sample, used_pct),
};
static R_DESC(disk_desc, disk_fields);

/* Not recorded: the raw /proc/stat counters (only the collector's next
 * delta needs them). */
static const struct rec_field host_fields[] = {
	R_INT(struct host_sample, conn), R_STR(struct host_sample, error),
	R_STR(struct host_sample, fingerprint),
	R_TIM(struct host_sample, sampled_at), R_TIM(struct host_sample, attempted_at),
	R_DBL(struct host_sample, interval), R_U64(struct host_sample, rounds),
	R_UNS(struct host_sample, valid), R_DBL(struct host_sample, latency_ms),
	R_VEC(struct host_sample, load, 3), R_DBL(struct host_sample, cpu_pct),
	R_INT(struct host_sample, cores),
	R_U64(struct host_sample, mem_total), R_U64(struct host_sample, mem_available),
	R_U64(struct host_sample, swap_total), R_U64(struct host_sample, swap_used),
	R_DBL(struct host_sample, psi_some10), R_DBL(struct host_sample, psi_full10),
	R_U64(struct host_sample, oom_kills), R_DBL(struct host_sample, uptime_s),
	R_TIM(struct host_sample, boot_time), R_STR(struct host_sample, kernel),
	R_ARR(struct host_sample, disks, struct disk_sample, ndisks, disk_desc),
	/* values refused: the host is unknown for them (without it a replay
	 * would judge it ok) */
	R_STR(struct host_sample, implausible),
};
R_DESC(rec_hosts, host_fields);

/* What the history keeps of a host (its row's .trends). */
void trends_hosts(struct hist_store *h, size_t i, const void *sample)
{
	const struct host_sample *s = sample;

	if (s->sampled_at <= 0)
		return;
	if (s->valid & HV_CPU)
		hist_add(h, HM_HOST_CPU, i, "", s->sampled_at, s->interval, s->cpu_pct);
	if ((s->valid & HV_MEM) && s->mem_total)
		hist_add(h, HM_HOST_MEM, i, "", s->sampled_at, s->interval,
			 100.0 * (double)(s->mem_total - s->mem_available) / (double)s->mem_total);
	if (s->valid & HV_PSI)
		hist_add(h, HM_HOST_PSI, i, "", s->sampled_at, s->interval, s->psi_some10);
}
