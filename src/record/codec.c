#include "config.h"
#include "record/codec.h"
#include "domain/domain.h"
#include "util/text.h"
#include "util/util.h"

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

enum rf_type {
	RF_DBL,       /* double, rounded to 1/1000 */
	RF_TIME,      /* Unix time: written relative to the record's time, 0 = null */
	RF_U64,
	RF_INT,       /* int or enum */
	RF_UINT,      /* unsigned (valid bits) */
	RF_BOOL,
	RF_STR,       /* char array */
	RF_ARR,       /* array of sub-structs with an int count */
};

struct rec_field {
	const char *name;
	enum rf_type type;
	size_t off;
	size_t size;                 /* RF_STR: buffer; RF_ARR: element; else the member's size */
	int n;                       /* fixed numeric arrays (load[3]); 0 = one value */
	const struct rec_desc *sub;  /* RF_ARR */
	size_t count_off;            /* RF_ARR: offset of its int count */
	int max;                     /* RF_ARR: capacity */
};

struct rec_desc {
	const struct rec_field *f;
	size_t n;
};

_Static_assert(sizeof(enum host_conn) == sizeof(int), "enums are recorded as int");
_Static_assert(sizeof(struct link_sample) == sizeof(struct service_sample),
	       "a link is its check");

#define MSIZE(S, m) sizeof(((S *)0)->m)
#define NUM(S, m, T) { #m, T, offsetof(S, m), MSIZE(S, m), 0, NULL, 0, 0 }
#define DBL(S, m) NUM(S, m, RF_DBL)
#define TIM(S, m) NUM(S, m, RF_TIME)
#define U64(S, m) NUM(S, m, RF_U64)
#define INT(S, m) NUM(S, m, RF_INT)
#define UNS(S, m) NUM(S, m, RF_UINT)
#define BOO(S, m) NUM(S, m, RF_BOOL)
#define STR(S, m) NUM(S, m, RF_STR)
#define VEC(S, m, k) { #m, RF_DBL, offsetof(S, m), sizeof(double), k, NULL, 0, 0 }
#define ARR(S, m, E, cnt, desc) \
	{ #m, RF_ARR, offsetof(S, m), sizeof(E), 0, &desc, offsetof(S, cnt), (int)(MSIZE(S, m) / sizeof(E)) }
#define DESC(name, fields) static const struct rec_desc name = { fields, ARRAY_LEN(fields) }

/* ---- what is recorded, per sample struct ---- */

static const struct rec_field disk_fields[] = {
	STR(struct disk_sample, mount), BOO(struct disk_sample, valid),
	U64(struct disk_sample, size), U64(struct disk_sample, used), DBL(struct disk_sample, used_pct),
};
DESC(disk_desc, disk_fields);

/* Not recorded: the raw /proc/stat counters (only the collector's next
 * delta needs them). */
static const struct rec_field host_fields[] = {
	INT(struct host_sample, conn), STR(struct host_sample, error),
	STR(struct host_sample, fingerprint),
	TIM(struct host_sample, sampled_at), TIM(struct host_sample, attempted_at),
	DBL(struct host_sample, interval), U64(struct host_sample, rounds),
	UNS(struct host_sample, valid), DBL(struct host_sample, latency_ms),
	VEC(struct host_sample, load, 3), DBL(struct host_sample, cpu_pct),
	INT(struct host_sample, cores),
	U64(struct host_sample, mem_total), U64(struct host_sample, mem_available),
	U64(struct host_sample, swap_total), U64(struct host_sample, swap_used),
	DBL(struct host_sample, psi_some10), DBL(struct host_sample, psi_full10),
	U64(struct host_sample, oom_kills), DBL(struct host_sample, uptime_s),
	TIM(struct host_sample, boot_time), STR(struct host_sample, kernel),
	ARR(struct host_sample, disks, struct disk_sample, ndisks, disk_desc),
};
DESC(host_desc, host_fields);

static const struct rec_field container_fields[] = {
	STR(struct container_sample, id), STR(struct container_sample, name),
	STR(struct container_sample, image), STR(struct container_sample, state),
	UNS(struct container_sample, valid), INT(struct container_sample, restarts),
	U64(struct container_sample, mem_used), U64(struct container_sample, mem_limit),
	DBL(struct container_sample, cpu_pct),
};
DESC(container_desc, container_fields);

static const struct rec_field containers_fields[] = {
	BOO(struct host_containers, collected), TIM(struct host_containers, sampled_at),
	DBL(struct host_containers, interval), STR(struct host_containers, engine),
	STR(struct host_containers, via), INT(struct host_containers, err),
	STR(struct host_containers, error), INT(struct host_containers, total),
	ARR(struct host_containers, c, struct container_sample, n, container_desc),
};
DESC(containers_desc, containers_fields);

static const struct rec_field gpu_proc_fields[] = {
	INT(struct gpu_proc, pid), STR(struct gpu_proc, name), STR(struct gpu_proc, container),
	STR(struct gpu_proc, unit), BOO(struct gpu_proc, mem_valid), U64(struct gpu_proc, mem),
};
DESC(gpu_proc_desc, gpu_proc_fields);

static const struct rec_field gpu_fields[] = {
	INT(struct gpu_sample, index), STR(struct gpu_sample, name), STR(struct gpu_sample, uuid),
	UNS(struct gpu_sample, valid), DBL(struct gpu_sample, util_pct), DBL(struct gpu_sample, temp_c),
	DBL(struct gpu_sample, power_w), DBL(struct gpu_sample, power_limit_w),
	U64(struct gpu_sample, mem_used), U64(struct gpu_sample, mem_total),
	INT(struct gpu_sample, nprocs_total),
	ARR(struct gpu_sample, procs, struct gpu_proc, nprocs, gpu_proc_desc),
};
DESC(gpu_desc, gpu_fields);

static const struct rec_field gpus_fields[] = {
	BOO(struct host_gpus, collected), BOO(struct host_gpus, absent), INT(struct host_gpus, source),
	TIM(struct host_gpus, sampled_at), TIM(struct host_gpus, attempted_at),
	DBL(struct host_gpus, interval), STR(struct host_gpus, error), ARR(struct host_gpus, g, struct gpu_sample, n, gpu_desc),
};
DESC(gpus_desc, gpus_fields);

static const struct rec_field service_fields[] = {
	BOO(struct service_sample, collected), INT(struct service_sample, kind),
	TIM(struct service_sample, sampled_at), DBL(struct service_sample, interval),
	DBL(struct service_sample, timeout), BOO(struct service_sample, ok),
	INT(struct service_sample, http_status), BOO(struct service_sample, latency_valid),
	DBL(struct service_sample, latency_ms), DBL(struct service_sample, cert_days_left),
	BOO(struct service_sample, remote), STR(struct service_sample, error),
};
DESC(service_desc, service_fields);

/* Not recorded: the DSN (masked in the model, but a recording is pasted
 * around; the fleet file names the database). */
static const struct rec_field db_fields[] = {
	BOO(struct db_sample, collected), TIM(struct db_sample, sampled_at),
	TIM(struct db_sample, attempted_at), DBL(struct db_sample, interval),
	BOO(struct db_sample, up), INT(struct db_sample, fail), STR(struct db_sample, error),
	UNS(struct db_sample, valid), STR(struct db_sample, version), STR(struct db_sample, via),
	BOO(struct db_sample, in_recovery), INT(struct db_sample, connections),
	INT(struct db_sample, max_connections), DBL(struct db_sample, replication_lag_s),
	U64(struct db_sample, replication_lag_bytes), INT(struct db_sample, replicas),
	DBL(struct db_sample, longest_xact_s), INT(struct db_sample, waiting_locks),
	U64(struct db_sample, size), DBL(struct db_sample, latency_ms),
	STR(struct db_sample, archive_mode), TIM(struct db_sample, archiver_last_archived_at),
	U64(struct db_sample, archiver_archived_count), U64(struct db_sample, archiver_failed_count),
	TIM(struct db_sample, archiver_last_failed_at), STR(struct db_sample, archiver_last_wal),
};
DESC(db_desc, db_fields);

static const struct rec_field backup_fields[] = {
	BOO(struct backup_sample, collected), TIM(struct backup_sample, sampled_at),
	TIM(struct backup_sample, attempted_at), DBL(struct backup_sample, interval),
	BOO(struct backup_sample, known), STR(struct backup_sample, error),
	TIM(struct backup_sample, last_at), BOO(struct backup_sample, has_size),
	U64(struct backup_sample, size), STR(struct backup_sample, item),
	INT(struct backup_sample, count), STR(struct backup_sample, failure),
	STR(struct backup_sample, warning),
};
DESC(backup_desc, backup_fields);

static const struct rec_field runner_fields[] = {
	STR(struct runner_item, name), STR(struct runner_item, state),
	TIM(struct runner_item, created_at),
};
DESC(runner_desc, runner_fields);

static const struct rec_field runners_fields[] = {
	BOO(struct runners_sample, collected), TIM(struct runners_sample, sampled_at),
	DBL(struct runners_sample, interval), STR(struct runners_sample, error),
	INT(struct runners_sample, count), INT(struct runners_sample, busy),
	INT(struct runners_sample, idle), INT(struct runners_sample, offline),
	INT(struct runners_sample, queued), DBL(struct runners_sample, cost_hourly),
	ARR(struct runners_sample, r, struct runner_item, n, runner_desc),
};
DESC(runners_desc, runners_fields);

/* The key's shown id or prefix, never the secret (the model has none). */
static const struct rec_field key_fields[] = {
	BOO(struct key_sample, collected), TIM(struct key_sample, sampled_at),
	DBL(struct key_sample, interval), STR(struct key_sample, error),
	TIM(struct key_sample, created_at), STR(struct key_sample, id),
};
DESC(key_desc, key_fields);

const struct rec_domain rec_domains[] = {
	{ DOM_HOST, "hosts", &host_desc },
	{ DOM_CONTAINER, "containers", &containers_desc },
	{ DOM_GPU, "gpus", &gpus_desc },
	{ DOM_SERVICE, "services", &service_desc },
	{ DOM_LINK, "links", &service_desc },
	{ DOM_DATABASE, "databases", &db_desc },
	{ DOM_BACKUP, "backups", &backup_desc },
	{ DOM_RUNNERS, "runners", &runners_desc },
	{ DOM_KEY, "keys", &key_desc },
};
const size_t rec_ndomains = ARRAY_LEN(rec_domains);

size_t rec_elem_size(const struct rec_domain *d)
{
	return domains[d->id].sample_size;
}

size_t rec_scratch_size(void)
{
	size_t m = 0;

	for (size_t d = 0; d < rec_ndomains; d++)
		if (rec_elem_size(&rec_domains[d]) > m)
			m = rec_elem_size(&rec_domains[d]);
	return m;
}

void rec_elem_read(const struct rec_domain *d, const struct snapshot *s, size_t i, void *out)
{
	const struct sample *sm = i < snapshot_count(s, d->id) ? s->dom[d->id].v[i] : NULL;
	size_t size = rec_elem_size(d), n = sm ? (sm->size < size ? sm->size : size) : 0;

	if (n)
		memcpy(out, sm->data, n);
	memset((char *)out + n, 0, size - n);
}

void *rec_elem_edit(const struct rec_domain *d, struct snapshot *s, size_t i)
{
	return snapshot_edit(s, d->id, i, rec_elem_size(d));
}

size_t rec_elem_count(const struct rec_domain *d, const struct fleet *f)
{
	const struct domain *dom = &domains[d->id];

	return d->id == DOM_HOST || dom->per_host ? f->nhosts : fleet_count(f, dom->section);
}

const char *rec_elem_name(const struct rec_domain *d, const struct fleet *f, size_t i)
{
	const struct domain *dom = &domains[d->id];
	const struct fleet_section *sec;

	if (d->id == DOM_HOST || dom->per_host)
		return i < f->nhosts ? f->hosts[i].name : NULL;
	sec = fleet_nth(f, dom->section, i);
	return sec ? sec->name : NULL;
}

int rec_elem_index(const struct rec_domain *d, const struct fleet *f, const char *name)
{
	size_t n = rec_elem_count(d, f);

	for (size_t i = 0; i < n; i++) {
		const char *e = rec_elem_name(d, f, i);
		if (e && strcmp(e, name) == 0)
			return (int)i;
	}
	return -1;
}

double rec_round(double v)
{
	return isfinite(v) ? round(v * 1000) / 1000 : 0;
}

/* ---- encoding ---- */

static double get_dbl(const void *base, const struct rec_field *f, int k)
{
	double v;

	memcpy(&v, (const char *)base + f->off + (size_t)k * sizeof(double), sizeof(v));
	return v;
}

static int64_t get_int(const void *base, const struct rec_field *f)
{
	const char *p = (const char *)base + f->off;

	switch (f->type) {
	case RF_U64: { uint64_t v; memcpy(&v, p, sizeof(v)); return v > INT64_MAX ? INT64_MAX : (int64_t)v; }
	case RF_INT: { int v; memcpy(&v, p, sizeof(v)); return v; }
	case RF_UINT: { unsigned v; memcpy(&v, p, sizeof(v)); return v; }
	case RF_BOOL: { bool v; memcpy(&v, p, sizeof(v)); return v; }
	default: break;
	}
	return 0;
}

/* Times: 0 is "never" (null); others relative to the record's time. */
static json_t *time_json(double v, double t)
{
	return v > 0 && isfinite(v) ? json_real(rec_round(v - t)) : json_null();
}

static bool same_dbl(double a, double b)
{
	return fabs(rec_round(a) - rec_round(b)) < 0.0005;
}

static json_t *field_json(const struct rec_field *f, const void *cur, double t)
{
	const char *p = (const char *)cur + f->off;

	switch (f->type) {
	case RF_DBL:
		if (f->n > 1) {
			json_t *a = json_array();
			for (int k = 0; k < f->n; k++)
				json_array_append_new(a, json_real(rec_round(get_dbl(cur, f, k))));
			return a;
		}
		return json_real(rec_round(get_dbl(cur, f, 0)));
	case RF_TIME:
		return time_json(get_dbl(cur, f, 0), t);
	case RF_BOOL:
		return json_boolean(get_int(cur, f));
	case RF_U64:
	case RF_INT:
	case RF_UINT:
		return json_integer(get_int(cur, f));
	case RF_STR: {
		char buf[512];
		size_t n = strnlen(p, f->size);
		if (n >= sizeof(buf))
			n = sizeof(buf) - 1;
		memcpy(buf, p, n);
		buf[n] = '\0';
		return json_text(buf, false);
	}
	case RF_ARR:
		break;
	}
	return json_null();
}

static bool field_same(const struct rec_field *f, const void *prev, const void *cur)
{
	const char *a = (const char *)prev + f->off, *b = (const char *)cur + f->off;

	switch (f->type) {
	case RF_DBL:
	case RF_TIME:
		for (int k = 0; k < (f->n > 1 ? f->n : 1); k++)
			if (!same_dbl(get_dbl(prev, f, k), get_dbl(cur, f, k)))
				return false;
		return true;
	case RF_STR:
		return strncmp(a, b, f->size) == 0;
	case RF_ARR:
		return false;   /* compared element by element */
	default:
		return get_int(prev, f) == get_int(cur, f);
	}
}

static json_t *desc_delta(const struct rec_desc *d, const void *prev, const void *cur, double t);

/* An array (its count is the list's length, never a field of its own):
 * the new count of element deltas ({} for unchanged), or NULL
 * when the count and every element are the same. */
static json_t *array_delta(const struct rec_field *f, const void *prev, const void *cur, double t)
{
	int np, nc;
	json_t *a;
	bool changed;

	memcpy(&np, (const char *)prev + f->count_off, sizeof(int));
	memcpy(&nc, (const char *)cur + f->count_off, sizeof(int));
	np = np < 0 ? 0 : np > f->max ? f->max : np;
	nc = nc < 0 ? 0 : nc > f->max ? f->max : nc;
	changed = np != nc;
	a = json_array();
	for (int i = 0; i < nc; i++) {
		const char *pe = (const char *)prev + f->off + (size_t)i * f->size;
		const char *ce = (const char *)cur + f->off + (size_t)i * f->size;
		json_t *e = desc_delta(f->sub, i < np ? pe : NULL, ce, t);
		if (e)
			changed = true;
		json_array_append_new(a, e ? e : json_object());
	}
	if (!changed) {
		json_decref(a);
		return NULL;
	}
	return a;
}

/* A zeroed sample of any domain: what a keyframe is a delta from. */
static const union {
	struct host_sample h;
	struct host_containers c;
	struct host_gpus g;
	struct service_sample s;
	struct db_sample d;
	struct backup_sample b;
	struct runners_sample r;
	struct key_sample k;
} zero;

static json_t *desc_delta(const struct rec_desc *d, const void *prev, const void *cur, double t)
{
	json_t *o = NULL;

	if (!prev)
		prev = &zero;
	for (size_t i = 0; i < d->n; i++) {
		const struct rec_field *f = &d->f[i];
		json_t *v;

		if (f->type == RF_ARR) {
			v = array_delta(f, prev, cur, t);
		} else {
			if (field_same(f, prev, cur))
				continue;
			v = field_json(f, cur, t);
		}
		if (!v)
			continue;
		if (!o)
			o = json_object();
		json_object_set_new(o, f->name, v);
	}
	return o;
}

json_t *rec_delta(const struct rec_domain *d, const void *prev, const void *cur, double t)
{
	return desc_delta(d->desc, prev, cur, t);
}

/* ---- decoding ---- */

static bool set_num(const struct rec_field *f, void *dst, json_t *v, double t)
{
	char *p = (char *)dst + f->off;

	switch (f->type) {
	case RF_DBL:
		if (f->n > 1) {
			double vals[8];
			if (!json_is_array(v) || json_array_size(v) != (size_t)f->n || f->n > 8)
				return false;
			for (int k = 0; k < f->n; k++) {
				json_t *e = json_array_get(v, (size_t)k);
				if (!json_is_number(e) || !isfinite(json_number_value(e)))
					return false;
				vals[k] = json_number_value(e);
			}
			memcpy(p, vals, (size_t)f->n * sizeof(double));
			return true;
		}
		if (!json_is_number(v) || !isfinite(json_number_value(v)))
			return false;
		{ double d = json_number_value(v); memcpy(p, &d, sizeof(d)); }
		return true;
	case RF_TIME: {
		double d = 0;
		if (json_is_null(v)) {
			memcpy(p, &d, sizeof(d));
			return true;
		}
		if (!json_is_number(v) || !isfinite(json_number_value(v)) ||
		    fabs(json_number_value(v)) > 1e10)
			return false;
		d = t + json_number_value(v);
		memcpy(p, &d, sizeof(d));
		return true;
	}
	case RF_BOOL: {
		bool b;
		if (!json_is_boolean(v))
			return false;
		b = json_is_true(v);
		memcpy(p, &b, sizeof(b));
		return true;
	}
	case RF_U64: {
		uint64_t u;
		if (!json_is_integer(v) || json_integer_value(v) < 0)
			return false;
		u = (uint64_t)json_integer_value(v);
		memcpy(p, &u, sizeof(u));
		return true;
	}
	case RF_INT: {
		int i;
		if (!json_is_integer(v) || json_integer_value(v) < INT_MIN || json_integer_value(v) > INT_MAX)
			return false;
		i = (int)json_integer_value(v);
		memcpy(p, &i, sizeof(i));
		return true;
	}
	case RF_UINT: {
		unsigned u;
		if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > UINT_MAX)
			return false;
		u = (unsigned)json_integer_value(v);
		memcpy(p, &u, sizeof(u));
		return true;
	}
	case RF_STR:
		if (!json_is_string(v))
			return false;
		text_clean(p, f->size, json_string_value(v));
		return true;
	case RF_ARR:
		break;
	}
	return false;
}

static void desc_apply(const struct rec_desc *d, void *dst, json_t *obj, double t, int *refused);

/* The array's new length is the list's; elements beyond it are zeroed, an
 * element beyond the old length starts from zero. */
static bool set_array(const struct rec_field *f, void *dst, json_t *v, double t, int *refused)
{
	int old, n;

	if (!json_is_array(v))
		return false;
	memcpy(&old, (char *)dst + f->count_off, sizeof(int));
	old = old < 0 ? 0 : old > f->max ? f->max : old;
	n = json_array_size(v) > (size_t)f->max ? f->max : (int)json_array_size(v);
	for (int i = 0; i < f->max; i++) {
		char *e = (char *)dst + f->off + (size_t)i * f->size;
		if (i >= n || i >= old)
			memset(e, 0, f->size);
		if (i < n)
			desc_apply(f->sub, e, json_array_get(v, (size_t)i), t, refused);
	}
	memcpy((char *)dst + f->count_off, &n, sizeof(int));
	return true;
}

static void desc_apply(const struct rec_desc *d, void *dst, json_t *obj, double t, int *refused)
{
	const char *key;
	json_t *v;

	if (!json_is_object(obj)) {
		if (refused)
			(*refused)++;
		return;
	}
	json_object_foreach(obj, key, v) {
		const struct rec_field *f = NULL;
		bool ok;

		for (size_t i = 0; i < d->n && !f; i++)
			if (strcmp(d->f[i].name, key) == 0)
				f = &d->f[i];
		if (!f)
			continue;    /* a newer recorder's field */
		ok = f->type == RF_ARR ? set_array(f, dst, v, t, refused) : set_num(f, dst, v, t);
		if (!ok && refused)
			(*refused)++;
	}
}

void rec_apply(const struct rec_domain *d, void *dst, json_t *obj, double t, int *refused)
{
	desc_apply(d->desc, dst, obj, t, refused);
}
