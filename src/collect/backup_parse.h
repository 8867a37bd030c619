/* Parsers for what the backup sources print, and the DSN mask: pure
 * functions (no I/O), so unit tests and fuzz targets drive them directly.
 *
 * Each backup_parse_* fills out->last_at/size/item/count/failure and sets
 * out->known; on input it cannot use it returns -1 with out->error saying
 * why (sanitized: remote text never carries terminal escapes). */
#ifndef FLEETDECK_BACKUP_PARSE_H
#define FLEETDECK_BACKUP_PARSE_H

#include <stddef.h>
#include "model/databases.h"

/* An epoch ("1716200000", "1716200000.5") or an ISO-8601 / RFC 3339 time
 * ("2024-05-20T10:00:00Z", "2024-05-20 10:00:00.123+02:00"; no zone = UTC),
 * surrounding white space allowed. 0 and *t, or -1. */
int backup_parse_time(const char *s, double *t);

/* `restic snapshots --json`: the newest snapshot (that has tag / path when
 * given, NULL = any). */
int backup_parse_restic(const char *json, size_t len, const char *tag, const char *path,
			struct backup_sample *out);
/* `pgbackrest info --output=json`: the newest backup's stop time in stanza. */
int backup_parse_pgbackrest(const char *json, size_t len, const char *stanza,
			    struct backup_sample *out);
/* The file source's script output (see backups.c): "newest MTIME SIZE COUNT",
 * "good MTIME SIZE", "name NAME". */
int backup_parse_file(const char *text, struct backup_sample *out);
/* The command source: the first line is the time. */
int backup_parse_command(const char *text, struct backup_sample *out);

/* Copies a DSN for display with any password replaced by "****"
 * (conninfo password=..., URI user:password@ and ?password=...). */
void db_dsn_mask(const char *dsn, char *out, size_t len);

#endif
