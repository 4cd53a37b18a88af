#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# memfs: a writable file system in memory, in Python: files, directories,
# symlinks, hard links, FIFOs and devices, rename (also RENAME_NOREPLACE and
# RENAME_EXCHANGE), truncate, times, extended attributes.  The kernel checks
# permissions (default_permissions).  Each file is one bytearray: no holes.
#   examples/python/memfs.py MOUNTPOINT [OPTIONS]     (serves until Ctrl-C)
import errno, stat, sys, time

import vfsd_uninstalled  # noqa: F401  finds an uninstalled build; selects Vfsd 1.0
from gi.repository import Vfsd

S = Vfsd.SetattrFlags
RENAME_NOREPLACE, RENAME_EXCHANGE, XATTR_CREATE, XATTR_REPLACE = 1, 2, 1, 2


def fail(code):
    raise Vfsd.Error(code)


class Inode:
    __slots__ = ('ino', 'mode', 'nlink', 'uid', 'gid', 'rdev', 'data',
                 'target', 'children', 'parent', 'xattrs', 'atime', 'mtime',
                 'ctime', 'attr')

    def __init__(self, ino, mode, uid, gid, parent=None):
        self.ino, self.mode, self.uid, self.gid = ino, mode, uid, gid
        self.nlink = 2 if stat.S_ISDIR(mode) else 1
        self.rdev, self.data, self.target, self.xattrs = 0, bytearray(), '', {}
        self.children = {} if stat.S_ISDIR(mode) else None
        self.parent = parent or ino
        self.atime = self.mtime = self.ctime = time.time_ns()
        self.attr = None

    def changed(self, data=False):
        now = time.time_ns()
        self.ctime = now
        if data:
            self.mtime = now
        self.attr = None

    def getattr(self):
        if self.attr is None:     # built once per change: stat is frequent
            size = len(self.target.encode()) if self.target else len(self.data)
            self.attr = Vfsd.Attr(ino=self.ino, mode=self.mode,
                                  nlink=self.nlink, uid=self.uid,
                                  gid=self.gid, size=size, rdev=self.rdev,
                                  atime_ns=self.atime, mtime_ns=self.mtime,
                                  ctime_ns=self.ctime)
        return self.attr


class MemFS(Vfsd.Filesystem):
    def __init__(self):
        super().__init__(name='memfs')
        self.inodes = {1: Inode(1, stat.S_IFDIR | 0o755, 0, 0)}
        self.next_ino = 2

    def do_init(self, init):
        # The only writer of its data: the kernel may cache for long.
        init.entry_timeout = init.attr_timeout = init.negative_timeout = 3600
        init.open_flags |= Vfsd.OpenFlags.KEEP_CACHE
        # No state per open file, and unlinked files live until do_forget:
        # the kernel may open files without asking (no OPEN/RELEASE); a
        # write need not drop cached pages; and a worker waits a moment
        # for the next request before it sleeps.
        init.caps |= (Vfsd.Caps.NO_OPEN | Vfsd.Caps.SOLE_WRITER |
                      Vfsd.Caps.QUICK_CALLS)

    def dir(self, ino):
        node = self.inodes[ino]
        if node.children is None:
            fail(errno.ENOTDIR)
        return node

    def child(self, parent, name):
        ino = self.dir(parent).children.get(name)
        if ino is None:
            fail(errno.ENOENT)
        return self.inodes[ino]

    def new_node(self, parent, name, mode, rdev=0, target=''):
        d = self.dir(parent)
        if name in d.children:
            fail(errno.EEXIST)
        caller, sgid = self.caller(), d.mode & stat.S_ISGID   # BSD group rule
        mode |= sgid if stat.S_ISDIR(mode) else 0
        node = Inode(self.next_ino, mode, caller.uid, d.gid if sgid else caller.gid, parent)
        node.rdev, node.target = rdev, target
        self.next_ino += 1
        self.inodes[node.ino] = node
        d.children[name] = node.ino
        d.nlink += stat.S_ISDIR(mode)
        d.changed(data=True)
        return node.getattr()

    def do_lookup(self, parent, name):
        return self.child(parent, name).getattr()

    def do_forget(self, ino):      # the kernel forgot it: free it if unlinked
        if self.inodes[ino].nlink == 0:
            del self.inodes[ino]

    def do_getattr(self, ino, fh):
        return self.inodes[ino].getattr()

    def do_setattr(self, ino, fh, attr, to_set):
        node, now = self.inodes[ino], time.time_ns()
        if to_set & S.MODE:
            node.mode = stat.S_IFMT(node.mode) | stat.S_IMODE(attr.mode)
        if to_set & S.UID:
            node.uid = attr.uid
        if to_set & S.GID:
            node.gid = attr.gid
        if to_set & S.SIZE:
            del node.data[attr.size:]
            node.data.extend(bytes(attr.size - len(node.data)))
            node.mtime = now
        if to_set & (S.ATIME | S.ATIME_NOW):
            node.atime = now if to_set & S.ATIME_NOW else attr.atime * 10**9 + attr.atime_nsec
        if to_set & (S.MTIME | S.MTIME_NOW):
            node.mtime = now if to_set & S.MTIME_NOW else attr.mtime * 10**9 + attr.mtime_nsec
        node.changed()
        return node.getattr()

    def do_readlink(self, ino):
        return self.inodes[ino].target

    def do_mknod(self, parent, name, mode, rdev):
        return self.new_node(parent, name, mode, rdev)

    def do_mkdir(self, parent, name, mode):
        return self.new_node(parent, name, stat.S_IFDIR | mode)

    def do_symlink(self, target, parent, name):
        return self.new_node(parent, name, stat.S_IFLNK | 0o777, target=target)

    def do_create(self, parent, name, mode, info):
        return self.new_node(parent, name, mode)

    def do_link(self, ino, newparent, newname):
        d, node = self.dir(newparent), self.inodes[ino]
        if newname in d.children:
            fail(errno.EEXIST)
        d.children[newname] = ino
        node.nlink += 1
        node.changed()
        d.changed(data=True)
        return node.getattr()

    def remove(self, parent, name, want_dir):
        d, node = self.dir(parent), self.child(parent, name)
        is_dir = node.children is not None
        if want_dir and not is_dir:
            fail(errno.ENOTDIR)
        if not want_dir and is_dir:
            fail(errno.EISDIR)
        if is_dir and node.children:
            fail(errno.ENOTEMPTY)
        del d.children[name]
        node.nlink -= 2 if is_dir else 1
        d.nlink -= is_dir
        node.changed()
        d.changed(data=True)

    def do_unlink(self, parent, name):
        self.remove(parent, name, False)

    def do_rmdir(self, parent, name):
        self.remove(parent, name, True)

    def do_rename(self, parent, name, newparent, newname, flags):
        src, dst = self.dir(parent), self.dir(newparent)
        node = self.child(parent, name)
        other = dst.children.get(newname)
        if flags & RENAME_EXCHANGE:
            if other is None:
                fail(errno.ENOENT)
            src.children[name], dst.children[newname] = other, node.ino
            self.moved(self.inodes[other], dst, src)
        else:
            if other is not None:
                if flags & RENAME_NOREPLACE:
                    fail(errno.EEXIST)
                if other == node.ino:
                    return
                self.remove(newparent, newname, node.children is not None)
            del src.children[name]
            dst.children[newname] = node.ino
        self.moved(node, src, dst)
        node.changed()
        src.changed(data=True)
        dst.changed(data=True)

    def moved(self, node, old, new):
        if node.children is not None and old is not new:
            node.parent, old.nlink, new.nlink = new.ino, old.nlink - 1, new.nlink + 1

    def do_readdir(self, ino, fh, offset, filler):
        d = self.dir(ino)
        names = [('.', ino), ('..', d.parent)] + list(d.children.items())
        for i in range(offset, len(names)):
            name, child = names[i]
            if not filler.add(name, child, self.inodes[child].mode, i + 1):
                break

    def do_read(self, ino, fh, offset, size):
        return memoryview(self.inodes[ino].data)[offset:offset + size]

    def do_write(self, ino, fh, data, offset, flags):
        node = self.inodes[ino]
        if offset > len(node.data):
            node.data.extend(bytes(offset - len(node.data)))
        node.data[offset:offset + len(data)] = data
        node.changed(data=True)
        return len(data)

    def do_statfs(self, ino):
        used = sum(len(n.data) for n in self.inodes.values()) // 4096
        return Vfsd.Statfs(blocks=1 << 20, bfree=(1 << 20) - used, bavail=(1 << 20) - used,
                           files=1 << 20, ffree=(1 << 20) - len(self.inodes))

    def do_setxattr(self, ino, name, value, flags):
        space, _, rest = name.partition('.')
        if space not in ('user', 'trusted', 'security', 'system') or not rest:
            fail(errno.EINVAL if rest == '' and '.' in name else errno.EOPNOTSUPP)
        if len(value) > 65536:
            fail(errno.E2BIG)
        x = self.inodes[ino].xattrs
        if (flags & XATTR_CREATE and name in x) or (flags & XATTR_REPLACE and name not in x):
            fail(errno.EEXIST if name in x else errno.ENODATA)
        x[name] = value
        self.inodes[ino].changed()

    def do_getxattr(self, ino, name):
        x = self.inodes[ino].xattrs
        return x[name] if name in x else fail(errno.ENODATA)

    def do_listxattr(self, ino):
        return list(self.inodes[ino].xattrs)

    def do_removexattr(self, ino, name):
        if self.inodes[ino].xattrs.pop(name, None) is None:
            fail(errno.ENODATA)
        self.inodes[ino].changed()


if __name__ == '__main__':
    if len(sys.argv) < 2:
        sys.exit('usage: memfs.py MOUNTPOINT [OPTIONS]')
    with Vfsd.Mount.new(MemFS(), sys.argv[1], ','.join(sys.argv[2:])) as m:
        m.run()
