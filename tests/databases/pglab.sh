# tests/databases/pglab.sh — a private PostgreSQL 15 cluster with WAL
# archiving, a restic repository and a directory of dump files, for the
# database/backup tests. Sourced after tests/lab/lib.sh and lab_test_begin.
#
#   pglab_start ADDR PORT [DIR]  cluster in DIR ($T/pg) listening on ADDR:PORT only,
#                             archive_command copying to $T/pg/archive; a
#                             role "monitor" (pg_monitor) whose password is
#                             in $T/pgpass (0600) — never in a fleet file
#   pglab_initdb DIR          DIR = a fresh cluster (a copy of one cached initdb)
#   pglab_psql SQL            runs SQL as the superuser over the Unix socket
#   pglab_db_section NAME USER [PASSFILE]  a fleet file's [database NAME] for
#                             the cluster, as USER, password in PASSFILE
#                             ($T/pgpass: the monitor role's)
#   pglab_stop / pglab_startonly  stop / start again the cluster in $PG_DIR
#   restic_lab                $T/restic (password in $T/restic.pass) with one
#                             snapshot tagged "nightly" dated 2020-01-01
#   dumps_lab                 $T/dumps/db-*.sql.gz with mtimes 1 h, 2 d, 3 d ago
PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
PG_MONITOR_PASSWORD="fd-Sekr3t-$$-pw"

_pg() { runuser -u postgres -- "$@"; }

pglab_start() {
	PG_ADDR=$1 PG_PORT=$2 PG_DIR=${3:-$T/pg}
	[ -x "$PG_BIN/initdb" ] || lab_skip "needs PostgreSQL (initdb)"
	id postgres >/dev/null 2>&1 || lab_skip "needs the postgres user"
	chmod 711 "$T"   # postgres must reach $T/pg; nothing else in $T is opened up
	mkdir -p "$PG_DIR/archive" "$PG_DIR/sock"
	chown -R postgres "$PG_DIR"
	pglab_initdb "$PG_DIR/data" || { bad "initdb" "$(tail -5 "$PG_DIR/initdb.log")"; lab_finish; }
	cat >>"$PG_DIR/data/postgresql.conf" <<CONF
listen_addresses = '$PG_ADDR'
port = $PG_PORT
unix_socket_directories = '$PG_DIR/sock'
archive_mode = on
archive_command = 'cp %p $PG_DIR/archive/%f'
fsync = off
max_connections = 20
CONF
	pglab_startonly || { bad "PostgreSQL started" "$(tail -5 "$PG_DIR/log")"; lab_finish; }
	pglab_psql "CREATE ROLE monitor LOGIN PASSWORD '$PG_MONITOR_PASSWORD' IN ROLE pg_monitor;
		CREATE TABLE t(x int);" >/dev/null
	( umask 077; printf '%s\n' "$PG_MONITOR_PASSWORD" >"$T/pgpass"; printf 'wrong-password\n' >"$T/wrongpass" )
}

# pglab_initdb DIR: DIR becomes a fresh cluster, a copy of one initdb made
# once per PostgreSQL build and kept in $TMPDIR (initdb is CPU work: 2-3 s
# alone, 10-11 s beside a neighbour at load 15, a fifth of a database test's
# time). Made under a lock and renamed into place whole, so a copy is never
# taken from a half-written template.
pglab_initdb() {
	local ver tmpl
	ver=$("$PG_BIN/postgres" --version | tr -c 'A-Za-z0-9.\n' '_')
	tmpl=${TMPDIR:-/tmp}/fdlab-pgtemplate-$ver
	if [ ! -f "$tmpl/data/PG_VERSION" ]; then
		(
			flock 8
			[ -f "$tmpl/data/PG_VERSION" ] && exit 0
			rm -rf "$tmpl.new" && mkdir -p "$tmpl.new" && chmod 755 "$tmpl.new" &&
			head -c 24 /dev/urandom | base64 >"$tmpl.new/super.pw" &&
			chown -R postgres "$tmpl.new" &&
			_pg "$PG_BIN/initdb" -D "$tmpl.new/data" -U postgres --pwfile="$tmpl.new/super.pw" \
				--auth-local=trust --auth-host=scram-sha-256 >"$PG_DIR/initdb.log" 2>&1 &&
			rm -f "$tmpl.new/super.pw" && rm -rf "$tmpl" && mv "$tmpl.new" "$tmpl"
		) 8>"$tmpl.lock" || return 1
	fi
	cp -a "$tmpl/data" "$1"
}

pglab_startonly() {
	_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w -t 20 start >/dev/null 2>&1 || return 1
	PG_PID=$(head -1 "$PG_DIR/data/postmaster.pid")
	lab_bg "$PG_PID"
}

pglab_psql() { _pg psql -X -q -At -h "$PG_DIR/sock" -p "$PG_PORT" -U postgres -d postgres -c "$1"; }
pglab_db_section() {
	printf '[database %s]\ndsn = host=%s port=%s dbname=postgres user=%s\npassword_file = %s\n' \
		"$1" "$PG_ADDR" "$PG_PORT" "$2" "${3:-$T/pgpass}"
}

pglab_stop() {
	[ -n "${PG_DIR:-}" ] && [ -f "$PG_DIR/data/postmaster.pid" ] &&
		_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w -t 10 stop >/dev/null 2>&1
	return 0
}

# Replaces the lab's EXIT trap: the cluster goes first, then the lab.
pglab_trap() { trap '_rc=$?; pglab_stop; (exit $_rc); _lab_cleanup' EXIT; }

restic_lab() {
	lab_require_tool restic
	mkdir -p "$T/data-to-save"
	echo "some data" >"$T/data-to-save/file"
	( umask 077; printf 'restic-%s\n' "$$" >"$T/restic.pass" )
	restic init -q -r "$T/restic" --password-file "$T/restic.pass" >/dev/null 2>&1 &&
	restic backup -q -r "$T/restic" --password-file "$T/restic.pass" --tag nightly \
		--time "2020-01-01 00:00:00" "$T/data-to-save" >/dev/null 2>&1 ||
		{ bad "restic repository created"; lab_finish; }
}

dumps_lab() {
	mkdir -p "$T/dumps"
	echo dump1 >"$T/dumps/db-1.sql.gz"; touch -d '3 days ago' "$T/dumps/db-1.sql.gz"
	echo dump2 >"$T/dumps/db-2.sql.gz"; touch -d '2 days ago' "$T/dumps/db-2.sql.gz"
	echo dump3 >"$T/dumps/db-3.sql.gz"; touch -d '1 hour ago' "$T/dumps/db-3.sql.gz"
	# a hostile name must neither run nor break the parser
	bad_name="$T/dumps/db-\$(touch pwned)\`touch pwned2\`
x.sql.gz"
	echo x >"$bad_name"; touch -d '4 days ago' "$bad_name"
}

# backup_field FILE NAME JQ-PATH
backup_field() { jq -r --arg n "$2" ".backups[] | select(.name == \$n) | $3" "$1"; }
db_field() { jq -r --arg n "$2" ".databases[] | select(.name == \$n) | $3" "$1"; }
