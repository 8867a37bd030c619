/* Secrets: *_file keys name a file only its owner can read, or env:NAME an
 * environment variable. Neither the secret nor any part of it is ever put in
 * a message. */
#include "config.h"
#include "fleet/internal.h"
#include "util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SECRET_MAX 65536   /* a token or key, not a data file */

static bool env_name_valid(const char *s)
{
	if (!*s || (*s >= '0' && *s <= '9'))
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

/* env:NAME secrets taken out of the environment (fleet_hide_env_secrets):
 * written once at start, before any thread or child, read-only after. */
static struct hidden_env {
	char *name, *value;
} *hidden;
static size_t nhidden;

static const char *env_lookup(const char *name)
{
	for (size_t i = 0; i < nhidden; i++)
		if (strcmp(hidden[i].name, name) == 0)
			return hidden[i].value;
	return getenv(name);
}

/* The error for a file that others may read, with the command that fixes it. */
static void mode_message(char *buf, size_t size, const char *path, mode_t mode)
{
	str_fmt(buf, size, "%s is %s by group or others (mode %04o); secrets must be private: "
		"run chmod 600 %s", path, mode & 044 ? "readable" : "accessible",
		(unsigned)(mode & 07777), path);
}

void fleet_secret_check(struct fleet_diags *d, const struct fleet_kv *kv, const char *value)
{
	struct stat st;
	char *path;
	char msg[1024];

	if (str_starts(value, "env:")) {
		const char *name = value + 4;
		if (!env_name_valid(name))
			fleet_diag(d, false, kv->file, kv->line,
				   "%s: expected env:NAME with NAME an environment variable name", kv->key);
		else if (!env_lookup(name))
			fleet_diag(d, true, kv->file, kv->line,
				   "%s: environment variable %s is not set", kv->key, name);
		return;
	}
	path = fleet_kv_path(kv->file, value);
	if (stat(path, &st) < 0) {
		if (errno == ENOENT)
			fleet_diag(d, true, kv->file, kv->line, "%s: secret file %s does not exist (yet)",
				   kv->key, path);
		else
			fleet_diag(d, true, kv->file, kv->line, "%s: cannot check %s: %s", kv->key, path,
				   strerror(errno));
	} else if (!S_ISREG(st.st_mode)) {
		fleet_diag(d, false, kv->file, kv->line, "%s: %s is not a regular file", kv->key, path);
	} else if (st.st_mode & 077) {
		mode_message(msg, sizeof(msg), path, st.st_mode);
		fleet_diag(d, false, kv->file, kv->line, "%s: %s", kv->key, msg);
	}
	free(path);
}

/* Drops the trailing newline(s) an editor or echo leaves in a secret. */
static void chomp(char *s, size_t *len)
{
	while (*len > 0 && (s[*len - 1] == '\n' || s[*len - 1] == '\r'))
		s[--*len] = '\0';
}

static void hide_one(const char *name, size_t len)
{
	char *n = xstrndup(name, len);
	const char *v = getenv(n);

	if (!v || !env_name_valid(n)) {
		free(n);
		return;
	}
	hidden = xrealloc(hidden, (nhidden + 1) * sizeof(*hidden));
	hidden[nhidden].name = n;
	hidden[nhidden].value = xstrdup(v);
	nhidden++;
	/* the value's bytes too: /proc/PID/environ shows the block the
	 * process started with, whatever unsetenv() does to environ */
	explicit_bzero((char *)v, strlen(v));
	unsetenv(n);
}

void fleet_hide_env_secrets(const struct fleet *f)
{
	for (size_t i = 0; i < f->nsections; i++) {
		const struct fleet_section *s = &f->sections[i];
		for (size_t k = 0; k < s->nkv; k++) {
			/* "env:NAME" as a value, or inside one (status = ... token_file=env:NAME) */
			for (const char *p = s->kv[k].value; (p = strstr(p, "env:")); p += 4) {
				const char *name = p + 4;
				size_t len = strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
						    "0123456789_");
				if (p == s->kv[k].value || p[-1] == '=' || p[-1] == ' ' || p[-1] == '\t')
					hide_one(name, len);
			}
		}
	}
}

static char *secret_from_env(const char *name, char *err, size_t errlen)
{
	const char *v = env_name_valid(name) ? env_lookup(name) : NULL;
	char *s;
	size_t len;

	if (!env_name_valid(name)) {
		str_fmt(err, errlen, "expected env:NAME with NAME an environment variable name");
		return NULL;
	}
	if (!v || !*v) {
		str_fmt(err, errlen, "environment variable %s is %s", name, v ? "empty" : "not set");
		return NULL;
	}
	s = xstrdup(v);
	len = strlen(s);
	chomp(s, &len);
	return s;
}

/* Reads the whole file from fd (checked: regular, private, small). */
static char *secret_read_fd(int fd, const char *path, char *err, size_t errlen)
{
	struct stat st;
	char *buf;
	size_t n = 0;

	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		str_fmt(err, errlen, "%s is not a regular file", path);
		return NULL;
	}
	if (st.st_mode & 077) {
		mode_message(err, errlen, path, st.st_mode);
		return NULL;
	}
	buf = xmalloc(SECRET_MAX + 1);
	for (;;) {
		ssize_t r = read(fd, buf + n, SECRET_MAX + 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || (n += (size_t)r) > SECRET_MAX)
			break;
	}
	if (n > SECRET_MAX || memchr(buf, '\0', n)) {
		str_fmt(err, errlen, "%s does not look like a secret (binary, or over %d bytes)",
			path, SECRET_MAX);
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	chomp(buf, &n);
	if (n == 0) {
		str_fmt(err, errlen, "%s is empty", path);
		free(buf);
		return NULL;
	}
	return buf;
}

char *fleet_read_secret(const char *value, char *err, size_t errlen)
{
	char *path, *s;
	int fd;

	if (!value || !*value) {
		str_fmt(err, errlen, "no secret given");
		return NULL;
	}
	if (str_starts(value, "env:"))
		return secret_from_env(value + 4, err, errlen);
	path = path_expand(value);
	fd = open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		str_fmt(err, errlen, "cannot open %s: %s", path, strerror(errno));
		free(path);
		return NULL;
	}
	/* Checked on the open descriptor: no window to swap the file. */
	s = secret_read_fd(fd, path, err, errlen);
	close(fd);
	free(path);
	return s;
}
