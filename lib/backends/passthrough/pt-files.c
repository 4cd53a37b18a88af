/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The passthrough backend's open files, directories and xattrs.  An open
 * file's handle is its descriptor; an open directory's handle points to a
 * PtDir. */
#include "pt.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

#define PT(self) ((Pt *)(self))
#define FD(fh) ((int)(fh))
#define ERR(expr) ((expr) < 0 ? -errno : 0)

/* O_DIRECT is the kernel's business: it would impose the source's
 * alignment on callers that FUSE does not hold to it. */
#define OPEN_FLAGS(f) ((f) & ~O_DIRECT)

/* What a local file system does when an unprivileged caller writes or
 * truncates: setuid goes, and setgid too when the file is
 * group-executable or the caller is not in its group.  The source's file
 * system cannot do it (we write as root, or with our own groups) and the
 * kernel's FUSE client leaves it to the file system. */
static void
drop_setid(const VfsdCtx *ctx, int fd)
{
  struct stat st;
  mode_t m;
  if (ctx == NULL || ctx->uid == 0 || fstat(fd, &st) != 0 ||
      !(st.st_mode & (S_ISUID | S_ISGID)))
    return;
  m = st.st_mode & 07777 & ~(mode_t)S_ISUID;
  if ((st.st_mode & S_IXGRP) || !vfsd_ctx_in_group(ctx, st.st_gid))
    m &= ~(mode_t)S_ISGID;
  if (m != (st.st_mode & 07777))
    fchmod(fd, m);
}

int
pt_open(void *self, const VfsdCtx *ctx, uint64_t ino, VfsdOpenInfo *oi)
{
  Pt *pt = PT(self);
  PtInode *in;
  int fd, r;
  if ((r = pt_get(pt, ino, &in, &fd)) < 0)
    return r;
  if (in->type == S_IFDIR)
    r = -EISDIR;
  else if ((r = pt_reopen(pt, in, fd, OPEN_FLAGS(oi->flags))) >= 0) {
    oi->fh = (uint64_t)r;
    if (oi->flags & O_TRUNC)  /* as truncate(2) would */
      drop_setid(ctx, r);
    r = 0;
  }
  pt_put(pt, in);
  return r;
}

int
pt_create(void *self, const VfsdCtx *ctx, uint64_t parent, const char *name,
          uint32_t mode, VfsdOpenInfo *oi, VfsdEntry *out)
{
  Pt *pt = PT(self);
  PtInode *p;
  struct stat st, ps, os;
  int pfd, fd, ofd, r, flags = OPEN_FLAGS(oi->flags) & ~O_CREAT;
  bool made;
  if (pt_dot(name))
    return -EISDIR;
  if ((r = pt_get(pt, parent, &p, &pfd)) < 0)
    return r;
  /* O_EXCL first tells whether this call made the file. */
  fd = pt_open_beneath(pt, pfd, name, flags | O_CREAT | O_EXCL, mode & 07777);
  made = fd >= 0;
  if (fd == -EEXIST && !(oi->flags & O_EXCL))
    fd = pt_open_beneath(pt, pfd, name, flags, 0);
  if (fd < 0 || fstat(fd, &st) != 0) {
    r = fd < 0 ? fd : -errno;
    goto out;
  }
  if (made && fstat(pfd, &ps) == 0) {
    mode_t want = pt_new_mode(ctx, &ps, S_IFREG | (mode & 07777));
    bool fixed = false;
    if (pt->chown_new) {
      gid_t gid = (ps.st_mode & S_ISGID) ? st.st_gid : ctx->gid;
      if ((st.st_uid != ctx->uid || st.st_gid != gid) &&
          fchown(fd, ctx->uid, gid) == 0)
        fixed = true;  /* which may also have cleared setuid/setgid */
    }
    if ((fixed || want != (st.st_mode & 07777)) && fchmod(fd, want) == 0)
      fixed = true;
    /* A new file has atime = mtime = ctime: the fixes moved its ctime. */
    if (fixed)
      futimens(fd, NULL);
    fstat(fd, &st);
  }
  /* The table keeps an O_PATH descriptor of the same file, if the name
   * still leads to it. */
  ofd = pt_open_beneath(pt, pfd, name, O_PATH, 0);
  if (ofd >= 0 && (fstat(ofd, &os) != 0 || os.st_ino != st.st_ino ||
                   os.st_dev != st.st_dev)) {
    close(ofd);
    ofd = -1;
  }
  pt_stat_to_attr(pt, &st, &out->attr);
  out->ino = pt_register(pt, &st, ofd < 0 ? -1 : ofd, p, name);
  oi->fh = (uint64_t)fd;
  r = 0;
out:
  if (r < 0 && fd >= 0)
    close(fd);
  pt_put(pt, p);
  return r;
}

ssize_t
pt_read(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh, char *buf,
        size_t size, int64_t off)
{
  ssize_t n = pread(FD(fh), buf, size, off);
  return n < 0 ? -errno : n;
}

ssize_t
pt_write(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
         const char *buf, size_t size, int64_t off, uint32_t flags)
{
  ssize_t n = pwrite(FD(fh), buf, size, off);
  if (n > 0 && !(flags & VFSD_WRITE_CACHE))
    drop_setid(ctx, FD(fh));
  return n < 0 ? -errno : n;
}

int
pt_flush(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
         uint64_t lock_owner)
{
  /* close(2) of one descriptor: what the source says about it (NFS write
   * errors, for one) reaches the caller. */
  int d = dup(FD(fh));
  return d < 0 ? -errno : ERR(close(d));
}

int
pt_release(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
           int32_t flags)
{
  close(FD(fh));
  return 0;
}

int
pt_fsync(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
         int32_t datasync)
{
  return ERR(datasync ? fdatasync(FD(fh)) : fsync(FD(fh)));
}

int
pt_fallocate(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
             int32_t mode, int64_t off, int64_t len)
{
  return ERR(fallocate(FD(fh), mode, off, len));
}

int
pt_lseek(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
         int64_t off, int32_t whence, int64_t *out_off)
{
  off_t r = lseek(FD(fh), off, whence);
  if (r < 0)
    return -errno;
  *out_off = r;
  return 0;
}

ssize_t
pt_copy_file_range(void *self, const VfsdCtx *ctx, uint64_t ino_in,
                   uint64_t fh_in, int64_t off_in, uint64_t ino_out,
                   uint64_t fh_out, int64_t off_out, size_t len,
                   uint32_t flags)
{
  off_t i = off_in, o = off_out;
  ssize_t n = copy_file_range(FD(fh_in), &i, FD(fh_out), &o, len, 0);
  return n < 0 ? -errno : n;
}

/* ---- directories --------------------------------------------------------*/

typedef struct {
  GMutex lock;
  DIR *dp;
  int64_t pos;           /* where the stream is; -1: unknown */
} PtDir;

int
pt_opendir(void *self, const VfsdCtx *ctx, uint64_t ino, VfsdOpenInfo *oi)
{
  Pt *pt = PT(self);
  PtInode *in;
  PtDir *d;
  int fd, dfd, r;
  if ((r = pt_get(pt, ino, &in, &fd)) < 0)
    return r;
  dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  pt_put(pt, in);
  if (dfd < 0)
    return -errno;
  d = g_new0(PtDir, 1);
  if ((d->dp = fdopendir(dfd)) == NULL) {
    r = -errno;
    close(dfd);
    g_free(d);
    return r;
  }
  g_mutex_init(&d->lock);
  oi->fh = (uint64_t)(uintptr_t)d;
  return 0;
}

/* One entry, with its attributes when the kernel asked for them. */
static bool
add(Pt *pt, PtInode *in, int dfd, VfsdDirFiller *f, struct dirent *de)
{
  VfsdEntry e = { 0 };
  struct stat st;
  int fd;
  bool ok;
  if (!vfsd_dir_wants_entries(f) || pt_dot(de->d_name)) {
    uint64_t ino = !strcmp(de->d_name, ".") ? in->ino
                   : !strcmp(de->d_name, "..") && in == pt->root
                       ? VFSD_ROOT_INO
                       : pt_map_ino(pt, in->dev, de->d_ino);
    return vfsd_dir_add(f, de->d_name, ino, DTTOIF(de->d_type), de->d_off);
  }
  fd = pt_open_beneath(pt, dfd, de->d_name, O_PATH, 0);
  if (fd < 0 || fstat(fd, &st) != 0) {
    if (fd >= 0)
      close(fd);
    return true; /* gone since the listing was read: skip it */
  }
  pt_stat_to_attr(pt, &st, &e.attr);
  e.ino = e.attr.ino;
  ok = vfsd_dir_add_entry(f, de->d_name, &e, de->d_off);
  if (ok)
    pt_register(pt, &st, fd, in, de->d_name);
  else
    close(fd);
  return ok;
}

int
pt_readdir(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
           int64_t off, VfsdDirFiller *filler)
{
  Pt *pt = PT(self);
  PtDir *d = (PtDir *)(uintptr_t)fh;
  PtInode *in;
  int fd, r;
  if ((r = pt_get(pt, ino, &in, &fd)) < 0)
    return r;
  g_mutex_lock(&d->lock);
  if (off != d->pos) {
    if (off == 0)
      rewinddir(d->dp);
    else
      seekdir(d->dp, off);
    d->pos = off;
  }
  for (;;) {
    struct dirent *de;
    errno = 0;
    if ((de = readdir(d->dp)) == NULL) {
      r = -errno;
      break;
    }
    if (!add(pt, in, dirfd(d->dp), filler, de)) {
      d->pos = -1; /* this entry was read but not given: seek next time */
      break;
    }
    d->pos = de->d_off;
  }
  g_mutex_unlock(&d->lock);
  pt_put(pt, in);
  return r;
}

int
pt_releasedir(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh)
{
  PtDir *d = (PtDir *)(uintptr_t)fh;
  closedir(d->dp);
  g_mutex_clear(&d->lock);
  g_free(d);
  return 0;
}

int
pt_fsyncdir(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
            int32_t datasync)
{
  PtDir *d = (PtDir *)(uintptr_t)fh;
  int fd = dirfd(d->dp);
  return ERR(datasync ? fdatasync(fd) : fsync(fd));
}

/* ---- extended attributes ------------------------------------------------*/

/* Xattr calls take paths or real descriptors, not O_PATH ones: the inode's
 * /proc/self/fd link names exactly that inode.  Pins the inode. */
static int
path_of(Pt *pt, uint64_t ino, PtInode **in, char path[static 32])
{
  int fd, r;
  if (!pt->use_proc)
    return -ENOTSUP;
  if ((r = pt_get(pt, ino, in, &fd)) < 0)
    return r;
  pt_proc_path(path, fd);
  return 0;
}

int
pt_setxattr(void *self, const VfsdCtx *ctx, uint64_t ino, const char *name,
            const char *value, size_t size, int32_t flags)
{
  PtInode *in;
  char path[32];
  int r = path_of(PT(self), ino, &in, path);
  if (r == 0) {
    r = ERR(setxattr(path, name, value, size, flags));
    pt_put(PT(self), in);
  }
  return r;
}

ssize_t
pt_getxattr(void *self, const VfsdCtx *ctx, uint64_t ino, const char *name,
            char *buf, size_t size)
{
  PtInode *in;
  char path[32];
  ssize_t r = path_of(PT(self), ino, &in, path);
  if (r == 0) {
    r = getxattr(path, name, buf, size);
    r = r < 0 ? -errno : r;
    pt_put(PT(self), in);
  }
  return r;
}

ssize_t
pt_listxattr(void *self, const VfsdCtx *ctx, uint64_t ino, char *buf,
             size_t size)
{
  PtInode *in;
  char path[32];
  ssize_t r = path_of(PT(self), ino, &in, path);
  if (r == 0) {
    r = listxattr(path, buf, size);
    r = r < 0 ? -errno : r;
    pt_put(PT(self), in);
  }
  return r;
}

int
pt_removexattr(void *self, const VfsdCtx *ctx, uint64_t ino,
               const char *name)
{
  PtInode *in;
  char path[32];
  int r = path_of(PT(self), ino, &in, path);
  if (r == 0) {
    r = ERR(removexattr(path, name));
    pt_put(PT(self), in);
  }
  return r;
}
