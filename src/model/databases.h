/* Model: [database] and [backup] (issue: PostgreSQL health and backup RPO). */
#ifndef FLEETDECK_MODEL_DATABASES_H
#define FLEETDECK_MODEL_DATABASES_H

#include <stdbool.h>
#include <stdint.h>

struct db_sample {
	bool collected;
	double sampled_at;
	bool up;
	char error[256];
	unsigned valid;              /* per-field bits, defined by the collector */
	char version[32];
	bool in_recovery;
	int connections, max_connections;
	double replication_lag_s;
	uint64_t replication_lag_bytes;
	double longest_xact_s;
	int waiting_locks;
	uint64_t size;
	double archiver_last_archived_at;
	uint64_t archiver_failed_count;
	double archiver_last_failed_at;
};

struct backup_sample {
	bool collected;
	double sampled_at;
	bool known;                  /* false: the source could not be read */
	char error[256];
	double last_at;              /* Unix time of the newest good backup */
	bool has_size;
	uint64_t size;
	char warning[256];           /* e.g. archiver failures */
};

#endif
