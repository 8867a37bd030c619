#!/bin/bash
# replicas/cocotte.sh — the live replica of data/cocotte.fleet, the
# reference fleet (tests/lab/up --fleet cocotte): black with the API
# containers and the quinn/platform/messenger databases (WAL archived),
# vps-0 behind it (jump) with the HTTPS edge, apricot with two GPUs (the
# nvidia-smi stand-in), model-boss and the restic repository, plum with the
# streaming standby, the four links, the ct-forge runners against the
# DigitalOcean and Forgejo stand-ins, the ops key. Every section is live.
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
LAB_NET=35
lab_test_begin replica_cocotte 170
. "$TOP_SRCDIR/tests/lab/replica.sh"
lab_require_tool podman busybox python3 openssl restic runuser
replica_test_up cocotte

fd_run 40 "$T/once.json" -c "$REPLICA_FLEET" --once --json
replica_check "$T/once.json" cocotte
json_check "$T/once.json" "mac-sync.mirror is a standby in recovery, the others primaries" \
	'[.databases[] | {(.name): .in_recovery}] | add == {"quinn.db": false, "platform.db": false, "messenger.db": false, "mac-sync.mirror": true}'
json_check "$T/once.json" "WAL archived within the last minutes (rpo 15m): ok" \
	'[.backups[] | select(.source == "pg-archiver") | .status == "ok" and .age_s < 300] == [true, true]'
json_check "$T/once.json" "restic: quinn.db's snapshot 5 h old, /etc's 7 h (rpo 26h)" \
	'(.backups[] | select(.name == "quinn.db-nightly") | .age_s > 17900 and .age_s < 18700)
	 and (.backups[] | select(.name == "black-etc") | .age_s > 25100 and .age_s < 25900)'
json_check "$T/once.json" "apricot: the two RTX 4090 of the recording" \
	'.hosts[] | select(.name == "apricot") | [.gpus[].name] == ["NVIDIA GeForce RTX 4090", "NVIDIA GeForce RTX 4090"]'
json_check "$T/once.json" "ct-forge: the DigitalOcean stand-in's droplets (none), min 0 max 6" \
	'.runners[0] | .count == 0 and .min == 0 and .max == 6'
json_check "$T/once.json" "the ops key is 100 days old (of 180)" \
	'.keys[0] | .age_s > 99.9 * 86400 and .age_s < 100.1 * 86400 and .status == "ok"'
json_check "$T/once.json" "the containers' memory limits (1G each)" \
	'[.hosts[] | select(.name == "black") | .containers[] | .mem_limit] == [1073741824, 1073741824]'

# The topology as a user sees it.
fd_tmux topo 160 45 -- -c "$REPLICA_FLEET" --view topology
if tmux_wait_for apricot 15 && tmux_has black && tmux_has vps-0 && tmux_has plum; then
	ok "the topology view draws the four hosts"
else
	bad "the topology view draws the four hosts" "$(tmux_show)"
fi
tmux_send q
wait_for 5 tmux_has EXITED:0 || bad "q quits" "$(tmux_show)"
lab_finish
