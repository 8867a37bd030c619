/* Checks of one value against its schema type: formats, URLs, DSNs, ssh
 * targets, checks. References to other sections are validate.c's. */
#include "config.h"
#include "fleet/internal.h"
#include "fleet/values.h"
#include "util/util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <pthread.h>
#include <libpq-fe.h>

int values_number(const char *s, long max, long *out)
{
	long v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
		if (v > max)
			return -1;
	}
	*out = v;
	return 0;
}

int values_enum_index(const char *choices, const char *value)
{
	int i = 0;

	for (const char *p = choices; *p; i++) {
		size_t len = strcspn(p, " ");
		if (len == strlen(value) && strncmp(p, value, len) == 0)
			return i;
		p += len;
		p += strspn(p, " ");
	}
	return -1;
}

/* HOST[:PORT] or [V6]:PORT into malloc'd *host and *port (0 when absent).
 * Returns NULL, or why it is malformed. */
const char *values_host_port(const char *s, char **host, int *port)
{
	const char *colon, *end;
	long p;

	*host = NULL;
	*port = 0;
	if (*s == '[') {
		end = strchr(s, ']');
		if (!end)
			return "missing ']' after the IPv6 address";
		if (end == s + 1)
			return "empty address between [ and ]";
		colon = end[1] == ':' ? end + 1 : NULL;
		if (end[1] && !colon)
			return "unexpected text after ']'";
		s++;
	} else {
		colon = strchr(s, ':');
		if (colon && strchr(colon + 1, ':'))
			colon = NULL;   /* a bare IPv6 address has no port */
		end = colon ? colon : s + strlen(s);
	}
	if (end == s)
		return "no address";
	if (*s == '-')
		return "an address cannot start with '-'";
	/* what ssh(1) refuses in a host name (its valid_hostname()): every
	 * login resolves the address with ssh -G first */
	for (const char *c = s; c < end; c++)
		if (strchr("'`\"$\\;&<>|(){}", *c) || (unsigned char)*c <= ' ' || *c == 0x7f)
			return "an address cannot contain quotes, blanks, control characters or any of "
			       "$\\;&<>|(){}`";
	if (colon && values_number(colon + 1, 65535, &p) < 0)
		return "the port must be a number from 1 to 65535";
	if (colon && p == 0)
		return "the port must be a number from 1 to 65535";
	*host = xstrndup(s, (size_t)(end - s));
	*port = colon ? (int)p : 0;
	return NULL;
}

static bool has_control(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < ' ' || s[i] == 0x7f)
			return true;
	return false;
}

int fleet_ssh_parse(const char *ssh, struct fleet_host *h, char *err, size_t errlen)
{
	const char *at = strrchr(ssh, '@');
	const char *why;

	h->local = false;
	h->user = h->address = NULL;
	h->port = 0;
	if (strcmp(ssh, "local") == 0) {
		h->local = true;
		return 0;
	}
	if (strpbrk(ssh, " \t")) {
		str_fmt(err, errlen, "an ssh target cannot contain blanks");
		return -1;
	}
	if (at == ssh) {
		str_fmt(err, errlen, "empty user name before '@'");
		return -1;
	}
	why = values_host_port(at ? at + 1 : ssh, &h->address, &h->port);
	if (why) {
		str_fmt(err, errlen, "%s", why);
		return -1;
	}
	if (at && (ssh[0] == '-' || strcspn(ssh, "'`\";&<>|(){}") < (size_t)(at - ssh) ||
		   has_control(ssh, (size_t)(at - ssh)) || at[-1] == '\\')) {
		/* what ssh(1) refuses in a user name (its valid_ruser()) */
		free(h->address);
		h->address = NULL;
		str_fmt(err, errlen, "a user name cannot start with '-', end with '\\' or contain "
			"quotes, control characters or any of ;&<>|(){}`");
		return -1;
	}
	if (at)
		h->user = xstrndup(ssh, (size_t)(at - ssh));
	return 0;
}

/* Whether s starts with the scheme, case-insensitive. */
static bool has_scheme(const char *s, const char *scheme)
{
	return strncasecmp(s, scheme, strlen(scheme)) == 0;
}

const char *values_url(const char *s)
{
	const char *rest, *at;
	size_t alen;
	char *host;
	int port;
	const char *why;
	char auth[512];

	if (has_scheme(s, "https://"))
		rest = s + 8;
	else if (has_scheme(s, "http://"))
		rest = s + 7;
	else
		return "expected a URL starting with http:// or https://";
	if (strpbrk(s, " \t"))
		return "a URL cannot contain blanks (write %20)";
	alen = strcspn(rest, "/?#");
	if (alen == 0)
		return "no host in the URL";
	if (alen >= sizeof(auth))
		return "the host part of the URL is too long";
	memcpy(auth, rest, alen);
	auth[alen] = '\0';
	at = strrchr(auth, '@');
	if (at && memchr(auth, ':', (size_t)(at - auth)))
		return "a URL must not contain a password; use a *_file key or env:NAME for secrets";
	why = values_host_port(at ? at + 1 : auth, &host, &port);
	free(host);
	return why;
}

/* ---- DSNs: one walker for checking and for masking ------------------------ */

/* libpq's own list of secret options: PQconndefaults() marks them with
 * dispchar "*" ("password", "sslpassword", and any a later libpq adds). */
static char **pq_secrets;
static pthread_once_t pq_secrets_once = PTHREAD_ONCE_INIT;

static void pq_secrets_load(void)
{
	PQconninfoOption *o = PQconndefaults();
	size_t n = 0;

	for (PQconninfoOption *p = o; p && p->keyword; p++)
		n++;
	pq_secrets = xcalloc(n + 3, sizeof(*pq_secrets));
	n = 0;
	for (PQconninfoOption *p = o; p && p->keyword; p++)
		if (p->dispchar && strchr(p->dispchar, '*'))
			pq_secrets[n++] = xstrdup(p->keyword);
	/* without libpq's answer (out of memory), the two it has always had */
	if (n == 0) {
		pq_secrets[n++] = xstrdup("password");
		pq_secrets[n++] = xstrdup("sslpassword");
	}
	PQconninfoFree(o);
}

bool values_dsn_secret_key(const char *key, size_t len)
{
	pthread_once(&pq_secrets_once, pq_secrets_load);
	for (char **k = pq_secrets; *k; k++)
		if (strlen(*k) == len && strncmp(*k, key, len) == 0)
			return true;
	return false;
}

/* Called with the raw span of every value that is a secret. */
typedef void (*secret_fn)(void *arg, const char *val, size_t vlen);

/* A URI: the password of the user info, and query parameters libpq treats
 * as secret (?sslpassword=...). */
static const char *dsn_uri_walk(const char *s, secret_fn fn, void *arg)
{
	const char *rest = strstr(s, "://") + 3;
	size_t alen = strcspn(rest, "/?");
	const char *q = strchr(rest, '?');
	const char *at = NULL, *colon;

	for (const char *p = rest; p < rest + alen; p++)
		if (*p == '@')
			at = p;
	if (at && (colon = memchr(rest, ':', (size_t)(at - rest))))
		fn(arg, colon + 1, (size_t)(at - colon - 1));
	for (; q && *q; q = strchr(q + 1, '&')) {
		const char *key = q + 1, *eq = key + strcspn(key, "=&");
		if (*eq == '=' && values_dsn_secret_key(key, (size_t)(eq - key)))
			fn(arg, eq + 1, strcspn(eq + 1, "&"));
	}
	return NULL;
}

/* A conninfo's key=value pairs (values quoted with '' and \ escapes). */
static const char *dsn_conninfo_walk(const char *s, secret_fn fn, void *arg)
{
	int pairs = 0;

	for (;;) {
		const char *key, *val;
		size_t klen;

		while (isspace((unsigned char)*s))
			s++;
		if (!*s)
			break;
		key = s;
		while ((*s >= 'a' && *s <= 'z') || *s == '_')
			s++;
		klen = (size_t)(s - key);
		while (isspace((unsigned char)*s))
			s++;
		if (klen == 0 || *s != '=')
			return "expected key=value pairs";
		s++;
		while (isspace((unsigned char)*s))
			s++;
		val = s;
		if (*s == '\'') {
			for (s++; *s && *s != '\''; s++)
				if (*s == '\\' && s[1])
					s++;
			if (*s != '\'')
				return "missing the closing quote of a value";
			s++;
		} else {
			while (*s && !isspace((unsigned char)*s))
				s++;
		}
		if (values_dsn_secret_key(key, klen))
			fn(arg, val, (size_t)(s - val));
		pairs++;
	}
	return pairs ? NULL : "expected key=value pairs";
}

static bool dsn_is_uri(const char *s)
{
	return has_scheme(s, "postgresql://") || has_scheme(s, "postgres://");
}

static const char *dsn_walk(const char *s, secret_fn fn, void *arg)
{
	if (dsn_is_uri(s))
		return dsn_uri_walk(s, fn, arg);
	if (strstr(s, "://"))
		return "a URI must start with postgresql:// or postgres://";
	return dsn_conninfo_walk(s, fn, arg);
}

static void note_secret(void *arg, const char *val, size_t vlen)
{
	(void)val;
	(void)vlen;
	*(bool *)arg = true;
}

const char *values_dsn(const char *s, bool *secret)
{
	*secret = false;
	return dsn_walk(s, note_secret, secret);
}

/* Masking: the secret spans, in order, replaced by "****". */
struct mask_ctx {
	const char *src;
	char *out;
	size_t o, cap;
	const char *done;            /* src copied up to here */
};

static void mask_put(struct mask_ctx *m, const char *p, size_t n)
{
	if (m->o + n >= m->cap)
		n = m->o + 1 < m->cap ? m->cap - m->o - 1 : 0;
	memcpy(m->out + m->o, p, n);
	m->o += n;
}

static void mask_span(void *arg, const char *val, size_t vlen)
{
	struct mask_ctx *m = arg;

	mask_put(m, m->done, (size_t)(val - m->done));
	mask_put(m, "****", 4);
	m->done = val + vlen;
}

void values_dsn_mask(const char *dsn, char *out, size_t size)
{
	struct mask_ctx m = { dsn, out, 0, size, dsn };

	if (size == 0)
		return;
	if (dsn_walk(dsn, mask_span, &m)) {
		/* not a DSN libpq would take: nothing of it can be shown safely */
		str_copy(out, "(not shown: not a valid DSN)", size);
		return;
	}
	mask_put(&m, m.done, strlen(m.done));
	out[m.o] = '\0';
}

char *values_dsn_without_address(const char *dsn, char *err, size_t errlen)
{
	char *perr = NULL, *s;
	PQconninfoOption *opts = PQconninfoParse(dsn, &perr);

	if (!opts) {
		PQfreemem(perr);    /* it may quote the DSN */
		str_copy(err, "the dsn does not parse", errlen);
		return NULL;
	}
	/* libpq uses no TLS (nor GSSAPI encryption) on a Unix socket, and
	 * says nothing: a DSN that demands it would silently lose it */
	for (PQconninfoOption *o = opts; o && o->keyword; o++) {
		if (!o->val)
			continue;
		if ((strcmp(o->keyword, "sslmode") == 0 && (strcmp(o->val, "require") == 0 ||
		     strncmp(o->val, "verify-", 7) == 0)) ||
		    (strcmp(o->keyword, "requiressl") == 0 && strcmp(o->val, "1") == 0) ||
		    (strcmp(o->keyword, "gssencmode") == 0 && strcmp(o->val, "require") == 0)) {
			str_fmt(err, errlen, "%s=%s cannot hold through a tunnel (a private Unix "
				"socket, where libpq uses no encryption); the tunnel host's own "
				"link to the database is then unencrypted: drop it or connect directly",
				o->keyword, o->val);
			PQconninfoFree(opts);
			return NULL;
		}
	}
	s = xstrdup("");
	for (PQconninfoOption *o = opts; o && o->keyword; o++) {
		char *q, *next;
		size_t k = 0;
		if (!o->val || strcmp(o->keyword, "host") == 0 || strcmp(o->keyword, "hostaddr") == 0 ||
		    strcmp(o->keyword, "port") == 0)
			continue;
		q = xmalloc(2 * strlen(o->val) + 3);
		q[k++] = '\'';
		for (const char *v = o->val; *v; v++) {
			if (*v == '\'' || *v == '\\')
				q[k++] = '\\';
			q[k++] = *v;
		}
		q[k++] = '\'';
		q[k] = '\0';
		next = xasprintf("%s%s%s=%s", s, *s ? " " : "", o->keyword, q);
		free(s);
		free(q);
		s = next;
	}
	PQconninfoFree(opts);
	return s;
}

const char *values_check(const char *s)
{
	char *host;
	int port;
	const char *why;

	if (has_scheme(s, "http://") || has_scheme(s, "https://"))
		return values_url(s);
	if (strncmp(s, "tcp", 3) != 0 || (s[3] != ' ' && s[3] != '\t'))
		return "expected https://HOST/PATH or tcp HOST:PORT, such as tcp 10.0.0.11:3060";
	s += 3 + strspn(s + 3, " \t");
	if (strpbrk(s, " \t"))
		return "expected tcp HOST:PORT with nothing after it";
	why = values_host_port(s, &host, &port);
	free(host);
	if (!why && port == 0)
		why = "expected tcp HOST:PORT with a port, such as tcp 10.0.0.11:3060";
	return why;
}

/* OWNER/REPO of GitHub: exactly one slash, both parts non-empty. */
static bool github_repo(const char *s)
{
	const char *slash = strchr(s, '/');

	if (!slash || slash == s || !slash[1] || strchr(slash + 1, '/'))
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("._-/", *s))
			return false;
	return true;
}

const char *values_runner_status(const char *s, char **token_file)
{
	size_t n;
	char **w = fleet_list_split(s, &n);
	const char *why = NULL;

	*token_file = NULL;
	if (n == 1 && strcmp(w[0], "none") == 0)
		goto out;
	if (n < 2 || n > 3 || (strcmp(w[0], "forgejo") != 0 && strcmp(w[0], "github") != 0)) {
		why = "expected none, forgejo URL [token_file=PATH] or github OWNER/REPO "
		      "[token_file=PATH]";
		goto out;
	}
	if (strcmp(w[0], "forgejo") == 0 && values_url(w[1]))
		why = "expected forgejo URL [token_file=PATH], such as forgejo https://git.example.org/OWNER/REPO";
	else if (strcmp(w[0], "github") == 0 && !github_repo(w[1]))
		why = "expected github OWNER/REPO [token_file=PATH], such as github acme/app";
	else if (n == 3 && (!str_starts(w[2], "token_file=") || !w[2][11]))
		why = "expected token_file=PATH after the URL or repository";
	else if (n == 3)
		*token_file = xstrdup(w[2] + 11);
out:
	fleet_list_free(w);
	return why;
}

static const char *const gpu_field_names[] = {
	"list", "index", "name", "util", "mem_used", "mem_total", "temp", "power", "power_limit",
};

const char *values_field_map(const char *s, char *buf, size_t size)
{
	size_t n;
	char **w = fleet_list_split(s, &n);
	unsigned seen = 0;
	const char *why = NULL;

	for (size_t i = 0; i < n && !why; i++) {
		char *eq = strchr(w[i], '=');
		int f = -1;

		if (!eq) {
			why = "expected FIELD=/json/pointer pairs, such as util=/utilization";
			break;
		}
		*eq = '\0';
		for (size_t j = 0; j < ARRAY_LEN(gpu_field_names); j++)
			if (strcmp(w[i], gpu_field_names[j]) == 0)
				f = (int)j;
		if (f < 0) {
			const char *hint = fleet_suggest(w[i], gpu_field_names, ARRAY_LEN(gpu_field_names));
			char pv[64];
			fleet_preview(pv, sizeof(pv), w[i]);
			str_fmt(buf, size, "unknown field '%s'%s%s%s; fields are list index name util "
				"mem_used mem_total temp power power_limit", pv, hint ? " (did you mean '" : "",
				hint ? hint : "", hint ? "'?)" : "");
			why = buf;
		} else if (seen & (1u << f)) {
			str_fmt(buf, size, "field '%s' is mapped twice", gpu_field_names[f]);
			why = buf;
		} else if (eq[1] && eq[1] != '/') {
			why = "a JSON pointer starts with '/', such as /gpus/0/temp";
		}
		if (f >= 0)
			seen |= 1u << f;
	}
	fleet_list_free(w);
	return why;
}
