#!/bin/bash
# child_fds.sh — issue #12 item 8: processes and descriptors.
#  - what fleetdeck starts gets only stdin/stdout/stderr: the local host's
#    shell (and the `list` command it runs) and an action's command (a
#    `command` runner's scale) record /proc/self/fd; nothing else is open
#    (no socket, pipe, audit log or known_hosts of fleetdeck's);
#  - a scale command that closes its output and keeps running is killed
#    at its action_timeout (with its process group), never waited for
#    forever: the action fails "timed out" and the TUI stays responsive;
#  - an audit log owned by another user is not written to, and the action
#    is refused.
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
lab_test_begin child_fds 58
lab_require_root
lab_require_tool tmux pgrep runuser
mkdir -p "$T/rec" "$T/state"
MARK="sleep 300.$$"
cat >"$T/f.fleet" <<EOF
[fleet fds]
audit_log = $T/state/audit.log
interval = 1s

[host me]
ssh = local
containers = none
gpus = none

[runners r]
provider = command
host = me
list = ls -l /proc/self/fd >$T/rec/list.fds; cat $T/rec/count 2>/dev/null || true
scale = ls -l /proc/self/fd >$T/rec/scale.fds; case {count} in 3) exec >/dev/null 2>&1 </dev/null; exec $MARK;; esac; echo r1 idle >$T/rec/count
action_timeout = 3s
min = 0
max = 3
EOF
only_std() {   # FILE: an ls -l /proc/self/fd listing holds only 0-2 (and ls's own directory fd)
	awk 'NR > 1 && $9 !~ /^[012]$/ && $11 !~ /^\/proc\/[0-9]+\/fd$/ { bad = 1; print }
	     END { exit bad }' "$1"
}
fd_tmux ui 140 34 -- -c "$T/f.fleet" --view runners
tmux_wait_line 'r +command' ' 0 \[0\.\.3\]' 15 && ok "Runners view: r 0 [0..3]" || bad "Runners view: r 0 [0..3]" "$(tmux_show)"
check "the local shell's list command got only 0-2" only_std "$T/rec/list.fds"
tmux_send +
tmux_wait_for "from 0 to 1" 5 && tmux_send y
tmux_wait_for "scale runners/r: done" 15 && ok "scale 0 -> 1 done" || bad "scale 0 -> 1 done" "$(tmux_show)"
tmux_send Enter
check "the action's command got only 0-2" only_std "$T/rec/scale.fds"

# a command that closes its output and lingers
tmux_wait_line 'r +command' ' 1 \[0\.\.3\]' 10
t0=$(date +%s)
tmux_send =
tmux_wait_for "Scale to how many" 5
tmux_send 3 Enter
tmux_wait_for "from 1 to 3" 5 && tmux_send y
tmux_wait_for "timed out" 20 && ok "the lingering command is ended at its action_timeout ($(( $(date +%s) - t0 ))s, limit 3s)" ||
	bad "the lingering command is ended at its action_timeout" "$(tmux_show)"
wait_for 3 eval '! pgrep -f "^$MARK\$" >/dev/null' && ok "and killed (no '$MARK' process left)" ||
	bad "and killed" "$(pgrep -af "^$MARK\$")"
tmux_send Enter
tmux_send q
tmux_wait_for "EXITED:0" 5 && ok "the TUI stayed responsive and quits" || bad "the TUI stayed responsive and quits" "$(tmux_show)"

# an audit log that is not ours
chown nobody "$T/state/audit.log"
chmod 644 "$T/state/audit.log"
size=$(stat -c %s "$T/state/audit.log")
fd_tmux ui2 140 34 -- -c "$T/f.fleet" --view runners
tmux_wait_line 'r +command' ' 1 \[0\.\.3\]' 15
rm -f "$T/rec/scale.fds"
tmux_send +
tmux_wait_for "from 1 to 2" 5 && tmux_send y
tmux_wait_for "owned by another user" 10 && ok "an audit log owned by another user: refused, said why" ||
	bad "an audit log owned by another user: refused, said why" "$(tmux_show)"
sleep 1
[ ! -e "$T/rec/scale.fds" ] && ok "and nothing ran" || bad "and nothing ran"
[ "$(stat -c %s "$T/state/audit.log")" = "$size" ] && ok "and it was not written to" || bad "and it was not written to"
tmux_send q
lab_finish
