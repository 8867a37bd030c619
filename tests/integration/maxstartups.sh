#!/bin/bash
# maxstartups.sh — 24 fleet hosts that are all the same sshd, which runs with
# OpenSSH's default MaxStartups 10:30:100 (it starts refusing new
# unauthenticated connections past 10): fleetdeck sets up at most 8 at once
# per address, so every one of them connects, none is refused.
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
LAB_NET=19
lab_test_begin maxstartups 58
lab_up 1

# lab1's sshd back to OpenSSH's defaults for MaxStartups and MaxSessions
sed -i 's/-o MaxStartups=[^ ]* -o MaxSessions=[^ ]* //' "$LAB_DIR/hosts/lab1/start"
grep -q MaxStartups "$LAB_DIR/hosts/lab1/start" && { bad "MaxStartups removed from the lab host"; lab_finish; }
lab_start_host 1

F=$T/many.fleet
printf '[fleet many]\nknown_hosts = %s\ninterval = 1s\ntimeout = 10s\n' "$LAB_KNOWN_HOSTS" >"$F"
for i in $(seq 1 24); do
	printf '\n[host same%02d]\nssh = %s@%s:%s\nidentity_file = %s\ncontainers = none\ngpus = none\n' \
		"$i" "$LAB_USER" "$LAB_HOST_1_ADDR" "$LAB_HOST_1_PORT" "$LAB_DIR/id_ed25519" >>"$F"
done
fd_run 50 "$T/many.json" --once --json -c "$F"
json_valid "$T/many.json" || { bad "stdout is JSON" "$(head -c 800 "$T/many.json.err")"; lab_finish; }
json_check "$T/many.json" 'all 24 connections to one default-configured sshd succeed' \
	'[.hosts[] | select(.reachable == true)] | length == 24'
echo "   $(jq -r '[.hosts[] | select(.reachable != true) | .problems[0]] | unique | join(" / ")' "$T/many.json")"
lab_finish
