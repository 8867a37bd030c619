/* PostgreSQL servers of a [prometheus] section, read from the
 * postgres_exporter targets Prometheus scrapes (`postgres = {job="postgres"}`,
 * metric names and labels of prometheus-postgres-exporter 0.11.1).
 *
 * At start (before the model is sized, like the hosts: prom_discover.c),
 * each exporter target -- each value of host_label among up{P} -- becomes a
 * [database] section made by the program (fleet_section_add(), .prometheus
 * = the section's index + 1), named by that value, with `host` = the fleet
 * host whose name is the same without a ":port" (as cAdvisor and DCGM
 * series are matched: prom_host_key()). A [database] of that name written
 * in the fleet file wins. Those rows are then published by the classic
 * [prometheus] collector every round as struct db_sample, the same as the
 * libpq collector publishes, so the databases view, the rules and the
 * JSON are the same; a value the exporter does not serve stays invalid
 * (null). See doc/prometheus.md, "PostgreSQL (postgres_exporter)". */
#ifndef FLEETDECK_PROM_POSTGRES_H
#define FLEETDECK_PROM_POSTGRES_H

#include <stdio.h>
#include "collect/prom_client.h"
#include "collect/source.h"

struct fleet;
struct prom_pg;

/* Start-up: the [database] rows of every classic section with a postgres
 * key (server answers bounded by budget s, 0: the section's timeout).
 * Returns how many were added. */
size_t prom_pg_discover(struct fleet *f, FILE *msg, double budget);

/* The rows of the section behind conn, or NULL when it has none. */
struct prom_pg *prom_pg_new(struct prom_conn *conn, const struct fleet *f);
void prom_pg_free(struct prom_pg *g);
/* Starts this round's queries; done(arg) runs once per query started.
 * Returns how many were started. */
int prom_pg_start(struct prom_pg *g, struct http *h, void (*done)(void *), void *arg);
/* After the round: publishes every row (an answer that failed leaves it
 * unknown with the reason). */
void prom_pg_publish(struct prom_pg *g, const struct collect_env *env, double interval);

/* "15.18.0" (the exporter's short_version) as fleetdeck shows a version:
 * "15.18" from PostgreSQL 10 on, "9.6.24" before. Writes into buf. */
const char *prom_pg_version(const char *short_version, char *buf, size_t size);

#endif
