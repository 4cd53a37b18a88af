/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The paths a layer can know: every reply that names an inode (lookup,
 * create, mkdir, mknod, symlink, link, readdirplus) teaches its parent and
 * name; rename, unlink, rmdir and forget keep the table true.  Used by the
 * monitor layer to show paths instead of inode numbers. */
#include "paths.h"

#include <inttypes.h>
#include <string.h>

typedef struct {
  uint64_t parent;
  char *key;             /* the reverse table's key for (parent, name) */
  const char *name;      /* points into @key */
} Node;

struct VfsdPathTable {
  GMutex lock;
  GHashTable *nodes;     /* ino → Node */
  GHashTable *names;     /* "parent/name" → ino */
};

static void
node_free(void *data)
{
  Node *n = data;
  g_free(n->key);
  g_free(n);
}

VfsdPathTable *
vfsd_paths_new(void)
{
  VfsdPathTable *t = g_new0(VfsdPathTable, 1);
  g_mutex_init(&t->lock);
  t->nodes = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free,
                                   node_free);
  t->names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  return t;
}

void
vfsd_paths_free(VfsdPathTable *t)
{
  if (t == NULL)
    return;
  g_hash_table_unref(t->nodes);
  g_hash_table_unref(t->names);
  g_mutex_clear(&t->lock);
  g_free(t);
}

static char *
make_key(uint64_t parent, const char *name)
{
  return g_strdup_printf("%" PRIx64 "/%s", parent, name);
}

static uint64_t
name_ino(VfsdPathTable *t, const char *key)
{
  uint64_t *ino = g_hash_table_lookup(t->names, key);
  return ino ? *ino : 0;
}

/* Drops what the table knows of @ino; under the lock. */
static void
drop(VfsdPathTable *t, uint64_t ino)
{
  Node *n = g_hash_table_lookup(t->nodes, &ino);
  if (n == NULL)
    return;
  if (name_ino(t, n->key) == ino)
    g_hash_table_remove(t->names, n->key);
  g_hash_table_remove(t->nodes, &ino);
}

/* Records that @parent/@name is @ino; under the lock. */
static void
learn(VfsdPathTable *t, uint64_t parent, const char *name, uint64_t ino)
{
  Node *n;
  uint64_t *k, *v;
  if (ino == VFSD_ROOT_INO || !strcmp(name, ".") || !strcmp(name, ".."))
    return;
  drop(t, ino);
  n = g_new(Node, 1);
  n->parent = parent;
  n->key = make_key(parent, name);
  n->name = strchr(n->key, '/') + 1;
  k = g_new(uint64_t, 1);
  *k = ino;
  v = g_new(uint64_t, 1);
  *v = ino;
  g_hash_table_insert(t->names, g_strdup(n->key), v);
  g_hash_table_insert(t->nodes, k, n);
}

void
vfsd_paths_learn(VfsdPathTable *t, uint64_t parent, const char *name,
                 uint64_t ino)
{
  g_mutex_lock(&t->lock);
  learn(t, parent, name, ino);
  g_mutex_unlock(&t->lock);
}

void
vfsd_paths_forget(VfsdPathTable *t, uint64_t ino)
{
  g_mutex_lock(&t->lock);
  drop(t, ino);
  g_mutex_unlock(&t->lock);
}

void
vfsd_paths_unlinked(VfsdPathTable *t, uint64_t parent, const char *name)
{
  char *key = make_key(parent, name);
  g_mutex_lock(&t->lock);
  drop(t, name_ino(t, key));
  g_mutex_unlock(&t->lock);
  g_free(key);
}

void
vfsd_paths_renamed(VfsdPathTable *t, uint64_t parent, const char *name,
                   uint64_t newparent, const char *newname, bool exchange)
{
  char *from = make_key(parent, name), *to = make_key(newparent, newname);
  uint64_t moved, other;
  g_mutex_lock(&t->lock);
  moved = name_ino(t, from);
  other = name_ino(t, to);
  drop(t, moved);
  drop(t, other);  /* replaced, unless exchanged */
  if (moved)
    learn(t, newparent, newname, moved);
  if (other && exchange)
    learn(t, parent, name, other);
  g_mutex_unlock(&t->lock);
  g_free(from);
  g_free(to);
}

#define MAX_DEPTH 128

void
vfsd_paths_append(VfsdPathTable *t, GString *out, uint64_t ino,
                  const char *name)
{
  const char *parts[MAX_DEPTH];
  int n = 0;
  bool complete = false;
  g_mutex_lock(&t->lock);
  while (n < MAX_DEPTH) {
    Node *nd;
    if (ino == VFSD_ROOT_INO) {
      complete = true;
      break;
    }
    nd = g_hash_table_lookup(t->nodes, &ino);
    if (nd == NULL)
      break;
    parts[n++] = nd->name;
    ino = nd->parent;
  }
  /* Unknown above this point: name the inode the walk stopped at. */
  if (!complete)
    g_string_append_printf(out, "<ino %" PRIu64 ">", ino);
  for (int i = n - 1; i >= 0; i--) {
    g_string_append_c(out, '/');
    g_string_append(out, parts[i]);
  }
  g_mutex_unlock(&t->lock);
  if (name) {
    g_string_append_c(out, '/');
    g_string_append(out, name);
  } else if (complete && n == 0)
    g_string_append_c(out, '/');
}
