#!/bin/bash
# ssh_key_jump.sh — actions over ssh(1) follow `jump`: lab2 has
# `jump = lab1`; the `ssh-authorized-key` rotation of lab2's key (from the
# Keys view, the name typed) reaches lab2 through a forward via lab1, logged
# in on lab1 with lab1's own identity_file while lab2's logins use only the
# rotated key (-F /dev/null, IdentitiesOnly). Proof: lab1's sshd (DEBUG1)
# logs the direct-tcpip channel to lab2; with lab1's sshd stopped the next
# rotation fails naming lab1 and the key in use still logs in on lab2.
# No forward is left running. Issue #12 item 3: while the rotation runs,
# none of fleetdeck's ssh descendants listens on a TCP port (the hop is a
# stdio forward, `ssh -W`, not `ssh -L 127.0.0.1:PORT:lab2:22` that any
# local user could connect to); ss(8) is sampled for the whole rotation.
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
LAB_NET=72
lab_test_begin ssh_key_jump 58
lab_require_root
lab_require_tool tmux ssh ssh-keygen pgrep ss
lab_up 2

K=$T/keys
mkdir -p "$K" && chmod 700 "$K"
ssh-keygen -q -t ed25519 -N '' -C old-deploy -f "$K/deploy" || { bad "ssh-keygen"; lab_finish; }
cp -p "$K/deploy" "$T/old_key"
cp "$K/deploy.pub" "$LAB_HOST_2_DIR/ak" && chmod 600 "$LAB_HOST_2_DIR/ak"
lab_host_authorized_keys 2 "$LAB_HOST_2_DIR/ak"
sed -i 's/LogLevel=VERBOSE/LogLevel=DEBUG1/' "$LAB_HOST_1_DIR/start"
lab_stop_host 1 && lab_start_host 1 || { bad "lab1 restarted at DEBUG1"; lab_finish; }

sed -i "s|^\[fleet lab\]|[fleet lab]\naudit_log = $T/state/audit.log|" "$LAB_FLEET"
sed -i "/^\[host lab2\]/a jump = lab1" "$LAB_FLEET"
cat >>"$LAB_FLEET" <<EOF

[key deploy]
provider = ssh-authorized-key
hosts = lab2
identity_file = $K/deploy
authorized_keys = $LAB_HOST_2_DIR/ak
max_age = 90d
EOF
login() {   # login KEYFILE: does KEYFILE (alone) log in on lab2?
	ssh -F /dev/null -o BatchMode=yes -o IdentitiesOnly=yes -o IdentityAgent=none \
		-o UserKnownHostsFile="$LAB_KNOWN_HOSTS" -o StrictHostKeyChecking=yes -o ConnectTimeout=3 \
		-i "$1" -p "$LAB_HOST_2_PORT" -l "$LAB_USER" "$LAB_HOST_2_ADDR" true </dev/null >/dev/null 2>&1
}
hops() { grep -cE "direct_tcpip: originator .* target $LAB_HOST_2_ADDR port $LAB_HOST_2_PORT([^0-9]|\$)" "$LAB_HOST_1_LOG"; }
fwds() { pgrep -f -- "(-L 127.0.0.1:[0-9]*:|-W )\\[?$LAB_HOST_2_ADDR\\]?:$LAB_HOST_2_PORT" | wc -l; }
rotate() {
	tmux_send r
	tmux_wait_for "Type deploy to confirm" 5 || bad "r asks for the name" "$(tmux_show)"
	tmux_send -l deploy
	tmux_send Enter
}
login "$K/deploy" && ok "the old key logs in on lab2" || bad "the old key logs in on lab2"

fd_tmux ui 140 34 -- -c "$LAB_FLEET" --view keys
tmux_wait_for "deploy" 10 || bad "Keys view shows deploy" "$(tmux_show)"
# sampled until the rotation is over: its ssh children (SEEN) and any TCP
# port fleetdeck or one of its descendants listens on
lab_listen_sampler "$FD_PID" "$T/seen.txt" "$T/tcp_listen.txt"
rotate
tmux_wait_for "rotate key/deploy: done" 25 && ok "the rotation of lab2's key through lab1 succeeded" ||
	bad "the rotation of lab2's key through lab1 succeeded" "$(tmux_show)"
lab_listen_sampler_stop
[ -s "$T/seen.txt" ] && ok "ss was sampled while the rotation's ssh ran ($(wc -l <"$T/seen.txt") samples)" ||
	bad "ss was sampled while the rotation's ssh ran"
[ ! -s "$T/tcp_listen.txt" ] && ok "neither fleetdeck nor its ssh children listened on a TCP port during the jump action" ||
	bad "neither fleetdeck nor its ssh children listened on a TCP port during the jump action" "$(sort -u "$T/tcp_listen.txt")"
tmux_send Enter
[ "$(hops)" -ge 3 ] && ok "lab1 forwarded every login to lab2 (add, verify, remove)" ||
	bad "lab1 forwarded every login to lab2 (add, verify, remove)" "$(hops) forwards; $(tail -3 "$LAB_HOST_1_LOG")"
login "$K/deploy" && ok "the new key logs in on lab2" || bad "the new key logs in on lab2"
login "$T/old_key" && bad "the old key no longer logs in on lab2" || ok "the old key no longer logs in on lab2"
wait_for 5 eval '[ "$(fwds)" = 0 ]' && ok "no forward left running" || bad "no forward left running" "$(pgrep -af -- -L)"

lab_stop_host 1
rotate
tmux_wait_for "FAILED" 25 && ok "lab1 down: the rotation fails" || bad "lab1 down: the rotation fails" "$(tmux_show)"
tmux_has "lab1" && ok "and says lab1" || bad "and says lab1" "$(tmux_show)"
tmux_send Enter
login "$K/deploy" && ok "the key in use still logs in on lab2" || bad "the key in use still logs in on lab2"
wait_for 5 eval '[ "$(fwds)" = 0 ]' && ok "no forward left after the failure" || bad "no forward left after the failure"
tmux_send q
check "audit: succeeded, then failed" \
	jq -e -s '[.[].result] == ["confirmed","succeeded","confirmed","failed"]' "$T/state/audit.log"
lab_finish
