/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The choke point: every call into a backend passes through here (see
 * include/vfsd/call.h).  Each function finds the first level of the stack
 * that implements the operation, checks arguments, calls, checks the result
 * against the error convention and traces. */
#include "call-private.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* The first level from @b down that implements the operation at @off, or
 * the bottom level when none does. */
static inline VfsdBackendPrivate *
find(VfsdBackend *b, size_t off)
{
  VfsdBackendPrivate *p = vfsd_backend_priv(b);
  for (;;) {
    void *fn = *(void **)((char *)&p->ops + off);
    if (fn != NULL || p->next == NULL)
      return p;
    p = vfsd_backend_priv(p->next);
  }
}
#define FIND(b, field) find((b), offsetof(VfsdOps, field))

#define TRACE(p, ...)                                                       \
  do {                                                                      \
    if (G_UNLIKELY(vfsd_debug_ops))                                         \
      vfsd_trace("%s " __VA_ARGS__);                                        \
  } while (0)
/* TRACE's format strings start with the backend name; callers pass it. */

#define DEFAULT(op) (vfsd_op_info[op].default_errno)

/* ---- lifecycle ---------------------------------------------------------*/

int
vfsd_call_init(VfsdBackend *b, VfsdInit *init)
{
  VfsdBackendPrivate *p = FIND(b, init);
  int r = NEED(init);
  if (r == 0 && p->ops.init)
    r = vfsd_check_int(p, VFSD_OP_INIT, p->ops.init(p->instance, init));
  TRACE(p, "init() = %d", p->name, r);
  return r;
}

void
vfsd_call_destroy(VfsdBackend *b)
{
  VfsdBackendPrivate *p = FIND(b, destroy);
  TRACE(p, "destroy()", p->name);
  if (p->ops.destroy)
    p->ops.destroy(p->instance);
}

void
vfsd_call_forget(VfsdBackend *b, uint64_t ino)
{
  VfsdBackendPrivate *p = FIND(b, forget);
  if (NEED_INO(ino) != 0)
    return;
  TRACE(p, "forget(%" PRIu64 ")", p->name, ino);
  if (p->ops.forget)
    p->ops.forget(p->instance, ino);
}

/* ---- names -------------------------------------------------------------*/

int
vfsd_call_lookup(VfsdBackend *b, const VfsdCtx *ctx, uint64_t parent,
                 const char *name, VfsdEntry *out)
{
  VfsdBackendPrivate *p = FIND(b, lookup);
  int r = NEED(ctx) ?: NEED(out) ?: NEED_INO(parent) ?: vfsd_check_name(name);
  if (r == 0)
    r = p->ops.lookup
            ? vfsd_check_entry(p, VFSD_OP_LOOKUP,
                          p->ops.lookup(p->instance, ctx, parent, name, out),
                          out, 0)
            : DEFAULT(VFSD_OP_LOOKUP);
  TRACE(p, "lookup(%" PRIu64 ", \"%s\") = %d ino=%" PRIu64, p->name, parent,
        name ? name : "(null)", r, r == 0 ? out->ino : 0);
  return r;
}

int
vfsd_call_getattr(VfsdBackend *b, const VfsdCtx *ctx, uint64_t ino,
                  uint64_t fh, VfsdAttr *out)
{
  VfsdBackendPrivate *p = FIND(b, getattr);
  int r = NEED(ctx) ?: NEED(out) ?: NEED_INO(ino);
  if (r == 0)
    r = p->ops.getattr
            ? vfsd_check_attr(p, VFSD_OP_GETATTR,
                         vfsd_check_int(p, VFSD_OP_GETATTR,
                                   p->ops.getattr(p->instance, ctx, ino, fh,
                                                  out)),
                         ino, out)
            : DEFAULT(VFSD_OP_GETATTR);
  TRACE(p, "getattr(%" PRIu64 ") = %d mode=0%o size=%" PRIu64, p->name, ino,
        r, r == 0 ? out->mode : 0, r == 0 ? out->size : 0);
  return r;
}

int
vfsd_call_setattr(VfsdBackend *b, const VfsdCtx *ctx, uint64_t ino,
                  uint64_t fh, const VfsdAttr *attr, uint32_t to_set,
                  VfsdAttr *out)
{
  VfsdBackendPrivate *p = FIND(b, setattr);
  int r = NEED(ctx) ?: NEED(attr) ?: NEED(out) ?: NEED_INO(ino) ?:
          vfsd_check_setattr(attr, to_set);
  if (r == 0)
    r = p->ops.setattr
            ? vfsd_check_attr(p, VFSD_OP_SETATTR,
                         vfsd_check_int(p, VFSD_OP_SETATTR,
                                   p->ops.setattr(p->instance, ctx, ino, fh,
                                                  attr, to_set, out)),
                         ino, out)
            : DEFAULT(VFSD_OP_SETATTR);
  TRACE(p, "setattr(%" PRIu64 ", set=0x%x) = %d", p->name, ino, to_set, r);
  return r;
}

ssize_t
vfsd_call_readlink(VfsdBackend *b, const VfsdCtx *ctx, uint64_t ino,
                   char *buf, size_t size)
{
  VfsdBackendPrivate *p = FIND(b, readlink);
  ssize_t r = NEED(ctx) ?: NEED(buf) ?: NEED_INO(ino);
  if (r == 0 && size == 0)
    r = -EINVAL;
  if (r == 0)
    r = p->ops.readlink
            ? vfsd_check_count(p, VFSD_OP_READLINK,
                          p->ops.readlink(p->instance, ctx, ino, buf, size),
                          size)
            : DEFAULT(VFSD_OP_READLINK);
  TRACE(p, "readlink(%" PRIu64 ") = %zd", p->name, ino, r);
  return r;
}

int
vfsd_call_mknod(VfsdBackend *b, const VfsdCtx *ctx, uint64_t parent,
                const char *name, uint32_t mode, uint64_t rdev,
                VfsdEntry *out)
{
  VfsdBackendPrivate *p = FIND(b, mknod);
  int r = NEED(ctx) ?: NEED(out) ?: NEED_INO(parent) ?: vfsd_check_name(name);
  if (r == 0 && !vfsd_mode_type_valid(mode))
    r = -EINVAL;
  if (r == 0)
    r = p->ops.mknod
            ? vfsd_check_entry(p, VFSD_OP_MKNOD,
                          p->ops.mknod(p->instance, ctx, parent, name, mode,
                                       rdev, out),
                          out, mode & S_IFMT)
            : DEFAULT(VFSD_OP_MKNOD);
  TRACE(p, "mknod(%" PRIu64 ", \"%s\", 0%o) = %d", p->name, parent,
        name ? name : "(null)", mode, r);
  return r;
}

int
vfsd_call_mkdir(VfsdBackend *b, const VfsdCtx *ctx, uint64_t parent,
                const char *name, uint32_t mode, VfsdEntry *out)
{
  VfsdBackendPrivate *p = FIND(b, mkdir);
  int r = NEED(ctx) ?: NEED(out) ?: NEED_INO(parent) ?: vfsd_check_name(name) ?:
          vfsd_check_type(mode, S_IFDIR);
  if (r == 0)
    r = p->ops.mkdir
            ? vfsd_check_entry(p, VFSD_OP_MKDIR,
                          p->ops.mkdir(p->instance, ctx, parent, name, mode,
                                       out),
                          out, S_IFDIR)
            : DEFAULT(VFSD_OP_MKDIR);
  TRACE(p, "mkdir(%" PRIu64 ", \"%s\", 0%o) = %d", p->name, parent,
        name ? name : "(null)", mode, r);
  return r;
}

int
vfsd_call_unlink(VfsdBackend *b, const VfsdCtx *ctx, uint64_t parent,
                 const char *name)
{
  VfsdBackendPrivate *p = FIND(b, unlink);
  int r = NEED(ctx) ?: NEED_INO(parent) ?: vfsd_check_name(name);
  if (r == 0)
    r = p->ops.unlink ? vfsd_check_int(p, VFSD_OP_UNLINK,
                                  p->ops.unlink(p->instance, ctx, parent, name))
                      : DEFAULT(VFSD_OP_UNLINK);
  TRACE(p, "unlink(%" PRIu64 ", \"%s\") = %d", p->name, parent,
        name ? name : "(null)", r);
  return r;
}

int
vfsd_call_rmdir(VfsdBackend *b, const VfsdCtx *ctx, uint64_t parent,
                const char *name)
{
  VfsdBackendPrivate *p = FIND(b, rmdir);
  int r = NEED(ctx) ?: NEED_INO(parent) ?: vfsd_check_name(name);
  if (r == 0)
    r = p->ops.rmdir ? vfsd_check_int(p, VFSD_OP_RMDIR,
                                 p->ops.rmdir(p->instance, ctx, parent, name))
                     : DEFAULT(VFSD_OP_RMDIR);
  TRACE(p, "rmdir(%" PRIu64 ", \"%s\") = %d", p->name, parent,
        name ? name : "(null)", r);
  return r;
}

int
vfsd_call_symlink(VfsdBackend *b, const VfsdCtx *ctx, const char *target,
                  uint64_t parent, const char *name, VfsdEntry *out)
{
  VfsdBackendPrivate *p = FIND(b, symlink);
  int r = NEED(ctx) ?: NEED(out) ?: NEED_INO(parent) ?: vfsd_check_name(name);
  if (r == 0 && (target == NULL || target[0] == '\0'))
    r = -ENOENT;
  else if (r == 0 && strlen(target) >= 4096)
    r = -ENAMETOOLONG;
  if (r == 0)
    r = p->ops.symlink
            ? vfsd_check_entry(p, VFSD_OP_SYMLINK,
                          p->ops.symlink(p->instance, ctx, target, parent,
                                         name, out),
                          out, S_IFLNK)
            : DEFAULT(VFSD_OP_SYMLINK);
  TRACE(p, "symlink(\"%s\", %" PRIu64 ", \"%s\") = %d", p->name,
        target ? target : "(null)", parent, name ? name : "(null)", r);
  return r;
}

int
vfsd_call_rename(VfsdBackend *b, const VfsdCtx *ctx, uint64_t parent,
                 const char *name, uint64_t newparent, const char *newname,
                 uint32_t flags)
{
  VfsdBackendPrivate *p = FIND(b, rename);
  int r = NEED(ctx) ?: NEED_INO(parent) ?: NEED_INO(newparent) ?:
          vfsd_check_name(name) ?: vfsd_check_name(newname);
  if (r == 0 && (flags & ~(uint32_t)(RENAME_NOREPLACE | RENAME_EXCHANGE |
                                     RENAME_WHITEOUT)))
    r = -EINVAL;
  if (r == 0 && (flags & RENAME_NOREPLACE) && (flags & RENAME_EXCHANGE))
    r = -EINVAL;
  if (r == 0)
    r = p->ops.rename
            ? vfsd_check_int(p, VFSD_OP_RENAME,
                        p->ops.rename(p->instance, ctx, parent, name,
                                      newparent, newname, flags))
            : DEFAULT(VFSD_OP_RENAME);
  TRACE(p, "rename(%" PRIu64 ", \"%s\", %" PRIu64 ", \"%s\", 0x%x) = %d",
        p->name, parent, name ? name : "(null)", newparent,
        newname ? newname : "(null)", flags, r);
  return r;
}

int
vfsd_call_link(VfsdBackend *b, const VfsdCtx *ctx, uint64_t ino,
               uint64_t newparent, const char *newname, VfsdEntry *out)
{
  VfsdBackendPrivate *p = FIND(b, link);
  int r = NEED(ctx) ?: NEED(out) ?: NEED_INO(ino) ?: NEED_INO(newparent) ?:
          vfsd_check_name(newname);
  if (r == 0)
    r = p->ops.link
            ? vfsd_check_entry(p, VFSD_OP_LINK,
                          p->ops.link(p->instance, ctx, ino, newparent,
                                      newname, out),
                          out, 0)
            : DEFAULT(VFSD_OP_LINK);
  if (r == 0 && out->ino != ino) {
    vfsd_log_backend_bug(p->self, "link",
                         "linked inode %" PRIu64 " but answered with inode "
                         "%" PRIu64, ino, out->ino);
    r = -EIO;
  }
  TRACE(p, "link(%" PRIu64 ", %" PRIu64 ", \"%s\") = %d", p->name, ino,
        newparent, newname ? newname : "(null)", r);
  return r;
}

/* ---- files -------------------------------------------------------------*/

int
vfsd_call_open(VfsdBackend *b, const VfsdCtx *ctx, uint64_t ino,
               VfsdOpenInfo *oi)
{
  VfsdBackendPrivate *p = FIND(b, open);
  int r = NEED(ctx) ?: NEED(oi) ?: NEED_INO(ino);
  if (r == 0)
    r = p->ops.open ? vfsd_check_int(p, VFSD_OP_OPEN,
                                p->ops.open(p->instance, ctx, ino, oi))
                    : DEFAULT(VFSD_OP_OPEN);
  TRACE(p, "open(%" PRIu64 ", 0%o) = %d fh=%" PRIu64, p->name, ino,
        oi ? oi->flags : 0, r, oi ? oi->fh : 0);
  return r;
}

int
vfsd_call_create(VfsdBackend *b, const VfsdCtx *ctx, uint64_t parent,
                 const char *name, uint32_t mode, VfsdOpenInfo *oi,
                 VfsdEntry *out)
{
  VfsdBackendPrivate *p = FIND(b, create);
  int r = NEED(ctx) ?: NEED(oi) ?: NEED(out) ?: NEED_INO(parent) ?:
          vfsd_check_name(name) ?: vfsd_check_type(mode, S_IFREG);
  if (r == 0)
    r = p->ops.create
            ? vfsd_check_entry(p, VFSD_OP_CREATE,
                          p->ops.create(p->instance, ctx, parent, name, mode,
                                        oi, out),
                          out, S_IFREG)
            : DEFAULT(VFSD_OP_CREATE);
  TRACE(p, "create(%" PRIu64 ", \"%s\", 0%o) = %d ino=%" PRIu64, p->name,
        parent, name ? name : "(null)", mode, r, r == 0 ? out->ino : 0);
  return r;
}

/* The first level that implements either read or read_iov. */
static VfsdBackendPrivate *
find_read(VfsdBackend *b)
{
  VfsdBackendPrivate *p = vfsd_backend_priv(b);
  while (p->ops.read == NULL && p->ops.read_iov == NULL && p->next)
    p = vfsd_backend_priv(p->next);
  return p;
}

ssize_t
vfsd_call_read(VfsdBackend *b, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
               char *buf, size_t size, int64_t off)
{
  VfsdBackendPrivate *p = find_read(b);
  ssize_t r = NEED(ctx) ?: NEED_BUF(buf, size) ?: NEED_INO(ino) ?:
              vfsd_check_range(off, 0, 0);
  if (r != 0)
    ;
  else if (p->ops.read)
    r = vfsd_check_count(p, VFSD_OP_READ,
                    p->ops.read(p->instance, ctx, ino, fh, buf, size, off),
                    size);
  else if (p->ops.read_iov) {
    VfsdReadBuf *rb = vfsd_read_buf_new(0);
    r = vfsd_call_read_iov(p->self, ctx, ino, fh, size, off, rb);
    if (r > 0)
      vfsd_read_buf_copy_out(rb, buf, (size_t)r);
    vfsd_read_buf_free(rb);
  } else
    r = DEFAULT(VFSD_OP_READ);
  TRACE(p, "read(%" PRIu64 ", fh=%" PRIu64 ", %zu, %" PRId64 ") = %zd",
        p->name, ino, fh, size, off, r);
  return r;
}

ssize_t
vfsd_call_read_iov(VfsdBackend *b, const VfsdCtx *ctx, uint64_t ino,
                   uint64_t fh, size_t size, int64_t off, VfsdReadBuf *rb)
{
  VfsdBackendPrivate *p = find_read(b);
  ssize_t r = NEED(ctx) ?: NEED(rb) ?: NEED_INO(ino) ?: vfsd_check_range(off, 0, 0);
  if (r != 0)
    ;
  else if (p->ops.read_iov) {
    r = vfsd_check_count(p, VFSD_OP_READ_IOV,
                    p->ops.read_iov(p->instance, ctx, ino, fh, size, off, rb),
                    size);
    if (r >= 0 && (rb->overflow || (size_t)r != rb->total)) {
      vfsd_log_backend_bug(p->self, "read_iov",
                           "returned %zd but its segments hold %zu bytes%s",
                           r, rb->total,
                           rb->overflow ? " (and too many segments)" : "");
      r = -EIO;
    }
  } else if (p->ops.read) {
    if (rb->scratch_size < size) {
      if (rb->scratch_owned)
        g_free(rb->scratch);
      rb->scratch = g_malloc(size ? size : 1);
      rb->scratch_size = size;
      rb->scratch_owned = true;
    }
    r = vfsd_check_count(p, VFSD_OP_READ,
                    p->ops.read(p->instance, ctx, ino, fh, rb->scratch, size,
                                off),
                    size);
    if (r > 0)
      vfsd_read_buf_add(rb, rb->scratch, (size_t)r);
  } else
    r = DEFAULT(VFSD_OP_READ_IOV);
  TRACE(p, "read_iov(%" PRIu64 ", fh=%" PRIu64 ", %zu, %" PRId64 ") = %zd",
        p->name, ino, fh, size, off, r);
  return r;
}

ssize_t
vfsd_call_write(VfsdBackend *b, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
                const char *buf, size_t size, int64_t off, uint32_t flags)
{
  VfsdBackendPrivate *p = FIND(b, write);
  ssize_t r = NEED(ctx) ?: NEED_BUF(buf, size) ?: NEED_INO(ino) ?:
              vfsd_check_range(off, size, -EFBIG);
  if (r == 0 && (flags & ~(uint32_t)VFSD_WRITE_CACHE))
    r = -EINVAL;
  if (r == 0)
    r = p->ops.write
            ? vfsd_check_count(p, VFSD_OP_WRITE,
                          p->ops.write(p->instance, ctx, ino, fh, buf, size,
                                       off, flags),
                          size)
            : DEFAULT(VFSD_OP_WRITE);
  TRACE(p, "write(%" PRIu64 ", fh=%" PRIu64 ", %zu, %" PRId64 ") = %zd",
        p->name, ino, fh, size, off, r);
  return r;
}

int
vfsd_call_flush(VfsdBackend *b, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
                uint64_t lock_owner)
{
  VfsdBackendPrivate *p = FIND(b, flush);
  int r = NEED(ctx) ?: NEED_INO(ino);
  if (r == 0)
    r = p->ops.flush
            ? vfsd_check_int(p, VFSD_OP_FLUSH,
                        p->ops.flush(p->instance, ctx, ino, fh, lock_owner))
            : DEFAULT(VFSD_OP_FLUSH);
  TRACE(p, "flush(%" PRIu64 ", fh=%" PRIu64 ") = %d", p->name, ino, fh, r);
  return r;
}

int
vfsd_call_release(VfsdBackend *b, const VfsdCtx *ctx, uint64_t ino,
                  uint64_t fh, int32_t flags)
{
  VfsdBackendPrivate *p = FIND(b, release);
  int r = NEED(ctx) ?: NEED_INO(ino);
  if (r == 0)
    r = p->ops.release
            ? vfsd_check_int(p, VFSD_OP_RELEASE,
                        p->ops.release(p->instance, ctx, ino, fh, flags))
            : DEFAULT(VFSD_OP_RELEASE);
  TRACE(p, "release(%" PRIu64 ", fh=%" PRIu64 ") = %d", p->name, ino, fh, r);
  return r;
}

int
vfsd_call_fsync(VfsdBackend *b, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
                int32_t datasync)
{
  VfsdBackendPrivate *p = FIND(b, fsync);
  int r = NEED(ctx) ?: NEED_INO(ino);
  if (r == 0)
    r = p->ops.fsync
            ? vfsd_check_int(p, VFSD_OP_FSYNC,
                        p->ops.fsync(p->instance, ctx, ino, fh, datasync))
            : DEFAULT(VFSD_OP_FSYNC);
  TRACE(p, "fsync(%" PRIu64 ", fh=%" PRIu64 ", %d) = %d", p->name, ino, fh,
        datasync, r);
  return r;
}

/* ---- directories -------------------------------------------------------*/

int
vfsd_call_opendir(VfsdBackend *b, const VfsdCtx *ctx, uint64_t ino,
                  VfsdOpenInfo *oi)
{
  VfsdBackendPrivate *p = FIND(b, opendir);
  int r = NEED(ctx) ?: NEED(oi) ?: NEED_INO(ino);
  if (r == 0)
    r = p->ops.opendir ? vfsd_check_int(p, VFSD_OP_OPENDIR,
                                   p->ops.opendir(p->instance, ctx, ino, oi))
                       : DEFAULT(VFSD_OP_OPENDIR);
  TRACE(p, "opendir(%" PRIu64 ") = %d fh=%" PRIu64, p->name, ino, r,
        oi ? oi->fh : 0);
  return r;
}

int
vfsd_call_readdir(VfsdBackend *b, const VfsdCtx *ctx, uint64_t ino,
                  uint64_t fh, int64_t off, VfsdDirFiller *filler)
{
  VfsdBackendPrivate *p = FIND(b, readdir);
  VfsdBackend *saved;
  int r = NEED(ctx) ?: NEED(filler) ?: NEED_INO(ino);
  if (r != 0)
    return r;
  saved = filler->backend;
  filler->backend = p->self;
  if (off < 0)
    r = -EINVAL;
  else if (p->ops.readdir) {
    r = vfsd_check_int(p, VFSD_OP_READDIR,
                  p->ops.readdir(p->instance, ctx, ino, fh, off, filler));
    if (r == 0 && filler->broken)
      r = -EIO;
  } else
    r = DEFAULT(VFSD_OP_READDIR);
  filler->backend = saved;
  TRACE(p, "readdir(%" PRIu64 ", fh=%" PRIu64 ", %" PRId64 ") = %d, %u "
        "entries", p->name, ino, fh, off, r, filler->added);
  return r;
}

int
vfsd_call_releasedir(VfsdBackend *b, const VfsdCtx *ctx, uint64_t ino,
                     uint64_t fh)
{
  VfsdBackendPrivate *p = FIND(b, releasedir);
  int r = NEED(ctx) ?: NEED_INO(ino);
  if (r == 0)
    r = p->ops.releasedir
            ? vfsd_check_int(p, VFSD_OP_RELEASEDIR,
                        p->ops.releasedir(p->instance, ctx, ino, fh))
            : DEFAULT(VFSD_OP_RELEASEDIR);
  TRACE(p, "releasedir(%" PRIu64 ", fh=%" PRIu64 ") = %d", p->name, ino, fh,
        r);
  return r;
}

int
vfsd_call_fsyncdir(VfsdBackend *b, const VfsdCtx *ctx, uint64_t ino,
                   uint64_t fh, int32_t datasync)
{
  VfsdBackendPrivate *p = FIND(b, fsyncdir);
  int r = NEED(ctx) ?: NEED_INO(ino);
  if (r == 0)
    r = p->ops.fsyncdir
            ? vfsd_check_int(p, VFSD_OP_FSYNCDIR,
                        p->ops.fsyncdir(p->instance, ctx, ino, fh, datasync))
            : DEFAULT(VFSD_OP_FSYNCDIR);
  TRACE(p, "fsyncdir(%" PRIu64 ") = %d", p->name, ino, r);
  return r;
}

int
vfsd_call_statfs(VfsdBackend *b, const VfsdCtx *ctx, uint64_t ino,
                 VfsdStatfs *out)
{
  VfsdBackendPrivate *p = FIND(b, statfs);
  int r = NEED(ctx) ?: NEED(out) ?: NEED_INO(ino);
  if (r != 0)
    ;
  else if (p->ops.statfs)
    r = vfsd_check_int(p, VFSD_OP_STATFS, p->ops.statfs(p->instance, ctx, ino, out));
  else
    vfsd_default_statfs(out);
  TRACE(p, "statfs(%" PRIu64 ") = %d", p->name, ino, r);
  return r;
}

/* ---- extended attributes -----------------------------------------------*/

#define XATTR_SIZE_MAX_BYTES 65536

int
vfsd_call_setxattr(VfsdBackend *b, const VfsdCtx *ctx, uint64_t ino,
                   const char *name, const char *value, size_t size,
                   int32_t flags)
{
  VfsdBackendPrivate *p = FIND(b, setxattr);
  int r = NEED(ctx) ?: NEED_BUF(value, size) ?: NEED_INO(ino) ?:
          vfsd_check_xattr_name(name);
  if (r == 0 && size > XATTR_SIZE_MAX_BYTES)
    r = -E2BIG;
  /* XATTR_CREATE (1) and XATTR_REPLACE (2), at most one of them. */
  if (r == 0 && (flags & ~3 || flags == 3))
    r = -EINVAL;
  if (r == 0)
    r = p->ops.setxattr
            ? vfsd_check_int(p, VFSD_OP_SETXATTR,
                        p->ops.setxattr(p->instance, ctx, ino, name, value,
                                        size, flags))
            : DEFAULT(VFSD_OP_SETXATTR);
  TRACE(p, "setxattr(%" PRIu64 ", \"%s\", %zu bytes, 0x%x) = %d", p->name,
        ino, name ? name : "(null)", size, flags, r);
  return r;
}

ssize_t
vfsd_call_getxattr(VfsdBackend *b, const VfsdCtx *ctx, uint64_t ino,
                   const char *name, char *buf, size_t size)
{
  VfsdBackendPrivate *p = FIND(b, getxattr);
  ssize_t r = NEED(ctx) ?: NEED_BUF(buf, size) ?: NEED_INO(ino) ?:
              vfsd_check_xattr_name(name);
  if (r == 0)
    r = p->ops.getxattr
            ? vfsd_check_count(p, VFSD_OP_GETXATTR,
                          p->ops.getxattr(p->instance, ctx, ino, name, buf,
                                          size),
                          size ? size : (size_t)G_MAXSSIZE)
            : DEFAULT(VFSD_OP_GETXATTR);
  TRACE(p, "getxattr(%" PRIu64 ", \"%s\", %zu) = %zd", p->name, ino,
        name ? name : "(null)", size, r);
  return r;
}

ssize_t
vfsd_call_listxattr(VfsdBackend *b, const VfsdCtx *ctx, uint64_t ino,
                    char *buf, size_t size)
{
  VfsdBackendPrivate *p = FIND(b, listxattr);
  ssize_t r = NEED(ctx) ?: NEED_BUF(buf, size) ?: NEED_INO(ino);
  if (r == 0)
    r = p->ops.listxattr
            ? vfsd_check_count(p, VFSD_OP_LISTXATTR,
                          p->ops.listxattr(p->instance, ctx, ino, buf, size),
                          size ? size : (size_t)G_MAXSSIZE)
            : DEFAULT(VFSD_OP_LISTXATTR);
  if (r > 0 && size > 0 && buf[r - 1] != '\0') {
    vfsd_log_backend_bug(p->self, "listxattr",
                         "the list does not end with a NUL byte");
    r = -EIO;
  }
  TRACE(p, "listxattr(%" PRIu64 ", %zu) = %zd", p->name, ino, size, r);
  return r;
}

int
vfsd_call_removexattr(VfsdBackend *b, const VfsdCtx *ctx, uint64_t ino,
                      const char *name)
{
  VfsdBackendPrivate *p = FIND(b, removexattr);
  int r = NEED(ctx) ?: NEED_INO(ino) ?: vfsd_check_xattr_name(name);
  if (r == 0)
    r = p->ops.removexattr
            ? vfsd_check_int(p, VFSD_OP_REMOVEXATTR,
                        p->ops.removexattr(p->instance, ctx, ino, name))
            : DEFAULT(VFSD_OP_REMOVEXATTR);
  TRACE(p, "removexattr(%" PRIu64 ", \"%s\") = %d", p->name, ino,
        name ? name : "(null)", r);
  return r;
}

/* ---- the rest ----------------------------------------------------------*/

int
vfsd_call_access(VfsdBackend *b, const VfsdCtx *ctx, uint64_t ino,
                 int32_t mask)
{
  VfsdBackendPrivate *p = FIND(b, access);
  int r = NEED(ctx) ?: NEED_INO(ino);
  if (r == 0 && (mask & ~(R_OK | W_OK | X_OK)))
    r = -EINVAL;
  if (r == 0)
    r = p->ops.access ? vfsd_check_int(p, VFSD_OP_ACCESS,
                                  p->ops.access(p->instance, ctx, ino, mask))
                      : DEFAULT(VFSD_OP_ACCESS);
  TRACE(p, "access(%" PRIu64 ", 0%o) = %d", p->name, ino, mask, r);
  return r;
}

int
vfsd_call_fallocate(VfsdBackend *b, const VfsdCtx *ctx, uint64_t ino,
                    uint64_t fh, int32_t mode, int64_t off, int64_t len)
{
  VfsdBackendPrivate *p = FIND(b, fallocate);
  int r = NEED(ctx) ?: NEED_INO(ino);
  if (r == 0 && len <= 0)
    r = -EINVAL;
  if (r == 0)
    r = vfsd_check_range(off, (uint64_t)len, -EFBIG);
  if (r == 0)
    r = p->ops.fallocate
            ? vfsd_check_int(p, VFSD_OP_FALLOCATE,
                        p->ops.fallocate(p->instance, ctx, ino, fh, mode, off,
                                         len))
            : DEFAULT(VFSD_OP_FALLOCATE);
  TRACE(p, "fallocate(%" PRIu64 ", 0x%x, %" PRId64 ", %" PRId64 ") = %d",
        p->name, ino, mode, off, len, r);
  return r;
}

int
vfsd_call_lseek(VfsdBackend *b, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
                int64_t off, int32_t whence, int64_t *out_off)
{
  VfsdBackendPrivate *p = FIND(b, lseek);
  int r = NEED(ctx) ?: NEED(out_off) ?: NEED_INO(ino);
  if (r == 0 && whence != SEEK_DATA && whence != SEEK_HOLE)
    r = -EINVAL;
  else if (r == 0 && off < 0)
    r = -ENXIO;
  if (r == 0)
    r = p->ops.lseek
            ? vfsd_check_int(p, VFSD_OP_LSEEK,
                        p->ops.lseek(p->instance, ctx, ino, fh, off, whence,
                                     out_off))
            : DEFAULT(VFSD_OP_LSEEK);
  if (r == 0 && *out_off < 0) {
    vfsd_log_backend_bug(p->self, "lseek", "gave the negative offset %" PRId64,
                         *out_off);
    r = -EIO;
  }
  TRACE(p, "lseek(%" PRIu64 ", %" PRId64 ", %d) = %d", p->name, ino, off,
        whence, r);
  return r;
}

ssize_t
vfsd_call_copy_file_range(VfsdBackend *b, const VfsdCtx *ctx, uint64_t ino_in,
                          uint64_t fh_in, int64_t off_in, uint64_t ino_out,
                          uint64_t fh_out, int64_t off_out, size_t len,
                          uint32_t flags)
{
  VfsdBackendPrivate *p = FIND(b, copy_file_range);
  ssize_t r = NEED(ctx) ?: NEED_INO(ino_in) ?: NEED_INO(ino_out) ?:
              vfsd_check_range(off_in, len, -EOVERFLOW) ?:
              vfsd_check_range(off_out, len, -EFBIG);
  if (r == 0 && flags != 0) /* copy_file_range(2) defines no flags */
    r = -EINVAL;
  if (r == 0)
    r = p->ops.copy_file_range
            ? vfsd_check_count(p, VFSD_OP_COPY_FILE_RANGE,
                          p->ops.copy_file_range(p->instance, ctx, ino_in,
                                                 fh_in, off_in, ino_out,
                                                 fh_out, off_out, len, flags),
                          len)
            : DEFAULT(VFSD_OP_COPY_FILE_RANGE);
  TRACE(p, "copy_file_range(%" PRIu64 "@%" PRId64 " -> %" PRIu64 "@%" PRId64
        ", %zu) = %zd", p->name, ino_in, off_in, ino_out, off_out, len, r);
  return r;
}

int
vfsd_call_getlk(VfsdBackend *b, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
                uint64_t lock_owner, struct flock *lock)
{
  VfsdBackendPrivate *p = FIND(b, getlk);
  int r = NEED(ctx) ?: NEED(lock) ?: NEED_INO(ino);
  if (r == 0)
    r = p->ops.getlk
            ? vfsd_check_int(p, VFSD_OP_GETLK,
                        p->ops.getlk(p->instance, ctx, ino, fh, lock_owner,
                                     lock))
            : DEFAULT(VFSD_OP_GETLK);
  TRACE(p, "getlk(%" PRIu64 ") = %d", p->name, ino, r);
  return r;
}

int
vfsd_call_setlk(VfsdBackend *b, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
                uint64_t lock_owner, const struct flock *lock, int32_t sleep)
{
  VfsdBackendPrivate *p = FIND(b, setlk);
  int r = NEED(ctx) ?: NEED(lock) ?: NEED_INO(ino);
  if (r == 0 && lock->l_type != F_RDLCK && lock->l_type != F_WRLCK &&
      lock->l_type != F_UNLCK)
    r = -EINVAL;
  if (r == 0)
    r = p->ops.setlk
            ? vfsd_check_int(p, VFSD_OP_SETLK,
                        p->ops.setlk(p->instance, ctx, ino, fh, lock_owner,
                                     lock, sleep))
            : DEFAULT(VFSD_OP_SETLK);
  TRACE(p, "setlk(%" PRIu64 ", type=%d, sleep=%d) = %d", p->name, ino,
        lock ? lock->l_type : -1, sleep, r);
  return r;
}

int
vfsd_call_flock(VfsdBackend *b, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
                uint64_t lock_owner, int32_t op)
{
  VfsdBackendPrivate *p = FIND(b, flock);
  int r = NEED(ctx) ?: NEED_INO(ino);
  int kind = op & ~LOCK_NB;
  if (r == 0 && kind != LOCK_SH && kind != LOCK_EX && kind != LOCK_UN)
    r = -EINVAL;
  if (r == 0)
    r = p->ops.flock
            ? vfsd_check_int(p, VFSD_OP_FLOCK,
                        p->ops.flock(p->instance, ctx, ino, fh, lock_owner,
                                     op))
            : DEFAULT(VFSD_OP_FLOCK);
  TRACE(p, "flock(%" PRIu64 ", %d) = %d", p->name, ino, op, r);
  return r;
}

int
vfsd_call_bmap(VfsdBackend *b, const VfsdCtx *ctx, uint64_t ino,
               uint64_t blocksize, uint64_t *idx)
{
  VfsdBackendPrivate *p = FIND(b, bmap);
  int r = NEED(ctx) ?: NEED(idx) ?: NEED_INO(ino);
  if (r == 0)
    r = p->ops.bmap ? vfsd_check_int(p, VFSD_OP_BMAP,
                                p->ops.bmap(p->instance, ctx, ino, blocksize,
                                            idx))
                    : DEFAULT(VFSD_OP_BMAP);
  TRACE(p, "bmap(%" PRIu64 ") = %d", p->name, ino, r);
  return r;
}

int
vfsd_call_ioctl(VfsdBackend *b, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
                uint32_t cmd, const void *in, size_t in_size, void *out,
                size_t *out_size)
{
  VfsdBackendPrivate *p = FIND(b, ioctl);
  size_t room;
  int r = NEED(ctx) ?: NEED(out_size) ?: NEED_BUF(in, in_size) ?:
          NEED_INO(ino);
  if (r != 0)
    return r;
  room = *out_size;
  r = NEED_BUF(out, room);
  if (r == 0 && p->ops.ioctl) {
    long v = p->ops.ioctl(p->instance, ctx, ino, fh, cmd, in, in_size, out,
                          out_size);
    r = v >= 0 ? (int)v : vfsd_check_int(p, VFSD_OP_IOCTL, v);
    if (r >= 0 && *out_size > room) {
      vfsd_log_backend_bug(p->self, "ioctl",
                           "wrote %zu bytes into room for %zu", *out_size,
                           room);
      r = -EIO;
    }
  } else if (r == 0)
    r = DEFAULT(VFSD_OP_IOCTL);
  if (r < 0)
    *out_size = 0;
  TRACE(p, "ioctl(%" PRIu64 ", 0x%x) = %d", p->name, ino, cmd, r);
  return r;
}

int
vfsd_call_poll(VfsdBackend *b, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
               uint32_t events, VfsdPollHandle *ph, uint32_t *revents)
{
  VfsdBackendPrivate *p = FIND(b, poll);
  int r = NEED(ctx) ?: NEED(revents) ?: NEED_INO(ino);
  if (r == 0 && p->ops.poll)
    /* From here on the backend owns @ph. */
    r = vfsd_check_int(p, VFSD_OP_POLL,
                  p->ops.poll(p->instance, ctx, ino, fh, events, ph, revents));
  else {
    if (r == 0)
      r = DEFAULT(VFSD_OP_POLL);
    if (ph)
      vfsd_poll_handle_free(ph);
  }
  TRACE(p, "poll(%" PRIu64 ", 0x%x) = %d", p->name, ino, events, r);
  return r;
}

bool
vfsd_backend_implements(VfsdBackend *b, VfsdOpId op)
{
  static const size_t offsets[VFSD_OP_COUNT] = {
#define O(id, f) [id] = offsetof(VfsdOps, f)
    O(VFSD_OP_INIT, init), O(VFSD_OP_DESTROY, destroy),
    O(VFSD_OP_LOOKUP, lookup), O(VFSD_OP_FORGET, forget),
    O(VFSD_OP_GETATTR, getattr), O(VFSD_OP_SETATTR, setattr),
    O(VFSD_OP_READLINK, readlink), O(VFSD_OP_MKNOD, mknod),
    O(VFSD_OP_MKDIR, mkdir), O(VFSD_OP_UNLINK, unlink),
    O(VFSD_OP_RMDIR, rmdir), O(VFSD_OP_SYMLINK, symlink),
    O(VFSD_OP_RENAME, rename), O(VFSD_OP_LINK, link), O(VFSD_OP_OPEN, open),
    O(VFSD_OP_CREATE, create), O(VFSD_OP_READ, read),
    O(VFSD_OP_READ_IOV, read_iov), O(VFSD_OP_WRITE, write),
    O(VFSD_OP_FLUSH, flush), O(VFSD_OP_RELEASE, release),
    O(VFSD_OP_FSYNC, fsync), O(VFSD_OP_OPENDIR, opendir),
    O(VFSD_OP_READDIR, readdir), O(VFSD_OP_RELEASEDIR, releasedir),
    O(VFSD_OP_FSYNCDIR, fsyncdir), O(VFSD_OP_STATFS, statfs),
    O(VFSD_OP_SETXATTR, setxattr), O(VFSD_OP_GETXATTR, getxattr),
    O(VFSD_OP_LISTXATTR, listxattr), O(VFSD_OP_REMOVEXATTR, removexattr),
    O(VFSD_OP_ACCESS, access), O(VFSD_OP_FALLOCATE, fallocate),
    O(VFSD_OP_LSEEK, lseek), O(VFSD_OP_COPY_FILE_RANGE, copy_file_range),
    O(VFSD_OP_GETLK, getlk), O(VFSD_OP_SETLK, setlk), O(VFSD_OP_FLOCK, flock),
    O(VFSD_OP_BMAP, bmap), O(VFSD_OP_IOCTL, ioctl), O(VFSD_OP_POLL, poll),
#undef O
  };
  VfsdBackendPrivate *p;
  g_return_val_if_fail(VFSD_IS_BACKEND(b), false);
  if ((unsigned)op >= VFSD_OP_COUNT)
    return false;
  if (op == VFSD_OP_READ || op == VFSD_OP_READ_IOV) {
    p = find_read(b);
    return p->ops.read != NULL || p->ops.read_iov != NULL;
  }
  p = find(b, offsets[op]);
  return *(void **)((char *)&p->ops + offsets[op]) != NULL;
}
