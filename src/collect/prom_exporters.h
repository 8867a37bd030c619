/* Containers and GPUs of a [prometheus] section's hosts, read from the
 * exporters Prometheus scrapes beside node_exporter: cAdvisor
 * (`cadvisor = {job="cadvisor"}`) and NVIDIA's DCGM exporter
 * (`dcgm = {job="dcgm"}`). Each value is one query aggregated by the host
 * label and the container (name) or GPU (gpu) label; the samples go into
 * per-host lists that are published as the hosts' struct host_containers
 * and struct host_gpus, the same as the SSH collectors publish, so the RAM
 * and GPU views, the rules and the JSON are the same. An exporter's series
 * belong to the host whose host_label value is the same without a ":port"
 * (node_exporter web-1:9100, cAdvisor web-1:8080). See doc/prometheus.md,
 * "Containers and GPUs". */
#ifndef FLEETDECK_PROM_EXPORTERS_H
#define FLEETDECK_PROM_EXPORTERS_H

#include <stdbool.h>
#include <stddef.h>
#include "collect/prom_client.h"
#include "collect/source.h"

struct prom_exp;

/* For the n hosts named names[] (their model indexes in index[]) of the
 * section behind conn; NULL when the section names neither exporter. */
struct prom_exp *prom_exp_new(struct prom_conn *conn, const char *const *names,
			      const size_t *index, size_t n);
void prom_exp_free(struct prom_exp *e);
/* Builds the queries for this rate window (between rounds only). */
void prom_exp_build(struct prom_exp *e, double rate_window);
/* Starts this round's queries; done(arg) runs once per query started.
 * Returns how many were started. */
int prom_exp_start(struct prom_exp *e, struct http *h, void (*done)(void *), void *arg);
/* After the round: publishes every host's containers and GPUs (an answer
 * that failed leaves them unknown with its reason). */
void prom_exp_publish(struct prom_exp *e, const struct collect_env *env, double interval);

/* The key an exporter's host label value is matched by: the value without
 * a trailing ":port". Writes into buf. */
const char *prom_host_key(const char *value, char *buf, size_t size);

#endif
