/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Storing a file: one PUT for a file of up to one part, a multipart upload
 * for a larger one (s3-multipart.c).  An upload replaces the object only
 * when it completes, so readers elsewhere see the old content or the new,
 * never a mix; a file renamed or removed while its upload was on the wire
 * is moved or removed again afterwards. */
#include "s3.h"

#include <errno.h>
#include <string.h>

/* ---- storing ----------------------------------------------------------*/

int
s3_data_store(S3 *s3, S3Data *d)
{
  S3Node *n = d->node;
  char *key = NULL, *etag = NULL, *now_key = NULL;
  VfsdAttr a;
  uint64_t gen;
  bool removed, moved = false;
  int rc;

  g_mutex_lock(&d->lock);
  while (d->uploading)
    g_cond_wait(&d->cond, &d->lock);
  if (!d->dirty) {
    g_mutex_unlock(&d->lock);
    return 0;
  }
  d->uploading = true;
  d->error = 0;
  gen = d->gen;
  g_mutex_lock(&s3->lock);
  removed = n->removed;
  key = s3_node_key(s3, n);
  a = n->attr;
  a.size = d->size;
  g_mutex_unlock(&s3->lock);
  if (removed) {
    rc = 0; /* unlinked: nothing to store */
    d->dirty = false;
  } else if (d->upload_id || d->size > s3->cfg.part_size) {
    if (d->upload_id && strcmp(d->upload_key, key) != 0) {
      g_mutex_unlock(&d->lock);
      s3_data_abort_multipart(s3, d); /* renamed since it started */
      g_mutex_lock(&d->lock);
    }
    rc = s3_store_multipart(s3, d, &a, &etag);
  } else {
    S3Req r;
    g_mutex_unlock(&d->lock);
    s3_req_init(&r, "PUT", key, NULL);
    r.body_fd = d->fd;
    r.body = "";
    r.body_len = d->fd >= 0 ? d->size : 0;
    s3_meta_add_headers(&r, &a);
    s3_req_header(&r, "Content-Type: application/octet-stream");
    r.resp_headers = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                           g_free);
    rc = s3_http_do(s3, &r);
    if (rc == 0)
      etag = g_strdup(g_hash_table_lookup(r.resp_headers, "etag"));
    s3_req_clear(&r);
    g_mutex_lock(&d->lock);
  }

  g_mutex_lock(&s3->lock);
  removed = n->removed;
  if (!removed) {
    now_key = s3_node_key(s3, n);
    moved = strcmp(now_key, key) != 0;
  }
  if (rc == 0 && !removed && !moved) {
    g_free(n->etag);
    n->etag = g_strdup(etag);
    g_free(n->cache_etag);
    n->cache_etag = g_strdup(etag);
    n->in_store = true;
    n->attr_expires = S3_NOW() + (gint64)(s3->cfg.cache_timeout * G_USEC_PER_SEC);
    if (n->parent)
      s3_listing_put_node(n->parent, n);
  }
  g_mutex_unlock(&s3->lock);
  if (rc == 0 && gen == d->gen && !moved) {
    d->dirty = false;
    d->stored_gen = gen;
  } else if (rc < 0)
    d->failed_gen = gen;
  d->uploading = false;
  g_cond_broadcast(&d->cond);
  g_mutex_unlock(&d->lock);

  if (rc == 0 && (removed || moved))
    s3_delete(s3, key); /* unlinked or renamed while on the wire */
  g_free(key);
  g_free(now_key);
  g_free(etag);
  if (rc == 0 && moved)
    return s3_data_store(s3, d); /* once more, at the new name */
  return rc;
}

void
s3_data_release_store(S3 *s3, S3Data *d)
{
  S3Node *n = d->node;
  bool told;
  char *path;
  int rc = 0;
  g_mutex_lock(&d->lock);
  /* close() already reported the failure of this very data: storing it
   * now, after the fact, would turn a reported error into a late
   * success the program never learns of. */
  told = d->dirty && d->failed_gen == d->gen;
  g_mutex_unlock(&d->lock);
  if (!told)
    rc = s3_data_store(s3, d);
  if (!told && rc == 0)
    return;
  g_mutex_lock(&s3->lock);
  path = s3_node_path(n);
  if (!n->in_store)
    s3_node_detach(s3, n); /* it never reached the store */
  n->attr_expires = 0;
  g_clear_pointer(&n->cache_etag, g_free);
  g_mutex_unlock(&s3->lock);
  g_mutex_lock(&d->lock);
  d->dirty = false; /* reported here, not again when freed */
  g_mutex_unlock(&d->lock);
  g_warning("%s/%s%s was not stored: %s", s3->bucket_url, s3->cfg.prefix,
            path, told ? "close() reported the failure" : g_strerror(-rc));
  g_free(path);
}
