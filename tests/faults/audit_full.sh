#!/bin/bash
# audit_full.sh — the audit log's file system is full (a 64 KiB tmpfs,
# filled up) while an action is confirmed (issue #13): the action is refused
# with the reason on screen, nothing runs, and the log is not touched — not
# even half a line (the log was padded so that the next line would straddle
# a page: the first bytes fit, the rest does not). Once there is room again
# the same action runs and is audited whole. A `command` runner fleet on
# this machine (`ssh = local`): no lab hosts needed.
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
lab_test_begin audit_full 55
lab_require_root
lab_require_tool tmux pgrep mount umount dd cmp
SCALE=$TOP_SRCDIR/tests/actions/scale.sh
RDIR=$T/runners
MNT=$T/full
mkdir -p "$MNT"
mount -t tmpfs -o size=64k,mode=0700 fdaudit "$MNT" || lab_skip "cannot mount a tmpfs here"
trap 'rc=$?; "$SCALE" set "$RDIR" 0 >/dev/null 2>&1; umount -l "$MNT" 2>/dev/null; (exit $rc); _lab_cleanup' EXIT
AUDIT=$MNT/audit.log
cat >"$T/t.fleet" <<EOF
[fleet t]
audit_log = $AUDIT

[host me]
ssh = local
containers = none
gpus = none

[runners ci]
provider = command
host = me
list = $SCALE list $RDIR
scale = $SCALE set $RDIR {count}
min = 0
max = 4
interval = 1s
EOF
nproc() { pgrep -fc "$RDIR/fdrunner-" 2>/dev/null || true; }
all_json() { [ -s "$AUDIT" ] && jq -e -s 'length > 0' "$AUDIT" >/dev/null 2>&1 && [ "$(tail -c 1 "$AUDIT" | od -An -c | tr -d ' ')" = '\n' ]; }
scale_to() {
	tmux_send =
	tmux_wait_for "Scale to how many" 5 || return 1
	sleep 0.3
	tmux_send -l "$1"
	tmux_send Enter
	tmux_wait_for "to $1" 5 || return 1
	tmux_send y
}

fd_tmux ui 140 34 -- -c "$T/t.fleet" --view runners
tmux_wait_line 'ci +command' ' 0 \[0\.\.4\]' 15 && ok "the runner fleet is shown (0)" || bad "the runner fleet is shown (0)" "$(tmux_show)"
scale_to 1
wait_for 15 eval '[ "$(nproc)" = 1 ]' && ok "= 1 with room on the disk: 1 runner" || bad "= 1 with room on the disk: 1 runner" "$(nproc) running" "$(tmux_show)"
wait_for 5 eval 'grep -q succeeded "$AUDIT"' && all_json && ok "audited: whole JSON lines" || bad "audited: whole JSON lines" "$(cat "$AUDIT")"
tmux_send Enter

# pad the log to 60 bytes short of a page, then fill the file system
size=$(stat -c %s "$AUDIT")
target=$(( ( (size + 200) / 4096 + 1 ) * 4096 - 60 ))
# the pad line's skeleton is 62 bytes with its newline
printf '{"time":0,"action":"pad","target":"","result":"","padding":"%s"}\n' \
	"$(head -c $((target - size - 62)) /dev/zero | tr '\0' p)" >>"$AUDIT"
dd if=/dev/zero of="$MNT/fill" bs=4096 >/dev/null 2>&1
cp "$AUDIT" "$T/audit.before"
echo "   audit log $(stat -c %s "$AUDIT") bytes ($(( $(stat -c %s "$AUDIT") % 4096 )) into a page), file system full: $(df -k "$MNT" | awk 'NR==2 {print $4}') KiB free"

scale_to 2
tmux_wait_for "audit log" 10 && ok "disk full: the action is refused, saying why" || bad "disk full: the action is refused, saying why" "$(tmux_show)"
tmux_has "space" && ok "the reason names the full disk" || bad "the reason names the full disk" "$(tmux_show)"
sleep 2
[ "$(nproc)" = 1 ] && ok "nothing ran (still 1 runner)" || bad "nothing ran (still 1 runner)" "$(nproc) running"
cmp -s "$AUDIT" "$T/audit.before" && ok "the audit log is untouched: not even half a line" ||
	bad "the audit log is untouched: not even half a line" "$(cmp "$AUDIT" "$T/audit.before" 2>&1)" "tail: $(tail -c 200 "$AUDIT")"
all_json && ok "the audit log is whole JSON lines" || bad "the audit log is whole JSON lines" "$(tail -c 300 "$AUDIT")"
fd_alive "$FD_PID" && ok "the dashboard is alive" || bad "the dashboard is alive" "$(tmux_show)"
tmux_send Enter

# room again: the same action runs and is audited
rm -f "$MNT/fill"
scale_to 2
wait_for 15 eval '[ "$(nproc)" = 2 ]' && ok "room again: = 2 runs (2 runners)" || bad "room again: = 2 runs (2 runners)" "$(nproc) running" "$(tmux_show)"
wait_for 5 eval '[ "$(grep -c succeeded "$AUDIT")" = 2 ]' && all_json && ok "and is audited whole" ||
	bad "and is audited whole" "$(tail -c 600 "$AUDIT")"
tmux_send Enter
tmux_send q
wait_for 5 tmux_has "EXITED:0" && ok "q quits" || bad "q quits" "$(tmux_show)"
lab_finish
