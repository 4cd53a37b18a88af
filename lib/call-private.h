/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the two files of the choke point share (call.c: lifecycle, names,
 * attributes; call-io.c: files, directories, xattrs and the rest): finding
 * the level of a stack that implements an operation, and checking results
 * against the error convention. */
#ifndef VFSD_CALL_PRIVATE_H
#define VFSD_CALL_PRIVATE_H

#include "private.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define NAME_MAX_BYTES 255

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

#endif
