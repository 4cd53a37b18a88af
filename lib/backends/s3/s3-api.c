/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The S3 calls the backend makes, each one request (with retries). */
#include "s3.h"

#include <errno.h>
#include <string.h>

#define COPY_MAX (5ULL * 1024 * 1024 * 1024) /* CopyObject's limit */

int
s3_head(S3 *s3, const char *key, S3ObjMeta *out)
{
  S3Req r;
  int rc;
  s3_req_init(&r, "HEAD", key, NULL);
  r.resp_headers = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                         g_free);
  rc = s3_http_do(s3, &r);
  if (rc == 0)
    s3_meta_from_headers(r.resp_headers, out);
  s3_req_clear(&r);
  return rc;
}

int
s3_list_page(S3 *s3, const char *prefix, const char *delim, int max_keys,
             const char *token, S3List *out)
{
  GString *q = g_string_new(NULL);
  S3Req r;
  int rc;
  /* The canonical query: parameters sorted by name, values encoded. */
  if (token) {
    g_string_append(q, "continuation-token=");
    s3_uri_encode(q, token, false);
    g_string_append_c(q, '&');
  }
  if (delim) {
    g_string_append(q, "delimiter=");
    s3_uri_encode(q, delim, false);
    g_string_append_c(q, '&');
  }
  /* Keys come URL-encoded: XML 1.0 cannot carry every byte a key may hold
   * (a control character would make the whole answer unreadable). */
  g_string_append_printf(q, "encoding-type=url&list-type=2&max-keys=%d&prefix=",
                         max_keys);
  s3_uri_encode(q, prefix, false);
  s3_req_init(&r, "GET", NULL, q->str);
  rc = s3_http_do(s3, &r);
  if (rc == 0) {
    if (r.resp == NULL ||
        !s3_xml_list(r.resp->str, r.resp->len, prefix, out)) {
      g_warning("ListObjectsV2 %s/%s: the answer is not a listing",
                s3->bucket_url, prefix);
      s3_list_clear(out);
      rc = -EIO;
    }
  }
  s3_req_clear(&r);
  g_string_free(q, TRUE);
  return rc;
}

int
s3_put_buf(S3 *s3, const char *key, const char *data, size_t len,
           const VfsdAttr *attr, const char *content_type, char **etag_out)
{
  S3Req r;
  int rc;
  s3_req_init(&r, "PUT", key, NULL);
  r.body = data ? data : "";
  r.body_len = len;
  if (attr)
    s3_meta_add_headers(&r, attr);
  s3_req_header(&r, "Content-Type: %s",
                content_type ? content_type : "application/octet-stream");
  if (etag_out)
    r.resp_headers = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                           g_free);
  rc = s3_http_do(s3, &r);
  if (rc == 0 && etag_out)
    *etag_out = g_strdup(g_hash_table_lookup(r.resp_headers, "etag"));
  s3_req_clear(&r);
  return rc;
}

int
s3_delete(S3 *s3, const char *key)
{
  S3Req r;
  int rc;
  s3_req_init(&r, "DELETE", key, NULL);
  rc = s3_http_do(s3, &r);
  s3_req_clear(&r);
  return rc == -ENOENT ? 0 : rc;
}

int
s3_copy(S3 *s3, const char *src, const char *dst, const VfsdAttr *attr,
        uint64_t size, const char *content_type)
{
  GString *source = g_string_new("/");
  S3Req r;
  int rc;
  if (size > COPY_MAX)
    return -EFBIG;
  s3_uri_encode(source, s3->cfg.bucket, false);
  g_string_append_c(source, '/');
  s3_uri_encode(source, src, true);
  s3_req_init(&r, "PUT", dst, NULL);
  s3_req_header(&r, "x-amz-copy-source: %s", source->str);
  if (attr) {
    s3_req_header(&r, "x-amz-metadata-directive: REPLACE");
    s3_meta_add_headers(&r, attr);
    s3_req_header(&r, "Content-Type: %s",
                  content_type ? content_type : "application/octet-stream");
  } else
    s3_req_header(&r, "x-amz-metadata-directive: COPY");
  rc = s3_http_do(s3, &r);
  /* CopyObject may answer 200 and report the failure in the body. */
  if (rc == 0 && r.resp && strstr(r.resp->str, "<Error>")) {
    s3_xml_error_code(r.resp->str, r.resp->len, r.err_code,
                      sizeof r.err_code);
    g_warning("copy %s to %s failed: %s", src, dst, r.err_code);
    rc = -EIO;
  }
  s3_req_clear(&r);
  g_string_free(source, TRUE);
  return rc;
}

int
s3_get_range(S3 *s3, const char *key, const char *etag, uint64_t off,
             char *buf, size_t len, size_t *got)
{
  S3Req r;
  int rc;
  *got = 0;
  if (len == 0)
    return 0;
  s3_req_init(&r, "GET", key, NULL);
  s3_req_header(&r, "Range: bytes=%" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT,
                off, off + len - 1);
  if (etag && *etag)
    s3_req_header(&r, "If-Match: %s", etag);
  r.out = buf;
  r.out_cap = len;
  rc = s3_http_do(s3, &r);
  if (rc == 0)
    *got = r.out_len;
  else if (rc == -ERANGE) /* at or past the end */
    rc = 0;
  s3_req_clear(&r);
  return rc;
}

bool
s3_check_bucket(S3 *s3, GError **error)
{
  S3List l;
  GString *q = g_string_new("encoding-type=url&list-type=2&max-keys=1&prefix=");
  S3Req r;
  int rc;
  s3_uri_encode(q, s3->cfg.prefix, false);
  s3_req_init(&r, "GET", NULL, q->str);
  r.no_retry = true;
  r.timeout = MIN(s3->cfg.timeout, 15);
  rc = s3_http_do(s3, &r);
  if (rc == 0 && r.resp && s3_xml_list(r.resp->str, r.resp->len,
                                       s3->cfg.prefix, &l)) {
    s3_list_clear(&l);
  } else if (rc == 0) {
    g_set_error(error, VFSD_ERROR, EPROTO,
                "s3: %s did not answer like an S3 store (no bucket listing "
                "came back)", s3->bucket_url);
    rc = -EPROTO;
  } else if (r.status == 0) {
    g_set_error(error, VFSD_ERROR, EHOSTUNREACH, "s3: cannot reach %s: %s",
                s3->cfg.endpoint, curl_easy_strerror((CURLcode)r.curl_rc));
  } else if (!strcmp(r.err_code, "SignatureDoesNotMatch")) {
    g_set_error(error, VFSD_ERROR, EACCES,
                "s3: %s refused the credentials with SignatureDoesNotMatch: "
                "the secret access key is wrong for this access key id",
                s3->bucket_url);
  } else if (!strcmp(r.err_code, "InvalidAccessKeyId")) {
    g_set_error(error, VFSD_ERROR, EACCES,
                "s3: %s does not know the access key id "
                "(InvalidAccessKeyId)", s3->bucket_url);
  } else if (!strcmp(r.err_code, "NoSuchBucket") || r.status == 404) {
    g_set_error(error, VFSD_ERROR, ENOENT,
                "s3: bucket '%s' does not exist at %s (NoSuchBucket)",
                s3->cfg.bucket, s3->cfg.endpoint);
  } else if (r.status >= 300 && r.status < 400) {
    g_set_error(error, VFSD_ERROR, EIO,
                "s3: %s answered with a redirect (HTTP %ld %s): the bucket "
                "is in another region than '%s'; give region=", s3->bucket_url,
                r.status, r.err_code, s3->cfg.region);
  } else {
    g_set_error(error, VFSD_ERROR, -rc,
                "s3: %s refused to list the bucket: HTTP %ld %s",
                s3->bucket_url, r.status,
                r.err_code[0] ? r.err_code : "(no error code)");
  }
  s3_req_clear(&r);
  g_string_free(q, TRUE);
  return rc == 0;
}
