#!/bin/bash
# db_auth.sh — wrong credentials: the database shows a clear authentication
# problem, and the dashboard does not hammer the server with retries (a
# refused password waits minutes, not a poll interval): over 12 s of polling
# every second, PostgreSQL logs at most 2 failed logins.
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
LAB_NET=46
lab_test_begin db_auth 58
lab_require_tool tmux
. "$TOP_SRCDIR/tests/databases/pglab.sh"
pglab_trap
PGA=127.0.$LAB_NET.10 PGP=$((5400 + LAB_NET))
pglab_start "$PGA" "$PGP"

F=$T/auth.fleet
cat >"$F" <<FLEET
[fleet auth]
interval = 1s
timeout = 3s

[database badpw]
dsn = host=$PGA port=$PGP dbname=postgres user=monitor
password_file = $T/wrongpass
FLEET
failures() { local n; n=$(grep -c 'password authentication failed for user "monitor"' "$PG_DIR/log" 2>/dev/null); echo "${n:-0}"; }
before=$(failures)
fd_tmux fd 120 30 -- -c "$F" --view databases
tmux_wait_line 'badpw' 'CRIT' 10 && ok "badpw is CRIT" || bad "badpw is CRIT" "$(tmux_show)"
tmux_wait_for "auth" 5 && ok "the problem says it is about authentication" || bad "an authentication problem" "$(tmux_show)"
sleep 12
n=$(( $(failures) - before ))
[ "$n" -ge 1 ] && [ "$n" -le 2 ] && ok "no retry storm: $n failed login(s) in 12+ s of 1 s polling" ||
	bad "no retry storm" "$n failed logins in the PostgreSQL log"
fd_alive "$FD_PID" && ok "still running" || bad "still running"
tmux_capture -e | grep -qF "wrong-password" && bad "the password is never on screen" "$(tmux_show)" ||
	ok "the password is never on screen"
tmux_send q
wait_for 5 tmux_has "EXITED:0" || bad "q quits" "$(tmux_show)"
lab_finish
