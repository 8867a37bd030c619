#!/bin/bash
# replicas/toneforge.sh — the live replica of data/toneforge.fleet
# (tests/lab/up --fleet toneforge): tf-vps as a lab sshd with `docker`
# (the lab's podman) holding toneforge-server (no memory limit: the seed's
# planted problem) and golivebro (768M), both health endpoints, PostgreSQL
# golivebro through the tunnel with the partner API keys (pg-apikey), and
# daily dumps. Every section of the seed has live data; nothing is unknown.
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
LAB_NET=31
lab_test_begin replica_toneforge 170
. "$TOP_SRCDIR/tests/lab/replica.sh"
lab_require_tool podman busybox python3 openssl restic runuser
replica_test_up toneforge

fd_run 40 "$T/once.json" -c "$REPLICA_FLEET" --once --json
replica_check "$T/once.json" toneforge "container/tf-vps/toneforge-server=nolimit"
json_check "$T/once.json" "toneforge-server has no memory limit, golivebro 768M" \
	'[.hosts[0].containers[] | {(.name): .mem_limit}] | add == {"toneforge-server": null, "golivebro": 805306368}'
json_check "$T/once.json" "the newest dump is 3 hours old: ok against 26h" \
	'.backups[0] | .age_s > 10500 and .age_s < 11400 and .status == "ok" and .count == 3'
json_check "$T/once.json" "the partner key is 41 days old (of 90)" \
	'.keys[0] | .age_s > 40.9 * 86400 and .age_s < 41.1 * 86400 and .status == "ok"'

# As a user sees it.
fd_tmux tf 120 32 -- -c "$REPLICA_FLEET"
if tmux_wait_for tf-vps 15; then ok "the dashboard shows tf-vps"; else bad "the dashboard shows tf-vps" "$(tmux_show)"; fi
tmux_send 5
if tmux_wait_for glb-postgres-daily 10; then
	ok "view 5 shows the database and its dumps"
else
	bad "view 5 shows the database and its dumps" "$(tmux_show)"
fi
tmux_send q
wait_for 5 tmux_has EXITED:0 || bad "q quits" "$(tmux_show)"
lab_finish
