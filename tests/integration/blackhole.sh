#!/bin/bash
# blackhole.sh — a host whose packets vanish (SYNs dropped in a private
# network namespace) costs only its own timeout: it is reported unreachable
# with "timed out", and the three healthy hosts' samples are not delayed.
#
# No absolute time limit (issue #13): the same --once round of the three
# healthy hosts alone is measured first, in this run, on this machine under
# its present load (the baseline B: when the slowest of them was sampled).
# dark's timeout is then set well above it (3 B + 2 s), and with dark in the
# fleet the healthy hosts must be sampled within 2 B + 1 s — before dark's
# timeout could have let them go.
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
LAB_NET=14
lab_test_begin blackhole
lab_up 3
sed -i '/^\[host lab[123]\]/a containers = none\ngpus = none' "$LAB_FLEET"

# when the slowest healthy host was sampled, seconds after t0: slowest T0 FILE
slowest() {
	jq -r --arg t0 "$1" '[.hosts[] | select(.name != "dark") | ((.sampled_at // 1e9) - ($t0 | tonumber))] | max | . * 1000 | round / 1000' "$2"
}

t0=$(now)
fd_run 30 "$T/base.json" --once --json -c "$LAB_FLEET"
json_valid "$T/base.json" || { bad "the baseline round is JSON" "$(head -c 1500 "$T/base.json.err")"; lab_finish; }
B=$(slowest "$t0" "$T/base.json")
X=$(awk -v b="$B" 'BEGIN { x = 3 * b + 2; printf "%d\n", x == int(x) ? x : int(x) + 1 }')
LIMIT=$(awk -v b="$B" 'BEGIN { printf "%.3f\n", 2 * b + 1 }')
echo "baseline: 3 healthy hosts alone, the slowest sampled ${B}s after the start (took ${FD_SECS}s)"

lab_blackhole BH
lab_fleet_add_host dark "$LAB_USER@$BH:22" "timeout=${X}s" containers=none gpus=none
echo "host 'dark' at $BH:22 is blackholed (namespace $(tail -n 1 "$LAB_DIR/netns")); its timeout ${X}s (3 B + 2)"

t0=$(now)
fd_run $((X + 30)) "$T/out.json" --once --json -c "$LAB_FLEET"
echo "fleetdeck --once --json: exit $FD_RC after ${FD_SECS}s"
[ "$FD_RC" = 0 ] && ok "--once --json exits 0" ||
	bad "--once --json exits 0" "exit $FD_RC" "$(head -c 1500 "$T/out.json.err")"
END=$(awk -v x="$X" -v b="$B" 'BEGIN { printf "%.3f\n", x + 2 * b + 2 }')
flt "$FD_SECS" "$END" && ok "the run ends soon after dark's ${X}s timeout (${FD_SECS}s < X + 2 B + 2 = ${END}s)" ||
	bad "the run ends soon after dark's ${X}s timeout" "took ${FD_SECS}s, more than X + 2 B + 2 = ${END}s"
F=$T/out.json
json_valid "$F" || { bad "stdout is JSON" "$(head -c 1500 "$F")"; lab_finish; }
json_check "$F" 'dark is unreachable' '.hosts[] | select(.name == "dark") | .reachable == false'
json_check "$F" 'dark is crit' '.hosts[] | select(.name == "dark") | .status == "crit"'
json_check "$F" 'dark: a problem says "timed out"' \
	'.hosts[] | select(.name == "dark") | any(.problems[]; ascii_downcase | contains("timed out"))'
json_check "$F" 'lab1..lab3 reachable' '[.hosts[] | select(.name != "dark") | select(.reachable == true)] | length == 3'
D=$(slowest "$t0" "$F")
echo "   with dark: the slowest healthy host sampled ${D}s after the start (baseline ${B}s)"
flt "$D" "$LIMIT" && ok "lab1..lab3 not held up by dark: sampled within 2 B + 1 = ${LIMIT}s (${D}s), before its ${X}s timeout" ||
	bad "lab1..lab3 not held up by dark" "the slowest was sampled ${D}s after the start, more than 2 B + 1 = ${LIMIT}s (baseline ${B}s)"
lab_finish
