/* Model: a [prometheus] section judged on the server (the large-fleet mode,
 * doc/prometheus.md): its hosts are not model hosts. What is kept is what
 * the screen shows: the count of hosts per status (from the server), the
 * hosts with a problem (worst first) and the rows the overview has on
 * screen — a fixed size whatever the fleet's size. One prom_fleet per
 * [prometheus] section (fleet_nth order), published whole by
 * collect/prom_fleet.c. Plain structs; the pointers (all, all_names) are set
 * only by --once and live until the collector is freed. */
#ifndef FLEETDECK_MODEL_PROMETHEUS_H
#define FLEETDECK_MODEL_PROMETHEUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROM_ROWS 160              /* rows kept: problems, then the visible window */
#define PROM_PROBLEMS 100          /* of which problem hosts at most */
#define PROM_FILTER_MAX 64
#define PROM_NAME_MAX 80
#define PROM_ROW_DISKS 4

enum prom_fleet_state {
	PF_OFF = 0,                /* the section's hosts are model hosts (classic) */
	PF_DISCOVERING,            /* no answer yet (retried with backoff) */
	PF_READY,                  /* counts and rows are from the server */
};

/* One host as the overview shows it. */
struct prom_row {
	char name[PROM_NAME_MAX];
	uint8_t status;            /* enum status, as the server judged it */
	uint16_t reason;           /* enum prom_reason (collect/prom_query.h) */
	uint8_t conn;              /* enum host_conn: HC_OK, HC_UNREACHABLE (up == 0), HC_PROBE */
	unsigned valid;            /* HV_LOAD, HV_CPU, HV_MEM, HV_PSI, HV_DISKS */
	float load1, cpu_pct, psi_some;
	uint8_t ndisks;            /* watched mounts (at most PROM_ROW_DISKS) */
	float disk_pct[PROM_ROW_DISKS];   /* per watched mount, < 0 unreadable */
	uint64_t mem_total, mem_available;
	double sampled_at;
};

/* The host values read from a Prometheus, one query each
 * (collect/prom_query.c builds them). */
enum prom_value {
	PV_UP, PV_LOAD1, PV_LOAD5, PV_LOAD15, PV_CPU, PV_CORES, PV_MEMTOTAL, PV_MEMAVAIL,
	PV_SWAPTOTAL, PV_SWAPFREE, PV_PSI_SOME, PV_PSI_FULL, PV_BOOT, PV_OOM,
	PV_OOM_RECENT,             /* OOM kills within the fleet's oom_hold */
	PV_FS_SIZE, PV_FS_FREE, PV_FS_AVAIL, PV_UNAME,
	PV__N
};

/* Reasons the server gives for a host's status, as the value of
 * prom_status_query() (collect/prom_query.c): severity * 100 + reason, so floor(v / 100) is the
 * status (enum status numbering) and the first (worst) reason wins. */
enum prom_reason {
	PR_OK = 0,
	PR_DISK_UNREADABLE = 101,     /* unknown: a watched mount has no series */
	PR_PSI_WARN = 202,
	PR_DISK_WARN = 203,
	PR_DOWN = 301,                /* up == 0 */
	PR_PSI_CRIT = 302,
	PR_DISK_CRIT = 303,
	PR_OOM = 304,                 /* an OOM kill within oom_hold */
};

#define PROM_MOUNTS 8              /* = FLEET_MAX_DISKS */
enum { PROM_FS_SIZE, PROM_FS_FREE, PROM_FS_AVAIL };

/* What one host got from one round's answers: a fixed size, whatever the
 * server holds for it. */
struct prom_values {
	uint32_t have;                       /* 1u << enum prom_value */
	uint8_t fs_have[PROM_MOUNTS];        /* 1u << PROM_FS_* */
	double v[PV__N];
	double fs[PROM_MOUNTS][3];
	char release[64];
};

struct prom_fleet {
	enum prom_fleet_state state;
	char error[256];           /* why the last discovery or round failed, "" if fine */
	double sampled_at;         /* wall time of the newest good round, 0 = never */
	double attempted_at;
	double interval;
	size_t nhosts;             /* hosts the server knows (the last discovery) */
	size_t counts[4];          /* hosts per status (enum status), from the server */
	size_t nproblems_total;    /* hosts with a problem (warn, crit, unknown) */
	int nproblems;             /* rows[0 .. nproblems): problem hosts, worst first */
	/* rows[nproblems .. nproblems + nwindow): the other hosts matching
	 * win_filter, in name order, from the win_offset-th */
	int nwindow;
	size_t win_offset;
	size_t nmatch;             /* other hosts matching win_filter */
	char win_filter[PROM_FILTER_MAX];
	/* --once: every host (all_names[i]) with every value (all[i]), judged
	 * by the client's rules; NULL otherwise */
	const char *const *all_names;
	const struct prom_values *all;
	size_t nall;
	struct prom_row rows[PROM_ROWS];   /* last: only the rows in use are stored */
};

/* The bytes of f in use: up to its last row. */
static inline size_t prom_fleet_size(const struct prom_fleet *f)
{
	int n = f->nproblems + f->nwindow;

	if (n < 0)
		n = 0;
	if (n > PROM_ROWS)
		n = PROM_ROWS;
	return offsetof(struct prom_fleet, rows) + (size_t)n * sizeof(f->rows[0]);
}

/* What the overview shows of a section: the UI asks, the collector
 * fetches (model_prom_want / model_prom_wanted). */
struct prom_want {
	size_t offset;             /* first row of the window (after the problems) */
	int count;                 /* rows on screen */
	char filter[PROM_FILTER_MAX];
};

struct host_sample;

/* The values as a host sample (what the rules, views and JSON read for an
 * SSH host): every field valid only when its series came, with a finite,
 * non-negative value; disks for the section's watched mounts; uptime from
 * eval_time (the server's evaluation time). Sets conn HC_OK and
 * sampled_at; the caller judges `up` (PV_UP) itself. */
void prom_values_sample(const struct prom_values *pv, char *const *mounts, int nmounts,
			double eval_time, struct host_sample *s);
/* The same after judging `up`: up == 0 makes the host unreachable, no
 * series at all makes it unknown (HC_PROBE), each with its sentence naming
 * the Prometheus section `source`; then false and only conn/error are set. */
bool prom_values_host(const struct prom_values *pv, char *const *mounts, int nmounts,
		      double eval_time, const char *source, struct host_sample *s);

#endif
