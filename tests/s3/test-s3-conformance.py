#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The conformance battery (tests/conformance/vfsd-conformance) on an S3
mount backed by a real Ceph RADOS Gateway.  Every check S3 can honour runs;
tests/s3/conformance.skip lists the others, each with its reason.  The
battery's TAP goes through unchanged.

The bulk checks (tests/s3/conformance-bulk.skip: thousands of creates and
renames, a request each, minutes together) run apart, as
test-s3-conformance-bulk.py, on a cluster of their own: in parallel with
the rest of `make check`, and only in the normal build."""

import os
import subprocess
import sys
import tempfile
import time

TOP_SRC = os.environ.get("top_srcdir", os.path.join(os.path.dirname(__file__), "..", ".."))
TOP_BUILD = os.environ.get("top_builddir", ".")
FIXTURE = os.path.join(TOP_SRC, "tests", "s3", "ceph-fixture.sh")
SKIP = os.path.join(TOP_SRC, "tests", "s3", "conformance.skip")
BULK = os.path.join(TOP_SRC, "tests", "s3", "conformance-bulk.skip")
VFSD = os.path.join(TOP_BUILD, "tools", "vfsd")
BATTERY = os.path.join(TOP_BUILD, "tests", "conformance", "vfsd-conformance")
TMP = tempfile.mkdtemp(prefix="s3-conf.", dir=os.environ.get("TMPDIR", "/tmp"))

BULK_ONLY = os.environ.get("S3_CONFORMANCE_PART") == "bulk"
if BULK_ONLY and os.environ.get("VFSD_SANITIZERS") == "yes":
    print("1..0 # SKIP the bulk checks run in the normal build only")
    sys.exit(0)
if not os.access(BATTERY, os.X_OK):
    print("1..0 # SKIP the conformance battery is not built here")
    sys.exit(0)
if subprocess.run([FIXTURE, "check"], stdout=subprocess.DEVNULL).returncode != 0:
    print("1..0 # SKIP the Ceph packages are not installed")
    sys.exit(0)

cluster = os.path.join(TMP, "ceph")
mnt = os.path.join(TMP, "mnt")
os.mkdir(mnt)
proc = None
rc = 1
try:
    env = dict(os.environ, CEPH_FIXTURE_OWNER=str(os.getpid()))
    out = subprocess.run([FIXTURE, "start", cluster], env=env, capture_output=True,
                         text=True, timeout=180)
    if out.returncode != 0:
        print("Bail out! the Ceph fixture did not start: " + out.stderr.replace("\n", " | "))
        sys.exit(1)
    for line in out.stdout.splitlines():
        if line.startswith("export "):
            k, v = line[7:].split("=", 1)
            os.environ[k] = v
    ep = os.environ["S3_ENDPOINT"]
    auth = "%s:%s" % (os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"])
    subprocess.run(["curl", "-s", "-f", "--aws-sigv4", "aws:amz:us-east-1:s3", "--user", auth,
                    "-H", "x-amz-content-sha256: UNSIGNED-PAYLOAD", "-X", "PUT",
                    ep + "/conformance"], check=True, timeout=60)
    log = open(os.path.join(TMP, "mount.log"), "w")
    # The defaults a user gets (durable close), and the battery runs as root.
    proc = subprocess.Popen([VFSD, "mount", "-f", "-o", "allow_other",
                             "s3:bucket=conformance,endpoint=" + ep, mnt],
                            stdout=log, stderr=log)
    end = time.time() + 30
    while not any(l.split()[1] == mnt for l in open("/proc/self/mounts")):
        if proc.poll() is not None or time.time() > end:
            print("Bail out! the S3 mount did not come up: " +
                  open(log.name).read().replace("\n", " | "))
            sys.exit(1)
        time.sleep(0.05)
    sys.stdout.flush()
    if BULK_ONLY:
        names = [l.split()[0] for l in open(BULK)
                 if l.strip() and not l.startswith("#")]
        which = ["--skip-file", SKIP, "--only", ",".join(names)]
    else:
        which = ["--skip-file", SKIP, "--skip-file", BULK]
    rc = subprocess.run([BATTERY] + which + ["--timeout", "180", mnt]).returncode
finally:
    if proc is not None:
        subprocess.run(["fusermount3", "-u", mnt], stderr=subprocess.DEVNULL)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            subprocess.run(["fusermount3", "-uz", mnt], stderr=subprocess.DEVNULL)
            proc.kill()
            proc.wait()
    subprocess.run([FIXTURE, "stop", cluster], timeout=120)
    subprocess.run(["rm", "-rf", "--one-file-system", TMP])
sys.exit(rc)
