/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The argument string of `s3:…`: comma-separated NAME=VALUE (a comma in
 * a value escaped as "\,"), every option checked, every error one
 * sentence.  An option that looks like a secret is refused: credentials
 * never come from a command line, which anyone can read in ps. */
#include "s3.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char s3_args_help[] =
    "bucket=NAME        the bucket (required)\n"
    "endpoint=URL       https://host[:port] (default: AWS in the region); "
    "http:// only when written so\n"
    "region=REGION      signing region (default: AWS_REGION, else us-east-1)\n"
    "prefix=DIR         mount only the keys under DIR/\n"
    "profile=NAME       credentials from ~/.aws/credentials [NAME] (default: "
    "the environment, else AWS_PROFILE or [default])\n"
    "style=path|virtual bucket in the path or in the host name (default: "
    "path for an endpoint, virtual for AWS)\n"
    "writeback=off|close|on  off (default): close and fsync return once "
    "the store holds the data; close: close returns before the upload, "
    "fsync waits; on: neither waits (rclone's trade-off), only unmount "
    "does\n"
    "writeback_delay=SEC  with writeback, how long an upload waits after "
    "close, so that files renamed or removed soon are never sent (default "
    "5)\n"
    "meta=head|list     attributes of listed objects from HEAD requests "
    "(exact, default) or from the listing alone (faster)\n"
    "cache_timeout=SEC  how long attributes and listings are trusted "
    "(default 10)\n"
    "timeout=SEC        a store silent this long gives EIO (default 30)\n"
    "part_size=SIZE     multipart part size (default 8M, at least 5M)\n"
    "block_size=SIZE    size of ranged GETs (default 4M)\n"
    "cache_size=SIZE    memory for read blocks (default 256M)\n"
    "readahead=SIZE     read ahead of sequential readers (default 32M)\n"
    "connections=N      requests in flight in the background (default 16)\n"
    "workers=N          extra threads serving the mount (default 16)\n"
    "uid=N,gid=N        owner of objects without metadata (default: the "
    "mounting user)\n"
    "file_mode=OCT,dir_mode=OCT  modes of objects without metadata "
    "(default 0644, 0755)\n"
    "cache_dir=DIR      where staging files live (default: $TMPDIR)\n"
    "ca_file=FILE       CA certificates for the endpoint";

static bool
parse_size(const char *s, uint64_t *out)
{
  char *end;
  double v;
  uint64_t mult = 1;
  if (!g_ascii_isdigit(s[0]))
    return false;
  v = g_ascii_strtod(s, &end);
  switch (g_ascii_toupper(*end)) {
  case 'K': mult = 1024; end++; break;
  case 'M': mult = 1024 * 1024; end++; break;
  case 'G': mult = 1024ULL * 1024 * 1024; end++; break;
  default: break;
  }
  if (*end == 'B' || *end == 'b')
    end++;
  if (*end != '\0' || !(v >= 0) || v * mult > 1e15)
    return false;
  *out = (uint64_t)(v * mult);
  return true;
}

static bool
parse_uint(const char *s, int base, uint64_t max, uint64_t *out)
{
  char *end;
  guint64 v;
  if (!g_ascii_isdigit(s[0]))
    return false;
  v = g_ascii_strtoull(s, &end, base);
  if (*end != '\0' || v > max)
    return false;
  *out = v;
  return true;
}

static bool
parse_seconds(const char *s, double *out)
{
  char *end;
  double v = g_ascii_strtod(s, &end);
  if (s[0] == '\0' || *end != '\0' || !(v >= 0) || v > 1e7)
    return false;
  *out = v;
  return true;
}

static bool
parse_bool(const char *s, bool *out)
{
  if (!strcmp(s, "on") || !strcmp(s, "yes") || !strcmp(s, "true") ||
      !strcmp(s, "1"))
    *out = true;
  else if (!strcmp(s, "off") || !strcmp(s, "no") || !strcmp(s, "false") ||
           !strcmp(s, "0"))
    *out = false;
  else
    return false;
  return true;
}

static bool
set_endpoint(S3Config *c, const char *v, GError **error)
{
  const char *host;
  size_t n;
  if (g_str_has_prefix(v, "https://")) {
    c->https = true;
    host = v + 8;
  } else if (g_str_has_prefix(v, "http://")) {
    c->https = false;
    host = v + 7;
  } else {
    g_set_error(error, VFSD_ERROR, EINVAL,
                "s3: endpoint '%s' must start with https:// (or http:// to "
                "send requests unencrypted)", v);
    return false;
  }
  n = strlen(host);
  while (n > 0 && host[n - 1] == '/')
    n--;
  if (n == 0 || memchr(host, '/', n) || memchr(host, '@', n) ||
      memchr(host, '?', n)) {
    g_set_error(error, VFSD_ERROR, EINVAL,
                "s3: endpoint '%s' must be scheme://host[:port] with no path "
                "and no user name", v);
    return false;
  }
  g_free(c->host);
  c->host = g_strndup(host, n);
  g_free(c->endpoint);
  c->endpoint = g_strdup_printf("%s://%s", c->https ? "https" : "http",
                                c->host);
  return true;
}

static bool
is_secret_option(const char *k)
{
  static const char *const bad[] = {
    "access_key", "secret_key", "secret", "password", "session_token",
    "aws_access_key_id", "aws_secret_access_key", "aws_session_token",
    "access_key_id", "secret_access_key", "token", "key", "passwd", NULL
  };
  for (const char *const *b = bad; *b; b++)
    if (!g_ascii_strcasecmp(k, *b))
      return true;
  return false;
}

static bool
apply(S3Config *c, const char *k, const char *v, GError **error)
{
  uint64_t u;
  bool ok = true;
  if (is_secret_option(k)) {
    g_set_error(error, VFSD_ERROR, EINVAL,
                "s3: credentials are never taken from the argument string "
                "(anyone can read it in ps); set AWS_ACCESS_KEY_ID and "
                "AWS_SECRET_ACCESS_KEY, or use profile=NAME with "
                "~/.aws/credentials");
    return false;
  }
  if (v == NULL) {
    g_set_error(error, VFSD_ERROR, EINVAL, "s3: option '%s' needs a value "
                "(%s=…); see `vfsd help s3`", k, k);
    return false;
  }
#define STR(name) else if (!strcmp(k, #name)) { g_free(c->name); c->name = g_strdup(v); }
  if (!strcmp(k, "endpoint"))
    return set_endpoint(c, v, error);
  STR(bucket) STR(region) STR(profile) STR(ca_file) STR(cache_dir)
  else if (!strcmp(k, "prefix")) {
    char *p = g_strdup(v);
    char *s = p;
    while (*s == '/')
      s++;
    g_free(c->prefix);
    c->prefix = *s ? g_strdup_printf("%s%s", s,
                                     g_str_has_suffix(s, "/") ? "" : "/")
                   : g_strdup("");
    g_free(p);
  } else if (!strcmp(k, "style")) {
    if (!strcmp(v, "path")) c->path_style = true;
    else if (!strcmp(v, "virtual")) c->path_style = false;
    else ok = false;
  } else if (!strcmp(k, "writeback")) {
    bool b;
    if (!strcmp(v, "close"))
      c->writeback = S3_WB_CLOSE;
    else if ((ok = parse_bool(v, &b)))
      c->writeback = b ? S3_WB_ON : S3_WB_OFF;
  } else if (!strcmp(k, "writeback_delay"))
    ok = parse_seconds(v, &c->writeback_delay) && c->writeback_delay <= 3600;
  else if (!strcmp(k, "meta")) {
    if (!strcmp(v, "head")) c->meta_list = false;
    else if (!strcmp(v, "list")) c->meta_list = true;
    else ok = false;
  } else if (!strcmp(k, "cache_timeout"))
    ok = parse_seconds(v, &c->cache_timeout);
  else if (!strcmp(k, "timeout"))
    ok = parse_seconds(v, &c->timeout) && c->timeout >= 0.1;
  else if (!strcmp(k, "part_size"))
    ok = parse_size(v, &c->part_size) && c->part_size >= 5 * 1024 * 1024 &&
         c->part_size <= 1024ULL * 1024 * 1024;
  else if (!strcmp(k, "block_size"))
    ok = parse_size(v, &c->block_size) && c->block_size >= 64 * 1024 &&
         c->block_size <= 256 * 1024 * 1024;
  else if (!strcmp(k, "cache_size"))
    ok = parse_size(v, &c->cache_size);
  else if (!strcmp(k, "readahead"))
    ok = parse_size(v, &c->readahead);
  else if (!strcmp(k, "connections")) {
    ok = parse_uint(v, 10, 256, &u) && u >= 1;
    c->connections = (int)u;
  } else if (!strcmp(k, "workers")) {
    ok = parse_uint(v, 10, 256, &u);
    c->workers = (int)u;
  } else if (!strcmp(k, "uid")) {
    ok = parse_uint(v, 10, UINT32_MAX - 1, &u);
    c->uid = (uint32_t)u;
  } else if (!strcmp(k, "gid")) {
    ok = parse_uint(v, 10, UINT32_MAX - 1, &u);
    c->gid = (uint32_t)u;
  } else if (!strcmp(k, "file_mode")) {
    ok = parse_uint(v, 8, 07777, &u);
    c->file_mode = (uint32_t)u;
  } else if (!strcmp(k, "dir_mode")) {
    ok = parse_uint(v, 8, 07777, &u);
    c->dir_mode = (uint32_t)u;
  } else {
    g_set_error(error, VFSD_ERROR, EINVAL,
                "s3: unknown option '%s'; see `vfsd help s3`", k);
    return false;
  }
#undef STR
  if (!ok)
    g_set_error(error, VFSD_ERROR, EINVAL, "s3: bad value '%s' for option "
                "'%s'; see `vfsd help s3`", v, k);
  return ok;
}

bool
s3_config_parse(S3Config *c, const char *args, GError **error)
{
  GString *cur = g_string_new(NULL);
  const char *env;
  bool ok = true, endpoint_given = false, style_given = false;

  memset(c, 0, sizeof *c);
  c->prefix = g_strdup("");
  c->cache_timeout = 10;
  c->timeout = 30;
  c->writeback_delay = 5;
  c->part_size = 8 * 1024 * 1024;
  c->block_size = 4 * 1024 * 1024;
  c->cache_size = 256 * 1024 * 1024;
  c->readahead = 32 * 1024 * 1024;
  c->connections = 16;
  c->workers = 16;
  c->uid = getuid();
  c->gid = getgid();
  c->file_mode = 0644;
  c->dir_mode = 0755;

  for (const char *s = args ? args : "";; s++) {
    if (*s == '\\' && s[1]) {
      g_string_append_c(cur, *++s);
      continue;
    }
    if (*s == ',' || *s == '\0') {
      if (cur->len) {
        char *eq = strchr(cur->str, '=');
        if (eq)
          *eq = '\0';
        if (!strcmp(cur->str, "endpoint")) endpoint_given = true;
        if (!strcmp(cur->str, "style")) style_given = true;
        if (!apply(c, cur->str, eq ? eq + 1 : NULL, error)) {
          ok = false;
          break;
        }
        g_string_truncate(cur, 0);
      }
      if (*s == '\0')
        break;
      continue;
    }
    g_string_append_c(cur, *s);
  }
  g_string_free(cur, TRUE);
  if (!ok)
    return false;

  if (c->bucket == NULL || c->bucket[0] == '\0') {
    g_set_error(error, VFSD_ERROR, EINVAL,
                "s3: which bucket? give bucket=NAME (for example "
                "s3:bucket=photos,endpoint=https://s3.example.com)");
    return false;
  }
  for (const char *b = c->bucket; *b; b++)
    if (!g_ascii_isalnum(*b) && *b != '-' && *b != '.' && *b != '_') {
      g_set_error(error, VFSD_ERROR, EINVAL,
                  "s3: '%s' is not a valid bucket name", c->bucket);
      return false;
    }
  if (c->region == NULL) {
    env = g_getenv("AWS_REGION");
    if (env == NULL || !*env)
      env = g_getenv("AWS_DEFAULT_REGION");
    c->region = g_strdup(env && *env ? env : "us-east-1");
  }
  if (!endpoint_given) {
    char *url = g_strdup_printf("https://s3.%s.amazonaws.com", c->region);
    set_endpoint(c, url, NULL);
    g_free(url);
  }
  if (!style_given)
    c->path_style = endpoint_given;
  if (c->cache_dir == NULL)
    c->cache_dir = g_strdup(g_get_tmp_dir());
  return true;
}

void
s3_config_clear(S3Config *c)
{
  g_free(c->bucket);
  g_free(c->endpoint);
  g_free(c->host);
  g_free(c->region);
  g_free(c->prefix);
  g_free(c->profile);
  g_free(c->ca_file);
  g_free(c->cache_dir);
  memset(c, 0, sizeof *c);
}
