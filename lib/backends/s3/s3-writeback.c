/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* writeback=close|on: close() queues the upload and returns.  The upload
 * waits writeback_delay seconds first (a file renamed or removed meanwhile
 * is never sent under its old name), then the uploader pool stores it.  At
 * unmount the waiting stops, every queued upload is finished, and every
 * file still not stored is named in the log — a warning per file and one
 * summary line — so that nothing is lost silently. */
#include "s3.h"

#include <errno.h>
#include <string.h>

typedef struct {
  S3 *s3;
  S3Data *d;
  gint64 due;   /* monotonic µs */
} WbJob;

static void
note_failure(S3 *s3, S3Node *n, int rc)
{
  char *path;
  g_mutex_lock(&s3->lock);
  path = s3_node_path(n);
  g_mutex_unlock(&s3->lock);
  g_warning("%s/%s%s was not stored: %s", s3->bucket_url, s3->cfg.prefix,
            path, g_strerror(-rc));
  g_mutex_lock(&s3->wb_lock);
  for (guint i = 0; path && i < s3->wb_failed->len; i++)
    if (!strcmp(s3->wb_failed->pdata[i], path))
      g_clear_pointer(&path, g_free); /* named once is enough */
  if (path)
    g_ptr_array_add(s3->wb_failed, path);
  g_mutex_unlock(&s3->wb_lock);
}

static void
wb_job(void *data)
{
  WbJob *j = data;
  S3 *s3 = j->s3;
  S3Data *d = j->d;
  int rc;
  g_mutex_lock(&d->lock);
  d->wb_queued = false;
  g_mutex_unlock(&d->lock);
  rc = s3_data_store(s3, d);
  if (rc < 0) {
    g_mutex_lock(&d->lock);
    d->error = rc;
    g_mutex_unlock(&d->lock);
    note_failure(s3, d->node, rc);
  }
  s3_data_put(s3, d);
  g_mutex_lock(&s3->wb_lock);
  s3->wb_pending--;
  g_cond_broadcast(&s3->wb_cond);
  g_mutex_unlock(&s3->wb_lock);
  g_free(j);
}

/* Moves uploads whose time has come to the uploader pool. */
static gpointer
wb_timer(gpointer data)
{
  S3 *s3 = data;
  g_mutex_lock(&s3->wb_lock);
  for (;;) {
    WbJob *j = g_queue_peek_head(&s3->wb_delayed);
    if (j == NULL) {
      if (s3->wb_stop)
        break;
      g_cond_wait(&s3->wb_cond, &s3->wb_lock);
      continue;
    }
    if (!s3->wb_now && !s3->wb_stop && S3_NOW() < j->due) {
      g_cond_wait_until(&s3->wb_cond, &s3->wb_lock, j->due);
      continue;
    }
    g_queue_pop_head(&s3->wb_delayed);
    g_mutex_unlock(&s3->wb_lock);
    s3_pool_push_upload(s3, wb_job, j);
    g_mutex_lock(&s3->wb_lock);
  }
  g_mutex_unlock(&s3->wb_lock);
  return NULL;
}

void
s3_data_store_later(S3 *s3, S3Data *d)
{
  WbJob *j;
  bool now;
  g_mutex_lock(&d->lock);
  if (!d->dirty || d->wb_queued) {
    g_mutex_unlock(&d->lock);
    return;
  }
  d->wb_queued = true;
  g_mutex_unlock(&d->lock);
  j = g_new(WbJob, 1);
  j->s3 = s3;
  j->d = s3_data_get(s3, d->node); /* the job's reference */
  j->due = S3_NOW() + (gint64)(s3->cfg.writeback_delay * G_USEC_PER_SEC);
  g_mutex_lock(&s3->wb_lock);
  s3->wb_pending++;
  now = s3->cfg.writeback_delay <= 0 || s3->wb_now;
  if (!now) {
    g_queue_push_tail(&s3->wb_delayed, j); /* same delay for all: in order */
    if (s3->wb_timer == NULL)
      s3->wb_timer = g_thread_new("vfsd-s3-wb", wb_timer, s3);
    g_cond_broadcast(&s3->wb_cond);
  }
  g_mutex_unlock(&s3->wb_lock);
  if (now)
    s3_pool_push_upload(s3, wb_job, j);
}

int
s3_writeback_drain(S3 *s3, double timeout_s)
{
  gint64 deadline = g_get_monotonic_time() +
                    (gint64)(timeout_s * G_USEC_PER_SEC);
  GThread *timer;
  int left;
  g_mutex_lock(&s3->wb_lock);
  s3->wb_now = true; /* what waits for its delay goes now */
  s3->wb_stop = true;
  g_cond_broadcast(&s3->wb_cond);
  while (s3->wb_pending > 0)
    if (!g_cond_wait_until(&s3->wb_cond, &s3->wb_lock, deadline))
      break;
  left = s3->wb_pending;
  timer = g_steal_pointer(&s3->wb_timer);
  g_mutex_unlock(&s3->wb_lock);
  if (timer)
    g_thread_join(timer);
  g_mutex_lock(&s3->wb_lock);
  s3->wb_now = s3->wb_stop = false; /* a later mount starts afresh */
  g_mutex_unlock(&s3->wb_lock);
  if (left > 0)
    g_warning("%d uploads to %s did not finish within %.0f s", left,
              s3->bucket_url, timeout_s);
  return left;
}

int
s3_data_store_all(S3 *s3)
{
  GPtrArray *todo = g_ptr_array_new();
  GHashTableIter it;
  gpointer v;
  int failed = 0;
  g_mutex_lock(&s3->lock);
  g_hash_table_iter_init(&it, s3->nodes);
  while (g_hash_table_iter_next(&it, NULL, &v)) {
    S3Node *n = v;
    if (n->data && n->data->dirty && !n->removed) {
      n->data->refs++;
      g_ptr_array_add(todo, n->data);
    }
  }
  g_mutex_unlock(&s3->lock);
  for (guint i = 0; i < todo->len; i++) {
    S3Data *d = todo->pdata[i];
    int rc = s3_data_store(s3, d);
    if (rc < 0) {
      note_failure(s3, d->node, rc);
      failed++;
      g_mutex_lock(&d->lock);
      d->dirty = false; /* reported: not again when it is freed */
      g_mutex_unlock(&d->lock);
    }
    s3_data_put(s3, d);
  }
  g_ptr_array_free(todo, TRUE);
  return failed;
}
