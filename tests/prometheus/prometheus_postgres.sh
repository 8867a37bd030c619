#!/bin/bash
# prometheus_postgres.sh — PostgreSQL from postgres_exporter through a
# [prometheus] section (issue #11 item 6): a real PostgreSQL 15
# (tests/databases/pglab.sh), a real prometheus-postgres-exporter 0.11.1
# and a real prometheus-node-exporter on 127.0.131.2, scraped by a real
# Prometheus. `postgres = {job="postgres"}` makes the exporter target a
# database row of the databases view and `--once --json`, on the host of
# the same address. The values shown must be the ones the exporter serves
# (read from it directly) and PostgreSQL has (read with psql); what the
# exporter does not serve is null; the database rules judge them (more
# than 90 % of max_connections warns); a stopped PostgreSQL is down (crit)
# with the reason, a stopped exporter unknown, not down. A streaming
# standby (pg_basebackup -R) with its own exporter: in recovery; the
# primary has one replica and, with replay paused, the lag in bytes served.
# The exporter targets are found at run time: a dashboard started while
# Prometheus is down shows the databases once it is up, without a restart;
# a target added to Prometheus later appears, a removed one disappears.
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/prometheus/lib.sh"
LAB_NET=${LAB_NET:-131}
lab_test_begin prometheus_postgres 300
lab_require_root "the lab listens on 127.0.131.x"
lab_require_tool prometheus prometheus-node-exporter prometheus-postgres-exporter curl ss jq tmux
. "$TOP_SRCDIR/tests/databases/pglab.sh"
S=$T/standby
standby_stop() {
	[ -f "$S/data/postmaster.pid" ] &&
		_pg "$PG_BIN/pg_ctl" -D "$S/data" -m immediate -w -t 10 stop >/dev/null 2>&1
	return 0
}
trap '_rc=$?; standby_stop; pglab_stop; (exit $_rc); _lab_cleanup' EXIT
FAILED=0

PP=$(lab_free_port 9090) && XP=$(lab_free_port 9100) && EP=$(lab_free_port 9187) &&
	EP2=$(lab_free_port $((EP + 1))) && EP3=$(lab_free_port $((EP2 + 1))) &&
	PGP=$(lab_free_port 5431) &&
	PGP2=$(lab_free_port $((PGP + 1))) || { printf 'FAIL: no free TCP port\n'; exit 1; }
URL=http://127.0.$LAB_NET.1:$PP
A=127.0.$LAB_NET.2
cd "$T" || exit 1

pglab_start "$A" "$PGP"
# autovacuum workers come and go as backends: the counts below stay still
pglab_psql "ALTER SYSTEM SET autovacuum = off" >/dev/null && pglab_psql "SELECT pg_reload_conf()" >/dev/null
# one WAL segment archived, so the archiver has something to say
pglab_psql "INSERT INTO t SELECT generate_series(1, 1000); SELECT pg_switch_wal();" >/dev/null
# a streaming standby of it, on the same address
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
spsql() { _pg psql -X -q -At -h "$S/sock" -p "$PGP2" -U postgres -d postgres -c "$1"; }

node_exporter_start "$A:$XP"
# the pg_monitor role over the cluster's socket (trust there), as README.Debian advises
DATA_SOURCE_NAME="host=$PG_DIR/sock port=$PGP user=monitor dbname=postgres sslmode=disable" \
	prometheus-postgres-exporter --web.listen-address="$A:$EP" >"$T/exporter.log" 2>&1 &
EXPORTER=$!
lab_bg $EXPORTER
DATA_SOURCE_NAME="host=$S/sock port=$PGP2 user=monitor dbname=postgres sslmode=disable" \
	prometheus-postgres-exporter --web.listen-address="$A:$EP2" >"$T/exporter2.log" 2>&1 &
lab_bg $!

# The exporter takes ~1.5 s to answer while PostgreSQL refuses connections:
# a 1 s scrape timeout would turn "PostgreSQL is down" into "cannot scrape".
# prom_config TARGET...: the postgres job scrapes these exporters.
prom_config() {
	local t
	t=$(printf "'%s', " "$@")
	cat >"$T/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: node
    static_configs: [{ targets: ['$A:$XP'] }]
  - job_name: postgres
    scrape_interval: 3s
    scrape_timeout: 3s
    static_configs: [{ targets: [${t%, }] }]
EOF
}
# The running Prometheus scrapes TARGETS... from now on (t_hup: when).
prom_reload() { prom_config "$@"; kill -HUP "$PROM"; t_hup=$(date +%s); }
prom_config "$A:$EP" "$A:$EP2"
cat >"$T/p.fleet" <<EOF
[prometheus p]
url = $URL
match = {job="node"}
postgres = {job="postgres"}
EOF
DB=$A:$EP DB2=$A:$EP2 DB3=$A:$EP3 HA=$A:$XP

# The dashboard starts while Prometheus is down: no database yet, and a
# row of the section says why (as an unknown placeholder host does).
fd_tmux early 140 30 -- -c "$T/p.fleet" --view databases
if tmux_wait_line 'prometheus:p' 'no postgres_exporter target known yet' 15; then
	ok "the dashboard starts while Prometheus is down: a row says no target is known yet, and why"
else
	bad "the dashboard starts while Prometheus is down: a row says why" "$(tmux_show)"
fi
"$FLEETDECK" -c "$T/p.fleet" --once --json >"$T/down.json" 2>"$T/down.err"
# (jq 1.6 -e passes on an empty document: it must not be empty)
if [ -s "$T/down.json" ] && jq -e '.databases | length == 1 and .[0].name == "prometheus:p" and .[0].status == "unknown"
	and (.[0].error | test("no postgres_exporter target known yet: .*(onnect|refused)"))' \
	"$T/down.json" >/dev/null; then
	ok "--once --json while Prometheus is down: the section's row is unknown, with the reason"
else
	bad "--once --json while Prometheus is down says why" "$(jq -c .databases "$T/down.json" | head -c 600)" "$(cat "$T/down.err")"
fi

prometheus --config.file="$T/prometheus.yml" --storage.tsdb.path="$T/tsdb" \
	--web.listen-address="127.0.$LAB_NET.1:$PP" >"$T/prometheus.log" 2>&1 &
PROM=$!
lab_bg $PROM
t_prom=$(date +%s)

# a transaction open since now: the longest one
_pg psql -X -q -At -h "$PG_DIR/sock" -p "$PGP" -U postgres -d postgres \
	-c "SELECT pg_sleep(600)" >/dev/null 2>&1 &
lab_bg $!

ready() {
	promql_count_is 3 'up == 1' && promql_count_is 2 'pg_up == 1' &&
		promql_count_is 1 'pg_stat_replication_pg_wal_lsn_diff >= 0' &&
		promql_count_is 1 'pg_stat_archiver_archived_count >= 1' &&
		promql_count_is 1 'pg_stat_activity_max_tx_duration > 1'
}
if wait_for 40 ready; then
	ok "Prometheus scrapes node_exporter and 2 postgres_exporters (pg_up 1, a WAL archived, a standby streaming)"
else
	bad "Prometheus scrapes the 3 exporters" "$(tail -5 "$T/prometheus.log"; tail -5 "$T/exporter.log")"
	lab_finish
fi

# (discovery is asked again with backoff, 1 s doubling to 60 s: within
# 16 s of Prometheus answering here, plus a round; a lookup that came
# before Prometheus's first scrape of the second exporter finds it at the
# next one, 5 rounds later)
if tmux_wait_line "$DB" ' up ' 40 && tmux_wait_line "$DB2" ' up ' 20 &&
	tmux_wait_gone 'prometheus:p' 5; then
	ok "Prometheus up: both exporters' databases appear in the dashboard started before it (up), no restart; the row that said why is gone"
	printf 'note: they showed %d s after Prometheus started\n' $(($(date +%s) - t_prom))
else
	bad "the databases appear once Prometheus is up" "$(tmux_show)" "$(tail -3 "$T/early.stderr")"
fi
tmux_send q
wait_for 5 tmux_has EXITED:0 || bad "q quits the early dashboard" "$(tmux_show)"
# Two sections asking the same Prometheus (an HA pair, two sites with the
# same exporter address) find the same targets: each is one row, the
# first section's, never two rows, two alerts or two series.
cat >"$T/two.fleet" <<EOF
[prometheus p]
url = $URL
match = {job="node"}
postgres = {job="postgres"}

[prometheus q]
url = $URL
match = {job="node"}
postgres = {job="postgres"}
EOF
"$FLEETDECK" -c "$T/two.fleet" --once --json >"$T/two.json" 2>"$T/two.err"
if [ -s "$T/two.json" ] && jq -e "[.databases[].name] == [\"$DB\", \"$DB2\"] and ([.databases[].up] | all)" \
	"$T/two.json" >/dev/null; then
	ok "two sections finding the same postgres_exporter targets: one row each, up"
else
	bad "two sections finding the same targets: one row each" "$(jq -c '[.databases[] | {name, up, error}]' "$T/two.json" | head -c 600)" "$(cat "$T/two.err")"
fi
d=".databases[] | select(.name == \"$DB\")"
d2=".databases[] | select(.name == \"$DB2\")"

# what the exporter serves now: NAME -> the sum of its samples
served() { curl -s -m 5 "http://$A:$EP/metrics" >"$T/served.prom"; }
sum_of() { awk -v m="$1" '$1 == m || index($1, m "{") == 1 { s += $NF } END { printf "%.0f\n", s }' "$T/served.prom"; }
# numbackends counts the backends connected to a database: so does this, less psql itself
pg_backends() { pglab_psql "SELECT count(*) FROM pg_stat_activity WHERE datid IS NOT NULL AND pid <> pg_backend_pid()"; }
xact_age() { pglab_psql "SELECT floor(extract(epoch FROM max(now() - xact_start))) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep%'"; }

# The exporter's own connections count too: one for the server and, while
# it scrapes, its collectors' (a database/sql pool: up to 2 more). So the
# count served is PostgreSQL's between scrapes, or up to 2 more.
promql_value() {
	curl -s -m 2 -G "$URL/api/v1/query" --data-urlencode "query=$1" | jq -r '.data.result[0].value[1] // "none"'
}
NB="sum(pg_stat_database_numbackends{instance=\"$DB\"})"
served
age0=$(xact_age) n0=$(promql_value "$NB") b0=$(pg_backends)
fd_run 20 "$T/once.json" -c "$T/p.fleet" --once --json
n1=$(promql_value "$NB") b1=$(pg_backends)
check "--once --json exits 0" test "$FD_RC" = 0
json_check "$T/once.json" "each exporter target is a database, on the host of its address" \
	"[.databases[].name] == [\"$DB\", \"$DB2\"] and ($d | .host == \"$HA\") and ($d2 | .host == \"$HA\")
	 and [.hosts[].name] == [\"$HA\"]"
json_check "$T/once.json" "it is up and ok, with no problem" \
	"$d | .up == true and .status == \"ok\" and .problems == [] and .error == null"
v=$(pglab_psql "SHOW server_version_num")
json_check "$T/once.json" "version $((v / 10000)).$((v % 10000)), as PostgreSQL says (short_version $(grep -o 'short_version="[^"]*"' "$T/served.prom"))" \
	"$d | .version == \"$((v / 10000)).$((v % 10000))\""
# fleetdeck must show what Prometheus holds, exactly. PostgreSQL's own count
# is only a sanity bound: it is live, the scrape Prometheus holds is up to
# 3 s older, and backends come and go between them (CI run 8 on 2535d86:
# served 2 at both reads, PostgreSQL 3 at both), so the bound is the one
# client this test keeps open (the pg_sleep session) from below, and
# PostgreSQL's count + the exporter's scrape from above.
json_check "$T/once.json" "connections = numbackends summed as served ($n0, $n1): at least the open session, at most PostgreSQL's ($b0, $b1) + the exporter's scrape (0..2); max_connections 20" \
	"$d | (.connections == $n0 or .connections == $n1) and .connections >= 1
	 and .connections <= ([$b0, $b1] | max) + 2
	 and .max_connections == 20 and .max_connections == $(sum_of pg_settings_max_connections)" ||
	printf '       | the database: %s\n' "$(jq -c "$d | [.connections, .max_connections]" "$T/once.json")"
size=$(pglab_psql "SELECT sum(pg_database_size(oid)) FROM pg_database")
json_check "$T/once.json" "size = every database's pg_database_size_bytes summed ($size)" \
	"$d | .size == $(sum_of pg_database_size_bytes) and .size == $size"
age1=$(xact_age)
json_check "$T/once.json" "longest transaction: the open one's age ($age0..$age1 s, less a scrape)" \
	"$d | .longest_xact_s >= $age0 - 4 and .longest_xact_s <= $age1 + 1"
arch=$(pglab_psql "SELECT archived_count || ' ' || failed_count || ' ' || extract(epoch FROM last_archived_time) FROM pg_stat_archiver")
set -- $arch
json_check "$T/once.json" "archiver: $1 archived (as served: $(sum_of pg_stat_archiver_archived_count)), $2 failed, last at PostgreSQL's time (±3 s)" \
	"$d | .archiver.archived_count == $1 and .archiver.archived_count == $(sum_of pg_stat_archiver_archived_count)
	 and .archiver.failed_count == $2 and ((.archiver.last_archived_at - $3) | fabs) < 3"
lag0=$(sum_of pg_stat_replication_pg_wal_lsn_diff)
served
lag1=$(sum_of pg_stat_replication_pg_wal_lsn_diff)
json_check "$T/once.json" "the primary (in_hot_standby 0): one replica, lag in bytes as served ($lag0, $lag1)" \
	"$d | .in_recovery == false and .replicas == 1 and .replication_lag_bytes >= ([$lag0, $lag1] | min)
	 and .replication_lag_bytes <= ([$lag0, $lag1] | max)"
json_check "$T/once.json" "the standby (in_hot_standby 1): up, in recovery, no walsender of its own" \
	"$d2 | .up == true and .status == \"ok\" and .in_recovery == true and .replicas == null
	 and .replication_lag_bytes == null and .version == \"$((v / 10000)).$((v % 10000))\""

# replay paused on the standby, writes on the primary: real lag bytes
spsql "SELECT pg_wal_replay_pause()" >/dev/null
pglab_psql "INSERT INTO t SELECT generate_series(1, 20000); SELECT pg_switch_wal();" >/dev/null
# (Prometheus's newest scrape may be from before the switch: wait until it
# has what the exporter serves now)
LAG="pg_stat_replication_pg_wal_lsn_diff{instance=\"$DB\"}"
lag_settled() {
	served
	[ "$(promql_value "$LAG")" = "$(sum_of pg_stat_replication_pg_wal_lsn_diff)" ] &&
		promql_count_is 1 "$LAG > 1000000"
}
if wait_for 20 lag_settled; then
	ok "replay paused: Prometheus has the primary's replica over 1 MB behind, as served"
else
	bad "the replica falls behind" "$(pglab_psql "SELECT * FROM pg_stat_replication")"
fi
# the WAL still grows a little (running-xacts records): the value served to
# Prometheus around the run, exactly; the exporter read directly, within 1 MiB
lag0=$(promql_value "$LAG")
fd_run 20 "$T/lag.json" -c "$T/p.fleet" --once --json
lag1=$(promql_value "$LAG")
served
direct=$(sum_of pg_stat_replication_pg_wal_lsn_diff)
json_check "$T/lag.json" "the primary's lag in bytes is the one served ($lag0, $lag1; directly $direct)" \
	"$d | .replication_lag_bytes > 1000000 and (.replication_lag_bytes == $lag0 or .replication_lag_bytes == $lag1)
	 and ((.replication_lag_bytes - $direct) | fabs) < 1048576 and .status == \"ok\"" ||
	printf '       | the database: %s\n' "$(jq -c "$d | [.replication_lag_bytes, .status]" "$T/lag.json")"
spsql "SELECT pg_wal_replay_resume()" >/dev/null
json_check "$T/once.json" "what postgres_exporter 0.11.1 does not serve is null, never 0" \
	"$d | .replication_lag_s == null and .waiting_locks == null and .latency_ms == null
	 and .archiver.archive_mode == null and .archiver.last_failed_at == null and .dsn == null"
printf "note: pg_locks_count is served but counts granted locks too: not waiting_locks\n"

# The same rule as for a libpq [database]: more than 90 % of
# max_connections (20) in use warns.
for i in $(seq 1 17); do
	_pg psql -X -q -At -h "$PG_DIR/sock" -p "$PGP" -U postgres -d postgres \
		-c "SELECT pg_sleep(600)" >/dev/null 2>&1 &
	lab_bg $!
done
if wait_for 20 promql_count_is 1 "sum(pg_stat_database_numbackends{instance=\"$DB\"}) >= 19"; then
	ok "19 of 20 connections in use, as Prometheus has it"
else
	bad "19 connections in use" "$(pg_backends)"
fi
fd_run 20 "$T/busy.json" -c "$T/p.fleet" --once --json
json_check "$T/busy.json" "over 90 % of max_connections: warn, said as for a libpq database" \
	"$d | .status == \"warn\" and .connections >= 19 and (.problems | join(\" \") | test(\"of 20 connections in use\"))" ||
	printf '       | the database: %s\n' "$(jq -c "$d | [.status, .connections, .problems]" "$T/busy.json")"

# The dashboard: the databases view.
fd_tmux pg 140 30 -- -c "$T/p.fleet" --view databases
if tmux_wait_line "$DB" 'WARN' 15 && tmux_wait_line "$DB" ' up ' 5 && tmux_wait_line "$DB" '/20' 5; then
	ok "the databases view shows the exporter's database (WARN, up, n/20)"
else
	bad "the databases view shows the exporter's database" "$(tmux_show)"
fi

# A third exporter (of the standby: the primary has no connection left)
# added to Prometheus while the dashboard runs: its row appears. Removed
# from Prometheus: its row goes, from that dashboard and from one started
# while Prometheus had it. A recording made meanwhile has it come and go.
R=$T/pg.fdrec
"$FLEETDECK" --headless --record "$R" -c "$T/p.fleet" >"$T/rec.out" 2>"$T/rec.err" 9>&- &
RECORDER=$!
lab_bg $RECORDER
# live EXPR: the databases at the end of what is recorded so far match
live() {
	"$FLEETDECK" --once --json --replay "$R" >"$T/live.json" 2>/dev/null && [ -s "$T/live.json" ] &&
		jq -e "$1" "$T/live.json" >/dev/null
}
if wait_for 20 live "[.databases[].name] == [\"$DB\", \"$DB2\"]"; then
	ok "recording (--headless --record): the two databases found"
else
	bad "recording: the two databases found" "$(head -c 600 "$T/live.json")" "$(cat "$T/rec.err")"
fi
DATA_SOURCE_NAME="host=$S/sock port=$PGP2 user=monitor dbname=postgres sslmode=disable" \
	prometheus-postgres-exporter --web.listen-address="$A:$EP3" >"$T/exporter3.log" 2>&1 &
EXPORTER3=$!
lab_bg $EXPORTER3
prom_reload "$A:$EP" "$A:$EP2" "$A:$EP3"
if wait_for 20 promql_count_is 3 'up{job="postgres"} == 1'; then
	ok "Prometheus reloaded: it scrapes a third postgres_exporter"
else
	bad "Prometheus scrapes a third postgres_exporter" "$(tail -5 "$T/prometheus.log")"
fi
# (the targets are asked again every 5 rounds: 10 s at the 2 s interval)
if tmux_wait_line "$DB3" ' up ' 30; then
	ok "the target added after start appears in the running dashboard (up)"
	printf 'note: it showed %d s after the reload\n' $(($(date +%s) - t_hup))
else
	bad "the target added after start appears" "$(tmux_show)"
fi
if wait_for 15 live "[.databases[].name] == [\"$DB\", \"$DB2\", \"$DB3\"] and
	(.databases[2] | .up == true and .host == \"$HA\")"; then
	ok "the recording replays the target added (up, on its host)"
else
	bad "the recording replays the target added" "$(jq -c '.databases' "$T/live.json" | head -c 600)"
fi
fd_tmux pg3 140 30 -- -c "$T/p.fleet" --view databases
if tmux_wait_line "$DB3" ' up ' 20; then
	ok "a dashboard started now shows the third target too"
else
	bad "a dashboard started now shows the third target" "$(tmux_show)"
fi
prom_reload "$A:$EP" "$A:$EP2"
if wait_for 20 promql_count_is 0 "up{instance=\"$DB3\"}"; then
	ok "Prometheus reloaded without it: no current series of the third target"
else
	bad "Prometheus drops the third target" "$(tail -5 "$T/prometheus.log")"
fi
if tmux_wait_gone "$DB3" 30 && tmux_has "$DB2"; then
	ok "the target removed from Prometheus disappears from the dashboard started with it; the others stay"
	printf 'note: it went %d s after the reload\n' $(($(date +%s) - t_hup))
else
	bad "the removed target disappears from the dashboard started with it" "$(tmux_show)"
fi
tmux_send q
wait_for 5 tmux_has EXITED:0 || bad "q quits that dashboard" "$(tmux_show)"
TMUX_SESSION=pg
if tmux_wait_gone "$DB3" 10 && tmux_has "$DB2"; then
	ok "and from the one that saw it appear"
else
	bad "the removed target disappears from the one that saw it appear" "$(tmux_show)"
fi
if wait_for 15 live "[.databases[].name] == [\"$DB\", \"$DB2\"]"; then
	ok "the recording replays it gone"
else
	bad "the recording replays it gone" "$(jq -c '[.databases[].name]' "$T/live.json")"
fi
kill -TERM "$RECORDER"
_lab_wait_gone "$RECORDER" 10
kill -TERM "$EXPORTER3"
_lab_wait_gone "$EXPORTER3" 10

# PostgreSQL stops: the exporter answers pg_up 0, the database is down.
pglab_stop
if wait_for 20 promql_count_is 1 'pg_up == 0'; then
	ok "the exporter serves pg_up 0 once PostgreSQL is stopped"
else
	bad "the exporter serves pg_up 0" "$(tail -3 "$T/exporter.log")"
fi
fd_run 20 "$T/down.json" -c "$T/p.fleet" --once --json
json_check "$T/down.json" "a stopped PostgreSQL is down (crit), with the reason" \
	"$d | .status == \"crit\" and .up == false and (.error | test(\"pg_up == 0\"))
	 and (.problems[0] | test(\"^down: postgres_exporter cannot connect\")) and .connections == null"
json_check "$T/down.json" "and an alert says so" \
	"[.alerts[] | select(.target == \"database/$DB\" and .severity == \"crit\")] | length == 1"
json_check "$T/down.json" "the standby stays up (in recovery)" "$d2 | .up == true and .in_recovery == true"
if tmux_wait_line "$DB" 'DOWN' 15; then
	ok "the databases view shows it DOWN"
else
	bad "the databases view shows it DOWN" "$(tmux_show)"
fi

# The exporter stops: Prometheus cannot scrape it: unknown, not down.
kill -TERM "$EXPORTER"
_lab_wait_gone "$EXPORTER" 10
if wait_for 20 promql_count_is 1 "up{instance=\"$DB\"} == 0"; then
	ok "Prometheus sees the exporter stopped (up == 0)"
else
	bad "Prometheus sees the exporter stopped (up == 0)"
fi
fd_run 20 "$T/gone.json" -c "$T/p.fleet" --once --json
json_check "$T/gone.json" "an exporter Prometheus cannot scrape: unknown (up null), with the reason" \
	"$d | .status == \"unknown\" and .up == null and (.error | test(\"cannot scrape this postgres_exporter\"))"
tmux_send q
if wait_for 5 tmux_has EXITED:0; then ok "q quits"; else bad "q quits" "$(tmux_show)"; fi

# Without the key no database comes from the section.
printf '[prometheus p]\nurl = %s\nmatch = {job="node"}\n' "$URL" >"$T/plain.fleet"
fd_run 20 "$T/plain.json" -c "$T/plain.fleet" --once --json
json_check "$T/plain.json" "a section without postgres has no databases" '.databases == []'

lab_finish
