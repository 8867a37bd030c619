#!/bin/bash
# pg_restart.sh — PostgreSQL restarted, then stopped and started again, under
# a running dashboard (issue #13). Two real clusters (tests/databases/pglab.sh):
# pg, the one the faults hit, and pg2, left alone; one lab host, lab1.
#   - restart (pg_ctl restart -m fast, as systemctl restart does): pg is up
#     again by itself on a new connection, nothing else is marked;
#   - stop (-m fast, as systemctl stop does): pg alone is DOWN, with libpq's
#     reason on one line (the connection was refused / lost), pg2 and lab1
#     stay ok, the dashboard keeps drawing;
#   - start: pg is up again by itself, judged from fleetdeck's own next
#     connection attempt (PostgreSQL's log_connections; its backoff is
#     capped at 60 s), the same fleetdeck process.
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
LAB_NET=77
lab_test_begin pg_restart 100
lab_require_root
lab_require_tool tmux grep runuser
lab_up 1
. "$TOP_SRCDIR/tests/databases/pglab.sh"
PGA2=127.0.$LAB_NET.11 PGP2=$((5500 + LAB_NET))
PGA=127.0.$LAB_NET.10 PGP=$((5400 + LAB_NET))
# pg2 first: pglab.sh's globals (PG_DIR, PG_PORT, PG_PID) then name pg
pglab_start "$PGA2" "$PGP2" "$T/pg2"
PG2_DIR=$PG_DIR
trap '_rc=$?; pglab_stop; PG_DIR=$PG2_DIR pglab_stop; (exit $_rc); _lab_cleanup' EXIT
pglab_start "$PGA" "$PGP" "$T/pg"
pglab_psql "ALTER SYSTEM SET log_connections = on" && pglab_psql "SELECT pg_reload_conf()" >/dev/null

F=$T/pg.fleet
sed '/^\[host lab1\]$/a containers = none\ngpus = none\ninterval = 1s\ntimeout = 2s' "$LAB_FLEET" >"$F"
cat >>"$F" <<FLEET

[database pg]
dsn = host=$PGA port=$PGP dbname=postgres user=monitor
password_file = $T/pgpass
interval = 1s

[database pg2]
dsn = host=$PGA2 port=$PGP2 dbname=postgres user=monitor
password_file = $T/pgpass
interval = 1s
FLEET

# fleetdeck's connections to pg: the monitor role's backends
monitor_pids() { pglab_psql "SELECT string_agg(pid::text, ' ') FROM pg_stat_activity WHERE usename = 'monitor'" 2>/dev/null; }
# the databases view's rows: "OK  pg  up ..." / "DOWN  pg  ... reason"
pg_up() { tmux_capture | grep -qE "^ *OK +$1 .* up "; }
pg_down() { tmux_capture | grep -E "^ *[A-Z]+ +$1 " | grep -vqE "^ *OK "; }
lab1_ok() { tmux_capture | grep -E '\blab1\b' | grep -qE '^ *OK|  ok '; }
clock() { tmux_capture | head -1; }

fd_tmux ui 160 30 -- -c "$F"
tmux_wait_line lab1 'OK|ok' 15 && ok "lab1 ok at the start" || bad "lab1 ok at the start" "$(tmux_show)"
tmux_send 5
for db in pg pg2; do
	wait_for 15 pg_up "$db" && ok "$db up at the start" || bad "$db up at the start" "$(tmux_show)"
done
pid0=$FD_PID
old=$(monitor_pids)
[ -n "$old" ] && ok "fleetdeck is connected to pg (backend $old)" || bad "fleetdeck is connected to pg"

# 1. restart
pglab_restart_fast() { _pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w -t 20 restart -l "$PG_DIR/log" >/dev/null 2>&1; }
pglab_restart_fast && PG_PID=$(head -1 "$PG_DIR/data/postmaster.pid") && lab_bg "$PG_PID" ||
	bad "pg restarted" "$(tail -5 "$PG_DIR/log")"
t0=$(now)
new_backend() { NEW=$(monitor_pids); [ -n "$NEW" ] && [ "$NEW" != "$old" ]; }
# after a lost connection fleetdeck retries in 1 s (+-20 %), then 2, 4 ...
wait_for 15 new_backend && ok "fleetdeck connected again after the restart by itself (backend $old -> $NEW, $(fsub "$(now)" "$t0") s)" ||
	bad "fleetdeck connected again after the restart" "$(tmux_show)"
wait_for 10 pg_up pg && ok "pg up again after the restart" || bad "pg up again after the restart" "$(tmux_show)"
pg_up pg2 && ok "pg2 still up" || bad "pg2 still up" "$(tmux_show)"

# 2. stop
_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w -t 20 stop >/dev/null 2>&1 || bad "pg stopped" "$(tail -5 "$PG_DIR/log")"
t0=$(now)
wait_for 15 pg_down pg && ok "PostgreSQL stopped: pg no longer up after $(fsub "$(now)" "$t0") s" ||
	bad "PostgreSQL stopped: pg no longer up" "$(tmux_show)"
# first the connection it had is lost, then its next attempt is refused
reason() { tmux_capture | grep -E "^ *[A-Z]+ +pg " | grep -qE "$1"; }
row() { tmux_capture | grep -E '^ *[A-Z]+ +pg ' | sed 's/  */ /g'; }
wait_for 10 reason 'DOWN .*(connection lost|server closed the connection|terminating connection|shutting down|Connection refused)' &&
	ok "pg's reason: $(row)" || bad "pg's reason says the connection was lost" "$(tmux_show)"
# libpq's "... Connection refused\n\tIs the server running ...", on one line
wait_for 10 reason 'DOWN .*Connection refused +Is the server running on that host' &&
	ok "its next attempt: $(row)" || bad "its next attempt says the connection was refused, on one line" "$(tmux_show)"
pg_up pg2 && ok "pg2 stays up" || bad "pg2 stays up" "$(tmux_show)"
c1=$(clock)
wait_for 5 eval '[ "$(clock)" != "$c1" ]' && ok "the dashboard keeps drawing" || bad "the dashboard keeps drawing" "$(tmux_show)"
tmux_send 1
wait_for 5 lab1_ok && ok "lab1 stays ok" || bad "lab1 stays ok" "$(tmux_show)"
tmux_send 5
sleep 2   # a few refused attempts: the backoff grows

# 3. start again
log_lines=$(wc -l <"$PG_DIR/log")
pglab_startonly || bad "PostgreSQL started again" "$(tail -5 "$PG_DIR/log")"
t0=$(now)
attempt() { tail -n +"$((log_lines + 1))" "$PG_DIR/log" | grep -q 'connection authorized: user=monitor'; }
wait_for 75 attempt && ok "fleetdeck tried pg again within its 60 s backoff cap ($(fsub "$(now)" "$t0") s)" ||
	bad "fleetdeck tried pg again within its 60 s backoff cap" "$(tail -5 "$PG_DIR/log")"
t1=$(now)
wait_for 10 pg_up pg && ok "pg up again by itself, $(fsub "$(now)" "$t1") s after fleetdeck's attempt" ||
	bad "pg up again by itself" "$(tmux_show)"
pg_up pg2 && ok "pg2 still up" || bad "pg2 still up" "$(tmux_show)"
[ "$FD_PID" = "$pid0" ] && fd_alive "$FD_PID" && ok "the same fleetdeck (pid $FD_PID), not restarted" ||
	bad "the same fleetdeck, not restarted" "was $pid0, now $FD_PID"
tmux_send q
wait_for 5 tmux_has "EXITED:0" && ok "q quits" || bad "q quits" "$(tmux_show)"
lab_finish
