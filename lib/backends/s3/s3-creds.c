/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Credentials: from ~/.aws/credentials with profile=, else the environment
 * (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), else
 * AWS_PROFILE or [default] of the file.  Never from the argument string,
 * never logged; wiped from memory when the instance goes. */
#include "s3.h"

#include <errno.h>
#include <string.h>

/* ---- credentials ------------------------------------------------------*/

static char *
strip(char *s)
{
  return g_strstrip(s);
}

/* Reads [profile] of an AWS credentials file (INI: "key = value"). */
static bool
read_profile(const char *file, const char *profile, S3Creds *cr,
             GError **error)
{
  char *text = NULL;
  char **lines;
  bool in = false, found = false;
  GError *e = NULL;
  if (!g_file_get_contents(file, &text, NULL, &e)) {
    g_set_error(error, VFSD_ERROR, e->code == G_FILE_ERROR_NOENT ? ENOENT : EACCES,
                "s3: no credentials: AWS_ACCESS_KEY_ID and "
                "AWS_SECRET_ACCESS_KEY are not set and %s cannot be read "
                "(%s)", file, e->message);
    g_error_free(e);
    return false;
  }
  lines = g_strsplit(text, "\n", -1);
  for (char **l = lines; *l; l++) {
    char *line = strip(*l);
    char *eq;
    if (line[0] == '#' || line[0] == ';' || line[0] == '\0')
      continue;
    if (line[0] == '[') {
      char *end = strchr(line, ']');
      char *name = end ? g_strndup(line + 1, (gsize)(end - line - 1)) : NULL;
      in = name && !strcmp(strip(name), profile);
      found |= in;
      g_free(name);
      continue;
    }
    if (!in || (eq = strchr(line, '=')) == NULL)
      continue;
    *eq = '\0';
    {
      char *k = strip(line), *v = strip(eq + 1);
      if (!strcmp(k, "aws_access_key_id")) {
        g_free(cr->access_key);
        cr->access_key = g_strdup(v);
      } else if (!strcmp(k, "aws_secret_access_key")) {
        g_free(cr->secret_key);
        cr->secret_key = g_strdup(v);
      } else if (!strcmp(k, "aws_session_token")) {
        g_free(cr->session_token);
        cr->session_token = g_strdup(v);
      }
    }
  }
  memset(text, 0, strlen(text));
  g_free(text);
  g_strfreev(lines);
  if (!found || cr->access_key == NULL || cr->secret_key == NULL) {
    g_set_error(error, VFSD_ERROR, ENOENT,
                "s3: %s has no profile [%s] with aws_access_key_id and "
                "aws_secret_access_key", file, profile);
    return false;
  }
  return true;
}

bool
s3_creds_load(S3Creds *cr, const S3Config *c, GError **error)
{
  const char *ak = g_getenv("AWS_ACCESS_KEY_ID");
  const char *sk = g_getenv("AWS_SECRET_ACCESS_KEY");
  const char *tok = g_getenv("AWS_SESSION_TOKEN");
  memset(cr, 0, sizeof *cr);
  if (c->profile == NULL && ak && *ak && sk && *sk) {
    cr->access_key = g_strdup(ak);
    cr->secret_key = g_strdup(sk);
    cr->session_token = tok && *tok ? g_strdup(tok) : NULL;
  } else {
    const char *file = g_getenv("AWS_SHARED_CREDENTIALS_FILE");
    const char *profile = c->profile ? c->profile : g_getenv("AWS_PROFILE");
    char *path = file && *file
                     ? g_strdup(file)
                     : g_build_filename(g_get_home_dir(), ".aws",
                                        "credentials", NULL);
    bool ok = read_profile(path, profile && *profile ? profile : "default",
                           cr, error);
    g_free(path);
    if (!ok) {
      s3_creds_clear(cr);
      return false;
    }
  }
  if (strchr(cr->access_key, ':')) {
    g_set_error(error, VFSD_ERROR, EINVAL,
                "s3: the access key id contains ':', which no S3 store "
                "issues; check AWS_ACCESS_KEY_ID");
    s3_creds_clear(cr);
    return false;
  }
  cr->userpwd = g_strdup_printf("%s:%s", cr->access_key, cr->secret_key);
  return true;
}

static void
wipe(char **s)
{
  if (*s) {
    memset(*s, 0, strlen(*s));
    g_free(*s);
    *s = NULL;
  }
}

void
s3_creds_clear(S3Creds *cr)
{
  wipe(&cr->access_key);
  wipe(&cr->secret_key);
  wipe(&cr->session_token);
  wipe(&cr->userpwd);
}
