#define _GNU_SOURCE 1  /* pipe2 */
#include "config.h"
#include "collect/sshconfig.h"
#include "util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <stdbool.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define SSHG_MAX_OUT 65536
#define SSHG_TIMEOUT_MS 3000
/* from the loop nobody waits for it: a slow Match exec gets longer */
#define SSHG_JOB_TIMEOUT_S 10.0

static void add_identity(struct ssh_target *t, const char *path)
{
	if (t->nidentity >= SSHCONFIG_MAX_IDS)
		return;
	t->identity_files[t->nidentity++] = path_expand(path);
}

/* A list value of ssh -G ("a b c", unquoted: a path with a space cannot be
 * told apart, as in ssh -G's own output). */
static void add_list(char **dst, int *n, char *val)
{
	char *save = NULL;

	/* a key given twice: the last one counts, the first is not leaked */
	while (*n > 0)
		free(dst[--(*n)]);
	for (char *w = strtok_r(val, " ", &save); w && *n < SSHCONFIG_MAX_KH;
	     w = strtok_r(NULL, " ", &save))
		dst[(*n)++] = path_expand(w);
}

static void default_known_hosts(struct ssh_target *t)
{
	char a[] = "~/.ssh/known_hosts ~/.ssh/known_hosts2";
	char b[] = "/etc/ssh/ssh_known_hosts /etc/ssh/ssh_known_hosts2";

	if (!t->nuser_known_hosts)
		add_list(t->user_known_hosts, &t->nuser_known_hosts, a);
	if (!t->nglobal_known_hosts)
		add_list(t->global_known_hosts, &t->nglobal_known_hosts, b);
}

static void set_user(struct ssh_target *t, const char *user)
{
	const char *u = user;
	struct passwd *pw;

	if (!u) {
		pw = getpwuid(getuid());
		u = pw ? pw->pw_name : getenv("USER");
	}
	str_copy(t->user, u ? u : "root", sizeof(t->user));
}

static void set_defaults(struct ssh_target *t, const char *alias, const char *user, int port)
{
	str_copy(t->host, alias, sizeof(t->host));
	set_user(t, user);
	t->port = port > 0 ? port : 22;
	add_identity(t, "~/.ssh/id_ed25519");
	add_identity(t, "~/.ssh/id_ecdsa");
	add_identity(t, "~/.ssh/id_rsa");
	default_known_hosts(t);
}

/* One ssh -G child being read. */
struct sshg_child {
	pid_t pid;
	int fd;
	char *out;
	size_t len;
	bool done;
};

static int sshg_spawn(struct sshg_child *ch, const char *alias, const char *user, int port,
		      const char *config)
{
	int pfd[2];
	char portbuf[16];
	const char *argv[12];
	int argc = 0;

	argv[argc++] = "ssh";
	argv[argc++] = "-G";
	if (config) {
		argv[argc++] = "-F";
		argv[argc++] = config;
	}
	if (user) {
		argv[argc++] = "-l";
		argv[argc++] = user;
	}
	if (port > 0) {
		str_fmt(portbuf, sizeof(portbuf), "%d", port);
		argv[argc++] = "-p";
		argv[argc++] = portbuf;
	}
	argv[argc++] = "--";  /* a name starting with '-' is never an option */
	argv[argc++] = alias;
	argv[argc] = NULL;

	memset(ch, 0, sizeof(*ch));
	ch->fd = -1;
	ch->pid = -1;
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -1;
	ch->pid = fork();
	if (ch->pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (ch->pid == 0) {
		int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
		setpgid(0, 0);  /* a group of its own: see sshg_kill */
		dup2(devnull, 0);
		dup2(pfd[1], 1);
		dup2(devnull, 2);
		fd_close_from(3);
		execvp("ssh", (char *const *)argv);
		_exit(127);
	}
	setpgid(ch->pid, ch->pid);  /* (both sides: sshg_kill may come first) */
	close(pfd[1]);
	ch->fd = pfd[0];
	fcntl(ch->fd, F_SETFD, FD_CLOEXEC);
	fcntl(ch->fd, F_SETFL, O_NONBLOCK);
	ch->out = xmalloc(SSHG_MAX_OUT + 1);
	return 0;
}

/* A straggler is killed with its whole process group: a Match exec command
 * that ssh -G started (a slow or hung one is why we kill) would otherwise
 * outlive it, on this machine, at every timeout and every quit. */
static void sshg_kill(const struct sshg_child *ch)
{
	if (ch->pid <= 0)
		return;
	if (kill(-ch->pid, SIGKILL) < 0)
		kill(ch->pid, SIGKILL);
}

/* Reads every child until EOF or the shared deadline; kills stragglers. */
static void sshg_collect(struct sshg_child *chs, size_t n)
{
	struct pollfd *pfds = xcalloc(n, sizeof(*pfds));
	int remaining_ms = SSHG_TIMEOUT_MS;

	for (;;) {
		size_t np = 0;
		int rc;
		for (size_t i = 0; i < n; i++) {
			if (chs[i].fd < 0 || chs[i].done)
				continue;
			pfds[np++] = (struct pollfd){ chs[i].fd, POLLIN, 0 };
		}
		if (np == 0 || remaining_ms <= 0)
			break;
		double t0 = now_mono();
		rc = poll(pfds, np, remaining_ms);
		remaining_ms -= (int)((now_mono() - t0) * 1000) + (rc == 0 ? remaining_ms : 0);
		for (size_t i = 0, k = 0; i < n && k < np; i++) {
			struct sshg_child *ch = &chs[i];
			ssize_t r;
			if (ch->fd < 0 || ch->done)
				continue;
			if (!pfds[k++].revents)
				continue;
			r = read(ch->fd, ch->out + ch->len, SSHG_MAX_OUT - ch->len);
			if (r > 0)
				ch->len += (size_t)r;
			if (r <= 0 || ch->len == SSHG_MAX_OUT)
				ch->done = true;
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (chs[i].fd >= 0 && !chs[i].done)
			sshg_kill(&chs[i]);
	}
	free(pfds);
}

static int sshg_finish(struct sshg_child *ch)
{
	int waited = 0;

	if (ch->fd >= 0)
		close(ch->fd);
	if (ch->out)
		ch->out[ch->len] = '\0';
	if (ch->pid > 0)
		while (waitpid(ch->pid, &waited, 0) < 0 && errno == EINTR)
			;
	return WIFEXITED(waited) ? WEXITSTATUS(waited) : 255;
}

void sshconfig_parse(char *out, const char *alias, const char *user, int port,
		     struct ssh_target *t)
{
	char *save = NULL;

	memset(t, 0, sizeof(*t));
	t->port = 22;
	for (char *line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *val = strchr(line, ' ');
		if (!val)
			continue;
		*val++ = '\0';
		if (strcmp(line, "hostname") == 0)
			str_copy(t->host, val, sizeof(t->host));
		else if (strcmp(line, "user") == 0)
			str_copy(t->user, val, sizeof(t->user));
		else if (strcmp(line, "port") == 0)
			t->port = atoi(val);
		else if (strcmp(line, "identityfile") == 0)
			add_identity(t, val);
		else if (strcmp(line, "proxyjump") == 0 && strcmp(val, "none") != 0)
			str_copy(t->proxyjump, val, sizeof(t->proxyjump));
		else if (strcmp(line, "hostkeyalias") == 0 && strcmp(val, "none") != 0)
			str_copy(t->hostkeyalias, val, sizeof(t->hostkeyalias));
		else if (strcmp(line, "userknownhostsfile") == 0)
			add_list(t->user_known_hosts, &t->nuser_known_hosts, val);
		else if (strcmp(line, "globalknownhostsfile") == 0)
			add_list(t->global_known_hosts, &t->nglobal_known_hosts, val);
	}
	if (!t->host[0])
		str_copy(t->host, alias, sizeof(t->host));
	if (!t->user[0])
		set_user(t, user);
	if (port > 0)
		t->port = port;
	if (t->port <= 0 || t->port > 65535)
		t->port = 22;
	default_known_hosts(t);
}

static int parse_ssh_g(char *out, int status, const char *alias, const char *user, int port,
		       struct ssh_target *t, char *err, size_t errlen)
{
	memset(t, 0, sizeof(*t));
	if (!out || status == 127) {
		set_defaults(t, alias, user, port);
		return 0;
	}
	if (status != 0) {
		str_fmt(err, errlen, "ssh -G %s failed (exit %d): check ~/.ssh/config", alias, status);
		set_defaults(t, alias, user, port);
		return -1;
	}
	sshconfig_parse(out, alias, user, port, t);
	return 0;
}

void sshconfig_resolve_many(struct sshconfig_req *reqs, size_t n)
{
	struct sshg_child *chs = xcalloc(n ? n : 1, sizeof(*chs));

	/* all at once: a fleet of N hosts costs one ssh -G, not N in a row */
	for (size_t i = 0; i < n; i++)
		if (sshg_spawn(&chs[i], reqs[i].alias, reqs[i].user, reqs[i].port,
			       reqs[i].config) < 0)
			chs[i].pid = -1;
	sshg_collect(chs, n);
	for (size_t i = 0; i < n; i++) {
		int status = chs[i].pid > 0 ? sshg_finish(&chs[i]) : 127;
		reqs[i].err[0] = '\0';
		reqs[i].rc = parse_ssh_g(chs[i].out, status, reqs[i].alias, reqs[i].user,
					 reqs[i].port, &reqs[i].target, reqs[i].err, sizeof(reqs[i].err));
		free(chs[i].out);
	}
	free(chs);
}

void sshconfig_job_start(struct sshconfig_job *j, double now)
{
	struct sshconfig_req *r = &j->req;

	j->ch = xcalloc(1, sizeof(*j->ch));
	j->deadline = now + SSHG_JOB_TIMEOUT_S;
	j->done = false;
	/* -F /dev/null: no configuration at all, so ssh -G would only print
	 * the defaults; a big fleet saves a process per host */
	if ((r->config && strcmp(r->config, "/dev/null") == 0) ||
	    sshg_spawn(j->ch, r->alias, r->user, r->port, r->config) < 0) {
		j->ch->pid = -1;
		sshconfig_job_step(j, now);  /* no ssh(1): defaults */
	}
}

/* The job's child is reaped already (sshg_finish); its memory goes here. */
static void job_child_free(struct sshconfig_job *j)
{
	free(j->ch->out);
	free(j->ch);
	j->ch = NULL;
}

int sshconfig_job_fd(const struct sshconfig_job *j)
{
	return j->ch && !j->done ? j->ch->fd : -1;
}

bool sshconfig_job_step(struct sshconfig_job *j, double now)
{
	struct sshg_child *ch = j->ch;
	struct sshconfig_req *r = &j->req;
	int status;
	bool killed = false;

	if (j->done || !ch)
		return j->done;
	while (ch->pid > 0 && ch->fd >= 0 && !ch->done) {
		ssize_t n = read(ch->fd, ch->out + ch->len, SSHG_MAX_OUT - ch->len);
		if (n > 0) {
			ch->len += (size_t)n;
			if (ch->len == SSHG_MAX_OUT)
				ch->done = true;
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			if (now < j->deadline)
				return false;
			sshg_kill(ch);
			killed = true;
		}
		ch->done = true;
	}
	status = ch->pid > 0 ? sshg_finish(ch) : 127;
	r->err[0] = '\0';
	r->rc = parse_ssh_g(ch->out, status, r->alias, r->user, r->port, &r->target, r->err,
			    sizeof(r->err));
	if (killed)
		str_fmt(r->err, sizeof(r->err), "ssh -G %s did not finish within %.0f s: a slow "
			"Match exec in the ssh configuration?", r->alias, SSHG_JOB_TIMEOUT_S);
	job_child_free(j);
	j->done = true;
	return true;
}

void sshconfig_job_free(struct sshconfig_job *j)
{
	/* an unfinished job is dropped, not parsed: its alias belongs to a
	 * conn that may already be gone (hosts_free frees conns first) */
	if (j->ch) {
		sshg_kill(j->ch);
		sshg_finish(j->ch);
		job_child_free(j);
	}
	if (j->done)
		ssh_target_free(&j->req.target);
}

int sshconfig_resolve(const char *alias, const char *user, int port, const char *config,
		      struct ssh_target *t, char *err, size_t errlen)
{
	struct sshconfig_req r = { 0 };

	r.config = config;
	r.alias = alias;
	r.user = user;
	r.port = port;
	sshconfig_resolve_many(&r, 1);
	*t = r.target;
	str_copy(err, r.err, errlen);
	return r.rc;
}

void ssh_target_free(struct ssh_target *t)
{
	for (int i = 0; i < t->nidentity; i++)
		free(t->identity_files[i]);
	t->nidentity = 0;
	for (int i = 0; i < t->nuser_known_hosts; i++)
		free(t->user_known_hosts[i]);
	t->nuser_known_hosts = 0;
	for (int i = 0; i < t->nglobal_known_hosts; i++)
		free(t->global_known_hosts[i]);
	t->nglobal_known_hosts = 0;
}

void ssh_target_copy(struct ssh_target *dst, const struct ssh_target *src)
{
	*dst = *src;
	for (int i = 0; i < src->nidentity; i++)
		dst->identity_files[i] = xstrdup(src->identity_files[i]);
	for (int i = 0; i < src->nuser_known_hosts; i++)
		dst->user_known_hosts[i] = xstrdup(src->user_known_hosts[i]);
	for (int i = 0; i < src->nglobal_known_hosts; i++)
		dst->global_known_hosts[i] = xstrdup(src->global_known_hosts[i]);
}

const char *ssh_target_keyname(const struct ssh_target *t, int *port)
{
	if (t->hostkeyalias[0]) {
		*port = 22;
		return t->hostkeyalias;
	}
	*port = t->port;
	return t->host;
}
