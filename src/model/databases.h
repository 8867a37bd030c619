/* Model: [database] and [backup] (issue: PostgreSQL health and backup RPO). */
#ifndef FLEETDECK_MODEL_DATABASES_H
#define FLEETDECK_MODEL_DATABASES_H

#include <stdbool.h>
#include <stdint.h>

/* db_sample.valid bits: a value not collected is never shown as zero. */
enum db_valid {
	DBV_VERSION     = 1u << 0,
	DBV_RECOVERY    = 1u << 1,
	DBV_CONNECTIONS = 1u << 2,   /* connections and max_connections */
	DBV_LAG_S       = 1u << 3,
	DBV_LAG_BYTES   = 1u << 4,
	DBV_XACT        = 1u << 5,   /* longest transaction age */
	DBV_LOCKS       = 1u << 6,
	DBV_SIZE        = 1u << 7,
	DBV_ARCHIVER    = 1u << 8,   /* pg_stat_archiver read (times may still be 0 = never) */
	DBV_LATENCY     = 1u << 9,
};

/* Why a database is down. */
enum db_fail {
	DBF_NONE = 0,
	DBF_CONNECT,                 /* refused, timed out, tunnel failed */
	DBF_AUTH,                    /* credentials refused: long backoff */
	DBF_QUERY,                   /* connected, but the statistics query failed */
	DBF_CONFIG,                  /* the DSN or password file is unusable */
	DBF_SOURCE,                  /* read through a [prometheus] source that cannot tell */
};

struct db_sample {
	bool collected;              /* at least one attempt finished */
	double sampled_at;           /* wall time of the newest good sample, 0 = never */
	double attempted_at;         /* wall time the newest attempt ended */
	double interval;             /* seconds between polls */
	bool up;
	enum db_fail fail;
	char error[256];             /* why it is down, sanitized, never a password */
	unsigned valid;              /* enum db_valid bits */
	char version[32];
	char dsn[192];               /* the DSN as shown: password masked */
	char via[64];                /* "tunnel through black", or "" */
	bool in_recovery;
	int connections, max_connections;
	double replication_lag_s;
	uint64_t replication_lag_bytes;
	int replicas;                /* rows of pg_stat_replication (primaries) */
	double longest_xact_s;
	int waiting_locks;
	uint64_t size;
	double latency_ms;           /* the statistics query's round trip */
	char archive_mode[8];        /* "on" "off" "always" */
	double archiver_last_archived_at;   /* 0: never archived */
	uint64_t archiver_archived_count;
	uint64_t archiver_failed_count;
	double archiver_last_failed_at;     /* 0: never failed */
	char archiver_last_wal[64];
	char implausible[160];       /* values refused (collect/plausible.h), "" if none */
	/* A row past the fleet file's [database]s (DOM_DATABASE index >=
	 * fleet_count(f, SEC_DATABASE)) is a PostgreSQL server found at run
	 * time through a [prometheus] section's postgres key
	 * (collect/prom_postgres.h); it is named here. name "" there: no row
	 * (a target gone, a slot not used yet). Both "" for a [database]. */
	char name[128];              /* the exporter target (host_label value), sanitized */
	char host[128];              /* the fleet host it is on, "" none */
	int prometheus;              /* the [prometheus] section's index + 1, 0: a [database] */
};

/* Not polled yet, or read through a source that cannot tell (a
 * postgres_exporter Prometheus cannot scrape): neither up nor down. */
static inline bool db_sample_unknown(const struct db_sample *d)
{
	return !d->collected || (!d->up && d->fail == DBF_SOURCE);
}

struct backup_sample {
	bool collected;              /* at least one attempt finished */
	double sampled_at;           /* wall time of the newest attempt that read the source */
	double attempted_at;
	double interval;             /* seconds between polls */
	bool known;                  /* false: the source could not be read */
	char error[256];             /* why it is unknown */
	double last_at;              /* Unix time of the newest good backup, 0 = none */
	bool has_size;
	uint64_t size;
	char item[128];              /* what the newest is: snapshot id, file name, label */
	int count;                   /* backups/snapshots/files seen, -1 unknown */
	char failure[256];           /* the newest attempt failed (zero-byte file, ...) */
	char warning[256];           /* e.g. archiver failures */
};

#endif
