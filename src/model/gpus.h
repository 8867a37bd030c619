/* Model: GPUs per host (issue: GPUs, service checks and topology). */
#ifndef FLEETDECK_MODEL_GPUS_H
#define FLEETDECK_MODEL_GPUS_H

#include <stdbool.h>
#include <stdint.h>

#define MODEL_MAX_GPUS 16

struct gpu_sample {
	int index;
	char name[64];
	unsigned valid;              /* per-field bits, defined by the collector */
	double util_pct, temp_c, power_w, power_limit_w;
	uint64_t mem_used, mem_total;
};

struct host_gpus {
	bool collected;
	double sampled_at;
	char error[256];
	int n;
	struct gpu_sample g[MODEL_MAX_GPUS];
};

#endif
