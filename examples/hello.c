/* SPDX-License-Identifier: MIT */
/* hello: one read-only file, "hello", containing "Hello World!\n".
 *   ./hello MOUNTPOINT        (add -f to stay in the foreground)
 *   cat MOUNTPOINT/hello; fusermount3 -u MOUNTPOINT */
#include <vfsd/vfsd.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

static const char text[] = "Hello World!\n";
enum { HELLO = 2 };

static int hello_getattr(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh, VfsdAttr *a) {
  if (ino == VFSD_ROOT_INO) { a->mode = S_IFDIR | 0755; a->nlink = 2; return 0; }
  if (ino != HELLO) return -ENOENT;
  a->mode = S_IFREG | 0444; a->nlink = 1; a->size = sizeof text - 1;
  return 0;
}
static int hello_lookup(void *self, const VfsdCtx *ctx, uint64_t parent, const char *name, VfsdEntry *e) {
  if (parent != VFSD_ROOT_INO || strcmp(name, "hello") != 0) return -ENOENT;
  e->ino = HELLO;
  return hello_getattr(self, ctx, HELLO, VFSD_NO_FH, &e->attr);
}
static int hello_readdir(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh, int64_t off, VfsdDirFiller *f) {
  const char *names[] = { ".", "..", "hello" };
  for (int64_t i = off; i < 3; i++)
    if (!vfsd_dir_add(f, names[i], i < 2 ? VFSD_ROOT_INO : HELLO, i < 2 ? S_IFDIR : S_IFREG, i + 1)) break;
  return 0;
}
static int hello_open(void *self, const VfsdCtx *ctx, uint64_t ino, VfsdOpenInfo *oi) {
  return (oi->flags & O_ACCMODE) == O_RDONLY ? 0 : -EACCES;
}
static ssize_t hello_read(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh, char *buf, size_t size, int64_t off) {
  if ((uint64_t)off >= sizeof text - 1) return 0;
  size_t n = MIN(size, sizeof text - 1 - (size_t)off);
  memcpy(buf, text + off, n);
  return (ssize_t)n;
}
static const VfsdOps hello_ops = {
  VFSD_OPS_INIT("hello", VFSD_THREAD_PARALLEL), .flags = VFSD_BACKEND_STABLE_DIR_OFFSETS,
  .lookup = hello_lookup, .getattr = hello_getattr, .readdir = hello_readdir, .open = hello_open, .read = hello_read,
};
int main(int argc, char **argv) {
  g_autoptr(VfsdBackend) b = vfsd_backend_new(&hello_ops, NULL, NULL, NULL);
  return vfsd_main(b, argc, argv);
}
