#include "config.h"
#include "collect/sshconfig.h"
#include "util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define SSHG_MAX_OUT 65536
#define SSHG_TIMEOUT_MS 3000

static void add_identity(struct ssh_target *t, const char *path)
{
	if (t->nidentity >= SSHCONFIG_MAX_IDS)
		return;
	t->identity_files[t->nidentity++] = path_expand(path);
}

static void set_defaults(struct ssh_target *t, const char *alias, const char *user, int port)
{
	const char *u = user;
	struct passwd *pw;

	str_copy(t->host, alias, sizeof(t->host));
	if (!u) {
		pw = getpwuid(getuid());
		u = pw ? pw->pw_name : getenv("USER");
	}
	str_copy(t->user, u ? u : "root", sizeof(t->user));
	t->port = port > 0 ? port : 22;
	add_identity(t, "~/.ssh/id_ed25519");
	add_identity(t, "~/.ssh/id_ecdsa");
	add_identity(t, "~/.ssh/id_rsa");
}

/* Runs ssh -G; returns the output (malloc'd) or NULL if ssh could not run. */
static char *run_ssh_g(const char *alias, const char *user, int port, int *status)
{
	int pfd[2];
	pid_t pid;
	char portbuf[16];
	const char *argv[10];
	int argc = 0;
	char *out;
	size_t len = 0;
	int waited = 0;

	argv[argc++] = "ssh";
	argv[argc++] = "-G";
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

	if (pipe(pfd) < 0)
		return NULL;
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return NULL;
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDWR);
		dup2(devnull, 0);
		dup2(pfd[1], 1);
		dup2(devnull, 2);
		close(pfd[0]);
		execvp("ssh", (char *const *)argv);
		_exit(127);
	}
	close(pfd[1]);
	out = xmalloc(SSHG_MAX_OUT + 1);
	for (;;) {
		struct pollfd p = { pfd[0], POLLIN, 0 };
		ssize_t n;
		if (poll(&p, 1, SSHG_TIMEOUT_MS) <= 0) {
			kill(pid, SIGKILL);
			break;
		}
		n = read(pfd[0], out + len, SSHG_MAX_OUT - len);
		if (n <= 0)
			break;
		len += (size_t)n;
		if (len == SSHG_MAX_OUT)
			break;
	}
	out[len] = '\0';
	close(pfd[0]);
	while (waitpid(pid, &waited, 0) < 0 && errno == EINTR)
		;
	*status = WIFEXITED(waited) ? WEXITSTATUS(waited) : 255;
	if (*status == 127) {
		free(out);
		return NULL;
	}
	return out;
}

int sshconfig_resolve(const char *alias, const char *user, int port,
		      struct ssh_target *t, char *err, size_t errlen)
{
	int status = 0;
	char *out = run_ssh_g(alias, user, port, &status);
	char *save = NULL;

	memset(t, 0, sizeof(*t));
	if (!out) {
		set_defaults(t, alias, user, port);
		return 0;
	}
	if (status != 0) {
		str_fmt(err, errlen, "ssh -G %s failed (exit %d): check ~/.ssh/config", alias, status);
		free(out);
		set_defaults(t, alias, user, port);
		return -1;
	}
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
	}
	free(out);
	if (!t->host[0])
		str_copy(t->host, alias, sizeof(t->host));
	if (t->port <= 0 || t->port > 65535)
		t->port = 22;
	return 0;
}

void ssh_target_free(struct ssh_target *t)
{
	for (int i = 0; i < t->nidentity; i++)
		free(t->identity_files[i]);
	t->nidentity = 0;
}
