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

G_END_DECLS

#endif
