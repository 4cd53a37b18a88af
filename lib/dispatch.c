/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The dispatcher: one libfuse low-level request → one backend call (through
 * the choke point of call.c) → one reply.  It owns what backends should
 * never have to get right: lookup counts (inodes.c), stable directory
 * offsets (snapshots), thread-model enforcement, cancelled replies. */
#include "mount-private.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>

/* ---- small helpers -----------------------------------------------------*/

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

#define LOCKED(l, expr)                                                     \
  do {                                                                      \
    GMutex *l_ = (l);                                                       \
    if (l_) g_mutex_lock(l_);                                               \
    expr;                                                                   \
    if (l_) g_mutex_unlock(l_);                                             \
  } while (0)

static void
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

static void
entry_to_fuse(const VfsdEntry *e, struct fuse_entry_param *fe)
{
  memset(fe, 0, sizeof *fe);
  fe->ino = e->ino;
  fe->generation = e->generation;
  fe->entry_timeout = e->entry_timeout;
  fe->attr_timeout = e->attr_timeout;
  attr_to_stat(&e->attr, &fe->attr);
}

/* Drops one reference the library counted but the kernel never got. */
static void
forget_refs(VfsdMount *m, uint64_t ino, uint64_t n)
{
  if (ino == VFSD_ROOT_INO)
    return;
  if (vfsd_inodes_unref(m->inodes, ino, n)) {
    LOCKED(call_lock(m, ino, 0, false), vfsd_call_forget(m->backend, ino));
    vfsd_inodes_forgotten(m->inodes, ino);
  }
}

static inline bool
take_ref(VfsdMount *m, uint64_t ino, const VfsdForgetToken *tok)
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
    forget_refs(m, e->ino, 1);
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
  take_ref(m, e->ino, NULL);
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
  WANT(FUSE_CAP_ATOMIC_O_TRUNC, m->init.caps & VFSD_CAP_ATOMIC_O_TRUNC);
  WANT(FUSE_CAP_WRITEBACK_CACHE, m->use_writeback);
  WANT(FUSE_CAP_CACHE_SYMLINKS, m->init.caps & VFSD_CAP_CACHE_SYMLINKS);
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
    if (take_ref(m, e.ino, &tok)) {
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
  forget_refs(mount_of(req), ino, nlookup);
  fuse_reply_none(req);
}

static void
d_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *forgets)
{
  VfsdMount *m = mount_of(req);
  for (size_t i = 0; i < count; i++)
    forget_refs(m, forgets[i].ino, forgets[i].nlookup);
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

/* ---- open files --------------------------------------------------------*/

static void
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

static void
d_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
  VfsdMount *m = mount_of(req);
  VfsdCtx ctx;
  VfsdOpenInfo oi;
  int r;
  make_ctx(req, &ctx);
  preset_open(m, &oi, fi->flags);
  LOCKED(call_lock(m, ino, 0, false),
         r = vfsd_call_open(m->backend, &ctx, ino, &oi));
  if (r != 0) {
    fuse_reply_err(req, -r);
    return;
  }
  fi->fh = oi.fh;
  apply_open_flags(fi, oi.out_flags);
  if (fuse_reply_open(req, fi) < 0)
    LOCKED(call_lock(m, ino, oi.fh, true),
           vfsd_call_release(m->backend, &ctx, ino, oi.fh, fi->flags));
}

static void
d_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
         struct fuse_file_info *fi)
{
  VfsdMount *m = mount_of(req);
  VfsdCtx ctx;
  VfsdOpenInfo oi;
  VfsdEntry e;
  struct fuse_entry_param fe;
  int r;
  make_ctx(req, &ctx);
  preset_open(m, &oi, fi->flags);
  preset_entry(m, &e);
  LOCKED(call_lock(m, parent, 0, false),
         r = vfsd_call_create(m->backend, &ctx, parent, name, mode, &oi, &e));
  if (r != 0) {
    fuse_reply_err(req, -r);
    return;
  }
  take_ref(m, e.ino, NULL);
  fi->fh = oi.fh;
  apply_open_flags(fi, oi.out_flags);
  entry_to_fuse(&e, &fe);
  if (fuse_reply_create(req, &fe, fi) < 0) {
    LOCKED(call_lock(m, e.ino, oi.fh, true),
           vfsd_call_release(m->backend, &ctx, e.ino, oi.fh, fi->flags));
    forget_refs(m, e.ino, 1);
  }
}

/* The copy buffer a serving thread offers copying backends: one per
 * thread, grown to the largest read seen. */
typedef struct {
  char *data;
  size_t size;
} Scratch;

static void
scratch_free(gpointer p)
{
  Scratch *s = p;
  g_free(s->data);
  g_free(s);
}

static GPrivate scratch_key = G_PRIVATE_INIT(scratch_free);

static Scratch *
thread_scratch(size_t size)
{
  Scratch *s = g_private_get(&scratch_key);
  if (s == NULL) {
    s = g_new0(Scratch, 1);
    g_private_set(&scratch_key, s);
  }
  if (s->size < size) {
    g_free(s->data);
    s->size = MAX(size, 128 * 1024);
    s->data = g_malloc(s->size);
  }
  return s;
}

static void
d_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
       struct fuse_file_info *fi)
{
  VfsdMount *m = mount_of(req);
  VfsdCtx ctx;
  VfsdReadBuf rb;
  Scratch *s = thread_scratch(size);
  ssize_t r;
  make_ctx(req, &ctx);
  vfsd_read_buf_init(&rb, s->data, s->size);
  LOCKED(call_lock(m, ino, fi->fh, true),
         r = vfsd_call_read_iov(m->backend, &ctx, ino, fi->fh, size, off,
                                &rb));
  if (r < 0)
    fuse_reply_err(req, (int)-r);
  else if (rb.nseg <= 1)
    fuse_reply_buf(req, rb.nseg ? rb.seg[1].iov_base : NULL,
                   rb.nseg ? rb.seg[1].iov_len : 0);
  else
    fuse_reply_iov(req, &rb.seg[1], (int)rb.nseg);
  vfsd_read_buf_finish(&rb);
}

static void
d_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size,
        off_t off, struct fuse_file_info *fi)
{
  VfsdMount *m = mount_of(req);
  VfsdCtx ctx;
  ssize_t r;
  uint32_t flags = fi->writepage ? VFSD_WRITE_CACHE : 0;
  make_ctx(req, &ctx);
  LOCKED(call_lock(m, ino, fi->fh, true),
         r = vfsd_call_write(m->backend, &ctx, ino, fi->fh, buf, size, off,
                             flags));
  if (r < 0)
    fuse_reply_err(req, (int)-r);
  else
    fuse_reply_write(req, (size_t)r);
}

static void
d_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
  VfsdMount *m = mount_of(req);
  VfsdCtx ctx;
  int r;
  make_ctx(req, &ctx);
  LOCKED(call_lock(m, ino, fi->fh, true),
         r = vfsd_call_flush(m->backend, &ctx, ino, fi->fh, fi->lock_owner));
  fuse_reply_err(req, -r);
}

static void
d_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
  VfsdMount *m = mount_of(req);
  VfsdCtx ctx;
  make_ctx(req, &ctx);
  LOCKED(call_lock(m, ino, fi->fh, true),
         vfsd_call_release(m->backend, &ctx, ino, fi->fh, fi->flags));
  fuse_reply_err(req, 0);
}

static void
d_fsync(fuse_req_t req, fuse_ino_t ino, int datasync,
        struct fuse_file_info *fi)
{
  VfsdMount *m = mount_of(req);
  VfsdCtx ctx;
  int r;
  make_ctx(req, &ctx);
  LOCKED(call_lock(m, ino, fi->fh, true),
         r = vfsd_call_fsync(m->backend, &ctx, ino, fi->fh, datasync));
  fuse_reply_err(req, -r);
}

/* ---- directories -------------------------------------------------------*/

typedef struct {
  char *name;
  uint64_t ino;
  uint32_t mode;
} SnapEntry;

/* What the kernel holds as the handle of an open directory. */
typedef struct {
  uint64_t fh;              /* the backend's */
  GMutex lock;              /* one readdir at a time per handle */
  GArray *snap;             /* SnapEntry; NULL until a listing starts */
} DirHandle;

static void
snap_free(DirHandle *dh)
{
  if (dh->snap == NULL)
    return;
  for (guint i = 0; i < dh->snap->len; i++)
    g_free(g_array_index(dh->snap, SnapEntry, i).name);
  g_array_free(dh->snap, TRUE);
  dh->snap = NULL;
}

static void
d_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
  VfsdMount *m = mount_of(req);
  VfsdCtx ctx;
  VfsdOpenInfo oi;
  DirHandle *dh;
  int r;
  make_ctx(req, &ctx);
  preset_open(m, &oi, fi->flags);
  oi.out_flags &= ~(uint32_t)(VFSD_OPEN_KEEP_CACHE | VFSD_OPEN_DIRECT_IO |
                              VFSD_OPEN_NOFLUSH);
  LOCKED(call_lock(m, ino, 0, false),
         r = vfsd_call_opendir(m->backend, &ctx, ino, &oi));
  if (r != 0) {
    fuse_reply_err(req, -r);
    return;
  }
  dh = g_new0(DirHandle, 1);
  dh->fh = oi.fh;
  g_mutex_init(&dh->lock);
  fi->fh = (uint64_t)(uintptr_t)dh;
  apply_open_flags(fi, oi.out_flags & (VFSD_OPEN_CACHE_DIR |
                                       VFSD_OPEN_NONSEEKABLE));
  if (fuse_reply_open(req, fi) < 0) {
    LOCKED(call_lock(m, ino, dh->fh, true),
           vfsd_call_releasedir(m->backend, &ctx, ino, dh->fh));
    g_mutex_clear(&dh->lock);
    g_free(dh);
  }
}

/* Filling a reply buffer for readdir / readdirplus. */
typedef struct {
  fuse_req_t req;
  VfsdMount *m;
  char *buf;
  size_t size;
  size_t used;
  bool plus;
  VfsdForgetToken tok;
  GArray *refs;             /* inodes counted for this reply */
} DirReply;

static bool
is_dot(const char *name)
{
  return name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'));
}

static bool
dir_reply_add(void *data, const char *name, uint64_t ino, uint32_t mode,
              const VfsdEntry *entry, int64_t next_off)
{
  DirReply *d = data;
  size_t room = d->size - d->used, n;
  if (d->plus) {
    struct fuse_entry_param fe;
    n = fuse_add_direntry_plus(d->req, NULL, 0, name, NULL, 0);
    if (n > room)
      return false;
    if (entry && !is_dot(name) && take_ref(d->m, entry->ino, &d->tok)) {
      entry_to_fuse(entry, &fe);
      if (entry->ino != VFSD_ROOT_INO)
        g_array_append_val(d->refs, entry->ino);
    } else {
      /* No attributes: the kernel shows the name and looks it up when
       * needed.  Also used when a forget raced with the listing. */
      memset(&fe, 0, sizeof fe);
      fe.attr.st_ino = ino;
      fe.attr.st_mode = mode & S_IFMT;
    }
    fuse_add_direntry_plus(d->req, d->buf + d->used, room, name, &fe,
                           next_off);
  } else {
    struct stat st;
    memset(&st, 0, sizeof st);
    st.st_ino = ino;
    st.st_mode = mode & S_IFMT;
    n = fuse_add_direntry(d->req, NULL, 0, name, NULL, 0);
    if (n > room)
      return false;
    fuse_add_direntry(d->req, d->buf + d->used, room, name, &st, next_off);
  }
  d->used += n;
  return true;
}

/* Collecting a whole listing into a snapshot. */
typedef struct {
  GArray *snap;
  int64_t last_off;
  unsigned in_call;
} SnapFill;

#define SNAP_PER_CALL 4096
#define SNAP_MAX (4u << 20)

static bool
snap_add(void *data, const char *name, uint64_t ino, uint32_t mode,
         const VfsdEntry *entry, int64_t next_off)
{
  SnapFill *s = data;
  SnapEntry e = { g_strdup(name), ino, mode };
  if (s->in_call >= SNAP_PER_CALL || s->snap->len >= SNAP_MAX) {
    g_free(e.name);
    return false;
  }
  g_array_append_val(s->snap, e);
  s->last_off = next_off;
  s->in_call++;
  return true;
}

static int
snap_build(VfsdMount *m, const VfsdCtx *ctx, uint64_t ino, DirHandle *dh)
{
  SnapFill s = { g_array_new(FALSE, FALSE, sizeof(SnapEntry)), 0, 0 };
  VfsdDirFiller f;
  int64_t off = 0;
  int r;
  snap_free(dh);
  dh->snap = s.snap;
  for (;;) {
    vfsd_dir_filler_init(&f, false, snap_add, &s);
    s.in_call = 0;
    LOCKED(call_lock(m, ino, dh->fh, true),
           r = vfsd_call_readdir(m->backend, ctx, ino, dh->fh, off, &f));
    f.valid = false;
    if (r != 0)
      break;
    if (s.in_call == 0)
      break;
    if (s.snap->len >= SNAP_MAX) {
      vfsd_log(G_LOG_LEVEL_WARNING,
               "backend '%s': readdir of inode %" PRIu64 " gave more than "
               "%u entries; its offsets may never end the listing",
               vfsd_backend_get_name(m->backend), ino, SNAP_MAX);
      r = -EIO;
      break;
    }
    off = s.last_off;
  }
  if (r != 0)
    snap_free(dh);
  return r;
}

static void
do_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
           struct fuse_file_info *fi, bool plus)
{
  VfsdMount *m = mount_of(req);
  DirHandle *dh = (DirHandle *)(uintptr_t)fi->fh;
  VfsdCtx ctx;
  DirReply d;
  int r = 0;
  make_ctx(req, &ctx);
  d.req = req;
  d.m = m;
  d.size = MIN(size, (size_t)1 << 20);
  d.buf = g_malloc(d.size);
  d.used = 0;
  d.plus = plus;
  d.refs = g_array_new(FALSE, FALSE, sizeof(uint64_t));

  g_mutex_lock(&dh->lock);
  if (m->stable_dir_offsets) {
    VfsdDirFiller f;
    vfsd_dir_filler_init(&f, plus, dir_reply_add, &d);
    d.tok = vfsd_inodes_token(m->inodes);
    LOCKED(call_lock(m, ino, dh->fh, true),
           r = vfsd_call_readdir(m->backend, &ctx, ino, dh->fh, off, &f));
    f.valid = false;
  } else {
    if (off == 0 || dh->snap == NULL)
      r = snap_build(m, &ctx, ino, dh);
    if (r == 0 && off >= 0) {
      for (guint i = (guint)MIN((guint64)off, (guint64)dh->snap->len);
           i < dh->snap->len; i++) {
        SnapEntry *e = &g_array_index(dh->snap, SnapEntry, i);
        if (!dir_reply_add(&d, e->name, e->ino, e->mode, NULL, i + 1))
          break;
      }
    }
  }
  g_mutex_unlock(&dh->lock);

  if (r != 0) {
    /* Entries counted for a reply that is not sent are given back. */
    for (guint i = 0; i < d.refs->len; i++)
      forget_refs(m, g_array_index(d.refs, uint64_t, i), 1);
    fuse_reply_err(req, -r);
  } else if (fuse_reply_buf(req, d.buf, d.used) < 0) {
    for (guint i = 0; i < d.refs->len; i++)
      forget_refs(m, g_array_index(d.refs, uint64_t, i), 1);
  }
  g_array_free(d.refs, TRUE);
  g_free(d.buf);
}

static void
d_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
          struct fuse_file_info *fi)
{
  do_readdir(req, ino, size, off, fi, false);
}

static void
d_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
              struct fuse_file_info *fi)
{
  do_readdir(req, ino, size, off, fi, true);
}

static void
d_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
  VfsdMount *m = mount_of(req);
  DirHandle *dh = (DirHandle *)(uintptr_t)fi->fh;
  VfsdCtx ctx;
  make_ctx(req, &ctx);
  LOCKED(call_lock(m, ino, dh->fh, true),
         vfsd_call_releasedir(m->backend, &ctx, ino, dh->fh));
  snap_free(dh);
  g_mutex_clear(&dh->lock);
  g_free(dh);
  fuse_reply_err(req, 0);
}

static void
d_fsyncdir(fuse_req_t req, fuse_ino_t ino, int datasync,
           struct fuse_file_info *fi)
{
  VfsdMount *m = mount_of(req);
  DirHandle *dh = (DirHandle *)(uintptr_t)fi->fh;
  VfsdCtx ctx;
  int r;
  make_ctx(req, &ctx);
  LOCKED(call_lock(m, ino, dh->fh, true),
         r = vfsd_call_fsyncdir(m->backend, &ctx, ino, dh->fh, datasync));
  fuse_reply_err(req, -r);
}

/* ---- the rest ----------------------------------------------------------*/

static void
d_statfs(fuse_req_t req, fuse_ino_t ino)
{
  VfsdMount *m = mount_of(req);
  VfsdCtx ctx;
  VfsdStatfs s;
  int r;
  make_ctx(req, &ctx);
  memset(&s, 0, sizeof s);
  LOCKED(call_lock(m, ino, 0, false),
         r = vfsd_call_statfs(m->backend, &ctx, ino, &s));
  if (r != 0)
    fuse_reply_err(req, -r);
  else {
    struct statvfs v;
    memset(&v, 0, sizeof v);
    v.f_bsize = s.bsize ? s.bsize : 4096;
    v.f_frsize = s.frsize ? s.frsize : v.f_bsize;
    v.f_blocks = s.blocks;
    v.f_bfree = s.bfree;
    v.f_bavail = s.bavail;
    v.f_files = s.files;
    v.f_ffree = s.ffree;
    v.f_favail = s.favail;
    v.f_namemax = s.namemax ? s.namemax : 255;
    fuse_reply_statfs(req, &v);
  }
}

static void
d_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name,
           const char *value, size_t size, int flags)
{
  VfsdMount *m = mount_of(req);
  VfsdCtx ctx;
  int r;
  make_ctx(req, &ctx);
  LOCKED(call_lock(m, ino, 0, false),
         r = vfsd_call_setxattr(m->backend, &ctx, ino, name, value, size,
                                flags));
  fuse_reply_err(req, -r);
}

static void
d_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name, size_t size)
{
  VfsdMount *m = mount_of(req);
  VfsdCtx ctx;
  char *buf = size ? g_malloc(size) : NULL;
  ssize_t r;
  make_ctx(req, &ctx);
  LOCKED(call_lock(m, ino, 0, false),
         r = vfsd_call_getxattr(m->backend, &ctx, ino, name, buf, size));
  if (r < 0)
    fuse_reply_err(req, (int)-r);
  else if (size == 0)
    fuse_reply_xattr(req, (size_t)r);
  else
    fuse_reply_buf(req, buf, (size_t)r);
  g_free(buf);
}

static void
d_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size)
{
  VfsdMount *m = mount_of(req);
  VfsdCtx ctx;
  char *buf = size ? g_malloc(size) : NULL;
  ssize_t r;
  make_ctx(req, &ctx);
  LOCKED(call_lock(m, ino, 0, false),
         r = vfsd_call_listxattr(m->backend, &ctx, ino, buf, size));
  if (r < 0)
    fuse_reply_err(req, (int)-r);
  else if (size == 0)
    fuse_reply_xattr(req, (size_t)r);
  else
    fuse_reply_buf(req, buf, (size_t)r);
  g_free(buf);
}

static void
d_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name)
{
  VfsdMount *m = mount_of(req);
  VfsdCtx ctx;
  int r;
  make_ctx(req, &ctx);
  LOCKED(call_lock(m, ino, 0, false),
         r = vfsd_call_removexattr(m->backend, &ctx, ino, name));
  fuse_reply_err(req, -r);
}

static void
d_access(fuse_req_t req, fuse_ino_t ino, int mask)
{
  VfsdMount *m = mount_of(req);
  VfsdCtx ctx;
  int r;
  make_ctx(req, &ctx);
  LOCKED(call_lock(m, ino, 0, false),
         r = vfsd_call_access(m->backend, &ctx, ino, mask));
  fuse_reply_err(req, -r);
}

static void
d_fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t offset,
            off_t length, struct fuse_file_info *fi)
{
  VfsdMount *m = mount_of(req);
  VfsdCtx ctx;
  int r;
  make_ctx(req, &ctx);
  LOCKED(call_lock(m, ino, fi->fh, true),
         r = vfsd_call_fallocate(m->backend, &ctx, ino, fi->fh, mode, offset,
                                 length));
  fuse_reply_err(req, -r);
}

static void
d_lseek(fuse_req_t req, fuse_ino_t ino, off_t off, int whence,
        struct fuse_file_info *fi)
{
  VfsdMount *m = mount_of(req);
  VfsdCtx ctx;
  int64_t out = 0;
  int r;
  make_ctx(req, &ctx);
  LOCKED(call_lock(m, ino, fi->fh, true),
         r = vfsd_call_lseek(m->backend, &ctx, ino, fi->fh, off, whence,
                             &out));
  if (r != 0)
    fuse_reply_err(req, -r);
  else
    fuse_reply_lseek(req, out);
}

static void
d_copy_file_range(fuse_req_t req, fuse_ino_t ino_in, off_t off_in,
                  struct fuse_file_info *fi_in, fuse_ino_t ino_out,
                  off_t off_out, struct fuse_file_info *fi_out, size_t len,
                  int flags)
{
  VfsdMount *m = mount_of(req);
  VfsdCtx ctx;
  GMutex *a = call_lock(m, ino_in, fi_in->fh, true);
  GMutex *b = call_lock(m, ino_out, fi_out->fh, true);
  ssize_t r;
  make_ctx(req, &ctx);
  if (a && b && a != b && (uintptr_t)b < (uintptr_t)a) {
    GMutex *t = a;
    a = b;
    b = t;
  }
  if (a) g_mutex_lock(a);
  if (b && b != a) g_mutex_lock(b);
  r = vfsd_call_copy_file_range(m->backend, &ctx, ino_in, fi_in->fh, off_in,
                                ino_out, fi_out->fh, off_out, len,
                                (uint32_t)flags);
  if (b && b != a) g_mutex_unlock(b);
  if (a) g_mutex_unlock(a);
  if (r < 0)
    fuse_reply_err(req, (int)-r);
  else
    fuse_reply_write(req, (size_t)r);
}

static void
d_getlk(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi,
        struct flock *lock)
{
  VfsdMount *m = mount_of(req);
  VfsdCtx ctx;
  int r;
  make_ctx(req, &ctx);
  LOCKED(call_lock(m, ino, fi->fh, true),
         r = vfsd_call_getlk(m->backend, &ctx, ino, fi->fh, fi->lock_owner,
                             lock));
  if (r != 0)
    fuse_reply_err(req, -r);
  else
    fuse_reply_lock(req, lock);
}

static void
d_setlk(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi,
        struct flock *lock, int sleep)
{
  VfsdMount *m = mount_of(req);
  VfsdCtx ctx;
  int r;
  make_ctx(req, &ctx);
  LOCKED(call_lock(m, ino, fi->fh, true),
         r = vfsd_call_setlk(m->backend, &ctx, ino, fi->fh, fi->lock_owner,
                             lock, sleep));
  fuse_reply_err(req, -r);
}

static void
d_flock(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi, int op)
{
  VfsdMount *m = mount_of(req);
  VfsdCtx ctx;
  int r;
  make_ctx(req, &ctx);
  LOCKED(call_lock(m, ino, fi->fh, true),
         r = vfsd_call_flock(m->backend, &ctx, ino, fi->fh, fi->lock_owner,
                             op));
  fuse_reply_err(req, -r);
}

static void
d_bmap(fuse_req_t req, fuse_ino_t ino, size_t blocksize, uint64_t idx)
{
  VfsdMount *m = mount_of(req);
  VfsdCtx ctx;
  int r;
  make_ctx(req, &ctx);
  LOCKED(call_lock(m, ino, 0, false),
         r = vfsd_call_bmap(m->backend, &ctx, ino, blocksize, &idx));
  if (r != 0)
    fuse_reply_err(req, -r);
  else
    fuse_reply_bmap(req, idx);
}

static void
d_ioctl(fuse_req_t req, fuse_ino_t ino, unsigned int cmd, void *arg,
        struct fuse_file_info *fi, unsigned flags, const void *in_buf,
        size_t in_bufsz, size_t out_bufsz)
{
  VfsdMount *m = mount_of(req);
  VfsdCtx ctx;
  size_t out_size = out_bufsz;
  char *out;
  int r;
  (void)arg;
  if (flags & (FUSE_IOCTL_COMPAT | FUSE_IOCTL_UNRESTRICTED)) {
    fuse_reply_err(req, ENOSYS);
    return;
  }
  make_ctx(req, &ctx);
  out = out_bufsz ? g_malloc0(out_bufsz) : NULL;
  LOCKED(call_lock(m, ino, fi->fh, true),
         r = vfsd_call_ioctl(m->backend, &ctx, ino, fi->fh, cmd, in_buf,
                             in_bufsz, out, &out_size));
  if (r < 0)
    fuse_reply_err(req, -r);
  else
    fuse_reply_ioctl(req, r, out, out_size);
  g_free(out);
}

struct _VfsdPollHandle {
  struct fuse_pollhandle *ph;
};

void
vfsd_poll_handle_notify(VfsdPollHandle *ph)
{
  if (ph && ph->ph)
    fuse_lowlevel_notify_poll(ph->ph);
}

void
vfsd_poll_handle_free(VfsdPollHandle *ph)
{
  if (ph == NULL)
    return;
  if (ph->ph)
    fuse_pollhandle_destroy(ph->ph);
  g_free(ph);
}

static void
d_poll(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi,
       struct fuse_pollhandle *fph)
{
  VfsdMount *m = mount_of(req);
  VfsdCtx ctx;
  VfsdPollHandle *ph = NULL;
  uint32_t revents = 0;
  int r;
  make_ctx(req, &ctx);
  if (fph) {
    ph = g_new(VfsdPollHandle, 1);
    ph->ph = fph;
  }
  LOCKED(call_lock(m, ino, fi->fh, true),
         r = vfsd_call_poll(m->backend, &ctx, ino, fi->fh, fi->poll_events, ph,
                            &revents));
  if (r != 0)
    fuse_reply_err(req, -r);
  else
    fuse_reply_poll(req, revents);
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
