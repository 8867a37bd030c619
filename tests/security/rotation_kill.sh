#!/bin/bash
# rotation_kill.sh — issue #12 item 1: a key rotation never locks anyone
# out. `ssh-authorized-key` over 2 lab hosts (their own authorized_keys),
# driven from the Keys view; fleetdeck is killed (SIGKILL, by the test hook
# FLEETDECK_TEST_KILL_AT) between each pair of steps in turn: after the new
# key is generated, added, verified, after the old key is kept, after the
# new one is installed, after the phase 'confirming' is saved (the wait for
# the collector's own login with the new key), after that login came on
# every host, after the old one is removed. After every kill one key on
# disk (identity_file, or the kept identity_file.fleetdeck-old) still logs
# in on every host and a state file is there (and until the collector
# confirmed, the old key itself still logs in everywhere); the next start's
# rotate resumes from it, and the last run ends with the new key
# everywhere, the old nowhere, nothing left behind. A second fleetdeck
# cannot rotate while the rotation is locked.
# Then a rotation with polling paused (p): the collector makes no login,
# so the rotation waits in phase 'confirming' with the old key still
# authorized and kept, then stops saying which hosts never confirmed (on
# screen and in the audit log); q while it waits ends fleetdeck at once
# (not at the end of its confirm_timeout) with the rotation resumable; the
# next start's rotate finishes it.
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
LAB_NET=97
lab_test_begin rotation_kill 100
lab_require_tool tmux ssh ssh-keygen flock
lab_up 2
K=$T/keys
STATE=$T/state/rotation-deploy.json
mkdir -p "$K" && chmod 700 "$K"
ssh-keygen -q -t ed25519 -N '' -C old-deploy -f "$K/deploy" || { bad "ssh-keygen"; lab_finish; }
cp -p "$K/deploy" "$T/first_key"
for i in 1 2; do
	eval "hd=\$LAB_HOST_${i}_DIR"
	cp "$K/deploy.pub" "$hd/ak" && chmod 600 "$hd/ak"
	lab_host_authorized_keys "$i" "$hd/ak"
done
sed -i "s|^\[fleet lab\]|[fleet lab]\naudit_log = $T/state/audit.log|" "$LAB_FLEET"
cat >>"$LAB_FLEET" <<EOF

[key deploy]
provider = ssh-authorized-key
hosts = lab1, lab2
identity_file = $K/deploy
authorized_keys = $LAB_DIR/hosts/{host}/ak
max_age = 90d
EOF
login() {   # KEYFILE I
	local a p
	eval "a=\$LAB_HOST_$2_ADDR p=\$LAB_HOST_$2_PORT"
	ssh -F /dev/null -o BatchMode=yes -o IdentitiesOnly=yes -o IdentityAgent=none \
		-o UserKnownHostsFile="$LAB_KNOWN_HOSTS" -o StrictHostKeyChecking=yes -o ConnectTimeout=3 \
		-i "$1" -p "$p" -l "$LAB_USER" "$a" true </dev/null >/dev/null 2>&1
}
everywhere() { [ -r "$1" ] && login "$1" 1 && login "$1" 2; }
working_key() {   # a key file on disk that logs in on every host
	local f
	for f in "$K/deploy" "$K/deploy.fleetdeck-old"; do everywhere "$f" && { echo "$f"; return 0; }; done
	return 1
}
start() {   # NAME [KILL_AT]: one start of fleetdeck, in the Keys view
	fd_tmux "$1" 150 34 ${2:+FLEETDECK_TEST_KILL_AT=$2} -- -c "$LAB_FLEET" --view keys
	tmux_wait_for "deploy" 10 || bad "$1: Keys view shows deploy" "$(tmux_show)"
}
ask_rotate() {   # NAME: r, the key's name typed, Enter
	tmux_send r
	tmux_wait_for "Type deploy to confirm" 8 || bad "$1: r asks for the name" "$(tmux_show)"
	tmux_send -l deploy
	tmux_send Enter
}
rotate() {   # NAME [KILL_AT]: one start of fleetdeck, one rotate
	start "$@"
	ask_rotate "$1"
}
done_and_quit() {   # DESC: the rotation ends done; its dialog closed, q quits
	tmux_wait_for "rotate key/deploy: done" "$ROT" && ok "$1" || bad "$1" "$(tmux_show)"
	tmux_send Enter
	tmux_send q
	tmux_wait_for "EXITED:0" 5 || bad "q quits" "$(tmux_show)"
}

# The test's time is mostly ssh logins (fleetdeck's and its own) and
# fleetdeck starts (53-86 login times, 66-105 s at load 20 alone and beside
# a neighbour): its hang guards are sized from one login measured now
# (LAB_BASE), never from a bigger absolute number.
lab_baseline login "$T/first_key" 1 || bad "the baseline login with the first key"
echo "baseline: one login to lab1 takes ${LAB_BASE}s"
CONF=$((5 + $(lab_units 10)))   # the paused rotation's wait for the collector (confirm_timeout)
lab_watchdog $(($(lab_scaled 160) + $(lab_units 270) + CONF))
ROT=$((30 + $(lab_units 20)))   # one start and rotation: a few logins per host
for at in generated added verified old-kept installed confirming confirmed removed; do
	rotate "k-$at" "$at"
	# killed, the pane's shell says so wherever fleetdeck left the cursor:
	# EXITED:137 may wrap at the pane's edge (-J joins wrapped lines)
	if wait_for "$ROT" eval 'tmux_capture -J | grep -qF "EXITED:137"'; then
		ok "killed after '$at'"
	else
		bad "killed after '$at'" "$(tmux_show)"
		continue
	fi
	[ -s "$STATE" ] && ok "  after '$at': a state file to resume from ($(jq -r .phase "$STATE"))" ||
		bad "  after '$at': a state file to resume from"
	w=$(working_key) && ok "  after '$at': a key on disk logs in on every host (${w##*/})" ||
		bad "  after '$at': a key on disk logs in on every host" "$(ls -la "$K")" "$(cat "$LAB_HOST_1_DIR/ak")"
	[ "$(stat -c %a "$K/deploy")" = 600 ] && { [ ! -e "$K/deploy.fleetdeck-old" ] ||
		[ "$(stat -c %a "$K/deploy.fleetdeck-old")" = 600 ]; } && ok "  after '$at': private keys are 0600" ||
		bad "  after '$at': private keys are 0600" "$(ls -la "$K")"
	case $at in installed|confirming|confirmed)
		# the collector has not confirmed yet (or has, but the old key is
		# not yet removed): the old key itself still logs in everywhere
		everywhere "$T/first_key" && ok "  after '$at': the old key still logs in on every host" ||
			bad "  after '$at': the old key still logs in on every host" "$(cat "$LAB_HOST_1_DIR/ak")"
	esac
	tmux_kill "k-$at"
done

# a second fleetdeck while the rotation is locked
( exec 8>"$T/state/rotation-deploy.lock"; flock 8; sleep 20 ) &
locker=$!
lab_bg $locker
sleep 0.5
rotate locked
tmux_wait_for "another fleetdeck is rotating" 15 && ok "a second instance is refused while the rotation is locked" ||
	bad "a second instance is refused while the rotation is locked" "$(tmux_show)"
tmux_send Enter
tmux_send q
tmux_kill locked
kill "$locker" 2>/dev/null
wait "$locker" 2>/dev/null

# the next start finishes it
rotate final
done_and_quit "the next start resumes and finishes the rotation"
everywhere "$K/deploy" && ok "the new key logs in on every host" || bad "the new key logs in on every host"
! login "$T/first_key" 1 && ! login "$T/first_key" 2 && ok "the first key logs in nowhere" || bad "the first key logs in nowhere"
[ "$(cat "$LAB_HOST_1_DIR/ak" "$LAB_HOST_2_DIR/ak" | grep -c .)" = 2 ] && ok "each authorized_keys holds one key" ||
	bad "each authorized_keys holds one key" "$(cat "$LAB_HOST_1_DIR/ak" "$LAB_HOST_2_DIR/ak")"
[ ! -e "$STATE" ] && [ ! -e "$K/deploy.fleetdeck-old" ] && [ -z "$(ls -d "$T"/state/rotation-deploy.??????* 2>/dev/null)" ] &&
	ok "no state file, kept key or temp dir is left" || bad "no state file, kept key or temp dir is left" "$(ls -la "$T/state" "$K")"

# polling paused: the collector logs in nowhere, so the old key must stay
cp -p "$K/deploy" "$T/key2"
key2_blob=$(awk '{print $2}' "$K/deploy.pub")
sed -i "/^\[key deploy\]/a confirm_timeout = ${CONF}s" "$LAB_FLEET"
start paused
tmux_send p
tmux_wait_for "polling paused" 5 || bad "p pauses polling" "$(tmux_show)"
ask_rotate paused
phase_is() { [ "$(jq -r .phase "$STATE" 2>/dev/null)" = "$1" ]; }
if wait_for "$ROT" phase_is confirming; then
	ok "paused: the installed key waits for the collector's own login (phase confirming)"
	everywhere "$T/key2" && ok "  meanwhile the old key still logs in on every host" ||
		bad "  meanwhile the old key still logs in on every host"
	grep -qF -- "$key2_blob" "$LAB_HOST_1_DIR/ak" && grep -qF -- "$key2_blob" "$LAB_HOST_2_DIR/ak" &&
		cmp -s "$K/deploy.fleetdeck-old" "$T/key2" && ok "  it is in every authorized_keys and kept as deploy.fleetdeck-old" ||
		bad "  it is in every authorized_keys and kept as deploy.fleetdeck-old" "$(ls -la "$K")"
else
	bad "paused: the installed key waits for the collector's own login (phase confirming)" \
		"phase: $(jq -r .phase "$STATE" 2>/dev/null)" "$(tmux_show)"
fi
tmux_wait_for "rotate key/deploy: FAILED" $((CONF + ROT)) &&
	ok "a collector that never logs in with the new key: the rotation stops there" ||
	bad "a collector that never logs in with the new key: the rotation stops there" "$(tmux_show)"
check "  the audit log says which hosts never confirmed and that the old key stays" \
	jq -e -s '.[-1].result == "failed" and (.[-1].error | test("collector has not logged in with the new key on lab1, lab2") and test("old key stays authorized"))' "$T/state/audit.log"
everywhere "$T/key2" && phase_is confirming && [ -e "$K/deploy.fleetdeck-old" ] &&
	ok "  after it the old key still logs in everywhere, kept, and the state resumes at 'confirming'" ||
	bad "  after it the old key still logs in everywhere, kept, and the state resumes at 'confirming'" "$(ls -la "$K")"
tmux_send Enter
tmux_send q
tmux_wait_for "EXITED:0" 5 || bad "q quits" "$(tmux_show)"
tmux_kill paused

# q while the rotation waits for the collector: fleetdeck ends now, not at
# the end of a 600 s confirm_timeout, and leaves the rotation resumable
sed -i "s/^confirm_timeout = .*/confirm_timeout = 600s/" "$LAB_FLEET"
start quitwait
tmux_send p
tmux_wait_for "polling paused" 5 || bad "p pauses polling" "$(tmux_show)"
ask_rotate quitwait
tmux_wait_for "waiting for fleetdeck's own login" "$ROT" ||
	bad "quitwait: the resumed rotation waits for the collector" "$(tmux_show)"
tmux_send q
if tmux_wait_for "EXITED:0" "$ROT"; then
	ok "q while the rotation waits for the collector: fleetdeck ends, not after confirm_timeout (600 s)"
else
	bad "q while the rotation waits for the collector: fleetdeck ends, not after confirm_timeout (600 s)" "$(tmux_show)"
fi
check "  the audit log says fleetdeck quit before the collector confirmed, the old key stays" \
	jq -e -s '.[-1].result == "failed" and (.[-1].error | test("quit before its collector logged in with the new key on lab1, lab2") and test("old key stays authorized"))' "$T/state/audit.log"
everywhere "$T/key2" && phase_is confirming && [ -e "$K/deploy.fleetdeck-old" ] &&
	ok "  the old key still logs in everywhere, kept, and the state resumes at 'confirming'" ||
	bad "  the old key still logs in everywhere, kept, and the state resumes at 'confirming'" "$(ls -la "$K")"
tmux_kill quitwait

start resumed
ask_rotate resumed
done_and_quit "polling on: the next rotate confirms and finishes"
everywhere "$K/deploy" && ! login "$T/key2" 1 && ! login "$T/key2" 2 && [ ! -e "$STATE" ] && [ ! -e "$K/deploy.fleetdeck-old" ] &&
	ok "  the new key logs in everywhere, the old nowhere, nothing left" ||
	bad "  the new key logs in everywhere, the old nowhere, nothing left" "$(ls -la "$K" "$T/state")"
lab_finish
