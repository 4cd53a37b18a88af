# SPDX-License-Identifier: LGPL-2.1-or-later
"""PyGObject overrides for libvfsd (gi.repository.Vfsd).

What this module adds to the introspected API:

- ``Vfsd.Error(errno)``: the exception a ``do_*`` method raises to answer
  with an errno.  An ``OSError`` is answered with its errno; any other
  exception (``SystemExit`` and ``KeyboardInterrupt`` included) with EIO,
  and its traceback is logged (rate-limited) to the ``vfsd`` logger.
- ``Vfsd.Filesystem`` subclasses: each ``do_*`` defined in the class body is
  wrapped so that a method may return the bare value where PyGObject wants
  ``(True, value)``, ``None`` for success where only success is reported,
  plain ``bytes`` for ``GLib.Bytes``, an ``Attr`` where an ``Entry`` is
  wanted; a result of the wrong shape is answered with EIO and logged.
  ``do_write``, ``do_setxattr`` and ``do_ioctl`` receive ``bytes``.
- Keyword constructors: ``Vfsd.Attr(ino=2, mode=..., size=...)``,
  ``Vfsd.Entry(ino, attr)``, ``Vfsd.Statfs(...)``, ``Vfsd.Lock(...)``.
- ``Vfsd.Mount`` helpers: a context manager that unmounts and joins,
  ``run()`` serving until unmounted with Ctrl-C (SIGINT, SIGTERM, SIGHUP)
  unmounting, worker threads created by Python for Python backends
  (``threads=N`` mount option), and an ``atexit`` hook that unmounts what
  is still mounted when the interpreter exits.
- Every type of the namespace is loaded at import (PyGObject before 3.43.1
  can mis-load a type first touched by two threads at once).
"""

import atexit
import collections
import errno as _errno
import logging
import os
import signal
import sys
import threading
import time
import types

from gi.repository import GLib
from ..module import get_introspection_module
from ..overrides import override

Vfsd = get_introspection_module('Vfsd')

__all__ = []

_DOMAIN = 'vfsd-error-quark'
_strerror = {}
_log = logging.getLogger('vfsd')


# ---- errors -----------------------------------------------------------------

class Error(GLib.Error):
    """An errno to answer with: ``raise Vfsd.Error(errno.ENOENT)``.

    Errors that libvfsd raises (``Mount.new`` on a bad mount point, …) are
    ``GLib.Error`` with domain ``'vfsd-error-quark'`` and the errno as code.
    """

    def __init__(self, errno=_errno.EIO, message=None):
        if not isinstance(errno, int) or not 0 < errno < 4096:
            errno = _errno.EIO
        if message is None:     # raised often (ENOENT, ENODATA): cached
            message = _strerror.get(errno) or _strerror.setdefault(
                errno, os.strerror(errno))
        super().__init__(message, _DOMAIN, errno)

    @property
    def errno(self):
        return self.code


__all__.append('Error')


def errno_of(error):
    """The errno an exception stands for (``GLib.Error`` of libvfsd, or
    ``OSError``), or None."""
    if isinstance(error, GLib.Error):
        return error.code if error.domain == _DOMAIN else None
    if isinstance(error, OSError):
        return _oserror_errno(error)
    return None


__all__.append('errno_of')

# OSError subclasses raised without an errno still say which one they mean.
_OSERROR_ERRNO = {
    FileNotFoundError: _errno.ENOENT, FileExistsError: _errno.EEXIST,
    IsADirectoryError: _errno.EISDIR, NotADirectoryError: _errno.ENOTDIR,
    PermissionError: _errno.EACCES, InterruptedError: _errno.EINTR,
    BlockingIOError: _errno.EAGAIN, TimeoutError: _errno.ETIMEDOUT,
}


def _oserror_errno(e):
    n = e.errno
    if isinstance(n, int) and 0 < n < 4096:
        return n
    return _OSERROR_ERRNO.get(type(e), _errno.EIO)


class _RateLimit:
    """At most `burst` reports per `window` seconds, then a count."""

    def __init__(self, burst=10, window=10.0):
        self.burst, self.window = burst, window
        self.start, self.count, self.suppressed = 0.0, 0, 0
        self.lock = threading.Lock()

    def allow(self):
        """Returns (allowed, suppressed since the last allowed report)."""
        now = time.monotonic()
        with self.lock:
            if now - self.start > self.window:
                self.start, self.count = now, 0
            if self.count >= self.burst:
                self.suppressed += 1
                return False, 0
            self.count += 1
            s, self.suppressed = self.suppressed, 0
            return True, s


_reports = _RateLimit()


def _report(fs, op, what, exc_info=None):
    ok, suppressed = _reports.allow()
    if not ok:
        return
    more = ' (%d similar messages suppressed)' % suppressed if suppressed else ''
    _log.error('%s.do_%s %s; answered EIO%s', type(fs).__name__, op, what,
               more, exc_info=exc_info)


# ---- structures -------------------------------------------------------------

@override
class Attr(Vfsd.Attr):
    """Attributes of an inode.  Keyword constructor; `blocks` defaults to
    the size in 512-byte units, `*_ns` set seconds and nanoseconds from one
    integer (as in ``os.stat_result.st_mtime_ns``)."""

    def __new__(cls, ino=0, mode=0, nlink=1, uid=0, gid=0, size=0,
                blocks=None, rdev=0, blksize=0, atime=0, atime_nsec=0,
                mtime=0, mtime_nsec=0, ctime=0, ctime_nsec=0, *,
                atime_ns=None, mtime_ns=None, ctime_ns=None):
        if blocks is None:
            blocks = (size + 511) // 512
        if atime_ns is not None:
            atime, atime_nsec = divmod(atime_ns, 1000000000)
        if mtime_ns is not None:
            mtime, mtime_nsec = divmod(mtime_ns, 1000000000)
        if ctime_ns is not None:
            ctime, ctime_nsec = divmod(ctime_ns, 1000000000)
        return Vfsd.Attr.new(ino, mode, nlink, uid, gid, size, blocks, rdev,
                             blksize, atime, atime_nsec, mtime, mtime_nsec,
                             ctime, ctime_nsec)

    def __init__(self, *args, **kwargs):
        pass

    def __repr__(self):
        return ('Vfsd.Attr(ino=%d, mode=0o%o, nlink=%d, size=%d)'
                % (self.ino, self.mode, self.nlink, self.size))


__all__.append('Attr')


@override
class Entry(Vfsd.Entry):
    """What a name leads to.  ``Vfsd.Entry(ino, attr)`` or
    ``Vfsd.Entry(attr)``; negative timeouts mean the mount's defaults."""

    def __new__(cls, ino=0, attr=None, generation=0, entry_timeout=-1.0,
                attr_timeout=-1.0):
        if isinstance(ino, Vfsd.Attr):
            ino, attr = 0, ino
        return Vfsd.Entry.new(ino, generation, entry_timeout, attr_timeout,
                              attr)

    def __init__(self, *args, **kwargs):
        pass


__all__.append('Entry')


@override
class Statfs(Vfsd.Statfs):
    """File system statistics, by keyword."""

    def __new__(cls, blocks=0, bfree=0, bavail=0, files=0, ffree=0, favail=0,
                bsize=4096, frsize=0, namemax=255):
        return Vfsd.Statfs.new(blocks, bfree, bavail, files, ffree, favail,
                               bsize, frsize, namemax)

    def __init__(self, *args, **kwargs):
        pass


__all__.append('Statfs')


@override
class Lock(Vfsd.Lock):
    """A POSIX record lock, by keyword."""

    def __new__(cls, type=0, start=0, len=0, pid=0):
        return Vfsd.Lock.new(type, start, len, pid)

    def __init__(self, *args, **kwargs):
        pass


__all__.append('Lock')


# ---- VfsdFilesystem: wrapping the do_* methods ------------------------------

# How each operation reports its result to C:
#   _BOOL: success only (None or True is success)
#   _OUT:  (True, value), the bare value accepted
#   _PTR:  a value (bytes, str, list of str)
#   _IOCTL: (True, result, bytes or None)
_BOOL, _OUT, _PTR, _IOCTL = range(4)


def _to_entry(v):
    if isinstance(v, Vfsd.Entry):
        return v
    if isinstance(v, Vfsd.Attr):
        return Vfsd.Entry.new(v.ino, 0, -1.0, -1.0, v)
    raise TypeError


def _to_type(cls):
    def conv(v):
        if isinstance(v, cls):
            return v
        raise TypeError
    return conv


def _to_count(v):
    if isinstance(v, int) and not isinstance(v, bool) and v >= 0:
        return v
    raise TypeError


def _to_int(v):
    if isinstance(v, int) and not isinstance(v, bool):
        return v
    raise TypeError


def _to_bytes(v):
    if isinstance(v, GLib.Bytes):
        return v
    if isinstance(v, bytes):
        return GLib.Bytes.new(v)
    if isinstance(v, (bytearray, memoryview)):
        return GLib.Bytes.new(bytes(v))
    raise TypeError


def _to_str(v):
    if isinstance(v, str):
        return v
    if isinstance(v, (bytes, bytearray)):
        return bytes(v).decode('utf-8')
    raise TypeError


def _to_strv(v):
    if isinstance(v, (str, bytes)):
        raise TypeError
    return [_to_str(x) for x in v]


_ENTRY, _ATTR = _to_entry, _to_type(Vfsd.Attr)

# name: (kind, converter, index of a GBytes argument to give as bytes)
_OPS = {
    'init': (_BOOL, None, None),
    'destroy': (_BOOL, None, None),
    'lookup': (_OUT, _ENTRY, None),
    'forget': (_BOOL, None, None),
    'getattr': (_OUT, _ATTR, None),
    'setattr': (_OUT, _ATTR, None),
    'readlink': (_PTR, _to_str, None),
    'mknod': (_OUT, _ENTRY, None),
    'mkdir': (_OUT, _ENTRY, None),
    'unlink': (_BOOL, None, None),
    'rmdir': (_BOOL, None, None),
    'symlink': (_OUT, _ENTRY, None),
    'rename': (_BOOL, None, None),
    'link': (_OUT, _ENTRY, None),
    'open': (_BOOL, None, None),
    'create': (_OUT, _ENTRY, None),
    'read': (_PTR, _to_bytes, None),
    'write': (_OUT, _to_count, 2),
    'flush': (_BOOL, None, None),
    'release': (_BOOL, None, None),
    'fsync': (_BOOL, None, None),
    'opendir': (_BOOL, None, None),
    'readdir': (_BOOL, None, None),
    'releasedir': (_BOOL, None, None),
    'fsyncdir': (_BOOL, None, None),
    'statfs': (_OUT, _to_type(Vfsd.Statfs), None),
    'setxattr': (_BOOL, None, 2),
    'getxattr': (_PTR, _to_bytes, None),
    'listxattr': (_PTR, _to_strv, None),
    'removexattr': (_BOOL, None, None),
    'access': (_BOOL, None, None),
    'fallocate': (_BOOL, None, None),
    'lseek': (_OUT, _to_int, None),
    'copy_file_range': (_OUT, _to_count, None),
    'getlk': (_BOOL, None, None),
    'setlk': (_BOOL, None, None),
    'flock': (_BOOL, None, None),
    'bmap': (_OUT, _to_count, None),
    'ioctl': (_IOCTL, None, 3),
    'poll': (_OUT, _to_count, None),
}


def _shape(v):
    r = repr(v)
    return (r[:60] + '...') if len(r) > 60 else r


def _wrap(op, fn):
    kind, conv, bytes_arg = _OPS[op]

    def call(self, args):
        if bytes_arg is not None:
            args = list(args)
            args[bytes_arg] = args[bytes_arg].get_data()
        try:
            return fn(self, *args)
        except GLib.Error:
            raise
        except OSError as e:
            raise Error(_oserror_errno(e)) from None
        except BaseException:
            try:
                _report(self, op, 'raised an exception', sys.exc_info())
            except BaseException:       # even a failing log must not escape
                pass
            raise Error(_errno.EIO) from None

    def wrong(self, r, want):
        try:
            _report(self, op, 'returned %s; expected %s' % (_shape(r), want))
        except BaseException:
            pass
        return Error(_errno.EIO)

    if kind == _BOOL:
        def wrapper(self, *args):
            r = call(self, args)
            if r is None or r is True:
                return True
            if r is False:
                return False
            raise wrong(self, r, 'None, True or False')
    elif kind == _OUT:
        def wrapper(self, *args):
            r = call(self, args)
            if r.__class__ is tuple:
                if len(r) == 2 and r[0] is True:
                    r = r[1]
                elif len(r) >= 1 and r[0] is False:
                    return False, None
                else:
                    raise wrong(self, r, 'a value or (True, value)')
            try:
                return True, conv(r)
            except (TypeError, ValueError):
                raise wrong(self, r, 'a value of the right type') from None
    elif kind == _PTR:
        def wrapper(self, *args):
            r = call(self, args)
            try:
                return conv(r)
            except (TypeError, ValueError):
                raise wrong(self, r, 'a value of the right type') from None
    else:  # _IOCTL
        def wrapper(self, *args):
            r = call(self, args)
            data = None
            if r.__class__ is tuple:
                if len(r) == 3 and r[0] is True:
                    r, data = r[1], r[2]
                elif len(r) == 2:
                    r, data = r
                else:
                    raise wrong(self, r, '(result, data)')
            try:
                return True, _to_int(r), (None if data is None
                                          else _to_bytes(data))
            except (TypeError, ValueError):
                raise wrong(self, r, 'result or (result, data)') from None

    wrapper.__name__ = fn.__name__
    wrapper.__qualname__ = getattr(fn, '__qualname__', fn.__name__)
    wrapper.__doc__ = fn.__doc__
    wrapper.__wrapped__ = fn
    return wrapper


class _FilesystemMeta(type(Vfsd.Filesystem)):
    """Wraps the do_* methods of a class body for PyGObject, and leaves the
    originals as the class's attributes (so that calling self.do_getattr()
    or super().do_getattr() from Python gets the method as written)."""

    def __new__(mcs, name, bases, ns, **kwargs):
        originals = {}
        for key, val in list(ns.items()):
            if (key.startswith('do_') and key[3:] in _OPS
                    and isinstance(val, types.FunctionType)):
                originals[key] = val
                ns[key] = _wrap(key[3:], val)
        cls = super().__new__(mcs, name, bases, ns, **kwargs)
        cls._vfsd_originals = originals
        return cls

    def __init__(cls, name, bases, ns, **kwargs):
        super().__init__(name, bases, ns, **kwargs)
        # PyGObject has hooked the wrappers up; Python callers get the
        # methods as written.
        for key, val in cls.__dict__.get('_vfsd_originals', {}).items():
            type.__setattr__(cls, key, val)


Caller = collections.namedtuple('Caller', 'uid gid pid umask')
__all__.append('Caller')


@override
class Filesystem(Vfsd.Filesystem, metaclass=_FilesystemMeta):
    """Subclass it and define do_lookup, do_getattr, … (see the Python
    guide, doc/python.md).  Keyword arguments set the properties:
    ``name``, ``thread_model`` (Vfsd.ThreadModel), ``flags``
    (Vfsd.BackendFlags)."""

    def __init__(self, **kwargs):
        Vfsd.Filesystem.__init__(self, **kwargs)

    def caller(self):
        """Who made the request being served: Caller(uid, gid, pid, umask),
        or None outside an operation."""
        ok, uid, gid, pid, umask = self.get_caller()
        return Caller(uid, gid, pid, umask) if ok else None


__all__.append('Filesystem')


# ---- mounts -----------------------------------------------------------------

_live_lock = threading.Lock()
_live = {}          # id(wrapper) -> started Mount (until joined)


def _is_python_backend(backend):
    b = backend
    while b is not None:
        if (isinstance(b, Vfsd.Filesystem)
                and not type(b).__module__.startswith('gi.')):
            return True
        b = b.get_next()
    return False


def _split_options(options):
    """Splits a mount option string at commas not escaped as '\\,'."""
    parts, cur, i = [], [], 0
    while i < len(options):
        c = options[i]
        if c == '\\' and i + 1 < len(options):
            cur.append(options[i:i + 2])
            i += 2
            continue
        if c == ',':
            parts.append(''.join(cur))
            cur = []
        else:
            cur.append(c)
        i += 1
    parts.append(''.join(cur))
    return [p for p in parts if p]


def _python_workers(backend, options):
    """For a backend written in Python, `threads=N` asks for N Python
    threads (which call run_worker) instead of library threads: calls from
    threads Python knows are several times cheaper.  Returns the options
    for the library and the number of Python threads to start."""
    if not _is_python_backend(backend):
        return options, 0
    parts, threads = [], None
    for p in _split_options(options or ''):
        if p.startswith('threads='):
            try:
                threads = int(p[8:])
            except ValueError:
                return options, 0     # the library names the bad option
            if threads < 0:
                return options, 0
        else:
            parts.append(p)
    if threads is None:
        serialized = (backend.get_thread_model()
                      == Vfsd.ThreadModel.SERIALIZE_ALL)
        threads = 1 if serialized else 2
    parts.append('threads=0')
    return ','.join(parts), threads


@override
class Mount(Vfsd.Mount):
    """A mount.  ``with Vfsd.Mount.new(fs, path, options) as m: m.run()``
    serves until unmounted (Ctrl-C, `fusermount3 -u`, m.unmount() from
    another thread); leaving the block unmounts and waits."""

    @classmethod
    def new(cls, backend, mountpoint, options=None):
        """Prepares a mount of `backend` at `mountpoint` (see the C
        vfsd_mount_new()).  For a backend written in Python, `threads=N`
        in `options` starts N Python worker threads."""
        opts, workers = _python_workers(backend, options)
        m = Vfsd.Mount.new(backend, os.fspath(mountpoint), opts)
        m._vfsd_workers = workers
        m._vfsd_threads = None
        return m

    def start(self):
        """Mounts and starts serving; returns once the mount is live."""
        Vfsd.Mount.start(self)
        n = getattr(self, '_vfsd_workers', 0)
        threads = [threading.Thread(target=self.run_worker, daemon=True,
                                    name='vfsd-worker-%d' % i)
                   for i in range(n)]
        self._vfsd_threads = threads
        with _live_lock:
            _live[id(self)] = self
        for t in threads:
            t.start()
        return True

    def attach(self, context=None):
        """Serves from `context` (None: the default main context) instead of
        threads: each request is handled by whoever iterates it.  Nothing
        dispatched from that context may touch the mount."""
        Vfsd.Mount.attach(self, context)
        self._vfsd_threads = []
        with _live_lock:
            _live[id(self)] = self
        return True

    def started(self):
        """Whether start() (or run()) was called."""
        return getattr(self, '_vfsd_threads', None) is not None

    def join(self, timeout=None):
        """Waits until the mount has ended (it does not end it: see
        unmount()) and its Python workers have returned.  Returns True if
        it ended within `timeout` seconds (None: no limit)."""
        if not self.started():
            return True
        deadline = None if timeout is None else time.monotonic() + timeout
        delay = 0.001
        # Polls, so that Ctrl-C still works while waiting.
        while self.is_mounted():
            if deadline is not None and time.monotonic() >= deadline:
                return False
            time.sleep(delay)
            delay = min(delay * 2, 0.05)
        Vfsd.Mount.wait(self)
        for t in self._vfsd_threads:
            t.join(None if deadline is None
                   else max(0.0, deadline - time.monotonic()))
            if t.is_alive():
                return False
        with _live_lock:
            _live.pop(id(self), None)
        return True

    def run(self):
        """Starts the mount if needed and serves until it ends, running a
        GLib main loop in which SIGINT, SIGTERM and SIGHUP unmount it
        (in the main thread).  Unmounts and joins before returning."""
        main = threading.current_thread() is threading.main_thread()
        ctx = GLib.MainContext.default() if main else GLib.MainContext.new()
        loop = GLib.MainLoop.new(ctx, False)
        sources, saved = [], {}
        if main:
            # Before the mount goes live: a signal that comes before the
            # loop runs waits for it, it does not kill the process.
            for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
                saved[sig] = signal.getsignal(sig)
                sources.append(GLib.unix_signal_add(
                    GLib.PRIORITY_HIGH, sig, self._on_signal))
        try:
            if not self.started():
                self.start()
        except BaseException:
            self._restore_signals(sources, saved)
            raise

        def wait_then_quit():
            Vfsd.Mount.wait(self)
            src = GLib.idle_source_new()
            src.set_callback(lambda *a: loop.quit() or False)
            src.attach(ctx)

        waiter = threading.Thread(target=wait_then_quit, daemon=True,
                                  name='vfsd-run')
        waiter.start()
        try:
            loop.run()
        finally:
            self._restore_signals(sources, saved)
            self.unmount()
            self.join()
            waiter.join()
        return True

    @staticmethod
    def _restore_signals(sources, saved):
        for s in sources:
            GLib.source_remove(s)
        for sig, handler in saved.items():
            if handler is not None:
                signal.signal(sig, handler)

    def _on_signal(self, *args):
        self.unmount()
        return GLib.SOURCE_CONTINUE

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.unmount()
        self.join()
        return False


__all__.append('Mount')


@atexit.register
def _unmount_all():
    """A Python process that exits with live mounts unmounts them first, so
    that no stale mount ("Transport endpoint is not connected") stays."""
    with _live_lock:
        mounts = list(_live.values())
    for m in mounts:
        m.unmount()
    for m in mounts:
        m.join(5.0)


# ---- load every type now ----------------------------------------------------

def _preload():
    import gi
    repo = gi.Repository.get_default()
    for info in repo.get_infos('Vfsd'):
        try:
            getattr(Vfsd, info.get_name())
        except Exception:       # a symbol that does not bind: not our concern
            pass
    for name in ('Bytes', 'Error', 'MainLoop', 'MainContext', 'Source'):
        getattr(GLib, name)


_preload()
