/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The adapter, second half: open files, directories, extended attributes,
 * locks, ioctl and poll (see adapter.c). */
#include "gi-private.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

/* ---- open files -----------------------------------------------------------*/

static int
fs_open(void *self, const VfsdCtx *ctx, uint64_t ino, VfsdOpenInfo *oi)
{
  FS_BEGIN(self, ctx);
  ok = klass->open(fs, ino, oi, &err);
  return FS_END("open");
}

static void
bytes_unref(void *data)
{
  g_bytes_unref(data);
}

/* read() as read_iov(): the returned GBytes goes to the kernel without
 * another copy, and is released once the reply is sent. */
static ssize_t
fs_read_iov(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
            size_t size, int64_t off, VfsdReadBuf *rb)
{
  GBytes *data;
  gsize n;
  const void *p;
  int r;
  FS_BEGIN(self, ctx);
  data = klass->read(fs, ino, fh, off, size, &err);
  ok = data != NULL;
  r = FS_END("read");
  if (r != 0) {
    if (data)
      g_bytes_unref(data);
    return r;
  }
  p = g_bytes_get_data(data, &n);
  if (n > size) {
    vfsd_log_backend_bug(VFSD_BACKEND(fs), "read",
                         "returned %zu bytes, more than the %zu asked for",
                         (size_t)n, size);
    g_bytes_unref(data);
    return -EIO;
  }
  if (n == 0 || vfsd_read_buf_add(rb, p, n) != 0) {
    g_bytes_unref(data);
    return n == 0 ? 0 : -EIO;
  }
  vfsd_read_buf_on_sent(rb, bytes_unref, data);
  return (ssize_t)n;
}

static ssize_t
fs_write(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
         const char *buf, size_t size, int64_t off, uint32_t flags)
{
  /* A copy: the request's buffer dies with the call, a binding may keep
   * what it was given. */
  GBytes *data = g_bytes_new(buf, size);
  gsize written = 0;
  int r;
  FS_BEGIN(self, ctx);
  ok = klass->write(fs, ino, fh, data, off, flags, &written, &err);
  r = FS_END("write");
  g_bytes_unref(data);
  if (r != 0)
    return r;
  if (written > size) {
    vfsd_log_backend_bug(VFSD_BACKEND(fs), "write",
                         "wrote %zu bytes of %zu", (size_t)written, size);
    return -EIO;
  }
  return (ssize_t)written;
}

static int
fs_flush(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
         uint64_t lock_owner)
{
  FS_BEGIN(self, ctx);
  ok = klass->flush(fs, ino, fh, lock_owner, &err);
  return FS_END("flush");
}

static int
fs_release(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
           int32_t flags)
{
  FS_BEGIN(self, ctx);
  ok = klass->release(fs, ino, fh, flags, &err);
  return FS_END("release");
}

static int
fs_fsync(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
         int32_t datasync)
{
  FS_BEGIN(self, ctx);
  ok = klass->fsync(fs, ino, fh, datasync != 0, &err);
  return FS_END("fsync");
}

static int
fs_fallocate(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
             int32_t mode, int64_t off, int64_t len)
{
  FS_BEGIN(self, ctx);
  ok = klass->fallocate(fs, ino, fh, mode, off, len, &err);
  return FS_END("fallocate");
}

static int
fs_lseek(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
         int64_t off, int32_t whence, int64_t *out_off)
{
  gint64 result = 0;
  int r;
  FS_BEGIN(self, ctx);
  ok = klass->lseek(fs, ino, fh, off, whence, &result, &err);
  r = FS_END("lseek");
  if (r == 0)
    *out_off = result;
  return r;
}

static ssize_t
fs_copy_file_range(void *self, const VfsdCtx *ctx, uint64_t ino_in,
                   uint64_t fh_in, int64_t off_in, uint64_t ino_out,
                   uint64_t fh_out, int64_t off_out, size_t len,
                   uint32_t flags)
{
  gsize copied = 0;
  int r;
  FS_BEGIN(self, ctx);
  ok = klass->copy_file_range(fs, ino_in, fh_in, off_in, ino_out, fh_out,
                              off_out, len, flags, &copied, &err);
  r = FS_END("copy_file_range");
  if (r != 0)
    return r;
  if (copied > len) {
    vfsd_log_backend_bug(VFSD_BACKEND(fs), "copy_file_range",
                         "copied %zu bytes of %zu", (size_t)copied, len);
    return -EIO;
  }
  return (ssize_t)copied;
}

/* ---- directories ----------------------------------------------------------*/

static int
fs_opendir(void *self, const VfsdCtx *ctx, uint64_t ino, VfsdOpenInfo *oi)
{
  FS_BEGIN(self, ctx);
  ok = klass->opendir(fs, ino, oi, &err);
  return FS_END("opendir");
}

static int
fs_readdir(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
           int64_t off, VfsdDirFiller *filler)
{
  FS_BEGIN(self, ctx);
  ok = klass->readdir(fs, ino, fh, off, filler, &err);
  return FS_END("readdir");
}

static int
fs_releasedir(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh)
{
  FS_BEGIN(self, ctx);
  ok = klass->releasedir(fs, ino, fh, &err);
  return FS_END("releasedir");
}

static int
fs_fsyncdir(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
            int32_t datasync)
{
  FS_BEGIN(self, ctx);
  ok = klass->fsyncdir(fs, ino, fh, datasync != 0, &err);
  return FS_END("fsyncdir");
}

/* ---- extended attributes ------------------------------------------------*/

static int
fs_setxattr(void *self, const VfsdCtx *ctx, uint64_t ino, const char *name,
            const char *value, size_t size, int32_t flags)
{
  GBytes *v;
  int r;
  FS_UTF8_OR(name, EILSEQ);
  v = g_bytes_new(value, size);
  {
  FS_BEGIN(self, ctx);
  ok = klass->setxattr(fs, ino, name, v, flags, &err);
  r = FS_END("setxattr");
  }
  g_bytes_unref(v);
  return r;
}

/* The backend gives the whole value; the size protocol is ours. */
static ssize_t
fs_getxattr(void *self, const VfsdCtx *ctx, uint64_t ino, const char *name,
            char *buf, size_t size)
{
  GBytes *v;
  gsize n;
  const void *p;
  int r;
  FS_UTF8_OR(name, ENODATA);
  FS_BEGIN(self, ctx);
  v = klass->getxattr(fs, ino, name, &err);
  ok = v != NULL;
  r = FS_END("getxattr");
  if (r != 0) {
    if (v)
      g_bytes_unref(v);
    return r;
  }
  p = g_bytes_get_data(v, &n);
  if (size > 0 && n > size)
    r = -ERANGE;
  else if (size > 0 && n > 0)
    memcpy(buf, p, n);
  g_bytes_unref(v);
  return r != 0 ? r : (ssize_t)n;
}

static ssize_t
fs_listxattr(void *self, const VfsdCtx *ctx, uint64_t ino, char *buf,
             size_t size)
{
  char **names;
  size_t total = 0;
  int r;
  FS_BEGIN(self, ctx);
  names = klass->listxattr(fs, ino, &err);
  ok = names != NULL;
  r = FS_END("listxattr");
  if (r != 0) {
    g_strfreev(names);
    return r;
  }
  for (char **n = names; *n; n++)
    if (**n)
      total += strlen(*n) + 1;
  if (size > 0 && total > size)
    r = -ERANGE;
  else if (size > 0) {
    char *at = buf;
    for (char **n = names; *n; n++)
      if (**n) {
        size_t l = strlen(*n) + 1;
        memcpy(at, *n, l);
        at += l;
      }
  }
  g_strfreev(names);
  return r != 0 ? r : (ssize_t)total;
}

static int
fs_removexattr(void *self, const VfsdCtx *ctx, uint64_t ino, const char *name)
{
  FS_UTF8_OR(name, ENODATA);
  FS_BEGIN(self, ctx);
  ok = klass->removexattr(fs, ino, name, &err);
  return FS_END("removexattr");
}

static int
fs_access(void *self, const VfsdCtx *ctx, uint64_t ino, int32_t mask)
{
  FS_BEGIN(self, ctx);
  ok = klass->access(fs, ino, mask, &err);
  return FS_END("access");
}

/* ---- locks ----------------------------------------------------------------*/

static void
lock_from_flock(VfsdLock *l, const struct flock *f)
{
  l->type = f->l_type;
  l->start = f->l_start;
  l->len = f->l_len;
  l->pid = f->l_pid;
}

static int
fs_getlk(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
         uint64_t lock_owner, struct flock *lock)
{
  VfsdLock l;
  int r;
  FS_BEGIN(self, ctx);
  lock_from_flock(&l, lock);
  ok = klass->getlk(fs, ino, fh, lock_owner, &l, &err);
  r = FS_END("getlk");
  if (r == 0) {
    lock->l_type = (short)l.type;
    lock->l_whence = SEEK_SET;
    lock->l_start = l.start;
    lock->l_len = l.len;
    lock->l_pid = l.pid;
  }
  return r;
}

static int
fs_setlk(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
         uint64_t lock_owner, const struct flock *lock, int32_t sleep)
{
  VfsdLock l;
  FS_BEGIN(self, ctx);
  lock_from_flock(&l, lock);
  ok = klass->setlk(fs, ino, fh, lock_owner, &l, sleep != 0, &err);
  return FS_END("setlk");
}

static int
fs_flock(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
         uint64_t lock_owner, int32_t op)
{
  FS_BEGIN(self, ctx);
  ok = klass->flock(fs, ino, fh, lock_owner, op, &err);
  return FS_END("flock");
}

/* ---- the rest -------------------------------------------------------------*/

static int
fs_bmap(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t blocksize,
        uint64_t *idx)
{
  guint64 block = *idx;
  int r;
  FS_BEGIN(self, ctx);
  ok = klass->bmap(fs, ino, blocksize, &block, &err);
  r = FS_END("bmap");
  if (r == 0)
    *idx = block;
  return r;
}

static int
fs_ioctl(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
         uint32_t cmd, const void *in, size_t in_size, void *out,
         size_t *out_size)
{
  GBytes *in_bytes = g_bytes_new(in, in_size);
  GBytes *out_bytes = NULL;
  gint32 result = 0;
  int r;
  FS_BEGIN(self, ctx);
  ok = klass->ioctl(fs, ino, fh, cmd, in_bytes, *out_size, &result,
                    &out_bytes, &err);
  r = FS_END("ioctl");
  g_bytes_unref(in_bytes);
  if (r == 0) {
    gsize n = 0;
    const void *p = out_bytes ? g_bytes_get_data(out_bytes, &n) : NULL;
    if (result < 0 || n > *out_size) {
      vfsd_log_backend_bug(VFSD_BACKEND(fs), "ioctl",
                           "gave result %d and %zu bytes for room of %zu",
                           result, (size_t)n, *out_size);
      r = -EIO;
    } else {
      if (n)
        memcpy(out, p, n);
      *out_size = n;
      r = result;
    }
  }
  if (out_bytes)
    g_bytes_unref(out_bytes);
  return r;
}

static int
fs_poll(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
        uint32_t events, VfsdPollHandle *ph, uint32_t *revents)
{
  VfsdPollNotifier *n = NULL;
  guint32 ready = 0;
  int r;
  FS_BEGIN(self, ctx);
  if (ph) {
    VfsdMount *m = vfsd_filesystem_get_mount(fs);
    n = vfsd_poll_notifier_new(ph, m);
    g_clear_object(&m);
  }
  ok = klass->poll(fs, ino, fh, events, n, &ready, &err);
  r = FS_END("poll");
  /* The notifier owns the handle; it goes when the binding lets go. */
  if (n)
    vfsd_poll_notifier_unref(n);
  if (r == 0)
    *revents = ready;
  return r;
}

void
vfsd_fs_adapter_fill_io(VfsdOps *ops, const VfsdFilesystemClass *klass)
{
#define SET(f) if (klass->f) ops->f = fs_##f
  SET(open);
  SET(write);
  SET(flush);
  SET(release);
  SET(fsync);
  SET(fallocate);
  SET(lseek);
  SET(copy_file_range);
  SET(opendir);
  SET(readdir);
  SET(releasedir);
  SET(fsyncdir);
  SET(setxattr);
  SET(getxattr);
  SET(listxattr);
  SET(removexattr);
  SET(access);
  SET(flock);
  SET(bmap);
  SET(ioctl);
  SET(poll);
#undef SET
  if (klass->read)
    ops->read_iov = fs_read_iov;
  /* POSIX locks need both halves; one alone is left to the kernel. */
  if (klass->getlk && klass->setlk) {
    ops->getlk = fs_getlk;
    ops->setlk = fs_setlk;
  }
}
