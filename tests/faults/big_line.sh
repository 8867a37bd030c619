#!/bin/bash
# big_line.sh — a 50 MB line where a runner listing is expected (issue #13):
# only that request fails, with its limit named; the host's own polls and
# the session go on, fleetdeck's memory does not grow by the 50 MB (peak
# RSS compared with the same fleet whose listing is one short line, in
# this run), and it recovers by itself when the listing is sane again.
# This machine only (`ssh = local`): its shell is the same request framing
# as a remote host's.
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
lab_test_begin big_line 58
lab_require_tool tmux head tr
printf '#!/bin/sh\nif [ -e %s ]; then head -c 52428800 /dev/zero | tr "\\\\0" x; echo; else echo "r1 idle"; fi\n' \
	"$T/big" >"$T/list"
chmod +x "$T/list"
cat >"$T/t.fleet" <<EOF2
[fleet t]
interval = 1s

[host me]
ssh = local
containers = none
gpus = none

[runners ci]
provider = command
host = me
list = $T/list
scale = true {count}
interval = 1s
actions = none
EOF2
hwm() { awk '/^VmHWM/ { print $2 }' "/proc/$1/status" 2>/dev/null; }

# baseline: the same fleet, a one-line listing
fd_tmux base 120 30 -- -c "$T/t.fleet" --view runners
tmux_wait_line 'ci +command' '1 ' 15 || bad "baseline: the listing is read" "$(tmux_show)"
sleep 3
BASE=$(hwm "$FD_PID")
tmux_send q
tmux_kill base

touch "$T/big"
fd_tmux ui 120 30 -- -c "$T/t.fleet" --view runners
tmux_wait_for "its limit" 20 && ok "the 50 MB line fails the listing, naming the limit" ||
	bad "the 50 MB line fails the listing, naming the limit" "$(tmux_show)"
sleep 3
BIG=$(hwm "$FD_PID")
echo "   peak RSS: ${BASE} KiB with a one-line listing, ${BIG} KiB with the 50 MB line"
[ -n "$BIG" ] && [ -n "$BASE" ] && [ "$BIG" -lt $((BASE + 16384)) ] &&
	ok "memory did not take the 50 MB (peak RSS within 16 MiB of the baseline)" ||
	bad "memory did not take the 50 MB" "peak ${BIG} KiB vs ${BASE} KiB"
tmux_send 1
tmux_wait_line 'me ' 'OK|ok' 10 && ok "the host itself is still ok (its session kept)" || bad "the host itself is still ok" "$(tmux_show)"
fd_alive "$FD_PID" && ok "the dashboard is alive" || bad "the dashboard is alive" "$(tmux_show)"
rm -f "$T/big"
tmux_send 6
tmux_wait_line 'ci +command' '1 ' 15 && ok "a sane listing again: the runners are read by themselves" ||
	bad "a sane listing again: the runners are read by themselves" "$(tmux_show)"
tmux_send q
wait_for 5 tmux_has "EXITED:0" && ok "q quits" || bad "q quits" "$(tmux_show)"
lab_finish
