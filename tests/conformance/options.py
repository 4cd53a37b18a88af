# SPDX-License-Identifier: LGPL-2.1-or-later
"""The battery's own command line: --list, --only, --skip-file, --as-user,
--do, usage errors, and a clean "Bail out!" where it cannot write."""
import os
import subprocess
import sys
import tempfile

BATTERY = os.path.join(os.environ.get("top_builddir", "."),
                       "tests/conformance/vfsd-conformance")
results = []


def check(name, cond, detail=""):
    results.append((name, bool(cond), detail))


def run(*args, cwd=None):
    p = subprocess.run([BATTERY] + list(args), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, cwd=cwd)
    return p.returncode, p.stdout, p.stderr


rc, out, err = run("--list")
lines = out.splitlines()
check("list", rc == 0 and len(lines) > 200 and
      all("." in l.split()[0] and len(l.split()) > 1 for l in lines),
      "%d lines" % len(lines))
rc, out, _ = run("--list", "--only", "rename.*,xattr.set_get")
names = [l.split()[0] for l in out.splitlines()]
check("only_patterns", rc == 0 and "xattr.set_get" in names and
      all(n.startswith("rename.") or n == "xattr.set_get" for n in names) and
      len(names) > 20, " ".join(names))

work = tempfile.mkdtemp(prefix="battery.")
rc, out, _ = run("--only", "file.create_write_read,names.case_sensitive", work)
check("run_two", rc == 0 and out.startswith("1..2\n") and
      "ok 1 - file.create_write_read" in out and
      "ok 2 - names.case_sensitive" in out and "2 passed" in out, out)
check("cleans_up", os.listdir(work) == [], str(os.listdir(work)))

skip = os.path.join(work, "..", "battery.skip")
with open(skip, "w") as f:
    f.write("# comment\n\nnames.*   not today, thanks  # trailing comment\n")
rc, out, _ = run("--only", "names.case_sensitive,file.create_write_read",
                 "--skip-file", skip, work)
check("skip_file", rc == 0 and
      "ok 2 - names.case_sensitive # SKIP skip-file: not today, thanks\n" in out, out)
os.unlink(skip)

for args, what in ((["--frobnicate", work], "unknown option"),
                   ([], "no PATH"),
                   (["--only", "no.such.check", work], "no check matches"),
                   (["--as-user", "bogus", work], "--as-user wants"),
                   (["--skip-file", "/nonexistent", work], "cannot read the skip file")):
    rc, out, err = run(*args)
    check("usage " + what, rc == 2 and what in err, err.strip())

rc, out, _ = run("--do", "open", "missing", "r", cwd=work)
check("do_errno", rc == 0 and out == "ENOENT\n", out)
rc, out, _ = run("--do", "mkdir", "sub", "0700", cwd=work)
check("do_ok", rc == 0 and out == "OK\n" and os.path.isdir(os.path.join(work, "sub")), out)
if os.geteuid() == 0:
    rc, out, _ = run("--as-user", "4242:4242", "--do", "listdir", "sub", cwd=work)
    check("do_as_user", rc == 0 and out == "EACCES\n", out)
    ro = tempfile.mkdtemp(prefix="ro.")
    subprocess.run(["mount", "-t", "tmpfs", "-o", "ro", "battery-ro", ro], check=True)
    try:
        rc, out, _ = run("--only", "file.create_write_read", ro)
    finally:
        subprocess.run(["umount", ro])
        os.rmdir(ro)
    check("bail_out_read_only", rc == 1 and out.startswith("Bail out! cannot create"), out)
os.rmdir(os.path.join(work, "sub"))
os.rmdir(work)

print("1..%d" % len(results))
for i, (name, ok, detail) in enumerate(results, 1):
    print("%s %d - %s" % ("ok" if ok else "not ok", i, name))
    if not ok:
        for line in detail.splitlines()[:20]:
            print("# " + line)
