# tests/lab/replica.sh — live replicas of the reference fleets in data/:
# `tests/lab/up --fleet NAME` builds NAME's shape on this machine, on
# loopback only, and writes DIR/NAME.fleet, a copy of data/NAME.fleet whose
# addresses, ports and paths point at the replica. Sourced (bash) after
# tests/lab/lib.sh by tests/lab/up and by the replica tests.
#
# The hosts are lab sshds named as in the seed (LAB_HOST_NAMES), each with
# its own bin directory first in PATH (LAB_HOST_BIN=1) for stand-ins: a
# `docker` CLI over the replica's private podman showing that host's
# containers only, the nvidia-smi stand-in, the team's own admin commands.
# Services are small HTTP(S) servers (tests/services/httpd.py) on the seed's
# health paths, on the host's lab address; databases one private PostgreSQL
# cluster (tests/databases/pglab.sh) with the seed's databases, WAL archiving
# and the pg-apikey table; backups a restic repository and dump files of the
# right ages under the host's directory (hosts/NAME/root/...). Everything
# started is in DIR/procs, so `tests/lab/down` stops it.
#
# What cannot be real here is a stand-in that says so: the DigitalOcean and
# Forgejo APIs (tests/actions/fake_vendor_api.py), nvidia-smi (recordings),
# and containers that cannot start where the OCI runtime is not allowed to
# (they stay "created", as podman reports them).
#
# The rewriting is a map (DIR/replica.map): "s FROM TO" replaces text, "a
# [SECTION] LINE" adds a line to a section. After it, the fleet must name
# no *.example host, no localhost and no ~/ path: everything is the replica's.

REPLICA_FLEETS="toneforge cocotte storyforge toolcall orbisvoice"
_REP_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$_REP_TOP/tests/databases/pglab.sh"
. "$_REP_TOP/tests/containers/podman-setup.sh"

# replica_hosts NAME: the seed's [host] names, in file order.
replica_hosts() {
	sed -n 's/^\[host \([^]]*\)\].*/\1/p' "$_REP_TOP/data/$1.fleet" | tr '\n' ' '
}

replica_known() {
	case " $REPLICA_FLEETS " in *" $1 "*) return 0 ;; esac
	return 1
}

# --- small pieces -------------------------------------------------------------

rep_addr() { local v; v=$(printf '%s' "$1" | tr -c 'A-Za-z0-9_' '_'); eval "lab_addr \"\$LAB_IDX_$v\""; }
rep_port() { lab_free_port "$1"; }
rep_map() { printf 's\t%s\t%s\n' "$1" "$2" >>"$LAB_DIR/replica.map"; }
rep_add() { printf 'a\t[%s]\t%s\n' "$1" "$2" >>"$LAB_DIR/replica.map"; }
# rep_root HOST: the host's own file system root for seed paths (/var/backups...).
rep_root() { mkdir -p "$LAB_DIR/hosts/$1/root" && printf '%s\n' "$LAB_DIR/hosts/$1/root"; }
rep_bin() { printf '%s\n' "$LAB_DIR/hosts/$1/bin"; }
_rep_fail() { printf 'replica: %s\n' "$*" >&2; return 1; }

rep_sshport() { local v; v=$(printf '%s' "$1" | tr -c 'A-Za-z0-9_' '_'); eval "lab_port \"\$LAB_IDX_$v\""; }

# rep_secret NAME CONTENT: a 0600 secret file in DIR/secrets.
rep_secret() {
	mkdir -p "$LAB_DIR/secrets" && chmod 700 "$LAB_DIR/secrets"
	(umask 077 && printf '%s\n' "$2" >"$LAB_DIR/secrets/$1")
	printf '%s\n' "$LAB_DIR/secrets/$1"
}

# rep_bg NAME MATCH CMD...: a server in the background, logged to
# DIR/logs/NAME.log, stopped by `down` (and by a test's cleanup).
rep_bg() {
	local name=$1 match=$2
	shift 2
	mkdir -p "$LAB_DIR/logs"
	"$@" >"$LAB_DIR/logs/$name.log" 2>&1 9>&- &
	lab_proc_add "$!" TERM "$match"
	lab_bg "$!"
}

# rep_http HOST PORT ROUTE... / rep_https ...: httpd.py on HOST's lab address,
# answering 200 on each ROUTE ("/health=ok", "/v1/metrics=@FILE"). https
# uses a certificate for that address signed by the replica's CA (DIR/ca.pem).
rep_http() {
	local host=$1 port=$2 a
	shift 2
	a=$(rep_addr "$host")
	HTTPD_ROUTES="$*" rep_bg "http-$host-$port" "$_REP_TOP/tests/services/httpd.py" \
		python3 "$_REP_TOP/tests/services/httpd.py" "$a" "$port" ${REP_TLS:+"$REP_TLS.crt" "$REP_TLS.key"}
	REP_HTTP_LOGS="${REP_HTTP_LOGS-} $LAB_DIR/logs/http-$host-$port.log"
}

# Waits (bounded) until every HTTP stand-in started says it is ready: they
# start side by side, a Python start costs seconds on a loaded machine.
_rep_http_ready() {
	local f
	for f in ${REP_HTTP_LOGS-}; do grep -q ready "$f" || return 1; done
}
rep_http_wait() {
	wait_for 30 _rep_http_ready && return 0
	_rep_fail "HTTP stand-ins did not start: $(for f in $REP_HTTP_LOGS; do grep -q ready "$f" || printf '%s: %s; ' "${f##*/}" "$(tail -2 "$f")"; done)"
}

rep_https() {
	local host=$1 a REP_TLS
	a=$(rep_addr "$host")
	_rep_ca || return 1
	REP_TLS=$LAB_DIR/tls/$host
	if [ ! -s "$REP_TLS.crt" ]; then
		openssl req -newkey rsa:2048 -nodes -keyout "$REP_TLS.key" -out "$REP_TLS.csr" \
			-subj "/CN=$a" >/dev/null 2>&1 &&
		openssl x509 -req -in "$REP_TLS.csr" -CA "$LAB_DIR/ca.pem" -CAkey "$LAB_DIR/tls/ca.key" \
			-CAcreateserial -days 90 -out "$REP_TLS.crt" \
			-extfile <(printf 'subjectAltName=IP:%s\n' "$a") >/dev/null 2>&1 ||
			{ _rep_fail "openssl could not make a certificate for $a"; return 1; }
	fi
	rep_http "$@"
}

_rep_ca() {
	[ -s "$LAB_DIR/ca.pem" ] && return 0
	mkdir -p "$LAB_DIR/tls" && chmod 700 "$LAB_DIR/tls"
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$LAB_DIR/tls/ca.key" -out "$LAB_DIR/ca.pem" \
		-days 90 -subj "/CN=fleetdeck lab replica CA" >/dev/null 2>&1 ||
		_rep_fail "openssl could not make the replica's CA"
}

# rep_files HOST DIR PATTERN AGE...: dump files DIR/PATTERN (a * in it is
# replaced by a date) under HOST's root, one per AGE ("3 hours", "2 days"),
# each a few bytes of gzip.
rep_files() {
	local host=$1 dir=$2 pat=$3 root f age
	shift 3
	root=$(rep_root "$host")
	mkdir -p "$root$dir"
	for age in "$@"; do
		f=$root$dir/${pat/\*/$(date -d "$age ago" +%Y%m%d-%H%M)}
		printf 'replica dump, %s old\n' "$age" | gzip >"$f"
		touch -d "$age ago" "$f"
	done
}

# rep_podman: the replica's private podman (storage in DIR/podman), its API
# socket served, and for each HOST given a `docker` (and `podman`) in its
# bin directory that shows HOST's containers only.
rep_podman() {
	local h bin
	PM_DIR=$LAB_DIR/podman
	PM_RUNROOT=$PM_DIR/runroot
	if [ "${#PM_RUNROOT}" -gt 50 ]; then
		# podman refuses a longer runroot: a short one in /tmp, removed by down
		PM_RUNROOT=$(sed -n 's|^\(/tmp/fdpm\.[A-Za-z0-9]*\)$|\1|p' "$LAB_DIR/cleanup" 2>/dev/null | head -1)
		[ -d "$PM_RUNROOT" ] || PM_RUNROOT=$(mktemp -d /tmp/fdpm.XXXXXX) || return 1
		grep -qxF "$PM_RUNROOT" "$LAB_DIR/cleanup" 2>/dev/null || printf '%s\n' "$PM_RUNROOT" >>"$LAB_DIR/cleanup"
	fi
	if [ ! -x "$PM_DIR/bin/podman" ] || ! "$PM_DIR/bin/podman" image exists localhost/fdbox:latest 2>/dev/null; then
		pm_setup "$PM_DIR" || return 1
	fi
	"$PM_DIR/bin/podman" rm -af >/dev/null 2>&1
	for h in "$@"; do
		bin=$(rep_bin "$h")
		cat >"$bin/docker" <<EOF
#!/bin/sh
# The replica's container engine on $h: the lab's private podman, showing
# only the containers labelled fdlab.host=$h. Written by tests/lab/replica.sh.
case \$1 in
ps) shift; exec "$PM_DIR/bin/podman" ps --filter label=fdlab.host=$h "\$@" ;;
esac
exec "$PM_DIR/bin/podman" "\$@"
EOF
		chmod 755 "$bin/docker"
		ln -sf docker "$bin/podman"
	done
}

# rep_container HOST NAME [podman create options]: a container on HOST,
# started when the OCI runtime allows it here.
rep_container() {
	local h=$1 n=$2 PM_SLEEP=2000000000
	shift 2
	pm_create "$n" --label "fdlab.host=$h" "$@" || return 1
	"$PM_DIR/bin/podman" start "$n" >/dev/null 2>&1 ||
		printf 'replica: container %s on %s stays "created" (this machine cannot start containers)\n' "$n" "$h" >&2
	return 0
}

# rep_nocontainers HOST...: an engine with nothing on it (containers = auto on
# a host whose seed runs none), rather than this machine's own podman.
rep_nocontainers() {
	local h
	for h in "$@"; do
		printf '#!/bin/sh\n# no containers on %s (the replica)\n[ "$1" = ps ] && exit 0\necho "[]"\n' "$h" >"$(rep_bin "$h")/docker"
		chmod 755 "$(rep_bin "$h")/docker"
	done
}

# rep_pg HOST PORT: the replica's PostgreSQL cluster on HOST's address
# (pglab: WAL archiving, role monitor with its password in $T/pgpass).
rep_pg() {
	local T=$REP_PGBASE
	pglab_start "$(rep_addr "$1")" "$2" || return 1
	lab_proc_add "$PG_PID" INT "$REP_PGBASE/pg/data"
	REP_PG_ADDR=$(rep_addr "$1") REP_PG_PORT=$2
	REP_PG_PASS=$(cat "$REP_PGBASE/pgpass")
}

# rep_pg_tls HOST: the cluster serves TLS (a certificate of the replica's CA
# for HOST's address), for DSNs with sslmode=require.
rep_pg_tls() {
	local d=$REP_PGBASE/pg/data a
	a=$(rep_addr "$1")
	_rep_ca || return 1
	openssl req -newkey rsa:2048 -nodes -keyout "$d/server.key" -out "$d/server.csr" \
		-subj "/CN=$a" >/dev/null 2>&1 &&
	openssl x509 -req -in "$d/server.csr" -CA "$LAB_DIR/ca.pem" -CAkey "$LAB_DIR/tls/ca.key" \
		-CAcreateserial -days 90 -out "$d/server.crt" \
		-extfile <(printf 'subjectAltName=IP:%s\n' "$a") >/dev/null 2>&1 ||
		{ _rep_fail "openssl could not make PostgreSQL's certificate"; return 1; }
	chown postgres "$d/server.key" "$d/server.crt" && chmod 600 "$d/server.key"
	rep_sql postgres "ALTER SYSTEM SET ssl = on" >/dev/null &&
	rep_sql postgres "SELECT pg_reload_conf()" >/dev/null
}

# rep_sql DB SQL: as the superuser in database DB.
rep_sql() { runuser -u postgres -- psql -X -q -At -h "$REP_PGBASE/pg/sock" -p "$REP_PG_PORT" -U postgres -d "$1" -c "$2"; }

# rep_db NAME: a database the monitor role can read.
rep_db() {
	rep_sql postgres "CREATE DATABASE \"$1\"" >/dev/null &&
	rep_sql "$1" "GRANT ALL ON SCHEMA public TO monitor; CREATE TABLE IF NOT EXISTS t(x int)" >/dev/null
}

# rep_apikeys DB OWNER PREFIX AGE: the pg-apikey table (default columns plus
# the seed's owner column) with one live key AGE old.
rep_apikeys() {
	rep_sql "$1" "CREATE TABLE api_keys (id serial PRIMARY KEY, owner text NOT NULL, prefix text NOT NULL,
		key_hash text NOT NULL UNIQUE, created_at timestamptz NOT NULL DEFAULT now(), revoked_at timestamptz);
		INSERT INTO api_keys (owner, prefix, key_hash, created_at)
		VALUES ('$2', '${3:0:8}', encode(sha256('${3}replica-key'::bytea), 'hex'), now() - interval '$4');
		GRANT SELECT, INSERT, UPDATE ON api_keys TO monitor; GRANT USAGE ON SEQUENCE api_keys_id_seq TO monitor" >/dev/null
}

# Writes some WAL and switches segments, so pg_stat_archiver has a recent
# last_archived_time.
rep_archive_now() {
	rep_sql postgres "INSERT INTO t SELECT generate_series(1, 1000); SELECT pg_switch_wal()" >/dev/null
}

# rep_restic HOST REPO PASSFILE TAG|path=P AGE...: a restic repository under
# HOST's root with snapshots AGE old (each tagged TAG, or of path P).
rep_restic() {
	local host=$1 repo=$2 pass=$3 what=$4 root age src
	shift 4
	root=$(rep_root "$host")
	mkdir -p "$root$(dirname "$pass")"
	[ -s "$root$pass" ] || (umask 077 && printf 'replica-restic-%s\n' "$RANDOM$RANDOM" >"$root$pass")
	[ -f "$root$repo/config" ] || restic init -q -r "$root$repo" --password-file "$root$pass" >/dev/null 2>&1 ||
		{ _rep_fail "restic init $root$repo"; return 1; }
	src=$LAB_DIR/restic-src${what#path=}
	case $what in path=*) ;; *) src=$LAB_DIR/restic-src/$what ;; esac
	mkdir -p "$src" && date >"$src/replica"
	for age in "$@"; do
		case $what in
		path=*) restic backup -q -r "$root$repo" --password-file "$root$pass" --host "$host" \
				--time "$(date -d "$age ago" '+%F %T')" "$src" >/dev/null 2>&1 ;;
		*) restic backup -q -r "$root$repo" --password-file "$root$pass" --host "$host" --tag "$what" \
				--time "$(date -d "$age ago" '+%F %T')" "$src" >/dev/null 2>&1 ;;
		esac || { _rep_fail "restic backup into $root$repo"; return 1; }
	done
}

# --- the fleets -------------------------------------------------------------

# ToneForge: one shared VPS: two containers (toneforge-server without a
# memory limit: the seed's planted problem), their health endpoints,
# PostgreSQL golivebro with the partner API keys, daily dumps.
replica_toneforge() {
	local a p1 p2 pgp
	a=$(rep_addr tf-vps)
	rep_podman tf-vps || return 1
	rep_container tf-vps toneforge-server || return 1
	rep_container tf-vps golivebro --memory 768m || return 1
	p1=$(rep_port 8000) && rep_http tf-vps "$p1" /health=ok || return 1
	p2=$(rep_port 8080) && rep_http tf-vps "$p2" /healthz=ok || return 1
	rep_map "http://localhost:8000/" "http://$a:$p1/"
	rep_map "http://localhost:8080/" "http://$a:$p2/"
	pgp=$(rep_port 5432) && rep_pg tf-vps "$pgp" || return 1
	rep_db golivebro && rep_apikeys golivebro partner-main tf_live_ '41 days' || return 1
	rep_map "host=localhost port=5432 dbname=golivebro" "host=$a port=$pgp dbname=golivebro"
	rep_map "~/.config/fleetdeck/secrets/glb-postgres.pass" "$(rep_secret glb-postgres.pass "$REP_PG_PASS")"
	rep_files tf-vps /var/backups/postgres 'golivebro-*.sql.gz' '3 hours' '27 hours' '51 hours'
	rep_map "/var/backups/postgres/" "$(rep_root tf-vps)/var/backups/postgres/"
	mkdir -p "$LAB_DIR/home/toneforge" && chmod 700 "$LAB_DIR/home"
	rep_map "~/toneforge/new-partner-key" "$LAB_DIR/home/toneforge/new-partner-key"
}

# ToolCall: an app host with its SQLite backups, copied off-host hourly;
# the off-host copy is a second lab host, reached over SSH from tc-1.
replica_toolcall() {
	local a p
	a=$(rep_addr tc-1)
	p=$(rep_port 3000) && rep_http tc-1 "$p" /health=ok || return 1
	rep_map "http://localhost:3000/" "http://$a:$p/"
	rep_files tc-1 /var/backups/toolcall 'toolcall-*.sqlite3.gz' '40 minutes' '100 minutes' '160 minutes'
	rep_map "/var/backups/toolcall/" "$(rep_root tc-1)/var/backups/toolcall/"
	rep_files tc-backup /srv/backups/toolcall 'toolcall-*.sqlite3.gz' '5 hours' '29 hours'
	rep_map "/srv/backups/toolcall/" "$(rep_root tc-backup)/srv/backups/toolcall/"
	rep_map "tc-backup.toolcall.example:22" "$(rep_addr tc-backup):$(rep_sshport tc-backup)"
}

# StoryForge: the Tinybox behind its gateway (jump), six GPUs read from the
# box's own HTTP JSON endpoint, the inference API's health.
replica_storyforge() {
	local a p g
	a=$(rep_addr tinybox)
	rep_nocontainers sf-gateway tinybox
	g=$(rep_port 9400) || return 1
	mkdir -p "$LAB_DIR/gpus"
	python3 - "$LAB_DIR/gpus/tinybox.json" <<'PY'
import json, sys
gpus = [{"index": i, "name": "AMD Radeon RX 7900 XTX", "utilization_pct": u,
         "memory": {"used_bytes": m * 2**30, "total_bytes": 24 * 2**30},
         "temperature_c": t, "power": {"draw_w": w, "limit_w": 355}}
        for i, (u, m, t, w) in enumerate([(93, 19, 74, 331.5), (88, 19, 72, 318.0), (12, 1, 51, 64.0),
                                          (0, 0, 38, 21.0), (97, 22, 79, 349.0), (45, 9, 63, 180.5)])]
json.dump({"node": "tinybox", "gpus": gpus}, open(sys.argv[1], "w"))
PY
	rep_http tinybox "$g" "/v1/metrics=@$LAB_DIR/gpus/tinybox.json" || return 1
	rep_map "http://localhost:9400/v1/metrics" "http://$a:$g/v1/metrics"
	p=$(rep_port 8080) && rep_http tinybox "$p" /health=ok || return 1
	rep_map "http://localhost:8080/" "http://$a:$p/"
	rep_map "tinybox.storyforge.example:22" "$a:$(rep_sshport tinybox)"
}

# OrbisVoice: three hosts; the API, the voice gateway and the web front end
# over HTTPS (a certificate of the replica's CA, named by ca_file), PostgreSQL
# orbis with TLS required, and daily dumps whose newest is three days old: the
# seed's planted problem, a breached RPO. The Gemini key's age and rotation
# come from a stand-in of the team's own admin command.
replica_orbisvoice() {
	local app web db p1 p2 p3 pgp
	app=$(rep_addr ov-app) web=$(rep_addr ov-web) db=$(rep_addr ov-db)
	rep_nocontainers ov-app ov-web ov-db
	p1=$(rep_port 443) && rep_https ov-app "$p1" /health=ok || return 1
	p2=$(rep_port 8443) && rep_https ov-app "$p2" /health=ok || return 1
	p3=$(rep_port $((p1 + 1))) && rep_https ov-web "$p3" /health=ok || return 1
	rep_map "https://ov-app.orbisvoice.example/health" "https://$app:$p1/health"
	rep_map "https://ov-app.orbisvoice.example:8443/health" "https://$app:$p2/health"
	rep_map "https://ov-web.orbisvoice.example/health" "https://$web:$p3/health"
	rep_map "tcp ov-app.orbisvoice.example:443" "tcp $app:$p1"
	for s in orbis-api voice-gateway orbis-web; do rep_add "service $s" "ca_file = $LAB_DIR/ca.pem"; done
	pgp=$(rep_port 5432) && rep_pg ov-db "$pgp" && rep_pg_tls ov-db || return 1
	rep_db orbis || return 1
	rep_map "ov-db.orbisvoice.example:5432" "$db:$pgp"
	rep_map "~/.config/fleetdeck/secrets/orbis-monitor.pass" "$(rep_secret orbis-monitor.pass "$REP_PG_PASS")"
	rep_archive_now
	rep_files ov-db /var/backups/pg 'orbis-*.sql.gz' '3 days' '4 days' '5 days'
	rep_map "/var/backups/pg/" "$(rep_root ov-db)/var/backups/pg/"
	# the team's admin command (a stand-in: the real one talks to Google)
	cat >"$(rep_bin ov-app)/orbis-admin" <<EOF
#!/bin/sh
# A stand-in for OrbisVoice's own admin command on ov-app (tests/lab/replica.sh):
# the Gemini key's creation time, and a rotation that makes a new one.
state=$LAB_DIR/hosts/ov-app/gemini-key
[ -s "\$state" ] || date -u -d '30 days ago' +%Y-%m-%dT%H:%M:%SZ >"\$state"
case \$1 in
gemini-key-created) cat "\$state" ;;
rotate-gemini-key) date -u +%Y-%m-%dT%H:%M:%SZ >"\$state"; echo "gemini-\$(date +%s)" ;;
*) echo "usage: orbis-admin gemini-key-created|rotate-gemini-key" >&2; exit 2 ;;
esac
EOF
	chmod 755 "$(rep_bin ov-app)/orbis-admin"
	rep_map "/usr/local/bin/orbis-admin" "$(rep_bin ov-app)/orbis-admin"
}

# CocotteTech, the reference fleet: black (the API containers, the
# databases quinn/platform/messenger in one cluster with WAL archiving), vps-0
# behind it (jump) with the HTTPS edge, apricot (two GPUs: the nvidia-smi
# stand-in; model-boss; the restic repository), plum (a streaming standby:
# mac-sync.mirror), the links between them, the ct-forge runners (the
# DigitalOcean and Forgejo APIs: tests/actions/fake_vendor_api.py) and the
# ops key (ssh-authorized-key, 100 days old).
replica_cocotte() {
	local black vps apricot plum p1 p2 pe pm pf pgp sbp pass v key
	black=$(rep_addr black) vps=$(rep_addr vps-0) apricot=$(rep_addr apricot) plum=$(rep_addr plum)
	rep_podman black || return 1
	rep_container black quinn-api --memory 1g || return 1
	rep_container black platform-api --memory 1g || return 1
	rep_nocontainers vps-0 apricot
	p1=$(rep_port 3050) && rep_http black "$p1" /health=ok || return 1
	p2=$(rep_port 3060) && rep_http black "$p2" /health=ok || return 1
	rep_map "http://localhost:3050/" "http://$black:$p1/"
	rep_map "http://localhost:3060/" "http://$black:$p2/"
	rep_map "black.cocotte.example:3060" "$black:$p2"
	pe=$(rep_port 443) && rep_https vps-0 "$pe" /health=ok || return 1
	rep_map "https://vps-0.cocotte.example/health" "https://$vps:$pe/health"
	rep_add "service edge" "ca_file = $LAB_DIR/ca.pem"
	pm=$(rep_port 8081) && rep_http apricot "$pm" /=ok || return 1
	rep_map "apricot.cocotte.example:8081" "$apricot:$pm"
	rep_map "apricot.cocotte.example:22" "$apricot:$(rep_sshport apricot)"

	# one cluster on black for quinn, platform and messenger; WAL archived
	# every minute (a ticker writes a row), as a live primary would
	pgp=$(rep_port 25435) && rep_pg black "$pgp" || return 1
	rep_sql postgres "ALTER SYSTEM SET archive_timeout = 60" >/dev/null &&
	rep_sql postgres "SELECT pg_reload_conf()" >/dev/null || return 1
	for v in quinn platform messenger; do rep_db "$v" || return 1; done
	rep_archive_now
	rep_bg pg-ticker "$LAB_DIR/pg-ticker" sh -c "exec 3>\"$LAB_DIR/pg-ticker\"; while sleep 30; do
		runuser -u postgres -- psql -X -q -h '$REP_PGBASE/pg/sock' -p $pgp -U postgres -d postgres \
			-c 'INSERT INTO t VALUES (1)' >/dev/null 2>&1; done"
	pass=$(rep_secret pg_monitor_cocotte "$REP_PG_PASS")
	rep_map "postgresql://monitor@localhost:25435/quinn" "postgresql://monitor@$black:$pgp/quinn"
	rep_map "postgresql://monitor@localhost:25437/platform" "postgresql://monitor@$black:$pgp/platform"
	rep_map "host=localhost port=25438" "host=$black port=$pgp"
	rep_map "tcp localhost:25435" "tcp $black:$pgp"
	rep_map "~/.vault/pg_monitor_cocotte" "$pass"
	# no ~/.pgpass of yours is touched: the replica names its password file
	rep_add "database quinn.db" "password_file = $pass"
	rep_add "database platform.db" "password_file = $pass"
	rep_add "database mac-sync.mirror" "password_file = $pass"
	sbp=$(rep_port 5432) && rep_standby plum "$sbp" || return 1
	rep_map "host=localhost port=5432 dbname=messenger" "host=$plum port=$sbp dbname=messenger"
	rep_map "tcp localhost:25439" "tcp $plum:$sbp"

	# apricot: two RTX 4090 (nvidia-smi recordings), the restic repository
	mkdir -p "$LAB_DIR/gpus"
	cp "$_REP_TOP"/tests/data/gpus/* "$LAB_DIR/gpus/" && echo rtx4090x2 >"$LAB_DIR/gpus/current"
	printf '#!/bin/sh\n# nvidia-smi on apricot: a stand-in printing recordings (tests/services/fake-nvidia-smi)\nFAKE_SMI_DATA=%s exec %s "$@"\n' \
		"$LAB_DIR/gpus" "$_REP_TOP/tests/services/fake-nvidia-smi" >"$(rep_bin apricot)/nvidia-smi"
	chmod 755 "$(rep_bin apricot)/nvidia-smi"
	rep_restic apricot /srv/restic/black /etc/restic/pass quinn.db '5 hours' '29 hours' || return 1
	rep_restic apricot /srv/restic/black /etc/restic/pass path=/etc '7 hours' || return 1
	rep_map "repo = /srv/restic/black" "repo = $(rep_root apricot)/srv/restic/black"
	rep_map "password_file = /etc/restic/pass" "password_file = $(rep_root apricot)/etc/restic/pass"
	rep_map "path = /etc" "path = $LAB_DIR/restic-src/etc"

	# ct-forge: the vendors' APIs, stand-ins on black's address
	pf=$(rep_port 3000) || return 1
	mkdir -p "$LAB_DIR/vendor"
	v=$(rep_secret do_pat_cocotte "do-replica-$RANDOM$RANDOM")
	cp "$v" "$LAB_DIR/vendor/do_token"
	rep_map "~/.vault/do_pat_cocotte" "$v"
	v=$(rep_secret forgejo_cocotte "fj-replica-$RANDOM$RANDOM")
	cp "$v" "$LAB_DIR/vendor/fj_token"
	rep_map "~/.vault/forgejo_cocotte" "$v"
	printf 'gh-unused\n' >"$LAB_DIR/vendor/gh_token"
	rep_bg vendor-api "$_REP_TOP/tests/actions/fake_vendor_api.py" \
		python3 "$_REP_TOP/tests/actions/fake_vendor_api.py" "$black" "$pf" "$LAB_DIR/vendor"
	rep_add "runners ct-forge" "api = http://$black:$pf/v2"
	rep_map "https://black.cocotte.example:3000/cocotte/ct-forge" "http://$black:$pf/cocotte/ct-forge"

	# the ops key: 100 days old, authorized on every host
	key=$LAB_DIR/secrets/cocotte_ops_ed25519
	ssh-keygen -q -t ed25519 -N '' -C "cocotte-ops (replica)" -f "$key" || return 1
	cat "$key.pub" >>"$LAB_DIR/authorized_keys"
	touch -d '100 days ago' "$key" "$key.pub"
	rep_map "~/.ssh/cocotte_ops_ed25519" "$key"
	rep_map "user = ops" "user = $LAB_USER"
}

# rep_standby HOST PORT: a streaming standby of the replica's cluster
# (pg_basebackup -R) on HOST's address.
rep_standby() {
	local sd=$REP_PGBASE/standby
	mkdir -p "$sd/sock" && chown -R postgres "$sd"
	runuser -u postgres -- "$PG_BIN/pg_basebackup" -h "$REP_PGBASE/pg/sock" -p "$REP_PG_PORT" -U postgres \
		-D "$sd/data" -R -X stream -c fast >"$sd/basebackup.log" 2>&1 ||
		{ _rep_fail "pg_basebackup: $(tail -3 "$sd/basebackup.log")"; return 1; }
	cat >>"$sd/data/postgresql.conf" <<CONF
listen_addresses = '$(rep_addr "$1")'
port = $2
unix_socket_directories = '$sd/sock'
archive_mode = off
CONF
	runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$sd/data" -l "$sd/log" -w -t 30 start >/dev/null 2>&1 ||
		{ _rep_fail "the standby did not start: $(tail -3 "$sd/log")"; return 1; }
	lab_proc_add "$(head -1 "$sd/data/postmaster.pid")" INT "$sd/data"
}

# --- building one -----------------------------------------------------------

# replica_build NAME: in the lab just created ($LAB_DIR, hosts named as in
# the seed), everything of NAME's shape, then DIR/NAME.fleet.
replica_build() {
	local name=$1 f
	replica_known "$name" || { _rep_fail "no replica of '$name' (known: $REPLICA_FLEETS)"; return 1; }
	: >"$LAB_DIR/replica.map"
	# built afresh each time (keys and podman's image are kept)
	rm -rf "$LAB_DIR/pgbase" "$LAB_DIR/logs" "$LAB_DIR/secrets" "$LAB_DIR/home" \
		"$LAB_DIR/restic-src" "$LAB_DIR/gpus" "$LAB_DIR/tls" "$LAB_DIR/ca.pem"
	for f in $REPLICA_FLEETS; do rm -f "$LAB_DIR/$f.fleet"; done
	REP_PGBASE=$LAB_DIR/pgbase
	mkdir -p "$REP_PGBASE"
	chmod 711 "$LAB_DIR" "$REP_PGBASE"
	if ! runuser -u postgres -- test -x "$REP_PGBASE" 2>/dev/null; then
		# the lab is in a directory the postgres user cannot enter (/root/...):
		# the cluster lives in /tmp, and `down` removes it
		REP_PGBASE=$(mktemp -d "${TMPDIR:-/tmp}/fdlab-pg.XXXXXX") && chmod 711 "$REP_PGBASE" || return 1
		printf '%s\n' "$REP_PGBASE" >>"$LAB_DIR/cleanup"
	fi
	REP_HTTP_LOGS=
	"replica_$name" && rep_http_wait || { _rep_fail "building the $name replica failed"; return 1; }
	replica_fleet "$name"
}

# replica_fleet NAME: DIR/NAME.fleet from data/NAME.fleet and the map.
replica_fleet() {
	local name=$1 out=$LAB_DIR/$1.fleet h i hosts
	hosts=
	for h in $(replica_hosts "$name"); do
		eval "i=\$LAB_IDX_$(printf '%s' "$h" | tr -c 'A-Za-z0-9_' '_')"
		hosts="$hosts $h=$LAB_USER@$(lab_addr "$i"):$(lab_port "$i")"
	done
	python3 - "$_REP_TOP/data/$name.fleet" "$LAB_DIR/replica.map" "$out" "$LAB_DIR" "$LAB_NET" "$name" $hosts <<'PY' || return 1
import os, re, sys
seed, mapf, out, lab, net, name = sys.argv[1:7]
hosts = dict(h.split("=", 1) for h in sys.argv[7:])
subs, adds = [], {}
for line in open(mapf):
    f = line.rstrip("\n").split("\t")
    if f[0] == "s":
        subs.append((f[1], f[2]))
    elif f[0] == "a":
        adds.setdefault(f[1], []).append(f[2])
subs.sort(key=lambda s: -len(s[0]))
res = ["# A live replica of data/%s.fleet on this machine (tests/lab/up --fleet %s," % (name, name),
       "# LAB_NET=%s): the same sections, with the replica's addresses, ports and" % net,
       "# paths; stop it with tests/lab/down %s." % lab, ""]
section = None
seed_lines = [l.rstrip("\n") for l in open(seed)]
# the seed's opening comment: its first paragraph only (the rest says how
# to point the seed at real machines, which the replica has done)
if "#" in seed_lines:
    cut = seed_lines.index("#")
    end = cut
    while end < len(seed_lines) and seed_lines[end].startswith("#"):
        end += 1
    seed_lines = seed_lines[:cut] + seed_lines[end:]
for line in seed_lines:
    m = re.match(r"\s*\[(\w+)\s+([^\]]+)\]", line)
    if m:
        section = "%s %s" % (m.group(1), m.group(2))
    ssh = re.match(r"(\s*ssh\s*=\s*)(\S+)(.*)", line)
    disk = re.match(r"(\s*disk\s*=\s*)([^#]*)(.*)", line)
    if ssh and section and section.startswith("host "):
        h = section[5:]
        line = "%s%s" % (ssh.group(1), hosts[h])
    elif disk and section and section.startswith("host "):
        # watched mounts other than / are directories under the host's root
        root = "%s/hosts/%s/root" % (lab, section[5:])
        paths = []
        for p in disk.group(2).split():
            if p != "/":
                os.makedirs(root + p, exist_ok=True)
                p = root + p
            paths.append(p)
        line = disk.group(1) + " ".join(paths)
    else:
        for a, b in subs:
            line = line.replace(a, b)
    res.append(line)
    if m:
        kind = m.group(1)
        if kind == "fleet":
            res.append("known_hosts = %s/known_hosts" % lab)
            res.append("audit_log = %s/audit.log" % lab)
        if kind == "host":
            res.append("identity_file = %s/id_ed25519" % lab)
        for extra in adds.get("[%s]" % section, []):
            res.append(extra)
# a seed's own audit_log would follow ours: drop it
text = "\n".join(res) + "\n"
lines, seen = [], set()
section = None
for line in text.split("\n"):
    m = re.match(r"\s*\[(\w+)\s+([^\]]+)\]", line)
    if m:
        section = m.group(0)
    k = re.match(r"\s*(audit_log|known_hosts)\s*=", line)
    if k and section and section.lstrip().startswith("[fleet"):
        if (section, k.group(1)) in seen:
            continue
        seen.add((section, k.group(1)))
    lines.append(line)
text = "\n".join(lines)
body = "\n".join(l.split("#", 1)[0] for l in text.split("\n"))
left = sorted(set(re.findall(r"[\w.-]+\.example\b|\blocalhost\b|~/\S*", body)))
if left:
    sys.exit("replica: not mapped in %s: %s" % (out, " ".join(left)))
open(out, "w").write(text)
PY
}

# --- for the replica tests ----------------------------------------------------

# replica_test_up NAME: in a test (after lab_test_begin), the lab with NAME's
# hosts in $T/lab and the replica built; $REPLICA_FLEET is its fleet file.
replica_test_up() {
	local t0 hosts
	hosts=$(replica_hosts "$1")
	t0=$(date +%s)
	LAB_HOST_NAMES=$hosts LAB_HOST_BIN=1 lab_up "$(printf '%s\n' $hosts | wc -l)"
	# the build (servers, containers, clusters) and what follows take as
	# long as this machine is loaded: the watchdog is the test's limit plus
	# 200 ssh logins measured now (0.77 s each at load 12 here, where the
	# test took 120 of them)
	lab_baseline lab_login 1 || { bad "a login to the replica's first host"; lab_finish; }
	lab_watchdog_units 200
	replica_build "$1" || { bad "the $1 replica is built"; lab_finish; }
	REPLICA_FLEET=$LAB_DIR/$1.fleet
	ok "the $1 replica is built ($(($(date +%s) - t0)) s): $(echo $hosts)"
}

# replica_check JSON NAME PLANTED...: every section of data/NAME.fleet has
# live data in the --once --json document JSON, and nothing is unknown but
# the PLANTED problems ("TARGET=CODE", e.g. container/tf-vps/x=nolimit),
# each of which must be there.
replica_check() {
	local json=$1 name=$2 kind sec expr n=0 left p
	shift 2
	json_valid "$json" || { bad "$name: one JSON document" "$(head -c 300 "$json")"; return 1; }
	while IFS='	' read -r kind sec; do
		case $kind in
		host) expr='.hosts[] | select(.name == $s) | .reachable == true and .sampled_at > 0' ;;
		service) expr='.services[] | select(.name == $s) | .checked and .latency_ms != null and .status != "unknown"' ;;
		database) expr='.databases[] | select(.name == $s) | .up == true and .status != "unknown"' ;;
		backup) expr='.backups[] | select(.name == $s) | .last_at != null and .status != "unknown"' ;;
		link) expr='.links[] | select("\(.from) -> \(.to)" == $s) | .status != "unknown" and .latency_ms != null' ;;
		runners) expr='.runners[] | select(.name == $s) | .count != null and .status != "unknown"' ;;
		key) expr='.keys[] | select(.name == $s) | .created_at != null and .status != "unknown"' ;;
		*) continue ;;
		esac
		n=$((n + 1))
		if [ "$(jq --arg s "$sec" "[$expr] | length == 1 and all(.)" "$json")" = true ]; then
			ok "[$kind $sec] live"
		else
			bad "[$kind $sec] live" "$(jq -c --arg s "$sec" "[.${kind%s}s[]?, .hosts[]? | select(.name == \$s or \"\(.from) -> \(.to)\" == \$s)] | .[0]" "$json" | head -c 900)"
		fi
	done < <(sed -n 's/^\[\([a-z]*\) \([^]]*\)\].*/\1\t\2/p' "$_REP_TOP/data/$name.fleet")
	# hosts with GPUs in the seed show them
	for sec in $(awk '/^\[host /{h=$2; sub(/\]$/,"",h)} /^gpus[ \t]*=[ \t]*(nvidia|http-json)/{print h}' "$_REP_TOP/data/$name.fleet"); do
		check "host $sec shows its GPUs" test "$(jq --arg s "$sec" '[.hosts[] | select(.name == $s) | .gpus | length > 0] == [true]' "$json")" = true
	done
	left=$(jq -r '.alerts[] | select(.severity == "unknown") | "\(.target)=\(.code)"' "$json")
	for p in "$@"; do
		left=$(printf '%s\n' "$left" | grep -vxF -- "$p")
		if [ "$(jq --arg t "${p%%=*}" --arg c "${p#*=}" '[.alerts[] | select(.target == $t and .code == $c)] | length > 0' "$json")" = true ]; then
			ok "the planted problem shows: ${p%%=*} (${p#*=})"
		else
			bad "the planted problem shows: ${p%%=*} (${p#*=})" "alerts: $(jq -c '[.alerts[] | "\(.severity) \(.target) \(.code)"]' "$json")"
		fi
	done
	left=$(printf '%s\n' "$left" | sed '/^$/d')
	if [ -z "$left" ]; then
		ok "$name: $n sections live, nothing unknown but what the seed plants"
	else
		bad "$name: nothing unknown but what the seed plants" "$left" \
			"$(jq -c '[.alerts[] | select(.severity == "unknown") | "\(.target): \(.message)"]' "$json")"
	fi
}
