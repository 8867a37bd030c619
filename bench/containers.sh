#!/bin/bash
# bench/containers.sh — what listing a host's containers costs the HOST, side
# by side in one run (make bench). One real sshd lab host (root, loopback)
# and a real Podman API service (podman system service, the test's private
# storage: tests/containers/podman-setup.sh) with $BENCH_CTR_N (default 10)
# containers; each way polls every second for $BENCH_CTR_SECONDS (default
# 60) s after a 5 s warm-up:
#   fleetdeck          the dashboard (containers over the Engine API on a
#                      direct-streamlocal channel of its one SSH session);
#   fleetdeck before   $FLEETDECK_BEFORE if set (e.g. a build of an older
#                      commit), the same way;
#   podman CLI         what a user would run instead: every second
#                      `ssh HOST 'podman ps -aq --no-trunc | xargs podman inspect'`
#                      (one multiplexed ssh connection: no handshake counted);
#   idle               nothing polls: the host's own floor.
# Host CPU = the lab host's sshd and every process under it (the dashboard's
# session, its sh; the CLI's shells and podman processes, reaped ones too)
# plus the podman service, in clock ticks (utime+stime+cutime+cstime).
# fleetdeck's requests are counted where it writes them (strace of the
# client's sendto() of "GET /v1.41/..."; the host is not traced): lists =
# polls, inspects, requests per poll.
# The sandbox cannot start containers (the OCI runtime may not setrlimit),
# so they are all "created": no cgroup or stats reads in any way.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
export TOP_SRCDIR=$top
: "${FLEETDECK:=$top/src/fleetdeck}"
export FLEETDECK
N=${BENCH_CTR_N:-10}
W=${BENCH_CTR_SECONDS:-60}
LAB_NET=${BENCH_LAB_NET:-29}
# shellcheck source=/dev/null
. "$top/tests/lab/lib.sh"
# shellcheck source=/dev/null
. "$top/tests/containers/podman-setup.sh"
lab_test_begin bench-containers $((4 * W + 400))
lab_require_tool strace tmux podman
hz=$(getconf CLK_TCK)

pm_setup "$T/pm" || exit 1
for i in $(seq 1 "$N"); do pm_create "c$i" --memory 64m || exit 1; done
pm_service || exit 1
svc=$(pgrep -n -f "system service --time=0 unix://$T/pm/podman.sock")
LAB_HOST_BIN=1 lab_up 1
# the CLI way: `podman` on the host is podman itself on the same storage
ln -s "$T/pm/bin/podman" "$LAB_DIR/hosts/lab1/bin/podman"
F=$T/ctr.fleet
sed "s|^\(\[host .*\]\)\$|\1\ncontainers = podman\ngpus = none\ncontainer_socket = $T/pm/podman.sock|" "$LAB_FLEET" >"$F"
listener=$(cat "$LAB_HOST_1_PIDFILE")

# host_ticks: CPU ticks of the lab host (its sshd and everything under it,
# reaped children included) and of the podman service
host_ticks() {
	local p t=0
	for p in "$listener" $(_lab_descendants "$listener") "$svc"; do
		t=$((t + $(awk '{print $14 + $15 + $16 + $17}' "/proc/$p/stat" 2>/dev/null || echo 0)))
	done
	echo "$t"
}
svc_ticks() { awk '{print $14 + $15}' "/proc/$svc/stat"; }
ms_per() { awk -v t="$1" -v n="$2" -v hz="$hz" 'BEGIN { printf "%.2f", n ? 1000 * t / hz / n : 0 }'; }
# above_idle TICKS SECS IDLE_TICKS_PER_S POLLS: ms per poll above the idle floor
above_idle() { awk -v t="$1" -v d="$2" -v i="$3" -v n="$4" -v hz="$hz" 'BEGIN { printf "%.2f", n ? 1000 * (t - i * d) / hz / n : 0 }'; }

echo "fleetdeck containers bench (host cost), $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg) at start; $N containers (created), ${W} s per way, 1 s polls"
fmt='%-17s %6s %6s %8s %13s %13s %17s %13s\n'
printf "$fmt" way polls lists inspects "requests/poll" "host ms/poll" "above idle ms/poll" "svc ms/poll"

# row WAY POLLS LISTS INSPECTS HOST_TICKS SVC_TICKS SECONDS: host = sshd
# tree + podman service; above idle = minus the idle floor over as long
row() {
	local req=-
	[ "$3" != - ] && req=$(awk -v l="$3" -v i="$4" 'BEGIN { printf "%.2f", l ? (l + i) / l : 0 }')
	printf "$fmt" "$1" "$2" "$3" "$4" "$req" "$(ms_per "$5" "$2")" \
		"$(above_idle "$5" "$7" "$idle_rate" "$2")" "$(ms_per "$6" "$2")"
}

# dash NAME BINARY: the dashboard for W s, its requests counted
dash() {
	local h0 h1 s0 s1 t0 t1 lists inspects
	FLEETDECK=$2 fd_tmux "$1" 150 30 -- -c "$F" -i 1s
	wait_for 30 lab_session_sh 1 || { echo "bench: $1: no session on lab1" >&2; return 1; }
	sleep 5
	strace -f -qq -s 100 -e trace=sendto,write -p "$FD_PID" -o "$T/$1.strace" 2>/dev/null &
	local sp=$!
	sleep 1
	h0=$(host_ticks) s0=$(svc_ticks) t0=$(date +%s.%N)
	sleep "$W"
	h1=$(host_ticks) s1=$(svc_ticks) t1=$(date +%s.%N)
	kill -INT "$sp"; wait "$sp" 2>/dev/null
	tmux_kill
	lists=$(grep -c '"GET /v1\.41/containers/json?all=1 ' "$T/$1.strace")
	inspects=$(grep -cE '"GET /v1\.41/containers/[0-9a-f]{64}/json ' "$T/$1.strace")
	row "$1" "$lists" "$lists" "$inspects" $((h1 - h0)) $((s1 - s0)) "$(fsub "$t1" "$t0")"
	# the session ends with the dashboard
	wait_for 20 _no_session
}
_no_session() { ! lab_session_sh 1; }

# idle: nothing polls (the podman service's Go runtime ticks by itself)
h0=$(host_ticks) s0=$(svc_ticks)
sleep "$W"
h1=$(host_ticks) s1=$(svc_ticks)
idle_rate=$(awk -v t=$((h1 - h0)) -v w="$W" 'BEGIN { print t / w }')
printf "$fmt" idle - - - - "$(ms_per $((h1 - h0)) "$W")/s" - "$(ms_per $((s1 - s0)) "$W")/s"

dash fleetdeck "$FLEETDECK"
[ -n "${FLEETDECK_BEFORE:-}" ] && dash "fleetdeck-before" "$FLEETDECK_BEFORE"

# the CLI a user would run, once a second on one multiplexed ssh connection
ssh_o=(-F /dev/null -i "$LAB_IDENTITY" -o UserKnownHostsFile="$LAB_KNOWN_HOSTS" -o StrictHostKeyChecking=yes
	-o BatchMode=yes -o ControlMaster=auto -o ControlPath="$T/cm" -o ControlPersist=120 -p "$(lab_port 1)")
ssh "${ssh_o[@]}" "$LAB_USER@$(lab_addr 1)" true || { echo "bench: ssh to lab1 failed" >&2; exit 1; }
polls=0
h0=$(host_ticks) s0=$(svc_ticks) t0=$(date +%s.%N)
end=$(($(date +%s) + W))
while [ "$(date +%s)" -lt "$end" ]; do
	p0=$(date +%s.%N)
	ssh "${ssh_o[@]}" "$LAB_USER@$(lab_addr 1)" 'podman ps -aq --no-trunc | xargs -r podman inspect >/dev/null' && polls=$((polls + 1))
	sleep "$(awk -v t0="$p0" -v t1="$(date +%s.%N)" 'BEGIN { d = 1 - (t1 - t0); print (d > 0 ? d : 0) }')"
done
h1=$(host_ticks) s1=$(svc_ticks) t1=$(date +%s.%N)
row "podman CLI" "$polls" - - $((h1 - h0)) $((s1 - s0)) "$(fsub "$t1" "$t0")"
ssh "${ssh_o[@]}" -O exit "$LAB_USER@$(lab_addr 1)" 2>/dev/null
exit 0
