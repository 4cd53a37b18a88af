# SPDX-License-Identifier: LGPL-2.1-or-later
"""The conformance battery against `vfsd mount passthrough:SRC` with SRC on
a fresh tmpfs, compared with tmpfs itself: every check that passes on tmpfs
must pass through passthrough (skip list: tests/conformance-layers/
passthrough.skip).  Then the server must have exited cleanly."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stacks  # noqa: E402

stacks.skip_unless_ready("passthrough")
battery = stacks.battery
reference = stacks.tmpfs_reference()
skip = ["--skip-file", os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                    "passthrough.skip")]
with battery.Tmpfs() as src:
    stack = stacks.Stack([], "passthrough:" + src)
    try:
        n, _ = stacks.run_compared("passthrough", stack, reference, skip)
    except RuntimeError as e:
        print("1..1\nnot ok 1 - %s" % e)
        sys.exit(0)
print("ok %d - server exited cleanly" % (n + 1) if stack.status == 0 else
      "not ok %d - server exited with status %s: %s"
      % (n + 1, stack.status, stack.stderr.strip()[-2000:]))
print("1..%d" % (n + 1))
