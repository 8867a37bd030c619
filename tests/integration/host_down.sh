#!/bin/bash
# host_down.sh — one of five lab sshds stopped: that host is unreachable and
# crit with a problem text, the other four are unaffected, and --check says
# CRITICAL with exit code 2.
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
LAB_NET=12
lab_test_begin host_down
lab_up 5
# the same run with every host up: the baseline of the timing check below
fd_run 30 "$T/base.json" --once --json -c "$LAB_FLEET"
B=$FD_SECS
lab_stop_host 3
echo "stopped lab3 ($LAB_HOST_3_ADDR:$LAB_HOST_3_PORT)"

fd_run 30 "$T/out.json" --once --json -c "$LAB_FLEET"
echo "fleetdeck --once --json: exit $FD_RC after ${FD_SECS}s"
[ "$FD_RC" = 0 ] && ok "--once --json exits 0 (a down host is data, not a failure)" ||
	bad "--once --json exits 0" "exit $FD_RC" "stderr: $(head -c 1500 "$T/out.json.err")"
json_valid "$T/out.json" || { bad "stdout is JSON" "$(head -c 1500 "$T/out.json")"; lab_finish; }

F=$T/out.json
json_check "$F" 'lab3 reachable: false' '.hosts[] | select(.name == "lab3") | .reachable == false'
json_check "$F" 'lab3 status crit' '.hosts[] | select(.name == "lab3") | .status == "crit"'
json_check "$F" 'lab3 has a problem text' \
	'.hosts[] | select(.name == "lab3") | (.problems | length) >= 1 and all(.problems[]; type == "string" and length > 3)'
echo "   lab3 problem: $(host_field "$F" lab3 '.problems | join(" / ")')"
json_check "$F" 'the 4 others are reachable' \
	'[.hosts[] | select(.name != "lab3") | select(.reachable == true)] | length == 4'
json_check "$F" 'the 4 others are ok (not crit/unknown)' \
	'[.hosts[] | select(.name != "lab3") | select(.status | IN("ok","warn"))] | length == 4'
json_check "$F" 'fleet status is crit' '.status == "crit"'
json_check "$F" 'an alert for host/lab3 (crit)' 'any(.alerts[]; .target == "host/lab3" and .severity == "crit")'
json_check "$F" 'and only that one: no containers/GPU alerts piled on a dead host' \
	'[.alerts[] | select(.target | test("lab3"))] | length == 1'
LIM=$(lab_time_limit 0 "$B")
flt "$FD_SECS" "$LIM" && ok "a refused connection costs no timeout (run took ${FD_SECS}s < 2 B + 1 = ${LIM}s, B = ${B}s all up)" ||
	bad "a refused connection costs no timeout" "run took ${FD_SECS}s, limit ${LIM}s (B = ${B}s all up)"

fd_run 30 "$T/check.txt" --check -c "$LAB_FLEET"
[ "$FD_RC" = 2 ] && ok "--check exits 2" || bad "--check exits 2" "exit $FD_RC" "$(head -n 3 "$T/check.txt")"
grep -q "CRITICAL" "$T/check.txt" && ok "--check says CRITICAL" ||
	bad "--check says CRITICAL" "$(head -n 3 "$T/check.txt")" "$(head -c 500 "$T/check.txt.err")"
lab_finish
