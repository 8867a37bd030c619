#define _GNU_SOURCE 1  /* pipe2 */
/* ssh(1) command lines and local forwards for action workers; see
 * sshcmd.h for why jump hops are forwards of their own rather than -J. */
#include "config.h"
#include "provider/sshcmd.h"
#include "provider/exec.h"
#include "collect/knownhosts.h"
#include "util/util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>


static void add(struct sshcmd *c, const char *arg)
{
	if (c->argc < SSHCMD_MAX_ARGS - 1)
		c->argv[c->argc++] = (char *)arg;
	c->argv[c->argc] = NULL;
}

/* Adds a malloc'd argument that sshcmd_close() frees. */
static void add_own(struct sshcmd *c, char *arg)
{
	if (c->nown < (int)(sizeof(c->own) / sizeof(c->own[0])))
		c->own[c->nown++] = arg;
	add(c, arg);
}

void sshcmd_add(struct sshcmd *c, const char *arg)
{
	add(c, arg);
}

/* ---- where a login goes: the one resolver ------------------------------- */

/* The fleet file's ssh_config (NULL: ssh's own), as the collector uses it. */
static char *fleet_ssh_config(const struct fleet *f)
{
	return fleet_count(f, SEC_FLEET) ? fleet_section_path(fleet_nth(f, SEC_FLEET, 0), "ssh_config")
					  : NULL;
}

/* Resolutions of the last minute: an action logs in to the same hosts many
 * times (a key rotation: add, verify, remove), each ssh -G costs a fork. */
#define RESOLVE_CACHE 32
#define RESOLVE_TTL 60.0
static struct {
	char *key;
	struct ssh_target t;
	double at;
} cache[RESOLVE_CACHE];
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;

static int resolve_cached(const char *alias, const char *user, int port, const char *cfg,
			  struct ssh_target *t, char *err, size_t errlen)
{
	char *key = xasprintf("%s\n%s\n%d\n%s", alias, user ? user : "", port, cfg ? cfg : "");
	double now = now_mono();
	int slot = 0, rc;

	pthread_mutex_lock(&cache_lock);
	for (int i = 0; i < RESOLVE_CACHE; i++) {
		if (cache[i].key && strcmp(cache[i].key, key) == 0 && now - cache[i].at < RESOLVE_TTL) {
			ssh_target_copy(t, &cache[i].t);
			pthread_mutex_unlock(&cache_lock);
			free(key);
			return 0;
		}
		if (!cache[i].key || cache[i].at < cache[slot].at)
			slot = i;
	}
	pthread_mutex_unlock(&cache_lock);
	rc = sshconfig_resolve(alias, user, port, cfg, t, err, errlen);
	if (rc < 0) {
		free(key);
		return rc;
	}
	pthread_mutex_lock(&cache_lock);
	if (cache[slot].key) {
		free(cache[slot].key);
		ssh_target_free(&cache[slot].t);
	}
	cache[slot].key = key;
	ssh_target_copy(&cache[slot].t, t);
	cache[slot].at = now;
	pthread_mutex_unlock(&cache_lock);
	return 0;
}

/* Resolves a login the way the collector does (collect/sshconfig.h: ssh -G
 * with the fleet's ssh_config, the fleet's user and port as -l/-p), and its
 * host key files (collect/knownhosts.h). alias: the address or ssh_config
 * name; identity: the fleet's identity_file, or NULL. */
static int dest_resolve(struct sshdest *d, const struct fleet *f, const char *name,
			const char *alias, const char *user, int port, const char *identity,
			char *err, size_t errlen)
{
	char *cfg = fleet_ssh_config(f), why[256] = "";
	int rc;

	memset(d, 0, sizeof(*d));
	str_copy(d->name, name, sizeof(d->name));
	d->identity = identity ? xstrdup(identity) : NULL;
	rc = resolve_cached(alias, user, port, cfg, &d->t, why, sizeof(why));
	free(cfg);
	if (rc < 0) {
		str_fmt(err, errlen, "%s: %s", name, why);
		ssh_target_free(&d->t);
		free(d->identity);
		d->identity = NULL;
		return -1;
	}
	knownhosts_files(f->known_hosts_set ? f->known_hosts : NULL, &d->t, &d->kh);
	d->resolved = true;
	return 0;
}

static int dest_of_host(struct sshdest *d, const struct fleet *f, const struct fleet_host *h,
			char *err, size_t errlen)
{
	return dest_resolve(d, f, h->name, h->address ? h->address : h->name, h->user, h->port,
			    h->identity_file, err, errlen);
}

void sshdest_free(struct sshdest *d)
{
	if (!d->resolved)
		return;
	ssh_target_free(&d->t);
	knownhosts_files_free(&d->kh);
	free(d->identity);
	memset(d, 0, sizeof(*d));
}

/* The name known_hosts knows the login by, as the collector looks it up:
 * HostKeyAlias, or "host" / "[host]:port" off port 22. */
static char *known_name(const struct sshdest *d)
{
	int port;
	const char *name = ssh_target_keyname(&d->t, &port);

	if (port == 22)
		return xstrdup(name);
	return xasprintf("[%s]:%d", name, port);
}

char *sshcmd_pct_escape(const char *s)
{
	char *o = xmalloc(2 * strlen(s) + 1), *p = o;

	for (; *s; s++) {
		if (*s == '%')
			*p++ = '%';
		*p++ = *s;
	}
	*p = '\0';
	return o;
}

/* Adds "-i PATH": ssh expands %-tokens in identity file names, ours are
 * file names as they are. */
static void add_identity(struct sshcmd *c, const char *path)
{
	add(c, "-i");
	add_own(c, sshcmd_pct_escape(path));
}

/* "KEY=FILE FILE...": each file in double quotes with " and \ escaped (ssh
 * splits the value into words as its config lines, so a blank in a name
 * would start another file), % doubled when ssh expands tokens in it
 * (UserKnownHostsFile; not GlobalKnownHostsFile). /dev/null without any. */
static char *kh_option(const char *key, const struct kh_files *kh, int from, int to, bool expands)
{
	size_t len = strlen(key) + 32;
	char *o, *p;

	for (int i = from; i < to && i < kh->n; i++)
		len += 4 * strlen(kh->file[i]) + 3;
	o = xmalloc(len);
	p = o + sprintf(o, "%s=", key);
	if (from >= to || from >= kh->n)
		p += sprintf(p, "/dev/null");
	for (int i = from; i < to && i < kh->n; i++) {
		if (i > from)
			*p++ = ' ';
		*p++ = '"';
		for (const char *f = kh->file[i]; *f; f++) {
			if (*f == '"' || *f == '\\')
				*p++ = '\\';
			else if (*f == '%' && expands)
				*p++ = '%';
			*p++ = *f;
		}
		*p++ = '"';
	}
	*p = '\0';
	return o;
}

/* "ssh OPTIONS EXTRA -- DEST" for d, directly or, when proxy is not NULL,
 * through it as the ProxyCommand (the stdio forward of the hop before d:
 * see hops_proxy). No ssh_config is read (-F /dev/null):
 * every value it could give comes from the resolver, so this login goes
 * to the sshd, account, key files and host keys the collector uses. */
static void args_build(struct sshcmd *c, const struct fleet *f, const struct sshdest *d,
		       const struct sshcmd_opts *o, const char *proxy, const char *const *extra,
		       double timeout, bool outer)
{
	const char *user = o && o->user ? o->user : d->t.user;
	bool strict = (o && o->strict) || f->host_key_policy == HKP_STRICT;
	char *alias = known_name(d);

	if (proxy && outer) {
		/* ssh runs a ProxyCommand with $SHELL -c: ours is quoted for
		 * sh(1), and means something else to fish or csh (a value
		 * ending in a backslash would open a quote there); the hops'
		 * ssh inherit it */
		add(c, "env");
		add(c, "SHELL=/bin/sh");
	}
	add(c, "ssh");
	add(c, "-F"); add(c, "/dev/null");
	if (o && o->only_identity) {
		/* exactly this key: no agent, no other identity, no password */
		add_identity(c, o->identity);
		add(c, "-o"); add(c, "IdentitiesOnly=yes");
		add(c, "-o"); add(c, "IdentityAgent=none");
		add(c, "-o"); add(c, "PasswordAuthentication=no");
		add(c, "-o"); add(c, "KbdInteractiveAuthentication=no");
	} else {
		/* what the collector offers: the agent, then the fleet's
		 * identity_file, then ssh_config's IdentityFile list */
		if (d->identity)
			add_identity(c, d->identity);
		for (int i = 0; i < d->t.nidentity; i++)
			if (access(d->t.identity_files[i], R_OK) == 0)
				add_identity(c, d->t.identity_files[i]);
	}
	add(c, "-o"); add(c, "BatchMode=yes");
	add(c, "-o"); add_own(c, xasprintf("ConnectTimeout=%d", (int)(timeout < 1 ? 1 : timeout)));
	add(c, "-o"); add_own(c, kh_option("UserKnownHostsFile", &d->kh, 0, d->kh.nuser, true));
	add(c, "-o"); add_own(c, kh_option("GlobalKnownHostsFile", &d->kh, d->kh.nuser, d->kh.n, false));
	add(c, "-o"); add(c, strict ? "StrictHostKeyChecking=yes" : "StrictHostKeyChecking=accept-new");
	/* the host key is looked up under the collector's name, whatever
	 * way the connection goes (through a hop's stdio forward) */
	add(c, "-o"); add_own(c, xasprintf("HostKeyAlias=%s", alias));
	free(alias);
	add(c, "-o"); add(c, "CheckHostIP=no");
	add(c, "-l"); add_own(c, xstrdup(user));
	if (proxy) {
		/* ssh expands %-tokens in it: every % of ours is literal */
		char *pct = sshcmd_pct_escape(proxy);

		add(c, "-o"); add_own(c, xasprintf("ProxyCommand=%s", pct));
		free(pct);
	}
	for (; extra && *extra; extra++)
		add(c, *extra);
	add(c, "-p"); add_own(c, xasprintf("%d", d->t.port));
	add(c, "--"); add_own(c, xstrdup(d->t.host));
}

static void args_free(struct sshcmd *c)
{
	for (int i = 0; i < c->nown; i++)
		free(c->own[i]);
	c->nown = 0;
	c->argc = 0;
	c->argv[0] = NULL;
}

/* ---- forwards ------------------------------------------------------------ */

static bool path_accepts(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool ok;

	if (fd < 0)
		return false;
	str_copy(a.sun_path, path, sizeof(a.sun_path));
	ok = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
	close(fd);
	return ok;
}

static void fwd_stop(struct sshfwd *w)
{
	int st;

	if (w->errfd > 0)
		close(w->errfd);
	w->errfd = 0;
	if (w->pid <= 0)
		return;
	kill(-w->pid, SIGTERM);
	kill(w->pid, SIGTERM);
	for (int i = 0; i < 40; i++) {
		if (waitpid(w->pid, &st, WNOHANG) != 0)
			goto done;
		usleep(25000);
	}
	kill(-w->pid, SIGKILL);
	kill(w->pid, SIGKILL);
	while (waitpid(w->pid, &st, 0) < 0 && errno == EINTR)
		;
done:
	w->pid = 0;
}

static pid_t spawn(char *const argv[], int errfd)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	pid_t pid;

	if (null < 0)
		return -1;
	pid = fork();
	if (pid == 0)
		exec_child(argv, null, null, errfd);
	close(null);
	return pid;
}

/* The first line of what the dead ssh wrote (buf), sanitized, into err. */
static void fwd_reason(char *buf, const char *host, char *err, size_t errlen)
{
	char *line = buf;

	while (*line == '\n' || *line == '\r')
		line++;
	line[strcspn(line, "\r\n")] = '\0';
	str_sanitize(line);
	str_fmt(err, errlen, "ssh to %s failed: %s", host, line[0] ? line : "it exited");
}

/* Runs argv (an ssh -N -L SOCKET:...) and waits until w->path accepts.
 * 0 up, -1 failed (err). */
static int fwd_run(struct sshfwd *w, char *const argv[], int port, const char *host,
		   double timeout, char *err, size_t errlen)
{
	/* ConnectTimeout bounds the TCP connect; the key exchange and login
	 * come on top */
	double deadline = now_mono() + 2 * timeout + 5;
	int pe[2], st;
	char buf[1024] = "";
	ssize_t n;

	/* not inherited by what other workers start meanwhile */
	if (pipe2(pe, O_CLOEXEC) < 0) {
		str_fmt(err, errlen, "cannot run ssh: %s", strerror(errno));
		return -1;
	}
	w->port = port;
	w->pid = spawn(argv, pe[1]);
	close(pe[1]);
	if (w->pid < 0) {
		w->pid = 0;
		close(pe[0]);
		str_fmt(err, errlen, "cannot run ssh: %s", strerror(errno));
		return -1;
	}
	fcntl(pe[0], F_SETFL, O_NONBLOCK);
	while (now_mono() < deadline) {
		if (waitpid(w->pid, &st, WNOHANG) == w->pid) {
			w->pid = 0;
			n = read(pe[0], buf, sizeof(buf) - 1);
			buf[n > 0 ? n : 0] = '\0';
			close(pe[0]);
			fwd_reason(buf, host, err, errlen);
			return -1;
		}
		if (path_accepts(w->path)) {
			w->errfd = pe[0];
			return 0;
		}
		usleep(50000);
	}
	close(pe[0]);
	fwd_stop(w);
	str_fmt(err, errlen, "ssh to %s: the forward was not up after %.0f s", host, 2 * timeout + 5);
	return -1;
}

/* ---- jump chains --------------------------------------------------------- */

static void dests_free(struct sshcmd *c)
{
	for (int i = 0; i < c->ndest; i++)
		sshdest_free(&c->dest[i]);
	c->ndest = 0;
}

/* The hops of a ProxyJump list ("[user@]host[:port],..."): a fleet host of
 * that name or address, else the hop as ssh_config resolves it, as the
 * collector follows them (collect/hosts.c). */
static int chain_proxyjump(struct sshcmd *c, const struct fleet *f, const char *spec,
			   char *err, size_t errlen)
{
	char *list = xstrdup(spec), *save = NULL;
	int rc = 0;

	for (char *hop = strtok_r(list, ",", &save); hop && rc == 0; hop = strtok_r(NULL, ",", &save)) {
		char *host = hop, *user = NULL, *colon;
		int port = 0, hi = -1;

		if (c->ndest >= SSHCMD_MAX_HOPS) {
			str_fmt(err, errlen, "the jump chain is longer than %d hosts", SSHCMD_MAX_HOPS);
			rc = -1;
			break;
		}
		for (size_t i = 0; i < f->nhosts && hi < 0; i++)
			if (!f->hosts[i].local && (strcmp(f->hosts[i].name, hop) == 0 ||
			    (f->hosts[i].address && strcmp(f->hosts[i].address, hop) == 0)))
				hi = (int)i;
		if (hi >= 0) {
			rc = dest_of_host(&c->dest[c->ndest], f, &f->hosts[hi], err, errlen);
		} else {
			if ((colon = strrchr(hop, '@'))) {
				*colon = '\0';
				user = hop;
				host = colon + 1;
			}
			if ((colon = strrchr(host, ':')) && !strchr(colon + 1, ']')) {
				*colon = '\0';
				port = atoi(colon + 1);
			}
			if (host[0] == '[' && host[strlen(host) - 1] == ']') {
				host[strlen(host) - 1] = '\0';
				host++;
			}
			rc = dest_resolve(&c->dest[c->ndest], f, host, host, user, port, NULL, err, errlen);
		}
		if (rc == 0)
			c->ndest++;
	}
	free(list);
	return rc;
}

/* Resolves host's hops, in connection order, then host itself, into
 * c->dest: a fleet `jump` chain (each jump host with its own chain), or
 * else the ProxyJump ssh_config gives the host. A local hop ends a chain
 * (it is this machine). */
static int chain_build(struct sshcmd *c, const struct fleet *f, int host, int depth,
		       char *err, size_t errlen)
{
	const struct fleet_host *h = &f->hosts[host];
	struct sshdest self;
	int j = h->jump_index;

	if (depth > SSHCMD_MAX_HOPS || c->ndest >= SSHCMD_MAX_HOPS + 1) {
		str_fmt(err, errlen, "%s: the jump chain is longer than %d hosts", f->hosts[host].name,
			SSHCMD_MAX_HOPS);
		return -1;
	}
	if (dest_of_host(&self, f, h, err, errlen) < 0)
		return -1;
	if (j >= 0 && (size_t)j < f->nhosts && !f->hosts[j].local) {
		if (chain_build(c, f, j, depth + 1, err, errlen) < 0) {
			sshdest_free(&self);
			return -1;
		}
	} else if (j < 0 && self.t.proxyjump[0]) {
		if (chain_proxyjump(c, f, self.t.proxyjump, err, errlen) < 0) {
			sshdest_free(&self);
			return -1;
		}
	}
	c->dest[c->ndest++] = self;
	return 0;
}

/* The ConnectTimeout of a login through nhops hops: ssh applies it to the
 * banner exchange too, and through a ProxyCommand the banner comes only
 * once every hop before has connected and logged in (a setup of `timeout`
 * each, as the collector counts a jumped host's), so a chain of three
 * under load failed at the last login with the hops still logging in. */
static double chain_timeout(double timeout, int nhops)
{
	return timeout * (nhops + 1);
}

/* No control character (a newline would end the ProxyCommand line ssh
 * parses; nothing a host name, user or path needs). */
static bool arg_safe(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

char *sshcmd_sh_words(char *const argv[], int argc)
{
	size_t len = 1;
	char *cmd, *o;

	for (int a = 0; a < argc; a++)
		len += 6 * strlen(argv[a]) + 3;
	o = cmd = xmalloc(len);
	for (int a = 0; a < argc; a++) {
		if (a > 0)
			*o++ = ' ';
		*o++ = '\'';
		for (const char *p = argv[a]; *p; p++) {
			/* ' and \ leave the single quotes: ssh first splits the
			 * line into words with its own rules (a backslash escapes
			 * a quote even inside quotes) and refuses it when its
			 * quotes do not balance; '"'"' and '"\\"' read the same
			 * to both, '\'' does not */
			if (*p == '\'') {
				memcpy(o, "'\"'\"'", 5);
				o += 5;
			} else if (*p == '\\') {
				memcpy(o, "'\"\\\\\"'", 6);
				o += 6;
			} else {
				*o++ = *p;
			}
		}
		*o++ = '\'';
	}
	*o = '\0';
	return cmd;
}

/* The ProxyCommand the login to the last dest runs (NULL: direct), as a
 * malloc'd sh(1) command line: for each hop, in order, "ssh HOP'S OPTIONS
 * -W NEXT:PORT -- HOP" (a stdio forward: nothing listens anywhere), built
 * by args_build like every login (the hop's identity, user, known_hosts
 * files and HostKeyAlias), the hop itself reached through the ProxyCommand
 * of the hop before it. Every argument is single-quoted, so no value of the
 * fleet reaches sh(1) as anything but a word; a value with a control
 * character is refused. Into c->proxy; 0, or -1 with err. */
static int hops_proxy(struct sshcmd *c, const struct fleet *f, double timeout, char *err,
		      size_t errlen)
{
	char *proxy = NULL;

	for (int i = 0; i + 1 < c->ndest; i++) {
		const struct sshdest *next = &c->dest[i + 1];
		bool v6 = strchr(next->t.host, ':') != NULL;
		char *spec = xasprintf("%s%s%s:%d", v6 ? "[" : "", next->t.host, v6 ? "]" : "",
				       next->t.port);
		const char *extra[] = { "-W", spec, NULL };
		struct sshcmd h = { .argc = 0 };
		char *cmd;

		args_build(&h, f, &c->dest[i], NULL, proxy, extra, chain_timeout(timeout, i), false);
		for (int a = 0; a < h.argc; a++) {
			if (!arg_safe(h.argv[a])) {
				str_fmt(err, errlen, "ssh to %s: a value of its login has a control character",
					c->dest[i].name);
				args_free(&h);
				free(spec);
				free(proxy);
				return -1;
			}
		}
		cmd = sshcmd_sh_words(h.argv, h.argc);
		args_free(&h);
		free(spec);
		free(proxy);
		proxy = cmd;
	}
	c->proxy = proxy;
	c->nhops = c->ndest - 1;
	return 0;
}

int sshcmd_open(struct sshcmd *c, const struct fleet *f, int host, const struct sshcmd_opts *o,
		const char *const *extra, double timeout, char *err, size_t errlen)
{
	memset(c, 0, sizeof(*c));
	if (host < 0 || (size_t)host >= f->nhosts) {
		str_copy(err, "no such host", errlen);
		return -1;
	}
	if (chain_build(c, f, host, 0, err, errlen) < 0 ||
	    hops_proxy(c, f, timeout, err, errlen) < 0) {
		dests_free(c);
		return -1;
	}
	args_build(c, f, &c->dest[c->ndest - 1], o, c->proxy, extra, chain_timeout(timeout, c->nhops),
		   true);
	return 0;
}

void sshcmd_route(const struct sshcmd *c, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int i = 0; i < c->nhops && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? ", " : " (through ", c->dest[i].name);
	if (c->nhops > 0 && n < len)
		snprintf(buf + n, len - n, ")");
}

/* Which login of the chain a host key refusal in ssh's stderr is about:
 * ssh names the login by its HostKeyAlias (ours: known_name) in "Host key
 * for NAME has changed" and "No TYPE host key is known for NAME"; through
 * hops every ssh of the chain writes to the same stderr, so the words
 * alone do not say which. */
static const struct sshdest *hostkey_refused(const struct sshcmd *c, const char *e, bool *changed)
{
	static const char *const pat[] = { "Host key for %s has changed", "host key is known for %s and" };

	for (int i = 0; i < c->ndest; i++) {
		char *name = known_name(&c->dest[i]);

		for (size_t p = 0; p < sizeof(pat) / sizeof(pat[0]); p++) {
			char *line = xasprintf(pat[p], name);
			bool hit = strstr(e, line) != NULL;

			free(line);
			if (hit) {
				free(name);
				*changed = p == 0;
				return &c->dest[i];
			}
		}
		free(name);
	}
	return NULL;
}

void sshcmd_explain(const struct sshcmd *c, struct exec_result *r)
{
	const struct sshdest *d;
	bool changed;
	char *name, *e;

	if (r->status != 255 || !r->err || !(d = hostkey_refused(c, r->err, &changed)))
		return;
	name = known_name(d);
	e = xasprintf("%s: %s (%s) not as in known_hosts\n%s", d->name,
		      changed ? "HOST KEY CHANGED" : "host key unknown", name, r->err);
	free(name);
	free(r->err);
	r->err = e;
	r->errlen = strlen(e);
}

void sshcmd_close(struct sshcmd *c)
{
	free(c->proxy);
	c->proxy = NULL;
	c->nhops = 0;
	args_free(c);
	dests_free(c);
}

/* ssh -N -L SOCKET:dhost:dport to d (through proxy when not NULL). */
static int fwd_open_socket(struct sshfwd *w, const struct fleet *f, const struct sshdest *d,
			   const char *proxy, const char *dhost, int dport, double timeout, char *err,
			   size_t errlen)
{
	bool v6 = strchr(dhost, ':') != NULL;
	struct sshcmd c = { .argc = 0 };
	char *spec;
	int n, rc;

	w->path = runtime_socket(&n, err, errlen);
	if (!w->path)
		return -1;
	spec = xasprintf("%s:%s%s%s:%d", w->path, v6 ? "[" : "", dhost, v6 ? "]" : "", dport);
	/* ssh makes the socket with StreamLocalBindMask (0177: ours only),
	 * in a directory that is 0700 and ours anyway */
	const char *extra[] = { "-N", "-o", "ExitOnForwardFailure=yes", "-o", "StreamLocalBindMask=0177",
				"-o", "StreamLocalBindUnlink=yes", "-L", spec, NULL };
	args_build(&c, f, d, NULL, proxy, extra, timeout, true);
	rc = fwd_run(w, c.argv, n, d->name, timeout, err, errlen);
	args_free(&c);
	free(spec);
	if (rc != 0) {
		unlink(w->path);
		free(w->path);
		w->path = NULL;
		return -1;
	}
	return 0;
}

int sshtun_open(struct sshtun *t, const struct fleet *f, int host, const char *dhost, int dport,
		double timeout, char *err, size_t errlen)
{
	memset(t, 0, sizeof(*t));
	if (sshcmd_open(&t->cmd, f, host, NULL, NULL, timeout, err, errlen) < 0)
		return -1;
	/* the argv built for host is not used: the forward builds its own */
	if (fwd_open_socket(&t->fwd, f, &t->cmd.dest[t->cmd.ndest - 1], t->cmd.proxy, dhost, dport,
			    chain_timeout(timeout, t->cmd.nhops), err, errlen) < 0) {
		sshcmd_close(&t->cmd);
		return -1;
	}
	return 0;
}

void sshtun_close(struct sshtun *t)
{
	fwd_stop(&t->fwd);
	if (t->fwd.path) {
		unlink(t->fwd.path);
		free(t->fwd.path);
		t->fwd.path = NULL;
	}
	sshcmd_close(&t->cmd);
}
