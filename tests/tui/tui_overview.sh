#!/bin/bash
# tui_overview.sh — the dashboard as a user sees it (tmux, 120x30, 3 lab
# hosts): fleet name and every host with status ok; "/" filters to one host,
# Esc clears; resizing to 40x10 and back neither kills nor garbles it; q quits
# with exit 0 and leaves no curses screen behind; SIGHUP (exit 129), SIGTERM
# (exit 143) and a closed terminal end it promptly.
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
LAB_NET=21
lab_test_begin tui_overview 58
lab_require_tool tmux
lab_up 3
sed -i 's/^\[fleet lab\]/[fleet fdtui]/' "$LAB_FLEET"

all_names() { tmux_has lab1 && tmux_has lab2 && tmux_has lab3; }
only_lab2() { tmux_has lab2 && tmux_lacks lab1 && tmux_lacks lab3; }
row_ok() { tmux_capture | grep -F "$1" | grep -qiE '(^|[^a-z])ok([^a-z]|$)'; }
rows_ok() { row_ok lab1 && row_ok lab2 && row_ok lab3; }

fd_tmux ui 120 30 -- -c "$LAB_FLEET"
if wait_for 10 all_names; then ok "shows lab1 lab2 lab3"; else bad "shows lab1 lab2 lab3" "$(tmux_show)" "stderr: $(head -c 600 "$T/ui.stderr")"; lab_finish; fi
tmux_capture | head -n 1 | grep -q fdtui && ok "top line names the fleet (fdtui)" ||
	bad "top line names the fleet (fdtui)" "$(tmux_show)"
wait_for 10 rows_ok && ok "every host row says ok" || bad "every host row says ok" "$(tmux_show)"
tmux_capture | head -n 1 | grep -qiE '(^|[^a-z])ok([^a-z]|$)' && ok "top line shows the fleet status ok" ||
	bad "top line shows the fleet status ok" "$(tmux_capture | head -n 1)"

# filter
tmux_send /
sleep 0.3
tmux_send -l lab2
if wait_for 3 only_lab2; then
	echo "   (the list narrowed while typing)"
else
	tmux_send Enter   # some filters apply on Enter
	wait_for 3 only_lab2 && echo "   (the list narrowed after Enter)"
fi
only_lab2 && ok "'/' lab2 narrows the list to lab2" || bad "'/' lab2 narrows the list to lab2" "$(tmux_show)"
tmux_send Escape
wait_for 5 all_names && ok "Esc clears the filter" || bad "Esc clears the filter" "$(tmux_show)"

# resize
tmux_resize 40 10
sleep 1.5
echo "   screen at 40x10:"; tmux_show
fd_alive "$FD_PID" && ok "alive at 40x10" || bad "alive at 40x10" "$(tmux_show)" "stderr: $(head -c 600 "$T/ui.stderr")"
tmux_capture | awk 'length > 40 { bad = 1 } END { exit bad }' && ok "nothing drawn past 40 columns" ||
	bad "nothing drawn past 40 columns" "$(tmux_show)"
tmux_resize 120 30
sleep 0.5
wait_for 5 all_names && ok "back at 120x30 the hosts are shown again" || bad "back at 120x30 the hosts are shown again" "$(tmux_show)"
fd_alive "$FD_PID" && ok "alive after resizing back" || bad "alive after resizing back" "$(tmux_show)"

# q
tmux_send q
if wait_for 5 tmux_has "EXITED:0"; then ok "q quits with exit 0"; else bad "q quits with exit 0" "$(tmux_show)"; fi
wait_for 3 eval '! fd_alive "$FD_PID"' && ok "the process is gone" || bad "the process is gone (pid $FD_PID)"
if tmux_lacks lab1 && tmux_lacks fdtui; then ok "terminal restored (no dashboard left on screen)"; else bad "terminal restored (no dashboard left on screen)" "$(tmux_show)"; fi
tmux_kill ui

# SIGHUP
fd_tmux hup 120 30 -- -c "$LAB_FLEET"
wait_for 10 all_names || bad "second instance shows the hosts" "$(tmux_show)"
kill -HUP "$FD_PID"
if wait_for 3 eval '! fd_alive "$FD_PID"'; then ok "SIGHUP ends it within 3s"; else bad "SIGHUP ends it within 3s" "$(tmux_show)"; fi
wait_for 3 tmux_has "EXITED:129" && ok "after SIGHUP: exit 129 (128 + SIGHUP)" || bad "after SIGHUP: exit 129 (128 + SIGHUP)" "$(tmux_show)"
tmux_lacks lab1 && ok "after SIGHUP the terminal is restored" || bad "after SIGHUP the terminal is restored" "$(tmux_show)"
tmux_kill hup

# SIGTERM
fd_tmux term 120 30 -- -c "$LAB_FLEET"
wait_for 10 all_names || bad "the SIGTERM instance shows the hosts" "$(tmux_show)"
kill -TERM "$FD_PID"
if wait_for 3 eval '! fd_alive "$FD_PID"'; then ok "SIGTERM ends it within 3s"; else bad "SIGTERM ends it within 3s" "$(tmux_show)"; fi
wait_for 3 tmux_has "EXITED:143" && ok "after SIGTERM: exit 143 (128 + SIGTERM)" || bad "after SIGTERM: exit 143 (128 + SIGTERM)" "$(tmux_show)"
tmux_lacks lab1 && ok "after SIGTERM the terminal is restored" || bad "after SIGTERM the terminal is restored" "$(tmux_show)"
tmux_kill term

# closing the terminal (tmux kill-session hangs up the pty)
fd_tmux gone 120 30 -- -c "$LAB_FLEET"
wait_for 10 all_names || bad "third instance shows the hosts" "$(tmux_show)"
tmux_kill gone
if wait_for 3 eval '! fd_alive "$FD_PID"'; then ok "kill-session (hangup) ends it within 3s"; else bad "kill-session (hangup) ends it within 3s" "pid $FD_PID still running"; fi
lab_finish
