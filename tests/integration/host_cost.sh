#!/bin/bash
# host_cost.sh — the monitored host pays almost nothing: under the dashboard
# (1 s polls), the long-lived `sh` that fleetdeck's session runs on the lab
# host is traced for 6 s (strace -f, process and write calls): it starts no
# process at all (no fork, clone or exec: sh builtins only, no subshell, df
# only at its own 30 s cadence) while it does answer the polls. The host's
# CPU per poll (sshd session + sh) is printed, not judged (make bench).
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
LAB_NET=26
lab_test_begin host_cost 90
lab_require_tool tmux strace
lab_up 1

F=$T/cost.fleet
sed 's/^\(\[host .*\]\)$/\1\ncontainers = none\ngpus = none/' "$LAB_FLEET" >"$F"
fd_tmux cost 150 30 FLEETDECK_STATS="$T/stats.json" -- -c "$F"
wait_for 30 lab_session_sh 1 || { bad "found the session's sh on lab1" "$(tmux_show)"; lab_finish; }
# past the first (full) probe: once its df answered, lab1's DISK is drawn
# (a fixed 3 s was not always enough under load: df then ran while traced)
disk_read() { tmux_cell ' lab1 ' DISK | grep -q '[0-9]%'; }
wait_for 30 disk_read || bad "lab1's disk is read (the first probe is over)" "$(tmux_show)"
lab_session_sh 1
shpid=$LAB_SH_PID session=$LAB_SESSION_PID
ticks() { awk '{print $14 + $15 + $16 + $17}' "/proc/$1/stat"; }
c0=$(( $(ticks "$shpid") + $(ticks "$session") ))
timeout -s INT 6 strace -f -qq -p "$shpid" -e trace=process,write -s 12 -o "$T/sh.strace" 2>"$T/strace.err"
c1=$(( $(ticks "$shpid") + $(ticks "$session") ))
polls=$(grep -c '@uptime' "$T/sh.strace")
spawns=$(grep -cE '^[0-9]+ +(clone|clone3|fork|vfork|execve)\(' "$T/sh.strace")
if [ "$polls" -ge 3 ]; then ok "the host answered $polls polls while traced"; else bad "the host answered polls while traced" "$(head -c 1500 "$T/sh.strace")" "$(cat "$T/strace.err")"; fi
if [ "$spawns" = 0 ]; then
	ok "and started no process for them (no fork, clone or exec)"
else
	bad "no process started by a regular poll" "$(grep -E '(clone|fork|execve)' "$T/sh.strace" | head -5)"
fi
hz=$(getconf CLK_TCK)
echo "   host CPU while traced (strace slows it): $(awk -v t=$((c1 - c0)) -v hz="$hz" -v n="$polls" 'BEGIN { printf "%.2f ms per poll", n ? 1000 * t / hz / n : 0 }')"
tmux_send q
lab_finish
