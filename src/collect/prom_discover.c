/* Discovery of the hosts a [prometheus] section knows, once at start, before
 * the model is sized (the model's host array is fixed for the session).
 *
 * One bounded, synchronous GET of URL/api/v1/series per section, like the
 * one `ssh -G` per host at start: it costs at most the section's timeout,
 * and a server that does not answer costs only a message and an unknown
 * placeholder host, never the start. */
#include "config.h"
#include "collect/prometheus.h"
#include "collect/prom_parse.h"
#include "util/util.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

/* 10 000 hosts' series lists are a few MiB; this only bounds a runaway. */
#define DISCOVER_MAX_BODY (64u << 20)

struct body {
	char *p;
	size_t len, cap;
};

static size_t body_write(char *data, size_t size, size_t nmemb, void *userp)
{
	struct body *b = userp;
	size_t n = size * nmemb;

	if (b->len + n + 1 > DISCOVER_MAX_BODY)
		return 0;  /* aborts the transfer */
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->p = xrealloc(b->p, b->cap);
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
	return n;
}

char *prom_base_url(const struct fleet_section *s)
{
	const char *u = fleet_section_get(s, "url");
	size_t n = u ? strlen(u) : 0;

	while (n > 0 && u[n - 1] == '/')
		n--;
	return xstrndup(u ? u : "", n);
}

char *prom_auth_header(const struct fleet_section *s, char *err, size_t errlen)
{
	char *path = fleet_section_path(s, "bearer_token_file"), *tok, *hdr;

	err[0] = '\0';
	if (!path)
		return NULL;
	tok = fleet_read_secret(path, err, errlen);
	free(path);
	if (!tok)
		return NULL;
	hdr = xasprintf("Authorization: Bearer %s", tok);
	explicit_bzero(tok, strlen(tok));
	free(tok);
	return hdr;
}

bool prom_is_placeholder(const struct fleet_host *h)
{
	return h->prometheus >= 0 && str_starts(h->name, PROM_PLACEHOLDER_PREFIX) &&
	       h->sec && strcmp(h->name + strlen(PROM_PLACEHOLDER_PREFIX), h->sec->name) == 0;
}

/* GET url with the section's token; the body (malloc'd) or NULL with err. */
static char *http_get_sync(const char *url, const char *auth, double timeout,
			   size_t *len, char *err, size_t errlen)
{
	CURL *e = curl_easy_init();
	struct curl_slist *hdrs = auth ? curl_slist_append(NULL, auth) : NULL;
	struct body b = { 0 };
	char ebuf[CURL_ERROR_SIZE] = "";
	long status = 0;
	CURLcode rc;

	if (!e) {
		str_fmt(err, errlen, "cannot start an HTTP request (libcurl)");
		curl_slist_free_all(hdrs);
		return NULL;
	}
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, body_write);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, ebuf);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)(timeout * 1000));
	curl_easy_setopt(e, CURLOPT_USERAGENT, "fleetdeck/" PACKAGE_VERSION);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	if (hdrs)
		curl_easy_setopt(e, CURLOPT_HTTPHEADER, hdrs);
	rc = curl_easy_perform(e);
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(e);
	curl_slist_free_all(hdrs);
	if (rc != CURLE_OK) {
		str_fmt(err, errlen, "%s", ebuf[0] ? ebuf : curl_easy_strerror(rc));
		free(b.p);
		return NULL;
	}
	/* 4xx/5xx answers of the API carry its JSON error: the parser says it */
	if (status == 401 || status == 403) {
		str_fmt(err, errlen, "HTTP %ld: check bearer_token_file", status);
		free(b.p);
		return NULL;
	}
	*len = b.len;
	return b.p ? b.p : xstrdup("");
}

/* The distinct host names the section's server knows, or NULL with err. */
static char **section_names(const struct fleet *f, const struct fleet_section *s,
			    size_t *n, char *err, size_t errlen)
{
	const char *label = fleet_section_value(s, "host_label");
	double timeout = fleet_section_duration(s, "timeout", f->timeout > 0 ? f->timeout : 5);
	char *sel, *enc, *url, *base, *auth, *body, **names = NULL;
	size_t len = 0;

	if (!prom_label_name_ok(label)) {
		str_fmt(err, errlen, "host_label \"%s\" is not a label name", label ? label : "");
		return NULL;
	}
	sel = prom_selector("node_uname_info", fleet_section_get(s, "match"), NULL, err, errlen);
	if (!sel)
		return NULL;
	auth = prom_auth_header(s, err, errlen);
	if (!auth && err[0]) {
		free(sel);
		return NULL;
	}
	enc = prom_url_encode(sel);
	base = prom_base_url(s);
	url = xasprintf("%s/api/v1/series?match%%5B%%5D=%s", base, enc);
	body = http_get_sync(url, auth, timeout, &len, err, errlen);
	if (body && prom_parse_series(body, len, label, &names, n, err, errlen) == 0 && *n == 0)
		str_fmt(err, errlen, "no series match %s", sel);
	if (auth) {
		explicit_bzero(auth, strlen(auth));
		free(auth);
	}
	free(body);
	free(url);
	free(base);
	free(enc);
	free(sel);
	return names;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Names already taken (sorted, borrowed from f): explicit [host]s win. */
static const char **taken_names(const struct fleet *f)
{
	const char **v = xcalloc(f->nhosts + 1, sizeof(*v));

	for (size_t i = 0; i < f->nhosts; i++)
		v[i] = f->hosts[i].name;
	qsort(v, f->nhosts, sizeof(*v), cmp_str);
	return v;
}

static bool name_taken(const char **taken, size_t n, const char *name)
{
	return bsearch(&name, taken, n, sizeof(*taken), cmp_str) != NULL;
}

/* Remote text becomes a name on screen only when it is printable. */
static bool name_printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

static void host_append(struct fleet *f, const struct fleet_section *s, int index,
			const char *name)
{
	struct fleet_host *h;

	f->hosts = xrealloc(f->hosts, (f->nhosts + 1) * sizeof(*f->hosts));
	h = &f->hosts[f->nhosts++];
	memset(h, 0, sizeof(*h));
	h->name = xstrdup(name);
	h->jump_index = -1;
	h->prometheus = index;
	h->role = xasprintf("via prometheus %s", s->name);
	h->ram_reserve = -1;
	/* no shell on these hosts: nothing may try to run a script there */
	h->containers = CONT_NONE;
	h->gpus = GPUS_NONE;
	h->disks[0] = xstrdup("/");
	h->ndisks = 1;
	h->interval = fleet_section_duration(s, "interval", f->interval > 0 ? f->interval : 2);
	h->timeout = fleet_section_duration(s, "timeout", f->timeout > 0 ? f->timeout : 5);
	h->th = f->th;
	h->sec = s;
}

/* One section: its hosts, or its placeholder with the reason on msg. */
static size_t discover_section(struct fleet *f, const struct fleet_section *s, int index,
			       FILE *msg)
{
	char err[512] = "", *ph, **names;
	size_t n = 0, added = 0, skipped = 0, ntaken = f->nhosts;
	const char **taken;

	names = section_names(f, s, &n, err, sizeof(err));
	taken = taken_names(f);
	for (size_t i = 0; names && i < n; i++) {
		if (name_taken(taken, ntaken, names[i]))
			continue;  /* a [host] of that name keeps its SSH polling */
		if (!name_printable(names[i])) {
			skipped++;
			continue;
		}
		host_append(f, s, index, names[i]);
		added++;
	}
	free(taken);
	prom_values_free(names);
	if (skipped)
		fprintf(msg, "fleetdeck: [prometheus %s]: %zu host name%s with control "
			"characters left out\n", s->name, skipped, skipped == 1 ? "" : "s");
	if (added || n)
		return added;
	fprintf(msg, "fleetdeck: [prometheus %s]: no hosts from %s: %s; it shows as "
		"unknown until fleetdeck is restarted\n", s->name, fleet_section_get(s, "url"), err);
	ph = xasprintf(PROM_PLACEHOLDER_PREFIX "%s", s->name);
	host_append(f, s, index, ph);
	free(ph);
	return 1;
}

size_t prom_discover(struct fleet *f, FILE *msg)
{
	size_t n = fleet_count(f, SEC_PROMETHEUS), added = 0;

	if (n == 0)
		return 0;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	for (size_t i = 0; i < n; i++)
		added += discover_section(f, fleet_nth(f, SEC_PROMETHEUS, i), (int)i, msg);
	return added;
}
