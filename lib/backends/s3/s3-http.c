/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One S3 request: libcurl signs it (CURLOPT_AWS_SIGV4), reuses a pooled
 * easy handle (and so its connection), retries network errors, 5xx and 429
 * with bounded exponential backoff, and gives up with EIO once the store
 * has been silent for the configured timeout.  Credentials go to libcurl
 * only; nothing here logs a header. */
#include "s3.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

/* ---- callbacks --------------------------------------------------------*/

typedef struct {
  S3Req *r;
  CURL *h;
  uint64_t pos;          /* bytes of the body sent */
  bool overflow;
} Xfer;

static size_t
read_cb(char *buf, size_t size, size_t n, void *data)
{
  Xfer *x = data;
  S3Req *r = x->r;
  size_t want = size * n, left = r->body_len - (size_t)x->pos;
  if (want > left)
    want = left;
  if (want == 0)
    return 0;
  if (r->body_fd >= 0) {
    ssize_t got = pread(r->body_fd, buf, want, (off_t)(r->body_off + x->pos));
    if (got <= 0)
      return CURL_READFUNC_ABORT;
    want = (size_t)got;
  } else
    memcpy(buf, r->body + x->pos, want);
  x->pos += want;
  return want;
}

static int
seek_cb(void *data, curl_off_t off, int origin)
{
  Xfer *x = data;
  if (origin != SEEK_SET || off < 0 || (size_t)off > x->r->body_len)
    return CURL_SEEKFUNC_CANTSEEK;
  x->pos = (uint64_t)off;
  return CURL_SEEKFUNC_OK;
}

static size_t
write_cb(char *ptr, size_t size, size_t n, void *data)
{
  Xfer *x = data;
  S3Req *r = x->r;
  size_t len = size * n;
  long code = 0;
  curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &code);
  if (r->out && code >= 200 && code < 300) {
    if (r->out_len + len > r->out_cap) {
      x->overflow = true;
      return 0;
    }
    memcpy(r->out + r->out_len, ptr, len);
    r->out_len += len;
    return len;
  }
  if (r->resp == NULL)
    r->resp = g_string_new(NULL);
  if (r->resp->len + len > 64 * 1024 * 1024) {
    x->overflow = true;
    return 0;
  }
  g_string_append_len(r->resp, ptr, (gssize)len);
  return len;
}

static size_t
header_cb(char *ptr, size_t size, size_t n, void *data)
{
  Xfer *x = data;
  S3Req *r = x->r;
  size_t len = size * n;
  const char *colon;
  if (r->resp_headers == NULL)
    return len;
  if (len >= 5 && !memcmp(ptr, "HTTP/", 5)) {
    g_hash_table_remove_all(r->resp_headers); /* a new answer (after 100) */
    return len;
  }
  colon = memchr(ptr, ':', len);
  if (colon) {
    char *name = g_ascii_strdown(ptr, colon - ptr);
    const char *v = colon + 1, *end = ptr + len;
    while (v < end && (*v == ' ' || *v == '\t'))
      v++;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
      end--;
    g_hash_table_replace(r->resp_headers, name, g_strndup(v, end - v));
  }
  return len;
}

/* ---- errors -----------------------------------------------------------*/

static int
errno_of(long status, const char *code)
{
  if (!strcmp(code, "QuotaExceeded") || !strcmp(code, "InsufficientCapacity"))
    return -ENOSPC;
  if (!strcmp(code, "EntityTooLarge"))
    return -EFBIG;
  if (!strcmp(code, "KeyTooLongError"))
    return -ENAMETOOLONG;
  if (!strcmp(code, "NoSuchUpload"))
    return -ENOENT;
  switch (status) {
  case 400: return -EINVAL;
  case 401:
  case 403: return -EACCES;
  case 404: return -ENOENT;
  case 405:
  case 501: return -EOPNOTSUPP;
  case 409: return -EBUSY;
  case 412: return -ESTALE;
  case 416: return -ERANGE;
  case 507: return -ENOSPC;
  default: return -EIO;
  }
}

static bool
retryable_status(long status, const char *code)
{
  return status >= 500 || status == 429 || status == 408 ||
         !strcmp(code, "SlowDown") || !strcmp(code, "RequestTimeout") ||
         !strcmp(code, "InternalError") || !strcmp(code, "ServiceUnavailable");
}

static bool
retryable_curl(CURLcode rc)
{
  switch (rc) {
  case CURLE_COULDNT_CONNECT:
  case CURLE_COULDNT_RESOLVE_HOST:
  case CURLE_COULDNT_RESOLVE_PROXY:
  case CURLE_OPERATION_TIMEDOUT:
  case CURLE_SEND_ERROR:
  case CURLE_RECV_ERROR:
  case CURLE_GOT_NOTHING:
  case CURLE_PARTIAL_FILE:
  case CURLE_SSL_CONNECT_ERROR:
  case CURLE_HTTP2:
  case CURLE_HTTP2_STREAM:
    return true;
  default:
    return false;
  }
}

/* ---- one attempt, and the loop ----------------------------------------*/

static CURLcode
attempt(S3 *s3, S3Req *r, CURL *h, Xfer *x, double remaining,
        struct curl_slist *hdrs)
{
  const S3Config *c = &s3->cfg;
  char *url = s3_url(s3, r->key, r->query);
  char sigv4[128];
  double tmo = r->timeout > 0 ? r->timeout : c->timeout;
  CURLcode rc;
  long big = r->body_len > 16 * 1024 * 1024 || r->out_cap > 16 * 1024 * 1024;

  g_snprintf(sigv4, sizeof sigv4, "aws:amz:%s:s3", c->region);
  curl_easy_setopt(h, CURLOPT_URL, url);
  curl_easy_setopt(h, CURLOPT_SHARE, s3->share);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L);
  curl_easy_setopt(h, CURLOPT_AWS_SIGV4, sigv4);
  curl_easy_setopt(h, CURLOPT_USERPWD, s3->creds.userpwd);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, c->https ? "https" : "http,https");
  if (c->ca_file)
    curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_file);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                   (long)(MIN(tmo, remaining) * 1000) + 1);
  /* A transfer that stalls for the timeout fails; a small request also has
   * a hard limit, so that a store that accepts and never answers cannot
   * hold a caller past the deadline. */
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, (long)MAX(1.0, tmo));
  if (!big)
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)(remaining * 1000) + 1);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write_cb);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, x);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, header_cb);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, x);
  curl_easy_setopt(h, CURLOPT_EXPECT_100_TIMEOUT_MS, 200L);

  if (!strcmp(r->method, "HEAD"))
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  else if (!strcmp(r->method, "PUT")) {
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)r->body_len);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, read_cb);
    curl_easy_setopt(h, CURLOPT_READDATA, x);
    curl_easy_setopt(h, CURLOPT_SEEKFUNCTION, seek_cb);
    curl_easy_setopt(h, CURLOPT_SEEKDATA, x);
  } else if (!strcmp(r->method, "POST")) {
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->body_len);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, read_cb);
    curl_easy_setopt(h, CURLOPT_READDATA, x);
    curl_easy_setopt(h, CURLOPT_SEEKFUNCTION, seek_cb);
    curl_easy_setopt(h, CURLOPT_SEEKDATA, x);
  } else if (strcmp(r->method, "GET") != 0)
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, r->method);

  rc = curl_easy_perform(h);
  g_free(url);
  return rc;
}

static void
log_failure(S3 *s3, S3Req *r, CURLcode rc, const char *what)
{
  static gint64 last;
  gint64 now = S3_NOW();
  /* At most one line a second: a dead store must not flood the log. */
  if (now - last < G_USEC_PER_SEC)
    return;
  last = now;
  if (rc != CURLE_OK)
    g_warning("%s %s/%s: %s (%s)", r->method, s3->bucket_url,
              r->key ? r->key : "", curl_easy_strerror(rc), what);
  else
    g_warning("%s %s/%s: HTTP %ld %s (%s)", r->method, s3->bucket_url,
              r->key ? r->key : "", r->status, r->err_code, what);
}

int
s3_http_do(S3 *s3, S3Req *r)
{
  double tmo = r->timeout > 0 ? r->timeout : s3->cfg.timeout;
  gint64 start = S3_NOW(), deadline = start + (gint64)(tmo * G_USEC_PER_SEC);
  struct curl_slist *hdrs = NULL;
  int attempt_no = 0, result = -EIO;

  hdrs = curl_slist_append(hdrs, "x-amz-content-sha256: UNSIGNED-PAYLOAD");
  /* No "Expect:" to switch off 100-continue: libcurl 7.88 signs the
   * header it then leaves out, and the signature no longer matches. */
  if (s3->creds.session_token) {
    char *t = g_strdup_printf("x-amz-security-token: %s",
                              s3->creds.session_token);
    hdrs = curl_slist_append(hdrs, t);
    memset(t, 0, strlen(t));
    g_free(t);
  }
  for (struct curl_slist *l = r->headers; l; l = l->next)
    hdrs = curl_slist_append(hdrs, l->data);

  for (;;) {
    CURL *h = s3_take_handle(s3);
    Xfer x = { r, h, 0, false };
    double remaining = (double)(deadline - S3_NOW()) / G_USEC_PER_SEC;
    CURLcode rc;
    bool retry;
    if (remaining < 0.05)
      remaining = 0.05;
    r->out_len = 0;
    r->err_code[0] = '\0';
    r->status = 0;
    if (r->resp)
      g_string_truncate(r->resp, 0);
    if (r->resp_headers)
      g_hash_table_remove_all(r->resp_headers);
    rc = attempt(s3, r, h, &x, remaining, hdrs);
    r->curl_rc = (int)rc;
    if (rc == CURLE_OK)
      curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
    s3_give_handle(s3, h, rc == CURLE_OK);
    if (rc == CURLE_OK && r->status >= 200 && r->status < 300) {
      result = 0;
      break;
    }
    if (rc == CURLE_OK) {
      if (r->resp && r->resp->len)
        s3_xml_error_code(r->resp->str, r->resp->len, r->err_code,
                          sizeof r->err_code);
      retry = retryable_status(r->status, r->err_code);
      result = errno_of(r->status, r->err_code);
    } else if (x.overflow) {
      retry = false;
      result = -EIO;
    } else {
      retry = retryable_curl(rc);
      result = -EIO;
    }
    if (!retry || r->no_retry) {
      if (rc != CURLE_OK && !r->no_retry)
        log_failure(s3, r, rc, "not retried");
      break;
    }
    {
      /* 50 ms doubling to 2 s, with jitter, never past the deadline. */
      gint64 backoff = MIN(2000, 50 << MIN(attempt_no, 6)) * 1000;
      backoff = backoff / 2 + g_random_int_range(0, (gint32)(backoff / 2 + 1));
      attempt_no++;
      if (S3_NOW() + backoff >= deadline) {
        log_failure(s3, r, rc, "giving up: the store did not answer in time");
        result = -EIO;
        break;
      }
      if (attempt_no == 1 || attempt_no % 8 == 0)
        log_failure(s3, r, rc, "retrying");
      g_usleep((gulong)backoff);
    }
  }
  curl_slist_free_all(hdrs);
  return result;
}
