#!/usr/bin/env python3
"""A synthetic fleet of node_exporter hosts, with planted problems.

This is a STAND-IN for N real node_exporters (one machine cannot run
100,000 of them): it writes the series fleetdeck reads, named and labelled
as prometheus-node-exporter 1.5 exposes them (node_load1, node_cpu_seconds_total
{cpu,mode}, node_memory_*_bytes, node_pressure_memory_*_seconds_total,
node_vmstat_oom_kill, node_boot_time_seconds, node_filesystem_*_bytes
{device,fstype,mountpoint}, node_uname_info{release,...}) plus `up`, for
hosts named host-000001:9100 ... in the Prometheus text format.

  synth_fleet.py import N [--plant SPEC] [--job node]
      two samples of every series, 120 s apart and ending now (timestamps in
      ms), for VictoriaMetrics' /api/v1/import/prometheus: query it with a
      rate_window of 10m, within 5 minutes
  synth_fleet.py serve N PORT [--plant SPEC] [--addr 127.0.0.1]
      an HTTP /metrics endpoint for Prometheus with honor_labels: every
      host's series carry their own instance label; counters advance with
      the wall clock, so rate() sees the planted pressure
  synth_fleet.py expect N [--plant SPEC]
      the statuses fleetdeck must find, as JSON: {"ok": n, "warn": n,
      "crit": n, "unknown": n, "problems": {"host": "status", ...},
      "planted": {"down": n, ...}}

SPEC (default "down=3,diskcrit=4,diskwarn=5,psicrit=2,psiwarn=3,oom=2,nofs=1,
nearfull=2,oomreset=2")
says how many hosts get each problem; they are spread over the fleet by a
fixed stride so the result does not depend on a random seed:
  down      up == 0 (and no other series: the scrape failed)     crit
  diskcrit  / 97 % used                                           crit
  diskwarn  / 92 % used                                           warn
  psicrit   memory PSI some 55 %                                  crit
  psiwarn   memory PSI some 20 %                                  warn
  oom       an OOM kill between the two samples (serve: 12 s in)  crit
  nofs      no node_filesystem series at all                      unknown
  nearfull  / 89 % used: avail / size is under 1/9 (2 % reserved)  ok
  oomreset  the OOM counter back to 0 (a reboot), no kill          ok
The last two are ok hosts that a cheap superset of the disk and OOM checks
(fleetdeck's prefilters: avail / size, the counter's variance) still
lists: a server-side judgement must rule them out.
Thresholds are fleetdeck's defaults (PSI 10/40, disk 90/95).
"""
import json
import sys
import time

KINDS = ["down", "diskcrit", "diskwarn", "psicrit", "psiwarn", "oom", "nofs", "nearfull",
         "oomreset"]
STATUS = {"down": "crit", "diskcrit": "crit", "diskwarn": "warn", "psicrit": "crit",
          "psiwarn": "warn", "oom": "crit", "nofs": "unknown",
          "nearfull": "ok", "oomreset": "ok"}
DEFAULT_PLANT = "down=3,diskcrit=4,diskwarn=5,psicrit=2,psiwarn=3,oom=2,nofs=1,nearfull=2,oomreset=2"
GIB = 1 << 30
OOM_AT = 12   # seconds after start the planted OOM kills happen (serve)
JOB = "node"  # the job label (--job)


def name(i):
    return "host-%06d:9100" % i


def plant(n, spec):
    """host index -> problem kind."""
    counts = {}
    for part in filter(None, spec.split(",")):
        k, v = part.split("=")
        if k not in KINDS:
            sys.exit("unknown problem kind %s (one of %s)" % (k, ", ".join(KINDS)))
        counts[k] = int(v)
    total = sum(counts.values())
    if total > n:
        sys.exit("more planted problems than hosts")
    stride = max(1, n // (total + 1))
    planted, pos = {}, stride // 2 + 1
    for k in KINDS:
        for _ in range(counts.get(k, 0)):
            planted[pos] = k
            pos += stride
    return planted


def host_lines(i, kind, t, t0):
    """(name, labels, value) of host i's series at wall time t (seconds);
    counters are their value since t0."""
    inst = name(i)
    base = 'instance="%s",job="%s"' % (inst, JOB)
    if kind == "down":
        return [("up", base, 0)]
    dt = t - t0
    late = dt >= min(OOM_AT, 30)
    reset = kind == "oomreset" and late   # rebooted at OOM_AT: counters from 0
    psi = {"psicrit": 0.55, "psiwarn": 0.20}.get(kind, 0.001)
    # df's percentage: used / (used + avail), 2 % reserved for root
    pct = {"diskcrit": 0.97, "diskwarn": 0.92, "nearfull": 0.89}.get(kind, 0.40 + (i % 37) / 100.0)
    size = 100 * GIB
    free = size * (1 - pct * 0.98)
    out = [
        ("up", base, 1),
        ("node_uname_info", base + ',domainname="(none)",machine="x86_64",nodename="%s",'
         'release="6.1.0-18-amd64",sysname="Linux",version="#1 SMP"' % inst.split(":")[0], 1),
        ("node_load1", base, 0.5 + (i % 7) / 10.0),
        ("node_load5", base, 0.4),
        ("node_load15", base, 0.3),
        ("node_memory_MemTotal_bytes", base, 16 * GIB),
        ("node_memory_MemAvailable_bytes", base, 8 * GIB + (i % 100) * (1 << 20)),
        ("node_memory_SwapTotal_bytes", base, 2 * GIB),
        ("node_memory_SwapFree_bytes", base, 2 * GIB),
        ("node_pressure_memory_waiting_seconds_total", base, 1000 + psi * dt),
        ("node_pressure_memory_stalled_seconds_total", base, 500 + psi / 2 * dt),
        ("node_boot_time_seconds", base, t0 + OOM_AT if reset else t0 - 86400),
        # the kill happens between the two imported samples, or 12 s after
        # the exporter started (two scrapes after, at 5 s)
        ("node_vmstat_oom_kill", base, 0 if reset else 3 + (1 if kind == "oom" and late else 0)),
    ]
    for cpu in (0, 1):
        out.append(("node_cpu_seconds_total", base + ',cpu="%d",mode="idle"' % cpu,
                    100000 + 0.8 * dt))
    if kind != "nofs":
        fs = base + ',device="/dev/vda1",fstype="ext4",mountpoint="/"'
        out += [("node_filesystem_size_bytes", fs, size),
                ("node_filesystem_free_bytes", fs, free),
                ("node_filesystem_avail_bytes", fs, free - size * 0.02)]
    return out


def fmt(v):
    return ("%d" % v) if float(v).is_integer() else ("%.6f" % v)


def cmd_import(n, spec):
    planted = plant(n, spec)
    now = time.time()
    t0 = now - 120
    w = sys.stdout.write
    for t in (t0, now):
        ms = int(t * 1000)
        for i in range(1, n + 1):
            for metric, labels, v in host_lines(i, planted.get(i), t, t0):
                w("%s{%s} %s %d\n" % (metric, labels, fmt(v), ms))


def cmd_expect(n, spec):
    planted = plant(n, spec)
    counts = {"ok": 0, "warn": 0, "crit": 0, "unknown": 0}
    problems = {}
    for i in range(1, n + 1):
        st = STATUS.get(planted.get(i), "ok")
        counts[st] += 1
        if st != "ok":
            problems[name(i)] = st
    counts["problems"] = problems
    counts["planted"] = {k: sum(1 for v in planted.values() if v == k) for k in KINDS}
    json.dump(counts, sys.stdout, sort_keys=True)
    sys.stdout.write("\n")


def cmd_serve(n, port, spec, addr):
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    planted = plant(n, spec)
    t0 = time.time()

    class H(BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path != "/metrics":
                self.send_error(404)
                return
            t = time.time()
            parts = []
            for i in range(1, n + 1):
                for metric, labels, v in host_lines(i, planted.get(i), t, t0):
                    parts.append("%s{%s} %s\n" % (metric, labels, fmt(v)))
            body = "".join(parts).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; version=0.0.4")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *a):
            pass

    ThreadingHTTPServer((addr, port), H).serve_forever()


def main():
    a = sys.argv[1:]
    spec, addr = DEFAULT_PLANT, "127.0.0.1"
    if "--plant" in a:
        k = a.index("--plant")
        spec = a[k + 1]
        del a[k:k + 2]
    if "--job" in a:
        global JOB
        k = a.index("--job")
        JOB = a[k + 1]
        del a[k:k + 2]
    if "--addr" in a:
        k = a.index("--addr")
        addr = a[k + 1]
        del a[k:k + 2]
    if len(a) < 2:
        sys.exit(__doc__)
    n = int(a[1])
    if a[0] == "import":
        cmd_import(n, spec)
    elif a[0] == "expect":
        cmd_expect(n, spec)
    elif a[0] == "serve" and len(a) == 3:
        cmd_serve(n, int(a[2]), spec, addr)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
