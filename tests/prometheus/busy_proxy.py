#!/usr/bin/env python3
"""busy_proxy.py ADDR PORT UPSTREAM NEEDLE LOG [UNTIL] — a STAND-IN for a
busy query API in front of a real one: every request is passed to UPSTREAM
(a real VictoriaMetrics, http://host:port) and its answer returned, except
the first /api/v1/query whose PromQL contains NEEDLE:
  - without UNTIL, it is answered HTTP 503 with the text VictoriaMetrics
    1.79 sends when its -search.maxConcurrentRequests slots stay full for
    -search.maxQueueDuration ("couldn't start executing the request in ...
    seconds, since -search.maxConcurrentRequests=... concurrent requests
    are executed");
  - with UNTIL, the upstream's answer is held back until a query whose
    PromQL contains UNTIL has been asked (at most 30 s): a slow query.
Each query is logged to LOG, one line each: "ask PROMQL" when it comes,
then "503 PROMQL" or "200 PROMQL" (the upstream's status) when answered,
and "release PROMQL" before a held answer is sent; any other API request
as "get PATH" when it comes (e.g. "get /api/v1/label/instance/values").
Prints "ready" once listening."""
import http.server
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request

ADDR, PORT, UPSTREAM, NEEDLE, LOG = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
UNTIL = sys.argv[6] if len(sys.argv) > 6 else None
lock = threading.Lock()
state = {"refused": False}
until_asked = threading.Event()


def log(status, promql):
    with lock, open(LOG, "a") as f:
        f.write("%s %s\n" % (status, promql.replace("\n", " ")))


class Proxy(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def handle_any(self, body):
        url = urllib.parse.urlsplit(self.path)
        args = urllib.parse.parse_qs(url.query)
        if body:
            args.update(urllib.parse.parse_qs(body.decode()))
        promql = args.get("query", [""])[0]
        refuse = hold = False
        if url.path != "/api/v1/query":
            log("get", url.path)
        if url.path == "/api/v1/query":
            log("ask", promql)
            if UNTIL and UNTIL in promql:
                until_asked.set()
            with lock:
                first = NEEDLE in promql and not state["refused"]
                state["refused"] = state["refused"] or first
            hold, refuse = first and UNTIL is not None, first and UNTIL is None
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
        if hold:
            until_asked.wait(30)
            log("release", promql)
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
