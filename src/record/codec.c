#include "config.h"
#include "record/codec.h"
#include "domain/domain.h"
#include "model/fields.h"
#include "util/text.h"
#include "util/util.h"

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

/* What is recorded of each domain is its row's .record (model/fields.h),
 * kept next to the domain's writers: this file names no domain. */

size_t rec_scratch_size(void)
{
	size_t m = 0;

	REC_DOMAINS_FOREACH(d)
		if (d->sample_size > m)
			m = d->sample_size;
	return m;
}

const struct domain *rec_domain_by_name(const char *name)
{
	REC_DOMAINS_FOREACH(d)
		if (strcmp(d->json_key, name) == 0)
			return d;
	return NULL;
}

void rec_elem_read(const struct domain *d, const struct snapshot *s, size_t i, void *out)
{
	const struct sample *sm = i < snapshot_count(s, d->id) ? s->dom[d->id].v[i] : NULL;
	size_t size = d->sample_size, n = sm ? (sm->size < size ? sm->size : size) : 0;

	if (n)
		memcpy(out, sm->data, n);
	memset((char *)out + n, 0, size - n);
}

void *rec_elem_edit(const struct domain *d, struct snapshot *s, size_t i)
{
	return snapshot_edit(s, d->id, i, d->sample_size);
}

size_t rec_elem_count(const struct domain *d, const struct fleet *f)
{
	return d->id == DOM_HOST || d->per_host ? f->nhosts : fleet_count(f, d->section);
}

const char *rec_elem_name(const struct domain *d, const struct fleet *f, const struct snapshot *s,
			  size_t i)
{
	const struct fleet_section *sec;

	if (d->id == DOM_HOST || d->per_host)
		return i < f->nhosts ? f->hosts[i].name : NULL;
	if ((sec = fleet_nth(f, d->section, i)))
		return sec->name;
	if (!d->found_name || !s || i >= snapshot_count(s, d->id))
		return NULL;
	return d->found_name(snapshot_get(s, d->id, i));
}

int rec_elem_index(const struct domain *d, const struct fleet *f, const struct snapshot *s,
		   const char *name)
{
	size_t n = rec_elem_count(d, f);

	if (d->found_name && s && snapshot_count(s, d->id) > n)
		n = snapshot_count(s, d->id);
	for (size_t i = 0; i < n; i++) {
		const char *e = rec_elem_name(d, f, s, i);
		if (e && strcmp(e, name) == 0)
			return (int)i;
	}
	return d->found_name && s && *name ? (int)n : -1;
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

/* A zeroed sample of any domain: what a keyframe is a delta from (no row's
 * sample is larger: model_init_fleet() checks). */
static const unsigned char zero[MODEL_SAMPLE_MAX];

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

json_t *rec_delta(const struct domain *d, const void *prev, const void *cur, double t)
{
	return desc_delta(d->record, prev, cur, t);
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

void rec_apply(const struct domain *d, void *dst, json_t *obj, double t, int *refused)
{
	desc_apply(d->record, dst, obj, t, refused);
}
