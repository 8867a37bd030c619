/* The domain table: every kind of target fleetdeck watches, described once.
 *
 * A domain (host, container, database, backup, GPU, service, link, runner
 * fleet, key) is one row of domains[] (domain/domains.c) naming its parts in
 * every layer: the fleet-file section that configures it, its collector,
 * how the model stores it, its rules, its JSON and --once writers, what a
 * recording keeps of it, what the exports show, its trends, and its keys
 * on the help screen. Each layer iterates this table for its own part and
 * never names a domain: adding one is its file set plus one row here (see
 * doc/architecture.md, "Adding a domain").
 *
 * The table's order is the order of the outputs: the --once sections, the
 * JSON arrays, the rules' targets. */
#ifndef FLEETDECK_DOMAIN_H
#define FLEETDECK_DOMAIN_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "fleet/fleet.h"
#include "model/model.h"

struct source_ops;
struct rules_state;
struct evaluation;
struct rec_desc;
struct flat_kind;
struct hist_store;

struct domain {
	enum domain_id id;           /* its index in domains[] and in the model */
	const char *name;            /* "container": the first word of its targets' names */

	/* fleet file: the section kind that configures it (its keys are that
	 * section's rows in fleet/schema.c); per_host: one target per [host]
	 * (containers, GPUs), keyed by the [host]'s own keys */
	enum section_kind section;
	bool per_host;

	/* collector: the source that publishes it (collect/source.h); two
	 * domains may share one (services and links), it then runs once.
	 * NULL: published by the hosts' own probe. */
	const struct source_ops *source;

	/* model: the sample type's size (the model stores what a sample uses,
	 * see model_put()) */
	size_t sample_size;

	/* rules: adds the domain's targets and their problems (rules/domains.h) */
	void (*rules)(const struct fleet *f, const struct snapshot *snap, double now,
		      struct rules_state *st, struct evaluation *out);

	/* outputs (out/domains.h): the JSON array named json_key, at the top
	 * level (json) or in each host (json_host); the --once section (text) */
	const char *json_key;
	json_t *(*json)(const struct fleet *f, const struct snapshot *s,
			const struct evaluation *ev, double now);
	json_t *(*json_host)(const struct fleet *f, const struct snapshot *s,
			     const struct evaluation *ev, double now, size_t host);
	void (*text)(FILE *fp, const struct fleet *f, const struct snapshot *s,
		     const struct evaluation *ev, double now);

	/* recording (record/codec.c, --record/--replay): its sample's
	 * recorded fields (model/fields.h), under json_key in each record;
	 * NULL: not recorded. The codec iterates the rows that have one. */
	const struct rec_desc *record;
	/* targets past the fleet file's sections, found at run time and
	 * named in their sample (databases: collect/prom_postgres.h): the
	 * name of such a sample, NULL for no row; NULL: the domain has none.
	 * The codec keys them by it (record/codec.c). */
	const char *(*found_name)(const void *sample);

	/* exports (out/flat.h, --format openmetrics|csv, --serve-metrics): its
	 * kinds of elements with their metric families, NULL-terminated (the
	 * host: hosts, then their disks); NULL: not exported */
	const struct flat_kind *const *export;

	/* history (history/history.h, the dashboard's trends): adds what a
	 * sample of target i has to the store, hist_add() of the domain's own
	 * series (HM_*, model/model.h); NULL: no trend */
	void (*trends)(struct hist_store *h, size_t i, const void *sample);

	/* views: the domain's own keys on the help screen ("keys", "what they
	 * do" pairs, NULL-terminated; ui/view_help.c). Its screens are rows of
	 * the view table (ui/views.c), not of this one. */
	const char *const *help;
};

extern const struct domain domains[DOM__COUNT];

#define DOMAINS_FOREACH(d) for (const struct domain *d = domains; d < domains + DOM__COUNT; d++)

/* The databases' rows (DOM_DATABASE): the fleet file's [database]s, then
 * the PostgreSQL servers found at run time through [prometheus] sections
 * (collect/prom_postgres.h), which name themselves in their sample. Every
 * reader (rules, outputs, views) visits i < snapshot_count(s, DOM_DATABASE)
 * and takes row i's section from db_row_section(): the fleet file's, or for a
 * found row one made in *tmp from its sample (name, `host`); NULL: no row
 * there (a target gone, a slot not used yet, past s or no s). */
const char *db_found_name(const void *db_sample);
struct db_row {
	struct fleet_section sec;
	struct fleet_kv kv[1];
};
const struct fleet_section *db_row_section(const struct fleet *f, const struct snapshot *s,
					   size_t i, struct db_row *tmp);

#endif
