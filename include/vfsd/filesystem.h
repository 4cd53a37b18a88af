/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libvfsd — VfsdFilesystem: a backend written as a GObject subclass.
 *
 * #VfsdFilesystem is an abstract #VfsdBackend whose operations are virtual
 * methods.  A language binding subclasses it and overrides the methods it
 * needs; the library calls them through an adapter that implements
 * #VfsdOps.  In Python (PyGObject) an override is a method named `do_` +
 * the operation:
 *
 * |[<!-- language="Python" -->
 * from gi.repository import Vfsd
 *
 * class Hello(Vfsd.Filesystem):
 *     def do_getattr(self, ino, fh):
 *         ...
 *         return Vfsd.Attr(mode=stat.S_IFDIR | 0o755, nlink=2)
 * ]|
 *
 * # Conventions
 *
 * Every virtual method returns a boolean (or a pointer) and takes a #GError.
 * Failure is an error in the %VFSD_ERROR domain whose code is the errno to
 * answer (`raise Vfsd.Error(errno.ENOENT)` in Python); the G_IO_ERROR and
 * G_FILE_ERROR domains are mapped to errnos too.  FALSE or NULL without an
 * error, or an error of another domain, is answered with EIO and logged
 * (rate-limited): a binding that lost an exception must not make the kernel
 * retry forever.
 *
 * Results: structures (#VfsdAttr, #VfsdEntry, #VfsdStatfs) are output
 * parameters the library allocates; counts (bytes written or copied, a
 * seek result) are output parameters; data travels as #GBytes both ways
 * (the bytes of a write are copied, since a binding may keep them).
 * open(), create() and opendir() set fields of the #VfsdOpenInfo they get,
 * in place; getlk() likewise changes its #VfsdLock.
 *
 * Only the methods a class overrides are offered to the kernel; for the
 * others the library's default applies (the "If NULL" line of each
 * operation in <vfsd/backend.h>).  lookup and getattr are required.
 *
 * # The caller
 *
 * vfsd_filesystem_get_caller() tells, during an operation, who made the
 * request (uid, gid, pid, umask).
 *
 * # Threads
 *
 * The #VfsdFilesystem:thread-model property says how many operations may
 * run at once (default: one at a time, which is what a Python backend
 * wants: the GIL serializes it anyway).  An I/O-bound backend that releases
 * the GIL while it waits declares %VFSD_THREAD_PARALLEL and is mounted with
 * more worker threads (`threads=N`).
 */
#ifndef VFSD_FILESYSTEM_H
#define VFSD_FILESYSTEM_H

#include <vfsd/backend.h>
#include <vfsd/mount.h>
#include <vfsd/gtypes.h>

G_BEGIN_DECLS

/**
 * VfsdFilesystem:
 *
 * A backend whose operations are virtual methods: subclass it (in Python,
 * with `do_` methods) and mount it like any #VfsdBackend.  See the top of
 * <vfsd/filesystem.h> for the conventions.
 */
#define VFSD_TYPE_FILESYSTEM (vfsd_filesystem_get_type())
G_DECLARE_DERIVABLE_TYPE(VfsdFilesystem, vfsd_filesystem, VFSD, FILESYSTEM,
                         VfsdBackend)

/**
 * VfsdFilesystemClass:
 * @parent_class: the parent class
 * @init: the mount starts: adjust @init (timeouts, caps, …)
 * @destroy: the mount has ended; called once, after every other call
 * @lookup: find a name in a directory
 * @forget: the kernel dropped its last reference to an inode
 * @getattr: attributes of an inode
 * @setattr: change attributes
 * @readlink: the target of a symlink
 * @mknod: create a file, FIFO, socket or device node
 * @mkdir: create a directory
 * @unlink: remove a name that is not a directory
 * @rmdir: remove an empty directory
 * @symlink: create a symlink
 * @rename: rename, with the rename(2) rules
 * @link: create a hard link
 * @open: open a file
 * @create: create and open a file
 * @read: read bytes
 * @write: write bytes
 * @flush: close(2) of one descriptor of an open file
 * @release: the last reference to an open file is gone
 * @fsync: make a file durable
 * @opendir: open a directory
 * @readdir: list a directory
 * @releasedir: close a directory
 * @fsyncdir: make a directory durable
 * @statfs: file system statistics
 * @setxattr: set an extended attribute
 * @getxattr: get an extended attribute
 * @listxattr: list extended attributes
 * @removexattr: remove an extended attribute
 * @access: access(2) check (only asked when the backend checks permissions)
 * @fallocate: allocate or punch space
 * @lseek: find data or a hole
 * @copy_file_range: copy between open files
 * @getlk: test for a POSIX lock
 * @setlk: take or release a POSIX lock
 * @flock: BSD lock
 * @bmap: map a block (block-device mounts only)
 * @ioctl: a restricted ioctl(2)
 * @poll: poll(2)
 *
 * The operations a subclass overrides.  Each mirrors the #VfsdOps member of
 * the same name; the `ctx` argument is replaced by
 * vfsd_filesystem_get_caller().
 */
struct _VfsdFilesystemClass {
  VfsdBackendClass parent_class;

  gboolean (*init)(VfsdFilesystem *self, VfsdInit *init, GError **error);
  gboolean (*destroy)(VfsdFilesystem *self, GError **error);
  gboolean (*lookup)(VfsdFilesystem *self, guint64 parent, const char *name,
                     VfsdEntry *entry, GError **error);
  gboolean (*forget)(VfsdFilesystem *self, guint64 ino, GError **error);
  gboolean (*getattr)(VfsdFilesystem *self, guint64 ino, guint64 fh,
                      VfsdAttr *attr, GError **error);
  gboolean (*setattr)(VfsdFilesystem *self, guint64 ino, guint64 fh,
                      const VfsdAttr *attr, guint32 to_set, VfsdAttr *out,
                      GError **error);
  char *(*readlink)(VfsdFilesystem *self, guint64 ino, GError **error);
  gboolean (*mknod)(VfsdFilesystem *self, guint64 parent, const char *name,
                    guint32 mode, guint64 rdev, VfsdEntry *entry,
                    GError **error);
  gboolean (*mkdir)(VfsdFilesystem *self, guint64 parent, const char *name,
                    guint32 mode, VfsdEntry *entry, GError **error);
  gboolean (*unlink)(VfsdFilesystem *self, guint64 parent, const char *name,
                     GError **error);
  gboolean (*rmdir)(VfsdFilesystem *self, guint64 parent, const char *name,
                    GError **error);
  gboolean (*symlink)(VfsdFilesystem *self, const char *target,
                      guint64 parent, const char *name, VfsdEntry *entry,
                      GError **error);
  gboolean (*rename)(VfsdFilesystem *self, guint64 parent, const char *name,
                     guint64 newparent, const char *newname, guint32 flags,
                     GError **error);
  gboolean (*link)(VfsdFilesystem *self, guint64 ino, guint64 newparent,
                   const char *newname, VfsdEntry *entry, GError **error);
  gboolean (*open)(VfsdFilesystem *self, guint64 ino, VfsdOpenInfo *info,
                   GError **error);
  gboolean (*create)(VfsdFilesystem *self, guint64 parent, const char *name,
                     guint32 mode, VfsdOpenInfo *info, VfsdEntry *entry,
                     GError **error);
  GBytes *(*read)(VfsdFilesystem *self, guint64 ino, guint64 fh,
                  gint64 offset, gsize size, GError **error);
  gboolean (*write)(VfsdFilesystem *self, guint64 ino, guint64 fh,
                    GBytes *data, gint64 offset, guint32 flags,
                    gsize *written, GError **error);
  gboolean (*flush)(VfsdFilesystem *self, guint64 ino, guint64 fh,
                    guint64 lock_owner, GError **error);
  gboolean (*release)(VfsdFilesystem *self, guint64 ino, guint64 fh,
                      gint32 flags, GError **error);
  gboolean (*fsync)(VfsdFilesystem *self, guint64 ino, guint64 fh,
                    gboolean datasync, GError **error);
  gboolean (*opendir)(VfsdFilesystem *self, guint64 ino, VfsdOpenInfo *info,
                      GError **error);
  gboolean (*readdir)(VfsdFilesystem *self, guint64 ino, guint64 fh,
                      gint64 offset, VfsdDirFiller *filler, GError **error);
  gboolean (*releasedir)(VfsdFilesystem *self, guint64 ino, guint64 fh,
                         GError **error);
  gboolean (*fsyncdir)(VfsdFilesystem *self, guint64 ino, guint64 fh,
                       gboolean datasync, GError **error);
  gboolean (*statfs)(VfsdFilesystem *self, guint64 ino, VfsdStatfs *out,
                     GError **error);
  gboolean (*setxattr)(VfsdFilesystem *self, guint64 ino, const char *name,
                       GBytes *value, gint32 flags, GError **error);
  GBytes *(*getxattr)(VfsdFilesystem *self, guint64 ino, const char *name,
                      GError **error);
  char **(*listxattr)(VfsdFilesystem *self, guint64 ino, GError **error);
  gboolean (*removexattr)(VfsdFilesystem *self, guint64 ino,
                          const char *name, GError **error);
  gboolean (*access)(VfsdFilesystem *self, guint64 ino, gint32 mask,
                     GError **error);
  gboolean (*fallocate)(VfsdFilesystem *self, guint64 ino, guint64 fh,
                        gint32 mode, gint64 offset, gint64 length,
                        GError **error);
  gboolean (*lseek)(VfsdFilesystem *self, guint64 ino, guint64 fh,
                    gint64 offset, gint32 whence, gint64 *result,
                    GError **error);
  gboolean (*copy_file_range)(VfsdFilesystem *self, guint64 ino_in,
                              guint64 fh_in, gint64 offset_in,
                              guint64 ino_out, guint64 fh_out,
                              gint64 offset_out, gsize len, guint32 flags,
                              gsize *copied, GError **error);
  gboolean (*getlk)(VfsdFilesystem *self, guint64 ino, guint64 fh,
                    guint64 lock_owner, VfsdLock *lock, GError **error);
  gboolean (*setlk)(VfsdFilesystem *self, guint64 ino, guint64 fh,
                    guint64 lock_owner, const VfsdLock *lock, gboolean sleep,
                    GError **error);
  gboolean (*flock)(VfsdFilesystem *self, guint64 ino, guint64 fh,
                    guint64 lock_owner, gint32 op, GError **error);
  gboolean (*bmap)(VfsdFilesystem *self, guint64 ino, guint64 blocksize,
                   guint64 *block, GError **error);
  gboolean (*ioctl)(VfsdFilesystem *self, guint64 ino, guint64 fh,
                    guint32 cmd, GBytes *in, gsize out_size, gint32 *result,
                    GBytes **out, GError **error);
  gboolean (*poll)(VfsdFilesystem *self, guint64 ino, guint64 fh,
                   guint32 events, VfsdPollNotifier *notifier,
                   guint32 *revents, GError **error);

  /*< private >*/
  gpointer padding[16];
};

/**
 * VfsdFilesystemClass::init:
 * @self: the file system
 * @init: settings to adjust; @init.mount is the mount being started
 * @error: return location for a #GError
 *
 * The mount starts.  Failing fails the mount.
 *
 * Returns: TRUE on success.
 */

/**
 * VfsdFilesystemClass::destroy:
 * @self: the file system
 * @error: return location for a #GError (logged; the mount has ended)
 *
 * The mount has ended: called once, after every other call of that mount
 * has returned and every remaining inode has been forgotten.
 *
 * Returns: TRUE on success.
 */

/**
 * VfsdFilesystemClass::lookup:
 * @self: the file system
 * @parent: a directory
 * @name:: a name in it
 * @entry: (out caller-allocates): the entry @name leads to
 * @error: return location for a #GError (ENOENT if there is no such name)
 *
 * Looks up @name in @parent.  The library counts the reference this gives
 * the kernel.  Required.
 *
 * Returns: TRUE on success.
 */

/**
 * VfsdFilesystemClass::forget:
 * @self: the file system
 * @ino: an inode
 * @error: return location for a #GError (logged and ignored)
 *
 * The kernel holds no more references to @ino (see "Lookup counts" in
 * <vfsd/backend.h>).
 *
 * Returns: TRUE on success.
 */

/**
 * VfsdFilesystemClass::getattr:
 * @self: the file system
 * @ino: an inode
 * @fh: the open file's handle for fstat(2), else %VFSD_NO_FH
 * @attr: (out caller-allocates): the attributes of @ino
 * @error: return location for a #GError
 *
 * Required.
 *
 * Returns: TRUE on success.
 */

/**
 * VfsdFilesystemClass::setattr:
 * @self: the file system
 * @ino: an inode
 * @fh: the open file's handle, else %VFSD_NO_FH
 * @attr: the new values of the fields named by @to_set
 * @to_set: #VfsdSetattrFlags
 * @out: (out caller-allocates): the attributes afterwards
 * @error: return location for a #GError
 *
 * Returns: TRUE on success.
 */

/**
 * VfsdFilesystemClass::readlink:
 * @self: the file system
 * @ino: a symlink
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the target, or NULL with
 *   @error set.
 */

/**
 * VfsdFilesystemClass::mknod:
 * @self: the file system
 * @parent: a directory
 * @name:: the new name
 * @mode: file type and permission bits (the caller's umask applied)
 * @rdev: device number, for device nodes
 * @entry: (out caller-allocates): the new entry
 * @error: return location for a #GError
 *
 * Returns: TRUE on success.
 */

/**
 * VfsdFilesystemClass::mkdir:
 * @self: the file system
 * @parent: a directory
 * @name:: the new name
 * @mode: permission bits (no type bits; the caller's umask applied)
 * @entry: (out caller-allocates): the new directory's entry
 * @error: return location for a #GError
 *
 * Returns: TRUE on success.
 */

/**
 * VfsdFilesystemClass::unlink:
 * @self: the file system
 * @parent: a directory
 * @name:: the name to remove
 * @error: return location for a #GError
 *
 * Returns: TRUE on success.
 */

/**
 * VfsdFilesystemClass::rmdir:
 * @self: the file system
 * @parent: a directory
 * @name:: the empty directory to remove
 * @error: return location for a #GError (ENOTEMPTY, …)
 *
 * Returns: TRUE on success.
 */

/**
 * VfsdFilesystemClass::symlink:
 * @self: the file system
 * @target:: what the link points to
 * @parent: a directory
 * @name:: the new name
 * @entry: (out caller-allocates): the new symlink's entry
 * @error: return location for a #GError
 *
 * Returns: TRUE on success.
 */

/**
 * VfsdFilesystemClass::rename:
 * @self: the file system
 * @parent: the source directory
 * @name:: the source name
 * @newparent: the target directory
 * @newname:: the target name
 * @flags: 0, `RENAME_NOREPLACE` or `RENAME_EXCHANGE`
 * @error: return location for a #GError
 *
 * Returns: TRUE on success.
 */

/**
 * VfsdFilesystemClass::link:
 * @self: the file system
 * @ino: an existing inode
 * @newparent: a directory
 * @newname:: the new name
 * @entry: (out caller-allocates): the entry of @ino under its new name
 * @error: return location for a #GError
 *
 * Returns: TRUE on success.
 */

/**
 * VfsdFilesystemClass::open:
 * @self: the file system
 * @ino: an inode
 * @info: in: @info.flags holds the open(2) flags; set @info.fh and, if
 *   wanted, @info.out_flags (#VfsdOpenFlags) in place
 * @error: return location for a #GError
 *
 * Returns: TRUE on success.
 */

/**
 * VfsdFilesystemClass::create:
 * @self: the file system
 * @parent: a directory
 * @name:: the new name
 * @mode: file type and permission bits
 * @info: open flags in, handle out, as for open()
 * @entry: (out caller-allocates): the new file's entry
 * @error: return location for a #GError (EEXIST with `O_EXCL`, …)
 *
 * Returns: TRUE on success.
 */

/**
 * VfsdFilesystemClass::read:
 * @self: the file system
 * @ino: an inode
 * @fh: the open file's handle
 * @offset: where to start
 * @size: the most bytes to return
 * @error: return location for a #GError
 *
 * Returns: (transfer full): at most @size bytes (fewer only at the end of
 *   the file), or NULL with @error set.
 */

/**
 * VfsdFilesystemClass::write:
 * @self: the file system
 * @ino: an inode
 * @fh: the open file's handle
 * @data: the bytes to write
 * @offset: where to write them
 * @flags: #VfsdWriteFlags
 * @written: (out): how many bytes were written
 * @error: return location for a #GError
 *
 * Returns: TRUE on success.
 */

/**
 * VfsdFilesystemClass::flush:
 * @self: the file system
 * @ino: an inode
 * @fh: the open file's handle
 * @lock_owner: identifies the closing descriptor's lock owner
 * @error: return location for a #GError
 *
 * Returns: TRUE on success.
 */

/**
 * VfsdFilesystemClass::release:
 * @self: the file system
 * @ino: an inode
 * @fh: the open file's handle, now gone
 * @flags: the open(2) flags
 * @error: return location for a #GError (logged; no caller sees it)
 *
 * Returns: TRUE on success.
 */

/**
 * VfsdFilesystemClass::fsync:
 * @self: the file system
 * @ino: an inode
 * @fh: the open file's handle
 * @datasync: only the data, not the metadata
 * @error: return location for a #GError
 *
 * Returns: TRUE on success.
 */

/**
 * VfsdFilesystemClass::opendir:
 * @self: the file system
 * @ino: a directory
 * @info: as for open()
 * @error: return location for a #GError
 *
 * Returns: TRUE on success.
 */

/**
 * VfsdFilesystemClass::readdir:
 * @self: the file system
 * @ino: a directory
 * @fh: the directory handle
 * @offset: where to continue (0: from the start)
 * @filler: add entries with vfsd_dir_filler_add() until it returns FALSE;
 *   valid only during this call
 * @error: return location for a #GError
 *
 * Lists @ino from @offset, "." and ".." included.  Each entry carries the
 * offset at which the listing continues after it.
 *
 * Returns: TRUE on success (also when the filler was full).
 */

/**
 * VfsdFilesystemClass::releasedir:
 * @self: the file system
 * @ino: a directory
 * @fh: the directory handle, now gone
 * @error: return location for a #GError (logged)
 *
 * Returns: TRUE on success.
 */

/**
 * VfsdFilesystemClass::fsyncdir:
 * @self: the file system
 * @ino: a directory
 * @fh: the directory handle
 * @datasync: only the data, not the metadata
 * @error: return location for a #GError
 *
 * Returns: TRUE on success.
 */

/**
 * VfsdFilesystemClass::statfs:
 * @self: the file system
 * @ino: an inode of the file system
 * @out: (out caller-allocates): the statistics
 * @error: return location for a #GError
 *
 * Returns: TRUE on success.
 */

/**
 * VfsdFilesystemClass::setxattr:
 * @self: the file system
 * @ino: an inode
 * @name: the attribute's name
 * @value: its new value
 * @flags: 0, `XATTR_CREATE` or `XATTR_REPLACE`
 * @error: return location for a #GError
 *
 * Returns: TRUE on success.
 */

/**
 * VfsdFilesystemClass::getxattr:
 * @self: the file system
 * @ino: an inode
 * @name: the attribute's name
 * @error: return location for a #GError (ENODATA if there is none)
 *
 * Returns: (transfer full): the value, or NULL with @error set.  The
 *   library answers size queries and ERANGE itself.
 */

/**
 * VfsdFilesystemClass::listxattr:
 * @self: the file system
 * @ino: an inode
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (array zero-terminated=1): the names, or NULL
 *   with @error set.
 */

/**
 * VfsdFilesystemClass::removexattr:
 * @self: the file system
 * @ino: an inode
 * @name: the attribute's name
 * @error: return location for a #GError (ENODATA if there is none)
 *
 * Returns: TRUE on success.
 */

/**
 * VfsdFilesystemClass::access:
 * @self: the file system
 * @ino: an inode
 * @mask: `R_OK`, `W_OK`, `X_OK` bits, or `F_OK`
 * @error: return location for a #GError (EACCES)
 *
 * Returns: TRUE when the access is allowed.
 */

/**
 * VfsdFilesystemClass::fallocate:
 * @self: the file system
 * @ino: an inode
 * @fh: the open file's handle
 * @mode: fallocate(2) mode bits
 * @offset: start of the range
 * @length: length of the range
 * @error: return location for a #GError
 *
 * Returns: TRUE on success.
 */

/**
 * VfsdFilesystemClass::lseek:
 * @self: the file system
 * @ino: an inode
 * @fh: the open file's handle
 * @offset: where to start looking
 * @whence: `SEEK_DATA` or `SEEK_HOLE`
 * @result: (out): the offset found
 * @error: return location for a #GError (ENXIO past the end)
 *
 * Returns: TRUE on success.
 */

/**
 * VfsdFilesystemClass::copy_file_range:
 * @self: the file system
 * @ino_in: the source inode
 * @fh_in: its handle
 * @offset_in: where to read
 * @ino_out: the target inode
 * @fh_out: its handle
 * @offset_out: where to write
 * @len: how many bytes
 * @flags: copy_file_range(2) flags
 * @copied: (out): how many bytes were copied
 * @error: return location for a #GError
 *
 * Returns: TRUE on success.
 */

/**
 * VfsdFilesystemClass::getlk:
 * @self: the file system
 * @ino: an inode
 * @fh: the open file's handle
 * @lock_owner: the asking lock owner
 * @lock: in: the lock to test; change it in place to the conflicting lock,
 *   or set its type to `F_UNLCK` if there is none
 * @error: return location for a #GError
 *
 * Override getlk and setlk together, or neither.
 *
 * Returns: TRUE on success.
 */

/**
 * VfsdFilesystemClass::setlk:
 * @self: the file system
 * @ino: an inode
 * @fh: the open file's handle
 * @lock_owner: the lock owner
 * @lock: the lock to take, or `F_UNLCK` to release
 * @sleep: wait for a conflicting lock to go (F_SETLKW)
 * @error: return location for a #GError (EAGAIN on conflict without
 *   @sleep)
 *
 * Returns: TRUE on success.
 */

/**
 * VfsdFilesystemClass::flock:
 * @self: the file system
 * @ino: an inode
 * @fh: the open file's handle
 * @lock_owner: the lock owner
 * @op: `LOCK_SH`, `LOCK_EX` or `LOCK_UN`, maybe with `LOCK_NB`
 * @error: return location for a #GError
 *
 * Returns: TRUE on success.
 */

/**
 * VfsdFilesystemClass::bmap:
 * @self: the file system
 * @ino: an inode
 * @blocksize: the block size
 * @block: (inout): the block index in the file; the device block out
 * @error: return location for a #GError
 *
 * Only block-device (fuseblk) mounts ask this.
 *
 * Returns: TRUE on success.
 */

/**
 * VfsdFilesystemClass::ioctl:
 * @self: the file system
 * @ino: an inode
 * @fh: the open file's handle
 * @cmd: the ioctl request
 * @in: the bytes the caller passed in (maybe empty)
 * @out_size: room for bytes out
 * @result: (out): the ioctl's result (>= 0)
 * @out: (out) (transfer full) (nullable): at most @out_size bytes out
 * @error: return location for a #GError (ENOTTY for an unknown @cmd)
 *
 * Returns: TRUE on success.
 */

/**
 * VfsdFilesystemClass::poll:
 * @self: the file system
 * @ino: an inode
 * @fh: the open file's handle
 * @events: the poll events asked about
 * @notifier: (nullable): when not NULL, keep it and call
 *   vfsd_poll_notifier_notify() when the state changes
 * @revents: (out): the events ready now
 * @error: return location for a #GError
 *
 * Returns: TRUE on success.
 */

/**
 * vfsd_filesystem_get_caller:
 * @self: the file system
 * @uid: (out) (optional): effective user id of the caller
 * @gid: (out) (optional): effective group id of the caller
 * @pid: (out) (optional): thread id of the caller (0 for the kernel's own
 *   requests)
 * @umask: (out) (optional): umask of the caller
 *
 * Tells who made the request being served, from inside an operation of
 * @self on the thread that runs it.
 *
 * Returns: FALSE (and zeros) when no operation of @self runs on this
 *   thread.
 */
gboolean vfsd_filesystem_get_caller(VfsdFilesystem *self, guint32 *uid,
                                    guint32 *gid, guint32 *pid,
                                    guint32 *umask);

/**
 * vfsd_filesystem_caller_in_group:
 * @self: the file system
 * @gid: a group
 *
 * Whether the caller of the operation being served belongs to @gid, as its
 * primary or a supplementary group.
 *
 * Returns: TRUE if it does; FALSE also outside an operation.
 */
gboolean vfsd_filesystem_caller_in_group(VfsdFilesystem *self, guint32 gid);

/**
 * vfsd_filesystem_is_interrupted:
 * @self: the file system
 *
 * Whether the caller of the operation being served gave up (a signal
 * interrupted its system call); a long operation may then fail with EINTR.
 *
 * Returns: TRUE if the request was interrupted.
 */
gboolean vfsd_filesystem_is_interrupted(VfsdFilesystem *self);

/**
 * vfsd_filesystem_get_mount:
 * @self: the file system
 *
 * The mount @self serves, between its init() and its destroy(): for the
 * notification calls (vfsd_mount_notify_inval_inode(), …).
 *
 * Returns: (transfer full) (nullable): the mount, or NULL when @self is not
 *   mounted.
 */
VfsdMount *vfsd_filesystem_get_mount(VfsdFilesystem *self);

G_END_DECLS

#endif /* VFSD_FILESYSTEM_H */
