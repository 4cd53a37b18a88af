/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The passthrough backend's operations on names and attributes. */
#include "pt.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PT(self) ((Pt *)(self))

/* Fills @out for the file @fd (named @name in @p) and tells the table the
 * kernel knows it; consumes @fd. */
static int
entry_of(Pt *pt, int fd, PtInode *p, const char *name, VfsdEntry *out)
{
  struct stat st;
  if (fstat(fd, &st) != 0) {
    int e = errno;
    close(fd);
    return -e;
  }
  pt_stat_to_attr(pt, &st, &out->attr);
  out->ino = pt_register(pt, &st, fd, p, name);
  return 0;
}

/* "." and "..": answered from the table, never from the file system. */
static int
lookup_dot(Pt *pt, uint64_t parent, const char *name, VfsdEntry *out)
{
  PtInode *p, *target;
  int pfd, fd, r;
  if ((r = pt_get(pt, parent, &p, &pfd)) < 0)
    return r;
  g_mutex_lock(&pt->lock);
  target = name[1] == '\0' || p == pt->root ? p : p->parent;
  g_mutex_unlock(&pt->lock);
  if (target == NULL)
    r = -ENOENT;
  else if (target == p)
    r = (fd = fcntl(pfd, F_DUPFD_CLOEXEC, 0)) < 0 ? -errno
        : entry_of(pt, fd, NULL, NULL, out);
  else {
    PtInode *t;
    int tfd;
    uint64_t tino = target->ino;
    if ((r = pt_get(pt, tino, &t, &tfd)) == 0) {
      r = (fd = fcntl(tfd, F_DUPFD_CLOEXEC, 0)) < 0 ? -errno
          : entry_of(pt, fd, NULL, NULL, out);
      pt_put(pt, t);
    }
  }
  pt_put(pt, p);
  return r;
}

int
pt_lookup(void *self, const VfsdCtx *ctx, uint64_t parent, const char *name,
          VfsdEntry *out)
{
  Pt *pt = PT(self);
  PtInode *p;
  int pfd, fd, r;
  if (pt_dot(name))
    return lookup_dot(pt, parent, name, out);
  if ((r = pt_get(pt, parent, &p, &pfd)) < 0)
    return r;
  fd = pt_open_beneath(pt, pfd, name, O_PATH, 0);
  r = fd < 0 ? fd : entry_of(pt, fd, p, name, out);
  pt_put(pt, p);
  return r;
}

void
pt_forget_op(void *self, uint64_t ino)
{
  pt_forget(PT(self), ino);
}

int
pt_getattr(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
           VfsdAttr *out)
{
  Pt *pt = PT(self);
  PtInode *in;
  struct stat st;
  int fd, r;
  if ((r = pt_get(pt, ino, &in, &fd)) < 0)
    return r;
  /* An open regular file's handle is its descriptor (pt-files.c). */
  if (fh != VFSD_NO_FH && in->type == S_IFREG)
    fd = (int)fh;
  r = fstat(fd, &st) == 0 ? 0 : -errno;
  if (r == 0)
    pt_stat_to_attr(pt, &st, out);
  pt_put(pt, in);
  return r;
}

/* chmod through an O_PATH descriptor: fchmodat2(AT_EMPTY_PATH), else its
 * /proc/self/fd link. */
static int
chmod_fd(Pt *pt, int fd, mode_t mode)
{
  char path[32];
#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif
  if (syscall(SYS_fchmodat2, fd, "", mode, AT_EMPTY_PATH) == 0)
    return 0;
  if (errno != ENOSYS && errno != EINVAL)
    return -errno;
  pt_proc_path(path, fd);
  return pt->use_proc && chmod(path, mode) == 0 ? 0 : -errno;
}

int
pt_setattr(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
           const VfsdAttr *a, uint32_t set, VfsdAttr *out)
{
  Pt *pt = PT(self);
  PtInode *in;
  struct stat st;
  int fd, r, ffd = -1;
  if ((r = pt_get(pt, ino, &in, &fd)) < 0)
    return r;
  if (fh != VFSD_NO_FH && in->type == S_IFREG)
    ffd = (int)fh;
  if (r == 0 && (set & VFSD_SET_MODE))
    r = ffd >= 0 ? (fchmod(ffd, a->mode & 07777) ? -errno : 0)
                 : chmod_fd(pt, fd, a->mode & 07777);
  if (r == 0 && (set & (VFSD_SET_UID | VFSD_SET_GID)) &&
      fchownat(fd, "", (set & VFSD_SET_UID) ? a->uid : (uid_t)-1,
               (set & VFSD_SET_GID) ? a->gid : (gid_t)-1,
               AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) != 0)
    r = -errno;
  if (r == 0 && (set & VFSD_SET_SIZE)) {
    int tfd = ffd >= 0 ? ffd : pt_reopen(pt, in, fd, O_WRONLY);
    if (tfd < 0)
      r = tfd;
    else if (ftruncate(tfd, (off_t)a->size) != 0)
      r = -errno;
    if (tfd >= 0 && tfd != ffd)
      close(tfd);
  }
  if (r == 0 && (set & (VFSD_SET_ATIME | VFSD_SET_MTIME | VFSD_SET_ATIME_NOW |
                        VFSD_SET_MTIME_NOW))) {
    struct timespec ts[2] = { { 0, UTIME_OMIT }, { 0, UTIME_OMIT } };
    if (set & VFSD_SET_ATIME_NOW) ts[0].tv_nsec = UTIME_NOW;
    else if (set & VFSD_SET_ATIME) ts[0] = (struct timespec){ a->atime, a->atime_nsec };
    if (set & VFSD_SET_MTIME_NOW) ts[1].tv_nsec = UTIME_NOW;
    else if (set & VFSD_SET_MTIME) ts[1] = (struct timespec){ a->mtime, a->mtime_nsec };
    if (utimensat(fd, "", ts, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) != 0)
      r = -errno;
  }
  if (r == 0)
    r = fstat(ffd >= 0 ? ffd : fd, &st) == 0 ? 0 : -errno;
  if (r == 0)
    pt_stat_to_attr(pt, &st, out);
  pt_put(pt, in);
  return r;
}

ssize_t
pt_readlink(void *self, const VfsdCtx *ctx, uint64_t ino, char *buf,
            size_t size)
{
  Pt *pt = PT(self);
  PtInode *in;
  int fd, r;
  ssize_t n;
  if ((r = pt_get(pt, ino, &in, &fd)) < 0)
    return r;
  n = readlinkat(fd, "", buf, size);
  n = n < 0 ? -errno : (size_t)n >= size ? -ENAMETOOLONG : n;
  pt_put(pt, in);
  return n;
}

/* After mknod/mkdir/symlink made @name in @p: give it to the caller when
 * we run as root, undo the process umask, answer with its entry.  Only a
 * file we certainly just made (ours, one link) is given away. */
static int
finish_new(Pt *pt, const VfsdCtx *ctx, PtInode *p, int pfd, const char *name,
           uint32_t mode, VfsdEntry *out)
{
  struct stat st, ps;
  int fd = pt_open_beneath(pt, pfd, name, O_PATH, 0);
  if (fd < 0)
    return fd;
  if (fstat(fd, &st) == 0 && st.st_uid == geteuid() &&
      (S_ISDIR(st.st_mode) || st.st_nlink == 1) &&
      (st.st_mode & S_IFMT) == (mode & S_IFMT) && fstat(pfd, &ps) == 0) {
    mode_t want = pt_new_mode(ctx, &ps, mode);
    bool fixed = false;
    if (pt->chown_new) {
      gid_t gid = (ps.st_mode & S_ISGID) ? st.st_gid : ctx->gid;
      if ((st.st_uid != ctx->uid || st.st_gid != gid) &&
          fchownat(fd, "", ctx->uid, gid,
                   AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) == 0)
        fixed = true;  /* which may also have cleared setuid/setgid */
    }
    if (!S_ISLNK(mode) && (fixed || want != (st.st_mode & 07777)) &&
        chmod_fd(pt, fd, want) == 0)
      fixed = true;
    /* A new file has atime = mtime = ctime: the fixes moved its ctime. */
    if (fixed)
      utimensat(fd, "", NULL, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW);
  }
  return entry_of(pt, fd, p, name, out);
}

/* The operations that make a name: @how is mknod, mkdir or symlink. */
static int
make_name(Pt *pt, const VfsdCtx *ctx, uint64_t parent, const char *name,
          uint32_t mode, uint64_t rdev, const char *target, VfsdEntry *out)
{
  PtInode *p;
  int pfd, r;
  if (pt_dot(name))
    return -EEXIST;
  if ((r = pt_get(pt, parent, &p, &pfd)) < 0)
    return r;
  if (target)
    r = symlinkat(target, pfd, name);
  else if (S_ISDIR(mode))
    r = mkdirat(pfd, name, mode & 07777);
  else
    r = mknodat(pfd, name, mode, (dev_t)rdev);
  r = r == 0 ? finish_new(pt, ctx, p, pfd, name, mode, out) : -errno;
  pt_put(pt, p);
  return r;
}

int
pt_mknod(void *self, const VfsdCtx *ctx, uint64_t parent, const char *name,
         uint32_t mode, uint64_t rdev, VfsdEntry *out)
{
  return make_name(PT(self), ctx, parent, name, mode, rdev, NULL, out);
}

int
pt_mkdir(void *self, const VfsdCtx *ctx, uint64_t parent, const char *name,
         uint32_t mode, VfsdEntry *out)
{
  return make_name(PT(self), ctx, parent, name, S_IFDIR | (mode & 07777), 0,
                   NULL, out);
}

int
pt_symlink(void *self, const VfsdCtx *ctx, const char *target,
           uint64_t parent, const char *name, VfsdEntry *out)
{
  return make_name(PT(self), ctx, parent, name, S_IFLNK | 0777, 0, target,
                   out);
}

static int
remove_name(Pt *pt, uint64_t parent, const char *name, int flags)
{
  PtInode *p;
  int pfd, r;
  if (pt_dot(name))
    return flags ? (name[1] ? -ENOTEMPTY : -EINVAL) : -EISDIR;
  if ((r = pt_get(pt, parent, &p, &pfd)) < 0)
    return r;
  r = unlinkat(pfd, name, flags) == 0 ? 0 : -errno;
  pt_put(pt, p);
  return r;
}

int
pt_unlink(void *self, const VfsdCtx *ctx, uint64_t parent, const char *name)
{
  return remove_name(PT(self), parent, name, 0);
}

int
pt_rmdir(void *self, const VfsdCtx *ctx, uint64_t parent, const char *name)
{
  return remove_name(PT(self), parent, name, AT_REMOVEDIR);
}

int
pt_rename(void *self, const VfsdCtx *ctx, uint64_t parent, const char *name,
          uint64_t newparent, const char *newname, uint32_t flags)
{
  Pt *pt = PT(self);
  PtInode *p, *np;
  struct stat st;
  int pfd, npfd, r;
  if (pt_dot(name) || pt_dot(newname))
    return -EBUSY;
  if ((r = pt_get(pt, parent, &p, &pfd)) < 0)
    return r;
  if ((r = pt_get(pt, newparent, &np, &npfd)) < 0) {
    pt_put(pt, p);
    return r;
  }
  r = renameat2(pfd, name, npfd, newname, flags) == 0 ? 0 : -errno;
  /* Keep the table's names true, for re-resolution. */
  if (r == 0 && fstatat(npfd, newname, &st, AT_SYMLINK_NOFOLLOW) == 0)
    pt_moved(pt, &st, np, newname);
  if (r == 0 && (flags & RENAME_EXCHANGE) &&
      fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
    pt_moved(pt, &st, p, name);
  pt_put(pt, np);
  pt_put(pt, p);
  return r;
}

int
pt_link(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t newparent,
        const char *newname, VfsdEntry *out)
{
  Pt *pt = PT(self);
  PtInode *in, *np;
  char path[32];
  int fd, npfd, r;
  if (pt_dot(newname))
    return -EEXIST;
  if ((r = pt_get(pt, ino, &in, &fd)) < 0)
    return r;
  if ((r = pt_get(pt, newparent, &np, &npfd)) < 0) {
    pt_put(pt, in);
    return r;
  }
  r = linkat(fd, "", npfd, newname, AT_EMPTY_PATH);
  if (r != 0 && (errno == EPERM || errno == ENOENT) && pt->use_proc &&
      in->type != S_IFDIR) {
    pt_proc_path(path, fd);
    r = linkat(AT_FDCWD, path, npfd, newname, AT_SYMLINK_FOLLOW);
  }
  if (r != 0)
    r = -errno;
  else {
    int nfd = pt_open_beneath(pt, npfd, newname, O_PATH, 0);
    r = nfd < 0 ? nfd : entry_of(pt, nfd, np, newname, out);
  }
  pt_put(pt, np);
  pt_put(pt, in);
  return r;
}

int
pt_statfs(void *self, const VfsdCtx *ctx, uint64_t ino, VfsdStatfs *out)
{
  Pt *pt = PT(self);
  PtInode *in;
  struct statfs s;
  int fd, r;
  if ((r = pt_get(pt, ino, &in, &fd)) < 0)
    return r;
  r = fstatfs(fd, &s) == 0 ? 0 : -errno;
  pt_put(pt, in);
  if (r == 0) {
    out->blocks = s.f_blocks;
    out->bfree = s.f_bfree;
    out->bavail = s.f_bavail;
    out->files = s.f_files;
    out->ffree = s.f_ffree;
    out->favail = s.f_ffree;
    out->bsize = (uint32_t)s.f_bsize;
    out->frsize = (uint32_t)(s.f_frsize ? s.f_frsize : s.f_bsize);
    out->namemax = (uint32_t)s.f_namelen;
  }
  return r;
}

int
pt_init(void *self, VfsdInit *init)
{
  /* open() passes O_TRUNC down, so the kernel need not truncate first. */
  init->caps |= VFSD_CAP_ATOMIC_O_TRUNC;
  return 0;
}
