/* Every process of a session, found in /proc (Linux). */
#include "config.h"
#include "util/session.h"
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SESSION_PASSES 4

/* The session of a live (not zombie) process, or -1. The fields after the
 * command name, which may itself hold spaces and parentheses, follow the
 * last ')'. */
static pid_t session_of(const char *pid)
{
	char path[64], buf[512], *p, state;
	int ppid, pgrp, sid;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%s/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %c %d %d %d", &state, &ppid, &pgrp, &sid) != 4)
		return -1;
	return state == 'Z' || state == 'X' ? -1 : (pid_t)sid;
}

static int kill_pass(pid_t sid)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int killed = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		char *end;
		long pid = strtol(e->d_name, &end, 10);
		if (*end || pid <= 0 || session_of(e->d_name) != sid)
			continue;
		if (kill((pid_t)pid, SIGKILL) == 0)
			killed++;
	}
	closedir(d);
	return killed;
}

int session_kill(pid_t sid)
{
	int total = 0, n;

	if (sid <= 1)
		return 0;
	for (int pass = 0; pass < SESSION_PASSES && (n = kill_pass(sid)) > 0; pass++)
		total += n;
	return total;
}
