/* Model: containers per host (issue: containers and RAM contention). */
#ifndef FLEETDECK_MODEL_CONTAINERS_H
#define FLEETDECK_MODEL_CONTAINERS_H

#include <stdbool.h>
#include <stdint.h>

#define MODEL_MAX_CONTAINERS 48

struct container_sample {
	char name[64];
	char image[96];
	char state[16];              /* running, exited, created, ... */
	unsigned valid;              /* CV_* bits */
	int restarts;
	uint64_t mem_used;
	uint64_t mem_limit;          /* 0 with CV_LIMIT set: no limit */
	double cpu_pct;
};

enum container_valid {
	CV_MEM = 1u << 0, CV_LIMIT = 1u << 1, CV_CPU = 1u << 2, CV_RESTARTS = 1u << 3,
};

struct host_containers {
	bool collected;              /* false: no engine asked yet / none configured */
	double sampled_at;
	char engine[16];             /* "docker", "podman", "" */
	char error[256];             /* why the list is unknown, "" if fine */
	int n;
	struct container_sample c[MODEL_MAX_CONTAINERS];
};

#endif
