/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The dispatcher: one libfuse low-level request → one backend call (through
 * the choke point of call.c) → one reply.  It owns what backends should
 * never have to get right: lookup counts (inodes.c), stable directory
 * offsets (dispatch-dir.c), thread-model enforcement, cancelled replies.
 * This file: caller context, lookup counting, entries, attributes, names,
 * and the table of handlers. */
#include "dispatch.h"

bool
vfsd_ctx_in_group(const VfsdCtx *ctx, uint32_t gid)
{
  gid_t list[256];
  int n;
  if (ctx == NULL)
    return false;
  if (ctx->gid == gid)
    return true;
  if (ctx->groups) {
    for (uint32_t i = 0; i < ctx->ngroups; i++)
      if (ctx->groups[i] == gid)
        return true;
    return false;
  }
  if (ctx->priv == NULL)
    return false;
  n = fuse_req_getgroups((fuse_req_t)ctx->priv, G_N_ELEMENTS(list), list);
  for (int i = 0; i < MIN(n, (int)G_N_ELEMENTS(list)); i++)
    if (list[i] == gid)
      return true;
  return false;
}

bool
vfsd_ctx_interrupted(const VfsdCtx *ctx)
{
  return ctx && ctx->priv && fuse_req_interrupted((fuse_req_t)ctx->priv);
}

/* Thread models: the lock a call takes, or NULL. */





/* Drops one reference the library counted but the kernel never got. */
void
vfsd_dispatch_forget_refs(VfsdMount *m, uint64_t ino, uint64_t n)
{
  if (ino == VFSD_ROOT_INO)
    return;
  if (vfsd_inodes_unref(m->inodes, ino, n)) {
    LOCKED(call_lock(m, ino, 0, false), vfsd_call_forget(m->backend, ino));
    vfsd_inodes_forgotten(m->inodes, ino);
  }
}

bool
vfsd_dispatch_take_ref(VfsdMount *m, uint64_t ino, const VfsdForgetToken *tok)
{
  if (ino == VFSD_ROOT_INO)
    return true;
  return vfsd_inodes_ref(m->inodes, ino, tok);
}

/* Replies with an entry whose reference is already counted; undoes the
 * count when the kernel did not take the reply (interrupted request). */
static void
send_entry(fuse_req_t req, VfsdMount *m, const VfsdEntry *e)
{
  struct fuse_entry_param fe;
  entry_to_fuse(e, &fe);
  if (fuse_reply_entry(req, &fe) < 0)
    vfsd_dispatch_forget_refs(m, e->ino, 1);
}

/* Replies to an operation that created a name (mknod, mkdir, symlink,
 * link): a new inode, or one the kernel pins during the call. */
static void
reply_new_entry(fuse_req_t req, VfsdMount *m, int r, const VfsdEntry *e)
{
  if (r != 0) {
    fuse_reply_err(req, -r);
    return;
  }
  vfsd_dispatch_take_ref(m, e->ino, NULL);
  send_entry(req, m, e);
}

/* ---- init and lookup counting ------------------------------------------*/

static void
d_init(void *userdata, struct fuse_conn_info *conn)
{
  VfsdMount *m = userdata;
  const VfsdOptions *o = &m->opts;

  if (m->init.max_write && m->init.max_write < conn->max_write)
    conn->max_write = m->init.max_write;
  if (m->init.max_readahead && m->init.max_readahead < conn->max_readahead)
    conn->max_readahead = m->init.max_readahead;
  conn->time_gran = 1;

#define WANT(cap, on)                                                       \
  do {                                                                      \
    if ((on) && (conn->capable & (cap)))                                    \
      conn->want |= (cap);                                                  \
    else                                                                    \
      conn->want &= ~(unsigned)(cap);                                       \
  } while (0)
  WANT(FUSE_CAP_POSIX_LOCKS, m->has_posix_locks);
  WANT(FUSE_CAP_FLOCK_LOCKS, m->has_flock);
  WANT(FUSE_CAP_HANDLE_KILLPRIV,
       m->backend_flags & VFSD_BACKEND_HANDLES_KILLPRIV);
  /* Without OPEN requests, a kernel told that OPEN handles O_TRUNC drops
   * the truncation (6.18 does): it must send a setattr instead. */
  WANT(FUSE_CAP_ATOMIC_O_TRUNC,
       (m->init.caps & VFSD_CAP_ATOMIC_O_TRUNC) && !m->no_open);
  WANT(FUSE_CAP_WRITEBACK_CACHE, m->use_writeback);
  WANT(FUSE_CAP_CACHE_SYMLINKS, m->init.caps & VFSD_CAP_CACHE_SYMLINKS);
  WANT(FUSE_CAP_AUTO_INVAL_DATA, !(m->init.caps & VFSD_CAP_SOLE_WRITER));
  WANT(FUSE_CAP_POSIX_ACL, m->init.caps & VFSD_CAP_POSIX_ACL);
  WANT(FUSE_CAP_EXPORT_SUPPORT, false);
  {
    bool splice = o->splice >= 0 ? o->splice == 1
                                 : (m->init.caps & VFSD_CAP_SPLICE) != 0;
    WANT(FUSE_CAP_SPLICE_WRITE, splice);
    WANT(FUSE_CAP_SPLICE_MOVE, splice);
    WANT(FUSE_CAP_SPLICE_READ, splice);
  }
  {
    int rdp = o->readdirplus;
    if (rdp < 0)
      rdp = (m->init.caps & VFSD_CAP_NO_READDIRPLUS)       ? 0
            : (m->init.caps & VFSD_CAP_READDIRPLUS_ALWAYS) ? 1
                                                           : 2;
    WANT(FUSE_CAP_READDIRPLUS, rdp != 0);
    WANT(FUSE_CAP_READDIRPLUS_AUTO, rdp == 2);
  }
#undef WANT
  vfsd_mount_init_seen(m);
}

static void
d_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
  VfsdMount *m = mount_of(req);
  VfsdCtx ctx;
  VfsdEntry e;
  int r;
  make_ctx(req, &ctx);
  for (unsigned attempt = 0;; attempt++) {
    VfsdForgetToken tok = vfsd_inodes_token(m->inodes);
    preset_entry(m, &e);
    LOCKED(call_lock(m, parent, 0, false),
           r = vfsd_call_lookup(m->backend, &ctx, parent, name, &e));
    if (r != 0)
      break;
    if (vfsd_dispatch_take_ref(m, e.ino, &tok)) {
      send_entry(req, m, &e);
      return;
    }
    /* A forget overlapped the call: the inode may be gone; ask again. */
    if (attempt < 16)
      g_thread_yield();
    else
      g_usleep(1000);
  }
  if (r == -ENOENT && m->init.negative_timeout > 0) {
    struct fuse_entry_param fe;
    memset(&fe, 0, sizeof fe);
    fe.entry_timeout = m->init.negative_timeout;
    fuse_reply_entry(req, &fe);
    return;
  }
  fuse_reply_err(req, -r);
}

static void
d_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
  vfsd_dispatch_forget_refs(mount_of(req), ino, nlookup);
  fuse_reply_none(req);
}

static void
d_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *forgets)
{
  VfsdMount *m = mount_of(req);
  for (size_t i = 0; i < count; i++)
    vfsd_dispatch_forget_refs(m, forgets[i].ino, forgets[i].nlookup);
  fuse_reply_none(req);
}

static void
drain_one(uint64_t ino, void *data)
{
  VfsdMount *m = data;
  vfsd_call_forget(m->backend, ino);
}

void
vfsd_dispatch_forget_all(VfsdMount *m)
{
  /* Called when no request is in flight: no lock needed for any model. */
  vfsd_inodes_drain(m->inodes, drain_one, m);
}

/* ---- attributes --------------------------------------------------------*/

static void
d_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
  VfsdMount *m = mount_of(req);
  VfsdCtx ctx;
  VfsdAttr a;
  uint64_t fh = fi ? fi->fh : VFSD_NO_FH;
  int r;
  make_ctx(req, &ctx);
  memset(&a, 0, sizeof a);
  LOCKED(call_lock(m, ino, fh, fi != NULL),
         r = vfsd_call_getattr(m->backend, &ctx, ino, fh, &a));
  if (r != 0)
    fuse_reply_err(req, -r);
  else {
    struct stat st;
    attr_to_stat(&a, &st);
    fuse_reply_attr(req, &st, m->init.attr_timeout);
  }
}

static void
d_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
          struct fuse_file_info *fi)
{
  VfsdMount *m = mount_of(req);
  VfsdCtx ctx;
  VfsdAttr in, out;
  uint64_t fh = fi ? fi->fh : VFSD_NO_FH;
  uint32_t set = 0;
  int r;
  make_ctx(req, &ctx);
  memset(&in, 0, sizeof in);
  memset(&out, 0, sizeof out);
  in.ino = ino;
  in.mode = attr->st_mode;
  in.uid = attr->st_uid;
  in.gid = attr->st_gid;
  in.size = (uint64_t)attr->st_size;
  in.atime = attr->st_atim.tv_sec;
  in.atime_nsec = (uint32_t)attr->st_atim.tv_nsec;
  in.mtime = attr->st_mtim.tv_sec;
  in.mtime_nsec = (uint32_t)attr->st_mtim.tv_nsec;
  in.ctime = attr->st_ctim.tv_sec;
  in.ctime_nsec = (uint32_t)attr->st_ctim.tv_nsec;
#define MAP(f, v) if (to_set & (f)) set |= (v)
  MAP(FUSE_SET_ATTR_MODE, VFSD_SET_MODE);
  MAP(FUSE_SET_ATTR_UID, VFSD_SET_UID);
  MAP(FUSE_SET_ATTR_GID, VFSD_SET_GID);
  MAP(FUSE_SET_ATTR_SIZE, VFSD_SET_SIZE);
  MAP(FUSE_SET_ATTR_ATIME, VFSD_SET_ATIME);
  MAP(FUSE_SET_ATTR_MTIME, VFSD_SET_MTIME);
  MAP(FUSE_SET_ATTR_ATIME_NOW, VFSD_SET_ATIME_NOW);
  MAP(FUSE_SET_ATTR_MTIME_NOW, VFSD_SET_MTIME_NOW);
  MAP(FUSE_SET_ATTR_CTIME, VFSD_SET_CTIME);
#ifdef FUSE_SET_ATTR_KILL_SUID
  MAP(FUSE_SET_ATTR_KILL_SUID, VFSD_SET_KILL_SUID);
  MAP(FUSE_SET_ATTR_KILL_SGID, VFSD_SET_KILL_SGID);
#endif
#undef MAP
  if (set == 0) {
    /* Nothing the backend can change (the kernel sometimes sends only
     * flags such as FUSE_SET_ATTR_FORCE): answer with current attributes. */
    LOCKED(call_lock(m, ino, fh, fi != NULL),
           r = vfsd_call_getattr(m->backend, &ctx, ino, fh, &out));
  } else {
    LOCKED(call_lock(m, ino, fh, fi != NULL),
           r = vfsd_call_setattr(m->backend, &ctx, ino, fh, &in, set, &out));
  }
  if (r != 0)
    fuse_reply_err(req, -r);
  else {
    struct stat st;
    attr_to_stat(&out, &st);
    fuse_reply_attr(req, &st, m->init.attr_timeout);
  }
}

static void
d_readlink(fuse_req_t req, fuse_ino_t ino)
{
  VfsdMount *m = mount_of(req);
  VfsdCtx ctx;
  char buf[4096 + 1];
  ssize_t r;
  make_ctx(req, &ctx);
  LOCKED(call_lock(m, ino, 0, false),
         r = vfsd_call_readlink(m->backend, &ctx, ino, buf, sizeof buf - 1));
  if (r < 0)
    fuse_reply_err(req, (int)-r);
  else {
    buf[r] = '\0';
    if (memchr(buf, '\0', (size_t)r) != NULL || r == 0)
      fuse_reply_err(req, EIO); /* an empty target or one with NUL */
    else
      fuse_reply_readlink(req, buf);
  }
}

/* ---- names -------------------------------------------------------------*/

static void
d_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
        dev_t rdev)
{
  VfsdMount *m = mount_of(req);
  VfsdCtx ctx;
  VfsdEntry e;
  int r;
  make_ctx(req, &ctx);
  preset_entry(m, &e);
  LOCKED(call_lock(m, parent, 0, false),
         r = vfsd_call_mknod(m->backend, &ctx, parent, name, mode, rdev, &e));
  reply_new_entry(req, m, r, &e);
}

static void
d_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
  VfsdMount *m = mount_of(req);
  VfsdCtx ctx;
  VfsdEntry e;
  int r;
  make_ctx(req, &ctx);
  preset_entry(m, &e);
  LOCKED(call_lock(m, parent, 0, false),
         r = vfsd_call_mkdir(m->backend, &ctx, parent, name,
                             mode & ~(uint32_t)S_IFMT, &e));
  reply_new_entry(req, m, r, &e);
}

static void
d_symlink(fuse_req_t req, const char *link, fuse_ino_t parent,
          const char *name)
{
  VfsdMount *m = mount_of(req);
  VfsdCtx ctx;
  VfsdEntry e;
  int r;
  make_ctx(req, &ctx);
  preset_entry(m, &e);
  LOCKED(call_lock(m, parent, 0, false),
         r = vfsd_call_symlink(m->backend, &ctx, link, parent, name, &e));
  reply_new_entry(req, m, r, &e);
}

static void
d_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent,
       const char *newname)
{
  VfsdMount *m = mount_of(req);
  VfsdCtx ctx;
  VfsdEntry e;
  int r;
  make_ctx(req, &ctx);
  preset_entry(m, &e);
  LOCKED(call_lock(m, ino, 0, false),
         r = vfsd_call_link(m->backend, &ctx, ino, newparent, newname, &e));
  reply_new_entry(req, m, r, &e);
}

static void
d_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
  VfsdMount *m = mount_of(req);
  VfsdCtx ctx;
  int r;
  make_ctx(req, &ctx);
  LOCKED(call_lock(m, parent, 0, false),
         r = vfsd_call_unlink(m->backend, &ctx, parent, name));
  fuse_reply_err(req, -r);
}

static void
d_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name)
{
  VfsdMount *m = mount_of(req);
  VfsdCtx ctx;
  int r;
  make_ctx(req, &ctx);
  LOCKED(call_lock(m, parent, 0, false),
         r = vfsd_call_rmdir(m->backend, &ctx, parent, name));
  fuse_reply_err(req, -r);
}

static void
d_rename(fuse_req_t req, fuse_ino_t parent, const char *name,
         fuse_ino_t newparent, const char *newname, unsigned int flags)
{
  VfsdMount *m = mount_of(req);
  VfsdCtx ctx;
  int r;
  make_ctx(req, &ctx);
  LOCKED(call_lock(m, parent, 0, false),
         r = vfsd_call_rename(m->backend, &ctx, parent, name, newparent,
                              newname, flags));
  fuse_reply_err(req, -r);
}

const struct fuse_lowlevel_ops vfsd_dispatch_ops = {
  .init = d_init,
  .lookup = d_lookup,
  .forget = d_forget,
  .forget_multi = d_forget_multi,
  .getattr = d_getattr,
  .setattr = d_setattr,
  .readlink = d_readlink,
  .mknod = d_mknod,
  .mkdir = d_mkdir,
  .unlink = d_unlink,
  .rmdir = d_rmdir,
  .symlink = d_symlink,
  .rename = d_rename,
  .link = d_link,
  .open = d_open,
  .create = d_create,
  .read = d_read,
  .write = d_write,
  .flush = d_flush,
  .release = d_release,
  .fsync = d_fsync,
  .opendir = d_opendir,
  .readdir = d_readdir,
  .readdirplus = d_readdirplus,
  .releasedir = d_releasedir,
  .fsyncdir = d_fsyncdir,
  .statfs = d_statfs,
  .setxattr = d_setxattr,
  .getxattr = d_getxattr,
  .listxattr = d_listxattr,
  .removexattr = d_removexattr,
  .access = d_access,
  .fallocate = d_fallocate,
  .lseek = d_lseek,
  .copy_file_range = d_copy_file_range,
  .getlk = d_getlk,
  .setlk = d_setlk,
  .flock = d_flock,
  .bmap = d_bmap,
  .ioctl = d_ioctl,
  .poll = d_poll,
};
