#!/bin/bash
# tui_nocolor.sh — --no-color (and NO_COLOR) draw without colour escapes;
# --ascii (and a non-UTF-8 locale) draw without any non-ASCII character;
# each still shows every host. The default draws in colour (control check).
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
LAB_NET=22
lab_test_begin tui_nocolor 58
lab_require_tool tmux
lab_up 2

all_names() { tmux_has lab1 && tmux_has lab2; }
# SGR parameters that set a colour: 30-38, 40-48, 90-97, 100-107
# Both print "NO SCREEN" when the pane cannot be read, so a lost tmux
# server never passes for a clean screen.
colours() {
	tmux_capture -e >"$T/screen.e" 2>&1 || { echo "NO SCREEN"; return; }
	grep -o $'\e\[[0-9;:]*m' "$T/screen.e" | tr -d $'\e[m' | tr ';:' '\n\n' |
		grep -xE '3[0-8]|4[0-8]|9[0-7]|10[0-7]' | sort -u | tr '\n' ' '
}
nonascii() {
	tmux_capture >"$T/screen" 2>&1 || { echo "NO SCREEN"; return; }
	LC_ALL=C grep -n $'[\x80-\xff]' "$T/screen" | head -3
}

run() { # NAME DESC ENV... -- ARGS...
	local name=$1 desc=$2
	shift 2
	fd_tmux "$name" 120 30 "$@"
	if wait_for 10 all_names; then ok "$desc: shows lab1 and lab2"; else
		bad "$desc: shows lab1 and lab2" "$(tmux_show)" "stderr: $(head -c 600 "$T/$name.stderr")"; fi
	# what the checks read is a frame with the first poll's data (bars,
	# percentages), not the frame before it (was a fixed 1.2 s)
	polled() { tmux_cell ' lab1 ' DISK | grep -q '[0-9]%' && tmux_cell ' lab2 ' DISK | grep -q '[0-9]%'; }
	wait_for 15 polled || bad "$desc: the first poll's data is drawn" "$(tmux_show)"
}
quit() {
	tmux_send q
	wait_for 5 tmux_has "EXITED:0" || bad "$1: q quits with exit 0" "$(tmux_show)"
	tmux_kill
}

run plain "default" -- -c "$LAB_FLEET"
c=$(colours)
[ -n "$c" ] && [ "$c" != "NO SCREEN" ] && ok "default: draws in colour (SGR $c)" || bad "default: draws in colour" "no colour escapes in capture-pane -e"
quit default

run nc "--no-color" -- --no-color -c "$LAB_FLEET"
c=$(colours)
[ -z "$c" ] && ok "--no-color: no colour escapes" || bad "--no-color: no colour escapes" "found SGR colour parameters: $c"
quit --no-color

run ncenv "NO_COLOR=1" NO_COLOR=1 -- -c "$LAB_FLEET"
c=$(colours)
[ -z "$c" ] && ok "NO_COLOR=1: no colour escapes" || bad "NO_COLOR=1: no colour escapes" "found SGR colour parameters: $c"
quit NO_COLOR

run ascii "--ascii" -- --ascii -c "$LAB_FLEET"
n=$(nonascii)
[ -z "$n" ] && ok "--ascii: only ASCII on screen" || bad "--ascii: only ASCII on screen" "$n"
quit --ascii

run clocale "LANG=C (not UTF-8)" LANG=C LC_ALL=C -- -c "$LAB_FLEET"
n=$(nonascii)
[ -z "$n" ] && ok "LANG=C: only ASCII on screen" || bad "LANG=C: only ASCII on screen" "$n"
quit LANG=C
lab_finish
