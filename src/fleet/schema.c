#include "config.h"
#include "fleet/schema.h"
#include "util/util.h"

#include <string.h>

/* Rows shared by every section that is polled: per-section overrides. */
#define POLL_KEYS \
	{ "interval", ST_DURATION, SK_NONZERO, NULL, "the fleet's interval", NULL, NULL, \
	  "How often this target is polled." }, \
	{ "timeout", ST_DURATION, SK_NONZERO, NULL, "the fleet's timeout", NULL, NULL, \
	  "I/O timeout for this target." }

/* Host rule thresholds: fleet-wide in [fleet], overridable per [host]. */
#define THRESHOLD_KEYS(DEF_PSI_W, DEF_PSI_C, DEF_DISK_W, DEF_DISK_C, DEF_OOM, DOC) \
	{ "psi_warn", ST_PERCENT, 0, DEF_PSI_W, DOC, NULL, NULL, \
	  "Memory pressure (PSI some avg10, percent) above which a host is warn." }, \
	{ "psi_crit", ST_PERCENT, 0, DEF_PSI_C, DOC, NULL, NULL, \
	  "Memory pressure above which a host is crit." }, \
	{ "disk_warn", ST_PERCENT, 0, DEF_DISK_W, DOC, NULL, NULL, \
	  "Disk use of a watched mount above which a host is warn." }, \
	{ "disk_crit", ST_PERCENT, 0, DEF_DISK_C, DOC, NULL, NULL, \
	  "Disk use above which a host is crit." }, \
	{ "oom_hold", ST_DURATION, 0, DEF_OOM, DOC, NULL, NULL, \
	  "How long a new OOM kill keeps a host crit." }

static const struct schema_key fleet_keys[] = {
	{ "interval", ST_DURATION, SK_NONZERO, "2s", NULL, NULL, NULL,
	  "How often every target is polled, unless its section sets its own." },
	{ "timeout", ST_DURATION, SK_NONZERO, "5s", NULL, NULL, NULL,
	  "Per-target I/O timeout (connect, command, query, HTTP request)." },
	{ "known_hosts", ST_PATH, 0, "~/.ssh/known_hosts", NULL, NULL, NULL,
	  "OpenSSH known_hosts file host keys are verified against (hashed entries too)." },
	{ "ssh_config", ST_PATH, 0, NULL, "ssh's own (~/.ssh/config of the user's passwd entry)", NULL, NULL,
	  "OpenSSH client configuration to resolve hosts with (Host aliases, HostName, "
	  "User, Port, IdentityFile, ProxyJump), like ssh -F. /dev/null: none at all, and no "
	  "ssh -G is run per host (a big fleet saves a process per host at start)." },
	{ "max_handshakes", ST_NUMBER, SK_NONZERO, NULL, "8 per CPU core, 8 to 64", NULL, NULL,
	  "SSH sessions set up at once across the fleet (TCP connect to a ready shell); the "
	  "others wait their turn, and waiting never counts against timeout. At most 8 of "
	  "them go to one address or through one jump host (sshd's MaxStartups)." },
	{ "host_key_policy", ST_ENUM, 0, "strict", NULL, "strict accept-new", NULL,
	  "strict refuses unknown and changed host keys; accept-new adds unknown keys "
	  "to known_hosts and still refuses changed ones." },
	{ "audit_log", ST_OUT_PATH, 0, NULL, "$XDG_STATE_HOME/fleetdeck/audit.log", NULL, NULL,
	  "Where every action attempt is appended as one JSON line "
	  "(without XDG_STATE_HOME: ~/.local/state/fleetdeck/audit.log)." },
	{ "read_only", ST_BOOL, 0, "no", NULL, NULL, NULL,
	  "Disable every action, as --read-only does." },
	{ "record", ST_OUT_PATH, 0, NULL, NULL, NULL, NULL,
	  "Record the fleet to this file while the dashboard (or --headless) runs, as "
	  "--record does: every round's changes, status changes and actions, zstd-compressed "
	  "(doc/history.md). Replay with --replay." },
	{ "record_max_size", ST_SIZE, SK_NONZERO, "64M", NULL, NULL, NULL,
	  "A recording is rotated (FILE.1, FILE.2, ...) once it is larger than this." },
	{ "record_keep", ST_NUMBER, SK_NONZERO, "9", NULL, NULL, NULL,
	  "Rotated recordings kept (at most 99); --replay reads them all, oldest first." },
	THRESHOLD_KEYS("10", "40", "90%", "95%", "10m", NULL),
};

static const struct schema_key host_keys[] = {
	{ "ssh", ST_SSH, 0, NULL, "the section name", NULL, NULL,
	  "[user@]address[:port] (IPv6 as [addr]:port), an alias from the user's ssh config, "
	  "or local for this machine. What ssh(1) refuses is refused here: quotes, blanks, "
	  "control characters or any of $;&<>|(){}` in the address, a leading '-' in either, "
	  "quotes, ;&<>|(){}` or a final backslash in the user." },
	{ "jump", ST_HOST, 0, NULL, NULL, NULL, NULL,
	  "Another [host] to connect through, like ProxyJump." },
	{ "identity_file", ST_SECRET_FILE, 0, NULL, NULL, NULL, NULL,
	  "Private key to log in with after the ssh-agent's keys." },
	{ "role", ST_STRING, 0, NULL, NULL, NULL, NULL,
	  "Free text shown in the views." },
	{ "ram_reserve", ST_SIZE, 0, NULL, NULL, NULL, NULL,
	  "Memory that must stay available; less is crit, and containers without a "
	  "memory limit on this host are warn." },
	{ "containers", ST_ENUM, 0, "auto", NULL, "auto docker podman none", NULL,
	  "Container engine to read: auto tries docker, then podman. Through the Engine API "
	  "socket: here for ssh = local, and on the host over SSH (a direct-streamlocal channel "
	  "of the host's session: nothing runs on the host; cgroup files read by shell builtins). "
	  "Over SSH without a socket the SSH user can use, or when the host's sshd refuses "
	  "streams to sockets (AllowStreamLocalForwarding), the engine's CLI (ps, inspect), at "
	  "most every 5s. A container is inspected when it is new or changed in the list, and "
	  "again every 5 min; over SSH a running one's memory limit comes from its cgroup every "
	  "round (docker update --memory shows at the next round). A host without an engine is "
	  "a problem only when it was asked for (docker, podman) or a [service] names a "
	  "container on it." },
	{ "container_socket", ST_REMOTE_PATH, 0, NULL,
	  "$DOCKER_HOST, else /var/run/docker.sock or /run/podman/podman.sock", NULL, NULL,
	  "Docker Engine API socket on the host (over SSH also $XDG_RUNTIME_DIR/docker.sock and "
	  "$XDG_RUNTIME_DIR/podman/podman.sock are looked for): read through the API, over SSH on a "
	  "stream to it through the session; exported as DOCKER_HOST (podman --remote --url for "
	  "podman) to the engine's CLI when that is used instead." },
	{ "gpus", ST_ENUM, 0, "auto", NULL, "auto nvidia http-json none", NULL,
	  "How GPUs are read: nvidia-smi, or an HTTP JSON endpoint (gpu_url)." },
	{ "gpu_url", ST_URL, SK_REQUIRED, NULL, NULL, NULL, "http-json",
	  "The JSON document with the GPU metrics, fetched from this host's SSH session." },
	{ "gpu_fields", ST_FIELD_MAP, 0, NULL, NULL, NULL, "http-json",
	  "FIELD=/json/pointer pairs. list= points at the array of GPUs (without it the "
	  "document is one GPU); the other pointers are relative to one GPU. Fields: "
	  "list index name util mem_used mem_total temp power power_limit." },
	{ "disk", ST_MOUNT_LIST, 0, "/", NULL, NULL, NULL,
	  "Mount points to watch (at most 8)." },
	POLL_KEYS,
	THRESHOLD_KEYS(NULL, NULL, NULL, NULL, NULL, "the fleet's"),
};

static const struct schema_key service_keys[] = {
	{ "host", ST_HOST, SK_REQUIRED, NULL, NULL, NULL, NULL,
	  "The [host] it runs on." },
	{ "check", ST_CHECK, 0, NULL, NULL, NULL, NULL,
	  "http(s)://... expecting a 2xx answer, or tcp HOST:PORT." },
	{ "expect", ST_STRING, 0, NULL, NULL, NULL, NULL,
	  "Text the HTTP body must contain." },
	{ "from", ST_HOST, 0, NULL, NULL, NULL, NULL,
	  "Run the check from this [host] over its SSH session." },
	{ "container", ST_STRING, 0, NULL, NULL, NULL, NULL,
	  "Name of the container that runs it." },
	{ "port", ST_PORT, 0, NULL, NULL, NULL, NULL,
	  "Port it listens on (shown in the topology)." },
	{ "mem_limit", ST_SIZE, 0, NULL, NULL, NULL, NULL,
	  "Memory it is allowed, counted in the RAM view." },
	{ "ca_file", ST_PATH, 0, NULL, "the system's CA certificates", NULL, NULL,
	  "CA certificates (PEM) to trust for an https check (an internal CA); with "
	  "from, the path is read on that host." },
	POLL_KEYS,
};

static const struct schema_key database_keys[] = {
	{ "dsn", ST_DSN, SK_REQUIRED, NULL, NULL, NULL, NULL,
	  "libpq conninfo or URI, without a password." },
	{ "password_file", ST_SECRET_FILE, 0, NULL, NULL, NULL, NULL,
	  "File holding the password (or use ~/.pgpass)." },
	{ "host", ST_HOST, 0, NULL, NULL, NULL, NULL,
	  "The [host] it runs on." },
	{ "tunnel", ST_HOST, 0, NULL, NULL, NULL, NULL,
	  "Reach it through this [host]'s SSH session, like ssh -L. The local end is a Unix socket "
	  "in fleetdeck's private 0700 directory (see XDG_RUNTIME_DIR in fleetdeck(1)), never a TCP "
	  "port: no other local user can use the tunnel. A dsn that demands encryption "
	  "(sslmode=require, verify-ca, verify-full, gssencmode=require) is refused: libpq encrypts "
	  "nothing on a Unix socket." },
	{ "rpo", ST_DURATION, SK_NONZERO, NULL, NULL, NULL, NULL,
	  "Recovery point objective, shown with its backups." },
	{ "replica_of", ST_DATABASE, 0, NULL, NULL, NULL, NULL,
	  "The [database] it replicates." },
	POLL_KEYS,
};

static const struct schema_key backup_keys[] = {
	{ "source", ST_ENUM, SK_REQUIRED, NULL, NULL,
	  "pg-archiver restic pgbackrest file command", NULL,
	  "Where the time of the last good backup comes from." },
	{ "rpo", ST_DURATION, SK_REQUIRED | SK_NONZERO, NULL, NULL, NULL, NULL,
	  "Maximum age of the last good backup: ok up to 0.8 x rpo, warn up to rpo, "
	  "breach beyond." },
	{ "rto", ST_DURATION, 0, NULL, NULL, NULL, NULL,
	  "Recovery time objective, shown." },
	{ "of", ST_TARGET, 0, NULL, NULL, NULL, NULL,
	  "The [database] or [host] it protects." },
	{ "database", ST_DATABASE, SK_REQUIRED, NULL, NULL, NULL, "pg-archiver",
	  "The [database] whose pg_stat_archiver is read." },
	{ "host", ST_HOST, SK_REQUIRED, NULL, NULL, NULL, "restic pgbackrest file",
	  "The [host] the tool runs on, over SSH." },
	{ "host", ST_HOST, 0, NULL, "this machine", NULL, "command",
	  "The [host] the command runs on, over SSH." },
	{ "repo", ST_STRING, SK_REQUIRED, NULL, NULL, NULL, "restic",
	  "The restic repository, as restic -r takes it." },
	{ "password_file", ST_REMOTE_PATH, 0, NULL, NULL, NULL, "restic",
	  "The repository password file, a path on that host (never read by fleetdeck)." },
	{ "tag", ST_STRING, 0, NULL, NULL, NULL, "restic",
	  "Only snapshots with this tag count." },
	{ "path", ST_REMOTE_PATH, 0, NULL, NULL, NULL, "restic",
	  "Only snapshots of this path count." },
	{ "path", ST_REMOTE_PATH, SK_REQUIRED, NULL, NULL, NULL, "file",
	  "Glob of the backup files on that host; the newest match counts, "
	  "and a zero-byte newest file is a failure." },
	{ "stanza", ST_STRING, SK_REQUIRED, NULL, NULL, NULL, "pgbackrest",
	  "The pgBackRest stanza." },
	{ "command", ST_COMMAND, SK_REQUIRED, NULL, NULL, NULL, "command",
	  "Prints the time of the last good backup (epoch or ISO-8601) on its first line." },
	POLL_KEYS,
};

static const struct schema_key link_keys[] = {
	{ "label", ST_STRING, 0, NULL, NULL, NULL, NULL,
	  "Text drawn on the edge (HTTPS, SSH -R 25435, restic)." },
	{ "check", ST_CHECK, 0, NULL, NULL, NULL, NULL,
	  "tcp HOST:PORT or http(s)://..., probed from the first host over its SSH session." },
	POLL_KEYS,
};

static const struct schema_key runners_keys[] = {
	{ "provider", ST_ENUM, SK_REQUIRED, NULL, NULL, "command digitalocean systemd", NULL,
	  "How the runners are listed and scaled." },
	{ "min", ST_NUMBER, 0, "0", NULL, NULL, NULL,
	  "Fewest runners; scaling below is refused, fewer running is warn." },
	{ "max", ST_NUMBER, 0, NULL, NULL, NULL, NULL,
	  "Most runners; scaling above is refused, more running is warn." },
	{ "step", ST_NUMBER, SK_NONZERO, "1", NULL, NULL, NULL,
	  "Runners added or removed by one + or - key press." },
	{ "status", ST_RUNNER_STATUS, 0, "none", NULL, NULL, NULL,
	  "Where busy/idle/offline and queued jobs come from: forgejo URL "
	  "[token_file=PATH], github OWNER/REPO [token_file=PATH], or none." },
	{ "actions", ST_ENUM, 0, "scale", NULL, "scale none", NULL,
	  "none makes the fleet view-only." },
	{ "host", ST_HOST, 0, NULL, "this machine", NULL, "command",
	  "The [host] the commands run on, over SSH." },
	{ "list", ST_COMMAND, SK_REQUIRED, NULL, NULL, NULL, "command",
	  "Runs in its own sh -c on host; prints one runner a line, or a JSON array." },
	{ "scale", ST_TEMPLATE, 0, NULL, NULL, NULL, "command",
	  "Sets the count; {count} is replaced by the new count." },
	{ "action_timeout", ST_DURATION, SK_NONZERO, "10m", NULL, NULL, "command",
	  "How long the scale command may run; then it and its process group are killed." },
	{ "token_file", ST_SECRET_FILE, SK_REQUIRED, NULL, NULL, NULL, "digitalocean",
	  "DigitalOcean API token." },
	{ "tag", ST_STRING, SK_REQUIRED, NULL, NULL, NULL, "digitalocean",
	  "Droplets with this tag are the runners; new ones get it." },
	{ "image", ST_STRING, 0, NULL, NULL, NULL, "digitalocean",
	  "Image (golden snapshot) new droplets are created from." },
	{ "size", ST_STRING, 0, NULL, NULL, NULL, "digitalocean",
	  "Droplet size slug, e.g. s-8vcpu-16gb-amd." },
	{ "region", ST_STRING, 0, NULL, NULL, NULL, "digitalocean",
	  "Region slug, e.g. nyc3." },
	{ "ssh_keys", ST_LIST, 0, NULL, NULL, NULL, "digitalocean",
	  "SSH key ids or fingerprints put on new droplets." },
	{ "name_prefix", ST_STRING, 0, NULL, "the section name", NULL, "digitalocean",
	  "New droplets are named PREFIX-N." },
	{ "api", ST_URL, 0, "https://api.digitalocean.com/v2", NULL, NULL, "digitalocean",
	  "API base URL." },
	{ "status_api", ST_URL, 0, "https://api.github.com", NULL, NULL, NULL,
	  "Base URL of the GitHub API for status = github (GitHub Enterprise, tests)." },
	{ "host", ST_HOST, SK_REQUIRED, NULL, NULL, NULL, "systemd",
	  "The [host] whose systemd runs the runners." },
	{ "unit", ST_STRING, SK_REQUIRED, NULL, NULL, NULL, "systemd",
	  "Template unit, e.g. forgejo-runner@; instances are UNIT1, UNIT2..." },
	POLL_KEYS,
};

static const struct schema_key key_keys[] = {
	{ "provider", ST_ENUM, SK_REQUIRED, NULL, NULL, "pg-apikey ssh-authorized-key command", NULL,
	  "How the key's age is read and how it is rotated." },
	{ "max_age", ST_DURATION, SK_NONZERO, "90d", NULL, NULL, NULL,
	  "Older than 0.9 x max_age is warn, older than max_age crit." },
	{ "actions", ST_ENUM, 0, "rotate", NULL, "rotate none", NULL,
	  "none makes the key view-only." },
	{ "database", ST_DATABASE, SK_REQUIRED, NULL, NULL, NULL, "pg-apikey",
	  "The [database] holding the keys table." },
	{ "table", ST_STRING, 0, "api_keys", NULL, NULL, "pg-apikey",
	  "Table of keys." },
	{ "id", ST_STRING, 0, NULL, NULL, NULL, "pg-apikey",
	  "The live key's row id (or use where)." },
	{ "where", ST_STRING, 0, NULL, NULL, NULL, "pg-apikey",
	  "SQL condition selecting the live key (instead of id)." },
	{ "columns", ST_LIST, 0, "id prefix key_hash created_at revoked_at", NULL, NULL, "pg-apikey",
	  "Column names for id, prefix, key_hash (hex SHA-256 of the key), created_at, "
	  "revoked_at, in that order." },
	{ "key_prefix", ST_STRING, 0, NULL, NULL, NULL, "pg-apikey",
	  "Literal text new keys start with, e.g. tf_live_." },
	{ "deliver_file", ST_OUT_PATH, 0, NULL, NULL, NULL, "pg-apikey",
	  "Where a new key is written (mode 600, before COMMIT) besides being shown once; "
	  "without it, a recovery file next to the audit log until the commit is confirmed." },
	{ "grace", ST_DURATION, 0, "24h", NULL, NULL, "pg-apikey",
	  "How long the old key keeps working after a rotation." },
	{ "hosts", ST_HOST_LIST, SK_REQUIRED, NULL, NULL, NULL, "ssh-authorized-key",
	  "[host]s whose authorized_keys hold the key." },
	{ "user", ST_STRING, 0, NULL, "the login user of each host", NULL, "ssh-authorized-key",
	  "Account whose ~/.ssh/authorized_keys is edited." },
	{ "identity_file", ST_SECRET_FILE, SK_REQUIRED, NULL, NULL, NULL, "ssh-authorized-key",
	  "The private key being rotated; the new pair replaces it." },
	{ "authorized_keys", ST_STRING, 0, "~/.ssh/authorized_keys", NULL, NULL, "ssh-authorized-key",
	  "The authorized_keys file on each host; {host} is replaced by the [host]'s name." },
	{ "confirm_timeout", ST_DURATION, SK_NONZERO, NULL,
	  "2 x interval + 12 x timeout of the slowest host (twice the setup through a jump) + 10s",
	  NULL, "ssh-authorized-key",
	  "How long a rotation waits for fleetdeck's own collector to log in with the new key "
	  "on every host; the old key is removed only after that, and stays when it did not." },
	{ "host", ST_HOST, 0, NULL, "this machine", NULL, "command",
	  "The [host] the commands run on, over SSH." },
	{ "rotate", ST_COMMAND, SK_REQUIRED, NULL, NULL, NULL, "command",
	  "Rotates the key; prints the new key's id." },
	{ "action_timeout", ST_DURATION, SK_NONZERO, "10m", NULL, NULL, "command",
	  "How long the rotate command may run; then it and its process group are killed." },
	{ "age", ST_COMMAND, 0, NULL, NULL, NULL, "command",
	  "Runs in its own sh -c on host; prints the key's creation time (epoch or ISO-8601)." },
	POLL_KEYS,
};

static const struct schema_key prometheus_keys[] = {
	{ "url", ST_URL, SK_REQUIRED, NULL, NULL, NULL, NULL,
	  "Base URL of the query API (Prometheus, Thanos, VictoriaMetrics, Mimir)." },
	{ "bearer_token_file", ST_SECRET_FILE, 0, NULL, NULL, NULL, NULL,
	  "Token sent as Authorization: Bearer, only to url's origin." },
	{ "basic_auth_user", ST_STRING, 0, NULL, NULL, NULL, NULL,
	  "User for HTTP basic authentication (with basic_auth_password_file)." },
	{ "basic_auth_password_file", ST_SECRET_FILE, 0, NULL, NULL, NULL, NULL,
	  "Password for HTTP basic authentication, only to url's origin." },
	{ "ca_file", ST_PATH, 0, NULL, "the system's CA certificates", NULL, NULL,
	  "CA certificates (PEM) an https url's certificate is verified against." },
	{ "match", ST_STRING, 0, NULL, NULL, NULL, NULL,
	  "Series selector, e.g. {job=\"node\"}." },
	{ "host_label", ST_STRING, 0, "instance", NULL, NULL, NULL,
	  "Label that names the host of a series." },
	{ "disk", ST_MOUNT_LIST, 0, "/", NULL, NULL, NULL,
	  "Mount points watched on every host of the section." },
	{ "cadvisor", ST_STRING, 0, NULL, "none: no containers", NULL, NULL,
	  "Selector of cAdvisor's series, e.g. {job=\"cadvisor\"}: the hosts' containers." },
	{ "dcgm", ST_STRING, 0, NULL, "none: no GPUs", NULL, NULL,
	  "Selector of the DCGM exporter's series, e.g. {job=\"dcgm\"}: the hosts' GPUs." },
	{ "postgres", ST_STRING, 0, NULL, "none: no databases", NULL, NULL,
	  "Selector of postgres_exporter's series, e.g. {job=\"postgres\"}: each exporter target "
	  "is a database in the databases view, found while running (targets added or removed "
	  "show within 5 rounds)." },
	{ "rate_window", ST_DURATION, SK_NONZERO, NULL, "4 x the scrape interval, at least 1m", NULL,
	  NULL, "Range of rate() for CPU % and memory pressure: must hold two scrapes." },
	{ "server_rules_above", ST_NUMBER, 0, "2000", NULL, NULL, NULL,
	  "Past this many hosts the rules run on the server as PromQL: a round fetches the "
	  "counts per status, the problem hosts and the rows on screen. At start, a section "
	  "whose server's index holds more host_label values of node_uname_info "
	  "(VictoriaMetrics counts the current day's, Prometheus its head block's) is not asked "
	  "for every host's name; 0: judged on the server whatever it holds, nothing asked at "
	  "start." },
	{ "interval", ST_DURATION, SK_NONZERO, NULL,
	  "the server's scrape interval for the matched job (else the fleet's)", NULL, NULL,
	  "How often the section is read: faster than the scrapes reads the same samples." },
	{ "timeout", ST_DURATION, SK_NONZERO, NULL, "the fleet's timeout", NULL, NULL,
	  "Time limit of each request to the server." },
};

#define SECTION(KIND, NAME, VARIANT, OPT, HELP, KEYS) \
	{ KIND, NAME, VARIANT, OPT, HELP, KEYS, ARRAY_LEN(KEYS) }

/* Indexed by enum section_kind. */
static const struct schema_section sections[SEC__COUNT] = {
	SECTION(SEC_FLEET, "fleet", NULL, true,
		"Fleet-wide defaults; at most one. Its name is the fleet's name "
		"(default: the file's name without extension).", fleet_keys),
	SECTION(SEC_HOST, "host", "gpus", false,
		"A machine reached over SSH, or this machine.", host_keys),
	SECTION(SEC_SERVICE, "service", NULL, false,
		"A process or API on a host.", service_keys),
	SECTION(SEC_DATABASE, "database", NULL, false,
		"A PostgreSQL server or database.", database_keys),
	SECTION(SEC_BACKUP, "backup", "source", false,
		"Something whose freshness is judged against an RPO.", backup_keys),
	SECTION(SEC_LINK, "link", NULL, false,
		"An edge of the topology, named FROM -> TO: FROM is a [host], TO a "
		"[host], [service] or [database].", link_keys),
	SECTION(SEC_RUNNERS, "runners", "provider", false,
		"A fleet of CI runners that can be scaled.", runners_keys),
	SECTION(SEC_KEY, "key", "provider", false,
		"A credential with a rotation policy.", key_keys),
	SECTION(SEC_PROMETHEUS, "prometheus", NULL, false,
		"A Prometheus-compatible query API used as a data source.", prometheus_keys),
};

const struct schema_section *schema_section(enum section_kind kind)
{
	if ((int)kind < 0 || kind >= SEC__COUNT)
		return NULL;
	return &sections[kind];
}

const struct schema_section *schema_section_by_name(const char *name)
{
	for (size_t i = 0; i < ARRAY_LEN(sections); i++)
		if (strcmp(sections[i].name, name) == 0)
			return &sections[i];
	return NULL;
}

bool schema_word_in(const char *list, const char *word)
{
	size_t n = strlen(word);

	if (!list || n == 0)
		return false;
	for (const char *p = list; *p; ) {
		size_t len = strcspn(p, " ");
		if (len == n && strncmp(p, word, n) == 0)
			return true;
		p += len;
		p += strspn(p, " ");
	}
	return false;
}

bool schema_key_applies(const struct schema_key *k, const char *variant)
{
	return !k->only || !variant || schema_word_in(k->only, variant);
}

const struct schema_key *schema_key_any(const struct schema_section *s, const char *key)
{
	return schema_key_find(s, key, NULL);
}

const struct schema_key *schema_key_find(const struct schema_section *s, const char *key,
					 const char *variant)
{
	for (size_t i = 0; i < s->nkeys; i++)
		if (strcmp(s->keys[i].name, key) == 0 && schema_key_applies(&s->keys[i], variant))
			return &s->keys[i];
	return NULL;
}

static const struct {
	const char *name;
	const char *expect;
} type_info[ST__COUNT] = {
	[ST_STRING] = { "text", "text" },
	[ST_COMMAND] = { "command", "a command line" },
	[ST_TEMPLATE] = { "command with {count}", "a command line containing {count}, "
			  "e.g. terraform apply -auto-approve -var runners={count}" },
	[ST_DURATION] = { "duration", "a duration such as 250ms, 2s, 15m, 1h or 90d" },
	[ST_SIZE] = { "size", "a size in IEC units such as 512K, 512M or 2G (a plain number is bytes)" },
	[ST_BOOL] = { "boolean", "yes/no, true/false or on/off" },
	[ST_PERCENT] = { "percentage", "a percentage from 0 to 100, such as 90 or 90%" },
	[ST_NUMBER] = { "number", "a whole number such as 0 or 6" },
	[ST_PORT] = { "port", "a port number from 1 to 65535, such as 5432" },
	[ST_ENUM] = { "choice", "one of the listed values" },
	[ST_PATH] = { "local path", "a file path such as ~/.ssh/known_hosts" },
	[ST_OUT_PATH] = { "local path, written", "a file path such as ~/fleetdeck/audit.log" },
	[ST_SECRET_FILE] = { "secret file or env:NAME", "a file path such as ~/.vault/token (mode 600), "
			     "or env:NAME" },
	[ST_REMOTE_PATH] = { "path on the remote host", "a path on the remote host, such as /etc/restic/pass" },
	[ST_HOST] = { "[host] name", "the name of a [host]" },
	[ST_HOST_LIST] = { "list of [host] names", "names of [host] sections, such as black vps-0" },
	[ST_DATABASE] = { "[database] name", "the name of a [database]" },
	[ST_TARGET] = { "[database] or [host] name", "the name of a [database] or a [host]" },
	[ST_URL] = { "URL", "a URL such as https://example.org/v1/metrics" },
	[ST_DSN] = { "libpq conninfo or URI", "a libpq conninfo (host=127.0.0.1 port=5432 dbname=app user=monitor) "
		     "or URI (postgresql://monitor@127.0.0.1:5432/app)" },
	[ST_LIST] = { "list", "words separated by spaces or commas" },
	[ST_MOUNT_LIST] = { "list of mount points", "absolute mount points such as / /srv" },
	[ST_SSH] = { "ssh target", "local, or [user@]address[:port] such as ops@10.0.0.11:22 "
		     "or [fd00::1]:22" },
	[ST_CHECK] = { "http(s) URL or tcp HOST:PORT", "https://HOST/PATH or tcp HOST:PORT, such as tcp 10.0.0.11:3060" },
	[ST_RUNNER_STATUS] = { "runner status", "none, forgejo URL [token_file=PATH] or "
			       "github OWNER/REPO [token_file=PATH]" },
	[ST_FIELD_MAP] = { "field map", "FIELD=/json/pointer pairs such as "
			   "list=/gpus util=/utilization mem_used=/memory/used" },
};

const char *schema_type_expect(enum schema_type t)
{
	return (unsigned)t < ST__COUNT ? type_info[t].expect : "a value";
}

const char *schema_type_name(enum schema_type t)
{
	return (unsigned)t < ST__COUNT ? type_info[t].name : "value";
}
