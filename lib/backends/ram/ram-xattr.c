/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Extended attributes in the user., trusted. and security. namespaces, as
 * a short list per inode (files rarely have more than a few).
 *
 * Limits, as Linux's: a name of at most 255 bytes (ERANGE), a value of at
 * most 64 KiB (E2BIG); and the names of one inode must fit one listxattr
 * reply of 64 KiB (ENOSPC).  Names and values count against size=.
 *
 * The kernel asks for "security.capability" before every write, to learn
 * whether the write must drop file capabilities (a request per write(2)
 * that only ENOSYS for all xattrs would stop).  While no file has one —
 * the usual case — the answer "no such attribute" comes from a counter,
 * without taking the inode's lock, so it never waits for the write it
 * precedes or for readers of the file. */
#include "ram-private.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#define XATTR_NAME_MAX_BYTES 255
#define XATTR_VALUE_MAX 65536
#define XATTR_LIST_MAX_BYTES 65536
#define CAPS_NAME "security.capability"

struct RamXattr {
  RamXattr *next;
  uint32_t name_len;
  uint32_t value_len;
  char data[];             /* name, NUL, value */
};

static inline uint32_t
cost(const RamXattr *x)
{
  return x->name_len + 1 + x->value_len;
}

void
ram_xattr_forget(RamFs *fs, RamInode *i)
{
  ram_space_release(fs, i->xattr_bytes);
  for (const RamXattr *x = i->xattrs; x; x = x->next)
    if (strcmp(x->data, CAPS_NAME) == 0)
      __atomic_sub_fetch(&fs->capability_xattrs, 1, __ATOMIC_RELAXED);
}

void
ram_xattr_free_all(RamInode *i)
{
  while (i->xattrs) {
    RamXattr *x = i->xattrs;
    i->xattrs = x->next;
    g_free(x);
  }
  i->xattr_bytes = 0;
}

uint32_t
ram_xattr_bytes(const RamInode *i)
{
  uint32_t n = 0;
  for (const RamXattr *x = i->xattrs; x; x = x->next)
    n += cost(x);
  return n;
}

/* 0 for a name in a namespace we keep; -EOPNOTSUPP (system.posix_acl_*,
 * unknown prefixes) or -ERANGE / -EINVAL for a bad name. */
static int
check_name(const char *name)
{
  static const char *const prefixes[] = { "user.", "trusted.", "security." };
  size_t len = name ? strlen(name) : 0;
  if (len == 0)
    return -EINVAL;
  if (len > XATTR_NAME_MAX_BYTES)
    return -ERANGE;
  for (unsigned k = 0; k < G_N_ELEMENTS(prefixes); k++) {
    size_t plen = strlen(prefixes[k]);
    if (strncmp(name, prefixes[k], plen) == 0)
      return len > plen ? 0 : -EINVAL;
  }
  return -EOPNOTSUPP;
}

/* user.* lives only on regular files and directories (as in Linux, where
 * the permission bits of other types mean something else). */
static inline bool
user_ns_allowed(const RamInode *i, const char *name)
{
  return strncmp(name, "user.", 5) != 0 || i->type == S_IFREG ||
         i->type == S_IFDIR;
}

static RamXattr **
find(RamInode *i, const char *name)
{
  RamXattr **p;
  for (p = &i->xattrs; *p; p = &(*p)->next)
    if (strcmp((*p)->data, name) == 0)
      return p;
  return NULL;
}

bool
ram_xattr_has(RamInode *i, const char *name)
{
  return find(i, name) != NULL;
}

static uint32_t
list_len(const RamInode *i)
{
  uint32_t n = 0;
  for (const RamXattr *x = i->xattrs; x; x = x->next)
    n += x->name_len + 1;
  return n;
}

static int
set_locked(RamFs *fs, RamInode *i, const char *name, const char *value,
           size_t size, int32_t flags)
{
  RamXattr **old = find(i, name), *x;
  size_t nlen = strlen(name);
  uint32_t old_cost = old ? cost(*old) : 0;
  uint32_t new_cost = (uint32_t)(nlen + 1 + size);
  if ((flags & XATTR_CREATE) && old)
    return -EEXIST;
  if ((flags & XATTR_REPLACE) && !old)
    return -ENODATA;
  if (!old && list_len(i) + nlen + 1 > XATTR_LIST_MAX_BYTES)
    return -ENOSPC;
  if (new_cost > old_cost && !ram_space_reserve(fs, new_cost - old_cost))
    return -ENOSPC;
  if (new_cost < old_cost)
    ram_space_release(fs, old_cost - new_cost);
  x = g_malloc(sizeof *x + new_cost);
  x->name_len = (uint32_t)nlen;
  x->value_len = (uint32_t)size;
  memcpy(x->data, name, nlen + 1);
  if (size)
    memcpy(x->data + nlen + 1, value, size);
  if (!old && strcmp(name, CAPS_NAME) == 0)
    __atomic_add_fetch(&fs->capability_xattrs, 1, __ATOMIC_RELAXED);
  if (old) {
    /* Replace in place, keeping the list order. */
    x->next = (*old)->next;
    g_free(*old);
    *old = x;
  } else {
    x->next = i->xattrs;
    i->xattrs = x;
  }
  i->xattr_bytes = i->xattr_bytes - old_cost + new_cost;
  ram_now(&i->ctime);
  return 0;
}

int
ram_op_setxattr(void *self, const VfsdCtx *ctx, uint64_t ino,
                const char *name, const char *value, size_t size,
                int32_t flags)
{
  RamInode *i;
  int r = check_name(name);
  if (r != 0)
    return r;
  if (flags & ~(XATTR_CREATE | XATTR_REPLACE))
    return -EINVAL;
  if (size > XATTR_VALUE_MAX)
    return -E2BIG;
  if (size > 0 && value == NULL)
    return -EFAULT;
  i = ram_inode_get(self, ino);
  if (i == NULL)
    return -ENOENT;
  if (!user_ns_allowed(i, name)) {
    ram_inode_unref(i);
    return -EPERM;
  }
  ram_wrlock(i);
  r = i->deleted ? -ENOENT : set_locked(self, i, name, value, size, flags);
  ram_unlock(i);
  ram_inode_unref(i);
  return r;
}

ssize_t
ram_op_getxattr(void *self, const VfsdCtx *ctx, uint64_t ino,
                const char *name, char *buf, size_t size)
{
  RamFs *fs = self;
  RamInode *i;
  RamXattr **x;
  ssize_t r = check_name(name);
  if (r != 0)
    return r;
  i = ram_inode_get(fs, ino);
  if (i == NULL)
    return -ENOENT;
  if (__atomic_load_n(&fs->capability_xattrs, __ATOMIC_RELAXED) == 0 &&
      strcmp(name, CAPS_NAME) == 0) {
    ram_inode_unref(i); /* the fast answer before each write */
    return -ENODATA;
  }
  ram_rdlock(i);
  if (i->xattrs == NULL || !user_ns_allowed(i, name) ||
      (x = find(i, name)) == NULL)
    r = -ENODATA;
  else if (size == 0)
    r = (*x)->value_len;
  else if (size < (*x)->value_len)
    r = -ERANGE;
  else {
    memcpy(buf, (*x)->data + (*x)->name_len + 1, (*x)->value_len);
    r = (*x)->value_len;
  }
  ram_unlock(i);
  ram_inode_unref(i);
  return r;
}

ssize_t
ram_op_listxattr(void *self, const VfsdCtx *ctx, uint64_t ino, char *buf,
                 size_t size)
{
  RamInode *i = ram_inode_get(self, ino);
  ssize_t r;
  if (i == NULL)
    return -ENOENT;
  ram_rdlock(i);
  r = list_len(i);
  if (size > 0 && (size_t)r > size)
    r = -ERANGE;
  else if (size > 0) {
    char *p = buf;
    for (const RamXattr *x = i->xattrs; x; x = x->next) {
      memcpy(p, x->data, x->name_len + 1);
      p += x->name_len + 1;
    }
  }
  ram_unlock(i);
  ram_inode_unref(i);
  return r;
}

int
ram_op_removexattr(void *self, const VfsdCtx *ctx, uint64_t ino,
                   const char *name)
{
  RamFs *fs = self;
  RamInode *i;
  RamXattr **p, *x;
  int r = check_name(name);
  if (r != 0)
    return r;
  i = ram_inode_get(fs, ino);
  if (i == NULL)
    return -ENOENT;
  ram_wrlock(i);
  if (i->deleted || (p = find(i, name)) == NULL)
    r = -ENODATA;
  else {
    x = *p;
    *p = x->next;
    if (strcmp(name, CAPS_NAME) == 0)
      __atomic_sub_fetch(&fs->capability_xattrs, 1, __ATOMIC_RELAXED);
    i->xattr_bytes -= cost(x);
    ram_space_release(fs, cost(x));
    g_free(x);
    ram_now(&i->ctime);
  }
  ram_unlock(i);
  ram_inode_unref(i);
  return r;
}
