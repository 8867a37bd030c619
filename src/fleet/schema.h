/* The fleet file's schema: one table (schema.c) describes every section kind
 * and every key. The parser, the validator, the "did you mean" hints, the
 * defaults handed to collectors and the key reference of fleetdeck.fleet(5)
 * are all driven by it, so adding a key is adding one row. */
#ifndef FLEETDECK_FLEET_SCHEMA_H
#define FLEETDECK_FLEET_SCHEMA_H

#include "fleet/fleet.h"

enum schema_type {
	ST_STRING,        /* free text */
	ST_COMMAND,       /* a shell command line, run over SSH or locally */
	ST_TEMPLATE,      /* a command with {count} in it */
	ST_DURATION,      /* 250ms 2s 15m 1h 1d 90d */
	ST_SIZE,          /* IEC: 512K 512M 2G; a plain number is bytes */
	ST_BOOL,          /* yes/no true/false on/off */
	ST_PERCENT,       /* 0-100, with or without % */
	ST_NUMBER,        /* a whole number >= 0 */
	ST_PORT,          /* 1-65535 */
	ST_ENUM,          /* one of the key's choices */
	ST_PATH,          /* a local file fleetdeck reads; ~ expanded */
	ST_OUT_PATH,      /* a local file fleetdeck writes; ~ expanded */
	ST_SECRET_FILE,   /* a local secret file (mode 600) or env:NAME */
	ST_REMOTE_PATH,   /* a path or glob on a remote host: never checked here */
	ST_HOST,          /* the name of a [host] */
	ST_HOST_LIST,     /* names of [host]s */
	ST_DATABASE,      /* the name of a [database] */
	ST_TARGET,        /* the name of a [database] or a [host] */
	ST_URL,           /* http(s)://HOST/..., no password inside */
	ST_DSN,           /* libpq conninfo or URI, no password inside */
	ST_LIST,          /* words separated by spaces or commas */
	ST_MOUNT_LIST,    /* absolute mount points, at most FLEET_MAX_DISKS */
	ST_SSH,           /* local, or [user@]address[:port] */
	ST_CHECK,         /* http(s)://... or tcp HOST:PORT */
	ST_RUNNER_STATUS, /* none | forgejo URL [token_file=P] | github O/R [token_file=P] */
	ST_FIELD_MAP,     /* FIELD=/json/pointer ... */
	ST__COUNT
};

#define SK_REQUIRED 0x1   /* must be set (when it applies to the section's variant) */
#define SK_NONZERO  0x2   /* a duration or number that must be > 0 */

struct schema_key {
	const char *name;
	enum schema_type type;
	unsigned flags;
	const char *def;      /* the default as a value, or NULL */
	const char *def_doc;  /* the default in words when it is not a plain value */
	const char *choices;  /* ST_ENUM: the allowed values, space-separated */
	const char *only;     /* the variant values this key belongs to, space-separated; NULL: all */
	const char *help;
};

struct schema_section {
	enum section_kind kind;
	const char *name;     /* "host" */
	const char *variant;  /* key whose value selects per-variant keys ("source"), or NULL */
	bool name_optional;   /* [fleet] may have no name */
	const char *help;
	const struct schema_key *keys;
	size_t nkeys;
};

const struct schema_section *schema_section(enum section_kind kind);
/* NULL when name is not a section kind. */
const struct schema_section *schema_section_by_name(const char *name);

/* The first row named key, or NULL. */
const struct schema_key *schema_key_any(const struct schema_section *s, const char *key);
/* The row named key that applies to the variant value (NULL variant: any row). */
const struct schema_key *schema_key_find(const struct schema_section *s, const char *key,
					 const char *variant);
bool schema_key_applies(const struct schema_key *k, const char *variant);
/* Whether word is one of the space-separated words in list. */
bool schema_word_in(const char *list, const char *word);

/* "a duration such as 250ms, 2s, 15m or 1h": what a value of the type looks like. */
const char *schema_type_expect(enum schema_type t);
/* "duration": the type's short name for the man page. */
const char *schema_type_name(enum schema_type t);

#endif
