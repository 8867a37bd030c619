/* [prometheus] sections as a data source for hosts (SPEC §6): discovery at
 * start, and the collector (source_prometheus in collector.c's sources[]).
 * See doc/prometheus.md. */
#ifndef FLEETDECK_PROMETHEUS_H
#define FLEETDECK_PROMETHEUS_H

#include <stdbool.h>
#include <stdio.h>
#include "fleet/fleet.h"
#include "collect/prom_client.h"

/* For every [prometheus] section of f, asks first whether it has more than
 * server_rules_above hosts (at most that + 1 host_label values of node_uname_info{match}
 * from URL/api/v1/label/L/values: the server's index, cheap), and only when
 * not, URL/api/v1/query once for the distinct values of host_label
 * (prom_discovery_query()); nothing with server_rules_above = 0. Each is
 * bounded by the section's timeout, and both together by budget seconds
 * when budget > 0 (the dashboard's first frame does not wait longer). When
 * the names are at most server_rules_above, appends one host for each to
 * f->hosts, unless a [host] (or an earlier section) already has that name.
 * Otherwise the section gets no host and is judged on the server
 * (prom_fleet.c).
 * Problems are written to msg, never fatal. Call once, after the fleet is
 * loaded and before the model is sized. Returns the number of hosts added. */
size_t prom_discover(struct fleet *f, FILE *msg, double budget);
#define PROM_START_BUDGET 1.0
/* The dashboard's start budget: PROM_START_BUDGET, or the seconds in
 * $FLEETDECK_PROM_START_BUDGET (benchmarks that must measure a classic
 * section on a loaded machine, where its discovery may take longer). */
double prom_start_budget(void);
/* Discovery answers more than this many hosts only to a narrower match
 * (prom_fleet.c's step 1 lists are bounded so before the first discovery). */
#define PROM_DISCOVER_MAX 1000000

/* The section's base URL without trailing slashes (malloc'd), and its
 * "Authorization: Bearer ..." (bearer_token_file) or "Authorization: Basic
 * ..." (basic_auth_user + basic_auth_password_file) header, or NULL
 * (malloc'd; wipe it before freeing; NULL with err set when a secret file
 * cannot be read). The header goes only to the section's url: no redirect
 * is ever followed. */
char *prom_base_url(const struct fleet_section *s);
char *prom_auth_header(const struct fleet_section *s, char *err, size_t errlen);
/* ca_file expanded (malloc'd), or NULL: the system's CA store. */
char *prom_ca_file(const struct fleet_section *s);
/* The PromQL whose answer names the section's hosts (one series per
 * host_label value), or NULL with err set. */
char *prom_discovery_query(const struct fleet_section *s, char *err, size_t errlen);

/* The names a section's server knows, read as they arrive (discovery at
 * start, and again by the large-fleet collector): distinct, sorted,
 * printable host_label values. */
struct prom_names {
	struct prom_call call;
	char **v;
	size_t n, cap;
	size_t skipped;              /* values with control characters */
};
struct prom_conn;
void prom_names_init(struct prom_names *nm, struct prom_conn *conn);
/* The query's arguments for prom_call_start/run(..., "query", args). */
int prom_names_args(struct prom_names *nm, char **args, char *err, size_t errlen);
/* After the call: sorts and dedups; -1 with err when the call failed. */
int prom_names_finish(struct prom_names *nm, char *err, size_t errlen);
void prom_names_free(struct prom_names *nm);

#endif
