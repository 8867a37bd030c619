/* Fuzz target: the Prometheus HTTP API parsers (remote, untrusted JSON):
 * instant vectors with and without an extra label, the series list, and the
 * PromQL builders fed the same bytes as label values and match selectors. */
#include "config.h"
#include "collect/prom_parse.h"
#include "util/util.h"

#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct prom_vector v;
	char *text = xstrndup((const char *)data, size), err[128], **vals, *s;
	size_t n;

	prom_parse_vector((const char *)data, size, "instance", "mountpoint", &v, err, sizeof(err));
	prom_vector_free(&v);
	prom_parse_vector((const char *)data, size, "nodename", NULL, &v, err, sizeof(err));
	prom_vector_free(&v);
	if (prom_parse_series((const char *)data, size, "instance", &vals, &n, err, sizeof(err)) == 0)
		prom_values_free(vals);
	free(prom_quote(text));
	s = prom_regex_literal(text);
	free(prom_quote(s));
	free(s);
	free(prom_selector("up", text, "mode=\"idle\"", err, sizeof(err)));
	free(prom_url_encode(text));
	prom_label_name_ok(text);
	free(text);
	return 0;
}
