/* The fleet file's syntax: lines, [kind name] headers, key = value, comments,
 * quotes and include. Meaning (types, references) is validate.c's job. */
#include "config.h"
#include "fleet/internal.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

#define NO_SECTION (-1L)    /* before the first header of a file */
#define SKIP_SECTION (-2L)  /* after a broken header: its keys are dropped quietly */

struct file_id {
	dev_t dev;
	ino_t ino;
};

struct parser {
	struct fleet *f;
	struct fleet_diags *d;
	struct sec_index *ix;
	size_t cap;             /* allocated entries of f->sections */
	long cur;               /* index of the open section, or NO_/SKIP_SECTION */
	long fleet_sec;         /* index of the [fleet] section, -1 if none yet */
	struct file_id stack[FLEET_MAX_DEPTH + 1];  /* files being read, for cycles */
	int depth;
	struct file_id *seen;   /* every file read, to skip repeated includes */
	size_t nseen;
};

static void parse_text(struct parser *p, const char *file, const char *text, size_t len);

/* "'x'" for a printable byte, "byte 0x01" otherwise. */
static const char *byte_name(char *buf, size_t size, unsigned char c)
{
	if (c > 0x20 && c < 0x7f)
		str_fmt(buf, size, "'%c'", c);
	else if (c == ' ')
		str_fmt(buf, size, "a space");
	else
		str_fmt(buf, size, "byte 0x%02x", c);
	return buf;
}

/* Checks a section name; reports and returns false when it is not valid. */
static bool check_name(struct parser *p, const char *file, int line, const char *name)
{
	unsigned char bad;
	char pv[64], bn[16];

	if (strlen(name) > FLEET_MAX_NAME) {
		fleet_diag(p->d, false, file, line, "section name is longer than %d bytes",
			   FLEET_MAX_NAME);
		return false;
	}
	if (fleet_name_valid(name, &bad))
		return true;
	fleet_preview(pv, sizeof(pv), name);
	fleet_diag(p->d, false, file, line,
		   "invalid character %s in name '%s'; names may contain letters, digits and ._-@:/",
		   byte_name(bn, sizeof(bn), bad), pv);
	return false;
}

/* Splits "A -> B" into the canonical link name; NULL (reported) if malformed. */
static char *link_name(struct parser *p, const char *file, int line, char *name)
{
	char *arrow = strstr(name, "->");
	char *a, *b;

	if (!arrow) {
		fleet_diag(p->d, false, file, line,
			   "a link is named FROM -> TO, e.g. [link vps-0 -> black]");
		return NULL;
	}
	*arrow = '\0';
	a = str_trim(name);
	b = str_trim(arrow + 2);
	if (!*a || !*b) {
		fleet_diag(p->d, false, file, line,
			   "a link needs both ends: FROM -> TO, e.g. [link vps-0 -> black]");
		return NULL;
	}
	if (!check_name(p, file, line, a) || !check_name(p, file, line, b))
		return NULL;
	return xasprintf("%s -> %s", a, b);
}

static void unknown_kind(struct parser *p, const char *file, int line, const char *kind)
{
	const char *names[SEC__COUNT];
	const char *hint;
	char pv[64];

	for (int i = 0; i < SEC__COUNT; i++)
		names[i] = fleet_kind_name((enum section_kind)i);
	hint = fleet_suggest(kind, names, SEC__COUNT);
	fleet_preview(pv, sizeof(pv), kind);
	if (hint)
		fleet_diag(p->d, false, file, line, "unknown section kind '%s'; did you mean '%s'?",
			   pv, hint);
	else
		fleet_diag(p->d, false, file, line, "unknown section kind '%s'; expected one of: "
			   "fleet, host, service, database, backup, link, runners, key, prometheus", pv);
}

/* The section's name from the header text after the kind; NULL is a valid
 * result only for [fleet]. *ok is false when an error was reported. */
static char *header_name(struct parser *p, const char *file, int line,
			 const struct schema_section *sch, char *rest, bool *ok)
{
	*ok = true;
	if (sch->kind == SEC_LINK) {
		char *n = link_name(p, file, line, rest);
		*ok = n != NULL;
		return n;
	}
	if (!*rest) {
		if (!sch->name_optional) {
			fleet_diag(p->d, false, file, line, "[%s] needs a name, e.g. [%s %s]",
				   sch->name, sch->name, sch->kind == SEC_HOST ? "web-1" : "main");
			*ok = false;
		}
		return NULL;
	}
	if (strstr(rest, "->")) {
		fleet_diag(p->d, false, file, line,
			   "only [link] sections are named FROM -> TO");
		*ok = false;
		return NULL;
	}
	*ok = check_name(p, file, line, rest);
	return *ok ? xstrdup(rest) : NULL;
}

/* Refuses a second [fleet] or a second section of the same kind and name. */
static bool is_duplicate(struct parser *p, const char *file, int line,
			 enum section_kind kind, const char *name)
{
	long i = kind == SEC_FLEET ? p->fleet_sec : sec_index_find(p->ix, p->f->sections, kind, name);
	const struct fleet_section *s;

	if (i < 0)
		return false;
	s = &p->f->sections[i];
	if (kind == SEC_FLEET)
		fleet_diag(p->d, false, file, line,
			   "only one [fleet] section is allowed; the first is at %s:%d", s->file, s->line);
	else
		fleet_diag(p->d, false, file, line, "duplicate section [%s %s]; the first is at %s:%d",
			   fleet_kind_name(kind), name, s->file, s->line);
	return true;
}

static void add_section(struct parser *p, const char *file, int line,
			enum section_kind kind, char *name)
{
	struct fleet *f = p->f;
	struct fleet_section *s;

	if (f->nsections == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 16;
		f->sections = xrealloc(f->sections, p->cap * sizeof(*f->sections));
	}
	s = &f->sections[f->nsections];
	memset(s, 0, sizeof(*s));
	s->kind = kind;
	s->name = name;
	s->file = file;
	s->line = line;
	sec_index_add(p->ix, f->sections, f->nsections);
	if (kind == SEC_FLEET)
		p->fleet_sec = (long)f->nsections;
	p->cur = (long)f->nsections++;
}

static void parse_header(struct parser *p, const char *file, int line, char *s)
{
	const struct schema_section *sch;
	char *close = strchr(s, ']');
	char *inner, *rest, *name;
	size_t klen;
	bool ok;

	p->cur = SKIP_SECTION;
	if (!close) {
		fleet_diag(p->d, false, file, line,
			   "expected ']' at the end of the section header, e.g. [host web-1]");
		return;
	}
	rest = close + 1 + strspn(close + 1, " \t");
	if (*rest && *rest != '#' && *rest != ';') {
		fleet_diag(p->d, false, file, line, "unexpected text after ']'");
		return;
	}
	*close = '\0';
	inner = str_trim(s + 1);
	klen = strcspn(inner, " \t");
	if (klen == 0) {
		fleet_diag(p->d, false, file, line,
			   "empty section header; expected [kind name], e.g. [host web-1]");
		return;
	}
	rest = str_trim(inner + klen);
	inner[klen] = '\0';
	sch = schema_section_by_name(inner);
	if (!sch) {
		unknown_kind(p, file, line, inner);
		return;
	}
	name = header_name(p, file, line, sch, rest, &ok);
	if (!ok)
		return;
	if (is_duplicate(p, file, line, sch->kind, name)) {
		free(name);
		return;
	}
	if (p->f->nsections >= FLEET_MAX_SECTIONS) {
		fleet_diag(p->d, false, file, line, "too many sections (more than %d)",
			   FLEET_MAX_SECTIONS);
		free(name);
		return;
	}
	add_section(p, file, line, sch->kind, name);
}

/* Copies the value after '=' into out: a "quoted" value keeps # and ; and
 * may use \" and \\; otherwise a # or ; at the start or after a blank
 * begins a comment. Returns NULL, or an error message. */
static const char *parse_value(const char *src, char *out)
{
	size_t o = 0;
	const char *q;

	src += strspn(src, " \t");
	if (*src != '"') {
		for (q = src; *q; q++) {
			if ((*q == '#' || *q == ';') && (q == src || q[-1] == ' ' || q[-1] == '\t'))
				break;
			out[o++] = *q;
		}
		out[o] = '\0';
		str_trim(out);   /* src had no leading blanks: this only cuts the tail */
		return NULL;
	}
	for (q = src + 1; *q && *q != '"'; q++) {
		if (*q == '\\' && (q[1] == '"' || q[1] == '\\'))
			q++;
		out[o++] = *q;
	}
	out[o] = '\0';
	if (*q != '"')
		return "missing the closing '\"' of a quoted value";
	q++;
	q += strspn(q, " \t");
	if (*q && *q != '#' && *q != ';')
		return "unexpected text after the closing '\"'";
	return NULL;
}

static bool key_valid(const char *key)
{
	for (const char *k = key; *k; k++)
		if (!((*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z') ||
		      (*k >= '0' && *k <= '9') || *k == '_' || *k == '-'))
			return false;
	return *key != '\0';
}

static bool file_id_in(const struct file_id *v, size_t n, const struct stat *st)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].dev == st->st_dev && v[i].ino == st->st_ino)
			return true;
	return false;
}

static void remember_file(struct parser *p, const struct stat *st)
{
	p->seen = xrealloc(p->seen, (p->nseen + 1) * sizeof(*p->seen));
	p->seen[p->nseen].dev = st->st_dev;
	p->seen[p->nseen++].ino = st->st_ino;
}

/* include = PATH: the file is read as if it stood alone (it starts outside
 * any section), then the including file's open section continues. */
static void parse_include(struct parser *p, const char *file, int line, const char *value)
{
	char *path = path_relative_to(file, value);
	char err[512];
	struct stat st;
	char *buf = NULL;
	size_t len;

	if (p->depth >= FLEET_MAX_DEPTH)
		fleet_diag(p->d, false, file, line, "includes nested more than %d levels deep",
			   FLEET_MAX_DEPTH);
	else if (fleet_read_file(path, true, &buf, &len, &st, err, sizeof(err)) < 0)
		fleet_diag(p->d, false, file, line, "%s", err);
	else if (file_id_in(p->stack, (size_t)p->depth + 1, &st))
		fleet_diag(p->d, false, file, line,
			   "include cycle: %s is already being read", path);
	else if (file_id_in(p->seen, p->nseen, &st))
		fleet_diag(p->d, true, file, line, "%s is already included; ignored", path);
	else {
		remember_file(p, &st);
		p->depth++;
		p->stack[p->depth].dev = st.st_dev;
		p->stack[p->depth].ino = st.st_ino;
		parse_text(p, fleet_intern_file(p->f, path), buf, len);
		p->depth--;
	}
	free(buf);
	free(path);
}

static void add_kv(struct parser *p, const char *file, int line, const char *key,
		   const char *value)
{
	struct fleet_section *s = &p->f->sections[p->cur];
	const struct fleet_kv *old = fleet_section_kv(s, key);
	struct fleet_kv *kv;

	if (old) {
		fleet_diag(p->d, false, file, line, "duplicate key '%s'; it is already set at %s:%d",
			   key, old->file, old->line);
		return;
	}
	if (s->nkv >= FLEET_MAX_KEYS) {
		fleet_diag(p->d, false, file, line, "too many keys in one section (more than %d)",
			   FLEET_MAX_KEYS);
		return;
	}
	if ((s->nkv & (s->nkv - 1)) == 0)   /* grow at 0, 1, 2, 4, 8... */
		s->kv = xrealloc(s->kv, (s->nkv ? s->nkv * 2 : 1) * sizeof(*s->kv));
	kv = &s->kv[s->nkv++];
	kv->key = xstrdup(key);
	kv->value = xstrdup(value);
	kv->file = file;
	kv->line = line;
}

static void parse_assign(struct parser *p, const char *file, int line, char *s)
{
	char value[FLEET_MAX_LINE + 1];
	char *eq = strchr(s, '=');
	const char *key, *err;
	char pv[64];

	if (!eq) {
		fleet_diag(p->d, false, file, line,
			   "expected 'key = value', a [kind name] header or a # comment");
		return;
	}
	*eq = '\0';
	key = str_trim(s);
	fleet_preview(pv, sizeof(pv), key);
	if (!*key) {
		fleet_diag(p->d, false, file, line, "expected a key name before '='");
		return;
	}
	if (!key_valid(key)) {
		fleet_diag(p->d, false, file, line,
			   "invalid key name '%s'; keys are lowercase letters, digits and '_'", pv);
		return;
	}
	if ((err = parse_value(eq + 1, value))) {
		fleet_diag(p->d, false, file, line, "%s: %s", pv, err);
		return;
	}
	if (!*value) {
		fleet_diag(p->d, false, file, line, "%s has no value; expected '%s = VALUE'", pv, pv);
		return;
	}
	if (strcmp(key, "include") == 0) {
		parse_include(p, file, line, value);
		return;
	}
	if (p->cur == NO_SECTION) {
		bool fleet_key = schema_key_any(schema_section(SEC_FLEET), key) != NULL;
		fleet_diag(p->d, false, file, line, "%s is outside of any section; %s", pv,
			   fleet_key ? "put fleet-wide settings under [fleet]"
				     : "keys go under a [kind name] header");
		return;
	}
	if (p->cur != SKIP_SECTION)
		add_kv(p, file, line, key, value);
}

/* One line without its newline; bytes are checked before any parsing. */
static void parse_line(struct parser *p, const char *file, int line, const char *raw, size_t n)
{
	char buf[FLEET_MAX_LINE + 1];
	char *s;

	if (line == 1 && n >= 3 && memcmp(raw, "\xef\xbb\xbf", 3) == 0) {
		raw += 3;   /* a UTF-8 byte order mark from a Windows editor */
		n -= 3;
	}
	if (n > 0 && raw[n - 1] == '\r')
		n--;
	if (n > FLEET_MAX_LINE) {
		fleet_diag(p->d, false, file, line, "line is longer than %d bytes", FLEET_MAX_LINE);
		return;
	}
	if (memchr(raw, '\0', n)) {
		fleet_diag(p->d, false, file, line, "line contains a NUL byte; is this a text file?");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)raw[i];
		if ((c < 0x20 && c != '\t') || c == 0x7f) {
			fleet_diag(p->d, false, file, line, "line contains the control character 0x%02x",
				   c);
			return;
		}
	}
	memcpy(buf, raw, n);
	buf[n] = '\0';
	s = str_trim(buf);
	if (!*s || *s == '#' || *s == ';')
		return;
	if (*s == '[')
		parse_header(p, file, line, s);
	else
		parse_assign(p, file, line, s);
}

static void parse_text(struct parser *p, const char *file, const char *text, size_t len)
{
	long saved = p->cur;
	size_t pos = 0;
	int line = 0;

	p->cur = NO_SECTION;
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;

		parse_line(p, file, ++line, text + pos, end - pos);
		pos = end + 1;
	}
	p->cur = saved;
}

void fleet_parse(struct fleet *f, struct fleet_diags *d, struct sec_index *ix,
		 const char *name, const char *text, size_t len, const struct stat *top)
{
	struct parser p = {
		.f = f, .d = d, .ix = ix, .cap = f->nsections, .cur = NO_SECTION, .fleet_sec = -1,
	};

	if (top) {
		p.stack[0].dev = top->st_dev;
		p.stack[0].ino = top->st_ino;
		remember_file(&p, top);
	}
	parse_text(&p, name, text, len);
	free(p.seen);
}
