/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Inodes and what is cached about them.
 *
 * A node lives while someone holds a reference: the kernel (from the reply
 * that handed it out until forget), an open file, an upload in the
 * background, or its children (each holds its parent, so a path can always
 * be rebuilt).  Inode numbers are never reused.  A directory node may carry
 * the listing of the directory: every name in it, with what ListObjectsV2
 * (or a HEAD) said, trusted until listing_expires; while it is fresh a name
 * missing from it does not exist and costs no request.  Everything here
 * runs with s3->lock held. */
#include "s3.h"

#include <string.h>

#define BLKSIZE 65536

static void
node_free(S3Node *n)
{
  if (n->kids)
    g_hash_table_unref(n->kids);
  if (n->listing)
    g_hash_table_unref(n->listing);
  if (n->listing_ops)
    g_ptr_array_unref(n->listing_ops);
  g_free(n->name);
  g_free(n->etag);
  g_free(n->link_target);
  g_free(n->cache_etag);
  g_free(n);
}

void
s3_nodes_init(S3 *s3)
{
  S3Node *r = g_new0(S3Node, 1);
  s3->nodes = g_hash_table_new(g_int64_hash, g_int64_equal);
  s3->next_ino = VFSD_ROOT_INO + 1;
  r->ino = VFSD_ROOT_INO;
  r->name = g_strdup("");
  r->refs = 1; /* forever */
  r->attr.mode = S_IFDIR | s3->cfg.dir_mode;
  r->attr.nlink = 2;
  r->attr.uid = s3->cfg.uid;
  r->attr.gid = s3->cfg.gid;
  r->attr.mtime = r->attr.ctime = r->attr.atime = g_get_real_time() / G_USEC_PER_SEC;
  r->kids = g_hash_table_new(g_str_hash, g_str_equal);
  r->meta_known = true;
  r->attr_expires = G_MAXINT64;
  g_hash_table_insert(s3->nodes, &r->ino, r);
  s3->root = r;
}

void
s3_nodes_free(S3 *s3)
{
  GHashTableIter it;
  gpointer v;
  if (s3->nodes == NULL)
    return;
  g_hash_table_iter_init(&it, s3->nodes);
  while (g_hash_table_iter_next(&it, NULL, &v))
    node_free(v);
  g_hash_table_unref(s3->nodes);
  s3->nodes = NULL;
}

S3Node *
s3_node_get(S3 *s3, uint64_t ino)
{
  S3Node *n = g_hash_table_lookup(s3->nodes, &ino);
  return n;
}

S3Node *
s3_node_child(S3Node *dir, const char *name)
{
  return dir->kids ? g_hash_table_lookup(dir->kids, name) : NULL;
}

S3Node *
s3_node_new(S3 *s3, S3Node *parent, const char *name, uint32_t mode)
{
  S3Node *n = g_new0(S3Node, 1);
  S3Node *old;
  n->ino = s3->next_ino++;
  n->parent = parent;
  parent->refs++;
  n->name = g_strdup(name);
  n->attr.mode = mode;
  n->attr.nlink = S_ISDIR(mode) ? 2 : 1;
  n->attr.uid = s3->cfg.uid;
  n->attr.gid = s3->cfg.gid;
  if (S_ISDIR(mode))
    n->kids = g_hash_table_new(g_str_hash, g_str_equal);
  g_hash_table_insert(s3->nodes, &n->ino, n);
  old = s3_node_child(parent, name);
  if (old)
    s3_node_detach(s3, old); /* replaced: it lives on for its holders */
  g_hash_table_replace(parent->kids, n->name, n);
  return n;
}

void
s3_node_ref(S3Node *n)
{
  n->refs++;
}

void
s3_node_detach(S3 *s3, S3Node *n)
{
  (void)s3;
  if (n->parent && g_hash_table_lookup(n->parent->kids, n->name) == n)
    g_hash_table_remove(n->parent->kids, n->name);
  n->removed = true;
}

void
s3_node_unref(S3 *s3, S3Node *n)
{
  while (n && --n->refs == 0) {
    S3Node *parent = n->parent;
    if (n->data)
      g_critical("node %" G_GUINT64_FORMAT " freed with open data", n->ino);
    s3_node_detach(s3, n);
    g_hash_table_remove(s3->nodes, &n->ino);
    node_free(n);
    n = parent;
  }
}

void
s3_node_move(S3 *s3, S3Node *n, S3Node *newparent, const char *newname)
{
  S3Node *old = s3_node_child(newparent, newname);
  if (old && old != n)
    s3_node_detach(s3, old);
  if (n->parent && g_hash_table_lookup(n->parent->kids, n->name) == n)
    g_hash_table_remove(n->parent->kids, n->name);
  if (newparent != n->parent) {
    newparent->refs++;
    s3_node_unref(s3, n->parent);
    n->parent = newparent;
  }
  g_free(n->name);
  n->name = g_strdup(newname);
  n->removed = false;
  g_hash_table_replace(newparent->kids, n->name, n);
}

void
s3_node_fill_entry(S3 *s3, S3Node *n, VfsdEntry *out)
{
  (void)s3;
  out->ino = n->ino;
  out->generation = n->generation;
  out->attr = n->attr;
  out->attr.ino = n->ino;
  out->attr.blksize = BLKSIZE;
  out->attr.blocks = (n->attr.size + 511) / 512;
  /* S3 keeps no link counts: a directory counts its subdirectories when
   * its listing is known (1, "unknown" as btrfs says, before); a name that
   * is gone has none left. */
  if (S_ISDIR(n->attr.mode))
    out->attr.nlink = n->removed ? 0 : n->listing ? 2 + n->subdirs : 1;
  else
    out->attr.nlink = n->removed ? 0 : 1;
}

void
s3_node_kref(S3Node *n)
{
  if (!n->kref) {
    n->kref = true;
    n->refs++;
  }
}

static uint32_t
mode_of(S3 *s3, uint32_t stored, bool is_dir)
{
  uint32_t type = stored & S_IFMT;
  if (is_dir)
    return S_IFDIR | (stored && type == S_IFDIR ? stored & 07777
                                                : s3->cfg.dir_mode);
  if (type == S_IFLNK)
    return stored;
  if (type == S_IFREG || (stored && type == 0))
    return S_IFREG | (stored & 07777);
  return S_IFREG | s3->cfg.file_mode; /* absent, or a type we do not serve */
}

void
s3_node_set_meta(S3 *s3, S3Node *n, const S3ObjMeta *m)
{
  bool dir = S_ISDIR(n->attr.mode);
  n->attr.mode = mode_of(s3, m->mode, dir);
  n->attr.uid = m->has_uid ? m->uid : s3->cfg.uid;
  n->attr.gid = m->has_gid ? m->gid : s3->cfg.gid;
  if (m->has_mtime) {
    n->attr.mtime = m->mtime;
    n->attr.mtime_nsec = m->mtime_ns;
  } else {
    n->attr.mtime = m->last_modified;
    n->attr.mtime_nsec = 0;
  }
  n->attr.ctime = n->attr.atime = n->attr.mtime;
  n->attr.ctime_nsec = n->attr.atime_nsec = n->attr.mtime_nsec;
  if (!dir && !(n->data && n->data->staged))
    n->attr.size = m->size;
  if (dir)
    n->attr.size = 0;
  if (!(n->data && n->data->dirty)) {
    g_free(n->etag);
    n->etag = g_strdup(m->etag);
  }
  n->meta_known = true;
  n->attr_expires = S3_NOW() + (gint64)(s3->cfg.cache_timeout * G_USEC_PER_SEC);
}

void
s3_node_from_entry(S3 *s3, S3Node *n, const S3Entry *e)
{
  bool dir = S_ISDIR(e->mode);
  n->attr.mode = e->meta_known ? e->mode : mode_of(s3, 0, dir);
  n->attr.uid = e->meta_known ? e->uid : s3->cfg.uid;
  n->attr.gid = e->meta_known ? e->gid : s3->cfg.gid;
  n->attr.mtime = n->attr.ctime = n->attr.atime = e->mtime;
  n->attr.mtime_nsec = n->attr.ctime_nsec = n->attr.atime_nsec = e->mtime_ns;
  if (!(n->data && n->data->staged))
    n->attr.size = dir ? 0 : e->size;
  n->attr.nlink = dir ? 2 : 1;
  if (!(n->data && n->data->dirty)) {
    g_free(n->etag);
    n->etag = g_strdup(e->etag);
  }
  n->meta_known = e->meta_known;
  n->attr_expires = S3_NOW() + (gint64)(s3->cfg.cache_timeout * G_USEC_PER_SEC);
}

void
s3_inherit(S3 *s3, S3Node *dir, VfsdAttr *a)
{
  /* A setgid directory gives new names its group, and new directories its
   * setgid bit (the file system's job under FUSE, not the kernel's). */
  g_mutex_lock(&s3->lock);
  if (dir->attr.mode & S_ISGID) {
    a->gid = dir->attr.gid;
    if (S_ISDIR(a->mode))
      a->mode |= S_ISGID;
  }
  g_mutex_unlock(&s3->lock);
}

void
s3_node_touch(S3 *s3, S3Node *n)
{
  gint64 now = g_get_real_time();
  (void)s3;
  n->attr.mtime = n->attr.ctime = now / G_USEC_PER_SEC;
  n->attr.mtime_nsec = n->attr.ctime_nsec = (uint32_t)(now % G_USEC_PER_SEC) * 1000;
}

char *
s3_node_path(S3Node *n)
{
  GPtrArray *parts = g_ptr_array_new();
  GString *p = g_string_new(NULL);
  for (S3Node *x = n; x && x->parent; x = x->parent)
    g_ptr_array_add(parts, x->name);
  for (guint i = parts->len; i > 0; i--) {
    g_string_append(p, g_ptr_array_index(parts, i - 1));
    if (i > 1)
      g_string_append_c(p, '/');
  }
  g_ptr_array_free(parts, TRUE);
  return g_string_free(p, FALSE);
}

char *
s3_dir_key(S3 *s3, S3Node *dir)
{
  char *path, *key;
  if (dir->parent == NULL)
    return g_strdup(s3->cfg.prefix);
  path = s3_node_path(dir);
  key = g_strconcat(s3->cfg.prefix, path, "/", NULL);
  g_free(path);
  return key;
}

char *
s3_node_key(S3 *s3, S3Node *n)
{
  char *path, *key;
  if (S_ISDIR(n->attr.mode))
    return s3_dir_key(s3, n);
  path = s3_node_path(n);
  key = g_strconcat(s3->cfg.prefix, path, NULL);
  g_free(path);
  return key;
}

char *
s3_child_key(S3 *s3, S3Node *dir, const char *name, bool as_dir)
{
  char *dk = s3_dir_key(s3, dir);
  char *key = g_strconcat(dk, name, as_dir ? "/" : "", NULL);
  g_free(dk);
  return key;
}

bool
s3_name_ok(const char *name)
{
  size_t n = strlen(name);
  /* S3 keys are UTF-8: a name that is not cannot be stored. */
  return n > 0 && n <= 255 && strcmp(name, ".") != 0 &&
         strcmp(name, "..") != 0 && strchr(name, '/') == NULL &&
         g_utf8_validate(name, (gssize)n, NULL);
}
