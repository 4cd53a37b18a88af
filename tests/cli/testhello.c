/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vfsd-testhello.so: a backend module for the tests of the `vfsd` command.
 * One read-only file, "hello".  Arguments (comma-separated):
 *   text=STRING    what "hello" contains (default "Hello World!\n")
 *   pidfile=PATH   init() writes the serving process's id there, and
 *                  destroy() removes it: a test can see where the mount is
 *                  served and that it ended cleanly
 *   fail=init      init() fails, so the mount fails after the module loaded
 * Anything else is refused when the backend is created. */
#include <vfsd/vfsd.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { HELLO = 2 };

typedef struct {
  char *text;
  char *pidfile;
  bool fail_init;
} TestHello;

static void
th_free(void *p)
{
  TestHello *t = p;
  g_free(t->text);
  g_free(t->pidfile);
  g_free(t);
}

static int
th_init(void *self, VfsdInit *init)
{
  TestHello *t = self;
  if (t->fail_init)
    return -EIO;
  if (t->pidfile) {
    FILE *f = fopen(t->pidfile, "w");
    if (f == NULL)
      return -errno;
    fprintf(f, "%ld\n", (long)getpid());
    fclose(f);
  }
  return 0;
}

static void
th_destroy(void *self)
{
  TestHello *t = self;
  if (t->pidfile)
    unlink(t->pidfile);
}

static int
th_getattr(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
           VfsdAttr *a)
{
  TestHello *t = self;
  if (ino == VFSD_ROOT_INO) {
    a->mode = S_IFDIR | 0755;
    a->nlink = 2;
    return 0;
  }
  if (ino != HELLO)
    return -ENOENT;
  a->mode = S_IFREG | 0444;
  a->nlink = 1;
  a->size = strlen(t->text);
  return 0;
}

static int
th_lookup(void *self, const VfsdCtx *ctx, uint64_t parent, const char *name,
          VfsdEntry *e)
{
  if (parent != VFSD_ROOT_INO || strcmp(name, "hello") != 0)
    return -ENOENT;
  e->ino = HELLO;
  return th_getattr(self, ctx, HELLO, VFSD_NO_FH, &e->attr);
}

static int
th_readdir(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
           int64_t off, VfsdDirFiller *f)
{
  static const char *const names[] = { ".", "..", "hello" };
  for (int64_t i = off; i < 3; i++)
    if (!vfsd_dir_add(f, names[i], i < 2 ? VFSD_ROOT_INO : HELLO,
                      i < 2 ? S_IFDIR : S_IFREG, i + 1))
      break;
  return 0;
}

static int
th_open(void *self, const VfsdCtx *ctx, uint64_t ino, VfsdOpenInfo *oi)
{
  return (oi->flags & O_ACCMODE) == O_RDONLY ? 0 : -EACCES;
}

static ssize_t
th_read(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh, char *buf,
        size_t size, int64_t off)
{
  TestHello *t = self;
  size_t len = strlen(t->text);
  if ((uint64_t)off >= len)
    return 0;
  size = MIN(size, len - (size_t)off);
  memcpy(buf, t->text + off, size);
  return (ssize_t)size;
}

static const VfsdOps th_ops = {
  VFSD_OPS_INIT("testhello", VFSD_THREAD_PARALLEL),
  .flags = VFSD_BACKEND_STABLE_DIR_OFFSETS,
  .init = th_init,
  .destroy = th_destroy,
  .lookup = th_lookup,
  .getattr = th_getattr,
  .readdir = th_readdir,
  .open = th_open,
  .read = th_read,
};

static VfsdBackend *
th_create(const char *args, GError **error)
{
  TestHello *t = g_new0(TestHello, 1);
  char **items = g_strsplit(args, ",", -1);
  VfsdBackend *b;
  for (char **i = items; *i; i++) {
    if (**i == '\0')
      continue;
    if (g_str_has_prefix(*i, "text=")) {
      g_free(t->text);
      t->text = g_strcompress(*i + 5);
    } else if (g_str_has_prefix(*i, "pidfile=") && (*i)[8]) {
      g_free(t->pidfile);
      t->pidfile = g_strdup(*i + 8);
    } else if (!strcmp(*i, "fail=init")) {
      t->fail_init = true;
    } else {
      g_set_error(error, VFSD_ERROR, EINVAL,
                  "testhello: unknown argument '%s' (text=STRING, "
                  "pidfile=PATH, fail=init)", *i);
      g_strfreev(items);
      th_free(t);
      return NULL;
    }
  }
  g_strfreev(items);
  if (t->text == NULL)
    t->text = g_strdup("Hello World!\n");
  b = vfsd_backend_new(&th_ops, t, th_free, error);
  if (b == NULL)
    th_free(t);
  return b;
}

static const VfsdModuleInfo th_info = {
  VFSD_MODULE_INFO_INIT("testhello", "a read-only file 'hello' (for tests)"),
  .args_help = "text=STRING   the content of 'hello'\n"
               "pidfile=PATH  write the server's process id there\n"
               "fail=init     fail when the mount starts",
  .create = th_create,
};

VFSD_MODULE_EXPORT const VfsdModuleInfo *vfsd_module_init(uint32_t abi,
                                                          GError **error);

VFSD_MODULE_EXPORT const VfsdModuleInfo *
vfsd_module_init(uint32_t abi, GError **error)
{
  return &th_info;
}
