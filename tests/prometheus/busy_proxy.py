#!/usr/bin/env python3
"""busy_proxy.py ADDR PORT UPSTREAM NEEDLE LOG — a STAND-IN for a busy query
API in front of a real one: every request is passed to UPSTREAM (a real
VictoriaMetrics, http://host:port) and its answer returned, except the
first /api/v1/query whose PromQL contains NEEDLE: that one is answered
HTTP 503 with the text VictoriaMetrics 1.79 sends when its
-search.maxConcurrentRequests slots stay full for -search.maxQueueDuration
(lib/httpserver + app/vmselect: "couldn't start executing the request in
... seconds, since -search.maxConcurrentRequests=... concurrent requests
are executed"). Each query asked is logged to LOG, one line each:
"503 PROMQL" or "200 PROMQL" (the upstream's status). Prints "ready" once
listening."""
import http.server
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request

ADDR, PORT, UPSTREAM, NEEDLE, LOG = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
lock = threading.Lock()
state = {"refused": False}


def log(status, promql):
    with lock, open(LOG, "a") as f:
        f.write("%d %s\n" % (status, promql.replace("\n", " ")))


class Proxy(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def handle_any(self, body):
        url = urllib.parse.urlsplit(self.path)
        args = urllib.parse.parse_qs(url.query)
        if body:
            args.update(urllib.parse.parse_qs(body.decode()))
        promql = args.get("query", [""])[0]
        if url.path == "/api/v1/query":
            with lock:
                refuse = NEEDLE in promql and not state["refused"]
                state["refused"] = state["refused"] or refuse
            if refuse:
                log(503, promql)
                msg = (b"couldn't start executing the request in 10.000 seconds, since "
                       b"-search.maxConcurrentRequests=4 concurrent requests are executed. "
                       b"Possible solutions: to reduce query load; to add more compute "
                       b"resources to the server; to increase -search.maxQueueDuration; "
                       b"to increase -search.maxQueryDuration; to increase "
                       b"-search.maxConcurrentRequests\n")
                self.send_response(503)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.send_header("Content-Length", str(len(msg)))
                self.end_headers()
                self.wfile.write(msg)
                return
        req = urllib.request.Request(UPSTREAM + self.path, data=body,
                                     method="POST" if body is not None else "GET")
        if body is not None:
            req.add_header("Content-Type", self.headers.get("Content-Type",
                                                            "application/x-www-form-urlencoded"))
        try:
            with urllib.request.urlopen(req, timeout=300) as r:
                status, data, ctype = r.status, r.read(), r.headers.get("Content-Type", "")
        except urllib.error.HTTPError as e:
            status, data, ctype = e.code, e.read(), e.headers.get("Content-Type", "")
        if url.path == "/api/v1/query":
            log(status, promql)
        self.send_response(status)
        self.send_header("Content-Type", ctype or "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self.handle_any(None)

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        self.handle_any(self.rfile.read(n))

    def log_message(self, *a):
        pass


srv = http.server.ThreadingHTTPServer((ADDR, PORT), Proxy)
srv.daemon_threads = True
print("ready", flush=True)
srv.serve_forever()
