/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rename(2) with RENAME_NOREPLACE and RENAME_EXCHANGE.
 *
 * Locking, the one place where more than a parent and its children are
 * held at once (see also ram-private.h):
 *   1. a rename between two directories takes fs->rename_lock, so only one
 *      such rename runs at a time and no directory changes parent while it
 *      checks ancestry;
 *   2. the two parents: the one that directly contains the other first,
 *      else in inode number order (every other operation locks only a
 *      directory and names inside it, so only a direct parent/child pair
 *      could be held the other way round);
 *   3. the source and the target inodes, directories before other inodes,
 *      each kind in inode number order — after ruling out that one is an
 *      ancestor of the other parent (EINVAL / ENOTEMPTY), the only case in
 *      which another thread could hold one of them while waiting for a
 *      parent we hold.
 *
 * Names keep their readdir cookies when only the inode behind them changes
 * (a replaced target, both names of an exchange); a moved name is new in
 * its directory. */
#include "ram-private.h"

#include <errno.h>
#include <linux/fs.h>
#include <string.h>
#include <sys/stat.h>

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#endif
#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

typedef struct {
  RamFs *fs;
  RamInode *odir, *ndir;    /* the parents; equal for a rename in place */
  RamDirent *sde, *dde;     /* the source name; the target name or NULL */
  RamInode *src, *dst;      /* the inodes behind them */
  RamInode *locked[2];      /* children locked, in order */
  unsigned nlocked;
  uint32_t flags;
} Rename;

static inline bool
is_dots(const char *name)
{
  return strcmp(name, ".") == 0 || strcmp(name, "..") == 0;
}

/* Whether directory @a is @d or one of its ancestors; needs rename_lock
 * and a @d that is alive. */
static bool
is_ancestor(RamFs *fs, const RamInode *a, const RamInode *d)
{
  for (const RamInode *x = d;; x = x->u.dir.parent) {
    if (x == a)
      return true;
    if (x == fs->root)
      return false;
  }
}

static void
lock_parents(Rename *rn)
{
  RamInode *first = rn->odir, *second = rn->ndir;
  if (first == second) {
    ram_wrlock(first);
    return;
  }
  g_mutex_lock(&rn->fs->rename_lock);
  /* Reading parent pointers is safe under rename_lock; a removed
   * directory's may be stale, but is only compared. */
  if (rn->odir->u.dir.parent == rn->ndir ||
      (rn->ndir->u.dir.parent != rn->odir && rn->ndir->ino < rn->odir->ino)) {
    first = rn->ndir;
    second = rn->odir;
  }
  ram_wrlock(first);
  ram_wrlock(second);
}

/* Locks src and dst (either may be a directory, dst may be NULL). */
static void
lock_children(Rename *rn)
{
  RamInode *a = rn->src, *b = rn->dst;
  if (b && ((b->type == S_IFDIR) > (a->type == S_IFDIR) ||
            ((b->type == S_IFDIR) == (a->type == S_IFDIR) && b->ino < a->ino))) {
    a = rn->dst;
    b = rn->src;
  }
  ram_wrlock(a);
  rn->locked[rn->nlocked++] = a;
  if (b) {
    ram_wrlock(b);
    rn->locked[rn->nlocked++] = b;
  }
}

static void
unlock_all(Rename *rn)
{
  while (rn->nlocked > 0)
    ram_unlock(rn->locked[--rn->nlocked]);
  ram_unlock(rn->odir);
  if (rn->ndir != rn->odir) {
    ram_unlock(rn->ndir);
    g_mutex_unlock(&rn->fs->rename_lock);
  }
}

/* The checks that need only the parents locked. */
static int
check_names(Rename *rn, const char *name, const char *newname)
{
  bool exchange = rn->flags & RENAME_EXCHANGE;
  bool src_dir, dst_dir;
  if (rn->odir->nlink == 0 || rn->ndir->nlink == 0)
    return -ENOENT; /* a removed directory */
  rn->sde = ram_dir_find(rn->odir, name);
  if (rn->sde == NULL)
    return -ENOENT;
  rn->dde = ram_dir_find(rn->ndir, newname);
  rn->src = rn->sde->inode;
  rn->dst = rn->dde ? rn->dde->inode : NULL;
  if (rn->dst && (rn->flags & RENAME_NOREPLACE))
    return -EEXIST;
  if (!rn->dst && exchange)
    return -ENOENT;
  if (rn->src == rn->dst)
    return 1; /* two names of one file: POSIX says do nothing */
  src_dir = rn->src->type == S_IFDIR;
  dst_dir = rn->dst && rn->dst->type == S_IFDIR;
  if (rn->dst && !exchange && src_dir != dst_dir)
    return src_dir ? -ENOTDIR : -EISDIR;
  if (rn->odir != rn->ndir) {
    if (src_dir && is_ancestor(rn->fs, rn->src, rn->ndir))
      return -EINVAL; /* into itself */
    if (dst_dir && is_ancestor(rn->fs, rn->dst, rn->odir))
      return exchange ? -EINVAL : -ENOTEMPTY;
    if (src_dir && !dst_dir && rn->ndir->nlink >= RAM_NLINK_MAX)
      return -EMLINK;
    if (exchange && dst_dir && !src_dir && rn->odir->nlink >= RAM_NLINK_MAX)
      return -EMLINK;
  }
  return 0;
}

/* Moves directory @d from @from to @to (its ".." changes). */
static void
move_dir(RamInode *d, RamInode *from, RamInode *to)
{
  if (d->type != S_IFDIR || from == to)
    return;
  from->nlink--;
  to->nlink++;
  d->u.dir.parent = to;
}

static void
do_exchange(Rename *rn)
{
  rn->sde->inode = rn->dst;
  rn->dde->inode = rn->src;
  ram_dir_changed(rn->odir);
  ram_dir_changed(rn->ndir);
  move_dir(rn->src, rn->odir, rn->ndir);
  move_dir(rn->dst, rn->ndir, rn->odir);
}

static void
do_move(Rename *rn, const char *newname)
{
  if (rn->dst) {
    /* The target name stays (with its cookie) and leads to src now. */
    rn->dde->inode = rn->src;
    ram_dir_changed(rn->ndir);
    if (rn->dst->type == S_IFDIR) {
      rn->dst->nlink = 0;
      rn->ndir->nlink--;
    } else
      rn->dst->nlink--;
  } else
    ram_dir_add(rn->ndir, newname, rn->src);
  ram_dir_remove(rn->odir, rn->sde);
  move_dir(rn->src, rn->odir, rn->ndir);
}

int
ram_op_rename(void *self, const VfsdCtx *ctx, uint64_t parent,
              const char *name, uint64_t newparent, const char *newname,
              uint32_t flags)
{
  Rename rn = { .fs = self, .flags = flags };
  RamInode *victim = NULL;
  struct timespec now;
  int r;
  if ((flags & ~(uint32_t)(RENAME_NOREPLACE | RENAME_EXCHANGE)) ||
      ((flags & RENAME_NOREPLACE) && (flags & RENAME_EXCHANGE)))
    return -EINVAL; /* RENAME_WHITEOUT too: it is for overlay file systems */
  if (is_dots(name) || is_dots(newname))
    return -EINVAL;
  r = ram_get_dir(rn.fs, parent, &rn.odir);
  if (r != 0)
    return r;
  r = ram_get_dir(rn.fs, newparent, &rn.ndir);
  if (r != 0) {
    ram_inode_unref(rn.odir);
    return r;
  }
  lock_parents(&rn);
  r = check_names(&rn, name, newname);
  if (r == 0) {
    lock_children(&rn);
    if (!(flags & RENAME_EXCHANGE) && rn.dst && rn.dst->type == S_IFDIR &&
        ram_dir_count(rn.dst) > 0)
      r = -ENOTEMPTY;
  }
  if (r == 0) {
    ram_now(&now);
    if (flags & RENAME_EXCHANGE)
      do_exchange(&rn);
    else {
      do_move(&rn, newname);
      if (rn.dst) {
        victim = rn.dst;
        ram_inode_ref(victim);
      }
    }
    rn.src->ctime = now;
    if (rn.dst)
      rn.dst->ctime = now;
    rn.odir->mtime = rn.odir->ctime = now;
    rn.ndir->mtime = rn.ndir->ctime = now;
  }
  unlock_all(&rn);
  ram_inode_unref(rn.odir);
  ram_inode_unref(rn.ndir);
  if (victim) {
    ram_inode_maybe_delete(rn.fs, victim);
    ram_inode_unref(victim);
  }
  return r > 0 ? 0 : r;
}
