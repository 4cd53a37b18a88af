/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a stack of layers costs: mounts passthrough:SOURCE under the given
 * layers (top first) and times creates, stats and a sequential read
 * through the kernel, with the kernel's caches off (every stat reaches
 * the file system).  With --vtable, no mount: the time per call of
 * lookup and getattr through the stack, which is what a layer adds to
 * each request.  Not a test; doc/layers/monitor.md shows its results.
 *   bench-layers [--vtable] SOURCE [LAYER...]
 *   e.g. bench-layers /dev/shm/x monitor:log=/dev/shm/log */
#include <vfsd/vfsd.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define FILES 5000
#define READ_MB 256

static double
now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Nanoseconds per lookup + getattr pair through @b, on a file of SOURCE. */
static int
vtable(VfsdBackend *b, const char *source)
{
  char path[4200];
  VfsdCtx ctx = { .pid = (uint32_t)getpid() };
  VfsdEntry e;
  VfsdAttr a;
  VfsdInit init = { 0 };
  double t;
  int n = 200000;
  if (vfsd_call_init(b, &init) != 0)
    return 1;
  snprintf(path, sizeof path, "%s/v", source);
  close(open(path, O_WRONLY | O_CREAT, 0644));
  t = now();
  for (int i = 0; i < n; i++) {
    memset(&e, 0, sizeof e);
    if (vfsd_call_lookup(b, &ctx, VFSD_ROOT_INO, "v", &e) != 0 ||
        vfsd_call_getattr(b, &ctx, e.ino, VFSD_NO_FH, &a) != 0)
      return 1;
  }
  printf("lookup+getattr       %8.2f us per pair\n", (now() - t) * 1e6 / n);
  vfsd_call_destroy(b);
  unlink(path);
  return 0;
}

int
main(int argc, char **argv)
{
  bool only_vtable = argc > 1 && !strcmp(argv[1], "--vtable");
  const char **specs;
  char mnt[] = "/tmp/vfsd-bench.XXXXXX", path[4200], *buf;
  GError *err = NULL;
  VfsdBackend *b;
  VfsdMount *m;
  double t;
  int fd;
  if (only_vtable) {
    argv++;
    argc--;
  }
  if (argc < 2) {
    fprintf(stderr, "usage: %s [--vtable] SOURCE [LAYER...]\n", argv[0]);
    return 2;
  }
  specs = g_new0(const char *, argc + 1);
  for (int i = 2; i < argc; i++)
    specs[i - 2] = argv[i];
  specs[argc - 2] = g_strconcat("passthrough:", argv[1], NULL);
  if (only_vtable) {
    if (!(b = vfsd_backend_load_stack(specs, &err))) {
      fprintf(stderr, "%s\n", err->message);
      return 1;
    }
    int r = vtable(b, argv[1]);
    g_object_unref(b);
    return r;
  }
  if (!(b = vfsd_backend_load_stack(specs, &err)) || !mkdtemp(mnt) ||
      !(m = vfsd_mount_new(b, mnt, "entry_timeout=0,attr_timeout=0", &err)) ||
      !vfsd_mount_start(m, &err)) {
    fprintf(stderr, "%s\n", err ? err->message : "mkdtemp failed");
    return 1;
  }
  buf = g_malloc0(1 << 20);
  t = now();
  for (int i = 0; i < FILES; i++) {
    snprintf(path, sizeof path, "%s/f%d", mnt, i);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || write(fd, buf, 4096) != 4096)
      return perror(path), 1;
    close(fd);
  }
  printf("create+write4k+close %8.0f files/s\n", FILES / (now() - t));
  t = now();
  for (int r = 0; r < 4; r++)
    for (int i = 0; i < FILES; i++) {
      struct stat st;
      snprintf(path, sizeof path, "%s/f%d", mnt, i);
      if (stat(path, &st) != 0)
        return perror(path), 1;
    }
  printf("stat                 %8.0f files/s\n", 4 * FILES / (now() - t));
  snprintf(path, sizeof path, "%s/big", argv[1]);
  fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  for (int i = 0; i < READ_MB; i++)
    if (write(fd, buf, 1 << 20) != 1 << 20)
      return perror(path), 1;
  close(fd);
  snprintf(path, sizeof path, "%s/big", mnt);
  fd = open(path, O_RDONLY);
  t = now();
  while (read(fd, buf, 1 << 20) > 0)
    ;
  printf("sequential read      %8.0f MB/s\n", READ_MB / (now() - t));
  close(fd);
  for (int i = 0; i < FILES; i++) {
    snprintf(path, sizeof path, "%s/f%d", mnt, i);
    unlink(path);
  }
  snprintf(path, sizeof path, "%s/big", argv[1]);
  unlink(path);
  vfsd_mount_unmount(m);
  vfsd_mount_wait(m);
  g_object_unref(m);
  g_object_unref(b);
  rmdir(mnt);
  return 0;
}
