/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the two files of the choke point share (call.c: lifecycle, names,
 * attributes; call-io.c: files, directories, xattrs and the rest): finding
 * the level of a stack that implements or hooks an operation, checking
 * arguments, and checking results against the error convention. */
#ifndef VFSD_CALL_PRIVATE_H
#define VFSD_CALL_PRIVATE_H

#include "private.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define NAME_MAX_BYTES 255

/* The first level from @b down that implements the operation at @off or
 * hooks it (@bit, see "Hooks" in layer.h), or the bottom level when none
 * does. */
static inline VfsdBackendPrivate *
find(VfsdBackend *b, size_t off, uint64_t bit)
{
  VfsdBackendPrivate *p = vfsd_backend_priv(b);
  for (;;) {
    void *fn = *(void **)((char *)&p->ops + off);
    if (fn != NULL || p->next == NULL || (p->hook_ops & bit))
      return p;
    p = vfsd_backend_priv(p->next);
  }
}
#define FIND(b, field, OP)                                                  \
  find((b), offsetof(VfsdOps, field), VFSD_OP_BIT(VFSD_OP_##OP))

static inline const char *
opname(VfsdOpId op)
{
  return vfsd_op_info[op].name;
}

/* 0 or a negative errno in range; anything else is EIO. */
static inline int
check_int(VfsdBackendPrivate *p, VfsdOpId op, long r)
{
  if (G_LIKELY(r == 0 || (r < 0 && r >= -4095)))
    return (int)r;
  if (r > 0)
    vfsd_log_backend_bug(p->self, opname(op),
                         "returned %ld, a positive value (errors are "
                         "negative errno values)", r);
  else
    vfsd_log_backend_bug(p->self, opname(op),
                         "returned %ld, which is not an errno", r);
  return -EIO;
}

/* A byte count no larger than @max, or a negative errno. */
static inline ssize_t
check_count(VfsdBackendPrivate *p, VfsdOpId op, ssize_t r, size_t max)
{
  if (r < 0)
    return check_int(p, op, r);
  if (G_UNLIKELY((size_t)r > max)) {
    vfsd_log_backend_bug(p->self, opname(op),
                         "returned %zd bytes, more than the %zu asked for",
                         r, max);
    return -EIO;
  }
  return r;
}


static inline int
check_attr(VfsdBackendPrivate *p, VfsdOpId op, int r, uint64_t ino,
           VfsdAttr *a)
{
  r = check_int(p, op, r);
  if (r != 0)
    return r;
  if (G_UNLIKELY(!vfsd_mode_type_valid(a->mode))) {
    vfsd_log_backend_bug(p->self, opname(op),
                         "inode %" PRIu64 " has mode 0%o, which names no "
                         "file type", ino, a->mode);
    return -EIO;
  }
  if (a->ino == 0)
    a->ino = ino;
  if (a->atime_nsec >= 1000000000u || a->mtime_nsec >= 1000000000u ||
      a->ctime_nsec >= 1000000000u) {
    vfsd_log_backend_bug(p->self, opname(op),
                         "inode %" PRIu64 " has a nanosecond field of a "
                         "second or more", ino);
    return -EIO;
  }
  return 0;
}

/* @type: the file type the operation must produce, or 0 for any. */
static inline int
check_entry(VfsdBackendPrivate *p, VfsdOpId op, int r, VfsdEntry *e,
            uint32_t type)
{
  r = check_int(p, op, r);
  if (r != 0)
    return r;
  if (G_UNLIKELY(e->ino == 0)) {
    vfsd_log_backend_bug(p->self, opname(op),
                         "succeeded but gave inode 0");
    return -EIO;
  }
  r = check_attr(p, op, 0, e->ino, &e->attr);
  if (r != 0)
    return r;
  if (e->attr.ino != e->ino) {
    vfsd_log_backend_bug(p->self, opname(op),
                         "entry names inode %" PRIu64 " but its attributes "
                         "inode %" PRIu64, e->ino, e->attr.ino);
    return -EIO;
  }
  if (type && (e->attr.mode & S_IFMT) != type) {
    vfsd_log_backend_bug(p->self, opname(op),
                         "created inode %" PRIu64 " of type 0%o, expected "
                         "0%o", e->ino, e->attr.mode & S_IFMT, type);
    return -EIO;
  }
  if (!(e->entry_timeout >= 0)) /* negative or NaN */
    e->entry_timeout = 0;
  if (!(e->attr_timeout >= 0))
    e->attr_timeout = 0;
  return 0;
}

/* Names a backend receives: never empty, never with '/', at most 255
 * bytes. */
static inline int
check_name(const char *name)
{
  size_t n;
  if (G_UNLIKELY(name == NULL || name[0] == '\0'))
    return -EINVAL;
  n = strlen(name);
  if (G_UNLIKELY(n > NAME_MAX_BYTES))
    return -ENAMETOOLONG;
  if (G_UNLIKELY(memchr(name, '/', n) != NULL))
    return -EINVAL;
  return 0;
}

#define TRACE(p, ...)                                                       \
  do {                                                                      \
    if (G_UNLIKELY(vfsd_debug_ops))                                         \
      vfsd_trace("%s " __VA_ARGS__);                                        \
  } while (0)
/* TRACE's format strings start with the backend name; callers pass it. */

#define DEFAULT(op) (vfsd_op_info[op].default_errno)

/* ---- arguments a caller passes -----------------------------------------*/

/* A call made without a context (by the library itself, a test, a layer
 * acting on its own) is made as root with pid 0: backends never see a
 * NULL context. */
extern VFSD_INTERNAL const VfsdCtx vfsd_root_ctx;
#define CTX(ctx) ((ctx) != NULL ? (ctx) : &vfsd_root_ctx)

/* Arguments only a buggy caller (a layer, a test; never the dispatcher)
 * gets wrong: a missing output pointer, inode 0.  The caller
 * gets -EFAULT or -EINVAL and a critical naming the argument, as
 * g_return_val_if_fail() would give.  Each expands to 0 when all is well,
 * so checks chain with ?:. */
static inline int
caller_bug(const char *fn, const char *what, int err)
{
  g_critical("%s: the caller passed %s", fn, what);
  return err;
}
#define NEED(x)                                                             \
  (G_LIKELY((x) != NULL) ? 0 : caller_bug(__func__, #x " = NULL", -EFAULT))
#define NEED_INO(x)                                                         \
  (G_LIKELY((x) != 0) ? 0 : caller_bug(__func__, "inode 0 as " #x, -EINVAL))
/* A buffer may be NULL only when its size is 0. */
#define NEED_BUF(buf, size)                                                 \
  (G_LIKELY((buf) != NULL || (size) == 0)                                   \
       ? 0 : caller_bug(__func__, #buf " = NULL with a size", -EFAULT))

/* @off >= 0 (else -EINVAL) and @off + @len representable (else @err). */
static inline int
check_range(int64_t off, uint64_t len, int err)
{
  if (G_UNLIKELY(off < 0))
    return -EINVAL;
  if (G_UNLIKELY(len > (uint64_t)INT64_MAX - (uint64_t)off))
    return err;
  return 0;
}

#define SETATTR_KNOWN                                                       \
  (VFSD_SET_MODE | VFSD_SET_UID | VFSD_SET_GID | VFSD_SET_SIZE |            \
   VFSD_SET_ATIME | VFSD_SET_MTIME | VFSD_SET_ATIME_NOW |                   \
   VFSD_SET_MTIME_NOW | VFSD_SET_CTIME | VFSD_SET_KILL_SUID |               \
   VFSD_SET_KILL_SGID)

/* What setattr() may be asked: known bits, a size an off_t holds, times
 * with nanoseconds below a second. */
static inline int
check_setattr(const VfsdAttr *a, uint32_t to_set)
{
  if (to_set & ~(uint32_t)SETATTR_KNOWN)
    return -EINVAL;
  if ((to_set & VFSD_SET_SIZE) && a->size > (uint64_t)INT64_MAX)
    return -EFBIG;
  if (((to_set & VFSD_SET_ATIME) && a->atime_nsec >= 1000000000u) ||
      ((to_set & VFSD_SET_MTIME) && a->mtime_nsec >= 1000000000u) ||
      ((to_set & VFSD_SET_CTIME) && a->ctime_nsec >= 1000000000u))
    return -EINVAL;
  return 0;
}

/* The file type bits a creating operation's mode may carry: none, or
 * @type. */
static inline int
check_type(uint32_t mode, uint32_t type)
{
  return (mode & S_IFMT) == 0 || (mode & S_IFMT) == type ? 0 : -EINVAL;
}

/* ---- hooks (see "Hooks" in layer.h) -------------------------------------*/

/* At a level that hooks the operation, the call is described once and
 * handed to the hooks, which make the call below (hooks.c).  Arguments are
 * checked first, so hooks never see impossible ones. */
#define HOOK(p, OP, ...)                                                    \
  do {                                                                      \
    if (G_UNLIKELY((p)->hook_ops & VFSD_OP_BIT(VFSD_OP_##OP)))              \
      return vfsd_hooks_run(                                                \
          (p), &(VfsdCall){ .op = VFSD_OP_##OP, __VA_ARGS__ });             \
  } while (0)


#endif
