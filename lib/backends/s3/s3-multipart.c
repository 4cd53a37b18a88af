/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Multipart uploads.  Part i covers a fixed range of the file (part_size
 * for the first 1000 parts, doubling every 1000 after, so 10000 parts
 * reach far past S3's 5 TiB).  Parts go up in parallel on the request pool
 * as soon as the writer has moved past them, the rest at flush, which then
 * completes the upload: the object is replaced only at that moment. */
#include "s3.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define TIER 1000 /* parts per size tier; each tier doubles the part size */

uint64_t
s3_part_start(S3 *s3, unsigned idx)
{
  uint64_t p = s3->cfg.part_size;
  unsigned t = idx / TIER;
  return p * TIER * ((UINT64_C(1) << t) - 1) + (uint64_t)(idx % TIER) * (p << t);
}

unsigned
s3_part_index(S3 *s3, uint64_t off)
{
  uint64_t p = s3->cfg.part_size;
  unsigned t = 0;
  while (t < 9 && off >= s3_part_start(s3, (t + 1) * TIER))
    t++;
  return t * TIER + (unsigned)((off - s3_part_start(s3, t * TIER)) / (p << t));
}

/* ---- multipart --------------------------------------------------------*/

static uint64_t
part_len(S3 *s3, S3Data *d, unsigned i)
{
  uint64_t a = s3_part_start(s3, i), b = s3_part_start(s3, i + 1);
  return d->size <= a ? 0 : MIN(b, d->size) - a;
}

static bool
part_needed(S3 *s3, S3Data *d, unsigned i)
{
  S3Part *p = &g_array_index(d->parts, S3Part, i);
  return !p->busy && (p->ugen == 0 || p->ugen < p->wgen ||
                      p->len != part_len(s3, d, i));
}

static char *
upload_query(const char *id, int part)
{
  GString *q = g_string_new(NULL);
  if (part > 0)
    g_string_append_printf(q, "partNumber=%d&", part);
  g_string_append(q, "uploadId=");
  s3_uri_encode(q, id, false);
  return g_string_free(q, FALSE);
}

/* Starts the multipart upload (d->lock held, dropped meanwhile). */
static int
initiate(S3 *s3, S3Data *d)
{
  S3Req r;
  char *key, *id = NULL;
  VfsdAttr a;
  int rc;
  while (d->initiating)
    g_cond_wait(&d->cond, &d->lock);
  if (d->upload_id)
    return 0;
  if (d->error < 0)
    return d->error; /* it just failed for another part: not again */
  d->initiating = true;
  g_mutex_unlock(&d->lock);
  g_mutex_lock(&s3->lock);
  key = s3_node_key(s3, d->node);
  a = d->node->attr;
  g_mutex_unlock(&s3->lock);
  s3_req_init(&r, "POST", key, "uploads=");
  /* No x-amz-meta-mtime: the upload completes at close, so the object's
   * Last-Modified is the file's mtime (flush corrects an mtime set with
   * utimes). */
  s3_req_header(&r, "x-amz-meta-mode: %u", a.mode);
  s3_req_header(&r, "x-amz-meta-uid: %u", a.uid);
  s3_req_header(&r, "x-amz-meta-gid: %u", a.gid);
  s3_req_header(&r, "Content-Type: application/octet-stream");
  rc = s3_http_do(s3, &r);
  if (rc == 0 && (r.resp == NULL ||
                  (id = s3_xml_find(r.resp->str, r.resp->len, "UploadId")) == NULL))
    rc = -EIO;
  s3_req_clear(&r);
  g_mutex_lock(&d->lock);
  d->initiating = false;
  if (rc == 0) {
    d->upload_id = id;
    g_free(d->upload_key);
    d->upload_key = key;
    d->upload_attr = a;
  } else
    g_free(key);
  g_cond_broadcast(&d->cond);
  return rc;
}

typedef struct {
  S3 *s3;
  S3Data *d;
  unsigned idx;
} PartJob;

static void
part_job(void *data)
{
  PartJob *j = data;
  S3 *s3 = j->s3;
  S3Data *d = j->d;
  S3Req r;
  char *key = NULL, *id = NULL, *q, *etag = NULL;
  uint64_t gen, off, len;
  int rc;

  g_mutex_lock(&d->lock);
  rc = initiate(s3, d);
  if (rc == 0) {
    key = g_strdup(d->upload_key);
    id = g_strdup(d->upload_id);
  }
  gen = d->gen;
  off = s3_part_start(s3, j->idx);
  len = part_len(s3, d, j->idx);
  g_mutex_unlock(&d->lock);

  if (rc == 0) {
    q = upload_query(id, (int)j->idx + 1);
    s3_req_init(&r, "PUT", key, q);
    r.body_fd = d->fd;
    r.body_off = off;
    r.body_len = len;
    r.resp_headers = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                           g_free);
    rc = s3_http_do(s3, &r);
    if (rc == 0)
      etag = g_strdup(g_hash_table_lookup(r.resp_headers, "etag"));
    if (rc == 0 && etag == NULL)
      rc = -EIO;
    s3_req_clear(&r);
    g_free(q);
  }

  g_mutex_lock(&d->lock);
  if (j->idx < d->parts->len) {
    S3Part *p = &g_array_index(d->parts, S3Part, j->idx);
    p->busy = false;
    if (rc == 0 && g_strcmp0(id, d->upload_id) == 0) {
      g_free(p->etag);
      p->etag = g_steal_pointer(&etag);
      p->ugen = gen;
      p->len = len;
    }
  }
  if (rc < 0 && d->error == 0)
    d->error = rc;
  d->parts_busy--;
  g_cond_broadcast(&d->cond);
  g_mutex_unlock(&d->lock);
  g_free(etag);
  g_free(key);
  g_free(id);
  s3_data_put(s3, d);
  g_free(j);
}

/* Sends part @i in the background (d->lock held). */
static void
send_part(S3 *s3, S3Data *d, unsigned i)
{
  PartJob *j = g_new(PartJob, 1);
  g_array_index(d->parts, S3Part, i).busy = true;
  d->parts_busy++;
  j->s3 = s3;
  j->d = d;
  j->idx = i;
  s3_data_ref(s3, d);
  s3_pool_push(s3, part_job, j);
}

void
s3_data_parts_written(S3 *s3, S3Data *d, uint64_t off, uint64_t len)
{
  unsigned first, last;
  if (len == 0)
    return;
  first = s3_part_index(s3, off);
  last = s3_part_index(s3, off + len - 1);
  if (d->parts->len <= last)
    g_array_set_size(d->parts, last + 1);
  for (unsigned i = first; i <= last; i++)
    g_array_index(d->parts, S3Part, i).wgen = d->gen;
  /* Stream the parts the writer has left behind, while it goes on (with
   * writeback, uploads start after close instead). */
  if (d->size < 2 * s3->cfg.part_size || s3->cfg.writeback != S3_WB_OFF)
    return;
  while (d->next_part < first && d->parts_busy < s3->cfg.connections) {
    if (part_needed(s3, d, d->next_part))
      send_part(s3, d, d->next_part);
    d->next_part++;
  }
}

void
s3_data_abort_multipart(S3 *s3, S3Data *d)
{
  char *q = NULL, *key = NULL;
  g_mutex_lock(&d->lock);
  while (d->parts_busy > 0 || d->initiating)
    g_cond_wait(&d->cond, &d->lock);
  if (d->upload_id) {
    q = upload_query(d->upload_id, 0);
    key = g_strdup(d->upload_key);
    g_clear_pointer(&d->upload_id, g_free);
  }
  s3_parts_reset(d);
  d->error = 0;
  g_mutex_unlock(&d->lock);
  if (q) {
    S3Req r;
    s3_req_init(&r, "DELETE", key, q);
    s3_http_do(s3, &r);
    s3_req_clear(&r);
  }
  g_free(q);
  g_free(key);
}

/* Sends what is left and completes the upload (d->lock held, dropped
 * while waiting and on the wire).  Returns the new etag in @etag. */
int
s3_store_multipart(S3 *s3, S3Data *d, const VfsdAttr *a, char **etag)
{
  unsigned nparts = s3_part_index(s3, d->size - 1) + 1;
  GString *xml;
  S3Req r;
  char *q, *key;
  VfsdAttr started;
  int rc = 0;

  if (d->parts->len < nparts)
    g_array_set_size(d->parts, nparts);
  for (int round = 0; round < 3; round++) {
    bool again = false;
    for (unsigned i = 0; i < nparts; i++)
      if (part_needed(s3, d, i))
        send_part(s3, d, i);
    while (d->parts_busy > 0)
      g_cond_wait(&d->cond, &d->lock);
    if ((rc = d->error) < 0)
      break;
    for (unsigned i = 0; i < nparts && !again; i++)
      again = part_needed(s3, d, i);
    if (!again)
      break;
  }
  if (rc == 0 && d->upload_id == NULL)
    rc = -EIO;
  if (rc < 0) {
    g_mutex_unlock(&d->lock);
    s3_data_abort_multipart(s3, d);
    g_mutex_lock(&d->lock);
    return rc;
  }
  xml = g_string_new("<CompleteMultipartUpload>");
  for (unsigned i = 0; i < nparts; i++)
    g_string_append_printf(xml, "<Part><PartNumber>%u</PartNumber>"
                           "<ETag>%s</ETag></Part>", i + 1,
                           g_array_index(d->parts, S3Part, i).etag);
  g_string_append(xml, "</CompleteMultipartUpload>");
  q = upload_query(d->upload_id, 0);
  key = g_strdup(d->upload_key);
  started = d->upload_attr;
  g_mutex_unlock(&d->lock);

  s3_req_init(&r, "POST", key, q);
  r.body = xml->str;
  r.body_len = xml->len;
  s3_req_header(&r, "Content-Type: application/xml");
  rc = s3_http_do(s3, &r);
  if (rc == 0 && r.resp && strstr(r.resp->str, "<Error>"))
    rc = -EIO; /* a 200 that failed after all */
  if (rc == 0 && r.resp)
    *etag = s3_xml_find(r.resp->str, r.resp->len, "ETag");
  s3_req_clear(&r);
  g_string_free(xml, TRUE);
  g_free(q);

  if (rc == 0) {
    g_mutex_lock(&d->lock);
    g_clear_pointer(&d->upload_id, g_free);
    s3_parts_reset(d);
    g_mutex_unlock(&d->lock);
    /* Attributes that changed since the start, or an mtime that is not
     * the time of completion (set with utimes), are stored now. */
    if (a->mode != started.mode || a->uid != started.uid ||
        a->gid != started.gid ||
        llabs((long long)(a->mtime - g_get_real_time() / G_USEC_PER_SEC)) > 2)
      rc = s3_copy(s3, key, key, a, d->size, NULL);
  } else
    s3_data_abort_multipart(s3, d);
  g_free(key);
  g_mutex_lock(&d->lock);
  return rc;
}
