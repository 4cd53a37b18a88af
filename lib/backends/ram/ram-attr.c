/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Attributes: getattr, setattr (chmod, chown, truncate, utimens),
 * readlink and statfs.
 *
 * The kernel checks who may change what (default_permissions); what it
 * leaves to a file system, and this file does, is what setattr_copy() does
 * for local ones: a chmod by someone outside the file's group drops setgid,
 * and a chown drops setuid (and setgid from group-executable files).  Any
 * change sets ctime; a size change also sets mtime. */
#include "ram-private.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

int
ram_op_getattr(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
               VfsdAttr *out)
{
  RamInode *i = ram_inode_get(self, ino);
  if (i == NULL)
    return -ENOENT;
  ram_rdlock(i);
  ram_inode_fill_attr(i, out);
  ram_unlock(i);
  ram_inode_unref(i);
  return 0;
}

static inline bool
privileged(const VfsdCtx *ctx)
{
  return ctx == NULL || ctx->uid == 0;
}

/* What write(2), truncate(2) and fallocate(2) by an unprivileged caller
 * clear, as the kernel's setattr_should_drop_suidgid() decides: setuid
 * always; setgid when group-executable, or when the caller is not in the
 * file's group.  The backend does it (VFSD_BACKEND_HANDLES_KILLPRIV)
 * because the kernel's own attempt is skipped once it has marked the inode
 * S_NOSEC, which a write by a group member does for setgid without group
 * execute.  Called with @i write-locked. */
void
ram_kill_priv(RamInode *i, const VfsdCtx *ctx)
{
  uint32_t mode = i->mode;
  if (!(mode & (S_ISUID | S_ISGID)) || privileged(ctx))
    return;
  mode &= ~(uint32_t)S_ISUID;
  if ((mode & S_ISGID) &&
      ((mode & S_IXGRP) || !vfsd_ctx_in_group(ctx, i->gid)))
    mode &= ~(uint32_t)S_ISGID;
  if (mode != i->mode) {
    i->mode = mode;
    ram_now(&i->ctime);
  }
}

static inline void
set_time(struct timespec *t, int64_t sec, uint32_t nsec)
{
  t->tv_sec = sec;
  t->tv_nsec = nsec;
}

/* Everything of setattr once @i is write-locked. */
static int
apply(RamFs *fs, const VfsdCtx *ctx, RamInode *i, uint64_t fh,
      const VfsdAttr *a, uint32_t set)
{
  struct timespec now;
  uint32_t mode = i->mode;
  int r;
  ram_now(&now);
  if (set & VFSD_SET_SIZE) {
    uint64_t old = i->size;
    if (i->type != S_IFREG)
      return i->type == S_IFDIR ? -EISDIR : -EINVAL;
    r = ram_data_truncate(fs, i, a->size);
    if (r != 0)
      return r;
    /* A new size is a modification; so is any ftruncate(2) (a handle,
     * ours or the kernel's 0), as Linux has it.  And so is open(O_TRUNC)
     * of an empty file, which without open() calls (VFSD_CAP_NO_OPEN)
     * reaches us as a setattr of size 0 without a handle, just like
     * truncate(path, 0): the two are told apart only while open() is
     * called, so then truncate(path, 0) of an empty file updates mtime
     * too (doc/backends/ram.md). */
    if (a->size != old || fh != VFSD_NO_FH ||
        (a->size == 0 && !__atomic_load_n(&fs->opens_seen, __ATOMIC_RELAXED)))
      i->mtime = now;
    ram_kill_priv(i, ctx);
  }
  if (set & VFSD_SET_UID)
    i->uid = a->uid;
  if (set & VFSD_SET_GID)
    i->gid = a->gid;
  if (set & VFSD_SET_MODE) {
    mode = (mode & S_IFMT) | (a->mode & 07777);
    /* Only members of the (new) group may keep setgid. */
    if ((mode & S_ISGID) && !privileged(ctx) &&
        !vfsd_ctx_in_group(ctx, i->gid))
      mode &= ~(uint32_t)S_ISGID;
  } else if ((set & (VFSD_SET_UID | VFSD_SET_GID)) && i->type != S_IFDIR) {
    /* chown without a new mode (the kernel usually sends one). */
    mode &= ~(uint32_t)S_ISUID;
    if ((mode & S_IXGRP) ||
        (!privileged(ctx) && !vfsd_ctx_in_group(ctx, i->gid)))
      mode &= ~(uint32_t)S_ISGID;
  }
  if (set & VFSD_SET_KILL_SUID)
    mode &= ~(uint32_t)S_ISUID;
  if (set & VFSD_SET_KILL_SGID)
    mode &= ~(uint32_t)S_ISGID;
  i->mode = mode;
  if (set & VFSD_SET_ATIME_NOW)
    i->atime = now;
  else if (set & VFSD_SET_ATIME)
    set_time(&i->atime, a->atime, a->atime_nsec);
  if (set & VFSD_SET_MTIME_NOW)
    i->mtime = now;
  else if (set & VFSD_SET_MTIME)
    set_time(&i->mtime, a->mtime, a->mtime_nsec);
  if (set & VFSD_SET_CTIME)
    set_time(&i->ctime, a->ctime, a->ctime_nsec);
  else
    i->ctime = now;
  return 0;
}

int
ram_op_setattr(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
               const VfsdAttr *attr, uint32_t to_set, VfsdAttr *out)
{
  RamInode *i = ram_inode_get(self, ino);
  int r;
  if (i == NULL)
    return -ENOENT;
  if (((to_set & VFSD_SET_ATIME) && attr->atime_nsec >= 1000000000u) ||
      ((to_set & VFSD_SET_MTIME) && attr->mtime_nsec >= 1000000000u) ||
      ((to_set & VFSD_SET_CTIME) && attr->ctime_nsec >= 1000000000u)) {
    ram_inode_unref(i);
    return -EINVAL;
  }
  ram_wrlock(i);
  r = i->deleted ? -ENOENT : apply(self, ctx, i, fh, attr, to_set);
  if (r == 0)
    ram_inode_fill_attr(i, out);
  ram_unlock(i);
  ram_inode_unref(i);
  return r;
}

ssize_t
ram_op_readlink(void *self, const VfsdCtx *ctx, uint64_t ino, char *buf,
                size_t size)
{
  RamInode *i = ram_inode_get(self, ino);
  ssize_t r;
  if (i == NULL)
    return -ENOENT;
  if (i->type != S_IFLNK) {
    ram_inode_unref(i);
    return -EINVAL;
  }
  /* The target never changes: no lock needed to read it. */
  r = (ssize_t)i->size;
  if ((size_t)r > size)
    r = -ENAMETOOLONG;
  else
    memcpy(buf, i->u.target, (size_t)r);
  ram_inode_unref(i);
  return r;
}

int
ram_op_statfs(void *self, const VfsdCtx *ctx, uint64_t ino, VfsdStatfs *out)
{
  RamFs *fs = self;
  uint64_t used = __atomic_load_n(&fs->bytes_used, __ATOMIC_RELAXED);
  uint64_t inodes = __atomic_load_n(&fs->inodes_used, __ATOMIC_RELAXED);
  memset(out, 0, sizeof *out);
  out->bsize = out->frsize = (uint32_t)RAM_PAGE;
  out->namemax = 255;
  /* Like tmpfs, an unlimited size or inode count shows as 0. */
  if (fs->size_limit) {
    out->blocks = fs->size_limit / RAM_PAGE;
    out->bfree = out->bavail =
        (fs->size_limit - MIN(used, fs->size_limit)) / RAM_PAGE;
  }
  if (fs->inode_limit) {
    out->files = fs->inode_limit;
    out->ffree = out->favail = fs->inode_limit - MIN(inodes, fs->inode_limit);
  }
  return 0;
}
