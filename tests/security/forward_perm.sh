#!/bin/bash
# forward_perm.sh — issue #12 item 3: forwards are not open to other local
# users. A [database] with `tunnel = lab1` makes the collector forward a
# local endpoint through lab1's SSH session to a TCP service (a listener
# standing in for PostgreSQL on 127.0.98.10). Every socket fleetdeck listens
# on is found with ss(8); as the owner the forward carries a connection to
# the service, as user `nobody` (runuser) nothing of it can be connected to.
# The same for an action's tunnel (src/action/sshcmd.c: an `ssh -N -L`
# child): a [key] pg-apikey on a database with `tunnel = lab1` has its age
# read through one; its stand-in holds libpq's connection so the forward
# stays up while the test looks at the listeners of fleetdeck's ssh children.
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
LAB_NET=98
lab_test_begin forward_perm 58
lab_require_root
lab_require_tool tmux python3 ss runuser
lab_up 1
SVC=127.0.98.10
SPORT=25498
python3 -c "
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('$SVC', $SPORT)); s.listen(16)
while True:
    c, _ = s.accept(); c.sendall(b'STANDIN\n'); c.close()
" 2>"$T/svc.err" &
lab_bg $!
# the key's database: says STANDIN2 to a client that sends nothing (the
# test), holds a client that speaks first (libpq) silent for 40 s
python3 -c "
import socket, threading, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('$SVC', $((SPORT + 1)))); s.listen(16)
def serve(c):
    c.settimeout(1)
    try:
        c.recv(64); time.sleep(40)
    except socket.timeout:
        c.sendall(b'STANDIN2\\n')
    c.close()
while True:
    c, _ = s.accept(); threading.Thread(target=serve, args=(c,), daemon=True).start()
" 2>"$T/svc2.err" &
lab_bg $!
cat >>"$LAB_FLEET" <<EOF

[database stand-in]
dsn = host=$SVC port=$SPORT dbname=x user=x connect_timeout=3
tunnel = lab1
interval = 2s

[database key-db]
dsn = host=$SVC port=$((SPORT + 1)) dbname=x user=x connect_timeout=20
tunnel = lab1

[key stand-in-key]
provider = pg-apikey
database = key-db
table = api_keys
key_prefix = x_
EOF
sed -i '/^\[host lab1\]/a containers = none\ngpus = none' "$LAB_FLEET"
fd_tmux ui 140 34 -- -c "$LAB_FLEET" --view databases
# fleetdeck's own listeners and those of its ssh children (the action's)
ours() {
	local pids="$FD_PID $(pgrep -P "$FD_PID" -x ssh | tr '\n' ' ')" p
	for p in $pids; do ss -lnpH 2>/dev/null | grep "pid=$p,"; done
}
wait_for 15 eval '[ -n "$(ss -lnpH 2>/dev/null | grep "pid=$FD_PID,")" ]' || bad "fleetdeck listens for the tunnel" "$(ss -lnp | grep fleetdeck)"
wait_for 20 eval '[ -n "$(pgrep -P "$FD_PID" -x ssh)" ] && ours | grep -q "\"ssh\""' ||
	bad "the key's action tunnel (an ssh child) is up" "$(pgrep -af ssh)"
sleep 1
ours >"$T/listen.txt"
echo "fleetdeck listens on:"; sed 's/^/   /' "$T/listen.txt"
# every listening endpoint: "tcp HOST:PORT" or "unix PATH"
awk '$1 == "tcp" { print "tcp", $5 } $1 == "u_str" { print "unix", $5 }' "$T/listen.txt" >"$T/ends.txt"
[ -s "$T/ends.txt" ] && ok "the tunnel's listener is found" || bad "the tunnel's listener is found" "$(cat "$T/listen.txt")"
try() {   # USER KIND ADDR: prints what a connect gives
	runuser -u "$1" -- python3 -c "
import socket, sys
kind, addr = sys.argv[1], sys.argv[2]
try:
    if kind == 'unix':
        s = socket.socket(socket.AF_UNIX); s.settimeout(5); s.connect(addr)
    else:
        h, p = addr.rsplit(':', 1); s = socket.create_connection((h.strip('[]'), int(p)), 5)
    print('CONNECTED', s.recv(64).decode(errors='replace').strip())
except Exception as e:
    print('REFUSED', type(e).__name__)
" "$2" "$3" 2>&1
}
owner_ok=0 owner_ok2=0 nunix=0
while read -r kind addr; do
	r=$(try root "$kind" "$addr")
	case $r in CONNECTED*STANDIN2*) owner_ok2=1 ;; CONNECTED*STANDIN*) owner_ok=1 ;; esac
	[ "$kind" = unix ] && nunix=$((nunix + 1))
	o=$(try nobody "$kind" "$addr")
	case $o in
	REFUSED*) ok "as nobody: $kind $addr cannot be connected to ($o)" ;;
	*) bad "as nobody: $kind $addr cannot be connected to" "$o" ;;
	esac
	[ "$kind" = unix ] && { d=$(dirname "$addr"); [ "$(stat -c '%a %U' "$d")" = "700 root" ] &&
		ok "its directory $d is 0700 and ours" || bad "its directory is 0700 and ours" "$(stat -c '%a %U' "$d")"; }
done <"$T/ends.txt"
[ "$owner_ok" = 1 ] && ok "as the owner the collector's forward reaches the service through lab1" ||
	bad "as the owner the collector's forward reaches the service through lab1" "$(cat "$T/ends.txt")"
[ "$owner_ok2" = 1 ] && ok "as the owner the action's forward reaches the key's database through lab1" ||
	bad "as the owner the action's forward reaches the key's database through lab1" "$(cat "$T/ends.txt")"
grep -q '"ssh"' "$T/listen.txt" && ok "the action's forward is one of them" || bad "the action's forward is one of them" "$(cat "$T/listen.txt")"
! grep -q '^tcp' "$T/ends.txt" && [ "$nunix" -ge 3 ] && ok "every forward is a Unix socket ($nunix)" ||
	bad "every forward is a Unix socket" "$(cat "$T/ends.txt")"
tmux_send q
tmux_wait_for "EXITED:0" 5 || bad "q quits" "$(tmux_show)"
[ -z "$(ls -A "$(dirname "$(awk '$1 == "unix" { print $2; exit }' "$T/ends.txt")")" 2>/dev/null)" ] &&
	ok "the socket is removed on exit" || bad "the socket is removed on exit"
lab_finish
