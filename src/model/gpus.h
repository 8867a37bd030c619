/* Model: GPUs per host (issue 5: GPUs, service checks and topology).
 *
 * One host_gpus per [host], published whole by collect/gpus.c. Every field
 * of a GPU carries a valid bit (nvidia-smi prints "[N/A]" or
 * "[Not Supported]" for what a board or a MIG mode cannot report), so views
 * print n/a instead of a made-up zero. */
#ifndef FLEETDECK_MODEL_GPUS_H
#define FLEETDECK_MODEL_GPUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>


#define MODEL_MAX_GPUS 16
#define MODEL_MAX_GPU_PROCS 8

enum gpu_valid {
	GV_NAME        = 1u << 0,
	GV_UTIL        = 1u << 1,
	GV_MEM_USED    = 1u << 2,
	GV_MEM_TOTAL   = 1u << 3,
	GV_TEMP        = 1u << 4,
	GV_POWER       = 1u << 5,
	GV_POWER_LIMIT = 1u << 6,
	GV_PROCS       = 1u << 7,   /* the process list was read */
};

struct gpu_proc {
	int pid;
	char name[48];
	char container[16];          /* short engine id from its cgroup, "" if none */
	char unit[48];               /* its systemd service ("model-boss.service"), "" if none */
	bool mem_valid;
	uint64_t mem;                /* bytes */
};

struct gpu_sample {
	int index;
	char name[64];
	char uuid[48];               /* maps compute apps to their GPU */
	unsigned valid;              /* enum gpu_valid bits */
	double util_pct, temp_c, power_w, power_limit_w;
	uint64_t mem_used, mem_total; /* bytes */
	int nprocs;                  /* processes listed (at most MODEL_MAX_GPU_PROCS) */
	int nprocs_total;            /* processes nvidia-smi reported */
	struct gpu_proc procs[MODEL_MAX_GPU_PROCS];
	char implausible[160];       /* values refused (collect/plausible.h), "" if none */
};

enum gpu_source { GPU_SRC_NONE, GPU_SRC_NVIDIA, GPU_SRC_HTTP_JSON };

struct host_gpus {
	bool collected;              /* configured for GPUs and polled at least once */
	bool absent;                 /* gpus = auto and no nvidia-smi: no GPUs here */
	enum gpu_source source;
	double sampled_at;           /* wall time of the newest good read, 0 = never */
	double attempted_at;         /* wall time the newest attempt ended */
	double interval;
	char error[256];             /* the newest attempt failed: why ("" if it did not) */
	int n;
	struct gpu_sample g[MODEL_MAX_GPUS];   /* keep last: only n are stored */
};

/* The bytes of h the model stores: the header and the n GPUs read. */
static inline size_t host_gpus_size(const struct host_gpus *h)
{
	int n = h->n < 0 ? 0 : h->n > MODEL_MAX_GPUS ? MODEL_MAX_GPUS : h->n;

	return offsetof(struct host_gpus, g) + (size_t)n * sizeof(h->g[0]);
}

#endif
