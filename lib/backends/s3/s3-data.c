/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The data of open files: its lifetime, and staging.  A file's data is
 * staged in an unnamed temporary file (O_TMPFILE in cache_dir), filled
 * with the object first when only part of it changes.  Each change bumps a
 * generation; what the store holds is known by generation too, so a write
 * that lands while an upload is on the wire is never taken for stored. */
#include "s3.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

/* ---- lifetime ---------------------------------------------------------*/

S3Data *
s3_data_get(S3 *s3, S3Node *n)
{
  S3Data *d;
  g_mutex_lock(&s3->lock);
  d = n->data;
  if (d == NULL) {
    d = g_new0(S3Data, 1);
    g_mutex_init(&d->lock);
    g_cond_init(&d->cond);
    d->node = n;
    s3_node_ref(n);
    d->fd = -1;
    d->parts = g_array_new(FALSE, TRUE, sizeof(S3Part));
    n->data = d;
  }
  d->refs++;
  g_mutex_unlock(&s3->lock);
  return d;
}

void
s3_data_ref(S3 *s3, S3Data *d)
{
  g_mutex_lock(&s3->lock);
  d->refs++;
  g_mutex_unlock(&s3->lock);
}

void
s3_parts_reset(S3Data *d)
{
  for (guint i = 0; i < d->parts->len; i++)
    g_free(g_array_index(d->parts, S3Part, i).etag);
  g_array_set_size(d->parts, 0);
  d->next_part = 0;
}

void
s3_data_put(S3 *s3, S3Data *d)
{
  S3Node *n = d->node;
  char *path = NULL;
  g_mutex_lock(&s3->lock);
  if (--d->refs > 0) {
    g_mutex_unlock(&s3->lock);
    return;
  }
  n->data = NULL;
  if (d->dirty && !n->removed)
    path = s3_node_path(n);
  s3_node_unref(s3, n);
  g_mutex_unlock(&s3->lock);
  if (path)
    g_warning("%s/%s%s was not stored: its last upload failed",
              s3->bucket_url, s3->cfg.prefix, path);
  g_free(path);
  s3_data_abort_multipart(s3, d);
  if (d->fd >= 0)
    close(d->fd);
  s3_parts_reset(d);
  g_array_free(d->parts, TRUE);
  g_free(d->upload_id);
  g_free(d->upload_key);
  g_mutex_clear(&d->lock);
  g_cond_clear(&d->cond);
  g_free(d);
}

int
s3_data_open_fd(S3 *s3, S3Data *d)
{
  int fd = open(s3->cfg.cache_dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0) {
    char *tmpl = g_build_filename(s3->cfg.cache_dir, "vfsd-s3-XXXXXX", NULL);
    fd = g_mkstemp_full(tmpl, O_RDWR | O_CLOEXEC, 0600);
    if (fd >= 0)
      unlink(tmpl);
    g_free(tmpl);
  }
  if (fd < 0) {
    int e = errno;
    g_warning("cannot create a staging file in %s: %s", s3->cfg.cache_dir,
              g_strerror(e));
    return -e;
  }
  if (d->size > 0 && ftruncate(fd, (off_t)d->size) < 0) {
    int e = errno;
    close(fd);
    return -e;
  }
  d->fd = fd;
  return 0;
}

/* ---- staging ----------------------------------------------------------*/

#define FETCH_CHUNK (8 * 1024 * 1024)

int
s3_data_stage(S3 *s3, S3Data *d, bool truncate)
{
  S3Node *n = d->node;
  char *key, *etag, *buf;
  uint64_t size, off = 0;
  bool in_store;
  int rc = 0;
  if (truncate) {
    if (d->fd >= 0 && ftruncate(d->fd, 0) < 0)
      return -errno;
    d->size = 0;
    d->staged = true;
    d->dirty = true;
    d->gen++;
    s3_data_truncated(s3, d);
    return 0;
  }
  if (d->staged)
    return 0;
  g_mutex_lock(&s3->lock);
  key = s3_node_key(s3, n);
  etag = g_strdup(n->etag);
  size = n->attr.size;
  in_store = n->in_store;
  g_mutex_unlock(&s3->lock);
  if (in_store && size > 0) {
    /* Changing part of an object: it comes here whole first. */
    rc = d->fd >= 0 ? 0 : s3_data_open_fd(s3, d);
    buf = rc == 0 ? g_malloc(FETCH_CHUNK) : NULL;
    while (rc == 0 && off < size) {
      size_t got = 0, want = (size_t)MIN((uint64_t)FETCH_CHUNK, size - off);
      rc = s3_get_range(s3, key, etag, off, buf, want, &got);
      if (rc == 0 && got > 0 && pwrite(d->fd, buf, got, (off_t)off) != (ssize_t)got)
        rc = -errno;
      if (rc == 0 && got < want) {
        size = off + got; /* it shrank meanwhile */
        break;
      }
      off += got;
    }
    g_free(buf);
  } else
    size = in_store ? 0 : size;
  g_free(key);
  g_free(etag);
  if (rc == 0) {
    d->staged = true;
    d->size = size;
    if (d->fd >= 0 && ftruncate(d->fd, (off_t)size) < 0)
      rc = -errno;
  }
  return rc;
}

void
s3_data_truncated(S3 *s3, S3Data *d)
{
  /* Parts already sent may hold bytes the file no longer has: all are
   * sent again at flush. */
  for (guint i = 0; i < d->parts->len; i++)
    g_array_index(d->parts, S3Part, i).wgen = d->gen;
  d->next_part = 0;
  (void)s3;
}
