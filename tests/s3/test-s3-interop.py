#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Interoperability of the s3 module with other S3 clients, on a real Ceph
RADOS Gateway (tests/s3/ceph-fixture.sh): files written through the mount
are read by s3cmd, objects s3cmd uploads appear as files, and a bucket that
s3fs-fuse wrote mounts with s3fs's modes, mtimes, directories and symlinks
(and the other way round).  Prints TAP."""

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
import time

TOP_SRC = os.environ.get("top_srcdir", os.path.join(os.path.dirname(__file__), "..", ".."))
TOP_BUILD = os.environ.get("top_builddir", ".")
FIXTURE = os.path.join(TOP_SRC, "tests", "s3", "ceph-fixture.sh")
VFSD = os.path.join(TOP_BUILD, "tools", "vfsd")
TMP = tempfile.mkdtemp(prefix="s3-interop.", dir=os.environ.get("TMPDIR", "/tmp"))

results = []
cleanups = []


def finish():
    for c in reversed(cleanups):
        try:
            c()
        except Exception as e:  # keep cleaning up
            print("# cleanup: %s" % e)
    shutil.rmtree(TMP, ignore_errors=True)


atexit.register(finish)


def check(name, cond, detail=""):
    results.append(bool(cond))
    print("%s %d - %s" % ("ok" if cond else "not ok", len(results), name))
    if not cond and detail:
        for line in str(detail).splitlines():
            print("# " + line)
    sys.stdout.flush()


def missing(*progs):
    return [p for p in progs if shutil.which(p) is None]


# ---- the cluster ---------------------------------------------------------

TESTS = 8
lacking = missing("ceph-mon", "ceph-osd", "ceph-mgr", "radosgw", "s3cmd", "s3fs")
if subprocess.run([FIXTURE, "check"], stdout=subprocess.DEVNULL).returncode != 0 or lacking:
    print("1..0 # SKIP needs the Debian packages ceph-mon ceph-osd ceph-mgr "
          "radosgw s3cmd s3fs (missing: %s)" % " ".join(lacking))
    sys.exit(0)
print("1..%d" % TESTS)

cluster = os.path.join(TMP, "ceph")
env = dict(os.environ, CEPH_FIXTURE_OWNER=str(os.getpid()))
out = subprocess.run([FIXTURE, "start", cluster], env=env, capture_output=True,
                     text=True, timeout=180)
if out.returncode != 0:
    print("Bail out! the Ceph fixture did not start: " + out.stderr.strip().replace("\n", " | "))
    sys.exit(1)
cleanups.append(lambda: subprocess.run([FIXTURE, "stop", cluster], timeout=60))
for line in out.stdout.splitlines():
    if line.startswith("export "):
        k, v = line[7:].split("=", 1)
        os.environ[k] = v
ENDPOINT = os.environ["S3_ENDPOINT"]
AK = os.environ["AWS_ACCESS_KEY_ID"]
SK = os.environ["AWS_SECRET_ACCESS_KEY"]
HOSTPORT = ENDPOINT.split("://", 1)[1]

S3CFG = os.path.join(TMP, "s3cfg")
with open(S3CFG, "w") as f:
    f.write("[default]\naccess_key = %s\nsecret_key = %s\nhost_base = %s\n"
            "host_bucket = %s\nuse_https = False\nsignature_v2 = False\n"
            "bucket_location = us-east-1\n" % (AK, SK, HOSTPORT, HOSTPORT))
os.chmod(S3CFG, 0o600)


def s3cmd(*args):
    return subprocess.run(["s3cmd", "-c", S3CFG, "--no-progress"] + list(args),
                          capture_output=True, text=True, timeout=120)


def wait_mounted(path, proc, timeout=20):
    end = time.time() + timeout
    while time.time() < end:
        with open("/proc/self/mounts") as m:
            if any(l.split()[1] == path for l in m):
                return True
        if proc.poll() is not None:
            return False
        time.sleep(0.05)
    return False


def unmount(path, proc):
    subprocess.run(["fusermount3", "-u", path], stderr=subprocess.DEVNULL)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        subprocess.run(["fusermount3", "-uz", path], stderr=subprocess.DEVNULL)
        proc.kill()
        proc.wait()


def mount_ours(bucket, extra="cache_timeout=1"):
    path = tempfile.mkdtemp(prefix="mnt.", dir=TMP)
    log = open(os.path.join(TMP, "ours-%s.log" % bucket), "a")
    proc = subprocess.Popen([VFSD, "mount", "-f",
                             "s3:bucket=%s,endpoint=%s,%s" % (bucket, ENDPOINT, extra), path],
                            stdout=log, stderr=log)
    if not wait_mounted(path, proc):
        raise RuntimeError("our mount of %s did not come up" % bucket)
    cleanups.append(lambda: unmount(path, proc))
    return path, proc


def mount_s3fs(bucket):
    path = tempfile.mkdtemp(prefix="s3fs.", dir=TMP)
    pw = os.path.join(TMP, "passwd-s3fs")
    with open(pw, "w") as f:
        f.write("%s:%s\n" % (AK, SK))
    os.chmod(pw, 0o600)
    log = open(os.path.join(TMP, "s3fs-%s.log" % bucket), "a")
    proc = subprocess.Popen(["s3fs", bucket, path, "-f", "-o", "url=" + ENDPOINT,
                             "-o", "use_path_request_style", "-o", "passwd_file=" + pw,
                             "-o", "stat_cache_expire=1", "-o", "dbglevel=warn"],
                            stdout=log, stderr=log)
    if not wait_mounted(path, proc):
        raise RuntimeError("s3fs did not mount %s (see %s)" % (bucket, log.name))
    return path, proc


def bucket(tag):
    name = "%s-%d-%d" % (tag, os.getpid(), len(results))
    r = s3cmd("mb", "s3://" + name)
    if r.returncode != 0:
        raise RuntimeError("s3cmd mb failed: " + r.stderr)
    return name


def data(n, seed):
    import random
    rnd = random.Random(seed)
    return bytes(rnd.getrandbits(8) for _ in range(n))


# ---- s3cmd ----------------------------------------------------------------

b = bucket("s3cmd")
mnt, proc = mount_ours(b)
payload = data(300000, 1)
with open(os.path.join(mnt, "written-here.bin"), "wb") as f:
    f.write(payload)
got = os.path.join(TMP, "got.bin")
r = s3cmd("get", "--force", "s3://%s/written-here.bin" % b, got)
check("s3cmd reads a file written through the mount",
      r.returncode == 0 and open(got, "rb").read() == payload, r.stderr)

src = os.path.join(TMP, "upload.bin")
payload2 = data(1234567, 2)
with open(src, "wb") as f:
    f.write(payload2)
r = s3cmd("put", src, "s3://%s/dir/uploaded.bin" % b)
time.sleep(1.2)  # cache_timeout=1
p = os.path.join(mnt, "dir", "uploaded.bin")
ok = r.returncode == 0 and os.path.exists(p)
check("an object s3cmd uploads appears as a file of the right size and content",
      ok and os.stat(p).st_size == len(payload2) and open(p, "rb").read() == payload2,
      r.stderr)

r = s3cmd("ls", "s3://%s/" % b)
check("s3cmd lists what the mount wrote, and the directory as a prefix",
      "written-here.bin" in r.stdout and "dir/" in r.stdout, r.stdout + r.stderr)

# ---- s3fs-fuse --------------------------------------------------------------

b2 = bucket("s3fs")
s3fs_mnt, s3fs_proc = mount_s3fs(b2)
try:
    os.mkdir(os.path.join(s3fs_mnt, "private"), 0o700)
    os.chmod(os.path.join(s3fs_mnt, "private"), 0o700)
    f1 = os.path.join(s3fs_mnt, "private", "notes.txt")
    with open(f1, "w") as f:
        f.write("written by s3fs\n")
    os.chmod(f1, 0o640)
    os.utime(f1, (1500000000, 1500000000))
    f2 = os.path.join(s3fs_mnt, "script.sh")
    with open(f2, "w") as f:
        f.write("#!/bin/sh\n")
    os.chmod(f2, 0o755)
    os.utime(f2, (1400000000, 1400000000))
    os.symlink("private/notes.txt", os.path.join(s3fs_mnt, "link"))
    s3fs_ok = True
    s3fs_err = ""
except OSError as e:
    s3fs_ok = False
    s3fs_err = str(e)
finally:
    unmount(s3fs_mnt, s3fs_proc)

mnt2, proc2 = mount_ours(b2)
st1 = os.stat(os.path.join(mnt2, "private", "notes.txt")) if s3fs_ok else None
check("a file s3fs wrote keeps its mode and mtime",
      st1 is not None and (st1.st_mode & 0o7777) == 0o640 and int(st1.st_mtime) == 1500000000
      and open(os.path.join(mnt2, "private", "notes.txt")).read() == "written by s3fs\n",
      s3fs_err or (st1 and "mode %o mtime %d" % (st1.st_mode, st1.st_mtime)))
st2 = os.stat(os.path.join(mnt2, "script.sh")) if s3fs_ok else None
std = os.stat(os.path.join(mnt2, "private")) if s3fs_ok else None
check("an executable and a directory s3fs made keep their modes",
      st2 is not None and (st2.st_mode & 0o7777) == 0o755 and int(st2.st_mtime) == 1400000000
      and std is not None and (std.st_mode & 0o7777) == 0o700,
      st2 and std and "script %o dir %o" % (st2.st_mode, std.st_mode))
lnk = os.path.join(mnt2, "link")
check("a symlink s3fs made is a symlink here",
      s3fs_ok and os.path.islink(lnk) and os.readlink(lnk) == "private/notes.txt"
      and open(lnk).read() == "written by s3fs\n")

# The other way: what this mount writes, s3fs shows with the same attributes.
f3 = os.path.join(mnt2, "from-us.txt")
with open(f3, "w") as f:
    f.write("written by vfsd\n")
os.chmod(f3, 0o604)
os.utime(f3, (1300000000, 1300000000))
os.symlink("from-us.txt", os.path.join(mnt2, "our-link"))
s3fs_mnt, s3fs_proc = mount_s3fs(b2)
try:
    st3 = os.stat(os.path.join(s3fs_mnt, "from-us.txt"))
    ok = ((st3.st_mode & 0o7777) == 0o604 and int(st3.st_mtime) == 1300000000 and
          open(os.path.join(s3fs_mnt, "from-us.txt")).read() == "written by vfsd\n")
    detail = "mode %o mtime %d" % (st3.st_mode, st3.st_mtime)
    ok = ok and os.readlink(os.path.join(s3fs_mnt, "our-link")) == "from-us.txt"
except OSError as e:
    ok, detail = False, str(e)
finally:
    unmount(s3fs_mnt, s3fs_proc)
check("s3fs shows a file and a symlink written here with their attributes", ok, detail)

# ---- curl --aws-sigv4 -------------------------------------------------------

r = subprocess.run(["curl", "-s", "-S", "--aws-sigv4", "aws:amz:us-east-1:s3", "--user",
                    "%s:%s" % (AK, SK), "-H", "x-amz-content-sha256: UNSIGNED-PAYLOAD",
                    "%s/%s/from-us.txt" % (ENDPOINT, b2)], capture_output=True, timeout=60)
check("curl --aws-sigv4 reads a file written through the mount",
      r.returncode == 0 and r.stdout == b"written by vfsd\n", r.stderr)

sys.exit(0 if all(results) and len(results) == TESTS else 1)
