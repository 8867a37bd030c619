#!/bin/bash
# record_tui.sh — issue 15's "done when", as an engineer does it in tmux:
# the dashboard records a live lab fleet (--record), a host is killed while
# it is on screen and comes back; then --replay FILE: the dashboard opens on
# the recording, } is pressed until the host is CRIT (the timeline bar then
# shows the moment of its fall, to the millisecond of the recorded status
# change), the host's detail says why (unreachable), the Events view lists
# the fall and the recovery and Enter on the fall goes back to that moment;
# the moment copied from the bar into --once --replay --at gives the table
# for a postmortem, which says when it was and that the host was down.
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/history/lib.sh"
LAB_NET=84
lab_test_begin record_tui 150
SECONDS=0
lab_require_tool zstd tmux jq
lab_up 3
F=$T/night.fleet
history_fleet "$F" 1h
R=$T/night.fdrec

# a host's status word in its overview row
row_has() { tmux_capture | grep -E "^ *$(printf '%s' "$2" | tr a-z A-Z) +$1 " >/dev/null; }
all_ok() { row_has lab1 ok && row_has lab2 ok && row_has lab3 ok; }

# 1. Record: the dashboard, live, with --record.
fd_tmux rec 120 30 -- --record "$R" -c "$F"
wait_for 20 all_ok && ok "the recording dashboard shows lab1-3 OK" ||
	bad "the recording dashboard shows lab1-3 OK" "$(tmux_show)" "$(cat "$T/rec.stderr")"
sleep 1
lab_stop_host 2
wait_for 20 row_has lab2 crit && ok "lab2 killed: the live dashboard shows it CRIT" ||
	bad "lab2 killed: the live dashboard shows it CRIT" "$(tmux_show)"
sleep 2
lab_start_host 2
wait_for 30 row_has lab2 ok && ok "lab2 restarted: OK again on the live dashboard" ||
	bad "lab2 restarted: OK again" "$(tmux_show)"
sleep 1
tmux_send q
tmux_wait_for "EXITED:0" 5 && ok "q ends the recording dashboard (exit 0)" || bad "q ends the recording dashboard" "$(tmux_show)"
tmux_kill
check "the recording is whole (zstd -t)" zstd -t -q "$R"
# what was recorded: lab2's fall and recovery, to the millisecond
zstd -dc "$R" | jq -r 'select(.k == "status") | "\(.t) \(.target) \(.from) \(.to)"' >"$T/changes"
cat "$T/changes"
FALL=$(awk '$2 == "host/lab2" && $4 == "crit" { print $1; exit }' "$T/changes")
[ -n "$FALL" ] && ok "the recording holds lab2's fall ($FALL)" || bad "the recording holds lab2's fall" "$(cat "$T/changes")"
# the bar shows local time with its offset, to the millisecond
bar_time() { date -d "@$1" +%Y-%m-%dT%H:%M:%S.%3N; }

# 2. Replay: step to the moment, see the problem.
moment() { tmux_capture | grep -o 'REPLAY [a-z]* [0-9]*x  [0-9T:.+-]*' | awk '{ print $4 }'; }
fd_tmux replay 120 30 -- --replay "$R"
tmux_wait_for "REPLAY paused" 10 && ok "--replay FILE opens the dashboard on the recording, paused" ||
	bad "--replay FILE opens the dashboard" "$(tmux_show)" "$(cat "$T/replay.stderr" 2>/dev/null)"
# (the recording starts with the dashboard: the hosts may not be sampled yet)
check "at its first moment lab2 is not CRIT" eval '! row_has lab2 crit'
check "and the bar is at the start of the span" tmux_has "REPLAY paused 1x  $(bar_time "$(zstd -dc "$R" | head -n 1 | jq .t)")"
# one } at a time, each read once its frame is drawn (the bar's moment
# moved): a key pressed again before that overshoots the fall
n=0
while ! row_has lab2 crit && [ $n -lt 10 ]; do
	m=$(moment)
	tmux_send '}'
	n=$((n + 1))
	wait_for 5 eval '[ "$(moment)" != "$m" ]' || break
done
if row_has lab2 crit; then
	ok "} pressed $n times: lab2 CRIT on screen"
else
	bad "} steps to lab2's fall" "$(tmux_show)"
fi
M=$(moment)
case $M in
"$(bar_time "$FALL")"*) ok "the bar shows the moment of the fall ($M)" ;;
*) bad "the bar shows the moment of the fall ($(bar_time "$FALL"))" "bar: $M" "$(tmux_show)" ;;
esac
check "the alert names lab2" tmux_has "host/lab2"
# the host's detail says why: down the overview to lab2, Enter
tmux_send j
tmux_send Enter
if tmux_wait_for "Overview > lab2" 5 && tmux_wait_line "^ +connection " "unreachable" 3 &&
	_tmux_line "^ +error " "refused|lost|closed"; then
	ok "lab2's detail in the replay says why: $(tmux_capture | grep -E '^ +error ' | sed 's/^ *//')"
else
	bad "lab2's detail in the replay says why" "$(tmux_show)"
fi
tmux_send Escape
# the Events view: the fall and the recovery; Enter on the fall goes there
tmux_send '}'
sleep 0.5
tmux_send 8
tmux_wait_line "host/lab2" "ok -> crit" 5 && ok "the Events view in the replay lists lab2's fall" ||
	bad "the Events view lists lab2's fall" "$(tmux_show)"
check "and its recovery" _tmux_line "host/lab2" "crit -> ok"
tmux_show | head -n 12
tmux_send End Enter
at_fall() { case $(moment) in "$(bar_time "$FALL")"*) return 0 ;; esac; return 1; }
wait_for 5 at_fall
M2=$(moment)
case $M2 in
"$(bar_time "$FALL")"*) ok "Enter on the oldest event (the fall) moves the replay to its moment ($M2)" ;;
*) bad "Enter on the fall moves the replay there" "bar: $M2, fall $(bar_time "$FALL")" "$(tmux_show)" ;;
esac
tmux_send q
tmux_wait_for "EXITED:0" 5 && ok "q leaves the replay (exit 0)" || bad "q leaves the replay" "$(tmux_show)"

# 3. The postmortem paste: the bar's moment into --at.
fd_run 15 "$T/paste.txt" --once --replay "$R" --at "$M"
cat "$T/paste.txt"
check "--once --replay --at <the bar's moment>: the table says when" \
	grep -qx "At $(date -u -d "@${FALL%.*}" +%Y-%m-%dT%H:%M:%S)\.[0-9]*Z, replayed from $R:" "$T/paste.txt"
check "and lab2 was crit" grep -qE '^crit +lab2 ' "$T/paste.txt"
echo "done after ${SECONDS}s"
lab_finish
