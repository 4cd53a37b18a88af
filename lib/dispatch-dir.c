/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The dispatcher, continued: directory handles and listings.  Backends that
 * declare VFSD_BACKEND_STABLE_DIR_OFFSETS fill replies directly; for the
 * others the library takes a snapshot of the listing when it starts (offset
 * 0), so a listing resumed at any offset neither skips nor repeats an entry
 * that was not touched. */
#include "dispatch.h"

/* ---- directories -------------------------------------------------------*/

typedef struct {
  char *name;
  uint64_t ino;
  uint32_t mode;
} SnapEntry;

/* What the kernel holds as the handle of an open directory. */
typedef struct {
  uint64_t ino;
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

void
d_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
  VfsdMount *m = mount_of(req);
  VfsdCtx ctx;
  VfsdOpenInfo oi;
  DirHandle *dh;
  int r;
  make_ctx(req, &ctx);
  preset_open(m, &oi, fi->flags);
  oi.out_flags &= ~(uint32_t)(VFSD_OPEN_DIRECT_IO | VFSD_OPEN_NOFLUSH);
  LOCKED(call_lock(m, ino, 0, false),
         r = vfsd_call_opendir(m->backend, &ctx, ino, &oi));
  if (r != 0) {
    fuse_reply_err(req, -r);
    return;
  }
  dh = g_new0(DirHandle, 1);
  dh->ino = ino;
  dh->fh = oi.fh;
  g_mutex_init(&dh->lock);
  fi->fh = (uint64_t)(uintptr_t)dh;
  /* KEEP_CACHE on a directory keeps the listing the kernel cached at
   * earlier opens; it means something only with CACHE_DIR. */
  if (!(oi.out_flags & VFSD_OPEN_CACHE_DIR))
    oi.out_flags &= ~(uint32_t)VFSD_OPEN_KEEP_CACHE;
  apply_open_flags(fi, oi.out_flags & (VFSD_OPEN_CACHE_DIR |
                                       VFSD_OPEN_KEEP_CACHE |
                                       VFSD_OPEN_NONSEEKABLE));
  vfsd_handles_add_dir(m, dh);
  if (fuse_reply_open(req, fi) < 0) {
    vfsd_handles_remove_dir(m, dh);
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
    if (entry && !is_dot(name) && vfsd_dispatch_take_ref(d->m, entry->ino, &d->tok)) {
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
      vfsd_dispatch_forget_refs(m, g_array_index(d.refs, uint64_t, i), 1);
    fuse_reply_err(req, -r);
  } else if (fuse_reply_buf(req, d.buf, d.used) < 0) {
    for (guint i = 0; i < d.refs->len; i++)
      vfsd_dispatch_forget_refs(m, g_array_index(d.refs, uint64_t, i), 1);
  }
  g_array_free(d.refs, TRUE);
  g_free(d.buf);
}

void
d_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
          struct fuse_file_info *fi)
{
  do_readdir(req, ino, size, off, fi, false);
}

void
d_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
              struct fuse_file_info *fi)
{
  do_readdir(req, ino, size, off, fi, true);
}

static void
dir_free(DirHandle *dh)
{
  snap_free(dh);
  g_mutex_clear(&dh->lock);
  g_free(dh);
}

void
d_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
  VfsdMount *m = mount_of(req);
  DirHandle *dh = (DirHandle *)(uintptr_t)fi->fh;
  VfsdCtx ctx;
  make_ctx(req, &ctx);
  vfsd_handles_remove_dir(m, dh);
  LOCKED(call_lock(m, ino, dh->fh, true),
         vfsd_call_releasedir(m->backend, &ctx, ino, dh->fh));
  dir_free(dh);
  fuse_reply_err(req, 0);
}

void
vfsd_dispatch_dir_release(VfsdMount *m, void *dir)
{
  DirHandle *dh = dir;
  VfsdCtx ctx;
  memset(&ctx, 0, sizeof ctx);
  vfsd_call_releasedir(m->backend, &ctx, dh->ino, dh->fh);
  dir_free(dh);
}

void
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
