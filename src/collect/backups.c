#include "config.h"
#include "collect/source.h"
#include "collect/hosts.h"
#include "collect/backup_parse.h"
#include "util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The backups collector: one [backup] = one source that says when the last
 * good backup was made. pg-archiver reads the database collector's sample;
 * the others run a short POSIX sh script on their host over the host's one
 * session (hosts_submit), every value from the fleet file single-quoted,
 * each tool bounded by timeout(1) when the host has it and always by the
 * request's own timeout. Backups change slowly: they are polled every
 * BACKUP_INTERVAL unless the section sets its own interval. */

#define BACKUP_INTERVAL 60.0
#define BACKUP_RETRY 15.0        /* after a failure to read the source */

enum bsrc { BS_ARCHIVER, BS_RESTIC, BS_PGBACKREST, BS_FILE, BS_COMMAND };

struct bk_target {
	struct bks *owner;
	size_t index;
	const struct fleet_section *sec;
	enum bsrc src;
	int host;                      /* [host] index, -1: none (pg-archiver) */
	int database;                  /* pg-archiver: [database] index */
	char *script;                  /* built once */
	char *tag, *path, *stanza;     /* for the parsers */
	double interval, timeout, next_poll, seen_db_at;
	bool in_flight;
	struct backup_sample work;
};

struct bks {
	const struct collect_env *env;
	struct bk_target *t;
	size_t n;
};

/* sh helper put in front of every script: run a tool bounded by timeout(1)
 * when the host has it (the request timeout stays the hard bound). */
static const char script_prelude[] =
	"fd_bound() { t=$1; shift; if command -v timeout >/dev/null 2>&1; then "
	"timeout \"$t\" \"$@\"; else \"$@\"; fi; }\n";

static void publish(struct bks *b, struct bk_target *t)
{
	collect_publish(b->env, DOM_BACKUP, t->index, &t->work, sizeof(t->work));
}

/* The value of key, single-quoted for sh (malloc'd; "" when unset). */
static char *q(const struct fleet_section *sec, const char *key)
{
	const char *v = fleet_section_get(sec, key);
	return sh_quote(v ? v : "");
}

static char *script_restic(const struct bk_target *t)
{
	char *repo = q(t->sec, "repo"), *pf = q(t->sec, "password_file");
	char *tag = q(t->sec, "tag"), *path = q(t->sec, "path"), *check, *s;

	/* without password_file, restic's own RESTIC_PASSWORD* on the host apply */
	if (fleet_section_get(t->sec, "password_file"))
		check = xasprintf("[ -r %s ] || { echo \"the repository password file \"%s\" is "
				  "missing or unreadable on this host\" >&2; exit 3; }\n"
				  "set -- --password-file %s\n", pf, pf, pf);
	else
		check = xstrdup("set --\n");
	s = xasprintf("%s"
		"command -v restic >/dev/null 2>&1 || { echo 'restic is not installed on this host' >&2; exit 127; }\n"
		"%s"
		"set -- snapshots --json --no-lock -r %s \"$@\"\n"
		"[ -n %s ] && set -- \"$@\" --tag %s\n"
		"[ -n %s ] && set -- \"$@\" --path %s\n"
		"fd_bound %d restic \"$@\"\n",
		script_prelude, check, repo, tag, tag, path, path, (int)t->timeout);
	free(repo); free(pf); free(tag); free(path); free(check);
	return s;
}

static char *script_pgbackrest(const struct bk_target *t)
{
	char *st = q(t->sec, "stanza"), *s;

	s = xasprintf("%s"
		"command -v pgbackrest >/dev/null 2>&1 || { echo 'pgbackrest is not installed on this host' >&2; exit 127; }\n"
		"fd_bound %d pgbackrest --stanza=%s --output=json info\n",
		script_prelude, (int)t->timeout, st);
	free(st);
	return s;
}

/* path = DIR/PATTERN: DIR is quoted whole; in PATTERN only * and ? stay
 * glob characters, every other byte is backslash-escaped. The loop picks
 * the newest file (-nt) and the newest non-empty one; names are only ever
 * used as "$f", and printed last with newlines folded, so a hostile name
 * can neither run nor break the parser. */
static char *script_file(const struct bk_target *t)
{
	const char *path = fleet_section_get(t->sec, "path");
	const char *slash = strrchr(path, '/');
	char *dir, *qdir, *pat, *s;
	size_t n = 0;
	const char *base = slash ? slash + 1 : path;

	dir = slash ? xstrndup(path, (size_t)(slash - path)) : xstrdup(".");
	if (!*dir) {
		free(dir);
		dir = xstrdup("/");
	}
	qdir = sh_quote(dir);
	pat = xmalloc(strlen(base) * 2 + 1);
	for (const char *p = base; *p; p++) {
		if (*p != '*' && *p != '?')
			pat[n++] = '\\';
		pat[n++] = *p;
	}
	pat[n] = '\0';
	s = xasprintf("%s"
		"cd %s 2>/dev/null || { echo \"directory \"%s\" does not exist or is not readable\" >&2; exit 3; }\n"
		"n= g= c=0\n"
		"for f in %s; do\n"
		"  [ -f \"$f\" ] || continue; c=$((c+1))\n"
		"  if [ -z \"$n\" ] || [ \"$f\" -nt \"$n\" ]; then n=$f; fi\n"
		"  if [ -s \"$f\" ] && { [ -z \"$g\" ] || [ \"$f\" -nt \"$g\" ]; }; then g=$f; fi\n"
		"done\n"
		"[ -n \"$n\" ] || { echo 'no file matches' >&2; exit 4; }\n"
		"st() { stat -c '%%Y %%s' -- \"$1\" 2>/dev/null || stat -f '%%m %%z' -- \"$1\"; }\n"
		"printf 'newest %%s %%s\\n' \"$(st \"$n\")\" \"$c\"\n"
		"[ -n \"$g\" ] && printf 'good %%s\\n' \"$(st \"$g\")\"\n"
		"printf 'name %%s' \"$n\" | tr '\\n\\r' '?\?' ; echo\n",
		script_prelude, qdir, qdir, pat);
	free(dir); free(qdir); free(pat);
	return s;
}

static char *script_command(const struct bk_target *t)
{
	char *cmd = sh_command(fleet_section_get(t->sec, "command")), *s;

	s = xasprintf("%sfd_bound %d %s\n", script_prelude, (int)t->timeout, cmd);
	free(cmd);
	return s;
}

static enum bsrc source_kind(const char *s)
{
	if (!s || strcmp(s, "pg-archiver") == 0)
		return BS_ARCHIVER;
	if (strcmp(s, "restic") == 0)
		return BS_RESTIC;
	if (strcmp(s, "pgbackrest") == 0)
		return BS_PGBACKREST;
	if (strcmp(s, "file") == 0)
		return BS_FILE;
	return BS_COMMAND;
}

static char *dup_opt(const struct fleet_section *sec, const char *key)
{
	const char *v = fleet_section_get(sec, key);
	return v ? xstrdup(v) : NULL;
}

static void target_init(struct bks *b, struct bk_target *t, size_t i)
{
	const struct fleet *f = b->env->f;
	const char *h;

	t->owner = b;
	t->index = i;
	t->sec = fleet_nth(f, SEC_BACKUP, i);
	t->src = source_kind(fleet_section_get(t->sec, "source"));
	t->interval = fleet_section_duration(t->sec, "interval", BACKUP_INTERVAL);
	t->timeout = fleet_section_duration(t->sec, "timeout", 3 * (f->timeout > 0 ? f->timeout : 5));
	t->work.interval = t->interval;
	t->work.count = -1;
	t->host = t->database = -1;
	t->tag = dup_opt(t->sec, "tag");
	t->path = dup_opt(t->sec, "path");
	t->stanza = dup_opt(t->sec, "stanza");
	if (t->src == BS_ARCHIVER) {
		const char *db = fleet_section_get(t->sec, "database");
		for (size_t j = 0; db && j < fleet_count(f, SEC_DATABASE); j++)
			if (strcmp(fleet_nth(f, SEC_DATABASE, j)->name, db) == 0)
				t->database = (int)j;
		return;
	}
	h = fleet_section_get(t->sec, "host");
	if (h)
		t->host = fleet_host_index(f, h);
	else if (t->src == BS_COMMAND)
		for (size_t j = 0; j < f->nhosts; j++)
			if (f->hosts[j].local)
				t->host = (int)j;
	switch (t->src) {
	case BS_RESTIC: t->script = script_restic(t); break;
	case BS_PGBACKREST: t->script = script_pgbackrest(t); break;
	case BS_FILE: t->script = t->path ? script_file(t) : NULL; break;
	case BS_COMMAND: t->script = script_command(t); break;
	case BS_ARCHIVER: break;
	}
	/* a subshell: an `exit` or `cd` must not touch the host's long-lived sh */
	if (t->script) {
		char *sub = xasprintf("(\n%s)", t->script);
		free(t->script);
		t->script = sub;
	}
}

static void *backups_create(const struct collect_env *env)
{
	size_t n = fleet_count(env->f, SEC_BACKUP);
	struct bks *b;

	if (n == 0 || env->m->dom[DOM_BACKUP].n < n)
		return NULL;
	b = xcalloc(1, sizeof(*b));
	b->env = env;
	b->n = n;
	b->t = xcalloc(n, sizeof(*b->t));
	for (size_t i = 0; i < n; i++)
		target_init(b, &b->t[i], i);
	return b;
}

static void result_reset(struct bk_target *t)
{
	struct backup_sample *w = &t->work;

	w->known = false;
	w->error[0] = w->failure[0] = w->warning[0] = w->item[0] = '\0';
	w->last_at = 0;
	w->has_size = false;
	w->size = 0;
	w->count = -1;
}

static void finish(struct bk_target *t, bool read_source)
{
	t->work.collected = true;
	t->work.attempted_at = now_wall();
	if (read_source)
		t->work.sampled_at = t->work.attempted_at;
	str_sanitize(t->work.error);
	publish(t->owner, t);
}

/* Why a script failed, in words: its stderr's last line, else the status. */
static void script_error(struct bk_target *t, const struct shell_result *r, const char *tool)
{
	char line[200] = "";
	const char *e = r->err ? r->err : "";
	size_t len = r->errlen;

	while (len && (e[len - 1] == '\n' || e[len - 1] == '\r'))
		len--;
	if (len) {
		size_t start = len;
		while (start && e[start - 1] != '\n')
			start--;
		str_copy(line, e + start, len - start + 1 < sizeof(line) ? len - start + 1 : sizeof(line));
	}
	if (r->status == 124)
		str_fmt(t->work.error, sizeof(t->work.error), "%s timed out after %.0fs", tool, t->timeout);
	else if (*line)
		str_fmt(t->work.error, sizeof(t->work.error), "%s", line);
	else
		str_fmt(t->work.error, sizeof(t->work.error), "%s exited with status %d", tool, r->status);
}

static void script_done(void *arg, const struct shell_result *r)
{
	struct bk_target *t = arg;
	static const char *const tools[] = { "", "restic", "pgbackrest", "the file check", "the command" };
	const char *tool = tools[t->src];
	double now = now_mono();

	t->in_flight = false;
	result_reset(t);
	if (!r->ok) {
		str_fmt(t->work.error, sizeof(t->work.error), "host %s: %s",
			t->owner->env->f->hosts[t->host].name, r->message ? r->message : "failed");
		t->next_poll = now + BACKUP_RETRY;
		finish(t, false);
		return;
	}
	t->next_poll = now + t->interval;
	if (r->status != 0) {
		script_error(t, r, tool);
		finish(t, true);
		return;
	}
	switch (t->src) {
	case BS_RESTIC: backup_parse_restic(r->out, r->outlen, t->tag, t->path, &t->work); break;
	case BS_PGBACKREST: backup_parse_pgbackrest(r->out, r->outlen, t->stanza, &t->work); break;
	case BS_FILE: backup_parse_file(r->out, &t->work); break;
	case BS_COMMAND: backup_parse_command(r->out, &t->work); break;
	case BS_ARCHIVER: break;
	}
	finish(t, true);
}

/* pg-archiver: derived from the database's newest sample, whenever it moves. */
static void archiver_update(struct bks *b, struct bk_target *t)
{
	struct db_sample db;
	struct model *m = b->env->m;

	if (t->database < 0 || !model_get(m, DOM_DATABASE, (size_t)t->database, &db, sizeof(db))) {
		if (!t->work.collected) {
			result_reset(t);
			str_copy(t->work.error, "no such [database]", sizeof(t->work.error));
			finish(t, false);
		}
		return;
	}
	if (!db.collected || db.attempted_at == t->seen_db_at)
		return;
	t->seen_db_at = db.attempted_at;
	result_reset(t);
	if (!db.up) {
		str_fmt(t->work.error, sizeof(t->work.error), "database %s is down: %s",
			fleet_section_get(t->sec, "database"), db.error);
		finish(t, false);
		return;
	}
	if (!(db.valid & DBV_ARCHIVER)) {
		str_copy(t->work.error, "pg_stat_archiver could not be read", sizeof(t->work.error));
		finish(t, true);
		return;
	}
	if (strcmp(db.archive_mode, "off") == 0) {
		str_copy(t->work.error, "archive_mode is off: no WAL is archived", sizeof(t->work.error));
		finish(t, true);
		return;
	}
	if (db.archiver_last_archived_at <= 0) {
		str_copy(t->work.error, "no WAL segment has been archived since the statistics were reset",
			 sizeof(t->work.error));
		finish(t, true);
		return;
	}
	t->work.known = true;
	t->work.last_at = db.archiver_last_archived_at;
	t->work.count = db.archiver_archived_count > INT32_MAX ? -1 : (int)db.archiver_archived_count;
	str_copy(t->work.item, db.archiver_last_wal, sizeof(t->work.item));
	if (db.archiver_failed_count > 0 && db.archiver_last_failed_at > db.archiver_last_archived_at)
		str_fmt(t->work.warning, sizeof(t->work.warning),
			"archiving is failing: %llu failures, the last one after the last success",
			(unsigned long long)db.archiver_failed_count);
	finish(t, true);
}

static void backups_prepare(void *s, struct pollset *ps, double now, double *deadline,
			    const struct collect_flags *fl)
{
	struct bks *b = s;

	(void)ps;
	for (size_t i = 0; i < b->n; i++) {
		struct bk_target *t = &b->t[i];
		if (t->src == BS_ARCHIVER) {
			archiver_update(b, t);
			continue;
		}
		if (fl->poll_now)
			t->next_poll = now;
		if (t->in_flight || fl->paused || (fl->once && t->work.collected))
			continue;
		if (t->host < 0 || !t->script) {
			if (!t->work.collected) {
				result_reset(t);
				str_copy(t->work.error, "no [host] to run it on", sizeof(t->work.error));
				finish(t, false);
			}
			continue;
		}
		if (now >= t->next_poll) {
			t->in_flight = true;
			/* restic/pgBackRest list every snapshot: a long history is
			 * megabytes of JSON */
			struct shell_limits lim = { .timeout = t->timeout + 2,
						    .max_output = 32u << 20 };
			hosts_submit_limited(b->env->hosts, (size_t)t->host, t->script, &lim,
					     script_done, t);
		} else {
			deadline_min(deadline, t->next_poll);
		}
	}
}

static void backups_dispatch(void *s, const struct pollset *ps, double now)
{
	struct bks *b = s;

	(void)ps; (void)now;
	/* the database collector ran just before: pick up archiver changes now */
	for (size_t i = 0; i < b->n; i++)
		if (b->t[i].src == BS_ARCHIVER)
			archiver_update(b, &b->t[i]);
}

static bool backups_round_done(void *s)
{
	struct bks *b = s;

	for (size_t i = 0; i < b->n; i++)
		if (!b->t[i].work.collected)
			return false;
	return true;
}

static void backups_destroy(void *s)
{
	struct bks *b = s;

	for (size_t i = 0; i < b->n; i++) {
		free(b->t[i].script);
		free(b->t[i].tag);
		free(b->t[i].path);
		free(b->t[i].stanza);
	}
	free(b->t);
	free(b);
}

const struct source_ops source_backups = {
	.name = "backups",
	.create = backups_create,
	.prepare = backups_prepare,
	.dispatch = backups_dispatch,
	.round_done = backups_round_done,
	.destroy = backups_destroy,
};
