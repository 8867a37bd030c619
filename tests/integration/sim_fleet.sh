#!/bin/bash
# sim_fleet.sh — 60 simulated SSH hosts (tests/lab/sim: asyncssh, a real
# handshake, host key and pubkey auth; canned /proc answers), ten times the
# handshake cap of 6: --once reaches every one of them, never more than 6
# setups in flight, with true-looking numbers (memory, CPU % from deltas).
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
lab_test_begin sim_fleet 100
export SIM_NET=78
/usr/bin/python3 -c 'import asyncssh' 2>/dev/null || lab_skip "needs python3-asyncssh"
S=$T/sim
"$TOP_SRCDIR/tests/lab/sim" up 60 "$S" 1 || { bad "the simulator started"; lab_finish; }
trap '"$TOP_SRCDIR/tests/lab/sim" down "$S"; _lab_cleanup' EXIT
sed -i 's/^timeout = 5s$/timeout = 5s\nmax_handshakes = 6/' "$S/lab.fleet"
FLEETDECK_STATS=$T/stats.json fd_run 90 "$T/out.json" --once --json -c "$S/lab.fleet"
json_check "$T/out.json" 'all 60 simulated hosts reached with max_handshakes = 6' \
	'[.hosts[] | select(.reachable == true)] | length == 60'
json_check "$T/out.json" 'with memory and CPU numbers' \
	'all(.hosts[]; (.mem_total | type) == "number" and (.cpu_pct | type) == "number")'
m=$(jq -r .max_in_flight "$T/stats.json" 2>/dev/null)
if [ -n "$m" ] && [ "$m" -ge 1 ] && [ "$m" -le 6 ]; then ok "at most 6 setups in flight ($m)"; else bad "at most 6 setups in flight" "$(cat "$T/stats.json" 2>&1)"; fi
echo "   --once over 60 simulated hosts: ${FD_SECS}s"
lab_finish
