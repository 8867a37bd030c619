#!/bin/bash
# quit_inflight.sh — fleetdeck quits while every kind of work is in flight
# (issue #13; doc/reliability.md "Quitting"): an ssh -G whose Match exec
# hangs, an SSH handshake, a PostgreSQL connect, an HTTP service check and a
# Prometheus request, each to a peer on loopback that accepts and never
# answers. The test waits until each is provably in flight (the peer holds
# an open connection of each kind, the Match exec command has started),
# then quits: q in the dashboard (exit 0, so LeakSanitizer runs too) and
# SIGTERM to --headless (exit 143). Each time fleetdeck ends within a few
# seconds, no process it started survives it (ssh -G, its Match exec
# command, the local shell), and the peer sees every connection closed.
# In a --enable-sanitizers build any ASan/UBSan/LSan report of the teardown
# fails the test (tests/sanitized): CI once failed on an ssh -G job parsed
# after its conn was freed (5c920e8); the Match exec command was left
# running at every quit until dfc141d. No lab hosts: no LAB_NET.
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
lab_test_begin quit_inflight 90
lab_require_tool tmux ssh python3 pgrep

# the peer: N listeners on 127.0.0.1, ports in $T/ports; every accepted
# connection is held; $T/open says "PORT COUNT" of the open ones per port
cat >"$T/peer.py" <<'PY'
import os, select, socket, sys
d, n = sys.argv[1], int(sys.argv[2])
ls = []
for _ in range(n):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(16)
    ls.append(s)
held = {}
def say():
    with open(d + "/open.tmp", "w") as f:
        for s in ls:
            p = s.getsockname()[1]
            f.write("%d %d\n" % (p, sum(1 for c, q in held.items() if q == p)))
    os.replace(d + "/open.tmp", d + "/open")
say()
with open(d + "/ports.tmp", "w") as f:
    f.write(" ".join(str(s.getsockname()[1]) for s in ls) + "\n")
os.replace(d + "/ports.tmp", d + "/ports")
while True:
    r, _, _ = select.select(ls + list(held), [], [], 5)
    for s in r:
        if s in ls:
            c, _ = s.accept()
            held[c] = s.getsockname()[1]
        else:
            try:
                data = s.recv(65536)
            except OSError:
                data = b""
            if not data:
                del held[s]
                s.close()
    say()
PY
python3 "$T/peer.py" "$T" 4 &
lab_bg $!
wait_for 20 test -s "$T/ports" || { bad "the silent peer listens" "$(ls -l "$T")"; lab_finish; }
read -r P_SSH P_HTTP P_PG P_PROM <"$T/ports"

cat >"$T/ssh_config" <<EOF
Match originalhost slowg.invalid exec "echo \$\$ >$T/matchexec.pid; exec sleep 120"
    Port 2
EOF
: >"$T/known_hosts"
cat >"$T/q.fleet" <<EOF
[fleet quit]
interval = 1s
timeout = 60s
ssh_config = $T/ssh_config
known_hosts = $T/known_hosts
audit_log = $T/audit.log

[host me]
ssh = local
containers = none
gpus = none

[host slowg]
ssh = slowg.invalid
containers = none
gpus = none

[host silent]
ssh = nobody@127.0.0.1:$P_SSH
containers = none
gpus = none

[service web]
host = me
check = http://127.0.0.1:$P_HTTP/health

[database db]
dsn = host=127.0.0.1 port=$P_PG dbname=x user=x

[prometheus p]
url = http://127.0.0.1:$P_PROM
match = {job="node"}

[backup slowcmd]
source = command
rpo = 1d
command = echo \$\$ >$T/localcmd.pid; exec sleep 120
EOF

open_on() { awk -v p="$1" '$1 == p { print $2 }' "$T/open"; }
all_in_flight() {
	[ -s "$T/matchexec.pid" ] && fd_alive "$(cat "$T/matchexec.pid")" &&
		[ -s "$T/localcmd.pid" ] && fd_alive "$(cat "$T/localcmd.pid")" && [ "$(open_on "$P_SSH")" -ge 1 ] && [ "$(open_on "$P_HTTP")" -ge 1 ] &&
		[ "$(open_on "$P_PG")" -ge 1 ] && [ "$(open_on "$P_PROM")" -ge 1 ]
}
none_open() {
	[ "$(open_on "$P_SSH")" = 0 ] && [ "$(open_on "$P_HTTP")" = 0 ] &&
		[ "$(open_on "$P_PG")" = 0 ] && [ "$(open_on "$P_PROM")" = 0 ]
}
# every process fleetdeck started, down the tree
descendants() {
	local c
	for c in $(pgrep -P "$1"); do
		echo "$c"
		descendants "$c"
	done
}
gone() {
	local p
	for p in "$@"; do fd_alive "$p" && return 1; done
	return 0
}

# quit_case NAME HOW CODE: the run in flight, then quit (HOW: a key or a
# signal) and judge the end
quit_case() {
	local name=$1 how=$2 code=$3 kids me lc
	wait_for 30 all_in_flight ||
		bad "$name: every request in flight (open: $(tr '\n' ' ' <"$T/open"), Match exec pid '$(cat "$T/matchexec.pid" 2>/dev/null)')" \
			"$(cat "$T/$name.stderr" 2>/dev/null | head -5)"
	me=$(cat "$T/matchexec.pid" 2>/dev/null)
	lc=$(cat "$T/localcmd.pid" 2>/dev/null)
	kids=$(descendants "$FD_PID")
	case $how in
	q) tmux_send q ;;
	*) kill -"$how" "$FD_PID" ;;
	esac
	if wait_for 10 eval '! fd_alive "$FD_PID"'; then
		ok "$name: fleetdeck ends with every request in flight"
	else
		bad "$name: fleetdeck ends with every request in flight" "$(tmux_show 2>/dev/null)"
		kill -KILL "$FD_PID" 2>/dev/null
	fi
	if [ "$how" = q ]; then
		wait_for 3 tmux_has "EXITED:$code" && ok "$name: exit status $code" ||
			bad "$name: exit status $code" "$(tmux_show)"
	fi
	# SIGKILL reaches a process at once: what still runs after a moment
	# was not killed at all
	if [ -n "$me" ] && wait_for 5 gone "$me"; then
		ok "$name: the ssh -G Match exec command ended with fleetdeck"
	else
		bad "$name: the ssh -G Match exec command ended with fleetdeck" "pid '$me' still runs: $(ps -o pid,ppid,args -p "$me" 2>&1 | tail -1)"
		[ -n "$me" ] && kill -KILL "$me" 2>/dev/null
	fi
	# the local host's request runs under timeout, in a process group of
	# its own: killing the local shell alone left it to its deadline
	if [ -n "$lc" ] && wait_for 5 gone "$lc"; then
		ok "$name: the local host's request in flight ended with fleetdeck"
	else
		bad "$name: the local host's request in flight ended with fleetdeck" "pid '$lc' still runs: $(ps -o pid,ppid,pgid,args -p "$lc" 2>&1 | tail -1)"
		[ -n "$lc" ] && kill -KILL "$lc" 2>/dev/null
	fi
	# shellcheck disable=SC2086
	if wait_for 5 gone $kids; then
		ok "$name: no process fleetdeck started outlives it"
	else
		bad "$name: no process fleetdeck started outlives it" "$(ps -o pid,ppid,args -p "$(echo $kids | tr ' ' ,)" 2>&1)"
	fi
	wait_for 5 none_open && ok "$name: every connection to the peer is closed" ||
		bad "$name: every connection to the peer is closed" "$(cat "$T/open")"
	rm -f "$T/matchexec.pid" "$T/localcmd.pid"
}

# 1. the dashboard, q
fd_tmux ui 120 40 NCURSES_GPM_TERMS= -- -c "$T/q.fleet"
quit_case ui q 0
tmux_kill ui

# 2. --headless, SIGTERM (a supervisor stopping it)
# (a recording, not --serve-metrics: no port to share with a neighbour test)
"$FLEETDECK" -c "$T/q.fleet" --headless --record "$T/q.fdr" 2>"$T/headless.stderr" &
FD_PID=$!
lab_bg "$FD_PID"
quit_case headless TERM 143
wait "$FD_PID" 2>/dev/null
rc=$?
[ "$rc" = 143 ] && ok "headless: exit status 143" || bad "headless: exit status 143" "got $rc: $(head -5 "$T/headless.stderr")"
lab_finish
