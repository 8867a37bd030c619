#!/usr/bin/env python3
"""A test DNS server on a loopback address (tests/integration/dns.sh).

Names under never.* are never answered (a dead resolver: the client's
getaddrinfo() hangs until its own timeout). The first query for a name under
late.* is dropped too, later ones get an A record: ADDR (a lab host), so a
client that retries a failed lookup gets through. Every query is logged as
one line "NAME TYPE answered|dropped" to LOG, after a first line "ready"
once the socket is bound.
usage: dnsd.py LISTEN-ADDR PORT ANSWER-ADDR LOG
"""
import socket
import struct
import sys

listen, port, answer, log = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind((listen, port))
seen = set()
with open(log, "a") as f:  # the test waits for this line, not a sleep
    f.write("ready\n")


def qname(pkt, off):
    labels = []
    while pkt[off]:
        n = pkt[off]
        labels.append(pkt[off + 1:off + 1 + n].decode("ascii", "replace"))
        off += 1 + n
    return ".".join(labels).lower(), off + 1


while True:
    pkt, peer = sock.recvfrom(512)
    if len(pkt) < 17:
        continue
    name, off = qname(pkt, 12)
    qtype = struct.unpack(">H", pkt[off:off + 2])[0]
    question = pkt[12:off + 4]
    drop = name.startswith("never.") or (name.startswith("late.") and name not in seen)
    seen.add(name)
    with open(log, "a") as f:
        f.write("%s %d %s\n" % (name, qtype, "dropped" if drop else "answered"))
    if drop:
        continue
    # flags: response, recursion available; one question, A answers only
    ans = b""
    if qtype == 1:
        ans = b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 5, 4) + socket.inet_aton(answer)
    hdr = pkt[:2] + struct.pack(">HHHHH", 0x8180, 1, 1 if ans else 0, 0, 0)
    sock.sendto(hdr + question + ans, peer)
