/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Open files.  Writes go to a staging file (created at the first write; an
 * existing object is downloaded first unless the open truncates it), and
 * full parts stream to the store as a multipart upload while the writer
 * goes on.  flush() — every close(2) — and fsync() return once the store
 * holds the data, or return why not; with writeback=close, close() queues
 * the upload instead and only fsync() waits; with writeback=on neither
 * waits.  Reads of a file that is not
 * staged are ranged GETs through the block cache (s3-read.c). */
#include "s3.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>


static S3Handle *
handle_new(S3 *s3, S3Node *n, int flags)
{
  S3Handle *h = g_new0(S3Handle, 1);
  h->node = n;
  h->data = s3_data_get(s3, n);
  h->writable = (flags & O_ACCMODE) != O_RDONLY;
  return h;
}

static void
open_flags(S3 *s3, S3Node *n, VfsdOpenInfo *oi)
{
  (void)s3;
  (void)n;
  /* Pages cached from an earlier open stay valid as long as the object is
   * the same: the node keeps its etag while nobody changed it. */
  if (n->cache_etag && n->etag && !strcmp(n->cache_etag, n->etag))
    oi->out_flags |= VFSD_OPEN_KEEP_CACHE;
  else if (!(n->data && n->data->dirty)) {
    g_free(n->cache_etag);
    n->cache_etag = g_strdup(n->etag);
  }
}

int
s3_op_open(void *self, const VfsdCtx *ctx, uint64_t ino, VfsdOpenInfo *oi)
{
  S3 *s3 = self;
  S3Node *n = s3_grab(s3, ino);
  S3Handle *h;
  int rc = 0;
  (void)ctx;
  if (n == NULL)
    return -ESTALE;
  if (S_ISDIR(n->attr.mode)) {
    s3_drop(s3, n);
    return -EISDIR;
  }
  /* Reopening a closed file shows the current object. */
  if (n->data == NULL)
    rc = s3_refresh(s3, n);
  if (rc < 0) {
    s3_drop(s3, n);
    return rc;
  }
  h = handle_new(s3, n, oi->flags);
  if ((oi->flags & O_TRUNC) && h->writable) {
    g_mutex_lock(&h->data->lock);
    rc = s3_data_stage(s3, h->data, true);
    g_mutex_unlock(&h->data->lock);
    if (rc == 0) {
      g_mutex_lock(&s3->lock);
      n->attr.size = 0;
      s3_node_touch(s3, n);
      g_mutex_unlock(&s3->lock);
    }
  }
  g_mutex_lock(&s3->lock);
  open_flags(s3, n, oi);
  g_mutex_unlock(&s3->lock);
  oi->fh = (uint64_t)(uintptr_t)h;
  return rc;
}

int
s3_op_create(void *self, const VfsdCtx *ctx, uint64_t parent,
             const char *name, uint32_t mode, VfsdOpenInfo *oi,
             VfsdEntry *out)
{
  S3 *s3 = self;
  S3Node *dir = s3_grab(s3, parent), *n = NULL;
  gint64 now = g_get_real_time();
  uint32_t gid;
  S3Handle *h;
  int rc;
  if (dir == NULL)
    return -ESTALE;
  if (!s3_name_ok(name)) {
    s3_drop(s3, dir);
    return strlen(name) > 255 ? -ENAMETOOLONG : -EINVAL;
  }
  rc = s3_resolve(s3, dir, name, &n);
  if (rc == 0) {
    /* It exists (made by someone else since the kernel looked). */
    bool excl = (oi->flags & O_EXCL) != 0, isdir = S_ISDIR(n->attr.mode);
    s3_drop(s3, n);
    s3_drop(s3, dir);
    return excl ? -EEXIST : isdir ? -EISDIR : -EEXIST;
  }
  if (rc != -ENOENT) {
    s3_drop(s3, dir);
    return rc;
  }
  {
    VfsdAttr a = { .mode = S_IFREG | (mode & 07777), .gid = ctx->gid };
    s3_inherit(s3, dir, &a);
    mode = a.mode;
    gid = a.gid;
  }
  g_mutex_lock(&s3->lock);
  n = s3_node_new(s3, dir, name, S_IFREG);
  n->attr.mode = S_IFREG | (mode & 07777);
  n->attr.uid = ctx->uid;
  n->attr.gid = gid;
  n->attr.size = 0;
  n->attr.mtime = n->attr.ctime = n->attr.atime = now / G_USEC_PER_SEC;
  n->attr.mtime_nsec = n->attr.ctime_nsec = n->attr.atime_nsec =
      (uint32_t)(now % G_USEC_PER_SEC) * 1000;
  n->meta_known = true;
  n->attr_expires = S3_NOW() + (gint64)(s3->cfg.cache_timeout * G_USEC_PER_SEC);
  s3_node_ref(n);
  g_mutex_unlock(&s3->lock);

  /* Nothing is stored yet: the object appears at the first flush. */
  h = handle_new(s3, n, oi->flags);
  g_mutex_lock(&h->data->lock);
  s3_data_stage(s3, h->data, true);
  g_mutex_unlock(&h->data->lock);

  g_mutex_lock(&s3->lock);
  s3_listing_put_node(dir, n);
  s3_node_touch(s3, dir);
  s3_node_fill_entry(s3, n, out);
  s3_node_kref(n);
  g_mutex_unlock(&s3->lock);
  s3_drop(s3, dir);
  oi->fh = (uint64_t)(uintptr_t)h; /* it owns the reference taken above */
  return 0;
}

ssize_t
s3_op_read_iov(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
               size_t size, int64_t off, VfsdReadBuf *rb)
{
  S3 *s3 = self;
  S3Handle *h = (S3Handle *)(uintptr_t)fh;
  S3Data *d;
  (void)ctx;
  (void)ino;
  if (h == NULL || off < 0)
    return -EINVAL;
  d = h->data;
  g_mutex_lock(&d->lock);
  if (d->staged) {
    /* From the staging file (a hole past what was written reads zeros). */
    ssize_t got = 0;
    char *buf = NULL;
    if ((uint64_t)off < d->size) {
      size_t n = MIN(size, d->size - (uint64_t)off);
      buf = g_malloc0(n);
      got = d->fd >= 0 ? pread(d->fd, buf, n, off) : 0;
      if (got < 0)
        got = -errno;
      else
        got = (ssize_t)n;
    }
    g_mutex_unlock(&d->lock);
    if (got > 0 && vfsd_read_buf_add(rb, buf, (size_t)got) == 0)
      vfsd_read_buf_on_sent(rb, g_free, buf);
    else
      g_free(buf);
    return got;
  }
  g_mutex_unlock(&d->lock);
  return s3_read_remote(s3, h->node, d, NULL, rb, size, (uint64_t)off);
}

/* A write by anyone but root clears setuid, and setgid where the kernel
 * would not: a setgid file without group execute written by a non-member
 * (the kernel leaves that case to the file system under FUSE).  Returns
 * whether the mode changed (s3->lock held). */
static bool
kill_priv(const VfsdCtx *ctx, VfsdAttr *a)
{
  uint32_t m = a->mode;
  if (ctx == NULL || ctx->uid == 0 || ctx->pid == 0 ||
      !(m & (S_ISUID | S_ISGID)))
    return false;
  m &= ~(uint32_t)S_ISUID;
  if ((m & S_IXGRP) || !vfsd_ctx_in_group(ctx, a->gid))
    m &= ~(uint32_t)S_ISGID;
  if (m == a->mode)
    return false;
  a->mode = m;
  return true;
}

ssize_t
s3_op_write(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
            const char *buf, size_t size, int64_t off, uint32_t flags)
{
  S3 *s3 = self;
  S3Handle *h = (S3Handle *)(uintptr_t)fh;
  S3Data *d;
  ssize_t done;
  bool killed;
  int rc;
  (void)ino;
  (void)flags;
  if (h == NULL || off < 0)
    return -EINVAL;
  if ((uint64_t)off + size > S3_MAX_OBJECT)
    return -EFBIG;
  d = h->data;
  g_mutex_lock(&d->lock);
  rc = s3_data_stage(s3, d, false);
  if (rc == 0 && d->fd < 0)
    rc = s3_data_open_fd(s3, d);
  if (rc < 0) {
    g_mutex_unlock(&d->lock);
    return rc;
  }
  done = pwrite(d->fd, buf, size, off);
  if (done < 0) {
    rc = -errno;
    g_mutex_unlock(&d->lock);
    return rc;
  }
  if ((uint64_t)off + (uint64_t)done > d->size)
    d->size = (uint64_t)off + (uint64_t)done;
  d->dirty = true;
  d->gen++;
  s3_data_parts_written(s3, d, (uint64_t)off, (uint64_t)done);
  g_mutex_unlock(&d->lock);

  g_mutex_lock(&s3->lock);
  h->node->attr.size = d->size;
  s3_node_touch(s3, h->node);
  killed = kill_priv(ctx, &h->node->attr);
  g_mutex_unlock(&s3->lock);
  if (killed && s3->mount)
    vfsd_mount_notify_inval_inode(s3->mount, h->node->ino, -1, 0);
  return done;
}

int
s3_op_flush(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
            uint64_t lock_owner)
{
  S3 *s3 = self;
  S3Handle *h = (S3Handle *)(uintptr_t)fh;
  (void)ctx;
  (void)ino;
  (void)lock_owner;
  if (h == NULL)
    return -EINVAL;
  if (!h->writable)
    return 0;
  if (s3->cfg.writeback != S3_WB_OFF) {
    s3_data_store_later(s3, h->data);
    return 0;
  }
  return s3_data_store(s3, h->data);
}

int
s3_op_fsync(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
            int32_t datasync)
{
  S3 *s3 = self;
  S3Handle *h = (S3Handle *)(uintptr_t)fh;
  (void)ctx;
  (void)ino;
  (void)datasync;
  if (h == NULL)
    return -EINVAL;
  if (s3->cfg.writeback == S3_WB_ON) {
    s3_data_store_later(s3, h->data);
    return 0; /* writeback=on: only unmount waits */
  }
  return s3_data_store(s3, h->data);
}

int
s3_op_release(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
              int32_t flags)
{
  S3 *s3 = self;
  S3Handle *h = (S3Handle *)(uintptr_t)fh;
  (void)ctx;
  (void)ino;
  (void)flags;
  if (h == NULL)
    return 0;
  if (h->writable) {
    if (s3->cfg.writeback != S3_WB_OFF)
      s3_data_store_later(s3, h->data);
    else
      s3_data_release_store(s3, h->data);
  }
  s3_data_put(s3, h->data);
  s3_drop(s3, h->node);
  g_free(h);
  return 0;
}
