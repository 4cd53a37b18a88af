# SPDX-License-Identifier: LGPL-2.1-or-later
"""Running vfsd-conformance against a subject: tmpfs, or a `vfsd mount`.

Used by tmpfs.py and ram.py (the tests `make check` runs).  Every mount is
made under $TMPDIR and always taken down again, and every process started
here is ended by its pid.
"""
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

BUILD = os.environ.get("top_builddir", ".")
SRC = os.environ.get("top_srcdir", ".")
BATTERY = os.path.join(BUILD, "tests/conformance/vfsd-conformance")
VFSD = os.path.join(BUILD, "tools/vfsd")
SKIP_DIR = os.path.join(SRC, "tests/conformance/skip")

TAP_LINE = re.compile(r"^(ok|not ok) (\d+) - (\S+)(.*)$")


def log(msg):
    print("# " + msg, flush=True)


def mounted(path):
    with open("/proc/self/mounts") as f:
        return any(line.split()[1] == path for line in f)


def run_battery(path, extra=(), echo=True):
    """Runs the battery on @path; returns {name: (verdict, rest)} where
    verdict is "ok", "not ok" or "skip", and the raw TAP lines."""
    cmd = [BATTERY] + list(extra) + [path]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, errors="replace")
    results, lines = {}, proc.stdout.splitlines()
    for line in lines:
        m = TAP_LINE.match(line)
        if m:
            verdict = m.group(1)
            if verdict == "ok" and "# SKIP" in m.group(4):
                verdict = "skip"
            results[m.group(3)] = (verdict, m.group(4))
        if echo:
            print(line, flush=True)
    return results, lines


def tap_passes(results):
    return {n for n, (v, _) in results.items() if v == "ok"}


class Tmpfs:
    """A tmpfs mounted at a fresh directory under $TMPDIR."""

    def __init__(self):
        self.path = tempfile.mkdtemp(prefix="tmpfs.")

    def __enter__(self):
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4g,mode=0755",
                        "vfsd-conformance", self.path], check=True)
        return self.path

    def __exit__(self, *exc):
        if mounted(self.path):
            subprocess.run(["umount", self.path])
        if mounted(self.path):
            subprocess.run(["umount", "-l", self.path])
        os.rmdir(self.path)


class VfsdMount:
    """`vfsd mount -f SPEC` at a fresh directory under $TMPDIR, served by a
    process of ours; unmounted and reaped on exit."""

    def __init__(self, spec, options="allow_other"):
        self.spec, self.options = spec, options
        self.path = tempfile.mkdtemp(prefix="vfsd.")
        self.proc = None
        self.status = None

    def __enter__(self):
        cmd = [VFSD, "mount", "-f"]
        if self.options:
            cmd += ["-o", self.options]
        self.proc = subprocess.Popen(cmd + [self.spec, self.path],
                                     stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 20
        while not mounted(self.path):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                err = self.proc.stderr.read() if self.proc.poll() is not None else ""
                self.__exit__()
                raise RuntimeError("vfsd mount %s failed: %s" % (self.spec, err.strip()))
            time.sleep(0.02)
        return self.path

    def __exit__(self, *exc):
        if self.proc is not None:
            if mounted(self.path):
                subprocess.run([VFSD, "umount", "-z", self.path])
            try:
                self.status = self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.status = self.proc.wait()
            self.stderr = self.proc.stderr.read()
            self.proc.stderr.close()
        for args in (["fusermount3", "-u"], ["fusermount3", "-uz"]):
            if mounted(self.path):
                subprocess.run(args + [self.path])
        os.rmdir(self.path)


def backend_available(name):
    out = subprocess.run([VFSD, "backends"], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, text=True).stdout
    return any(line.split()[:1] == [name] and "cannot be loaded" not in line
               for line in out.splitlines())


def skip_file(name):
    path = os.path.join(SKIP_DIR, name + ".skip")
    return ["--skip-file", path] if os.path.exists(path) else []


def compare_with_tmpfs(name, results, lines, reference):
    """Prints the subject's TAP with one change: a check that passes on
    tmpfs but was skipped on the subject at run time (not by its skip file)
    becomes "not ok".  Returns the number of such checks."""
    demoted = 0
    for line in lines:
        m = TAP_LINE.match(line)
        if m and m.group(3) in reference and results[m.group(3)][0] == "skip" \
                and "# SKIP skip-file:" not in line:
            print("not ok %s - %s # passes on tmpfs but was skipped on %s:%s"
                  % (m.group(2), m.group(3), name, m.group(4).replace("# SKIP", "")),
                  flush=True)
            demoted += 1
        else:
            print(line, flush=True)
    return demoted
