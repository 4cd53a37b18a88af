#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""`make bench-s3`: the S3 module against its peers, in one run, on one
local Ceph RADOS Gateway (tests/s3/ceph-fixture.sh).

Subjects: s3fs-fuse (Debian s3fs), rclone mount --vfs-cache-mode full
(Debian rclone), and this module durable (close returns once stored) and
with writeback=on.  Each gets a fresh bucket and runs the workloads of
bench/vfsd-bench (every read checked): sequential write of SIZE in 1 MiB
writes then fsync; a cold read of it through a fresh mount; FILES small
files of 4 KiB written; FILES creates and renames.

    bench/s3/run-s3-bench.py [--size MIB] [--files N] [--reps N]
                             [--only s3fs,rclone,vfsd,vfsd-wb] [--json FILE]

Nothing is left mounted or running, even when a workload fails.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse

TOP_BUILD = os.environ.get("top_builddir") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
TOP_SRC = os.environ.get("top_srcdir") or TOP_BUILD
BENCH = os.path.join(TOP_BUILD, "bench", "vfsd-bench")
VFSD = os.path.join(TOP_BUILD, "tools", "vfsd")
FIXTURE = os.path.join(TOP_SRC, "tests", "s3", "ceph-fixture.sh")

# (label, workload, key, unit)
FIGURES = [
    ("seq write", "write", "mbps", "MB/s"),
    ("cold read", "read", "mbps", "MB/s"),
    ("small files written", "small", "write_fps", "files/s"),
    ("create", "meta", "create", "ops/s"),
    ("rename", "meta", "rename", "ops/s"),
]
# Issue 8: durable vfsd against s3fs, writeback vfsd against rclone.
DURABLE_TARGET = {"seq write": 5.0, "cold read": 1.0, "small files written": 10.0,
                  "create": 10.0, "rename": None}
WRITEBACK_TARGET = {f[0]: 1.0 for f in FIGURES}

TMP = tempfile.mkdtemp(prefix="s3-bench.", dir=os.environ.get("TMPDIR", "/tmp"))
CLEANUP = []


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def mounted(path):
    with open("/proc/self/mounts") as f:
        return any(l.split()[1] == path for l in f)


class Mount:
    """A FUSE server process (ours or a peer) serving a fresh mount point."""

    def __init__(self, name, argv, env=None):
        self.path = tempfile.mkdtemp(prefix="mnt.", dir=TMP)
        self.log = open(os.path.join(TMP, name + ".log"), "a")
        argv = [a.replace("@MNT@", self.path) for a in argv]
        self.proc = subprocess.Popen(argv, stdout=self.log, stderr=self.log,
                                     env=env or os.environ)
        end = time.time() + 30
        while not mounted(self.path):
            if self.proc.poll() is not None or time.time() > end:
                self.stop()
                raise RuntimeError("%s did not mount (see %s)" % (name, self.log.name))
            time.sleep(0.05)
        CLEANUP.append(self.stop)

    def stop(self):
        if mounted(self.path):
            subprocess.run(["fusermount3", "-u", self.path], stderr=subprocess.DEVNULL)
        try:
            self.proc.wait(timeout=600)
        except subprocess.TimeoutExpired:
            subprocess.run(["fusermount3", "-uz", self.path], stderr=subprocess.DEVNULL)
            self.proc.kill()
            self.proc.wait()
        if self.stop in CLEANUP:
            CLEANUP.remove(self.stop)


class Store:
    """The private Ceph cluster and a curl that talks to it."""

    def __init__(self, memstore_bytes):
        self.dir = os.path.join(TMP, "ceph")
        env = dict(os.environ, CEPH_FIXTURE_OWNER=str(os.getpid()),
                   CEPH_FIXTURE_MEMSTORE_BYTES=str(memstore_bytes),
                   CEPH_FIXTURE_QUOTA=str(memstore_bytes * 7 // 8))
        out = subprocess.run([FIXTURE, "start", self.dir], env=env, text=True,
                             capture_output=True, timeout=300)
        if out.returncode != 0:
            raise RuntimeError("the Ceph fixture did not start: " + out.stderr)
        CLEANUP.append(lambda: subprocess.run([FIXTURE, "stop", self.dir], timeout=120))
        for line in out.stdout.splitlines():
            if line.startswith("export "):
                k, v = line[7:].split("=", 1)
                os.environ[k] = v
        self.endpoint = os.environ["S3_ENDPOINT"]
        self.ak = os.environ["AWS_ACCESS_KEY_ID"]
        self.sk = os.environ["AWS_SECRET_ACCESS_KEY"]
        self.n = 0

    def curl(self, method, path, *extra):
        return subprocess.run(
            ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--aws-sigv4",
             "aws:amz:us-east-1:s3", "--user", "%s:%s" % (self.ak, self.sk),
             "-H", "x-amz-content-sha256: UNSIGNED-PAYLOAD", "-X", method]
            + list(extra) + [self.endpoint + path],
            capture_output=True, text=True, timeout=120).stdout

    def bucket(self, tag):
        self.n += 1
        name = "%s-%d" % (tag, self.n)
        if self.curl("PUT", "/" + name) != "200":
            raise RuntimeError("cannot create bucket " + name)
        return name

    def empty(self, bucket):
        """Deletes every object of @bucket (the gateway frees the space a few
        seconds later), so that the next subject has room."""
        import re
        auth = ["--aws-sigv4", "aws:amz:us-east-1:s3", "--user", "%s:%s" % (self.ak, self.sk),
                "-H", "x-amz-content-sha256: UNSIGNED-PAYLOAD"]
        attempts = 5
        while True:
            out = subprocess.run(["curl", "-s"] + auth +
                                 ["%s/%s?encoding-type=url&list-type=2" % (self.endpoint, bucket)],
                                 capture_output=True, text=True, timeout=120).stdout
            keys = [urllib.parse.unquote_plus(k) for k in re.findall(r"<Key>([^<]*)</Key>", out)]
            if not keys:
                return
            for i in range(0, len(keys), 200):
                urls = []
                for k in keys[i:i + 200]:
                    urls += ["-X", "DELETE", "-o", "/dev/null", "%s/%s/%s" % (
                        self.endpoint, bucket, urllib.parse.quote(k, safe="/~"))]
                subprocess.run(["curl", "-s"] + auth + urls, timeout=600)
            if attempts == 0:
                raise RuntimeError("cannot empty bucket " + bucket)
            attempts -= 1

    def has(self, bucket, key):
        return self.curl("HEAD", "/%s/%s" % (bucket, key), "--head") == "200"


def s3fs_mount(store, bucket, variant):
    pw = os.path.join(TMP, "passwd-s3fs")
    with open(pw, "w") as f:
        f.write("%s:%s\n" % (store.ak, store.sk))
    os.chmod(pw, 0o600)
    return Mount("s3fs", ["s3fs", bucket, "@MNT@", "-f", "-o", "url=" + store.endpoint,
                          "-o", "use_path_request_style", "-o", "passwd_file=" + pw])


def rclone_mount(store, bucket, variant):
    cache = tempfile.mkdtemp(prefix="rclone-cache.", dir=TMP)  # cold: a new cache
    env = dict(os.environ)
    env.pop("AWS_CA_BUNDLE", None)  # rclone's SDK refuses it with its own transport
    env.update(RCLONE_S3_PROVIDER="Ceph", RCLONE_S3_ENDPOINT=store.endpoint,
               RCLONE_S3_ACCESS_KEY_ID=store.ak, RCLONE_S3_SECRET_ACCESS_KEY=store.sk,
               RCLONE_S3_FORCE_PATH_STYLE="true", RCLONE_CONFIG="/dev/null")
    return Mount("rclone", ["rclone", "mount", ":s3:" + bucket, "@MNT@",
                            "--vfs-cache-mode", "full", "--cache-dir", cache], env)


def vfsd_mount(store, bucket, variant):
    extra = ",writeback=on" if variant == "vfsd-wb" else ""
    return Mount(variant, [VFSD, "mount", "-f",
                           "s3:bucket=%s,endpoint=%s%s" % (bucket, store.endpoint, extra),
                           "@MNT@"])


SUBJECTS = {"s3fs": s3fs_mount, "rclone": rclone_mount, "vfsd": vfsd_mount,
            "vfsd-wb": vfsd_mount}


def bench(workload, d, *args):
    os.makedirs(d, exist_ok=True)
    out = subprocess.run([BENCH, workload, d] + [str(a) for a in args],
                         capture_output=True, text=True, timeout=3600)
    if out.returncode != 0:
        raise RuntimeError("vfsd-bench %s failed: %s" % (workload, out.stderr.strip()))
    return dict(kv.split("=") for kv in out.stdout.split())


def run_subject(store, name, size, files):
    """One round of every workload on one subject; returns {label: value}."""
    mount = SUBJECTS[name]
    b = store.bucket(name.replace("-", ""))
    res = {}
    m = mount(store, b, name)
    try:
        r = bench("write", os.path.join(m.path, "seq"), "--size", size)
        res["seq write"] = float(r["mbps"])
        # Peers that upload after close must have finished before the cold
        # read, or it would read their local cache.
        end = time.time() + 600
        while not store.has(b, "seq/j0/big") and time.time() < end:
            time.sleep(0.5)
    finally:
        m.stop()
    m = mount(store, b, name)
    try:
        r = bench("read", os.path.join(m.path, "seq"), "--size", size)
        res["cold read"] = float(r["mbps"])
        r = bench("small", os.path.join(m.path, "small"), "--files", files)
        res["small files written"] = float(r["write_fps"])
        r = bench("meta", os.path.join(m.path, "meta"), "--files", files)
        res["create"] = float(r["create"])
        res["rename"] = float(r["rename"])
    finally:
        m.stop()
    store.empty(b)
    return res


def store_ceiling(store, size):
    """What the gateway itself takes and gives: SIZE bytes in 8 parallel
    curl PUTs, then GETs (no file system involved)."""
    b = store.bucket("raw")
    part = max(1, size // 8)
    src = os.path.join("/dev/shm" if os.path.isdir("/dev/shm") else TMP, "s3-bench-part")
    with open(src, "wb") as f:
        f.write(os.urandom(part))
    CLEANUP.append(lambda: os.path.exists(src) and os.remove(src))
    base = ["curl", "-s", "-f", "-o", "/dev/null", "--aws-sigv4", "aws:amz:us-east-1:s3",
            "--user", "%s:%s" % (store.ak, store.sk), "-H", "x-amz-content-sha256: UNSIGNED-PAYLOAD"]
    res = {}
    for label, extra in (("seq write", ["-T", src]), ("cold read", [])):
        t0 = time.time()
        procs = [subprocess.Popen(base + extra + ["%s/%s/p%d" % (store.endpoint, b, i)])
                 for i in range(8)]
        if any(p.wait() != 0 for p in procs):
            raise RuntimeError("curl against the gateway failed")
        res[label] = 8 * part / (1 << 20) / (time.time() - t0)
    store.empty(b)
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", type=int, default=1024, help="MiB written and read (1024)")
    ap.add_argument("--files", type=int, default=300, help="small files and creates (300)")
    ap.add_argument("--reps", type=int, default=1, help="rounds; the median is kept (1)")
    ap.add_argument("--only", default="s3fs,rclone,vfsd,vfsd-wb")
    ap.add_argument("--json")
    a = ap.parse_args()
    names = [n for n in a.only.split(",") if n]
    for n in names:
        if n not in SUBJECTS:
            sys.exit("unknown subject %s" % n)
    need = {"s3fs": "s3fs", "rclone": "rclone"}
    for n in names:
        if n in need and shutil.which(need[n]) is None:
            sys.exit("%s is not installed (Debian package %s)" % (need[n], need[n]))
    for p in (BENCH, VFSD):
        if not os.access(p, os.X_OK):
            sys.exit("%s is not built (make bench-s3 builds it)" % p)

    store = Store(max(4 << 30, 3 * a.size << 20))
    results = {n: {f[0]: [] for f in FIGURES} for n in names}
    ceiling = {f[0]: [] for f in FIGURES}
    for rep in range(a.reps):
        for label, v in store_ceiling(store, a.size << 20).items():
            ceiling[label].append(v)
        for n in names:
            log("bench-s3: round %d, %s" % (rep + 1, n))
            t0 = time.time()
            for label, v in run_subject(store, n, a.size << 20, a.files).items():
                results[n][label].append(v)
            log("bench-s3:   %.0f s" % (time.time() - t0))

    med = {n: {k: statistics.median(v) if v else None for k, v in r.items()}
           for n, r in results.items()}
    names = ["store"] + names
    med["store"] = {k: statistics.median(v) if v else None for k, v in ceiling.items()}
    cols = names + [c for c in ("vfsd/s3fs", "wb/rclone") if
                    ("vfsd" in names and "s3fs" in names) or ("vfsd-wb" in names and "rclone" in names)]
    print("S3 on a local Ceph RGW: %d MiB sequential, %d small files, median of %d"
          % (a.size, a.files, a.reps))
    print("%-22s" % "workload" + "".join("%12s" % c for c in cols))
    for label, _, _, unit in FIGURES:
        row = "%-22s" % ("%s (%s)" % (label, unit))
        for n in names:
            v = med[n][label]
            row += "%12s" % ("-" if v is None else "%.1f" % v)
        for c in cols[len(names):]:
            ours, peer, tgt = (("vfsd", "s3fs", DURABLE_TARGET) if c == "vfsd/s3fs"
                               else ("vfsd-wb", "rclone", WRITEBACK_TARGET))
            if ours in med and peer in med and med[peer][label]:
                ratio = med[ours][label] / med[peer][label]
                t = tgt.get(label)
                row += "%12s" % ("%.1fx%s" % (ratio, "" if t is None else
                                               (" ok" if ratio >= t else " LOW")))
            else:
                row += "%12s" % "-"
        print(row)
    print("store: the gateway alone, 8 parallel curl PUTs / GETs (the ceiling of "
          "every durable figure)")
    print("targets: durable vfsd >= 10x s3fs on small files and creates, >= 5x "
          "on seq write, >= s3fs on cold read; writeback vfsd >= rclone on each")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"size_mib": a.size, "files": a.files, "reps": a.reps,
                       "results": results, "store": ceiling, "median": med}, f,
                      indent=1)


if __name__ == "__main__":
    try:
        main()
    finally:
        for c in reversed(list(CLEANUP)):
            try:
                c()
            except Exception as e:
                log("bench-s3: cleanup: %s" % e)
        shutil.rmtree(TMP, ignore_errors=True)
