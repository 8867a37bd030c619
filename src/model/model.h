/* The model: the only state shared between the collector thread and the UI.
 *
 * Collectors publish whole samples (plain structs, no pointers) under one
 * mutex; readers take a snapshot copy and never hold the lock while drawing
 * or doing I/O. Every value knows whether it is valid (a bit in `valid`) and
 * when it was sampled, so nothing unknown is ever drawn as a zero. The model
 * never includes curses and never judges: that is rules/. */
#ifndef FLEETDECK_MODEL_H
#define FLEETDECK_MODEL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/containers.h"
#include "model/gpus.h"
#include "model/services.h"
#include "model/databases.h"
#include "model/actions.h"

struct fleet;

enum status { ST_OK = 0, ST_UNKNOWN = 1, ST_WARN = 2, ST_CRIT = 3 };

/* Worst of two statuses: crit > warn > unknown > ok. */
static inline enum status status_worst(enum status a, enum status b)
{
	return a > b ? a : b;
}
const char *status_name(enum status s);   /* "ok" "warn" "crit" "unknown" */

/* Why a host has no fresh sample. */
enum host_conn {
	HC_NEVER = 0,     /* not polled yet */
	HC_OK,            /* last probe answered and parsed */
	HC_UNREACHABLE,   /* connect/handshake/timeout/closed */
	HC_HOSTKEY,       /* host key unknown, changed or revoked: never connects */
	HC_AUTH,          /* authentication refused */
	HC_PROBE,         /* connected, but the probe's output was unusable */
};
const char *host_conn_name(enum host_conn c);

enum host_valid {
	HV_LATENCY = 1u << 0,
	HV_LOAD    = 1u << 1,
	HV_CPU     = 1u << 2,   /* needs two samples */
	HV_CORES   = 1u << 3,
	HV_MEM     = 1u << 4,
	HV_SWAP    = 1u << 5,
	HV_PSI     = 1u << 6,   /* some and full avg10 */
	HV_OOM     = 1u << 7,
	HV_UPTIME  = 1u << 8,
	HV_KERNEL  = 1u << 9,
	HV_DISKS   = 1u << 10,
};

#define MODEL_MAX_DISKS 8
#define MODEL_HIST 120           /* samples of history per series */
#define MODEL_ERR_LEN 256

struct disk_sample {
	char mount[64];
	bool valid;              /* false: the mount point could not be read */
	uint64_t size, used;     /* bytes */
	double used_pct;
};

/* A ring of the last MODEL_HIST values of one series. */
struct history {
	float v[MODEL_HIST];
	int len, pos;            /* pos: index of the next write */
};
void history_push(struct history *h, float v);
/* The i-th most recent value (0 = newest); i < len. */
float history_get(const struct history *h, int i);

struct host_sample {
	enum host_conn conn;
	char error[MODEL_ERR_LEN];  /* what went wrong, in words a user can act on */
	char fingerprint[96];       /* "SHA256:..." of the server key, when known */

	double sampled_at;          /* wall time of the newest good probe, 0 = never */
	double attempted_at;        /* wall time the newest attempt ended */
	double interval;            /* seconds between polls of this host */
	uint64_t rounds;            /* good probes so far */

	unsigned valid;             /* enum host_valid bits */
	double latency_ms;          /* round trip of the last probe request */
	double load[3];
	double cpu_pct;
	int cores;
	uint64_t mem_total, mem_available;
	uint64_t swap_total, swap_used;
	double psi_some10, psi_full10;
	uint64_t oom_kills;
	double uptime_s, boot_time;
	char kernel[64];
	char implausible[MODEL_ERR_LEN]; /* values refused (collect/plausible.h), "" if none */
	int ndisks;
	struct disk_sample disks[MODEL_MAX_DISKS];

	/* raw /proc/stat counters for the next CPU delta */
	uint64_t cpu_busy, cpu_total;

	struct history hist_cpu, hist_mem_pct, hist_psi;
};

/* Everything but the hosts: index i of each array is the i-th section of
 * that kind in the fleet file (fleet_nth()); containers and gpus are per
 * host. The same layout serves the model and its snapshots. */
#define MODEL_DOMAINS(X) \
	X(struct host_containers, containers) \
	X(struct host_gpus, gpus) \
	X(struct service_sample, services) \
	X(struct link_sample, links) \
	X(struct db_sample, databases) \
	X(struct backup_sample, backups) \
	X(struct runners_sample, runners) \
	X(struct key_sample, keys)

#define MODEL_DOMAIN_FIELD(type, name) type *name; size_t n##name;

struct model {
	pthread_mutex_t lock;
	uint64_t generation;        /* bumped on every publish */
	size_t nhosts;              /* index i matches fleet.hosts[i] */
	struct host_sample *hosts;
	MODEL_DOMAINS(MODEL_DOMAIN_FIELD)
	double started_at;          /* wall time */
};

/* A reader's private copy; the UI and outputs work only on snapshots. */
struct snapshot {
	uint64_t generation;
	double started_at;
	size_t nhosts;
	struct host_sample *hosts;
	MODEL_DOMAINS(MODEL_DOMAIN_FIELD)
};

/* Sizes hosts only (tests); model_init_fleet() sizes every domain. */
/* After a new good sample: pushes its valid CPU, memory-used and PSI values
 * onto the host's history rings (sparklines), whatever collected them. */
void host_sample_push_history(struct host_sample *s);

void model_init(struct model *m, size_t nhosts);
void model_init_fleet(struct model *m, const struct fleet *f);
/* Collector side: replaces one element of a domain array whole, e.g.
 * model_publish(m, &m->databases[i], &sample, sizeof(sample)). */
void model_publish(struct model *m, void *dst, const void *src, size_t size);
void model_free(struct model *m);

/* Collector side: replace host i's sample (the collector keeps its own
 * working copy, history included, and publishes it whole). */
void model_publish_host(struct model *m, size_t i, const struct host_sample *s);
/* Collector side: read host i's current sample (to compute deltas). */
void model_get_host(struct model *m, size_t i, struct host_sample *out);

/* Reader side: refresh *snap if the model changed; returns true if it did.
 * A zeroed snapshot is a valid starting point. */
bool model_snapshot(struct model *m, struct snapshot *snap);
void snapshot_free(struct snapshot *snap);

/* The name of the container with short id `id` on host i, or NULL. */
const char *snapshot_container_name(const struct snapshot *s, size_t host, const char *id);

#endif
