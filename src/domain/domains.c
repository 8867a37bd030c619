/* The domain table: one row per domain, in output order (domain/domain.h). */
#include "config.h"
#include "domain/domain.h"
#include "collect/source.h"
#include "out/domains.h"
#include "rules/domains.h"
#include "util/util.h"

#include <string.h>

extern const struct source_ops source_containers, source_databases, source_backups,
	source_gpus, source_services, source_runners, source_keys, source_prometheus,
	source_promfleet;

const struct domain domains[DOM__COUNT] = {
	[DOM_HOST] = {
		.id = DOM_HOST, .name = "host", .section = SEC_HOST, .per_host = true,
		/* the SSH or local probe (collect/hosts.c) is the collector every
		 * domain shares; [prometheus] sections are another source of hosts */
		.source = &source_prometheus,
		.sample_size = sizeof(struct host_sample),
		/* host rules, the "hosts" array and the host table are the core of
		 * rules.c, json.c and text.c */
		.json_key = "hosts", .record = &rec_hosts, .trends = trends_hosts,
		.export = (const struct flat_kind *const[]){ &flat_host, &flat_disk, NULL },
	},
	[DOM_CONTAINER] = {
		.id = DOM_CONTAINER, .name = "container", .section = SEC_HOST, .per_host = true,
		.source = &source_containers,
		.sample_size = sizeof(struct host_containers),
		.rules = rules_containers,
		.json_key = "containers", .json_host = json_containers, .text = text_containers,
		.record = &rec_containers, .trends = trends_containers,
		.export = (const struct flat_kind *const[]){ &flat_containers, NULL },
	},
	[DOM_DATABASE] = {
		.id = DOM_DATABASE, .name = "database", .section = SEC_DATABASE,
		.source = &source_databases,
		.sample_size = sizeof(struct db_sample),
		.rules = rules_databases,
		.json_key = "databases", .json = json_databases, .text = text_databases,
		.record = &rec_databases, .found_name = db_found_name, .trends = trends_databases,
		.export = (const struct flat_kind *const[]){ &flat_databases, NULL },
	},
	[DOM_BACKUP] = {
		.id = DOM_BACKUP, .name = "backup", .section = SEC_BACKUP,
		.source = &source_backups,
		.sample_size = sizeof(struct backup_sample),
		.rules = rules_backups,
		.json_key = "backups", .json = json_backups, .text = text_backups,
		.record = &rec_backups, .trends = trends_backups,
		.export = (const struct flat_kind *const[]){ &flat_backups, NULL },
	},
	[DOM_GPU] = {
		.id = DOM_GPU, .name = "gpu", .section = SEC_HOST, .per_host = true,
		.source = &source_gpus,
		.sample_size = sizeof(struct host_gpus),
		.rules = rules_gpus,
		.json_key = "gpus", .json_host = json_gpus, .text = text_gpus,
		.record = &rec_gpus, .trends = trends_gpus,
		.export = (const struct flat_kind *const[]){ &flat_gpus, NULL },
	},
	[DOM_SERVICE] = {
		.id = DOM_SERVICE, .name = "service", .section = SEC_SERVICE,
		.source = &source_services,
		.sample_size = sizeof(struct service_sample),
		.rules = rules_services,
		.json_key = "services", .json = json_services, .text = text_services,
		.record = &rec_services,
		.export = (const struct flat_kind *const[]){ &flat_services, NULL },
	},
	[DOM_LINK] = {
		.id = DOM_LINK, .name = "link", .section = SEC_LINK,
		.source = &source_services,      /* one checker runs both */
		.sample_size = sizeof(struct link_sample),
		.rules = rules_links,
		.json_key = "links", .json = json_links, .text = text_links,
		.record = &rec_services,   /* a link is its check */
		.export = (const struct flat_kind *const[]){ &flat_links, NULL },
	},
	[DOM_RUNNERS] = {
		.id = DOM_RUNNERS, .name = "runners", .section = SEC_RUNNERS,
		.source = &source_runners,
		.sample_size = sizeof(struct runners_sample),
		.rules = rules_runners,
		.json_key = "runners", .json = json_runners, .text = text_runners,
		.record = &rec_runners, .trends = trends_runners,
		.export = (const struct flat_kind *const[]){ &flat_runners, NULL },
		.help = (const char *const[]){
			"+ - =", "Runners: add / remove runners, scale to a typed count (plan first)",
			NULL },
	},
	[DOM_KEY] = {
		.id = DOM_KEY, .name = "key", .section = SEC_KEY,
		.source = &source_keys,
		.sample_size = sizeof(struct key_sample),
		.rules = rules_keys,
		.json_key = "keys", .json = json_keys, .text = text_keys,
		.record = &rec_keys,
		.export = (const struct flat_kind *const[]){ &flat_keys, NULL },
		.help = (const char *const[]){
			"r", "Keys: rotate the selected key (plan first, type its name)", NULL },
	},
	[DOM_PROMFLEET] = {
		/* a [prometheus] section judged on the server: its hosts are
		 * not model hosts (doc/prometheus.md, "Large fleets") */
		.id = DOM_PROMFLEET, .name = "prometheus", .section = SEC_PROMETHEUS,
		.source = &source_promfleet,
		.sample_size = sizeof(struct prom_fleet),
		.rules = rules_prometheus,
		.json_key = "prometheus", .json = json_prometheus, .text = text_prometheus,
		/* no .record, no .export: a replay and the exports show no
		 * section judged on the server */
	},
};

void model_init_fleet(struct model *m, const struct fleet *f)
{
	model_init(m, f->nhosts);
	DOMAINS_FOREACH(d) {
		if (d->id != d - domains || d->sample_size > MODEL_SAMPLE_MAX)
			fatal("domain table: row %s is out of place or its sample is over "
			      "MODEL_SAMPLE_MAX", d->name);
		if (d->id != DOM_HOST)
			model_resize(m, d->id, d->per_host ? f->nhosts : fleet_count(f, d->section),
				     d->per_host);
	}
}

const char *db_found_name(const void *sample)
{
	const struct db_sample *d = sample;

	return d->name[0] ? d->name : NULL;
}

const struct fleet_section *db_row_section(const struct fleet *f, const struct snapshot *s,
					   size_t i, struct db_row *tmp)
{
	size_t nd = fleet_count(f, SEC_DATABASE);
	const struct db_sample *d;

	if (i < nd)
		return fleet_nth(f, SEC_DATABASE, i);
	if (i >= snapshot_count(s, DOM_DATABASE))
		return NULL;  /* (no snapshot: none) */
	d = snap_database(s, i);
	if (!d->name[0])
		return NULL;
	memset(tmp, 0, sizeof(*tmp));
	tmp->sec.kind = SEC_DATABASE;
	/* the sample's own bytes: the snapshot holds them while it is read */
	tmp->sec.name = (char *)d->name;
	tmp->sec.file = "(found through Prometheus)";
	tmp->sec.kv = tmp->kv;
	if (d->host[0]) {
		tmp->kv[0] = (struct fleet_kv){ (char *)"host", (char *)d->host, tmp->sec.file, 0 };
		tmp->sec.nkv = 1;
	}
	tmp->sec.prometheus = d->prometheus;
	return &tmp->sec;
}
