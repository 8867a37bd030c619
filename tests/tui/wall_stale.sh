#!/bin/bash
# wall_stale.sh — dead data never looks green (tests/tui/wall_common.sh:
# 2 lab hosts, the wall at 250x70):
#   - every sshd frozen (SIGSTOP on the listeners and their sessions, so
#     the collector's requests hang rather than fail) -> the DATA STALE
#     banner within three intervals (plus the run's baseline), no "OK"
#     anywhere on the screen, while the clock keeps running;
#   - thawed -> the banner clears and the wall says OK again;
#   - fleetdeck itself stopped -> its clock stops (a frozen wall shows it).
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/tui/wall_common.sh"

stale_banner() { tmux_has "DATA STALE since" && ! tmux_capture | grep -qw OK; }
clock() { tmux_capture | grep -oE 'clock [0-9]{2}:[0-9]{2}:[0-9]{2}' | head -n 1; }
# sshd listeners and every session they spawned
lab_pids() {
	local h pid
	for h in $LAB_HOSTS; do
		pid=$(cat "$LAB_DIR/hosts/$h/sshd.pid" 2>/dev/null) || continue
		_lab_pid_is "$pid" "$LAB_DIR/hosts/$h/" || continue
		echo "$pid"
		_lab_descendants "$pid"
	done
}
freeze_all() { local p; for p in $(lab_pids); do kill -STOP "$p" 2>/dev/null; done; }
thaw_all() { local p; for p in $(lab_pids); do kill -CONT "$p" 2>/dev/null; done; }

wall_start wall_stale 91 2
trap 'rc=$?; thaw_all; kill -CONT "$FD_PID" 2>/dev/null; (exit $rc); _lab_cleanup' EXIT

freeze_all
within 3 "$(now)" "sshds frozen: DATA STALE banner, no OK on screen," stale_banner
# the clock's next second is drawn (within a fixed 1.3 s only if the frame
# is not late on a loaded machine)
c1=$(clock)
wait_for 5 eval '[ "$(clock)" != "$c1" ]'; c2=$(clock)
[ -n "$c1" ] && [ "$c1" != "$c2" ] && ok "the clock keeps running over the banner ($c1 -> $c2)" ||
	bad "the clock keeps running over the banner" "'$c1' then '$c2'" "$(tmux_show)"
stale_banner && ok "still no OK anywhere while frozen" || bad "still no OK anywhere while frozen" "$(tmux_show)"
thaw_all
wait_for 25 header_says OK && ok "thawed: the banner clears and the header says OK" ||
	bad "thawed: the banner clears and the header says OK" "$(tmux_show)"
tmux_lacks "DATA STALE" && ok "no banner left" || bad "no banner left" "$(tmux_show)"

# fleetdeck itself stopped: its clock (in the header) stands still
# (a frame written just before the stop may reach tmux's screen a little
# later on a loaded machine: the first capture waits until the process is
# stopped and the top of the screen held still for 0.3 s)
kill -STOP "$FD_PID"
top4() { tmux_capture | head -n 4 | md5sum; }
settled() {
	local a
	[ "$(awk '{ print $3 }' "/proc/$FD_PID/stat" 2>/dev/null)" = T ] || return 1
	a=$(top4); sleep 0.3; [ "$a" = "$(top4)" ]
}
wait_for 5 settled
s1=$(top4); sleep 1.5; s2=$(top4)
kill -CONT "$FD_PID"
[ "$s1" = "$s2" ] && ok "fleetdeck stopped: its clock stands still" ||
	bad "fleetdeck stopped: its clock stands still"
moved() { [ "$(top4)" != "$s2" ]; }
wait_for 3 moved && ok "resumed: the clock moves again" || bad "resumed: the clock moves again" "$(tmux_show)"
tmux_send q
wait_for 5 tmux_has "EXITED:0" && ok "q quits with exit 0" || bad "q quits with exit 0" "$(tmux_show)"
lab_finish
