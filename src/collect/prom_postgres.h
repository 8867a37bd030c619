/* PostgreSQL servers of a [prometheus] section, read from the
 * postgres_exporter targets Prometheus scrapes (`postgres = {job="postgres"}`,
 * metric names and labels of prometheus-postgres-exporter 0.11.1).
 *
 * Found at run time, by the databases' collector (collect/databases.c),
 * for every [prometheus] section with a postgres key (its hosts polled one
 * by one or judged on the server): each exporter target -- each value of
 * host_label among up{P}, `count by (host_label) (up{P})` -- is a database
 * row named by that value, on the fleet host whose name is the same
 * without a ":port" (as cAdvisor and DCGM series are matched:
 * prom_host_key()). The targets are asked again every round while none is
 * known (a server that does not answer: with backoff, 1 s doubling to
 * 60 s) and every PG_REDISCOVER_ROUNDS rounds after, so a target added
 * appears and a removed one goes without a restart. A [database] of that
 * name in the fleet file wins.
 *
 * The fleet is not changed (it is read without a lock): the rows are model
 * rows of DOM_DATABASE past the fleet file's [database]s, each sample
 * naming its row (db_sample.name, .host, .prometheus; an empty name: no
 * row), so the databases view, the rules, the JSON and the exports read
 * them next to the [database]s' (domain/domain.h, db_row_section()). Each row is
 * a struct db_sample as the libpq collector publishes; a value the
 * exporter does not serve stays invalid (null). See doc/prometheus.md,
 * "PostgreSQL (postgres_exporter)". */
#ifndef FLEETDECK_PROM_POSTGRES_H
#define FLEETDECK_PROM_POSTGRES_H

#include <stdbool.h>
#include "collect/source.h"

struct prom_pgs;

/* Every [prometheus] section with a postgres key, or NULL when none has
 * one. Nothing is asked before the first prom_pgs_prepare(). */
struct prom_pgs *prom_pgs_new(const struct collect_env *env);
void prom_pgs_free(struct prom_pgs *p);
/* From the source's prepare(): starts the rounds that are due (the
 * answers arrive through env->http) and lowers *deadline to the next. */
void prom_pgs_prepare(struct prom_pgs *p, double now, double *deadline,
		      const struct collect_flags *fl);
/* --once: every section has finished a round (found its targets, or
 * failed to, and read their values). */
bool prom_pgs_round_done(const struct prom_pgs *p);

/* "15.18.0" (the exporter's short_version) as fleetdeck shows a version:
 * "15.18" from PostgreSQL 10 on, "9.6.24" before. Writes into buf. */
const char *prom_pg_version(const char *short_version, char *buf, size_t size);

#endif
