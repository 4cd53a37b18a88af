/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Argument strings of the built-in layers ("key=value,key,…") and the
 * values in them. */
#include "layers.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

GHashTable *
vfsd_layer_args_parse(const char *layer, const char *args,
                      const char *const *known, GError **error)
{
  GHashTable *t = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                        g_free);
  char **items = g_strsplit(args ? args : "", ",", -1);
  for (char **it = items; *it; it++) {
    char *eq = strchr(*it, '=');
    char *key = eq ? g_strndup(*it, (gsize)(eq - *it)) : g_strdup(*it);
    gboolean ok = FALSE;
    if (**it == '\0') {
      g_free(key);
      continue; /* "a=1,,b=2" and a trailing comma are harmless */
    }
    for (const char *const *k = known; *k; k++)
      if (!strcmp(*k, key))
        ok = TRUE;
    if (!ok || g_hash_table_contains(t, key)) {
      char *list = g_strjoinv(", ", (char **)known);
      vfsd_set_error(error, EINVAL, ok ? "layer '%s': '%s' is given twice"
                     : "layer '%s' has no option '%s' (it knows: %s)",
                     layer, key, list);
      g_free(list);
      g_free(key);
      g_strfreev(items);
      g_hash_table_unref(t);
      return NULL;
    }
    g_hash_table_insert(t, key, g_strdup(eq ? eq + 1 : ""));
  }
  g_strfreev(items);
  return t;
}

gboolean
vfsd_layer_arg_uint(const char *layer, const char *key, const char *value,
                    guint64 max, guint64 *out, GError **error)
{
  guint64 v;
  if (!g_ascii_string_to_unsigned(value, 10, 0, max, &v, NULL)) {
    vfsd_set_error(error, EINVAL, "layer '%s': %s=%s is not a whole number "
                   "from 0 to %" G_GUINT64_FORMAT, layer, key, value, max);
    return FALSE;
  }
  *out = v;
  return TRUE;
}

gboolean
vfsd_layer_arg_double(const char *layer, const char *key, const char *value,
                      double min, double max, double *out, GError **error)
{
  char *end = NULL;
  double v = g_ascii_strtod(value, &end);
  if (*value == '\0' || *end != '\0' || !(v >= min && v <= max)) {
    vfsd_set_error(error, EINVAL, "layer '%s': %s=%s is not a number from "
                   "%g to %g", layer, key, value, min, max);
    return FALSE;
  }
  *out = v;
  return TRUE;
}

gboolean
vfsd_layer_arg_duration(const char *layer, const char *key,
                        const char *value, gint64 *out_ns, GError **error)
{
  static const struct { const char *unit; double ns; } units[] = {
    { "ns", 1 }, { "us", 1e3 }, { "ms", 1e6 }, { "s", 1e9 }, { "", 1e6 },
  };
  char *end = NULL;
  double v = g_ascii_strtod(value, &end);
  if (*value != '\0' && end != value && v >= 0)
    for (size_t i = 0; i < G_N_ELEMENTS(units); i++)
      if (!strcmp(end, units[i].unit) && v * units[i].ns <= 3600e9) {
        *out_ns = (gint64)llround(v * units[i].ns);
        return TRUE;
      }
  vfsd_set_error(error, EINVAL, "layer '%s': %s=%s is not a duration (e.g. "
                 "500us, 10ms, 1.5s; at most an hour)", layer, key, value);
  return FALSE;
}

const char *
vfsd_errno_name(int errnum)
{
  return errnum > 0 && errnum < 4096 ? strerrorname_np(errnum) : NULL;
}

gboolean
vfsd_layer_arg_errno(const char *layer, const char *key, const char *value,
                     int *out, GError **error)
{
  guint64 n;
  if (g_ascii_string_to_unsigned(value, 10, 1, 4095, &n, NULL)) {
    *out = (int)n;
    return TRUE;
  }
  for (int e = 1; e < 4096; e++) {
    const char *nm = strerrorname_np(e);
    if (nm && !g_ascii_strcasecmp(nm, value)) {
      *out = e;
      return TRUE;
    }
  }
  vfsd_set_error(error, EINVAL, "layer '%s': %s=%s is not an errno name "
                 "(EIO, ENOSPC, …) or number", layer, key, value);
  return FALSE;
}

gboolean
vfsd_layer_arg_bool(const char *layer, const char *key, const char *value,
                    gboolean *out, GError **error)
{
  static const char *const yes[] = { "", "1", "yes", "true", "on" };
  static const char *const no[] = { "0", "no", "false", "off" };
  for (size_t i = 0; i < G_N_ELEMENTS(yes); i++)
    if (!g_ascii_strcasecmp(value, yes[i]))
      return *out = TRUE;
  for (size_t i = 0; i < G_N_ELEMENTS(no); i++)
    if (!g_ascii_strcasecmp(value, no[i])) {
      *out = FALSE;
      return TRUE;
    }
  vfsd_set_error(error, EINVAL, "layer '%s': %s=%s is not yes or no", layer,
                 key, value);
  return FALSE;
}

#define B(op) VFSD_OP_BIT(VFSD_OP_##op)

static guint64
op_class(const char *name)
{
  guint64 bits = 0;
  if (!strcmp(name, "all"))
    return VFSD_OP_BIT(VFSD_OP_COUNT) - 1;
  if (!strcmp(name, "modifying")) {
    for (int op = 0; op < VFSD_OP_COUNT; op++)
      if (vfsd_op_is_modifying((VfsdOpId)op))
        bits |= VFSD_OP_BIT(op);
    return bits;
  }
  if (!strcmp(name, "data"))
    return B(READ) | B(READ_IOV) | B(WRITE) | B(COPY_FILE_RANGE) |
           B(FALLOCATE) | B(LSEEK) | B(FLUSH) | B(FSYNC);
  if (!strcmp(name, "meta"))
    return B(GETATTR) | B(SETATTR) | B(STATFS) | B(ACCESS) | B(READLINK) |
           B(SETXATTR) | B(GETXATTR) | B(LISTXATTR) | B(REMOVEXATTR);
  if (!strcmp(name, "names"))
    return B(LOOKUP) | B(FORGET) | B(MKNOD) | B(MKDIR) | B(UNLINK) |
           B(RMDIR) | B(SYMLINK) | B(RENAME) | B(LINK) | B(CREATE);
  if (!strcmp(name, "dir"))
    return B(OPENDIR) | B(READDIR) | B(RELEASEDIR) | B(FSYNCDIR);
  if (!strcmp(name, "open"))
    return B(OPEN) | B(CREATE) | B(RELEASE) | B(OPENDIR) | B(RELEASEDIR) |
           B(FLUSH);
  if (!strcmp(name, "xattr"))
    return B(SETXATTR) | B(GETXATTR) | B(LISTXATTR) | B(REMOVEXATTR);
  if (!strcmp(name, "lock"))
    return B(GETLK) | B(SETLK) | B(FLOCK);
  for (int op = 0; op < VFSD_OP_COUNT; op++)
    if (!strcmp(name, vfsd_op_name((VfsdOpId)op)))
      bits = VFSD_OP_BIT(op);
  if (bits & (B(READ) | B(READ_IOV)))
    bits |= B(READ) | B(READ_IOV);
  return bits;
}

gboolean
vfsd_layer_arg_ops(const char *layer, const char *key, const char *value,
                   guint64 *out, GError **error)
{
  char **names = g_strsplit(value, "+", -1);
  guint64 bits = 0;
  for (char **n = names; *n; n++) {
    guint64 b = op_class(*n);
    if (b == 0) {
      vfsd_set_error(error, EINVAL, "layer '%s': %s: '%s' is not an "
                     "operation; give " VFSD_LAYER_OPS_HELP, layer, key, *n);
      g_strfreev(names);
      return FALSE;
    }
    bits |= b;
  }
  g_strfreev(names);
  if (bits == 0) {
    vfsd_set_error(error, EINVAL, "layer '%s': %s is empty; give "
                   VFSD_LAYER_OPS_HELP, layer, key);
    return FALSE;
  }
  *out = bits;
  return TRUE;
}

gint64
vfsd_now_ns(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (gint64)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* A JSON string body: quotes, backslashes and control characters escaped;
 * a byte that is not UTF-8 shows as the code point of its value. */
void
vfsd_json_escape(GString *out, const char *s)
{
  const char *end = s + strlen(s), *bad;
  while (s < end) {
    g_utf8_validate(s, end - s, &bad);
    for (; s < bad; s++) {
      unsigned char ch = (unsigned char)*s;
      if (ch == '"' || ch == '\\')
        g_string_append_c(out, '\\');
      if (ch < 0x20)
        g_string_append_printf(out, "\\u%04x", ch);
      else
        g_string_append_c(out, (char)ch);
    }
    if (s < end)
      g_string_append_printf(out, "\\u%04x", (unsigned char)*s++);
  }
}
