#!/bin/bash
# replicas/orbisvoice.sh — the live replica of data/orbisvoice.fleet
# (tests/lab/up --fleet orbisvoice): three hosts, three HTTPS services
# (certificates of the replica's CA), PostgreSQL with sslmode=require, the
# links, the Gemini key through the team's admin command (a stand-in), and
# daily dumps whose newest is 3 days old: the seed's planted problem, a
# breached RPO. Nothing else is wrong, nothing is unknown.
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
LAB_NET=34
lab_test_begin replica_orbisvoice 150
. "$TOP_SRCDIR/tests/lab/replica.sh"
lab_require_tool python3 openssl runuser
replica_test_up orbisvoice

fd_run 40 "$T/once.json" -c "$REPLICA_FLEET" --once --json
replica_check "$T/once.json" orbisvoice "backup/orbis.db-daily=rpo"
json_check "$T/once.json" "the 3-day-old dump breaches its 26h RPO (crit), and is the only alert" \
	'(.backups[0] | .status == "crit" and .age_s > 3 * 86400 - 600 and .age_s < 3 * 86400 + 600)
	 and ([.alerts[].target] == ["backup/orbis.db-daily"])'
json_check "$T/once.json" "the three HTTPS services answer 200 with 90 days of certificate left" \
	'[.services[] | .http_status == 200 and .cert_days_left >= 89] == [true, true, true]'
json_check "$T/once.json" "orbis.db answers over TLS (sslmode=require)" '.databases[0].up == true'
json_check "$T/once.json" "the Gemini key is 30 days old (the admin command's answer)" \
	'.keys[0] | .age_s > 29.9 * 86400 and .age_s < 30.1 * 86400 and .status == "ok"'
lab_finish
