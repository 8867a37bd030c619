/* Shared by the fleet file's parser (parse.c), validator (validate.c),
 * secrets (secret.c) and helpers (fleet.c); not part of the interface. */
#ifndef FLEETDECK_FLEET_INTERNAL_H
#define FLEETDECK_FLEET_INTERNAL_H

#include "fleet/fleet.h"
#include "fleet/schema.h"

#include <sys/stat.h>

#define FLEET_MAX_LINE 4096           /* bytes in one line, CR and LF excluded */
#define FLEET_MAX_DEPTH 8             /* nested includes */
#define FLEET_MAX_BYTES (1024 * 1024) /* one file */
#define FLEET_MAX_SECTIONS 10000
#define FLEET_MAX_KEYS 128            /* keys in one section */
#define FLEET_MAX_NAME 128            /* bytes in a section name */
#define FLEET_MAX_DIAGS 200           /* kept; later ones are only counted */

/* Section lookup by (kind, name) in O(1): the parser fills it, the validator
 * resolves references with it. Slots hold section index + 1, 0 = empty. */
struct sec_index {
	size_t *slot;
	size_t cap;
	size_t n;
};

void sec_index_add(struct sec_index *ix, const struct fleet_section *secs, size_t i);
/* The index of the section, or -1. */
long sec_index_find(const struct sec_index *ix, const struct fleet_section *secs,
		    enum section_kind kind, const char *name);
void sec_index_free(struct sec_index *ix);

void fleet_diag(struct fleet_diags *d, bool warning, const char *file, int line,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* The closest candidate (edit distance <= 2, or word a unique prefix), or NULL. */
const char *fleet_suggest(const char *word, const char *const *cands, size_t n);

/* A short, printable copy of a user's value for a message. */
void fleet_preview(char *buf, size_t size, const char *value);

/* Whether s is a valid section name (letters, digits, ._-@:/); *bad gets
 * the first offending byte. */
bool fleet_name_valid(const char *s, unsigned char *bad);

/* Resolves a path value relative to the directory of file, ~ expanded;
 * env:NAME is returned as is. The result is malloc'd. */
char *fleet_kv_path(const char *file, const char *value);

/* Parses text as the file name (already interned in f->files) into f's
 * sections. top (may be NULL) identifies the file on disk, for cycles. */
void fleet_parse(struct fleet *f, struct fleet_diags *d, struct sec_index *ix,
		 const char *name, const char *text, size_t len, const struct stat *top);

/* Type checks, references and the typed structs (f->hosts, fleet fields). */
void fleet_validate(struct fleet *f, struct fleet_diags *d, const struct sec_index *ix);

/* Checks a secret file value (env:NAME or a path) named by kv: an unset
 * variable or a missing file is a warning, a file others can read an error. */
void fleet_secret_check(struct fleet_diags *d, const struct fleet_kv *kv, const char *value);

/* Fills user/address/port/local of h from an ssh value. Returns 0, or -1
 * with a message in err. */
int fleet_ssh_parse(const char *ssh, struct fleet_host *h, char *err, size_t errlen);

/* Sets f's fleet-wide fields from the [fleet] section s (NULL: defaults). */
void fleet_set_fleet(struct fleet *f, const struct fleet_section *s);

/* Reads a whole file of at most FLEET_MAX_BYTES into a malloc'd *buf.
 * regular_only refuses FIFOs and devices. Returns 0, or -1 with err set. */
int fleet_read_file(const char *path, bool regular_only, char **buf, size_t *len,
		    struct stat *st, char *err, size_t errlen);

/* Adds path to f->files (unless there) and returns the owned copy. */
const char *fleet_intern_file(struct fleet *f, const char *path);

#endif
