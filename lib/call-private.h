/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the choke point (call.c) checks: the arguments a caller passes and
 * the results a backend returns (checks.c). */
#ifndef VFSD_CALL_PRIVATE_H
#define VFSD_CALL_PRIVATE_H

#include "private.h"

G_BEGIN_DECLS

/* ---- results: a violation is the backend's bug, answered with -EIO and
 * one rate-limited log line naming backend and operation. */

/* 0 or a negative errno in range. */
VFSD_INTERNAL int vfsd_check_int(VfsdBackendPrivate *p, VfsdOpId op, long r);
/* A byte count no larger than @max, or a negative errno. */
VFSD_INTERNAL ssize_t vfsd_check_count(VfsdBackendPrivate *p, VfsdOpId op,
                                       ssize_t r, size_t max);
/* @r checked, then @a: a file type, nanoseconds below a second; a->ino is
 * filled from @ino when left 0. */
VFSD_INTERNAL int vfsd_check_attr(VfsdBackendPrivate *p, VfsdOpId op, int r,
                                  uint64_t ino, VfsdAttr *a);
/* @r checked, then @e: an inode, complete attributes, the file type @type
 * (0: any), sane timeouts. */
VFSD_INTERNAL int vfsd_check_entry(VfsdBackendPrivate *p, VfsdOpId op, int r,
                                   VfsdEntry *e, uint32_t type);

/* ---- arguments: a violation is answered without calling the backend. */

/* Names a backend receives: never empty, never with '/', at most 255
 * bytes. */
VFSD_INTERNAL int vfsd_check_name(const char *name);
VFSD_INTERNAL int vfsd_check_xattr_name(const char *name);
/* @off >= 0 (else -EINVAL) and @off + @len representable (else @err). */
VFSD_INTERNAL int vfsd_check_range(int64_t off, uint64_t len, int err);
/* Known bits, a size an off_t holds, nanoseconds below a second. */
VFSD_INTERNAL int vfsd_check_setattr(const VfsdAttr *a, uint32_t to_set);
/* The file type bits of a creating operation's mode: none, or @type. */
VFSD_INTERNAL int vfsd_check_type(uint32_t mode, uint32_t type);

/* Arguments only a buggy caller (a layer, a test; never the dispatcher)
 * gets wrong: a missing context or output pointer, inode 0.  The caller
 * gets -EFAULT or -EINVAL and a critical naming the argument, as
 * g_return_val_if_fail() would give.  Each expands to 0 when all is well,
 * so checks chain with ?:. */
VFSD_INTERNAL int vfsd_caller_bug(const char *fn, const char *what, int err);
#define NEED(x)                                                             \
  (G_LIKELY((x) != NULL) ? 0 : vfsd_caller_bug(__func__, #x " = NULL", -EFAULT))
#define NEED_INO(x)                                                         \
  (G_LIKELY((x) != 0) ? 0 : vfsd_caller_bug(__func__, "inode 0 as " #x, -EINVAL))
/* A buffer may be NULL only when its size is 0. */
#define NEED_BUF(buf, size)                                                 \
  (G_LIKELY((buf) != NULL || (size) == 0)                                   \
       ? 0 : vfsd_caller_bug(__func__, #buf " = NULL with a size", -EFAULT))

/* ---- the choke point's machinery, shared by call.c and call-misc.c ---- */

/* The checks of checks.c, by short names. */
#define check_int vfsd_check_int
#define check_count vfsd_check_count
#define check_attr vfsd_check_attr
#define check_entry vfsd_check_entry
#define check_name vfsd_check_name
#define check_xattr_name vfsd_check_xattr_name
#define check_range vfsd_check_range
#define check_setattr vfsd_check_setattr
#define check_type vfsd_check_type

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

/* At a level that hooks the operation, the call is described once and
 * handed to the hooks, which make the call below (hooks.c).  Arguments are
 * checked first, so hooks never see impossible ones. */
#define HOOK(p, OP, ...)                                                    \
  do {                                                                      \
    if (G_UNLIKELY((p)->hook_ops & VFSD_OP_BIT(VFSD_OP_##OP)))              \
      return vfsd_hooks_run(                                                \
          (p), &(VfsdCall){ .op = VFSD_OP_##OP, __VA_ARGS__ });             \
  } while (0)

#define TRACE(p, ...)                                                       \
  do {                                                                      \
    if (G_UNLIKELY(vfsd_debug_ops))                                         \
      vfsd_trace("%s " __VA_ARGS__);                                        \
  } while (0)
/* TRACE's format strings start with the backend name; callers pass it. */

#define DEFAULT(op) (vfsd_op_info[op].default_errno)

G_END_DECLS

#endif
