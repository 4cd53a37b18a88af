/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Creating names — mkdir (a "dir/" marker), symlink (an object holding
 * the target), mknod of a regular file (an empty object) — and readlink;
 * and what S3 cannot make: hard links and special files are EPERM.  Every
 * change is in the store before the call returns. */
#include "s3.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Resolves @name in @parent: 0 with *@out, -ENOENT, or another error. */
int
s3_find(S3 *s3, uint64_t parent, const char *name, S3Node **dir, S3Node **out)
{
  *out = NULL;
  *dir = s3_grab(s3, parent);
  if (*dir == NULL)
    return -ESTALE;
  if (!S_ISDIR((*dir)->attr.mode))
    return -ENOTDIR;
  if (!s3_name_ok(name))
    return strlen(name) > 255 ? -ENAMETOOLONG : -EINVAL;
  return s3_resolve(s3, *dir, name, out);
}

static void
new_attr(VfsdAttr *a, const VfsdCtx *ctx, uint32_t mode, uint64_t size)
{
  gint64 now = g_get_real_time();
  memset(a, 0, sizeof *a);
  a->mode = mode;
  a->uid = ctx->uid;
  a->gid = ctx->gid;
  a->size = size;
  a->nlink = S_ISDIR(mode) ? 2 : 1;
  a->mtime = a->ctime = a->atime = now / G_USEC_PER_SEC;
  a->mtime_nsec = a->ctime_nsec = a->atime_nsec =
      (uint32_t)(now % G_USEC_PER_SEC) * 1000;
}

/* Records a new object @name of @dir in the caches and hands it out. */
static void
created(S3 *s3, S3Node *dir, const char *name, const VfsdAttr *a,
        const char *etag, VfsdEntry *out, const char *link)
{
  S3Node *n;
  g_mutex_lock(&s3->lock);
  n = s3_node_new(s3, dir, name, a->mode & S_IFMT);
  n->attr = *a;
  n->meta_known = true;
  n->etag = g_strdup(etag);
  n->link_target = g_strdup(link);
  n->attr_expires = S3_NOW() + (gint64)(s3->cfg.cache_timeout * G_USEC_PER_SEC);
  if (S_ISDIR(a->mode)) {
    n->has_marker = true;
    n->listing = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                       s3_entry_free);
    n->listing_expires = n->attr_expires; /* known empty */
  }
  s3_listing_put_node(dir, n);
  s3_node_touch(s3, dir);
  s3_node_fill_entry(s3, n, out);
  s3_node_kref(n);
  n->in_store = true;
  g_mutex_unlock(&s3->lock);
}

int
s3_op_mkdir(void *self, const VfsdCtx *ctx, uint64_t parent,
            const char *name, uint32_t mode, VfsdEntry *out)
{
  S3 *s3 = self;
  S3Node *dir, *n;
  VfsdAttr a;
  char *key;
  int rc = s3_find(s3, parent, name, &dir, &n);
  if (rc == 0) {
    s3_drop(s3, n);
    rc = -EEXIST;
  }
  if (rc != -ENOENT)
    goto out;
  new_attr(&a, ctx, S_IFDIR | (mode & 07777), 0);
  s3_inherit(s3, dir, &a);
  g_mutex_lock(&s3->lock);
  key = s3_child_key(s3, dir, name, true);
  g_mutex_unlock(&s3->lock);
  rc = s3_put_buf(s3, key, NULL, 0, &a, "application/x-directory", NULL);
  g_free(key);
  if (rc == 0)
    created(s3, dir, name, &a, NULL, out, NULL);
out:
  s3_drop(s3, dir);
  return rc;
}

int
s3_op_symlink(void *self, const VfsdCtx *ctx, const char *target,
              uint64_t parent, const char *name, VfsdEntry *out)
{
  S3 *s3 = self;
  S3Node *dir, *n;
  VfsdAttr a;
  char *key, *etag = NULL;
  int rc = s3_find(s3, parent, name, &dir, &n);
  if (rc == 0) {
    s3_drop(s3, n);
    rc = -EEXIST;
  }
  if (rc != -ENOENT)
    goto out;
  new_attr(&a, ctx, S_IFLNK | 0777, strlen(target));
  s3_inherit(s3, dir, &a);
  g_mutex_lock(&s3->lock);
  key = s3_child_key(s3, dir, name, false);
  g_mutex_unlock(&s3->lock);
  rc = s3_put_buf(s3, key, target, strlen(target), &a,
                  "application/octet-stream", &etag);
  g_free(key);
  if (rc == 0)
    created(s3, dir, name, &a, etag, out, target);
  g_free(etag);
out:
  s3_drop(s3, dir);
  return rc;
}

int
s3_op_mknod(void *self, const VfsdCtx *ctx, uint64_t parent,
            const char *name, uint32_t mode, uint64_t rdev, VfsdEntry *out)
{
  S3 *s3 = self;
  S3Node *dir, *n;
  VfsdAttr a;
  char *key, *etag = NULL;
  int rc;
  (void)rdev;
  /* FIFOs, sockets and devices have no object form: see doc/s3.md. */
  if (!S_ISREG(mode))
    return -EPERM;
  rc = s3_find(s3, parent, name, &dir, &n);
  if (rc == 0) {
    s3_drop(s3, n);
    rc = -EEXIST;
  }
  if (rc != -ENOENT)
    goto out;
  new_attr(&a, ctx, S_IFREG | (mode & 07777), 0);
  s3_inherit(s3, dir, &a);
  g_mutex_lock(&s3->lock);
  key = s3_child_key(s3, dir, name, false);
  g_mutex_unlock(&s3->lock);
  rc = s3_put_buf(s3, key, NULL, 0, &a, NULL, &etag);
  g_free(key);
  if (rc == 0)
    created(s3, dir, name, &a, etag, out, NULL);
  g_free(etag);
out:
  s3_drop(s3, dir);
  return rc;
}

int
s3_op_link(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t newparent,
           const char *newname, VfsdEntry *out)
{
  (void)self; (void)ctx; (void)ino; (void)newparent; (void)newname;
  (void)out;
  return -EPERM; /* an object has one key: no hard links (doc/s3.md) */
}

ssize_t
s3_op_readlink(void *self, const VfsdCtx *ctx, uint64_t ino, char *buf,
               size_t size)
{
  S3 *s3 = self;
  S3Node *n = s3_grab(s3, ino);
  char *key, *target = NULL;
  ssize_t rc;
  (void)ctx;
  if (n == NULL)
    return -ESTALE;
  g_mutex_lock(&s3->lock);
  if (n->link_target)
    target = g_strdup(n->link_target);
  key = s3_node_key(s3, n);
  g_mutex_unlock(&s3->lock);
  if (target == NULL) {
    char tmp[4097];
    size_t got = 0;
    rc = s3_get_range(s3, key, NULL, 0, tmp, sizeof tmp - 1, &got);
    if (rc == 0) {
      tmp[got] = '\0';
      target = g_strdup(tmp);
      g_mutex_lock(&s3->lock);
      g_free(n->link_target);
      n->link_target = g_strdup(target);
      g_mutex_unlock(&s3->lock);
    }
  }
  if (target) {
    size_t len = strlen(target);
    rc = len > size ? -ENAMETOOLONG : (ssize_t)len;
    if (rc > 0)
      memcpy(buf, target, len);
  } else if (rc == 0)
    rc = -EIO;
  g_free(target);
  g_free(key);
  s3_drop(s3, n);
  return rc;
}
