#!/bin/bash
# reconnect.sh — a long-running fleetdeck (the TUI, in tmux) on 3 lab hosts:
# when lab2's sshd stops (its sessions dropped too) the lab2 row turns
# crit/unreachable within a few intervals; when it starts again fleetdeck
# tries it again by itself (exponential backoff with full jitter, capped at
# 60 s: SPEC, fleetdeck(1)) and from that attempt the row is ok within ~15 s.
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
LAB_NET=17
lab_test_begin reconnect 120   # the backoff alone may be 60 s
lab_require_tool tmux
lab_up 3

BAD='crit|CRIT|unreach|UNREACH|[Dd]own|timed out|refused|✗'
lab2_bad() { tmux_capture | grep -F lab2 | grep -qE "$BAD"; }
lab2_good() { tmux_capture | grep -F lab2 | grep -qiE '(^|[^a-z])ok([^a-z]|$)' && ! lab2_bad; }
all_names() { tmux_has lab1 && tmux_has lab2 && tmux_has lab3; }

fd_tmux fd 120 30 -- -c "$LAB_FLEET"
if wait_for 10 all_names; then ok "TUI shows lab1 lab2 lab3"; else bad "TUI shows lab1 lab2 lab3" "$(tmux_show)" "stderr: $(head -c 600 "$T/fd.stderr")"; lab_finish; fi
if wait_for 10 lab2_good; then ok "lab2's row is ok"; else bad "lab2's row is ok" "$(tmux_show)"; lab_finish; fi

lab_stop_host 2
t0=$(now)
echo "stopped lab2's sshd"
if wait_for 8 lab2_bad; then
	ok "lab2 shows crit/unreachable after $(fsub "$(now)" "$t0")s (interval 1s, timeout 2s; limit 8s)"
else
	bad "lab2 shows crit/unreachable within 8s" "$(tmux_show)"
fi
tmux_capture | grep -F lab2 | sed 's/[[:space:]]*$//; s/^/   down: /'
fd_alive "$FD_PID" && ok "fleetdeck still running" || bad "fleetdeck still running" "$(tmux_show)"

sleep 3   # let the backoff grow a little
L=$(wc -l <"$LAB_HOST_2_LOG")
lab_start_host 2
t0=$(now)
echo "started lab2's sshd again"
# lab2's log since the restart (sshd at LogLevel VERBOSE logs each connection)
since() { tail -n +"$((L + 1))" "$LAB_HOST_2_LOG"; }
retried() { since | grep -q "Connection from"; }
if wait_for 62 retried; then
	ok "fleetdeck tried lab2 again by itself $(fsub "$(now)" "$t0")s after the restart (its backoff, at most 60 s)"
else
	bad "fleetdeck tried lab2 again within its 60 s backoff cap" "$(tmux_show)"
fi
t1=$(now)
if wait_for 16 lab2_good; then
	ok "lab2 back to ok $(fsub "$(now)" "$t1")s after that attempt (limit 16s)"
else
	bad "lab2 back to ok within 16s of fleetdeck's attempt" "$(tmux_show)"
fi
tmux_capture | grep -F lab2 | sed 's/[[:space:]]*$//; s/^/   up: /'
if lab2_bad; then bad "no crit/unreachable left on lab2's lines" "$(tmux_show)"; else ok "no crit/unreachable left on lab2's lines"; fi
if since | grep -q "Accepted publickey"; then ok "lab2's sshd logged a new login"; else bad "lab2's sshd logged a new login" "$(since | tail -5)"; fi

tmux_send q
wait_for 5 tmux_has "EXITED:0" && ok "q quits with exit 0" || bad "q quits with exit 0" "$(tmux_show)"
lab_finish
