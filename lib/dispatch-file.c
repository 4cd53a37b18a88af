/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The dispatcher, continued: open files and every request made through a
 * file handle, plus the requests that need no handle and no name (statfs,
 * xattrs, access, …). */
#include "dispatch.h"

/* ---- open files --------------------------------------------------------*/

void
d_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
  VfsdMount *m = mount_of(req);
  VfsdCtx ctx;
  VfsdOpenInfo oi;
  int r;
  if (m->no_open) {
    /* VFSD_CAP_NO_OPEN: the kernel opens files itself from now on, and
     * sends no OPEN or RELEASE for them (FUSE_NO_OPEN_SUPPORT). */
    fuse_reply_err(req, ENOSYS);
    return;
  }
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
  vfsd_handles_add_file(m, ino, oi.fh, fi->flags);
  if (fuse_reply_open(req, fi) < 0) {
    vfsd_handles_remove_file(m, ino, oi.fh);
    LOCKED(call_lock(m, ino, oi.fh, true),
           vfsd_call_release(m->backend, &ctx, ino, oi.fh, fi->flags));
  }
}

void
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
  vfsd_dispatch_take_ref(m, e.ino, NULL);
  if (m->no_open) {
    /* Once the kernel has seen no_open it sends no RELEASE for created
     * files either (measured on 6.18): the handle ends here, and the file
     * is the kernel's as if it had opened it (fh 0). */
    LOCKED(call_lock(m, e.ino, oi.fh, true),
           vfsd_call_release(m->backend, &ctx, e.ino, oi.fh, fi->flags));
    fi->fh = 0;
    apply_open_flags(fi, m->init.open_flags &
                             (VFSD_OPEN_KEEP_CACHE | VFSD_OPEN_NOFLUSH));
    entry_to_fuse(&e, &fe);
    if (fuse_reply_create(req, &fe, fi) < 0)
      vfsd_dispatch_forget_refs(m, e.ino, 1);
    return;
  }
  fi->fh = oi.fh;
  apply_open_flags(fi, oi.out_flags);
  entry_to_fuse(&e, &fe);
  vfsd_handles_add_file(m, e.ino, oi.fh, fi->flags);
  if (fuse_reply_create(req, &fe, fi) < 0) {
    vfsd_handles_remove_file(m, e.ino, oi.fh);
    LOCKED(call_lock(m, e.ino, oi.fh, true),
           vfsd_call_release(m->backend, &ctx, e.ino, oi.fh, fi->flags));
    vfsd_dispatch_forget_refs(m, e.ino, 1);
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

void
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

void
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

void
d_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
  VfsdMount *m = mount_of(req);
  VfsdCtx ctx;
  int r;
  if (!m->has_flush) {
    /* Asked only where opens carry no NOFLUSH (no_open): ENOSYS, and the
     * kernel stops asking. */
    fuse_reply_err(req, ENOSYS);
    return;
  }
  make_ctx(req, &ctx);
  LOCKED(call_lock(m, ino, fi->fh, true),
         r = vfsd_call_flush(m->backend, &ctx, ino, fi->fh, fi->lock_owner));
  fuse_reply_err(req, -r);
}

void
d_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
  VfsdMount *m = mount_of(req);
  VfsdCtx ctx;
  /* With no_open, files the kernel opened itself may still be released
   * (the one opened with our ENOSYS, files created before it): fh 0,
   * never a handle of the backend's, which has released its own. */
  if (!vfsd_handles_remove_file(m, ino, fi->fh) && m->no_open) {
    fuse_reply_err(req, 0);
    return;
  }
  make_ctx(req, &ctx);
  LOCKED(call_lock(m, ino, fi->fh, true),
         vfsd_call_release(m->backend, &ctx, ino, fi->fh, fi->flags));
  fuse_reply_err(req, 0);
}

void
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

/* ---- the rest ----------------------------------------------------------*/

void
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

void
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

void
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

void
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

void
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

void
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

void
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

void
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

void
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

void
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

void
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

void
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

void
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

void
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

void
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

