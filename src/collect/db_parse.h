/* The statistics row of a PostgreSQL server (collect/databases.c's query),
 * as libpq hands it over: text values, NULL for SQL NULL. A pure function,
 * so the unit tests and the fuzz target drive it without a server. Every
 * number is range-checked (collect/plausible.h): an implausible one leaves
 * its valid bit clear and is named in s->implausible. */
#ifndef FLEETDECK_DB_PARSE_H
#define FLEETDECK_DB_PARSE_H

#include "model/model.h"

/* The columns, in the query's order. */
enum db_col {
	DBC_RECOVERY, DBC_CONNECTIONS, DBC_MAX_CONNECTIONS, DBC_LAG_S, DBC_LAG_BYTES,
	DBC_REPLICAS, DBC_XACT_S, DBC_LOCKS, DBC_SIZE, DBC_ARCHIVE_MODE,
	DBC_ARCHIVED_COUNT, DBC_LAST_WAL, DBC_LAST_ARCHIVED_AT, DBC_FAILED_COUNT,
	DBC_LAST_FAILED_AT, DBC__COUNT
};

/* Fills s's statistics from col[] (valid bits set for what was read, the
 * rest cleared; latency, version and connection state are the caller's). */
void db_parse_row(const char *const col[DBC__COUNT], struct db_sample *s);

#endif
