/* Parsers for what container engines answer: the Docker Engine API (which
 * Podman serves too), the engines' CLI `inspect` JSON, and the cgroup files
 * our remote script prints. Pure functions over text, so unit tests and the
 * fuzz target drive them with recordings; nothing here does I/O. */
#ifndef FLEETDECK_CONTAINER_PARSE_H
#define FLEETDECK_CONTAINER_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "model/containers.h"

#define CTR_ID_MAX 65            /* 64 hex digits + NUL */

/* GET /containers/json?all=1: the ids (validated hex) of up to max
 * containers; *total gets how many the engine listed. Returns the number
 * of ids, or -1 with err when the answer is not that list. */
int ctrp_list(const char *json, size_t len, char (*ids)[CTR_ID_MAX], int max, int *total,
	      char *err, size_t errlen);

/* What the list says of one container. name and state are the engine's
 * text as it is or nothing: one that is not a string, is longer than the
 * field or would not pass text_clean() unchanged (control characters, bidi
 * marks, invalid UTF-8, a NUL inside) is refused, "" (util/text.h). */
struct ctr_listed {
	char id[CTR_ID_MAX];
	/* what the list says of it that inspect would also say (state, names,
	 * image): a container whose id and signature did not change since the
	 * last list need not be inspected again */
	uint64_t sig;
	char name[64];               /* Names[0] without its leading '/' */
	char state[16];              /* State: running, exited, created, ... */
};

/* The same list, each container's id, signature, name and state in out.
 * Returns the number kept (at most max), or -1 with err. */
int ctrp_list_info(const char *json, size_t len, struct ctr_listed *out, int max, int *total,
		   char *err, size_t errlen);

/* The row of a container whose inspect gave nothing (why: the reason, e.g.
 * "inspect timed out after 5 s"): the list's name (its short id when the
 * list gave none) and state, what only inspect says (image, limit,
 * restarts) unknown, and why in c->unread, so the row is unknown, never ok. */
void ctrp_unread(struct container_sample *c, const struct ctr_listed *l, const char *why);

/* One inspect object (GET /containers/{id}/json) or an array of them (the
 * CLI's `docker inspect` / `podman inspect`). Appends up to max - *n
 * samples to out (name, image, state, restarts, limit; mem/cpu left
 * invalid) and their main pids (0 when not running) to pids. Every number
 * is range-checked (collect/plausible.h): one that is implausible, even an
 * integer too large for any type, leaves that field invalid and is named
 * in the sample's implausible note; the other containers are kept.
 * Returns 0, or -1 with err when the text is not inspect JSON. An answer
 * that yields no container (e.g. "[]", the CLI's for a host without any)
 * returns 0 but still sets err ("the engine's answer held no container"). */
int ctrp_inspect(const char *json, size_t len, struct container_sample *out, long *pids,
		 int max, int *n, char *err, size_t errlen);

/* What one memory/CPU reading gave, from the API's stats or from cgroups. */
struct ctr_usage {
	bool mem_ok;
	uint64_t mem_used;           /* usage minus inactive file cache, as docker stats */
	bool limit_ok;
	uint64_t limit;              /* 0: none (cgroup "max" / v1's huge number) */
	bool cpu_ok;
	uint64_t cpu_ns;             /* cumulative CPU time */
	char implausible[80];        /* values refused, "" if none */
};

/* GET /containers/{id}/stats?stream=false&one-shot=true. The limit is not
 * taken from here (the API reports the host's RAM when there is none).
 * Returns 0, or -1 with err. */
int ctrp_stats(const char *json, size_t len, struct ctr_usage *u, char *err, size_t errlen);

/* The remote cgroup script's output: "@@pid N" starts a container's block,
 * "@@file NAME" starts one of its cgroup files (v2: memory.current,
 * memory.max, memory.stat, cpu.stat; v1: memory.usage_in_bytes,
 * memory.limit_in_bytes, memory.stat, cpuacct.usage). Fills u for pid and
 * returns 0, or -1 if that pid has no block or no usable file. */
int ctrp_cgroup(const char *text, size_t len, long pid, struct ctr_usage *u);

/* The limit a cgroup reading gave (u->limit_ok: memory.max or
 * memory.limit_in_bytes, what the kernel enforces now) replaces inspect's,
 * which is read again only when the container changed: so `docker update
 * --memory` on a running container shows at the next round. */
void ctrp_apply_limit(struct container_sample *c, const struct ctr_usage *u);

/* Percent of one core between two cumulative readings dt seconds apart;
 * negative when it cannot be computed (counter reset, dt <= 0). */
double ctrp_cpu_pct(uint64_t prev_ns, uint64_t cur_ns, double dt);

#endif
