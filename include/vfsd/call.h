/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libvfsd — calling a backend through the library's choke point.
 *
 * Every call into a backend — from the kernel dispatcher, from a layer to
 * the backend below it, from a unit test — goes through these functions.
 * Each one:
 *   - applies the operation's "If NULL" default (lib/defaults.c), or, for a
 *     layer that leaves the operation NULL, passes the call to the backend
 *     below;
 *   - checks the arguments, so a backend never sees impossible ones: names
 *     (non-empty, no '/', at most 255 bytes), modes of the right file type,
 *     flag bits the operation defines, offset + length that fit an off_t,
 *     xattr values of at most 64 KiB.  Such a call is answered with the
 *     errno the system call would give (-EINVAL, -EFBIG, …) without calling
 *     the backend.  A NULL output or buffer, or inode 0, is the caller's
 *     bug: -EFAULT or -EINVAL and a g_critical() naming it.  A NULL
 *     context stands for the library itself: the call is made as root
 *     (uid and gid 0, pid 0), so a backend never sees a NULL context;
 *   - checks the result against the error convention: a positive value that
 *     is not a byte count, a count larger than asked, an errno outside
 *     1..4095, an entry with inode 0, an attribute without a file type — all
 *     become -EIO and one log line (rate-limited) naming backend and
 *     operation;
 *   - traces the call and its result when VFSD_DEBUG contains "ops".
 *
 * They do not count lookups and do not enforce thread models: that is the
 * dispatcher's job, which sits above the whole stack.  Output structures are
 * zeroed (or preset) by the caller; these functions do not clear them.
 */
#ifndef VFSD_CALL_H
#define VFSD_CALL_H

#include <vfsd/backend.h>

G_BEGIN_DECLS

/* All functions below: (skip) for introspection. */

int vfsd_call_init(VfsdBackend *b, VfsdInit *init);
void vfsd_call_destroy(VfsdBackend *b);
int vfsd_call_lookup(VfsdBackend *b, const VfsdCtx *ctx, uint64_t parent,
                     const char *name, VfsdEntry *out);
void vfsd_call_forget(VfsdBackend *b, uint64_t ino);
int vfsd_call_getattr(VfsdBackend *b, const VfsdCtx *ctx, uint64_t ino,
                      uint64_t fh, VfsdAttr *out);
int vfsd_call_setattr(VfsdBackend *b, const VfsdCtx *ctx, uint64_t ino,
                      uint64_t fh, const VfsdAttr *attr, uint32_t to_set,
                      VfsdAttr *out);
ssize_t vfsd_call_readlink(VfsdBackend *b, const VfsdCtx *ctx, uint64_t ino,
                           char *buf, size_t size);
int vfsd_call_mknod(VfsdBackend *b, const VfsdCtx *ctx, uint64_t parent,
                    const char *name, uint32_t mode, uint64_t rdev,
                    VfsdEntry *out);
int vfsd_call_mkdir(VfsdBackend *b, const VfsdCtx *ctx, uint64_t parent,
                    const char *name, uint32_t mode, VfsdEntry *out);
int vfsd_call_unlink(VfsdBackend *b, const VfsdCtx *ctx, uint64_t parent,
                     const char *name);
int vfsd_call_rmdir(VfsdBackend *b, const VfsdCtx *ctx, uint64_t parent,
                    const char *name);
int vfsd_call_symlink(VfsdBackend *b, const VfsdCtx *ctx, const char *target,
                      uint64_t parent, const char *name, VfsdEntry *out);
int vfsd_call_rename(VfsdBackend *b, const VfsdCtx *ctx, uint64_t parent,
                     const char *name, uint64_t newparent,
                     const char *newname, uint32_t flags);
int vfsd_call_link(VfsdBackend *b, const VfsdCtx *ctx, uint64_t ino,
                   uint64_t newparent, const char *newname, VfsdEntry *out);
int vfsd_call_open(VfsdBackend *b, const VfsdCtx *ctx, uint64_t ino,
                   VfsdOpenInfo *oi);
int vfsd_call_create(VfsdBackend *b, const VfsdCtx *ctx, uint64_t parent,
                     const char *name, uint32_t mode, VfsdOpenInfo *oi,
                     VfsdEntry *out);
/* Copying read: works whether the backend below implements read or
 * read_iov. */
ssize_t vfsd_call_read(VfsdBackend *b, const VfsdCtx *ctx, uint64_t ino,
                       uint64_t fh, char *buf, size_t size, int64_t off);
/* Zero-copy read: works whether the backend below implements read or
 * read_iov (a copying backend fills the reply's own scratch buffer). */
ssize_t vfsd_call_read_iov(VfsdBackend *b, const VfsdCtx *ctx, uint64_t ino,
                           uint64_t fh, size_t size, int64_t off,
                           VfsdReadBuf *rb);
ssize_t vfsd_call_write(VfsdBackend *b, const VfsdCtx *ctx, uint64_t ino,
                        uint64_t fh, const char *buf, size_t size,
                        int64_t off, uint32_t flags);
int vfsd_call_flush(VfsdBackend *b, const VfsdCtx *ctx, uint64_t ino,
                    uint64_t fh, uint64_t lock_owner);
int vfsd_call_release(VfsdBackend *b, const VfsdCtx *ctx, uint64_t ino,
                      uint64_t fh, int32_t flags);
int vfsd_call_fsync(VfsdBackend *b, const VfsdCtx *ctx, uint64_t ino,
                    uint64_t fh, int32_t datasync);
int vfsd_call_opendir(VfsdBackend *b, const VfsdCtx *ctx, uint64_t ino,
                      VfsdOpenInfo *oi);
int vfsd_call_readdir(VfsdBackend *b, const VfsdCtx *ctx, uint64_t ino,
                      uint64_t fh, int64_t off, VfsdDirFiller *filler);
int vfsd_call_releasedir(VfsdBackend *b, const VfsdCtx *ctx, uint64_t ino,
                         uint64_t fh);
int vfsd_call_fsyncdir(VfsdBackend *b, const VfsdCtx *ctx, uint64_t ino,
                       uint64_t fh, int32_t datasync);
int vfsd_call_statfs(VfsdBackend *b, const VfsdCtx *ctx, uint64_t ino,
                     VfsdStatfs *out);
int vfsd_call_setxattr(VfsdBackend *b, const VfsdCtx *ctx, uint64_t ino,
                       const char *name, const char *value, size_t size,
                       int32_t flags);
ssize_t vfsd_call_getxattr(VfsdBackend *b, const VfsdCtx *ctx, uint64_t ino,
                           const char *name, char *buf, size_t size);
ssize_t vfsd_call_listxattr(VfsdBackend *b, const VfsdCtx *ctx, uint64_t ino,
                            char *buf, size_t size);
int vfsd_call_removexattr(VfsdBackend *b, const VfsdCtx *ctx, uint64_t ino,
                          const char *name);
int vfsd_call_access(VfsdBackend *b, const VfsdCtx *ctx, uint64_t ino,
                     int32_t mask);
int vfsd_call_fallocate(VfsdBackend *b, const VfsdCtx *ctx, uint64_t ino,
                        uint64_t fh, int32_t mode, int64_t off, int64_t len);
int vfsd_call_lseek(VfsdBackend *b, const VfsdCtx *ctx, uint64_t ino,
                    uint64_t fh, int64_t off, int32_t whence,
                    int64_t *out_off);
ssize_t vfsd_call_copy_file_range(VfsdBackend *b, const VfsdCtx *ctx,
                                  uint64_t ino_in, uint64_t fh_in,
                                  int64_t off_in, uint64_t ino_out,
                                  uint64_t fh_out, int64_t off_out,
                                  size_t len, uint32_t flags);
int vfsd_call_getlk(VfsdBackend *b, const VfsdCtx *ctx, uint64_t ino,
                    uint64_t fh, uint64_t lock_owner, struct flock *lock);
int vfsd_call_setlk(VfsdBackend *b, const VfsdCtx *ctx, uint64_t ino,
                    uint64_t fh, uint64_t lock_owner,
                    const struct flock *lock, int32_t sleep);
int vfsd_call_flock(VfsdBackend *b, const VfsdCtx *ctx, uint64_t ino,
                    uint64_t fh, uint64_t lock_owner, int32_t op);
int vfsd_call_bmap(VfsdBackend *b, const VfsdCtx *ctx, uint64_t ino,
                   uint64_t blocksize, uint64_t *idx);
int vfsd_call_ioctl(VfsdBackend *b, const VfsdCtx *ctx, uint64_t ino,
                    uint64_t fh, uint32_t cmd, const void *in, size_t in_size,
                    void *out, size_t *out_size);
int vfsd_call_poll(VfsdBackend *b, const VfsdCtx *ctx, uint64_t ino,
                   uint64_t fh, uint32_t events, VfsdPollHandle *ph,
                   uint32_t *revents);

/**
 * VfsdOpId:
 *
 * Identifies an operation, for tables indexed by operation (defaults,
 * statistics, tracing).  Values follow the order of VfsdOps.
 */
typedef enum {
  VFSD_OP_INIT, VFSD_OP_DESTROY, VFSD_OP_LOOKUP, VFSD_OP_FORGET,
  VFSD_OP_GETATTR, VFSD_OP_SETATTR, VFSD_OP_READLINK, VFSD_OP_MKNOD,
  VFSD_OP_MKDIR, VFSD_OP_UNLINK, VFSD_OP_RMDIR, VFSD_OP_SYMLINK,
  VFSD_OP_RENAME, VFSD_OP_LINK, VFSD_OP_OPEN, VFSD_OP_CREATE, VFSD_OP_READ,
  VFSD_OP_READ_IOV, VFSD_OP_WRITE, VFSD_OP_FLUSH, VFSD_OP_RELEASE,
  VFSD_OP_FSYNC, VFSD_OP_OPENDIR, VFSD_OP_READDIR, VFSD_OP_RELEASEDIR,
  VFSD_OP_FSYNCDIR, VFSD_OP_STATFS, VFSD_OP_SETXATTR, VFSD_OP_GETXATTR,
  VFSD_OP_LISTXATTR, VFSD_OP_REMOVEXATTR, VFSD_OP_ACCESS, VFSD_OP_FALLOCATE,
  VFSD_OP_LSEEK, VFSD_OP_COPY_FILE_RANGE, VFSD_OP_GETLK, VFSD_OP_SETLK,
  VFSD_OP_FLOCK, VFSD_OP_BMAP, VFSD_OP_IOCTL, VFSD_OP_POLL,
  VFSD_OP_COUNT
} VfsdOpId;

/**
 * vfsd_op_name:
 * @op: a #VfsdOpId
 *
 * Returns: (transfer none): the operation's name ("lookup", …), or "?".
 */
const char *vfsd_op_name(VfsdOpId op);

/**
 * vfsd_op_is_modifying:
 * @op: a #VfsdOpId
 *
 * Returns: true for operations that change the file system (setattr,
 *   mknod, mkdir, unlink, rmdir, symlink, rename, link, create, write,
 *   setxattr, removexattr, fallocate, copy_file_range).
 */
bool vfsd_op_is_modifying(VfsdOpId op);

/**
 * vfsd_op_default_doc:
 * @op: a #VfsdOpId
 *
 * Returns: (transfer none): what the library does when no backend in a
 *   stack implements @op (the "If NULL" line of backend.h).
 */
const char *vfsd_op_default_doc(VfsdOpId op);

/**
 * vfsd_backend_implements:
 * @b: a backend
 * @op: a #VfsdOpId
 *
 * Whether @b or a backend below it implements @op (read and read_iov count
 * for each other).
 *
 * Returns: true if a call of @op reaches backend code.
 */
bool vfsd_backend_implements(VfsdBackend *b, VfsdOpId op);

/**
 * vfsd_read_buf_new: (skip)
 * @scratch_size: size of the copy buffer offered to copying backends
 *
 * Creates a read buffer for calling vfsd_call_read_iov() outside a mount
 * (tests, layers that transform data).  Free with vfsd_read_buf_free(),
 * which also runs the on-sent callback.
 *
 * Returns: (transfer full): a new buffer.
 */
VfsdReadBuf *vfsd_read_buf_new(size_t scratch_size);
void vfsd_read_buf_free(VfsdReadBuf *rb);
/* Copies the segments of @rb into @dest (at most @size bytes); returns the
 * number of bytes copied. */
size_t vfsd_read_buf_copy_out(VfsdReadBuf *rb, char *dest, size_t size);
/* Number of segments in @rb. */
unsigned vfsd_read_buf_segments(VfsdReadBuf *rb);

/**
 * VfsdDirEntryCallback: (skip)
 *
 * Receives one entry from a filler made by vfsd_dir_filler_new().  @entry is
 * NULL for entries added with vfsd_dir_add().  Return false to refuse the
 * entry as if the reply were full.
 */
typedef bool (*VfsdDirEntryCallback)(void *data, const char *name,
                                     uint64_t ino, uint32_t mode,
                                     const VfsdEntry *entry,
                                     int64_t next_off);

/**
 * vfsd_dir_filler_new: (skip)
 * @plus: whether vfsd_dir_wants_entries() answers true
 * @cb: called for every entry added
 * @data: for @cb
 *
 * A filler for calling vfsd_call_readdir() outside a mount (tests, layers
 * that filter listings).
 *
 * Returns: (transfer full): a filler; free with vfsd_dir_filler_free().
 */
VfsdDirFiller *vfsd_dir_filler_new(bool plus, VfsdDirEntryCallback cb,
                                   void *data);
void vfsd_dir_filler_free(VfsdDirFiller *filler);

G_END_DECLS

#endif /* VFSD_CALL_H */
