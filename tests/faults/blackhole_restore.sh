#!/bin/bash
# blackhole_restore.sh — a host whose packets start vanishing while it is
# watched, then come back (issue #13): lab2's address and port are dropped
# by an nftables table of this test's own (only lab2's address: loopback
# traffic of no one else is touched), its established session and every
# reconnect hang; fleetdeck marks lab2 alone (not ok, with a reason that
# says it timed out or got no answer), keeps drawing lab1 and lab3 as ok,
# and once the table is gone lab2 is ok again by itself.
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
LAB_NET=75
lab_test_begin blackhole_restore 58
lab_require_root
lab_require_tool tmux nft
lab_up 3
sed -i '/^\[host lab[123]\]/a containers = none\ngpus = none\ninterval = 1s\ntimeout = 2s' "$LAB_FLEET"
A2=$(lab_addr 2) P2=$(lab_port 2)
TABLE=fdlab${LAB_NET}bh
trap 'rc=$?; nft delete table inet "$TABLE" 2>/dev/null; (exit $rc); _lab_cleanup' EXIT

fd_tmux ui 120 30 -- -c "$LAB_FLEET"
for h in lab1 lab2 lab3; do
	tmux_wait_line "$h" 'OK|ok' 15 || bad "$h ok at the start" "$(tmux_show)"
done
ok "lab1..lab3 ok at the start"

nft add table inet "$TABLE" &&
	nft "add chain inet $TABLE in { type filter hook input priority -10; }" &&
	nft "add rule inet $TABLE in ip daddr $A2 tcp dport $P2 drop" &&
	nft "add rule inet $TABLE in ip saddr $A2 tcp sport $P2 drop" ||
	lab_skip "cannot add an nftables table here"
echo "   $A2:$P2 blackholed (table inet $TABLE)"
t0=$(now)
wait_for 20 eval 'tmux_capture | grep -E "lab2" | grep -vqE "^ *OK|  ok "' &&
	ok "lab2 is no longer ok after $(fsub "$(now)" "$t0") s" || bad "lab2 is no longer ok" "$(tmux_show)"
tmux_wait_line 'lab2' 'timed out|no answer|keepalive|lost' 15 && ok "lab2's reason: it timed out / got no answer" ||
	bad "lab2's reason: it timed out / got no answer" "$(tmux_show)"
tmux_wait_line 'lab1' 'OK|ok' 3 && tmux_wait_line 'lab3' 'OK|ok' 3 && ok "lab1 and lab3 stay ok" ||
	bad "lab1 and lab3 stay ok" "$(tmux_show)"
fd_alive "$FD_PID" && ok "the dashboard is alive" || bad "the dashboard is alive" "$(tmux_show)"

nft delete table inet "$TABLE"
t0=$(now)
tmux_wait_line 'lab2' 'OK|ok' 30 && ok "restored: lab2 is ok again by itself ($(fsub "$(now)" "$t0") s)" ||
	bad "restored: lab2 is ok again by itself" "$(tmux_show)"
tmux_send q
wait_for 5 tmux_has "EXITED:0" && ok "q quits" || bad "q quits" "$(tmux_show)"
lab_finish
