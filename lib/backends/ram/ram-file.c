/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Open files: open and release, the read paths (copying and zero-copy),
 * write, fallocate, SEEK_DATA/SEEK_HOLE and copy_file_range.
 *
 * A file handle needs no memory: it is the open(2) flags with a tag
 * (RAM_FH_TAG), enough to refuse writes through a read-only handle and to
 * append on O_APPEND handles.  The inode counts its open handles, which
 * keep an unlinked file alive until the last release.  Handle 0 is a file
 * the kernel opened without asking (VFSD_CAP_NO_OPEN): it checked the
 * access mode itself, passes the offset of an O_APPEND write (it holds the
 * inode lock and, the only writer, knows the size), and holds the inode
 * until forget. */
#include "ram-private.h"

#include <errno.h>
#include <linux/falloc.h>
#include <string.h>
#include <sys/stat.h>

#define RAM_FH_TAG (UINT64_C(0x52414d) << 40) /* "RAM" */
#define RAM_FH_MASK (UINT64_C(0xffffff) << 40)

static inline uint64_t
fh_make(int32_t flags)
{
  return RAM_FH_TAG | (uint32_t)flags;
}

/* The open flags of a handle, or -1 if @fh is not one of ours. */
static inline int32_t
fh_flags(uint64_t fh)
{
  if (fh == 0)
    return O_RDWR; /* opened by the kernel alone */
  return (fh & RAM_FH_MASK) == RAM_FH_TAG ? (int32_t)(uint32_t)fh : -1;
}

/* Finds the regular file @ino for an operation on handle @fh; with
 * @writing, a handle opened read-only is refused (the kernel checks the
 * same; this is for callers of the vtable). */
static int
get_file(RamFs *fs, uint64_t ino, uint64_t fh, bool writing, RamInode **out)
{
  int32_t flags = fh_flags(fh);
  RamInode *f;
  if (flags < 0 || (writing && (flags & O_ACCMODE) == O_RDONLY))
    return -EBADF;
  f = ram_inode_get(fs, ino);
  if (f == NULL)
    return -ENOENT;
  if (f->type != S_IFREG) {
    int r = f->type == S_IFDIR ? -EISDIR : -EINVAL;
    ram_inode_unref(f);
    return r;
  }
  *out = f;
  return 0;
}

/* ---- open and release --------------------------------------------------*/

int
ram_file_open_locked(RamFs *fs, const VfsdCtx *ctx, RamInode *f,
                     VfsdOpenInfo *oi)
{
  if (oi->flags & O_TRUNC) {
    /* VFSD_CAP_ATOMIC_O_TRUNC: the kernel leaves O_TRUNC to us, including
     * what truncate(2) would clear for an unprivileged caller. */
    ram_data_truncate(fs, f, 0);
    ram_now(&f->mtime);
    f->ctime = f->mtime;
    if (ctx && ctx->uid != 0) {
      f->mode &= ~(uint32_t)S_ISUID;
      if ((f->mode & S_IXGRP) || !vfsd_ctx_in_group(ctx, f->gid))
        f->mode &= ~(uint32_t)S_ISGID;
    }
  }
  f->open_count++;
  __atomic_add_fetch(&fs->handles_open, 1, __ATOMIC_RELAXED);
  oi->fh = fh_make(oi->flags);
  oi->out_flags &= ~(uint32_t)VFSD_OPEN_CACHE_DIR; /* a directory's flag */
  return 0;
}

int
ram_op_open(void *self, const VfsdCtx *ctx, uint64_t ino, VfsdOpenInfo *oi)
{
  RamFs *fs = self;
  RamInode *f = ram_inode_get(fs, ino);
  int r;
  if (!__atomic_load_n(&fs->opens_seen, __ATOMIC_RELAXED))
    __atomic_store_n(&fs->opens_seen, true, __ATOMIC_RELAXED);
  if (f == NULL)
    return -ENOENT;
  if (f->type != S_IFREG) {
    /* The kernel opens devices, FIFOs and sockets itself. */
    r = f->type == S_IFDIR ? -EISDIR : -EINVAL;
    ram_inode_unref(f);
    return r;
  }
  ram_wrlock(f);
  r = f->deleted ? -ENOENT : ram_file_open_locked(fs, ctx, f, oi);
  ram_unlock(f);
  ram_inode_unref(f);
  return r;
}

int
ram_op_release(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
               int32_t flags)
{
  RamFs *fs = self;
  RamInode *f = ram_inode_get(fs, ino);
  int r = 0;
  if (f == NULL)
    return -ENOENT;
  ram_wrlock(f);
  if (f->open_count > 0 && fh != 0 && fh_flags(fh) >= 0) {
    f->open_count--;
    __atomic_sub_fetch(&fs->handles_open, 1, __ATOMIC_RELAXED);
  } else
    r = -EBADF;
  ram_unlock(f);
  ram_inode_maybe_delete(fs, f); /* the last close of an unlinked file */
  ram_inode_unref(f);
  return r;
}

/* ---- reading -----------------------------------------------------------*/

/* Read-locks @f, updating its atime first when due. */
static void
lock_for_read(RamInode *f)
{
  struct timespec now;
  ram_now(&now);
  ram_rdlock(f);
  if (G_LIKELY(!ram_atime_due(f, &now)))
    return;
  ram_unlock(f);
  ram_wrlock(f);
  if (ram_atime_due(f, &now))
    f->atime = now;
  ram_unlock(f);
  ram_rdlock(f);
}

ssize_t
ram_op_read(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
            char *buf, size_t size, int64_t off)
{
  RamInode *f;
  ssize_t r = get_file(self, ino, fh, false, &f);
  if (r != 0)
    return r;
  lock_for_read(f);
  r = (ssize_t)ram_data_read(f, buf, size, (uint64_t)off);
  ram_unlock(f);
  ram_inode_unref(f);
  return r;
}

static void
read_done(void *data)
{
  RamInode *f = data;
  ram_unlock(f);
  ram_inode_unref(f);
}

ssize_t
ram_op_read_iov(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
                size_t size, int64_t off, VfsdReadBuf *rb)
{
  RamInode *f;
  ssize_t r = get_file(self, ino, fh, false, &f);
  if (r != 0)
    return r;
  lock_for_read(f);
  if ((uint64_t)off >= f->size) {
    ram_unlock(f);
    ram_inode_unref(f);
    return 0;
  }
  /* The segments point into the chunks: they stay read-locked until the
   * kernel has the reply. */
  vfsd_read_buf_on_sent(rb, read_done, f);
  return ram_data_read_iov(f, (size_t)MIN((uint64_t)size,
                                          f->size - (uint64_t)off),
                           (uint64_t)off, rb);
}

/* ---- writing -----------------------------------------------------------*/

ssize_t
ram_op_write(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
             const char *buf, size_t size, int64_t off, uint32_t flags)
{
  RamFs *fs = self;
  RamInode *f;
  /* Writeback may come through any handle of the file. */
  bool cache = flags & VFSD_WRITE_CACHE;
  ssize_t r = get_file(fs, ino, fh, !cache, &f);
  if (r != 0)
    return r;
  ram_wrlock(f);
  if (!cache && (fh_flags(fh) & O_APPEND))
    off = (int64_t)f->size; /* atomic with the write, whatever the caller */
  r = ram_data_write(fs, f, buf, size, (uint64_t)off);
  if (r > 0) {
    ram_now(&f->mtime);
    f->ctime = f->mtime;
    if (!cache)
      ram_kill_priv(f, ctx);
  }
  ram_unlock(f);
  ram_inode_unref(f);
  return r;
}

int
ram_op_fallocate(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
                 int32_t mode, int64_t off, int64_t len)
{
  RamFs *fs = self;
  RamInode *f;
  uint64_t end = (uint64_t)off + (uint64_t)len;
  bool keep = mode & FALLOC_FL_KEEP_SIZE;
  int r;
  if (mode & ~(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE |
               FALLOC_FL_ZERO_RANGE))
    return -EOPNOTSUPP; /* COLLAPSE_RANGE, INSERT_RANGE, … */
  if ((mode & FALLOC_FL_PUNCH_HOLE) &&
      (!keep || (mode & FALLOC_FL_ZERO_RANGE)))
    return -EOPNOTSUPP; /* as fallocate(2) */
  if (off < 0 || len <= 0)
    return -EINVAL;
  if (end > RAM_MAX_FILE_SIZE || end < (uint64_t)off)
    return -EFBIG;
  r = get_file(fs, ino, fh, true, &f);
  if (r != 0)
    return r;
  ram_wrlock(f);
  if (mode & FALLOC_FL_PUNCH_HOLE)
    r = ram_data_punch(fs, f, (uint64_t)off, (uint64_t)len);
  else if (mode & FALLOC_FL_ZERO_RANGE)
    r = ram_data_zero_range(fs, f, (uint64_t)off, (uint64_t)len);
  else
    r = ram_data_allocate(fs, f, (uint64_t)off, (uint64_t)len);
  if (r == 0) {
    if (!keep && end > f->size)
      f->size = end;
    ram_now(&f->ctime);
    if (mode & (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE))
      f->mtime = f->ctime;
  }
  ram_unlock(f);
  ram_inode_unref(f);
  return r;
}

int
ram_op_lseek(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
             int64_t off, int32_t whence, int64_t *out_off)
{
  RamInode *f;
  uint64_t at = 0;
  int r;
  if (whence != SEEK_DATA && whence != SEEK_HOLE)
    return -EINVAL; /* the kernel does the others */
  if (off < 0)
    return -ENXIO;
  r = get_file(self, ino, fh, false, &f);
  if (r != 0)
    return r;
  ram_rdlock(f);
  r = ram_data_seek(f, (uint64_t)off, whence, &at);
  ram_unlock(f);
  ram_inode_unref(f);
  *out_off = (int64_t)at;
  return r;
}

ssize_t
ram_op_copy_file_range(void *self, const VfsdCtx *ctx, uint64_t ino_in,
                       uint64_t fh_in, int64_t off_in, uint64_t ino_out,
                       uint64_t fh_out, int64_t off_out, size_t len,
                       uint32_t flags)
{
  RamFs *fs = self;
  RamInode *src, *dst;
  ssize_t r;
  if (flags != 0 || off_in < 0 || off_out < 0)
    return -EINVAL;
  if (fh_flags(fh_out) >= 0 && (fh_flags(fh_out) & O_APPEND))
    return -EBADF; /* as copy_file_range(2) */
  r = get_file(fs, ino_in, fh_in, false, &src);
  if (r != 0)
    return r;
  r = get_file(fs, ino_out, fh_out, true, &dst);
  if (r != 0) {
    ram_inode_unref(src);
    return r;
  }
  /* Two files: lock in inode number order (ram-private.h). */
  if (src == dst)
    ram_wrlock(dst);
  else if (src->ino < dst->ino) {
    ram_rdlock(src);
    ram_wrlock(dst);
  } else {
    ram_wrlock(dst);
    ram_rdlock(src);
  }
  if (src == dst) {
    uint64_t n = (uint64_t)off_in < src->size
                     ? MIN((uint64_t)len, src->size - (uint64_t)off_in) : 0;
    if ((uint64_t)off_in < (uint64_t)off_out + n &&
        (uint64_t)off_out < (uint64_t)off_in + n)
      r = -EINVAL; /* overlapping ranges of one file */
  }
  if (r == 0)
    r = ram_data_copy(fs, src, (uint64_t)off_in, dst, (uint64_t)off_out, len);
  if (r > 0) {
    ram_now(&dst->mtime);
    dst->ctime = dst->mtime;
    ram_kill_priv(dst, ctx);
  }
  ram_unlock(dst);
  if (src != dst)
    ram_unlock(src);
  ram_inode_unref(src);
  ram_inode_unref(dst);
  return r;
}
