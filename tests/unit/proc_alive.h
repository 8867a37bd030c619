/* Whether a process still runs, for the unit tests that check what a
 * teardown left behind. */
#ifndef FLEETDECK_TESTS_PROC_ALIVE_H
#define FLEETDECK_TESTS_PROC_ALIVE_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

/* True if pid exists and is neither a zombie (dead, waiting to be reaped by
 * its parent or init) nor dead: the state after the last ')' of
 * /proc/PID/stat (the command name may hold ')' itself). */
static inline bool proc_alive(pid_t pid)
{
	char path[64], buf[512];
	FILE *fp;
	char *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (!(fp = fopen(path, "r")))
		return false;
	p = fgets(buf, sizeof(buf), fp) ? strrchr(buf, ')') : NULL;
	fclose(fp);
	return p && p[1] == ' ' && p[2] != 'Z' && p[2] != 'X';
}

#endif
