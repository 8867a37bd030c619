/* Fuzz target: the Prometheus HTTP API readers (remote, untrusted JSON) and
 * the PromQL builders. Each input is read as an instant vector, a series
 * list and a targets list, whole and again in pieces whose sizes come from
 * the input itself: the two readings must agree (an answer can be cut by the
 * network anywhere). The same bytes go to the builders as label values and
 * match selectors, and to the exporters' host-label matching. */
#include "config.h"
#include "collect/prom_exporters.h"
#include "collect/prom_parse.h"
#include "util/util.h"

#include <math.h>
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A running digest of what a reader passed on. */
struct digest {
	size_t n;
	uint64_t h;
};

static void mix(struct digest *d, const void *p, size_t n)
{
	const unsigned char *c = p;

	for (size_t i = 0; i < n; i++)
		d->h = (d->h ^ c[i]) * 1099511628211ull;
}

static void on_sample(void *arg, const struct prom_sample *s)
{
	struct digest *d = arg;
	double v = isnan(s->value) ? 0.5 : s->value;

	d->n++;
	for (int i = 0; i < PROM_MAX_LABELS; i++)
		mix(d, s->label[i], strlen(s->label[i]) + 1);
	mix(d, &v, sizeof(v));
	mix(d, &s->cut, sizeof(s->cut));
}

static int read_doc(enum prom_doc doc, const uint8_t *data, size_t size, size_t step,
		    struct digest *d, char *err, size_t errlen)
{
	static const char *const want[] = { "instance", "mountpoint", "__name__", NULL };
	struct prom_reader r;

	memset(d, 0, sizeof(*d));
	err[0] = '\0';
	prom_reader_init(&r, doc, want, on_sample, d);
	for (size_t off = 0; off < size; off += step) {
		size_t n = size - off < step ? size - off : step;
		if (prom_reader_feed(&r, (const char *)data + off, n) < 0)
			break;
	}
	return prom_reader_finish(&r, err, errlen);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = xstrndup((const char *)data, size), err[128], err2[128], *s;
	size_t step = size ? (size_t)data[0] % 13 + 1 : 1;

	for (int doc = PROM_DOC_VECTOR; doc <= PROM_DOC_VALUES; doc++) {
		struct digest whole, pieces;
		int a = read_doc((enum prom_doc)doc, data, size, size ? size : 1, &whole, err,
				 sizeof(err));
		int b = read_doc((enum prom_doc)doc, data, size, step, &pieces, err2, sizeof(err2));
		if (a != b || whole.n != pieces.n || whole.h != pieces.h || strcmp(err, err2) != 0)
			abort();  /* where the network cut the answer changed what was read */
	}
	free(prom_quote(text));
	s = prom_regex_literal(text);
	free(prom_quote(s));
	free(s);
	free(prom_selector("up", text, "mode=\"idle\"", err, sizeof(err)));
	free(prom_url_encode(text));
	prom_label_name_ok(text);
	prom_duration(text);
	/* an exporter's host label value -> the host it belongs to: a prefix */
	{
		char key[64];
		const char *k = prom_host_key(text, key, sizeof(key));
		if (strlen(k) > strlen(text) || strncmp(k, text, strlen(k)) != 0)
			abort();
	}
	free(text);
	return 0;
}
