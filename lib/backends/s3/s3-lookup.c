/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Finding a name.  In order: a node whose data is open and changed (this
 * mount knows best), a node whose attributes are still fresh, the fresh
 * listing of the directory (a name missing from it does not exist: no
 * request), and last the store: HEAD "dir/name", and when that is 404 one
 * LIST of "dir/name/" (a marker or any key below makes it a directory). */
#include "s3.h"

#include <errno.h>
#include <string.h>

/* What the store says about "dir/name": a file (HEAD), or a directory. */
typedef struct {
  bool found, is_dir, has_marker;
  S3ObjMeta meta;
} Probe;

static int
probe_dir(S3 *s3, const char *dkey, Probe *p)
{
  S3List l;
  int rc;
  if (!s3->cfg.meta_list) {
    /* A marker answers in one request and carries the attributes. */
    rc = s3_head(s3, dkey, &p->meta);
    if (rc == 0) {
      p->found = p->is_dir = p->has_marker = true;
      return 0;
    }
    if (rc != -ENOENT)
      return rc;
  }
  /* Any key under "name/" makes a directory; without a delimiter the
   * gateway answers this much faster. */
  rc = s3_list_page(s3, dkey, NULL, 1, NULL, &l);
  if (rc < 0)
    return rc;
  p->found = p->is_dir = l.saw_marker || l.items->len > 0;
  p->has_marker = l.saw_marker;
  s3_list_clear(&l);
  return 0;
}

static int
probe(S3 *s3, S3Node *dir, const char *name, int want_dir, Probe *p)
{
  char *fkey, *dkey;
  int rc = -ENOENT;
  memset(p, 0, sizeof *p);
  g_mutex_lock(&s3->lock);
  fkey = s3_child_key(s3, dir, name, false);
  dkey = s3_child_key(s3, dir, name, true);
  g_mutex_unlock(&s3->lock);
  if (want_dir != 1) {
    rc = s3_head(s3, fkey, &p->meta);
    if (rc == 0) {
      p->found = true;
      /* s3fs can store a directory as "name" with a directory type. */
      p->is_dir = p->meta.dir_type || S_ISDIR(p->meta.mode);
    }
  }
  if (rc == -ENOENT && want_dir != 0)
    rc = probe_dir(s3, dkey, p);
  g_free(fkey);
  g_free(dkey);
  return rc == -ENOENT ? 0 : rc;
}

/* Gives @name in @dir the node for what was found (lock held). */
static S3Node *
install(S3 *s3, S3Node *dir, const char *name, Probe *p)
{
  S3Node *n = s3_node_child(dir, name);
  uint32_t type = p->is_dir ? S_IFDIR
                  : S_ISLNK(p->meta.mode) ? S_IFLNK : S_IFREG;
  if (n && (n->attr.mode & S_IFMT) != type)
    n = NULL; /* the object changed type: a new inode */
  if (n == NULL)
    n = s3_node_new(s3, dir, name, type);
  if (p->is_dir && p->meta.etag == NULL && !p->has_marker) {
    S3ObjMeta none = { 0 };
    none.last_modified = dir->attr.mtime;
    s3_node_set_meta(s3, n, &none);
  } else
    s3_node_set_meta(s3, n, &p->meta);
  if (p->is_dir)
    n->has_marker = p->has_marker;
  n->in_store = true;
  s3_listing_put_node(dir, n);
  return n;
}

/* A directory whose listing expired is listed again (up to ten pages)
 * rather than probed name by name: creating many files in it stays one
 * PUT each plus a listing every cache_timeout. */
static int
pages_to_list(S3 *s3, S3Node *dir)
{
  int r;
  g_mutex_lock(&s3->lock);
  r = dir->too_long_until > S3_NOW() ? 0 : dir->listing != NULL ? 10 : 1;
  g_mutex_unlock(&s3->lock);
  return r;
}

/* Answers from the fresh listing of @dir (lock held): 1 with *@out (a
 * reference added), 0 for no such name, -1 when the listing is not fresh,
 * and -2 when the name is there but its metadata must be read. */
static int
from_listing(S3 *s3, S3Node *dir, const char *name, S3Node **out,
             int *want_dir)
{
  S3Node *n = s3_node_child(dir, name);
  S3Entry *e;
  uint32_t type;
  if (!s3_listing_fresh(dir))
    return -1;
  e = g_hash_table_lookup(dir->listing, name);
  if (e == NULL)
    return 0;
  *want_dir = S_ISDIR(e->mode) ? 1 : 0;
  if (!e->meta_known && !s3->cfg.meta_list)
    return -2;
  type = S_ISDIR(e->mode) ? S_IFDIR : (e->mode & S_IFMT);
  if (n && (n->attr.mode & S_IFMT) != type)
    n = NULL;
  if (n == NULL)
    n = s3_node_new(s3, dir, name, type ? type : S_IFREG);
  s3_node_from_entry(s3, n, e);
  n->in_store = true;
  s3_node_ref(n);
  *out = n;
  return 1;
}

int
s3_resolve(S3 *s3, S3Node *dir, const char *name, S3Node **out)
{
  S3Node *n;
  int want_dir = -1; /* unknown */
  Probe p;
  int rc;

  if (!s3_name_ok(name))
    return strlen(name) > 255 ? -ENAMETOOLONG : -ENOENT;
  g_mutex_lock(&s3->lock);
  n = s3_node_child(dir, name);
  if (n && ((n->data && n->data->dirty) || n->attr_expires > S3_NOW())) {
    s3_node_ref(n);
    g_mutex_unlock(&s3->lock);
    *out = n;
    return 0;
  }
  rc = from_listing(s3, dir, name, out, &want_dir);
  g_mutex_unlock(&s3->lock);
  if (rc >= 0)
    return rc ? 0 : -ENOENT;

  if (want_dir == -1) {
    /* Most names looked up exist as files: one HEAD answers.  When it is
     * 404, listing the directory (if it fits a page) answers this name and
     * the next ones, where probing would cost a LIST per name. */
    char *fkey;
    memset(&p, 0, sizeof p);
    g_mutex_lock(&s3->lock);
    fkey = s3_child_key(s3, dir, name, false);
    g_mutex_unlock(&s3->lock);
    rc = s3_head(s3, fkey, &p.meta);
    g_free(fkey);
    if (rc == 0) {
      p.found = true;
      p.is_dir = p.meta.dir_type || S_ISDIR(p.meta.mode);
    } else if (rc != -ENOENT)
      return rc;
    else if ((rc = pages_to_list(s3, dir)) > 0 &&
             (rc = s3_list_dir(s3, dir, rc)) < 0)
      return rc;
    else if (rc == 1) {
      g_mutex_lock(&s3->lock);
      rc = from_listing(s3, dir, name, out, &want_dir);
      g_mutex_unlock(&s3->lock);
      if (rc >= 0)
        return rc ? 0 : -ENOENT;
      rc = probe(s3, dir, name, want_dir, &p); /* its metadata */
    } else
      rc = probe(s3, dir, name, 1, &p);
  } else
    rc = probe(s3, dir, name, want_dir, &p);
  if (rc < 0)
    return rc;
  g_mutex_lock(&s3->lock);
  if (!p.found) {
    s3_listing_remove(dir, name);
    g_mutex_unlock(&s3->lock);
    return -ENOENT;
  }
  n = install(s3, dir, name, &p);
  s3_node_ref(n);
  g_mutex_unlock(&s3->lock);
  s3_meta_clear(&p.meta);
  *out = n;
  return 0;
}

int
s3_refresh(S3 *s3, S3Node *n)
{
  S3Node *dir;
  S3Entry *e;
  Probe p;
  char *name;
  int rc;

  g_mutex_lock(&s3->lock);
  if (n->parent == NULL || n->removed || (n->data && n->data->dirty) ||
      n->attr_expires > S3_NOW()) {
    g_mutex_unlock(&s3->lock);
    return 0;
  }
  dir = n->parent;
  if (s3_listing_fresh(dir)) {
    e = g_hash_table_lookup(dir->listing, n->name);
    if (e && (e->meta_known || s3->cfg.meta_list) &&
        S_ISDIR(e->mode) == S_ISDIR(n->attr.mode)) {
      s3_node_from_entry(s3, n, e);
      g_mutex_unlock(&s3->lock);
      return 0;
    }
  }
  s3_node_ref(dir);
  name = g_strdup(n->name);
  g_mutex_unlock(&s3->lock);

  rc = probe(s3, dir, name, S_ISDIR(n->attr.mode) ? 1 : 0, &p);
  g_mutex_lock(&s3->lock);
  if (rc == 0 && (!p.found || p.is_dir != !!S_ISDIR(n->attr.mode) ||
                  (S_ISLNK(p.meta.mode) != !!S_ISLNK(n->attr.mode)))) {
    /* Gone, or now something else: this inode is stale. */
    if (s3_node_child(dir, name) == n)
      s3_node_detach(s3, n);
    s3_listing_remove(dir, name);
    rc = -ENOENT;
  } else if (rc == 0 && s3_node_child(dir, name) == n) {
    install(s3, dir, name, &p);
  }
  s3_node_unref(s3, dir);
  g_mutex_unlock(&s3->lock);
  s3_meta_clear(&p.meta);
  g_free(name);
  return rc;
}

void
s3_keep_dir(S3 *s3, S3Node *dir)
{
  bool empty = false, known = false;
  char *key;
  VfsdAttr a;
  g_mutex_lock(&s3->lock);
  if (dir->parent == NULL || dir->has_marker || dir->removed) {
    g_mutex_unlock(&s3->lock);
    return;
  }
  if (s3_listing_fresh(dir)) {
    known = true;
    empty = g_hash_table_size(dir->listing) == 0;
  }
  key = s3_dir_key(s3, dir);
  a = dir->attr;
  g_mutex_unlock(&s3->lock);
  if (!known) {
    S3List l;
    if (s3_list_page(s3, key, NULL, 1, NULL, &l) == 0) {
      empty = l.items->len == 0 && !l.saw_marker;
      s3_list_clear(&l);
    }
  }
  /* An implicit directory whose last name left would vanish: give it a
   * marker, as mkdir would have. */
  if (empty && s3_put_buf(s3, key, NULL, 0, &a, "application/x-directory",
                          NULL) == 0) {
    g_mutex_lock(&s3->lock);
    dir->has_marker = true;
    g_mutex_unlock(&s3->lock);
  }
  g_free(key);
}
