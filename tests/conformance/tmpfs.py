# SPDX-License-Identifier: LGPL-2.1-or-later
"""The conformance battery against tmpfs: proves the checks themselves right
(every check passes, or skips for a feature tmpfs lacks)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import battery  # noqa: E402

if os.geteuid() != 0:
    print("1..0 # SKIP mounting tmpfs needs root")
    sys.exit(0)
with battery.Tmpfs() as path:
    results, _ = battery.run_battery(path, battery.skip_file("tmpfs"))
sys.exit(0)
