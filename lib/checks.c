/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The checks of the choke point: results a backend returns, arguments a
 * caller passes (see call-private.h). */
#include "call-private.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>

#define NAME_MAX_BYTES 255

static inline const char *
opname(VfsdOpId op)
{
  return vfsd_op_info[op].name;
}


/* 0 or a negative errno in range; anything else is EIO. */
int
vfsd_check_int(VfsdBackendPrivate *p, VfsdOpId op, long r)
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
ssize_t
vfsd_check_count(VfsdBackendPrivate *p, VfsdOpId op, ssize_t r, size_t max)
{
  if (r < 0)
    return vfsd_check_int(p, op, r);
  if (G_UNLIKELY((size_t)r > max)) {
    vfsd_log_backend_bug(p->self, opname(op),
                         "returned %zd bytes, more than the %zu asked for",
                         r, max);
    return -EIO;
  }
  return r;
}

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

int
vfsd_check_attr(VfsdBackendPrivate *p, VfsdOpId op, int r, uint64_t ino,
                VfsdAttr *a)
{
  r = vfsd_check_int(p, op, r);
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
int
vfsd_check_entry(VfsdBackendPrivate *p, VfsdOpId op, int r, VfsdEntry *e,
                 uint32_t type)
{
  r = vfsd_check_int(p, op, r);
  if (r != 0)
    return r;
  if (G_UNLIKELY(e->ino == 0)) {
    vfsd_log_backend_bug(p->self, opname(op),
                         "succeeded but gave inode 0");
    return -EIO;
  }
  r = vfsd_check_attr(p, op, 0, e->ino, &e->attr);
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
int
vfsd_check_name(const char *name)
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

/* Arguments only a buggy caller (a layer, a test; never the dispatcher)
 * gets wrong: a missing context or output pointer, inode 0.  The backend is
 * not called; the caller gets -EINVAL or -EFAULT and a critical naming the
 * argument, as g_return_val_if_fail() would give. */
int
vfsd_caller_bug(const char *fn, const char *what, int err)
{
  g_critical("%s: the caller passed %s", fn, what);
  return err;
}

/* off + len must stay representable (an off_t). */
int
vfsd_check_range(int64_t off, uint64_t len, int err)
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

int
vfsd_check_setattr(const VfsdAttr *a, uint32_t to_set)
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

int
vfsd_check_type(uint32_t mode, uint32_t type)
{
  return (mode & S_IFMT) == 0 || (mode & S_IFMT) == type ? 0 : -EINVAL;
}

int
vfsd_check_xattr_name(const char *name)
{
  if (name == NULL || name[0] == '\0')
    return -EINVAL;
  if (strlen(name) > 255)
    return -ERANGE;
  return 0;
}
