/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Listing a directory.  opendir() takes a snapshot of the names from the
 * cached listing (one ListObjectsV2 per 1000 names when it is stale), so
 * offsets stay valid.  When the kernel wants attributes (readdirplus), the
 * attributes of names whose metadata this mount has not seen are fetched
 * with HEAD requests issued in parallel, a batch at a time, not one per
 * lookup; with meta=list the listing alone is trusted. */
#include "s3.h"

#include <errno.h>
#include <string.h>

#define BATCH 64

typedef struct {
  S3Node *dir;             /* a reference */
  GPtrArray *names;        /* ".", "..", then the names */
  GArray *modes;           /* S_IFDIR or S_IFREG, per name */
  bool served;             /* a listing was read: offset 0 again rewinds */
} DirHandle;

static gint
cmp_str(gconstpointer a, gconstpointer b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Takes the names of @h->dir from its cached listing (lock held). */
static void
snapshot(S3 *s3, DirHandle *h)
{
  GHashTableIter it;
  gpointer k, v;
  GPtrArray *sorted = g_ptr_array_new();
  uint32_t d = S_IFDIR;
  (void)s3;
  g_ptr_array_set_size(h->names, 0);
  g_array_set_size(h->modes, 0);
  g_ptr_array_add(h->names, g_strdup("."));
  g_ptr_array_add(h->names, g_strdup(".."));
  g_array_append_val(h->modes, d);
  g_array_append_val(h->modes, d);
  if (h->dir->listing) {
    g_hash_table_iter_init(&it, h->dir->listing);
    while (g_hash_table_iter_next(&it, &k, &v))
      g_ptr_array_add(sorted, k);
    g_ptr_array_sort(sorted, cmp_str);
    for (guint i = 0; i < sorted->len; i++) {
      S3Entry *e = g_hash_table_lookup(h->dir->listing, sorted->pdata[i]);
      uint32_t m = e->mode & S_IFMT;
      g_ptr_array_add(h->names, g_strdup(sorted->pdata[i]));
      g_array_append_val(h->modes, m);
    }
  }
  g_ptr_array_free(sorted, TRUE);
}

int
s3_op_opendir(void *self, const VfsdCtx *ctx, uint64_t ino, VfsdOpenInfo *oi)
{
  S3 *s3 = self;
  S3Node *n = s3_grab(s3, ino);
  DirHandle *h;
  int rc;
  (void)ctx;
  if (n == NULL)
    return -ESTALE;
  if (!S_ISDIR(n->attr.mode)) {
    s3_drop(s3, n);
    return -ENOTDIR;
  }
  rc = s3_list_dir(s3, n, 0);
  if (rc < 0) {
    s3_drop(s3, n);
    return rc;
  }
  h = g_new0(DirHandle, 1);
  h->dir = n;
  h->names = g_ptr_array_new_with_free_func(g_free);
  h->modes = g_array_new(FALSE, FALSE, sizeof(uint32_t));
  g_mutex_lock(&s3->lock);
  snapshot(s3, h);
  g_mutex_unlock(&s3->lock);
  oi->fh = (uint64_t)(uintptr_t)h;
  return 0;
}

int
s3_op_releasedir(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh)
{
  S3 *s3 = self;
  DirHandle *h = (DirHandle *)(uintptr_t)fh;
  (void)ctx;
  (void)ino;
  if (h == NULL)
    return 0;
  s3_drop(s3, h->dir);
  g_ptr_array_free(h->names, TRUE);
  g_array_free(h->modes, TRUE);
  g_free(h);
  return 0;
}

/* ---- attributes for readdirplus ---------------------------------------*/

typedef struct {
  S3 *s3;
  S3Node *dir;
  char *name;
  char *key;
  bool is_dir;
  S3Wait *wait;
} HeadJob;

static void
head_job(void *data)
{
  HeadJob *j = data;
  S3 *s3 = j->s3;
  S3ObjMeta m;
  int rc = s3_head(s3, j->key, &m);
  if (rc == 0 || (rc == -ENOENT && j->is_dir)) {
    g_mutex_lock(&s3->lock);
    if (j->dir->listing) {
      S3Entry *e = g_hash_table_lookup(j->dir->listing, j->name);
      if (e && S_ISDIR(e->mode) == j->is_dir) {
        if (rc == 0) {
          uint32_t type = j->is_dir ? S_IFDIR
                          : S_ISLNK(m.mode) ? S_IFLNK : S_IFREG;
          e->mode = type | (m.mode ? m.mode & 07777
                                   : (j->is_dir ? s3->cfg.dir_mode
                                                : s3->cfg.file_mode));
          e->uid = m.has_uid ? m.uid : s3->cfg.uid;
          e->gid = m.has_gid ? m.gid : s3->cfg.gid;
          if (m.has_mtime) {
            e->mtime = m.mtime;
            e->mtime_ns = m.mtime_ns;
          } else if (!j->is_dir)
            e->mtime = m.last_modified;
          if (!j->is_dir) {
            e->size = m.size;
            g_free(e->etag);
            e->etag = g_strdup(m.etag);
          }
        } else {
          e->mode = S_IFDIR | s3->cfg.dir_mode; /* no marker */
          e->uid = s3->cfg.uid;
          e->gid = s3->cfg.gid;
        }
        e->meta_known = true;
      }
    }
    g_mutex_unlock(&s3->lock);
    rc = 0;
  }
  if (rc == 0)
    s3_meta_clear(&m);
  s3_wait_done(j->wait, 0);
  g_free(j->name);
  g_free(j->key);
  g_free(j);
}

/* Reads the metadata of the names from index @from on that lack it. */
static void
prefetch(S3 *s3, DirHandle *h, guint from)
{
  S3Wait w;
  s3_wait_init(&w);
  g_mutex_lock(&s3->lock);
  for (guint i = from; i < h->names->len && i < from + BATCH; i++) {
    const char *name = h->names->pdata[i];
    S3Entry *e = h->dir->listing ? g_hash_table_lookup(h->dir->listing, name)
                                 : NULL;
    S3Node *kid = s3_node_child(h->dir, name);
    HeadJob *j;
    if (e == NULL || e->meta_known ||
        (kid && (kid->attr_expires > S3_NOW() ||
                 (kid->data && kid->data->dirty))))
      continue;
    j = g_new0(HeadJob, 1);
    j->s3 = s3;
    j->dir = h->dir;
    j->name = g_strdup(name);
    j->is_dir = S_ISDIR(e->mode);
    j->key = s3_child_key(s3, h->dir, name, j->is_dir);
    j->wait = &w;
    s3_wait_add(&w);
    s3_pool_push(s3, head_job, j);
  }
  g_mutex_unlock(&s3->lock);
  s3_wait_all(&w);
  s3_wait_clear(&w);
}

static uint64_t
pseudo_ino(S3 *s3, S3Node *dir, const char *name)
{
  S3Node *kid;
  uint64_t ino;
  g_mutex_lock(&s3->lock);
  kid = s3_node_child(dir, name);
  ino = kid ? kid->ino
            : (UINT64_C(1) << 62) | (g_str_hash(name) ^ (dir->ino << 32));
  g_mutex_unlock(&s3->lock);
  return ino;
}

int
s3_op_readdir(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
              int64_t off, VfsdDirFiller *filler)
{
  S3 *s3 = self;
  DirHandle *h = (DirHandle *)(uintptr_t)fh;
  bool plus = vfsd_dir_wants_entries(filler);
  guint fetched_to = 0;
  (void)ctx;
  if (h == NULL || off < 0)
    return -EINVAL;
  if (off == 0 && h->served) {
    /* rewinddir(): the stream shows the directory as it is now. */
    int rc = s3_list_dir(s3, h->dir, 0);
    if (rc < 0)
      return rc;
    g_mutex_lock(&s3->lock);
    snapshot(s3, h);
    g_mutex_unlock(&s3->lock);
  }
  h->served = true;
  for (guint i = (guint)off; i < h->names->len; i++) {
    const char *name = h->names->pdata[i];
    uint32_t mode = g_array_index(h->modes, uint32_t, i);
    S3Node *n = NULL;
    VfsdEntry e = { 0 };
    if (i < 2 || !plus) {
      uint64_t eino = i == 0 ? ino
                      : i == 1 ? (h->dir->parent ? h->dir->parent->ino : ino)
                               : pseudo_ino(s3, h->dir, name);
      if (!vfsd_dir_add(filler, name, eino, mode, i + 1))
        break;
      continue;
    }
    if (!s3->cfg.meta_list && i >= fetched_to) {
      prefetch(s3, h, i);
      fetched_to = i + BATCH;
    }
    if (s3_resolve(s3, h->dir, name, &n) < 0)
      continue; /* gone since the listing */
    g_mutex_lock(&s3->lock);
    s3_node_fill_entry(s3, n, &e);
    g_mutex_unlock(&s3->lock);
    e.entry_timeout = e.attr_timeout = s3->cfg.cache_timeout;
    if (vfsd_dir_add_entry(filler, name, &e, i + 1)) {
      g_mutex_lock(&s3->lock);
      s3_node_kref(n);
      s3_node_unref(s3, n);
      g_mutex_unlock(&s3->lock);
    } else {
      s3_drop(s3, n);
      break;
    }
  }
  return 0;
}
