# SPDX-License-Identifier: LGPL-2.1-or-later
"""POSIX checks against examples/python/memfs.py mounted in this process
(the applicable part of a conformance battery: files, directories, links,
rename, truncate, times, xattrs, statfs), and memfs.py run as a program."""
import ctypes
import errno
import os
import random
import signal
import stat
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vfsdtest import (Vfsd, test, run_all, check, check_eq,  # noqa: E402
                      check_errno, mounted, spawn, python_argv, tmpdir,
                      wait_for, is_mounted, force_unmount, EXAMPLES)

sys.path.insert(0, EXAMPLES)
import memfs  # noqa: E402

_libc = ctypes.CDLL(None, use_errno=True)
AT_FDCWD = -100
RENAME_NOREPLACE, RENAME_EXCHANGE = 1, 2


def renameat2(old, new, flags):
    if _libc.renameat2(AT_FDCWD, os.fsencode(old), AT_FDCWD,
                       os.fsencode(new), flags) != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))


M = None        # (mount, path) of the memfs all checks share


def P(*names):
    return os.path.join(M[1], *names)


def fresh(name):
    """A new empty directory for one check."""
    d = P(name)
    os.mkdir(d)
    return d


def write(path, data, mode='wb'):
    with open(path, mode) as f:
        f.write(data)


def read(path):
    with open(path, 'rb') as f:
        return f.read()


@test
def files_create_write_read():
    d = fresh('files')
    f = os.path.join(d, 'a')
    write(f, b'hello')
    check_eq(read(f), b'hello')
    write(f, b' world', 'ab')
    check_eq(read(f), b'hello world')
    with open(f, 'r+b') as fh:
        fh.seek(6)
        fh.write(b'W')
    check_eq(read(f), b'hello World')
    write(f, b'new')                           # O_TRUNC
    check_eq(read(f), b'new')
    check_errno(errno.EEXIST, os.open, f, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    st = os.stat(f)
    check(stat.S_ISREG(st.st_mode))
    check_eq((st.st_size, st.st_nlink, st.st_uid), (3, 1, os.getuid()))
    check_errno(errno.ENOENT, os.stat, os.path.join(d, 'missing'))
    check_errno(errno.ENOTDIR, os.stat, os.path.join(f, 'x'))


@test
def sparse_writes_and_truncate():
    f = os.path.join(fresh('sparse'), 's')
    fd = os.open(f, os.O_CREAT | os.O_RDWR, 0o644)
    try:
        os.pwrite(fd, b'end', 10000)
        check_eq(os.fstat(fd).st_size, 10003)
        check_eq(os.pread(fd, 10, 0), bytes(10))
        check_eq(os.pread(fd, 3, 10000), b'end')
        os.ftruncate(fd, 5)
        check_eq(os.fstat(fd).st_size, 5)
        os.ftruncate(fd, 20)
        check_eq(os.pread(fd, 100, 0), bytes(20))
    finally:
        os.close(fd)
    os.truncate(f, 0)
    check_eq(os.stat(f).st_size, 0)


@test
def large_file_random_access():
    f = os.path.join(fresh('large'), 'big')
    rnd = random.Random(4)
    data = bytearray(rnd.getrandbits(8) for _ in range(1 << 16)) * 64  # 4 MiB
    write(f, data)
    check_eq(os.stat(f).st_size, len(data))
    check(read(f) == data, 'content differs')
    fd = os.open(f, os.O_RDWR)
    try:
        for _ in range(50):
            off = rnd.randrange(len(data) - 5000)
            n = rnd.randrange(1, 5000)
            check_eq(os.pread(fd, n, off), bytes(data[off:off + n]))
            patch = bytes(rnd.getrandbits(8) for _ in range(100))
            os.pwrite(fd, patch, off)
            data[off:off + 100] = patch
    finally:
        os.close(fd)
    check(read(f) == data, 'content differs after patches')


@test
def directories():
    d = fresh('dirs')
    os.mkdir(os.path.join(d, 'sub'))
    os.mkdir(os.path.join(d, 'sub', 'deeper'))
    check_errno(errno.EEXIST, os.mkdir, os.path.join(d, 'sub'))
    check_eq(os.stat(d).st_nlink, 3)
    check_eq(os.stat(os.path.join(d, 'sub')).st_nlink, 3)
    write(os.path.join(d, 'sub', 'f'), b'x')
    check_eq(sorted(os.listdir(os.path.join(d, 'sub'))), ['deeper', 'f'])
    check_errno(errno.ENOTEMPTY, os.rmdir, os.path.join(d, 'sub'))
    check_errno(errno.ENOTDIR, os.rmdir, os.path.join(d, 'sub', 'f'))
    check_errno(errno.EISDIR, os.unlink, os.path.join(d, 'sub', 'deeper'))
    check_eq(os.stat(os.path.join(d, 'sub', 'deeper', '..')).st_ino,
             os.stat(os.path.join(d, 'sub')).st_ino)
    os.rmdir(os.path.join(d, 'sub', 'deeper'))
    os.unlink(os.path.join(d, 'sub', 'f'))
    os.rmdir(os.path.join(d, 'sub'))
    check_eq(os.listdir(d), [])
    check_eq(os.stat(d).st_nlink, 2)


@test
def many_entries_and_stable_listing():
    d = fresh('many')
    names = ['n%04d' % i for i in range(1500)]
    for n in names:
        os.close(os.open(os.path.join(d, n), os.O_CREAT | os.O_WRONLY, 0o644))
    check_eq(sorted(os.listdir(d)), names)
    # Deleting while listing neither skips nor repeats what remains.
    seen = []
    with os.scandir(d) as it:
        for e in it:
            seen.append(e.name)
            os.unlink(e.path)
    check_eq(sorted(seen), names)
    check_eq(os.listdir(d), [])


@test
def symlinks():
    d = fresh('links')
    write(os.path.join(d, 'target'), b'via link')
    os.symlink('target', os.path.join(d, 'l'))
    os.symlink('nowhere', os.path.join(d, 'dangling'))
    os.symlink('ünïcödé-ziel', os.path.join(d, 'u'))
    check_eq(os.readlink(os.path.join(d, 'l')), 'target')
    check_eq(read(os.path.join(d, 'l')), b'via link')
    st = os.lstat(os.path.join(d, 'l'))
    check(stat.S_ISLNK(st.st_mode))
    check_eq(st.st_size, len('target'))
    check_eq(os.lstat(os.path.join(d, 'u')).st_size,
             len('ünïcödé-ziel'.encode()))
    check_errno(errno.ENOENT, os.stat, os.path.join(d, 'dangling'))
    check_errno(errno.EEXIST, os.symlink, 'x', os.path.join(d, 'l'))


@test
def hard_links():
    d = fresh('hard')
    a, b = os.path.join(d, 'a'), os.path.join(d, 'b')
    write(a, b'shared')
    os.link(a, b)
    check_eq(os.stat(a).st_nlink, 2)
    check_eq(os.stat(a).st_ino, os.stat(b).st_ino)
    write(b, b'changed', 'r+b')
    check_eq(read(a), b'changed')
    os.unlink(a)
    check_eq(os.stat(b).st_nlink, 1)
    check_eq(read(b), b'changed')
    check_errno(errno.EEXIST, os.link, b, b)


@test
def unlinked_open_file_keeps_its_data():
    d = fresh('unlinked')
    f = os.path.join(d, 'f')
    write(f, b'still here')
    fd = os.open(f, os.O_RDWR)
    try:
        os.unlink(f)
        check_errno(errno.ENOENT, os.stat, f)
        check_eq(os.pread(fd, 100, 0), b'still here')
        os.pwrite(fd, b'!', 10)
        check_eq(os.fstat(fd).st_size, 11)
    finally:
        os.close(fd)


@test
def rename_rules():
    d = fresh('rename')
    x, y = os.path.join(d, 'x'), os.path.join(d, 'y')
    write(x, b'X')
    write(y, b'Y')
    os.rename(x, y)                             # replaces
    check_eq(read(y), b'X')
    check_errno(errno.ENOENT, os.stat, x)
    write(x, b'X2')
    check_errno(errno.EEXIST, renameat2, x, y, RENAME_NOREPLACE)
    renameat2(x, y, RENAME_EXCHANGE)
    check_eq((read(x), read(y)), (b'X', b'X2'))
    check_errno(errno.ENOENT, renameat2, x, os.path.join(d, 'none'),
                RENAME_EXCHANGE)
    os.mkdir(os.path.join(d, 'd1'))
    os.mkdir(os.path.join(d, 'd2'))
    write(os.path.join(d, 'd2', 'f'), b'')
    check_errno(errno.ENOTEMPTY, os.rename, os.path.join(d, 'd1'),
                os.path.join(d, 'd2'))
    check_errno(errno.EISDIR, os.rename, x, os.path.join(d, 'd1'))
    check_errno(errno.ENOTDIR, os.rename, os.path.join(d, 'd1'), x)
    # A directory moved to another parent: link counts and '..' follow.
    os.rename(os.path.join(d, 'd1'), os.path.join(d, 'd2', 'd1'))
    check_eq(os.stat(os.path.join(d, 'd2')).st_nlink, 3)
    check_eq(os.stat(os.path.join(d, 'd2', 'd1', '..')).st_ino,
             os.stat(os.path.join(d, 'd2')).st_ino)
    check_eq(sorted(os.listdir(d)), ['d2', 'x', 'y'])
    # Exchange a file and a directory across directories.
    renameat2(x, os.path.join(d, 'd2', 'd1'), RENAME_EXCHANGE)
    check(stat.S_ISDIR(os.stat(x).st_mode))
    check_eq(read(os.path.join(d, 'd2', 'd1')), b'X')
    check_eq(os.stat(os.path.join(x, '..')).st_ino, os.stat(d).st_ino)
    os.rename(y, y)                             # the same name: nothing


@test
def attributes_and_times():
    f = os.path.join(fresh('attrs'), 'f')
    write(f, b'abc')
    os.chmod(f, 0o640)
    check_eq(stat.S_IMODE(os.stat(f).st_mode), 0o640)
    os.chown(f, 1234, 5678)
    st = os.stat(f)
    check_eq((st.st_uid, st.st_gid), (1234, 5678))
    os.utime(f, ns=(1_000_000_001, 2_000_000_002))
    st = os.stat(f)
    check_eq((st.st_atime_ns, st.st_mtime_ns), (1_000_000_001, 2_000_000_002))
    before = os.stat(f).st_ctime_ns
    time.sleep(0.01)
    os.chmod(f, 0o600)
    check(os.stat(f).st_ctime_ns > before, 'ctime did not change')
    m0 = os.stat(f).st_mtime_ns
    write(f, b'more', 'ab')
    check(os.stat(f).st_mtime_ns > m0, 'mtime did not change')


@test
def special_files():
    d = fresh('special')
    os.mkfifo(os.path.join(d, 'fifo'))
    check(stat.S_ISFIFO(os.stat(os.path.join(d, 'fifo')).st_mode))
    os.mknod(os.path.join(d, 'null'), stat.S_IFCHR | 0o666, os.makedev(1, 3))
    st = os.stat(os.path.join(d, 'null'))
    check(stat.S_ISCHR(st.st_mode))
    check_eq(st.st_rdev, os.makedev(1, 3))


@test
def extended_attributes():
    f = os.path.join(fresh('xattr'), 'f')
    write(f, b'')
    check_eq(os.listxattr(f), [])
    check_errno(errno.ENODATA, os.getxattr, f, 'user.none')
    os.setxattr(f, 'user.a', b'1')
    os.setxattr(f, 'user.empty', b'')
    os.setxattr(f, 'user.big', b'z' * 65536)
    check_eq(os.getxattr(f, 'user.a'), b'1')
    check_eq(os.getxattr(f, 'user.empty'), b'')
    check_eq(len(os.getxattr(f, 'user.big')), 65536)
    check_eq(sorted(os.listxattr(f)), ['user.a', 'user.big', 'user.empty'])
    check_errno(errno.EEXIST, os.setxattr, f, 'user.a', b'2',
                os.XATTR_CREATE)
    check_errno(errno.ENODATA, os.setxattr, f, 'user.b', b'2',
                os.XATTR_REPLACE)
    os.setxattr(f, 'user.a', b'2', os.XATTR_REPLACE)
    check_eq(os.getxattr(f, 'user.a'), b'2')
    os.removexattr(f, 'user.a')
    check_errno(errno.ENODATA, os.removexattr, f, 'user.a')
    d = os.path.dirname(f)
    os.setxattr(d, 'user.ondir', b'd')
    check_eq(os.getxattr(d, 'user.ondir'), b'd')
    # The size protocol (ask for the length, then too small a buffer).
    buf = ctypes.create_string_buffer(4)
    n = _libc.getxattr(os.fsencode(f), b'user.big', None, 0)
    check_eq(n, 65536)
    n = _libc.getxattr(os.fsencode(f), b'user.big', buf, 4)
    check_eq((n, ctypes.get_errno()), (-1, errno.ERANGE))


@test
def names():
    d = fresh('names')
    for n in ('ünïcödé', 'with space', 'x' * 255, '.hidden', 'a\nb'):
        write(os.path.join(d, n), b'n')
        check_eq(read(os.path.join(d, n)), b'n')
    check_errno(errno.ENAMETOOLONG, open, os.path.join(d, 'y' * 256), 'w')
    check_eq(len(os.listdir(d)), 5)


@test
def statfs():
    v = os.statvfs(M[1])
    check(v.f_blocks > 0 and v.f_bsize == 4096 and v.f_namemax == 255)
    check(0 < v.f_ffree < v.f_files)


@test
def concurrent_clients():
    d = fresh('concurrent')
    errors = []

    def client(i):
        try:
            sub = os.path.join(d, 'c%d' % i)
            os.mkdir(sub)
            for j in range(100):
                write(os.path.join(sub, 'f%d' % j), b'%d-%d' % (i, j))
            for j in range(100):
                check_eq(read(os.path.join(sub, 'f%d' % j)), b'%d-%d' % (i, j))
        except BaseException as e:          # reported by the main thread
            errors.append(e)

    ts = [threading.Thread(target=client, args=(i,)) for i in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    check(not errors, repr(errors[:3]))
    check_eq(len(os.listdir(d)), 4)


@test
def forget_frees_unlinked_inodes():
    fs = M[2]
    d = fresh('forget')
    for i in range(200):
        write(os.path.join(d, 'f%d' % i), b'x' * 100)
    for i in range(200):
        os.unlink(os.path.join(d, 'f%d' % i))
    # Dropping the kernel's caches sends the forgets.
    with open('/proc/sys/vm/drop_caches', 'w') as f:
        f.write('2')
    check(wait_for(lambda: all(n.nlink > 0 for n in list(fs.inodes.values())),
                   5), 'unlinked inodes were not freed')


@test
def memfs_as_a_program():
    mnt = tmpdir()
    log = os.path.join(tmpdir('log'), 'out')
    child = spawn(python_argv(os.path.join(EXAMPLES, 'memfs.py'), mnt),
                  stdout=log, stderr=log)
    try:
        check(wait_for(lambda: is_mounted(mnt) or child.poll() is not None,
                       20), 'memfs.py did not mount')
        write(os.path.join(mnt, 'f'), b'from outside')
        os.mkdir(os.path.join(mnt, 'd'))
        check_eq(read(os.path.join(mnt, 'f')), b'from outside')
        child.signal(signal.SIGINT)
        check_eq(child.wait(10), 0)
        check(not is_mounted(mnt))
    finally:
        child.close()
        if is_mounted(mnt):
            force_unmount(mnt)


def main():
    global M
    fs = memfs.MemFS()
    with mounted(fs) as (m, p):
        M = (m, p, fs)
        status = run_all()
    return status


sys.exit(main())
