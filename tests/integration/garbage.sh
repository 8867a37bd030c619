#!/bin/bash
# garbage.sh — hosts that accept the login but answer nonsense: random bytes,
# output cut off in the middle, or nothing at all while hanging. Each must be
# "unknown" (never ok) with a problem text; fleetdeck must not crash, and the
# two normal hosts stay fine. What a host prints never reaches the terminal
# raw (the garbage includes escape sequences that would retitle it).
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
LAB_NET=15
lab_test_begin garbage
lab_up 2
lab_add_host_with_forcecommand garbage \
	'printf "Welcome!\033]0;pwned\007\033[31m\nMemTotal: banana kB\n%%s %%n %%x\001\002\377\376\n{\"not\":\"a probe\"}\n"; head -c 3000 /dev/urandom; printf "\n"; exec sleep 120'
lab_add_host_with_forcecommand truncated \
	'head -c 700 /proc/meminfo; head -c 9 /proc/loadavg; exec sleep 120'
lab_add_host_with_forcecommand silent 'exec sleep 120 </dev/null'
echo "ForceCommand hosts: garbage (random bytes), truncated (cut /proc output), silent (nothing, hangs)"

fd_run 30 "$T/out.json" --once --json -c "$LAB_FLEET"
echo "fleetdeck --once --json: exit $FD_RC after ${FD_SECS}s"
[ "$FD_RC" = 0 ] && ok "--once --json exits 0 (no crash)" ||
	bad "--once --json exits 0 (no crash)" "exit $FD_RC" "$(head -c 1500 "$T/out.json.err")"
F=$T/out.json
json_valid "$F" || { bad "stdout is JSON" "$(head -c 1500 "$F")"; lab_finish; }
for h in garbage truncated silent; do
	json_check "$F" "$h: status unknown" '.hosts[] | select(.name == $h) | .status == "unknown"' --arg h "$h"
	json_check "$F" "$h: a problem text" \
		'.hosts[] | select(.name == $h) | (.problems | length) >= 1 and all(.problems[]; type == "string" and length > 3)' --arg h "$h"
	json_check "$F" "$h: no made-up numbers (mem_total null)" \
		'.hosts[] | select(.name == $h) | .mem_total == null' --arg h "$h"
done
# JSON-escaped, so the host's bytes do not reach this log raw either
jq -c '.hosts[] | select(.name | IN("garbage","truncated","silent")) | {name, problems}' "$F" 2>/dev/null | sed 's/^/   /'

json_check "$F" 'lab1, lab2 reachable and ok' \
	'[.hosts[] | select(.name | IN("lab1","lab2")) | select(.reachable == true and (.status | IN("ok","warn")))] | length == 2'
json_check "$F" 'fleet status is not ok' '.status != "ok"'

fd_run 30 "$T/once.txt" --once -c "$LAB_FLEET"
[ "$FD_RC" = 0 ] && ok "--once (text) exits 0" || bad "--once (text) exits 0" "exit $FD_RC" "$(head -c 1000 "$T/once.txt.err")"
if grep -q $'\e' "$T/once.txt"; then
	bad "--once (text) prints no escape character from the host" "$(grep -n $'\e' "$T/once.txt" | cat -v | head -3)"
else
	ok "--once (text) prints no escape character from the host"
fi
fd_run 30 "$T/check.txt" --check -c "$LAB_FLEET"
case $FD_RC in 2|3) ok "--check exits 2 or 3 (got $FD_RC: $(head -n 1 "$T/check.txt"))" ;;
	*) bad "--check exits 2 or 3" "exit $FD_RC" "$(head -n 2 "$T/check.txt")" ;; esac

# The dashboard: the garbage host's row appears, and its escape sequences
# are not passed to the terminal (the pane title would become "pwned").
if command -v tmux >/dev/null; then
	fd_tmux ui 120 30 -- -c "$LAB_FLEET"
	if wait_for 10 eval 'tmux_has garbage && tmux_has truncated && tmux_has silent && tmux_has lab1'; then
		ok "TUI shows every host"
	else
		bad "TUI shows every host" "$(tmux_show)" "stderr: $(head -c 600 "$T/ui.stderr")"
	fi
	sleep 3   # long enough for the probes to fail and their alerts to show
	title=$(_tmux display-message -p -t ui '#{pane_title}')
	[ "$title" != pwned ] && ok "a host's escape sequences do not reach the terminal (pane title '$title')" ||
		bad "a host's escape sequences do not reach the terminal" "pane title became '$title'" "$(tmux_show)"
	fd_alive "$FD_PID" && ok "TUI still running" || bad "TUI still running" "$(tmux_show)" "$(head -c 600 "$T/ui.stderr")"
	tmux_send q
	wait_for 5 tmux_has "EXITED:0" && ok "TUI quits with exit 0" || bad "TUI quits with exit 0" "$(tmux_show)"
fi
lab_finish
