#!/bin/bash
# pgbackrest.sh — a real pgBackRest 2.45 (Debian) backing up a private
# PostgreSQL 15 cluster into a local repository; fleetdeck reads the newest
# backup's stop time with `pgbackrest info --output=json` over a lab host's
# SSH session: fresh backup → ok within its RPO, the same backup against a
# short RPO → breach, an unknown stanza → unknown with pgBackRest's reason.
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
LAB_NET=44
lab_test_begin pgbackrest 58
lab_require_tool pgbackrest
. "$TOP_SRCDIR/tests/databases/pglab.sh"
PGA=127.0.$LAB_NET.10 PGP=$((5400 + LAB_NET))
pglab_start "$PGA" "$PGP"
pglab_trap

B=$T/pgbr
mkdir -p "$B/repo" "$B/log" "$B/lock" "$B/spool"
cat >"$B/pgbackrest.conf" <<CONF
[global]
repo1-path=$B/repo
log-path=$B/log
lock-path=$B/lock
spool-path=$B/spool
log-level-console=warn
start-fast=y
archive-check=n

[demo]
pg1-path=$PG_DIR/data
pg1-port=$PGP
pg1-socket-path=$PG_DIR/sock
CONF
chown -R postgres "$B"
chmod 644 "$B/pgbackrest.conf"
runuser -u postgres -- pgbackrest --config="$B/pgbackrest.conf" --stanza=demo stanza-create \
	>"$B/create.out" 2>&1 || { bad "pgbackrest stanza-create" "$(tail -5 "$B/create.out")"; lab_finish; }
runuser -u postgres -- pgbackrest --config="$B/pgbackrest.conf" --stanza=demo --type=full backup \
	>"$B/backup.out" 2>&1 || { bad "pgbackrest full backup" "$(tail -5 "$B/backup.out")"; lab_finish; }
ok "pgbackrest: stanza demo created, one full backup taken"
stop=$(runuser -u postgres -- pgbackrest --config="$B/pgbackrest.conf" --stanza=demo --output=json info |
	jq '.[0].backup[-1].timestamp.stop')

# the lab host finds the repository through pgBackRest's own environment
LAB_SSHD_SETENV="PGBACKREST_CONFIG=$B/pgbackrest.conf" lab_up 1
F=$T/pgbr.fleet
sed 's/^\[host lab1\]$/[host lab1]\ncontainers = none\ngpus = none/' "$LAB_FLEET" >"$F"
cat >>"$F" <<FLEET

[backup fresh]
source = pgbackrest
host = lab1
stanza = demo
rpo = 1h

[backup strict]
source = pgbackrest
host = lab1
stanza = demo
rpo = 1s

[backup nosuch]
source = pgbackrest
host = lab1
stanza = nosuch
rpo = 1h
FLEET
sleep 2   # the backup is now older than the strict RPO of 1 s
fd_run 40 "$T/out.json" --once --json -c "$F"
json_valid "$T/out.json" || { bad "stdout is JSON" "$(head -c 1200 "$T/out.json.err")"; lab_finish; }
B_() { jq -r --arg n "$1" ".backups[] | select(.name == \$n) | $2" "$T/out.json"; }
json_check "$T/out.json" "fresh: last_at is the backup's stop time ($stop)" \
	".backups[] | select(.name == \"fresh\") | .last_at == $stop"
json_check "$T/out.json" 'fresh: ok within an RPO of 1h' '.backups[] | select(.name == "fresh") | .status == "ok"'
json_check "$T/out.json" 'strict: the same backup breaches an RPO of 1s (crit)' \
	'.backups[] | select(.name == "strict") | .status == "crit" or .status == "breach"'
json_check "$T/out.json" 'nosuch: unknown, never green' '.backups[] | select(.name == "nosuch") | .status == "unknown"'
json_check "$T/out.json" 'nosuch: says why' '.backups[] | select(.name == "nosuch") | (.problems | length) > 0'
echo "   fresh: $(B_ fresh '"\(.status) age \(.age_s)s size \(.size)"')"
echo "   strict: $(B_ strict '.problems | join(" / ")')"
echo "   nosuch: $(B_ nosuch '.problems | join(" / ")')"
lab_finish
