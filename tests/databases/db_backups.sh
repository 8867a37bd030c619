#!/bin/bash
# db_backups.sh — a real PostgreSQL 15 (archive_mode=on), a real restic
# repository and a directory of dumps, watched by fleetdeck --once --json
# through one lab SSH host: database health, a database through `tunnel`,
# wrong credentials, and every backup's RPO status (ok, breach, unknown,
# failure), with the password never shown anywhere.
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
LAB_NET=40
lab_test_begin db_backups 58
lab_up 1
. "$TOP_SRCDIR/tests/databases/pglab.sh"
pglab_trap
PGA=127.0.$LAB_NET.10 PGP=$((5400 + LAB_NET))
pglab_start "$PGA" "$PGP"
restic_lab
dumps_lab

F=$T/db.fleet
# only this domain's collectors on the lab host (containers and GPUs are
# other tests' business)
sed 's/^\[host lab1\]$/[host lab1]\ncontainers = none\ngpus = none/' "$LAB_FLEET" >"$F"
cat >>"$F" <<FLEET
[database pg]
dsn = host=$PGA port=$PGP dbname=postgres user=monitor
password_file = $T/pgpass
rpo = 15m

[database pg-tunnel]
dsn = postgresql://monitor@$PGA:$PGP/postgres
tunnel = lab1
password_file = $T/pgpass

[database pg-badpw]
dsn = host=$PGA port=$PGP dbname=postgres user=monitor
password_file = $T/wrongpass

[backup wal]
source = pg-archiver
database = pg
rpo = 15m
rto = 1h

[backup restic-old]
source = restic
host = lab1
repo = $T/restic
password_file = $T/restic.pass
tag = nightly
rpo = 1h

[backup restic-nopw]
source = restic
host = lab1
repo = $T/restic
password_file = $T/no-such-pass
rpo = 1h

[backup dumps]
source = file
host = lab1
path = $T/dumps/db-*.sql.gz
rpo = 1d

[backup cmd]
source = command
host = lab1
command = date -u +%Y-%m-%dT%H:%M:%SZ
rpo = 1h
FLEET

fd_run 20 "$T/v.out" --validate -c "$F"
[ "$FD_RC" = 0 ] && ok "the test fleet validates" || bad "the test fleet validates" "$(cat "$T/v.out" "$T/v.out.err")"

# Some writes, then a WAL switch: the archiver must archive a segment.
pglab_psql "INSERT INTO t SELECT generate_series(1, 1000); SELECT pg_switch_wal();" >/dev/null
archived() { [ -n "$(ls "$PG_DIR/archive" 2>/dev/null)" ]; }
wait_for 10 archived && ok "PostgreSQL archived a WAL segment" || bad "PostgreSQL archived a WAL segment"

J=$T/once.json
fd_run 25 "$J" --once --json -c "$F"
echo "   --once --json took ${FD_SECS}s"
json_check "$J" "database pg is up, ok, PostgreSQL 15" \
	'.databases[] | select(.name=="pg") | .up == true and .status == "ok" and (.version|startswith("15."))'
json_check "$J" "pg: connections vs max_connections 20, size, not in recovery" \
	'.databases[] | select(.name=="pg") | .connections >= 1 and .max_connections == 20 and .size > 1000000 and .in_recovery == false and .waiting_locks == 0'
json_check "$J" "pg: archiver last_archived_at within 60 s" \
	'.databases[] | select(.name=="pg") | (now - .archiver.last_archived_at) < 60 and .archiver.failed_count == 0'
json_check "$J" "pg-tunnel (through lab1's SSH) is up" \
	'.databases[] | select(.name=="pg-tunnel") | .up == true and .status == "ok"'
json_check "$J" "pg-badpw: crit, authentication refused" \
	'.databases[] | select(.name=="pg-badpw") | .status == "crit" and .up == false and (.problems|join(" ")|test("authentication"))'
json_check "$J" "backup wal (pg-archiver): ok after pg_switch_wal()" \
	'.backups[] | select(.name=="wal") | .rpo_status == "ok" and .status == "ok" and .age_s < 60 and .rpo_s == 900 and .rto_s == 3600'
json_check "$J" "backup restic-old (snapshot of 2020, rpo 1h): breach, crit" \
	'.backups[] | select(.name=="restic-old") | .rpo_status == "breach" and .status == "crit" and .last_at == 1577836800'
json_check "$J" "backup restic-nopw: unknown, with the reason" \
	'.backups[] | select(.name=="restic-nopw") | .status == "unknown" and .rpo_status == "unknown" and (.error|test("password file.*missing"))'
json_check "$J" "backup dumps: newest db-3 (1 h old), ok, with its size" \
	'.backups[] | select(.name=="dumps") | .status == "ok" and (.age_s > 3500 and .age_s < 3700) and .size == 6 and .latest == "db-3.sql.gz"'
json_check "$J" "backup cmd (ISO-8601 from date -u): ok, age < 60 s" \
	'.backups[] | select(.name=="cmd") | .status == "ok" and .age_s < 60'
! ls "$T/dumps" "$T/home" | grep -q "^pwned" && ok "a hostile dump file name ran nothing" || bad "a hostile dump file name ran nothing"

# The password appears nowhere: JSON, text, --check, stderr.
fd_run 25 "$T/once.txt" --once -c "$F"
fd_run 25 "$T/check.txt" --check -c "$F"
[ "$FD_RC" = 2 ] && ok "--check exits 2 (breach and auth are crit)" || bad "--check exits 2" "rc=$FD_RC $(cat "$T/check.txt")"
grep -q "restic-old" "$T/once.txt" && grep -q breach "$T/once.txt" && ok "--once text lists the breach" || bad "--once text lists the breach" "$(cat "$T/once.txt")"
if cat "$J" "$J.err" "$T/once.txt" "$T/once.txt.err" "$T/check.txt" "$T/check.txt.err" | grep -qF "$PG_MONITOR_PASSWORD"; then
	bad "the database password appears in no output"
else
	ok "the database password appears in no output (JSON, text, --check, stderr)"
fi
grep -qF "$(cat "$T/restic.pass")" "$J" "$T/once.txt" && bad "restic password not shown" || ok "restic password not shown"

# Delete the newest dump: the age jumps to 2 days -> breach (rpo 1d).
rm -f "$T/dumps/db-3.sql.gz"
fd_run 25 "$J" --once --json -c "$F"
json_check "$J" "newest dump deleted: age jumps to ~2 d, breach" \
	'.backups[] | select(.name=="dumps") | .rpo_status == "breach" and .age_s > 170000 and .latest == "db-2.sql.gz"'
# A zero-byte newest dump: a failed backup, crit, the last good one still counts.
: >"$T/dumps/db-4.sql.gz"
fd_run 25 "$J" --once --json -c "$F"
json_check "$J" "zero-byte newest dump: crit failure, named" \
	'.backups[] | select(.name=="dumps") | .status == "crit" and (.failure|test("db-4.sql.gz.*empty")) and .latest == "db-4.sql.gz"'

# Postgres stopped: down, crit; the archiver backup turns unknown (never green).
pglab_stop
fd_run 25 "$J" --once --json -c "$F"
json_check "$J" "PostgreSQL stopped: pg down, crit" \
	'.databases[] | select(.name=="pg") | .up == false and .status == "crit" and (.problems|length) > 0'
json_check "$J" "PostgreSQL stopped: wal backup unknown, not ok" \
	'.backups[] | select(.name=="wal") | .status == "unknown"'
pglab_startonly || bad "PostgreSQL restarted"
fd_run 25 "$J" --once --json -c "$F"
json_check "$J" "PostgreSQL restarted: pg up again" '.databases[] | select(.name=="pg") | .up == true'

# An inline password is refused at --validate, without echoing it.
printf '[database bad]\ndsn = postgresql://monitor:InlinePw99@127.0.0.1/postgres\n' >"$T/inline.fleet"
fd_run 10 "$T/inline.out" --validate -c "$T/inline.fleet"
out=$(cat "$T/inline.out" "$T/inline.out.err")
[ "$FD_RC" = 2 ] && printf '%s' "$out" | grep -q "password_file" && ! printf '%s' "$out" | grep -q InlinePw99 &&
	ok "inline password in dsn: --validate exits 2, says password_file, does not echo it" ||
	bad "inline password in dsn refused" "rc=$FD_RC $out"
lab_finish
