/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Hooks: the one generic wrapper for layers that see every call (see
 * "Hooks" in include/vfsd/layer.h).  The choke point (call.c) describes a
 * call passing a hooked level as a VfsdCall; this file runs the level's
 * hooks around it and makes the call below from the description. */
#include "call-private.h"

#include <errno.h>
#include <time.h>

/* The call @c, made on @n (the level below the hooks). */
static int64_t
call_below(VfsdBackend *n, VfsdCall *c)
{
  const VfsdCtx *x = c->ctx;
  switch (c->op) {
  case VFSD_OP_INIT: return vfsd_call_init(n, c->init);
  case VFSD_OP_DESTROY: vfsd_call_destroy(n); return 0;
  case VFSD_OP_FORGET: vfsd_call_forget(n, c->ino); return 0;
  case VFSD_OP_LOOKUP: return vfsd_call_lookup(n, x, c->ino, c->name, c->entry);
  case VFSD_OP_GETATTR: return vfsd_call_getattr(n, x, c->ino, c->fh, c->attr);
  case VFSD_OP_SETATTR:
    return vfsd_call_setattr(n, x, c->ino, c->fh, c->attr_in, c->flags,
                             c->attr);
  case VFSD_OP_READLINK:
    return vfsd_call_readlink(n, x, c->ino, c->buf, c->size);
  case VFSD_OP_MKNOD:
    return vfsd_call_mknod(n, x, c->ino, c->name, c->mode, c->rdev, c->entry);
  case VFSD_OP_MKDIR:
    return vfsd_call_mkdir(n, x, c->ino, c->name, c->mode, c->entry);
  case VFSD_OP_UNLINK: return vfsd_call_unlink(n, x, c->ino, c->name);
  case VFSD_OP_RMDIR: return vfsd_call_rmdir(n, x, c->ino, c->name);
  case VFSD_OP_SYMLINK:
    return vfsd_call_symlink(n, x, c->name2, c->ino, c->name, c->entry);
  case VFSD_OP_RENAME:
    return vfsd_call_rename(n, x, c->ino, c->name, c->ino2, c->name2,
                            c->flags);
  case VFSD_OP_LINK:
    return vfsd_call_link(n, x, c->ino, c->ino2, c->name2, c->entry);
  case VFSD_OP_OPEN: return vfsd_call_open(n, x, c->ino, c->oi);
  case VFSD_OP_CREATE:
    return vfsd_call_create(n, x, c->ino, c->name, c->mode, c->oi, c->entry);
  case VFSD_OP_READ:
    return vfsd_call_read(n, x, c->ino, c->fh, c->buf, c->size, c->off);
  case VFSD_OP_READ_IOV:
    return vfsd_call_read_iov(n, x, c->ino, c->fh, c->size, c->off, c->rb);
  case VFSD_OP_WRITE:
    return vfsd_call_write(n, x, c->ino, c->fh, c->data, c->size, c->off,
                           c->flags);
  case VFSD_OP_FLUSH: return vfsd_call_flush(n, x, c->ino, c->fh, c->lock_owner);
  case VFSD_OP_RELEASE:
    return vfsd_call_release(n, x, c->ino, c->fh, (int32_t)c->flags);
  case VFSD_OP_FSYNC:
    return vfsd_call_fsync(n, x, c->ino, c->fh, (int32_t)c->flags);
  case VFSD_OP_OPENDIR: return vfsd_call_opendir(n, x, c->ino, c->oi);
  case VFSD_OP_READDIR:
    return vfsd_call_readdir(n, x, c->ino, c->fh, c->off, c->filler);
  case VFSD_OP_RELEASEDIR: return vfsd_call_releasedir(n, x, c->ino, c->fh);
  case VFSD_OP_FSYNCDIR:
    return vfsd_call_fsyncdir(n, x, c->ino, c->fh, (int32_t)c->flags);
  case VFSD_OP_STATFS: return vfsd_call_statfs(n, x, c->ino, c->statfs);
  case VFSD_OP_SETXATTR:
    return vfsd_call_setxattr(n, x, c->ino, c->name, c->data, c->size,
                              (int32_t)c->flags);
  case VFSD_OP_GETXATTR:
    return vfsd_call_getxattr(n, x, c->ino, c->name, c->buf, c->size);
  case VFSD_OP_LISTXATTR:
    return vfsd_call_listxattr(n, x, c->ino, c->buf, c->size);
  case VFSD_OP_REMOVEXATTR:
    return vfsd_call_removexattr(n, x, c->ino, c->name);
  case VFSD_OP_ACCESS: return vfsd_call_access(n, x, c->ino, (int32_t)c->flags);
  case VFSD_OP_FALLOCATE:
    return vfsd_call_fallocate(n, x, c->ino, c->fh, (int32_t)c->flags, c->off,
                               (int64_t)c->size);
  case VFSD_OP_LSEEK:
    return vfsd_call_lseek(n, x, c->ino, c->fh, c->off, (int32_t)c->flags,
                           c->out_off);
  case VFSD_OP_COPY_FILE_RANGE:
    return vfsd_call_copy_file_range(n, x, c->ino, c->fh, c->off, c->ino2,
                                     c->fh2, c->off2, c->size, c->flags);
  case VFSD_OP_GETLK:
    return vfsd_call_getlk(n, x, c->ino, c->fh, c->lock_owner, c->lock);
  case VFSD_OP_SETLK:
    return vfsd_call_setlk(n, x, c->ino, c->fh, c->lock_owner, c->lock,
                           (int32_t)c->flags);
  case VFSD_OP_FLOCK:
    return vfsd_call_flock(n, x, c->ino, c->fh, c->lock_owner,
                           (int32_t)c->flags);
  case VFSD_OP_BMAP: return vfsd_call_bmap(n, x, c->ino, c->size, c->idx);
  case VFSD_OP_IOCTL:
    return vfsd_call_ioctl(n, x, c->ino, c->fh, c->flags, c->data, c->size,
                           c->buf, c->out_size);
  case VFSD_OP_POLL:
    return vfsd_call_poll(n, x, c->ino, c->fh, c->flags, c->ph, c->revents);
  case VFSD_OP_COUNT:
    break;
  }
  g_return_val_if_reached(-ENOSYS);
}

static inline int64_t
now_ns(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Calls that must reach the backend whatever a layer thinks: they free
 * what the backend holds. */
#define MUST_GO_DOWN                                                        \
  (VFSD_OP_BIT(VFSD_OP_DESTROY) | VFSD_OP_BIT(VFSD_OP_FORGET) |             \
   VFSD_OP_BIT(VFSD_OP_RELEASE) | VFSD_OP_BIT(VFSD_OP_RELEASEDIR))

int64_t
vfsd_hooks_run(VfsdBackendPrivate *p, VfsdCall *c)
{
  int64_t r = 0, t0;
  if (p->hooks.before) {
    r = check_int(p, c->op, p->hooks.before(p->instance, c));
    if (r != 0 && (VFSD_OP_BIT(c->op) & MUST_GO_DOWN))
      r = 0;
  }
  if (r == 0) {
    t0 = now_ns();
    r = call_below(p->next, c);
    c->elapsed_ns = now_ns() - t0;
  } else {
    /* Answered here: give back what the call below would have owned. */
    if (c->op == VFSD_OP_POLL && c->ph)
      vfsd_poll_handle_free(c->ph);
    if (c->op == VFSD_OP_IOCTL && c->out_size)
      *c->out_size = 0;
  }
  if (p->hooks.after)
    p->hooks.after(p->instance, c, r);
  return r;
}
