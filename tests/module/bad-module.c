/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Modules that go wrong, one per KIND_* macro (see tests/module/local.mk),
 * plus good ones built against older and newer headers.  Each describes a
 * backend named after its file: vfsd-NAME.so says NAME. */
#include <vfsd/vfsd.h>

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#ifndef NAME
#error NAME must be defined
#endif

static int
m_getattr(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
          VfsdAttr *a)
{
  if (ino == VFSD_ROOT_INO) {
    a->mode = S_IFDIR | 0755;
    a->nlink = 2;
    return 0;
  }
  if (ino != 2)
    return -ENOENT;
  a->mode = S_IFREG | 0644;
  a->nlink = 1;
  a->size = 2;
  return 0;
}

static int
m_lookup(void *self, const VfsdCtx *ctx, uint64_t parent, const char *name,
         VfsdEntry *e)
{
  if (parent != VFSD_ROOT_INO || strcmp(name, "f"))
    return -ENOENT;
  e->ino = 2;
  return m_getattr(self, ctx, 2, VFSD_NO_FH, &e->attr);
}

static ssize_t
m_read(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh, char *buf,
       size_t size, int64_t off)
{
  if (off >= 2)
    return 0;
  memcpy(buf, "ok" + off, MIN(size, 2 - (size_t)off));
  return (ssize_t)MIN(size, 2 - (size_t)off);
}

/* Must never be called: it lies beyond the table an old module declares. */
static ssize_t
m_write(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
        const char *buf, size_t size, int64_t off, uint32_t flags)
{
  return -EBADMSG;
}

/* A table large enough for the "newer header" case. */
static struct {
  VfsdOps ops;
  char newer_ops[64];
} table = {
  .ops = {
    VFSD_OPS_INIT(NAME, VFSD_THREAD_PARALLEL),
    .lookup = m_lookup, .getattr = m_getattr, .read = m_read,
    .write = m_write,
  },
};

static VfsdBackend *
m_create(const char *args, GError **error)
{
  if (!strcmp(args, "fail")) {
    g_set_error(error, VFSD_ERROR, EINVAL, NAME ": 'fail' is not a good "
                "argument");
    return NULL;
  }
#if defined(KIND_OLDOPS)
  /* Built against a header whose VfsdOps ended before write. */
  table.ops.struct_size = offsetof(VfsdOps, write);
#elif defined(KIND_NEWOPS)
  /* Built against a newer header of the same ABI: a longer table. */
  table.ops.struct_size = sizeof table;
  memset(table.newer_ops, 0xff, sizeof table.newer_ops);
#elif defined(KIND_FUTUREOPS)
  table.ops.abi_version = VFSD_ABI_VERSION + 1;
#endif
  return vfsd_backend_new(&table.ops, NULL, NULL, error);
}

static VfsdModuleInfo info = {
  VFSD_MODULE_INFO_INIT(NAME, "a module for the module tests"),
  .create = m_create,
};

#ifndef KIND_NOENTRY
VFSD_MODULE_EXPORT const VfsdModuleInfo *
vfsd_module_init(uint32_t abi_version, GError **error)
{
#if defined(KIND_FUTURE)
  info.abi_version = VFSD_MODULE_ABI_VERSION + 1;
#elif defined(KIND_FAILINIT)
  g_set_error(error, VFSD_ERROR, ENOPKG, "the frobnicator library is not "
              "installed");
  return NULL;
#elif defined(KIND_NULLINIT)
  return NULL;
#elif defined(KIND_WRONGNAME)
  info.name = "somebody-else";
#elif defined(KIND_NOCREATE)
  info.create = NULL;
#endif
  return &info;
}
#else
/* An entry point under another name. */
VFSD_MODULE_EXPORT const VfsdModuleInfo *vfsd_module_init_v0(uint32_t, GError **);
VFSD_MODULE_EXPORT const VfsdModuleInfo *
vfsd_module_init_v0(uint32_t abi_version, GError **error)
{
  return &info;
}
#endif
