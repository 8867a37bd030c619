#!/bin/bash
# record_rotate.sh — a dashboard that records (record = in [fleet]) with a
# tiny record_max_size and record_keep = 2: the recording rotates near its
# size, keeps two old files and drops the oldest; an action taken in the
# dashboard (scale a [runners] fleet with the command provider) is in the
# recording with its outcome. --replay FILE reads the kept files oldest
# first: its span starts with the oldest kept file, the runner count is 0
# before the action and 2 after it. In the replay dashboard the Events view
# lists the action, the timeline keys [ ] space < > work, and an action key
# is refused.
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
LAB_NET=83
lab_test_begin record_rotate 150
SECONDS=0
lab_require_tool zstd tmux pgrep setsid
lab_up 1

SCALE=$TOP_SRCDIR/tests/actions/scale.sh
RDIR=$T/runners
AUDIT=$T/audit.log
R=$T/rot.fdrec
MAX=1024
trap 'rc=$?; "$SCALE" set "$RDIR" 0 >/dev/null 2>&1; (exit $rc); _lab_cleanup' EXIT
F=$T/rot.fleet
sed -e 's/^\(\[host lab[0-9]*\]\)$/\1\ncontainers = none\ngpus = none/' \
	-e "s|^\[fleet lab\]\$|[fleet lab]\naudit_log = $AUDIT\nrecord = $R\nrecord_max_size = $MAX\nrecord_keep = 2|" \
	"$LAB_FLEET" >"$F"
cat >>"$F" <<EOF

[runners ci]
provider = command
host = lab1
list = $SCALE list $RDIR
scale = $SCALE set $RDIR {count}
min = 0
max = 4
interval = 1s
EOF
nproc() { pgrep -fc "$RDIR/fdrunner-" 2>/dev/null || true; }
first_t() { zstd -dc "$1" 2>/dev/null | head -n 1 | jq -r .t; }
plus() { awk -v t="$1" -v d="$2" 'BEGIN { printf "%.3f", t + d }'; }

fd_tmux rec 140 34 -- -c "$F" --view runners
tmux_wait_line 'ci +command' ' 0 \[0\.\.4\]' 15 && ok "the recording dashboard shows runners/ci at 0" ||
	bad "the recording dashboard shows runners/ci at 0" "$(tmux_show)" "$(cat "$T/rec.stderr")"
wait_for 60 test -f "$R.2" && ok "the recording rotated twice at record_max_size ($MAX bytes) after ${SECONDS}s" ||
	bad "the recording rotated twice" "$(ls -l "$T")"

tmux_send =
tmux_wait_for "Scale to how many" 5
tmux_send 2 Enter
tmux_wait_for "from 0 to 2" 5 || bad "= 2 shows the plan 0 -> 2" "$(tmux_show)"
tmux_send y
wait_for 15 eval '[ "$(nproc)" = 2 ]' && tmux_wait_for "scale runners/ci: done" 10 &&
	ok "an action in the recording dashboard: runners/ci scaled to 2" || bad "scale runners/ci to 2" "$(nproc) running" "$(tmux_show)"
tmux_send Enter
tmux_wait_line 'ci +command' ' 2 \[0\.\.4\]' 10 || bad "the view lists 2" "$(tmux_show)"

# one more rotation after the action: the oldest file is dropped, never a third
old=$(first_t "$R.2")
wait_for 60 eval '[ "$(first_t "$R.2")" != "$old" ]' && ok "a later rotation dropped the oldest file" ||
	bad "a later rotation dropped the oldest file" "$(ls -l "$T")"
sleep 1.5
tmux_send q
tmux_wait_for "EXITED:0" 10 && ok "q ends the recording dashboard (exit 0)" || bad "q ends the recording dashboard" "$(tmux_show)"
ls -l "$R"*
check "record_keep = 2: FILE, FILE.1, FILE.2 and no FILE.3" test -f "$R" -a -f "$R.1" -a -f "$R.2" -a ! -e "$R.3"
for f in "$R.2" "$R.1" "$R"; do
	check "${f##*/} is whole (zstd -t) and private (0600)" bash -c "zstd -t -q '$f' && test \"\$(stat -c %a '$f')\" = 600"
done
# a rotated file ends at the first round past the size: over it by less
# than what a file starts with (its header and keyframe)
for f in "$R.2" "$R.1"; do
	s=$(stat -c %s "$f")
	start=$(zstd -dc "$f" | head -n 2 | zstd -q -c | wc -c)
	[ "$s" -ge "$MAX" ] && [ "$s" -lt $((MAX + start)) ] && ok "${f##*/} rotated near the limit ($s bytes, limit $MAX)" ||
		bad "${f##*/} rotated near the limit" "$s bytes, limit $MAX, a header+keyframe is $start"
done
t_prev=0 sorted=1
for f in "$R.2" "$R.1" "$R"; do
	t=$(first_t "$f")
	awk -v a="$t_prev" -v b="$t" 'BEGIN { exit !(b > a) }' || sorted=0
	t_prev=$t
done
check "FILE.2 is older than FILE.1, older than FILE" test "$sorted" = 1

zstd -dc "$R.2" "$R.1" "$R" | jq -c 'select(.k == "action")' >"$T/actions"
cat "$T/actions"
check "the action is recorded: scale runners/ci to 2, succeeded" \
	jq -se 'any(.[]; .action == "scale" and .target == "runners/ci" and .parameters.from == 0 and .parameters.to == 2 and .result == "succeeded")' "$T/actions"
TACT=$(jq -rs '[.[] | select(.action == "scale" and .result == "succeeded")][0].t' "$T/actions")

# --replay FILE: the kept files, oldest first
T0=$(first_t "$R.2")
fd_run 15 "$T/start.json" --once --json --replay "$R" --at "$T0"
[ "$FD_RC" = 0 ] && json_check "$T/start.json" "--replay FILE starts with the oldest kept file (FILE.2)" '.generated_at == $t' --argjson t "$T0" ||
	bad "--replay FILE --at the start of FILE.2" "exit $FD_RC" "$(cat "$T/start.json.err")"
json_check "$T/start.json" "at that start, runners/ci had 0 runners" '.runners[0].name == "ci" and .runners[0].count == 0'
fd_run 15 "$T/before.json" --once --json --replay "$R" --at "$(plus "$T0" -5)"
[ "$FD_RC" = 2 ] && grep -q "the recording covers" "$T/before.json.err" &&
	ok "before the oldest kept file: outside the recording (exit 2)" || bad "before the oldest kept file: exit 2" "exit $FD_RC"
fd_run 15 "$T/after.json" --once --json --replay "$R" --at "$(plus "$TACT" 3)"
json_check "$T/after.json" "3 s after the action, runners/ci had 2 runners" '.runners[0].count == 2'
fd_run 15 "$T/end.json" --once --json --replay "$R"
check "the end of the replay is the end of FILE" test "$FD_RC" = 0
check "nothing is said about damage" test ! -s "$T/end.json.err"

# The replay dashboard over the rotated set.
fd_tmux replay 140 34 -- --replay "$R" --view events
tmux_wait_for "REPLAY paused 1x" 10 && ok "--replay opens the dashboard, paused at 1x" || bad "--replay opens paused" "$(tmux_show)"
tmux_wait_line "scale" "runners/ci" 5 && ok "its Events view lists the recorded action (scale runners/ci)" ||
	bad "its Events view lists the recorded action" "$(tmux_show)"
clock() { date -d "@${1%.*}" +%H:%M:%S; }
check "it starts at the oldest kept file's first moment" tmux_has "$(clock "$T0")"
tmux_send ']'
tmux_wait_for "$(clock "$(plus "$T0" 1)")" 5 && ok "] one round (1 s) forward" || bad "] one round forward" "$(tmux_show)"
tmux_send '['
tmux_wait_for "$(clock "$T0")" 5 && ok "[ one round back" || bad "[ one round back" "$(tmux_show)"
tmux_send '>'
tmux_wait_for "REPLAY paused 10x" 5 && ok "> 10x" || bad "> 10x" "$(tmux_show)"
tmux_send '>'
tmux_wait_for "REPLAY paused 60x" 5 && ok "> 60x" || bad "> 60x" "$(tmux_show)"
tmux_send '<' '<'
tmux_wait_for "REPLAY paused 1x" 5 && ok "< < back to 1x" || bad "< < back to 1x" "$(tmux_show)"
# Playback stops at the recording's end, where space plays again from the
# start. The recording spans only ~15 s: the test pauses as soon as it has
# seen the moment move (no fixed sleep, which a slow build can outlast), and
# checks that the pause is its own, not the end's.
playing() { tmux_has "REPLAY ▶ 1x" || tmux_has "REPLAY > 1x"; }
# bar_t: the bar's moment in Unix seconds (ms)
bar_t() {
	local m
	m=$(tmux_capture | grep -o 'REPLAY .* [0-9-]*T[0-9:.]*[-+][0-9:]*' | grep -o '[0-9-]*T[0-9:.]*[-+][0-9:]*$') &&
		date -d "$m" +%s.%3N
}
T1=$(zstd -dc "$R" | tail -n 1 | jq -r .t)
moved() { awk -v t="$(bar_t)" -v t0="$T0" 'BEGIN { exit !(t > t0 + 1) }'; }
tmux_send ' '
wait_for 5 playing && ok "space plays" || bad "space plays" "$(tmux_show)"
wait_for 5 moved && playing && ok "playing moved the moment on (more than one round)" ||
	bad "playing moved the moment on" "$(tmux_show)"
tmux_send ' '
tmux_wait_for "REPLAY paused" 5 && ok "space pauses" || bad "space pauses" "$(tmux_show)"
m1=$(bar_t)
sleep 1
check "paused, the moment stays ($m1) before the recording's end ($T1)" \
	eval '[ -n "$m1" ] && [ "$(bar_t)" = "$m1" ] && awk -v t="$m1" -v e="$T1" "BEGIN { exit !(t < e) }"'
tmux_send 6
tmux_wait_for "Runners of ci" 5 || bad "the Runners view in replay" "$(tmux_show)"
tmux_send +
tmux_wait_for "actions are disabled" 5 && ok "+ in replay: actions are disabled" || bad "+ in replay is refused" "$(tmux_show)"
check "and no dialog opened" tmux_lacks "Confirm: scale"
tmux_send q
tmux_wait_for "EXITED:0" 5 || bad "q leaves the replay" "$(tmux_show)"
echo "done after ${SECONDS}s"
lab_finish
