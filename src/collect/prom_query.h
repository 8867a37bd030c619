/* The PromQL fleetdeck sends: one query per host value (each aggregated by
 * the host label on the server, so an answer holds one series per host),
 * and the host status with the rules' thresholds written as PromQL (the
 * large-fleet mode judges on the server). Pure functions: no I/O; every
 * configured value that goes into a query is quoted (prom_parse.h).
 * See doc/prometheus.md, "The queries". */
#ifndef FLEETDECK_PROM_QUERY_H
#define FLEETDECK_PROM_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include "fleet/fleet.h"
#include "model/prometheus.h"   /* enum prom_value: the values, one query each */

/* A second label the value's answer is split by ("mountpoint", "release"),
 * or NULL; and the metric it reads (for messages). */
const char *prom_value_by(enum prom_value v);
const char *prom_value_metric(enum prom_value v);
/* Series a value's answer holds per host: the mounts for the disks, else 1. */
int prom_value_per_host(enum prom_value v, int nmounts);

/* Bytes of PromQL one query may hold: VictoriaMetrics refuses a longer one
 * (its -search.maxQueryLen, 16384 by default) with an error, not an
 * answer. A query that names hosts (every selector carries L=~"a|b|...")
 * is kept under it: fewer names per query. */
#define PROM_QUERY_MAX 15360

/* What every query of a section shares. */
struct prom_qctx {
	const char *label;            /* host_label, already checked with prom_label_name_ok() */
	const char *match;            /* the section's match ({...}) or NULL */
	char *const *mounts;          /* watched mount points */
	int nmounts;
	const char *const *names;     /* NULL, or only these hosts (host_label values) */
	size_t nnames;
	double rate_window;           /* seconds for rate(); <= 0: 60 */
	double oom_hold;              /* seconds an OOM kill counts (PV_OOM_RECENT); <= 0: 600 */
};

/* The PromQL of one value, or NULL with err set (match is not a {...}). */
char *prom_value_query(enum prom_value v, const struct prom_qctx *c, char *err, size_t errlen);

/* The rows' status as PromQL: one series per host, its value an enum
 * prom_reason (model/prometheus.h), the rules' thresholds (th) written as
 * PromQL; hosts without a current `up` are absent. */
char *prom_status_query(const struct prom_qctx *c, const struct fleet_thresholds *th,
			char *err, size_t errlen);

/* The fleet's summary as small answers (the large-fleet mode's round):
 * the count of hosts up, and one list per kind of problem holding only the
 * hosts that have it, the thresholds as PromQL filters. The client takes
 * the worst reason per host (a host down is down, whatever its last values
 * said) and counts; the hosts ok are the count up less the problem hosts
 * not down. No answer holds every host. Each query is filtered before any
 * arithmetic: the server's cost is its reads and operations over every
 * host's series, not the answers. One query per check, started at once
 * (the costliest first): a server evaluates a query's operands one after
 * another, so separate queries are what spreads step 1 over its cores,
 * and a check that failed is asked again alone. */
enum prom_check {   /* the queries of a round, in the order they start */
	PC_DISK,        /* a watched disk over warn (three metrics) */
	PC_OOM,         /* an OOM kill within oom_hold */
	PC_MOUNTS,      /* up without every watched mount */
	PC_DOWN,        /* up == 0 */
	PC_PSI,         /* PSI over warn */
	PC_UP,          /* count(up == 1): one series */
	PC__N
};
enum prom_problem { /* the kinds of problem */
	PP_DOWN,        /* up == 0 -> PR_DOWN */
	PP_PSI,         /* PSI over warn, value = PSI % -> PR_PSI_WARN/CRIT */
	PP_DISK,        /* worst watched disk over warn, value = used % -> PR_DISK_WARN/CRIT */
	PP_OOM,         /* an OOM kill within oom_hold, value = the counter -> PR_OOM */
	PP_MOUNTS,      /* up without every watched mount -> PR_DISK_UNREADABLE */
	PP__N
};
char *prom_check_query(enum prom_check k, const struct prom_qctx *c,
		       const struct fleet_thresholds *th, char *err, size_t errlen);
/* A cheaper first question for check k over the whole section: a superset
 * of the hosts it lists, which the check's own query (restricted to them
 * by c->names) then judges exactly. NULL with err empty when k has none
 * (or c->names is set), NULL with err set when match is not a {...}. */
char *prom_check_prefilter(enum prom_check k, const struct prom_qctx *c,
			   const struct fleet_thresholds *th, char *err, size_t errlen);
/* The kind of problem check k lists, PP__N for PC_UP (a count). */
enum prom_problem prom_check_problem(enum prom_check k);
/* The reason for a host with problem p and value v. */
enum prom_reason prom_check_reason(enum prom_problem p, double v, const struct fleet_thresholds *th);

/* A regex that matches exactly these names (each escaped), "a|b|c";
 * malloc'd. */
char *prom_names_regex(const char *const *names, size_t n);

#endif
