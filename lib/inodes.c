/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Lookup counts: how many references the kernel holds to each inode.
 *
 * Every reply that hands the kernel an inode adds one (vfsd_inodes_ref,
 * taken before the reply is sent, so the library's count is never below
 * the kernel's); every FORGET subtracts (vfsd_inodes_unref).  When a count
 * reaches zero the caller tells the backend, outside any lock.
 *
 * The race this file exists for: a LOOKUP and a FORGET of the same inode in
 * flight at once.  The backend's lookup may return inode X just before the
 * FORGET that drops X's last reference makes the backend free X; counting
 * the lookup afterwards would hand the kernel a dead inode.  So each stripe
 * The table counts forgets started and finished; a reference to an inode
 * with no count is refused when any forget overlapped the backend call (the
 * token is taken before it), and the caller repeats the lookup.  Overlaps
 * with forgets of other inodes only cost a retry.
 */
#include "private.h"

#include <inttypes.h>

#define STRIPES 256

typedef struct {
  GMutex lock;
  GHashTable *counts;         /* ino → count, both as pointers */
} Stripe;

struct VfsdInodes {
  Stripe s[STRIPES];
  gssize total;               /* inodes with a count, for statistics */
  gsize started;              /* forgets begun (a count reached zero) */
  gsize finished;             /* forgets the backend has returned from */
};

static inline Stripe *
stripe_of(VfsdInodes *t, uint64_t ino)
{
  /* Inode numbers are often sequential: mix the bits. */
  uint64_t h = ino * UINT64_C(0x9E3779B97F4A7C15);
  return &t->s[h >> 56];
}

VfsdInodes *
vfsd_inodes_new(void)
{
  VfsdInodes *t = g_new0(VfsdInodes, 1);
  for (int i = 0; i < STRIPES; i++) {
    g_mutex_init(&t->s[i].lock);
    t->s[i].counts = g_hash_table_new(g_direct_hash, g_direct_equal);
  }
  return t;
}

void
vfsd_inodes_free(VfsdInodes *t)
{
  if (t == NULL)
    return;
  for (int i = 0; i < STRIPES; i++) {
    g_hash_table_destroy(t->s[i].counts);
    g_mutex_clear(&t->s[i].lock);
  }
  g_free(t);
}

VfsdForgetToken
vfsd_inodes_token(VfsdInodes *t)
{
  VfsdForgetToken tok;
  /* Read finished first: a forget that finishes between the two reads then
   * shows as busy, never as absent. */
  guint64 fin = (guint64)g_atomic_pointer_get(&t->finished);
  tok.started = (guint64)g_atomic_pointer_get(&t->started);
  tok.busy = tok.started != fin;
  return tok;
}

bool
vfsd_inodes_ref(VfsdInodes *t, uint64_t ino, const VfsdForgetToken *tok)
{
  Stripe *s = stripe_of(t, ino);
  gpointer key = GSIZE_TO_POINTER(ino);
  gsize n;
  g_mutex_lock(&s->lock);
  n = GPOINTER_TO_SIZE(g_hash_table_lookup(s->counts, key));
  if (n == 0 && tok &&
      (tok->busy || (guint64)g_atomic_pointer_get(&t->started) != tok->started)) {
    g_mutex_unlock(&s->lock);
    return false;
  }
  g_hash_table_insert(s->counts, key, GSIZE_TO_POINTER(n + 1));
  g_mutex_unlock(&s->lock);
  if (n == 0)
    g_atomic_pointer_add(&t->total, 1);
  return true;
}

bool
vfsd_inodes_unref(VfsdInodes *t, uint64_t ino, uint64_t n)
{
  Stripe *s = stripe_of(t, ino);
  gpointer key = GSIZE_TO_POINTER(ino);
  gsize have;
  bool zero = false;
  g_mutex_lock(&s->lock);
  have = GPOINTER_TO_SIZE(g_hash_table_lookup(s->counts, key));
  if (have == 0) {
    g_mutex_unlock(&s->lock);
    vfsd_log(G_LOG_LEVEL_WARNING,
             "the kernel forgot inode %" PRIu64 " which has no references "
             "by the library's count", ino);
    return false;
  }
  if (n >= have) {
    if (n > have)
      vfsd_log(G_LOG_LEVEL_WARNING,
               "the kernel forgot %" PRIu64 " references to inode %" PRIu64
               " which has %" G_GSIZE_FORMAT, n, ino, have);
    g_hash_table_remove(s->counts, key);
    /* Inside the stripe lock, so a ref of the same inode sees it. */
    g_atomic_pointer_add(&t->started, 1);
    zero = true;
  } else {
    g_hash_table_insert(s->counts, key, GSIZE_TO_POINTER(have - n));
  }
  g_mutex_unlock(&s->lock);
  if (zero)
    g_atomic_pointer_add(&t->total, -1);
  return zero;
}

void
vfsd_inodes_forgotten(VfsdInodes *t, uint64_t ino)
{
  (void)ino;
  g_atomic_pointer_add(&t->finished, 1);
}

void
vfsd_inodes_drain(VfsdInodes *t, void (*fn)(uint64_t ino, void *data),
                  void *data)
{
  for (int i = 0; i < STRIPES; i++) {
    Stripe *s = &t->s[i];
    GHashTable *old;
    GHashTableIter it;
    gpointer key;
    g_mutex_lock(&s->lock);
    old = s->counts;
    s->counts = g_hash_table_new(g_direct_hash, g_direct_equal);
    g_mutex_unlock(&s->lock);
    g_hash_table_iter_init(&it, old);
    while (g_hash_table_iter_next(&it, &key, NULL)) {
      g_atomic_pointer_add(&t->total, -1);
      fn(GPOINTER_TO_SIZE(key), data);
    }
    g_hash_table_destroy(old);
  }
}

uint64_t
vfsd_inodes_count(VfsdInodes *t)
{
  return (uint64_t)g_atomic_pointer_get(&t->total);
}

uint64_t
vfsd_inodes_get(VfsdInodes *t, uint64_t ino)
{
  Stripe *s = stripe_of(t, ino);
  gsize n;
  g_mutex_lock(&s->lock);
  n = GPOINTER_TO_SIZE(g_hash_table_lookup(s->counts, GSIZE_TO_POINTER(ino)));
  g_mutex_unlock(&s->lock);
  return n;
}
