#!/bin/bash
# engine_socket.sh — a host's container engine socket is removed under a
# running dashboard, then comes back (issue #13). A real Podman API service
# (podman system service, tests/containers/podman-setup.sh) with two created
# containers, served on two sockets by two services on the same storage:
# lab1's (container_socket = the first) and lab2's (the second); the hosts'
# containers = auto, the default. Over SSH each host reads its socket on a
# direct-streamlocal channel; when it is gone, the CLI (podman --remote on
# the same socket) is tried, as on a real host.
#   - socket removed (the service stopped and its socket deleted, as when
#     the engine stops): lab1's containers are marked (CTR "?") with a
#     reason that names the engine, lab1 itself stays OK, lab2 and its
#     containers are unaffected, the dashboard keeps drawing;
#   - the socket comes back (the service started again): lab1's containers
#     are listed again by themselves, in the same fleetdeck process.
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
. "$TOP_SRCDIR/tests/containers/podman-setup.sh"
LAB_NET=79
lab_test_begin engine_socket 100
lab_require_root
lab_require_tool tmux grep
pm_setup "$T/pm" || { bad "podman set up"; lab_finish; }
pm_create web1 --memory 256m || { bad "podman create web1"; lab_finish; }
pm_create tf-worker --memory 128m || { bad "podman create tf-worker"; lab_finish; }
S1=$T/pm/lab1.sock S2=$T/pm/lab2.sock
# service SOCK: a podman API service on SOCK (registered for cleanup); its pid in SVC
service() {
	"$PM_DIR/bin/podman" system service --time=0 "unix://$1" >>"$PM_DIR/service.log" 2>&1 9>&- &
	SVC=$!
	lab_bg "$SVC"
	wait_for 10 curl -sf --max-time 2 --unix-socket "$1" http://d/_ping -o /dev/null ||
		{ bad "podman API service on $1" "$(tail -c 500 "$PM_DIR/service.log")"; lab_finish; }
}
service "$S1"; SVC1=$SVC
service "$S2"
ok "podman: 2 containers, one API service on $S1 (lab1's), one on $S2 (lab2's)"

lab_up 2
F=$T/engine.fleet
sed -e "/^\[host lab1\]\$/a container_socket = $S1" -e "/^\[host lab2\]\$/a container_socket = $S2" \
	-e '/^\[host lab[12]\]$/a gpus = none' "$LAB_FLEET" >"$F"

ctr() { tmux_capture | grep -E "\b$1\b" | grep -qE "(^| )$2( |\$)"; }   # overview: HOST's row has CTR
host_ok() { tmux_capture | grep -E "\b$1\b" | grep -qE '^ *OK '; }
clock() { tmux_capture | head -1; }

fd_tmux ui 160 30 -- -c "$F"
for h in lab1 lab2; do
	wait_for 20 ctr "$h" 0/2 && ok "$h: its 2 containers listed (CTR 0/2)" || bad "$h: its 2 containers listed" "$(tmux_show)"
	host_ok "$h" && ok "$h OK" || bad "$h OK" "$(tmux_show)"
done
pid0=$FD_PID

# the engine of lab1 stops: its service ends and the socket is deleted
kill "$SVC1"
wait "$SVC1" 2>/dev/null
rm -f "$S1"
t0=$(now)
wait_for 20 ctr lab1 '\?' && ok "lab1's containers marked unknown (CTR ?) after $(fsub "$(now)" "$t0") s" ||
	bad "lab1's containers marked unknown (CTR ?)" "$(tmux_show)"
host_ok lab1 && ok "lab1 itself stays OK" || bad "lab1 itself stays OK" "$(tmux_show)"
ctr lab2 0/2 && host_ok lab2 && ok "lab2 and its containers unaffected" || bad "lab2 and its containers unaffected" "$(tmux_show)"
c1=$(clock)
wait_for 5 eval '[ "$(clock)" != "$c1" ]' && ok "the dashboard keeps drawing" || bad "the dashboard keeps drawing" "$(tmux_show)"
# the RAM view says why, on lab1's lines only
tmux_send 3
# the overview's alerts name lab1's two containers: count only once the RAM
# view is drawn
tmux_wait_for "RAM by container" 10 || bad "3 shows the RAM view" "$(tmux_show)"
why='engine.*(Cannot connect|no socket|No such file|not running|went away|lab1\.sock)'
wait_for 10 eval 'tmux_capture | grep -qiE "$why"' &&
	ok "the reason: $(tmux_capture | grep -iE "$why" | head -1 | sed 's/  */ /g')" ||
	bad "the RAM view says why lab1's containers are not read" "$(tmux_show)"
[ "$(tmux_capture | grep -ciE "$why")" = 1 ] && ok "said once (lab1's), nothing about lab2" ||
	bad "said once (lab1's), nothing about lab2" "$(tmux_show)"
tmux_send 1

# the engine comes back on the same socket
service "$S1"
t0=$(now)
wait_for 40 ctr lab1 0/2 && ok "lab1's containers listed again by themselves after $(fsub "$(now)" "$t0") s" ||
	bad "lab1's containers listed again by themselves" "$(tmux_show)"
host_ok lab1 && ctr lab2 0/2 && ok "lab1 OK, lab2 still 0/2" || bad "lab1 OK, lab2 still 0/2" "$(tmux_show)"
[ "$FD_PID" = "$pid0" ] && fd_alive "$FD_PID" && ok "the same fleetdeck (pid $FD_PID), not restarted" ||
	bad "the same fleetdeck, not restarted" "was $pid0, now $FD_PID"
tmux_send q
wait_for 5 tmux_has "EXITED:0" && ok "q quits" || bad "q quits" "$(tmux_show)"
lab_finish
