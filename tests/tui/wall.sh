#!/bin/bash
# wall.sh — the wall display (--wall) as a user sees it, in tmux at 250x70
# against 2 real lab hosts polled every second (tests/tui/wall_common.sh):
#   - the header's first line shows the fleet and its worst status word;
#   - a host killed becomes a CRIT problem line within two intervals (plus
#     the run's baseline), the header says CRIT and its tile says CRIT;
#   - 80x24 and 40x12: nothing drawn past the edge, the status still on
#     line 1 (drawing past the edge would wrap or scroll the screen);
#   - every action and navigation key is refused, only q quits (exit 0).
# WALL_CAPTURES=DIR keeps the healthy and incident screens (doc/wall.md).
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/tui/wall_common.sh"
wall_start wall 90 2

# a problem in large type names its target in plain text at its end
# ("lab2  for 3s"); one in ordinary type is " CRIT  lab2  unreachable ..."
crit_line() { tmux_capture | grep -qE -- 'lab2  for [0-9]+s|CRIT +lab2 '; }
tile_crit() { [ "$(grid_words CRIT)" -ge 1 ] && [ "$(grid_words OK)" -eq 1 ]; }
# display width (wc -L counts columns, not bytes) of the widest line
too_wide() { [ "$(tmux_capture | LC_ALL=C.UTF-8 wc -L)" -gt "$1" ]; }

line1 | grep -q fdwall && ok "header names the fleet" || bad "header names the fleet" "$(line1)"
[ "$(grid_words OK)" -eq 2 ] && ok "2 tiles, each saying OK" || bad "2 tiles, each saying OK" "$(tmux_show)"
tmux_has "no open problems" && ok "no problems listed" || bad "no problems listed" "$(tmux_show)"
tmux_capture >"$T/healthy.txt"

# a host killed
lab_stop_host lab2
within 2 "$(now)" "killed lab2 is a CRIT problem line" crit_line
header_says CRIT && ok "header now says CRIT" || bad "header now says CRIT" "$(line1)"
wait_for 3 tile_crit && ok "lab2's tile changed to CRIT (lab1's still OK)" ||
	bad "lab2's tile changed to CRIT (lab1's still OK)" "crit=$(grid_words CRIT) ok=$(grid_words OK)" "$(tmux_show)"
tmux_capture >"$T/incident.txt"
[ -n "${WALL_CAPTURES:-}" ] && cp "$T/healthy.txt" "$T/incident.txt" "$WALL_CAPTURES/"

# small screens
for size in "80 24" "40 12"; do
	set -- $size
	tmux_resize "$1" "$2"
	sleep 1.5
	fd_alive "$FD_PID" && ok "alive at ${1}x$2" || bad "alive at ${1}x$2" "stderr: $(head -c 600 "$T/wall.stderr")"
	too_wide "$1" && bad "nothing drawn past $1 columns at ${1}x$2" "$(tmux_show)" ||
		ok "nothing drawn past $1 columns at ${1}x$2"
	wait_for 5 header_says CRIT && ok "the status word is on line 1 at ${1}x$2" ||
		bad "the status word is on line 1 at ${1}x$2" "$(tmux_show)"
	wait_for 5 tmux_has lab2 && ok "lab2 is named at ${1}x$2" || bad "lab2 is named at ${1}x$2" "$(tmux_show)"
done
tmux_resize 250 70
sleep 1

# keys: nothing but q does anything
tmux_send + - = r p R / 6 7 Enter Tab BTab Down j Escape +
sleep 1
wait_for 5 tmux_has "action keys are disabled" && ok "an action key is refused, and says so" ||
	bad "an action key is refused, and says so" "$(tmux_show)"
tmux_lacks "Confirm:" && tmux_lacks "filter:" && tmux_has "Hosts 2" &&
	ok "no dialog, no filter, still the wall" || bad "no dialog, no filter, still the wall" "$(tmux_show)"
tmux_send q
wait_for 5 tmux_has "EXITED:0" && ok "q quits with exit 0" || bad "q quits with exit 0" "$(tmux_show)"
lab_finish
