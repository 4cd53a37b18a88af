# SPDX-License-Identifier: LGPL-2.1-or-later
"""examples/python/mount_ram.py: the C RAM backend mounted from Python, and
a layer stacked on it; a layer stacked on a Python file system.  Skipped
while the RAM backend (or the layers) are not built into this tree."""
import errno
import json
import os
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vfsdtest import (Vfsd, test, run_all, check, check_eq,  # noqa: E402
                      check_errno, spawn, python_argv, tmpdir, wait_for,
                      is_mounted, force_unmount, mounted, skip_all, Skip,
                      EXAMPLES)

MOUNT_RAM = os.path.join(EXAMPLES, 'mount_ram.py')

if 'ram' not in Vfsd.module_list_names():
    skip_all('the RAM backend is not built in this tree')


def layers():
    return list(Vfsd.layer_list_names())


class Program:
    def __init__(self, *args):
        self.mnt = tmpdir()
        self.log = os.path.join(tmpdir('log'), 'out')
        self.child = spawn(python_argv(MOUNT_RAM, self.mnt, *args),
                           stdout=self.log, stderr=self.log)

    def output(self):
        with open(self.log) as f:
            return f.read()

    def __enter__(self):
        check(wait_for(lambda: is_mounted(self.mnt)
                       or self.child.poll() is not None, 20),
              'mount_ram.py did not mount')
        check(is_mounted(self.mnt), self.output())
        return self

    def __exit__(self, *exc):
        self.child.close()
        if is_mounted(self.mnt):
            force_unmount(self.mnt)
            raise AssertionError('a stale mount was left')

    def stop(self):
        self.child.signal(signal.SIGINT)
        check_eq(self.child.wait(10), 0, self.output())
        check(not is_mounted(self.mnt))


@test
def ram_backend_in_process():
    b = Vfsd.RamBackend.new('size=16M') if hasattr(Vfsd, 'RamBackend') \
        else Vfsd.Backend.load('ram:size=16M')
    check(isinstance(b, Vfsd.Backend))
    with mounted(b) as (m, p):
        with open(os.path.join(p, 'f'), 'wb') as f:
            f.write(b'in ram')
        with open(os.path.join(p, 'f'), 'rb') as f:
            check_eq(f.read(), b'in ram')


@test
def mount_ram_program():
    with Program('-s', '16M') as prog:
        f = os.path.join(prog.mnt, 'f')
        with open(f, 'wb') as fh:
            fh.write(b'x' * 100000)
        check_eq(os.stat(f).st_size, 100000)
        os.mkdir(os.path.join(prog.mnt, 'd'))
        prog.stop()


@test
def mount_ram_with_a_layer():
    names = layers()
    if 'readonly' not in names:
        raise Skip('the readonly layer is not built in this tree')
    with Program('-l', 'readonly') as prog:
        check_errno(errno.EROFS, os.mkdir, os.path.join(prog.mnt, 'd'))
        check_eq(os.listdir(prog.mnt), [])
        prog.stop()


@test
def mount_ram_with_layers_outermost_first():
    if not {'monitor', 'readonly'} <= set(layers()):
        raise Skip('the monitor and readonly layers are not built here')
    log = os.path.join(tmpdir('monitor'), 'access.jsonl')
    # monitor over readonly: monitor sees the mkdir that readonly refuses.
    with Program('-l', 'monitor:log=%s,flush=line' % log,
                 '-l', 'readonly') as prog:
        check_errno(errno.EROFS, os.mkdir, os.path.join(prog.mnt, 'd'))
        prog.stop()
    with open(log) as f:
        lines = [json.loads(line) for line in f]
    mkdirs = [x for x in lines if x.get('op') == 'mkdir']
    check_eq(len(mkdirs), 1, lines)
    check_eq(mkdirs[0].get('result'), -errno.EROFS, mkdirs)


@test
def layer_over_a_python_filesystem():
    if 'readonly' not in layers():
        raise Skip('the readonly layer is not built in this tree')
    sys.path.insert(0, EXAMPLES)
    import memfs
    fs = memfs.MemFS()
    stack = fs.stack_layer('readonly')
    check(stack.get_next() is fs)
    with mounted(stack) as (m, p):
        check_eq(os.listdir(p), [])
        check_errno(errno.EROFS, os.mkdir, os.path.join(p, 'd'))
        check_errno(errno.EROFS, open, os.path.join(p, 'f'), 'w')
        # Served by a Python thread: the stack holds a Python backend.
        import threading
        check(any(t.name.startswith('vfsd-worker')
                  for t in threading.enumerate()))


@test
def hook_layers_over_a_python_filesystem():
    if not {'monitor', 'stats'} <= set(layers()):
        raise Skip('the monitor and stats layers are not built here')
    sys.path.insert(0, EXAMPLES)
    import memfs
    log = os.path.join(tmpdir('monitor'), 'access.jsonl')
    fs = memfs.MemFS()
    stack = fs.stack_layer('monitor:log=%s,flush=line' % log) \
        .stack_layer('stats')
    check_eq(stack.get_next().get_next(), fs)
    with mounted(stack) as (m, p):
        with open(os.path.join(p, 'f'), 'w') as f:
            f.write('through two layers')
        with open(os.path.join(p, 'f')) as f:
            check_eq(f.read(), 'through two layers')
        counts = json.loads(Vfsd.stats_get(stack, 'json'))['ops']
        check(counts['write']['calls'] >= 1, counts)
        check_eq(counts['write']['bytes'], len('through two layers'))
        remote = json.loads(Vfsd.stats_query(p, 'json'))['ops']
        check(remote['create']['calls'] >= 1, remote)
    with open(log) as f:
        ops = {json.loads(line)['op'] for line in f}
    check({'create', 'write', 'destroy'} <= ops, ops)


@test
def bad_layer_is_one_clear_error():
    prog = Program('-l', 'no-such-layer')
    status = prog.child.wait(20)
    check_eq(status, 1)
    check('no-such-layer' in prog.output(), prog.output())
    check('Traceback' not in prog.output(), prog.output())
    check(not is_mounted(prog.mnt))


sys.exit(run_all())
