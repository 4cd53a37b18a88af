# SPDX-License-Identifier: LGPL-2.1-or-later
"""The conformance battery (tests/conformance) against
examples/python/memfs.py served by its own process, compared with tmpfs:
every check that passes on tmpfs must pass on memfs.py, unless
tests/python/memfs.skip lists it with the reason.  Also checks that the
server exits cleanly (status 0) after Ctrl-C."""
import os
import signal
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import vfsdtest  # noqa: E402  (the environment, ASan re-exec)
sys.path.insert(0, os.path.join(vfsdtest.TOP_SRCDIR, 'tests', 'conformance'))
import battery  # noqa: E402

MEMFS = os.path.join(vfsdtest.EXAMPLES, 'memfs.py')
SKIP = os.path.join(HERE, 'memfs.skip')

if not os.path.exists(battery.BATTERY):
    print('1..0 # SKIP %s is not built' % battery.BATTERY)
    sys.exit(0)


class Memfs:
    """memfs.py at a fresh directory, as a separate process (the battery
    runs as other users too: allow_other)."""

    def __init__(self):
        self.path = tempfile.mkdtemp(prefix='memfs.')
        self.log = os.path.join(tempfile.mkdtemp(prefix='log.'), 'memfs.log')
        self.child = None
        self.status = None

    def __enter__(self):
        self.child = vfsdtest.spawn(vfsdtest.python_argv(
            MEMFS, self.path, 'allow_other'), stdout=self.log, stderr=self.log)
        if not vfsdtest.wait_for(lambda: vfsdtest.is_mounted(self.path)
                                 or self.child.poll() is not None, 20):
            raise RuntimeError('memfs.py did not mount: ' + self.output())
        if not vfsdtest.is_mounted(self.path):
            raise RuntimeError('memfs.py did not mount: ' + self.output())
        return self.path

    def __exit__(self, *exc):
        self.child.signal(signal.SIGINT)
        self.status = self.child.wait(15)
        self.child.close()
        if vfsdtest.is_mounted(self.path):
            vfsdtest.force_unmount(self.path)
            self.status = 'a stale mount'
        os.rmdir(self.path)

    def output(self):
        try:
            with open(self.log) as f:
                return f.read()
        except OSError:
            return ''


reference = None
if os.geteuid() == 0:
    with battery.Tmpfs() as path:
        ref, _ = battery.run_battery(path, echo=False)
    reference = battery.tap_passes(ref)

server = Memfs()
try:
    with server as path:
        t0 = time.monotonic()
        results, lines = battery.run_battery(path, ['--skip-file', SKIP],
                                             echo=False)
        battery.log('the battery took %.0f s on memfs.py'
                    % (time.monotonic() - t0))
except RuntimeError as e:
    print('1..1\nnot ok 1 - %s' % e)
    sys.exit(0)
n = len(results)
lines = [line for line in lines if not line.startswith('1..')]
if reference is None:
    battery.log('not root: no comparison with tmpfs')
    for line in lines:
        print(line, flush=True)
else:
    demoted = battery.compare_with_tmpfs('memfs.py', results, lines, reference)
    battery.log('%d checks pass on tmpfs; %d of them were skipped on memfs.py'
                % (len(reference), demoted))
ok = server.status == 0 and 'Traceback' not in server.output()
print('ok %d - memfs.py exited cleanly' % (n + 1) if ok else
      'not ok %d - memfs.py exited with status %s: %s'
      % (n + 1, server.status, server.output()[-2000:]))
print('1..%d' % (n + 1))
