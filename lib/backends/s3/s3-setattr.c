/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* setattr: truncation goes through the staging file and is stored like a
 * write (now, or with writeback later); mode, owner and mtime of an object
 * without new data are stored with a metadata copy (CopyObject onto
 * itself), of a directory with a new marker.  atime is kept in memory only. */
#include "s3.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

/* ---- setattr ----------------------------------------------------------*/

/* Stores new attributes of an object without new data. */
static int
store_meta(S3 *s3, S3Node *n)
{
  char *key;
  VfsdAttr a;
  uint64_t size;
  bool dir, in_store;
  int rc;
  g_mutex_lock(&s3->lock);
  key = s3_node_key(s3, n);
  a = n->attr;
  size = n->attr.size;
  dir = S_ISDIR(n->attr.mode);
  in_store = n->in_store || n->parent == NULL;
  g_mutex_unlock(&s3->lock);
  if (dir)
    rc = n->parent ? s3_put_buf(s3, key, NULL, 0, &a,
                                "application/x-directory", NULL)
                   : 0; /* the root has no object */
  else if (!in_store)
    rc = 0; /* stored with its data at the first flush */
  else
    rc = s3_copy(s3, key, key, &a, size, NULL);
  if (rc == 0 && dir) {
    g_mutex_lock(&s3->lock);
    n->has_marker = true;
    g_mutex_unlock(&s3->lock);
  }
  g_free(key);
  return rc;
}

int
s3_op_setattr(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
              const VfsdAttr *attr, uint32_t to_set, VfsdAttr *out)
{
  S3 *s3 = self;
  S3Handle *h = fh != VFSD_NO_FH ? (S3Handle *)(uintptr_t)fh : NULL;
  S3Node *n = s3_grab(s3, ino);
  S3Data *d = NULL;
  VfsdEntry e = { 0 };
  uint32_t meta = VFSD_SET_MODE | VFSD_SET_UID | VFSD_SET_GID |
                  VFSD_SET_MTIME | VFSD_SET_MTIME_NOW;
  gint64 now = g_get_real_time();
  int rc = 0;
  (void)ctx;
  if (n == NULL)
    return -ESTALE;

  if (to_set & VFSD_SET_SIZE) {
    if (S_ISDIR(n->attr.mode)) {
      rc = -EISDIR;
      goto out;
    }
    if (attr->size > S3_MAX_OBJECT) {
      rc = -EFBIG;
      goto out;
    }
    d = h ? h->data : s3_data_get(s3, n);
    g_mutex_lock(&d->lock);
    rc = s3_data_stage(s3, d, attr->size == 0);
    if (rc == 0 && attr->size > 0 && d->fd < 0)
      rc = s3_data_open_fd(s3, d);
    if (rc == 0 && d->fd >= 0 && ftruncate(d->fd, (off_t)attr->size) < 0)
      rc = -errno;
    if (rc == 0) {
      d->size = attr->size;
      d->dirty = true;
      d->gen++;
      s3_data_truncated(s3, d);
    }
    g_mutex_unlock(&d->lock);
    if (rc == 0) {
      g_mutex_lock(&s3->lock);
      n->attr.size = attr->size;
      s3_node_touch(s3, n);
      g_mutex_unlock(&s3->lock);
    }
  }
  if (rc == 0 && (to_set & (meta | VFSD_SET_ATIME | VFSD_SET_ATIME_NOW |
                            VFSD_SET_CTIME))) {
    g_mutex_lock(&s3->lock);
    if (to_set & VFSD_SET_MODE)
      n->attr.mode = (n->attr.mode & S_IFMT) | (attr->mode & 07777);
    if (to_set & VFSD_SET_UID)
      n->attr.uid = attr->uid;
    if (to_set & VFSD_SET_GID)
      n->attr.gid = attr->gid;
    if (to_set & VFSD_SET_MTIME) {
      n->attr.mtime = attr->mtime;
      n->attr.mtime_nsec = attr->mtime_nsec;
    } else if (to_set & VFSD_SET_MTIME_NOW) {
      n->attr.mtime = now / G_USEC_PER_SEC;
      n->attr.mtime_nsec = (uint32_t)(now % G_USEC_PER_SEC) * 1000;
    }
    if (to_set & VFSD_SET_ATIME) {
      n->attr.atime = attr->atime;
      n->attr.atime_nsec = attr->atime_nsec;
    } else if (to_set & VFSD_SET_ATIME_NOW) {
      n->attr.atime = now / G_USEC_PER_SEC;
      n->attr.atime_nsec = (uint32_t)(now % G_USEC_PER_SEC) * 1000;
    }
    n->attr.ctime = now / G_USEC_PER_SEC;
    n->attr.ctime_nsec = (uint32_t)(now % G_USEC_PER_SEC) * 1000;
    g_mutex_unlock(&s3->lock);
  }
  if (rc == 0 && (to_set & (meta | VFSD_SET_SIZE))) {
    /* New data carries the new attributes; otherwise only they are
     * stored (atime is not: S3 has no place for it that is worth a
     * request per read). */
    S3Data *od = d ? d : n->data;
    bool pending = false;
    if (od) {
      g_mutex_lock(&od->lock);
      pending = od->dirty;
      if (pending)
        od->gen++;
      g_mutex_unlock(&od->lock);
    }
    if (n->removed)
      ; /* unlinked but open: nothing of it goes to the store any more */
    else if (d && !h) /* a truncate without an open file: store it now */
      rc = s3->cfg.writeback != S3_WB_OFF ? (s3_data_store_later(s3, d), 0)
                             : s3_data_store(s3, d);
    else if (!pending)
      rc = store_meta(s3, n);
  }
out:
  if (d && !h)
    s3_data_put(s3, d);
  if (rc == 0) {
    g_mutex_lock(&s3->lock);
    s3_node_fill_entry(s3, n, &e);
    g_mutex_unlock(&s3->lock);
    *out = e.attr;
  }
  s3_drop(s3, n);
  return rc;
}
