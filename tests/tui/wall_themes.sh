#!/bin/bash
# wall_themes.sh — the wall's colours on each kind of terminal, read back
# from tmux (capture-pane -e shows the colours the pane received), with one
# lab host:
#   - COLORTERM=truecolor: a theme's #rrggbb arrives exact (48;2;R;G;B);
#     without it, the nearest of 256 (48;5;N) and no 24-bit colour;
#   - the Linux console (TERM=linux, 8 colours) with --ascii: only the 8
#     basic colours and only ASCII, and the wall still reads OK;
#   - NO_COLOR: no colour at all, the status still a word;
#   - a user theme with an error: fleetdeck runs on the default
#     (high-contrast) theme and shows file:line, on screen and on stderr.
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/tui/wall_common.sh"
LAB_NET=92
lab_test_begin wall_themes 58
lab_require_tool tmux infocmp
lab_up 1
wall_fleet
infocmp tmux-direct >/dev/null 2>&1 || lab_skip "needs the tmux-direct terminfo entry (Debian: ncurses-term)"
printf 'ok = black on #2e8b57 bold\ncrit = #ffffff on #b22222 bold\n' >"$T/rgb.theme"
printf '# a theme with a typo\nok = green\nwarn = purpel bold\n' >"$T/bad.theme"

up() { header_says OK; }
# SGR colour parameters the pane received, one per line ("48;2;46;139;87")
sgr() { tmux_capture -e | grep -oE $'\e\\[[0-9;:]*m' | tr -d $'\e[m' | tr ':' ';'; }
colours() {   # the colour-setting SGRs only: 3x/4x/9x/10x and 38/48 forms
	sgr | tr ';' '\n' | awk '
		$0 ~ /^(38|48)$/ { ext = $0; next }
		ext != "" && ($0 == 2 || $0 == 5) { mode = $0; need = (mode == 2 ? 3 : 1); seq = ext ";" mode; ext = ""; next }
		need > 0 { seq = seq ";" $0; if (--need == 0) print seq; next }
		/^(3[0-7]|4[0-7]|9[0-7]|10[0-7])$/ { print }'
}
nonascii() { tmux_capture | LC_ALL=C grep -c $'[\x80-\xff]'; }

run() {   # NAME ENV... -- ARGS...: a wall, up and OK
	local name=$1
	shift
	fd_tmux "$name" 120 34 "$@"
	wait_for 15 up || bad "$name: the wall comes up OK" "$(tmux_show)" "stderr: $(head -c 600 "$T/$name.stderr")"
}

run rgb COLORTERM=truecolor -- -c "$LAB_FLEET" --wall --theme "$T/rgb.theme"
colours | grep -qx '48;2;46;139;87' && ok "truecolor: #2e8b57 arrives exact (48;2;46;139;87)" ||
	bad "truecolor: #2e8b57 arrives exact" "$(colours | sort | uniq -c)"
tmux_kill rgb
run c256 COLORTERM= -- -c "$LAB_FLEET" --wall --theme "$T/rgb.theme"
c=$(colours | sort -u)
! printf '%s\n' "$c" | grep -q '^[34]8;2;' && printf '%s\n' "$c" | grep -qx '48;5;29' &&
	ok "256 colours: the nearest (48;5;29), no 24-bit colour" || bad "256 colours: the nearest (48;5;29), no 24-bit colour" "$c"
tmux_kill c256

# a sanitizer build keeps libgpm out on TERM=linux: its console-name global
# reads as a leak once ncurses dlclose()s it (tests/package/units.sh says
# more); the case ends with SIGHUP, where LeakSanitizer checks too
gpm=
fd_sanitizer_build && gpm=NCURSES_GPM_TERMS=
run linux TERM=linux $gpm -- -c "$LAB_FLEET" --wall --ascii
c=$(colours | sort -u | tr '\n' ' ')
[ -n "$c" ] && ! printf '%s\n' $c | grep -vqE '^[34][0-7]$' &&
	ok "Linux console: only the 8 basic colours ($c)" || bad "Linux console: only the 8 basic colours" "$c"
[ "$(nonascii)" = 0 ] && ok "--ascii: nothing but ASCII on screen" || bad "--ascii: nothing but ASCII on screen" "$(tmux_show)"
tmux_has "Hosts 1" && ok "--ascii: the grid is there" || bad "--ascii: the grid is there" "$(tmux_show)"
tmux_kill linux

run mono NO_COLOR=1 -- -c "$LAB_FLEET" --wall
[ -z "$(colours)" ] && ok "NO_COLOR: no colour at all" || bad "NO_COLOR: no colour at all" "$(colours | sort -u)"
header_says OK && ok "NO_COLOR: the status is a word (OK)" || bad "NO_COLOR: the status is a word" "$(line1)"
tmux_kill mono

run bad -- -c "$LAB_FLEET" --wall --theme "$T/bad.theme"
fd_alive "$FD_PID" && ok "a theme with an error does not stop the wall" || bad "a theme with an error does not stop the wall"
tmux_has "bad.theme:3: unknown colour" && ok "the footer says file:line" || bad "the footer says file:line" "$(tmux_show)"
grep -q "bad.theme:3: unknown colour or attribute 'purpel'" "$T/bad.stderr" && grep -q "high-contrast" "$T/bad.stderr" &&
	ok "stderr says file:line and the theme used instead" || bad "stderr says file:line and the theme used instead" "$(cat "$T/bad.stderr")"
colours | grep -qx '102' && ok "the default wall theme (high-contrast: OK on bright green) is used" ||
	bad "the default wall theme (high-contrast: OK on bright green) is used" "$(colours | sort -u)"
tmux_send q
wait_for 5 tmux_has "EXITED:0" && ok "q quits with exit 0" || bad "q quits with exit 0" "$(tmux_show)"
lab_finish
