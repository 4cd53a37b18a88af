/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reading objects: ranged GETs of block_size bytes into a bounded cache
 * (cache_size, least recently used blocks go first).  A block is named by
 * inode, index and the object's ETag, and fetched with If-Match, so a
 * changed object is never served from old blocks nor stitched from two
 * versions.  A reader that goes sequentially gets the next readahead bytes
 * fetched in parallel before it asks. */
#include "s3.h"

#include <errno.h>
#include <string.h>

typedef struct {
  char *id;             /* "ino/index/etag" */
  char *key;            /* the object */
  char *etag;
  uint64_t off;
  size_t want;
  char *data;
  size_t len;
  int state;            /* 0 loading, 1 ready, < 0 failed (an errno) */
  int refs;
  GList link;           /* in s3->cache_lru once ready */
  bool listed;
  S3 *s3;
} Block;

static GCond cache_cond;

static void
block_free(Block *b)
{
  g_free(b->id);
  g_free(b->key);
  g_free(b->etag);
  g_free(b->data);
  g_free(b);
}

/* Drops blocks nobody reads until the cache fits (cache_lock held). */
static void
evict(S3 *s3)
{
  GList *l = s3->cache_lru.tail;
  while (l && s3->cache_bytes > s3->cfg.cache_size) {
    Block *b = l->data;
    GList *prev = l->prev;
    if (b->refs == 0) {
      g_queue_unlink(&s3->cache_lru, l);
      g_hash_table_remove(s3->cache, b->id);
      s3->cache_bytes -= b->len;
      block_free(b);
    }
    l = prev;
  }
}

static void
block_put(S3 *s3, Block *b)
{
  g_mutex_lock(&s3->cache_lock);
  if (--b->refs == 0 && b->state < 0)
    block_free(b); /* failed blocks are out of the table already */
  else if (b->refs == 0)
    evict(s3);
  g_mutex_unlock(&s3->cache_lock);
}

static void
load(Block *b)
{
  S3 *s3 = b->s3;
  char *data = g_malloc(b->want);
  size_t got = 0;
  int rc = s3_get_range(s3, b->key, b->etag, b->off, data, b->want, &got);
  g_mutex_lock(&s3->cache_lock);
  if (rc == 0) {
    b->data = got < b->want ? g_realloc(data, MAX(got, 1)) : data;
    b->len = got;
    b->state = 1;
    b->link.data = b;
    g_queue_push_head_link(&s3->cache_lru, &b->link);
    b->listed = true;
    s3->cache_bytes += got;
  } else {
    g_free(data);
    b->state = rc;
    g_hash_table_remove(s3->cache, b->id);
  }
  g_cond_broadcast(&cache_cond);
  g_mutex_unlock(&s3->cache_lock);
  block_put(s3, b);
}

static void
load_job(void *data)
{
  load(data);
}

/* The block @idx of the object; fetched now when @wait, in the background
 * otherwise (and then NULL is returned).  The caller puts what it gets. */
static Block *
get_block(S3 *s3, uint64_t ino, const char *key, const char *etag,
          uint64_t idx, uint64_t fsize, bool wait)
{
  uint64_t bs = s3->cfg.block_size;
  char *id = g_strdup_printf("%" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT "/%s",
                             ino, idx, etag ? etag : "");
  Block *b;
  g_mutex_lock(&s3->cache_lock);
  b = g_hash_table_lookup(s3->cache, id);
  if (b) {
    g_free(id);
    if (!wait) {
      g_mutex_unlock(&s3->cache_lock);
      return NULL;
    }
    b->refs++;
    if (b->listed) { /* most recently used */
      g_queue_unlink(&s3->cache_lru, &b->link);
      g_queue_push_head_link(&s3->cache_lru, &b->link);
    }
    while (b->state == 0)
      g_cond_wait(&cache_cond, &s3->cache_lock);
    g_mutex_unlock(&s3->cache_lock);
    return b;
  }
  b = g_new0(Block, 1);
  b->s3 = s3;
  b->id = id;
  b->key = g_strdup(key);
  b->etag = g_strdup(etag);
  b->off = idx * bs;
  b->want = (size_t)MIN(bs, fsize - b->off);
  b->refs = wait ? 2 : 1; /* the loader's, and the caller's */
  g_hash_table_insert(s3->cache, b->id, b);
  g_mutex_unlock(&s3->cache_lock);
  if (!wait) {
    s3_pool_push(s3, load_job, b);
    return NULL;
  }
  load(b);
  return b;
}

/* Where read bytes go: copied into @buf, or handed to the kernel from the
 * blocks themselves (@rb), which stay pinned until the reply is sent. */
typedef struct {
  char *buf;
  VfsdReadBuf *rb;
  GPtrArray *pins;     /* Block*, released when the reply is sent */
} Sink;

static void
unpin(void *data)
{
  GPtrArray *pins = data;
  for (guint i = 0; i < pins->len; i++) {
    Block *b = pins->pdata[i];
    block_put(b->s3, b);
  }
  g_ptr_array_free(pins, TRUE);
}

static ssize_t
read_blocks(S3 *s3, S3Node *n, S3Data *d, Sink *sink, size_t size,
            uint64_t off)
{
  uint64_t bs = s3->cfg.block_size, fsize, ino = n->ino;
  char *key, *etag;
  ssize_t done = 0;

  g_mutex_lock(&s3->lock);
  key = s3_node_key(s3, n);
  etag = g_strdup(n->etag);
  fsize = n->attr.size;
  g_mutex_unlock(&s3->lock);
  if (off >= fsize || size == 0)
    goto out;
  size = (size_t)MIN((uint64_t)size, fsize - off);

  if (d && s3->cfg.readahead > 0) {
    uint64_t end = off + size, ra_end, from;
    bool seq;
    g_mutex_lock(&d->lock);
    seq = off == d->next_read || off == 0;
    d->next_read = end;
    if (seq) {
      ra_end = MIN(fsize, end + s3->cfg.readahead);
      from = MAX(d->ra_until, ((end + bs - 1) / bs) * bs);
      d->ra_until = MAX(d->ra_until, ra_end);
    } else {
      ra_end = from = 0;
      d->ra_until = 0;
    }
    g_mutex_unlock(&d->lock);
    for (uint64_t o = from; o < ra_end; o += bs)
      get_block(s3, ino, key, etag, o / bs, fsize, false);
  }

  {
    /* Every block first: a failure (or a changed object) leaves nothing
     * half added to the reply. */
    GPtrArray *blocks = g_ptr_array_new();
    uint64_t have = 0;
    for (uint64_t i = off / bs; off + have < off + size; i++) {
      Block *b = get_block(s3, ino, key, etag, i, fsize, true);
      g_ptr_array_add(blocks, b);
      if (b->state < 0) {
        done = b->state;
        break;
      }
      if (off + have >= b->off + b->len)
        break; /* the object is shorter than we thought */
      have = b->off + b->len - off;
      if (b->len < bs)
        break;
    }
    for (guint k = 0; k < blocks->len; k++) {
      Block *b = blocks->pdata[k];
      uint64_t in = off + (uint64_t)done - b->off;
      size_t n_copy;
      if (done < 0 || done >= (ssize_t)size || in >= b->len) {
        block_put(s3, b);
        continue;
      }
      n_copy = MIN(b->len - in, size - (size_t)done);
      if (sink->rb) {
        if (vfsd_read_buf_add(sink->rb, b->data + in, n_copy) != 0) {
          block_put(s3, b);
          done = -EIO; /* more segments than a reply holds: cannot be */
          continue;
        }
        g_ptr_array_add(sink->pins, b); /* released once the reply is sent */
      } else {
        memcpy(sink->buf + done, b->data + in, n_copy);
        block_put(s3, b);
      }
      done += (ssize_t)n_copy;
    }
    g_ptr_array_free(blocks, TRUE);
  }
out:
  g_free(key);
  g_free(etag);
  return done;
}

ssize_t
s3_read_remote(S3 *s3, S3Node *n, S3Data *d, char *buf, VfsdReadBuf *rb,
               size_t size, uint64_t off)
{
  Sink sink = { buf, rb, rb ? g_ptr_array_new() : NULL };
  ssize_t r = read_blocks(s3, n, d, &sink, size, off);
  if (r == -ESTALE) {
    /* The object changed under us (If-Match failed): read the new one. */
    g_mutex_lock(&s3->lock);
    n->attr_expires = 0;
    g_mutex_unlock(&s3->lock);
    if (s3_refresh(s3, n) == 0)
      r = read_blocks(s3, n, d, &sink, size, off);
    if (r == -ESTALE)
      r = -EIO;
  }
  if (rb)
    vfsd_read_buf_on_sent(rb, unpin, sink.pins);
  return r;
}

void
s3_cache_free(S3 *s3)
{
  GList *l;
  if (s3->cache == NULL)
    return;
  while ((l = g_queue_pop_head_link(&s3->cache_lru)) != NULL)
    block_free(l->data);
  g_hash_table_unref(s3->cache);
  s3->cache = NULL;
}
