# SPDX-License-Identifier: LGPL-2.1-or-later
"""The conformance battery against the RAM backend under monitor and stats
(`vfsd mount -l monitor:log=L -l stats ram`), compared with tmpfs: every
check that passes on tmpfs passes under the layers, and the monitor's log
holds one valid JSON line per operation — as many lines of each operation
as the stats layer below it counted calls."""
import json
import os
import sys
import collections

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stacks  # noqa: E402

stacks.skip_unless_ready("ram")
battery = stacks.battery
reference = stacks.tmpfs_reference()
tmp = os.environ.get("TMPDIR", "/tmp")
log = os.path.join(tmp, "monitor.jsonl")
ram_skip = battery.skip_file("ram")
stack = stacks.Stack(["monitor:log=%s,flush=line" % log, "stats"], "ram:size=4G")
try:
    with stack as path:
        results, lines = battery.run_battery(path, ram_skip, echo=False)
        # The stats below the monitor, read while mounted through the
        # layer's socket (what `vfsd stats` does).
        doc = json.loads(stacks.stats_query(path, "json"))
        counts = {op: v["calls"] for op, v in doc["ops"].items()}
        # The log at the same moment (flush=line keeps it current; nothing
        # touches the mount in between).
        with open(log) as f:
            snapshot = f.readlines()
except RuntimeError as e:
    print("1..1\nnot ok 1 - %s" % e)
    sys.exit(0)
lines = [l for l in lines if not l.startswith("1..")]
demoted = battery.compare_with_tmpfs("ram under monitor+stats", results, lines, reference)
n = len(results)

# One valid line per operation.
per_op, bad = collections.Counter(), []
for i, line in enumerate(snapshot, 1):
    try:
        d = json.loads(line)
        per_op[d["op"]] += 1
        assert "result" in d and "latency_us" in d
    except Exception as e:  # noqa: BLE001
        bad.append("%d: %s" % (i, e))
print(("ok %d - every monitor line is a JSON object with its fields (%d lines)"
       % (n + 1, sum(per_op.values()))) if not bad else
      "not ok %d - bad monitor lines: %s" % (n + 1, "; ".join(bad[:5])))
ops = set(counts) | set(per_op)
diff = {op: (per_op.get(op, 0), counts.get(op, 0)) for op in ops
        if per_op.get(op, 0) != counts.get(op, 0)}
print(("ok %d - one line per operation: the lines of each operation match "
       "the calls stats counted (%d operations)" % (n + 2, len(ops)))
      if not diff else
      "not ok %d - lines vs calls (lines, calls): %s" % (n + 2, diff))
print("ok %d - server exited cleanly" % (n + 3) if stack.status == 0 else
      "not ok %d - server exited with status %s: %s"
      % (n + 3, stack.status, stack.stderr.strip()[-2000:]))
print("1..%d" % (n + 3))
