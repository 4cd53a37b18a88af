/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the three files of the dispatcher share: dispatch.c (entries,
 * attributes, names, lookup counts), dispatch-file.c (open files and
 * everything done through a handle), dispatch-dir.c (directory handles and
 * stable listings). */
#ifndef VFSD_DISPATCH_H
#define VFSD_DISPATCH_H

#include "mount-private.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>

static inline VfsdMount *
mount_of(fuse_req_t req)
{
  return fuse_req_userdata(req);
}

static inline void
make_ctx(fuse_req_t req, VfsdCtx *c)
{
  const struct fuse_ctx *fc = fuse_req_ctx(req);
  c->uid = fc->uid;
  c->gid = fc->gid;
  c->pid = (uint32_t)fc->pid;
  c->umask = fc->umask;
  c->ngroups = 0;
  c->_reserved = 0;
  c->groups = NULL;
  c->priv = req;
}

static inline GMutex *
call_lock(VfsdMount *m, uint64_t ino, uint64_t fh, bool on_handle)
{
  if (m->thread_model == VFSD_THREAD_SERIALIZE_ALL)
    return &m->serial_lock;
  if (m->thread_model == VFSD_THREAD_SERIALIZE_PER_FILE && on_handle) {
    uint64_t h = (fh ^ (ino * UINT64_C(0x9E3779B97F4A7C15))) *
                 UINT64_C(0xBF58476D1CE4E5B9);
    return &m->file_locks[h >> 58];
  }
  return NULL;
}

static inline void
attr_to_stat(const VfsdAttr *a, struct stat *st)
{
  memset(st, 0, sizeof *st);
  st->st_ino = a->ino;
  st->st_mode = a->mode;
  st->st_nlink = a->nlink;
  st->st_uid = a->uid;
  st->st_gid = a->gid;
  st->st_rdev = a->rdev;
  st->st_size = (off_t)a->size;
  st->st_blocks = (blkcnt_t)a->blocks;
  st->st_blksize = a->blksize ? a->blksize : 4096;
  st->st_atim.tv_sec = a->atime;
  st->st_atim.tv_nsec = a->atime_nsec;
  st->st_mtim.tv_sec = a->mtime;
  st->st_mtim.tv_nsec = a->mtime_nsec;
  st->st_ctim.tv_sec = a->ctime;
  st->st_ctim.tv_nsec = a->ctime_nsec;
}

static inline void
preset_entry(VfsdMount *m, VfsdEntry *e)
{
  memset(e, 0, sizeof *e);
  e->entry_timeout = m->init.entry_timeout;
  e->attr_timeout = m->init.attr_timeout;
}

static inline void
entry_to_fuse(const VfsdEntry *e, struct fuse_entry_param *fe)
{
  memset(fe, 0, sizeof *fe);
  fe->ino = e->ino;
  fe->generation = e->generation;
  fe->entry_timeout = e->entry_timeout;
  fe->attr_timeout = e->attr_timeout;
  attr_to_stat(&e->attr, &fe->attr);
}

static inline void
apply_open_flags(struct fuse_file_info *fi, uint32_t f)
{
  fi->direct_io = (f & VFSD_OPEN_DIRECT_IO) != 0;
  fi->keep_cache = (f & VFSD_OPEN_KEEP_CACHE) != 0;
  fi->nonseekable = (f & VFSD_OPEN_NONSEEKABLE) != 0;
  fi->cache_readdir = (f & VFSD_OPEN_CACHE_DIR) != 0;
  fi->noflush = (f & VFSD_OPEN_NOFLUSH) != 0;
#ifdef HAVE_STRUCT_FUSE_FILE_INFO_PARALLEL_DIRECT_WRITES
  fi->parallel_direct_writes = (f & VFSD_OPEN_PARALLEL_DIRECT_WRITES) != 0;
#endif
}

static inline void
preset_open(VfsdMount *m, VfsdOpenInfo *oi, int flags)
{
  oi->flags = flags;
  oi->out_flags = m->init.open_flags;
  oi->fh = 0;
}

/* Runs @expr holding the thread-model lock @l (NULL: no lock). */
#define LOCKED(l, expr)                                                     \
  do {                                                                      \
    GMutex *l_ = (l);                                                       \
    if (l_) g_mutex_lock(l_);                                               \
    expr;                                                                   \
    if (l_) g_mutex_unlock(l_);                                             \
  } while (0)

/* Lookup counts (dispatch.c). */
VFSD_INTERNAL void vfsd_dispatch_forget_refs(VfsdMount *m, uint64_t ino,
                                             uint64_t n);
VFSD_INTERNAL bool vfsd_dispatch_take_ref(VfsdMount *m, uint64_t ino,
                                          const VfsdForgetToken *tok);

/* Open handles the kernel has not released (handles.c). */
VFSD_INTERNAL void vfsd_handles_add_file(VfsdMount *m, uint64_t ino,
                                         uint64_t fh, int32_t flags);
VFSD_INTERNAL bool vfsd_handles_remove_file(VfsdMount *m, uint64_t ino,
                                            uint64_t fh);
VFSD_INTERNAL void vfsd_handles_add_dir(VfsdMount *m, void *dir);
VFSD_INTERNAL void vfsd_handles_remove_dir(VfsdMount *m, void *dir);
/* Releases a directory handle the kernel never released (dispatch-dir.c). */
VFSD_INTERNAL void vfsd_dispatch_dir_release(VfsdMount *m, void *dir);

/* The request handlers of dispatch-file.c and dispatch-dir.c, gathered in
 * the table of dispatch.c. */
VFSD_INTERNAL void d_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
VFSD_INTERNAL void d_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, struct fuse_file_info *fi);
VFSD_INTERNAL void d_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi);
VFSD_INTERNAL void d_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off, struct fuse_file_info *fi);
VFSD_INTERNAL void d_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
VFSD_INTERNAL void d_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
VFSD_INTERNAL void d_fsync(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi);
VFSD_INTERNAL void d_statfs(fuse_req_t req, fuse_ino_t ino);
VFSD_INTERNAL void d_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name, const char *value, size_t size, int flags);
VFSD_INTERNAL void d_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name, size_t size);
VFSD_INTERNAL void d_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size);
VFSD_INTERNAL void d_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name);
VFSD_INTERNAL void d_access(fuse_req_t req, fuse_ino_t ino, int mask);
VFSD_INTERNAL void d_fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t offset, off_t length, struct fuse_file_info *fi);
VFSD_INTERNAL void d_lseek(fuse_req_t req, fuse_ino_t ino, off_t off, int whence, struct fuse_file_info *fi);
VFSD_INTERNAL void d_copy_file_range(fuse_req_t req, fuse_ino_t ino_in, off_t off_in, struct fuse_file_info *fi_in, fuse_ino_t ino_out, off_t off_out, struct fuse_file_info *fi_out, size_t len, int flags);
VFSD_INTERNAL void d_getlk(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi, struct flock *lock);
VFSD_INTERNAL void d_setlk(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi, struct flock *lock, int sleep);
VFSD_INTERNAL void d_flock(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi, int op);
VFSD_INTERNAL void d_bmap(fuse_req_t req, fuse_ino_t ino, size_t blocksize, uint64_t idx);
VFSD_INTERNAL void d_ioctl(fuse_req_t req, fuse_ino_t ino, unsigned int cmd, void *arg, struct fuse_file_info *fi, unsigned flags, const void *in_buf, size_t in_bufsz, size_t out_bufsz);
VFSD_INTERNAL void d_poll(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi, struct fuse_pollhandle *fph);
VFSD_INTERNAL void d_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
VFSD_INTERNAL void d_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi);
VFSD_INTERNAL void d_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi);
VFSD_INTERNAL void d_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
VFSD_INTERNAL void d_fsyncdir(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi);

#endif
