/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The adapter: VfsdOps implemented by calling VfsdFilesystem's virtual
 * methods.  This half: results and errors, the mount's life, names and
 * attributes.  adapter-io.c: open files, directories, xattrs, locks. */
#include "gi-private.h"

#include <errno.h>
#include <gio/gio.h>
#include <string.h>

/* ---- results ------------------------------------------------------------*/

/* G_IO_ERROR codes that name an errno. */
static int
io_error_errno(int code)
{
  switch (code) {
  case G_IO_ERROR_NOT_FOUND: return ENOENT;
  case G_IO_ERROR_EXISTS: return EEXIST;
  case G_IO_ERROR_IS_DIRECTORY: return EISDIR;
  case G_IO_ERROR_NOT_DIRECTORY: return ENOTDIR;
  case G_IO_ERROR_NOT_EMPTY: return ENOTEMPTY;
  case G_IO_ERROR_NOT_REGULAR_FILE: return EINVAL;
  case G_IO_ERROR_NOT_SYMBOLIC_LINK: return EINVAL;
  case G_IO_ERROR_FILENAME_TOO_LONG: return ENAMETOOLONG;
  case G_IO_ERROR_INVALID_FILENAME: return EINVAL;
  case G_IO_ERROR_TOO_MANY_LINKS: return EMLINK;
  case G_IO_ERROR_NO_SPACE: return ENOSPC;
  case G_IO_ERROR_INVALID_ARGUMENT: return EINVAL;
  case G_IO_ERROR_PERMISSION_DENIED: return EACCES;
  case G_IO_ERROR_NOT_SUPPORTED: return EOPNOTSUPP;
  case G_IO_ERROR_CANCELLED: return EINTR;
  case G_IO_ERROR_READ_ONLY: return EROFS;
  case G_IO_ERROR_TIMED_OUT: return ETIMEDOUT;
  case G_IO_ERROR_BUSY: return EBUSY;
  case G_IO_ERROR_WOULD_BLOCK: return EAGAIN;
  case G_IO_ERROR_TOO_MANY_OPEN_FILES: return EMFILE;
  case G_IO_ERROR_NOT_CONNECTED: return ENOTCONN;
  case G_IO_ERROR_MESSAGE_TOO_LARGE: return EMSGSIZE;
  case G_IO_ERROR_NO_SUCH_DEVICE: return ENODEV;
  case G_IO_ERROR_BROKEN_PIPE: return EPIPE;
  default: return 0;
  }
}

/* G_FILE_ERROR codes that name an errno. */
static int
file_error_errno(int code)
{
  switch (code) {
  case G_FILE_ERROR_EXIST: return EEXIST;
  case G_FILE_ERROR_ISDIR: return EISDIR;
  case G_FILE_ERROR_ACCES: return EACCES;
  case G_FILE_ERROR_NAMETOOLONG: return ENAMETOOLONG;
  case G_FILE_ERROR_NOENT: return ENOENT;
  case G_FILE_ERROR_NOTDIR: return ENOTDIR;
  case G_FILE_ERROR_NXIO: return ENXIO;
  case G_FILE_ERROR_NODEV: return ENODEV;
  case G_FILE_ERROR_ROFS: return EROFS;
  case G_FILE_ERROR_TXTBSY: return ETXTBSY;
  case G_FILE_ERROR_FAULT: return EFAULT;
  case G_FILE_ERROR_LOOP: return ELOOP;
  case G_FILE_ERROR_NOSPC: return ENOSPC;
  case G_FILE_ERROR_NOMEM: return ENOMEM;
  case G_FILE_ERROR_MFILE: return EMFILE;
  case G_FILE_ERROR_NFILE: return ENFILE;
  case G_FILE_ERROR_BADF: return EBADF;
  case G_FILE_ERROR_INVAL: return EINVAL;
  case G_FILE_ERROR_PIPE: return EPIPE;
  case G_FILE_ERROR_AGAIN: return EAGAIN;
  case G_FILE_ERROR_INTR: return EINTR;
  case G_FILE_ERROR_IO: return EIO;
  case G_FILE_ERROR_PERM: return EPERM;
  case G_FILE_ERROR_NOSYS: return ENOSYS;
  default: return 0;
  }
}

int
vfsd_fs_result(VfsdFilesystem *fs, const char *op, gboolean ok, GError *err)
{
  int e = 0;
  if (G_LIKELY(err == NULL)) {
    if (G_LIKELY(ok))
      return 0;
    vfsd_log_backend_bug(VFSD_BACKEND(fs), op,
                         "returned FALSE or NULL without setting an error");
    return -EIO;
  }
  /* The error wins over the return value. */
  if (G_LIKELY(err->domain == VFSD_ERROR)) {
    if (err->code > 0 && err->code < 4096)
      e = err->code;
    else
      vfsd_log_backend_bug(VFSD_BACKEND(fs), op,
                           "failed with VFSD_ERROR code %d, which is not an "
                           "errno (%s)", err->code, err->message);
  } else {
    if (err->domain == G_IO_ERROR)
      e = io_error_errno(err->code);
    else if (err->domain == G_FILE_ERROR)
      e = file_error_errno(err->code);
    if (e == 0)
      vfsd_log_backend_bug(VFSD_BACKEND(fs), op,
                           "failed with an error of domain %s, code %d (%s); "
                           "use the VFSD_ERROR domain, whose codes are errnos",
                           g_quark_to_string(err->domain), err->code,
                           err->message);
  }
  g_error_free(err);
  return -(e ? e : EIO);
}

/* Entries: a binding returns a whole structure, overwriting the library's
 * presets; negative (or NaN) timeouts ask for them back. */
typedef struct {
  double entry_timeout;
  double attr_timeout;
} EntryPreset;

static inline void
entry_preset_save(EntryPreset *p, const VfsdEntry *e)
{
  p->entry_timeout = e->entry_timeout;
  p->attr_timeout = e->attr_timeout;
}

static inline void
entry_fix(VfsdEntry *e, const EntryPreset *p)
{
  if (!(e->entry_timeout >= 0))
    e->entry_timeout = p->entry_timeout;
  if (!(e->attr_timeout >= 0))
    e->attr_timeout = p->attr_timeout;
  if (e->ino == 0)
    e->ino = e->attr.ino;
  if (e->attr.ino == 0)
    e->attr.ino = e->ino;
}

/* ---- the mount's life ---------------------------------------------------*/

static int
fs_init(void *self, VfsdInit *init)
{
  int r = 0;
  FS_BEGIN(self, NULL);
  vfsd_filesystem_set_mount(fs, init->mount);
  ok = TRUE;
  if (klass->init)
    ok = klass->init(fs, init, &err);
  r = FS_END("init");
  if (r != 0)
    vfsd_filesystem_set_mount(fs, NULL);
  return r;
}

static void
fs_destroy(void *self)
{
  FS_BEGIN(self, NULL);
  ok = TRUE;
  if (klass->destroy)
    ok = klass->destroy(fs, &err);
  (void)FS_END("destroy");
  vfsd_filesystem_set_mount(fs, NULL);
}

static void
fs_forget(void *self, uint64_t ino)
{
  FS_BEGIN(self, NULL);
  ok = klass->forget(fs, ino, &err);
  (void)FS_END("forget");
}

/* ---- names and attributes -----------------------------------------------*/

static int
fs_lookup(void *self, const VfsdCtx *ctx, uint64_t parent, const char *name,
          VfsdEntry *out)
{
  EntryPreset pre;
  int r;
  FS_UTF8_OR(name, ENOENT);
  FS_BEGIN(self, ctx);
  if (klass->lookup == NULL) {
    vfsd_fs_call_leave(&call_);
    return -ENOSYS;
  }
  entry_preset_save(&pre, out);
  ok = klass->lookup(fs, parent, name, out, &err);
  r = FS_END("lookup");
  if (r == 0)
    entry_fix(out, &pre);
  return r;
}

static int
fs_getattr(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
           VfsdAttr *out)
{
  FS_BEGIN(self, ctx);
  if (klass->getattr == NULL) {
    vfsd_fs_call_leave(&call_);
    return -ENOSYS;
  }
  ok = klass->getattr(fs, ino, fh, out, &err);
  return FS_END("getattr");
}

static int
fs_setattr(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
           const VfsdAttr *attr, uint32_t to_set, VfsdAttr *out)
{
  FS_BEGIN(self, ctx);
  ok = klass->setattr(fs, ino, fh, attr, to_set, out, &err);
  return FS_END("setattr");
}

static ssize_t
fs_readlink(void *self, const VfsdCtx *ctx, uint64_t ino, char *buf,
            size_t size)
{
  char *target;
  size_t n;
  int r;
  FS_BEGIN(self, ctx);
  target = klass->readlink(fs, ino, &err);
  ok = target != NULL;
  r = FS_END("readlink");
  if (r != 0) {
    g_free(target);
    return r;
  }
  n = strlen(target);
  if (n > size) {
    g_free(target);
    return -ENAMETOOLONG;
  }
  memcpy(buf, target, n);
  g_free(target);
  return (ssize_t)n;
}

static int
fs_mknod(void *self, const VfsdCtx *ctx, uint64_t parent, const char *name,
         uint32_t mode, uint64_t rdev, VfsdEntry *out)
{
  EntryPreset pre;
  int r;
  FS_UTF8_OR(name, EILSEQ);
  FS_BEGIN(self, ctx);
  entry_preset_save(&pre, out);
  ok = klass->mknod(fs, parent, name, mode, rdev, out, &err);
  r = FS_END("mknod");
  if (r == 0)
    entry_fix(out, &pre);
  return r;
}

static int
fs_mkdir(void *self, const VfsdCtx *ctx, uint64_t parent, const char *name,
         uint32_t mode, VfsdEntry *out)
{
  EntryPreset pre;
  int r;
  FS_UTF8_OR(name, EILSEQ);
  FS_BEGIN(self, ctx);
  entry_preset_save(&pre, out);
  ok = klass->mkdir(fs, parent, name, mode, out, &err);
  r = FS_END("mkdir");
  if (r == 0)
    entry_fix(out, &pre);
  return r;
}

static int
fs_unlink(void *self, const VfsdCtx *ctx, uint64_t parent, const char *name)
{
  FS_UTF8_OR(name, ENOENT);
  FS_BEGIN(self, ctx);
  ok = klass->unlink(fs, parent, name, &err);
  return FS_END("unlink");
}

static int
fs_rmdir(void *self, const VfsdCtx *ctx, uint64_t parent, const char *name)
{
  FS_UTF8_OR(name, ENOENT);
  FS_BEGIN(self, ctx);
  ok = klass->rmdir(fs, parent, name, &err);
  return FS_END("rmdir");
}

static int
fs_symlink(void *self, const VfsdCtx *ctx, const char *target,
           uint64_t parent, const char *name, VfsdEntry *out)
{
  EntryPreset pre;
  int r;
  FS_UTF8_OR(name, EILSEQ);
  FS_UTF8_OR(target, EILSEQ);
  FS_BEGIN(self, ctx);
  entry_preset_save(&pre, out);
  ok = klass->symlink(fs, target, parent, name, out, &err);
  r = FS_END("symlink");
  if (r == 0)
    entry_fix(out, &pre);
  return r;
}

static int
fs_rename(void *self, const VfsdCtx *ctx, uint64_t parent, const char *name,
          uint64_t newparent, const char *newname, uint32_t flags)
{
  FS_UTF8_OR(name, ENOENT);
  FS_UTF8_OR(newname, EILSEQ);
  FS_BEGIN(self, ctx);
  ok = klass->rename(fs, parent, name, newparent, newname, flags, &err);
  return FS_END("rename");
}

static int
fs_link(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t newparent,
        const char *newname, VfsdEntry *out)
{
  EntryPreset pre;
  int r;
  FS_UTF8_OR(newname, EILSEQ);
  FS_BEGIN(self, ctx);
  entry_preset_save(&pre, out);
  ok = klass->link(fs, ino, newparent, newname, out, &err);
  r = FS_END("link");
  if (r == 0)
    entry_fix(out, &pre);
  return r;
}

static int
fs_create(void *self, const VfsdCtx *ctx, uint64_t parent, const char *name,
          uint32_t mode, VfsdOpenInfo *oi, VfsdEntry *out)
{
  EntryPreset pre;
  int r;
  FS_UTF8_OR(name, EILSEQ);
  FS_BEGIN(self, ctx);
  entry_preset_save(&pre, out);
  ok = klass->create(fs, parent, name, mode, oi, out, &err);
  r = FS_END("create");
  if (r == 0)
    entry_fix(out, &pre);
  return r;
}

static int
fs_statfs(void *self, const VfsdCtx *ctx, uint64_t ino, VfsdStatfs *out)
{
  FS_BEGIN(self, ctx);
  ok = klass->statfs(fs, ino, out, &err);
  return FS_END("statfs");
}

void
vfsd_fs_adapter_fill(VfsdOps *ops, const VfsdFilesystemClass *klass)
{
  /* Always: the library needs lookup and getattr; init and destroy track
   * the mount. */
  ops->init = fs_init;
  ops->destroy = fs_destroy;
  ops->lookup = fs_lookup;
  ops->getattr = fs_getattr;
#define SET(f) if (klass->f) ops->f = fs_##f
  SET(forget);
  SET(setattr);
  SET(readlink);
  SET(mknod);
  SET(mkdir);
  SET(unlink);
  SET(rmdir);
  SET(symlink);
  SET(rename);
  SET(link);
  SET(create);
  SET(statfs);
#undef SET
  vfsd_fs_adapter_fill_io(ops, klass);
}
