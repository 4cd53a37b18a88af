/* SPDX-License-Identifier: MIT */
/* A backend module built out of tree: `vfsd mount example:TEXT MNT` serves
 * one read-only file, "message", holding TEXT and a newline; `example:`
 * alone says hello.  Build it with the Makefile beside it (pkg-config
 * vfsd), put vfsd-example.so on VFSD_MODULE_PATH or in
 * `pkg-config --variable=moduledir vfsd`.  doc/backend-guide-modules.md
 * walks through it. */
#include <vfsd/vfsd.h>

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

enum { MESSAGE = 2 };

typedef struct {
  char *text; /* the file's contents */
  size_t len;
} Example;

static int
ex_getattr(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
           VfsdAttr *a)
{
  Example *ex = self;
  if (ino == VFSD_ROOT_INO) {
    a->mode = S_IFDIR | 0555;
    a->nlink = 2;
  } else if (ino == MESSAGE) {
    a->mode = S_IFREG | 0444;
    a->nlink = 1;
    a->size = ex->len;
  } else
    return -ENOENT;
  return 0;
}

static int
ex_lookup(void *self, const VfsdCtx *ctx, uint64_t parent, const char *name,
          VfsdEntry *e)
{
  if (parent != VFSD_ROOT_INO || strcmp(name, "message") != 0)
    return -ENOENT;
  e->ino = MESSAGE;
  return ex_getattr(self, ctx, MESSAGE, VFSD_NO_FH, &e->attr);
}

static int
ex_readdir(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
           int64_t off, VfsdDirFiller *f)
{
  static const char *const names[] = { ".", "..", "message" };
  for (int64_t i = off; i < 3; i++)
    if (!vfsd_dir_add(f, names[i], i < 2 ? VFSD_ROOT_INO : MESSAGE,
                      i < 2 ? S_IFDIR : S_IFREG, i + 1))
      break;
  return 0;
}

static int
ex_open(void *self, const VfsdCtx *ctx, uint64_t ino, VfsdOpenInfo *oi)
{
  return (oi->flags & O_ACCMODE) == O_RDONLY ? 0 : -EACCES;
}

static ssize_t
ex_read(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh, char *buf,
        size_t size, int64_t off)
{
  Example *ex = self;
  size_t n;
  if ((uint64_t)off >= ex->len)
    return 0;
  n = MIN(size, ex->len - (size_t)off);
  memcpy(buf, ex->text + off, n);
  return (ssize_t)n;
}

static const VfsdOps ex_ops = {
  VFSD_OPS_INIT("example", VFSD_THREAD_PARALLEL),
  .flags = VFSD_BACKEND_STABLE_DIR_OFFSETS,
  .lookup = ex_lookup, .getattr = ex_getattr, .readdir = ex_readdir,
  .open = ex_open, .read = ex_read,
};

static void
ex_free(void *data)
{
  Example *ex = data;
  g_free(ex->text);
  g_free(ex);
}

/* Makes an instance from the text after "example:". */
static VfsdBackend *
ex_create(const char *args, GError **error)
{
  Example *ex;
  VfsdBackend *b;
  if (strlen(args) > 4096) {
    g_set_error(error, VFSD_ERROR, EINVAL,
                "example: the text is longer than 4096 bytes");
    return NULL;
  }
  ex = g_new0(Example, 1);
  ex->text = g_strdup_printf("%s\n", *args ? args : "Hello from a module!");
  ex->len = strlen(ex->text);
  b = vfsd_backend_new(&ex_ops, ex, ex_free, error);
  if (b == NULL)
    ex_free(ex);
  return b;
}

static const VfsdModuleInfo ex_info = {
  VFSD_MODULE_INFO_INIT("example", "one read-only file holding a message"),
  .args_help = "TEXT             what the file \"message\" holds",
  .create = ex_create,
};

VFSD_MODULE_EXPORT const VfsdModuleInfo *
vfsd_module_init(uint32_t abi_version, GError **error)
{
  return &ex_info;
}
