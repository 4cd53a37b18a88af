/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `vfsd umount [-z] MOUNTPOINT`: what `fusermount3 -u` does, with a clear
 * sentence when the path is not mounted, not a FUSE mount, or busy.  Root
 * unmounts directly; other users go through fusermount3, which checks that
 * they own the mount. */
#include "config.h"
#include "vfsd-cli.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static void
umount_usage(FILE *f)
{
  fprintf(f,
          "Usage: %s umount [-z] MOUNTPOINT\n"
          "Unmount the FUSE file system at MOUNTPOINT; its server then "
          "exits.\n\n"
          "  -z, --lazy  detach it even if busy (it goes away when the last "
          "file on it\n"
          "              is closed)\n"
          "  -h, --help  show this help\n",
          cli_prog);
}

static int
busy_error(const char *path)
{
  cli_error("%s is busy: a process has a file open or its working "
            "directory there (close them, or detach it lazily with `%s "
            "umount -z %s`)", path, cli_prog, path);
  return CLI_ERROR;
}

/* Runs fusermount3 -u [-z] -- @abs, its messages captured. */
static int
run_fusermount(const char *abs, bool lazy, const char *given)
{
  const char *argv[] = { "fusermount3", "-u", "--", abs, NULL, NULL };
  posix_spawn_file_actions_t fa;
  int out[2], ws = 0, r;
  pid_t pid;
  GString *msg = g_string_new(NULL);
  char buf[512];
  ssize_t n;

  if (lazy) { /* fusermount3 -u -z -- PATH */
    argv[2] = "-z";
    argv[3] = "--";
    argv[4] = abs;
  }
  if (pipe2(out, O_CLOEXEC) != 0) {
    cli_error("cannot create a pipe: %s", g_strerror(errno));
    return CLI_ERROR;
  }
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, out[1], 2);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  r = posix_spawnp(&pid, "fusermount3", &fa, NULL, (char **)argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  close(out[1]);
  if (r != 0) {
    close(out[0]);
    g_string_free(msg, TRUE);
    cli_error("cannot run fusermount3 to unmount %s: %s (install the fuse3 "
              "package)", given, g_strerror(r));
    return CLI_ERROR;
  }
  while ((n = read(out[0], buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
    if (n > 0)
      g_string_append_len(msg, buf, n);
  close(out[0]);
  while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
    ;
  g_strstrip(msg->str);
  if (WIFEXITED(ws) && WEXITSTATUS(ws) == 0) {
    g_string_free(msg, TRUE);
    return CLI_OK;
  }
  if (strstr(msg->str, "busy")) {
    g_string_free(msg, TRUE);
    return busy_error(given);
  }
  if (strstr(msg->str, "Permission denied") || strstr(msg->str, "not permitted"))
    cli_error("cannot unmount %s: it was mounted by another user", given);
  else
    cli_error("cannot unmount %s: %s", given,
              msg->len ? msg->str : "fusermount3 failed");
  g_string_free(msg, TRUE);
  return CLI_ERROR;
}

int
cli_umount(int argc, char **argv)
{
  static const struct option longopts[] = {
    { "help", no_argument, NULL, 'h' },
    { "lazy", no_argument, NULL, 'z' },
    { NULL, 0, NULL, 0 },
  };
  bool lazy = false;
  const char *path;
  char *abs;
  CliMountEntry e;
  int c, r;

  opterr = 0;
  optind = 1;
  while ((c = getopt_long(argc, argv, "zh", longopts, NULL)) != -1) {
    switch (c) {
    case 'z': lazy = true; break;
    case 'h': umount_usage(stdout); return CLI_OK;
    default:
      cli_error("umount: unknown option '%s' (try `%s umount --help`)",
                argv[optind - 1], cli_prog);
      return CLI_USAGE;
    }
  }
  if (argc - optind != 1) {
    cli_error("umount: %s (usage: %s umount [-z] MOUNTPOINT)",
              argc == optind ? "no mount point given"
                             : "give exactly one mount point", cli_prog);
    return CLI_USAGE;
  }
  path = argv[optind];
  abs = cli_abs_path(path);
  if (abs == NULL) {
    if (errno == ENOENT)
      cli_error("%s does not exist", path);
    else
      cli_error("cannot resolve %s: %s", path, g_strerror(errno));
    return CLI_ERROR;
  }
  if (!cli_find_mount(abs, &e)) {
    struct stat st;
    if (lstat(abs, &st) != 0 && errno == ENOENT)
      cli_error("%s does not exist", path);
    else
      cli_error("%s is not mounted", path);
    g_free(abs);
    return CLI_ERROR;
  }
  if (!cli_is_fuse_type(e.fstype)) {
    cli_error("%s is not a FUSE mount (it is %s); `%s umount` only unmounts "
              "FUSE file systems", path, e.fstype, cli_prog);
    cli_mount_entry_clear(&e);
    g_free(abs);
    return CLI_ERROR;
  }
  {
    /* fusermount3 lets a user unmount only what they mounted; say so. */
    const char *u = strstr(e.super_opts, "user_id=");
    long owner = u ? strtol(u + 8, NULL, 10) : -1;
    if (geteuid() != 0 && owner >= 0 && owner != (long)geteuid()) {
      cli_error("cannot unmount %s: it was mounted by another user (uid %ld)",
                path, owner);
      cli_mount_entry_clear(&e);
      g_free(abs);
      return CLI_ERROR;
    }
  }
  cli_mount_entry_clear(&e);

  if (geteuid() == 0) {
    r = CLI_OK;
    if (umount2(abs, UMOUNT_NOFOLLOW | (lazy ? MNT_DETACH : 0)) != 0) {
      if (errno == EBUSY)
        r = busy_error(path);
      else {
        cli_error("cannot unmount %s: %s", path, g_strerror(errno));
        r = CLI_ERROR;
      }
    }
  } else
    r = run_fusermount(abs, lazy, path);
  g_free(abs);
  return r;
}
