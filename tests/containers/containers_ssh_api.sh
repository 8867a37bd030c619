#!/bin/bash
# containers_ssh_api.sh — containers of a host reached over SSH come from the
# Docker Engine API on the host's own socket, on a direct-streamlocal
# channel of the host's session (nothing runs on the host for it): a real
# Podman API service (podman system service) with three created containers.
#   lab1: its sessions' PATH has a `podman` and `docker` that only record
#         that they ran (no engine CLI): the containers are listed all the
#         same, with limits and the "no memory limit" warning, and no CLI
#         ran; under the dashboard (1 s rounds) lab1's session connects to
#         the socket for the rounds (strace: connect() to podman.sock) while
#         its long-lived sh starts no process at all;
#         a steady host costs one list request per round: the traced
#         session writes list requests but no inspect (at most the first
#         round's); a container renamed and one created are inspected at
#         the next round, and only they;
#   lab2: its sshd refuses streams to sockets (AllowStreamLocalForwarding
#         no): the containers come through the podman CLI instead.
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
. "$TOP_SRCDIR/tests/containers/podman-setup.sh"
LAB_NET=28
lab_test_begin containers_ssh_api 100
lab_require_tool strace tmux
pm_setup "$T/pm" || { bad "podman set up"; lab_finish; }
for c in "web1 --memory 256m" nolimit "tf-worker --memory 128m"; do
	# shellcheck disable=SC2086
	pm_create $c || { bad "podman create $c"; lab_finish; }
done
pm_service || { bad "podman API up"; lab_finish; }
ok "podman: 3 containers created, API on $T/pm/podman.sock"

LAB_HOST_BIN=1 lab_up 2
for e in podman docker; do
	printf '#!/bin/sh\necho "$0 $*" >>%s\nexit 127\n' "$T/cli-ran" >"$LAB_DIR/hosts/lab1/bin/$e"
	chmod 755 "$LAB_DIR/hosts/lab1/bin/$e"
done
# lab2's podman reaches the API service as a client (--remote --url)
printf '#!/bin/sh\nexec %s "$@"\n' "$(command -v podman)" >"$LAB_DIR/hosts/lab2/bin/podman"
chmod 755 "$LAB_DIR/hosts/lab2/bin/podman"
lab_stop_host 2
sed -i "s|-o 'SetEnv=|-o AllowStreamLocalForwarding=no -o 'SetEnv=|" "$LAB_DIR/hosts/lab2/start"
lab_start_host 2 || { bad "lab2 restarted without stream forwarding"; lab_finish; }

F=$T/api.fleet
sed "s|^\(\[host .*\]\)\$|\1\ncontainers = podman\ngpus = none\ncontainer_socket = $T/pm/podman.sock\nram_reserve = 512M|" "$LAB_FLEET" >"$F"
J=$T/out.json
pm_once 40 "$F" "$J"
pm_check_three "$J" lab1 "Engine API over SSH, no CLI on the host"
pm_check_three "$J" lab2 "podman CLI: its sshd refuses streams"
[ ! -e "$T/cli-ran" ] && ok "lab1: no engine CLI ran" || bad "lab1: no engine CLI ran" "$(cat "$T/cli-ran")"
grep -q "refused streamlocal" "$LAB_HOST_2_LOG" && ok "lab2's sshd refused the stream (so the CLI listed them)" ||
	bad "lab2's sshd refused the stream" "$(tail -5 "$LAB_HOST_2_LOG")"

# the dashboard, 1 s rounds: lab1's session and its sh traced until the
# session wrote 4 list requests into the engine's socket (4 rounds)
fd_tmux dash 150 30 -- -c "$F" -i 1s
wait_for 30 lab_session_sh 1 || { bad "found the session's sh on lab1" "$(tmux_show)"; lab_finish; }
# past the first (full) probe and containers round: lab1's DISK and CTR
# drawn (a fixed 3 s was not always enough under load: df then ran while
# traced)
first_round() { tmux_cell ' lab1 ' DISK | grep -q '[0-9]%' && tmux_capture | grep -E ' lab1 ' | grep -qE ' [0-9]+/3( |$)'; }
wait_for 30 first_round || bad "lab1's disk and containers are read (the first round is over)" "$(tmux_show)"
lab_session_sh 1
shpid=$LAB_SH_PID session=$LAB_SESSION_PID
# the requests the session wrote into the engine's socket
api_gets() { grep -oE "write\([0-9]+, \"GET /v1\.41/containers/$1 " "$2" | grep -oE '/containers/[^ ]*'; }
traced() { grep -q "^TracerPid:[[:space:]]*[1-9]" "/proc/$session/status"; }
four_lists() { [ "$(api_gets 'json\?all=1' "$T/s.strace" | wc -l)" -ge 4 ]; }
strace -f -qq -s 120 -p "$session" -p "$shpid" -e trace=process,connect,write -o "$T/s.strace" 2>"$T/strace.err" &
spid=$!
wait_for 10 traced || bad "strace attached to lab1's session" "$(cat "$T/strace.err")"
wait_for 30 four_lists
kill -INT "$spid" 2>/dev/null; wait "$spid" 2>/dev/null
conns=$(grep -c 'connect(.*podman\.sock' "$T/s.strace")
lists=$(api_gets 'json\?all=1' "$T/s.strace" | wc -l)
inspects=$(api_gets '[0-9a-f]{64}/json' "$T/s.strace" | wc -l)
# every round re-inspecting would be 3 inspects per list; the trace may
# hold the end of the first round (3)
if [ "$lists" -ge 4 ] && [ "$inspects" -le 3 ]; then
	ok "steady host: $lists list requests and $inspects inspects (containers are not re-inspected every round)"
else
	bad "steady host: one list request per round, no inspect" "lists=$lists inspects=$inspects" "$(grep -m5 'GET /' "$T/s.strace")"
fi
spawns=$(grep -E '^[0-9]+ +(clone|clone3|fork|vfork|execve)\(' "$T/s.strace" | grep -cv "^$session ")
if [ "$conns" -ge "$lists" ] && [ "$conns" -ge 4 ]; then ok "lab1's session connected to the socket $conns times (the API rounds)"; else bad "lab1's session connects to the socket every round" "conns=$conns lists=$lists" "$(head -c 1500 "$T/s.strace")" "$(cat "$T/strace.err")"; fi
[ "$spawns" = 0 ] && ok "lab1's sh started no process meanwhile" ||
	bad "lab1's sh started no process" "$(grep -E '(clone|fork|execve)' "$T/s.strace" | head -5)"
[ ! -e "$T/cli-ran" ] && ok "lab1: still no engine CLI" || bad "lab1: still no engine CLI" "$(cat "$T/cli-ran")"

# a change is seen: one container renamed, one created; the next rounds
# inspect those two and no other
strace -f -qq -s 120 -p "$session" -e trace=write -o "$T/c.strace" 2>>"$T/strace.err" &
spid=$!
wait_for 10 traced || bad "strace attached to lab1's session" "$(cat "$T/strace.err")"
"$PM_DIR/bin/podman" rename nolimit renamed1 >/dev/null 2>"$T/rename.err" || bad "podman rename" "$(cat "$T/rename.err")"
pm_create late1 || bad "podman create late1"
ids_of() { "$PM_DIR/bin/podman" inspect -f '{{.Id}}' "$@"; }
changed=$(ids_of renamed1 late1 | sort | tr '\n' ' ')
steady=$(ids_of web1 tf-worker | sort | tr '\n' ' ')
both_inspected() { [ "$(api_gets '[0-9a-f]{64}/json' "$T/c.strace" | sort -u | wc -l)" -ge 2 ]; }
wait_for 20 both_inspected
kill -INT "$spid" 2>/dev/null; wait "$spid" 2>/dev/null
got=$(api_gets '[0-9a-f]{64}/json' "$T/c.strace" | sed 's|/containers/||; s|/json||' | sort -u | tr '\n' ' ')
[ "$got" = "$changed" ] && ok "renamed1 and late1 inspected at the next round, web1 and tf-worker not" ||
	bad "only the changed containers inspected" "inspected: $got" "changed: $changed" "steady: $steady"
tmux_send q
lab_finish
