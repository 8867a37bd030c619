#!/usr/bin/env python3
"""many_engine.py — a host with many containers, for tests/containers/many_containers.sh.

  many_engine.py make DIR N KIB
      writes, from the REAL podman 4.3 answers in tests/data/containers
      (podman-4.3-list.json, podman-4.3-inspect-web1.json), N containers
      ctr-001..ctr-N whose inspect objects are each about KIB KiB (the
      size comes from Config.Labels, as a compose project's labels and a
      long Env make it on real hosts):
        DIR/list.json      GET /containers/json?all=1's answer
        DIR/inspect/ID     GET /containers/ID/json's answer, one per container
        DIR/ids            `docker ps -aq --no-trunc`'s output
        DIR/cli.json       `docker inspect ID...`'s output (an array of all)
  many_engine.py serve DIR SOCKET
      a small Docker Engine API server: real HTTP/1.0 on a Unix socket,
      answering those two GETs (any /vX.Y/ prefix) from DIR; it is NOT
      dockerd or podman: only what fleetdeck's API path asks is answered.
"""
import copy
import hashlib
import json
import os
import re
import socketserver
import sys
from http.server import BaseHTTPRequestHandler

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "containers")


def make(out, n, kib):
    with open(os.path.join(DATA, "podman-4.3-list.json")) as f:
        list_tmpl = json.load(f)[0]
    with open(os.path.join(DATA, "podman-4.3-inspect-web1.json")) as f:
        insp_tmpl = json.load(f)
    os.makedirs(os.path.join(out, "inspect"), exist_ok=True)
    entries, objs = [], []
    for k in range(1, n + 1):
        name = "ctr-%03d" % k
        cid = hashlib.sha256(name.encode()).hexdigest()
        e = copy.deepcopy(list_tmpl)
        e["Id"], e["Names"] = cid, ["/" + name]
        entries.append(e)
        o = copy.deepcopy(insp_tmpl)
        o["Id"], o["Name"] = cid, "/" + name
        o["Config"]["Hostname"] = cid[:12]
        base = len(json.dumps(o))
        one = len(json.dumps({"com.example.%s.setting-0000" % name: "v" * 200})) - 1
        o["Config"]["Labels"] = {"com.example.%s.setting-%04d" % (name, j): "v" * 200
                                 for j in range(max(0, (kib * 1024 - base) // one))}
        objs.append(o)
        with open(os.path.join(out, "inspect", cid), "w") as f:
            json.dump(o, f)
    with open(os.path.join(out, "list.json"), "w") as f:
        json.dump(entries, f)
    with open(os.path.join(out, "ids"), "w") as f:
        f.write("".join(e["Id"] + "\n" for e in entries))
    with open(os.path.join(out, "cli.json"), "w") as f:
        json.dump(objs, f, indent=4)   # the CLI indents, as docker inspect does


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_message(self, fmt, *args):
        with open(os.path.join(self.server.dir, "requests.log"), "a") as f:
            f.write("%s\n" % self.requestline)

    def do_GET(self):
        path = re.sub(r"^/v[0-9.]+", "", self.path)
        if path.startswith("/_ping"):
            body = b"OK"
        elif re.match(r"^/containers/json(\?|$)", path):
            with open(os.path.join(self.server.dir, "list.json"), "rb") as f:
                body = f.read()
        else:
            m = re.match(r"^/containers/([0-9a-f]{64})/json$", path)
            p = m and os.path.join(self.server.dir, "inspect", m.group(1))
            if not p or not os.path.exists(p):
                self.send_error(404)
                return
            with open(p, "rb") as f:
                body = f.read()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True
    # dockerd and podman (Go) listen with the kernel's somaxconn (4096):
    # Python's default of 5 would refuse the 6th of 120 connections at once
    # (a Unix socket's connect does not wait: EAGAIN)
    request_queue_size = 4096

    def get_request(self):
        # BaseHTTPRequestHandler wants a client address it can print
        sock, _ = super().get_request()
        return sock, ("unix", 0)


def serve(d, sock):
    if os.path.exists(sock):
        os.unlink(sock)
    srv = Server(sock, Handler)
    srv.dir = d
    os.chmod(sock, 0o666)
    srv.serve_forever()


if __name__ == "__main__":
    if sys.argv[1:2] == ["make"] and len(sys.argv) == 5:
        make(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    elif sys.argv[1:2] == ["serve"] and len(sys.argv) == 4:
        serve(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
