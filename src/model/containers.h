/* Model: containers per host (issue 3: containers and RAM contention).
 *
 * One host_containers per fleet.hosts index, published whole by
 * collect/containers.c after every round. Plain structs, no pointers. */
#ifndef FLEETDECK_MODEL_CONTAINERS_H
#define FLEETDECK_MODEL_CONTAINERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MODEL_MAX_CONTAINERS 128   /* a host with 120 is shown whole (issue #13) */

struct container_sample {
	char id[16];                 /* first 12 hex digits of the engine's id */
	char name[64];
	char image[96];
	char state[16];              /* running, exited, created, paused, ... */
	unsigned valid;              /* CV_* bits */
	int restarts;
	uint64_t mem_used;
	uint64_t mem_limit;          /* 0 with CV_LIMIT set: no limit */
	double cpu_pct;              /* percent of one core (docker stats' convention) */
	char implausible[80];        /* values refused (collect/plausible.h), "" if none */
	/* why inspect gave nothing this round ("" if it answered): name and
	 * state are the list's, the rest unknown (ctrp_unread) */
	char unread[80];
};

enum container_valid {
	CV_MEM = 1u << 0, CV_LIMIT = 1u << 1, CV_CPU = 1u << 2, CV_RESTARTS = 1u << 3,
};

/* Why a host's container list is what it is. */
enum containers_err {
	CE_NONE = 0,                 /* list is good */
	CE_NO_ENGINE,                /* no socket / no CLI on the host */
	CE_PERMISSION,               /* socket not accessible: error says which group */
	CE_FAILED,                   /* engine answered garbage, timed out, ... */
};

struct host_containers {
	bool collected;              /* false: no engine asked yet / none configured */
	double sampled_at;           /* wall time of the newest good list, 0 = never */
	double interval;             /* seconds between rounds (for staleness) */
	char engine[16];             /* "docker", "podman", "" */
	char via[112];               /* socket path or "ssh: docker CLI" */
	enum containers_err err;
	char error[256];             /* why the list is unknown, "" if fine */
	int n;
	int total;                   /* containers the engine has (n may be capped) */
	struct container_sample c[MODEL_MAX_CONTAINERS];   /* keep last: only n are stored */
};

/* The bytes of h the model stores: the header and the n containers used. */
static inline size_t host_containers_size(const struct host_containers *h)
{
	int n = h->n < 0 ? 0 : h->n > MODEL_MAX_CONTAINERS ? MODEL_MAX_CONTAINERS : h->n;

	return offsetof(struct host_containers, c) + (size_t)n * sizeof(h->c[0]);
}

#endif
