/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ram-helper: the programs the RAM backend's tests start with posix_spawn
 * (a process that serves a mount must not fork).
 *
 *   ram-helper serve MOUNTPOINT RAM_OPTIONS [MOUNT_OPTIONS]
 *       Mounts a RAM backend, prints "ready" and serves until SIGTERM or
 *       SIGINT; then unmounts, runs vfsd_ram_check() and exits with the
 *       number of problems (reported on stderr).
 *   ram-helper as UID GID GROUPS OP ARGS...
 *       Drops to UID/GID with supplementary GROUPS ("-" for none, else
 *       comma-separated), does one system call and prints "ok" or the
 *       errno's name (ENOENT, …), plus a result for some calls.
 *   ram-helper stress DIR SECONDS SEED
 *       Creates, renames, links, writes, truncates and unlinks random names
 *       in DIR for SECONDS; prints the number of operations.  Errors a
 *       racing peer can cause (ENOENT, EEXIST, …) are expected; anything
 *       else is reported and makes the exit status 1. */
#define _GNU_SOURCE
#include <vfsd/vfsd.h>
#include <vfsd/ram.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

static int
usage(void)
{
  fprintf(stderr, "usage: ram-helper serve MNT OPTS [MOUNTOPTS] | as UID GID "
                  "GROUPS OP ARGS... | stress DIR SECONDS SEED\n");
  return 2;
}

/* ---- serve -------------------------------------------------------------*/

static int
serve(int argc, char **argv)
{
  GError *err = NULL;
  VfsdBackend *b;
  VfsdMount *m;
  GString *report = g_string_new(NULL);
  sigset_t set;
  int sig, problems;
  if (argc < 2)
    return usage();
  b = vfsd_ram_backend_new(argv[1], &err);
  if (b == NULL) {
    fprintf(stderr, "ram-helper: %s\n", err->message);
    return 2;
  }
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, NULL); /* the mount's threads inherit */
  m = vfsd_mount_new(b, argv[0], argc > 2 ? argv[2] : "", &err);
  if (m == NULL || !vfsd_mount_start(m, &err)) {
    fprintf(stderr, "ram-helper: %s\n", err->message);
    return 2;
  }
  printf("ready\n");
  fflush(stdout);
  sigwait(&set, &sig);
  vfsd_mount_unmount(m);
  vfsd_mount_wait(m);
  g_object_unref(m);
  problems = vfsd_ram_check(b, report);
  if (problems)
    fprintf(stderr, "ram-helper: %d problems:\n%s", problems, report->str);
  g_string_free(report, TRUE);
  g_object_unref(b);
  return problems > 255 ? 255 : problems;
}

/* ---- as ----------------------------------------------------------------*/

static const char *
errname(int e)
{
  const char *n = strerrorname_np(e);
  return n ? n : "E?";
}

static int
report(int r)
{
  if (r < 0)
    printf("%s\n", errname(errno));
  else
    printf("ok\n");
  return 0;
}

static int
drop(const char *uid, const char *gid, const char *groups)
{
  gid_t list[64];
  size_t n = 0;
  if (strcmp(groups, "-") != 0) {
    char *copy = strdup(groups), *save = NULL;
    for (char *t = strtok_r(copy, ",", &save); t && n < 64;
         t = strtok_r(NULL, ",", &save))
      list[n++] = (gid_t)atoi(t);
    free(copy);
  }
  if (setgroups(n, list) != 0 || setresgid(atoi(gid), atoi(gid), atoi(gid)) ||
      setresuid(atoi(uid), atoi(uid), atoi(uid))) {
    perror("ram-helper: dropping privileges");
    return -1;
  }
  return 0;
}

static int
as(int argc, char **argv)
{
  const char *op, *p;
  if (argc < 5 || drop(argv[0], argv[1], argv[2]) != 0)
    return usage();
  umask(0); /* modes given are the modes wanted */
  op = argv[3];
  p = argv[4];
#define ARG(k) (argc > 4 + (k) ? argv[4 + (k)] : "")
  if (!strcmp(op, "open")) { /* PATH FLAGS(r,w,rw,+c,+t,+a,+x) [MODE] */
    int fl = strchr(ARG(1), 'w') ? (strchr(ARG(1), 'r') ? O_RDWR : O_WRONLY)
                                 : O_RDONLY;
    int fd;
    if (strchr(ARG(1), 'c')) fl |= O_CREAT;
    if (strchr(ARG(1), 't')) fl |= O_TRUNC;
    if (strchr(ARG(1), 'a')) fl |= O_APPEND;
    if (strchr(ARG(1), 'x')) fl |= O_EXCL;
    fd = open(p, fl, argc > 6 ? (mode_t)strtol(ARG(2), NULL, 8) : 0644);
    if (fd >= 0)
      close(fd);
    return report(fd);
  }
  if (!strcmp(op, "write")) { /* PATH TEXT: open O_WRONLY, write */
    int fd = open(p, O_WRONLY);
    ssize_t n;
    if (fd < 0)
      return report(-1);
    n = write(fd, ARG(1), strlen(ARG(1)));
    close(fd);
    return report(n < 0 ? -1 : 0);
  }
  if (!strcmp(op, "truncate"))
    return report(truncate(p, atoll(ARG(1))));
  if (!strcmp(op, "chmod"))
    return report(chmod(p, (mode_t)strtol(ARG(1), NULL, 8)));
  if (!strcmp(op, "chown"))
    return report(chown(p, (uid_t)atoi(ARG(1)), (gid_t)atoi(ARG(2))));
  if (!strcmp(op, "unlink"))
    return report(unlink(p));
  if (!strcmp(op, "rmdir"))
    return report(rmdir(p));
  if (!strcmp(op, "mkdir"))
    return report(mkdir(p, (mode_t)strtol(ARG(1), NULL, 8)));
  if (!strcmp(op, "rename"))
    return report(rename(p, ARG(1)));
  if (!strcmp(op, "link"))
    return report(link(p, ARG(1)));
  if (!strcmp(op, "symlink"))
    return report(symlink(p, ARG(1)));
  if (!strcmp(op, "mknod"))
    return report(mknod(p, S_IFIFO | 0644, 0));
  if (!strcmp(op, "access")) {
    int mode = 0;
    if (strchr(ARG(1), 'r')) mode |= R_OK;
    if (strchr(ARG(1), 'w')) mode |= W_OK;
    if (strchr(ARG(1), 'x')) mode |= X_OK;
    return report(access(p, mode));
  }
  if (!strcmp(op, "setxattr"))
    return report(setxattr(p, ARG(1), ARG(2), strlen(ARG(2)), 0));
  if (!strcmp(op, "getxattr")) {
    char buf[256];
    return report(getxattr(p, ARG(1), buf, sizeof buf) < 0 ? -1 : 0);
  }
  if (!strcmp(op, "utimes-now"))
    return report(utimensat(AT_FDCWD, p, NULL, 0));
  if (!strcmp(op, "utimes-set")) {
    struct timespec ts[2] = { { 1000, 0 }, { 1000, 0 } };
    return report(utimensat(AT_FDCWD, p, ts, 0));
  }
  if (!strcmp(op, "stat")) { /* prints mode uid gid */
    struct stat st;
    if (stat(p, &st) != 0)
      return report(-1);
    printf("ok %o %u %u\n", st.st_mode, st.st_uid, st.st_gid);
    return 0;
  }
#undef ARG
  fprintf(stderr, "ram-helper: unknown operation %s\n", op);
  return 2;
}

/* ---- stress ------------------------------------------------------------*/

static unsigned long long rng_state;

static unsigned
rnd(unsigned n)
{
  rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
  return (unsigned)(rng_state >> 33) % n;
}

static void
rand_path(char *buf, size_t size, const char *dir)
{
  /* A few subdirectories and few names, so that peers collide often. */
  if (rnd(3) == 0)
    snprintf(buf, size, "%s/d%u/n%u", dir, rnd(4), rnd(16));
  else
    snprintf(buf, size, "%s/n%u", dir, rnd(16));
}

static bool
expected(int e)
{
  return e == ENOENT || e == EEXIST || e == ENOTEMPTY || e == EISDIR ||
         e == ENOTDIR || e == EINVAL || e == EBUSY || e == EMLINK;
}

static int
stress(int argc, char **argv)
{
  char a[512], b[512], buf[8192];
  unsigned long long seed;
  time_t end;
  unsigned long ops = 0, bad = 0;
  if (argc < 3)
    return usage();
  end = time(NULL) + atoi(argv[1]);
  seed = strtoull(argv[2], NULL, 10);
  rng_state = seed * 2654435761ULL + 1;
  memset(buf, 'a' + (int)(rng_state % 26), sizeof buf);
  while (time(NULL) < end) {
    int r = 0, fd;
    rand_path(a, sizeof a, argv[0]);
    rand_path(b, sizeof b, argv[0]);
    switch (rnd(10)) {
    case 0:
      fd = open(a, O_CREAT | O_WRONLY | O_TRUNC, 0644);
      if (fd >= 0) {
        r = write(fd, buf, rnd(sizeof buf)) < 0 ? -1 : 0;
        close(fd);
      } else
        r = -1;
      break;
    case 1:
      fd = open(a, O_WRONLY | O_APPEND);
      if (fd >= 0) {
        r = write(fd, buf, rnd(512)) < 0 ? -1 : 0;
        close(fd);
      } else
        r = -1;
      break;
    case 2: r = rename(a, b); break;
    case 3: r = link(a, b); break;
    case 4: r = unlink(a); break;
    case 5: snprintf(a, sizeof a, "%s/d%u", argv[0], rnd(4));
            r = mkdir(a, 0755); break;
    case 6: snprintf(a, sizeof a, "%s/d%u", argv[0], rnd(4));
            r = rmdir(a); break;
    case 7: r = truncate(a, rnd(20000)); break;
    case 8: r = symlink("target", a); break;
    default: {
      /* A file of our own, in the shared directory: it must stay usable
       * after its unlink.  (With a shared name, a peer that resolved the
       * name before the unlink could still truncate it, on tmpfs too.) */
      snprintf(a, sizeof a, "%s/own%llu", argv[0], seed);
      fd = open(a, O_CREAT | O_RDWR | O_TRUNC, 0644);
      if (fd < 0) { r = -1; break; }
      unlink(a);
      ssize_t w = pwrite(fd, buf, 100, 4096), rd = pread(fd, b, 100, 4096);
      if (w != 100 || rd != 100 || memcmp(b, buf, 100) != 0) {
        fprintf(stderr, "ram-helper: unlinked file not usable: wrote %zd, "
                "read %zd (%s)\n", w, rd, strerror(errno));
        bad++;
      }
      close(fd);
    }
    }
    if (r != 0 && !expected(errno)) {
      fprintf(stderr, "ram-helper: unexpected %s\n", errname(errno));
      bad++;
    }
    ops++;
  }
  printf("%lu\n", ops);
  return bad ? 1 : 0;
}

int
main(int argc, char **argv)
{
  if (argc < 2)
    return usage();
  if (!strcmp(argv[1], "serve"))
    return serve(argc - 2, argv + 2);
  if (!strcmp(argv[1], "as"))
    return as(argc - 2, argv + 2);
  if (!strcmp(argv[1], "stress"))
    return stress(argc - 2, argv + 2);
  return usage();
}
