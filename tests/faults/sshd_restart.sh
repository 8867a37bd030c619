#!/bin/bash
# sshd_restart.sh — a host's sshd dies under a running dashboard (issue #13):
# lab1's listener and every sshd session process of it are killed (as an
# OOM kill or a crash would: the session's shell is left to its fate), kept
# down until fleetdeck shows it, then started again:
#   - lab1 alone is marked, with a reason that says the connection went;
#     lab2 stays ok and the dashboard keeps drawing;
#   - lab1 is ok again by itself, the same fleetdeck process (no restart);
#   - nothing of the old session is left on the host: every process that
#     ran for fleetdeck's old session on lab1 is gone.
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
LAB_NET=78
lab_test_begin sshd_restart 58
lab_require_root
lab_require_tool tmux grep
lab_up 2
sed -i '/^\[host lab[12]\]/a containers = none\ngpus = none\ninterval = 1s\ntimeout = 2s' "$LAB_FLEET"
A1=$(lab_addr 1) P1=$(lab_port 1)

# lab1's processes for fleetdeck: sshd puts the session's address in the
# environment of everything the session runs (zombies have none)
host_pids() {
	grep -lsaz "^SSH_CONNECTION=.* $A1 $P1\$" /proc/[0-9]*/environ 2>/dev/null |
		sed 's|^/proc/||; s|/environ$||' | grep -vx "$$" | tr '\n' ' '
}
alive_of() {  # the pids of $@ still running
	local p
	for p in "$@"; do fd_alive "$p" && printf '%s ' "$p"; done
}

fd_tmux ui 120 30 -- -c "$LAB_FLEET"
for h in lab1 lab2; do
	tmux_wait_line "$h" 'OK|ok' 15 || bad "$h ok at the start" "$(tmux_show)"
done
ok "lab1 and lab2 ok at the start"
pid0=$FD_PID

have_session() { OLD=$(host_pids); [ -n "$OLD" ]; }
wait_for 10 have_session && ok "lab1 runs fleetdeck's session (pids $OLD)" ||
	bad "lab1 runs fleetdeck's session" "$(ps -e -o pid,ppid,args | grep -F "$LAB_DIR" | head -20)"

# the crash: listener and sshd session processes, not the session's shell
listener=$(cat "$LAB_HOST_1_PIDFILE")
victims=$listener
for p in $(_lab_descendants "$listener"); do
	[ "$(cat "/proc/$p/comm" 2>/dev/null)" = sshd ] && victims="$victims $p"
done
kill -KILL $victims
echo "   killed lab1's sshd: $victims"
t0=$(now)
wait_for 20 eval 'tmux_capture | grep -E "lab1" | grep -vqE "^ *OK|  ok "' &&
	ok "lab1 is no longer ok after $(fsub "$(now)" "$t0") s" || bad "lab1 is no longer ok" "$(tmux_show)"
tmux_wait_line 'lab1' 'refused|closed|lost|exited|reset|connect' 10 &&
	ok "lab1's reason: the connection went ($(tmux_capture | grep lab1 | grep -m1 -E 'refused|closed|lost|exited|reset|connect' | sed 's/  */ /g'))" || bad "lab1's reason: the connection went" "$(tmux_show)"
tmux_wait_line 'lab2' 'OK|ok' 3 && ok "lab2 stays ok" || bad "lab2 stays ok" "$(tmux_show)"

lab_start_host 1 || bad "lab1's sshd started again"
t0=$(now)
tmux_wait_line 'lab1' 'OK|ok' 30 && ok "lab1 ok again by itself ($(fsub "$(now)" "$t0") s)" ||
	bad "lab1 ok again by itself" "$(tmux_show)"
[ "$FD_PID" = "$pid0" ] && fd_alive "$FD_PID" && ok "the same fleetdeck (pid $FD_PID), not restarted" ||
	bad "the same fleetdeck, not restarted" "was $pid0, now $FD_PID"
wait_for 10 eval '[ -z "$(alive_of $OLD)" ]' && ok "nothing of the old session is left on lab1" ||
	bad "nothing of the old session is left on lab1" \
		"$(for p in $(alive_of $OLD); do ps -o pid,ppid,etimes,args -p "$p" | tail -1; done)"
tmux_send q
wait_for 5 tmux_has "EXITED:0" && ok "q quits" || bad "q quits" "$(tmux_show)"
lab_finish
