/* Parsers for the GPU back ends (pure: text in, host_gpus out), shared by
 * collect/gpus.c, the unit tests and the fuzz target. */
#ifndef FLEETDECK_GPU_PARSE_H
#define FLEETDECK_GPU_PARSE_H

#include <stddef.h>
#include "model/gpus.h"

/* Seconds nvidia-smi may take before `timeout` kills it (a wedged driver
 * makes it hang; without the persistence daemon it takes a few seconds). */
#define GPU_SMI_TIMEOUT 5

/* The shell script the nvidia back end runs on a host: both queries under
 * `timeout`, framed by @@ lines that gpu_parse_nvidia_output() reads.
 * Prints "@@NOSMI" when nvidia-smi is not installed. Returns a static string. */
const char *gpu_nvidia_script(void);

/* Parses `nvidia-smi --query-gpu=index,uuid,name,utilization.gpu,memory.used,
 * memory.total,temperature.gpu,power.draw,power.limit --format=csv,noheader,
 * nounits` into hg->g (history untouched, everything else reset). Lines that
 * are not GPUs (driver error text) go to hg->error. Returns the GPUs read. */
int gpu_parse_query(const char *csv, struct host_gpus *hg);
/* Parses `--query-compute-apps=gpu_uuid,pid,process_name,used_memory` and
 * attaches each process to its GPU by UUID. */
void gpu_parse_apps(const char *csv, struct host_gpus *hg);
/* "PID cgroup-line" lines: tags each process with its container's short id. */
void gpu_parse_cgroups(const char *text, struct host_gpus *hg);
/* Parses the whole output of gpu_nvidia_script(). Returns 0 when GPUs (or
 * their absence) could be read, -1 with hg->error set otherwise. */
int gpu_parse_nvidia_output(const char *out, struct host_gpus *hg);

/* Parses a JSON metrics document with a gpu_fields map (FIELD=/json/pointer
 * pairs; list= names the array of GPUs, the other pointers are relative to
 * one GPU; memory in bytes, power in watts, temperature in °C). Returns 0, or
 * -1 with hg->error set. */
int gpu_parse_json(const char *text, size_t len, const char *fields, struct host_gpus *hg);

#endif
