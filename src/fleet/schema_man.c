#include "config.h"
#include "fleet/fleet.h"
#include "fleet/schema.h"

#include <stdio.h>
#include <string.h>

/* Writes text for man(7): backslashes and minus signs escaped, and a
 * leading dot or quote made harmless. */
static void man_text(FILE *fp, const char *s)
{
	if (*s == '.' || *s == '\'')
		fputs("\\&", fp);
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\e", fp);
		else if (*s == '-')
			fputs("\\-", fp);
		else
			fputc(*s, fp);
	}
}

/* "one of: a, b, c" from a space-separated choice list. */
static void man_choices(FILE *fp, const char *choices)
{
	fputs("one of: ", fp);
	for (const char *p = choices; *p; ) {
		size_t len = strcspn(p, " ");
		char word[64];

		snprintf(word, sizeof(word), "%.*s", (int)len, p);
		man_text(fp, word);
		p += len;
		p += strspn(p, " ");
		if (*p)
			fputs(", ", fp);
	}
}

static void man_key(FILE *fp, const struct schema_key *k)
{
	fputs(".TP\n.B ", fp);
	man_text(fp, k->name);
	fputc('\n', fp);
	if (k->type == ST_ENUM)
		man_choices(fp, k->choices);
	else
		man_text(fp, schema_type_name(k->type));
	if (k->flags & SK_REQUIRED)
		fputs("; required", fp);
	if (k->def) {
		fputs("; default: ", fp);
		man_text(fp, k->def);
	} else if (k->def_doc) {
		fputs("; default: ", fp);
		man_text(fp, k->def_doc);
	}
	fputs(".\n", fp);
	man_text(fp, k->help);
	fputc('\n', fp);
}

static void man_keys_for(FILE *fp, const struct schema_section *s, const char *variant)
{
	for (size_t i = 0; i < s->nkeys; i++) {
		const struct schema_key *k = &s->keys[i];
		if (variant ? schema_word_in(k->only, variant) : !k->only)
			man_key(fp, k);
	}
}

/* Per-variant keys, grouped under "Keys for source = restic:". */
static void man_variants(FILE *fp, const struct schema_section *s)
{
	const struct schema_key *vk = schema_key_any(s, s->variant);
	const char *p = vk ? vk->choices : NULL;

	while (p && *p) {
		size_t len = strcspn(p, " ");
		char word[64];
		bool any = false;

		snprintf(word, sizeof(word), "%.*s", (int)len, p);
		for (size_t i = 0; i < s->nkeys; i++)
			any |= schema_word_in(s->keys[i].only, word);
		if (any) {
			fputs(".PP\nKeys for\n.BR \"", fp);
			man_text(fp, s->variant);
			fputs(" = ", fp);
			man_text(fp, word);
			fputs("\" :\n", fp);
			man_keys_for(fp, s, word);
		}
		p += len;
		p += strspn(p, " ");
	}
}

void fleet_schema_print_man(FILE *fp)
{
	for (int kind = 0; kind < SEC__COUNT; kind++) {
		const struct schema_section *s = schema_section((enum section_kind)kind);

		fputs(".SS \"[", fp);
		man_text(fp, s->name);
		man_text(fp, kind == SEC_LINK ? " FROM -> TO]" : " NAME]");
		fputs("\"\n", fp);
		man_text(fp, s->help);
		fputc('\n', fp);
		man_keys_for(fp, s, NULL);
		if (s->variant)
			man_variants(fp, s);
	}
}
