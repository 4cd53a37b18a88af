/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vfsd_main(): the usual command line of a FUSE program in one call. */
#include "mount-private.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void
usage(FILE *f, const char *prog, const char *name)
{
  fprintf(f,
          "Usage: %s [-f] [-d] [-o OPTIONS] MOUNTPOINT\n"
          "Serve the '%s' file system at MOUNTPOINT.\n\n"
          "  -f          stay in the foreground until unmounted or "
          "interrupted\n"
          "  -d          print every request (implies -f)\n"
          "  -o OPTIONS  comma-separated mount options (below)\n"
          "  -h, --help  show this help\n"
          "  -V, --version  show the libvfsd version\n\n"
          "Unmount with `fusermount3 -u MOUNTPOINT`.\n\nMount options:\n%s",
          prog, name, vfsd_mount_options_help());
}

/* Tells the waiting parent how the start went: one status byte, then the
 * message. */
static void
report(int fd, int ok, const char *msg)
{
  char c = ok ? 0 : 1;
  if (fd < 0)
    return;
  if (write(fd, &c, 1) == 1 && msg) {
    size_t n = strlen(msg);
    while (n > 0) {
      ssize_t w = write(fd, msg, n);
      if (w <= 0)
        break;
      msg += w;
      n -= (size_t)w;
    }
  }
  close(fd);
}

int
vfsd_main(VfsdBackend *backend, int argc, char **argv)
{
  const char *prog = argc > 0 && argv[0] ? argv[0] : "vfsd";
  const char *name;
  const char *mountpoint = NULL;
  GString *opts = g_string_new(NULL);
  gboolean foreground = FALSE, debug = FALSE;
  GError *error = NULL;
  VfsdMount *m = NULL;
  int status = 1;
  int pipefd[2] = { -1, -1 };
  int slot = -1;

  g_return_val_if_fail(VFSD_IS_BACKEND(backend), 1);
  name = vfsd_backend_get_name(backend);

  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      usage(stdout, prog, name);
      g_string_free(opts, TRUE);
      return 0;
    } else if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
      printf("%s (libvfsd %s)\n", name, vfsd_get_version());
      g_string_free(opts, TRUE);
      return 0;
    } else if (!strcmp(a, "-f")) {
      foreground = TRUE;
    } else if (!strcmp(a, "-d")) {
      debug = foreground = TRUE;
    } else if (!strcmp(a, "-o") || (g_str_has_prefix(a, "-o") && a[2])) {
      const char *v = a[2] ? a + 2 : (i + 1 < argc ? argv[++i] : NULL);
      if (v == NULL) {
        fprintf(stderr, "%s: -o needs a list of options\n", prog);
        g_string_free(opts, TRUE);
        return 2;
      }
      if (opts->len)
        g_string_append_c(opts, ',');
      g_string_append(opts, v);
    } else if (a[0] == '-' && a[1] != '\0') {
      fprintf(stderr, "%s: unknown option '%s' (try --help)\n", prog, a);
      g_string_free(opts, TRUE);
      return 2;
    } else if (mountpoint == NULL) {
      mountpoint = a;
    } else {
      fprintf(stderr, "%s: more than one mount point given ('%s' and '%s')\n",
              prog, mountpoint, a);
      g_string_free(opts, TRUE);
      return 2;
    }
  }
  if (mountpoint == NULL) {
    fprintf(stderr, "%s: no mount point given (usage: %s [-f] [-o OPTIONS] "
            "MOUNTPOINT)\n", prog, prog);
    g_string_free(opts, TRUE);
    return 2;
  }
  if (debug)
    g_string_append(opts, opts->len ? ",debug" : "debug");

  m = vfsd_mount_new(backend, mountpoint, opts->str, &error);
  g_string_free(opts, TRUE);
  if (m == NULL)
    goto fail;
  /* A killed server should leave no stale mount behind. */
  if (m->opts.auto_unmount < 0)
    m->opts.auto_unmount = 1;

  if (!foreground) {
    pid_t pid;
    if (pipe2(pipefd, O_CLOEXEC) != 0) {
      vfsd_set_error(&error, errno, "cannot create a pipe: %s",
                     g_strerror(errno));
      goto fail;
    }
    fflush(NULL);
    pid = fork();
    if (pid < 0) {
      vfsd_set_error(&error, errno, "cannot fork: %s", g_strerror(errno));
      goto fail;
    }
    if (pid > 0) {
      /* Parent: wait for the child to say whether the mount is live. */
      char c = 1;
      GString *msg = g_string_new(NULL);
      char buf[512];
      ssize_t n;
      close(pipefd[1]);
      if (read(pipefd[0], &c, 1) != 1)
        c = 2;
      while ((n = read(pipefd[0], buf, sizeof buf)) > 0)
        g_string_append_len(msg, buf, n);
      close(pipefd[0]);
      if (c == 0)
        status = 0;
      else {
        if (c == 2) {
          int ws;
          waitpid(pid, &ws, 0);
          fprintf(stderr, "%s: the server process died while mounting\n",
                  prog);
        } else
          fprintf(stderr, "%s: %s\n", prog, msg->str);
        status = 1;
      }
      g_string_free(msg, TRUE);
      g_object_unref(m);
      return status;
    }
    /* Child. */
    close(pipefd[0]);
    pipefd[0] = -1;
    setsid();
    if (chdir("/") != 0) {
      /* the mount point is absolute; nothing depends on the cwd */
    }
  }

  /* Signals end the mount from now on, even while it starts. */
  slot = vfsd_mount_signals_begin(m);
  if (!vfsd_mount_start(m, &error)) {
    vfsd_mount_signals_end(slot);
    if (!foreground) {
      report(pipefd[1], 0, error->message);
      g_error_free(error);
      g_object_unref(m);
      _exit(1);
    }
    goto fail;
  }
  if (!foreground) {
    int null = open("/dev/null", O_RDWR);
    report(pipefd[1], 1, NULL);
    if (null >= 0) {
      dup2(null, 0);
      dup2(null, 1);
      dup2(null, 2);
      if (null > 2)
        close(null);
    }
  }
  /* Serve until unmounted or signalled. */
  {
    int r = vfsd_mount_wait_signals(m, slot);
    vfsd_mount_signals_end(slot);
    if (r != 0 && foreground)
      fprintf(stderr, "%s: the mount of %s failed: %s\n", prog,
              vfsd_mount_get_mountpoint(m), g_strerror(-r));
    status = r == 0 ? 0 : 1;
  }
  g_object_unref(m);
  if (!foreground)
    _exit(status);
  return status;

fail:
  fprintf(stderr, "%s: %s\n", prog, error ? error->message : "failed");
  g_clear_error(&error);
  if (m)
    g_object_unref(m);
  return 1;
}
