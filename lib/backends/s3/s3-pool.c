/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Background work: a pool of threads that run requests (part uploads,
 * read-ahead, the HEADs of a listing), and a smaller pool for writeback
 * uploads, which wait for jobs of the first pool and so must not run in
 * it.  S3Wait counts the jobs a caller waits for. */
#include "s3.h"

typedef struct {
  S3JobFunc fn;
  void *data;
} Job;

static void
run_job(gpointer job, gpointer user)
{
  Job *j = job;
  (void)user;
  j->fn(j->data);
  g_free(j);
}

static void
push(S3 *s3, GThreadPool **pool, int threads, S3JobFunc fn, void *data)
{
  Job *j = g_new(Job, 1);
  j->fn = fn;
  j->data = data;
  g_mutex_lock(&s3->wb_lock);
  if (*pool == NULL)
    *pool = g_thread_pool_new(run_job, s3, threads, FALSE, NULL);
  g_mutex_unlock(&s3->wb_lock);
  g_thread_pool_push(*pool, j, NULL);
}

void
s3_pool_push(S3 *s3, S3JobFunc fn, void *data)
{
  push(s3, &s3->pool, s3->cfg.connections, fn, data);
}

void
s3_pool_push_upload(S3 *s3, S3JobFunc fn, void *data)
{
  push(s3, &s3->upload_pool, MAX(2, s3->cfg.connections / 4), fn, data);
}

void
s3_wait_init(S3Wait *w)
{
  g_mutex_init(&w->lock);
  g_cond_init(&w->cond);
  w->pending = 0;
  w->error = 0;
}

void
s3_wait_clear(S3Wait *w)
{
  g_mutex_clear(&w->lock);
  g_cond_clear(&w->cond);
}

void
s3_wait_add(S3Wait *w)
{
  g_mutex_lock(&w->lock);
  w->pending++;
  g_mutex_unlock(&w->lock);
}

void
s3_wait_done(S3Wait *w, int err)
{
  g_mutex_lock(&w->lock);
  if (err < 0 && w->error == 0)
    w->error = err;
  if (--w->pending == 0)
    g_cond_broadcast(&w->cond);
  g_mutex_unlock(&w->lock);
}

int
s3_wait_all(S3Wait *w)
{
  int e;
  g_mutex_lock(&w->lock);
  while (w->pending > 0)
    g_cond_wait(&w->cond, &w->lock);
  e = w->error;
  g_mutex_unlock(&w->lock);
  return e;
}
