#!/usr/bin/python3
"""simssh.py — a SIMULATOR of many SSH hosts in one event-driven process.

Not a host: a real SSH server (asyncssh: key exchange, an ed25519 host key,
public-key authentication against an authorized_keys file) listening on N
address/port pairs, so fleetdeck, ssh(1) and parallel-ssh can be measured
against 1,000 "hosts" on one machine (tests/lab/README.md, make bench).
Nothing is executed: every host answers from /proc files read once at start
(this machine's own, so the numbers are plausible):

  * `exec sh` (fleetdeck's long-lived shell): each request ends with
    fleetdeck's marker line `printf '\\n@@FDEND-TOKEN-SEQ %s\\n' "$?"` (and
    `@@FDERR-TOKEN-SEQ` on stderr after it), or, for its builtins-only
    requests (the probe), `printf '%s\\n@@FDEND-TOKEN-SEQ %s\\n' "$__fdo" "$?"`
    (no stderr marker); a
    request that reads /proc/uptime gets the probe's sections (with @disk
    sections when it runs df), anything else an empty answer, status 0;
  * any other command (ssh HOST CMD, pssh): the canned /proc files, exit 0.

usage: simssh.py --hosts-file FILE --host-key KEY --authorized-keys FILE
       [--log FILE]   where FILE has one "ADDRESS PORT" line per host.
"""
import argparse
import asyncio
import os
import re
import resource
import signal
import sys
import time

import asyncssh

MARK = re.compile(rb"printf '(%s)?\\n@@FDEND-([0-9a-f]+)-([0-9]+) %s\\n' (\"\$__fdo\" )?\"\$\?\"\n")


def read(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return ""


def canned():
    """The probe's answer and the raw files, from this machine's /proc."""
    mem = read("/proc/meminfo").splitlines()
    want = ("MemTotal:", "MemAvailable:", "SwapTotal:", "SwapFree:")
    memlines = [" ".join(l.split()[:2]) for l in mem if l.split()[:1] and l.split()[0] in want]
    stat = read("/proc/stat").splitlines()
    cpu = [l for l in stat if l.startswith("cpu ")]
    cores = ["c" for l in stat if re.match(r"cpu[0-9]", l)]
    btime = [l for l in stat if l.startswith("btime")]
    oom = [l for l in read("/proc/vmstat").splitlines() if l.startswith("oom_kill ")]
    psi = read("/proc/pressure/memory").splitlines()
    st = os.statvfs("/")
    size, avail = st.f_blocks * st.f_frsize // 1024, st.f_bavail * st.f_frsize // 1024
    used = size - st.f_bfree * st.f_frsize // 1024
    head = ["@uptime", read("/proc/uptime").strip(), "@loadavg", read("/proc/loadavg").strip(),
            "@meminfo"] + memlines + ["@psi"] + psi
    slow = ["@stat"] + cpu + cores + btime + ["@vmstat"] + oom + \
        ["@kernel", read("/proc/sys/kernel/osrelease").strip()]
    disk = ["@disk /", "Filesystem 1024-blocks Used Available Capacity Mounted on",
            "/dev/sim %d %d %d %d%% /" % (size, used, avail, 100 * used // max(used + avail, 1))]
    # the cpu line is written per answer (cpu_line), so CPU %% has deltas
    fast = "\n".join(head + ["@stat", "%CPU%", "@end"]) + "\n"
    full = "\n".join(head + [x if not x.startswith("cpu ") else "%CPU%" for x in slow] +
                     disk + ["@end"]) + "\n"
    files = "".join(read(p) for p in ("/proc/uptime", "/proc/loadavg", "/proc/stat",
                                      "/proc/meminfo"))
    return fast.encode(), full.encode(), files.encode()


FAST, FULL, FILES = canned()
T0 = time.monotonic()


def cpu_line():
    """A busy-looking host: 100 ticks a second, a third of them busy."""
    t = int((time.monotonic() - T0) * 100)
    return b"cpu  %d 0 %d %d 0 0 0 0 0 0" % (1000000 + t // 4, 200000 + t // 12, 5000000 + 2 * t // 3)
stats = {"sessions": 0, "requests": 0}


async def shell(process):
    """fleetdeck's long-lived sh: answer each framed request."""
    buf = b""
    stats["sessions"] += 1
    try:
        while True:
            chunk = await process.stdin.read(65536)
            if not chunk:
                break
            buf += chunk
            while True:
                m = MARK.search(buf)
                if not m:
                    break
                req, buf = buf[:m.start()], buf[m.end():]
                stats["requests"] += 1
                if b"/proc/uptime" in req:
                    out = FULL if b"df -P" in req or b"/proc/vmstat" in req else FAST
                else:
                    out = b""
                out = out.replace(b"%CPU%", cpu_line())
                tok, seq = m.group(2), m.group(3)
                process.stdout.write(out + b"\n@@FDEND-" + tok + b"-" + seq + b" 0\n")
                # and the request's stderr end (the printf after the marker's),
                # but for a builtins-only request (its stderr is not kept)
                if not m.group(1):
                    process.stderr.write(b"\n@@FDERR-" + tok + b"-" + seq + b"\n")
    except (asyncssh.Error, ConnectionError, asyncio.CancelledError):
        pass
    finally:
        stats["sessions"] -= 1
    process.exit(0)


async def handle(process):
    cmd = (process.command or "sh").strip()
    if cmd == "sh":
        await shell(process)
        return
    process.stdout.write(FILES)
    process.exit(0)


class Server(asyncssh.SSHServer):
    def connection_lost(self, exc):
        pass


async def listen(addr, port, key, auth):
    """A listener; a port the previous simulator just let go may take a
    moment to be free (its sessions are still closing)."""
    for attempt in range(100):
        try:
            return await asyncssh.create_server(
                Server, addr, port, server_host_keys=[key], authorized_client_keys=auth,
                process_factory=handle, encoding=None, allow_scp=False, sftp_factory=None,
                agent_forwarding=False, x11_forwarding=False, keepalive_interval=0,
                line_editor=False, reuse_address=True)
        except OSError as e:
            if e.errno != 98 or attempt == 99:
                raise
            await asyncio.sleep(0.1)


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hosts-file", required=True)
    ap.add_argument("--host-key", required=True)
    ap.add_argument("--authorized-keys", required=True)
    ap.add_argument("--log")
    a = ap.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    key = asyncssh.read_private_key(a.host_key)
    auth = asyncssh.read_authorized_keys(a.authorized_keys)
    servers = []
    with open(a.hosts_file) as f:
        for line in f:
            addr, port = line.split()
            servers.append(await listen(addr, int(port), key, auth))
    print("simssh: %d hosts listening" % len(servers), flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for s in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(s, stop.set)
    await stop.wait()
    if a.log:
        with open(a.log, "w") as f:
            f.write("%s\n" % stats)


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
