#!/usr/bin/env python3
"""exporter_standin.py ADDR PORT FILE: serves FILE at /metrics in the
Prometheus text format (0.0.4), as an exporter that cannot run here would
(cAdvisor needs a container runtime's cgroups, the DCGM exporter an NVIDIA
GPU). FILE holds recorded-format samples, metric names and labels as the
vendor publishes them; RATE(x) in it becomes x * the seconds since start,
so a counter grows at x per second and rate() has something to measure.
Loopback only; stops on SIGTERM."""
import http.server
import re
import sys
import time

ADDR, PORT, FILE = sys.argv[1], int(sys.argv[2]), sys.argv[3]
START = time.monotonic()


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path.split("?")[0] != "/metrics":
            self.send_error(404)
            return
        t = time.monotonic() - START
        with open(FILE, encoding="utf-8") as f:
            text = f.read()
        text = re.sub(r"RATE\(([0-9.]+)\)",
                      lambda m: "%.3f" % (float(m.group(1)) * (1000 + t)), text)
        body = text.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


http.server.HTTPServer((ADDR, PORT), Handler).serve_forever()
