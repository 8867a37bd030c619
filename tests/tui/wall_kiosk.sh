#!/bin/bash
# wall_kiosk.sh — the tmux variant of doc/wall.md keeps a wall on screen:
# the `wall-tmux-start` block is taken from doc/wall.md as written there
# (only its tmux socket is made private and `fleetdeck` found on PATH with
# this lab's fleet), then fleetdeck is killed (SIGKILL) and quit (q): both
# times the wall comes back by itself, as a new process. The doc's systemd
# user unit for it passes systemd-analyze verify (when installed).
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/tui/wall_common.sh"
LAB_NET=93
lab_test_begin wall_kiosk 58
lab_require_tool tmux
lab_up 1
wall_fleet

block=$(awk '/^# wall-tmux-start$/ { on = 1; next } on && /^```/ { exit } on' "$TOP_SRCDIR/doc/wall.md")
[ -n "$block" ] && ok "doc/wall.md has the wall-tmux-start block" || { bad "doc/wall.md has the wall-tmux-start block"; lab_finish; }
TMUX_SOCK=fdkiosk-$$
TMUX_SESSION=wall
block=${block//-L wall/-L $TMUX_SOCK}
mkdir -p "$T/bin"
printf '#!/bin/sh\necho $$ >>%q\nexec %q -c %q "$@"\n' "$T/pids" "$FLEETDECK" "$LAB_FLEET" >"$T/bin/fleetdeck"
chmod +x "$T/bin/fleetdeck"
PATH="$T/bin:$PATH" bash -c "$block" 9>&- || bad "the block runs" "$block"

up() { tmux_has "Hosts 1" && header_says OK; }
last_pid() { tail -n 1 "$T/pids" 2>/dev/null; }
wait_for 15 up && ok "the wall is up in tmux" || bad "the wall is up in tmux" "$(tmux_show)"
p1=$(last_pid)
lab_bg "$p1"
kill -KILL "$p1"
wait_for 15 eval '[ "$(last_pid)" != "$p1" ] && up' &&
	ok "killed (SIGKILL): the wall comes back as a new process" ||
	bad "killed (SIGKILL): the wall comes back as a new process" "pids: $(tr '\n' ' ' <"$T/pids")" "$(tmux_show)"
p2=$(last_pid)
lab_bg "$p2"
tmux_send q
wait_for 15 eval '[ "$(last_pid)" != "$p2" ] && up' &&
	ok "quit with q: the wall comes back too (a kiosk never stays dark)" ||
	bad "quit with q: the wall comes back too" "pids: $(tr '\n' ' ' <"$T/pids")" "$(tmux_show)"
lab_bg "$(last_pid)"

if command -v systemd-analyze >/dev/null 2>&1; then
	awk '/^```ini$/ { on = 1; next } on && /^```/ { exit } on' "$TOP_SRCDIR/doc/wall.md" \
		>"$T/fleetdeck-wall-tmux.service"
	check "doc/wall.md's user unit passes systemd-analyze verify" \
		systemd-analyze verify --man=no "$T/fleetdeck-wall-tmux.service"
fi
lab_finish
