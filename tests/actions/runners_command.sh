#!/bin/bash
# runners_command.sh — the `command` runner provider end to end on a lab host:
# --once --json fills "runners"; in the TUI (tmux) the fleet is scaled
# 0 -> 3 -> 1 -> 0 from the keyboard (= with a typed count, + cancelled,
# a bound refused, the name typed for scale to 0) and the runner processes
# are really there; the audit log (0600, directory created) has every
# attempt; a runner name with $(touch ...) and quotes from the list command
# is shown as text and never runs.
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
LAB_NET=61
lab_test_begin runners_command 58
lab_require_root
lab_require_tool tmux pgrep setsid
lab_up 1

SCALE=$TOP_SRCDIR/tests/actions/scale.sh
RDIR=$T/runners
AUDIT=$T/state/new-dir/audit.log
trap 'rc=$?; "$SCALE" set "$RDIR" 0 >/dev/null 2>&1; (exit $rc); _lab_cleanup' EXIT
sed -i "s|^\[fleet lab\]|[fleet lab]\naudit_log = $AUDIT|" "$LAB_FLEET"
cat >>"$LAB_FLEET" <<EOF

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

fd_run 20 "$T/once.json" -c "$LAB_FLEET" --once --json
json_check "$T/once.json" "--once --json: runners/ci listed with count 0, min 0, max 4" \
	'.runners | length == 1 and .[0].name == "ci" and .[0].count == 0 and .[0].min == 0 and .[0].max == 4 and .[0].provider == "command"'

fd_tmux ui 140 34 -- -c "$LAB_FLEET" --view runners
tmux_wait_for "Runners of ci" 10 && ok "Runners view shows the fleet" || bad "Runners view shows the fleet" "$(tmux_show)"
tmux_wait_line 'ci +command' ' 0 \[0\.\.4\]' 10 && ok "count 0 [0..4] shown" || bad "count 0 [0..4] shown" "$(tmux_show)"

# + then n: cancelled, nothing runs
tmux_send +
tmux_wait_for "Confirm: scale runners/ci" 5 && ok "+ opens the plan dialog" || bad "+ opens the plan dialog" "$(tmux_show)"
tmux_has "from 0 to 1" && ok "the plan says from 0 to 1" || bad "the plan says from 0 to 1" "$(tmux_show)"
tmux_send n
tmux_wait_gone "Confirm: scale" 5
sleep 1
[ "$(nproc)" = 0 ] && ok "cancelled: no runner started" || bad "cancelled: no runner started" "$(nproc) running"

# Enter on the default button is No
tmux_send +
tmux_wait_for "Confirm: scale runners/ci" 5
tmux_send Enter
tmux_wait_gone "Confirm: scale" 5
sleep 1
[ "$(nproc)" = 0 ] && ok "Enter on the default (No) button does nothing" || bad "Enter on the default (No) button does nothing" "$(nproc) running"

# = 9: above max, refused before any dialog
tmux_send =
tmux_wait_for "Scale to how many" 5 && ok "= asks for a count" || bad "= asks for a count" "$(tmux_show)"
tmux_send 9 Enter
tmux_wait_for "above max" 5 && ok "= 9 is refused: above max" || bad "= 9 is refused: above max" "$(tmux_show)"

# = 3, y
tmux_send =
tmux_wait_for "Scale to how many" 5
tmux_send 3 Enter
tmux_wait_for "from 0 to 3" 5 && ok "= 3 shows the plan 0 -> 3" || bad "= 3 shows the plan 0 -> 3" "$(tmux_show)"
tmux_has "runners '3'" && ok "the plan shows the exact command, count quoted" ||
	bad "the plan shows the exact command, count quoted" "$(tmux_show)"
tmux_send y
wait_for 15 eval '[ "$(nproc)" = 3 ]' && ok "3 runner processes really run" || bad "3 runner processes really run" "$(nproc) running" "$(tmux_show)"
tmux_wait_for "scale runners/ci: done" 10 && ok "the result is shown" || bad "the result is shown" "$(tmux_show)"
tmux_send Enter
tmux_wait_line 'ci +command' ' 3 \[0\.\.4\]' 10 && ok "the view lists 3" || bad "the view lists 3" "$(tmux_show)"
tmux_has "runner-3" && ok "the runners are listed by name" || bad "the runners are listed by name" "$(tmux_show)"

# = 1, y
tmux_send =
tmux_wait_for "Scale to how many" 5
tmux_send 1 Enter
tmux_wait_for "from 3 to 1" 5 && ok "= 1 shows the plan 3 -> 1" || bad "= 1 shows the plan 3 -> 1" "$(tmux_show)"
tmux_send y
wait_for 15 eval '[ "$(nproc)" = 1 ]' && ok "1 runner process left" || bad "1 runner process left" "$(nproc) running"
tmux_wait_for "scale runners/ci: done" 10
tmux_send Enter
tmux_wait_line 'ci +command' ' 1 \[0\.\.4\]' 10 && ok "the view lists 1" || bad "the view lists 1" "$(tmux_show)"

# - to 0 is destructive: y does not confirm, the name must be typed
tmux_send -
tmux_wait_for "Type ci to confirm" 5 && ok "scale to 0 asks for the name" || bad "scale to 0 asks for the name" "$(tmux_show)"
tmux_send y Enter
tmux_wait_gone "Type ci" 5
sleep 1
[ "$(nproc)" = 1 ] && ok "y + Enter without the name does nothing" || bad "y + Enter without the name does nothing" "$(nproc) running"
tmux_send -
tmux_wait_for "Type ci to confirm" 5
tmux_send -l ci
tmux_send Enter
wait_for 15 eval '[ "$(nproc)" = 0 ]' && ok "typing ci scales to 0" || bad "typing ci scales to 0" "$(nproc) running" "$(tmux_show)"
tmux_wait_for "scale runners/ci: done" 10
tmux_send Enter

# Events view shows the audit
tmux_send 8
tmux_wait_for "cancelled" 5 && ok "Events view lists the cancelled attempt" || bad "Events view lists the cancelled attempt" "$(tmux_show)"
tmux_send q
tmux_wait_for "EXITED:0" 5 || bad "q quits" "$(tmux_show)"

# the audit log
[ -f "$AUDIT" ] && ok "audit log created with its directory" || bad "audit log created with its directory" "$(ls -la "$T/state" 2>&1)"
[ "$(stat -c %a "$AUDIT")" = 600 ] && ok "audit log is 0600" || bad "audit log is 0600" "$(stat -c %a "$AUDIT")"
check "every line is one JSON object with the SPEC §7 fields" \
	jq -e -s 'length > 0 and all(.[]; has("time") and has("user") and has("host") and has("action") and has("target") and has("parameters") and has("result") and has("error"))' "$AUDIT"
res=$(jq -r -s 'map(.result) | join(" ")' "$AUDIT")
want="cancelled cancelled rejected confirmed succeeded confirmed succeeded cancelled confirmed succeeded"
[ "$res" = "$want" ] && ok "audit: every attempt in order ($want)" || bad "audit: every attempt in order" "want: $want" "got:  $res" "$(cat "$AUDIT")"
check "audit: 0 -> 3 and 3 -> 1 and 1 -> 0 recorded" \
	jq -e -s '[.[] | select(.result == "succeeded") | "\(.parameters.from)>\(.parameters.to)"] == ["0>3","3>1","1>0"]' "$AUDIT"

# injection: a runner name from the remote answer is data, never run
name="x\$(touch $T/pwned)'\"\`"
jq -n --arg n "$name" '[{name: $n, state: "busy"}]' >"$T/evil.out"
printf '#!/bin/sh\ncat %q\n' "$T/evil.out" >"$T/evil-list"
chmod +x "$T/evil-list"
sed -i "s|^list = .*|list = $T/evil-list|" "$LAB_FLEET"
fd_run 20 "$T/evil.json" -c "$LAB_FLEET" --once --json
[ ! -e "$T/pwned" ] && ok "a runner named \$(touch ...) never ran" || bad "a runner named \$(touch ...) never ran"
json_check "$T/evil.json" "the odd name is shown literally" \
	'.runners[0].runners[0].name == $n and .runners[0].busy == 1' --arg n "$name"
lab_finish
