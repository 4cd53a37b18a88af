# SPDX-License-Identifier: LGPL-2.1-or-later
"""Every virtual method of Vfsd.Filesystem reached from a real mount: a
Python file system that records its calls, driven by system calls.  (bmap
is only sent for block-device mounts; tests/gobject reaches it directly.)"""
import errno
import fcntl
import os
import select
import stat
import struct
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vfsdtest import (Vfsd, GLib, test, run_all, check, check_eq,  # noqa: E402
                      check_errno, mounted, wait_for, EXAMPLES)

sys.path.insert(0, EXAMPLES)
import memfs  # noqa: E402

IOCTL_REVERSE = (3 << 30) | (8 << 16) | (ord('V') << 8) | 1   # _IOWR('V', 1, u64)


class Everything(memfs.MemFS):
    """memfs plus every operation memfs leaves to the library, recording
    which methods were called."""

    def __init__(self):
        super().__init__()
        self.calls = set()
        self.lock = threading.Lock()
        self.notifier = None
        self.ready = False
        self.locks = {}
        self.released = []

    def seen(self, name):
        with self.lock:
            self.calls.add(name)

    def do_init(self, init):
        self.seen('init')
        check(init.mount is not None, 'init.mount')
        check(self.get_mount() is not None, 'get_mount in init')
        r = memfs.MemFS.do_init(self, init)
        # This class keeps state per open file (do_open, do_release): the
        # kernel must ask, so NO_OPEN, which memfs asks for, is off.
        init.caps &= ~Vfsd.Caps.NO_OPEN
        return r

    def do_destroy(self):
        self.seen('destroy')

    def do_open(self, ino, info):
        self.seen('open')
        info.fh = 1000 + ino

    def do_create(self, parent, name, mode, info):
        self.seen('create')
        entry = memfs.MemFS.do_create(self, parent, name, mode, info)
        info.fh = 1000 + entry.ino
        return entry

    def do_release(self, ino, fh, flags):
        self.seen('release')
        self.released.append((ino, fh))

    def do_flush(self, ino, fh, owner):
        self.seen('flush')

    def do_fsync(self, ino, fh, datasync):
        self.seen('fsync')

    def do_opendir(self, ino, info):
        self.seen('opendir')
        info.fh = 7

    def do_releasedir(self, ino, fh):
        self.seen('releasedir')
        check_eq(fh, 7)

    def do_fsyncdir(self, ino, fh, datasync):
        self.seen('fsyncdir')

    def do_access(self, ino, mask):
        self.seen('access')
        if mask & os.X_OK and not self.inodes[ino].mode & 0o111:
            raise Vfsd.Error(errno.EACCES)

    def do_fallocate(self, ino, fh, mode, offset, length):
        self.seen('fallocate')
        data = self.inodes[ino].data
        if offset + length > len(data):
            data.extend(bytes(offset + length - len(data)))
        self.inodes[ino].changed()

    def do_lseek(self, ino, fh, offset, whence):
        self.seen('lseek')
        size = len(self.inodes[ino].data)
        if offset >= size:
            raise Vfsd.Error(errno.ENXIO)
        return offset if whence == os.SEEK_DATA else size

    def do_copy_file_range(self, ino_in, fh_in, off_in, ino_out, fh_out,
                           off_out, length, flags):
        self.seen('copy_file_range')
        chunk = bytes(self.inodes[ino_in].data[off_in:off_in + length])
        return self.do_write(ino_out, fh_out, chunk, off_out, 0)

    def do_getlk(self, ino, fh, owner, lock):
        self.seen('getlk')
        held = self.locks.get(ino)
        if held and held[0] != owner:
            lock.type, lock.start, lock.len, lock.pid = held[1], 0, 0, 4242
        else:
            lock.type = fcntl.F_UNLCK

    def do_setlk(self, ino, fh, owner, lock, sleep):
        self.seen('setlk')
        if lock.type == fcntl.F_UNLCK:
            self.locks.pop(ino, None)
        else:
            self.locks[ino] = (owner, lock.type)

    def do_flock(self, ino, fh, owner, op):
        self.seen('flock')

    def do_bmap(self, ino, blocksize, block):
        self.seen('bmap')
        return block

    def do_ioctl(self, ino, fh, cmd, data, out_size):
        self.seen('ioctl')
        if cmd != IOCTL_REVERSE:
            raise Vfsd.Error(errno.ENOTTY)
        return 0, data[::-1]

    def do_poll(self, ino, fh, events, notifier):
        self.seen('poll')
        if self.ready:
            return select.POLLIN
        if notifier is not None:
            self.notifier = notifier
        return 0


def _record_super(name):
    def method(self, *args):
        self.seen(name)
        return getattr(memfs.MemFS, 'do_' + name)(self, *args)
    method.__name__ = 'do_' + name
    return method


# memfs's own operations, recorded: defined in a class body, as PyGObject
# wants.
Recorded = type('Recorded', (Everything,), {
    'do_' + n: _record_super(n) for n in (
        'lookup', 'forget', 'getattr', 'setattr', 'readlink', 'mknod',
        'mkdir', 'unlink', 'rmdir', 'symlink', 'rename', 'link', 'read', 'write', 'readdir', 'statfs', 'setxattr', 'getxattr',
        'listxattr', 'removexattr')})

ALL = ('init destroy lookup forget getattr setattr readlink mknod mkdir '
       'unlink rmdir symlink rename link open create read write flush '
       'release fsync opendir readdir releasedir fsyncdir statfs setxattr '
       'getxattr listxattr removexattr access fallocate lseek '
       'copy_file_range getlk setlk flock ioctl poll').split()


def exercise(fs, p):
    f = os.path.join(p, 'f')
    with open(f, 'wb') as fh:                  # create, write, flush, release
        fh.write(b'0123456789')
        fh.flush()
        os.fsync(fh.fileno())                  # fsync
    check_eq(os.stat(f).st_size, 10)           # lookup / getattr
    os.stat(p)
    with open(f, 'rb') as fh:                  # open, read
        check_eq(fh.read(), b'0123456789')
    os.chmod(f, 0o600)                         # setattr
    check_eq(stat.S_IMODE(os.stat(f).st_mode), 0o600)
    os.symlink('f', os.path.join(p, 'l'))      # symlink
    check_eq(os.readlink(os.path.join(p, 'l')), 'f')   # readlink
    os.mkfifo(os.path.join(p, 'fifo'))         # mknod
    os.mkdir(os.path.join(p, 'd'))             # mkdir
    os.link(f, os.path.join(p, 'd', 'hard'))   # link
    os.rename(os.path.join(p, 'd', 'hard'), os.path.join(p, 'hard2'))
    os.unlink(os.path.join(p, 'hard2'))        # unlink
    check_eq(sorted(os.listdir(p)), ['d', 'f', 'fifo', 'l'])  # opendir...
    fd = os.open(os.path.join(p, 'd'), os.O_RDONLY | os.O_DIRECTORY)
    os.fsync(fd)                               # fsyncdir
    os.close(fd)
    os.rmdir(os.path.join(p, 'd'))             # rmdir
    check(os.statvfs(p).f_blocks > 0)          # statfs
    os.setxattr(f, 'user.k', b'v')             # setxattr
    check_eq(os.getxattr(f, 'user.k'), b'v')   # getxattr
    check_eq(os.listxattr(f), ['user.k'])      # listxattr
    os.removexattr(f, 'user.k')                # removexattr
    check(os.access(f, os.R_OK))               # access (nodefault_permissions)
    check(not os.access(f, os.X_OK))
    fd = os.open(f, os.O_RDWR)
    try:
        os.posix_fallocate(fd, 0, 100)         # fallocate
        check_eq(os.fstat(fd).st_size, 100)
        check_eq(os.lseek(fd, 5, os.SEEK_DATA), 5)  # lseek
        check_eq(os.lseek(fd, 5, os.SEEK_HOLE), 100)
        g = os.open(os.path.join(p, 'g'), os.O_RDWR | os.O_CREAT, 0o644)
        check_eq(os.copy_file_range(fd, g, 4, 0, 0), 4)  # copy_file_range
        os.close(g)
        with open(os.path.join(p, 'g'), 'rb') as gh:
            check_eq(gh.read(), b'0123')
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)   # setlk
        q = struct.pack('hhqqi', fcntl.F_WRLCK, os.SEEK_SET, 0, 0, 0)
        r = struct.unpack('hhqqi', fcntl.fcntl(fd, fcntl.F_GETLK, q))  # getlk
        check_eq(r[0], fcntl.F_UNLCK, 'own lock does not conflict')
        fcntl.lockf(fd, fcntl.LOCK_UN)
        fcntl.flock(fd, fcntl.LOCK_EX)         # flock
        fcntl.flock(fd, fcntl.LOCK_UN)
        out = fcntl.ioctl(fd, IOCTL_REVERSE, b'abcdefgh')   # ioctl
        check_eq(out, b'hgfedcba')
        check_errno(errno.ENOTTY, fcntl.ioctl, fd, IOCTL_REVERSE + 1, b'x' * 8)
        poll_with_notifier(fs, fd)             # poll
    finally:
        os.close(fd)


def poll_with_notifier(fs, fd):
    result = []
    fs.ready = False

    def waiter():
        pl = select.poll()
        pl.register(fd, select.POLLIN)
        result.append(pl.poll(5000))

    t = threading.Thread(target=waiter)
    t.start()
    check(wait_for(lambda: fs.notifier is not None, 5), 'no notifier kept')
    fs.ready = True
    fs.notifier.notify()
    t.join(6)
    check(not t.is_alive(), 'poll did not wake up')
    check(result and result[0] and result[0][0][1] & select.POLLIN,
          'poll result %r' % result)


@test
def every_vfunc_is_reached():
    fs = Recorded()
    with mounted(fs, 'nodefault_permissions') as (m, p):
        exercise(fs, p)
        check(wait_for(lambda: 'release' in fs.calls, 5))
    check(all(fh == 1000 + ino for ino, fh in fs.released),
          'release got other handles than open and create gave: %r'
          % fs.released)
    missing = [op for op in ALL if op not in fs.calls]
    check(not missing, 'never called: %s' % ' '.join(missing))
    extra = fs.calls - set(ALL)
    check(not extra, 'unexpected: %s' % extra)


@test
def caller_and_interrupted():
    seen = []

    class Who(memfs.MemFS):
        def do_mkdir(self, parent, name, mode):
            seen.append((self.caller(), self.is_interrupted(),
                         self.caller_in_group(os.getgid())))
            return memfs.MemFS.do_mkdir(self, parent, name, mode)

    with mounted(Who()) as (m, p):
        os.mkdir(os.path.join(p, 'x'), 0o700)
        check_eq(os.stat(os.path.join(p, 'x')).st_uid, os.getuid())
    caller, interrupted, in_group = seen[0]
    check_eq((caller.uid, caller.gid), (os.getuid(), os.getgid()))
    check(caller.pid > 0)
    check(interrupted is False)
    check(in_group is True)


@test
def kept_filler_is_dead():
    kept = []

    class Keep(memfs.MemFS):
        def do_readdir(self, ino, fh, offset, filler):
            kept.append(filler)
            return memfs.MemFS.do_readdir(self, ino, fh, offset, filler)

        def do_getattr(self, ino, fh):
            # A filler used after its readdir() refuses every entry.
            for f in kept:
                check(f.add('late', 99, stat.S_IFREG, 100) is False)
            return memfs.MemFS.do_getattr(self, ino, fh)

    with mounted(Keep(), 'attr_timeout=0') as (m, p):
        os.listdir(p)
        os.stat(p)
    check(kept, 'readdir was not called')
    for f in kept:
        check(f.add('late', 99, stat.S_IFREG, 100) is False)


@test
def readdirplus_entries():
    class Plus(memfs.MemFS):
        def do_readdir(self, ino, fh, offset, filler):
            d = self.dir(ino)
            names = [('.', ino), ('..', d.parent)] + list(d.children.items())
            for i in range(offset, len(names)):
                name, child = names[i]
                node = self.inodes[child]
                if filler.wants_entries() and name not in ('.', '..'):
                    ok = filler.add_entry(name, Vfsd.Entry(node.getattr()), i + 1)
                else:
                    ok = filler.add(name, child, node.mode, i + 1)
                if not ok:
                    break

    fs = Plus()
    with mounted(fs, 'readdirplus=yes') as (m, p):
        for i in range(50):
            open(os.path.join(p, 'f%02d' % i), 'w').close()
        check_eq(len(os.listdir(p)), 50)
        check_eq(os.stat(os.path.join(p, 'f07')).st_size, 0)


@test
def many_entries_continue_at_offsets():
    with mounted(memfs.MemFS()) as (m, p):
        names = ['file-with-a-long-name-%05d' % i for i in range(3000)]
        for n in names:
            os.mknod(os.path.join(p, n), stat.S_IFREG | 0o644)
        check_eq(sorted(os.listdir(p)), names)


@test
def notifications_from_inside():
    class Notify(memfs.MemFS):
        def do_setxattr(self, ino, name, value, flags):
            m = self.get_mount()
            check(m is not None)
            check_eq(m.notify_inval_inode(ino, -1, 0), 0)
            return memfs.MemFS.do_setxattr(self, ino, name, value, flags)

    with mounted(Notify()) as (m, p):
        f = os.path.join(p, 'n')
        open(f, 'w').close()
        os.setxattr(f, 'user.a', b'1')
        check_eq(os.getxattr(f, 'user.a'), b'1')


sys.exit(run_all())
