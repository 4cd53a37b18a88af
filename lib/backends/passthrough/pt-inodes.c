/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The passthrough backend's inode table: our numbers for the source's
 * files, and a bounded set of O_PATH descriptors (PERF-FACTS obs. 8: one
 * descriptor per inode the kernel knows exhausts the fd limit).  An inode
 * whose descriptor was closed is reached again through its file handle,
 * or else through its parent's descriptor and its last known name, and
 * then only if the file found is the same file (device and inode). */
#include "pt.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

typedef struct {
  uint64_t dev, st_ino;
} Id;

static guint
id_hash(gconstpointer p)
{
  const Id *id = p;
  return g_int64_hash(&id->st_ino) ^ (guint)(id->dev * 0x9E3779B1u);
}

static gboolean
id_equal(gconstpointer a, gconstpointer b)
{
  const Id *x = a, *y = b;
  return x->dev == y->dev && x->st_ino == y->st_ino;
}

#define FOREIGN_BASE (UINT64_C(1) << 63)

/* Under the lock. */
static uint64_t
map_ino(Pt *pt, uint64_t dev, uint64_t st_ino)
{
  Id key = { dev, st_ino }, *k;
  uint64_t *v;
  if (dev == pt->root_dev && st_ino == pt->root_st_ino)
    return VFSD_ROOT_INO;
  /* On the root's file system st_ino is our number, except that the
   * root's own st_ino and 1 (our root) trade places. */
  if (dev == pt->root_dev && st_ino != 0 && st_ino < FOREIGN_BASE &&
      pt->root_st_ino < FOREIGN_BASE)
    return st_ino == VFSD_ROOT_INO ? pt->root_st_ino : st_ino;
  /* Other file systems (mounts inside the tree): numbers of our own, kept
   * for the life of the mount. */
  v = g_hash_table_lookup(pt->foreign, &key);
  if (v)
    return *v;
  k = g_memdup2(&key, sizeof key);
  v = g_new(uint64_t, 1);
  *v = FOREIGN_BASE + pt->next_foreign++;
  g_hash_table_insert(pt->foreign, k, v);
  return *v;
}

uint64_t
pt_map_ino(Pt *pt, uint64_t dev, uint64_t st_ino)
{
  uint64_t ino;
  g_mutex_lock(&pt->lock);
  ino = map_ino(pt, dev, st_ino);
  g_mutex_unlock(&pt->lock);
  return ino;
}

static void
free_inode(Pt *pt, PtInode *in)
{
  if (in->fd >= 0) {
    g_queue_unlink(&pt->lru, &in->lru);
    close(in->fd);
    pt->nfds--;
  }
  g_free(in->handle);
  g_free(in->name);
  g_free(in);
}

static bool
alive(Pt *pt, PtInode *in)
{
  return in == pt->root || in->kernel || in->children || in->pins;
}

/* Drops @in if nothing needs it any more, then its parents likewise.
 * Under the lock. */
static void
maybe_drop(Pt *pt, PtInode *in)
{
  while (in && !alive(pt, in)) {
    PtInode *parent = in->parent;
    g_hash_table_remove(pt->by_id, &in->dev);
    g_hash_table_remove(pt->by_ino, &in->ino);
    free_inode(pt, in);
    if (parent)
      parent->children--;
    in = parent;
  }
}

/* Under the lock. */
static void
set_parent(Pt *pt, PtInode *in, PtInode *parent, const char *name)
{
  PtInode *old = in->parent;
  if (old == parent && in->name && !strcmp(in->name, name))
    return;
  if (parent)
    parent->children++;
  in->parent = parent;
  g_free(in->name);
  in->name = g_strdup(name);
  if (old) {
    old->children--;
    maybe_drop(pt, old);
  }
}

/* Makes room for one more descriptor: closes the least recently used one
 * nobody is using.  Under the lock. */
static void
make_room(Pt *pt)
{
  for (GList *l = pt->lru.tail; l && pt->nfds >= pt->fd_cap;) {
    PtInode *in = l->data;
    GList *prev = l->prev;
    if (in->pins == 0 && in != pt->root) {
      g_queue_unlink(&pt->lru, l);
      close(in->fd);
      in->fd = -1;
      pt->nfds--;
    }
    l = prev;
  }
}

static void
hold_fd(Pt *pt, PtInode *in, int fd)
{
  make_room(pt);
  in->fd = fd;
  pt->nfds++;
  g_queue_push_head_link(&pt->lru, &in->lru);
}

/* An O_PATH descriptor for @in again.  Under the lock. */
static int
reacquire(Pt *pt, PtInode *in, int depth)
{
  struct stat st;
  int fd = -1;
  if (in->handle) {
    fd = open_by_handle_at(pt->mount_fd, in->handle, O_PATH | O_CLOEXEC);
    if (fd < 0)
      fd = -errno;
  } else if (in->parent && in->name && depth < 4096) {
    PtInode *p = in->parent;
    int r = 0;
    p->pins++;
    if (p->fd < 0)
      r = reacquire(pt, p, depth + 1);
    fd = r < 0 ? r : pt_open_beneath(pt, p->fd, in->name, O_PATH, 0);
    p->pins--;
  } else
    fd = -ESTALE;
  if (fd < 0)
    return fd == -ENOENT || fd == -ELOOP || fd == -ENOTDIR ? -ESTALE : fd;
  /* Whatever answers to the name now must be the same file. */
  if (fstat(fd, &st) != 0 || (uint64_t)st.st_dev != in->dev ||
      (uint64_t)st.st_ino != in->st_ino) {
    close(fd);
    return -ESTALE;
  }
  hold_fd(pt, in, fd);
  return 0;
}

int
pt_get(Pt *pt, uint64_t ino, PtInode **out, int *fd)
{
  PtInode *in;
  int r = 0;
  g_mutex_lock(&pt->lock);
  in = g_hash_table_lookup(pt->by_ino, &ino);
  if (in == NULL)
    r = -ESTALE;
  else {
    in->pins++;
    if (in->fd < 0)
      r = reacquire(pt, in, 0);
    if (r == 0) {
      g_queue_unlink(&pt->lru, &in->lru);
      g_queue_push_head_link(&pt->lru, &in->lru);
      *out = in;
      *fd = in->fd;
    } else {
      in->pins--;
    }
  }
  g_mutex_unlock(&pt->lock);
  return r;
}

void
pt_put(Pt *pt, PtInode *in)
{
  g_mutex_lock(&pt->lock);
  in->pins--;
  maybe_drop(pt, in);
  g_mutex_unlock(&pt->lock);
}

uint64_t
pt_register(Pt *pt, const struct stat *st, int fd, PtInode *parent,
            const char *name)
{
  Id key = { (uint64_t)st->st_dev, (uint64_t)st->st_ino };
  void *handle = NULL;
  PtInode *in;
  uint64_t ino;
  g_mutex_lock(&pt->lock);
  in = g_hash_table_lookup(pt->by_id, &key);
  g_mutex_unlock(&pt->lock);
  /* A handle is taken outside the lock; only new inodes need one. */
  if (in == NULL && fd >= 0)
    handle = pt_handle_of(pt, fd);
  g_mutex_lock(&pt->lock);
  in = g_hash_table_lookup(pt->by_id, &key);
  if (in == NULL) {
    in = g_new0(PtInode, 1);
    in->dev = key.dev;
    in->st_ino = key.st_ino;
    in->ino = map_ino(pt, key.dev, key.st_ino);
    in->type = st->st_mode & S_IFMT;
    in->fd = -1;
    in->lru.data = in;
    in->handle = handle;
    handle = NULL;
    g_hash_table_insert(pt->by_id, &in->dev, in);
    g_hash_table_insert(pt->by_ino, &in->ino, in);
  }
  if (in != pt->root) {
    if (name)
      set_parent(pt, in, parent, name);
    in->kernel = true;
  }
  if (fd >= 0 && in->fd < 0)
    hold_fd(pt, in, fd);
  else if (fd >= 0)
    close(fd);
  ino = in->ino;
  g_mutex_unlock(&pt->lock);
  g_free(handle);
  return ino;
}

void
pt_forget(Pt *pt, uint64_t ino)
{
  PtInode *in;
  g_mutex_lock(&pt->lock);
  in = g_hash_table_lookup(pt->by_ino, &ino);
  if (in && in != pt->root) {
    in->kernel = false;
    maybe_drop(pt, in);
  }
  g_mutex_unlock(&pt->lock);
}

void
pt_moved(Pt *pt, const struct stat *st, PtInode *parent, const char *name)
{
  Id key = { (uint64_t)st->st_dev, (uint64_t)st->st_ino };
  PtInode *in;
  g_mutex_lock(&pt->lock);
  in = g_hash_table_lookup(pt->by_id, &key);
  if (in && in != pt->root)
    set_parent(pt, in, parent, name);
  g_mutex_unlock(&pt->lock);
}

int
pt_reopen(Pt *pt, PtInode *in, int fd, int flags)
{
  char path[32];
  struct stat st;
  int r;
  flags = (flags & ~(O_CREAT | O_EXCL | O_NOCTTY)) | O_CLOEXEC;
  if (in->type == S_IFLNK)
    return -ELOOP;
  if (in->handle) {
    r = open_by_handle_at(pt->mount_fd, in->handle, flags);
    return r >= 0 ? r : -errno;
  }
  if (pt->use_proc) {
    pt_proc_path(path, fd);
    r = open(path, flags);
    return r >= 0 ? r : -errno;
  }
  if (in->type == S_IFDIR) {
    r = openat(fd, ".", flags);
    return r >= 0 ? r : -errno;
  }
  /* By name, then checked; truncating only once it is the right file. */
  g_mutex_lock(&pt->lock);
  if (in->parent == NULL || in->parent->fd < 0 || in->name == NULL) {
    g_mutex_unlock(&pt->lock);
    return -ESTALE;
  }
  r = pt_open_beneath(pt, in->parent->fd, in->name,
                      (flags & ~O_TRUNC) | O_NONBLOCK, 0);
  g_mutex_unlock(&pt->lock);
  if (r < 0)
    return r;
  if (fstat(r, &st) != 0 || (uint64_t)st.st_ino != in->st_ino ||
      (uint64_t)st.st_dev != in->dev) {
    close(r);
    return -ESTALE;
  }
  if (!(flags & O_NONBLOCK))
    fcntl(r, F_SETFL, fcntl(r, F_GETFL) & ~O_NONBLOCK);
  if ((flags & O_TRUNC) && ftruncate(r, 0) != 0) {
    int e = errno;
    close(r);
    return -e;
  }
  return r;
}

void
pt_table_init(Pt *pt)
{
  PtInode *root = g_new0(PtInode, 1);
  struct stat st;
  g_mutex_init(&pt->lock);
  pt->by_ino = g_hash_table_new(g_int64_hash, g_int64_equal);
  pt->by_id = g_hash_table_new(id_hash, id_equal);
  pt->foreign = g_hash_table_new_full(id_hash, id_equal, g_free, g_free);
  g_queue_init(&pt->lru);
  fstat(pt->root_fd, &st);
  root->dev = pt->root_dev = (uint64_t)st.st_dev;
  root->st_ino = pt->root_st_ino = (uint64_t)st.st_ino;
  root->ino = VFSD_ROOT_INO;
  root->type = S_IFDIR;
  root->lru.data = root;
  root->fd = pt->root_fd;   /* held for the life of the mount */
  pt->nfds = 1;
  g_queue_push_head_link(&pt->lru, &root->lru);
  g_hash_table_insert(pt->by_id, &root->dev, root);
  g_hash_table_insert(pt->by_ino, &root->ino, root);
  pt->root = root;
}

void
pt_table_clear(Pt *pt)
{
  GHashTableIter it;
  gpointer v;
  g_hash_table_iter_init(&it, pt->by_ino);
  while (g_hash_table_iter_next(&it, NULL, &v)) {
    PtInode *in = v;
    if (in->fd >= 0 && in != pt->root) /* root_fd is closed by its owner */
      close(in->fd);
    g_free(in->handle);
    g_free(in->name);
    g_free(in);
  }
  g_queue_init(&pt->lru);
  g_hash_table_unref(pt->by_ino);
  g_hash_table_unref(pt->by_id);
  g_hash_table_unref(pt->foreign);
  g_mutex_clear(&pt->lock);
}
