/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vfsd-bench: the load generator of `make bench`.
 *
 *   vfsd-bench WORKLOAD DIR [--size BYTES] [--files N] [--seconds S]
 *              [--jobs J]
 *
 * Runs one workload inside DIR (any file system) and prints one line of
 * results, "name=value" pairs, for the driver (bench/run-bench.py).  With
 * --jobs J, J processes run the workload at once, each in its own
 * subdirectory, and the rates are summed.  Every read checks its byte
 * count and its content: data is a pattern derived from the offset and the
 * file, so a file system that is fast because it is wrong fails loudly
 * (exit status 3).
 *
 * Workloads:
 *   write     SIZE bytes in 1 MiB writes, then fsync          → MB/s
 *   read      the file `write` made, once                     → MB/s
 *   randread  random 4 KiB reads of that file for SECONDS     → IOPS
 *   small     FILES files of 4 KiB written, then read back    → files/s
 *   meta      FILES files: create, stat, readdir, rename, unlink → ops/s
 *   clean     removes what the workloads left in DIR
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MIB (1024 * 1024)

static uint64_t size_opt = 1024ULL * MIB;
static long files_opt = 10000;
static double seconds_opt = 3.0;
static int jobs_opt = 1;

static double
now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
die(const char *what, const char *path)
{
  fprintf(stderr, "vfsd-bench: %s %s: %s\n", what, path ? path : "",
          strerror(errno));
  exit(2);
}

static void
wrong(const char *what, const char *path, uint64_t off)
{
  fprintf(stderr, "vfsd-bench: WRONG DATA: %s in %s at offset %" PRIu64 "\n",
          what, path, off);
  exit(3);
}

/* The content of byte @off of file number @seed: 8-byte words holding
 * (offset ^ seed-mix), so a shifted, stale or zeroed page never matches. */
static void
fill(char *buf, size_t len, uint64_t off, uint64_t seed)
{
  uint64_t mix = seed * UINT64_C(0x9E3779B97F4A7C15);
  for (size_t i = 0; i < len; i += 8) {
    uint64_t v = (off + i) ^ mix;
    memcpy(buf + i, &v, len - i < 8 ? len - i : 8);
  }
}

static int
check(const char *buf, size_t len, uint64_t off, uint64_t seed)
{
  uint64_t mix = seed * UINT64_C(0x9E3779B97F4A7C15);
  for (size_t i = 0; i < len; i += 8) {
    uint64_t v = (off + i) ^ mix;
    if (memcmp(buf + i, &v, len - i < 8 ? len - i : 8) != 0)
      return 0;
  }
  return 1;
}

static char *
path_of(const char *dir, const char *name)
{
  char *p;
  if (asprintf(&p, "%s/%s", dir, name) < 0)
    exit(2);
  return p;
}

/* ---- workloads: each returns its rate(s) through out[] ------------------*/

static void
w_write(const char *dir, double *out)
{
  char *path = path_of(dir, "big");
  char *buf = aligned_alloc(4096, MIB);
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  double t0;
  if (fd < 0)
    die("open", path);
  t0 = now();
  for (uint64_t off = 0; off < size_opt; off += MIB) {
    size_t n = size_opt - off < MIB ? size_opt - off : MIB;
    fill(buf, n, off, 1);
    if (pwrite(fd, buf, n, (off_t)off) != (ssize_t)n)
      die("write", path);
  }
  if (fsync(fd) != 0)
    die("fsync", path);
  if (close(fd) != 0)
    die("close", path);
  out[0] = (double)size_opt / MIB / (now() - t0);
  free(buf);
  free(path);
}

static void
w_read(const char *dir, double *out)
{
  char *path = path_of(dir, "big");
  char *buf = aligned_alloc(4096, MIB);
  int fd = open(path, O_RDONLY);
  uint64_t total = 0;
  double t0;
  if (fd < 0)
    die("open", path);
  t0 = now();
  for (;;) {
    ssize_t n = read(fd, buf, MIB);
    if (n < 0)
      die("read", path);
    if (n == 0)
      break;
    if (!check(buf, (size_t)n, total, 1))
      wrong("content", path, total);
    total += (uint64_t)n;
  }
  out[0] = (double)total / MIB / (now() - t0);
  close(fd);
  if (total != size_opt)
    wrong("size", path, total);
  free(buf);
  free(path);
}

static void
w_randread(const char *dir, double *out)
{
  char *path = path_of(dir, "big");
  char buf[4096];
  int fd = open(path, O_RDONLY);
  uint64_t blocks = size_opt / 4096, n = 0, x = 88172645463325252ULL ^ (uint64_t)getpid();
  double t0, end;
  if (fd < 0)
    die("open", path);
  t0 = now();
  end = t0 + seconds_opt;
  do {
    for (int i = 0; i < 256; i++, n++) {
      uint64_t off;
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      off = (x % blocks) * 4096;
      if (pread(fd, buf, sizeof buf, (off_t)off) != (ssize_t)sizeof buf)
        die("pread", path);
      if (!check(buf, sizeof buf, off, 1))
        wrong("content", path, off);
    }
  } while (now() < end);
  out[0] = (double)n / (now() - t0);
  close(fd);
  free(path);
}

static void
w_small(const char *dir, double *out)
{
  char name[64], buf[4096];
  double t0 = now(), t1;
  for (long i = 0; i < files_opt; i++) {
    int fd;
    snprintf(name, sizeof name, "%s/s%ld", dir, i);
    fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
      die("create", name);
    fill(buf, sizeof buf, 0, (uint64_t)i + 7);
    if (write(fd, buf, sizeof buf) != (ssize_t)sizeof buf)
      die("write", name);
    if (close(fd) != 0)
      die("close", name);
  }
  t1 = now();
  out[0] = (double)files_opt / (t1 - t0);
  for (long i = 0; i < files_opt; i++) {
    int fd;
    ssize_t n;
    snprintf(name, sizeof name, "%s/s%ld", dir, i);
    fd = open(name, O_RDONLY);
    if (fd < 0)
      die("open", name);
    n = read(fd, buf, sizeof buf);
    if (n != (ssize_t)sizeof buf)
      wrong("size", name, (uint64_t)(n < 0 ? 0 : n));
    if (!check(buf, sizeof buf, 0, (uint64_t)i + 7))
      wrong("content", name, 0);
    if (read(fd, buf, 1) != 0)
      wrong("size (longer)", name, sizeof buf);
    close(fd);
  }
  out[1] = (double)files_opt / (now() - t1);
}

static void
w_meta(const char *dir, double *out)
{
  char name[64], name2[64];
  struct stat st;
  double t;
  long listed = 0;
  DIR *d;
  struct dirent *e;

  t = now();
  for (long i = 0; i < files_opt; i++) {
    int fd;
    snprintf(name, sizeof name, "%s/m%ld", dir, i);
    fd = open(name, O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd < 0)
      die("create", name);
    close(fd);
  }
  out[0] = (double)files_opt / (now() - t);

  t = now();
  for (long i = 0; i < files_opt; i++) {
    snprintf(name, sizeof name, "%s/m%ld", dir, i);
    if (stat(name, &st) != 0)
      die("stat", name);
    if (!S_ISREG(st.st_mode) || st.st_size != 0)
      wrong("attributes", name, 0);
  }
  out[1] = (double)files_opt / (now() - t);

  t = now();
  d = opendir(dir);
  if (d == NULL)
    die("opendir", dir);
  while ((e = readdir(d)) != NULL)
    if (e->d_name[0] == 'm')
      listed++;
  closedir(d);
  out[2] = (double)listed / (now() - t);
  if (listed != files_opt)
    wrong("listing length", dir, (uint64_t)listed);

  t = now();
  for (long i = 0; i < files_opt; i++) {
    snprintf(name, sizeof name, "%s/m%ld", dir, i);
    snprintf(name2, sizeof name2, "%s/r%ld", dir, i);
    if (rename(name, name2) != 0)
      die("rename", name);
  }
  out[3] = (double)files_opt / (now() - t);

  t = now();
  for (long i = 0; i < files_opt; i++) {
    snprintf(name2, sizeof name2, "%s/r%ld", dir, i);
    if (unlink(name2) != 0)
      die("unlink", name2);
  }
  out[4] = (double)files_opt / (now() - t);
}

static void
rm_tree(const char *dir)
{
  DIR *d = opendir(dir);
  struct dirent *e;
  if (d == NULL)
    return;
  while ((e = readdir(d)) != NULL) {
    char *p;
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
      continue;
    p = path_of(dir, e->d_name);
    if (e->d_type == DT_DIR) {
      rm_tree(p);
      rmdir(p);
    } else
      unlink(p);
    free(p);
  }
  closedir(d);
}

typedef struct {
  const char *name;
  void (*fn)(const char *, double *);
  int nout;
  const char *outs[5];
} Workload;

static const Workload workloads[] = {
  { "write", w_write, 1, { "mbps" } },
  { "read", w_read, 1, { "mbps" } },
  { "randread", w_randread, 1, { "iops" } },
  { "small", w_small, 2, { "write_fps", "read_fps" } },
  { "meta", w_meta, 5, { "create", "stat", "readdir", "rename", "unlink" } },
};

int
main(int argc, char **argv)
{
  const Workload *w = NULL;
  const char *dir;
  double sum[5] = { 0 };
  int a = 3;

  if (argc < 3) {
    fprintf(stderr, "usage: vfsd-bench WORKLOAD DIR [--size B] [--files N] "
                    "[--seconds S] [--jobs J]\n");
    return 2;
  }
  dir = argv[2];
  for (; a + 1 < argc; a += 2) {
    if (!strcmp(argv[a], "--size"))
      size_opt = strtoull(argv[a + 1], NULL, 10) / MIB * MIB;
    else if (!strcmp(argv[a], "--files"))
      files_opt = strtol(argv[a + 1], NULL, 10);
    else if (!strcmp(argv[a], "--seconds"))
      seconds_opt = strtod(argv[a + 1], NULL);
    else if (!strcmp(argv[a], "--jobs"))
      jobs_opt = atoi(argv[a + 1]);
    else {
      fprintf(stderr, "vfsd-bench: unknown option %s\n", argv[a]);
      return 2;
    }
  }
  if (a != argc || size_opt == 0 || files_opt <= 0 || jobs_opt <= 0 ||
      seconds_opt <= 0) {
    fprintf(stderr, "vfsd-bench: bad arguments\n");
    return 2;
  }
  if (!strcmp(argv[1], "clean")) {
    rm_tree(dir);
    return 0;
  }
  for (size_t i = 0; i < sizeof workloads / sizeof *workloads; i++)
    if (!strcmp(argv[1], workloads[i].name))
      w = &workloads[i];
  if (w == NULL) {
    fprintf(stderr, "vfsd-bench: unknown workload %s\n", argv[1]);
    return 2;
  }

  /* Each job works in DIR/jN; results come back through a pipe. */
  {
    int fds[2];
    pid_t pids[64];
    if (jobs_opt > 64 || pipe(fds) != 0)
      return 2;
    for (int j = 0; j < jobs_opt; j++) {
      pids[j] = fork();
      if (pids[j] < 0)
        die("fork", NULL);
      if (pids[j] == 0) {
        double out[5] = { 0 };
        char *sub;
        if (asprintf(&sub, "%s/j%d", dir, j) < 0)
          _exit(2);
        if (mkdir(sub, 0755) != 0 && errno != EEXIST)
          die("mkdir", sub);
        w->fn(sub, out);
        if (write(fds[1], out, sizeof out) != (ssize_t)sizeof out)
          _exit(2);
        _exit(0);
      }
    }
    close(fds[1]);
    for (int j = 0; j < jobs_opt; j++) {
      double out[5];
      if (read(fds[0], out, sizeof out) == (ssize_t)sizeof out)
        for (int k = 0; k < w->nout; k++)
          sum[k] += out[k];
    }
    for (int j = 0; j < jobs_opt; j++) {
      int st;
      waitpid(pids[j], &st, 0);
      if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        return WIFEXITED(st) ? WEXITSTATUS(st) : 2;
    }
  }
  for (int k = 0; k < w->nout; k++)
    printf("%s%s=%.1f", k ? " " : "", w->outs[k], sum[k]);
  printf("\n");
  return 0;
}
