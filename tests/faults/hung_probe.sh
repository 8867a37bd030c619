#!/bin/bash
# hung_probe.sh — a probe command that hangs, as df does on a dead NFS mount
# (here: a df on lab1's PATH whose child sleeps 600 s), with lab1 polled
# every 1 s (timeout 4 s) from the TUI for about 85 s (issue #13):
#   - the host is never harmed: the hung df is killed on the host at its
#     deadline with its child, and the hung trees stay flat (at most one at
#     a time; the old code left one behind at every timeout and reconnect),
#   - while it runs, the next poll is skipped and lab1 says "previous poll
#     still running for ..."; then "disk /: df hung"; lab2 stays ok and the
#     dashboard keeps drawing,
#   - once df answers again, lab1 is ok by itself and nothing is left over.
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
LAB_NET=74
lab_test_begin hung_probe 130
lab_require_root
lab_require_tool tmux pgrep timeout
mkdir -p "$T/bin"
touch "$T/df-hangs"
LAB_SSHD_SETENV="PATH=$T/bin:/usr/local/bin:/usr/bin:/bin"
lab_up 2
# the hung child has a name of its own (per LAB_NET, so that two runs of
# this test do not count each other's)
HANG=fdhang$LAB_NET
cp "$(command -v sleep)" "$T/bin/$HANG"
{
	echo '#!/bin/sh'
	echo "echo run >>'$T/df.runs'"
	echo "if [ -e '$T/df-hangs' ]; then '$T/bin/$HANG' 600; exit 1; fi"
	echo 'exec /bin/df "$@"'
} >"$T/bin/df"
chmod +x "$T/bin/df"
# lab2 is the control: the default PATH, a df that answers
sed -i "s| PATH=[^ ']*||" "$LAB_HOST_2_DIR/start"
lab_start_host 2 || { bad "lab2 restarted"; lab_finish; }
sed -i '/^\[host lab[12]\]/a containers = none\ngpus = none\ninterval = 1s\ntimeout = 4s' "$LAB_FLEET"
trap 'rc=$?; pkill -KILL -x "$HANG" 2>/dev/null; (exit $rc); _lab_cleanup' EXIT

# hung df trees: one live $HANG in each, wherever it was reparented to (a
# session torn down leaves it to init; a killed one may wait there as a
# zombie, which costs the host nothing); /proc/PID/stat never blocks
trees() { cat /proc/[0-9]*/stat 2>/dev/null | awk -v n="($HANG)" '$2 == n && $3 != "Z"' | wc -l; }

fd_tmux ui 120 30 -- -c "$LAB_FLEET"
wait_for 10 eval '[ "$(trees)" -ge 1 ]' && ok "lab1's df hangs" || bad "lab1's df hangs" "$(tmux_show)"
tmux_wait_for "previous poll still running for" 8 && ok "lab1: \"previous poll still running for ...\"" ||
	bad "lab1: \"previous poll still running for ...\"" "$(tmux_show)"
tmux_wait_for "df hung" 10 && ok "lab1: \"disk /: df hung (killed on the host ...)\"" ||
	bad "lab1: \"disk /: df hung (killed on the host ...)\"" "$(tmux_show)"
wait_for 5 eval '[ "$(trees)" = 0 ]' && ok "the hung df was killed on the host, child and all" ||
	bad "the hung df was killed on the host, child and all" "$(trees) left"
tmux_wait_line 'lab2' 'OK|ok' 5 && ok "lab2 (no hang) is ok" || bad "lab2 (no hang) is ok" "$(tmux_show)"

# a minute more of polls every second (df tried again every 30 s): no hung df piles up
max=0 samples=""
start=$(date +%s)
while [ $(($(date +%s) - start)) -lt 60 ]; do
	n=$(trees)
	samples="$samples $n"
	[ "$n" -gt "$max" ] && max=$n
	sleep 1
done
echo "   hung df trees on lab1, about once a second for 60 s:$samples"
[ "$max" -le 1 ] && ok "the hung df trees stay flat (at most $max at once)" ||
	bad "the hung df trees stay flat" "up to $max at once:$samples"
fd_alive "$FD_PID" && ok "the dashboard is alive" || bad "the dashboard is alive" "$(tmux_show)"
tmux_has lab1 && tmux_has lab2 && ok "and still draws both hosts" || bad "and still draws both hosts" "$(tmux_show)"
tmux_wait_line 'lab2' 'OK|ok' 3 && ok "lab2 is still ok" || bad "lab2 is still ok" "$(tmux_show)"

# df answers again: from its next run (every 30 s) lab1 is ok by itself
runs=$(wc -l <"$T/df.runs")
rm -f "$T/df-hangs"
wait_for 40 eval '[ "$(wc -l <"$T/df.runs")" -gt "$runs" ]' || bad "df is run again within its 30 s cadence"
tmux_wait_line 'lab1' 'OK|ok' 15 && ok "df answers again: lab1 is ok by itself" ||
	bad "df answers again: lab1 is ok by itself" "$(tmux_show)"
[ "$(trees)" = 0 ] && ok "no hung process left on lab1" || bad "no hung process left on lab1" "$(trees) left"
tmux_send q
wait_for 5 tmux_has "EXITED:0" && ok "q quits" || bad "q quits" "$(tmux_show)"
lab_finish
