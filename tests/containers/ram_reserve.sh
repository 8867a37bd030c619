#!/bin/bash
# ram_reserve.sh — RAM contention: a lab host whose ram_reserve is larger
# than the memory it has available. --once --json: the host is crit with
# "reserve breached"; the RAM view (--view ram, in tmux) shows the reserve
# BREACHED with the problem text, Enter opens the per-container table and
# Enter goes back; the view survives a resize to 40x10.
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
LAB_NET=44
lab_test_begin ram_reserve 58
lab_require_tool tmux
lab_up 2
read -r _ mt _ < <(grep '^MemTotal:' /proc/meminfo)
reserve=$(( (mt + 1048576) * 1024 ))     # 1 GiB more than the machine has
# lab2 comes last in the file: its section gets the reserve
printf 'ram_reserve = %s\ncontainers = none\n' "$reserve" >>"$LAB_FLEET"
sed -i "/^\\[host lab1\\]/a containers = none" "$LAB_FLEET"

fd_run 30 "$T/out.json" --once --json -c "$LAB_FLEET"
F=$T/out.json
json_check "$F" "lab2 is crit" '.hosts[] | select(.name == "lab2") | .status == "crit"'
json_check "$F" "lab2 problem: reserve breached" \
	'.hosts[] | select(.name == "lab2") | any(.problems[]; test("reserve breached"))'
json_check "$F" "lab2 ram_reserve = $reserve" '.hosts[] | select(.name == "lab2") | .ram_reserve == ($r | tonumber)' --arg r "$reserve"
json_check "$F" "alert crit host/lab2 reserve" 'any(.alerts[]; .target == "host/lab2" and .severity == "crit" and (.message | test("reserve breached")))'
json_check "$F" "lab1 (no reserve) is not crit" '.hosts[] | select(.name == "lab1") | .status != "crit"'

fd_tmux ram 120 30 -- -c "$LAB_FLEET" --view ram
if tmux_wait_for "BREACHED" 10; then ok "RAM view: lab2 reserve BREACHED"; else bad "RAM view: lab2 reserve BREACHED" "$(tmux_show)"; fi
tmux_wait_for "reserve breached" 5 && ok "RAM view: the problem text 'reserve breached'" || bad "RAM view: 'reserve breached'" "$(tmux_show)"
first=$(tmux_capture | grep -nE '(lab1|lab2)  used' | head -n 1)
case $first in *lab2*) ok "the breached host is listed first" ;; *) bad "the breached host is listed first" "$(tmux_show)" ;; esac
tmux_capture | head -n 2 | grep -q "RAM" && ok "top line names the RAM view" || bad "top line names the RAM view" "$(tmux_show)"
tmux_send Enter
tmux_wait_for "Containers on lab2" 5 && ok "Enter: per-container table of lab2" || bad "Enter: per-container table of lab2" "$(tmux_show)"
tmux_send Enter
tmux_wait_gone "Containers on lab2" 5 && ok "Enter again: back to the hosts" || bad "Enter again: back" "$(tmux_show)"
tmux_resize 40 10
sleep 0.5
fd_alive "$FD_PID" && ok "resize to 40x10: still running" || bad "resize to 40x10: still running" "$(tmux_show)"
tmux_resize 120 30
tmux_wait_for "BREACHED" 5 && ok "back to 120x30: RAM view again" || bad "back to 120x30" "$(tmux_show)"
tmux_send q
wait_for 5 tmux_has "EXITED:0" && ok "q quits with exit 0" || bad "q quits with exit 0" "$(tmux_show)"
lab_finish
