/* The fleet file's meaning: every key checked against the schema (known,
 * right source/provider, right type, required ones present), references
 * resolved, and the typed structs (struct fleet, struct fleet_host) built. */
#include "config.h"
#include "fleet/internal.h"
#include "fleet/values.h"
#include "util/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DURATION_MAX (100 * 365 * 86400.0)   /* longer is a typo, and overflows timers */

struct vctx {
	struct fleet *f;
	struct fleet_diags *d;
	const struct sec_index *ix;
};

/* "[host black]", "[fleet]". */
static const char *sec_label(char *buf, size_t size, const struct fleet_section *s)
{
	if (s->name)
		str_fmt(buf, size, "[%s %s]", fleet_kind_name(s->kind), s->name);
	else
		str_fmt(buf, size, "[%s]", fleet_kind_name(s->kind));
	return buf;
}

/* Whether a diagnostic would still be shown: suggestions cost, skip them after. */
static bool diag_room(const struct vctx *v)
{
	return v->d->n < FLEET_MAX_DIAGS;
}

static void bad_value(struct vctx *v, const struct fleet_kv *kv, const char *expected)
{
	char pv[64];

	fleet_preview(pv, sizeof(pv), kv->value);
	fleet_diag(v->d, false, kv->file, kv->line, "%s: expected %s, not '%s'", kv->key,
		   expected, pv);
}

/* ---- references ---- */

static bool sec_exists(const struct vctx *v, enum section_kind kind, const char *name)
{
	return sec_index_find(v->ix, v->f->sections, kind, name) >= 0;
}

/* The nearest name among sections of kind, for "did you mean". */
static const char *near_name(const struct vctx *v, enum section_kind kind, const char *name)
{
	const char **names = xmalloc((v->f->nsections + 1) * sizeof(*names));
	const char *hint;
	size_t n = 0;

	for (size_t i = 0; i < v->f->nsections; i++)
		if (v->f->sections[i].kind == kind && v->f->sections[i].name)
			names[n++] = v->f->sections[i].name;
	hint = fleet_suggest(name, names, n);
	free(names);
	return hint;
}

/* Reports that name is none of the sections of the kinds (SEC__COUNT ends
 * the list), suggesting the nearest name of those kinds. */
static void bad_ref(struct vctx *v, const char *file, int line, const char *what,
		    const char *name, const enum section_kind *kinds)
{
	const char *hint = NULL;
	char pv[64], list[96] = "";
	size_t n = 0;

	while (kinds[n] != SEC__COUNT)
		n++;
	for (size_t i = 0; i < n; i++) {
		if (!hint && diag_room(v))
			hint = near_name(v, kinds[i], name);
		str_fmt(list + strlen(list), sizeof(list) - strlen(list), "%s[%s]",
			i == 0 ? "" : i + 1 == n ? " or " : ", ", fleet_kind_name(kinds[i]));
	}
	fleet_preview(pv, sizeof(pv), name);
	if (hint)
		fleet_diag(v->d, false, file, line, "%s: there is no %s named '%s'; did you mean '%s'?",
			   what, list, pv, hint);
	else
		fleet_diag(v->d, false, file, line, "%s: there is no %s named '%s'", what, list, pv);
}

/* Whether name is a section of one of the kinds (SEC__COUNT ends the list). */
static bool ref_exists(const struct vctx *v, const enum section_kind *kinds, const char *name)
{
	for (; *kinds != SEC__COUNT; kinds++)
		if (sec_exists(v, *kinds, name))
			return true;
	return false;
}

static const enum section_kind ref_host[] = { SEC_HOST, SEC__COUNT };
static const enum section_kind ref_database[] = { SEC_DATABASE, SEC__COUNT };
static const enum section_kind ref_target[] = { SEC_DATABASE, SEC_HOST, SEC__COUNT };
static const enum section_kind ref_link_end[] = { SEC_HOST, SEC_SERVICE, SEC_DATABASE, SEC__COUNT };

static void check_ref(struct vctx *v, const struct fleet_kv *kv, const char *name,
		      const enum section_kind *kinds)
{
	if (!ref_exists(v, kinds, name))
		bad_ref(v, kv->file, kv->line, kv->key, name, kinds);
}

static void check_host_list(struct vctx *v, const struct fleet_kv *kv)
{
	size_t n;
	char **w = fleet_list_split(kv->value, &n);

	if (n == 0)
		bad_value(v, kv, schema_type_expect(ST_HOST_LIST));
	for (size_t i = 0; i < n; i++)
		check_ref(v, kv, w[i], ref_host);
	fleet_list_free(w);
}

/* ---- typed values ---- */

static void check_number(struct vctx *v, const struct fleet_kv *kv, const struct schema_key *k)
{
	long n;

	if (values_number(kv->value, k->type == ST_PORT ? 65535 : 1000000, &n) < 0 ||
	    (k->type == ST_PORT && n == 0))
		bad_value(v, kv, schema_type_expect(k->type));
	else if ((k->flags & SK_NONZERO) && n == 0)
		fleet_diag(v->d, false, kv->file, kv->line, "%s: must be at least 1", kv->key);
}

static void check_duration(struct vctx *v, const struct fleet_kv *kv, const struct schema_key *k)
{
	double secs;

	if (parse_duration(kv->value, &secs) < 0 || !isfinite(secs))
		bad_value(v, kv, schema_type_expect(k->type));
	else if (secs > DURATION_MAX)
		fleet_diag(v->d, false, kv->file, kv->line, "%s: longer than 100 years", kv->key);
	else if ((k->flags & SK_NONZERO) && secs <= 0)
		fleet_diag(v->d, false, kv->file, kv->line, "%s: must be longer than 0", kv->key);
}

static void check_enum(struct vctx *v, const struct fleet_kv *kv, const struct schema_key *k)
{
	char **w;
	size_t n;
	const char *hint;
	char list[256] = "", pv[64];

	if (values_enum_index(k->choices, kv->value) >= 0)
		return;
	w = fleet_list_split(k->choices, &n);
	for (size_t i = 0; i < n; i++)
		str_fmt(list + strlen(list), sizeof(list) - strlen(list), "%s%s", i ? ", " : "", w[i]);
	hint = fleet_suggest(kv->value, (const char *const *)w, n);
	fleet_preview(pv, sizeof(pv), kv->value);
	if (hint)
		fleet_diag(v->d, false, kv->file, kv->line,
			   "%s: expected one of %s, not '%s'; did you mean '%s'?", kv->key, list, pv, hint);
	else
		fleet_diag(v->d, false, kv->file, kv->line, "%s: expected one of %s, not '%s'",
			   kv->key, list, pv);
	fleet_list_free(w);
}

static void check_dsn(struct vctx *v, const struct fleet_kv *kv)
{
	bool password;
	const char *why = values_dsn(kv->value, &password);

	/* The DSN may hold a secret (any option libpq marks secret, such as
	 * password or sslpassword): never quote it back. */
	if (why)
		fleet_diag(v->d, false, kv->file, kv->line, "%s: %s; expected %s", kv->key, why,
			   schema_type_expect(ST_DSN));
	else if (password)
		fleet_diag(v->d, false, kv->file, kv->line, "%s: contains a password (a secret libpq "
			   "option); never write it in the fleet file: set password_file = PATH (mode 600) or use ~/.pgpass",
			   kv->key);
}

static void check_mounts(struct vctx *v, const struct fleet_kv *kv)
{
	size_t n;
	char **w = fleet_list_split(kv->value, &n);

	if (n > FLEET_MAX_DISKS)
		fleet_diag(v->d, false, kv->file, kv->line, "%s: at most %d mount points, not %zu",
			   kv->key, FLEET_MAX_DISKS, n);
	for (size_t i = 0; i < n; i++) {
		if (w[i][0] != '/') {
			char pv[64];
			fleet_preview(pv, sizeof(pv), w[i]);
			fleet_diag(v->d, false, kv->file, kv->line,
				   "%s: '%s' is not a mount point; expected absolute paths such as / /srv",
				   kv->key, pv);
		}
	}
	fleet_list_free(w);
}

/* One sub-check's message ("expected ..." or a plain reason) for kv. */
static void report(struct vctx *v, const struct fleet_kv *kv, const char *why)
{
	if (!why)
		return;
	if (str_starts(why, "expected "))
		bad_value(v, kv, why + strlen("expected "));
	else
		fleet_diag(v->d, false, kv->file, kv->line, "%s: %s", kv->key, why);
}

static void check_status(struct vctx *v, const struct fleet_kv *kv)
{
	char *token = NULL;
	const char *why = values_runner_status(kv->value, &token);

	if (why)
		report(v, kv, why);
	else if (token)
		fleet_secret_check(v->d, kv, token);
	free(token);
}

static void check_value(struct vctx *v, const struct fleet_kv *kv, const struct schema_key *k)
{
	struct fleet_host tmp = { 0 };
	char buf[256];
	double dv;
	int64_t sz;
	bool b;

	switch (k->type) {
	case ST_STRING: case ST_COMMAND: case ST_REMOTE_PATH:
		break;
	case ST_TEMPLATE:
		if (!strstr(kv->value, "{count}"))
			bad_value(v, kv, schema_type_expect(k->type));
		break;
	case ST_DURATION:
		check_duration(v, kv, k);
		break;
	case ST_SIZE:
		if (parse_size(kv->value, &sz) < 0)
			bad_value(v, kv, schema_type_expect(k->type));
		break;
	case ST_BOOL:
		if (parse_bool(kv->value, &b) < 0)
			bad_value(v, kv, schema_type_expect(k->type));
		break;
	case ST_PERCENT:
		if (parse_percent(kv->value, &dv) < 0)
			bad_value(v, kv, schema_type_expect(k->type));
		break;
	case ST_NUMBER: case ST_PORT:
		check_number(v, kv, k);
		break;
	case ST_ENUM:
		check_enum(v, kv, k);
		break;
	case ST_PATH: case ST_OUT_PATH:
		if (str_starts(kv->value, "env:"))
			fleet_diag(v->d, false, kv->file, kv->line,
				   "%s: env:NAME is only for secrets; expected a file path", kv->key);
		break;
	case ST_SECRET_FILE:
		/* libssh2 reads keys from files: an identity is never env:NAME */
		if (strcmp(kv->key, "identity_file") == 0 && str_starts(kv->value, "env:"))
			fleet_diag(v->d, false, kv->file, kv->line,
				   "identity_file: expected the path of a private key file "
				   "(mode 600); env:NAME is not supported for SSH keys, use ssh-agent");
		else
			fleet_secret_check(v->d, kv, kv->value);
		break;
	case ST_HOST:
		check_ref(v, kv, kv->value, ref_host);
		break;
	case ST_HOST_LIST:
		check_host_list(v, kv);
		break;
	case ST_DATABASE:
		check_ref(v, kv, kv->value, ref_database);
		break;
	case ST_TARGET:
		check_ref(v, kv, kv->value, ref_target);
		break;
	case ST_URL:
		report(v, kv, values_url(kv->value));
		break;
	case ST_DSN:
		check_dsn(v, kv);
		break;
	case ST_LIST: {
		size_t n;
		fleet_list_free(fleet_list_split(kv->value, &n));
		if (n == 0)
			bad_value(v, kv, schema_type_expect(k->type));
		break;
	}
	case ST_MOUNT_LIST:
		check_mounts(v, kv);
		break;
	case ST_SSH:
		if (fleet_ssh_parse(kv->value, &tmp, buf, sizeof(buf)) < 0)
			fleet_diag(v->d, false, kv->file, kv->line, "%s: %s; expected %s", kv->key, buf,
				   schema_type_expect(ST_SSH));
		free(tmp.user);
		free(tmp.address);
		break;
	case ST_CHECK:
		report(v, kv, values_check(kv->value));
		break;
	case ST_RUNNER_STATUS:
		check_status(v, kv);
		break;
	case ST_FIELD_MAP:
		report(v, kv, values_field_map(kv->value, buf, sizeof(buf)));
		break;
	case ST__COUNT:
		break;
	}
}

/* ---- keys of a section ---- */

/* "rpo" under [host]: which other kinds have such a key. */
static bool other_kinds(char *buf, size_t size, enum section_kind self, const char *key)
{
	buf[0] = '\0';
	for (int i = 0; i < SEC__COUNT; i++) {
		if (i == (int)self || !schema_key_any(schema_section((enum section_kind)i), key))
			continue;
		str_fmt(buf + strlen(buf), size - strlen(buf), "%s[%s]", buf[0] ? ", " : "",
			fleet_kind_name((enum section_kind)i));
	}
	return buf[0] != '\0';
}

static void unknown_key(struct vctx *v, const struct fleet_section *s,
			const struct schema_section *sch, const struct fleet_kv *kv)
{
	const char *names[64];
	size_t n = 0;
	const char *hint;
	char label[200], others[128], secret_key[64];

	sec_label(label, sizeof(label), s);
	str_fmt(secret_key, sizeof(secret_key), "%s_file", kv->key);
	if (schema_key_any(sch, secret_key)) {
		/* "password = hunter2": the value is a secret, never echo it. */
		fleet_diag(v->d, false, kv->file, kv->line, "%s is not a key of %s: secrets are never "
			   "written in the fleet file; use %s = PATH (mode 600) or %s = env:NAME",
			   kv->key, label, secret_key, secret_key);
		return;
	}
	for (size_t i = 0; i < sch->nkeys && n < ARRAY_LEN(names); i++)
		names[n++] = sch->keys[i].name;
	hint = fleet_suggest(kv->key, names, n);
	if (hint)
		fleet_diag(v->d, false, kv->file, kv->line, "unknown key '%s' in %s; did you mean '%s'?",
			   kv->key, label, hint);
	else if (other_kinds(others, sizeof(others), s->kind, kv->key))
		fleet_diag(v->d, false, kv->file, kv->line, "'%s' is not a key of [%s]; it belongs "
			   "in %s", kv->key, sch->name, others);
	else
		fleet_diag(v->d, false, kv->file, kv->line, "unknown key '%s' in %s", kv->key, label);
}

/* The section's source/provider (or gpus) value if it is a valid one. */
static const char *variant_of(const struct fleet_section *s, const struct schema_section *sch)
{
	const struct schema_key *vk;
	const char *val;

	if (!sch->variant || !(vk = schema_key_any(sch, sch->variant)))
		return NULL;
	val = fleet_section_get(s, sch->variant);
	if (!val)
		val = vk->def;
	return val && values_enum_index(vk->choices, val) >= 0 ? val : NULL;
}

static void wrong_variant(struct vctx *v, const struct fleet_section *s,
			  const struct schema_section *sch, const struct fleet_kv *kv,
			  const char *variant)
{
	char owners[128] = "";

	for (size_t i = 0; i < sch->nkeys; i++) {
		const struct schema_key *k = &sch->keys[i];
		if (strcmp(k->name, kv->key) != 0 || !k->only)
			continue;
		str_fmt(owners + strlen(owners), sizeof(owners) - strlen(owners), "%s%s",
			owners[0] ? " " : "", k->only);
	}
	for (char *p = owners; (p = strchr(p, ' ')); p++)
		*p = '|';
	fleet_diag(v->d, false, kv->file, kv->line, "'%s' is only for %s = %s; this [%s] has "
		   "%s = %s", kv->key, sch->variant, owners, sch->name, sch->variant, variant);
}

static void check_required(struct vctx *v, const struct fleet_section *s,
			   const struct schema_section *sch, const char *variant)
{
	char label[200];

	for (size_t i = 0; i < sch->nkeys; i++) {
		const struct schema_key *k = &sch->keys[i];
		if (!(k->flags & SK_REQUIRED) || fleet_section_kv(s, k->name))
			continue;
		if (k->only && (!variant || !schema_word_in(k->only, variant)))
			continue;
		sec_label(label, sizeof(label), s);
		if (k->only)
			fleet_diag(v->d, false, s->file, s->line, "%s needs %s (%s), as %s = %s",
				   label, k->name, schema_type_expect(k->type), sch->variant, variant);
		else
			fleet_diag(v->d, false, s->file, s->line, "%s needs %s (%s)", label, k->name,
				   k->type == ST_ENUM ? k->choices : schema_type_expect(k->type));
	}
}

static void check_keys(struct vctx *v, const struct fleet_section *s)
{
	const struct schema_section *sch = schema_section(s->kind);
	const char *variant = variant_of(s, sch);

	for (size_t i = 0; i < s->nkv; i++) {
		const struct fleet_kv *kv = &s->kv[i];
		const struct schema_key *k = schema_key_find(sch, kv->key, variant);

		if (!schema_key_any(sch, kv->key))
			unknown_key(v, s, sch, kv);
		else if (!k)
			wrong_variant(v, s, sch, kv, variant);
		else
			check_value(v, kv, k);
	}
	check_required(v, s, sch, variant);
}

/* ---- checks across keys ---- */

static void check_link(struct vctx *v, const struct fleet_section *s)
{
	const char *arrow = strstr(s->name, " -> ");
	char *from = xstrndup(s->name, (size_t)(arrow - s->name));
	const char *to = arrow + 4;

	if (!ref_exists(v, ref_host, from))
		bad_ref(v, s->file, s->line, "link", from, ref_host);
	if (!ref_exists(v, ref_link_end, to))
		bad_ref(v, s->file, s->line, "link", to, ref_link_end);
	free(from);
}

static void check_runners(struct vctx *v, const struct fleet_section *s)
{
	const struct fleet_kv *kmin = fleet_section_kv(s, "min");
	const struct fleet_kv *kmax = fleet_section_kv(s, "max");
	long lo, hi;

	if (kmin && kmax && values_number(kmin->value, 1000000, &lo) == 0 &&
	    values_number(kmax->value, 1000000, &hi) == 0 && lo > hi)
		fleet_diag(v->d, false, kmin->file, kmin->line, "min (%ld) is more than max (%ld)",
			   lo, hi);
}

static void check_key_section(struct vctx *v, const struct fleet_section *s)
{
	const struct fleet_kv *id = fleet_section_kv(s, "id");
	const struct fleet_kv *where = fleet_section_kv(s, "where");
	const struct fleet_kv *cols = fleet_section_kv(s, "columns");
	size_t n;

	if (id && where)
		fleet_diag(v->d, false, where->file, where->line,
			   "set either id or where, not both (id is at line %d)", id->line);
	if (cols) {
		fleet_list_free(fleet_list_split(cols->value, &n));
		if (n != 5)
			fleet_diag(v->d, false, cols->file, cols->line, "columns: expected 5 names "
				   "(id prefix key_hash created_at revoked_at), not %zu", n);
	}
}

static void check_database(struct vctx *v, const struct fleet_section *s)
{
	const struct fleet_kv *r = fleet_section_kv(s, "replica_of");

	if (r && strcmp(r->value, s->name) == 0)
		fleet_diag(v->d, false, r->file, r->line, "replica_of: a database cannot replicate itself");
}

static void check_section(struct vctx *v, const struct fleet_section *s)
{
	check_keys(v, s);
	if (s->kind == SEC_LINK)
		check_link(v, s);
	else if (s->kind == SEC_RUNNERS)
		check_runners(v, s);
	else if (s->kind == SEC_KEY)
		check_key_section(v, s);
	else if (s->kind == SEC_DATABASE)
		check_database(v, s);
}

/* ---- typed structs ---- */

/* The value of key from s, else the schema's default for kind. */
static const char *value_of(enum section_kind kind, const struct fleet_section *s, const char *key)
{
	const struct schema_key *k;

	if (s && fleet_section_get(s, key))
		return fleet_section_get(s, key);
	k = schema_key_any(schema_section(kind), key);
	return k ? k->def : NULL;
}

/* A duration or percentage of s, falling back to the schema's default and
 * then to def when the value is invalid (already reported). */
static double num_of(enum section_kind kind, const struct fleet_section *s, const char *key,
		     double def)
{
	const struct schema_key *k = schema_key_any(schema_section(kind), key);
	const char *cands[2] = { value_of(kind, s, key), k ? k->def : NULL };
	double out;

	for (int i = 0; i < 2; i++) {
		if (!cands[i])
			continue;
		if (k && k->type == ST_DURATION && parse_duration(cands[i], &out) == 0 &&
		    out <= DURATION_MAX)
			return out;
		if (k && k->type == ST_PERCENT && parse_percent(cands[i], &out) == 0)
			return out;
	}
	return def;
}

static int enum_of(enum section_kind kind, const struct fleet_section *s, const char *key)
{
	const struct schema_key *k = schema_key_any(schema_section(kind), key);
	int i = values_enum_index(k->choices, value_of(kind, s, key));

	return i >= 0 ? i : values_enum_index(k->choices, k->def);
}

static void thresholds_of(struct fleet_thresholds *th, enum section_kind kind,
			  const struct fleet_section *s, const struct fleet_thresholds *def)
{
	th->psi_warn = num_of(kind, s, "psi_warn", def->psi_warn);
	th->psi_crit = num_of(kind, s, "psi_crit", def->psi_crit);
	th->disk_warn = num_of(kind, s, "disk_warn", def->disk_warn);
	th->disk_crit = num_of(kind, s, "disk_crit", def->disk_crit);
	th->oom_hold = num_of(kind, s, "oom_hold", def->oom_hold);
}

/* Where a warn/crit pair was set: the warn key, else the crit key, else the
 * section's header. */
static void pair_location(const struct fleet_section *s, const char *warn, const char *crit,
			  int *line, const char **file)
{
	const struct fleet_kv *kv = fleet_section_kv(s, warn);

	if (!kv)
		kv = fleet_section_kv(s, crit);
	*file = kv ? kv->file : s->file;
	*line = kv ? kv->line : s->line;
}

static void check_thresholds(struct vctx *v, const struct fleet_section *s,
			     const struct fleet_thresholds *th)
{
	const char *file;
	int line;

	if (!s->file)
		return;
	if (th->psi_warn > th->psi_crit) {
		pair_location(s, "psi_warn", "psi_crit", &line, &file);
		fleet_diag(v->d, false, file, line, "psi_warn (%g) is above psi_crit (%g)",
			   th->psi_warn, th->psi_crit);
	}
	if (th->disk_warn > th->disk_crit) {
		pair_location(s, "disk_warn", "disk_crit", &line, &file);
		fleet_diag(v->d, false, file, line, "disk_warn (%g%%) is above disk_crit (%g%%)",
			   th->disk_warn, th->disk_crit);
	}
}

/* Whether a [host] sets any threshold of its own (else the fleet's were checked). */
static bool overrides_thresholds(const struct fleet_section *s)
{
	static const char *const keys[] = { "psi_warn", "psi_crit", "disk_warn", "disk_crit" };

	for (size_t i = 0; i < ARRAY_LEN(keys); i++)
		if (fleet_section_kv(s, keys[i]))
			return true;
	return false;
}

static char *default_audit_log(void)
{
	const char *state = getenv("XDG_STATE_HOME");

	if (state && state[0] == '/')
		return xasprintf("%s/fleetdeck/audit.log", state);
	return path_expand("~/.local/state/fleetdeck/audit.log");
}

/* A path key of s resolved against its file, else the expanded default. */
static char *path_of(const struct fleet_section *s, const char *key, const char *def)
{
	const struct fleet_kv *kv = s ? fleet_section_kv(s, key) : NULL;

	if (kv)
		return fleet_kv_path(kv->file, kv->value);
	return def ? path_expand(def) : NULL;
}

void fleet_set_fleet(struct fleet *f, const struct fleet_section *s)
{
	static const struct fleet_thresholds none = { 10, 40, 90, 95, 600 };
	bool ro = false;

	if (s && s->name) {
		free(f->name);
		f->name = xstrdup(s->name);
	}
	f->interval = num_of(SEC_FLEET, s, "interval", 2);
	f->timeout = num_of(SEC_FLEET, s, "timeout", 5);
	free(f->known_hosts);
	f->known_hosts = path_of(s, "known_hosts", value_of(SEC_FLEET, NULL, "known_hosts"));
	f->known_hosts_set = s && fleet_section_get(s, "known_hosts");
	free(f->audit_log);
	f->audit_log = path_of(s, "audit_log", NULL);
	if (!f->audit_log)
		f->audit_log = default_audit_log();
	f->host_key_policy = (enum host_key_policy)enum_of(SEC_FLEET, s, "host_key_policy");
	parse_bool(value_of(SEC_FLEET, s, "read_only"), &ro);
	f->read_only = ro;
	thresholds_of(&f->th, SEC_FLEET, s, &none);
}

static void host_disks(struct fleet_host *h, const struct fleet_section *s)
{
	size_t n;
	char **w = fleet_list_split(value_of(SEC_HOST, s, "disk"), &n);

	for (size_t i = 0; i < n; i++) {
		if (h->ndisks < FLEET_MAX_DISKS && w[i][0] == '/')
			h->disks[h->ndisks++] = w[i];
		else
			free(w[i]);
	}
	free(w);
	if (h->ndisks == 0)
		h->disks[h->ndisks++] = xstrdup("/");
}

static void host_build(struct vctx *v, struct fleet_host *h, const struct fleet_section *s)
{
	const struct fleet *f = v->f;
	const char *ssh = fleet_section_get(s, "ssh");
	const char *jump = fleet_section_get(s, "jump");
	const char *role = fleet_section_get(s, "role");
	const char *ram = fleet_section_get(s, "ram_reserve");
	char err[256];

	memset(h, 0, sizeof(*h));
	h->name = xstrdup(s->name);
	h->ssh = xstrdup(ssh ? ssh : s->name);
	if (fleet_ssh_parse(h->ssh, h, err, sizeof(err)) < 0 && !ssh)
		fleet_diag(v->d, false, s->file, s->line, "[host %s]: the name is used as the ssh "
			   "target but %s; set ssh = [user@]address[:port]", s->name, err);
	h->jump = jump ? xstrdup(jump) : NULL;
	h->jump_index = -1;
	h->prometheus = -1;
	h->identity_file = fleet_section_path(s, "identity_file");
	h->role = role ? xstrdup(role) : NULL;
	if (!ram || parse_size(ram, &h->ram_reserve) < 0)
		h->ram_reserve = -1;
	h->containers = (enum containers_mode)enum_of(SEC_HOST, s, "containers");
	h->gpus = (enum gpus_mode)enum_of(SEC_HOST, s, "gpus");
	host_disks(h, s);
	h->interval = num_of(SEC_HOST, s, "interval", f->interval);
	h->timeout = num_of(SEC_HOST, s, "timeout", f->timeout);
	thresholds_of(&h->th, SEC_HOST, s, &f->th);
	if (overrides_thresholds(s))
		check_thresholds(v, s, &h->th);
	h->sec = s;
}

/* jump = NAME to an index; refuse jumps from local hosts and to themselves. */
static void hosts_resolve_jumps(struct vctx *v, const int *host_of_sec)
{
	struct fleet *f = v->f;

	for (size_t i = 0; i < f->nhosts; i++) {
		struct fleet_host *h = &f->hosts[i];
		const struct fleet_kv *kv = fleet_section_kv(h->sec, "jump");
		long si;

		if (!h->jump)
			continue;
		si = sec_index_find(v->ix, f->sections, SEC_HOST, h->jump);
		h->jump_index = si >= 0 ? host_of_sec[si] : -1;
		if (h->jump_index == (int)i)
			fleet_diag(v->d, false, kv->file, kv->line, "jump: a host cannot jump through itself");
		else if (h->local)
			fleet_diag(v->d, false, kv->file, kv->line, "jump: makes no sense with ssh = local");
	}
}

/* Jump chains that come back on themselves, each loop reported once, at the
 * host where the walk closes it. Linear: every host is walked once. */
static void hosts_check_jump_loops(struct vctx *v)
{
	struct fleet *f = v->f;
	size_t *walk = xcalloc(f->nhosts, sizeof(*walk));  /* 0: unseen, else walk number */

	for (size_t i = 0; i < f->nhosts; i++) {
		int j = (int)i;

		while (j >= 0 && !walk[j]) {
			walk[j] = i + 1;
			j = f->hosts[j].jump_index;
		}
		/* Back on this walk's own path: a loop (self-jumps are reported apart). */
		if (j >= 0 && walk[j] == i + 1 && f->hosts[j].jump_index != j) {
			const struct fleet_kv *kv = fleet_section_kv(f->hosts[j].sec, "jump");
			fleet_diag(v->d, false, kv->file, kv->line, "jump: hosts jump through each other "
				   "in a loop, starting at %s", f->hosts[j].name);
		}
	}
	free(walk);
}

static void hosts_build(struct vctx *v)
{
	struct fleet *f = v->f;
	int *host_of_sec = xcalloc(f->nsections, sizeof(*host_of_sec));
	size_t n = 0;

	for (size_t i = 0; i < f->nsections; i++)
		n += f->sections[i].kind == SEC_HOST;
	f->hosts = n ? xcalloc(n, sizeof(*f->hosts)) : NULL;
	for (size_t i = 0; i < f->nsections; i++) {
		host_of_sec[i] = -1;
		if (f->sections[i].kind != SEC_HOST)
			continue;
		host_of_sec[i] = (int)f->nhosts;
		host_build(v, &f->hosts[f->nhosts++], &f->sections[i]);
	}
	hosts_resolve_jumps(v, host_of_sec);
	hosts_check_jump_loops(v);
	free(host_of_sec);
}

void fleet_validate(struct fleet *f, struct fleet_diags *d, const struct sec_index *ix)
{
	struct vctx v = { .f = f, .d = d, .ix = ix };
	const struct fleet_section *fs = NULL;
	size_t errors = d->nerrors;
	bool watched = false;

	for (size_t i = 0; i < f->nsections; i++) {
		if (f->sections[i].kind == SEC_FLEET)
			fs = &f->sections[i];
		watched |= f->sections[i].kind != SEC_FLEET;   /* anything to poll */
		check_section(&v, &f->sections[i]);
	}
	fleet_set_fleet(f, fs);
	if (fs)
		check_thresholds(&v, fs, &f->th);
	hosts_build(&v);
	if (!watched && d->nerrors == errors)
		fleet_diag(d, true, f->nfiles ? f->files[0] : NULL, 0,
			   "no section to watch: add a [host] (or a [service], [database], ...)");
}
