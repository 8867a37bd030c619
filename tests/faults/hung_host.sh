#!/bin/bash
# hung_host.sh — a host that hangs whole (issue #13): lab2's sshd and every
# session it runs are stopped (SIGSTOP), as a host frozen by swap death or
# a hypervisor pause: its TCP connection stays open and nothing answers.
# fleetdeck marks lab2 alone (not ok, with "no answer"/"timed out"), keeps
# drawing lab1 and lab3 as ok, and when lab2 runs again (SIGCONT) it is ok
# by itself.
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
LAB_NET=76
lab_test_begin hung_host 58
lab_require_root
lab_require_tool tmux
lab_up 3
sed -i '/^\[host lab[123]\]/a containers = none\ngpus = none\ninterval = 1s\ntimeout = 2s' "$LAB_FLEET"
SSHD=$(cat "$LAB_HOST_2_DIR/sshd.pid")
_lab_pid_is "$SSHD" "$LAB_HOST_2_DIR/" || { bad "lab2's sshd found"; lab_finish; }
tree() { echo "$SSHD $(_lab_descendants "$SSHD")"; }
trap 'rc=$?; kill -CONT $(tree) 2>/dev/null; (exit $rc); _lab_cleanup' EXIT

fd_tmux ui 120 30 -- -c "$LAB_FLEET"
for h in lab1 lab2 lab3; do
	tmux_wait_line "$h" 'OK|ok' 15 || bad "$h ok at the start" "$(tmux_show)"
done
ok "lab1..lab3 ok at the start"

STOPPED=$(tree)
# shellcheck disable=SC2086
kill -STOP $STOPPED
echo "   lab2 stopped: $(echo $STOPPED | wc -w) processes (sshd and its sessions)"
t0=$(now)
wait_for 20 eval 'tmux_capture | grep -E "lab2" | grep -vqE "^ *OK|  ok "' &&
	ok "lab2 is no longer ok after $(fsub "$(now)" "$t0") s" || bad "lab2 is no longer ok" "$(tmux_show)"
tmux_wait_line 'lab2' 'timed out|no answer|keepalive|lost' 15 && ok "lab2's reason: no answer / timed out" ||
	bad "lab2's reason: no answer / timed out" "$(tmux_show)"
tmux_wait_line 'lab1' 'OK|ok' 3 && tmux_wait_line 'lab3' 'OK|ok' 3 && ok "lab1 and lab3 stay ok" ||
	bad "lab1 and lab3 stay ok" "$(tmux_show)"
fd_alive "$FD_PID" && ok "the dashboard is alive" || bad "the dashboard is alive" "$(tmux_show)"

# shellcheck disable=SC2086
kill -CONT $(tree)
t0=$(now)
tmux_wait_line 'lab2' 'OK|ok' 30 && ok "running again: lab2 is ok by itself ($(fsub "$(now)" "$t0") s)" ||
	bad "running again: lab2 is ok by itself" "$(tmux_show)"
tmux_send q
wait_for 5 tmux_has "EXITED:0" && ok "q quits" || bad "q quits" "$(tmux_show)"
lab_finish
