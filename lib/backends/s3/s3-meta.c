/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Keys in URLs, dates, and the metadata of an object.
 *
 * Attributes live in user metadata under s3fs-fuse's names, so buckets
 * written by either mount the same way:
 *   x-amz-meta-mode   st_mode in decimal, file type bits included
 *                     (33188 = regular 0644, 16877 = directory 0755,
 *                     41471 = symlink 0777)
 *   x-amz-meta-uid    owner, decimal
 *   x-amz-meta-gid    group, decimal
 *   x-amz-meta-mtime  seconds since the epoch, "SEC" or "SEC.NNNNNNNNN"
 * A directory marker ("dir/") has Content-Type application/x-directory; a
 * symlink is an object whose content is the target. */
#include "s3.h"

#include <stdlib.h>
#include <string.h>

void
s3_uri_encode(GString *out, const char *s, bool keep_slash)
{
  static const char hex[] = "0123456789ABCDEF";
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (g_ascii_isalnum(*p) || *p == '-' || *p == '_' || *p == '.' ||
        *p == '~' || (keep_slash && *p == '/'))
      g_string_append_c(out, (char)*p);
    else {
      g_string_append_c(out, '%');
      g_string_append_c(out, hex[*p >> 4]);
      g_string_append_c(out, hex[*p & 15]);
    }
  }
}

int64_t
s3_parse_http_date(const char *s)
{
  time_t t = curl_getdate(s, NULL);
  return t < 0 ? 0 : (int64_t)t;
}

int64_t
s3_parse_iso_date(const char *s)
{
  GDateTime *dt = g_date_time_new_from_iso8601(s, NULL);
  int64_t t = 0;
  if (dt) {
    t = g_date_time_to_unix(dt);
    g_date_time_unref(dt);
  }
  return t;
}

static bool
get_u32(GHashTable *h, const char *name, uint32_t *out)
{
  const char *v = g_hash_table_lookup(h, name);
  char *end;
  guint64 u;
  if (v == NULL || !g_ascii_isdigit(*v))
    return false;
  u = g_ascii_strtoull(v, &end, 10);
  if (*end != '\0' || u > UINT32_MAX)
    return false;
  *out = (uint32_t)u;
  return true;
}

/* "SEC", "SEC.NNNNNNNNN" (s3fs) or "SEC.fraction" (rclone). */
static bool
parse_time(const char *v, int64_t *sec, uint32_t *nsec)
{
  char *end;
  gint64 s;
  uint32_t ns = 0;
  if (v == NULL || !(g_ascii_isdigit(*v) || *v == '-'))
    return false;
  s = g_ascii_strtoll(v, &end, 10);
  if (*end == '.') {
    int digits = 0;
    for (const char *f = end + 1; g_ascii_isdigit(*f); f++, digits++)
      if (digits < 9)
        ns = ns * 10 + (uint32_t)(*f - '0');
    for (; digits < 9; digits++)
      ns *= 10;
  } else if (*end != '\0')
    return false;
  *sec = s;
  *nsec = ns;
  return true;
}

void
s3_meta_from_headers(GHashTable *h, S3ObjMeta *m)
{
  const char *v;
  memset(m, 0, sizeof *m);
  if ((v = g_hash_table_lookup(h, "content-length")))
    m->size = g_ascii_strtoull(v, NULL, 10);
  if (!get_u32(h, "x-amz-meta-mode", &m->mode))
    m->mode = 0;
  m->has_uid = get_u32(h, "x-amz-meta-uid", &m->uid);
  m->has_gid = get_u32(h, "x-amz-meta-gid", &m->gid);
  m->has_mtime = parse_time(g_hash_table_lookup(h, "x-amz-meta-mtime"),
                            &m->mtime, &m->mtime_ns);
  if ((v = g_hash_table_lookup(h, "last-modified")))
    m->last_modified = s3_parse_http_date(v);
  if ((v = g_hash_table_lookup(h, "content-type")))
    m->dir_type = g_str_has_prefix(v, "application/x-directory") ||
                  g_str_has_prefix(v, "httpd/unix-directory");
  if ((v = g_hash_table_lookup(h, "etag")))
    m->etag = g_strdup(v);
}

void
s3_meta_clear(S3ObjMeta *m)
{
  g_free(m->etag);
  m->etag = NULL;
}

void
s3_meta_add_headers(S3Req *r, const VfsdAttr *a)
{
  s3_req_header(r, "x-amz-meta-mode: %u", a->mode);
  s3_req_header(r, "x-amz-meta-uid: %u", a->uid);
  s3_req_header(r, "x-amz-meta-gid: %u", a->gid);
  if (a->mtime_nsec)
    s3_req_header(r, "x-amz-meta-mtime: %" G_GINT64_FORMAT ".%09u", a->mtime,
                  a->mtime_nsec);
  else
    s3_req_header(r, "x-amz-meta-mtime: %" G_GINT64_FORMAT, a->mtime);
}
