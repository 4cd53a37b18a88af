/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* passthrough: serves a directory tree (`passthrough:/srv/data`).  This
 * file makes the backend from its argument string; pt-names.c holds the
 * operations on names and attributes, pt-files.c those on files,
 * directories and xattrs, pt-inodes.c the inode table, pt-safe.c the
 * resolving beneath a directory.  pt.h states the safety rule;
 * doc/backends/passthrough.md describes it all. */
#include "pt.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static const VfsdOps pt_ops = {
  VFSD_OPS_INIT("passthrough", VFSD_THREAD_PARALLEL),
  .init = pt_init, .lookup = pt_lookup, .forget = pt_forget_op,
  .getattr = pt_getattr, .setattr = pt_setattr, .readlink = pt_readlink,
  .mknod = pt_mknod, .mkdir = pt_mkdir, .unlink = pt_unlink,
  .rmdir = pt_rmdir, .symlink = pt_symlink, .rename = pt_rename,
  .link = pt_link, .open = pt_open, .create = pt_create, .read = pt_read,
  .write = pt_write, .flush = pt_flush, .release = pt_release,
  .fsync = pt_fsync, .opendir = pt_opendir, .readdir = pt_readdir,
  .releasedir = pt_releasedir, .fsyncdir = pt_fsyncdir, .statfs = pt_statfs,
  .setxattr = pt_setxattr, .getxattr = pt_getxattr,
  .listxattr = pt_listxattr, .removexattr = pt_removexattr,
  .fallocate = pt_fallocate, .lseek = pt_lseek,
  .copy_file_range = pt_copy_file_range,
};

static void
pt_free(void *data)
{
  Pt *pt = data;
  pt_table_clear(pt);
  close(pt->root_fd);
  if (pt->mount_fd >= 0)
    close(pt->mount_fd);
  g_free(pt->source);
  g_free(pt);
}

/* The process umask, without changing it (/proc/self/status, else the
 * umask(2) round trip). */
static mode_t
process_umask(void)
{
  char *status = NULL, *line;
  mode_t m;
  if (g_file_get_contents("/proc/self/status", &status, NULL, NULL) &&
      (line = strstr(status, "\nUmask:")) != NULL) {
    m = (mode_t)strtoul(line + 7, NULL, 8);
    g_free(status);
    return m;
  }
  g_free(status);
  m = umask(022);
  umask(m);
  return m;
}

/* "PATH", or "source=PATH[,fds=N][,handles=no]". */
static gboolean
parse_args(const char *args, char **source, guint64 *fds, gboolean *handles,
           GError **error)
{
  char **kv;
  gboolean ok = TRUE;
  if (!g_str_has_prefix(args, "source=")) {
    *source = g_strdup(args);
    return TRUE;
  }
  kv = g_strsplit(args, ",", -1);
  for (char **it = kv; ok && *it; it++) {
    const char *eq = strchr(*it, '='), *v = eq ? eq + 1 : "";
    if (g_str_has_prefix(*it, "source=")) {
      g_free(*source);
      *source = g_strdup(v);
    } else if (g_str_has_prefix(*it, "fds="))
      ok = g_ascii_string_to_unsigned(v, 10, 16, 1u << 20, fds, NULL);
    else if (!strcmp(*it, "handles=no") || !strcmp(*it, "handles=yes"))
      *handles = !strcmp(v, "yes");
    else
      ok = FALSE;
    if (!ok)
      vfsd_set_error(error, EINVAL, "passthrough: bad option '%s' (give "
                     "PATH, or source=PATH[,fds=N (16 or more)]"
                     "[,handles=no])", *it);
  }
  g_strfreev(kv);
  return ok;
}

static VfsdBackend *
pt_create_backend(const char *args, GError **error)
{
  Pt *pt;
  char *source = NULL;
  guint64 fds = 0;
  gboolean handles = TRUE;
  struct rlimit rl;
  VfsdBackend *b;
  int fd;
  if (!parse_args(args, &source, &fds, &handles, error)) {
    g_free(source);
    return NULL;
  }
  if (source == NULL || source[0] == '\0') {
    vfsd_set_error(error, EINVAL, "passthrough needs the directory to serve: "
                   "passthrough:/path/to/dir");
    g_free(source);
    return NULL;
  }
  fd = open(source, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    int e = errno;
    vfsd_set_error(error, e, "passthrough: cannot serve %s: %s", source,
                   g_strerror(e));
    g_free(source);
    return NULL;
  }
  pt = g_new0(Pt, 1);
  pt->source = source;
  pt->root_fd = fd;
  pt->mount_fd = open(source, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  pt_probe(pt);
  if (!handles)
    pt->use_handles = false;
  pt->chown_new = geteuid() == 0;
  pt->umask = process_umask();
  /* A quarter of the descriptors we may open, for inodes at rest. */
  if (fds == 0 && getrlimit(RLIMIT_NOFILE, &rl) == 0)
    fds = CLAMP(rl.rlim_cur / 4, 64, 8192);
  pt->fd_cap = fds ? (unsigned)fds : 1024;
  pt_table_init(pt);
  b = vfsd_backend_new(&pt_ops, pt, pt_free, error);
  if (b == NULL)
    pt_free(pt);
  return b;
}

VFSD_INTERNAL const VfsdModuleInfo vfsd_backend_passthrough = {
  VFSD_MODULE_INFO_INIT("passthrough", "serve a directory tree, confined "
                        "beneath its root"),
  .args_help = "PATH             the directory to serve\n"
               "source=PATH,fds=N,handles=no\n"
               "                 the same, holding at most N descriptors of "
               "idle inodes\n"
               "                 (default: a quarter of the fd limit), "
               "without file handles",
  .create = pt_create_backend,
};
