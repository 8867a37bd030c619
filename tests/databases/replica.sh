#!/bin/bash
# replica.sh — a real streaming replica (pg_basebackup -R) of the test
# cluster: fleetdeck sees the standby in recovery with its replay lag, the
# primary with one replica; with replay paused on the standby and writes on
# the primary, the lag in bytes shows on both sides; stopping the standby
# makes it down (crit) while the primary stays up.
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
LAB_NET=45
lab_test_begin replica 58
. "$TOP_SRCDIR/tests/databases/pglab.sh"
PGA=127.0.$LAB_NET.10 PGP=$((5400 + LAB_NET)) PGP2=$((5500 + LAB_NET))
pglab_start "$PGA" "$PGP"
S=$T/standby
standby_stop() {
	[ -f "$S/data/postmaster.pid" ] &&
		_pg "$PG_BIN/pg_ctl" -D "$S/data" -m immediate -w -t 10 stop >/dev/null 2>&1
	return 0
}
trap '_rc=$?; standby_stop; pglab_stop; (exit $_rc); _lab_cleanup' EXIT

mkdir -p "$S/sock" && chown -R postgres "$S"
_pg "$PG_BIN/pg_basebackup" -h "$PG_DIR/sock" -p "$PGP" -U postgres -D "$S/data" -R -X stream \
	>"$S/basebackup.log" 2>&1 || { bad "pg_basebackup" "$(tail -5 "$S/basebackup.log")"; lab_finish; }
cat >>"$S/data/postgresql.conf" <<CONF
port = $PGP2
unix_socket_directories = '$S/sock'
archive_mode = off
CONF
_pg "$PG_BIN/pg_ctl" -D "$S/data" -l "$S/log" -w -t 20 start >/dev/null 2>&1 ||
	{ bad "standby started" "$(tail -5 "$S/log")"; lab_finish; }
ok "a streaming standby of the test cluster runs on $PGA:$PGP2"
spsql() { _pg psql -X -q -At -h "$S/sock" -p "$PGP2" -U postgres -d postgres -c "$1"; }
wait_for 10 eval '[ "$(pglab_psql "SELECT count(*) FROM pg_stat_replication")" = 1 ]' ||
	bad "the standby streams from the primary"

F=$T/replica.fleet
cat >"$F" <<FLEET
[fleet replica]
interval = 1s
timeout = 3s

[database primary]
dsn = host=$PGA port=$PGP dbname=postgres user=monitor
password_file = $T/pgpass

[database standby]
dsn = host=$PGA port=$PGP2 dbname=postgres user=monitor
password_file = $T/pgpass
replica_of = primary
FLEET

fd_run 30 "$T/a.json" --once --json -c "$F"
json_valid "$T/a.json" || { bad "stdout is JSON" "$(head -c 1200 "$T/a.json.err")"; lab_finish; }
json_check "$T/a.json" 'standby: up and in recovery' '.databases[] | select(.name == "standby") | .up and .in_recovery == true'
json_check "$T/a.json" 'standby: replication lag in seconds is a number' \
	'.databases[] | select(.name == "standby") | (.replication_lag_s | type) == "number"'
json_check "$T/a.json" 'primary: not in recovery, one replica' \
	'.databases[] | select(.name == "primary") | .in_recovery == false and .replicas == 1'
json_check "$T/a.json" 'both ok' '[.databases[] | select(.status == "ok")] | length == 2'

# replay paused on the standby, writes on the primary: the lag is real bytes
spsql "SELECT pg_wal_replay_pause()" >/dev/null
pglab_psql "INSERT INTO t SELECT generate_series(1, 20000); SELECT pg_switch_wal();" >/dev/null
# the standby has received WAL it has not replayed (was a fixed 1 s, which
# a loaded walreceiver can miss)
received() { [ "$(spsql "SELECT pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()) > 0")" = t ]; }
wait_for 15 received || bad "the standby receives the primary's WAL (replay paused)" "$(tail -3 "$S/log")"
fd_run 30 "$T/b.json" --once --json -c "$F"
json_check "$T/b.json" 'replay paused: the standby reports lag in bytes' \
	'.databases[] | select(.name == "standby") | .replication_lag_bytes > 0'
json_check "$T/b.json" 'and the primary sees its replica behind' \
	'.databases[] | select(.name == "primary") | .replication_lag_bytes > 0'
echo "   standby: lag $(db_field "$T/b.json" standby '"\(.replication_lag_bytes) bytes, \(.replication_lag_s) s"')"
spsql "SELECT pg_wal_replay_resume()" >/dev/null

standby_stop
fd_run 30 "$T/c.json" --once --json -c "$F"
json_check "$T/c.json" 'standby stopped: down, crit' '.databases[] | select(.name == "standby") | .up == false and .status == "crit"'
json_check "$T/c.json" 'the primary stays up' '.databases[] | select(.name == "primary") | .up == true'
lab_finish
