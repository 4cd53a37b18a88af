/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* RamMap: a sparse array of pointers indexed by a 64-bit number, as a radix
 * tree with 64 slots per node.  A file's chunks live in one, indexed by
 * offset / 64 KiB: lookups cost one step per 6 bits of the highest index
 * (3 steps for a 1 GiB file), holes cost nothing, and ram_map_next() walks
 * the chunks in order for SEEK_DATA and for freeing ranges. */
#include "ram-private.h"

#define BITS 6
#define FAN (1u << BITS)
#define MASK (FAN - 1)
#define MAX_HEIGHT 11 /* 66 bits > 64 */

typedef struct {
  void *slot[FAN];
  unsigned used;
} Node;

void
ram_map_init(RamMap *m)
{
  m->root = NULL;
  m->height = 0;
}

/* The number of indices a tree of @height covers, saturated. */
static inline bool
fits(unsigned height, uint64_t idx)
{
  return height >= MAX_HEIGHT || (height * BITS < 64 && idx >> (height * BITS) == 0);
}

static inline unsigned
slot_of(uint64_t idx, unsigned level)
{
  /* level 1 is the leaf level */
  unsigned shift = (level - 1) * BITS;
  return shift < 64 ? (unsigned)(idx >> shift) & MASK : 0;
}

void *
ram_map_get(const RamMap *m, uint64_t idx)
{
  void *p = m->root;
  if (m->height == 0 || !fits(m->height, idx))
    return NULL;
  for (unsigned level = m->height; level > 0 && p; level--)
    p = ((Node *)p)->slot[slot_of(idx, level)];
  return p;
}

void *
ram_map_set(RamMap *m, uint64_t idx, void *val)
{
  Node *n;
  void *old;
  unsigned s;
  g_assert(val != NULL);
  while (m->height == 0 || !fits(m->height, idx)) {
    /* Grow: the old root becomes slot 0 of a new root. */
    Node *r = g_new0(Node, 1);
    if (m->root) {
      r->slot[0] = m->root;
      r->used = 1;
    }
    m->root = r;
    m->height++;
  }
  n = m->root;
  for (unsigned level = m->height; level > 1; level--) {
    s = slot_of(idx, level);
    if (n->slot[s] == NULL) {
      n->slot[s] = g_new0(Node, 1);
      n->used++;
    }
    n = n->slot[s];
  }
  s = slot_of(idx, 1);
  old = n->slot[s];
  n->slot[s] = val;
  if (old == NULL)
    n->used++;
  return old;
}

void *
ram_map_remove(RamMap *m, uint64_t idx)
{
  Node *path[MAX_HEIGHT + 1];
  Node *n = m->root;
  void *old;
  unsigned level;
  if (m->height == 0 || !fits(m->height, idx))
    return NULL;
  for (level = m->height; level > 1; level--) {
    path[level] = n;
    n = n->slot[slot_of(idx, level)];
    if (n == NULL)
      return NULL;
  }
  path[1] = n;
  old = n->slot[slot_of(idx, 1)];
  if (old == NULL)
    return NULL;
  n->slot[slot_of(idx, 1)] = NULL;
  /* Free the nodes this emptied, bottom up. */
  for (level = 1; level <= m->height; level++) {
    Node *p = path[level];
    if (--p->used > 0)
      break;
    g_free(p);
    if (level == m->height) {
      m->root = NULL;
      m->height = 0;
      return old;
    }
    path[level + 1]->slot[slot_of(idx, level + 1)] = NULL;
  }
  /* Shrink while only slot 0 of the root is used. */
  while (m->height > 1) {
    Node *r = m->root;
    if (r->used != 1 || r->slot[0] == NULL)
      break;
    m->root = r->slot[0];
    m->height--;
    g_free(r);
  }
  return old;
}

/* The lowest used index >= @idx below node @n at @level, whose first index
 * is @base. */
static bool
next_in(const Node *n, unsigned level, uint64_t base, uint64_t idx,
        uint64_t *found)
{
  unsigned shift = (level - 1) * BITS;
  unsigned first = idx > base ? slot_of(idx, level) : 0;
  for (unsigned s = first; s < FAN; s++) {
    uint64_t sbase = base + ((uint64_t)s << shift);
    if (n->slot[s] == NULL)
      continue;
    if (level == 1) {
      *found = sbase;
      return true;
    }
    if (next_in(n->slot[s], level - 1, sbase, s == first ? idx : sbase,
                found))
      return true;
  }
  return false;
}

bool
ram_map_next(const RamMap *m, uint64_t idx, uint64_t *found)
{
  if (m->height == 0 || !fits(m->height, idx))
    return false;
  return next_in(m->root, m->height, 0, idx, found);
}

static void
clear_node(Node *n, unsigned level, void (*fn)(void *, void *), void *data)
{
  for (unsigned s = 0; s < FAN; s++) {
    if (n->slot[s] == NULL)
      continue;
    if (level == 1) {
      if (fn)
        fn(n->slot[s], data);
    } else
      clear_node(n->slot[s], level - 1, fn, data);
  }
  g_free(n);
}

void
ram_map_clear(RamMap *m, void (*fn)(void *val, void *data), void *data)
{
  if (m->root)
    clear_node(m->root, m->height, fn, data);
  ram_map_init(m);
}
