# SPDX-License-Identifier: LGPL-2.1-or-later
"""The conformance battery against backends under layers (`vfsd mount -l`),
compared with tmpfs: every check that passes on tmpfs must pass on the
subject.  Shared by passthrough.py and monitor-stats.py; skips cleanly when
the battery (tests/conformance), the `vfsd` command or a backend is not
built here."""
import os
import subprocess
import sys
import tempfile
import time

SRC = os.environ.get("top_srcdir", ".")
BUILD = os.environ.get("top_builddir", ".")
sys.path.insert(0, os.path.join(SRC, "tests", "conformance"))
try:
    import battery  # noqa: E402
except ImportError:
    battery = None


def skip_unless_ready(backend):
    """Exits with a TAP skip when something needed is missing."""
    why = None
    if battery is None:
        why = "the conformance battery is not in this tree"
    elif not os.path.exists(battery.BATTERY) or not os.path.exists(battery.VFSD):
        why = "vfsd-conformance or the vfsd command is not built"
    elif not battery.backend_available(backend):
        why = "the %s backend is not built here" % backend
    elif os.geteuid() != 0:
        why = "comparing with tmpfs needs root"
    if why:
        print("1..0 # SKIP " + why)
        sys.exit(0)


def tmpfs_reference():
    with battery.Tmpfs() as path:
        ref, _ = battery.run_battery(path, echo=False)
    return battery.tap_passes(ref)


class Stack:
    """`vfsd mount -f -o OPTIONS -l LAYER… BACKEND MOUNTPOINT`, served by a
    process of ours, unmounted and reaped on exit."""

    def __init__(self, layers, backend, options="allow_other"):
        self.cmd = [battery.VFSD, "mount", "-f", "-o", options]
        for l in layers:
            self.cmd += ["-l", l]
        self.cmd.append(backend)
        self.path = tempfile.mkdtemp(prefix="stack.")
        self.proc = None
        self.status = None
        self.stderr = ""

    def __enter__(self):
        self.proc = subprocess.Popen(self.cmd + [self.path],
                                     stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 20
        while not battery.mounted(self.path):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.__exit__()
                raise RuntimeError("%s failed: %s" % (" ".join(self.cmd), self.stderr))
            time.sleep(0.02)
        return self.path

    def __exit__(self, *exc):
        if self.proc is not None:
            if battery.mounted(self.path):
                subprocess.run([battery.VFSD, "umount", "-z", self.path])
            try:
                self.status = self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.status = self.proc.wait()
            self.stderr = self.proc.stderr.read()
            self.proc.stderr.close()
            self.proc = None
        for args in (["fusermount3", "-u"], ["fusermount3", "-uz"]):
            if battery.mounted(self.path):
                subprocess.run(args + [self.path])
        if os.path.isdir(self.path):
            os.rmdir(self.path)


def run_compared(name, stack, reference, skip=()):
    """Runs the battery on @stack, prints its TAP compared with tmpfs;
    returns (number of checks, results)."""
    with stack as path:
        results, lines = battery.run_battery(path, list(skip), echo=False)
    lines = [l for l in lines if not l.startswith("1..")]
    demoted = battery.compare_with_tmpfs(name, results, lines, reference)
    battery.log("%d checks pass on tmpfs; %d of them were skipped on %s"
                % (len(reference), demoted, name))
    return len(results), results


def stats_query(mountpoint, request="json"):
    """Asks the stats layer serving @mountpoint, over the socket protocol of
    include/vfsd/stats.h (abstract "@vfsd-stats:MOUNTPOINT")."""
    import hashlib
    import socket
    mp = os.path.join(os.path.realpath(os.path.dirname(mountpoint.rstrip("/"))),
                      os.path.basename(mountpoint.rstrip("/")))
    name = "vfsd-stats:" + mp
    if len(name.encode()) > 100:
        name = "vfsd-stats:sha256:" + hashlib.sha256(mp.encode()).hexdigest()
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(10)
        s.connect("\0" + name)
        s.sendall(request.encode() + b"\n")
        chunks = []
        while True:
            b = s.recv(65536)
            if not b:
                break
            chunks.append(b)
    return b"".join(chunks).decode()
