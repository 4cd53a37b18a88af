# SPDX-License-Identifier: LGPL-2.1-or-later
"""Helpers for the Python suites: TAP output, mount points that always come
down, child processes started with posix_spawn, and the environment of an
uninstalled build (set by `make check`, see bindings/local.mk).

With the --enable-sanitizers build, the sanitized libvfsd needs the ASan
runtime loaded first: the first import of this module re-executes the test
with LD_PRELOAD set (bindings/local.mk sets VFSD_ASAN_RUNTIME to the
runtime in that build only).
"""
import os
import sys

if (os.environ.get('VFSD_ASAN_RUNTIME')
        and 'libasan' not in os.environ.get('LD_PRELOAD', '')):
    os.environ['LD_PRELOAD'] = os.environ['VFSD_ASAN_RUNTIME']
    # The interpreter does not free what lives until exit, so leak checking
    # a Python process reports Python, not libvfsd: memory errors are
    # checked here, leaks by tests/gobject and valgrind (doc/python.md).
    os.environ['ASAN_OPTIONS'] = (os.environ.get('ASAN_OPTIONS', '')
                                  + ':detect_leaks=0').lstrip(':')
    os.execv(sys.executable, [sys.executable] + sys.argv)

import contextlib
import errno
import signal
import subprocess
import tempfile
import time
import traceback

import gi
gi.require_version('Vfsd', '1.0')
from gi.repository import GLib, Vfsd  # noqa: E402

TOP_SRCDIR = os.environ.get('top_srcdir') or os.path.abspath(
    os.path.join(os.path.dirname(__file__), '..', '..'))
TOP_BUILDDIR = os.environ.get('top_builddir') or TOP_SRCDIR
EXAMPLES = os.path.join(TOP_SRCDIR, 'examples', 'python')


# ---- TAP --------------------------------------------------------------------

_tests = []


def test(fn):
    """Registers a test function; run_all() runs them in order."""
    _tests.append(fn)
    return fn


class Skip(Exception):
    pass


def run_all():
    """Runs every registered test, printing TAP.  Exit status 1 if any
    failed."""
    print('1..%d' % len(_tests), flush=True)
    failed = 0
    for i, fn in enumerate(_tests, 1):
        name = fn.__name__
        try:
            fn()
        except Skip as s:
            print('ok %d - %s # SKIP %s' % (i, name, s), flush=True)
            continue
        except BaseException:
            failed += 1
            print('not ok %d - %s' % (i, name), flush=True)
            for line in traceback.format_exc().splitlines():
                print('# ' + line, flush=True)
            continue
        print('ok %d - %s' % (i, name), flush=True)
    sys.stdout.flush()
    return 1 if failed else 0


def skip_all(reason):
    print('1..0 # SKIP %s' % reason, flush=True)
    sys.exit(0)


def check(cond, msg='check failed'):
    if not cond:
        raise AssertionError(msg)


def check_eq(a, b, msg=''):
    if a != b:
        raise AssertionError('%r != %r %s' % (a, b, msg))


def check_errno(expected, fn, *args, **kwargs):
    """Runs fn(*args) and checks it fails with OSError `expected`."""
    try:
        fn(*args, **kwargs)
    except OSError as e:
        if e.errno != expected:
            raise AssertionError('%s: errno %s (%s), expected %s' % (
                getattr(fn, '__name__', fn), errno.errorcode.get(e.errno),
                e, errno.errorcode.get(expected)))
        return
    raise AssertionError('%s succeeded, expected %s' % (
        getattr(fn, '__name__', fn), errno.errorcode.get(expected)))


# ---- mounts -----------------------------------------------------------------

def tmpdir(tag='mnt'):
    return tempfile.mkdtemp(prefix=tag + '.')


def is_mounted(path):
    path = os.path.realpath(path)
    with open('/proc/self/mounts') as f:
        for line in f:
            fields = line.split()
            if len(fields) >= 3 and fields[1] == path and \
                    fields[2].startswith('fuse'):
                return True
    return False


def force_unmount(path):
    for args in (['-u'], ['-uz']):
        if not is_mounted(path):
            return True
        spawn(['fusermount3'] + args + [path]).wait(10)
    return not is_mounted(path)


@contextlib.contextmanager
def mounted(backend, options='', path=None):
    """Mounts `backend` in this process at a fresh directory; always
    unmounts (falling back to fusermount3) and removes the directory."""
    path = path or tmpdir()
    m = Vfsd.Mount.new(backend, path, options)
    m.start()
    try:
        yield m, path
    finally:
        m.unmount()
        ended = m.join(10)
        if not ended or is_mounted(path):
            force_unmount(path)
            raise AssertionError('mount at %s did not end' % path)
        with contextlib.suppress(OSError):
            os.rmdir(path)


# ---- children ---------------------------------------------------------------

class Child:
    """A process started with posix_spawn (no fork while a mount is live in
    this process); killed and reaped by close() if still running."""

    def __init__(self, argv, stdout=None, stderr=None, env=None):
        actions = []
        self.out_path = stdout
        if stdout:
            actions.append((os.POSIX_SPAWN_OPEN, 1, stdout,
                            os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644))
        if stderr:
            actions.append((os.POSIX_SPAWN_OPEN, 2, stderr,
                            os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644))
        self.pid = os.posix_spawnp(argv[0], argv, env or os.environ,
                                   file_actions=actions)
        self.status = None

    def poll(self):
        if self.status is None:
            pid, st = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = os.waitstatus_to_exitcode(st)
        return self.status

    def wait(self, timeout=None):
        """Exit code (negative: killed by that signal), or None on timeout."""
        end = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if end is not None and time.monotonic() > end:
                return None
            time.sleep(0.005)
        return self.status

    def signal(self, sig):
        if self.poll() is None:
            os.kill(self.pid, sig)

    def close(self):
        if self.poll() is None:
            os.kill(self.pid, signal.SIGKILL)
            self.wait()


def spawn(argv, **kw):
    return Child(argv, **kw)


def python_argv(script, *args):
    return [sys.executable, script] + list(args)


def wait_for(pred, timeout=10.0):
    end = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > end:
            return False
        time.sleep(0.005)
    return True
