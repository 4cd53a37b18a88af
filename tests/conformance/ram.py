# SPDX-License-Identifier: LGPL-2.1-or-later
"""The conformance battery against `vfsd mount -f ram`, compared with tmpfs:
every check that passes on tmpfs must pass on the RAM backend, unless
tests/conformance/skip/ram.skip lists it with the reason.  Also checks that
the server exits cleanly (status 0: no sanitizer report) after unmounting."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import battery  # noqa: E402

if not battery.backend_available("ram"):
    print("1..0 # SKIP the ram backend is not built yet")
    sys.exit(0)

reference = None
if os.geteuid() == 0:
    with battery.Tmpfs() as path:
        ref, _ = battery.run_battery(path, echo=False)
    reference = battery.tap_passes(ref)

mount = battery.VfsdMount("ram:size=4G")
try:
    with mount as path:
        results, lines = battery.run_battery(path, battery.skip_file("ram"), echo=False)
except RuntimeError as e:
    print("1..1\nnot ok 1 - %s" % e)
    sys.exit(0)
n = len(results)
lines = [line for line in lines if not line.startswith("1..")]
if reference is None:
    battery.log("not root: no comparison with tmpfs")
    for line in lines:
        print(line, flush=True)
else:
    demoted = battery.compare_with_tmpfs("ram", results, lines, reference)
    battery.log("%d checks pass on tmpfs; %d of them were skipped on ram"
                % (len(reference), demoted))
# The plan line came from the battery ("1..N"); one more test: the server.
print("ok %d - server exited cleanly" % (n + 1) if mount.status == 0 else
      "not ok %d - server exited with status %s: %s"
      % (n + 1, mount.status, (mount.stderr or "").strip()[-2000:]))
print("1..%d" % (n + 1))
