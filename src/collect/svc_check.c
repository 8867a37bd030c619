#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collect/svc_check.h"
#include "collect/http.h"
#include "util/util.h"

/* The host and port of an https URL, for reading its certificate from
 * another host (libcurl's URL parser, so it agrees with the check itself). */
static int url_host_port(const char *url, struct svc_check *out)
{
	CURLU *u = curl_url();
	char *host = NULL, *port = NULL;
	int rc = -1;

	if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK) {
		/* an IPv6 host comes back as [addr], which openssl -connect wants */
		str_copy(out->host, host, sizeof(out->host));
		out->port = atoi(port);
		rc = out->port > 0 ? 0 : -1;
	}
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return rc;
}

int svc_check_parse(const char *value, struct svc_check *out, char *err, size_t errlen)
{
	const char *hp, *colon;
	char *end;
	long port;

	memset(out, 0, sizeof(*out));
	if (str_starts(value, "http://") || str_starts(value, "https://")) {
		if (str_copy(out->url, value, sizeof(out->url)) >= sizeof(out->url)) {
			str_fmt(err, errlen, "the URL is too long");
			return -1;
		}
		out->kind = CHECK_HTTP;
		out->https = str_starts(value, "https://");
		if (out->https && url_host_port(value, out) < 0) {
			str_fmt(err, errlen, "cannot read the host and port of the URL");
			return -1;
		}
		return 0;
	}
	if (!str_starts(value, "tcp ")) {
		str_fmt(err, errlen, "expected http(s)://... or tcp HOST:PORT");
		return -1;
	}
	hp = value + 4;
	while (*hp == ' ' || *hp == '\t')
		hp++;
	if (*hp == '[') {
		const char *rb = strchr(hp, ']');
		if (!rb || rb[1] != ':') {
			str_fmt(err, errlen, "expected tcp [ADDRESS]:PORT");
			return -1;
		}
		str_copy(out->host, hp + 1, (size_t)(rb - hp) < sizeof(out->host) ?
			 (size_t)(rb - hp) : sizeof(out->host));
		colon = rb + 1;
	} else {
		colon = strrchr(hp, ':');
		if (!colon || colon == hp) {
			str_fmt(err, errlen, "expected tcp HOST:PORT");
			return -1;
		}
		str_copy(out->host, hp, (size_t)(colon - hp) + 1 < sizeof(out->host) ?
			 (size_t)(colon - hp) + 1 : sizeof(out->host));
	}
	port = strtol(colon + 1, &end, 10);
	if (end == colon + 1 || *end || port < 1 || port > 65535) {
		str_fmt(err, errlen, "the port must be a number from 1 to 65535");
		return -1;
	}
	out->port = (int)port;
	out->kind = CHECK_TCP;
	return 0;
}

/* Times in ns from date +%s%N where GNU date has it; other systems print a
 * literal N and the shell's own round trip is used instead. */
static const char tcp_script[] =
	"fd_s=$(date +%%s%%N 2>/dev/null)\n"
	"if command -v nc >/dev/null 2>&1; then\n"
	" nc -z -w %d %s %d >/dev/null 2>&1; fd_rc=$?; fd_tool=nc\n"
	"elif command -v bash >/dev/null 2>&1 && command -v timeout >/dev/null 2>&1; then\n"
	" timeout %d bash -c 'exec 3<>\"/dev/tcp/$1/$2\"' fd %s %d >/dev/null 2>&1; fd_rc=$?; fd_tool=bash\n"
	"else fd_rc=127; fd_tool=none; fi\n"
	"fd_e=$(date +%%s%%N 2>/dev/null)\n"
	"echo \"@@TCP $fd_rc $fd_tool $fd_s $fd_e\"\n";

static const char http_script[] =
	"if command -v curl >/dev/null 2>&1; then\n"
	" curl -sS --max-time %d %s -w '\\n@@HTTP %%{http_code} %%{time_total}\\n' -- %s\n"
	" echo \"@@RC $?\"\n"
	"else echo @@NOCURL; fi\n";

/* The certificate's end date as that host sees it (curl has verified it
 * already; openssl only reads notAfter), when openssl is there. */
static const char cert_script[] =
	"if command -v openssl >/dev/null 2>&1; then\n"
	" if command -v timeout >/dev/null 2>&1; then fd_t='timeout %d'; else fd_t=; fi\n"
	" fd_end=$(printf '' | $fd_t openssl s_client -connect %s -servername %s 2>/dev/null"
	" | openssl x509 -noout -enddate 2>/dev/null)\n"
	" echo \"@@CERT $fd_end\"\n"
	"fi\n";

/* https: the certificate part of the script, quoted. */
static char *cert_part(const struct svc_check *c, int t)
{
	char *hp = xasprintf("%s:%d", c->host, c->port);
	char *bare = xstrdup(c->host), *qhp, *qname, *s;

	/* SNI wants the name without IPv6 brackets */
	if (bare[0] == '[') {
		memmove(bare, bare + 1, strlen(bare));
		bare[strcspn(bare, "]")] = '\0';
	}
	qhp = sh_quote(hp);
	qname = sh_quote(bare);
	s = xasprintf(cert_script, t, qhp, qname);
	free(hp);
	free(bare);
	free(qhp);
	free(qname);
	return s;
}

char *svc_remote_script(const struct svc_check *c, double timeout, const char *cafile)
{
	int t = (int)(timeout + 0.999);
	char *q, *s;

	if (t < 1)
		t = 1;
	if (c->kind == CHECK_TCP) {
		q = sh_quote(c->host);
		s = xasprintf(tcp_script, t, q, c->port, t, q, c->port);
	} else {
		char *qca = cafile ? sh_quote(cafile) : NULL;
		char *ca = qca ? xasprintf("--cacert %s", qca) : xstrdup("");
		char *cert = c->https ? cert_part(c, t) : xstrdup("");
		char *http;
		q = sh_quote(c->url);
		http = xasprintf(http_script, t, ca, q);
		s = xasprintf("%s%s", http, cert);
		free(http);
		free(cert);
		free(ca);
		free(qca);
	}
	free(q);
	return s;
}

static void fail(struct service_sample *s, const char *fmt, const char *a, const char *b)
{
	s->ok = false;
	str_fmt(s->error, sizeof(s->error), fmt, a, b);
	str_sanitize(s->error);
}

/* First line of text, trimmed, at most size-1 bytes. */
static void first_line(char *buf, size_t size, const char *text)
{
	const char *nl = text ? strchr(text, '\n') : NULL;
	size_t n = nl ? (size_t)(nl - text) + 1 : size;

	str_copy(buf, text ? text : "", n < size ? n : size);
	str_trim(buf);
}

static void tcp_parse(const struct svc_check *c, const char *out, double shell_ms,
		      struct service_sample *s)
{
	const char *m = strstr(out, "@@TCP ");
	char tool[16] = "", target[300];
	long long t0 = 0, t1 = 0;
	int rc = -1;

	str_fmt(target, sizeof(target), "%s:%d", c->host, c->port);
	if (!m || sscanf(m, "@@TCP %d %15s %lld %lld", &rc, tool, &t0, &t1) < 2) {
		fail(s, "the check printed something unexpected on the host%s%s", "", "");
		return;
	}
	if (t0 > 0 && t1 >= t0) {
		s->latency_ms = (double)(t1 - t0) / 1e6;
		s->latency_valid = true;
	} else if (shell_ms >= 0) {
		s->latency_ms = shell_ms;
		s->latency_valid = true;
	}
	if (strcmp(tool, "none") == 0) {
		fail(s, "cannot check %s from this host: it has neither nc nor bash with "
		     "timeout%s", target, "");
		s->latency_valid = false;
	} else if (rc == 124) {
		fail(s, "connecting to %s timed out (%s)", target, tool);
	} else if (rc != 0) {
		fail(s, "cannot connect to %s (refused or unreachable, %s)", target, tool);
	} else {
		s->ok = true;
	}
}

void svc_http_judge(long status, const char *body, size_t len, const char *expect,
		    struct service_sample *s)
{
	char buf[32];
	bool found = false;

	s->http_status = (int)status;
	if (status < 200 || status > 299) {
		str_fmt(buf, sizeof(buf), "%ld", status);
		fail(s, "HTTP %s (expected 2xx)%s", buf, "");
		return;
	}
	if (expect && *expect) {
		size_t el = strlen(expect);
		for (size_t i = 0; body && i + el <= len && !found; i++)
			found = memcmp(body + i, expect, el) == 0;
		if (!found) {
			fail(s, "the answer does not contain \"%s\"%s", expect, "");
			return;
		}
	}
	s->ok = true;
}

/* "@@CERT notAfter=Jan  1 00:00:00 2027 GMT" from the cert part. */
static void cert_parse(const char *out, struct service_sample *s)
{
	const char *p = strstr(out, "\n@@CERT notAfter=");

	if (p)
		s->cert_days_left = http_cert_days_from_date(p + strlen("\n@@CERT notAfter="), now_wall());
}

static void http_parse(const char *expect, const char *out, size_t outlen, const char *err,
		       struct service_sample *s)
{
	const char *m = NULL, *p;
	char line[200];
	int code = 0, rc = -1;
	double secs = -1;

	if (strstr(out, "@@NOCURL")) {
		fail(s, "cannot check from this host: curl is not installed there%s%s", "", "");
		return;
	}
	for (p = out; (p = strstr(p, "\n@@HTTP ")) != NULL; p++)
		m = p;
	if (!m || sscanf(m, "\n@@HTTP %d %lf", &code, &secs) < 1) {
		fail(s, "the check printed something unexpected on the host%s%s", "", "");
		return;
	}
	p = strstr(m, "\n@@RC ");
	if (p)
		rc = atoi(p + 6);
	if (secs >= 0) {
		s->latency_ms = secs * 1000;
		s->latency_valid = true;
	}
	if (rc != 0 || code == 0) {
		first_line(line, sizeof(line), err && *err ? err : "no answer");
		fail(s, "%s%s", line, "");
		s->http_status = code;
		return;
	}
	(void)outlen;
	svc_http_judge(code, out, (size_t)(m - out), expect, s);
	cert_parse(out, s);
}

void svc_remote_parse(const struct svc_check *c, const char *expect, const char *out,
		      size_t outlen, const char *err, double shell_latency_ms,
		      struct service_sample *s)
{
	s->ok = false;
	s->http_status = 0;
	s->latency_valid = false;
	s->error[0] = '\0';
	s->cert_days_left = -1;
	if (c->kind == CHECK_TCP)
		tcp_parse(c, out ? out : "", shell_latency_ms, s);
	else
		http_parse(expect, out ? out : "", outlen, err, s);
}
