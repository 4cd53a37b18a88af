/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The one mount-option parser, shared by C, Python and the vfsd command.
 * "ro,allow_other,threads=4,max_write=1M": comma-separated, a comma inside a
 * value escaped as "\,".  Unknown or malformed options are errors that name
 * the option. */
#include "private.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef enum { T_FLAG, T_INT, T_SIZE, T_SECONDS, T_STRING, T_CHOICE } OptType;

typedef struct {
  const char *name;
  OptType type;
  const char *help;
} OptDesc;

/* Kept in the order of the help text. */
static const OptDesc opt_table[] = {
  { "ro", T_FLAG, "mount read-only" },
  { "rw", T_FLAG, "mount read-write (the default)" },
  { "allow_other", T_FLAG,
    "let other users access the mount (needs user_allow_other in "
    "/etc/fuse.conf unless root)" },
  { "allow_root", T_FLAG, "let root access the mount too" },
  { "default_permissions", T_FLAG,
    "let the kernel check permission bits (the default unless the backend "
    "checks them itself)" },
  { "nodefault_permissions", T_FLAG,
    "do not let the kernel check permission bits" },
  { "auto_unmount", T_FLAG,
    "unmount when the serving process dies (on by default in vfsd_main and "
    "the vfsd command)" },
  { "noauto_unmount", T_FLAG, "do not unmount when the serving process dies" },
  { "fsname", T_STRING, "=NAME  name shown as the source in /proc/mounts" },
  { "subtype", T_STRING, "=TYPE  shown as fuse.TYPE in /proc/mounts" },
  { "suid", T_FLAG, "honour setuid bits (root only)" },
  { "nosuid", T_FLAG, "ignore setuid bits" },
  { "dev", T_FLAG, "honour device nodes (root only)" },
  { "nodev", T_FLAG, "ignore device nodes" },
  { "exec", T_FLAG, "allow executing programs" },
  { "noexec", T_FLAG, "forbid executing programs" },
  { "atime", T_FLAG, "update access times" },
  { "noatime", T_FLAG, "do not update access times" },
  { "sync", T_FLAG, "synchronous writes" },
  { "async", T_FLAG, "asynchronous writes (the default)" },
  { "dirsync", T_FLAG, "synchronous directory changes" },
  { "threads", T_INT,
    "=N  library threads that serve requests (0: only threads that call "
    "vfsd_mount_run_worker; default 2)" },
  { "spin", T_INT,
    "=USEC  after a request, a worker keeps looking for the next one this "
    "long before it sleeps (default: 20 where the backend's calls never "
    "wait, as ram's; else 0)" },
  { "max_write", T_SIZE, "=SIZE  largest write request (default 1M)" },
  { "max_readahead", T_SIZE, "=SIZE  largest readahead request" },
  { "readahead", T_SIZE,
    "=SIZE  readahead window of the mount (its bdi read_ahead_kb)" },
  { "entry_timeout", T_SECONDS,
    "=SECONDS  how long the kernel caches names (default: the backend's, "
    "else 1)" },
  { "attr_timeout", T_SECONDS,
    "=SECONDS  how long the kernel caches attributes (default: the "
    "backend's, else 1)" },
  { "negative_timeout", T_SECONDS,
    "=SECONDS  how long the kernel caches \"no such name\" (default: the "
    "backend's, else 0)" },
  { "writeback_cache", T_FLAG, "let the kernel cache writes" },
  { "no_writeback_cache", T_FLAG, "never let the kernel cache writes" },
  { "keep_cache", T_FLAG, "keep cached file pages across opens" },
  { "no_keep_cache", T_FLAG, "drop cached file pages at every open" },
  { "readdirplus", T_CHOICE,
    "=yes|no|auto  return attributes with directory listings" },
  { "splice", T_FLAG, "move request data through pipes" },
  { "no_splice", T_FLAG, "never move request data through pipes" },
  { "debug", T_FLAG, "print every request libfuse sees (VFSD_DEBUG=fuse)" },
};

static char *help_text;

const char *
vfsd_mount_options_help(void)
{
  static gsize once;
  if (g_once_init_enter(&once)) {
    GString *s = g_string_new(NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(opt_table); i++) {
      const OptDesc *d = &opt_table[i];
      if (d->help[0] == '=') {
        const char *sp = strchr(d->help, ' ');
        g_string_append_printf(s, "  %s%.*s\n      %s\n", d->name,
                               (int)(sp - d->help), d->help, sp + 2);
      } else
        g_string_append_printf(s, "  %s\n      %s\n", d->name, d->help);
    }
    help_text = g_string_free(s, FALSE);
    g_once_init_leave(&once, 1);
  }
  return help_text;
}

void
vfsd_options_init(VfsdOptions *o)
{
  memset(o, 0, sizeof *o);
  o->kernel = g_string_new(NULL);
  o->default_permissions = -1;
  o->auto_unmount = -1;
  o->threads = -1;
  o->spin_us = -1;
  o->max_write = -1;
  o->max_readahead = -1;
  o->readahead_kb = -1;
  o->entry_timeout = NAN;
  o->attr_timeout = NAN;
  o->negative_timeout = NAN;
  o->writeback_cache = -1;
  o->keep_cache = -1;
  o->readdirplus = -1;
  o->splice = -1;
}

void
vfsd_options_clear(VfsdOptions *o)
{
  if (o->kernel)
    g_string_free(o->kernel, TRUE);
  g_free(o->fsname);
  g_free(o->subtype);
  memset(o, 0, sizeof *o);
}

/* "4096", "64K", "1M", "2G" (powers of 1024); also "1MiB". */
static gboolean
parse_size(const char *s, gint64 *out)
{
  char *end;
  double v;
  gint64 mult = 1;
  if (!g_ascii_isdigit(s[0]))
    return FALSE;
  v = g_ascii_strtod(s, &end);
  switch (g_ascii_toupper(*end)) {
  case 'K': mult = 1024; end++; break;
  case 'M': mult = 1024 * 1024; end++; break;
  case 'G': mult = 1024LL * 1024 * 1024; end++; break;
  case 'T': mult = 1024LL * 1024 * 1024 * 1024; end++; break;
  default: break;
  }
  if (mult > 1 && (strcmp(end, "iB") == 0 || strcmp(end, "ib") == 0 ||
                   strcmp(end, "B") == 0 || strcmp(end, "b") == 0))
    end += strlen(end);
  if (*end != '\0' || !(v >= 0) || v * mult > (double)G_MAXINT64)
    return FALSE;
  *out = (gint64)(v * mult);
  return TRUE;
}

static gboolean
parse_seconds(const char *s, double *out)
{
  char *end;
  double v;
  if (s[0] == '\0')
    return FALSE;
  v = g_ascii_strtod(s, &end);
  if (*end != '\0' || !(v >= 0) || isinf(v))
    return FALSE;
  *out = v;
  return TRUE;
}

static void
add_kernel(VfsdOptions *o, const char *opt)
{
  if (o->kernel->len)
    g_string_append_c(o->kernel, ',');
  g_string_append(o->kernel, opt);
}

static gboolean
apply(VfsdOptions *o, const char *key, const char *val, GError **error)
{
  const OptDesc *d = NULL;
  for (size_t i = 0; i < G_N_ELEMENTS(opt_table); i++)
    if (strcmp(opt_table[i].name, key) == 0)
      d = &opt_table[i];
  if (d == NULL) {
    vfsd_set_error(error, EINVAL,
                   "unknown mount option '%s' (see `vfsd --help-options`)",
                   key);
    return FALSE;
  }
  if (d->type == T_FLAG && val) {
    vfsd_set_error(error, EINVAL, "mount option '%s' takes no value", key);
    return FALSE;
  }
  if (d->type != T_FLAG && val == NULL) {
    vfsd_set_error(error, EINVAL, "mount option '%s' needs a value (%s%s)",
                   key, key, d->help[0] == '=' ? "=…" : "");
    return FALSE;
  }

  switch (d->type) {
  case T_FLAG:
    if (!strcmp(key, "ro")) { o->ro = TRUE; add_kernel(o, "ro"); }
    else if (!strcmp(key, "rw")) { o->ro = FALSE; add_kernel(o, "rw"); }
    else if (!strcmp(key, "allow_other")) o->allow_other = TRUE;
    else if (!strcmp(key, "allow_root")) o->allow_root = TRUE;
    else if (!strcmp(key, "default_permissions")) o->default_permissions = 1;
    else if (!strcmp(key, "nodefault_permissions")) o->default_permissions = 0;
    else if (!strcmp(key, "auto_unmount")) o->auto_unmount = 1;
    else if (!strcmp(key, "noauto_unmount")) o->auto_unmount = 0;
    else if (!strcmp(key, "writeback_cache")) o->writeback_cache = 1;
    else if (!strcmp(key, "no_writeback_cache")) o->writeback_cache = 0;
    else if (!strcmp(key, "keep_cache")) o->keep_cache = 1;
    else if (!strcmp(key, "no_keep_cache")) o->keep_cache = 0;
    else if (!strcmp(key, "splice")) o->splice = 1;
    else if (!strcmp(key, "no_splice")) o->splice = 0;
    else if (!strcmp(key, "debug")) o->debug = TRUE;
    else add_kernel(o, key); /* suid, nodev, noatime, … */
    return TRUE;
  case T_INT: {
    char *end;
    gint64 max = !strcmp(key, "spin") ? 100000 : 256;
    gint64 v = g_ascii_strtoll(val, &end, 10);
    if (*val == '\0' || *end != '\0' || v < 0 || v > max) {
      vfsd_set_error(error, EINVAL,
                     "mount option '%s=%s': expected a number from 0 to %"
                     G_GINT64_FORMAT, key, val, max);
      return FALSE;
    }
    if (!strcmp(key, "spin"))
      o->spin_us = (int)v;
    else
      o->threads = (int)v;
    return TRUE;
  }
  case T_SIZE: {
    gint64 v;
    if (!parse_size(val, &v)) {
      vfsd_set_error(error, EINVAL,
                     "mount option '%s=%s': expected a size such as 4096, "
                     "128K or 1M", key, val);
      return FALSE;
    }
    if (!strcmp(key, "max_write")) {
      if (v < 4096 || v > 16 * 1024 * 1024) {
        vfsd_set_error(error, EINVAL,
                       "mount option 'max_write=%s': must be between 4K and "
                       "16M", val);
        return FALSE;
      }
      o->max_write = v;
    } else if (!strcmp(key, "max_readahead")) {
      if (v > G_MAXUINT32) {
        vfsd_set_error(error, EINVAL, "mount option 'max_readahead=%s' is "
                       "too large", val);
        return FALSE;
      }
      o->max_readahead = v;
    } else {
      if (v > 1024LL * 1024 * 1024) {
        vfsd_set_error(error, EINVAL, "mount option 'readahead=%s' is too "
                       "large (at most 1G)", val);
        return FALSE;
      }
      o->readahead_kb = v / 1024;
    }
    return TRUE;
  }
  case T_SECONDS: {
    double v;
    if (!parse_seconds(val, &v)) {
      vfsd_set_error(error, EINVAL,
                     "mount option '%s=%s': expected seconds (a number >= 0)",
                     key, val);
      return FALSE;
    }
    if (!strcmp(key, "entry_timeout")) o->entry_timeout = v;
    else if (!strcmp(key, "attr_timeout")) o->attr_timeout = v;
    else o->negative_timeout = v;
    return TRUE;
  }
  case T_STRING:
    if (val[0] == '\0' || strpbrk(val, ",\\\n") != NULL) {
      vfsd_set_error(error, EINVAL,
                     "mount option '%s' needs a value without commas, "
                     "backslashes or newlines", key);
      return FALSE;
    }
    if (!strcmp(key, "fsname")) { g_free(o->fsname); o->fsname = g_strdup(val); }
    else { g_free(o->subtype); o->subtype = g_strdup(val); }
    return TRUE;
  case T_CHOICE:
    if (!strcmp(val, "no")) o->readdirplus = 0;
    else if (!strcmp(val, "yes")) o->readdirplus = 1;
    else if (!strcmp(val, "auto")) o->readdirplus = 2;
    else {
      vfsd_set_error(error, EINVAL,
                     "mount option 'readdirplus=%s': expected yes, no or auto",
                     val);
      return FALSE;
    }
    return TRUE;
  }
  return FALSE;
}

gboolean
vfsd_options_parse(VfsdOptions *o, const char *str, GError **error)
{
  GString *cur;
  const char *s;
  gboolean ok = TRUE;
  if (str == NULL || str[0] == '\0')
    return TRUE;
  cur = g_string_new(NULL);
  for (s = str;; s++) {
    if (*s == '\\' && s[1] != '\0') {
      g_string_append_c(cur, *++s);
      continue;
    }
    if (*s == ',' || *s == '\0') {
      if (cur->len == 0) {
        if (*s == '\0' && s != str && s[-1] != ',')
          break;
        vfsd_set_error(error, EINVAL,
                       "empty mount option in '%s' (two commas in a row, or "
                       "a comma at an end)", str);
        ok = FALSE;
        break;
      } else {
        char *eq = strchr(cur->str, '=');
        if (eq)
          *eq = '\0';
        if (cur->str[0] == '\0') {
          vfsd_set_error(error, EINVAL, "mount option without a name in '%s'",
                         str);
          ok = FALSE;
          break;
        }
        if (!apply(o, cur->str, eq ? eq + 1 : NULL, error)) {
          ok = FALSE;
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
  return ok;
}
