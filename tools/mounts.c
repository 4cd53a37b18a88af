/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The mount table, as /proc/self/mountinfo shows it. */
#include "config.h"
#include "vfsd-cli.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

char *
cli_abs_path(const char *path)
{
  char *copy, *dir, *base, *rdir, *out;
  struct stat st;
  size_t len;

  if (path == NULL || path[0] == '\0') {
    errno = ENOENT;
    return NULL;
  }
  copy = g_strdup(path);
  len = strlen(copy);
  while (len > 1 && copy[len - 1] == '/')
    copy[--len] = '\0';
  base = g_path_get_basename(copy);
  /* A symlink is followed, as mount(8) would; a stale mount point (whose
   * lstat fails with ENOTCONN) is named without looking at it. */
  if (!strcmp(base, ".") || !strcmp(base, "..") || !strcmp(base, "/") ||
      (lstat(copy, &st) == 0 && S_ISLNK(st.st_mode))) {
    char *r = realpath(copy, NULL);
    g_free(base);
    g_free(copy);
    out = r ? g_strdup(r) : NULL;
    free(r);
    return out;
  }
  dir = g_path_get_dirname(copy);
  rdir = realpath(dir, NULL);
  out = rdir ? g_build_filename(rdir, base, NULL) : NULL;
  free(rdir);
  g_free(dir);
  g_free(base);
  g_free(copy);
  return out;
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static char *
unescape(const char *s)
{
  GString *o = g_string_new(NULL);
  for (const char *c = s; *c; c++) {
    if (c[0] == '\\' && c[1] >= '0' && c[1] <= '7' && c[2] >= '0' &&
        c[2] <= '7' && c[3] >= '0' && c[3] <= '7') {
      g_string_append_c(o, (char)((c[1] - '0') * 64 + (c[2] - '0') * 8 +
                                  (c[3] - '0')));
      c += 3;
    } else
      g_string_append_c(o, *c);
  }
  return g_string_free(o, FALSE);
}

bool
cli_find_mount(const char *abs, CliMountEntry *out)
{
  char *text = NULL, **lines;
  bool found = false;
  memset(out, 0, sizeof *out);
  if (!g_file_get_contents("/proc/self/mountinfo", &text, NULL, NULL))
    return false;
  lines = g_strsplit(text, "\n", -1);
  /* Later lines are mounted on top of earlier ones: keep the last. */
  for (char **l = lines; *l && **l; l++) {
    /* id parent maj:min root mountpoint opts [optional...] - type source
     * super_opts */
    char **f = g_strsplit(*l, " ", 0);
    guint nf = g_strv_length(f), sep = 0;
    char *mp;
    for (guint i = 6; i < nf; i++)
      if (!strcmp(f[i], "-")) {
        sep = i;
        break;
      }
    if (nf < 5 || sep == 0 || sep + 3 > nf) {
      g_strfreev(f);
      continue;
    }
    mp = unescape(f[4]);
    if (!strcmp(mp, abs)) {
      cli_mount_entry_clear(out);
      out->mountpoint = mp;
      out->fstype = unescape(f[sep + 1]);
      out->source = unescape(f[sep + 2]);
      out->super_opts = sep + 3 < nf ? unescape(f[sep + 3]) : g_strdup("");
      found = true;
    } else
      g_free(mp);
    g_strfreev(f);
  }
  g_strfreev(lines);
  g_free(text);
  return found;
}

void
cli_mount_entry_clear(CliMountEntry *e)
{
  g_free(e->mountpoint);
  g_free(e->fstype);
  g_free(e->source);
  g_free(e->super_opts);
  memset(e, 0, sizeof *e);
}

bool
cli_is_fuse_type(const char *fstype)
{
  return fstype && (!strcmp(fstype, "fuse") || !strcmp(fstype, "fuseblk") ||
                    g_str_has_prefix(fstype, "fuse."));
}
