/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The bytes of a regular file.  A RamMap indexed by offset / 64 KiB holds
 * RamChunks; a chunk holds up to 16 separately allocated 4 KiB pages and
 * a bitmap of those that were written.  A page that does not exist is a
 * hole and costs nothing; a page that exists but was never written
 * (fallocate) is allocated space that still reads as zeros and, as in
 * tmpfs, counts as a hole for SEEK_DATA / SEEK_HOLE.
 *
 * Invariants: every byte of a page that is not written data is zero (past
 * the end of file too), so extending a file or reading a hole needs no
 * work; f->alloc is 4 KiB per page and is counted in fs->bytes_used and
 * in st_blocks.  Every function here runs with the file write-locked
 * (read-locked for reads and seeks). */
#include "ram-private.h"

#include <errno.h>
#include <string.h>

#define PAGE_OF(off) ((off) / RAM_PAGE)
#define IN_PAGE(off) ((size_t)((off) & (RAM_PAGE - 1)))

static const char zeros[RAM_CHUNK];

static inline RamChunk *
chunk_at(const RamInode *f, uint64_t page)
{
  return ram_map_get(&f->u.chunks, page / RAM_CHUNK_PAGES);
}

static inline char *
page_at(const RamInode *f, uint64_t page)
{
  RamChunk *c = chunk_at(f, page);
  return c ? c->page[page % RAM_CHUNK_PAGES] : NULL;
}

static inline bool
page_written(const RamInode *f, uint64_t page)
{
  RamChunk *c = chunk_at(f, page);
  return c && (c->written >> (page % RAM_CHUNK_PAGES)) & 1;
}

/* Page @page, created if missing (zeroed unless @whole: the caller writes
 * all of it).  With @reserved, the space was set aside by the caller.
 * NULL when the space or the memory ran out. */
static char *
page_ensure(RamFs *fs, RamInode *f, uint64_t page, bool whole, bool reserved)
{
  uint64_t ci = page / RAM_CHUNK_PAGES;
  unsigned k = (unsigned)(page % RAM_CHUNK_PAGES);
  RamChunk *c = ram_map_get(&f->u.chunks, ci);
  char *p;
  if (c && c->page[k])
    return c->page[k];
  if (!reserved && !ram_space_reserve(fs, RAM_PAGE))
    return NULL;
  p = ram_page_alloc(!whole);
  if (p && c == NULL) {
    c = g_try_new0(RamChunk, 1);
    if (c)
      ram_map_set(&f->u.chunks, ci, c);
  }
  if (p == NULL || c == NULL) {
    ram_page_free(p);
    if (!reserved)
      ram_space_release(fs, RAM_PAGE);
    return NULL;
  }
  c->page[k] = p;
  c->npages++;
  f->alloc += RAM_PAGE;
  return p;
}

static void
page_drop(RamFs *fs, RamInode *f, uint64_t page)
{
  uint64_t ci = page / RAM_CHUNK_PAGES;
  unsigned k = (unsigned)(page % RAM_CHUNK_PAGES);
  RamChunk *c = ram_map_get(&f->u.chunks, ci);
  if (c == NULL || c->page[k] == NULL)
    return;
  ram_page_free(c->page[k]);
  c->page[k] = NULL;
  c->written &= (uint16_t) ~(1u << k);
  ram_space_release(fs, RAM_PAGE);
  f->alloc -= RAM_PAGE;
  if (--c->npages == 0)
    g_free(ram_map_remove(&f->u.chunks, ci));
}

/* ---- reading -----------------------------------------------------------*/

size_t
ram_data_read(RamInode *f, char *buf, size_t size, uint64_t off)
{
  size_t n, done = 0;
  if (off >= f->size)
    return 0;
  n = (size_t)MIN((uint64_t)size, f->size - off);
  while (done < n) {
    uint64_t pos = off + done;
    size_t piece = MIN(n - done, RAM_PAGE - IN_PAGE(pos));
    const char *p = page_at(f, PAGE_OF(pos));
    if (p)
      memcpy(buf + done, p + IN_PAGE(pos), piece);
    else
      memset(buf + done, 0, piece);
    done += piece;
  }
  return n;
}

ssize_t
ram_data_read_iov(RamInode *f, size_t size, uint64_t off, VfsdReadBuf *rb)
{
  size_t done = 0, hole = 0; /* a run of missing pages, sent as zeros */
  while (done < size) {
    uint64_t pos = off + done;
    size_t piece = MIN(size - done, RAM_PAGE - IN_PAGE(pos));
    const char *p = page_at(f, PAGE_OF(pos));
    if (p == NULL && hole + piece <= sizeof zeros) {
      hole += piece;
      done += piece;
      continue;
    }
    if (hole && vfsd_read_buf_add(rb, zeros, hole) != 0)
      return (ssize_t)(done - hole); /* more segments than a reply takes */
    hole = 0;
    if (p == NULL) {
      hole = piece;
    } else if (vfsd_read_buf_add(rb, p + IN_PAGE(pos), piece) != 0)
      return (ssize_t)done;
    done += piece;
  }
  if (hole && vfsd_read_buf_add(rb, zeros, hole) != 0)
    return (ssize_t)(done - hole);
  return (ssize_t)done;
}

/* ---- writing -----------------------------------------------------------*/

/* Copies into [off, off+size) without changing the size; returns the bytes
 * written before space ran out (whole pages: a page is all or nothing). */
static size_t
put(RamFs *fs, RamInode *f, const char *buf, size_t size, uint64_t off)
{
  size_t done = 0;
  while (done < size) {
    uint64_t pos = off + done;
    size_t piece = MIN(size - done, RAM_PAGE - IN_PAGE(pos));
    char *p = page_ensure(fs, f, PAGE_OF(pos), piece == RAM_PAGE, false);
    if (p == NULL)
      break;
    memmove(p + IN_PAGE(pos), buf + done, piece);
    chunk_at(f, PAGE_OF(pos))->written |=
        (uint16_t)(1u << (PAGE_OF(pos) % RAM_CHUNK_PAGES));
    done += piece;
  }
  return done;
}

ssize_t
ram_data_write(RamFs *fs, RamInode *f, const char *buf, size_t size,
               uint64_t off)
{
  size_t done;
  if (size == 0)
    return 0;
  if (off >= RAM_MAX_FILE_SIZE || size > RAM_MAX_FILE_SIZE - off)
    return -EFBIG;
  done = put(fs, f, buf, size, off);
  if (done == 0)
    return -ENOSPC;
  if (off + done > f->size)
    f->size = off + done;
  return (ssize_t)done;
}

/* ---- holes -------------------------------------------------------------*/

/* Zeroes [off, end) (end may be UINT64_MAX); whole pages are freed, or,
 * with @keep, kept as allocated but unwritten. */
static void
clear_range(RamFs *fs, RamInode *f, uint64_t off, uint64_t end, bool keep)
{
  uint64_t ci = off / RAM_CHUNK;
  while (off < end && ram_map_next(&f->u.chunks, ci, &ci)) {
    uint64_t first = MAX(ci * RAM_CHUNK_PAGES, PAGE_OF(off));
    if (first * RAM_PAGE >= end)
      break;
    for (uint64_t pg = first; pg < (ci + 1) * RAM_CHUNK_PAGES; pg++) {
      uint64_t a = MAX(pg * RAM_PAGE, off), b;
      char *p = page_at(f, pg);
      if (a >= end)
        break;
      b = end - pg * RAM_PAGE >= RAM_PAGE ? (pg + 1) * RAM_PAGE : end;
      if (p == NULL)
        continue;
      if (b - a == RAM_PAGE && !keep) {
        page_drop(fs, f, pg); /* may free the chunk */
        continue;
      }
      memset(p + IN_PAGE(a), 0, (size_t)(b - a));
      if (b - a == RAM_PAGE)
        chunk_at(f, pg)->written &=
            (uint16_t) ~(1u << (pg % RAM_CHUNK_PAGES));
    }
    if (ci == UINT64_MAX / RAM_CHUNK)
      break;
    ci++;
  }
}

int
ram_data_punch(RamFs *fs, RamInode *f, uint64_t off, uint64_t len)
{
  clear_range(fs, f, off, len > UINT64_MAX - off ? UINT64_MAX : off + len,
              false);
  return 0;
}

int
ram_data_truncate(RamFs *fs, RamInode *f, uint64_t size)
{
  if (size > RAM_MAX_FILE_SIZE)
    return -EFBIG;
  /* Like tmpfs, a size that does not grow also frees what was
   * preallocated past the end. */
  if (size <= f->size)
    clear_range(fs, f, size, UINT64_MAX, false);
  f->size = size;
  return 0;
}

int
ram_data_allocate(RamFs *fs, RamInode *f, uint64_t off, uint64_t len)
{
  uint64_t first, last, missing = 0, pg;
  if (off >= RAM_MAX_FILE_SIZE || len > RAM_MAX_FILE_SIZE - off)
    return -EFBIG;
  first = PAGE_OF(off);
  last = PAGE_OF(off + len - 1);
  /* All or nothing: count the missing pages and reserve their space. */
  for (pg = first; pg <= last; pg++) {
    RamChunk *c = chunk_at(f, pg);
    if (c == NULL && pg % RAM_CHUNK_PAGES == 0 && last - pg >= RAM_CHUNK_PAGES) {
      missing += RAM_CHUNK_PAGES; /* a whole missing chunk at once */
      pg += RAM_CHUNK_PAGES - 1;
    } else if (c == NULL || c->page[pg % RAM_CHUNK_PAGES] == NULL)
      missing++;
  }
  if (missing > UINT64_MAX / RAM_PAGE ||
      !ram_space_reserve(fs, missing * RAM_PAGE))
    return -ENOSPC;
  /* The pages stay unwritten (holes for SEEK_DATA), as in tmpfs. */
  for (pg = first; pg <= last && missing > 0; pg++) {
    if (page_at(f, pg))
      continue;
    if (page_ensure(fs, f, pg, false, true) == NULL) {
      /* Out of memory: what was allocated stays, counted. */
      ram_space_release(fs, missing * RAM_PAGE);
      return -ENOSPC;
    }
    missing--;
  }
  return 0;
}

int
ram_data_zero_range(RamFs *fs, RamInode *f, uint64_t off, uint64_t len)
{
  int r = ram_data_allocate(fs, f, off, len);
  if (r == 0)
    clear_range(fs, f, off, off + len, true);
  return r;
}

/* ---- SEEK_DATA / SEEK_HOLE ---------------------------------------------*/

/* The first written page at or after @page; false if there is none. */
static bool
next_written(const RamInode *f, uint64_t page, uint64_t *found)
{
  uint64_t ci = page / RAM_CHUNK_PAGES;
  for (; ram_map_next(&f->u.chunks, ci, &ci); ci++) {
    RamChunk *c = ram_map_get(&f->u.chunks, ci);
    unsigned from = ci == page / RAM_CHUNK_PAGES
                        ? (unsigned)(page % RAM_CHUNK_PAGES) : 0;
    uint32_t bits = (uint32_t)c->written & ~((1u << from) - 1);
    if (bits) {
      *found = ci * RAM_CHUNK_PAGES + (unsigned)__builtin_ctz(bits);
      return true;
    }
    if (ci == UINT64_MAX / RAM_CHUNK)
      break;
  }
  return false;
}

int
ram_data_seek(RamInode *f, uint64_t off, int whence, uint64_t *out)
{
  uint64_t page = PAGE_OF(off), at;
  if (off >= f->size)
    return -ENXIO;
  if (whence == SEEK_DATA) {
    if (!next_written(f, page, &at))
      return -ENXIO;
    at = MAX(at * RAM_PAGE, off);
    if (at >= f->size)
      return -ENXIO;
    *out = at;
    return 0;
  }
  /* SEEK_HOLE: the first page not written, or the end of file. */
  for (;;) {
    RamChunk *c = chunk_at(f, page);
    unsigned from = (unsigned)(page % RAM_CHUNK_PAGES);
    uint32_t missing = c ? ~((uint32_t)c->written >> from) : ~0u;
    if (page * RAM_PAGE >= f->size)
      break;
    if (missing & ((1u << (RAM_CHUNK_PAGES - from)) - 1)) {
      page += (unsigned)__builtin_ctz(missing);
      break;
    }
    page += RAM_CHUNK_PAGES - from; /* the rest of the chunk is data */
  }
  *out = MIN(MAX(page * RAM_PAGE, off), f->size);
  return 0;
}

/* ---- copying -----------------------------------------------------------*/

ssize_t
ram_data_copy(RamFs *fs, RamInode *src, uint64_t off_in, RamInode *dst,
              uint64_t off_out, size_t len)
{
  uint64_t n, done = 0;
  if (off_in >= src->size)
    return 0;
  n = MIN((uint64_t)len, src->size - off_in);
  if (off_out >= RAM_MAX_FILE_SIZE || n > RAM_MAX_FILE_SIZE - off_out)
    return -EFBIG;
  while (done < n) {
    uint64_t in = off_in + done, out = off_out + done;
    uint64_t piece = MIN(n - done, RAM_PAGE - IN_PAGE(in));
    if (page_written(src, PAGE_OF(in))) {
      /* Pages never move, so src and dst may be one file. */
      if (put(fs, dst, page_at(src, PAGE_OF(in)) + IN_PAGE(in), piece, out) <
          piece)
        break;
    } else {
      /* A run of holes in the source is a hole in the target. */
      uint64_t data;
      if (!next_written(src, PAGE_OF(in), &data))
        piece = n - done;
      else
        piece = MIN(data * RAM_PAGE - in, n - done);
      clear_range(fs, dst, out, out + piece, false);
    }
    done += piece;
  }
  if (done == 0 && n > 0)
    return -ENOSPC;
  if (off_out + done > dst->size)
    dst->size = off_out + done;
  return (ssize_t)done;
}

static void
chunk_free(void *chunk, void *unused)
{
  RamChunk *c = chunk;
  for (unsigned k = 0; k < RAM_CHUNK_PAGES; k++)
    ram_page_free(c->page[k]);
  g_free(c);
}

void
ram_data_discard(RamInode *f)
{
  ram_map_clear(&f->u.chunks, chunk_free, NULL);
  f->alloc = 0;
}
