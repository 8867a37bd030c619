/* The fleet file (fleetdeck.fleet(5)) parsed into plain structs.
 *
 * Every section of every kind is kept as a generic section (key/value pairs
 * with their file:line) so later features can read them; the kinds that have
 * behaviour today also get a typed struct (fleet, host). Parsing never exits:
 * problems are collected as diagnostics, each with file:line and a message a
 * user can act on. */
#ifndef FLEETDECK_FLEET_H
#define FLEETDECK_FLEET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum section_kind {
	SEC_FLEET, SEC_HOST, SEC_SERVICE, SEC_DATABASE, SEC_BACKUP,
	SEC_LINK, SEC_RUNNERS, SEC_KEY, SEC_PROMETHEUS,
	SEC__COUNT
};

enum host_key_policy { HKP_STRICT, HKP_ACCEPT_NEW };
enum containers_mode { CONT_AUTO, CONT_DOCKER, CONT_PODMAN, CONT_NONE };
enum gpus_mode { GPUS_AUTO, GPUS_NVIDIA, GPUS_HTTP_JSON, GPUS_NONE };

struct fleet_kv {
	char *key;
	char *value;       /* as written, trimmed, comment removed */
	const char *file;  /* points into fleet.files */
	int line;
};

struct fleet_section {
	enum section_kind kind;
	char *name;        /* for links: "A -> B" */
	const char *file;  /* points into fleet.files */
	int line;
	struct fleet_kv *kv;
	size_t nkv;
	/* > 0: not written in a file: a database found at run time through
	 * the [prometheus] section of index prometheus - 1 (a postgres_exporter
	 * target: collect/prom_postgres.h), made for a reader by db_row_section()
	 * (domain/domain.h); 0: from the fleet file */
	int prometheus;
};

/* Thresholds for host rules; fleet-wide in [fleet], overridable per [host]. */
struct fleet_thresholds {
	double psi_warn;      /* memory PSI some avg10, default 10 */
	double psi_crit;      /* default 40 */
	double disk_warn;     /* percent used, default 90 */
	double disk_crit;     /* default 95 */
	double oom_hold;      /* seconds a new OOM kill stays crit, default 600 */
};

#define FLEET_MAX_DISKS 8

struct fleet_host {
	char *name;
	char *ssh;            /* as written (default: the name) */
	bool local;           /* ssh = local, or the built-in default */
	char *user;           /* from [user@]address[:port], NULL if not given */
	char *address;        /* address or ssh-config alias */
	int port;             /* 0 if not given */
	char *jump;           /* name of another [host], or NULL */
	int jump_index;       /* index into fleet.hosts, -1 if none */
	char *identity_file;  /* expanded path, or NULL */
	char *role;           /* free text, or NULL */
	int64_t ram_reserve;  /* bytes, -1 if not set */
	enum containers_mode containers;
	enum gpus_mode gpus;
	char *disks[FLEET_MAX_DISKS];  /* mount points, default "/" */
	int ndisks;
	double interval;      /* seconds; already defaulted from the fleet */
	double timeout;       /* seconds; already defaulted from the fleet */
	struct fleet_thresholds th;    /* already merged with the fleet's */
	const struct fleet_section *sec;
	/* Index of the [prometheus] section this host was discovered from (its
	 * metrics come from there, never over SSH; sec is that section), or -1
	 * for a [host]. See doc/prometheus.md. */
	int prometheus;
};

struct fleet {
	char *name;           /* [fleet NAME], or the file's base name, or "localhost" */
	char *path;           /* the top fleet file, NULL for the built-in default */
	double interval;      /* default 2 */
	double timeout;       /* default 5 */
	char *known_hosts;    /* expanded, default ~/.ssh/known_hosts */
	/* known_hosts is written in [fleet]: it alone is used; otherwise the
	 * known_hosts files of ssh_config are (collect/knownhosts.h) */
	bool known_hosts_set;
	enum host_key_policy host_key_policy;
	char *audit_log;      /* expanded, default $XDG_STATE_HOME/fleetdeck/audit.log */
	bool read_only;
	struct fleet_thresholds th;

	struct fleet_host *hosts;
	size_t nhosts;

	struct fleet_section *sections;  /* every section of every kind, in file order */
	size_t nsections;
	/* fleet_nth()'s index: the sections of each kind in order (built when
	 * a file is loaded; valid while nsections == indexed) */
	size_t *by_kind[SEC__COUNT];
	size_t nby_kind[SEC__COUNT];
	size_t indexed;

	char **files;         /* every file read (top file and includes), owned */
	size_t nfiles;
};

struct fleet_diag {
	char *file;           /* NULL when not about a file */
	int line;             /* 0 when not about a line */
	bool warning;         /* warnings do not make the file invalid */
	char *msg;
};

struct fleet_diags {
	struct fleet_diag *v;
	size_t n;
	size_t nerrors;
};

/* Parses path (with includes) into *out, adding every problem to *diags.
 * Returns 0 when there were no errors (warnings allowed), -1 otherwise; *out
 * is always initialised and must be freed with fleet_free(). */
int fleet_load(const char *path, struct fleet *out, struct fleet_diags *diags);

/* Parses an in-memory buffer as if it were the file `name` (used by tests and
 * the fuzz target; include is resolved relative to name). */
int fleet_load_buffer(const char *name, const char *text, size_t len,
		      struct fleet *out, struct fleet_diags *diags);

/* The built-in default fleet: this machine alone, local collectors. */
void fleet_default(struct fleet *out);

void fleet_free(struct fleet *f);

/* Prints diagnostics as "file:line: error: msg", one a line. */
void fleet_diags_print(FILE *fp, const struct fleet_diags *d);
void fleet_diags_free(struct fleet_diags *d);

/* Lookup helpers for the generic sections. */
const char *fleet_section_get(const struct fleet_section *s, const char *key);
const struct fleet_section *fleet_find_section(const struct fleet *f,
					       enum section_kind kind, const char *name);
int fleet_host_index(const struct fleet *f, const char *name);
/* The [host] a section's commands run on: its `host` key, else this machine
 * when the fleet has it as a [host] (ssh = local); -1 if neither. */
int fleet_command_host(const struct fleet *f, const struct fleet_section *s);

/* An integer key's value (the schema's default when absent), or dflt when
 * neither is a whole number. */
int fleet_section_int(const struct fleet_section *s, const char *key, int dflt);

/* A duration key's value in seconds (the schema's default when the key is
 * absent), or dflt when neither gives a positive duration. */
double fleet_section_duration(const struct fleet_section *s, const char *key, double dflt);

/* Sections of one kind in file order: the model's domain arrays follow it. */
size_t fleet_count(const struct fleet *f, enum section_kind kind);
const struct fleet_section *fleet_nth(const struct fleet *f, enum section_kind kind, size_t i);
const char *fleet_kind_name(enum section_kind kind);

/* Resolves the fleet file per fleetdeck(1): -c, $FLEETDECK_CONFIG,
 * $XDG_CONFIG_HOME/fleetdeck/fleet.conf, ~/.config/fleetdeck/fleet.conf.
 * Returns a malloc'd path, or NULL for the built-in default. */
char *fleet_resolve_path(const char *cli_path);

/* Reads a secret named by a *_file key (after the permission check) or by
 * env:NAME. Returns malloc'd text without a trailing newline, or NULL with a
 * message in err. Secrets are never logged. */
char *fleet_read_secret(const char *value, char *err, size_t errlen);
/* Takes every env:NAME the fleet names out of the environment (kept for
 * fleet_read_secret()), so that no child fleetdeck starts (local shell,
 * ssh, actions' commands) inherits a secret. Call once, before any thread
 * or child starts. */
void fleet_hide_env_secrets(const struct fleet *f);

/* Writes the fleetdeck.fleet(5) key reference (generated from the schema
 * table) in man(7) format; used to keep the man page true. */
void fleet_schema_print_man(FILE *fp);

/* Additions by the fleet area (implemented in src/fleet/fleet.c). */

/* The kv of key in s, or NULL. */
const struct fleet_kv *fleet_section_kv(const struct fleet_section *s, const char *key);
/* The value of key, else the schema's default for it (for the section's
 * source/provider), else NULL: collectors need not repeat defaults. */
const char *fleet_section_value(const struct fleet_section *s, const char *key);
/* A path-valued key resolved as the validator does: ~ expanded, a relative
 * path taken relative to the file that set it; env:NAME returned as is.
 * malloc'd; NULL when the key is not set. Pass the result to
 * fleet_read_secret() for *_file keys. */
char *fleet_section_path(const struct fleet_section *s, const char *key);
/* Splits a list value (words separated by spaces or commas) into a
 * malloc'd, NULL-terminated vector; *n (if not NULL) gets the count. */
char **fleet_list_split(const char *value, size_t *n);
void fleet_list_free(char **v);

#endif
