#include "config.h"
#include "collect/knownhosts.h"
#include "util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#define KH_MAX_LINE 16384

/* Decodes standard base64; returns the length or -1. */
static long b64_decode(const char *in, size_t inlen, unsigned char *out, size_t outcap)
{
	int n;

	if (inlen == 0 || inlen % 4 != 0 || inlen / 4 * 3 > outcap)
		return -1;
	n = EVP_DecodeBlock(out, (const unsigned char *)in, (int)inlen);
	if (n < 0)
		return -1;
	if (in[inlen - 1] == '=')
		n--;
	if (in[inlen - 2] == '=')
		n--;
	return n;
}

/* Glob match with * and ?, as OpenSSH's match_pattern. */
static bool glob_match(const char *s, const char *p)
{
	for (; *p; p++, s++) {
		if (*p == '*') {
			while (p[1] == '*')
				p++;
			if (!p[1])
				return true;
			for (; *s; s++)
				if (glob_match(s, p + 1))
					return true;
			return false;
		}
		if (!*s || (*p != '?' && *p != *s))
			return false;
	}
	return *s == '\0';
}

/* |1|salt|hash: HMAC-SHA1(salt, name) == hash. */
static bool hashed_match(const char *pat, size_t plen, const char *name)
{
	const char *salt = pat + 3, *bar = memchr(salt, '|', plen - 3);
	unsigned char s[64], h[64], mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;
	long sl, hl;

	if (!bar)
		return false;
	sl = b64_decode(salt, (size_t)(bar - salt), s, sizeof(s));
	hl = b64_decode(bar + 1, (size_t)(pat + plen - bar - 1), h, sizeof(h));
	if (sl <= 0 || hl != 20)
		return false;
	if (!HMAC(EVP_sha1(), s, (int)sl, (const unsigned char *)name, strlen(name), mac, &maclen))
		return false;
	return maclen == 20 && memcmp(mac, h, 20) == 0;
}

/* Does the comma-separated pattern list match name? A negated match wins. */
static bool hosts_match(const char *pats, size_t plen, const char *name)
{
	bool matched = false;
	const char *p = pats, *end = pats + plen;

	while (p < end) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		size_t len = comma ? (size_t)(comma - p) : (size_t)(end - p);
		bool neg = len > 0 && *p == '!';
		char pat[1024];

		if (len >= 3 && strncmp(p, "|1|", 3) == 0) {
			if (hashed_match(p, len, name))
				matched = true;
		} else if (len - neg < sizeof(pat)) {
			memcpy(pat, p + neg, len - neg);
			pat[len - neg] = '\0';
			for (char *c = pat; *c; c++)
				if (*c >= 'A' && *c <= 'Z')
					*c = (char)(*c - 'A' + 'a');
			if (glob_match(name, pat)) {
				if (neg)
					return false;
				matched = true;
			}
		}
		p += len + 1;
	}
	return matched;
}

/* The name known_hosts uses for host:port, lowercased. */
static void host_key_name(char *out, size_t size, const char *host, int port)
{
	if (port > 0 && port != 22)
		str_fmt(out, size, "[%s]:%d", host, port);
	else
		str_copy(out, host, size);
	for (char *c = out; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
}

struct kh_line {
	enum { KL_PLAIN, KL_REVOKED, KL_CA } marker;
	const char *hosts; size_t hostslen;
	const char *type; size_t typelen;
	const char *key; size_t keylen;
};

static const char *skip_ws(const char *p) { while (*p == ' ' || *p == '\t') p++; return p; }
static const char *field_end(const char *p) { while (*p && *p != ' ' && *p != '\t') p++; return p; }

static bool split_line(const char *line, struct kh_line *kl)
{
	const char *p = skip_ws(line), *e;

	if (!*p || *p == '#')
		return false;
	kl->marker = KL_PLAIN;
	if (*p == '@') {
		e = field_end(p);
		if ((size_t)(e - p) == 8 && strncmp(p, "@revoked", 8) == 0)
			kl->marker = KL_REVOKED;
		else if ((size_t)(e - p) == 15 && strncmp(p, "@cert-authority", 15) == 0)
			kl->marker = KL_CA;
		else
			return false;
		p = skip_ws(e);
	}
	e = field_end(p);
	kl->hosts = p; kl->hostslen = (size_t)(e - p);
	p = skip_ws(e);
	e = field_end(p);
	kl->type = p; kl->typelen = (size_t)(e - p);
	p = skip_ws(e);
	e = field_end(p);
	kl->key = p; kl->keylen = (size_t)(e - p);
	return kl->hostslen && kl->typelen && kl->keylen;
}

typedef bool (*kh_visit)(void *arg, const struct kh_line *kl);

/* Calls visit for every usable line; returns 0, 1 if the file is missing,
 * -1 on a read error. Stops early when visit returns true. */
static int kh_each(const char *file, kh_visit visit, void *arg, char *err, size_t errlen)
{
	FILE *fp = fopen(file, "r");
	char *line;

	if (!fp) {
		if (errno == ENOENT)
			return 1;
		str_fmt(err, errlen, "cannot read known_hosts %s: %s", file, strerror(errno));
		return -1;
	}
	line = xmalloc(KH_MAX_LINE);
	while (fgets(line, KH_MAX_LINE, fp)) {
		struct kh_line kl;
		line[strcspn(line, "\r\n")] = '\0';
		if (split_line(line, &kl) && visit(arg, &kl))
			break;
	}
	free(line);
	fclose(fp);
	return 0;
}

struct check_ctx {
	const char *name;
	const unsigned char *blob;
	size_t bloblen;
	bool revoked, match, other_key, ca;
};

static bool key_equals(const struct kh_line *kl, const unsigned char *blob, size_t bloblen)
{
	unsigned char dec[8192];
	long n = b64_decode(kl->key, kl->keylen, dec, sizeof(dec));
	return n > 0 && (size_t)n == bloblen && memcmp(dec, blob, bloblen) == 0;
}

static bool check_visit(void *arg, const struct kh_line *kl)
{
	struct check_ctx *c = arg;

	if (kl->marker == KL_CA) {
		/* certificates are not supported: remember it, to say so */
		if (hosts_match(kl->hosts, kl->hostslen, c->name))
			c->ca = true;
		return false;
	}
	if (kl->marker == KL_REVOKED) {
		/* a revoked key is refused for every host, whatever the pattern */
		if (key_equals(kl, c->blob, c->bloblen))
			c->revoked = true;
		return false;
	}
	if (!hosts_match(kl->hosts, kl->hostslen, c->name))
		return false;
	if (key_equals(kl, c->blob, c->bloblen))
		c->match = true;
	else
		c->other_key = true;
	return false;
}

enum kh_result knownhosts_check(const char *file, const char *host, int port,
				const unsigned char *blob, size_t bloblen,
				char *err, size_t errlen)
{
	char name[512];
	struct check_ctx c = { name, blob, bloblen, false, false, false, false };
	int rc;

	host_key_name(name, sizeof(name), host, port);
	rc = kh_each(file, check_visit, &c, err, errlen);
	if (rc < 0)
		return KH_ERROR;
	if (c.revoked)
		return KH_REVOKED;
	if (c.match)
		return KH_MATCH;
	/* Known under any other key (even another type): refuse, like a change. */
	if (c.other_key)
		return KH_MISMATCH;
	if (c.ca)
		str_fmt(err, errlen, "a @cert-authority line covers this host, but host "
			"certificates are not supported: add the host's own key");
	return KH_NOTFOUND;
}

struct types_ctx {
	const char *name;
	char buf[512];
};

static bool types_visit(void *arg, const struct kh_line *kl)
{
	struct types_ctx *c = arg;
	char type[64];
	size_t len = strlen(c->buf);

	if (kl->marker != KL_PLAIN || kl->typelen >= sizeof(type) ||
	    !hosts_match(kl->hosts, kl->hostslen, c->name))
		return false;
	memcpy(type, kl->type, kl->typelen);
	type[kl->typelen] = '\0';
	if (strstr(c->buf, type))
		return false;
	str_fmt(c->buf + len, sizeof(c->buf) - len, "%s%s", len ? "," : "", type);
	return false;
}

char *knownhosts_types_for(const char *file, const char *host, int port)
{
	struct types_ctx c;
	char name[512], err[8];

	c.name = name;
	c.buf[0] = '\0';
	host_key_name(name, sizeof(name), host, port);
	if (kh_each(file, types_visit, &c, err, sizeof(err)) != 0 || !c.buf[0])
		return NULL;
	return xstrdup(c.buf);
}

/* The host key algorithms a known_hosts line may name: what a server sends
 * is written into the file, so nothing else (a space or newline would add a
 * line of the server's choosing) ever is. */
static const char *const key_types[] = {
	"ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384",
	"ecdsa-sha2-nistp521", "ssh-dss", "ssh-ed448",
	"sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com",
};

int knownhosts_blob_type(const unsigned char *blob, size_t bloblen, char *out, size_t outlen)
{
	uint32_t n;

	if (bloblen < 4)
		return -1;
	n = (uint32_t)blob[0] << 24 | (uint32_t)blob[1] << 16 | (uint32_t)blob[2] << 8 | blob[3];
	if (n == 0 || n > bloblen - 4 || n >= outlen)
		return -1;
	memcpy(out, blob + 4, n);
	out[n] = '\0';
	for (size_t i = 0; i < sizeof(key_types) / sizeof(key_types[0]); i++)
		if (strcmp(out, key_types[i]) == 0)
			return 0;
	out[0] = '\0';
	return -1;
}

/* A name fit for a known_hosts line: no blank, no control, no comma or
 * pattern character that would make it match other hosts. */
static bool name_writable(const char *name)
{
	if (!*name)
		return false;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		if (*p <= ' ' || *p == 0x7f || *p == ',' || *p == '*' || *p == '?' || *p == '!' ||
		    *p == '|' || *p == '#')
			return false;
	return true;
}

static int mkdir_parent(const char *file)
{
	char *dir = xstrdup(file);
	char *slash = strrchr(dir, '/');
	int rc = 0;

	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0700) < 0 && errno != EEXIST)
			rc = -1;
	}
	free(dir);
	return rc;
}

int knownhosts_add(const char *file, const char *host, int port,
		   const unsigned char *blob, size_t bloblen, char *err, size_t errlen)
{
	char name[512], type[64];
	char *b64, *line;
	int fd;
	ssize_t w;
	int rc = 0;

	if (knownhosts_blob_type(blob, bloblen, type, sizeof(type)) < 0) {
		str_fmt(err, errlen, "the server sent a host key of no known type: not recorded");
		return -1;
	}
	host_key_name(name, sizeof(name), host, port);
	if (!name_writable(name)) {
		str_fmt(err, errlen, "the host name cannot be written to known_hosts as it is");
		return -1;
	}
	mkdir_parent(file);
	fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		str_fmt(err, errlen, "cannot add the host key to %s: %s", file, strerror(errno));
		return -1;
	}
	b64 = base64_encode(blob, bloblen, true);
	line = xasprintf("%s %s %s\n", name, type, b64);
	/* one write of a whole line: concurrent appends never interleave */
	w = write(fd, line, strlen(line));
	if (w < 0 || (size_t)w != strlen(line)) {
		str_fmt(err, errlen, "cannot add the host key to %s: %s", file,
			w < 0 ? strerror(errno) : "short write");
		rc = -1;
	}
	close(fd);
	free(line);
	free(b64);
	return rc;
}

void knownhosts_fingerprint(const unsigned char *blob, size_t bloblen, char *out, size_t outlen)
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	char *b64;

	SHA256(blob, bloblen, md);
	b64 = base64_encode(md, sizeof(md), false);
	str_fmt(out, outlen, "SHA256:%s", b64);
	free(b64);
}

void knownhosts_files(const char *fleet_known_hosts, const struct ssh_target *t,
		      struct kh_files *out)
{
	memset(out, 0, sizeof(*out));
	if (fleet_known_hosts || !t) {
		out->file[out->n++] = path_expand(fleet_known_hosts ? fleet_known_hosts
					     : "~/.ssh/known_hosts");
		out->nuser = 1;
		return;
	}
	for (int i = 0; i < t->nuser_known_hosts; i++)
		out->file[out->n++] = xstrdup(t->user_known_hosts[i]);
	out->nuser = out->n;
	for (int i = 0; i < t->nglobal_known_hosts; i++)
		out->file[out->n++] = xstrdup(t->global_known_hosts[i]);
	if (out->nuser == 0) {
		/* UserKnownHostsFile none: nothing to write to, ssh(1) too */
		out->file[out->n++] = xstrdup("/dev/null");
	}
}

void knownhosts_files_free(struct kh_files *f)
{
	for (int i = 0; i < f->n; i++)
		free(f->file[i]);
	memset(f, 0, sizeof(*f));
}

enum kh_result knownhosts_check_files(const struct kh_files *f, const char *host, int port,
				      const unsigned char *blob, size_t bloblen,
				      char *err, size_t errlen, const char **where)
{
	enum kh_result best = KH_NOTFOUND;
	const char *at = f->n ? f->file[0] : "known_hosts";
	char one[256];

	err[0] = '\0';
	for (int i = 0; i < f->n; i++) {
		enum kh_result r;
		one[0] = '\0';
		r = knownhosts_check(f->file[i], host, port, blob, bloblen, one, sizeof(one));
		if (r == KH_REVOKED) {
			*where = f->file[i];
			return KH_REVOKED;
		}
		if (r == KH_MATCH && best != KH_MATCH) {
			best = KH_MATCH;
			at = f->file[i];
		} else if (r == KH_MISMATCH && best == KH_NOTFOUND) {
			best = KH_MISMATCH;
			at = f->file[i];
		} else if (r == KH_ERROR && i < f->nuser && best == KH_NOTFOUND) {
			/* the user's own file unreadable: say so rather than "unknown" */
			str_copy(err, one, errlen);
			best = KH_ERROR;
			at = f->file[i];
		} else if (r == KH_NOTFOUND && one[0] && !err[0]) {
			str_copy(err, one, errlen);
		}
	}
	*where = at;
	return best;
}

char *knownhosts_types_for_files(const struct kh_files *f, const char *host, int port)
{
	char *all = NULL;

	for (int i = 0; i < f->n; i++) {
		char *t = knownhosts_types_for(f->file[i], host, port);
		if (!t)
			continue;
		if (!all) {
			all = t;
			continue;
		}
		char *next = xasprintf("%s,%s", all, t);
		free(all);
		free(t);
		all = next;
	}
	return all;
}
