/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The choke point: every call into a backend passes through here (see
 * include/vfsd/call.h).  Each function finds the first level of the stack
 * that implements the operation, checks arguments, calls, checks the result
 * against the error convention and traces.  This file: lifecycle, names,
 * files; call-misc.c: directories, xattrs and the rest. */
#include "call-private.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- lifecycle ---------------------------------------------------------*/

int
vfsd_call_init(VfsdBackend *b, VfsdInit *init)
{
  VfsdBackendPrivate *p = FIND(b, init, INIT);
  int r = NEED(init);
  if (r == 0)
    HOOK(p, INIT, .init = init);
  if (r == 0 && p->ops.init)
    r = check_int(p, VFSD_OP_INIT, p->ops.init(p->instance, init));
  TRACE(p, "init() = %d", p->name, r);
  return r;
}

void
vfsd_call_destroy(VfsdBackend *b)
{
  VfsdBackendPrivate *p = FIND(b, destroy, DESTROY);
  if (G_UNLIKELY(p->hook_ops & VFSD_OP_BIT(VFSD_OP_DESTROY))) {
    vfsd_hooks_run(p, &(VfsdCall){ .op = VFSD_OP_DESTROY });
    return;
  }
  TRACE(p, "destroy()", p->name);
  if (p->ops.destroy)
    p->ops.destroy(p->instance);
}

void
vfsd_call_forget(VfsdBackend *b, uint64_t ino)
{
  VfsdBackendPrivate *p = FIND(b, forget, FORGET);
  if (NEED_INO(ino) != 0)
    return;
  if (G_UNLIKELY(p->hook_ops & VFSD_OP_BIT(VFSD_OP_FORGET))) {
    vfsd_hooks_run(p, &(VfsdCall){ .op = VFSD_OP_FORGET, .ino = ino });
    return;
  }
  TRACE(p, "forget(%" PRIu64 ")", p->name, ino);
  if (p->ops.forget)
    p->ops.forget(p->instance, ino);
}

/* ---- names -------------------------------------------------------------*/

int
vfsd_call_lookup(VfsdBackend *b, const VfsdCtx *ctx, uint64_t parent,
                 const char *name, VfsdEntry *out)
{
  VfsdBackendPrivate *p = FIND(b, lookup, LOOKUP);
  int r = NEED(ctx) ?: NEED(out) ?: NEED_INO(parent) ?: check_name(name);
  if (r == 0)
    HOOK(p, LOOKUP, .ctx = ctx, .ino = parent, .name = name, .entry = out);
  if (r == 0)
    r = p->ops.lookup
            ? check_entry(p, VFSD_OP_LOOKUP,
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
  VfsdBackendPrivate *p = FIND(b, getattr, GETATTR);
  int r = NEED(ctx) ?: NEED(out) ?: NEED_INO(ino);
  if (r == 0)
    HOOK(p, GETATTR, .ctx = ctx, .ino = ino, .fh = fh, .attr = out);
  if (r == 0)
    r = p->ops.getattr
            ? check_attr(p, VFSD_OP_GETATTR,
                         check_int(p, VFSD_OP_GETATTR,
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
  VfsdBackendPrivate *p = FIND(b, setattr, SETATTR);
  int r = NEED(ctx) ?: NEED(attr) ?: NEED(out) ?: NEED_INO(ino) ?:
          check_setattr(attr, to_set);
  if (r == 0)
    HOOK(p, SETATTR, .ctx = ctx, .ino = ino, .fh = fh, .attr_in = attr,
         .flags = to_set, .attr = out);
  if (r == 0)
    r = p->ops.setattr
            ? check_attr(p, VFSD_OP_SETATTR,
                         check_int(p, VFSD_OP_SETATTR,
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
  VfsdBackendPrivate *p = FIND(b, readlink, READLINK);
  ssize_t r = NEED(ctx) ?: NEED(buf) ?: NEED_INO(ino);
  if (r == 0 && size == 0)
    r = -EINVAL;
  if (r == 0)
    HOOK(p, READLINK, .ctx = ctx, .ino = ino, .buf = buf, .size = size);
  if (r == 0)
    r = p->ops.readlink
            ? check_count(p, VFSD_OP_READLINK,
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
  VfsdBackendPrivate *p = FIND(b, mknod, MKNOD);
  int r = NEED(ctx) ?: NEED(out) ?: NEED_INO(parent) ?: check_name(name);
  if (r == 0 && !vfsd_mode_type_valid(mode))
    r = -EINVAL;
  if (r == 0)
    HOOK(p, MKNOD, .ctx = ctx, .ino = parent, .name = name, .mode = mode,
         .rdev = rdev, .entry = out);
  if (r == 0)
    r = p->ops.mknod
            ? check_entry(p, VFSD_OP_MKNOD,
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
  VfsdBackendPrivate *p = FIND(b, mkdir, MKDIR);
  int r = NEED(ctx) ?: NEED(out) ?: NEED_INO(parent) ?: check_name(name) ?:
          check_type(mode, S_IFDIR);
  if (r == 0)
    HOOK(p, MKDIR, .ctx = ctx, .ino = parent, .name = name, .mode = mode,
         .entry = out);
  if (r == 0)
    r = p->ops.mkdir
            ? check_entry(p, VFSD_OP_MKDIR,
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
  VfsdBackendPrivate *p = FIND(b, unlink, UNLINK);
  int r = NEED(ctx) ?: NEED_INO(parent) ?: check_name(name);
  if (r == 0)
    HOOK(p, UNLINK, .ctx = ctx, .ino = parent, .name = name);
  if (r == 0)
    r = p->ops.unlink ? check_int(p, VFSD_OP_UNLINK,
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
  VfsdBackendPrivate *p = FIND(b, rmdir, RMDIR);
  int r = NEED(ctx) ?: NEED_INO(parent) ?: check_name(name);
  if (r == 0)
    HOOK(p, RMDIR, .ctx = ctx, .ino = parent, .name = name);
  if (r == 0)
    r = p->ops.rmdir ? check_int(p, VFSD_OP_RMDIR,
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
  VfsdBackendPrivate *p = FIND(b, symlink, SYMLINK);
  int r = NEED(ctx) ?: NEED(out) ?: NEED_INO(parent) ?: check_name(name);
  if (r == 0 && (target == NULL || target[0] == '\0'))
    r = -ENOENT;
  else if (r == 0 && strlen(target) >= 4096)
    r = -ENAMETOOLONG;
  if (r == 0)
    HOOK(p, SYMLINK, .ctx = ctx, .ino = parent, .name = name,
         .name2 = target, .entry = out);
  if (r == 0)
    r = p->ops.symlink
            ? check_entry(p, VFSD_OP_SYMLINK,
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
  VfsdBackendPrivate *p = FIND(b, rename, RENAME);
  int r = NEED(ctx) ?: NEED_INO(parent) ?: NEED_INO(newparent) ?:
          check_name(name) ?: check_name(newname);
  if (r == 0 && (flags & ~(uint32_t)(RENAME_NOREPLACE | RENAME_EXCHANGE |
                                     RENAME_WHITEOUT)))
    r = -EINVAL;
  if (r == 0 && (flags & RENAME_NOREPLACE) && (flags & RENAME_EXCHANGE))
    r = -EINVAL;
  if (r == 0)
    HOOK(p, RENAME, .ctx = ctx, .ino = parent, .name = name,
         .ino2 = newparent, .name2 = newname, .flags = flags);
  if (r == 0)
    r = p->ops.rename
            ? check_int(p, VFSD_OP_RENAME,
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
  VfsdBackendPrivate *p = FIND(b, link, LINK);
  int r = NEED(ctx) ?: NEED(out) ?: NEED_INO(ino) ?: NEED_INO(newparent) ?:
          check_name(newname);
  if (r == 0)
    HOOK(p, LINK, .ctx = ctx, .ino = ino, .ino2 = newparent,
         .name2 = newname, .entry = out);
  if (r == 0)
    r = p->ops.link
            ? check_entry(p, VFSD_OP_LINK,
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
  VfsdBackendPrivate *p = FIND(b, open, OPEN);
  int r = NEED(ctx) ?: NEED(oi) ?: NEED_INO(ino);
  if (r == 0)
    HOOK(p, OPEN, .ctx = ctx, .ino = ino, .oi = oi);
  if (r == 0)
    r = p->ops.open ? check_int(p, VFSD_OP_OPEN,
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
  VfsdBackendPrivate *p = FIND(b, create, CREATE);
  int r = NEED(ctx) ?: NEED(oi) ?: NEED(out) ?: NEED_INO(parent) ?:
          check_name(name) ?: check_type(mode, S_IFREG);
  if (r == 0)
    HOOK(p, CREATE, .ctx = ctx, .ino = parent, .name = name, .mode = mode,
         .oi = oi, .entry = out);
  if (r == 0)
    r = p->ops.create
            ? check_entry(p, VFSD_OP_CREATE,
                          p->ops.create(p->instance, ctx, parent, name, mode,
                                        oi, out),
                          out, S_IFREG)
            : DEFAULT(VFSD_OP_CREATE);
  TRACE(p, "create(%" PRIu64 ", \"%s\", 0%o) = %d ino=%" PRIu64, p->name,
        parent, name ? name : "(null)", mode, r, r == 0 ? out->ino : 0);
  return r;
}

/* The first level that implements either read or read_iov, or hooks
 * them (when @hooks). */
static VfsdBackendPrivate *
find_read(VfsdBackend *b, bool hooks)
{
  VfsdBackendPrivate *p = vfsd_backend_priv(b);
  uint64_t bit = hooks ? VFSD_OP_BIT(VFSD_OP_READ) : 0;
  while (p->ops.read == NULL && p->ops.read_iov == NULL && p->next &&
         !(p->hook_ops & bit))
    p = vfsd_backend_priv(p->next);
  return p;
}

ssize_t
vfsd_call_read(VfsdBackend *b, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
               char *buf, size_t size, int64_t off)
{
  VfsdBackendPrivate *p = find_read(b, true);
  ssize_t r = NEED(ctx) ?: NEED_BUF(buf, size) ?: NEED_INO(ino) ?:
              check_range(off, 0, 0);
  if (r == 0)
    HOOK(p, READ, .ctx = ctx, .ino = ino, .fh = fh, .buf = buf, .size = size,
         .off = off);
  if (r != 0)
    ;
  else if (p->ops.read)
    r = check_count(p, VFSD_OP_READ,
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
  VfsdBackendPrivate *p = find_read(b, true);
  ssize_t r = NEED(ctx) ?: NEED(rb) ?: NEED_INO(ino) ?: check_range(off, 0, 0);
  if (r == 0)
    HOOK(p, READ_IOV, .ctx = ctx, .ino = ino, .fh = fh, .rb = rb,
         .size = size, .off = off);
  if (r != 0)
    ;
  else if (p->ops.read_iov) {
    r = check_count(p, VFSD_OP_READ_IOV,
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
    r = check_count(p, VFSD_OP_READ,
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
  VfsdBackendPrivate *p = FIND(b, write, WRITE);
  ssize_t r = NEED(ctx) ?: NEED_BUF(buf, size) ?: NEED_INO(ino) ?:
              check_range(off, size, -EFBIG);
  if (r == 0 && (flags & ~(uint32_t)VFSD_WRITE_CACHE))
    r = -EINVAL;
  if (r == 0)
    HOOK(p, WRITE, .ctx = ctx, .ino = ino, .fh = fh, .data = buf,
         .size = size, .off = off, .flags = flags);
  if (r == 0)
    r = p->ops.write
            ? check_count(p, VFSD_OP_WRITE,
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
  VfsdBackendPrivate *p = FIND(b, flush, FLUSH);
  int r = NEED(ctx) ?: NEED_INO(ino);
  if (r == 0)
    HOOK(p, FLUSH, .ctx = ctx, .ino = ino, .fh = fh, .lock_owner = lock_owner);
  if (r == 0)
    r = p->ops.flush
            ? check_int(p, VFSD_OP_FLUSH,
                        p->ops.flush(p->instance, ctx, ino, fh, lock_owner))
            : DEFAULT(VFSD_OP_FLUSH);
  TRACE(p, "flush(%" PRIu64 ", fh=%" PRIu64 ") = %d", p->name, ino, fh, r);
  return r;
}

int
vfsd_call_release(VfsdBackend *b, const VfsdCtx *ctx, uint64_t ino,
                  uint64_t fh, int32_t flags)
{
  VfsdBackendPrivate *p = FIND(b, release, RELEASE);
  int r = NEED(ctx) ?: NEED_INO(ino);
  if (r == 0)
    HOOK(p, RELEASE, .ctx = ctx, .ino = ino, .fh = fh,
         .flags = (uint32_t)flags);
  if (r == 0)
    r = p->ops.release
            ? check_int(p, VFSD_OP_RELEASE,
                        p->ops.release(p->instance, ctx, ino, fh, flags))
            : DEFAULT(VFSD_OP_RELEASE);
  TRACE(p, "release(%" PRIu64 ", fh=%" PRIu64 ") = %d", p->name, ino, fh, r);
  return r;
}

int
vfsd_call_fsync(VfsdBackend *b, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
                int32_t datasync)
{
  VfsdBackendPrivate *p = FIND(b, fsync, FSYNC);
  int r = NEED(ctx) ?: NEED_INO(ino);
  if (r == 0)
    HOOK(p, FSYNC, .ctx = ctx, .ino = ino, .fh = fh,
         .flags = (uint32_t)datasync);
  if (r == 0)
    r = p->ops.fsync
            ? check_int(p, VFSD_OP_FSYNC,
                        p->ops.fsync(p->instance, ctx, ino, fh, datasync))
            : DEFAULT(VFSD_OP_FSYNC);
  TRACE(p, "fsync(%" PRIu64 ", fh=%" PRIu64 ", %d) = %d", p->name, ino, fh,
        datasync, r);
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
    p = find_read(b, false);
    return p->ops.read != NULL || p->ops.read_iov != NULL;
  }
  p = find(b, offsets[op], 0); /* hooks implement nothing */
  return *(void **)((char *)&p->ops + offsets[op]) != NULL;
}
