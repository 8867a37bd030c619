#!/usr/bin/env python3
"""Test HTTP(S) server for the service-check tests (loopback only).

  httpd.py ADDR PORT [CERT KEY]

Endpoints: /ok (200 "status: ok"), /slow (200 after 1.5 s), /500,
/hang (never answers within a test), /plain (200 without "ok" in the body).
With CERT and KEY it serves TLS.

HTTPD_ROUTES="PATH=TEXT ... PATH=@FILE" adds routes answering 200 with TEXT
(plus a newline), or with FILE's content (JSON when it ends in .json): the
health paths and metrics endpoints of the lab's replicas of the reference
fleets (tests/lab/replica.sh). Threaded, so a hanging request never
delays the others.
"""
import http.server
import os
import ssl
import sys
import time


ROUTES = dict(r.split("=", 1) for r in os.environ.get("HTTPD_ROUTES", "").split() if "=" in r)


class Handler(http.server.BaseHTTPRequestHandler):
    def reply(self, code, body, ctype="text/plain"):
        data = body.encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path in ROUTES:
            body = ROUTES[self.path]
            if body.startswith("@"):
                with open(body[1:]) as f:
                    data = f.read()
                self.reply(200, data, "application/json" if body.endswith(".json") else "text/plain")
            else:
                self.reply(200, body + "\n")
        elif self.path == "/ok":
            self.reply(200, "status: ok\n")
        elif self.path == "/slow":
            time.sleep(1.5)
            self.reply(200, "status: ok (slow)\n")
        elif self.path == "/500":
            self.reply(500, "internal error\n")
        elif self.path == "/hang":
            time.sleep(120)
        elif self.path == "/plain":
            self.reply(200, "hello\n")
        else:
            self.reply(404, "not found\n")

    def log_message(self, fmt, *args):
        pass


def main():
    addr, port = sys.argv[1], int(sys.argv[2])
    srv = http.server.ThreadingHTTPServer((addr, port), Handler)
    srv.daemon_threads = True
    if len(sys.argv) > 4:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(sys.argv[3], sys.argv[4])
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    print("ready", flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
