# SPDX-License-Identifier: LGPL-2.1-or-later
"""Python programs that serve a mount, as separate processes: Ctrl-C
(SIGINT) and SIGTERM unmount within a second, `fusermount3 -u` ends run(),
and a process that exits with a live mount leaves no stale mount."""
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vfsdtest import (test, run_all, check, check_eq, spawn,  # noqa: E402
                      python_argv, is_mounted, force_unmount, tmpdir,
                      wait_for, EXAMPLES)

HELLO = os.path.join(EXAMPLES, 'hello.py')


class Served:
    """A child process serving a mount at a fresh directory; always reaped
    and unmounted."""

    def __init__(self, argv_for):
        self.dir = tmpdir()
        self.log = os.path.join(tmpdir('log'), 'out')
        self.child = spawn(argv_for(self.dir), stdout=self.log,
                           stderr=self.log)

    def __enter__(self):
        ok = wait_for(lambda: is_mounted(self.dir)
                      or self.child.poll() is not None, 20)
        check(ok and is_mounted(self.dir),
              'the child did not mount: %s' % self.output())
        return self

    def __exit__(self, *exc):
        self.child.close()
        if is_mounted(self.dir):
            force_unmount(self.dir)
            raise AssertionError('a stale mount was left at %s' % self.dir)

    def output(self):
        try:
            with open(self.log) as f:
                return f.read()
        except OSError:
            return ''


def end_by_signal(sig):
    with Served(lambda d: python_argv(HELLO, d)) as s:
        with open(os.path.join(s.dir, 'hello')) as f:
            check_eq(f.read(), 'Hello World!\n')
        t0 = time.monotonic()
        s.child.signal(sig)
        check(wait_for(lambda: not is_mounted(s.dir), 5))
        unmounted = time.monotonic() - t0
        status = s.child.wait(5)
        exited = time.monotonic() - t0
        check_eq(status, 0, 'exit status; output: %s' % s.output())
        check(unmounted < 1.0, 'unmounted after %.2f s' % unmounted)
        check(exited < 2.0, 'exited after %.2f s' % exited)
        print('# %s: unmounted after %.3f s, exited after %.3f s'
              % (signal.Signals(sig).name, unmounted, exited))


@test
def sigint_unmounts_within_a_second():
    end_by_signal(signal.SIGINT)


@test
def sigterm_unmounts_within_a_second():
    end_by_signal(signal.SIGTERM)


@test
def external_unmount_ends_run():
    with Served(lambda d: python_argv(HELLO, d)) as s:
        spawn(['fusermount3', '-u', s.dir]).wait(10)
        status = s.child.wait(5)
        check_eq(status, 0, 'exit status; output: %s' % s.output())


PROGRAM = r'''
import os, sys
sys.path.insert(0, %(examples)r)
import memfs
from gi.repository import Vfsd

class Marked(memfs.MemFS):
    def do_destroy(self):
        with open(%(marker)r, 'w') as f:
            f.write('destroyed')

m = Vfsd.Mount.new(Marked(), %(mnt)r, %(options)r)
m.start()
with open(os.path.join(%(mnt)r, 'x'), 'w') as f:
    f.write('data')
%(ending)s
'''


def exits_with_live_mount(ending, expect_status, options=''):
    mnt = tmpdir()
    marker = os.path.join(tmpdir('marker'), 'destroyed')
    script = os.path.join(tmpdir('script'), 'live.py')
    with open(script, 'w') as f:
        f.write(PROGRAM % dict(examples=EXAMPLES, marker=marker, mnt=mnt,
                               options=options, ending=ending))
    log = os.path.join(tmpdir('log'), 'out')
    child = spawn(python_argv(script), stdout=log, stderr=log)
    try:
        status = child.wait(30)
        with open(log) as f:
            output = f.read()
        check(status is not None, 'the program did not exit')
        check_eq(status, expect_status, 'exit status; output: %s' % output)
        check(not is_mounted(mnt), 'a stale mount was left behind')
        check(os.path.exists(marker), 'do_destroy did not run before exit')
        check('Traceback' not in output or expect_status == 1,
              'unexpected output: %s' % output)
        check('CRITICAL' not in output and 'WARNING' not in output,
              'unexpected output: %s' % output)
        return output
    finally:
        child.close()
        if is_mounted(mnt):
            force_unmount(mnt)


@test
def exit_at_the_end_of_the_program():
    exits_with_live_mount('', 0)


@test
def exit_with_sys_exit():
    exits_with_live_mount('sys.exit(3)', 3)


@test
def exit_with_an_uncaught_exception():
    out = exits_with_live_mount('raise RuntimeError("oops")', 1)
    check('RuntimeError: oops' in out, out)


@test
def exit_with_several_python_workers():
    exits_with_live_mount('', 0, 'threads=4')


sys.exit(run_all())
