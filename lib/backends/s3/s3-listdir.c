/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Listings.  A directory node caches its listing — every name with what
 * ListObjectsV2 (or a HEAD) said — for cache_timeout; while it is fresh a
 * name missing from it does not exist, and costs no request.  Files of ours
 * not stored yet stay in it; metadata read before for the same ETag is
 * kept when the listing is refreshed. */
#include "s3.h"

#include <errno.h>
#include <string.h>

/* A change made to a directory's listing while it was being listed. */
typedef struct {
  guint64 seq;
  char *name;
  S3Entry *e; /* NULL: the name was removed */
} S3ListingOp;

static void
listing_op_free(gpointer p)
{
  S3ListingOp *op = p;
  g_free(op->name);
  if (op->e)
    s3_entry_free(op->e);
  g_free(op);
}

static S3Entry *
entry_copy(const S3Entry *e)
{
  S3Entry *c = g_new(S3Entry, 1);
  *c = *e;
  c->etag = g_strdup(e->etag);
  return c;
}

/* Under s3->lock: logs a change while listings of @dir are in flight. */
static void
listing_log(S3Node *dir, const char *name, const S3Entry *e)
{
  S3ListingOp *op;
  if (dir->listings_inflight == 0)
    return;
  if (dir->listing_ops == NULL)
    dir->listing_ops = g_ptr_array_new_with_free_func(listing_op_free);
  op = g_new(S3ListingOp, 1);
  op->seq = ++dir->listing_seq;
  op->name = g_strdup(name);
  op->e = e ? entry_copy(e) : NULL;
  g_ptr_array_add(dir->listing_ops, op);
}

/* Under s3->lock: a listing of @dir has ended. */
static void
listing_end(S3Node *dir)
{
  if (--dir->listings_inflight == 0 && dir->listing_ops)
    g_ptr_array_set_size(dir->listing_ops, 0);
}


int
s3_list_dir(S3 *s3, S3Node *dir, int max_pages)
{
  GHashTable *t;
  char *key, *token = NULL;
  bool marker = false;
  int rc = 0, pages = 0;
  guint64 start;

  g_mutex_lock(&s3->lock);
  if (s3_listing_fresh(dir)) {
    g_mutex_unlock(&s3->lock);
    return 1;
  }
  key = s3_dir_key(s3, dir);
  start = dir->listing_seq;
  dir->listings_inflight++;
  g_mutex_unlock(&s3->lock);

  t = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, s3_entry_free);
  do {
    S3List page;
    rc = s3_list_page(s3, key, "/", 1000, token, &page);
    g_clear_pointer(&token, g_free);
    if (rc < 0)
      break;
    marker |= page.saw_marker;
    for (guint i = 0; i < page.items->len; i++) {
      S3ListItem *it = g_ptr_array_index(page.items, i);
      S3Entry *e, *old;
      if (!s3_name_ok(it->name))
        continue; /* "a//b", "..": no POSIX name for it */
      old = g_hash_table_lookup(t, it->name);
      if (old && S_ISDIR(old->mode))
        continue; /* a directory hides a file of the same name */
      e = g_new0(S3Entry, 1);
      e->mode = it->is_prefix ? S_IFDIR : S_IFREG;
      e->size = it->size;
      e->mtime = it->mtime;
      e->etag = g_strdup(it->etag);
      g_hash_table_replace(t, g_strdup(it->name), e);
    }
    if (page.truncated && page.next_token)
      token = g_strdup(page.next_token);
    s3_list_clear(&page);
    if (token && max_pages > 0 && ++pages >= max_pages) {
      /* Too long to list for a lookup: names are probed one by one for a
       * while. */
      g_clear_pointer(&token, g_free);
      g_hash_table_unref(t);
      g_free(key);
      g_mutex_lock(&s3->lock);
      listing_end(dir);
      s3_listing_drop(dir);
      dir->too_long_until = s3_expiry(s3);
      g_mutex_unlock(&s3->lock);
      return 0;
    }
  } while (token);
  g_free(key);
  if (rc < 0) {
    g_hash_table_unref(t);
    g_mutex_lock(&s3->lock);
    listing_end(dir);
    g_mutex_unlock(&s3->lock);
    return rc;
  }

  g_mutex_lock(&s3->lock);
  {
    /* Keep what is known better than a listing: metadata read before for
     * the same content, and files of ours not stored yet. */
    GHashTableIter it;
    gpointer k, v;
    if (dir->listing) {
      g_hash_table_iter_init(&it, dir->listing);
      while (g_hash_table_iter_next(&it, &k, &v)) {
        S3Entry *o = v, *e = g_hash_table_lookup(t, k);
        if (e && o->meta_known && (S_ISDIR(e->mode) == S_ISDIR(o->mode)) &&
            (S_ISDIR(e->mode) || g_strcmp0(e->etag, o->etag) == 0)) {
          e->meta_known = true;
          e->mode = o->mode;
          e->uid = o->uid;
          e->gid = o->gid;
          if (!S_ISDIR(e->mode)) {
            e->mtime = o->mtime;
            e->mtime_ns = o->mtime_ns;
          }
        }
      }
    }
    g_hash_table_iter_init(&it, dir->kids);
    while (g_hash_table_iter_next(&it, &k, &v)) {
      S3Node *n = v;
      if (n->data && n->data->dirty && n->data->stored_gen == 0) {
        S3Entry e = { n->attr.mode, true, n->attr.uid, n->attr.gid,
                      n->attr.size, n->attr.mtime, n->attr.mtime_nsec, NULL };
        S3Entry *c = g_new(S3Entry, 1);
        *c = e;
        g_hash_table_replace(t, g_strdup(k), c);
      }
    }
    /* What changed while the requests ran is newer than their answer. */
    for (guint i = 0; dir->listing_ops && i < dir->listing_ops->len; i++) {
      S3ListingOp *op = g_ptr_array_index(dir->listing_ops, i);
      if (op->seq <= start)
        continue;
      if (op->e)
        g_hash_table_replace(t, g_strdup(op->name), entry_copy(op->e));
      else
        g_hash_table_remove(t, op->name);
    }
    listing_end(dir);
    if (dir->listing)
      g_hash_table_unref(dir->listing);
    dir->listing = t;
    dir->listing_expires = s3_expiry(s3);
    dir->subdirs = 0;
    g_hash_table_iter_init(&it, t);
    while (g_hash_table_iter_next(&it, NULL, &v))
      dir->subdirs += S_ISDIR(((S3Entry *)v)->mode) ? 1 : 0;
    if (marker)
      dir->has_marker = true;
  }
  g_mutex_unlock(&s3->lock);
  return 1;
}


/* ---- listings ---------------------------------------------------------*/

void
s3_entry_free(gpointer p)
{
  S3Entry *e = p;
  g_free(e->etag);
  g_free(e);
}

bool
s3_listing_fresh(S3Node *dir)
{
  return dir->listing && S3_NOW() < dir->listing_expires;
}

void
s3_listing_put(S3Node *dir, const char *name, const S3Entry *e)
{
  S3Entry *c;
  if (dir->listing)
    s3_listing_remove(dir, name);
  listing_log(dir, name, e);
  if (dir->listing == NULL)
    return;
  c = entry_copy(e);
  if (S_ISDIR(c->mode))
    dir->subdirs++;
  g_hash_table_replace(dir->listing, g_strdup(name), c);
}

void
s3_listing_put_node(S3Node *dir, S3Node *n)
{
  S3Entry e = { 0 };
  e.mode = n->attr.mode;
  e.meta_known = n->meta_known;
  e.uid = n->attr.uid;
  e.gid = n->attr.gid;
  e.size = n->attr.size;
  e.mtime = n->attr.mtime;
  e.mtime_ns = n->attr.mtime_nsec;
  e.etag = n->etag;
  s3_listing_put(dir, n->name, &e);
}

void
s3_listing_remove(S3Node *dir, const char *name)
{
  S3Entry *e = dir->listing ? g_hash_table_lookup(dir->listing, name) : NULL;
  listing_log(dir, name, NULL);
  if (e == NULL)
    return;
  if (S_ISDIR(e->mode) && dir->subdirs > 0)
    dir->subdirs--;
  g_hash_table_remove(dir->listing, name);
}

void
s3_listing_drop(S3Node *dir)
{
  if (dir->listing)
    g_hash_table_unref(dir->listing);
  dir->listing = NULL;
  dir->listing_expires = 0;
  dir->subdirs = 0;
}
