#!/bin/bash
# containers_podman.sh — a real Podman engine (podman system service, the
# Docker-compatible API) with three created containers: fleetdeck reads
# names, states, memory limits and flags "no memory limit", through the API
# on its unix socket for an `ssh = local` host, and through the podman CLI
# over SSH on a lab host; services whose container is not running are crit,
# a service whose container does not exist is crit, and a host asked for
# docker without any engine says "no container engine" once.
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
. "$TOP_SRCDIR/tests/containers/podman-setup.sh"
LAB_NET=43
lab_test_begin containers_podman 58
pm_setup "$T/pm" || { bad "podman set up"; lab_finish; }
pm_create web1 --memory 256m || { bad "podman create web1"; lab_finish; }
pm_create nolimit || { bad "podman create nolimit"; lab_finish; }
pm_create tf-worker --memory 128m || { bad "podman create tf-worker"; lab_finish; }
pm_service || { bad "podman API up"; lab_finish; }
ok "podman: 3 containers created, API on $T/pm/podman.sock"

# lab1's sshd puts the test's podman wrapper first in PATH
LAB_SSHD_SETENV="PATH=$T/pm/bin:/usr/local/bin:/usr/bin:/bin" lab_up 1
cat >>"$LAB_FLEET" <<F
ram_reserve = 512M
containers = podman

[host here]
ssh = local
ram_reserve = 512M
container_socket = $T/pm/podman.sock

[host bare]
ssh = local
containers = docker
container_socket = $T/pm/no-such.sock

[service web]
host = here
container = web1

[service web-remote]
host = lab1
container = web1

[service ghost]
host = here
container = ghost
F

F=$T/out.json
pm_once 30 "$LAB_FLEET" "$F"
for h in here lab1; do
	pm_check_three "$F" $h "$([ $h = here ] && echo "API (local socket)" || echo "podman CLI over SSH")"
	json_check "$F" "$h: every state is created" \
		'all(.hosts[] | select(.name == $h) | .containers[]; .state == "created")' --arg h $h
	json_check "$F" "$h: image is localhost/fdbox:latest" \
		'all(.hosts[] | select(.name == $h) | .containers[]; .image == "localhost/fdbox:latest")' --arg h $h
	json_check "$F" "$h: mem_used and cpu_pct of created containers are null (unknown, not 0)" \
		'all(.hosts[] | select(.name == $h) | .containers[]; .mem_used == null and .cpu_pct == null)' --arg h $h
done
json_check "$F" "web1 (service web) not running: crit on both hosts" \
	'[.hosts[] | .containers[] | select(.name == "web1") | .status] == ["crit","crit"]'
json_check "$F" "alert: ghost of service ghost does not exist (crit)" \
	'any(.alerts[]; .target == "containers/here" and .severity == "crit" and (.message | test("ghost.*does not exist")))'
json_check "$F" "bare host: one 'no container engine' alert naming the socket" \
	'[.alerts[] | select(.target == "containers/bare")] | length == 1 and (.[0].message | test("no container engine.*no-such.sock"))'
json_check "$F" "bare host: containers is an empty array" '.hosts[] | select(.name == "bare") | .containers == []'

fd_run 30 "$T/once.txt" --once -c "$LAB_FLEET"
grep -q "nolimit .*none .*no memory limit" "$T/once.txt" && ok "--once text: nolimit, limit none, 'no memory limit'" ||
	bad "--once text: nolimit, limit none, 'no memory limit'" "$(cat "$T/once.txt")"
fd_run 30 "$T/check.txt" --check -c "$LAB_FLEET"
[ "$FD_RC" = 2 ] && ok "--check exits 2 (CRITICAL: containers down)" || bad "--check exits 2" "exit $FD_RC: $(cat "$T/check.txt")"
lab_finish
