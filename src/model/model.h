/* The model: the only state shared between the collector thread and the UI.
 *
 * Collectors publish whole samples (plain structs, no pointers); a published
 * sample is immutable and shared by reference, so a reader's snapshot takes
 * only what changed, under the lock for a few pointer swaps, and never holds
 * the lock while drawing or doing I/O. Every value knows whether it is valid (a bit in `valid`) and
 * when it was sampled, so nothing unknown is ever drawn as a zero. The model
 * never includes curses and never judges: that is rules/. */
#ifndef FLEETDECK_MODEL_H
#define FLEETDECK_MODEL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdalign.h>
#include <stdatomic.h>

#include "model/containers.h"
#include "model/gpus.h"
#include "model/services.h"
#include "model/databases.h"
#include "model/actions.h"
#include "model/prometheus.h"

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
	bool hung;               /* df ran past its deadline (killed on the host) */
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
	double poll_running_since;  /* wall time of a poll still running when the
				     * next was due (that one skipped), 0 = none */
	uint64_t rounds;            /* good probes so far */
	double slow_login;          /* seconds the login shell of this session
				     * took to answer when over the timeout, 0 */

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
};

/* Every kind of target the model holds. A domain is described once, in
 * the domain table (domain/domains.c); the model only stores its samples. */
/* The largest sample type a domain may have (an unpublished target reads
 * as that many zero bytes; the domain table is checked against it). */
#define MODEL_SAMPLE_MAX 65536   /* struct host_containers: 48 KiB */

enum domain_id {
	DOM_HOST,
	DOM_CONTAINER,               /* per host: struct host_containers */
	DOM_DATABASE,                /* per [database]: struct db_sample */
	DOM_BACKUP,                  /* per [backup]: struct backup_sample */
	DOM_GPU,                     /* per host: struct host_gpus */
	DOM_SERVICE,                 /* per [service]: struct service_sample */
	DOM_LINK,                    /* per [link]: struct link_sample */
	DOM_RUNNERS,                 /* per [runners]: struct runners_sample */
	DOM_KEY,                     /* per [key]: struct key_sample */
	DOM_PROMFLEET,               /* per [prometheus]: struct prom_fleet (judged on the server) */
	DOM__COUNT
};

/* Trend series (history/history.h): domain d's k-th series is
 * HIST_ID(d, k). Each domain names its own here, fills them from its
 * sample in its row's .trends (domain/domain.h), and its views draw them
 * by these names; the history store names no domain. */
#define HIST_PER_DOMAIN 8
#define HIST_ID(d, k) ((d) * HIST_PER_DOMAIN + (k))
#define HIST_DOMAIN(m) ((enum domain_id)((m) / HIST_PER_DOMAIN))
#define HIST_METRICS HIST_ID(DOM__COUNT, 0)
enum hist_metric {
	HM_HOST_CPU = HIST_ID(DOM_HOST, 0),          /* CPU busy, percent */
	HM_HOST_MEM = HIST_ID(DOM_HOST, 1),          /* memory used, percent of total */
	HM_HOST_PSI = HIST_ID(DOM_HOST, 2),          /* memory PSI some avg10 */
	HM_CONTAINER_MEM = HIST_ID(DOM_CONTAINER, 0),/* (host, name): memory used, bytes */
	HM_DB_CONNECTIONS = HIST_ID(DOM_DATABASE, 0),/* connections */
	HM_DB_LAG = HIST_ID(DOM_DATABASE, 1),        /* replication lag, seconds */
	HM_BACKUP_AGE = HIST_ID(DOM_BACKUP, 0),      /* age of the newest good backup, seconds */
	HM_GPU_UTIL = HIST_ID(DOM_GPU, 0),           /* (host, index): utilization, percent */
	HM_GPU_MEM = HIST_ID(DOM_GPU, 1),            /* (host, index): memory used, percent */
	HM_RUNNERS_QUEUED = HIST_ID(DOM_RUNNERS, 0), /* jobs waiting */
};

/* A published sample: immutable once published, shared by reference
 * between the model and every snapshot that took it, freed with its last
 * reference. Only the bytes the sample uses are stored (a host with no
 * containers stores the list's header, not 48 empty slots). */
struct sample {
	_Atomic unsigned refs;
	uint32_t size;               /* bytes of data[] */
	uint64_t gen;                /* the model's generation when published */
	_Alignas(max_align_t) unsigned char data[];
};

/* One domain's targets: index i is the i-th target of the domain (the
 * i-th [host] for hosts and per-host domains, else the i-th section of the
 * domain's kind in the fleet file, fleet_nth()). NULL: nothing published. */
struct model_dom {
	struct sample **v;
	size_t n, cap;
	bool per_host;               /* grows with the hosts */
};

#define MODEL_JOURNAL 8192       /* changes remembered for readers */

struct model_change {
	uint32_t dom, index;
};

struct model {
	pthread_mutex_t lock;
	uint64_t generation;         /* bumped on every publish */
	uint64_t layout;             /* bumped when a domain's size changes */
	size_t nhosts;               /* == dom[DOM_HOST].n; index i matches fleet.hosts[i] */
	struct model_dom dom[DOM__COUNT];
	/* the newest publishes, a ring: readers copy only what changed */
	struct model_change journal[MODEL_JOURNAL];
	uint64_t jhead;              /* changes journaled so far */
	double started_at;           /* wall time */
	/* UI -> collector: the rows of each [prometheus] section the overview
	 * shows (not in snapshots; model_prom_want(), model/prom_values.c) */
	struct prom_want *prom_wants;
	size_t nprom_wants;
	uint64_t prom_want_gen;
	/* collector <-> actions: each host's newest SSH login, and an action's
	 * asks to log a host in again with a given key (model/logins.c; not in
	 * snapshots) */
	struct model_login *logins;
	size_t nlogins;
	uint64_t relogin_gen;
};

/* A reader's view: references to the samples of one moment. The UI and
 * outputs work only on snapshots; read them through the accessors below. */
struct snapshot {
	uint64_t generation;
	double started_at;
	size_t nhosts;
	struct snapshot_dom {
		struct sample **v;
		size_t n;
	} dom[DOM__COUNT];
	/* which model this snapshot follows, and how far */
	const struct model *src;
	uint64_t layout, jpos;
	uint64_t jprev;              /* jpos before the last model_snapshot() */
	/* what the last model_snapshot() took: the targets that changed */
	struct model_change *changed;
	size_t nchanged, capchanged;
	bool changed_all;            /* ... or everything (first snapshot, overflow) */
};

/* An empty model with nhosts hosts (tests). model_init_fleet() (domain/)
 * sizes every domain from a fleet. */
void model_init(struct model *m, size_t nhosts);
void model_init_fleet(struct model *m, const struct fleet *f);
/* Sizes domain d for n targets; per_host domains follow the host count. */
void model_resize(struct model *m, enum domain_id d, size_t n, bool per_host);
void model_free(struct model *m);

/* Bytes the model holds for domain d (its slots and the samples in them;
 * DOM__COUNT: every domain): what each target costs (make bench). */
size_t model_bytes(struct model *m, int d);

/* Collector side: publishes target i of domain d, the first `size` bytes
 * of sample (a sample with a list publishes only the used part, e.g.
 * host_containers_size()). Takes the lock for one pointer swap. */
void model_put(struct model *m, enum domain_id d, size_t i, const void *sample, size_t size);
/* Collector side: copies the current sample into out (size bytes, zero
 * beyond what was published); returns false when nothing was published. */
bool model_get(struct model *m, enum domain_id d, size_t i, void *out, size_t size);

static inline void model_publish_host(struct model *m, size_t i, const struct host_sample *s)
{
	model_put(m, DOM_HOST, i, s, sizeof(*s));
}

static inline void model_get_host(struct model *m, size_t i, struct host_sample *out)
{
	model_get(m, DOM_HOST, i, out, sizeof(*out));
}

/* UI side: asks for the rows of [prometheus] section i the overview
 * shows; returns true when that changed what was asked (then wake the
 * collector: collector_wake()). */
bool model_prom_want(struct model *m, size_t i, const struct prom_want *w);
/* Collector side: what is asked of section i now, and the generation of
 * the asks (it changes whenever any section's ask changed). */
uint64_t model_prom_wanted(struct model *m, size_t i, struct prom_want *out);

/* SSH logins (model/logins.c), for a key rotation that may drop the old
 * key only once the collector itself logged in with the new one.
 * Collector side: host i's session logged in at wall time `at` with `key`
 * (the identity file's path, or "ssh-agent"). */
void model_login_done(struct model *m, size_t i, double at, const char *key);
/* Reader side: host i's newest login's wall time (0: none yet) and key. */
double model_login_get(struct model *m, size_t i, char *key, size_t keylen);
/* Action side: asks the collector to log host i in again, with the
 * identity file `key` tried first (the collector looks at the asks on its
 * next loop iteration: within the host's interval). */
void model_relogin_ask(struct model *m, size_t i, const char *key);
/* Collector side: changes whenever something was asked; host i's ask,
 * taken (false: none). */
uint64_t model_relogin_gen(struct model *m);
bool model_relogin_take(struct model *m, size_t i, char *key, size_t keylen);
void model_logins_free(struct model *m);   /* (model_free) */

/* Reader side: brings *snap up to date with the model; returns true when
 * anything changed. Only the targets published since the last call are
 * taken (a reference each, no copy), under the lock for just those.
 * A zeroed snapshot is a valid starting point. */
bool model_snapshot(struct model *m, struct snapshot *snap);
void snapshot_free(struct snapshot *snap);

/* Reader side: target i of domain d, or an all-zero sample (nothing
 * collected yet) when it has none; never NULL. */
const void *snapshot_get(const struct snapshot *s, enum domain_id d, size_t i);
/* The generation target i was published at, 0 if never. */
uint64_t snapshot_gen(const struct snapshot *s, enum domain_id d, size_t i);
static inline size_t snapshot_count(const struct snapshot *s, enum domain_id d)
{
	return s ? s->dom[d].n : 0;
}
/* Builds a snapshot by hand (tests, replay): sets target i of domain d to a
 * copy of sample, growing the domain to i + 1 targets if needed. */
void snapshot_put(struct snapshot *s, enum domain_id d, size_t i, const void *sample,
		  size_t size);
/* snapshot_put() of n hosts from an array. */
void snapshot_put_hosts(struct snapshot *s, const struct host_sample *hosts, size_t n);
/* A writable copy of target i (tests): the snapshot's own sample, made
 * private first; valid until the next change of that target. */
void *snapshot_edit(struct snapshot *s, enum domain_id d, size_t i, size_t size);

/* Typed accessors: never NULL (an unpublished target reads as zeros, i.e.
 * not collected). */
static inline const struct host_sample *snap_host(const struct snapshot *s, size_t i)
{
	return (const struct host_sample *)snapshot_get(s, DOM_HOST, i);
}
static inline const struct host_containers *snap_containers(const struct snapshot *s, size_t host)
{
	return (const struct host_containers *)snapshot_get(s, DOM_CONTAINER, host);
}
static inline const struct host_gpus *snap_gpus(const struct snapshot *s, size_t host)
{
	return (const struct host_gpus *)snapshot_get(s, DOM_GPU, host);
}
static inline const struct service_sample *snap_service(const struct snapshot *s, size_t i)
{
	return (const struct service_sample *)snapshot_get(s, DOM_SERVICE, i);
}
static inline const struct link_sample *snap_link(const struct snapshot *s, size_t i)
{
	return (const struct link_sample *)snapshot_get(s, DOM_LINK, i);
}
static inline const struct db_sample *snap_database(const struct snapshot *s, size_t i)
{
	return (const struct db_sample *)snapshot_get(s, DOM_DATABASE, i);
}
static inline const struct backup_sample *snap_backup(const struct snapshot *s, size_t i)
{
	return (const struct backup_sample *)snapshot_get(s, DOM_BACKUP, i);
}
static inline const struct runners_sample *snap_runners(const struct snapshot *s, size_t i)
{
	return (const struct runners_sample *)snapshot_get(s, DOM_RUNNERS, i);
}
static inline const struct key_sample *snap_key(const struct snapshot *s, size_t i)
{
	return (const struct key_sample *)snapshot_get(s, DOM_KEY, i);
}
static inline const struct prom_fleet *snap_promfleet(const struct snapshot *s, size_t i)
{
	return (const struct prom_fleet *)snapshot_get(s, DOM_PROMFLEET, i);
}

/* The name of the container with short id `id` on host i, or NULL. */
const char *snapshot_container_name(const struct snapshot *s, size_t host, const char *id);

#endif
