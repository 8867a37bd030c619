#include "config.h"
#include "record/recfile.h"
#include "fleet/schema.h"
#include "util/text.h"
#include "util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What of the fleet file a recording keeps: enough for the rules and the
 * views to judge and draw the replayed fleet (names, roles, thresholds,
 * RPOs, links), nothing that could hold a secret or that only a collector
 * needs. By the key's type in the schema, so a new key is classified the
 * moment it is added: commands and templates (free shell text), secret
 * files, local paths, runner status sources (a token file) and DSNs are
 * left out. */
static bool key_recorded(const struct fleet_section *s, const char *key)
{
	const struct schema_section *sch = schema_section(s->kind);
	const struct schema_key *k = sch ? schema_key_any(sch, key) : NULL;

	if (!k || strcmp(key, "include") == 0)
		return false;
	switch (k->type) {
	case ST_COMMAND:
	case ST_TEMPLATE:
	case ST_SECRET_FILE:
	case ST_PATH:
	case ST_OUT_PATH:
	case ST_RUNNER_STATUS:
	case ST_DSN:
		return false;
	default:
		return true;
	}
}

char *rec_fleet_text(const struct fleet *f)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	if (!fp)
		return xstrdup("");
	for (size_t i = 0; i < f->nsections; i++) {
		const struct fleet_section *s = &f->sections[i];

		char name[256], value[1024];

		text_clean(name, sizeof(name), s->name ? s->name : "");
		fprintf(fp, "[%s%s%s]\n", fleet_kind_name(s->kind), *name ? " " : "", name);
		for (size_t k = 0; k < s->nkv; k++) {
			if (!key_recorded(s, s->kv[k].key))
				continue;
			text_clean(value, sizeof(value), s->kv[k].value);
			fprintf(fp, "%s = %s\n", s->kv[k].key, value);
		}
		/* a required key left out: a placeholder, so the section parses */
		if (s->kind == SEC_DATABASE)
			fputs("dsn = host=not-recorded\n", fp);
	}
	fclose(fp);
	return buf;
}

json_t *rec_fleet_hosts(const struct fleet *f)
{
	json_t *a = json_array();

	for (size_t i = 0; i < f->nhosts; i++) {
		const struct fleet_host *h = &f->hosts[i];
		json_t *o = json_object();

		json_object_set_new(o, "name", json_text(h->name, false));
		if (h->role)
			json_object_set_new(o, "role", json_text(h->role, false));
		if (h->prometheus >= 0 && h->sec)
			json_object_set_new(o, "prometheus", json_text(h->sec->name, false));
		json_object_set_new(o, "interval", json_real(h->interval));
		json_array_append_new(a, o);
	}
	return a;
}

/* A host the fleet text does not declare (discovered from a [prometheus]
 * section when it was recorded): added like the discovery adds it. */
static void host_add(struct fleet *f, json_t *o)
{
	const char *name = json_string_value(json_object_get(o, "name"));
	const char *role = json_string_value(json_object_get(o, "role"));
	const char *prom = json_string_value(json_object_get(o, "prometheus"));
	double interval = json_number_value(json_object_get(o, "interval"));
	struct fleet_host *h;

	if (!name || !*name || fleet_host_index(f, name) >= 0)
		return;
	f->hosts = xrealloc(f->hosts, (f->nhosts + 1) * sizeof(*f->hosts));
	h = &f->hosts[f->nhosts++];
	memset(h, 0, sizeof(*h));
	h->name = text_clean_dup(name);
	h->role = role ? text_clean_dup(role) : NULL;
	h->jump_index = -1;
	h->prometheus = -1;
	h->ram_reserve = -1;
	h->containers = CONT_NONE;
	h->gpus = GPUS_NONE;
	h->disks[0] = xstrdup("/");
	h->ndisks = 1;
	h->interval = interval > 0 && interval < 86400 ? interval : f->interval;
	h->timeout = f->timeout;
	h->th = f->th;
	if (prom) {
		const struct fleet_section *s = fleet_find_section(f, SEC_PROMETHEUS, prom);
		for (size_t k = 0; s && k < fleet_count(f, SEC_PROMETHEUS); k++)
			if (fleet_nth(f, SEC_PROMETHEUS, k) == s) {
				h->sec = s;
				h->prometheus = (int)k;
			}
	}
}

void rec_fleet_load(struct fleet *f, const char *name, const char *text, json_t *hosts)
{
	struct fleet_diags d = { 0 };
	size_t i;
	json_t *h;

	/* Problems are expected (files and commands were left out) and not
	 * the replay's business: the fleet is built whatever they are. */
	fleet_load_buffer("(recording)", text ? text : "", text ? strlen(text) : 0, f, &d);
	fleet_diags_free(&d);
	if (name && *name) {
		free(f->name);
		f->name = text_clean_dup(name);
	}
	free(f->path);
	f->path = NULL;
	json_array_foreach(hosts, i, h)
		host_add(f, h);
	f->read_only = true;
}

double rec_fleet_period(const struct fleet *f)
{
	double p = f->interval > 0 ? f->interval : 2;

	for (size_t i = 0; i < f->nhosts; i++)
		if (f->hosts[i].interval > 0 && f->hosts[i].interval < p)
			p = f->hosts[i].interval;
	return p < 0.2 ? 0.2 : p > 60 ? 60 : p;
}
