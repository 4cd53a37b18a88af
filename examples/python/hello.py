#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# hello: one read-only file, "hello", containing "Hello World!\n".
#   examples/python/hello.py MOUNTPOINT     (serves until Ctrl-C)
#   cat MOUNTPOINT/hello
import errno, os, stat, sys
import vfsd_uninstalled  # noqa: F401  finds an uninstalled build; selects Vfsd 1.0
from gi.repository import Vfsd

TEXT = b"Hello World!\n"

class Hello(Vfsd.Filesystem):
    def do_getattr(self, ino, fh):
        if ino == 1: return Vfsd.Attr(ino=1, mode=stat.S_IFDIR | 0o755, nlink=2)
        return Vfsd.Attr(ino=2, mode=stat.S_IFREG | 0o444, size=len(TEXT))

    def do_lookup(self, parent, name):
        if parent != 1 or name != "hello": raise Vfsd.Error(errno.ENOENT)
        return self.do_getattr(2, None)

    def do_readdir(self, ino, fh, offset, filler):
        names = [(".", 1, stat.S_IFDIR), ("..", 1, stat.S_IFDIR), ("hello", 2, stat.S_IFREG)]
        all(filler.add(*names[i], i + 1) for i in range(offset, len(names)))  # until full

    def do_open(self, ino, info):
        if info.flags & os.O_ACCMODE != os.O_RDONLY: raise Vfsd.Error(errno.EACCES)

    def do_read(self, ino, fh, offset, size):
        return TEXT[offset:offset + size]

with Vfsd.Mount.new(Hello(), sys.argv[1]) as mount:
    mount.run()
