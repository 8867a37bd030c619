#!/bin/bash
# blackhole.sh — a host whose packets vanish (SYNs dropped in a private
# network namespace) costs only its own timeout: it is reported unreachable
# with "timed out", and the three healthy hosts' samples are not delayed.
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
LAB_NET=14
lab_test_begin blackhole
lab_up 3
# baseline, same run: how long after its start the 3 hosts are sampled
# without the blackholed one
b0=$(now)
fd_run 30 "$T/base.json" --once --json -c "$LAB_FLEET"
base=$(jq -r --arg t0 "$b0" '[.hosts[].sampled_at // 1e12] | max - ($t0 | tonumber)' "$T/base.json" 2>/dev/null)
lab_blackhole BH
lab_fleet_add_host dark "$LAB_USER@$BH:22"
echo "host 'dark' at $BH:22 is blackholed (namespace $(tail -n 1 "$LAB_DIR/netns")); fleet timeout 2s"

t0=$(now)
fd_run 30 "$T/out.json" --once --json -c "$LAB_FLEET"
echo "fleetdeck --once --json: exit $FD_RC after ${FD_SECS}s"
[ "$FD_RC" = 0 ] && ok "--once --json exits 0" ||
	bad "--once --json exits 0" "exit $FD_RC" "$(head -c 1500 "$T/out.json.err")"
flt "$FD_SECS" 8 && ok "the run ends soon after the 2s timeout (${FD_SECS}s < 8s)" ||
	bad "the run ends soon after the 2s timeout" "took ${FD_SECS}s"
F=$T/out.json
json_valid "$F" || { bad "stdout is JSON" "$(head -c 1500 "$F")"; lab_finish; }
json_check "$F" 'dark is unreachable' '.hosts[] | select(.name == "dark") | .reachable == false'
json_check "$F" 'dark is crit' '.hosts[] | select(.name == "dark") | .status == "crit"'
json_check "$F" 'dark: a problem says "timed out"' \
	'.hosts[] | select(.name == "dark") | any(.problems[]; ascii_downcase | contains("timed out"))'
json_check "$F" 'lab1..lab3 reachable' '[.hosts[] | select(.name != "dark") | select(.reachable == true)] | length == 3'
json_check "$F" "lab1..lab3 sampled no later than without dark (baseline ${base}s) + 1s: not held up by it" \
	'[.hosts[] | select(.name != "dark") | select((.sampled_at | type) == "number" and .sampled_at - ($t0 | tonumber) < ($base | tonumber) + 1)] | length == 3' \
	--arg t0 "$t0" --arg base "$base"
echo "   sampled_at - start: $(jq -r --arg t0 "$t0" '[.hosts[] | select(.name != "dark") | "\(.name)=\((.sampled_at // 0) - ($t0|tonumber) | . * 1000 | round / 1000)s"] | join(" ")' "$F" 2>/dev/null)"
lab_finish
