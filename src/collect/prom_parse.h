/* Parsers and PromQL builders for the Prometheus HTTP API (query and series
 * endpoints). Pure functions, no I/O: the answers are remote, untrusted text
 * (tests/fuzz/fuzz_prom.c). See doc/prometheus.md. */
#ifndef FLEETDECK_PROM_PARSE_H
#define FLEETDECK_PROM_PARSE_H

#include <stdbool.h>
#include <stddef.h>

/* One element of an instant vector. Label values that the caller did not ask
 * for are not kept; a label that is absent reads as "". */
struct prom_entry {
	char *host;      /* value of the host label */
	char *name;      /* __name__ ("" after functions that drop it) */
	char *extra;     /* value of the extra label asked for (mountpoint, release) */
	double value;    /* as given: NaN and +-Inf are kept, callers judge */
};

struct prom_vector {
	double eval_time;          /* the samples' timestamp (evaluation time), 0 when empty */
	struct prom_entry *v;
	size_t n;
};

/* Parses a /api/v1/query answer that must be an instant vector. Also reads
 * the API's error documents ({"status":"error",...}) into err. Returns 0 or
 * -1 with a sentence in err; *out is always initialised. */
int prom_parse_vector(const char *body, size_t len, const char *host_label,
		      const char *extra_label, struct prom_vector *out,
		      char *err, size_t errlen);
void prom_vector_free(struct prom_vector *v);

/* Parses a /api/v1/series answer into the distinct values of label, sorted,
 * empty values left out. Returns 0 (*values malloc'd, NULL-terminated; free
 * with prom_values_free()) or -1 with a sentence in err. */
int prom_parse_series(const char *body, size_t len, const char *label,
		      char ***values, size_t *n, char *err, size_t errlen);
void prom_values_free(char **values);

/* A PromQL string literal for any bytes: "..." with \ " and control
 * characters escaped. malloc'd. */
char *prom_quote(const char *value);
/* value as an RE2 regex that matches it literally (metacharacters escaped),
 * not yet quoted: pass the result through prom_quote(). malloc'd. */
char *prom_regex_literal(const char *value);
/* A label name PromQL accepts: [a-zA-Z_][a-zA-Z0-9_]*. */
bool prom_label_name_ok(const char *name);

/* metric{inner of match,extra}: match is the [prometheus] `match` key (a
 * selector in braces, e.g. {job="node"}, or NULL/empty), extra more matchers
 * without braces (or NULL). metric may be NULL. Returns malloc'd text, or
 * NULL with a sentence in err when match is not a {...} selector. */
char *prom_selector(const char *metric, const char *match, const char *extra,
		    char *err, size_t errlen);

/* Percent-encodes s for a URL query value (RFC 3986 unreserved kept). */
char *prom_url_encode(const char *s);

#endif
