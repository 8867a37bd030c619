#include "config.h"
#include "collect/prom_parse.h"
#include "util/util.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Error texts from the server are quoted at most this long. */
#define PROM_ERR_SHOWN 160

static const char *obj_str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

/* The JSON root of an answer, or NULL with err set: not JSON at all, or the
 * API's own error document. */
static json_t *answer_load(const char *body, size_t len, char *err, size_t errlen)
{
	json_error_t je;
	json_t *root = json_loadb(body ? body : "", len, 0, &je);
	const char *status;
	char shown[PROM_ERR_SHOWN + 1];

	if (!json_is_object(root)) {
		json_decref(root);
		str_fmt(err, errlen, "the answer is not the Prometheus API's JSON: is url the "
			"server's base URL (without /api/v1)?");
		return NULL;
	}
	status = obj_str(root, "status");
	if (strcmp(status, "success") == 0)
		return root;
	if (strcmp(status, "error") == 0) {
		str_copy(shown, obj_str(root, "error"), sizeof(shown));
		str_sanitize(shown);
		str_fmt(err, errlen, "Prometheus refused the query (%s): %s",
			*obj_str(root, "errorType") ? obj_str(root, "errorType") : "error", shown);
	} else {
		str_fmt(err, errlen, "the answer has no \"status\": \"success\"");
	}
	json_decref(root);
	return NULL;
}

/* "1.5", "NaN", "+Inf", "-Inf" as Prometheus writes sample values. */
static bool value_parse(const json_t *j, double *out)
{
	const char *s = json_string_value(j);
	char *end;

	if (!s || !*s)
		return false;
	*out = strtod(s, &end);
	return *end == '\0';
}

static bool entry_parse(const json_t *e, const char *host_label, const char *extra_label,
			struct prom_entry *pe, double *ts)
{
	const json_t *metric = json_object_get(e, "metric");
	const json_t *val = json_object_get(e, "value");
	double v;

	if (!json_is_object(metric) || !json_is_array(val) || json_array_size(val) != 2)
		return false;
	if (!json_is_number(json_array_get(val, 0)) || !value_parse(json_array_get(val, 1), &v))
		return false;
	*ts = json_number_value(json_array_get(val, 0));
	pe->host = xstrdup(host_label ? obj_str(metric, host_label) : "");
	pe->name = xstrdup(obj_str(metric, "__name__"));
	pe->extra = xstrdup(extra_label ? obj_str(metric, extra_label) : "");
	pe->value = v;
	return true;
}

int prom_parse_vector(const char *body, size_t len, const char *host_label,
		      const char *extra_label, struct prom_vector *out,
		      char *err, size_t errlen)
{
	json_t *root, *data, *result;
	size_t i;
	json_t *e;

	memset(out, 0, sizeof(*out));
	root = answer_load(body, len, err, errlen);
	if (!root)
		return -1;
	data = json_object_get(root, "data");
	result = json_object_get(data, "result");
	if (strcmp(obj_str(data, "resultType"), "vector") != 0 || !json_is_array(result)) {
		str_fmt(err, errlen, "the answer is not an instant vector (resultType \"%.20s\")",
			obj_str(data, "resultType"));
		json_decref(root);
		return -1;
	}
	out->v = xcalloc(json_array_size(result) + 1, sizeof(*out->v));
	json_array_foreach(result, i, e) {
		double ts = 0;
		/* a malformed element costs only itself */
		if (entry_parse(e, host_label, extra_label, &out->v[out->n], &ts)) {
			out->n++;
			if (ts > out->eval_time && isfinite(ts))
				out->eval_time = ts;
		}
	}
	json_decref(root);
	return 0;
}

void prom_vector_free(struct prom_vector *v)
{
	for (size_t i = 0; i < v->n; i++) {
		free(v->v[i].host);
		free(v->v[i].name);
		free(v->v[i].extra);
	}
	free(v->v);
	memset(v, 0, sizeof(*v));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int prom_parse_series(const char *body, size_t len, const char *label,
		      char ***values, size_t *n, char *err, size_t errlen)
{
	json_t *root = answer_load(body, len, err, errlen), *data, *e;
	size_t i, k = 0;
	char **v;

	*values = NULL;
	*n = 0;
	if (!root)
		return -1;
	data = json_object_get(root, "data");
	if (!json_is_array(data)) {
		str_fmt(err, errlen, "the series answer has no list of series in \"data\"");
		json_decref(root);
		return -1;
	}
	v = xcalloc(json_array_size(data) + 1, sizeof(*v));
	json_array_foreach(data, i, e) {
		const char *s = obj_str(e, label);
		if (*s)
			v[k++] = xstrdup(s);
	}
	json_decref(root);
	qsort(v, k, sizeof(*v), cmp_str);
	/* distinct: one host per label value, however many series it has */
	for (i = 0, *n = 0; i < k; i++) {
		if (*n > 0 && strcmp(v[*n - 1], v[i]) == 0) {
			free(v[i]);
			continue;
		}
		v[(*n)++] = v[i];
	}
	v[*n] = NULL;
	*values = v;
	return 0;
}

void prom_values_free(char **values)
{
	for (size_t i = 0; values && values[i]; i++)
		free(values[i]);
	free(values);
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
