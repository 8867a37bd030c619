#include "config.h"
#include "fleet/internal.h"
#include "util/util.h"
#include "util/text.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- diagnostics ---- */

static void diag_push(struct fleet_diags *d, bool warning, const char *file, int line,
		      char *msg)
{
	struct fleet_diag *g;

	if ((d->n & (d->n - 1)) == 0)   /* grow at 0, 1, 2, 4, 8... */
		d->v = xrealloc(d->v, (d->n ? d->n * 2 : 1) * sizeof(*d->v));
	g = &d->v[d->n++];
	g->file = file ? xstrdup(file) : NULL;
	g->line = line;
	g->warning = warning;
	g->msg = msg;
}

void fleet_diag(struct fleet_diags *d, bool warning, const char *file, int line,
		const char *fmt, ...)
{
	va_list ap;
	char buf[1024];

	if (!warning)
		d->nerrors++;
	if (d->n > FLEET_MAX_DIAGS)
		return;
	if (d->n == FLEET_MAX_DIAGS) {
		/* A garbage file must not bury the terminal; the count still fails it. */
		diag_push(d, true, NULL, 0, xasprintf("too many problems; only the first %d are shown",
						      FLEET_MAX_DIAGS));
		return;
	}
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	diag_push(d, warning, file, line, xstrdup(buf));
}

void fleet_diags_print(FILE *fp, const struct fleet_diags *d)
{
	for (size_t i = 0; i < d->n; i++) {
		const struct fleet_diag *g = &d->v[i];
		const char *sev = g->warning ? "warning" : "error";

		if (g->file && g->line > 0)
			fprintf(fp, "%s:%d: %s: %s\n", g->file, g->line, sev, g->msg);
		else if (g->file)
			fprintf(fp, "%s: %s: %s\n", g->file, sev, g->msg);
		else
			fprintf(fp, "fleetdeck: %s: %s\n", sev, g->msg);
	}
}

void fleet_diags_free(struct fleet_diags *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].file);
		free(d->v[i].msg);
	}
	free(d->v);
	memset(d, 0, sizeof(*d));
}

/* Where a diagnostic's file comes in the order files were read. */
static size_t diag_rank(const struct fleet *f, const struct fleet_diag *g)
{
	if (!g->file)
		return (size_t)-1;
	for (size_t i = 0; i < f->nfiles; i++)
		if (strcmp(f->files[i], g->file) == 0)
			return i;
	return (size_t)-2;
}

static bool diag_before(const struct fleet *f, const struct fleet_diag *a,
			const struct fleet_diag *b)
{
	size_t ra = diag_rank(f, a), rb = diag_rank(f, b);

	return ra < rb || (ra == rb && a->line < b->line);
}

/* Parser and validator findings interleaved into file and line order
 * (stable, and at most FLEET_MAX_DIAGS entries). */
static void diags_sort(struct fleet_diags *d, size_t first, const struct fleet *f)
{
	for (size_t i = first + 1; i < d->n; i++) {
		struct fleet_diag g = d->v[i];
		size_t j = i;

		while (j > first && diag_before(f, &g, &d->v[j - 1])) {
			d->v[j] = d->v[j - 1];
			j--;
		}
		d->v[j] = g;
	}
}

/* ---- small helpers ---- */

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* Optimal string alignment distance, case-insensitive; short strings only. */
static int edit_distance(const char *a, const char *b)
{
	enum { MAXLEN = 64 };
	int d[MAXLEN + 1][MAXLEN + 1];
	size_t la = strlen(a), lb = strlen(b);

	if (la > MAXLEN || lb > MAXLEN)
		return MAXLEN;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = (int)i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = (int)j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			int cost = lower(a[i - 1]) != lower(b[j - 1]);
			int v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < v)
				v = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) &&
			    lower(a[i - 2]) == lower(b[j - 1]) && d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	}
	return d[la][lb];
}

const char *fleet_suggest(const char *word, const char *const *cands, size_t n)
{
	size_t len = strlen(word);
	int limit = len <= 3 ? 1 : 2;
	const char *best = NULL, *prefix = NULL;
	int best_d = limit + 1;
	bool ambiguous = false;

	for (size_t i = 0; i < n; i++) {
		size_t clen = strlen(cands[i]);
		/* Lengths further apart than the limit cannot be close enough. */
		if ((clen > len ? clen - len : len - clen) <= (size_t)limit) {
			int dist = edit_distance(word, cands[i]);
			if (dist < best_d) {
				best_d = dist;
				best = cands[i];
			}
		}
		if (len >= 2 && clen > len && strncmp(cands[i], word, len) == 0) {
			if (prefix && strcmp(prefix, cands[i]) != 0)
				ambiguous = true;
			prefix = cands[i];
		}
	}
	if (best)
		return best;
	return ambiguous ? NULL : prefix;
}

void fleet_preview(char *buf, size_t size, const char *value)
{
	enum { MAXSHOW = 40 };
	char show[MAXSHOW + 1];
	size_t n = text_clean(show, sizeof(show), value);

	/* cut on a character boundary by the one sanitiser; "..." if cut */
	str_fmt(buf, size, "%s%s", show, n < strlen(value) && strlen(value) > MAXSHOW ? "..." : "");
}

bool fleet_name_valid(const char *s, unsigned char *bad)
{
	if (!*s) {
		*bad = '\0';
		return false;
	}
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    strchr("._-@:/", c))
			continue;
		*bad = c;
		return false;
	}
	return true;
}

char *fleet_kv_path(const char *file, const char *value)
{
	if (str_starts(value, "env:"))
		return xstrdup(value);
	return path_relative_to(file, value);
}

const char *fleet_intern_file(struct fleet *f, const char *path)
{
	for (size_t i = 0; i < f->nfiles; i++)
		if (strcmp(f->files[i], path) == 0)
			return f->files[i];
	f->files = xrealloc(f->files, (f->nfiles + 1) * sizeof(*f->files));
	f->files[f->nfiles] = xstrdup(path);
	return f->files[f->nfiles++];
}

/* ---- section index ---- */

static size_t sec_hash(enum section_kind kind, const char *name)
{
	uint64_t h = 1469598103934665603ULL ^ (uint64_t)kind;

	for (const char *p = name ? name : ""; *p; p++) {
		h ^= (unsigned char)*p;
		h *= 1099511628211ULL;
	}
	return (size_t)h;
}

static bool sec_same(const struct fleet_section *s, enum section_kind kind, const char *name)
{
	if (s->kind != kind)
		return false;
	if (!s->name || !name)
		return !s->name && !name;
	return strcmp(s->name, name) == 0;
}

static void sec_index_grow(struct sec_index *ix, const struct fleet_section *secs)
{
	size_t *old = ix->slot, oldcap = ix->cap;

	ix->cap = oldcap ? oldcap * 2 : 64;
	ix->slot = xcalloc(ix->cap, sizeof(*ix->slot));
	for (size_t i = 0; i < oldcap; i++) {
		if (!old[i])
			continue;
		const struct fleet_section *s = &secs[old[i] - 1];
		size_t h = sec_hash(s->kind, s->name) & (ix->cap - 1);
		while (ix->slot[h])
			h = (h + 1) & (ix->cap - 1);
		ix->slot[h] = old[i];
	}
	free(old);
}

void sec_index_add(struct sec_index *ix, const struct fleet_section *secs, size_t i)
{
	size_t h;

	if ((ix->n + 1) * 2 > ix->cap)
		sec_index_grow(ix, secs);
	h = sec_hash(secs[i].kind, secs[i].name) & (ix->cap - 1);
	while (ix->slot[h])
		h = (h + 1) & (ix->cap - 1);
	ix->slot[h] = i + 1;
	ix->n++;
}

long sec_index_find(const struct sec_index *ix, const struct fleet_section *secs,
		    enum section_kind kind, const char *name)
{
	size_t h;

	if (!ix->cap)
		return -1;
	h = sec_hash(kind, name) & (ix->cap - 1);
	for (; ix->slot[h]; h = (h + 1) & (ix->cap - 1))
		if (sec_same(&secs[ix->slot[h] - 1], kind, name))
			return (long)ix->slot[h] - 1;
	return -1;
}

void sec_index_free(struct sec_index *ix)
{
	free(ix->slot);
	memset(ix, 0, sizeof(*ix));
}

/* ---- lookups ---- */

const char *fleet_kind_name(enum section_kind kind)
{
	const struct schema_section *s = schema_section(kind);
	return s ? s->name : "?";
}

const struct fleet_kv *fleet_section_kv(const struct fleet_section *s, const char *key)
{
	for (size_t i = 0; s && i < s->nkv; i++)
		if (strcmp(s->kv[i].key, key) == 0)
			return &s->kv[i];
	return NULL;
}

const char *fleet_section_get(const struct fleet_section *s, const char *key)
{
	const struct fleet_kv *kv = fleet_section_kv(s, key);
	return kv ? kv->value : NULL;
}

const char *fleet_section_value(const struct fleet_section *s, const char *key)
{
	const struct schema_section *sch;
	const struct schema_key *k;
	const char *variant = NULL;
	const char *v = fleet_section_get(s, key);

	if (v || !s || !(sch = schema_section(s->kind)))
		return v;
	if (sch->variant) {
		variant = fleet_section_get(s, sch->variant);
		if (!variant && (k = schema_key_any(sch, sch->variant)))
			variant = k->def;
	}
	k = schema_key_find(sch, key, variant);
	return k ? k->def : NULL;
}

char *fleet_section_path(const struct fleet_section *s, const char *key)
{
	const struct fleet_kv *kv = fleet_section_kv(s, key);
	return kv ? fleet_kv_path(kv->file, kv->value) : NULL;
}

const struct fleet_section *fleet_find_section(const struct fleet *f,
					       enum section_kind kind, const char *name)
{
	for (size_t i = 0; i < f->nsections; i++)
		if (sec_same(&f->sections[i], kind, name))
			return &f->sections[i];
	return NULL;
}

int fleet_host_index(const struct fleet *f, const char *name)
{
	for (size_t i = 0; i < f->nhosts; i++)
		if (strcmp(f->hosts[i].name, name) == 0)
			return (int)i;
	return -1;
}

char **fleet_list_split(const char *value, size_t *n)
{
	static const char sep[] = " \t,";
	size_t count = 0, i = 0;
	char **v;

	if (!value)
		value = "";   /* an absent key is an empty list */
	for (const char *p = value + strspn(value, sep); *p; p += strspn(p, sep)) {
		p += strcspn(p, sep);
		count++;
	}
	v = xcalloc(count + 1, sizeof(*v));
	for (const char *p = value + strspn(value, sep); *p; p += strspn(p, sep)) {
		size_t len = strcspn(p, sep);
		v[i++] = xstrndup(p, len);
		p += len;
	}
	if (n)
		*n = count;
	return v;
}

void fleet_list_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

/* ---- life cycle ---- */

void fleet_free(struct fleet *f)
{
	for (int k = 0; k < SEC__COUNT; k++)
		free(f->by_kind[k]);
	for (size_t i = 0; i < f->nsections; i++) {
		struct fleet_section *s = &f->sections[i];
		for (size_t j = 0; j < s->nkv; j++) {
			free(s->kv[j].key);
			free(s->kv[j].value);
		}
		free(s->kv);
		free(s->name);
	}
	free(f->sections);
	for (size_t i = 0; i < f->nhosts; i++) {
		struct fleet_host *h = &f->hosts[i];
		free(h->name);
		free(h->ssh);
		free(h->user);
		free(h->address);
		free(h->jump);
		free(h->identity_file);
		free(h->role);
		for (int j = 0; j < h->ndisks; j++)
			free(h->disks[j]);
	}
	free(f->hosts);
	for (size_t i = 0; i < f->nfiles; i++)
		free(f->files[i]);
	free(f->files);
	free(f->name);
	free(f->path);
	free(f->known_hosts);
	free(f->audit_log);
	memset(f, 0, sizeof(*f));
}

/* The file's base name without its extension: the fleet's default name. */
static char *base_name(const char *path)
{
	const char *b = strrchr(path, '/');
	const char *dot;

	b = b ? b + 1 : path;
	dot = strrchr(b, '.');
	if (!*b)
		return xstrdup("fleet");
	if (!dot || dot == b)
		return xstrdup(b);
	return xstrndup(b, (size_t)(dot - b));
}

static void fleet_init(struct fleet *f, const char *path)
{
	memset(f, 0, sizeof(*f));
	f->path = path ? xstrdup(path) : NULL;
	f->name = base_name(path ? path : "fleet");
}

/* Reads a whole file of at most FLEET_MAX_BYTES. Includes pass
 * regular_only: a fleet file must never make us read a FIFO or a device. */
int fleet_read_file(const char *path, bool regular_only, char **buf, size_t *len,
		    struct stat *st, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC | (regular_only ? O_NONBLOCK : 0));
	size_t n = 0, cap = 4096;
	char *b;

	if (fd < 0) {
		str_fmt(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, st) < 0) {
		str_fmt(err, errlen, "cannot read %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (S_ISDIR(st->st_mode) || (regular_only && !S_ISREG(st->st_mode))) {
		str_fmt(err, errlen, "cannot read %s: %s", path,
			S_ISDIR(st->st_mode) ? "Is a directory" : "not a regular file");
		close(fd);
		return -1;
	}
	b = xmalloc(cap);
	for (;;) {
		ssize_t r;
		if (n == cap)
			b = xrealloc(b, cap *= 2);
		r = read(fd, b + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			str_fmt(err, errlen, "cannot read %s: %s", path, strerror(errno));
			break;
		}
		if (r == 0) {
			close(fd);
			*buf = b;
			*len = n;
			return 0;
		}
		n += (size_t)r;
		if (n > FLEET_MAX_BYTES) {
			str_fmt(err, errlen, "%s is larger than %d bytes; is it really a fleet file?",
				path, FLEET_MAX_BYTES);
			break;
		}
	}
	close(fd);
	free(b);
	return -1;
}

static void fleet_index_sections(struct fleet *f);

static int load_text(struct fleet *f, struct fleet_diags *d, const char *file,
		     const char *text, size_t len, const struct stat *st)
{
	struct sec_index ix = { 0 };
	size_t first = d->n, errors = d->nerrors;

	if (len > FLEET_MAX_BYTES)
		fleet_diag(d, false, file, 0, "larger than %d bytes; is it really a fleet file?",
			   FLEET_MAX_BYTES);
	else
		fleet_parse(f, d, &ix, file, text, len, st);
	fleet_validate(f, d, &ix);
	sec_index_free(&ix);
	fleet_index_sections(f);
	diags_sort(d, first, f);
	return d->nerrors > errors ? -1 : 0;
}

int fleet_load(const char *path, struct fleet *out, struct fleet_diags *diags)
{
	struct stat st;
	char err[512];
	char *buf;
	size_t len;
	int rc;

	fleet_init(out, path);
	if (fleet_read_file(path, false, &buf, &len, &st, err, sizeof(err)) < 0) {
		fleet_diag(diags, false, NULL, 0, "%s", err);
		fleet_set_fleet(out, NULL);
		return -1;
	}
	rc = load_text(out, diags, fleet_intern_file(out, path), buf, len, &st);
	free(buf);
	return rc;
}

int fleet_load_buffer(const char *name, const char *text, size_t len,
		      struct fleet *out, struct fleet_diags *diags)
{
	if (!name)
		name = "(buffer)";
	fleet_init(out, name);
	return load_text(out, diags, fleet_intern_file(out, name), text, len, NULL);
}

void fleet_default(struct fleet *out)
{
	static const char text[] =
		"[fleet localhost]\n"
		"[host localhost]\n"
		"ssh = local\n";
	struct fleet_diags d = { 0 };

	/* The built-in fleet is parsed like any file, so it cannot drift. */
	fleet_load_buffer("(built-in default)", text, sizeof(text) - 1, out, &d);
	fleet_diags_free(&d);
	free(out->path);
	out->path = NULL;
}

char *fleet_resolve_path(const char *cli_path)
{
	const char *env = getenv("FLEETDECK_CONFIG");
	const char *xdg = getenv("XDG_CONFIG_HOME");
	char *path;

	if (cli_path && *cli_path)
		return path_expand(cli_path);
	if (env && *env)
		return path_expand(env);
	if (xdg && xdg[0] == '/')
		path = xasprintf("%s/fleetdeck/fleet.conf", xdg);
	else
		path = path_expand("~/.config/fleetdeck/fleet.conf");
	if (access(path, F_OK) == 0)
		return path;
	free(path);
	return NULL;
}

/* Rules and outputs ask for the i-th section of a kind for every target on
 * every frame: an index per kind makes that O(1). */
static void fleet_index_sections(struct fleet *f)
{
	for (int k = 0; k < SEC__COUNT; k++) {
		free(f->by_kind[k]);
		f->by_kind[k] = NULL;
		f->nby_kind[k] = 0;
	}
	for (size_t i = 0; i < f->nsections; i++) {
		enum section_kind k = f->sections[i].kind;

		if ((unsigned)k >= SEC__COUNT)
			continue;
		f->by_kind[k] = xrealloc(f->by_kind[k], (f->nby_kind[k] + 1) * sizeof(*f->by_kind[k]));
		f->by_kind[k][f->nby_kind[k]++] = i;
	}
	f->indexed = f->nsections;
}

static bool fleet_indexed(const struct fleet *f, enum section_kind kind)
{
	return f->nsections && f->indexed == f->nsections && (unsigned)kind < SEC__COUNT;
}

size_t fleet_count(const struct fleet *f, enum section_kind kind)
{
	size_t n = 0;

	if (fleet_indexed(f, kind))
		return f->nby_kind[kind];
	for (size_t i = 0; i < f->nsections; i++)
		n += f->sections[i].kind == kind;
	return n;
}

const struct fleet_section *fleet_nth(const struct fleet *f, enum section_kind kind, size_t i)
{
	if (fleet_indexed(f, kind))
		return i < f->nby_kind[kind] ? &f->sections[f->by_kind[kind][i]] : NULL;
	for (size_t j = 0; j < f->nsections; j++)
		if (f->sections[j].kind == kind && i-- == 0)
			return &f->sections[j];
	return NULL;
}

double fleet_section_duration(const struct fleet_section *s, const char *key, double dflt)
{
	const char *v = fleet_section_value(s, key);
	double d;

	return v && parse_duration(v, &d) == 0 && d > 0 ? d : dflt;
}

int fleet_command_host(const struct fleet *f, const struct fleet_section *s)
{
	const char *h = fleet_section_get(s, "host");

	if (h)
		return fleet_host_index(f, h);
	for (size_t i = 0; i < f->nhosts; i++)
		if (f->hosts[i].local)
			return (int)i;
	return -1;
}

int fleet_section_int(const struct fleet_section *s, const char *key, int dflt)
{
	const char *v = fleet_section_value(s, key);
	char *end;
	long n;

	if (!v)
		return dflt;
	n = strtol(v, &end, 10);
	return end != v && *end == '\0' ? (int)n : dflt;
}
