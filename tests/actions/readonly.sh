#!/bin/bash
# readonly.sh — --read-only, read_only = yes and --wall: every action key
# (+ - = r on the Runners and Keys views) changes nothing, says so, and the
# audit log gets only "refused" lines. The wall has no views to select a
# target on (doc/wall.md): its action keys are refused with a message and
# address nothing, so they leave no audit line.
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
LAB_NET=62
lab_test_begin readonly 58
lab_require_root
lab_require_tool tmux pgrep setsid
lab_up 1

SCALE=$TOP_SRCDIR/tests/actions/scale.sh
RDIR=$T/runners
AUDIT=$T/audit.log
trap 'rc=$?; "$SCALE" set "$RDIR" 0 >/dev/null 2>&1; (exit $rc); _lab_cleanup' EXIT
sed -i "s|^\[fleet lab\]|[fleet lab]\naudit_log = $AUDIT|" "$LAB_FLEET"
cat >>"$LAB_FLEET" <<EOF

[runners ci]
provider = command
host = lab1
list = $SCALE list $RDIR
scale = $SCALE set $RDIR {count}
max = 4
interval = 1s

[key deploy]
provider = command
host = lab1
rotate = touch $T/rotated; echo new-id
age = date +%s
EOF
nproc() { pgrep -fc "$RDIR/fdrunner-" 2>/dev/null || true; }

press_all() {   # $1: label
	tmux_send 6
	tmux_wait_for "ci" 5
	tmux_send +
	tmux_wait_for "action keys are disabled" 5 && ok "$1: + says actions are disabled" || bad "$1: + says actions are disabled" "$(tmux_show)"
	tmux_send -; tmux_send =; tmux_send 3; tmux_send Enter
	tmux_send 7
	tmux_wait_for "deploy" 5
	tmux_send r; tmux_send -l deploy; tmux_send Enter
	sleep 1.5
	tmux_lacks "Confirm:" && ok "$1: no dialog opened" || bad "$1: no dialog opened" "$(tmux_show)"
	tmux_kill ui
}

fd_tmux ui 140 34 -- -c "$LAB_FLEET" --read-only --view runners
press_all "--read-only"
fd_tmux ui 140 34 -- -c "$LAB_FLEET" --wall --rotate 10m --view runners
tmux_wait_for "Hosts 1" 10
for k in 6 - = r 7 Enter +; do tmux_send "$k"; done
tmux_wait_for "action keys are disabled" 5 && ok "--wall: + says actions are disabled" || bad "--wall: + says actions are disabled" "$(tmux_show)"
sleep 1.5
tmux_lacks "Confirm:" && ok "--wall: no dialog opened" || bad "--wall: no dialog opened" "$(tmux_show)"
tmux_kill ui
sed -i "s|^\[fleet lab\]|[fleet lab]\nread_only = yes|" "$LAB_FLEET"
fd_tmux ui 140 34 -- -c "$LAB_FLEET" --view runners
press_all "read_only = yes"

sleep 1
[ "$(nproc)" = 0 ] && ok "no runner was started" || bad "no runner was started" "$(nproc)"
[ ! -e "$T/rotated" ] && ok "the key was not rotated" || bad "the key was not rotated"
check "the audit log has only refusals" jq -e -s 'length >= 6 and all(.[]; .result == "refused")' "$AUDIT"
check "refusals name the mode" jq -e -s '[.[].error] | any(test("read-only"))' "$AUDIT"
lab_finish
