/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Removing names: unlink and rmdir.  The object goes from the store before
 * the call returns; a file still open stays readable (its data comes down
 * first); a directory without a marker that loses its last name gets one,
 * so it does not vanish. */
#include "s3.h"

#include <errno.h>
#include <string.h>

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
  int rc = s3_find(s3, parent, name, &dir, &n);
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
  int rc = s3_find(s3, parent, name, &dir, &n);
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
