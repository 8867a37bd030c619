/* Each domain's part of the outputs, one file per domain (src/out/out_<domain>.c),
 * named in its row of the domain table (domain/domains.c); json.c and text.c
 * call them in table order. Each json_* returns a new JSON array (never
 * NULL); each text_* appends its section to the --once table (nothing when
 * the fleet has none). */
#ifndef FLEETDECK_OUT_DOMAINS_H
#define FLEETDECK_OUT_DOMAINS_H

#include <jansson.h>
#include <stdio.h>
#include "fleet/fleet.h"
#include "model/model.h"
#include "rules/rules.h"

#define OUT_ARGS const struct fleet *f, const struct snapshot *s, const struct evaluation *ev, double now

/* containers: src/out/out_containers.c */
json_t *json_containers(OUT_ARGS, size_t host);  /* per host: the "containers" array of hosts[host] */
void text_containers(FILE *fp, OUT_ARGS);

/* databases: src/out/out_databases.c */
json_t *json_databases(OUT_ARGS);  /* the top-level "databases" array */
json_t *json_backups(OUT_ARGS);  /* the top-level "backups" array */
void text_databases(FILE *fp, OUT_ARGS);
void text_backups(FILE *fp, OUT_ARGS);

/* services: src/out/out_services.c */
json_t *json_gpus(OUT_ARGS, size_t host);  /* per host: the "gpus" array of hosts[host] */
json_t *json_services(OUT_ARGS);  /* the top-level "services" array */
json_t *json_links(OUT_ARGS);  /* the top-level "links" array */
void text_gpus(FILE *fp, OUT_ARGS);
void text_services(FILE *fp, OUT_ARGS);
void text_links(FILE *fp, OUT_ARGS);

/* actions: src/out/out_actions.c */
json_t *json_runners(OUT_ARGS);  /* the top-level "runners" array */
json_t *json_keys(OUT_ARGS);  /* the top-level "keys" array */
void text_runners(FILE *fp, OUT_ARGS);
void text_keys(FILE *fp, OUT_ARGS);

/* prometheus: src/out/out_prometheus.c */
json_t *json_prometheus(OUT_ARGS);  /* the top-level "prometheus" array (large sections) */
/* --once: their every host, each given to put() as it is made (a new
 * reference: out/json.c writes it out, or appends it to the document) */
void json_prometheus_hosts(OUT_ARGS, void (*put)(void *arg, json_t *host), void *arg);
void text_prometheus(FILE *fp, OUT_ARGS);

/* What a recording keeps of each domain's sample (model/fields.h), in the
 * same files: hosts in json.c, links are recorded as services. */
struct rec_desc;
extern const struct rec_desc rec_hosts, rec_containers, rec_databases, rec_backups, rec_gpus,
	rec_services, rec_runners, rec_keys;

/* What the CSV/OpenMetrics exports show of each domain (out/flat.h), in
 * the same files: the host's and its disks' in flat.c. */
struct flat_kind;
extern const struct flat_kind flat_host, flat_disk, flat_containers, flat_databases, flat_backups,
	flat_gpus, flat_services, flat_links, flat_runners, flat_keys;

/* What the history keeps of each domain's sample (its trend series,
 * history/history.h), in the same files: the host's in json.c. */
struct hist_store;
void trends_hosts(struct hist_store *h, size_t i, const void *sample);
void trends_containers(struct hist_store *h, size_t i, const void *sample);
void trends_databases(struct hist_store *h, size_t i, const void *sample);
void trends_backups(struct hist_store *h, size_t i, const void *sample);
void trends_gpus(struct hist_store *h, size_t i, const void *sample);
void trends_runners(struct hist_store *h, size_t i, const void *sample);

/* One "hosts" element (json.c); host is its index in the model for the
 * per-host domains' arrays, SIZE_MAX for a host outside the model (its
 * arrays are empty). */
json_t *out_json_host(OUT_ARGS, const struct fleet_host *h, const char *name,
		      const struct host_sample *hs, const struct host_eval *he, size_t host);

#endif
