/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libvfsd — GTypes for the plain structures of <vfsd/backend.h>, for
 * GObject-Introspection and language bindings.
 *
 * The structures of backend.h (VfsdAttr, VfsdEntry, VfsdStatfs, …) stay
 * plain C structs of fixed-width fields; this header registers them as boxed
 * types so that bindings can create, copy and pass them, and gives each a
 * constructor taking all its fields.  From Python:
 *
 * |[<!-- language="Python" -->
 * attr = Vfsd.Attr.new(ino, stat.S_IFREG | 0o644, 1, 0, 0, size, 0, 0, 0,
 *                      0, 0, 0, 0, 0, 0)
 * # or, with the override module, by keyword:
 * attr = Vfsd.Attr(ino=ino, mode=stat.S_IFREG | 0o644, nlink=1, size=size)
 * ]|
 *
 * The enumerations of backend.h and mount.h get GTypes too (generated into
 * <vfsd/enum-types.h>).
 */
#ifndef VFSD_GTYPES_H
#define VFSD_GTYPES_H

#include <vfsd/backend.h>
#include <vfsd/mount.h>
#include <vfsd/enum-types.h>

G_BEGIN_DECLS

/* ---- VfsdAttr ------------------------------------------------------------*/

#define VFSD_TYPE_ATTR (vfsd_attr_get_type())
GType vfsd_attr_get_type(void) G_GNUC_CONST;

/**
 * vfsd_attr_new:
 * @ino: inode number (0: filled in by the library from the request)
 * @mode: file type and permission bits (`S_IFREG | 0644`, …)
 * @nlink: number of hard links
 * @uid: owner
 * @gid: group
 * @size: size in bytes
 * @blocks: space used, in 512-byte units
 * @rdev: device number, for device nodes
 * @blksize: preferred I/O size (0: 4096)
 * @atime: last access, seconds since the epoch
 * @atime_nsec: nanoseconds of @atime (below 10⁹)
 * @mtime: last modification, seconds since the epoch
 * @mtime_nsec: nanoseconds of @mtime
 * @ctime: last status change, seconds since the epoch
 * @ctime_nsec: nanoseconds of @ctime
 *
 * Creates attributes with every field given.
 *
 * Returns: (transfer full): a new #VfsdAttr; free with vfsd_attr_free().
 */
VfsdAttr *vfsd_attr_new(guint64 ino, guint32 mode, guint32 nlink, guint32 uid,
                        guint32 gid, guint64 size, guint64 blocks,
                        guint64 rdev, guint32 blksize, gint64 atime,
                        guint32 atime_nsec, gint64 mtime, guint32 mtime_nsec,
                        gint64 ctime, guint32 ctime_nsec);

/**
 * vfsd_attr_copy:
 * @attr: attributes
 *
 * Returns: (transfer full): a copy of @attr.
 */
VfsdAttr *vfsd_attr_copy(const VfsdAttr *attr);

/**
 * vfsd_attr_free:
 * @attr: (transfer full) (nullable): attributes made by vfsd_attr_new() or
 *   vfsd_attr_copy()
 */
void vfsd_attr_free(VfsdAttr *attr);

/* ---- VfsdEntry -----------------------------------------------------------*/

#define VFSD_TYPE_ENTRY (vfsd_entry_get_type())
GType vfsd_entry_get_type(void) G_GNUC_CONST;

/**
 * vfsd_entry_new:
 * @ino: the inode the name leads to (0: taken from @attr)
 * @generation: distinguishes reuses of the same inode number
 * @entry_timeout: seconds the kernel may cache the name; negative: the
 *   mount's default (what you want unless you have a reason)
 * @attr_timeout: seconds the kernel may cache @attr; negative: the mount's
 *   default
 * @attr: (nullable): complete attributes of @ino (copied); NULL: zeros
 *
 * Creates an entry with every field given.  A #VfsdFilesystem that returns
 * an entry with a negative timeout gets the mount's default in its place.
 *
 * Returns: (transfer full): a new #VfsdEntry; free with vfsd_entry_free().
 */
VfsdEntry *vfsd_entry_new(guint64 ino, guint64 generation,
                          gdouble entry_timeout, gdouble attr_timeout,
                          const VfsdAttr *attr);

/**
 * vfsd_entry_copy:
 * @entry: an entry
 *
 * Returns: (transfer full): a copy of @entry.
 */
VfsdEntry *vfsd_entry_copy(const VfsdEntry *entry);

/**
 * vfsd_entry_free:
 * @entry: (transfer full) (nullable): an entry made by vfsd_entry_new() or
 *   vfsd_entry_copy()
 */
void vfsd_entry_free(VfsdEntry *entry);

/**
 * vfsd_entry_get_attr:
 * @entry: an entry
 *
 * Returns: (transfer full): a copy of the attributes in @entry.
 */
VfsdAttr *vfsd_entry_get_attr(const VfsdEntry *entry);

/**
 * vfsd_entry_set_attr:
 * @entry: an entry
 * @attr: attributes to copy into @entry
 *
 * Replaces the attributes in @entry (bindings cannot assign a structure
 * field that is not a pointer).
 */
void vfsd_entry_set_attr(VfsdEntry *entry, const VfsdAttr *attr);

/* ---- VfsdStatfs ----------------------------------------------------------*/

#define VFSD_TYPE_STATFS (vfsd_statfs_get_type())
GType vfsd_statfs_get_type(void) G_GNUC_CONST;

/**
 * vfsd_statfs_new:
 * @blocks: total blocks, in @frsize units
 * @bfree: free blocks
 * @bavail: free blocks for unprivileged users
 * @files: total inodes
 * @ffree: free inodes
 * @favail: free inodes for unprivileged users
 * @bsize: preferred block size (0: 4096)
 * @frsize: fundamental block size (0: @bsize)
 * @namemax: longest name (0: 255)
 *
 * Returns: (transfer full): a new #VfsdStatfs; free with vfsd_statfs_free().
 */
VfsdStatfs *vfsd_statfs_new(guint64 blocks, guint64 bfree, guint64 bavail,
                            guint64 files, guint64 ffree, guint64 favail,
                            guint32 bsize, guint32 frsize, guint32 namemax);

/**
 * vfsd_statfs_copy:
 * @st: file system statistics
 *
 * Returns: (transfer full): a copy of @st.
 */
VfsdStatfs *vfsd_statfs_copy(const VfsdStatfs *st);

/**
 * vfsd_statfs_free:
 * @st: (transfer full) (nullable): statistics made by vfsd_statfs_new() or
 *   vfsd_statfs_copy()
 */
void vfsd_statfs_free(VfsdStatfs *st);

/* ---- VfsdOpenInfo --------------------------------------------------------*/

#define VFSD_TYPE_OPEN_INFO (vfsd_open_info_get_type())
GType vfsd_open_info_get_type(void) G_GNUC_CONST;

/**
 * vfsd_open_info_new:
 * @flags: open(2) flags
 * @out_flags: #VfsdOpenFlags
 * @fh: a file handle
 *
 * Mostly for tests: the library passes a preset #VfsdOpenInfo to open(),
 * create() and opendir(), whose @fh and @out_flags the backend changes in
 * place.
 *
 * Returns: (transfer full): a new #VfsdOpenInfo.
 */
VfsdOpenInfo *vfsd_open_info_new(gint32 flags, guint32 out_flags, guint64 fh);

/**
 * vfsd_open_info_copy:
 * @info: open parameters
 *
 * Returns: (transfer full): a copy of @info.
 */
VfsdOpenInfo *vfsd_open_info_copy(const VfsdOpenInfo *info);

/**
 * vfsd_open_info_free:
 * @info: (transfer full) (nullable): open parameters
 */
void vfsd_open_info_free(VfsdOpenInfo *info);

/* ---- VfsdInit ------------------------------------------------------------*/

#define VFSD_TYPE_INIT (vfsd_init_get_type())
GType vfsd_init_get_type(void) G_GNUC_CONST;

/**
 * vfsd_init_copy:
 * @init: mount settings
 *
 * Copies @init.  The copy's @mount field is NULL: the mount is only
 * reachable through the #VfsdInit the library passes to init().
 *
 * Returns: (transfer full): a copy of @init.
 */
VfsdInit *vfsd_init_copy(const VfsdInit *init);

/**
 * vfsd_init_free:
 * @init: (transfer full) (nullable): a copy made by vfsd_init_copy()
 */
void vfsd_init_free(VfsdInit *init);

/* ---- VfsdDirFiller -------------------------------------------------------*/

#define VFSD_TYPE_DIR_FILLER (vfsd_dir_filler_get_type())
GType vfsd_dir_filler_get_type(void) G_GNUC_CONST;

/**
 * vfsd_dir_filler_add:
 * @filler: the filler passed to readdir()
 * @name:: entry name
 * @ino: its inode number (only shown to readdir(3))
 * @mode: its file type bits (`S_IFDIR`, …; permission bits are ignored)
 * @next_offset: offset at which the listing continues after this entry
 *   (> 0)
 *
 * Adds one entry to a listing; the same as vfsd_dir_add().  A filler is
 * valid only during the readdir() call it was passed to: a copy kept by a
 * binding refuses every entry.
 *
 * Returns: FALSE if the reply is full and the entry was not added: stop and
 *   return success.
 */
gboolean vfsd_dir_filler_add(VfsdDirFiller *filler, const char *name,
                             guint64 ino, guint32 mode, gint64 next_offset);

/**
 * vfsd_dir_filler_add_entry:
 * @filler: the filler passed to readdir()
 * @name:: entry name
 * @entry: the complete entry, exactly as lookup() would give it
 * @next_offset: offset at which the listing continues after this entry
 *   (> 0)
 *
 * Adds one entry with its attributes; the same as vfsd_dir_add_entry().
 * Worth its cost only when vfsd_dir_filler_wants_entries() is TRUE.
 *
 * Returns: FALSE if the reply is full and the entry was not added.
 */
gboolean vfsd_dir_filler_add_entry(VfsdDirFiller *filler, const char *name,
                                   const VfsdEntry *entry,
                                   gint64 next_offset);

/**
 * vfsd_dir_filler_wants_entries:
 * @filler: the filler passed to readdir()
 *
 * Returns: TRUE when the kernel asked for attributes with the names
 *   (readdirplus).
 */
gboolean vfsd_dir_filler_wants_entries(VfsdDirFiller *filler);

/* ---- VfsdLock ------------------------------------------------------------*/

/**
 * VfsdLock:
 * @start: first byte of the range
 * @len: length of the range; 0: to the end of the file
 * @type: `F_RDLCK`, `F_WRLCK` or `F_UNLCK`
 * @pid: process holding the lock (getlk() answers), or asking for it
 *
 * A POSIX record lock (struct flock with `l_whence` always `SEEK_SET`), as
 * #VfsdFilesystem passes it to getlk() and setlk().
 */
typedef struct VfsdLock {
  gint64 start;
  gint64 len;
  gint32 type;
  gint32 pid;
} VfsdLock;

#define VFSD_TYPE_LOCK (vfsd_lock_get_type())
GType vfsd_lock_get_type(void) G_GNUC_CONST;

/**
 * vfsd_lock_new:
 * @type: `F_RDLCK`, `F_WRLCK` or `F_UNLCK`
 * @start: first byte of the range
 * @len: length of the range; 0: to the end of the file
 * @pid: process holding the lock
 *
 * Returns: (transfer full): a new #VfsdLock.
 */
VfsdLock *vfsd_lock_new(gint32 type, gint64 start, gint64 len, gint32 pid);

/**
 * vfsd_lock_copy:
 * @lock: a lock
 *
 * Returns: (transfer full): a copy of @lock.
 */
VfsdLock *vfsd_lock_copy(const VfsdLock *lock);

/**
 * vfsd_lock_free:
 * @lock: (transfer full) (nullable): a lock
 */
void vfsd_lock_free(VfsdLock *lock);

/* ---- VfsdPollNotifier ----------------------------------------------------*/

/**
 * VfsdPollNotifier:
 *
 * Opaque, reference-counted: lets a #VfsdFilesystem wake a poll(2) waiter
 * after its poll() returned.  Keep a reference (bindings do so by keeping
 * the object) and call vfsd_poll_notifier_notify() when the file becomes
 * ready.  Notifying after the mount ended does nothing.
 */
typedef struct _VfsdPollNotifier VfsdPollNotifier;

#define VFSD_TYPE_POLL_NOTIFIER (vfsd_poll_notifier_get_type())
GType vfsd_poll_notifier_get_type(void) G_GNUC_CONST;

/**
 * vfsd_poll_notifier_ref:
 * @notifier: a notifier
 *
 * Returns: (transfer full): @notifier, with one more reference.
 */
VfsdPollNotifier *vfsd_poll_notifier_ref(VfsdPollNotifier *notifier);

/**
 * vfsd_poll_notifier_unref:
 * @notifier: (transfer full): a notifier
 */
void vfsd_poll_notifier_unref(VfsdPollNotifier *notifier);

/**
 * vfsd_poll_notifier_notify:
 * @notifier: a notifier
 *
 * Tells the kernel to poll the file again.  Safe from any thread; does
 * nothing once the mount has ended.
 */
void vfsd_poll_notifier_notify(VfsdPollNotifier *notifier);

/* ---- Stacking ------------------------------------------------------------*/

/**
 * vfsd_backend_stack_layer:
 * @backend: the backend to stack a layer on
 * @spec: `NAME` or `NAME:ARGS`, e.g. `readonly` or `monitor:log=access.jsonl`
 * @error: return location for a #GError
 *
 * Stacks a layer, found by name, on @backend: the same as
 * vfsd_layer_load(), as a method.  From Python:
 * `Vfsd.Backend.load("ram:size=1G").stack_layer("readonly")`.
 *
 * Returns: (transfer full): the layer, or NULL with @error set.
 */
VfsdBackend *vfsd_backend_stack_layer(VfsdBackend *backend, const char *spec,
                                      GError **error);

G_END_DECLS

#endif /* VFSD_GTYPES_H */
