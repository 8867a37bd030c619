#!/bin/bash
# signals.sh — SIGTERM, SIGINT and SIGHUP arrive while an action runs
# (issue #13): fleetdeck ends with the terminal restored and exit status
# 128 + N (143, 130, 129: a supervisor tells a kill from a quit), the action
# that was already confirmed finishes and is audited (confirmed, then
# succeeded: whole JSON lines, nothing cut), and no runner is left half
# made. A `command` runner fleet on this machine whose scale command takes
# 2 s; no lab hosts needed.
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
lab_test_begin signals 58
lab_require_tool tmux pgrep
SCALE=$TOP_SRCDIR/tests/actions/scale.sh
RDIR=$T/runners
AUDIT=$T/state/audit.log
trap 'rc=$?; "$SCALE" set "$RDIR" 0 >/dev/null 2>&1; (exit $rc); _lab_cleanup' EXIT
printf '#!/bin/sh\nsleep 2\nexec %s "$@"\n' "$SCALE" >"$T/slow-scale"
chmod +x "$T/slow-scale"
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
scale = $T/slow-scale set $RDIR {count}
min = 0
max = 4
interval = 1s
EOF
nproc() { pgrep -fc "$RDIR/fdrunner-" 2>/dev/null || true; }
lines_whole() { [ -s "$AUDIT" ] && jq -e -s 'length > 0' "$AUDIT" >/dev/null 2>&1 &&
	[ "$(tail -c 1 "$AUDIT" | od -An -c | tr -d ' ')" = '\n' ]; }

n=0
for sig in TERM INT HUP; do
	n=$((n + 1))
	case $sig in TERM) code=143 ;; INT) code=130 ;; HUP) code=129 ;; esac
	fd_tmux "s$sig" 120 30 -- -c "$T/t.fleet" --view runners
	# the count itself, not just the bounds: "=" before the first listing is refused
	tmux_wait_line 'ci +command' " $((n - 1)) \\[0\\.\\.4\\]" 15 ||
		bad "SIG$sig: the runner fleet is shown with its $((n - 1)) runner(s)" "$(tmux_show)"
	tmux_send =
	tmux_wait_for "Scale to how many" 5 || bad "SIG$sig: = asks for a count" "$(tmux_show)"
	sleep 0.3
	tmux_send -l "$n"
	tmux_send Enter
	tmux_wait_for "from $((n - 1)) to $n" 5 || bad "SIG$sig: the plan is shown" "$(tmux_show)"
	tmux_send y
	wait_for 5 eval 'grep -c confirmed "$AUDIT" 2>/dev/null | grep -qx "$n"' ||
		bad "SIG$sig: the action was confirmed first" "$(tmux_show)"
	kill -"$sig" "$FD_PID"
	if wait_for 10 eval '! fd_alive "$FD_PID"'; then ok "SIG$sig during an action: fleetdeck ends"; else bad "SIG$sig during an action: fleetdeck ends" "$(tmux_show)"; fi
	wait_for 3 tmux_has "EXITED:$code" && ok "SIG$sig: exit status $code (128 + $(kill -l "$sig"))" ||
		bad "SIG$sig: exit status $code" "$(tmux_show)"
	tmux_lacks "Runners of ci" && tmux_lacks "ci " && ok "SIG$sig: the terminal is restored" ||
		bad "SIG$sig: the terminal is restored" "$(tmux_show)"
	[ "$(grep -c succeeded "$AUDIT")" = "$n" ] && ok "SIG$sig: the confirmed action finished and was audited" ||
		bad "SIG$sig: the confirmed action finished and was audited" "$(cat "$AUDIT")"
	lines_whole && ok "SIG$sig: the audit log is whole JSON lines" || bad "SIG$sig: the audit log is whole JSON lines" "$(tail -c 400 "$AUDIT")"
	[ "$(nproc)" = "$n" ] && ok "SIG$sig: $n runner(s), as audited" || bad "SIG$sig: $n runner(s), as audited" "$(nproc) running"
	tmux_kill "s$sig"
done
lab_finish
