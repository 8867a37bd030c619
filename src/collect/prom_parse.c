/* Reading the Prometheus HTTP API's answers as they arrive (see
 * prom_parse.h), on top of the incremental JSON reader of prom_stream.c. */
#include "config.h"
#include "collect/prom_parse.h"
#include "util/util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What a container is, set when it opens (pj_level.role). */
enum role {
	R_OTHER = 0, R_ROOT, R_DATA, R_LIST, R_ELEM, R_LABELS, R_VALUE,
};

static bool key_is(const struct pj_level *l, const char *key)
{
	return l && l->object && !l->key_cut && strcmp(l->key, key) == 0;
}

static void elem_reset(struct prom_reader *r)
{
	for (int i = 0; i < r->nwant; i++)
		r->lab[i][0] = '\0';
	r->el_cut = r->el_value = r->el_ts = false;
	r->el_v = r->el_t = 0;
}

static void elem_emit(struct prom_reader *r)
{
	struct prom_sample s = { 0 };

	if (r->doc == PROM_DOC_VECTOR && !(r->el_value && r->el_ts))
		return;  /* a malformed element costs only itself */
	if (r->doc == PROM_DOC_TARGETS && !r->el_value)
		return;
	for (int i = 0; i < PROM_MAX_LABELS; i++)
		s.label[i] = i < r->nwant ? r->lab[i] : "";
	s.cut = r->el_cut;
	s.value = r->el_v;
	s.ts = r->el_t;
	if (r->doc == PROM_DOC_VECTOR && isfinite(s.ts) && s.ts > r->eval_time)
		r->eval_time = s.ts;
	r->samples++;
	if (r->fn)
		r->fn(r->arg, &s);
}

/* The role of a container opening inside parent (which holds it at key). */
static int role_of(const struct prom_reader *r, const struct pj_level *parent, bool object)
{
	if (!parent)
		return object ? R_ROOT : R_OTHER;
	switch (parent->role) {
	case R_ROOT:
		if (!key_is(parent, "data"))
			return R_OTHER;
		/* series, label values: "data" is the list itself */
		if (r->doc == PROM_DOC_SERIES || r->doc == PROM_DOC_VALUES)
			return object ? R_OTHER : R_LIST;
		return R_DATA;
	case R_DATA:
		if (r->doc == PROM_DOC_VECTOR && !object && key_is(parent, "result"))
			return R_LIST;
		if (r->doc == PROM_DOC_TARGETS && !object && key_is(parent, "activeTargets"))
			return R_LIST;
		return R_OTHER;
	case R_LIST:
		return object ? R_ELEM : R_OTHER;
	case R_ELEM:
		if (r->doc == PROM_DOC_VECTOR && object && key_is(parent, "metric"))
			return R_LABELS;
		if (r->doc == PROM_DOC_VECTOR && !object && key_is(parent, "value"))
			return R_VALUE;
		if (r->doc == PROM_DOC_TARGETS && object && key_is(parent, "labels"))
			return R_LABELS;
		return R_OTHER;
	default:
		return R_OTHER;
	}
}

static void label_value(struct prom_reader *r, const struct pj_level *l, const char *text,
			size_t len, bool cut)
{
	if (!l->object || l->key_cut)
		return;
	for (int i = 0; i < r->nwant; i++) {
		if (strcmp(l->key, r->want[i]) != 0)
			continue;
		str_copy(r->lab[i], text, sizeof(r->lab[i]));
		if (cut || len >= sizeof(r->lab[i]))
			r->el_cut = true;
	}
}

/* "1.5", "NaN", "+Inf", "-Inf" as Prometheus writes sample values. */
static bool value_parse(const char *s, double *out)
{
	char *end;

	if (!*s)
		return false;
	*out = strtod(s, &end);
	return *end == '\0';
}

static void on_scalar(struct prom_reader *r, struct pj_level *l, enum pj_event ev,
		      const char *text, size_t len, bool cut)
{
	switch (l->role) {
	case R_ROOT:
		if (ev != PJ_STRING)
			return;
		if (key_is(l, "status"))
			str_copy(r->status, text, sizeof(r->status));
		else if (key_is(l, "errorType"))
			str_copy(r->error_type, text, sizeof(r->error_type));
		else if (key_is(l, "error"))
			str_copy(r->error, text, sizeof(r->error));
		return;
	case R_DATA:
		if (ev == PJ_STRING && key_is(l, "resultType"))
			str_copy(r->result_type, text, sizeof(r->result_type));
		return;
	case R_LIST:
		/* label values: each string is an element (other scalars: not one) */
		if (r->doc == PROM_DOC_VALUES && ev == PJ_STRING && r->nwant > 0) {
			elem_reset(r);
			str_copy(r->lab[0], text, sizeof(r->lab[0]));
			r->el_cut = cut || len >= sizeof(r->lab[0]);
			elem_emit(r);
		}
		return;
	case R_ELEM:
		if (r->doc == PROM_DOC_SERIES && ev == PJ_STRING)
			label_value(r, l, text, len, cut);
		else if (r->doc == PROM_DOC_TARGETS && ev == PJ_STRING && key_is(l, "scrapeInterval"))
			r->el_value = (r->el_v = prom_duration(text)) > 0;
		return;
	case R_LABELS:
		if (ev == PJ_STRING)
			label_value(r, l, text, len, cut);
		return;
	case R_VALUE:
		if (l->index == 0 && ev == PJ_NUMBER) {
			r->el_t = strtod(text, NULL);
			r->el_ts = true;
		} else if (l->index == 1 && ev == PJ_STRING && !cut) {
			r->el_value = value_parse(text, &r->el_v);
		} else {
			r->el_value = r->el_ts = false;  /* not [time, "value"] */
		}
		return;
	default:
		return;
	}
}

static void on_event(void *arg, struct pj *p, enum pj_event ev, const char *text, size_t len,
		     bool cut)
{
	struct prom_reader *r = arg;
	struct pj_level *parent = pj_parent(p, ev);
	struct pj_level *self = ev <= PJ_END_ARRAY ? &p->lv[p->depth - 1] : NULL;

	switch (ev) {
	case PJ_BEGIN_OBJECT:
	case PJ_BEGIN_ARRAY:
		self->role = role_of(r, parent, ev == PJ_BEGIN_OBJECT);
		if (self->role == R_ROOT)
			r->root_object = true;
		else if (self->role == R_DATA || (self->role == R_LIST && parent->role == R_ROOT))
			r->data_seen = true;
		else if (self->role == R_ELEM)
			elem_reset(r);
		return;
	case PJ_END_OBJECT:
		if (self->role == R_ELEM)
			elem_emit(r);
		return;
	case PJ_END_ARRAY:
		return;
	default:
		if (parent)
			on_scalar(r, parent, ev, text, len, cut);
		return;
	}
}

void prom_reader_init(struct prom_reader *r, enum prom_doc doc, const char *const *want,
		      prom_sample_fn fn, void *arg)
{
	memset(r, 0, sizeof(*r));
	r->doc = doc;
	r->fn = fn;
	r->arg = arg;
	for (; want && *want && r->nwant < PROM_MAX_LABELS; want++)
		r->want[r->nwant++] = *want;
	pj_init(&r->pj, on_event, r);
}

int prom_reader_feed(struct prom_reader *r, const char *data, size_t n)
{
	return pj_feed(&r->pj, data, n);
}

int prom_reader_finish(struct prom_reader *r, char *err, size_t errlen)
{
	char shown[PROM_ERR_SHOWN + 1];
	int rc = pj_finish(&r->pj);

	if (!r->root_object) {
		str_fmt(err, errlen, "the answer is not the Prometheus API's JSON: is url the "
			"server's base URL (without /api/v1)?");
		return -1;
	}
	if (strcmp(r->status, "error") == 0) {
		str_copy(shown, r->error, sizeof(shown));
		str_sanitize(shown);
		str_fmt(err, errlen, "Prometheus refused the query (%s): %s",
			r->error_type[0] ? str_sanitize(r->error_type) : "error", shown);
		return -1;
	}
	if (rc < 0) {
		str_fmt(err, errlen, "the answer is cut or malformed (%s)", r->pj.err);
		return -1;
	}
	if (strcmp(r->status, "success") != 0) {
		str_fmt(err, errlen, "the answer has no \"status\": \"success\"");
		return -1;
	}
	if (r->doc == PROM_DOC_VECTOR && strcmp(r->result_type, "vector") != 0) {
		str_fmt(err, errlen, "the answer is not an instant vector (resultType \"%s\")",
			str_sanitize(r->result_type));
		return -1;
	}
	if (!r->data_seen) {
		str_fmt(err, errlen, r->doc == PROM_DOC_SERIES ?
			"the series answer has no list of series in \"data\"" :
			r->doc == PROM_DOC_VALUES ?
			"the label values answer has no list of values in \"data\"" :
			"the answer has no \"data\"");
		return -1;
	}
	return 0;
}

int prom_read_all(enum prom_doc doc, const char *body, size_t len, const char *const *want,
		  prom_sample_fn fn, void *arg, char *err, size_t errlen)
{
	struct prom_reader r;

	prom_reader_init(&r, doc, want, fn, arg);
	prom_reader_feed(&r, body ? body : "", len);
	return prom_reader_finish(&r, err, errlen);
}

double prom_duration(const char *s)
{
	static const struct { const char *unit; double secs; } units[] = {
		{ "ms", 0.001 }, { "s", 1 }, { "m", 60 }, { "h", 3600 }, { "d", 86400 },
		{ "w", 7 * 86400 }, { "y", 365 * 86400 },
	};
	double total = 0;

	if (!s || !*s)
		return -1;
	while (*s) {
		char *end;
		double v;
		size_t u;
		if (*s < '0' || *s > '9')
			return -1;
		v = strtod(s, &end);
		for (u = 0; u < ARRAY_LEN(units); u++)  /* "ms" is tried before "m" */
			if (str_starts(end, units[u].unit))
				break;
		if (u == ARRAY_LEN(units))
			return -1;
		total += v * units[u].secs;
		s = end + strlen(units[u].unit);
	}
	return isfinite(total) && total > 0 && total < 1e9 ? total : -1;
}

char *prom_quote(const char *value)
{
	size_t len = strlen(value);
	char *q = xmalloc(4 * len + 3), *p = q;

	*p++ = '"';
	for (const unsigned char *s = (const unsigned char *)value; *s; s++) {
		if (*s == '"' || *s == '\\') {
			*p++ = '\\';
			*p++ = (char)*s;
		} else if (*s == '\n') {
			*p++ = '\\';
			*p++ = 'n';
		} else if (*s < 0x20 || *s == 0x7f) {
			p += sprintf(p, "\\x%02x", *s);
		} else {
			*p++ = (char)*s;
		}
	}
	*p++ = '"';
	*p = '\0';
	return q;
}

char *prom_regex_literal(const char *value)
{
	char *r = xmalloc(2 * strlen(value) + 1), *p = r;

	for (const char *s = value; *s; s++) {
		if (strchr("\\.+*?()|[]{}^$", *s))
			*p++ = '\\';
		*p++ = *s;
	}
	*p = '\0';
	return r;
}

bool prom_label_name_ok(const char *name)
{
	if (!name || !*name || (*name >= '0' && *name <= '9'))
		return false;
	for (const char *s = name; *s; s++)
		if (!(*s == '_' || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9')))
			return false;
	return true;
}

char *prom_selector(const char *metric, const char *match, const char *extra,
		    char *err, size_t errlen)
{
	size_t mlen;
	const char *inner = "";
	int ilen = 0;

	while (match && (*match == ' ' || *match == '\t'))
		match++;
	mlen = match ? strlen(match) : 0;
	while (mlen && (match[mlen - 1] == ' ' || match[mlen - 1] == '\t'))
		mlen--;
	if (mlen) {
		if (match[0] != '{' || match[mlen - 1] != '}' || mlen < 2) {
			str_fmt(err, errlen, "match must be label matchers in braces, like "
				"{job=\"node\"} (no metric name)");
			return NULL;
		}
		inner = match + 1;
		ilen = (int)(mlen - 2);
	}
	while (ilen > 0 && (inner[ilen - 1] == ' ' || inner[ilen - 1] == ','))
		ilen--;
	return xasprintf("%s{%.*s%s%s}", metric ? metric : "", ilen, inner,
			 ilen && extra && *extra ? "," : "", extra ? extra : "");
}

char *prom_url_encode(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char *e = xmalloc(3 * strlen(s) + 1), *p = e;

	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		    (*c >= '0' && *c <= '9') || strchr("-._~", *c)) {
			*p++ = (char)*c;
		} else {
			*p++ = '%';
			*p++ = hex[*c >> 4];
			*p++ = hex[*c & 15];
		}
	}
	*p = '\0';
	return e;
}
