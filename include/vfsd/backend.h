/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libvfsd — the backend author's header.
 *
 * A backend is a plain C struct of functions (VfsdOps) plus an instance
 * pointer.  The library turns every request the kernel sends into one call
 * of one of these functions and turns the result back into a reply.
 *
 * # Concepts
 *
 * ## Inodes
 * The backend names every file by a 64-bit inode number of its own choosing.
 * The root directory is VFSD_ROOT_INO (1).  An inode number must keep naming
 * the same file for as long as the kernel holds a reference to it (see
 * "Lookup counts"); together with VfsdEntry.generation it must never name two
 * different files over the life of a mount (export via NFS relies on that).
 *
 * ## Lookup counts, and why the library owns them
 * Each successful reply that hands the kernel an inode (lookup, create, mkdir,
 * mknod, symlink, link, and every entry a readdir adds with
 * vfsd_dir_add_entry()) gives the kernel one reference.  The kernel drops
 * references later with FORGET messages.  The library counts both sides; the
 * backend's forget() is called exactly once when the count of an inode reaches
 * zero, and once for every inode still referenced when the mount ends.  A
 * backend that keeps all inodes alive anyway (a static tree) leaves forget
 * NULL.  A backend that frees an unlinked inode does so in forget() (and only
 * when no file handle is open on it).
 *
 * ## Caching
 * The kernel caches entries (name → inode), attributes, negative lookups and
 * page contents for the times the backend gives.  A backend that is the only
 * writer of its data should let the kernel cache for long (see VfsdInit);
 * every VfsdEntry and VfsdAttr it returns must then be complete and true,
 * size included, or the kernel will serve wrong data from its cache.
 *
 * ## Threads
 * VfsdOps.thread_model says how much concurrency the backend can take, and the
 * library enforces it (see VfsdThreadModel).  No library lock is held while a
 * backend function runs.
 *
 * ## Deadlocks a serving process must avoid
 * A backend function runs on a thread that serves the mount.  It must never
 * touch its own mount point (stat, open, …): the request it makes waits for a
 * serving thread, and with one worker that is itself.  Likewise a program that
 * serves a mount in-process must not fork() while it is mounted, and must not
 * hold a lock in its main thread that a backend function needs while the main
 * thread accesses the mount.
 *
 * # Error convention
 * Every function returns 0 on success or a negative errno (-ENOENT, …);
 * functions that transfer bytes return the count (>= 0).  Anything else — a
 * positive value other than a byte count, a count larger than asked, an errno
 * outside 1..4095 — is a backend bug: the library answers EIO and logs one
 * line (rate-limited).  -ENOSYS means "never supported here": for several
 * operations the kernel remembers it and stops asking.  Transient trouble is
 * -EAGAIN or -EIO.
 *
 * # ABI promise
 * VfsdOps starts with struct_size and abi_version, filled by VFSD_OPS_INIT().
 * Operations are only ever appended.  A backend compiled against an older,
 * smaller VfsdOps keeps working: the library copies only struct_size bytes and
 * treats the missing operations as NULL.  A backend built against a newer ABI
 * than the library knows is refused with a clear error.  Structures the
 * library allocates and passes to the backend (VfsdAttr, VfsdEntry, VfsdInit,
 * …) may grow at their end; they are always zeroed or preset first.
 */
#ifndef VFSD_BACKEND_H
#define VFSD_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <fcntl.h>
#include <glib-object.h>

#include <vfsd/version.h>

G_BEGIN_DECLS

/**
 * VFSD_ABI_VERSION:
 *
 * The version of the VfsdOps layout this header describes.
 */
#define VFSD_ABI_VERSION 1

/**
 * VFSD_ROOT_INO:
 *
 * The inode number of the root directory.
 */
#define VFSD_ROOT_INO 1

/**
 * VFSD_NO_FH:
 *
 * The file handle passed to getattr() and setattr() when the call is not made
 * on an open file.  A backend must not use this value as a handle.
 */
#define VFSD_NO_FH UINT64_MAX

/**
 * VfsdThreadModel:
 * @VFSD_THREAD_SERIALIZE_ALL: the library never makes two calls at once
 *   (the default when thread_model is left 0).
 * @VFSD_THREAD_SERIALIZE_PER_FILE: calls on the same open file handle never
 *   overlap; anything else may run in parallel.
 * @VFSD_THREAD_PARALLEL: any call may run at any time on any thread.
 *
 * How much concurrency a backend can take.  In a stack of layers the
 * strictest model along the stack applies.
 */
typedef enum {
  VFSD_THREAD_SERIALIZE_ALL = 0,
  VFSD_THREAD_SERIALIZE_PER_FILE = 1,
  VFSD_THREAD_PARALLEL = 2,
} VfsdThreadModel;

/**
 * VfsdBackendFlags:
 * @VFSD_BACKEND_CHECKS_PERMISSIONS: the backend checks permissions itself, so
 *   the mount is made without the kernel's `default_permissions`.
 * @VFSD_BACKEND_STABLE_DIR_OFFSETS: the offsets the backend's readdir() hands
 *   out stay valid while the directory changes (an entry that is not removed
 *   is neither skipped nor repeated when a listing resumes at an old offset).
 *   Without this flag the library takes a snapshot of the listing when a
 *   listing starts, which guarantees the same for any backend.
 * @VFSD_BACKEND_HANDLES_KILLPRIV: the backend itself clears setuid/setgid on
 *   write, truncate and chown; otherwise the kernel does it with a setattr().
 *
 * Bits for VfsdOps.flags.
 */
typedef enum {
  VFSD_BACKEND_CHECKS_PERMISSIONS = 1u << 0,
  VFSD_BACKEND_STABLE_DIR_OFFSETS = 1u << 1,
  VFSD_BACKEND_HANDLES_KILLPRIV = 1u << 2,
} VfsdBackendFlags;

/**
 * VfsdCtx:
 * @uid: effective user id of the calling process
 * @gid: effective group id of the calling process
 * @pid: thread id of the calling process (0 for requests the kernel makes
 *   on its own, such as writeback)
 * @umask: umask of the calling process (already applied to @mode in create,
 *   mkdir and mknod unless the backend asked otherwise)
 * @ngroups: number of entries in @groups, when @groups is set
 * @groups: (array length=ngroups) (nullable): supplementary groups, when
 *   known; NULL inside a mount (use vfsd_ctx_in_group())
 * @priv: the library's; NULL when the call does not come from the kernel
 *
 * Who is asking.  Passed to every operation that a process causes.
 */
typedef struct VfsdCtx {
  uint32_t uid;
  uint32_t gid;
  uint32_t pid;
  uint32_t umask;
  uint32_t ngroups;
  uint32_t _reserved;
  const uint32_t *groups;
  void *priv;
} VfsdCtx;

/**
 * VfsdAttr:
 * @ino: inode number (the library fills it from the request when left 0)
 * @size: size in bytes
 * @blocks: space used, in 512-byte units
 * @rdev: device number, for device nodes
 * @mode: file type and permission bits (S_IFREG | 0644, …)
 * @nlink: number of hard links
 * @uid: owner
 * @gid: group
 * @blksize: preferred I/O size (0: the library uses 4096)
 * @atime_nsec: nanoseconds of @atime
 * @mtime_nsec: nanoseconds of @mtime
 * @ctime_nsec: nanoseconds of @ctime
 * @atime: last access, seconds since the epoch
 * @mtime: last modification, seconds since the epoch
 * @ctime: last status change, seconds since the epoch
 *
 * Attributes of an inode, as stat(2) shows them.  Fixed-width fields only.
 */
typedef struct VfsdAttr {
  uint64_t ino;
  uint64_t size;
  uint64_t blocks;
  uint64_t rdev;
  uint32_t mode;
  uint32_t nlink;
  uint32_t uid;
  uint32_t gid;
  uint32_t blksize;
  uint32_t atime_nsec;
  uint32_t mtime_nsec;
  uint32_t ctime_nsec;
  int64_t atime;
  int64_t mtime;
  int64_t ctime;
} VfsdAttr;

/**
 * VfsdEntry:
 * @ino: the inode the name leads to (0 is not allowed on success)
 * @generation: distinguishes reuses of the same inode number
 * @entry_timeout: seconds the kernel may cache the name; preset to the
 *   mount's value, change it only to deviate for this entry
 * @attr_timeout: seconds the kernel may cache @attr; preset like
 *   @entry_timeout
 * @attr: complete attributes of @ino
 *
 * The answer to a lookup and to every operation that creates a name.
 */
typedef struct VfsdEntry {
  uint64_t ino;
  uint64_t generation;
  double entry_timeout;
  double attr_timeout;
  VfsdAttr attr;
} VfsdEntry;

/**
 * VfsdSetattrFlags:
 * @VFSD_SET_MODE: change the permission bits (the type bits never change)
 * @VFSD_SET_UID: change the owner
 * @VFSD_SET_GID: change the group
 * @VFSD_SET_SIZE: truncate or extend to attr->size
 * @VFSD_SET_ATIME: set atime to attr->atime/atime_nsec
 * @VFSD_SET_MTIME: set mtime to attr->mtime/mtime_nsec
 * @VFSD_SET_ATIME_NOW: set atime to the current time
 * @VFSD_SET_MTIME_NOW: set mtime to the current time
 * @VFSD_SET_CTIME: set ctime to attr->ctime/ctime_nsec
 * @VFSD_SET_KILL_SUID: clear the setuid bit (only with
 *   VFSD_BACKEND_HANDLES_KILLPRIV)
 * @VFSD_SET_KILL_SGID: clear the setgid bit (likewise)
 *
 * Which fields a setattr() call changes.
 */
typedef enum {
  VFSD_SET_MODE = 1u << 0,
  VFSD_SET_UID = 1u << 1,
  VFSD_SET_GID = 1u << 2,
  VFSD_SET_SIZE = 1u << 3,
  VFSD_SET_ATIME = 1u << 4,
  VFSD_SET_MTIME = 1u << 5,
  VFSD_SET_ATIME_NOW = 1u << 7,
  VFSD_SET_MTIME_NOW = 1u << 8,
  VFSD_SET_CTIME = 1u << 10,
  VFSD_SET_KILL_SUID = 1u << 11,
  VFSD_SET_KILL_SGID = 1u << 12,
} VfsdSetattrFlags;

/**
 * VfsdOpenFlags:
 * @VFSD_OPEN_DIRECT_IO: bypass the page cache for this open file
 * @VFSD_OPEN_KEEP_CACHE: keep cached pages of the file from earlier opens
 *   (opendir, together with %VFSD_OPEN_CACHE_DIR: keep the listing cached
 *   by earlier opens; the kernel still drops it when the directory changes
 *   through the mount or its mtime changes)
 * @VFSD_OPEN_NONSEEKABLE: the file is a stream
 * @VFSD_OPEN_CACHE_DIR: the kernel may cache the listing (for opendir)
 * @VFSD_OPEN_NOFLUSH: the kernel need not send flush() on close
 * @VFSD_OPEN_PARALLEL_DIRECT_WRITES: allow parallel direct writes
 *
 * How the kernel treats an open file.  Set in VfsdOpenInfo.out_flags.
 */
typedef enum {
  VFSD_OPEN_DIRECT_IO = 1u << 0,
  VFSD_OPEN_KEEP_CACHE = 1u << 1,
  VFSD_OPEN_NONSEEKABLE = 1u << 2,
  VFSD_OPEN_CACHE_DIR = 1u << 3,
  VFSD_OPEN_NOFLUSH = 1u << 4,
  VFSD_OPEN_PARALLEL_DIRECT_WRITES = 1u << 5,
} VfsdOpenFlags;

/**
 * VfsdOpenInfo:
 * @flags: in: the open(2) flags (O_RDWR, O_APPEND, O_TRUNC, …)
 * @out_flags: in/out: VfsdOpenFlags; preset to the mount's defaults
 * @fh: out: the backend's handle for this open file, passed back to every
 *   operation on it and to release(); the library never interprets it
 *
 * Parameters of open(), create() and opendir().
 */
typedef struct VfsdOpenInfo {
  int32_t flags;
  uint32_t out_flags;
  uint64_t fh;
} VfsdOpenInfo;

/**
 * VfsdStatfs:
 * @blocks: total blocks, in @frsize units
 * @bfree: free blocks
 * @bavail: free blocks for unprivileged users
 * @files: total inodes
 * @ffree: free inodes
 * @favail: free inodes for unprivileged users (unused by Linux)
 * @bsize: preferred block size
 * @frsize: fundamental block size
 * @namemax: longest name
 * @_reserved: zero
 *
 * The answer to statfs().
 */
typedef struct VfsdStatfs {
  uint64_t blocks;
  uint64_t bfree;
  uint64_t bavail;
  uint64_t files;
  uint64_t ffree;
  uint64_t favail;
  uint32_t bsize;
  uint32_t frsize;
  uint32_t namemax;
  uint32_t _reserved;
} VfsdStatfs;

/**
 * VfsdCaps:
 * @VFSD_CAP_WRITEBACK_CACHE: let the kernel cache writes and send them later
 *   in bulk (the backend must then accept writes from any context and keep
 *   sizes the kernel sets)
 * @VFSD_CAP_CACHE_SYMLINKS: the kernel may cache symlink targets
 * @VFSD_CAP_NO_READDIRPLUS: never use readdirplus
 * @VFSD_CAP_READDIRPLUS_ALWAYS: use readdirplus for every listing (default:
 *   the kernel chooses)
 * @VFSD_CAP_POSIX_ACL: the backend stores POSIX ACLs as xattrs and the
 *   kernel enforces them
 * @VFSD_CAP_SPLICE: move request data through pipes (measure before use)
 * @VFSD_CAP_ATOMIC_O_TRUNC: open() handles O_TRUNC itself (otherwise the
 *   kernel truncates with a setattr() after opening); the kernel then does
 *   not clear setuid/setgid for such an open either: the backend must
 *   clear them itself
 * @VFSD_CAP_SOLE_WRITER: file contents change only through this mount, so
 *   the kernel keeps cached pages when it sees a new mtime (libfuse's
 *   auto_inval_data off); without it, every change of mtime the kernel
 *   learns of drops the file's cached pages
 * @VFSD_CAP_QUICK_CALLS: every call returns within microseconds (no disk,
 *   network or other process to wait for), so a worker that has answered a
 *   request keeps looking for the next one for a moment (mount option
 *   `spin`, 20 µs by default with this cap) instead of going to sleep: a
 *   synchronous caller's next request then finds it awake.  Costs CPU
 *   while requests keep coming; never changes what a call returns.
 * @VFSD_CAP_NO_OPEN: the backend keeps no state per open file, so the
 *   kernel may open files without asking (FUSE_NO_OPEN_SUPPORT): open() is
 *   no longer called, and release() only right after create() (the kernel
 *   sends no RELEASE then), which saves two requests per open(2).  Calls
 *   on an open file carry fh 0; O_TRUNC arrives as setattr() of size 0; the kernel
 *   keeps the file's pages across opens (KEEP_CACHE); and a file unlinked
 *   while open stays until forget(), the kernel holding its reference.
 *   Honoured only when no layer above the backend implements or hooks
 *   open or release, and when the mount's open flags are KEEP_CACHE alone;
 *   otherwise ignored.
 *
 * Kernel features a backend asks for in VfsdInit.caps.
 */
typedef enum {
  VFSD_CAP_WRITEBACK_CACHE = 1u << 0,
  VFSD_CAP_CACHE_SYMLINKS = 1u << 1,
  VFSD_CAP_NO_READDIRPLUS = 1u << 2,
  VFSD_CAP_READDIRPLUS_ALWAYS = 1u << 3,
  VFSD_CAP_POSIX_ACL = 1u << 4,
  VFSD_CAP_SPLICE = 1u << 5,
  VFSD_CAP_ATOMIC_O_TRUNC = 1u << 6,
  VFSD_CAP_SOLE_WRITER = 1u << 7,
  VFSD_CAP_QUICK_CALLS = 1u << 8,
  VFSD_CAP_NO_OPEN = 1u << 9,
} VfsdCaps;

typedef struct _VfsdMount VfsdMount;

/**
 * VfsdInit:
 * @entry_timeout: default seconds the kernel caches names
 * @attr_timeout: default seconds the kernel caches attributes
 * @negative_timeout: seconds the kernel caches "no such name" (0: never)
 * @open_flags: VfsdOpenFlags preset into every open() and opendir()
 * @caps: VfsdCaps the backend asks for
 * @max_write: largest write request in bytes (0: the library's default)
 * @max_readahead: largest readahead in bytes (0: the library's default)
 * @mount: (nullable): the mount being started, for the notification calls
 *   (vfsd_mount_notify_inval_inode(), …); NULL outside a mount
 *
 * Settings a backend may adjust in init().  The library presets them with its
 * defaults; options the user gives at mount time override what the backend
 * sets here.
 */
typedef struct VfsdInit {
  double entry_timeout;
  double attr_timeout;
  double negative_timeout;
  uint32_t open_flags;
  uint32_t caps;
  uint32_t max_write;
  uint32_t max_readahead;
  VfsdMount *mount;
} VfsdInit;

/**
 * VfsdDirFiller:
 *
 * Opaque: collects the entries a readdir() call returns.
 */
typedef struct _VfsdDirFiller VfsdDirFiller;

/**
 * VfsdReadBuf:
 *
 * Opaque: collects the memory segments a read_iov() call returns.
 */
typedef struct _VfsdReadBuf VfsdReadBuf;

/**
 * VfsdPollHandle:
 *
 * Opaque: lets a backend wake a poll(2) waiter later.
 */
typedef struct _VfsdPollHandle VfsdPollHandle;

/**
 * VfsdOps:
 *
 * The backend vtable.  Fill it with VFSD_OPS_INIT() and designated
 * initializers; leave unneeded operations NULL.  Each operation's "If NULL"
 * line names what the library does instead (the defaults live in one table,
 * lib/defaults.c).  @self is the instance pointer given to
 * vfsd_backend_new().
 */
typedef struct VfsdOps {
  /* Header: filled by VFSD_OPS_INIT(). */
  uint32_t struct_size;   /* sizeof(VfsdOps) as the backend was compiled */
  uint32_t abi_version;   /* VFSD_ABI_VERSION as the backend was compiled */
  uint32_t thread_model;  /* VfsdThreadModel */
  uint32_t flags;         /* VfsdBackendFlags */
  const char *name;       /* short name, for logs and `vfsd backends` */

  /* Called once when a mount starts, before the kernel sees the mount.
   * Adjust @init to ask for caching and kernel features.  A negative errno
   * fails the mount.  If NULL: the library's defaults apply. */
  int (*init)(void *self, VfsdInit *init);

  /* Called exactly once when a mount ends, after every other call of that
   * mount has returned and every remaining inode has been forgotten.
   * If NULL: nothing. */
  void (*destroy)(void *self);

  /* Look up @name in directory @parent and fill @out.  The library counts
   * the reference this gives the kernel.  Required. */
  int (*lookup)(void *self, const VfsdCtx *ctx, uint64_t parent,
                const char *name, VfsdEntry *out);

  /* The kernel holds no more references to @ino.  Called exactly once per
   * time the library's count reaches zero, and at unmount for every inode
   * still referenced.  If NULL: nothing. */
  void (*forget)(void *self, uint64_t ino);

  /* Fill @out with the attributes of @ino.  @fh is the open file's handle
   * for fstat(), else VFSD_NO_FH.  Required. */
  int (*getattr)(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
                 VfsdAttr *out);

  /* Change the attributes of @ino named by @to_set (VfsdSetattrFlags) to
   * the values in @attr, and fill @out with the attributes afterwards.
   * If NULL: -ENOSYS. */
  int (*setattr)(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
                 const VfsdAttr *attr, uint32_t to_set, VfsdAttr *out);

  /* Copy the target of symlink @ino into @buf (of @size bytes, not
   * NUL-terminated) and return its length; -ENAMETOOLONG if it does not
   * fit.  If NULL: -ENOSYS. */
  ssize_t (*readlink)(void *self, const VfsdCtx *ctx, uint64_t ino,
                      char *buf, size_t size);

  /* Create a file, FIFO, socket or device node @name in @parent.
   * If NULL: -ENOSYS. */
  int (*mknod)(void *self, const VfsdCtx *ctx, uint64_t parent,
               const char *name, uint32_t mode, uint64_t rdev,
               VfsdEntry *out);

  /* Create directory @name in @parent; @mode has no type bits.
   * If NULL: -ENOSYS. */
  int (*mkdir)(void *self, const VfsdCtx *ctx, uint64_t parent,
               const char *name, uint32_t mode, VfsdEntry *out);

  /* Remove the non-directory @name from @parent.  If NULL: -ENOSYS. */
  int (*unlink)(void *self, const VfsdCtx *ctx, uint64_t parent,
                const char *name);

  /* Remove the empty directory @name from @parent.  If NULL: -ENOSYS. */
  int (*rmdir)(void *self, const VfsdCtx *ctx, uint64_t parent,
               const char *name);

  /* Create symlink @name in @parent pointing to @target.
   * If NULL: -ENOSYS. */
  int (*symlink)(void *self, const VfsdCtx *ctx, const char *target,
                 uint64_t parent, const char *name, VfsdEntry *out);

  /* Rename @parent/@name to @newparent/@newname with the rename(2) rules;
   * @flags may hold RENAME_NOREPLACE or RENAME_EXCHANGE.
   * If NULL: -ENOSYS. */
  int (*rename)(void *self, const VfsdCtx *ctx, uint64_t parent,
                const char *name, uint64_t newparent, const char *newname,
                uint32_t flags);

  /* Make a new hard link @newparent/@newname to @ino.
   * If NULL: -ENOSYS. */
  int (*link)(void *self, const VfsdCtx *ctx, uint64_t ino,
              uint64_t newparent, const char *newname, VfsdEntry *out);

  /* Open @ino; set @oi->fh and, if wanted, @oi->out_flags.
   * If NULL: success with fh 0. */
  int (*open)(void *self, const VfsdCtx *ctx, uint64_t ino,
              VfsdOpenInfo *oi);

  /* Create and open @name in @parent (O_CREAT, honouring O_EXCL).
   * If NULL: -ENOSYS; the kernel then uses mknod() and open(). */
  int (*create)(void *self, const VfsdCtx *ctx, uint64_t parent,
                const char *name, uint32_t mode, VfsdOpenInfo *oi,
                VfsdEntry *out);

  /* Copy up to @size bytes at @off into @buf; return the count (short only
   * at end of file).  If NULL: read_iov() is used; if both are NULL:
   * -ENOSYS. */
  ssize_t (*read)(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
                  char *buf, size_t size, int64_t off);

  /* Zero-copy read: add segments of the backend's own memory to @rb with
   * vfsd_read_buf_add() and return their total length.  The memory must stay
   * valid until the reply is sent: register a callback with
   * vfsd_read_buf_on_sent() to unpin it.  If NULL: read() is used. */
  ssize_t (*read_iov)(void *self, const VfsdCtx *ctx, uint64_t ino,
                      uint64_t fh, size_t size, int64_t off, VfsdReadBuf *rb);

  /* Write @size bytes from @buf at @off (for O_APPEND files the kernel has
   * already set @off to the end); return the count.  @buf points into the
   * request and is valid only during the call.  @flags: VfsdWriteFlags.
   * If NULL: -ENOSYS. */
  ssize_t (*write)(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
                   const char *buf, size_t size, int64_t off, uint32_t flags);

  /* close(2) of one file descriptor of the open file.
   * If NULL: -ENOSYS, which the kernel takes as success and stops sending;
   * the library also sets VFSD_OPEN_NOFLUSH so no request is made. */
  int (*flush)(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
               uint64_t lock_owner);

  /* The last reference to the open file is gone.  The result reaches no
   * caller.  If NULL: nothing. */
  int (*release)(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
                 int32_t flags);

  /* Make the file's data (and, unless @datasync, metadata) durable.
   * If NULL: -ENOSYS, which the kernel takes as success and stops sending. */
  int (*fsync)(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
               int32_t datasync);

  /* Open directory @ino for listing.  If NULL: success with fh 0. */
  int (*opendir)(void *self, const VfsdCtx *ctx, uint64_t ino,
                 VfsdOpenInfo *oi);

  /* List directory @ino from @off (0 = start): call vfsd_dir_add() or
   * vfsd_dir_add_entry() for each entry until it returns false, giving each
   * entry the offset at which the listing continues after it (> 0).
   * Include "." and "..".  If NULL: -ENOSYS. */
  int (*readdir)(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
                 int64_t off, VfsdDirFiller *filler);

  /* The directory handle is closed.  If NULL: nothing. */
  int (*releasedir)(void *self, const VfsdCtx *ctx, uint64_t ino,
                    uint64_t fh);

  /* Like fsync() for a directory.  If NULL: -ENOSYS (taken as success). */
  int (*fsyncdir)(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
                  int32_t datasync);

  /* Fill @out.  If NULL: zeros, with bsize 4096 and namemax 255. */
  int (*statfs)(void *self, const VfsdCtx *ctx, uint64_t ino,
                VfsdStatfs *out);

  /* Set extended attribute @name; @flags may hold XATTR_CREATE or
   * XATTR_REPLACE.  If NULL: -ENOSYS; the kernel then answers EOPNOTSUPP
   * for every xattr call without asking again. */
  int (*setxattr)(void *self, const VfsdCtx *ctx, uint64_t ino,
                  const char *name, const char *value, size_t size,
                  int32_t flags);

  /* Copy the value of @name into @buf and return its length; with @size 0
   * return the length only; -ERANGE if it does not fit; -ENODATA if there
   * is no such attribute.  If NULL: -ENOSYS (as setxattr). */
  ssize_t (*getxattr)(void *self, const VfsdCtx *ctx, uint64_t ino,
                      const char *name, char *buf, size_t size);

  /* Copy the NUL-separated list of names into @buf, return its length; with
   * @size 0 return the length only; -ERANGE if it does not fit.
   * If NULL: -ENOSYS (as setxattr). */
  ssize_t (*listxattr)(void *self, const VfsdCtx *ctx, uint64_t ino,
                       char *buf, size_t size);

  /* Remove @name; -ENODATA if absent.  If NULL: -ENOSYS (as setxattr). */
  int (*removexattr)(void *self, const VfsdCtx *ctx, uint64_t ino,
                     const char *name);

  /* access(2) check, only sent when the backend checks permissions itself.
   * If NULL: -ENOSYS, which the kernel takes as "allowed" from then on. */
  int (*access)(void *self, const VfsdCtx *ctx, uint64_t ino, int32_t mask);

  /* fallocate(2) @mode (0, FALLOC_FL_KEEP_SIZE, FALLOC_FL_PUNCH_HOLE, …).
   * If NULL: -ENOSYS; the kernel answers EOPNOTSUPP from then on. */
  int (*fallocate)(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
                   int32_t mode, int64_t off, int64_t len);

  /* SEEK_DATA / SEEK_HOLE (other whence values are the kernel's); store the
   * result in @out_off; -ENXIO past the end.  If NULL: -ENOSYS; the kernel
   * then treats the whole file as data. */
  int (*lseek)(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
               int64_t off, int32_t whence, int64_t *out_off);

  /* Copy @len bytes between open files inside the backend; return the count.
   * If NULL: -ENOSYS; the kernel falls back to reading and writing. */
  ssize_t (*copy_file_range)(void *self, const VfsdCtx *ctx,
                             uint64_t ino_in, uint64_t fh_in, int64_t off_in,
                             uint64_t ino_out, uint64_t fh_out,
                             int64_t off_out, size_t len, uint32_t flags);

  /* POSIX record locks (fcntl F_GETLK / F_SETLK / F_SETLKW).  Set all of
   * getlk and setlk or neither.  If NULL: the kernel keeps locks locally,
   * which is right for a backend that only one machine mounts. */
  int (*getlk)(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
               uint64_t lock_owner, struct flock *lock);
  int (*setlk)(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
               uint64_t lock_owner, const struct flock *lock, int32_t sleep);

  /* BSD locks (flock(2)); @op is LOCK_SH, LOCK_EX or LOCK_UN, maybe with
   * LOCK_NB.  If NULL: the kernel keeps them locally. */
  int (*flock)(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
               uint64_t lock_owner, int32_t op);

  /* Map block @idx of a file on a block device (fuseblk only).
   * If NULL: -ENOSYS. */
  int (*bmap)(void *self, const VfsdCtx *ctx, uint64_t ino,
              uint64_t blocksize, uint64_t *idx);

  /* A restricted ioctl(2): @in holds @in_size bytes the caller passed, @out
   * has room for *@out_size bytes; set *@out_size to what was written and
   * return the ioctl's result (>= 0) or a negative errno.
   * If NULL: -ENOTTY. */
  int (*ioctl)(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
               uint32_t cmd, const void *in, size_t in_size, void *out,
               size_t *out_size);

  /* poll(2): store the ready events among @events in @revents.  If @ph is
   * not NULL the backend owns it: call vfsd_poll_handle_notify() when the
   * state changes, and vfsd_poll_handle_free() when done with it.
   * If NULL: -ENOSYS; the kernel then reports the file always ready. */
  int (*poll)(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
              uint32_t events, VfsdPollHandle *ph, uint32_t *revents);

  /* New operations are appended here, never inserted. */
} VfsdOps;

/**
 * VfsdWriteFlags:
 * @VFSD_WRITE_CACHE: the write comes from the kernel's page cache
 *   (writeback); @ctx is not the writer and @fh may belong to another opener
 *
 * Bits for the flags of write().
 */
typedef enum {
  VFSD_WRITE_CACHE = 1u << 0,
} VfsdWriteFlags;

/**
 * VFSD_OPS_INIT:
 * @name_: the backend's short name (a string literal)
 * @thread_model_: a #VfsdThreadModel
 *
 * Fills the header of a VfsdOps in a designated initializer:
 * |[<!-- language="C" -->
 * static const VfsdOps hello_ops = {
 *   VFSD_OPS_INIT ("hello", VFSD_THREAD_PARALLEL),
 *   .lookup = hello_lookup,
 *   .getattr = hello_getattr,
 * };
 * ]|
 */
#define VFSD_OPS_INIT(name_, thread_model_)                                   \
  .struct_size = sizeof(VfsdOps), .abi_version = VFSD_ABI_VERSION,            \
  .thread_model = (thread_model_), .name = (name_)

/**
 * vfsd_ops_init:
 * @ops: (out caller-allocates): the table to fill
 * @name: the backend's short name; not copied
 * @thread_model: a #VfsdThreadModel
 *
 * Zeroes @ops and fills its header, for callers that cannot use
 * VFSD_OPS_INIT() (bindings, C++ before C++20).
 */
void vfsd_ops_init(VfsdOps *ops, const char *name, uint32_t thread_model);

/* ---- Helpers available inside operations --------------------------------*/

/**
 * vfsd_ctx_in_group:
 * @ctx: the caller
 * @gid: a group
 *
 * Whether the caller is a member of @gid, as its primary group or a
 * supplementary one (read from /proc when first asked, once per call).
 *
 * Returns: true if the caller belongs to @gid.
 */
bool vfsd_ctx_in_group(const VfsdCtx *ctx, uint32_t gid);

/**
 * vfsd_ctx_interrupted:
 * @ctx: the caller
 *
 * Whether the caller has given up on the request (a signal interrupted its
 * system call).  A long-running operation may return -EINTR then.
 *
 * Returns: true if the request was interrupted.
 */
bool vfsd_ctx_interrupted(const VfsdCtx *ctx);

/**
 * vfsd_dir_add:
 * @filler: the filler passed to readdir()
 * @name: entry name
 * @ino: its inode number (only shown to readdir(3); no reference is given)
 * @mode: its file type bits (S_IFDIR, …; permission bits are ignored)
 * @next_off: offset at which the listing continues after this entry (> 0)
 *
 * Adds one entry to a listing.
 *
 * Returns: false if the reply is full and the entry was not added.
 */
bool vfsd_dir_add(VfsdDirFiller *filler, const char *name, uint64_t ino,
                  uint32_t mode, int64_t next_off);

/**
 * vfsd_dir_add_entry:
 * @filler: the filler passed to readdir()
 * @name: entry name
 * @entry: the complete entry, as lookup() would give it
 * @next_off: offset at which the listing continues after this entry (> 0)
 *
 * Adds one entry with its attributes; when the kernel asked for them
 * (readdirplus) it saves a lookup per entry and the library counts the
 * reference it gives.  Use it only when @entry is exactly what lookup()
 * would return.
 *
 * Returns: false if the reply is full and the entry was not added.
 */
bool vfsd_dir_add_entry(VfsdDirFiller *filler, const char *name,
                        const VfsdEntry *entry, int64_t next_off);

/**
 * vfsd_dir_wants_entries:
 * @filler: the filler passed to readdir()
 *
 * Whether this listing carries attributes (readdirplus), so that calling
 * vfsd_dir_add_entry() is worth its cost.
 *
 * Returns: true for readdirplus.
 */
bool vfsd_dir_wants_entries(const VfsdDirFiller *filler);

/**
 * VFSD_READ_BUF_MAX_SEGMENTS:
 *
 * How many segments one read_iov() reply may have.
 */
#define VFSD_READ_BUF_MAX_SEGMENTS 512

/**
 * vfsd_read_buf_add:
 * @rb: the buffer passed to read_iov()
 * @data: memory that stays valid until the on-sent callback runs
 * @len: its length
 *
 * Appends a segment to a zero-copy read reply.
 *
 * Returns: 0, or -E2BIG when the reply has VFSD_READ_BUF_MAX_SEGMENTS
 * segments already.
 */
int vfsd_read_buf_add(VfsdReadBuf *rb, const void *data, size_t len);

/**
 * vfsd_read_buf_on_sent:
 * @rb: the buffer passed to read_iov()
 * @done: called once after the reply was written (or dropped), on the
 *   serving thread, with @data
 * @data: argument for @done
 *
 * Registers the one callback that releases the memory of a zero-copy reply.
 * It runs whatever read_iov() returned, as long as it was registered.
 */
void vfsd_read_buf_on_sent(VfsdReadBuf *rb, void (*done)(void *data),
                           void *data);

/**
 * vfsd_poll_handle_notify:
 * @ph: a handle received in poll()
 *
 * Tells the kernel to poll the file again.  The handle stays owned by the
 * backend.
 */
void vfsd_poll_handle_notify(VfsdPollHandle *ph);

/**
 * vfsd_poll_handle_free:
 * @ph: (transfer full): a handle received in poll()
 *
 * Frees the handle.
 */
void vfsd_poll_handle_free(VfsdPollHandle *ph);

/* ---- Backends as objects ------------------------------------------------*/

#define VFSD_TYPE_BACKEND (vfsd_backend_get_type())
G_DECLARE_DERIVABLE_TYPE(VfsdBackend, vfsd_backend, VFSD, BACKEND, GObject)

/**
 * VfsdBackendClass:
 * @parent_class: the parent class
 *
 * The class of every mountable thing: a C backend wrapped with
 * vfsd_backend_new(), a layer, a loaded module, or a #VfsdFilesystem
 * subclass.
 */
struct _VfsdBackendClass {
  GObjectClass parent_class;
  /*< private >*/
  gpointer padding[8];
};

/**
 * vfsd_backend_new: (skip)
 * @ops: the operations; the library keeps its own copy of the first
 *   @ops->struct_size bytes
 * @instance: (nullable): passed as `self` to every operation
 * @free_instance: (nullable): called on @instance when the backend object
 *   is finalized
 * @error: return location for a #GError
 *
 * Wraps a C backend into a #VfsdBackend that can be mounted.  Fails with
 * VFSD_ERROR_INVAL when @ops declares an ABI newer than this library, an
 * impossible size, or lacks lookup or getattr.  On failure @free_instance is
 * not called.
 *
 * Returns: (transfer full): the backend, or NULL with @error set.
 */
VfsdBackend *vfsd_backend_new(const VfsdOps *ops, void *instance,
                              GDestroyNotify free_instance, GError **error);

/**
 * vfsd_backend_get_name:
 * @backend: a backend
 *
 * Returns: (transfer none): the backend's short name.
 */
const char *vfsd_backend_get_name(VfsdBackend *backend);

/**
 * vfsd_backend_get_instance: (skip)
 * @backend: a backend
 *
 * Returns: (transfer none): the instance pointer given at creation.
 */
void *vfsd_backend_get_instance(VfsdBackend *backend);

/**
 * vfsd_backend_get_ops: (skip)
 * @backend: a backend
 *
 * Returns: (transfer none): the library's private copy of the operations.
 */
const VfsdOps *vfsd_backend_get_ops(VfsdBackend *backend);

/**
 * vfsd_backend_get_thread_model:
 * @backend: a backend
 *
 * The effective thread model: the strictest along the stack of layers.
 *
 * Returns: a #VfsdThreadModel.
 */
VfsdThreadModel vfsd_backend_get_thread_model(VfsdBackend *backend);

/**
 * vfsd_backend_get_next:
 * @backend: a backend
 *
 * Returns: (transfer none) (nullable): the backend a layer stands on, or
 * NULL for a backend that is not a layer.
 */
VfsdBackend *vfsd_backend_get_next(VfsdBackend *backend);

G_END_DECLS

#endif /* VFSD_BACKEND_H */
