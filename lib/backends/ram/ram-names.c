/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Operations that add or remove one name: mknod, mkdir, symlink, create,
 * link, unlink, rmdir.  Each locks the directory, then (parent before
 * child) the inode the name leads to.  Permission checks are the kernel's
 * (default_permissions): sticky directories, write access to the parent
 * and so on are enforced before the request arrives. */
#include "ram-private.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

/* A directory that was removed accepts no new names. */
static inline bool
dir_alive(const RamInode *dir)
{
  return !dir->deleted && dir->nlink > 0;
}

/* Sets mtime and ctime of a directory whose names changed. */
static inline void
dir_touch(RamInode *dir, const struct timespec *now)
{
  dir->mtime = dir->ctime = *now;
}

/* The common part of mknod, mkdir, symlink and create: a new inode of
 * @mode named @name in directory @dir (write-locked by the caller).  The
 * new inode is returned write-locked.  @target: a symlink's. */
static int
add_new(RamFs *fs, const VfsdCtx *ctx, RamInode *dir, const char *name,
        uint32_t mode, uint64_t rdev, const char *target, RamInode **out)
{
  RamInode *child;
  int r;
  if (!dir_alive(dir))
    return -ENOENT;
  if (ram_dir_find(dir, name))
    return -EEXIST;
  if (S_ISDIR(mode) && dir->nlink >= RAM_NLINK_MAX)
    return -EMLINK;
  r = ram_inode_new(fs, ctx, dir, mode, &child);
  if (r != 0)
    return r;
  ram_wrlock(child);
  switch (child->type) {
  case S_IFDIR:
    child->nlink = 2;
    dir->nlink++;
    break;
  case S_IFLNK:
    child->u.target = g_strdup(target);
    child->size = strlen(target);
    child->nlink = 1;
    break;
  case S_IFCHR: case S_IFBLK:
    child->rdev = rdev;
    child->nlink = 1;
    break;
  default:
    child->nlink = 1;
  }
  ram_dir_add(dir, name, child);
  dir_touch(dir, &child->ctime);
  *out = child;
  return 0;
}

/* Runs add_new() in directory @parent and fills @out. */
static int
make(RamFs *fs, const VfsdCtx *ctx, uint64_t parent, const char *name,
     uint32_t mode, uint64_t rdev, const char *target, VfsdEntry *out)
{
  RamInode *dir, *child;
  int r = ram_get_dir(fs, parent, &dir);
  if (r != 0)
    return r;
  ram_wrlock(dir);
  r = add_new(fs, ctx, dir, name, mode, rdev, target, &child);
  if (r == 0) {
    ram_inode_fill_entry(child, out);
    ram_unlock(child);
  }
  ram_unlock(dir);
  ram_inode_unref(dir);
  return r;
}

int
ram_op_mknod(void *self, const VfsdCtx *ctx, uint64_t parent,
             const char *name, uint32_t mode, uint64_t rdev, VfsdEntry *out)
{
  switch (mode & S_IFMT) {
  case 0:
    mode |= S_IFREG;
    break;
  case S_IFREG: case S_IFIFO: case S_IFSOCK: case S_IFCHR: case S_IFBLK:
    break;
  case S_IFDIR:
    return -EPERM; /* as mknod(2) */
  default:
    return -EINVAL;
  }
  return make(self, ctx, parent, name, mode & (S_IFMT | 07777), rdev, NULL,
              out);
}

int
ram_op_mkdir(void *self, const VfsdCtx *ctx, uint64_t parent,
             const char *name, uint32_t mode, VfsdEntry *out)
{
  return make(self, ctx, parent, name, S_IFDIR | (mode & 07777), 0, NULL,
              out);
}

int
ram_op_symlink(void *self, const VfsdCtx *ctx, const char *target,
               uint64_t parent, const char *name, VfsdEntry *out)
{
  size_t len = target ? strlen(target) : 0;
  if (len == 0)
    return -ENOENT; /* as symlink(2) */
  if (len > RAM_SYMLINK_MAX)
    return -ENAMETOOLONG;
  return make(self, ctx, parent, name, S_IFLNK | 0777, 0, target, out);
}

int
ram_op_create(void *self, const VfsdCtx *ctx, uint64_t parent,
              const char *name, uint32_t mode, VfsdOpenInfo *oi,
              VfsdEntry *out)
{
  RamFs *fs = self;
  RamInode *dir, *child;
  RamDirent *de;
  int r;
  if ((mode & S_IFMT) != 0 && (mode & S_IFMT) != S_IFREG)
    return -EINVAL;
  r = ram_get_dir(fs, parent, &dir);
  if (r != 0)
    return r;
  ram_wrlock(dir);
  if (!dir_alive(dir))
    r = -ENOENT;
  else if ((de = ram_dir_find(dir, name)) != NULL) {
    /* Another opener made it first: without O_EXCL, open(2) opens it. */
    if (oi->flags & O_EXCL)
      r = -EEXIST;
    else {
      child = de->inode;
      ram_wrlock(child);
      r = child->type == S_IFDIR   ? -EISDIR
          : child->type != S_IFREG ? -EEXIST
                                   : ram_file_open_locked(fs, ctx, child, oi);
      if (r == 0)
        ram_inode_fill_entry(child, out);
      ram_unlock(child);
    }
  } else {
    r = add_new(fs, ctx, dir, name, S_IFREG | (mode & 07777), 0, NULL,
                &child);
    if (r == 0) {
      /* A file this open created is not truncated (as open(2)): its
       * times stay those of its creation. */
      int32_t flags = oi->flags;
      oi->flags &= ~O_TRUNC;
      r = ram_file_open_locked(fs, ctx, child, oi);
      oi->flags = flags;
      ram_inode_fill_entry(child, out);
      ram_unlock(child);
    }
  }
  ram_unlock(dir);
  ram_inode_unref(dir);
  return r;
}

int
ram_op_link(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t newparent,
            const char *newname, VfsdEntry *out)
{
  RamFs *fs = self;
  RamInode *dir, *child = ram_inode_get(fs, ino);
  struct timespec now;
  int r;
  if (child == NULL)
    return -ENOENT;
  if (child->type == S_IFDIR) {
    ram_inode_unref(child);
    return -EPERM; /* no hard links to directories */
  }
  r = ram_get_dir(fs, newparent, &dir);
  if (r != 0) {
    ram_inode_unref(child);
    return r;
  }
  ram_wrlock(dir);
  ram_wrlock(child);
  if (!dir_alive(dir) || child->deleted || child->nlink == 0)
    r = -ENOENT;
  else if (ram_dir_find(dir, newname))
    r = -EEXIST;
  else if (child->nlink >= RAM_NLINK_MAX)
    r = -EMLINK;
  else {
    ram_now(&now);
    ram_dir_add(dir, newname, child);
    child->nlink++;
    child->ctime = now;
    dir_touch(dir, &now);
    ram_inode_fill_entry(child, out);
  }
  ram_unlock(child);
  ram_unlock(dir);
  ram_inode_unref(dir);
  ram_inode_unref(child);
  return r;
}

/* The common part of unlink and rmdir. */
static int
remove_name(RamFs *fs, uint64_t parent, const char *name, bool want_dir)
{
  RamInode *dir, *child = NULL;
  RamDirent *de;
  struct timespec now;
  int r = ram_get_dir(fs, parent, &dir);
  if (r != 0)
    return r;
  if (want_dir && strcmp(name, ".") == 0)
    r = -EINVAL;
  else if (want_dir && strcmp(name, "..") == 0)
    r = -ENOTEMPTY;
  if (r != 0) {
    ram_inode_unref(dir);
    return r;
  }
  ram_wrlock(dir);
  de = dir_alive(dir) ? ram_dir_find(dir, name) : NULL;
  if (de == NULL)
    r = -ENOENT;
  else if (want_dir && de->inode->type != S_IFDIR)
    r = -ENOTDIR;
  else if (!want_dir && de->inode->type == S_IFDIR)
    r = -EISDIR;
  else {
    child = de->inode;
    ram_inode_ref(child);
    ram_wrlock(child);
    if (want_dir && ram_dir_count(child) > 0)
      r = -ENOTEMPTY;
    else {
      ram_now(&now);
      ram_dir_remove(dir, de);
      if (want_dir) {
        child->nlink = 0;
        dir->nlink--;
      } else
        child->nlink--;
      child->ctime = now;
      dir_touch(dir, &now);
    }
    ram_unlock(child);
  }
  ram_unlock(dir);
  ram_inode_unref(dir);
  if (child) {
    ram_inode_maybe_delete(fs, child);
    ram_inode_unref(child);
  }
  return r;
}

int
ram_op_unlink(void *self, const VfsdCtx *ctx, uint64_t parent,
              const char *name)
{
  return remove_name(self, parent, name, false);
}

int
ram_op_rmdir(void *self, const VfsdCtx *ctx, uint64_t parent,
             const char *name)
{
  return remove_name(self, parent, name, true);
}
