/* Key provider `ssh-authorized-key`: rotates the SSH key in identity_file
 * that logs in as `user` on every host of `hosts`.
 *
 * Order, so that nobody is ever locked out:
 *   1. generate a new ed25519 pair (ssh-keygen) in a private 0700 temp dir;
 *   2. append the new public key to authorized_keys on every host (logged
 *      in with the old key);
 *   3. log in with the NEW key on every host (ssh -F /dev/null, only that
 *      key, the fleet's known_hosts, StrictHostKeyChecking=yes);
 *   4. keep the old private key as identity_file.fleetdeck-old (0600, a
 *      hard link: identity_file never goes missing), then install the new
 *      pair as identity_file (+ .pub);
 *   5. wait until fleetdeck's collector ITSELF has logged in with the new
 *      key on every host: it is asked (model_relogin_ask) to log each host
 *      in again with identity_file tried first, and each host's newest
 *      collector login (model_login_get) must be newer than this step's
 *      start and made with identity_file. A host where that does not
 *      happen in time (polling paused, the host unreachable for the
 *      collector) stops the rotation here: the old key stays authorized
 *      everywhere and kept, the result says which hosts, and the next
 *      rotate resumes at this step. (A host where the [key]'s user is not
 *      the [host]'s login user cannot be confirmed so: the result says
 *      it was confirmed by step 3's ssh login only.)
 *   6. remove the old key everywhere (logged in with the new key; a host's
 *      file is only edited when the new key is in it), and only then
 *      delete the kept old private key.
 * Steps 2, 3 and 6 (and a rollback) work on all hosts at once (SK_PARALLEL
 * at a time); the next step starts only when every host finished this one.
 * A failure in 1-3 removes the new key again on every host (only where the
 * old one is still there) and leaves the old key as it was. A failure in 5
 * or 6 leaves both keys working on the hosts where it failed.
 *
 * Progress is kept in a state file next to the audit log
 * (rotation-NAME.json, 0600, written through a temp file, renamed, its
 * directory fsync'd): phase "added" (steps 1-3), "verified" (step 4),
 * "installed" or "confirming" (step 5; confirmed, step 6). The next rotate
 * of an interrupted "added" rotation rolls it back and starts afresh; of a
 * "verified" one it resumes at step 4, of an "installed" or "confirming"
 * one at step 5 (asking for new logins). Killed between any two steps, at
 * least one key on disk logs in everywhere (tests/security/rotation_kill.sh
 * proves it with FLEETDECK_TEST_KILL_AT=STEP, a test hook that makes the
 * rotation SIGKILL its own process at that point). A second fleetdeck
 * cannot rotate the same key meanwhile: rotation-NAME.lock is flock()ed
 * for the whole rotation. The state file holds public keys only.
 *
 * Every value in a remote command is single-quoted (sh_quote); key material
 * never reaches a log, the audit log or the JSON output: the key is shown
 * by its SHA256 fingerprint. */
#include "config.h"
#include "provider/provider.h"
#include "provider/exec.h"
#include "provider/sshkey.h"
#include "provider/sshcmd.h"
#include "util/dirs.h"
#include "util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <pthread.h>
#include <signal.h>
#include <sys/file.h>

#define SK_MAX_HOSTS 64
#define SK_TIMEOUT 30.0          /* seconds one ssh or ssh-keygen may take */
#define SK_PARALLEL 16           /* hosts one step works on at once */
#define SK_PUB_LEN 1024

struct sk {
	struct action_job *j;
	const struct fleet *f;
	const struct fleet_section *sec;
	int host[SK_MAX_HOSTS];
	size_t nhosts;
	char *identity;              /* the key being rotated (expanded path) */
	char *state;                 /* rotation-NAME.json */
	char tmpdir[PATH_MAX];       /* "" when none */
	char old_pub[SK_PUB_LEN];    /* "ssh-ed25519 AAAA..." (type and blob) */
	char new_pub[SK_PUB_LEN];
	char *kept;                  /* identity_file.fleetdeck-old */
	int lock_fd;                 /* rotation-NAME.lock, flock()ed */
};

/* The test hook of tests/security/rotation_kill.sh: dies here, as a crash
 * or a kill -9 would, when FLEETDECK_TEST_KILL_AT names this step. */
static void checkpoint(const char *step)
{
	const char *at = getenv("FLEETDECK_TEST_KILL_AT");

	if (at && strcmp(at, step) == 0)
		raise(SIGKILL);
}

/* A rename or unlink in dir is durable only once dir itself is synced. */
static void fsync_dir_of(const char *path)
{
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');
	int fd;

	if (slash)
		*(slash == dir ? slash + 1 : slash) = '\0';
	fd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(dir);
}

/* ---- public keys and fingerprints ---------------------------------------- */

/* "type blob [comment]" -> "type blob"; -1 when it is no public key line. */
int sshkey_pub_normalize(const char *line, char *out, size_t size)
{
	char type[64], blob[SK_PUB_LEN];

	if (sscanf(line, "%63s %1000s", type, blob) != 2)
		return -1;
	if (!str_starts(type, "ssh-") && !str_starts(type, "ecdsa-") && !str_starts(type, "sk-"))
		return -1;
	if (strspn(blob, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") != strlen(blob))
		return -1;
	str_fmt(out, size, "%s %s", type, blob);
	return 0;
}

/* The blob part of "type blob": what grep -F matches in authorized_keys. */
static const char *pub_blob(const char *pub)
{
	const char *sp = strchr(pub, ' ');

	return sp ? sp + 1 : pub;
}

/* OpenSSH's "SHA256:..." fingerprint of "type blob". */
void sshkey_pub_fingerprint(const char *pub, char *out, size_t size)
{
	const char *b64 = pub_blob(pub);
	size_t len = strlen(b64), pad = 0;
	unsigned char *raw = xmalloc(len + 3), md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	int n = EVP_DecodeBlock(raw, (const unsigned char *)b64, (int)len);
	char *enc;

	while (len > pad && b64[len - 1 - pad] == '=')
		pad++;
	if (n < 0 || (size_t)n < pad || !EVP_Digest(raw, (size_t)n - pad, md, &mdlen, EVP_sha256(), NULL)) {
		str_copy(out, "(unreadable key)", size);
		free(raw);
		return;
	}
	enc = base64_encode(md, mdlen, false);
	str_fmt(out, size, "SHA256:%s", enc);
	free(enc);
	free(raw);
}

static int read_pub_file(const char *path, char *out, size_t size)
{
	char line[SK_PUB_LEN + 128] = "";
	FILE *fp = fopen(path, "r");

	if (!fp)
		return -1;
	if (!fgets(line, sizeof(line), fp))
		line[0] = '\0';
	fclose(fp);
	return sshkey_pub_normalize(line, out, size);
}

/* The key's creation time (the private key file's mtime: ssh-keygen wrote
 * it, and a rotation installs a freshly generated file) and its shown id,
 * the SHA256 fingerprint of identity_file.pub ("" when that is missing).
 * Local file reads only: cheap enough for the collector thread. */
static int sshkey_read(const struct fleet *f, const struct fleet_section *sec, double timeout,
		       double *created_at, char *id, size_t idlen, char *err, size_t errlen)
{
	char *path = fleet_section_path(sec, "identity_file"), *pubpath, pub[SK_PUB_LEN];
	struct stat st;

	id[0] = '\0';
	if (!path) {
		str_copy(err, "no identity_file", errlen);
		return -1;
	}
	if (stat(path, &st) < 0) {
		str_fmt(err, errlen, "cannot read %s: %s", path, strerror(errno));
		free(path);
		return -1;
	}
	*created_at = (double)st.st_mtime;
	pubpath = xasprintf("%s.pub", path);
	if (read_pub_file(pubpath, pub, sizeof(pub)) == 0)
		sshkey_pub_fingerprint(pub, id, idlen);
	free(pubpath);
	free(path);
	return 0;
}

/* ---- running ssh and ssh-keygen ------------------------------------------ */

static const char *sshk_user(const struct sk *k, const struct fleet_host *h)
{
	const char *u = fleet_section_get(k->sec, "user");

	return u ? u : h->user;
}

/* Runs script on host hi logged in with exactly the key in keyfile
 * (sshcmd's only_identity: no agent, no other IdentityFile). The host is
 * reached where the collector reaches it (sshcmd resolves it with the one
 * identity resolver: HostName, Port, User, HostKeyAlias and known_hosts
 * files of ssh_config). Its jump hops log in with their own identity:
 * they are not what is being verified. */
static int sshk_ssh(struct sk *k, int hi, const char *keyfile, bool verify, const char *script,
		  struct exec_result *r, char *route, size_t routelen, char *err, size_t errlen)
{
	const struct sshcmd_opts o = {
		.identity = keyfile,
		.user = sshk_user(k, &k->f->hosts[hi]),
		.only_identity = true,
		.strict = verify,
	};
	struct sshcmd c;
	int rc;

	if (sshcmd_open(&c, k->f, hi, &o, NULL, k->f->timeout, err, errlen) < 0)
		return -1;
	sshcmd_add(&c, script);
	sshcmd_route(&c, route, routelen);
	rc = exec_argv(c.argv, NULL, SK_TIMEOUT, r, err, errlen);
	if (rc == 0)
		sshcmd_explain(&c, r);
	sshcmd_close(&c);
	return rc;
}

/* Runs script on host hi; -1 with "lab2: exit 3: reason" in err.
 * Thread-safe (sshk_all runs it for many hosts at once). */
static int sshk_remote(struct sk *k, int hi, const char *keyfile, bool verify, const char *script,
		     char *err, size_t errlen)
{
	struct exec_result r;
	char what[256], route[160] = "";
	int rc = 0;

	if (sshk_ssh(k, hi, keyfile, verify, script, &r, route, sizeof(route), err, errlen) < 0)
		return -1;
	if (r.status != 0 || r.timed_out || (verify && !strstr(r.out, "fleetdeck-verified"))) {
		exec_describe(&r, what, sizeof(what));
		/* ssh's own failure (255) may be a hop's: say which way it went */
		str_fmt(err, errlen, "%s%s: %s", k->f->hosts[hi].name, r.status == 255 ? route : "",
			what);
		rc = -1;
	}
	exec_result_free(&r);
	return rc;
}

struct sk_call {
	struct sk *k;
	int host;
	const char *keyfile;
	bool verify;
	char *script;
	int rc;
	char why[300];
};

static void *sk_call_run(void *arg)
{
	struct sk_call *c = arg;

	c->rc = sshk_remote(c->k, c->host, c->keyfile, c->verify, c->script, c->why, sizeof(c->why));
	return NULL;
}

/* One step on every host of the key at once (SK_PARALLEL at a time):
 * scripts[i] (freed here) runs on k->host[i], logged in with keyfile. A
 * step costs about one login however many hosts there are (it was one
 * login per host, one after the other). Returns how many hosts failed;
 * err gets the first failure in host order ("lab3: exit 1: ..."). */
static int sshk_all(struct sk *k, const char *keyfile, bool verify, char **scripts,
		    char *err, size_t errlen)
{
	struct sk_call c[SK_PARALLEL];
	pthread_t t[SK_PARALLEL];
	bool threaded[SK_PARALLEL];
	int failed = 0;

	for (size_t b = 0; b < k->nhosts; b += SK_PARALLEL) {
		size_t n = k->nhosts - b < SK_PARALLEL ? k->nhosts - b : SK_PARALLEL;
		for (size_t i = 0; i < n; i++) {
			c[i] = (struct sk_call){ .k = k, .host = k->host[b + i], .keyfile = keyfile,
						 .verify = verify, .script = scripts[b + i] };
			threaded[i] = pthread_create(&t[i], NULL, sk_call_run, &c[i]) == 0;
			if (!threaded[i])
				sk_call_run(&c[i]);
		}
		for (size_t i = 0; i < n; i++) {
			if (threaded[i])
				pthread_join(t[i], NULL);
			if (c[i].rc < 0 && failed++ == 0)
				str_copy(err, c[i].why, errlen);
			free(c[i].script);
		}
	}
	return failed;
}

/* The authorized_keys path on host hi as a shell word: {host} replaced by
 * the [host]'s name, a leading ~/ as "$HOME"/, the rest single-quoted. */
static char *ak_word(const struct sk *k, int hi)
{
	const char *v = fleet_section_value(k->sec, "authorized_keys");
	const char *name = k->f->hosts[hi].name, *hit, *p;
	char *path = xstrdup(""), *q, *out;

	for (p = v ? v : "~/.ssh/authorized_keys"; (hit = strstr(p, "{host}")); p = hit + 6) {
		char *next = xasprintf("%s%.*s%s", path, (int)(hit - p), p, name);
		free(path);
		path = next;
	}
	q = xasprintf("%s%s", path, p);
	free(path);
	if (str_starts(q, "~/")) {
		char *rest = sh_quote(q + 2);
		out = xasprintf("\"$HOME\"/%s", rest);
		free(rest);
	} else {
		out = sh_quote(q);
	}
	free(q);
	return out;
}

/* Appends pub (with a comment) unless its blob is there already. */
static char *script_append(const struct sk *k, int hi, const char *pub)
{
	char *f = ak_word(k, hi), *blob = sh_quote(pub_blob(pub));
	char *line = xasprintf("%s fleetdeck-%s", pub, k->sec->name), *ql = sh_quote(line);
	char *s = xasprintf("f=%s; umask 077; mkdir -p \"${f%%/*}\" && touch \"$f\" || exit 4; "
			    "grep -qF -- %s \"$f\" && exit 0; "
			    "if [ -s \"$f\" ] && [ -n \"$(tail -c 1 \"$f\")\" ]; then echo >>\"$f\"; fi; "
			    "printf '%%s\\n' %s >>\"$f\"", f, blob, ql);

	free(f); free(blob); free(line); free(ql);
	return s;
}

/* Removes every line with the blob of gone, but only when the blob of keep
 * is in the file (so this can never take away the last working key); the
 * file is replaced atomically with its mode kept. */
static char *script_remove(const struct sk *k, int hi, const char *gone, const char *keep)
{
	char *f = ak_word(k, hi), *g = sh_quote(pub_blob(gone)), *kp = sh_quote(pub_blob(keep));
	char *s = xasprintf("f=%s; [ -f \"$f\" ] || exit 0; grep -qF -- %s \"$f\" || exit 0; "
			    "grep -qF -- %s \"$f\" || { echo \"the other key is not in $f: left as it is\" >&2; exit 3; }; "
			    "t=\"$f.fleetdeck.$$\"; cp -p \"$f\" \"$t\" || exit 4; grep -vF -- %s \"$f\" >\"$t\"; "
			    "[ $? -le 1 ] && mv -f \"$t\" \"$f\" || { rm -f \"$t\"; exit 4; }",
			    f, g, kp, g);

	free(f); free(g); free(kp);
	return s;
}

/* ---- the state file ------------------------------------------------------ */

static int state_save(struct sk *k, const char *phase, char *err, size_t errlen)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s}", "key", k->sec->name, "phase", phase,
			      "tmpdir", k->tmpdir, "old", k->old_pub, "new", k->new_pub);
	char *text = json_dumps(o, JSON_COMPACT), *tmp = xasprintf("%s.tmp", k->state);
	int fd, rc = -1;

	json_decref(o);
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text) && fsync(fd) == 0 &&
	    rename(tmp, k->state) == 0) {
		fsync_dir_of(k->state);
		rc = 0;
	}
	if (rc < 0)
		str_fmt(err, errlen, "cannot write the rotation state %s: %s", k->state, strerror(errno));
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	free(text);
	free(tmp);
	return rc;
}

/* The state's phase with its keys and temp dir, or NULL when o is none. */
static const char *state_from_json(json_t *o, char *old_pub, char *new_pub, size_t publen,
				   char *tmpdir, size_t tmplen)
{
	const char *phase = json_string_value(json_object_get(o, "phase"));
	const char *old = json_string_value(json_object_get(o, "old"));
	const char *new = json_string_value(json_object_get(o, "new"));
	const char *tmp = json_string_value(json_object_get(o, "tmpdir"));

	if (!phase || sshkey_pub_normalize(old ? old : "", old_pub, publen) < 0 ||
	    sshkey_pub_normalize(new ? new : "", new_pub, publen) < 0)
		return NULL;
	str_copy(tmpdir, tmp ? tmp : "", tmplen);
	return strcmp(phase, "confirming") == 0 ? "confirming" :
	       strcmp(phase, "installed") == 0 ? "installed" :
	       strcmp(phase, "verified") == 0 ? "verified" : "added";
}

const char *sshkey_state_parse(const char *text, size_t len, char *old_pub, char *new_pub,
			       size_t publen, char *tmpdir, size_t tmplen)
{
	json_t *o = json_loadb(text, len, 0, NULL);
	const char *r = state_from_json(o, old_pub, new_pub, publen, tmpdir, tmplen);

	json_decref(o);
	return r;
}

/* Loads an interrupted rotation's state: its phase, or NULL when none. */
static const char *state_load(struct sk *k)
{
	json_t *o = json_load_file(k->state, 0, NULL);
	const char *r = state_from_json(o, k->old_pub, k->new_pub, sizeof(k->old_pub), k->tmpdir,
					sizeof(k->tmpdir));

	json_decref(o);
	return r;
}

static void state_remove(struct sk *k)
{
	unlink(k->state);
	fsync_dir_of(k->state);
}

/* Deletes the temp dir (the new private key, if not yet installed). */
static void tmp_remove(struct sk *k)
{
	char *a, *b;

	if (!k->tmpdir[0])
		return;
	a = xasprintf("%s/id_ed25519", k->tmpdir);
	b = xasprintf("%s/id_ed25519.pub", k->tmpdir);
	unlink(a);
	unlink(b);
	rmdir(k->tmpdir);
	free(a);
	free(b);
	k->tmpdir[0] = '\0';
}

/* ---- the steps ------------------------------------------------------------ */

/* One rotation of a key at a time, across fleetdeck instances. O_CLOEXEC:
 * an ssh child must not keep the lock alive after we die. */
static int state_lock(struct sk *k, char *err, size_t errlen)
{
	char *path = xasprintf("%.*s.lock", (int)(strlen(k->state) - strlen(".json")), k->state);

	k->lock_fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (k->lock_fd < 0) {
		str_fmt(err, errlen, "cannot open the rotation lock %s: %s", path, strerror(errno));
		free(path);
		return -1;
	}
	if (flock(k->lock_fd, LOCK_EX | LOCK_NB) < 0) {
		str_fmt(err, errlen, "another fleetdeck is rotating [key %s] right now (%s is "
			"locked); nothing was changed", k->sec->name, path);
		close(k->lock_fd);
		k->lock_fd = -1;
		free(path);
		return -1;
	}
	free(path);
	return 0;
}

static int sshk_init(struct sk *k, struct action_job *j, char *err, size_t errlen)
{
	char **names;
	size_t n = 0;

	memset(k, 0, sizeof(*k));
	k->lock_fd = -1;
	k->j = j;
	k->f = j->f;
	k->sec = j->sec;
	names = fleet_list_split(fleet_section_value(j->sec, "hosts"), &n);
	for (size_t i = 0; i < n && k->nhosts < SK_MAX_HOSTS; i++) {
		int hi = fleet_host_index(k->f, names[i]);
		if (hi < 0 || k->f->hosts[hi].local) {
			str_fmt(err, errlen, "[key %s]: %s is not a remote [host]", j->sec->name, names[i]);
			fleet_list_free(names);
			return -1;
		}
		k->host[k->nhosts++] = hi;
	}
	fleet_list_free(names);
	k->identity = fleet_section_path(j->sec, "identity_file");
	if (k->nhosts == 0 || !k->identity) {
		str_fmt(err, errlen, "[key %s] needs hosts and identity_file", j->sec->name);
		return -1;
	}
	{
		char *dir = xstrdup(k->f->audit_log), *slash = strrchr(dir, '/'), safe[64];
		str_copy(safe, j->sec->name, sizeof(safe));
		for (char *p = safe; *p; p++)
			if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-", *p))
				*p = '_';
		if (slash)
			*slash = '\0';
		k->state = xasprintf("%s/rotation-%s.json", slash ? dir : ".", safe);
		free(dir);
	}
	k->kept = xasprintf("%s.fleetdeck-old", k->identity);
	if (dirs_make_for(k->state, err, errlen) < 0)
		return -1;
	return state_lock(k, err, errlen);
}

static void sshk_free(struct sk *k)
{
	if (k->lock_fd >= 0)
		close(k->lock_fd);      /* releases the flock */
	free(k->identity);
	free(k->state);
	free(k->kept);
}

/* The public key of identity_file, from the private key itself. */
static int read_old_pub(struct sk *k, char *err, size_t errlen)
{
	char *av[] = { "ssh-keygen", "-y", "-f", k->identity, NULL };
	struct exec_result r;
	char what[256];
	int rc = 0;

	if (exec_argv(av, NULL, SK_TIMEOUT, &r, err, errlen) < 0)
		return -1;
	if (r.status != 0 || sshkey_pub_normalize(r.out, k->old_pub, sizeof(k->old_pub)) < 0) {
		exec_describe(&r, what, sizeof(what));
		str_fmt(err, errlen, "cannot read the current key %s (%s)", k->identity, what);
		rc = -1;
	}
	exec_result_free(&r);
	return rc;
}

static int generate(struct sk *k, char *err, size_t errlen)
{
	char *dir = xstrdup(k->state), *key, *pub, *comment;
	char *av[12];
	struct exec_result r;
	char what[256], day[16];
	time_t now = time(NULL);
	struct tm tm;
	int rc = 0;

	dir[strlen(dir) - strlen(".json")] = '\0';
	str_fmt(k->tmpdir, sizeof(k->tmpdir), "%s.XXXXXX", dir);
	free(dir);
	if (!mkdtemp(k->tmpdir)) {
		str_fmt(err, errlen, "cannot create a private directory for the new key: %s", strerror(errno));
		k->tmpdir[0] = '\0';
		return -1;
	}
	gmtime_r(&now, &tm);
	strftime(day, sizeof(day), "%Y-%m-%d", &tm);
	key = xasprintf("%s/id_ed25519", k->tmpdir);
	pub = xasprintf("%s.pub", key);
	comment = xasprintf("fleetdeck-%s-%s", k->sec->name, day);
	av[0] = "ssh-keygen"; av[1] = "-q"; av[2] = "-t"; av[3] = "ed25519"; av[4] = "-N"; av[5] = "";
	av[6] = "-C"; av[7] = comment; av[8] = "-f"; av[9] = key; av[10] = NULL;
	if (exec_argv(av, NULL, SK_TIMEOUT, &r, err, errlen) < 0) {
		rc = -1;
	} else {
		if (r.status != 0 || chmod(key, 0600) < 0 || read_pub_file(pub, k->new_pub, sizeof(k->new_pub)) < 0) {
			exec_describe(&r, what, sizeof(what));
			str_fmt(err, errlen, "ssh-keygen failed (%s)", what);
			rc = -1;
		}
		exec_result_free(&r);
	}
	free(key);
	free(pub);
	free(comment);
	return rc;
}

/* Takes the new key out again on every host, only where the old key is
 * still there. Returns how many hosts failed (described in err). */
static int rollback(struct sk *k, char *err, size_t errlen)
{
	char *s[SK_MAX_HOSTS];

	for (size_t i = 0; i < k->nhosts; i++)
		s[i] = script_remove(k, k->host[i], k->new_pub, k->old_pub);
	return sshk_all(k, k->identity, false, s, err, errlen);
}

/* Copies src to dst through a temp file and rename (dst's dir, mode). */
static int install_file(const char *src, const char *dst, mode_t mode, char *err, size_t errlen)
{
	char *tmp = xasprintf("%s.fleetdeck-new", dst), buf[4096];
	int in = open(src, O_RDONLY | O_CLOEXEC), out = -1, rc = -1;
	ssize_t n;

	unlink(tmp);
	if (in >= 0)
		out = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (out >= 0) {
		rc = 0;
		while (rc == 0 && (n = read(in, buf, sizeof(buf))) > 0)
			if (write(out, buf, (size_t)n) != n)
				rc = -1;
		if (rc == 0 && (fchmod(out, mode) < 0 || fsync(out) < 0 || rename(tmp, dst) < 0))
			rc = -1;
	}
	if (rc < 0)
		str_fmt(err, errlen, "cannot install the new key as %s: %s", dst, strerror(errno));
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	unlink(tmp);
	free(tmp);
	return rc;
}

/* The public key of the private key at path ("" when unreadable). */
static void private_pub(const char *path, char *out, size_t size)
{
	char *av[] = { "ssh-keygen", "-y", "-f", (char *)path, NULL };
	struct exec_result r;
	char err[128];

	out[0] = '\0';
	if (exec_argv(av, NULL, SK_TIMEOUT, &r, err, sizeof(err)) < 0)
		return;
	if (r.status != 0 || sshkey_pub_normalize(r.out, out, size) < 0)
		out[0] = '\0';
	exec_result_free(&r);
}

/* Step 4: the old private key kept (a hard link, so identity_file never goes
 * missing), then the new pair renamed over identity_file (+ .pub). */
static int install(struct sk *k, char *err, size_t errlen)
{
	char *key = xasprintf("%s/id_ed25519", k->tmpdir), *pub = xasprintf("%s.pub", key);
	char *dpub = xasprintf("%s.pub", k->identity), cur[SK_PUB_LEN];
	int rc = 0;

	private_pub(k->identity, cur, sizeof(cur));
	if (strcmp(cur, k->new_pub) != 0) {
		/* not installed yet: keep the old one first */
		if (strcmp(cur, k->old_pub) == 0) {
			unlink(k->kept);
			if (link(k->identity, k->kept) < 0 || chmod(k->kept, 0600) < 0) {
				str_fmt(err, errlen, "cannot keep the old key as %s: %s", k->kept,
					strerror(errno));
				rc = -1;
			}
			fsync_dir_of(k->kept);
			checkpoint("old-kept");
		}
		if (rc == 0 && access(key, R_OK) < 0) {
			str_fmt(err, errlen, "the new key is gone from %s: rotate again (the old key "
				"keeps working)", k->tmpdir);
			rc = -1;
		}
		if (rc == 0)
			rc = install_file(key, k->identity, 0600, err, errlen) < 0 ? -1 : 0;
	}
	if (rc == 0 && read_pub_file(dpub, cur, sizeof(cur)) == 0 && strcmp(cur, k->new_pub) == 0) {
		/* .pub in place already */
	} else if (rc == 0 && access(pub, R_OK) == 0) {
		rc = install_file(pub, dpub, 0644, err, errlen);
	} else if (rc == 0) {
		/* the temp dir is gone: the .pub from the state file */
		FILE *fp = fopen(dpub, "w");
		rc = fp && fprintf(fp, "%s fleetdeck-%s\n", k->new_pub, k->sec->name) > 0 ? 0 : -1;
		if (fp)
			fclose(fp);
	}
	if (rc == 0)
		fsync_dir_of(k->identity);
	free(key);
	free(pub);
	free(dpub);
	if (rc == 0) {
		tmp_remove(k);
		rc = state_save(k, "installed", err, errlen);
	}
	if (rc == 0)
		checkpoint("installed");
	return rc;
}

/* Whether the collector logs in on host hi as the account whose key this
 * is: the [key]'s user, when it sets one, is the [host]'s. */
static bool collector_same_user(const struct sk *k, int hi)
{
	const char *u = fleet_section_get(k->sec, "user"), *hu = k->f->hosts[hi].user;

	return !u || (hu && strcmp(u, hu) == 0);
}

/* How long step 5 waits: the [key]'s confirm_timeout, by default two
 * intervals of the slowest host (the collector looks at the asks
 * within one) plus twice a whole setup (TCP, key exchange and
 * authentication a timeout each, the shell 3 x timeout), twice that again
 * through a jump host, plus 10 s. */
static double confirm_limit(const struct sk *k)
{
	double worst = 0;

	for (size_t i = 0; i < k->nhosts; i++) {
		const struct fleet_host *h = &k->f->hosts[k->host[i]];
		double t = h->timeout > 0 ? h->timeout : 5;
		double d = 2 * h->interval + 12 * t * (h->jump_index >= 0 ? 2 : 1);
		if (d > worst)
			worst = d;
	}
	return fleet_section_duration(k->sec, "confirm_timeout", worst + 10);
}

/* Appends name to a ", "-separated list in buf. */
static void list_add(char *buf, size_t size, const char *name)
{
	size_t len = strlen(buf);

	str_fmt(buf + len, size - len, "%s%s", len ? ", " : "", name);
}

/* Step 5: the collector itself logs in with the new key on every host. */
static int confirm(struct sk *k, char *err, size_t errlen)
{
	bool done[SK_MAX_HOSTS] = { false };
	double since, limit = confirm_limit(k), t0;
	size_t left = 0;
	char msg[160], key[PATH_MAX], missing[300] = "", other[300] = "", why[480];

	if (state_save(k, "confirming", err, errlen) < 0)
		return -1;
	checkpoint("confirming");
	since = now_wall();
	for (size_t i = 0; i < k->nhosts; i++) {
		if (!collector_same_user(k, k->host[i])) {
			done[i] = true;
			list_add(other, sizeof(other), k->f->hosts[k->host[i]].name);
			continue;
		}
		left++;
		if (k->j->m)
			model_relogin_ask(k->j->m, (size_t)k->host[i], k->identity);
	}
	str_fmt(msg, sizeof(msg), "waiting for fleetdeck's own login with the new key on %zu host(s)", left);
	k->j->progress(k->j, msg);
	t0 = now_mono();
	while (left && k->j->m) {
		for (size_t i = 0; i < k->nhosts; i++) {
			if (done[i] || model_login_get(k->j->m, (size_t)k->host[i], key, sizeof(key)) < since ||
			    strcmp(key, k->identity) != 0)
				continue;
			done[i] = true;
			left--;
		}
		if (!left || now_mono() - t0 > limit || action_job_quitting(k->j))
			break;
		usleep(100 * 1000);
	}
	if (other[0]) {
		size_t len = strlen(k->j->note);
		str_fmt(k->j->note + len, sizeof(k->j->note) - len, "%sconfirmed by ssh only on %s "
			"(the collector logs in there as another user)", len ? "; " : "", other);
	}
	if (left) {
		for (size_t i = 0; i < k->nhosts; i++)
			if (!done[i])
				list_add(missing, sizeof(missing), k->f->hosts[k->host[i]].name);
		sshkey_pub_fingerprint(k->new_pub, k->j->new_id, sizeof(k->j->new_id));
		/* (the audit log keeps 192 bytes: what matters first) */
		if (action_job_quitting(k->j))
			str_fmt(why, sizeof(why), "fleetdeck quit before its collector logged in "
				"with the new key on %s", missing);
		else
			str_fmt(why, sizeof(why), "fleetdeck's collector has not logged in with the "
				"new key on %s within %.0f s (polling paused, or the host unreachable "
				"for it?)", missing, limit);
		str_fmt(err, errlen, "%s; the old key stays authorized and is kept as %s; the new "
			"key %s is installed as %s and ssh logs in with it; rotate again to finish",
			why, k->kept, k->j->new_id, k->identity);
		return -1;
	}
	checkpoint("confirmed");
	return 0;
}

/* Step 6: the old key out everywhere, logged in with the new key. */
static int finish(struct sk *k, char *err, size_t errlen)
{
	char failed[300] = "", msg[96], *s[SK_MAX_HOSTS];
	int nfail;

	for (size_t i = 0; i < k->nhosts; i++)
		s[i] = script_remove(k, k->host[i], k->old_pub, k->new_pub);
	str_fmt(msg, sizeof(msg), "removing the old key on %zu host(s)", k->nhosts);
	k->j->progress(k->j, msg);
	nfail = sshk_all(k, k->identity, false, s, failed, sizeof(failed));
	sshkey_pub_fingerprint(k->new_pub, k->j->new_id, sizeof(k->j->new_id));
	if (nfail) {
		str_fmt(err, errlen, "the new key %s works on every host and is installed as %s, but the "
			"old key could not be removed on %d host(s) (%s); it is kept as %s; rotate "
			"again to finish", k->j->new_id, k->identity, nfail, failed, k->kept);
		return -1;
	}
	checkpoint("removed");
	/* the old key works nowhere now: its private half can go */
	unlink(k->kept);
	fsync_dir_of(k->kept);
	state_remove(k);
	return 0;
}

/* Steps 1-3; on a failure the new key is taken out again. */
static int add_and_verify(struct sk *k, char *err, size_t errlen)
{
	char msg[128], why[300], rb[300] = "", *s[SK_MAX_HOSTS], *key;

	k->j->progress(k->j, "generating a new ed25519 key");
	if (read_old_pub(k, err, errlen) < 0 || generate(k, err, errlen) < 0 ||
	    state_save(k, "added", err, errlen) < 0) {
		tmp_remove(k);
		return -1;
	}
	checkpoint("generated");
	for (size_t i = 0; i < k->nhosts; i++)
		s[i] = script_append(k, k->host[i], k->new_pub);
	str_fmt(msg, sizeof(msg), "adding the new key on %zu host(s)", k->nhosts);
	k->j->progress(k->j, msg);
	if (sshk_all(k, k->identity, false, s, why, sizeof(why)) > 0) {
		str_fmt(err, errlen, "adding the new key failed on %s", why);
		goto undo;
	}
	checkpoint("added");
	for (size_t i = 0; i < k->nhosts; i++)
		s[i] = xstrdup("echo fleetdeck-verified");
	str_fmt(msg, sizeof(msg), "logging in with the new key on %zu host(s)", k->nhosts);
	k->j->progress(k->j, msg);
	key = xasprintf("%s/id_ed25519", k->tmpdir);
	if (sshk_all(k, key, true, s, why, sizeof(why)) > 0) {
		str_fmt(err, errlen, "a login with the new key failed on %s", why);
		free(key);
		goto undo;
	}
	free(key);
	if (state_save(k, "verified", err, errlen) < 0)
		return -1;
	checkpoint("verified");
	return 0;
undo:
	k->j->progress(k->j, "taking the new key out again");
	if (rollback(k, rb, sizeof(rb)) > 0) {
		size_t len = strlen(err);
		str_fmt(err + len, errlen - len, "; the old key is unchanged, but the new (deleted) key "
			"is still listed on %s; the next rotate removes it", rb);
		tmp_remove(k);
		state_save(k, "added", rb, sizeof(rb));
		return -1;
	}
	{
		size_t len = strlen(err);
		str_fmt(err + len, errlen - len, "; the new key was removed again, the old key is unchanged");
	}
	tmp_remove(k);
	state_remove(k);
	return -1;
}

static int sshkey_rotate(struct action_job *j, char *err, size_t errlen)
{
	struct sk k;
	const char *phase;
	int rc = -1;

	if (sshk_init(&k, j, err, errlen) < 0)
		goto out;
	phase = state_load(&k);
	if (phase && strcmp(phase, "added") != 0) {
		/* the new key works everywhere: go on from where it stopped */
		j->progress(j, "resuming an interrupted rotation");
		str_copy(j->note, "resumed an interrupted rotation", sizeof(j->note));
		rc = (strcmp(phase, "verified") != 0 || install(&k, err, errlen) == 0) &&
		     confirm(&k, err, errlen) == 0 ? finish(&k, err, errlen) : -1;
		goto out;
	}
	if (phase) {
		char rb[300];
		j->progress(j, "rolling back an interrupted rotation");
		tmp_remove(&k);
		if (rollback(&k, rb, sizeof(rb)) > 0) {
			str_fmt(err, errlen, "cannot roll back the interrupted rotation (%s); the old key "
				"is unchanged", rb);
			goto out;
		}
		state_remove(&k);
		str_copy(j->note, "rolled back an interrupted rotation first", sizeof(j->note));
	}
	memset(k.new_pub, 0, sizeof(k.new_pub));
	if (add_and_verify(&k, err, errlen) == 0 && install(&k, err, errlen) == 0 &&
	    confirm(&k, err, errlen) == 0)
		rc = finish(&k, err, errlen);
out:
	sshk_free(&k);
	return rc;
}

static void sshkey_describe(const struct action_job *j, char *buf, size_t size)
{
	const char *user = fleet_section_get(j->sec, "user");
	const char *file = fleet_section_get(j->sec, "identity_file");

	str_fmt(buf, size, "New ed25519 key for %s on %s: added, a login with it verified on "
		"every host, installed as %s; once fleetdeck's own collector logged in with it on "
		"every host the old key is removed everywhere. Any failure before the install "
		"takes the new key out again; the old key keeps working.",
		user ? user : "the login user", fleet_section_value(j->sec, "hosts"),
		file ? file : "identity_file");
}

const struct key_provider key_ssh_authorized_key = {
	.name = "ssh-authorized-key",
	.reading = KR_LOCAL,
	.read = sshkey_read,
	.describe = sshkey_describe,
	.rotate = sshkey_rotate,
};
