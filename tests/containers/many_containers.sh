#!/bin/bash
# many_containers.sh — a host with 120 containers and 43 KiB of inspect each
# (a legitimate ~5 MiB `docker inspect`) is shown whole (issue #13 item 2),
# over the shell/CLI path and over the Engine API path; an answer over the
# per-request cap fails only that host's containers, never its session.
# Not real engines (120 real podman containers are too heavy here):
#   lab1: a fake `docker` CLI first in its PATH that prints `ps -aq` ids and
#         `docker inspect` JSON made from the REAL podman 4.3 recordings in
#         tests/data/containers (tests/containers/many_engine.py make);
#   lab2: a small Engine API server (many_engine.py serve: real HTTP/1.0 on a
#         Unix socket, not dockerd) with the same 120 containers, reached as
#         on a real host: a direct-streamlocal channel of lab2's session per
#         request; lab2's `docker` only records that it ran;
#   lab3: a fake `docker` whose inspect prints ~17 MiB, more than the
#         shell's cap for a container round (128 x 128 KiB + 64 KiB).
# Asserts: --once --json has all 120 of lab1 and of lab2 by name (main before:
# 48, MODEL_MAX_CONTAINERS); under the dashboard, for 3 rounds of each path:
# lab1 and lab2 CTR 0/120, lab3 CTR ? with the reason (its limit), all three
# hosts OK, and one SSH login per host (no session torn down and rebuilt).
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
LAB_NET=86
lab_test_begin many_containers 100
lab_require_root
lab_require_tool tmux python3 curl
ME=$T/me
python3 "$TOP_SRCDIR/tests/containers/many_engine.py" make "$ME" 120 43 ||
	{ bad "120 containers of 43 KiB made"; lab_finish; }
ok "120 containers: docker inspect $(($(wc -c <"$ME/cli.json") / 1024)) KiB, one API inspect $(($(wc -c <"$ME/inspect/$(head -1 "$ME/ids")") / 1024)) KiB"
python3 "$TOP_SRCDIR/tests/containers/many_engine.py" serve "$ME" "$T/api.sock" 2>"$T/api.err" &
lab_bg $!
wait_for 15 curl -sf --max-time 2 --unix-socket "$T/api.sock" http://d/_ping -o /dev/null ||
	{ bad "the API server answers" "$(cat "$T/api.err")"; lab_finish; }

LAB_HOST_BIN=1 lab_up 3
fake_docker() {  # HOST INSPECT-COMMAND
	cat >"$LAB_DIR/hosts/$1/bin/docker" <<EOF
#!/bin/sh
echo "\$1" >>$T/$1.docker
case \$1 in
ps) cat $ME/ids ;;
inspect) $2 ;;
*) exit 1 ;;
esac
EOF
	chmod 755 "$LAB_DIR/hosts/$1/bin/docker"
}
fake_docker lab1 "cat $ME/cli.json"
printf '#!/bin/sh\necho "$0 $*" >>%s\nexit 127\n' "$T/lab2.docker" >"$LAB_DIR/hosts/lab2/bin/docker"
chmod 755 "$LAB_DIR/hosts/lab2/bin/docker"
fake_docker lab3 "cat $ME/cli.json $ME/cli.json $ME/cli.json"
F=$T/many.fleet
# the product's default timeout (5 s, the lab's is 2 s): an API round of
# 120 new containers is 15 waves of 8 inspects, each within its own deadline
sed -e "/^\\[host lab[123]\\]\$/a containers = docker\ngpus = none\ntimeout = $(lab_scaled 5)s" \
	-e "/^\\[host lab2\\]\$/a container_socket = $T/api.sock" "$LAB_FLEET" >"$F"

J=$T/once.json
fd_run 60 "$J" --once --json -c "$F"
echo "   fleetdeck --once --json: exit $FD_RC after ${FD_SECS}s; lab2's API: $(grep -c 'containers/json' "$ME/requests.log") lists, $(grep -c '/json HTTP' "$ME/requests.log") inspects"
json_valid "$J" || { bad "one JSON document" "$(head -c 1500 "$J")" "$(tail -c 800 "$J.err")"; lab_finish; }
want=$(for i in $(seq 1 120); do printf '"ctr-%03d",' "$i"; done)
for h in lab1 lab2; do
	json_check "$J" "$h: all 120 containers, by name" \
		"[.hosts[] | select(.name == \$h) | .containers[].name] | sort == [${want%,}]" --arg h "$h"
done
[ ! -e "$T/lab2.docker" ] && ok "lab2: by the API (no docker CLI ran)" || bad "lab2: by the API (no docker CLI ran)" "$(cat "$T/lab2.docker")"
json_check "$J" "lab3: no containers read, an alert on containers/lab3 says its limit" \
	'([.hosts[] | select(.name == "lab3") | .containers | length] == [0]) and
	 ([.alerts[] | select(.target == "containers/lab3" and (.message | test("more than [0-9]+ KiB for one request")))] | length == 1)'
json_check "$J" "lab1 and lab2: every container inspected (a name, not an id; state created)" \
	'[.hosts[] | select(.name == "lab1" or .name == "lab2") | .containers[] | select(.state != "created" or (.name | test("^ctr-") | not))] | length == 0'
json_check "$J" "no other alert about lab3, none about lab1's or lab2's engine" \
	'[.alerts[] | select((.target | test("lab3")) or .code == "engine")] | length == 1'

# the dashboard: one session per host, whatever the sizes
logins() { grep -c "Accepted publickey" "$1" 2>/dev/null || true; }
l1=$(logins "$LAB_HOST_1_LOG") l2=$(logins "$LAB_HOST_2_LOG") l3=$(logins "$LAB_HOST_3_LOG")
: >"$T/lab1.docker"; : >"$T/lab3.docker"; : >"$ME/requests.log"
ctr() { tmux_capture | grep -E "\b$1\b" | grep -qE "(^| )$2( |\$)"; }
fd_tmux ui 160 30 -- -c "$F"
# 3 rounds of each way: CLI inspects (5 s period) and API lists
rounds() { [ "$(grep -c '^inspect' "$T/lab1.docker")" -ge 3 ] && [ "$(grep -c '^inspect' "$T/lab3.docker")" -ge 3 ] &&
	[ "$(grep -c 'containers/json' "$ME/requests.log")" -ge 3 ]; }
wait_for 60 rounds && ok "3 rounds of each (lab1 $(grep -c '^inspect' "$T/lab1.docker") CLI, lab2 $(grep -c 'containers/json' "$ME/requests.log") API lists, $(grep -c '/json HTTP' "$ME/requests.log") API requests)" ||
	bad "3 rounds of each" "$(tmux_show)"
for h in lab1 lab2; do
	wait_for 10 ctr "$h" 0/120 && ok "$h: CTR 0/120" || bad "$h: CTR 0/120" "$(tmux_show)"
done
wait_for 10 ctr lab3 '\?' && ok "lab3: CTR ?" || bad "lab3: CTR ?" "$(tmux_show)"
for h in lab1 lab2 lab3; do
	tmux_capture | grep -E "\b$h\b" | grep -qE '^ *OK ' && ok "$h itself OK" || bad "$h itself OK" "$(tmux_show)"
done
tmux_send 3
why='more than [0-9]+ KiB for one request'
# read once the RAM view is drawn: the overview's alerts may carry it too
wait_for 10 eval 'tmux_has "RAM by container" && tmux_capture | grep -qE "$why"' && ok "lab3's reason: $(tmux_capture | grep -oE "$why" | head -1) ..." ||
	bad "lab3's reason on the RAM view" "$(tmux_show)"
for n in 1 2 3; do
	was=$(eval echo "\$l$n") log=$(eval echo "\$LAB_HOST_${n}_LOG")
	[ "$(logins "$log")" = $((was + 1)) ] && ok "lab$n: one login for the whole run (its session never rebuilt)" ||
		bad "lab$n: one login for the whole run" "$(($(logins "$log") - was)) logins" "$(grep -E 'Accepted|Disconnect|closed' "$log" | tail -6)"
done
fd_alive "$FD_PID" && tmux_send q
wait_for 5 tmux_has "EXITED:0" && ok "q quits" || bad "q quits" "$(tmux_show)"
lab_finish
