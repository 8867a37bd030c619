#include "config.h"
#include "action/audit.h"
#include "util/dirs.h"
#include "util/util.h"
#include "util/text.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *user_name(char *buf, size_t size)
{
	struct passwd *pw = getpwuid(getuid());
	const char *u = getenv("SUDO_USER");

	str_copy(buf, pw ? pw->pw_name : "unknown", size);
	if (u && *u && getuid() == 0)
		str_fmt(buf, size, "%s (sudo from %s)", pw ? pw->pw_name : "root", u);
	return buf;
}

static char *audit_line(const struct audit_entry *e, json_t *params)
{
	char user[96], host[256] = "";
	json_t *o = json_object();
	char *line;

	gethostname(host, sizeof(host) - 1);
	json_object_set_new(o, "time", json_real(e->time));
	json_object_set_new(o, "user", json_text(user_name(user, sizeof(user)), false));
	json_object_set_new(o, "host", json_text(host, false));
	json_object_set_new(o, "action", json_text(e->action, false));
	json_object_set_new(o, "target", json_text(e->target, false));
	json_object_set_new(o, "parameters", params ? json_incref(params) : json_object());
	json_object_set_new(o, "result", json_text(e->result, false));
	json_object_set_new(o, "error", json_text(e->error, true));
	line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
	json_decref(o);
	return line;
}

int audit_append(const char *path, const struct audit_entry *e, json_t *params,
		 char *err, size_t errlen)
{
	char *line, *text;
	struct stat st;
	ssize_t n;
	size_t len;
	int fd;
	off_t before;

	if (!path || !*path) {
		str_copy(err, "no audit log configured (set audit_log in [fleet])", errlen);
		return -1;
	}
	if (dirs_make_for(path, err, errlen) < 0)
		return -1;
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		str_fmt(err, errlen, "cannot open the audit log %s: %s", path, strerror(errno));
		return -1;
	}
	/* the log must be ours, a plain file, and private: an existing one made
	 * readable by others is tightened; one that cannot be is not written */
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
		str_fmt(err, errlen, "the audit log %s is %s: not writing to it (it must be a "
			"file of your own)", path, fstat(fd, &st) < 0 ? "unreadable" :
			!S_ISREG(st.st_mode) ? "not a regular file" : "owned by another user");
		close(fd);
		return -1;
	}
	if ((st.st_mode & 077) && fchmod(fd, 0600) < 0) {
		str_fmt(err, errlen, "the audit log %s is readable by others and cannot be made "
			"private (%s): not writing to it", path, strerror(errno));
		close(fd);
		return -1;
	}
	line = audit_line(e, params);
	text = xasprintf("%s\n", line ? line : "{}");
	len = strlen(text);
	before = st.st_size;
	n = write(fd, text, len);
	if (n != (ssize_t)len) {
		/* a full disk takes half a line: cut it off again, so that the
		 * log holds whole lines only (issue #13) */
		int saved = n < 0 ? errno : ENOSPC;
		if (n > 0 && ftruncate(fd, before) < 0)
			saved = errno;
		str_fmt(err, errlen, "cannot write the audit log %s: %s", path, strerror(saved));
	}
	close(fd);
	free(line);
	free(text);
	return n == (ssize_t)len ? 0 : -1;
}

static void entry_from_json(json_t *o, struct audit_entry *e)
{
	json_t *p = json_object_get(o, "parameters");
	char *ps = p ? json_dumps(p, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;

	memset(e, 0, sizeof(*e));
	e->time = json_number_value(json_object_get(o, "time"));
	str_copy(e->action, json_string_value(json_object_get(o, "action")) ?: "", sizeof(e->action));
	str_copy(e->target, json_string_value(json_object_get(o, "target")) ?: "", sizeof(e->target));
	str_copy(e->result, json_string_value(json_object_get(o, "result")) ?: "", sizeof(e->result));
	str_copy(e->error, json_string_value(json_object_get(o, "error")) ?: "", sizeof(e->error));
	str_copy(e->params, ps ? ps : "", sizeof(e->params));
	str_sanitize(e->error);
	str_sanitize(e->target);
	str_sanitize(e->params);
	free(ps);
}

size_t audit_read_tail(const char *path, struct audit_entry *out, size_t max)
{
	FILE *fp = path ? fopen(path, "r") : NULL;
	char *line = NULL;
	size_t cap = 0, n = 0, total = 0;

	if (!fp || max == 0) {
		if (fp)
			fclose(fp);
		return 0;
	}
	/* a ring of the newest max entries, then rotated into order */
	while (getline(&line, &cap, fp) > 0) {
		json_t *o = json_loads(line, 0, NULL);
		if (!o)
			continue;
		entry_from_json(o, &out[total % max]);
		json_decref(o);
		total++;
	}
	free(line);
	fclose(fp);
	n = total < max ? total : max;
	if (total > max) {
		struct audit_entry *tmp = xcalloc(max, sizeof(*tmp));
		for (size_t i = 0; i < max; i++)
			tmp[i] = out[(total + i) % max];
		memcpy(out, tmp, max * sizeof(*tmp));
		free(tmp);
	}
	return n;
}
