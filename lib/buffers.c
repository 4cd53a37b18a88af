/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The small objects operations fill: read buffers (zero-copy read replies)
 * and directory fillers. */
#include "private.h"

#include <errno.h>
#include <string.h>

/* ---- VfsdReadBuf -------------------------------------------------------*/

void
vfsd_read_buf_init(VfsdReadBuf *rb, char *scratch, size_t scratch_size)
{
  rb->nseg = 0;
  rb->total = 0;
  rb->done = NULL;
  rb->done_data = NULL;
  rb->scratch = scratch;
  rb->scratch_size = scratch_size;
  rb->scratch_owned = false;
  rb->overflow = false;
}

void
vfsd_read_buf_finish(VfsdReadBuf *rb)
{
  void (*done)(void *) = rb->done;
  rb->done = NULL;
  if (done)
    done(rb->done_data);
  if (rb->scratch_owned) {
    g_free(rb->scratch);
    rb->scratch = NULL;
    rb->scratch_size = 0;
    rb->scratch_owned = false;
  }
  rb->nseg = 0;
  rb->total = 0;
}

int
vfsd_read_buf_add(VfsdReadBuf *rb, const void *data, size_t len)
{
  if (len == 0)
    return 0;
  if (rb->nseg >= VFSD_READ_BUF_MAX_SEGMENTS) {
    rb->overflow = true;
    return -E2BIG;
  }
  /* seg[0] stays free for the reply header. */
  rb->seg[rb->nseg + 1].iov_base = (void *)data;
  rb->seg[rb->nseg + 1].iov_len = len;
  rb->nseg++;
  rb->total += len;
  return 0;
}

void
vfsd_read_buf_on_sent(VfsdReadBuf *rb, void (*done)(void *data), void *data)
{
  rb->done = done;
  rb->done_data = data;
}

VfsdReadBuf *
vfsd_read_buf_new(size_t scratch_size)
{
  VfsdReadBuf *rb = g_new(VfsdReadBuf, 1);
  vfsd_read_buf_init(rb, scratch_size ? g_malloc(scratch_size) : NULL,
                     scratch_size);
  rb->scratch_owned = scratch_size > 0;
  return rb;
}

void
vfsd_read_buf_free(VfsdReadBuf *rb)
{
  if (rb == NULL)
    return;
  vfsd_read_buf_finish(rb);
  g_free(rb);
}

size_t
vfsd_read_buf_copy_out(VfsdReadBuf *rb, char *dest, size_t size)
{
  size_t done = 0;
  for (unsigned i = 1; i <= rb->nseg && done < size; i++) {
    size_t n = MIN(rb->seg[i].iov_len, size - done);
    memcpy(dest + done, rb->seg[i].iov_base, n);
    done += n;
  }
  return done;
}

unsigned
vfsd_read_buf_segments(VfsdReadBuf *rb)
{
  return rb->nseg;
}

/* ---- VfsdDirFiller -----------------------------------------------------*/

void
vfsd_dir_filler_init(VfsdDirFiller *f, bool plus, VfsdDirEntryCallback cb,
                     void *data)
{
  memset(f, 0, sizeof *f);
  f->plus = plus;
  f->valid = true;
  f->cb = cb;
  f->data = data;
}

VfsdDirFiller *
vfsd_dir_filler_new(bool plus, VfsdDirEntryCallback cb, void *data)
{
  VfsdDirFiller *f = g_new(VfsdDirFiller, 1);
  vfsd_dir_filler_init(f, plus, cb, data);
  return f;
}

void
vfsd_dir_filler_free(VfsdDirFiller *filler)
{
  g_free(filler);
}

static bool
filler_reject(VfsdDirFiller *f, const char *why, const char *name)
{
  f->broken = true;
  if (f->backend)
    vfsd_log_backend_bug(f->backend, "readdir", "entry \"%s\": %s",
                         name ? name : "(null)", why);
  return false;
}

static bool
filler_add(VfsdDirFiller *f, const char *name, uint64_t ino, uint32_t mode,
           const VfsdEntry *entry, int64_t next_off)
{
  size_t n;
  if (G_UNLIKELY(f == NULL || !f->valid || f->broken))
    return false;
  if (G_UNLIKELY(name == NULL || name[0] == '\0'))
    return filler_reject(f, "empty name", name);
  n = strlen(name);
  if (G_UNLIKELY(n > 255 || memchr(name, '/', n)))
    return filler_reject(f, "name longer than 255 bytes or with '/'", name);
  if (G_UNLIKELY(next_off <= 0))
    return filler_reject(f, "the offset after an entry must be > 0", name);
  if (!f->cb(f->data, name, ino, mode, entry, next_off))
    return false;
  f->added++;
  return true;
}

bool
vfsd_dir_add(VfsdDirFiller *filler, const char *name, uint64_t ino,
             uint32_t mode, int64_t next_off)
{
  return filler_add(filler, name, ino, mode, NULL, next_off);
}

bool
vfsd_dir_add_entry(VfsdDirFiller *filler, const char *name,
                   const VfsdEntry *entry, int64_t next_off)
{
  if (entry == NULL)
    return filler_reject(filler, "NULL entry", name);
  if (G_UNLIKELY(entry->ino == 0 || !vfsd_mode_type_valid(entry->attr.mode)))
    return filler_reject(filler, "entry with inode 0 or without file type",
                         name);
  return filler_add(filler, name, entry->ino, entry->attr.mode,
                    filler->plus ? entry : NULL, next_off);
}

bool
vfsd_dir_wants_entries(const VfsdDirFiller *filler)
{
  return filler && filler->plus;
}
