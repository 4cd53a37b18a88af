/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rename(2) on a store without renames.  A file or symlink is copied on the
 * server (CopyObject) and the old key deleted; the copy completes before
 * the old key goes, so the data is never absent.  A file of ours that was
 * never stored is renamed here only: its upload goes to the new key.  An
 * empty directory moves its marker.  A directory with contents cannot move
 * atomically: that is EXDEV, on which mv(1) copies and deletes instead, in
 * the open.  RENAME_EXCHANGE is EINVAL (doc/s3.md). */
#include "s3.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#endif
#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

/* 1 if directory @n has anything in it (or a file of ours not yet stored),
 * 0 if not, or a negative errno. */
static int
has_contents(S3 *s3, S3Node *n)
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
    if (k->data && k->data->dirty && !k->in_store) {
      g_mutex_unlock(&s3->lock);
      return 1;
    }
  }
  key = s3_dir_key(s3, n);
  g_mutex_unlock(&s3->lock);
  /* Always asked of the store: a stale listing must not let a directory
   * with contents move as if empty. */
  rc = s3_list_page(s3, key, NULL, 2, NULL, &l);
  g_free(key);
  if (rc < 0)
    return rc;
  rc = l.items->len > 0;
  s3_list_clear(&l);
  return rc;
}

static int
move_dir(S3 *s3, S3Node *src, S3Node *dst, S3Node *newdir,
         const char *newname)
{
  char *from, *to;
  VfsdAttr a;
  bool had_marker;
  int rc;
  if (dst && !S_ISDIR(dst->attr.mode))
    return -ENOTDIR;
  if (dst && (rc = has_contents(s3, dst)) != 0)
    return rc > 0 ? -ENOTEMPTY : rc;
  /* Moving under itself: the kernel checks this for us, but be sure. */
  g_mutex_lock(&s3->lock);
  for (S3Node *p = newdir; p; p = p->parent)
    if (p == src) {
      g_mutex_unlock(&s3->lock);
      return -EINVAL;
    }
  g_mutex_unlock(&s3->lock);
  rc = has_contents(s3, src);
  if (rc != 0)
    return rc > 0 ? -EXDEV : rc;
  g_mutex_lock(&s3->lock);
  from = s3_dir_key(s3, src);
  to = s3_child_key(s3, newdir, newname, true);
  a = src->attr;
  had_marker = src->has_marker;
  g_mutex_unlock(&s3->lock);
  rc = s3_put_buf(s3, to, NULL, 0, &a, "application/x-directory", NULL);
  if (rc == 0 && had_marker)
    rc = s3_delete(s3, from);
  g_free(from);
  g_free(to);
  if (rc == 0) {
    g_mutex_lock(&s3->lock);
    src->has_marker = true;
    g_mutex_unlock(&s3->lock);
  }
  return rc;
}

static int
move_file(S3 *s3, S3Node *src, S3Node *dst, S3Node *newdir,
          const char *newname)
{
  char *from, *to;
  uint64_t size;
  bool local;
  int rc;
  if (dst && S_ISDIR(dst->attr.mode))
    return -EISDIR;
  if (dst && dst->data) {
    /* The file replaced stays readable through its open descriptors:
     * what is not here yet comes down before the copy overwrites it. */
    S3Data *d = s3_data_get(s3, dst);
    g_mutex_lock(&d->lock);
    rc = s3_data_stage(s3, d, false);
    g_mutex_unlock(&d->lock);
    s3_data_put(s3, d);
    if (rc < 0)
      return rc;
  }
  if (src->data) {
    /* Parts of a multipart upload belong to the old key: start over at
     * the new one.  An upload in progress finishes first. */
    S3Data *d = src->data;
    g_mutex_lock(&d->lock);
    while (d->uploading)
      g_cond_wait(&d->cond, &d->lock);
    g_mutex_unlock(&d->lock);
    s3_data_abort_multipart(s3, d);
  }
  g_mutex_lock(&s3->lock);
  local = !src->in_store;
  from = s3_node_key(s3, src);
  to = s3_child_key(s3, newdir, newname, false);
  size = src->attr.size;
  g_mutex_unlock(&s3->lock);
  if (local) {
    rc = 0; /* stored under its new name when flushed */
    if (dst && dst->in_store)
      rc = s3_delete(s3, to);
  } else {
    rc = s3_copy(s3, from, to, NULL, size, NULL);
    if (rc == -EFBIG)
      rc = -EXDEV; /* over CopyObject's 5 GiB: let mv copy it */
    if (rc == 0)
      rc = s3_delete(s3, from);
  }
  g_free(from);
  g_free(to);
  return rc;
}

int
s3_op_rename(void *self, const VfsdCtx *ctx, uint64_t parent,
             const char *name, uint64_t newparent, const char *newname,
             uint32_t flags)
{
  S3 *s3 = self;
  S3Node *dir = s3_grab(s3, parent), *newdir = s3_grab(s3, newparent);
  S3Node *src = NULL, *dst = NULL;
  int rc;
  (void)ctx;
  if (dir == NULL || newdir == NULL) {
    rc = -ESTALE;
    goto out;
  }
  if (flags & RENAME_EXCHANGE) {
    rc = -EINVAL; /* two objects cannot swap keys at once */
    goto out;
  }
  if (!s3_name_ok(newname)) {
    rc = strlen(newname) > 255 ? -ENAMETOOLONG : -EINVAL;
    goto out;
  }
  rc = s3_resolve(s3, dir, name, &src);
  if (rc < 0)
    goto out;
  rc = s3_resolve(s3, newdir, newname, &dst);
  if (rc == -ENOENT)
    dst = NULL;
  else if (rc < 0)
    goto out;
  else if (dst == src) {
    rc = 0; /* the same file: nothing to do */
    goto out;
  } else if (flags & RENAME_NOREPLACE) {
    rc = -EEXIST;
    goto out;
  }
  rc = S_ISDIR(src->attr.mode) ? move_dir(s3, src, dst, newdir, newname)
                               : move_file(s3, src, dst, newdir, newname);
  if (rc == 0) {
    g_mutex_lock(&s3->lock);
    s3_listing_remove(dir, name);
    if (dst) {
      s3_node_detach(s3, dst);
      dst->in_store = false;
    }
    s3_node_move(s3, src, newdir, newname);
    s3_listing_put_node(newdir, src);
    s3_node_touch(s3, dir);
    s3_node_touch(s3, newdir);
    /* The renamed file and the one it replaced change status. */
    src->attr.ctime = dir->attr.ctime;
    src->attr.ctime_nsec = dir->attr.ctime_nsec;
    if (dst) {
      dst->attr.ctime = dir->attr.ctime;
      dst->attr.ctime_nsec = dir->attr.ctime_nsec;
    }
    g_mutex_unlock(&s3->lock);
    if (dir != newdir)
      s3_keep_dir(s3, dir);
  }
out:
  if (src)
    s3_drop(s3, src);
  if (dst)
    s3_drop(s3, dst);
  s3_drop(s3, dir);
  s3_drop(s3, newdir);
  return rc;
}
