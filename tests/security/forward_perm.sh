#!/bin/bash
# forward_perm.sh — issue #12 item 3: forwards are not open to other local
# users. A [database] with `tunnel = lab1` makes the collector forward a
# local endpoint through lab1's SSH session to a TCP service (a listener
# standing in for PostgreSQL on 127.0.98.10); a [key] pg-apikey on a
# database with `tunnel = lab1` has its age read by a worker through an
# action tunnel (src/provider/sshcmd.c: an `ssh -N -L` child of fleetdeck,
# the same code a pg-apikey rotation uses). Every socket fleetdeck and its
# ssh children listen on is found with ss(8); what a reviewer checks:
#   - none is a TCP/UDP port: each is a Unix socket in one directory of
#     ours, mode 0700, the socket itself not open to group/others;
#   - as the owner each carries a connection to its service through lab1;
#     as user `nobody` (runuser) none can be connected to (EACCES);
#   - the key reader's forward is up while its read runs and is gone (ssh
#     child ended, socket removed) once the read ended; the directory is
#     gone when fleetdeck quits.
# The key's stand-in database holds the reader's libpq connection until the
# test releases it, so the read (and its forward) lasts exactly as long as
# the test needs, whatever the machine's load: no timing window.
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
# test), holds a client that speaks first (libpq) silent until
# $T/release exists, then closes it
python3 -c "
import os, socket, threading, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('$SVC', $((SPORT + 1)))); s.listen(64)
def serve(c):
    c.settimeout(1)
    try:
        c.recv(64)
        while not os.path.exists('$T/release'):
            time.sleep(0.1)
    except socket.timeout:
        c.sendall(b'STANDIN2\\n')
    c.close()
while True:
    c, _ = s.accept(); threading.Thread(target=serve, args=(c,), daemon=True).start()
" 2>"$T/svc2.err" &
lab_bg $!
# the key's read may wait for its database as long as the test needs
# (timeout), and runs once (interval)
cat >>"$LAB_FLEET" <<EOF

[database stand-in]
dsn = host=$SVC port=$SPORT dbname=x user=x connect_timeout=3
tunnel = lab1
interval = 2s

[database key-db]
dsn = host=$SVC port=$((SPORT + 1)) dbname=x user=x
tunnel = lab1

[key stand-in-key]
provider = pg-apikey
database = key-db
table = api_keys
key_prefix = x_
timeout = 10m
interval = 1h
EOF
sed -i '/^\[host lab1\]/a containers = none\ngpus = none' "$LAB_FLEET"
# the key is read once, at start: its database must be listening by then
wait_for 10 eval '_lab_tcp_open $SVC $SPORT && _lab_tcp_open $SVC $((SPORT + 1))' ||
	bad "the stand-in databases listen"
fd_tmux ui 140 34 -- -c "$LAB_FLEET" --view databases
# "PID COMM NETID LOCAL" of every listening socket of fleetdeck and its ssh
# children (the action tunnels)
ours() {
	local p
	for p in $FD_PID $(pgrep -P "$FD_PID" -x ssh); do
		ss -lnpH 2>/dev/null | grep "pid=$p," | awk -v p="$p" '{
			c = $0; sub(/.*users:\(\("/, "", c); sub(/".*/, "", c); print p, c, $1, $5 }'
	done
}
# the collector's two forwards (fleetdeck's own sockets) and the key
# reader's (an ssh child's), all at one moment
wait_for 30 eval '[ "$(ours | awk '\''$2 == "fleetdeck" && $3 == "u_str"'\'' | wc -l)" -ge 2 ] &&
	ours | awk '\''$2 == "ssh"'\'' | grep -q .' ||
	bad "fleetdeck listens for its two database tunnels and the key reader's ssh child for its own" \
		"$(ours)" "$(pgrep -af ssh)"
ours >"$T/listen.txt"
echo "fleetdeck and its ssh children listen on:"; sed 's/^/   /' "$T/listen.txt"
read -r APID _ _ APATH < <(awk '$2 == "ssh"' "$T/listen.txt")
[ -n "$APATH" ] && ok "the key reader's forward is up while its read runs (ssh pid $APID: $APATH)" ||
	bad "the key reader's forward is up while its read runs" "$(cat "$T/listen.txt")"
awk '$3 != "u_str"' "$T/listen.txt" >"$T/notunix.txt"
[ -s "$T/listen.txt" ] && [ ! -s "$T/notunix.txt" ] &&
	ok "every forward is a Unix socket ($(wc -l <"$T/listen.txt"))" ||
	bad "every forward is a Unix socket (no TCP/UDP port)" "$(cat "$T/listen.txt")"
try() {   # USER PATH: prints what a connect gives
	runuser -u "$1" -- python3 -c "
import socket, sys
try:
    s = socket.socket(socket.AF_UNIX); s.settimeout(15); s.connect(sys.argv[1])
    print('CONNECTED', s.recv(64).decode(errors='replace').strip())
except Exception as e:
    print('REFUSED', type(e).__name__)
" "$2" 2>&1
}
DIR=$(dirname "$(awk 'NR == 1 { print $4 }' "$T/listen.txt")")
[ "$(stat -c '%a %u' "$DIR")" = "700 $(id -u)" ] && ok "their directory $DIR is 0700 and ours" ||
	bad "their directory $DIR is 0700 and ours" "$(stat -c '%a %U' "$DIR")"
got1=0 got2=0
while read -r pid comm _ path; do
	[ "$(dirname "$path")" = "$DIR" ] && [ "$(( 0$(stat -c %a "$path") & 077 ))" = 0 ] &&
		ok "$comm's $path: in that directory, not open to group/others" ||
		bad "$comm's $path: in that directory, not open to group/others" "$(ls -ld "$path")"
	r=$(try root "$path")
	case $comm:$r in
	fleetdeck:CONNECTED*STANDIN2*) got2=1 ;;
	fleetdeck:CONNECTED*STANDIN*) got1=1 ;;
	ssh:CONNECTED*STANDIN2*) ok "as the owner the key reader's forward reaches the key's database through lab1" ;;
	*) bad "as the owner $comm's $path reaches its service through lab1" "$r" ;;
	esac
	o=$(try nobody "$path")
	case $o in
	"REFUSED PermissionError") ok "as nobody: $path cannot be connected to ($o)" ;;
	*) bad "as nobody: $path cannot be connected to (permission denied)" "$o" ;;
	esac
done <"$T/listen.txt"
[ "$got1" = 1 ] && [ "$got2" = 1 ] && ok "as the owner the collector's forwards reach both databases through lab1" ||
	bad "as the owner the collector's forwards reach both databases through lab1" "$(cat "$T/listen.txt")"
# the read ends (its database closes the connection): its forward goes
touch "$T/release"
wait_for 20 eval '! fd_alive "$APID" && [ ! -e "$APATH" ]' &&
	ok "once the read ended its forward is gone (ssh child ended, socket removed)" ||
	bad "once the read ended its forward is gone (ssh child ended, socket removed)" \
		"$(ps -o pid,stat,args -p "${APID:-1}")" "$(ls -l "$APATH" 2>&1)"
tmux_send q
tmux_wait_for "EXITED:0" 10 || bad "q quits" "$(tmux_show)"
[ ! -e "$DIR" ] && ok "the sockets' directory is removed on exit" ||
	bad "the sockets' directory is removed on exit" "$(ls -la "$DIR")"
lab_finish
