#!/bin/bash
# record_replay.sh — a lab run recorded with --headless --record: a host is
# killed and restored, a backup goes past its RPO. Replayed headless
# (--once --json --at) at three moments, the fleet is what it was at each
# (and the text table says the moment); a reader of the file being written
# hears of no tear and a second recorder is refused;
# a copy cut in the middle of a record replays up to the tear; replayed in
# the dashboard (tmux), } and { step between the status changes, the Events
# view's Enter and g move to a moment, actions are refused.
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/history/lib.sh"
LAB_NET=82
lab_test_begin record_replay 180
SECONDS=0
lab_require_tool zstd
lab_up 3
F=$T/night.fleet
# the dump is read every second: the test makes it fresh once the recording
# is under way (see A)
history_fleet "$F" 15s now 1s
R=$T/night.fdrec
now_s() { date +%s.%N | cut -c1-14; }
# live EXPR [jq args]: true when the fleet at the end of what is recorded
# so far (the file is being written) matches (never on an empty answer:
# jq -e passes on empty input)
live() {
	local e=$1
	shift
	"$FLEETDECK" --once --json --replay "$R" >"$T/live.json" 2>/dev/null && [ -s "$T/live.json" ] &&
		jq -e "$@" "$e" "$T/live.json" >/dev/null
}
lab2_is() { live '.hosts[] | select(.name == "lab2") | .status == $s' --arg s "$1"; }
all_ok() { live '[.hosts[].status] == ["ok","ok","ok"]'; }

"$FLEETDECK" --headless --record "$R" -c "$F" >"$T/fd.out" 2>"$T/fd.err" 9>&- &
FDP=$!
lab_bg $FDP
wait_for 15 all_ok && ok "recording: the three hosts are ok" || bad "recording: the three hosts are ok" "$(head -c 600 "$T/live.json")" "$(cat "$T/fd.err")"
# the recording's last frame is open while it is written: a reader is not
# told of a tear, and a second recorder is refused without touching it
"$FLEETDECK" --once --json --replay "$R" >/dev/null 2>"$T/live.err"
check "reading the recording while it is written: no word of a tear" test ! -s "$T/live.err"
"$FLEETDECK" --headless --record "$R" -c "$F" >/dev/null 2>"$T/second.err" 9>&-
rc=$?
[ "$rc" = 2 ] && grep -q "is being recorded by another fleetdeck" "$T/second.err" && [ ! -e "$R.1" ] &&
	ok "a second recorder to the same file is refused (exit 2), nothing rotated" ||
	bad "a second recorder to the same file is refused" "exit $rc" "$(cat "$T/second.err")" "$(ls "$T")"
# A, a moment before the kill when all was well, is read from the recording
# itself: the dump is made fresh now (however long the start took, e.g.
# under sanitizers), and A is the end of what is recorded once the recorder
# saw it and judged everything ok (lab1's CPU needs two samples)
touch "$T/dumps/db-1.sql.gz"
all_fine() {
	live '([.hosts[] | select(.status == "ok" and .reachable)] | length == 3) and .backups[0].status == "ok" and
		(.alerts | length == 0) and .hosts[0].cpu_pct != null and .hosts[0].mem_total > 0'
}
wait_for 15 all_fine && ok "recording: all ok, the backup too (moment A)" ||
	bad "recording: all ok, the backup too (moment A)" "$(head -c 600 "$T/live.json")"
TA=$(jq .generated_at "$T/live.json")
sleep 1
TKILL=$(now_s)
lab_stop_host 2
wait_for 15 lab2_is crit && ok "recording: lab2 went crit after it was killed" || bad "recording: lab2 went crit"
sleep 1
TB=$(now_s)
lab_start_host 2
wait_for 30 lab2_is ok && ok "recording: lab2 recovered after it was restarted" || bad "recording: lab2 recovered"
breached() { live '.backups[0].status == "crit"'; }
wait_for 25 breached && ok "recording: the backup went past its RPO" || bad "recording: the backup breached" "$(jq -c .backups "$T/live.json")"
sleep 1
TC=$(now_s)
sleep 1
echo "recorded for ${SECONDS}s"
kill -TERM $FDP
wait $FDP
rc=$?
[ "$rc" = 143 ] && ok "SIGTERM ends the recording (dies of the signal: 143)" || bad "SIGTERM ends the recording (143)" "exit $rc" "$(cat "$T/fd.err")"
ls -l "$R"*
check "the recording is private (0600)" test "$(stat -c %a "$R")" = 600
check "zstd reads the whole recording (complete frames)" zstd -t -q "$R"
check "its lines are JSON records with a versioned header" \
	bash -c "zstd -dc '$R' | head -n 1 | jq -e '.k == \"fdrec\" and .v == 1' >/dev/null"
check "it holds status changes" bash -c "zstd -dc '$R' | grep -q '\"k\":\"status\",.*\"target\":\"host/lab2\"'"

at() { fd_run 15 "$T/at-$1.json" --once --json --replay "$R" --at "$2"; }
at A "$TA"
[ "$FD_RC" = 0 ] && json_valid "$T/at-A.json" && ok "--at (before the kill) answers JSON" ||
	bad "--at A answers JSON" "exit $FD_RC" "$(cat "$T/at-A.json.err")"
check "nothing is said about damage in a complete recording" test ! -s "$T/at-A.json.err"
json_check "$T/at-A.json" "A: the document is the live schema (schema 1, fleet name)" '.schema == 1 and .fleet == "lab"'
json_check "$T/at-A.json" "A: generated_at is the asked moment" '(.generated_at - $t) | fabs < 0.01' --argjson t "$TA"
json_check "$T/at-A.json" "A: all three hosts ok and reachable" '[.hosts[] | select(.status == "ok" and .reachable == true)] | length == 3'
json_check "$T/at-A.json" "A: the backup is ok" '.backups[0].status == "ok"'
json_check "$T/at-A.json" "A: lab1 has CPU and memory values" '.hosts[0].cpu_pct != null and .hosts[0].mem_total > 0'
json_check "$T/at-A.json" "A: no alerts" '.alerts | length == 0'

at B "$TB"
json_check "$T/at-B.json" "B: lab2 is crit and unreachable" '.hosts[] | select(.name == "lab2") | .status == "crit" and .reachable == false'
json_check "$T/at-B.json" "B: with its problem text" '.hosts[] | select(.name == "lab2") | any(.problems[]; test("unreachable|refused|closed"; "i"))'
json_check "$T/at-B.json" "B: lab1 and lab3 ok" '[.hosts[] | select(.name != "lab2") | .status] == ["ok","ok"]'
json_check "$T/at-B.json" "B: the alert's since is after the kill, before B" \
	'any(.alerts[]; .target == "host/lab2" and .severity == "crit" and .since >= ($k - 1) and .since <= $b)' \
	--argjson k "$TKILL" --argjson b "$TB"
# the backup at B: its age is B minus the dump's time, and its status what
# the RPO rule says of that age (unless B is within a second of a limit)
MT=$(stat -c %Y "$T/dumps/db-1.sql.gz")
json_check "$T/at-B.json" "B: the backup's age is B minus the dump's time" \
	'(.backups[0].age_s - ($b - $m)) | fabs < 1.5' --argjson b "$TB" --argjson m "$MT"
json_check "$T/at-B.json" "B: and its status follows from that age and the RPO (15s)" \
	'(($b - $m) as $age | if ($age - 15 | fabs) < 1 or ($age - 12 | fabs) < 1 then true
	  elif $age > 15 then .backups[0].status == "crit" elif $age > 12 then .backups[0].status == "warn"
	  else .backups[0].status == "ok" end)' --argjson b "$TB" --argjson m "$MT"

# ISO 8601 for the third moment, as a postmortem writes it
TCISO=$(date -u -d "@${TC%.*}" +%Y-%m-%dT%H:%M:%SZ)
at C "$TCISO"
json_check "$T/at-C.json" "C ($TCISO): lab2 is ok again" '.hosts[] | select(.name == "lab2") | .status == "ok" and .reachable == true'
json_check "$T/at-C.json" "C: the backup breached its RPO (crit)" '.backups[0].status == "crit" and .backups[0].age_s > .backups[0].rpo_s'
json_check "$T/at-C.json" "C: the fleet is crit" '.status == "crit"'

# the table for a postmortem: it says the moment, and what was down
fd_run 15 "$T/at-B.txt" --once --replay "$R" --at "$TB"
head -n 1 "$T/at-B.txt"
check "--once (text) at B starts with the moment in ISO 8601 UTC" \
	grep -qx "At $(date -u -d "@${TB%.*}" +%Y-%m-%dT%H:%M:%S)\.[0-9]*Z, replayed from $R:" "$T/at-B.txt"
check "and lists lab2 crit" grep -qE '^crit +lab2 ' "$T/at-B.txt"

at X 2001-01-01T00:00:00Z
[ "$FD_RC" = 2 ] && grep -q "the recording covers" "$T/at-X.json.err" &&
	ok "a moment outside the recording: exit 2, saying what it covers" || bad "a moment outside the recording" "exit $FD_RC"

# A copy cut in the middle of a record (a crash while writing).
size=$(stat -c %s "$R")
head -c $((size - 25)) "$R" >"$T/torn.fdrec"
fd_run 15 "$T/torn.json" --once --json --replay "$T/torn.fdrec" --at "$TB"
[ "$FD_RC" = 0 ] && ok "the torn copy replays (exit 0)" || bad "the torn copy replays" "exit $FD_RC" "$(cat "$T/torn.json.err")"
grep -q "ends in the middle of a record" "$T/torn.json.err" && ok "and says where it is torn" ||
	bad "and says where it is torn" "$(cat "$T/torn.json.err")"
json_check "$T/torn.json" "torn copy, B: lab2 crit as in the whole recording" '.hosts[] | select(.name == "lab2") | .status == "crit"'
fd_run 15 "$T/torn-end.json" --once --json --replay "$T/torn.fdrec"
json_check "$T/torn-end.json" "torn copy: its end is before the tear, and replays" '.generated_at <= ($c + 3)' --argjson c "$TC"
# The dashboard over the same recording.
clock() { date -d "@${1%.*}" +%H:%M:%S; }
# the status changes as recorded: time, target, new status
zstd -dc "$R" | jq -r 'select(.k == "status") | "\(.t) \(.target) \(.to)"' >"$T/changes"
cat "$T/changes"
# } stops at each distinct moment with a change: how many presses reach
# lab2's fall (K1) and its recovery (K2)
awk '{ print $1 }' "$T/changes" | uniq >"$T/moments"
E1=$(awk '$2 == "host/lab2" && $3 == "crit" { print $1; exit }' "$T/changes")
E2=$(awk '$2 == "host/lab2" && $3 == "ok" { print $1; exit }' "$T/changes")
K1=$(grep -nxF -- "$E1" "$T/moments" | cut -d: -f1)
K2=$(grep -nxF -- "$E2" "$T/moments" | cut -d: -f1)
echo "lab2 fell at $E1 (} x$K1), recovered at $E2 (} x$K2)"
# a host's status word in its overview row
row_has() { tmux_capture | grep -E "^ *$(printf '%s' "$2" | tr a-z A-Z) +$1 " >/dev/null; }
press() { local i; for ((i = 0; i < $2; i++)); do tmux_send "$1"; sleep 0.3; done; }
fd_tmux replay 120 30 -- --replay "$R"
if tmux_wait_for "REPLAY paused" 10; then
	ok "--replay opens the dashboard on the recording, paused, with its timeline bar"
else
	bad "--replay opens the dashboard" "$(tmux_show)" "$(cat "$T/replay.stderr" 2>/dev/null)"
fi
check "it is read-only" tmux_has "READ-ONLY"
check "it starts at the recording's first moment" tmux_has "$(clock "$(zstd -dc "$R" | head -n 1 | jq .t)")"
press '}' "$K1"
if tmux_wait_for "$(clock "$E1")" 5 && wait_for 3 row_has lab2 crit; then
	ok "} ($K1x) steps through the status changes to lab2's fall ($(clock "$E1")): lab2 CRIT on screen"
else
	bad "} steps to lab2's fall ($(clock "$E1"))" "$(tmux_show)"
fi
check "the alert is listed" tmux_has "host/lab2"
# the moment on the timeline bar is what --at reads: paste it
MOMENT=$(tmux_capture | grep -o 'REPLAY paused [0-9]*x  [0-9T:.+-]*' | awk '{ print $4 }')
fd_run 15 "$T/pasted.json" --once --json --replay "$R" --at "$MOMENT"
json_check "$T/pasted.json" "the bar's moment ($MOMENT) pasted into --at: lab2 crit, as on screen" \
	'(.hosts[] | select(.name == "lab2") | .status == "crit") and ((.generated_at - $e) | fabs < 0.002)' --argjson e "$E1"
press '}' $((K2 - K1))
if tmux_wait_for "$(clock "$E2")" 5 && wait_for 3 row_has lab2 ok; then
	ok "} on to its recovery ($(clock "$E2")): lab2 OK"
else
	bad "} on to its recovery ($(clock "$E2"))" "$(tmux_show)"
fi
press '{' $((K2 - K1))
tmux_wait_for "$(clock "$E1")" 5 && wait_for 3 row_has lab2 crit && ok "{ goes back to the fall" ||
	bad "{ goes back to the fall" "$(tmux_show)"
tmux_send g
tmux_wait_for "go to:" 3 && ok "g asks for a time" || bad "g asks for a time" "$(tmux_show)"
tmux_send "$TCISO" Enter
if tmux_wait_for "$(clock "$TC")" 5 && wait_for 3 row_has lab2 ok; then
	ok "g $TCISO: the moment C, lab2 OK again"
else
	bad "g $TCISO: the moment C, lab2 OK again" "$(tmux_show)"
fi
# the Events view lists the recorded changes; Enter on the oldest jumps there
tmux_send 8
tmux_wait_for "TIME        KIND" 5 && ok "the Events view lists the recording's status changes" ||
	bad "the Events view lists the recording's status changes" "$(tmux_show)"
check "with the host that went down" tmux_has "host/lab2"
E0=$(head -n 1 "$T/moments")
tmux_send End Enter
tmux_wait_for "$(clock "$E0")" 5 && ok "Enter on the oldest event moves the replay to its moment ($(clock "$E0"))" ||
	bad "Enter on the oldest event moves the replay to its moment ($(clock "$E0"))" "$(tmux_show)"
tmux_send q
tmux_wait_for "EXITED:0" 5 && ok "q leaves the replay (exit 0)" || bad "q leaves the replay (exit 0)" "$(tmux_show)"
# A dashboard that records to the same file again lists, in its Events view,
# the status changes the earlier run recorded (all hosts are up now).
fd_tmux live 120 30 -- --record "$R" -c "$F" --view events
if tmux_wait_for "TIME        KIND" 10 && tmux_wait_line "host/lab2" "ok -> crit" 5; then
	ok "recording again: the Events view lists the earlier run's status changes (lab2's fall)"
else
	bad "recording again: the Events view lists the earlier run's status changes" "$(tmux_show)"
fi
tmux_send q
tmux_wait_for "EXITED:0" 5 || bad "q ends the recording dashboard" "$(tmux_show)"
check "and it appended to the recording (still whole)" zstd -t -q "$R"

# The fleet file's record key does what --record does.
G=$T/keyed.fleet
sed "s|^\[fleet lab\]\$|[fleet lab]\nrecord = $T/keyed.fdrec|" "$F" >"$G"
timeout -s TERM 6 "$FLEETDECK" --headless -c "$G" >"$T/keyed.out" 2>&1 9>&-
wait_for 5 test -s "$T/keyed.fdrec" && zstd -t -q "$T/keyed.fdrec" &&
	fd_run 15 "$T/keyed.json" --once --json --replay "$T/keyed.fdrec" && json_valid "$T/keyed.json" &&
	ok "record = in [fleet]: --headless records without --record, and it replays" ||
	bad "record = in [fleet] records" "$(cat "$T/keyed.out")" "$(head -c 300 "$T/keyed.json.err" 2>/dev/null)"
echo "done after ${SECONDS}s"
lab_finish
