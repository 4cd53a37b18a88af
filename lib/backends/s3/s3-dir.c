/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Names and directories: lookup, getattr, mkdir, rmdir, unlink, symlink,
 * readlink, rename, and what S3 cannot do (hard links, special files, the
 * atomic rename of a directory that has contents).  Every change is made
 * in the store before the call returns. */
#include "s3.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

S3Node *
s3_grab(S3 *s3, uint64_t ino)
{
  S3Node *n;
  g_mutex_lock(&s3->lock);
  n = s3_node_get(s3, ino);
  if (n)
    s3_node_ref(n);
  g_mutex_unlock(&s3->lock);
  return n;
}

void
s3_drop(S3 *s3, S3Node *n)
{
  if (n == NULL)
    return;
  g_mutex_lock(&s3->lock);
  s3_node_unref(s3, n);
  g_mutex_unlock(&s3->lock);
}

/* Hands @n to the kernel in @out and drops the caller's reference. */
static void
reply_entry(S3 *s3, S3Node *n, VfsdEntry *out)
{
  g_mutex_lock(&s3->lock);
  s3_node_fill_entry(s3, n, out);
  s3_node_kref(n);
  s3_node_unref(s3, n);
  g_mutex_unlock(&s3->lock);
}

int
s3_op_lookup(void *self, const VfsdCtx *ctx, uint64_t parent,
             const char *name, VfsdEntry *out)
{
  S3 *s3 = self;
  S3Node *dir = s3_grab(s3, parent), *n = NULL;
  int rc;
  (void)ctx;
  if (dir == NULL)
    return -ESTALE;
  rc = S_ISDIR(dir->attr.mode) ? s3_resolve(s3, dir, name, &n) : -ENOTDIR;
  if (rc == 0)
    reply_entry(s3, n, out);
  s3_drop(s3, dir);
  return rc;
}

void
s3_op_forget(void *self, uint64_t ino)
{
  S3 *s3 = self;
  S3Node *n;
  g_mutex_lock(&s3->lock);
  n = s3_node_get(s3, ino);
  if (n && n->kref) {
    n->kref = false;
    s3_node_unref(s3, n);
  }
  g_mutex_unlock(&s3->lock);
}

int
s3_op_getattr(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
              VfsdAttr *out)
{
  S3 *s3 = self;
  S3Node *n = s3_grab(s3, ino);
  VfsdEntry e = { 0 };
  int rc;
  (void)ctx;
  if (n == NULL)
    return -ESTALE;
  /* An open file is described by this mount; a closed one by the store. */
  rc = fh == VFSD_NO_FH ? s3_refresh(s3, n) : 0;
  if (rc == 0) {
    g_mutex_lock(&s3->lock);
    s3_node_fill_entry(s3, n, &e);
    g_mutex_unlock(&s3->lock);
    *out = e.attr;
  }
  s3_drop(s3, n);
  return rc;
}

/* Resolves @name in @parent: 0 with *@out, -ENOENT, or another error. */
static int
find(S3 *s3, uint64_t parent, const char *name, S3Node **dir, S3Node **out)
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
  int rc = find(s3, parent, name, &dir, &n);
  if (rc == 0) {
    s3_drop(s3, n);
    rc = -EEXIST;
  }
  if (rc != -ENOENT)
    goto out;
  new_attr(&a, ctx, S_IFDIR | (mode & 07777), 0);
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
  int rc = find(s3, parent, name, &dir, &n);
  if (rc == 0) {
    s3_drop(s3, n);
    rc = -EEXIST;
  }
  if (rc != -ENOENT)
    goto out;
  new_attr(&a, ctx, S_IFLNK | 0777, strlen(target));
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
  rc = find(s3, parent, name, &dir, &n);
  if (rc == 0) {
    s3_drop(s3, n);
    rc = -EEXIST;
  }
  if (rc != -ENOENT)
    goto out;
  new_attr(&a, ctx, S_IFREG | (mode & 07777), 0);
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

/* Whether directory @n holds anything: 1 yes, 0 no, or a negative errno. */
static int
dir_has_contents(S3 *s3, S3Node *n)
{
  S3List l;
  char *key;
  int rc;
  GHashTableIter it;
  gpointer v;
  g_mutex_lock(&s3->lock);
  g_hash_table_iter_init(&it, n->kids);
  while (g_hash_table_iter_next(&it, NULL, &v)) {
    S3Node *k = v;
    if (k->data && k->data->dirty && k->data->stored_gen == 0) {
      g_mutex_unlock(&s3->lock); /* a file of ours, not stored yet */
      return 1;
    }
  }
  if (s3_listing_fresh(n)) {
    rc = g_hash_table_size(n->listing) > 0;
    g_mutex_unlock(&s3->lock);
    return rc;
  }
  key = s3_dir_key(s3, n);
  g_mutex_unlock(&s3->lock);
  rc = s3_list_page(s3, key, NULL, 2, NULL, &l);
  g_free(key);
  if (rc < 0)
    return rc;
  rc = l.items->len > 0;
  s3_list_clear(&l);
  return rc;
}

/* Forgets @n as @dir/@name after it left the store. */
static void
gone(S3 *s3, S3Node *dir, S3Node *n)
{
  g_mutex_lock(&s3->lock);
  s3_listing_remove(dir, n->name);
  s3_node_detach(s3, n);
  s3_listing_drop(n);
  s3_node_touch(s3, dir);
  s3_node_unref(s3, n);
  g_mutex_unlock(&s3->lock);
}

int
s3_op_unlink(void *self, const VfsdCtx *ctx, uint64_t parent,
             const char *name)
{
  S3 *s3 = self;
  S3Node *dir, *n;
  char *key;
  bool stored;
  int rc = find(s3, parent, name, &dir, &n);
  (void)ctx;
  if (rc < 0)
    goto out;
  if (S_ISDIR(n->attr.mode)) {
    s3_drop(s3, n);
    rc = -EISDIR;
    goto out;
  }
  if (n->data) {
    /* Open files stay readable after the name goes (POSIX): what is not
     * here yet comes down before the object is deleted. */
    S3Data *d = s3_data_get(s3, n);
    g_mutex_lock(&d->lock);
    rc = s3_data_stage(s3, d, false);
    g_mutex_unlock(&d->lock);
    s3_data_put(s3, d);
    if (rc < 0) {
      s3_drop(s3, n);
      goto out;
    }
  }
  g_mutex_lock(&s3->lock);
  key = s3_node_key(s3, n);
  n->removed = true; /* an upload under way deletes what it stored */
  stored = n->in_store;
  g_mutex_unlock(&s3->lock);
  /* A file of ours whose upload has not happened is gone here only. */
  rc = stored ? s3_delete(s3, key) : 0;
  g_free(key);
  if (rc == 0) {
    gone(s3, dir, n);
    s3_keep_dir(s3, dir);
  } else {
    g_mutex_lock(&s3->lock);
    n->removed = false;
    s3_node_unref(s3, n);
    g_mutex_unlock(&s3->lock);
  }
out:
  s3_drop(s3, dir);
  return rc;
}

int
s3_op_rmdir(void *self, const VfsdCtx *ctx, uint64_t parent,
            const char *name)
{
  S3 *s3 = self;
  S3Node *dir, *n;
  char *key;
  int rc = find(s3, parent, name, &dir, &n);
  (void)ctx;
  if (rc < 0)
    goto out;
  if (!S_ISDIR(n->attr.mode)) {
    s3_drop(s3, n);
    rc = -ENOTDIR;
    goto out;
  }
  rc = dir_has_contents(s3, n);
  if (rc != 0) {
    s3_drop(s3, n);
    rc = rc > 0 ? -ENOTEMPTY : rc;
    goto out;
  }
  g_mutex_lock(&s3->lock);
  key = s3_dir_key(s3, n);
  g_mutex_unlock(&s3->lock);
  rc = s3_delete(s3, key);
  g_free(key);
  if (rc == 0) {
    gone(s3, dir, n);
    s3_keep_dir(s3, dir);
  } else
    s3_drop(s3, n);
out:
  s3_drop(s3, dir);
  return rc;
}

int
s3_op_statfs(void *self, const VfsdCtx *ctx, uint64_t ino, VfsdStatfs *out)
{
  (void)self; (void)ctx; (void)ino;
  /* A bucket has no size: report a large, constant one. */
  out->bsize = out->frsize = 4096;
  out->blocks = out->bfree = out->bavail = UINT64_C(1) << 40;
  out->files = out->ffree = out->favail = UINT64_C(1) << 40;
  out->namemax = 255;
  return 0;
}
