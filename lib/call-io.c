/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The choke point, continued (see call.c): files, directories, extended
 * attributes and the remaining operations. */
#include "call-private.h"

/* ---- files -------------------------------------------------------------*/

int
vfsd_call_open(VfsdBackend *b, const VfsdCtx *ctx, uint64_t ino,
               VfsdOpenInfo *oi)
{
  VfsdBackendPrivate *p = FIND(b, open, OPEN);
  ctx = CTX(ctx);
  int r = NEED(oi) ?: NEED_INO(ino);
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
  ctx = CTX(ctx);
  int r = NEED(oi) ?: NEED(out) ?: NEED_INO(parent) ?:
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
  ctx = CTX(ctx);
  ssize_t r = NEED_BUF(buf, size) ?: NEED_INO(ino) ?:
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
  ctx = CTX(ctx);
  ssize_t r = NEED(rb) ?: NEED_INO(ino) ?: check_range(off, 0, 0);
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
  ctx = CTX(ctx);
  ssize_t r = NEED_BUF(buf, size) ?: NEED_INO(ino) ?:
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
  ctx = CTX(ctx);
  int r = NEED_INO(ino);
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
  ctx = CTX(ctx);
  int r = NEED_INO(ino);
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
  ctx = CTX(ctx);
  int r = NEED_INO(ino);
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

/* ---- directories -------------------------------------------------------*/

int
vfsd_call_opendir(VfsdBackend *b, const VfsdCtx *ctx, uint64_t ino,
                  VfsdOpenInfo *oi)
{
  VfsdBackendPrivate *p = FIND(b, opendir, OPENDIR);
  ctx = CTX(ctx);
  int r = NEED(oi) ?: NEED_INO(ino);
  if (r == 0)
    HOOK(p, OPENDIR, .ctx = ctx, .ino = ino, .oi = oi);
  if (r == 0)
    r = p->ops.opendir ? check_int(p, VFSD_OP_OPENDIR,
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
  VfsdBackendPrivate *p = FIND(b, readdir, READDIR);
  ctx = CTX(ctx);
  VfsdBackend *saved;
  int r = NEED(filler) ?: NEED_INO(ino);
  if (r != 0)
    return r;
  if (off >= 0)
    HOOK(p, READDIR, .ctx = ctx, .ino = ino, .fh = fh, .off = off,
         .filler = filler);
  saved = filler->backend;
  filler->backend = p->self;
  if (off < 0)
    r = -EINVAL;
  else if (p->ops.readdir) {
    r = check_int(p, VFSD_OP_READDIR,
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
  VfsdBackendPrivate *p = FIND(b, releasedir, RELEASEDIR);
  ctx = CTX(ctx);
  int r = NEED_INO(ino);
  if (r == 0)
    HOOK(p, RELEASEDIR, .ctx = ctx, .ino = ino, .fh = fh);
  if (r == 0)
    r = p->ops.releasedir
            ? check_int(p, VFSD_OP_RELEASEDIR,
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
  VfsdBackendPrivate *p = FIND(b, fsyncdir, FSYNCDIR);
  ctx = CTX(ctx);
  int r = NEED_INO(ino);
  if (r == 0)
    HOOK(p, FSYNCDIR, .ctx = ctx, .ino = ino, .fh = fh,
         .flags = (uint32_t)datasync);
  if (r == 0)
    r = p->ops.fsyncdir
            ? check_int(p, VFSD_OP_FSYNCDIR,
                        p->ops.fsyncdir(p->instance, ctx, ino, fh, datasync))
            : DEFAULT(VFSD_OP_FSYNCDIR);
  TRACE(p, "fsyncdir(%" PRIu64 ") = %d", p->name, ino, r);
  return r;
}

int
vfsd_call_statfs(VfsdBackend *b, const VfsdCtx *ctx, uint64_t ino,
                 VfsdStatfs *out)
{
  VfsdBackendPrivate *p = FIND(b, statfs, STATFS);
  ctx = CTX(ctx);
  int r = NEED(out) ?: NEED_INO(ino);
  if (r == 0)
    HOOK(p, STATFS, .ctx = ctx, .ino = ino, .statfs = out);
  if (r != 0)
    ;
  else if (p->ops.statfs)
    r = check_int(p, VFSD_OP_STATFS, p->ops.statfs(p->instance, ctx, ino, out));
  else
    vfsd_default_statfs(out);
  TRACE(p, "statfs(%" PRIu64 ") = %d", p->name, ino, r);
  return r;
}

/* ---- extended attributes -----------------------------------------------*/

#define XATTR_SIZE_MAX_BYTES 65536

static int
check_xattr_name(const char *name)
{
  if (name == NULL || name[0] == '\0')
    return -EINVAL;
  if (strlen(name) > 255)
    return -ERANGE;
  return 0;
}

int
vfsd_call_setxattr(VfsdBackend *b, const VfsdCtx *ctx, uint64_t ino,
                   const char *name, const char *value, size_t size,
                   int32_t flags)
{
  VfsdBackendPrivate *p = FIND(b, setxattr, SETXATTR);
  ctx = CTX(ctx);
  int r = NEED_BUF(value, size) ?: NEED_INO(ino) ?:
          check_xattr_name(name);
  if (r == 0 && size > XATTR_SIZE_MAX_BYTES)
    r = -E2BIG;
  /* XATTR_CREATE (1) and XATTR_REPLACE (2), at most one of them. */
  if (r == 0 && (flags & ~3 || flags == 3))
    r = -EINVAL;
  if (r == 0)
    HOOK(p, SETXATTR, .ctx = ctx, .ino = ino, .name = name, .data = value,
         .size = size, .flags = (uint32_t)flags);
  if (r == 0)
    r = p->ops.setxattr
            ? check_int(p, VFSD_OP_SETXATTR,
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
  VfsdBackendPrivate *p = FIND(b, getxattr, GETXATTR);
  ctx = CTX(ctx);
  ssize_t r = NEED_BUF(buf, size) ?: NEED_INO(ino) ?:
              check_xattr_name(name);
  if (r == 0)
    HOOK(p, GETXATTR, .ctx = ctx, .ino = ino, .name = name, .buf = buf,
         .size = size);
  if (r == 0)
    r = p->ops.getxattr
            ? check_count(p, VFSD_OP_GETXATTR,
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
  VfsdBackendPrivate *p = FIND(b, listxattr, LISTXATTR);
  ctx = CTX(ctx);
  ssize_t r = NEED_BUF(buf, size) ?: NEED_INO(ino);
  if (r == 0)
    HOOK(p, LISTXATTR, .ctx = ctx, .ino = ino, .buf = buf, .size = size);
  if (r == 0)
    r = p->ops.listxattr
            ? check_count(p, VFSD_OP_LISTXATTR,
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
  VfsdBackendPrivate *p = FIND(b, removexattr, REMOVEXATTR);
  ctx = CTX(ctx);
  int r = NEED_INO(ino) ?: check_xattr_name(name);
  if (r == 0)
    HOOK(p, REMOVEXATTR, .ctx = ctx, .ino = ino, .name = name);
  if (r == 0)
    r = p->ops.removexattr
            ? check_int(p, VFSD_OP_REMOVEXATTR,
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
  VfsdBackendPrivate *p = FIND(b, access, ACCESS);
  ctx = CTX(ctx);
  int r = NEED_INO(ino);
  if (r == 0 && (mask & ~(R_OK | W_OK | X_OK)))
    r = -EINVAL;
  if (r == 0)
    HOOK(p, ACCESS, .ctx = ctx, .ino = ino, .flags = (uint32_t)mask);
  if (r == 0)
    r = p->ops.access ? check_int(p, VFSD_OP_ACCESS,
                                  p->ops.access(p->instance, ctx, ino, mask))
                      : DEFAULT(VFSD_OP_ACCESS);
  TRACE(p, "access(%" PRIu64 ", 0%o) = %d", p->name, ino, mask, r);
  return r;
}

int
vfsd_call_fallocate(VfsdBackend *b, const VfsdCtx *ctx, uint64_t ino,
                    uint64_t fh, int32_t mode, int64_t off, int64_t len)
{
  VfsdBackendPrivate *p = FIND(b, fallocate, FALLOCATE);
  ctx = CTX(ctx);
  int r = NEED_INO(ino);
  if (r == 0 && len <= 0)
    r = -EINVAL;
  if (r == 0)
    r = check_range(off, (uint64_t)len, -EFBIG);
  if (r == 0)
    HOOK(p, FALLOCATE, .ctx = ctx, .ino = ino, .fh = fh,
         .flags = (uint32_t)mode, .off = off, .size = (uint64_t)len);
  if (r == 0)
    r = p->ops.fallocate
            ? check_int(p, VFSD_OP_FALLOCATE,
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
  VfsdBackendPrivate *p = FIND(b, lseek, LSEEK);
  ctx = CTX(ctx);
  int r = NEED(out_off) ?: NEED_INO(ino);
  if (r == 0 && whence != SEEK_DATA && whence != SEEK_HOLE)
    r = -EINVAL;
  else if (r == 0 && off < 0)
    r = -ENXIO;
  if (r == 0)
    HOOK(p, LSEEK, .ctx = ctx, .ino = ino, .fh = fh, .off = off,
         .flags = (uint32_t)whence, .out_off = out_off);
  if (r == 0)
    r = p->ops.lseek
            ? check_int(p, VFSD_OP_LSEEK,
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
  VfsdBackendPrivate *p = FIND(b, copy_file_range, COPY_FILE_RANGE);
  ctx = CTX(ctx);
  ssize_t r = NEED_INO(ino_in) ?: NEED_INO(ino_out) ?:
              check_range(off_in, len, -EOVERFLOW) ?:
              check_range(off_out, len, -EFBIG);
  if (r == 0 && flags != 0) /* copy_file_range(2) defines no flags */
    r = -EINVAL;
  if (r == 0)
    HOOK(p, COPY_FILE_RANGE, .ctx = ctx, .ino = ino_in, .fh = fh_in,
         .off = off_in, .ino2 = ino_out, .fh2 = fh_out, .off2 = off_out,
         .size = len, .flags = flags);
  if (r == 0)
    r = p->ops.copy_file_range
            ? check_count(p, VFSD_OP_COPY_FILE_RANGE,
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
  VfsdBackendPrivate *p = FIND(b, getlk, GETLK);
  ctx = CTX(ctx);
  int r = NEED(lock) ?: NEED_INO(ino);
  if (r == 0)
    HOOK(p, GETLK, .ctx = ctx, .ino = ino, .fh = fh,
         .lock_owner = lock_owner, .lock = lock);
  if (r == 0)
    r = p->ops.getlk
            ? check_int(p, VFSD_OP_GETLK,
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
  VfsdBackendPrivate *p = FIND(b, setlk, SETLK);
  ctx = CTX(ctx);
  int r = NEED(lock) ?: NEED_INO(ino);
  if (r == 0 && lock->l_type != F_RDLCK && lock->l_type != F_WRLCK &&
      lock->l_type != F_UNLCK)
    r = -EINVAL;
  if (r == 0)
    HOOK(p, SETLK, .ctx = ctx, .ino = ino, .fh = fh,
         .lock_owner = lock_owner, .lock = (struct flock *)lock,
         .flags = (uint32_t)sleep);
  if (r == 0)
    r = p->ops.setlk
            ? check_int(p, VFSD_OP_SETLK,
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
  VfsdBackendPrivate *p = FIND(b, flock, FLOCK);
  ctx = CTX(ctx);
  int r = NEED_INO(ino);
  int kind = op & ~LOCK_NB;
  if (r == 0 && kind != LOCK_SH && kind != LOCK_EX && kind != LOCK_UN)
    r = -EINVAL;
  if (r == 0)
    HOOK(p, FLOCK, .ctx = ctx, .ino = ino, .fh = fh,
         .lock_owner = lock_owner, .flags = (uint32_t)op);
  if (r == 0)
    r = p->ops.flock
            ? check_int(p, VFSD_OP_FLOCK,
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
  VfsdBackendPrivate *p = FIND(b, bmap, BMAP);
  ctx = CTX(ctx);
  int r = NEED(idx) ?: NEED_INO(ino);
  if (r == 0)
    HOOK(p, BMAP, .ctx = ctx, .ino = ino, .size = blocksize, .idx = idx);
  if (r == 0)
    r = p->ops.bmap ? check_int(p, VFSD_OP_BMAP,
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
  VfsdBackendPrivate *p = FIND(b, ioctl, IOCTL);
  ctx = CTX(ctx);
  size_t room;
  int r = NEED(out_size) ?: NEED_BUF(in, in_size) ?:
          NEED_INO(ino);
  if (r != 0)
    return r;
  room = *out_size;
  r = NEED_BUF(out, room);
  if (r == 0)
    HOOK(p, IOCTL, .ctx = ctx, .ino = ino, .fh = fh, .flags = cmd, .data = in,
         .size = in_size, .buf = out, .out_size = out_size);
  if (r == 0 && p->ops.ioctl) {
    long v = p->ops.ioctl(p->instance, ctx, ino, fh, cmd, in, in_size, out,
                          out_size);
    r = v >= 0 ? (int)v : check_int(p, VFSD_OP_IOCTL, v);
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
  VfsdBackendPrivate *p = FIND(b, poll, POLL);
  ctx = CTX(ctx);
  int r = NEED(revents) ?: NEED_INO(ino);
  if (r == 0)
    HOOK(p, POLL, .ctx = ctx, .ino = ino, .fh = fh, .flags = events,
         .ph = ph, .revents = revents);
  if (r == 0 && p->ops.poll)
    /* From here on the backend owns @ph. */
    r = check_int(p, VFSD_OP_POLL,
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

static const size_t op_offsets[VFSD_OP_COUNT] = {
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

bool
vfsd_backend_implements(VfsdBackend *b, VfsdOpId op)
{
  VfsdBackendPrivate *p;
  g_return_val_if_fail(VFSD_IS_BACKEND(b), false);
  if ((unsigned)op >= VFSD_OP_COUNT)
    return false;
  if (op == VFSD_OP_READ || op == VFSD_OP_READ_IOV) {
    p = find_read(b, false);
    return p->ops.read != NULL || p->ops.read_iov != NULL;
  }
  p = find(b, op_offsets[op], 0); /* hooks implement nothing */
  return *(void **)((char *)&p->ops + op_offsets[op]) != NULL;
}

/* True when no layer above the bottom backend implements or hooks @op:
 * what the bottom backend says about the operation (VFSD_CAP_NO_OPEN)
 * then holds for the whole stack. */
bool
vfsd_backend_op_reaches_bottom(VfsdBackend *b, VfsdOpId op)
{
  VfsdBackendPrivate *p;
  g_return_val_if_fail(VFSD_IS_BACKEND(b), false);
  g_return_val_if_fail((unsigned)op < VFSD_OP_COUNT, false);
  p = find(b, op_offsets[op], VFSD_OP_BIT(op));
  return p->next == NULL;
}
