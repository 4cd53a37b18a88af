/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The bytes of a regular file: 64 KiB chunks in a RamMap, indexed by
 * offset / 64 KiB.  A chunk holds only as many 4 KiB pages as its highest
 * used page needs (rounded up to a power of two), so small files stay
 * small, and a bitmap of the pages that were written: unwritten pages,
 * punched pages and absent chunks are holes for SEEK_HOLE, and read as
 * zeros.
 *
 * Invariants: every byte of a chunk that is not written data is zero
 * (beyond the end of file too), so extending a file or reading a hole needs
 * no work; f->alloc is the sum of the chunks' sizes and is counted in
 * fs->bytes_used.  Every function here runs with the file write-locked
 * (read-locked for reads). */
#include "ram-private.h"

#include <errno.h>
#include <string.h>

#define PAGES_BYTES(n) ((uint64_t)(n) * RAM_PAGE)

static const char zeros[RAM_CHUNK];

static inline RamChunk *
chunk_at(const RamInode *f, uint64_t ci)
{
  return ram_map_get(&f->u.chunks, ci);
}

/* The allocation size, in pages, for a chunk whose highest page is
 * @need - 1: a power of two, so that appending costs little copying. */
static unsigned
pages_for(unsigned need)
{
  unsigned n = 1;
  while (n < need)
    n <<= 1;
  return n;
}

/* The chunk @ci with at least @need pages, created or grown; NULL when the
 * space or the memory ran out. */
static RamChunk *
chunk_ensure(RamFs *fs, RamInode *f, uint64_t ci, unsigned need)
{
  RamChunk *c = chunk_at(f, ci), *n;
  unsigned have = c ? c->npages : 0, want;
  uint64_t grow;
  if (have >= need)
    return c;
  want = pages_for(need);
  grow = PAGES_BYTES(want - have);
  if (!ram_space_reserve(fs, grow))
    return NULL;
  n = g_try_realloc(c, sizeof *n + PAGES_BYTES(want));
  if (n == NULL) {
    ram_space_release(fs, grow);
    return NULL;
  }
  if (c == NULL)
    n->present = 0;
  memset(n->data + PAGES_BYTES(have), 0, grow);
  n->npages = (uint16_t)want;
  if (n != c)
    ram_map_set(&f->u.chunks, ci, n);
  f->alloc += grow;
  return n;
}

static void
chunk_drop(RamFs *fs, RamInode *f, uint64_t ci)
{
  RamChunk *c = ram_map_remove(&f->u.chunks, ci);
  if (c) {
    ram_space_release(fs, PAGES_BYTES(c->npages));
    f->alloc -= PAGES_BYTES(c->npages);
    g_free(c);
  }
}

/* Bits for pages [first, last] of a chunk. */
static inline uint16_t
page_bits(unsigned first, unsigned last)
{
  return (uint16_t)(((1u << (last + 1)) - 1) & ~((1u << first) - 1));
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
    uint64_t co = pos & (RAM_CHUNK - 1);
    size_t piece = (size_t)MIN((uint64_t)(n - done), RAM_CHUNK - co), have = 0;
    RamChunk *c = chunk_at(f, pos >> RAM_CHUNK_SHIFT);
    if (c && co < PAGES_BYTES(c->npages)) {
      have = (size_t)MIN((uint64_t)piece, PAGES_BYTES(c->npages) - co);
      memcpy(buf + done, c->data + co, have);
    }
    memset(buf + done + have, 0, piece - have);
    done += piece;
  }
  return n;
}

ssize_t
ram_data_read_iov(RamInode *f, size_t size, uint64_t off, VfsdReadBuf *rb)
{
  size_t done = 0;
  while (done < size) {
    uint64_t pos = off + done;
    uint64_t co = pos & (RAM_CHUNK - 1);
    size_t piece = (size_t)MIN((uint64_t)(size - done), RAM_CHUNK - co), have = 0;
    RamChunk *c = chunk_at(f, pos >> RAM_CHUNK_SHIFT);
    if (c && co < PAGES_BYTES(c->npages)) {
      have = (size_t)MIN((uint64_t)piece, PAGES_BYTES(c->npages) - co);
      if (vfsd_read_buf_add(rb, c->data + co, have) != 0)
        break;
    }
    if (piece > have && vfsd_read_buf_add(rb, zeros, piece - have) != 0) {
      done += have;
      break;
    }
    done += piece;
  }
  return (ssize_t)done;
}

/* ---- writing -----------------------------------------------------------*/

/* Copies into [off, off+size) without changing the size; returns the bytes
 * written before space ran out. */
static size_t
put(RamFs *fs, RamInode *f, const char *buf, size_t size, uint64_t off)
{
  size_t done = 0;
  while (done < size) {
    uint64_t pos = off + done;
    unsigned co = (unsigned)(pos & (RAM_CHUNK - 1));
    size_t piece = MIN(size - done, (size_t)(RAM_CHUNK - co));
    unsigned last = (unsigned)((co + piece - 1) / RAM_PAGE);
    RamChunk *c = chunk_ensure(fs, f, pos >> RAM_CHUNK_SHIFT, last + 1);
    if (c == NULL)
      break;
    memcpy(c->data + co, buf + done, piece);
    c->present |= page_bits(co / (unsigned)RAM_PAGE, last);
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

/* Punches [a, b) of chunk @ci (b may reach past the chunk's pages). */
static void
punch_chunk(RamFs *fs, RamInode *f, uint64_t ci, uint64_t a, uint64_t b)
{
  RamChunk *c = chunk_at(f, ci);
  uint64_t cap = PAGES_BYTES(c->npages);
  unsigned first = (unsigned)((a + RAM_PAGE - 1) / RAM_PAGE); /* full pages */
  unsigned end = (unsigned)(MIN(b, cap) / RAM_PAGE);
  if (a == 0 && b >= cap) {
    chunk_drop(fs, f, ci);
    return;
  }
  if (a < cap)
    memset(c->data + a, 0, MIN(b, cap) - a);
  if (first < end)
    c->present &= (uint16_t)~page_bits(first, end - 1);
  if (b >= cap && pages_for(MAX(first, 1u)) < c->npages) {
    /* The top of the chunk went: give its pages back. */
    unsigned keep = pages_for(MAX(first, 1u));
    RamChunk *n = g_try_realloc(c, sizeof *c + PAGES_BYTES(keep));
    if (n) {
      uint64_t freed = PAGES_BYTES(n->npages - keep);
      n->npages = (uint16_t)keep;
      ram_space_release(fs, freed);
      f->alloc -= freed;
      if (n != c)
        ram_map_set(&f->u.chunks, ci, n);
    }
  }
}

/* Frees and zeroes [off, end), end may be UINT64_MAX. */
static void
punch(RamFs *fs, RamInode *f, uint64_t off, uint64_t end)
{
  uint64_t ci = off >> RAM_CHUNK_SHIFT;
  while (off < end && ram_map_next(&f->u.chunks, ci, &ci)) {
    uint64_t base = ci << RAM_CHUNK_SHIFT;
    if (base >= end)
      break;
    punch_chunk(fs, f, ci, off > base ? off - base : 0,
                end - base >= RAM_CHUNK ? RAM_CHUNK : end - base);
    if (ci == (UINT64_MAX >> RAM_CHUNK_SHIFT))
      break;
    ci++;
  }
}

int
ram_data_punch(RamFs *fs, RamInode *f, uint64_t off, uint64_t len)
{
  uint64_t end = len > UINT64_MAX - off ? UINT64_MAX : off + len;
  punch(fs, f, off, end);
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
    punch(fs, f, size, UINT64_MAX);
  f->size = size;
  return 0;
}

int
ram_data_allocate(RamFs *fs, RamInode *f, uint64_t off, uint64_t len)
{
  uint64_t end, need = 0, avail, ci, last_ci;
  bool failed = false;
  if (off >= RAM_MAX_FILE_SIZE || len > RAM_MAX_FILE_SIZE - off)
    return -EFBIG;
  end = off + len;
  last_ci = (end - 1) >> RAM_CHUNK_SHIFT;
  /* All or nothing: first see whether the space is there. */
  avail = fs->size_limit
              ? fs->size_limit -
                    MIN(fs->size_limit,
                        __atomic_load_n(&fs->bytes_used, __ATOMIC_RELAXED))
              : UINT64_MAX;
  for (ci = off >> RAM_CHUNK_SHIFT; ci <= last_ci && need <= avail; ci++) {
    RamChunk *c = chunk_at(f, ci);
    uint64_t top = ci == last_ci ? ((end - 1) & (RAM_CHUNK - 1)) / RAM_PAGE + 1
                                 : RAM_CHUNK_PAGES;
    unsigned have = c ? c->npages : 0;
    if (pages_for((unsigned)top) > have)
      need += PAGES_BYTES(pages_for((unsigned)top) - have);
  }
  if (need > avail)
    return -ENOSPC;
  /* Then take it.  The pages stay holes until written (as in tmpfs). */
  for (ci = off >> RAM_CHUNK_SHIFT; ci <= last_ci; ci++) {
    unsigned top = ci == last_ci
                       ? (unsigned)(((end - 1) & (RAM_CHUNK - 1)) / RAM_PAGE) + 1
                       : RAM_CHUNK_PAGES;
    if (chunk_ensure(fs, f, ci, top) == NULL) {
      failed = true; /* a concurrent writer took the space, or no memory */
      break;
    }
  }
  if (failed) {
    /* Undo: drop the chunks this call created (they hold no data). */
    for (uint64_t k = off >> RAM_CHUNK_SHIFT; k < ci; k++) {
      RamChunk *c = chunk_at(f, k);
      if (c && c->present == 0)
        chunk_drop(fs, f, k);
    }
    return -ENOSPC;
  }
  return 0;
}

int
ram_data_zero_range(RamFs *fs, RamInode *f, uint64_t off, uint64_t len)
{
  int r = ram_data_allocate(fs, f, off, len);
  uint64_t end = off + len, pos = off;
  if (r != 0)
    return r;
  /* Zeroed whole pages become unwritten (holes), like allocated ones. */
  while (pos < end) {
    RamChunk *c = chunk_at(f, pos >> RAM_CHUNK_SHIFT);
    unsigned a = (unsigned)(pos & (RAM_CHUNK - 1));
    unsigned b = (unsigned)MIN(end - pos + a, RAM_CHUNK);
    unsigned first = (a + (unsigned)RAM_PAGE - 1) / (unsigned)RAM_PAGE;
    unsigned stop = b / (unsigned)RAM_PAGE;
    memset(c->data + a, 0, b - a);
    if (first < stop)
      c->present &= (uint16_t)~page_bits(first, stop - 1);
    pos += b - a;
  }
  return 0;
}

/* ---- SEEK_DATA / SEEK_HOLE ---------------------------------------------*/

static inline bool
page_present(const RamInode *f, uint64_t page)
{
  RamChunk *c = chunk_at(f, page / RAM_CHUNK_PAGES);
  return c && (c->present >> (page % RAM_CHUNK_PAGES)) & 1;
}

int
ram_data_seek(RamInode *f, uint64_t off, int whence, uint64_t *out)
{
  uint64_t page = off / RAM_PAGE, ci;
  if (off >= f->size)
    return -ENXIO;
  if (whence == SEEK_DATA) {
    for (ci = page / RAM_CHUNK_PAGES; ram_map_next(&f->u.chunks, ci, &ci);
         ci++) {
      RamChunk *c = chunk_at(f, ci);
      unsigned from = ci == page / RAM_CHUNK_PAGES
                          ? (unsigned)(page % RAM_CHUNK_PAGES) : 0;
      uint16_t bits = c->present & (uint16_t)~((1u << from) - 1);
      if (bits) {
        uint64_t at = (ci << RAM_CHUNK_SHIFT) +
                      PAGES_BYTES(__builtin_ctz(bits));
        at = MAX(at, off);
        if (at >= f->size)
          return -ENXIO;
        *out = at;
        return 0;
      }
      if ((ci << RAM_CHUNK_SHIFT) >= f->size)
        break;
    }
    return -ENXIO;
  }
  /* SEEK_HOLE: the first page not written, or the end of file. */
  for (;;) {
    RamChunk *c = chunk_at(f, page / RAM_CHUNK_PAGES);
    unsigned from = (unsigned)(page % RAM_CHUNK_PAGES);
    uint32_t missing = c ? ~((uint32_t)c->present >> from) : ~0u;
    if (PAGES_BYTES(page) >= f->size)
      break;
    if (missing & ((1u << (RAM_CHUNK_PAGES - from)) - 1)) {
      page += (unsigned)__builtin_ctz(missing);
      break;
    }
    page += RAM_CHUNK_PAGES - from; /* the rest of the chunk is data */
  }
  *out = MIN(MAX(PAGES_BYTES(page), off), f->size);
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
    RamChunk *c = chunk_at(src, in >> RAM_CHUNK_SHIFT);
    uint64_t piece = MIN(n - done, RAM_CHUNK - (out & (RAM_CHUNK - 1)));
    if (c == NULL) {
      /* A missing chunk: a hole up to the next chunk of the source. */
      piece = MIN(piece, RAM_CHUNK - (in & (RAM_CHUNK - 1)));
      punch(fs, dst, out, out + piece);
    } else {
      /* Page by page, so holes stay holes. */
      piece = MIN(piece, RAM_PAGE - (in & (RAM_PAGE - 1)));
      if (page_present(src, in / RAM_PAGE)) {
        char tmp[RAM_PAGE]; /* the source may move when dst == src grows */
        memcpy(tmp, c->data + (in & (RAM_CHUNK - 1)), piece);
        if (put(fs, dst, tmp, piece, out) < piece)
          break;
      } else
        punch(fs, dst, out, out + piece);
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
  g_free(chunk);
}

void
ram_data_discard(RamInode *f)
{
  ram_map_clear(&f->u.chunks, chunk_free, NULL);
  f->alloc = 0;
}
