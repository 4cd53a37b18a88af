# SPDX-License-Identifier: LGPL-2.1-or-later
"""The Python view of libvfsd without a mount: import, types, constructors,
enums, errors, the override module's wrapping of do_* methods."""
import errno
import os
import stat
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vfsdtest import (Vfsd, GLib, test, run_all, check, check_eq, Skip,  # noqa: E402
                      tmpdir)


@test
def import_and_override_loaded():
    import gi.overrides.Vfsd as ov
    check(Vfsd.Mount is ov.Mount, 'Vfsd.Mount is not the override')
    check(Vfsd.Filesystem is ov.Filesystem)
    check(hasattr(Vfsd, 'Error') and hasattr(Vfsd.Mount, 'run'))
    check_eq(Vfsd.ThreadModel.PARALLEL, 2)


@test
def every_vtable_operation_is_a_vfunc():
    # One vfunc per VfsdOps operation; read_iov is served by do_read.
    ops = ('init destroy lookup forget getattr setattr readlink mknod mkdir '
           'unlink rmdir symlink rename link open create read write flush '
           'release fsync opendir readdir releasedir fsyncdir statfs '
           'setxattr getxattr listxattr removexattr access fallocate lseek '
           'copy_file_range getlk setlk flock bmap ioctl poll').split()
    have = sorted(n[3:] for n in dir(Vfsd.Filesystem) if n.startswith('do_'))
    check_eq(have, sorted(ops))


@test
def attr_constructors():
    a = Vfsd.Attr.new(7, stat.S_IFREG | 0o640, 3, 10, 20, 5000, 10, 0, 4096,
                      1, 2, 3, 4, 5, 6)
    check_eq((a.ino, a.mode, a.nlink, a.uid, a.gid, a.size, a.blocks),
             (7, stat.S_IFREG | 0o640, 3, 10, 20, 5000, 10))
    check_eq((a.blksize, a.atime, a.atime_nsec, a.mtime, a.mtime_nsec,
              a.ctime, a.ctime_nsec), (4096, 1, 2, 3, 4, 5, 6))
    b = Vfsd.Attr(ino=3, mode=stat.S_IFDIR | 0o755, size=1000,
                  mtime_ns=1_500_000_000_123_456_789)
    check_eq((b.ino, b.nlink, b.blocks), (3, 1, 2))
    check_eq((b.mtime, b.mtime_nsec), (1_500_000_000, 123_456_789))
    check(isinstance(b, Vfsd.Attr))
    c = b.copy()
    c.size = 1
    check_eq((b.size, c.size), (1000, 1))
    check_eq(Vfsd.Attr().nlink, 1)


@test
def entry_statfs_lock_constructors():
    a = Vfsd.Attr(ino=9, mode=stat.S_IFREG)
    e = Vfsd.Entry(9, a)
    check_eq((e.ino, e.generation, e.entry_timeout, e.attr_timeout),
             (9, 0, -1.0, -1.0))
    check_eq(e.get_attr().ino, 9)
    check_eq(Vfsd.Entry(a).ino, 9, 'ino taken from the attributes')
    e2 = Vfsd.Entry.new(0, 5, 1.5, 2.5, None)
    check_eq((e2.generation, e2.entry_timeout, e2.attr_timeout),
             (5, 1.5, 2.5))
    e2.set_attr(a)
    check_eq(e2.get_attr().mode, stat.S_IFREG)
    s = Vfsd.Statfs(blocks=100, bfree=50, files=10)
    check_eq((s.blocks, s.bfree, s.files, s.bsize, s.namemax),
             (100, 50, 10, 4096, 255))
    lk = Vfsd.Lock(type=1, start=10, len=20, pid=99)
    check_eq((lk.type, lk.start, lk.len, lk.pid), (1, 10, 20, 99))
    oi = Vfsd.OpenInfo.new(os.O_RDWR, 0, 5)
    check_eq((oi.flags, oi.fh), (os.O_RDWR, 5))


@test
def enums_and_flags():
    check_eq(int(Vfsd.SetattrFlags.SIZE), 1 << 3)
    check_eq(int(Vfsd.OpenFlags.KEEP_CACHE), 1 << 1)
    check_eq(int(Vfsd.BackendFlags.STABLE_DIR_OFFSETS), 1 << 1)
    check_eq(int(Vfsd.ThreadModel.SERIALIZE_ALL), 0)
    check_eq(int(Vfsd.Caps.WRITEBACK_CACHE), 1)
    check_eq(int(Vfsd.WriteFlags.CACHE), 1)
    check_eq(int(Vfsd.RunFlags.HANDLE_SIGNALS), 1)


@test
def vfsd_error():
    e = Vfsd.Error(errno.ENOTEMPTY)
    check(isinstance(e, GLib.Error))
    check_eq((e.domain, e.code, e.errno), ('vfsd-error-quark', errno.ENOTEMPTY,
                                           errno.ENOTEMPTY))
    check_eq(e.message, os.strerror(errno.ENOTEMPTY))
    check_eq(Vfsd.Error(-3).code, errno.EIO, 'an impossible errno is EIO')
    check_eq(Vfsd.errno_of(e), errno.ENOTEMPTY)
    check_eq(Vfsd.errno_of(FileNotFoundError()), errno.ENOENT)
    check_eq(Vfsd.errno_of(ValueError()), None)


@test
def library_errors_carry_errnos():
    class Fs(Vfsd.Filesystem):
        def do_lookup(self, parent, name):
            raise Vfsd.Error(errno.ENOENT)

        def do_getattr(self, ino, fh):
            return Vfsd.Attr(ino=1, mode=stat.S_IFDIR)

    missing = os.path.join(tmpdir(), 'missing')
    try:
        Vfsd.Mount.new(Fs(), missing, '')
        raise AssertionError('mounting on a missing directory worked')
    except GLib.Error as e:
        check_eq((e.domain, e.code), ('vfsd-error-quark', errno.ENOENT))
        check('does not exist' in e.message, e.message)
    try:
        Vfsd.Mount.new(Fs(), tmpdir(), 'no_such_option')
        raise AssertionError('an unknown option was accepted')
    except GLib.Error as e:
        check_eq(e.code, errno.EINVAL)
        check('no_such_option' in e.message, e.message)
    try:
        Vfsd.Backend.load('no-such-backend-xyz')
        raise AssertionError('an unknown backend loaded')
    except GLib.Error as e:
        check_eq(e.domain, 'vfsd-error-quark')
        check(Vfsd.errno_of(e) is not None)


@test
def filesystem_properties_and_name():
    class MyFs(Vfsd.Filesystem):
        def do_lookup(self, parent, name):
            raise Vfsd.Error(errno.ENOENT)

        def do_getattr(self, ino, fh):
            return Vfsd.Attr(ino=1, mode=stat.S_IFDIR)

    fs = MyFs()
    check_eq(fs.get_name(), 'MyFs')
    check_eq(fs.get_thread_model(), Vfsd.ThreadModel.SERIALIZE_ALL)
    check(fs.get_next() is None)
    fs2 = MyFs(name='other', thread_model=Vfsd.ThreadModel.PARALLEL,
               flags=Vfsd.BackendFlags.STABLE_DIR_OFFSETS)
    check_eq(fs2.get_name(), 'other')
    check_eq(fs2.props.name, 'other')
    check_eq(fs2.get_thread_model(), Vfsd.ThreadModel.PARALLEL)
    check_eq(fs2.caller(), None, 'no caller outside an operation')
    check_eq(fs2.get_mount(), None)


@test
def originals_stay_callable_from_python():
    class Fs(Vfsd.Filesystem):
        def do_lookup(self, parent, name):
            return self.do_getattr(2, None)

        def do_getattr(self, ino, fh):
            return Vfsd.Attr(ino=ino, mode=stat.S_IFREG)

    class Sub(Fs):
        def do_getattr(self, ino, fh):
            a = super().do_getattr(ino, fh)
            a.size = 42
            return a

    # Calling a do_ method from Python gets the method as written, not the
    # wrapper PyGObject calls.
    check(isinstance(Fs().do_getattr(1, None), Vfsd.Attr))
    check_eq(Sub().do_getattr(1, None).size, 42)
    check(Fs.__dict__['do_getattr'].__name__ == 'do_getattr')


@test
def wrapper_normalizes_results():
    import gi.overrides.Vfsd as ov
    calls = []

    def getattr_(self, ino, fh):
        calls.append(ino)
        return {1: Vfsd.Attr(ino=1, mode=stat.S_IFDIR),
                2: (True, Vfsd.Attr(ino=2, mode=stat.S_IFREG)),
                3: 'wrong', 4: (True,), 5: None}[ino]

    w = ov._wrap('getattr', getattr_)

    class Dummy:
        pass

    ok, a = w(Dummy(), 1, 0)
    check(ok is True and a.ino == 1)
    ok, a = w(Dummy(), 2, 0)
    check(ok is True and a.ino == 2)
    for bad in (3, 4, 5):
        try:
            w(Dummy(), bad, 0)
            raise AssertionError('shape %d accepted' % bad)
        except GLib.Error as e:
            check_eq(e.code, errno.EIO)
    rd = ov._wrap('read', lambda self, ino, fh, off, size: b'abc')
    check(isinstance(rd(Dummy(), 1, 0, 0, 3), GLib.Bytes))
    rd2 = ov._wrap('read', lambda self, ino, fh, off, size:
                   memoryview(b'abcdef')[1:3])
    check_eq(rd2(Dummy(), 1, 0, 0, 3).get_data(), b'bc')
    lk = ov._wrap('lookup', lambda self, p, n: Vfsd.Attr(ino=5, mode=0o100644))
    ok, e = lk(Dummy(), 1, 'x')
    check(isinstance(e, Vfsd.Entry) and e.ino == 5, 'an Attr becomes an Entry')
    un = ov._wrap('unlink', lambda self, p, n: None)
    check(un(Dummy(), 1, 'x') is True)
    wr = ov._wrap('write', lambda self, ino, fh, data, off, fl: len(data))
    check_eq(wr(Dummy(), 1, 0, GLib.Bytes.new(b'12345'), 0, 0), (True, 5))
    ose = ov._wrap('rmdir', lambda self, p, n: os.rmdir('/nonexistent/x'))
    try:
        ose(Dummy(), 1, 'x')
        raise AssertionError('no error')
    except GLib.Error as e:
        check_eq(e.code, errno.ENOENT)


@test
def layers_and_backends_by_name():
    names = Vfsd.module_list_names()
    check(isinstance(names, list))
    check(isinstance(Vfsd.layer_list_names(), list))
    if 'ram' in names:
        b = Vfsd.Backend.load('ram')
        check(isinstance(b, Vfsd.Backend))
    class Fs(Vfsd.Filesystem):
        def do_lookup(self, parent, name):
            raise Vfsd.Error(errno.ENOENT)

        def do_getattr(self, ino, fh):
            return Vfsd.Attr(ino=1, mode=stat.S_IFDIR)
    try:
        Fs().stack_layer('no-such-layer-xyz')
        raise AssertionError('an unknown layer stacked')
    except GLib.Error as e:
        check_eq(e.code, errno.ENOENT)


@test
def layer_stack_in_one_call():
    if not hasattr(Vfsd.Backend, 'load_stack'):
        raise Skip('vfsd_backend_load_stack() is not in this tree')
    try:
        Vfsd.Backend.load_stack([])
        raise AssertionError('an empty stack loaded')
    except GLib.Error as e:
        check_eq(e.code, errno.EINVAL)
    if 'ram' not in Vfsd.module_list_names() or \
            not {'readonly', 'stats'} <= set(Vfsd.layer_list_names()):
        raise Skip('the RAM backend or the layers are not built here')
    top = Vfsd.Backend.load_stack(['readonly', 'stats', 'ram:size=1M'])
    names = []
    b = top
    while b is not None:
        names.append(b.get_name())
        b = b.get_next()
    check_eq(names, ['readonly', 'stats', 'ram'])
    try:
        Vfsd.Backend.load_stack(['readonly', 'no-such-layer-xyz', 'ram'])
        raise AssertionError('an unknown layer stacked')
    except GLib.Error as e:
        check_eq(e.code, errno.ENOENT)
        check('no-such-layer-xyz' in e.message, e.message)


sys.exit(run_all())
