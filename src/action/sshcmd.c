/* ssh(1) command lines and local forwards for action workers; see
 * sshcmd.h for why jump hops are forwards of their own rather than -J. */
#include "config.h"
#include "action/sshcmd.h"
#include "action/exec.h"
#include "util/util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define FWD_TRIES 3              /* attempts when another process took the port */

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

static int host_port(const struct fleet_host *h)
{
	return h->port > 0 ? h->port : 22;
}

/* The name known_hosts knows the host by (what ssh(1) itself would look
 * up): "addr", or "[addr]:port" off port 22. */
static char *known_name(const struct fleet_host *h)
{
	if (host_port(h) == 22)
		return xstrdup(h->address);
	return xasprintf("[%s]:%d", h->address, host_port(h));
}

/* "ssh OPTIONS EXTRA -- DEST" for host h, directly or, when via > 0,
 * through the hop forward on 127.0.0.1:via. */
static void args_build(struct sshcmd *c, const struct fleet *f, const struct fleet_host *h,
		       const struct sshcmd_opts *o, int via, const char *const *extra, double timeout)
{
	const char *identity = o && o->identity ? o->identity : h->identity_file;
	const char *user = o && o->user ? o->user : h->user;
	bool strict = (o && o->strict) || f->host_key_policy == HKP_STRICT;

	add(c, "ssh");
	if (o && o->only_identity) {
		/* no ssh_config: no IdentityFile of it may make the login succeed */
		add(c, "-F"); add(c, "/dev/null");
		add(c, "-o"); add(c, "IdentitiesOnly=yes");
		add(c, "-o"); add(c, "IdentityAgent=none");
		add(c, "-o"); add(c, "PasswordAuthentication=no");
		add(c, "-o"); add(c, "KbdInteractiveAuthentication=no");
	}
	add(c, "-o"); add(c, "BatchMode=yes");
	add(c, "-o"); add_own(c, xasprintf("ConnectTimeout=%d", (int)(timeout < 1 ? 1 : timeout)));
	add(c, "-o"); add_own(c, xasprintf("UserKnownHostsFile=%s", f->known_hosts));
	add(c, "-o"); add(c, strict ? "StrictHostKeyChecking=yes" : "StrictHostKeyChecking=accept-new");
	if (identity) {
		add(c, "-i"); add(c, identity);
	}
	if (user) {
		add(c, "-l"); add(c, user);
	}
	for (; extra && *extra; extra++)
		add(c, *extra);
	if (via > 0) {
		/* the host key is checked against the host's own name, not 127.0.0.1 */
		char *alias = known_name(h);

		add(c, "-o"); add_own(c, xasprintf("HostKeyAlias=%s", alias));
		free(alias);
		add(c, "-o"); add(c, "CheckHostIP=no");
		add(c, "-p"); add_own(c, xasprintf("%d", via));
		add(c, "--"); add(c, "127.0.0.1");
		return;
	}
	if (h->port > 0) {
		add(c, "-p"); add_own(c, xasprintf("%d", h->port));
	}
	add(c, "--"); add(c, h->address);
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

/* A loopback port nobody listens on right now (bind 0, read, close). ssh
 * binds it a moment later; a collision makes it exit (ExitOnForwardFailure)
 * and the caller tries another. */
static int free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), port = -1;

	if (fd < 0)
		return -1;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &len) == 0)
		port = ntohs(a.sin_port);
	close(fd);
	return port;
}

static bool port_accepts(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool ok;

	if (fd < 0)
		return false;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
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

/* Runs argv (an ssh -N -L 127.0.0.1:port:...) and waits until the port
 * accepts. 0 up, 1 the port was taken (try another), -1 failed (err). */
static int fwd_run(struct sshfwd *w, char *const argv[], int port, const char *host,
		   double timeout, char *err, size_t errlen)
{
	/* ConnectTimeout bounds the TCP connect; the key exchange and login
	 * come on top */
	double deadline = now_mono() + 2 * timeout + 5;
	int pe[2], st;
	char buf[1024] = "";
	ssize_t n;

	if (pipe(pe) < 0) {
		str_fmt(err, errlen, "cannot run ssh: %s", strerror(errno));
		return -1;
	}
	/* not inherited by what other workers start meanwhile */
	fcntl(pe[0], F_SETFD, FD_CLOEXEC);
	fcntl(pe[1], F_SETFD, FD_CLOEXEC);
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
			if (strstr(buf, "Address already in use"))
				return 1;
			fwd_reason(buf, host, err, errlen);
			return -1;
		}
		if (port_accepts(port)) {
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

/* ssh -N -L 127.0.0.1:PORT:dhost:dport to host h (through via when > 0). */
static int fwd_open(struct sshfwd *w, const struct fleet *f, const struct fleet_host *h, int via,
		    const char *dhost, int dport, double timeout, char *err, size_t errlen)
{
	bool v6 = strchr(dhost, ':') != NULL;

	for (int attempt = 0; attempt < FWD_TRIES; attempt++) {
		struct sshcmd c = { .argc = 0 };
		int port = free_port(), rc;
		char *spec;

		if (port < 0) {
			str_fmt(err, errlen, "no free loopback port: %s", strerror(errno));
			return -1;
		}
		spec = xasprintf("127.0.0.1:%d:%s%s%s:%d", port, v6 ? "[" : "", dhost, v6 ? "]" : "", dport);
		const char *extra[] = { "-N", "-o", "ExitOnForwardFailure=yes", "-L", spec, NULL };
		args_build(&c, f, h, NULL, via, extra, timeout);
		rc = fwd_run(w, c.argv, port, h->name, timeout, err, errlen);
		args_free(&c);
		free(spec);
		if (rc <= 0)
			return rc;
	}
	str_fmt(err, errlen, "ssh to %s: no free loopback port for the forward", h->name);
	return -1;
}

/* ---- jump chains --------------------------------------------------------- */

/* host's jump hops in connection order; a local hop ends the chain (it is
 * this machine). Returns the count, -1 when too long (or a loop). */
static int jump_chain(const struct fleet *f, int host, int *chain)
{
	int rev[SSHCMD_MAX_HOPS], n = 0;

	for (int j = f->hosts[host].jump_index; j >= 0 && (size_t)j < f->nhosts && !f->hosts[j].local;
	     j = f->hosts[j].jump_index) {
		if (n == SSHCMD_MAX_HOPS)
			return -1;
		rev[n++] = j;
	}
	for (int i = 0; i < n; i++)
		chain[i] = rev[n - 1 - i];
	return n;
}

static void hops_close(struct sshcmd *c)
{
	/* the innermost first: its ssh runs through the outer ones */
	for (int i = c->nhops - 1; i >= 0; i--)
		fwd_stop(&c->hop[i]);
	c->nhops = 0;
}

int sshcmd_open(struct sshcmd *c, const struct fleet *f, int host, const struct sshcmd_opts *o,
		const char *const *extra, double timeout, char *err, size_t errlen)
{
	int chain[SSHCMD_MAX_HOPS], n;

	memset(c, 0, sizeof(*c));
	if (host < 0 || (size_t)host >= f->nhosts) {
		str_copy(err, "no such host", errlen);
		return -1;
	}
	n = jump_chain(f, host, chain);
	if (n < 0) {
		str_fmt(err, errlen, "%s: the jump chain is longer than %d hosts",
			f->hosts[host].name, SSHCMD_MAX_HOPS);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		const struct fleet_host *next = i + 1 < n ? &f->hosts[chain[i + 1]] : &f->hosts[host];
		int via = i > 0 ? c->hop[i - 1].port : 0;

		if (fwd_open(&c->hop[i], f, &f->hosts[chain[i]], via, next->address, host_port(next),
			     timeout, err, errlen) < 0) {
			hops_close(c);
			return -1;
		}
		c->nhops = i + 1;
	}
	args_build(c, f, &f->hosts[host], o, n > 0 ? c->hop[n - 1].port : 0, extra, timeout);
	return 0;
}

void sshcmd_close(struct sshcmd *c)
{
	hops_close(c);
	args_free(c);
}

int sshtun_open(struct sshtun *t, const struct fleet *f, int host, const char *dhost, int dport,
		double timeout, char *err, size_t errlen)
{
	int via;

	memset(t, 0, sizeof(*t));
	if (sshcmd_open(&t->cmd, f, host, NULL, NULL, timeout, err, errlen) < 0)
		return -1;
	/* the argv built for host is not used: the forward builds its own */
	via = t->cmd.nhops > 0 ? t->cmd.hop[t->cmd.nhops - 1].port : 0;
	if (fwd_open(&t->fwd, f, &f->hosts[host], via, dhost, dport, timeout, err, errlen) < 0) {
		sshcmd_close(&t->cmd);
		return -1;
	}
	return 0;
}

void sshtun_close(struct sshtun *t)
{
	fwd_stop(&t->fwd);
	sshcmd_close(&t->cmd);
}
