#!/bin/bash
# kex_timeout.sh — an sshd that sends its banner and KEXINIT and then never
# answers the key exchange (an overloaded sshd, a link that went dark in the
# middle): the host is unreachable with "key exchange timed out", and
# nothing of the abandoned session is left behind. libssh2 1.10 does not
# free a key exchange's own blocks (its curve25519 key pair) when the
# session is freed before the exchange ended; fleetdeck frees what libssh2
# left (collect/ssh.c ssh_mem_*). Under --enable-sanitizers LeakSanitizer
# reports every such block at exit and tests/sanitized fails the test
# (a dashboard lost 64 bytes at every key exchange that timed out, and
# exited 1 after a q during one: tests/replicas/cocotte.sh under load).
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
LAB_NET=16
lab_test_begin kex_timeout 60
lab_require_tool python3 ss jq
addr=127.0.$LAB_NET.1
port=$(lab_free_port 22000)
cat >"$T/stall.py" <<'PY'
import os, socket, struct, sys
def string(b): return struct.pack(">I", len(b)) + b
def packet(payload):
    pad = 8 - (len(payload) + 5) % 8
    pad += 8 if pad < 4 else 0
    return struct.pack(">IB", len(payload) + pad + 1, pad) + payload + b"\0" * pad
names = [b"curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,diffie-hellman-group14-sha256",
         b"ssh-ed25519,ecdsa-sha2-nistp256,rsa-sha2-256", b"aes128-ctr", b"aes128-ctr",
         b"hmac-sha2-256", b"hmac-sha2-256", b"none", b"none", b"", b""]
kexinit = bytes([20]) + os.urandom(16) + b"".join(string(n) for n in names) + b"\0" + b"\0" * 4
ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind((sys.argv[1], int(sys.argv[2])))
ls.listen(16)
held = []
while True:
    c, _ = ls.accept()
    c.sendall(b"SSH-2.0-OpenSSH_9.2 stalled\r\n" + packet(kexinit))
    held.append(c)   # read nothing, answer nothing: the key exchange waits
PY
python3 "$T/stall.py" "$addr" "$port" 2>"$T/stall.err" &
lab_bg $!
listening() { [ -n "$(ss -Hltn "src $addr and sport = :$port" 2>/dev/null)" ]; }
wait_for 10 listening || bad "the stalling sshd listens on $addr:$port" "$(cat "$T/stall.err")"

printf '[fleet stall]\ninterval = 1s\ntimeout = 2s\nknown_hosts = %s\n\n[host stalled]\nssh = nobody@%s:%s\ncontainers = none\ngpus = none\n' \
	"$T/known_hosts" "$addr" "$port" >"$T/stall.fleet"
: >"$T/known_hosts"
fd_run 40 "$T/once.json" --once --json -c "$T/stall.fleet"
json_check "$T/once.json" "a key exchange that never ends: the host unreachable, 'key exchange timed out'" \
	'.hosts[0] | .reachable == false and (.problems | tostring | test("key exchange timed out"))'
lab_finish
