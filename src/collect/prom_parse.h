/* The answers of the Prometheus HTTP API read as they arrive, and the PromQL
 * builders. No I/O: the answers are remote, untrusted text
 * (tests/fuzz/fuzz_prom.c). See doc/prometheus.md.
 *
 * A reader is fed the bytes of one answer in pieces (prom_reader_feed) and
 * calls back once per element it found: an instant vector's sample, a
 * series of /api/v1/series, an active target of /api/v1/targets. Nothing of
 * the answer is kept but the element being read, so reading 100,000 hosts'
 * answer costs the same few KiB as reading one host's. */
#ifndef FLEETDECK_PROM_PARSE_H
#define FLEETDECK_PROM_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include "collect/prom_stream.h"

enum prom_doc {
	PROM_DOC_VECTOR,    /* /api/v1/query: data.result[] of {metric, value} */
	PROM_DOC_SERIES,    /* /api/v1/series: data[] of label sets */
	PROM_DOC_TARGETS,   /* /api/v1/targets: data.activeTargets[] of {labels, scrapeInterval} */
	PROM_DOC_VALUES,    /* /api/v1/label/NAME/values: data[] of strings (each one
			       element, its text as label[0]) */
};

#define PROM_MAX_LABELS 8
#define PROM_LABEL_MAX 256      /* longer label values are cut (sample.cut) */
#define PROM_ERR_SHOWN 160      /* server error texts are quoted at most this long */

/* One element. Only the labels the reader was asked for are kept. */
struct prom_sample {
	const char *label[PROM_MAX_LABELS];  /* "" when absent or not a string */
	bool cut;                  /* one of them was longer than PROM_LABEL_MAX - 1 */
	double value;              /* vector: as given (NaN, +-Inf kept: callers judge);
				      targets: scrapeInterval in seconds */
	double ts;                 /* vector: the evaluation time; else 0 */
};

typedef void (*prom_sample_fn)(void *arg, const struct prom_sample *s);

struct prom_reader {
	struct pj pj;
	enum prom_doc doc;
	const char *want[PROM_MAX_LABELS];
	int nwant;
	prom_sample_fn fn;
	void *arg;
	/* the element being read */
	char lab[PROM_MAX_LABELS][PROM_LABEL_MAX];
	bool el_cut, el_value, el_ts;
	double el_v, el_t;
	/* the document */
	bool root_object, data_seen;
	char status[16], error_type[32], error[PROM_ERR_SHOWN + 1], result_type[16];
	size_t samples;            /* elements passed to fn */
	double eval_time;          /* vector: the newest sample time */
};

/* want: the label names to keep, NULL-terminated (at most PROM_MAX_LABELS;
 * borrowed until the reader is done). fn may be NULL. */
void prom_reader_init(struct prom_reader *r, enum prom_doc doc, const char *const *want,
		      prom_sample_fn fn, void *arg);
/* Returns 0, or -1 once the input is not JSON: stop feeding (abort the
 * transfer); prom_reader_finish() says why. */
int prom_reader_feed(struct prom_reader *r, const char *data, size_t n);
/* After the last byte: 0 when the answer was a complete success document of
 * the expected shape, else -1 with a sentence in err (the API's own error
 * text, sanitised, when it sent one). Samples already passed to fn belong
 * to a failed answer then, and the caller drops them. */
int prom_reader_finish(struct prom_reader *r, char *err, size_t errlen);

/* A whole answer in one call (tests, fuzzing, small answers). */
int prom_read_all(enum prom_doc doc, const char *body, size_t len, const char *const *want,
		  prom_sample_fn fn, void *arg, char *err, size_t errlen);

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

/* A Prometheus duration ("15s", "1m30s", "500ms") in seconds, or -1. */
double prom_duration(const char *s);

#endif
