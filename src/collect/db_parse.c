#include "config.h"
#include "collect/db_parse.h"
#include "collect/plausible.h"
#include "util/util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define NOTE(s) (s)->implausible, sizeof((s)->implausible)

/* A number as PostgreSQL prints it (integers, numeric, float8 text), whole;
 * false for NULL or anything else. */
static bool num(const char *text, double *out)
{
	char *end;
	double v;

	if (!text || !*text)
		return false;
	errno = 0;
	v = strtod(text, &end);
	if (end == text || *end || errno == ERANGE)
		return false;
	*out = v;
	return true;
}

/* col as a number of kind k: true and *out when plausible; a value that is
 * there but not a plausible number is named in the note. */
static bool col_num(const char *text, enum plaus k, const char *field, double *out,
		    struct db_sample *s)
{
	double v;

	if (!text)
		return false;
	if (!num(text, &v)) {
		plausible_note_text(k, text, strlen(text), field, NOTE(s));
		return false;
	}
	/* a replica's lag from its own clock: a hair below zero is zero */
	if (k == P_SECONDS && v < 0 && v > -1)
		v = 0;
	if (!plausible_check(k, v, field, NOTE(s)))
		return false;
	*out = v;
	return true;
}

void db_parse_row(const char *const col[DBC__COUNT], struct db_sample *s)
{
	double a, b;

	s->valid &= DBV_LATENCY | DBV_VERSION;
	s->implausible[0] = '\0';
	if (col[DBC_RECOVERY]) {
		s->in_recovery = col[DBC_RECOVERY][0] == 't';
		s->valid |= DBV_RECOVERY;
	}
	if (col_num(col[DBC_CONNECTIONS], P_COUNT, "connections", &a, s) &&
	    col_num(col[DBC_MAX_CONNECTIONS], P_COUNT, "max_connections", &b, s)) {
		s->connections = (int)a;
		s->max_connections = (int)b;
		s->valid |= DBV_CONNECTIONS;
	}
	if (col_num(col[DBC_LAG_S], P_SECONDS, "replication lag (s)", &a, s)) {
		s->replication_lag_s = a;
		s->valid |= DBV_LAG_S;
	}
	if (col_num(col[DBC_LAG_BYTES], P_BYTES, "replication lag (bytes)", &a, s)) {
		s->replication_lag_bytes = (uint64_t)a;
		s->valid |= DBV_LAG_BYTES;
	}
	s->replicas = col_num(col[DBC_REPLICAS], P_COUNT, "replicas", &a, s) ? (int)a : 0;
	/* no open transaction (NULL): 0 s, which is true */
	s->longest_xact_s = 0;
	if (!col[DBC_XACT_S] || col_num(col[DBC_XACT_S], P_SECONDS, "longest transaction (s)", &a, s)) {
		s->longest_xact_s = col[DBC_XACT_S] ? a : 0;
		s->valid |= DBV_XACT;
	}
	if (col_num(col[DBC_LOCKS], P_COUNT, "waiting locks", &a, s)) {
		s->waiting_locks = (int)a;
		s->valid |= DBV_LOCKS;
	}
	if (col_num(col[DBC_SIZE], P_BYTES, "database size", &a, s)) {
		s->size = (uint64_t)a;
		s->valid |= DBV_SIZE;
	}
	str_copy(s->archive_mode, col[DBC_ARCHIVE_MODE] ? col[DBC_ARCHIVE_MODE] : "",
		 sizeof(s->archive_mode));
	str_sanitize(s->archive_mode);
	if (col_num(col[DBC_ARCHIVED_COUNT], P_COUNTER, "archived_count", &a, s)) {
		s->archiver_archived_count = (uint64_t)a;
		str_copy(s->archiver_last_wal, col[DBC_LAST_WAL] ? col[DBC_LAST_WAL] : "",
			 sizeof(s->archiver_last_wal));
		str_sanitize(s->archiver_last_wal);
		s->archiver_last_archived_at = col_num(col[DBC_LAST_ARCHIVED_AT], P_EPOCH,
						       "last_archived_time", &b, s) ? b : 0;
		s->archiver_failed_count = col_num(col[DBC_FAILED_COUNT], P_COUNTER,
						   "failed_count", &b, s) ? (uint64_t)b : 0;
		s->archiver_last_failed_at = col_num(col[DBC_LAST_FAILED_AT], P_EPOCH,
						     "last_failed_time", &b, s) ? b : 0;
		s->valid |= DBV_ARCHIVER;
	}
}
