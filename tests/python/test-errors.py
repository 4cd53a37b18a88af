# SPDX-License-Identifier: LGPL-2.1-or-later
"""Errors from a Python file system, through a real mount: errnos arrive
intact, other exceptions become EIO (the mount keeps serving, SystemExit
does not end the process), results of the wrong shape become EIO and never
crash."""
import errno
import logging
import os
import stat
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vfsdtest import (Vfsd, GLib, test, run_all, check, check_eq,  # noqa: E402
                      check_errno, mounted)

from gi.repository import Gio  # noqa: E402

FILE, LINK = 2, 3


class Faulty(Vfsd.Filesystem):
    """One directory with one file, "f".  `on[op]`, when set, replaces the
    answer of that operation."""

    def __init__(self):
        super().__init__()
        self.on = {}
        self.calls = 0
        self.names = []

    def hook(self, op, *args):
        self.calls += 1
        fn = self.on.get(op)
        return fn(*args) if fn else None

    def attr(self, ino):
        if ino == 1:
            return Vfsd.Attr(ino=1, mode=stat.S_IFDIR | 0o755, nlink=2)
        if ino == LINK:
            return Vfsd.Attr(ino=LINK, mode=stat.S_IFLNK | 0o777, size=1)
        return Vfsd.Attr(ino=FILE, mode=stat.S_IFREG | 0o644, size=4)

    def do_lookup(self, parent, name):
        self.names.append(name)
        r = self.hook('lookup', name)
        if r is not None:
            return r
        if name not in ('f', 'l'):
            raise Vfsd.Error(errno.ENOENT)
        return self.attr(FILE if name == 'f' else LINK)

    def do_getattr(self, ino, fh):
        r = self.hook('getattr', ino)
        return r if r is not None else self.attr(ino)

    def do_read(self, ino, fh, offset, size):
        r = self.hook('read', size)
        return r if r is not None else b'data'[offset:offset + size]

    def do_write(self, ino, fh, data, offset, flags):
        r = self.hook('write', data)
        return r if r is not None else len(data)

    def do_readdir(self, ino, fh, offset, filler):
        r = self.hook('readdir')
        if r is not None:
            return r
        names = [('.', 1, stat.S_IFDIR), ('..', 1, stat.S_IFDIR),
                 ('f', FILE, stat.S_IFREG)]
        for i in range(offset, 3):
            if not filler.add(*names[i], i + 1):
                break

    def do_rmdir(self, parent, name):
        return self.hook('rmdir', name)

    def do_mkdir(self, parent, name, mode):
        self.names.append(name)
        raise Vfsd.Error(errno.ENOSPC)

    def do_unlink(self, parent, name):
        self.names.append(name)
        return self.hook('unlink', name)

    def do_rename(self, parent, name, newparent, newname, flags):
        return self.hook('rename', name)

    def do_readlink(self, ino):
        return self.hook('readlink')

    def do_statfs(self, ino):
        r = self.hook('statfs')
        return r if r is not None else Vfsd.Statfs(blocks=10)

    def do_getxattr(self, ino, name):
        r = self.hook('getxattr', name)
        return r if r is not None else b'v'

    def do_listxattr(self, ino):
        r = self.hook('listxattr')
        return r if r is not None else ['user.a']


def raiser(exc):
    def fn(*args):
        raise exc
    return fn


def const(value):
    return lambda *args: value


class Capture(logging.Handler):
    def __init__(self):
        super().__init__()
        self.records = []

    def emit(self, record):
        self.records.append(record)


capture = Capture()
logging.getLogger('vfsd').addHandler(capture)
logging.getLogger('vfsd').propagate = False

OPTS = 'entry_timeout=0,attr_timeout=0'


def served(p):
    """The mount still answers normally."""
    check_eq(os.listdir(p), ['f'])
    with open(os.path.join(p, 'f'), 'rb') as fh:
        check_eq(fh.read(), b'data')


@test
def errnos_arrive_intact():
    fs = Faulty()
    with mounted(fs, OPTS) as (m, p):
        for e in (errno.ENOTEMPTY, errno.EXDEV, errno.EPERM, errno.EACCES,
                  errno.EROFS, errno.ENOSPC, errno.EBUSY, errno.EOPNOTSUPP):
            fs.on['unlink'] = raiser(Vfsd.Error(e))
            check_errno(e, os.unlink, os.path.join(p, 'f'))
        fs.on['rename'] = raiser(Vfsd.Error(errno.EXDEV))
        check_errno(errno.EXDEV, os.rename, os.path.join(p, 'f'),
                    os.path.join(p, 'g'))
        fs.on['getxattr'] = raiser(Vfsd.Error(errno.ENODATA))
        check_errno(errno.ENODATA, os.getxattr, os.path.join(p, 'f'), 'user.x')
        fs.on['lookup'] = raiser(Vfsd.Error(errno.ENAMETOOLONG))
        check_errno(errno.ENAMETOOLONG, os.stat, os.path.join(p, 'zz'))


@test
def oserror_gives_its_errno():
    fs = Faulty()
    with mounted(fs, OPTS) as (m, p):
        fs.on['unlink'] = raiser(OSError(errno.EXDEV, 'cross'))
        check_errno(errno.EXDEV, os.unlink, os.path.join(p, 'f'))
        fs.on['unlink'] = raiser(FileNotFoundError())
        check_errno(errno.ENOENT, os.unlink, os.path.join(p, 'f'))
        fs.on['unlink'] = raiser(PermissionError())
        check_errno(errno.EACCES, os.unlink, os.path.join(p, 'f'))
        # An OSError of the backend's own I/O, as it happens.
        fs.on['unlink'] = lambda name: os.stat('/nonexistent/at/all')
        check_errno(errno.ENOENT, os.unlink, os.path.join(p, 'f'))


@test
def gio_and_file_errors_are_mapped():
    fs = Faulty()
    with mounted(fs, OPTS) as (m, p):
        for domain, code, want in (
                (Gio.io_error_quark(), Gio.IOErrorEnum.NOT_EMPTY,
                 errno.ENOTEMPTY),
                (Gio.io_error_quark(), Gio.IOErrorEnum.PERMISSION_DENIED,
                 errno.EACCES),
                (GLib.file_error_quark(), GLib.FileError.NOENT, errno.ENOENT),
                (GLib.quark_from_string('some-other-domain'), 3, errno.EIO)):
            fs.on['unlink'] = raiser(GLib.Error.new_literal(domain, 'x', int(code)))
            check_errno(want, os.unlink, os.path.join(p, 'f'))


@test
def keyerror_gives_eio_and_the_mount_keeps_serving():
    fs = Faulty()
    before = len(capture.records)
    with mounted(fs, OPTS) as (m, p):
        fs.on['getattr'] = raiser(KeyError('boom'))
        check_errno(errno.EIO, os.stat, os.path.join(p, 'f'))
        fs.on.clear()
        served(p)
        fs.on['read'] = raiser(ZeroDivisionError())
        with open(os.path.join(p, 'f'), 'rb') as fh:
            check_errno(errno.EIO, fh.read)
        fs.on.clear()
        served(p)
    logged = capture.records[before:]
    check(logged, 'no traceback was logged')
    check(logged[0].exc_info and logged[0].exc_info[0] is KeyError,
          'the log record carries the KeyError')


@test
def systemexit_does_not_end_the_process():
    fs = Faulty()
    with mounted(fs, OPTS) as (m, p):
        for exc in (SystemExit(3), KeyboardInterrupt(), GeneratorExit()):
            fs.on['unlink'] = raiser(exc)
            check_errno(errno.EIO, os.unlink, os.path.join(p, 'f'))
        fs.on.clear()
        served(p)
    # Still here: the process was not ended.


@test
def tracebacks_are_rate_limited():
    fs = Faulty()
    before = len(capture.records)
    with mounted(fs, OPTS) as (m, p):
        fs.on['unlink'] = raiser(ValueError())
        for i in range(60):
            check_errno(errno.EIO, os.unlink, os.path.join(p, 'f'))
    n = len(capture.records) - before
    check(0 < n <= 20, '%d tracebacks for 60 failures' % n)


@test
def false_without_error_is_eio():
    fs = Faulty()
    with mounted(fs, OPTS) as (m, p):
        fs.on['unlink'] = const(False)
        check_errno(errno.EIO, os.unlink, os.path.join(p, 'f'))
        fs.on['getattr'] = const((False, None))
        check_errno(errno.EIO, os.stat, os.path.join(p, 'f'))
        fs.on.clear()
        served(p)


@test
def wrong_shapes_get_eio_not_a_crash():
    fs = Faulty()
    f = None
    cases = [
        ('getattr', 'a string', os.stat, 'f'),
        ('getattr', (True,), os.stat, 'f'),
        ('getattr', (True, 1, 2), os.stat, 'f'),
        ('getattr', Vfsd.Statfs(), os.stat, 'f'),
        ('getattr', Vfsd.Attr(ino=FILE, mode=0), os.stat, 'f'),    # no type
        ('getattr', Vfsd.Attr(ino=FILE, mode=stat.S_IFREG,
                              mtime_nsec=2_000_000_000), os.stat, 'f'),
        ('lookup', 12, os.stat, 'f'),
        ('lookup', Vfsd.Entry(0, None), os.stat, 'f'),             # ino 0
        ('lookup', Vfsd.Entry(5, Vfsd.Attr(ino=6, mode=stat.S_IFREG)),
         os.stat, 'f'),                                           # mismatch
        ('readlink', 5, os.readlink, 'l'),
        ('readlink', None, os.readlink, 'l'),
        ('readlink', '', os.readlink, 'l'),
        ('statfs', Vfsd.Attr(), os.statvfs, ''),
        ('listxattr', 'user.a', os.listxattr, 'f'),
        ('listxattr', [1, 2], os.listxattr, 'f'),
        ('getxattr', 'text', lambda q: os.getxattr(q, 'user.a'), 'f'),
        ('readdir', 'x', os.listdir, ''),
        ('unlink', 'yes', os.unlink, 'f'),
    ]
    with mounted(fs, OPTS) as (m, p):
        for op, value, call, name in cases:
            fs.on.clear()
            fs.on[op] = const(value)
            check_errno(errno.EIO, call, os.path.join(p, name))
        fs.on.clear()
        f = os.path.join(p, 'f')
        for value in (12, 'str', b'x' * (1 << 20), None):
            fs.on['read'] = (lambda v: lambda size: v if v is not None
                             else None)(value)
            if value is None:
                continue
            with open(f, 'rb', buffering=0) as fh:
                check_errno(errno.EIO, fh.read, 4)
        for value in (-1, 'x', 10**6, None, 1.5):
            fs.on['write'] = const(value) if value is not None else \
                raiser(TypeError())
            with open(f, 'r+b', buffering=0) as fh:
                check_errno(errno.EIO, fh.write, b'abc')
        fs.on.clear()
        served(p)


@test
def non_utf8_names_are_answered_before_python():
    fs = Faulty()
    with mounted(fs, OPTS) as (m, p):
        bad = os.path.join(os.fsencode(p), b'\xff\xfe')
        check_errno(errno.ENOENT, os.stat, bad)
        check_errno(errno.ENOENT, os.unlink, bad)
        check_eq(fs.names, [], 'the Python method was called')
        check_errno(errno.EILSEQ, os.mkdir, bad)
        served(p)


sys.exit(run_all())
