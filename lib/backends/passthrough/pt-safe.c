/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Resolving names beneath a directory descriptor, and what the kernel and
 * the source offer for it (openat2, file handles, /proc). */
#include "pt.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#ifdef HAVE_LINUX_OPENAT2_H
#include <linux/openat2.h>
#endif

int
pt_open_beneath(Pt *pt, int dirfd, const char *name, int flags, mode_t mode)
{
  int fd;
  /* "." and ".." never reach the file system (the backend answers them
   * from its own table), nor does a name with a slash (the choke point
   * refuses it). */
  if (pt_dot(name) || strchr(name, '/'))
    return -EINVAL;
#if defined(HAVE_LINUX_OPENAT2_H) && defined(SYS_openat2)
  if (pt->use_openat2) {
    struct open_how how = {
      .flags = (uint64_t)(flags | O_NOFOLLOW | O_CLOEXEC),
      .mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0,
      .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
                 RESOLVE_NO_MAGICLINKS,
    };
    do
      fd = (int)syscall(SYS_openat2, dirfd, name, &how, sizeof how);
    while (fd < 0 && errno == EAGAIN);
    return fd >= 0 ? fd : -errno;
  }
#endif
  fd = openat(dirfd, name, flags | O_NOFOLLOW | O_CLOEXEC, mode);
  return fd >= 0 ? fd : -errno;
}

void
pt_proc_path(char buf[static 32], int fd)
{
  snprintf(buf, 32, "/proc/self/fd/%d", fd);
}

void *
pt_handle_of(Pt *pt, int fd)
{
  struct file_handle *h;
  int mount_id;
  if (!pt->use_handles || fd < 0)
    return NULL;
  h = g_malloc(sizeof *h + MAX_HANDLE_SZ);
  h->handle_bytes = MAX_HANDLE_SZ;
  if (name_to_handle_at(fd, "", h, &mount_id, AT_EMPTY_PATH) != 0) {
    g_free(h);
    return NULL;
  }
  return g_realloc(h, sizeof *h + h->handle_bytes);
}

void
pt_probe(Pt *pt)
{
  char path[32];
  struct stat a, b;
  int fd;
#if defined(HAVE_LINUX_OPENAT2_H) && defined(SYS_openat2)
  {
    struct open_how how = { .flags = O_PATH | O_CLOEXEC,
                            .resolve = RESOLVE_BENEATH };
    fd = (int)syscall(SYS_openat2, pt->root_fd, ".", &how, sizeof how);
    pt->use_openat2 = fd >= 0;
    if (fd >= 0)
      close(fd);
  }
#endif
  /* Handles need support in the source's file system and
   * CAP_DAC_READ_SEARCH: try one on the root. */
  pt->use_handles = true;
  {
    struct file_handle *h = pt_handle_of(pt, pt->root_fd);
    pt->use_handles = false;
    if (h && pt->mount_fd >= 0) {
      fd = open_by_handle_at(pt->mount_fd, h, O_PATH | O_CLOEXEC);
      if (fd >= 0) {
        pt->use_handles = true;
        close(fd);
      }
    }
    g_free(h);
  }
  pt_proc_path(path, pt->root_fd);
  fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  pt->use_proc = fd >= 0 && fstat(fd, &a) == 0 &&
                 fstat(pt->root_fd, &b) == 0 && a.st_dev == b.st_dev &&
                 a.st_ino == b.st_ino;
  if (fd >= 0)
    close(fd);
}

void
pt_stat_to_attr(Pt *pt, const struct stat *st, VfsdAttr *a)
{
  memset(a, 0, sizeof *a);
  a->ino = pt_map_ino(pt, st->st_dev, st->st_ino);
  a->mode = st->st_mode;
  a->nlink = (uint32_t)st->st_nlink;
  a->uid = st->st_uid;
  a->gid = st->st_gid;
  a->rdev = st->st_rdev;
  a->size = (uint64_t)st->st_size;
  a->blocks = (uint64_t)st->st_blocks;
  a->blksize = (uint32_t)st->st_blksize;
  a->atime = st->st_atim.tv_sec;
  a->atime_nsec = (uint32_t)st->st_atim.tv_nsec;
  a->mtime = st->st_mtim.tv_sec;
  a->mtime_nsec = (uint32_t)st->st_mtim.tv_nsec;
  a->ctime = st->st_ctim.tv_sec;
  a->ctime_nsec = (uint32_t)st->st_ctim.tv_nsec;
}

mode_t
pt_new_mode(const VfsdCtx *ctx, const struct stat *parent, mode_t mode)
{
  mode_t m = mode & 07777;
  if (!(parent->st_mode & S_ISGID))
    return m;
  if (S_ISDIR(mode))
    return m | S_ISGID;
  if ((m & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP) && ctx->uid != 0 &&
      !vfsd_ctx_in_group(ctx, parent->st_gid))
    m &= ~(mode_t)S_ISGID;
  return m;
}
