#!/bin/bash
# db_tui.sh — the Databases & backups view (--view databases) in tmux, on a
# real PostgreSQL and restic: a breached backup is listed before an ok one;
# PostgreSQL stopped turns the database DOWN, started again it reconnects by
# itself; Enter shows the detail with the error; the password is never on
# screen; small sizes do not break it.
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
LAB_NET=41
lab_test_begin db_tui 58
lab_require_tool tmux
lab_up 1
. "$TOP_SRCDIR/tests/databases/pglab.sh"
pglab_trap
PGA=127.0.$LAB_NET.10 PGP=$((5400 + LAB_NET))
pglab_start "$PGA" "$PGP"
restic_lab
pglab_psql "SELECT pg_switch_wal();" >/dev/null
pglab_psql "INSERT INTO t VALUES (1); SELECT pg_switch_wal();" >/dev/null

F=$T/db.fleet
sed 's/^\[host lab1\]$/[host lab1]\ncontainers = none\ngpus = none/' "$LAB_FLEET" >"$F"
{ echo; pglab_db_section pg monitor; } >>"$F"
cat >>"$F" <<FLEET

[backup wal]
source = pg-archiver
database = pg
rpo = 15m

[backup restic-old]
source = restic
host = lab1
repo = $T/restic
password_file = $T/restic.pass
rpo = 1h
rto = 4h
FLEET

fd_tmux fd 140 30 -- -c "$F" --view databases
if tmux_wait_line 'restic-old' 'BREACH' 15; then ok "restic-old shows BREACH"; else bad "restic-old shows BREACH" "$(tmux_show)"; lab_finish; fi
tmux_wait_line '^ *OK +pg ' ' up ' 10 && ok "database pg is up" || bad "database pg is up" "$(tmux_show)"
wait_for 10 tmux_has " wal " && ok "wal listed" || bad "wal listed" "$(tmux_show)"
b=$(tmux_capture | grep -n 'restic-old' | head -1 | cut -d: -f1)
w=$(tmux_capture | grep -n ' wal ' | head -1 | cut -d: -f1)
[ -n "$b" ] && [ -n "$w" ] && [ "$b" -lt "$w" ] && ok "the breach is listed first (line $b before $w)" || bad "the breach is listed first" "$(tmux_show)"
tmux_capture | grep -E 'restic-old|wal|pg ' | sed 's/[[:space:]]*$//; s/^/   /'

pglab_stop
t0=$(now)
if tmux_wait_line ' pg ' 'DOWN' 10; then ok "PostgreSQL stopped: pg DOWN after $(fsub "$(now)" "$t0")s"; else bad "pg DOWN" "$(tmux_show)"; fi
pglab_startonly || bad "PostgreSQL restarted"
t0=$(now)
if tmux_wait_line '^ *OK +pg ' ' up ' 20; then ok "pg reconnected by itself after $(fsub "$(now)" "$t0")s"; else bad "pg reconnected" "$(tmux_show)"; fi

# Enter: the detail of the selected row (the first: the database).
tmux_send Enter
tmux_wait_for "detail (Enter closes)" 5 && ok "Enter opens the detail" || bad "Enter opens the detail" "$(tmux_show)"
tmux_has "password_file" && bad "no password hint on an ok database" || true
tmux_send Enter
tmux_wait_gone "detail (Enter closes)" 5 && ok "Enter closes it" || bad "Enter closes it" "$(tmux_show)"

tmux_resize 60 15
sleep 0.5
fd_alive "$FD_PID" && ok "resize to 60x15 survives" || bad "resize to 60x15 survives"
tmux_resize 140 30
if tmux_capture -e | grep -qF "$PG_MONITOR_PASSWORD" || grep -qF "$PG_MONITOR_PASSWORD" "$T/fd.stderr"; then
	bad "the password is never on screen or in stderr"
else
	ok "the password is never on screen or in stderr"
fi
tmux_send q
wait_for 5 tmux_has "EXITED:0" && ok "q quits with exit 0" || bad "q quits with exit 0" "$(tmux_show)"
lab_finish
