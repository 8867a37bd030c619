#!/bin/bash
# handshake_cap.sh — the connection scheduler ([fleet] max_handshakes):
#  1. a fleet larger than the cap reaches every host, never more than the cap
#     set up at once (FLEETDECK_STATS counts the most in flight);
#  2. queue time is not a timeout: a blackholed host first in line holds the
#     only slot for its whole TCP-connect deadline, so every other host waits
#     longer than its own timeout in the queue and must still connect;
#  3. a reconnect storm (every session on every host killed at once, as in a
#     network blip) stays under the cap and every host comes back.
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
LAB_NET=23
lab_test_begin handshake_cap 170
lab_require_tool tmux
lab_up 8

# fleet file with the lab's hosts behind an optional first host and a cap
make_fleet() {  # OUT CAP TIMEOUT [FIRST-HOST-SSH]
	{
		printf '[fleet cap]\nknown_hosts = %s\ninterval = 1s\ntimeout = %s\nmax_handshakes = %s\n' \
			"$LAB_KNOWN_HOSTS" "$3" "$2"
		[ -n "${4-}" ] && printf '\n[host hole]\nssh = %s\nidentity_file = %s\n' "$4" "$LAB_IDENTITY"
		sed -n '/^\[host /,$p' "$LAB_FLEET"
	} >"$1"
	sed -i 's/^\(\[host .*\]\)$/\1\ncontainers = none\ngpus = none/' "$1"
}
stat_of() { jq -r ".$2" "$1" 2>/dev/null; }

# 1. 8 hosts, 2 at a time
make_fleet "$T/cap2.fleet" 2 5s
FLEETDECK_STATS=$T/stats1.json fd_run 60 "$T/cap2.json" --once --json -c "$T/cap2.fleet"
json_check "$T/cap2.json" 'every one of 8 hosts reached with max_handshakes = 2' \
	'[.hosts[] | select(.reachable == true)] | length == 8'
m=$(stat_of "$T/stats1.json" max_in_flight)
if [ -n "$m" ] && [ "$m" -ge 1 ] && [ "$m" -le 2 ]; then
	ok "at most 2 setups in flight (most seen: $m)"
else
	bad "at most 2 setups in flight" "stats: $(cat "$T/stats1.json" 2>&1)"
fi

# 2. a blackholed host holds the one slot for its whole 2 s connect deadline
lab_blackhole HOLE
make_fleet "$T/hole.fleet" 1 2s "root@$HOLE:22"
FLEETDECK_STATS=$T/stats2.json fd_run 60 "$T/hole.json" --once --json -c "$T/hole.fleet"
json_check "$T/hole.json" 'the blackholed host fails in its TCP-connect phase' \
	'.hosts[] | select(.name == "hole") | .reachable == false and (.problems | tostring | test("TCP connect timed out after 2 s"))'
json_check "$T/hole.json" 'all 8 hosts queued behind it (longer than their 2 s timeout) still connect' \
	'[.hosts[] | select(.name != "hole" and .reachable == true)] | length == 8'
if flt 2 "$FD_SECS"; then ok "the run took ${FD_SECS}s: the queue outlasted the timeout"; else bad "the run took longer than the 2 s timeout (${FD_SECS}s)"; fi
m=$(stat_of "$T/stats2.json" max_in_flight)
[ "$m" = 1 ] && ok "one setup at a time" || bad "one setup at a time" "stats: $(cat "$T/stats2.json" 2>&1)"

# 3. reconnect storm under the dashboard, cap 3
make_fleet "$T/storm.fleet" 3 5s
fd_tmux storm 150 40 FLEETDECK_STATS="$T/stats3.json" -- -c "$T/storm.fleet"
all_ready() { [ "$(stat_of "$T/stats3.json" ready)" = 8 ]; }
if wait_for 30 all_ready; then ok "dashboard: all 8 connected"; else bad "dashboard: all 8 connected" "$(cat "$T/stats3.json" 2>&1)" "$(tmux_show)"; lab_finish; fi
before=$(stat_of "$T/stats3.json" setups_ok)
# every session of every host dies at once; the listeners stay up. Each of
# the 8 hosts must show its session (sshd's children) first: killing none
# would test nothing.
find_sessions() {
	local i s n=0
	sessions=
	for i in $(seq 1 8); do
		s=$(_lab_descendants "$(cat "$LAB_DIR/hosts/lab$i/sshd.pid")")
		[ -n "$s" ] && n=$((n + 1))
		sessions="$sessions $s"
	done
	[ "$n" = 8 ]
}
wait_for 10 find_sessions || bad "each of the 8 hosts has a session to kill" \
	"sessions: '$sessions'" "$(ps -e -o pid,ppid,args 2>&1 | grep -F "$LAB_DIR" | head -40)"
kill -KILL $sessions 2>/dev/null
echo "   killed $(echo $sessions | wc -w) session processes"
back() { all_ready && [ "$(stat_of "$T/stats3.json" setups_ok)" -ge $((before + 8)) ]; }
if wait_for 40 back; then ok "all 8 reconnected after the storm"; else bad "all 8 reconnected after the storm" "$(cat "$T/stats3.json")" "$(tmux_show)"; fi
m=$(stat_of "$T/stats3.json" max_in_flight)
if [ -n "$m" ] && [ "$m" -le 3 ] && [ "$m" -ge 1 ]; then ok "the storm stayed under the cap (most in flight: $m of 3)"; else bad "the storm stayed under the cap of 3" "$(cat "$T/stats3.json")"; fi
tmux_send q
lab_finish
