#!/bin/bash
# replicas/toolcall.sh — the live replica of data/toolcall.fleet
# (tests/lab/up --fleet toolcall): tc-1 with its health endpoint and hourly
# SQLite dumps, tc-backup with the off-host copies, the rsync link between
# them. Every section of the seed has live data; nothing is unknown.
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
LAB_NET=32
lab_test_begin replica_toolcall 120
. "$TOP_SRCDIR/tests/lab/replica.sh"
lab_require_tool python3 gzip
replica_test_up toolcall

fd_run 40 "$T/once.json" -c "$REPLICA_FLEET" --once --json
replica_check "$T/once.json" toolcall
json_check "$T/once.json" "the hourly dump is 40 minutes old (rpo 2h), the off-host copy 5 hours (rpo 26h)" \
	'([.backups[] | {(.name): (.status == "ok" and .size > 0)}] | add == {"toolcall.sqlite-hourly": true, "toolcall.sqlite-offsite": true})
	 and (.backups[] | select(.name == "toolcall.sqlite-hourly") | .age_s > 2300 and .age_s < 2900)
	 and (.backups[] | select(.name == "toolcall.sqlite-offsite") | .age_s > 17900 and .age_s < 18500)'
json_check "$T/once.json" "everything is ok" '.status == "ok"'
lab_finish
