/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The 4 KiB pages that hold file data, from 2 MiB slabs of anonymous
 * memory, faulted in whole when a slab is made (MADV_POPULATE_WRITE).
 *
 * Why not malloc: a page from the heap is first touched by the memcpy of
 * the write that fills it, one page fault each, and glibc grows its thread
 * arenas with an mprotect per step.  Writing a fresh 1 GiB file spent half
 * of the server's time there (263,000 faults), and the write rate swung
 * between 300 and 700 MB/s with whether glibc had kept the memory of
 * deleted files; from slabs it is a steady 430-500 MB/s on the same
 * machine.  Huge pages (MADV_HUGEPAGE) cut the faults to ~1,000 but made
 * the rate erratic, 290-630 MB/s: the kernel compacts memory to find
 * them and zeroes 2 MiB at a time.
 *
 * One pool for the process, under one mutex (a page is taken or given back
 * in a few instructions).  A slab whose pages are all free goes back to
 * the kernel, except one kept for the next writer.  Slabs with free pages
 * are on a list; a slab is found from a page by its 2 MiB-aligned base.
 * Built with AddressSanitizer, pages come from malloc, so that overruns
 * are still caught. */
#include "ram-private.h"

#include <string.h>
#include <sys/mman.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14 */
#endif

#define SLAB_SIZE ((size_t)2 << 20)
#define SLAB_PAGES (SLAB_SIZE / RAM_PAGE)
#define SLAB_WORDS (SLAB_PAGES / 64)

#if defined(__SANITIZE_ADDRESS__)
#define PAGES_FROM_MALLOC 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PAGES_FROM_MALLOC 1
#endif
#endif

#ifndef PAGES_FROM_MALLOC
typedef struct Slab Slab;
struct Slab {
  char *base;
  uint64_t free_bits[SLAB_WORDS]; /* 1: the page is free */
  unsigned nfree;
  Slab *prev, *next;              /* on the list of slabs with free pages */
};

static struct {
  GMutex lock;
  GHashTable *by_base;            /* base → Slab */
  Slab *partial;                  /* slabs with a free page */
  unsigned empty;                 /* slabs with every page free (kept: 1) */
} pool;

static void
list_add(Slab *s)
{
  s->prev = NULL;
  s->next = pool.partial;
  if (pool.partial)
    pool.partial->prev = s;
  pool.partial = s;
}

static void
list_del(Slab *s)
{
  if (s->prev)
    s->prev->next = s->next;
  else
    pool.partial = s->next;
  if (s->next)
    s->next->prev = s->prev;
  s->prev = s->next = NULL;
}

/* A new slab, 2 MiB-aligned so that a page finds its slab by masking its
 * address; NULL if the kernel has no memory for it. */
static Slab *
slab_new(void)
{
  char *raw = mmap(NULL, 2 * SLAB_SIZE, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  char *base;
  size_t head;
  Slab *s;
  if (raw == MAP_FAILED)
    return NULL;
  base = (char *)(((uintptr_t)raw + SLAB_SIZE - 1) & ~(uintptr_t)(SLAB_SIZE - 1));
  head = (size_t)(base - raw);
  if (head)
    munmap(raw, head);
  munmap(base + SLAB_SIZE, SLAB_SIZE - head);
  /* Fault the slab in with one call instead of a trap per page (a hint:
   * older kernels refuse it, and the pages then fault one by one). */
  (void)madvise(base, SLAB_SIZE, MADV_POPULATE_WRITE);
  s = g_try_new0(Slab, 1);
  if (s == NULL) {
    munmap(base, SLAB_SIZE);
    return NULL;
  }
  s->base = base;
  memset(s->free_bits, 0xff, sizeof s->free_bits);
  s->nfree = SLAB_PAGES;
  if (pool.by_base == NULL)
    pool.by_base = g_hash_table_new(g_direct_hash, g_direct_equal);
  g_hash_table_insert(pool.by_base, base, s);
  list_add(s);
  pool.empty++;
  return s;
}

char *
ram_page_alloc(bool zero)
{
  Slab *s;
  char *p = NULL;
  g_mutex_lock(&pool.lock);
  s = pool.partial ? pool.partial : slab_new();
  if (s) {
    for (unsigned w = 0; w < SLAB_WORDS; w++) {
      if (s->free_bits[w]) {
        unsigned b = (unsigned)__builtin_ctzll(s->free_bits[w]);
        s->free_bits[w] &= ~((uint64_t)1 << b);
        p = s->base + (w * 64 + b) * RAM_PAGE;
        break;
      }
    }
    if (s->nfree-- == SLAB_PAGES)
      pool.empty--;
    if (s->nfree == 0)
      list_del(s);
  }
  g_mutex_unlock(&pool.lock);
  /* A page that was used before holds old data.  (A fresh one is zero
   * already; telling the two apart is not worth a bit per page.) */
  if (p && zero)
    memset(p, 0, RAM_PAGE);
  return p;
}

void
ram_page_free(char *p)
{
  char *base;
  size_t k;
  Slab *s;
  if (p == NULL)
    return;
  base = (char *)((uintptr_t)p & ~(uintptr_t)(SLAB_SIZE - 1));
  k = (size_t)(p - base) / RAM_PAGE;
  g_mutex_lock(&pool.lock);
  s = g_hash_table_lookup(pool.by_base, base);
  g_assert(s != NULL && !(s->free_bits[k / 64] & ((uint64_t)1 << (k % 64))));
  s->free_bits[k / 64] |= (uint64_t)1 << (k % 64);
  if (s->nfree++ == 0)
    list_add(s);
  if (s->nfree == SLAB_PAGES) {
    if (pool.empty >= 1) {
      list_del(s);
      g_hash_table_remove(pool.by_base, base);
      munmap(base, SLAB_SIZE);
      g_free(s);
    } else
      pool.empty++;
  }
  g_mutex_unlock(&pool.lock);
}

#else /* PAGES_FROM_MALLOC */

char *
ram_page_alloc(bool zero)
{
  return zero ? g_try_malloc0(RAM_PAGE) : g_try_malloc(RAM_PAGE);
}

void
ram_page_free(char *p)
{
  g_free(p);
}

#endif
