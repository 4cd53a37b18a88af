/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Open handles the kernel has not released yet.  When a mount is cut off
 * (a busy mount at unmount, a connection aborted), the kernel never sends
 * RELEASE for files still open; the library then releases them itself
 * before destroy(), so a backend always sees release() for every
 * successful open() and create(), and releasedir() for every opendir(). */
#include "dispatch.h"

typedef struct {
  uint64_t ino;
  uint64_t fh;
} HandleKey;

typedef struct {
  HandleKey key;
  int32_t flags;  /* of the first open, for release() */
  guint count;    /* backends may hand out the same fh to several opens */
} Handle;

static guint
key_hash(gconstpointer p)
{
  const HandleKey *k = p;
  uint64_t h = (k->ino * UINT64_C(0x9E3779B97F4A7C15)) ^ k->fh;
  return (guint)(h ^ (h >> 32));
}

static gboolean
key_equal(gconstpointer a, gconstpointer b)
{
  const HandleKey *x = a, *y = b;
  return x->ino == y->ino && x->fh == y->fh;
}

void
vfsd_handles_init(VfsdMount *m)
{
  g_mutex_init(&m->handle_lock);
  m->open_files = g_hash_table_new_full(key_hash, key_equal, NULL, g_free);
  m->open_dirs = g_hash_table_new(g_direct_hash, g_direct_equal);
}

void
vfsd_handles_clear(VfsdMount *m)
{
  if (m->open_files == NULL)
    return;
  g_hash_table_destroy(m->open_files);
  g_hash_table_destroy(m->open_dirs);
  m->open_files = m->open_dirs = NULL;
  g_mutex_clear(&m->handle_lock);
}

void
vfsd_handles_add_file(VfsdMount *m, uint64_t ino, uint64_t fh, int32_t flags)
{
  HandleKey k = { ino, fh };
  Handle *h;
  g_mutex_lock(&m->handle_lock);
  h = g_hash_table_lookup(m->open_files, &k);
  if (h == NULL) {
    h = g_new(Handle, 1);
    h->key = k;
    h->flags = flags;
    h->count = 0;
    g_hash_table_insert(m->open_files, &h->key, h);
  }
  h->count++;
  g_mutex_unlock(&m->handle_lock);
}

bool
vfsd_handles_remove_file(VfsdMount *m, uint64_t ino, uint64_t fh)
{
  HandleKey k = { ino, fh };
  Handle *h;
  g_mutex_lock(&m->handle_lock);
  h = g_hash_table_lookup(m->open_files, &k);
  if (h && --h->count == 0)
    g_hash_table_remove(m->open_files, &k);
  g_mutex_unlock(&m->handle_lock);
  return h != NULL;
}

void
vfsd_handles_add_dir(VfsdMount *m, void *dir)
{
  g_mutex_lock(&m->handle_lock);
  g_hash_table_add(m->open_dirs, dir);
  g_mutex_unlock(&m->handle_lock);
}

void
vfsd_handles_remove_dir(VfsdMount *m, void *dir)
{
  g_mutex_lock(&m->handle_lock);
  g_hash_table_remove(m->open_dirs, dir);
  g_mutex_unlock(&m->handle_lock);
}

void
vfsd_handles_release_all(VfsdMount *m)
{
  /* Called when no request is in flight. */
  VfsdCtx ctx;
  GHashTableIter it;
  gpointer v;
  memset(&ctx, 0, sizeof ctx);
  if (m->open_files == NULL)
    return;
  g_hash_table_iter_init(&it, m->open_files);
  while (g_hash_table_iter_next(&it, NULL, &v)) {
    Handle *h = v;
    while (h->count-- > 0)
      vfsd_call_release(m->backend, &ctx, h->key.ino, h->key.fh, h->flags);
  }
  g_hash_table_remove_all(m->open_files);
  g_hash_table_iter_init(&it, m->open_dirs);
  while (g_hash_table_iter_next(&it, &v, NULL))
    vfsd_dispatch_dir_release(m, v);
  g_hash_table_remove_all(m->open_dirs);
}
