/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Directories: names in a hash table (lookups in O(1)) and in a tree
 * ordered by cookie, the readdir offset each name gets when it is added.
 * Cookies only grow and are never reused, so a listing resumed at an old
 * offset continues after the last name it returned: a name that stays is
 * never skipped or repeated, whatever else changes in between.  That is
 * why the backend declares VFSD_BACKEND_STABLE_DIR_OFFSETS and the library
 * need not snapshot listings.  A rename over an existing name keeps that
 * name's cookie (ram-rename.c). */
#include "ram-private.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

static gint
by_cookie(gconstpointer a, gconstpointer b, gpointer unused)
{
  uint64_t x = ((const RamDirent *)a)->cookie;
  uint64_t y = ((const RamDirent *)b)->cookie;
  return x < y ? -1 : x > y;
}

void
ram_dir_init(RamDir *d, RamInode *parent)
{
  d->names = g_hash_table_new(g_str_hash, g_str_equal);
  d->order = g_tree_new_full(by_cookie, NULL, NULL, g_free);
  d->next_cookie = RAM_COOKIE_DOTDOT + 1;
  d->parent = parent;
}

void
ram_dir_destroy(RamDir *d)
{
  g_hash_table_destroy(d->names);
  g_tree_destroy(d->order); /* frees the dirents */
}

RamDirent *
ram_dir_find(RamInode *dir, const char *name)
{
  return g_hash_table_lookup(dir->u.dir.names, name);
}

void
ram_dir_add(RamInode *dir, const char *name, RamInode *child)
{
  size_t len = strlen(name);
  RamDirent *de = g_malloc(sizeof *de + len + 1);
  de->inode = child;
  de->cookie = dir->u.dir.next_cookie++;
  memcpy(de->name, name, len + 1);
  g_hash_table_insert(dir->u.dir.names, de->name, de);
  g_tree_insert(dir->u.dir.order, de, de);
  dir->size += RAM_DIRENT_BOGO;
  ram_dir_changed(dir);
}

void
ram_dir_remove(RamInode *dir, RamDirent *de)
{
  g_hash_table_remove(dir->u.dir.names, de->name);
  g_tree_remove(dir->u.dir.order, de); /* frees it */
  dir->size -= RAM_DIRENT_BOGO;
  ram_dir_changed(dir);
}

unsigned
ram_dir_count(RamInode *dir)
{
  return g_hash_table_size(dir->u.dir.names);
}

int
ram_get_dir(RamFs *fs, uint64_t ino, RamInode **out)
{
  RamInode *d = ram_inode_get(fs, ino);
  if (d == NULL)
    return -ENOENT;
  if (d->type != S_IFDIR) {
    ram_inode_unref(d);
    return -ENOTDIR;
  }
  *out = d;
  return 0;
}

/* ---- operations --------------------------------------------------------*/

int
ram_op_lookup(void *self, const VfsdCtx *ctx, uint64_t parent,
              const char *name, VfsdEntry *out)
{
  RamFs *fs = self;
  RamInode *dir, *child = NULL;
  RamDirent *de;
  int r = ram_get_dir(fs, parent, &dir);
  if (r != 0)
    return r;
  ram_rdlock(dir);
  if (dir->deleted || dir->nlink == 0)
    r = -ENOENT;
  else if (strcmp(name, ".") == 0)
    ram_inode_fill_entry(dir, out);
  else if (strcmp(name, "..") == 0) {
    /* Only NFS export asks this; lock the parent after letting go of
     * the child, to keep the lock order. */
    child = dir->u.dir.parent;
    ram_inode_ref(child);
  } else if ((de = ram_dir_find(dir, name)) == NULL)
    r = -ENOENT;
  else {
    /* The child cannot go while its name is held by the locked dir. */
    ram_rdlock(de->inode);
    ram_inode_fill_entry(de->inode, out);
    ram_unlock(de->inode);
  }
  ram_unlock(dir);
  ram_inode_unref(dir);
  if (child) {
    ram_rdlock(child);
    if (child->deleted)
      r = -ENOENT;
    else
      ram_inode_fill_entry(child, out);
    ram_unlock(child);
    ram_inode_unref(child);
  }
  return r;
}

void
ram_op_forget(void *self, uint64_t ino)
{
  RamFs *fs = self;
  RamInode *i = ram_inode_get(fs, ino);
  if (i == NULL)
    return;
  g_atomic_int_set(&i->kernel_ref, 0);
  ram_inode_maybe_delete(fs, i);
  ram_inode_unref(i);
}

int
ram_op_opendir(void *self, const VfsdCtx *ctx, uint64_t ino,
               VfsdOpenInfo *oi)
{
  RamFs *fs = self;
  RamInode *dir;
  int r = ram_get_dir(fs, ino, &dir);
  if (r != 0)
    return r;
  ram_wrlock(dir);
  if (dir->deleted)
    r = -ENOENT;
  else {
    dir->open_count++;
    __atomic_add_fetch(&fs->handles_open, 1, __ATOMIC_RELAXED);
    oi->fh = 0;
    /* The kernel's listing cache (CACHE_DIR) makes a repeated listing
     * 3-5x faster than tmpfs's, but filling it makes the listing that
     * fills it about 2x slower than one that skips it.  So the cache is
     * offered only for a directory already listed since its names last
     * changed: a listing that follows a change is served straight, the
     * next fills the cache, the ones after read it. */
    if (__atomic_load_n(&dir->u.dir.listed, __ATOMIC_RELAXED) == 0)
      oi->out_flags &= ~(uint32_t)(VFSD_OPEN_CACHE_DIR | VFSD_OPEN_KEEP_CACHE);
  }
  ram_unlock(dir);
  ram_inode_unref(dir);
  return r;
}

int
ram_op_releasedir(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh)
{
  RamFs *fs = self;
  RamInode *dir;
  int r = ram_get_dir(fs, ino, &dir);
  if (r != 0)
    return r;
  ram_wrlock(dir);
  if (dir->open_count > 0) {
    dir->open_count--;
    __atomic_sub_fetch(&fs->handles_open, 1, __ATOMIC_RELAXED);
  } else
    r = -EBADF;
  ram_unlock(dir);
  ram_inode_maybe_delete(fs, dir);
  ram_inode_unref(dir);
  return r;
}

/* Adds one name; false when the reply is full. */
static bool
add_one(VfsdDirFiller *filler, bool plus, const RamDirent *de)
{
  RamInode *child = de->inode;
  bool added;
  if (!plus)
    return vfsd_dir_add(filler, de->name, child->ino, child->type,
                        (int64_t)de->cookie);
  {
    VfsdEntry e;
    memset(&e, 0, sizeof e);
    ram_rdlock(child);
    e.ino = child->ino;
    ram_inode_fill_attr(child, &e.attr);
    ram_unlock(child);
    added = vfsd_dir_add_entry(filler, de->name, &e, (int64_t)de->cookie);
    if (added)
      g_atomic_int_set(&child->kernel_ref, 1);
    return added;
  }
}

int
ram_op_readdir(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
               int64_t off, VfsdDirFiller *filler)
{
  RamFs *fs = self;
  bool plus = vfsd_dir_wants_entries(filler);
  RamInode *dir;
  RamDirent key = { .cookie = (uint64_t)MAX(off, RAM_COOKIE_DOTDOT) };
  GTreeNode *n;
  int r = ram_get_dir(fs, ino, &dir);
  if (r != 0)
    return r;
  if (off == 0) {
    /* A listing that starts reads the directory: atime, as relatime. */
    struct timespec now;
    __atomic_add_fetch(&dir->u.dir.listed, 1, __ATOMIC_RELAXED);
    ram_now(&now);
    if (ram_atime_due(dir, &now)) {
      ram_wrlock(dir);
      if (ram_atime_due(dir, &now))
        dir->atime = now;
      ram_unlock(dir);
    }
  }
  ram_rdlock(dir);
  if (dir->deleted || dir->nlink == 0) {
    r = -ENOENT; /* a removed directory lists nothing, not even "." */
    goto out;
  }
  if (off < RAM_COOKIE_DOT &&
      !vfsd_dir_add(filler, ".", dir->ino, S_IFDIR, RAM_COOKIE_DOT))
    goto out;
  if (off < RAM_COOKIE_DOTDOT &&
      !vfsd_dir_add(filler, "..", dir->u.dir.parent->ino, S_IFDIR,
                    RAM_COOKIE_DOTDOT))
    goto out;
  for (n = g_tree_upper_bound(dir->u.dir.order, &key); n;
       n = g_tree_node_next(n))
    if (!add_one(filler, plus, g_tree_node_value(n)))
      break;
out:
  ram_unlock(dir);
  ram_inode_unref(dir);
  return r;
}
