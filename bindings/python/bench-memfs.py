#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Measures examples/python/memfs.py served by a separate process: stat/s
(kernel cache on, and off so that every stat reaches Python), sequential
read MB/s (cold and warm), creates/s, small files (4 KiB) written and read
per second, and a few metadata rates.

    bindings/python/bench-memfs.py [--files N] [--mib N] [-o OPTIONS]
                                   [--server 'PROGRAM ARGS {}']

--server runs another file system the same way ({} is the mount point;
default: memfs.py), so that peers are measured under the same load.

Run from a build tree the way `make check` does (GI_TYPELIB_PATH,
LD_LIBRARY_PATH, PYTHONPATH), or with libvfsd installed.  Needs root for
dropping the page cache (cold reads); prints one line per figure.
"""
import argparse
import os
import signal
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
MEMFS = os.path.join(HERE, '..', '..', 'examples', 'python', 'memfs.py')


def mounted(path):
    with open('/proc/self/mounts') as f:
        return any(line.split()[1] == path for line in f)


class Server:
    def __init__(self, options, server=None):
        self.dir = tempfile.mkdtemp(prefix='bench-memfs.')
        if server:
            argv = [a.replace('{}', self.dir) for a in server.split()]
        else:
            argv = [sys.executable, MEMFS, self.dir] + ([options] if options else [])
        self.pid = os.posix_spawnp(argv[0], argv, os.environ)
        end = time.monotonic() + 20
        while not mounted(self.dir):
            if time.monotonic() > end:
                self.stop()
                sys.exit('memfs.py did not mount')
            time.sleep(0.01)

    def stop(self):
        os.kill(self.pid, signal.SIGINT)
        os.waitpid(self.pid, 0)
        if mounted(self.dir):       # a server that died left its mount
            os.posix_spawnp('fusermount3', ['fusermount3', '-uz', self.dir],
                            os.environ)
            time.sleep(0.5)
        os.rmdir(self.dir)


class Failed(Exception):
    pass


def rate(n, fn):
    t0 = time.perf_counter()
    try:
        fn()
    except OSError as e:
        raise Failed(str(e)) from None
    return n / (time.perf_counter() - t0)


def drop_caches():
    try:
        with open('/proc/sys/vm/drop_caches', 'w') as f:
            f.write('3')
        return True
    except OSError:
        return False


def bench(options, files, mib, server=None):
    s = Server(options, server)
    d = s.dir
    out = {}
    try:
        run_phases(d, files, mib, out)
    except Failed as e:
        out['(stopped: %s)' % e] = 0
    finally:
        s.stop()
    return out


def run_phases(d, files, mib, out):
    names = [os.path.join(d, 'f%06d' % i) for i in range(files)]

    def creates():
        for n in names:
            os.close(os.open(n, os.O_CREAT | os.O_WRONLY, 0o644))
    out['creates/s'] = rate(files, creates)

    def stats():
        for _ in range(3):
            for n in names:
                os.stat(n)
    out['stat/s'] = rate(3 * files, stats)

    small = os.path.join(d, 'small')
    os.mkdir(small)
    block = os.urandom(4096)
    snames = [os.path.join(small, 's%06d' % i) for i in range(files)]

    def small_write():
        for n in snames:
            fd = os.open(n, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o644)
            os.write(fd, block)
            os.close(fd)
    out['small files written/s'] = rate(files, small_write)
    drop_caches()

    def small_read():
        for n in snames:
            fd = os.open(n, os.O_RDONLY)
            os.read(fd, 8192)
            os.close(fd)
    out['small files read/s (cold)'] = rate(files, small_read)
    out['small files read/s (warm)'] = rate(files, small_read)

    big = os.path.join(d, 'big')
    chunk = os.urandom(1 << 20)

    def seq_write():
        fd = os.open(big, os.O_CREAT | os.O_WRONLY, 0o644)
        for _ in range(mib):
            os.write(fd, chunk)
        os.close(fd)
    out['write MB/s'] = rate(mib * 1.048576, seq_write)

    def seq_read():
        fd = os.open(big, os.O_RDONLY)
        while os.read(fd, 1 << 20):
            pass
        os.close(fd)
    if drop_caches():
        out['read MB/s (cold)'] = rate(mib * 1.048576, seq_read)
    out['read MB/s (warm)'] = rate(mib * 1.048576, seq_read)

    def renames():
        for n in names:
            os.rename(n, n + 'r')
    out['renames/s'] = rate(files, renames)

    def unlinks():
        for n in names:
            os.unlink(n + 'r')
    out['unlinks/s'] = rate(files, unlinks)



def main():
    p = argparse.ArgumentParser()
    p.add_argument('--files', type=int, default=5000)
    p.add_argument('--mib', type=int, default=256)
    p.add_argument('-o', '--options', default='')
    p.add_argument('--server', help="another file system: 'PROGRAM ARGS {}'")
    args = p.parse_args()
    print('# %s, options %r, %d files, %d MiB'
          % (args.server or 'memfs.py', args.options or '(none)',
             args.files, args.mib))
    for k, v in bench(args.options, args.files, args.mib,
                      args.server).items():
        print('%-28s %10.0f' % (k, v))
    if args.server:
        return
    # Every stat answered by Python: no kernel attribute cache.
    s = Server('attr_timeout=0,entry_timeout=0' +
               (',' + args.options if args.options else ''))
    try:
        f = os.path.join(s.dir, 'x')
        open(f, 'w').close()
        n = args.files * 2
        print('%-28s %10.0f' % ('stat/s (uncached)',
                                rate(n, lambda: [os.stat(f) for _ in range(n)])))
    finally:
        s.stop()


if __name__ == '__main__':
    main()
