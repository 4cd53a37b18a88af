# SPDX-License-Identifier: LGPL-2.1-or-later
"""Threads of a Python file system: serialized by default, parallel when it
says so, served by Python threads (threads=N), or from a GLib main loop
(attach); run() in another thread; the `exited` signal."""
import errno
import os
import stat
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vfsdtest import (Vfsd, GLib, test, run_all, check, check_eq,  # noqa: E402
                      mounted, tmpdir, wait_for, is_mounted)

N_FILES = 8


class Slow(Vfsd.Filesystem):
    """N_FILES files whose getattr takes `delay` seconds (sleeping, as an
    I/O-bound backend waits), counting how many run at once."""

    def __init__(self, delay=0.02, **kw):
        super().__init__(**kw)
        self.delay = delay
        self.lock = threading.Lock()
        self.now = self.most = self.calls = 0
        self.threads = set()

    def attr(self, ino):
        if ino == 1:
            return Vfsd.Attr(ino=1, mode=stat.S_IFDIR | 0o755, nlink=2)
        return Vfsd.Attr(ino=ino, mode=stat.S_IFREG | 0o644)

    def do_lookup(self, parent, name):
        if not name.startswith('f'):
            raise Vfsd.Error(errno.ENOENT)
        return self.attr(2 + int(name[1:]))

    def do_getattr(self, ino, fh):
        with self.lock:
            self.now += 1
            self.calls += 1
            self.most = max(self.most, self.now)
            self.threads.add(threading.get_ident())
        time.sleep(self.delay)
        with self.lock:
            self.now -= 1
        return self.attr(ino)


def hammer(p, rounds=5):
    """N_FILES clients stat their own file `rounds` times at once."""
    def client(i):
        for _ in range(rounds):
            os.stat(os.path.join(p, 'f%d' % i))
    ts = [threading.Thread(target=client, args=(i,)) for i in range(N_FILES)]
    t0 = time.monotonic()
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return time.monotonic() - t0


OPTS = 'attr_timeout=0,entry_timeout=0'


@test
def serialized_by_default():
    fs = Slow()
    check_eq(fs.get_thread_model(), Vfsd.ThreadModel.SERIALIZE_ALL)
    with mounted(fs, OPTS + ',threads=4') as (m, p):
        hammer(p)
    check(fs.calls >= N_FILES * 5, 'only %d calls' % fs.calls)
    check_eq(fs.most, 1, 'calls overlapped in a serialized backend')


@test
def parallel_backend_with_more_python_workers():
    fs = Slow(thread_model=Vfsd.ThreadModel.PARALLEL)
    with mounted(fs, OPTS + ',threads=4') as (m, p):
        took = hammer(p)
        workers = [t for t in threading.enumerate()
                   if t.name.startswith('vfsd-worker')]
        check_eq(len(workers), 4, 'Python worker threads')
    check(fs.most >= 2, 'at most %d calls at once' % fs.most)
    check(fs.most <= 4, '%d calls at once with 4 workers' % fs.most)
    check(len(fs.threads) >= 2)
    # Serialized, the calls would take calls * delay.
    check(took < fs.calls * fs.delay * 0.8,
          '%.2f s for %d calls of %.2f s' % (took, fs.calls, fs.delay))
    print('# parallel: %d calls of %.0f ms in %.2f s, %d at once'
          % (fs.calls, fs.delay * 1000, took, fs.most))


def library_threads():
    names = []
    for tid in os.listdir('/proc/self/task'):
        try:
            with open('/proc/self/task/%s/comm' % tid) as f:
                names.append(f.read().strip())
        except OSError:
            pass
    return [n for n in names if n == 'vfsd-worker']


@test
def python_backends_are_served_by_python_threads():
    fs = Slow(delay=0)
    with mounted(fs, OPTS + ',threads=3') as (m, p):
        hammer(p, 2)
        check_eq(library_threads(), [], 'library worker threads run')
        check_eq(len([t for t in threading.enumerate()
                      if t.name.startswith('vfsd-worker')]), 3)
    check(wait_for(lambda: not [t for t in threading.enumerate()
                                if t.name.startswith('vfsd-worker')], 5),
          'workers did not return')


@test
def attached_to_a_main_loop():
    fs = Slow(delay=0)
    ctx = GLib.MainContext.new()
    p = tmpdir()
    m = Vfsd.Mount.new(fs, p, OPTS)
    m.attach(ctx)
    stop = threading.Event()

    def loop():     # this thread serves; it never touches the mount
        while not stop.is_set():
            ctx.iteration(True)

    t = threading.Thread(target=loop)
    t.start()
    try:
        os.stat(os.path.join(p, 'f1'))
        check(fs.calls > 0)
        check_eq(fs.threads, {t.ident}, 'served from the loop thread')
    finally:
        m.unmount()
        m.join(10)
        stop.set()
        ctx.wakeup()
        t.join(5)
    check(not is_mounted(p))


@test
def run_in_another_thread():
    fs = Slow(delay=0)
    p = tmpdir()
    m = Vfsd.Mount.new(fs, p, OPTS)
    t = threading.Thread(target=m.run)
    t.start()
    try:
        check(wait_for(lambda: is_mounted(p), 10))
        os.stat(os.path.join(p, 'f2'))
    finally:
        m.unmount()
        t.join(10)
    check(not t.is_alive(), 'run() did not return')
    check(not is_mounted(p))


@test
def exited_signal():
    fs = Slow(delay=0)
    p = tmpdir()
    got = []
    with mounted(fs, OPTS, path=p) as (m, _):
        m.connect('exited', lambda mount, status: got.append(
            (threading.get_ident(), status)))
        os.stat(os.path.join(p, 'f3'))
        m.unmount()
        m.join(10)
        ctx = GLib.MainContext.default()
        end = time.monotonic() + 5
        while not got and time.monotonic() < end:
            ctx.iteration(False)
            time.sleep(0.005)
    check_eq(got, [(threading.get_ident(), 0)])


sys.exit(run_all())
