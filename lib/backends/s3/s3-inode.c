/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Inodes as the kernel sees them: lookup, forget, getattr, statfs. */
#include "s3.h"

#include <errno.h>
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
