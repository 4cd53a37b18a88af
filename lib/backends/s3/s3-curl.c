/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcurl's side of requests: global set-up, the pool of easy handles (a
 * handle is reset, not freed, between requests, so it keeps its open
 * connection), the share of DNS and TLS sessions, request helpers and
 * URLs. */
#include "s3.h"

#include <errno.h>
#include <string.h>

bool
s3_http_global_init(GError **error)
{
  static gsize once;
  static CURLcode rc;
  if (g_once_init_enter(&once)) {
    rc = curl_global_init(CURL_GLOBAL_DEFAULT);
    g_once_init_leave(&once, 1);
  }
  if (rc != CURLE_OK) {
    g_set_error(error, VFSD_ERROR, EIO, "s3: libcurl failed to start: %s",
                curl_easy_strerror(rc));
    return false;
  }
  return true;
}

void
s3_req_init(S3Req *r, const char *method, const char *key, const char *query)
{
  memset(r, 0, sizeof *r);
  r->method = method;
  r->key = key;
  r->query = query;
  r->body_fd = -1;
}

void
s3_req_clear(S3Req *r)
{
  curl_slist_free_all(r->headers);
  r->headers = NULL;
  if (r->resp)
    g_string_free(r->resp, TRUE);
  r->resp = NULL;
  if (r->resp_headers)
    g_hash_table_unref(r->resp_headers);
  r->resp_headers = NULL;
}

void
s3_req_header(S3Req *r, const char *fmt, ...)
{
  va_list ap;
  char *h;
  va_start(ap, fmt);
  h = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  r->headers = curl_slist_append(r->headers, h);
  g_free(h);
}

char *
s3_url(S3 *s3, const char *key, const char *query)
{
  const S3Config *c = &s3->cfg;
  GString *u = g_string_new(NULL);
  if (c->path_style) {
    g_string_append_printf(u, "%s/", c->endpoint);
    s3_uri_encode(u, c->bucket, false);
    if (key) {
      g_string_append_c(u, '/');
      s3_uri_encode(u, key, true);
    }
  } else {
    g_string_append_printf(u, "%s://%s.%s/", c->https ? "https" : "http",
                           c->bucket, c->host);
    if (key)
      s3_uri_encode(u, key, true);
  }
  if (query && *query)
    g_string_append_printf(u, "?%s", query);
  return g_string_free(u, FALSE);
}

/* ---- the easy-handle pool ---------------------------------------------*/

static void
share_lock(CURL *h, curl_lock_data data, curl_lock_access a, void *user)
{
  S3 *s3 = user;
  (void)h;
  (void)a;
  g_mutex_lock(&s3->share_locks[data]);
}

static void
share_unlock(CURL *h, curl_lock_data data, void *user)
{
  S3 *s3 = user;
  (void)h;
  g_mutex_unlock(&s3->share_locks[data]);
}

CURL *
s3_take_handle(S3 *s3)
{
  CURL *h = NULL;
  g_mutex_lock(&s3->curl_lock);
  if (s3->share == NULL) {
    for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
      g_mutex_init(&s3->share_locks[i]);
    s3->share = curl_share_init();
    curl_share_setopt(s3->share, CURLSHOPT_LOCKFUNC, share_lock);
    curl_share_setopt(s3->share, CURLSHOPT_UNLOCKFUNC, share_unlock);
    curl_share_setopt(s3->share, CURLSHOPT_USERDATA, s3);
    curl_share_setopt(s3->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    curl_share_setopt(s3->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
  }
  if (s3->curl_free->len)
    h = g_ptr_array_steal_index_fast(s3->curl_free, s3->curl_free->len - 1);
  g_mutex_unlock(&s3->curl_lock);
  if (h == NULL)
    h = curl_easy_init();
  else
    curl_easy_reset(h); /* keeps its live connection */
  return h;
}

void
s3_give_handle(S3 *s3, CURL *h, bool keep)
{
  if (!keep) {
    curl_easy_cleanup(h);
    return;
  }
  g_mutex_lock(&s3->curl_lock);
  g_ptr_array_add(s3->curl_free, h);
  g_mutex_unlock(&s3->curl_lock);
}

void
s3_http_pool_free(S3 *s3)
{
  if (s3->curl_free) {
    for (guint i = 0; i < s3->curl_free->len; i++)
      curl_easy_cleanup(g_ptr_array_index(s3->curl_free, i));
    g_ptr_array_free(s3->curl_free, TRUE);
    s3->curl_free = NULL;
  }
  if (s3->share) {
    curl_share_cleanup(s3->share);
    s3->share = NULL;
    for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
      g_mutex_clear(&s3->share_locks[i]);
  }
}
