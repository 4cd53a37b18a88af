/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The choke point: every call into a backend passes through here (see
 * include/vfsd/call.h).  Each function finds the first level of the stack
 * that implements the operation, checks arguments, calls, checks the result
 * against the error convention and traces.  This file: lifecycle, names and
 * attributes; call-io.c: the rest. */
#include "call-private.h"

const VfsdCtx vfsd_root_ctx = { 0 };

bool
vfsd_mode_type_valid(uint32_t mode)
{
  switch (mode & S_IFMT) {
  case S_IFREG: case S_IFDIR: case S_IFLNK: case S_IFCHR: case S_IFBLK:
  case S_IFIFO: case S_IFSOCK:
    return true;
  default:
    return false;
  }
}

/* ---- lifecycle ---------------------------------------------------------*/

int
vfsd_call_init(VfsdBackend *b, VfsdInit *init)
{
  VfsdBackendPrivate *p = FIND(b, init, INIT);
  /* Needed only by a level that looks at it. */
  int r = p->ops.init || (p->hook_ops & VFSD_OP_BIT(VFSD_OP_INIT))
              ? NEED(init) : 0;
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
  ctx = CTX(ctx);
  int r = NEED(out) ?: NEED_INO(parent) ?: check_name(name);
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
  ctx = CTX(ctx);
  int r = NEED(out) ?: NEED_INO(ino);
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
  ctx = CTX(ctx);
  int r = NEED(attr) ?: NEED(out) ?: NEED_INO(ino) ?:
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
  ctx = CTX(ctx);
  ssize_t r = NEED(buf) ?: NEED_INO(ino);
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
  ctx = CTX(ctx);
  int r = NEED(out) ?: NEED_INO(parent) ?: check_name(name);
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
  ctx = CTX(ctx);
  int r = NEED(out) ?: NEED_INO(parent) ?: check_name(name) ?:
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
  ctx = CTX(ctx);
  int r = NEED_INO(parent) ?: check_name(name);
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
  ctx = CTX(ctx);
  int r = NEED_INO(parent) ?: check_name(name);
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
  ctx = CTX(ctx);
  int r = NEED(out) ?: NEED_INO(parent) ?: check_name(name);
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
  ctx = CTX(ctx);
  int r = NEED_INO(parent) ?: NEED_INO(newparent) ?:
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
  ctx = CTX(ctx);
  int r = NEED(out) ?: NEED_INO(ino) ?: NEED_INO(newparent) ?:
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
