#include "config.h"
#include "out/flat.h"
#include "util/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Adding a number to the exports is one row below. Names follow the
 * Prometheus conventions: base units (seconds, bytes), ratios 0..1 instead
 * of percent, and gauges only (a counter's OpenMetrics "_total" sample name
 * differs from its family name, which the classic text format and promtool
 * read as two families; the few cumulative numbers here are gauges whose
 * HELP says so). */

enum { K_HOST, K_CONTAINER, K_GPU, K_DISK, K_SERVICE, K_DATABASE, K_BACKUP, K_LINK,
       K_RUNNERS, K_KEY };

const struct flat_kind flat_kinds[] = {
	[K_HOST]      = { "host", "hosts", -1, { "host" }, { "name" } },
	[K_CONTAINER] = { "container", "containers", K_HOST, { "container" }, { "name" } },
	[K_GPU]       = { "gpu", "gpus", K_HOST, { "gpu" }, { "index" } },
	[K_DISK]      = { "disk", "disks", K_HOST, { "mount" }, { "mount" }, ":" },
	[K_SERVICE]   = { "service", "services", -1, { "service" }, { "name" } },
	[K_DATABASE]  = { "database", "databases", -1, { "database" }, { "name" } },
	[K_BACKUP]    = { "backup", "backups", -1, { "backup" }, { "name" } },
	[K_LINK]      = { "link", "links", -1, { "from", "to" }, { "from", "to" }, "->" },
	[K_RUNNERS]   = { "runners", "runners", -1, { "runners" }, { "name" } },
	[K_KEY]       = { "key", "keys", -1, { "key" }, { "name" } },
};
const size_t flat_nkinds = ARRAY_LEN(flat_kinds);

const char *const flat_statuses[4] = { "ok", "warn", "crit", "unknown" };

#define PCT 0.01
#define MS 0.001
#define F(k, name, unit, field, scale, how, help) \
	{ k, "fleetdeck_" name, unit, field, scale, how, help, NULL }

const struct flat_family flat_families[] = {
	F(K_HOST, "host_status", "", "status", 1, FH_STATUS, "Status of the host (1 for the current one): ok, warn, crit or unknown (stale counts unknown)."),
	F(K_HOST, "host_up", "", "reachable", 1, FH_BOOL, "1 when the host answered its last probe over SSH (or locally)."),
	F(K_HOST, "host_sampled_timestamp_seconds", "seconds", "sampled_at", 1, FH_NUMBER, "Unix time of the host's newest good sample."),
	F(K_HOST, "host_latency_seconds", "seconds", "latency_ms", MS, FH_NUMBER, "Round trip of the last probe request."),
	{ K_HOST, "fleetdeck_host_load1", "", "load.0", 1, FH_NUMBER, "Load average over 1 minute.", "load1" },
	{ K_HOST, "fleetdeck_host_load5", "", "load.1", 1, FH_NUMBER, "Load average over 5 minutes.", "load5" },
	{ K_HOST, "fleetdeck_host_load15", "", "load.2", 1, FH_NUMBER, "Load average over 15 minutes.", "load15" },
	F(K_HOST, "host_cpu_busy_ratio", "ratio", "cpu_pct", PCT, FH_NUMBER, "Share of CPU time busy since the previous probe (/proc/stat deltas)."),
	F(K_HOST, "host_cores", "", "cores", 1, FH_NUMBER, "CPU cores."),
	F(K_HOST, "host_memory_total_bytes", "bytes", "mem_total", 1, FH_NUMBER, "MemTotal."),
	F(K_HOST, "host_memory_available_bytes", "bytes", "mem_available", 1, FH_NUMBER, "MemAvailable."),
	F(K_HOST, "host_memory_reserve_bytes", "bytes", "ram_reserve", 1, FH_NUMBER, "Free memory that must stay available (ram_reserve)."),
	F(K_HOST, "host_swap_used_bytes", "bytes", "swap_used", 1, FH_NUMBER, "Swap in use."),
	F(K_HOST, "host_memory_pressure_some_ratio", "ratio", "psi_mem_some_avg10", PCT, FH_NUMBER, "Memory PSI some avg10 (/proc/pressure/memory)."),
	F(K_HOST, "host_memory_pressure_full_ratio", "ratio", "psi_mem_full_avg10", PCT, FH_NUMBER, "Memory PSI full avg10 (/proc/pressure/memory)."),
	F(K_HOST, "host_oom_kills", "", "oom_kills", 1, FH_NUMBER, "OOM kills since the host booted (/proc/vmstat oom_kill; cumulative)."),
	F(K_HOST, "host_uptime_seconds", "seconds", "uptime_s", 1, FH_NUMBER, "Time since boot."),
	F(K_DISK, "disk_size_bytes", "bytes", "size", 1, FH_NUMBER, "Size of a watched mount."),
	F(K_DISK, "disk_used_bytes", "bytes", "used", 1, FH_NUMBER, "Space used on a watched mount."),
	F(K_DISK, "disk_used_ratio", "ratio", "used_pct", PCT, FH_NUMBER, "Share of a watched mount used."),
	F(K_CONTAINER, "container_status", "", "status", 1, FH_STATUS, "Status of the container (1 for the current one)."),
	F(K_CONTAINER, "container_memory_used_bytes", "bytes", "mem_used", 1, FH_NUMBER, "Memory the container uses."),
	F(K_CONTAINER, "container_memory_limit_bytes", "bytes", "mem_limit", 1, FH_NUMBER, "The container's memory limit (absent when it has none)."),
	F(K_CONTAINER, "container_cpu_ratio", "ratio", "cpu_pct", PCT, FH_NUMBER, "CPU used, in cores (1 = one core busy)."),
	F(K_CONTAINER, "container_restarts", "", "restarts", 1, FH_NUMBER, "Restarts of the container (cumulative)."),
	F(K_GPU, "gpu_status", "", "status", 1, FH_STATUS, "Status of the GPU (1 for the current one)."),
	F(K_GPU, "gpu_utilization_ratio", "ratio", "util_pct", PCT, FH_NUMBER, "GPU utilization."),
	F(K_GPU, "gpu_memory_used_bytes", "bytes", "mem_used", 1, FH_NUMBER, "GPU memory in use."),
	F(K_GPU, "gpu_memory_total_bytes", "bytes", "mem_total", 1, FH_NUMBER, "GPU memory."),
	F(K_GPU, "gpu_temperature_celsius", "celsius", "temp_c", 1, FH_NUMBER, "GPU temperature."),
	F(K_GPU, "gpu_power_watts", "", "power_w", 1, FH_NUMBER, "GPU power draw in watts."),
	F(K_GPU, "gpu_power_limit_watts", "", "power_limit_w", 1, FH_NUMBER, "GPU power limit in watts."),
	F(K_SERVICE, "service_status", "", "status", 1, FH_STATUS, "Status of the service check (1 for the current one)."),
	F(K_SERVICE, "service_check_ok", "", "ok", 1, FH_BOOL, "1 when the last check passed."),
	F(K_SERVICE, "service_http_status", "", "http_status", 1, FH_NUMBER, "HTTP status of the last check."),
	F(K_SERVICE, "service_latency_seconds", "seconds", "latency_ms", MS, FH_NUMBER, "Latency of the last check."),
	F(K_SERVICE, "service_cert_days_left", "", "cert_days_left", 1, FH_NUMBER, "Days until the TLS certificate expires."),
	F(K_LINK, "link_status", "", "status", 1, FH_STATUS, "Status of the link check (1 for the current one)."),
	F(K_LINK, "link_latency_seconds", "seconds", "latency_ms", MS, FH_NUMBER, "Latency of the link check."),
	F(K_DATABASE, "database_status", "", "status", 1, FH_STATUS, "Status of the database (1 for the current one)."),
	F(K_DATABASE, "database_up", "", "up", 1, FH_BOOL, "1 when the database answered."),
	F(K_DATABASE, "database_connections", "", "connections", 1, FH_NUMBER, "Connections in use."),
	F(K_DATABASE, "database_max_connections", "", "max_connections", 1, FH_NUMBER, "max_connections."),
	F(K_DATABASE, "database_replication_lag_seconds", "seconds", "replication_lag_s", 1, FH_NUMBER, "Replication lag (replicas)."),
	F(K_DATABASE, "database_replication_lag_bytes", "bytes", "replication_lag_bytes", 1, FH_NUMBER, "Replication lag in WAL bytes."),
	F(K_DATABASE, "database_longest_transaction_seconds", "seconds", "longest_xact_s", 1, FH_NUMBER, "Age of the longest open transaction."),
	F(K_DATABASE, "database_waiting_locks", "", "waiting_locks", 1, FH_NUMBER, "Lock requests waiting."),
	F(K_DATABASE, "database_size_bytes", "bytes", "size", 1, FH_NUMBER, "Database size."),
	F(K_DATABASE, "database_archiver_failed", "", "archiver.failed_count", 1, FH_NUMBER, "pg_stat_archiver failed_count (cumulative)."),
	F(K_DATABASE, "database_archiver_last_archived_timestamp_seconds", "seconds", "archiver.last_archived_at", 1, FH_NUMBER, "pg_stat_archiver last_archived_time."),
	F(K_BACKUP, "backup_status", "", "status", 1, FH_STATUS, "Status of the backup against its RPO (1 for the current one)."),
	F(K_BACKUP, "backup_last_timestamp_seconds", "seconds", "last_at", 1, FH_NUMBER, "Unix time of the newest good backup."),
	F(K_BACKUP, "backup_age_seconds", "seconds", "age_s", 1, FH_NUMBER, "Age of the newest good backup."),
	F(K_BACKUP, "backup_rpo_seconds", "seconds", "rpo_s", 1, FH_NUMBER, "The backup's recovery point objective."),
	F(K_BACKUP, "backup_size_bytes", "bytes", "size", 1, FH_NUMBER, "Size of the newest backup."),
	F(K_RUNNERS, "runners_status", "", "status", 1, FH_STATUS, "Status of the runner fleet (1 for the current one)."),
	F(K_RUNNERS, "runners_running", "", "count", 1, FH_NUMBER, "Runners running or starting."),
	F(K_RUNNERS, "runners_busy", "", "busy", 1, FH_NUMBER, "Runners running a job."),
	F(K_RUNNERS, "runners_idle", "", "idle", 1, FH_NUMBER, "Runners waiting for a job."),
	F(K_RUNNERS, "runners_offline", "", "offline", 1, FH_NUMBER, "Runners offline."),
	F(K_RUNNERS, "runners_queued_jobs", "", "queued", 1, FH_NUMBER, "Jobs waiting for a runner."),
	F(K_KEY, "key_status", "", "status", 1, FH_STATUS, "Status of the key against its max_age (1 for the current one)."),
	F(K_KEY, "key_age_seconds", "seconds", "age_s", 1, FH_NUMBER, "Age of the key."),
	F(K_KEY, "key_max_age_seconds", "seconds", "max_age_s", 1, FH_NUMBER, "The key's max_age."),
};
const size_t flat_nfamilies = ARRAY_LEN(flat_families);

json_t *flat_get(json_t *obj, const char *path)
{
	char part[64];

	while (obj && *path) {
		size_t n = strcspn(path, ".");

		if (n >= sizeof(part))
			return NULL;
		memcpy(part, path, n);
		part[n] = '\0';
		if (json_is_array(obj)) {
			char *end;
			long i = strtol(part, &end, 10);
			obj = *end || i < 0 ? NULL : json_array_get(obj, (size_t)i);
		} else {
			obj = json_object_get(obj, part);
		}
		path += n + (path[n] == '.');
	}
	return obj;
}

bool flat_value(const struct flat_family *fam, json_t *obj, double *v)
{
	json_t *j = flat_get(obj, fam->field);

	switch (fam->how) {
	case FH_BOOL:
		if (!json_is_boolean(j))
			return false;
		*v = json_is_true(j);
		return true;
	case FH_NUMBER:
		if (!json_is_number(j))
			return false;
		*v = json_number_value(j) * fam->scale;
		return isfinite(*v);
	case FH_STATUS:
		break;
	}
	return false;
}

/* A label value as text: strings as they are (JSON strings are UTF-8),
 * numbers printed; "" when absent. */
static void label_text(char *buf, size_t size, json_t *j)
{
	if (json_is_string(j))
		str_copy(buf, json_string_value(j), size);
	else if (json_is_integer(j))
		str_fmt(buf, size, "%lld", (long long)json_integer_value(j));
	else
		buf[0] = '\0';
}

static void elem_name(struct flat_elem *e, int k, json_t *obj)
{
	const struct flat_kind *fk = &flat_kinds[k];

	for (int l = 0; l < 2 && fk->label[l] && e->nlabels < 4; l++) {
		e->lname[e->nlabels] = fk->label[l];
		label_text(e->lvalue[e->nlabels], sizeof(e->lvalue[0]), json_object_get(obj, fk->field[l]));
		e->nlabels++;
	}
}

/* The target as alerts name it: "host/black", "container/black/web",
 * "link/vps-0->black". */
static void elem_target(struct flat_elem *e, int k)
{
	size_t n = (size_t)str_fmt(e->target, sizeof(e->target), "%s", flat_kinds[k].kind);

	for (int l = 0; l < e->nlabels && n < sizeof(e->target); l++)
		n += (size_t)str_fmt(e->target + n, sizeof(e->target) - n, "%s%s",
				     l == e->nlabels - 1 && flat_kinds[k].sep ? flat_kinds[k].sep : "/",
				     e->lvalue[l]);
}

void flat_each(json_t *doc, int k, flat_elem_fn fn, void *ctx)
{
	const struct flat_kind *fk = &flat_kinds[k];
	struct flat_elem e;
	json_t *parents = fk->parent >= 0 ? json_object_get(doc, flat_kinds[fk->parent].array) : NULL;
	size_t np = fk->parent >= 0 ? json_array_size(parents) : 1;

	for (size_t p = 0; p < np; p++) {
		json_t *holder = fk->parent >= 0 ? json_array_get(parents, p) : doc;
		json_t *arr = json_object_get(holder, fk->array);
		size_t i;
		json_t *obj;

		json_array_foreach(arr, i, obj) {
			memset(&e, 0, sizeof(e));
			e.obj = obj;
			if (fk->parent >= 0)
				elem_name(&e, fk->parent, holder);
			elem_name(&e, k, obj);
			elem_target(&e, k);
			fn(ctx, &e);
		}
	}
}
