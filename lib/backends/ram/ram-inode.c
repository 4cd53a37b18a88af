/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Inodes: the table that finds them by number, their lifetime, their
 * attributes, and the space and inode limits. */
#include "ram-private.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

/* ---- the table ---------------------------------------------------------*/

static inline RamStripe *
stripe_of(RamFs *fs, uint64_t ino)
{
  /* Inode numbers are sequential: mix the bits before picking a stripe. */
  return &fs->stripes[(ino * UINT64_C(0x9E3779B97F4A7C15)) >> 58];
}

RamInode *
ram_inode_get(RamFs *fs, uint64_t ino)
{
  RamStripe *s = stripe_of(fs, ino);
  RamInode *i;
  g_mutex_lock(&s->lock);
  i = g_hash_table_lookup(s->inodes, &ino);
  if (i)
    g_atomic_int_inc(&i->refs);
  g_mutex_unlock(&s->lock);
  return i;
}

void
ram_inode_ref(RamInode *i)
{
  g_atomic_int_inc(&i->refs);
}

static void
inode_free(RamInode *i)
{
  /* Space was given back when the inode was deleted. */
  switch (i->type) {
  case S_IFREG:
    ram_data_discard(i);
    break;
  case S_IFDIR:
    ram_dir_destroy(&i->u.dir);
    break;
  case S_IFLNK:
    g_free(i->u.target);
    break;
  default:
    break;
  }
  ram_xattr_free_all(i);
  pthread_rwlock_destroy(&i->lock);
  g_free(i);
}

void
ram_inode_unref(RamInode *i)
{
  if (i && g_atomic_int_dec_and_test(&i->refs))
    inode_free(i);
}

static void
table_insert(RamFs *fs, RamInode *i)
{
  RamStripe *s = stripe_of(fs, i->ino);
  g_mutex_lock(&s->lock);
  g_hash_table_insert(s->inodes, &i->ino, i);
  g_mutex_unlock(&s->lock);
}

static void
table_remove(RamFs *fs, RamInode *i)
{
  RamStripe *s = stripe_of(fs, i->ino);
  g_mutex_lock(&s->lock);
  g_hash_table_remove(s->inodes, &i->ino);
  g_mutex_unlock(&s->lock);
}

/* ---- limits ------------------------------------------------------------*/

bool
ram_space_reserve(RamFs *fs, uint64_t bytes)
{
  uint64_t used = __atomic_load_n(&fs->bytes_used, __ATOMIC_RELAXED);
  if (bytes == 0)
    return true;
  if (fs->size_limit == 0) {
    __atomic_add_fetch(&fs->bytes_used, bytes, __ATOMIC_RELAXED);
    return true;
  }
  do {
    if (used + bytes > fs->size_limit || used + bytes < used)
      return false;
  } while (!__atomic_compare_exchange_n(&fs->bytes_used, &used, used + bytes,
                                        true, __ATOMIC_RELAXED,
                                        __ATOMIC_RELAXED));
  return true;
}

void
ram_space_release(RamFs *fs, uint64_t bytes)
{
  __atomic_sub_fetch(&fs->bytes_used, bytes, __ATOMIC_RELAXED);
}

static bool
inode_reserve(RamFs *fs)
{
  uint64_t used = __atomic_load_n(&fs->inodes_used, __ATOMIC_RELAXED);
  if (fs->inode_limit == 0) {
    __atomic_add_fetch(&fs->inodes_used, 1, __ATOMIC_RELAXED);
    return true;
  }
  do {
    if (used >= fs->inode_limit)
      return false;
  } while (!__atomic_compare_exchange_n(&fs->inodes_used, &used, used + 1,
                                        true, __ATOMIC_RELAXED,
                                        __ATOMIC_RELAXED));
  return true;
}

/* ---- creation and deletion ---------------------------------------------*/

void
ram_now(struct timespec *ts)
{
  clock_gettime(CLOCK_REALTIME, ts);
}

static RamInode *
inode_alloc(RamFs *fs, uint32_t mode)
{
  RamInode *i = g_new0(RamInode, 1);
  pthread_rwlockattr_t attr;
  pthread_rwlockattr_init(&attr);
  pthread_rwlockattr_setkind_np(&attr,
                                PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
  pthread_rwlock_init(&i->lock, &attr);
  pthread_rwlockattr_destroy(&attr);
  i->ino = __atomic_fetch_add(&fs->next_ino, 1, __ATOMIC_RELAXED);
  i->refs = 1; /* the table's */
  i->type = mode & S_IFMT;
  i->mode = mode;
  ram_now(&i->atime);
  i->mtime = i->ctime = i->atime;
  if (S_ISREG(mode))
    ram_map_init(&i->u.chunks);
  return i;
}

int
ram_inode_new(RamFs *fs, const VfsdCtx *ctx, RamInode *parent, uint32_t mode,
              RamInode **out)
{
  static const VfsdCtx root = { 0 };
  RamInode *i;
  uint32_t gid;
  if (ctx == NULL)
    ctx = &root; /* a caller of the vtable that names nobody */
  gid = ctx->gid;
  if (!inode_reserve(fs))
    return -ENOSPC;
  /* A setgid directory hands its group down, and its setgid bit to
   * subdirectories.  A file keeps setgid only if its creator is in the
   * group (the kernel usually cleared it already). */
  if (parent->mode & S_ISGID) {
    gid = parent->gid;
    if (S_ISDIR(mode))
      mode |= S_ISGID;
    else if ((mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP) &&
             ctx->uid != 0 && !vfsd_ctx_in_group(ctx, gid))
      mode &= ~(uint32_t)S_ISGID;
  }
  i = inode_alloc(fs, mode);
  i->uid = ctx->uid;
  i->gid = gid;
  if (S_ISDIR(mode)) {
    ram_dir_init(&i->u.dir, parent);
    i->size = 2 * RAM_DIRENT_BOGO;
  }
  table_insert(fs, i);
  *out = i;
  return 0;
}

void
ram_inode_maybe_delete(RamFs *fs, RamInode *i)
{
  bool gone;
  ram_wrlock(i);
  gone = !i->deleted && i->nlink == 0 && i->open_count == 0 &&
         !g_atomic_int_get(&i->kernel_ref) && i != fs->root;
  if (gone) {
    i->deleted = true;
    ram_space_release(fs, i->alloc);
    ram_xattr_forget(fs, i);
  }
  ram_unlock(i);
  if (!gone)
    return;
  table_remove(fs, i);
  __atomic_sub_fetch(&fs->inodes_used, 1, __ATOMIC_RELAXED);
  ram_inode_unref(i); /* the table's reference */
}

/* ---- attributes --------------------------------------------------------*/

void
ram_inode_fill_attr(const RamInode *i, VfsdAttr *a)
{
  a->ino = i->ino;
  a->mode = i->mode;
  a->nlink = i->nlink;
  a->uid = i->uid;
  a->gid = i->gid;
  a->rdev = i->rdev;
  a->size = i->size;
  a->blocks = i->alloc / 512;
  a->blksize = RAM_PAGE;
  a->atime = i->atime.tv_sec;
  a->atime_nsec = (uint32_t)i->atime.tv_nsec;
  a->mtime = i->mtime.tv_sec;
  a->mtime_nsec = (uint32_t)i->mtime.tv_nsec;
  a->ctime = i->ctime.tv_sec;
  a->ctime_nsec = (uint32_t)i->ctime.tv_nsec;
}

void
ram_inode_fill_entry(RamInode *i, VfsdEntry *e)
{
  e->ino = i->ino;
  e->generation = 0; /* inode numbers are never reused */
  ram_inode_fill_attr(i, &e->attr);
  g_atomic_int_set(&i->kernel_ref, 1);
}

/* ---- the file system ---------------------------------------------------*/

RamFs *
ram_fs_new(uint64_t size_limit, uint64_t inode_limit, uint32_t mode,
           uint32_t uid, uint32_t gid)
{
  RamFs *fs = g_new0(RamFs, 1);
  fs->size_limit = size_limit;
  fs->inode_limit = inode_limit;
  fs->root_mode = mode;
  fs->root_uid = uid;
  fs->root_gid = gid;
  fs->next_ino = VFSD_ROOT_INO;
  g_mutex_init(&fs->rename_lock);
  for (int s = 0; s < RAM_STRIPES; s++) {
    g_mutex_init(&fs->stripes[s].lock);
    fs->stripes[s].inodes = g_hash_table_new(g_int64_hash, g_int64_equal);
  }
  fs->root = inode_alloc(fs, S_IFDIR | (mode & 07777));
  g_assert(fs->root->ino == VFSD_ROOT_INO);
  fs->root->uid = uid;
  fs->root->gid = gid;
  fs->root->nlink = 2;
  fs->root->size = 2 * RAM_DIRENT_BOGO;
  ram_dir_init(&fs->root->u.dir, fs->root);
  fs->inodes_used = 1;
  table_insert(fs, fs->root);
  return fs;
}

static void
collect(gpointer key, gpointer value, gpointer data)
{
  g_ptr_array_add(data, value);
}

/* Every inode in the table, each with a temporary reference. */
GPtrArray *
ram_fs_inodes(RamFs *fs)
{
  GPtrArray *a = g_ptr_array_new_with_free_func(
      (GDestroyNotify)ram_inode_unref);
  for (int s = 0; s < RAM_STRIPES; s++) {
    g_mutex_lock(&fs->stripes[s].lock);
    guint start = a->len;
    g_hash_table_foreach(fs->stripes[s].inodes, collect, a);
    for (guint k = start; k < a->len; k++)
      ram_inode_ref(g_ptr_array_index(a, k));
    g_mutex_unlock(&fs->stripes[s].lock);
  }
  return a;
}

void
ram_fs_drop_kernel_state(RamFs *fs)
{
  GPtrArray *a = ram_fs_inodes(fs);
  for (guint k = 0; k < a->len; k++) {
    RamInode *i = g_ptr_array_index(a, k);
    ram_wrlock(i);
    __atomic_sub_fetch(&fs->handles_open, i->open_count, __ATOMIC_RELAXED);
    i->open_count = 0;
    g_atomic_int_set(&i->kernel_ref, 0);
    ram_unlock(i);
    ram_inode_maybe_delete(fs, i);
  }
  g_ptr_array_free(a, TRUE);
}

void
ram_fs_free(RamFs *fs)
{
  GPtrArray *a;
  if (fs == NULL)
    return;
  /* Directories hold no references to their children: the table's are
   * the only ones left, and dropping them frees everything. */
  a = ram_fs_inodes(fs);
  for (int s = 0; s < RAM_STRIPES; s++) {
    g_hash_table_destroy(fs->stripes[s].inodes);
    g_mutex_clear(&fs->stripes[s].lock);
  }
  for (guint k = 0; k < a->len; k++)
    ram_inode_unref(g_ptr_array_index(a, k)); /* the table's */
  g_ptr_array_free(a, TRUE);                  /* ours: frees them */
  g_mutex_clear(&fs->rename_lock);
  g_free(fs);
}

/* relatime: reads and listings update atime only when it is older than the
 * last change or a day old, so most of them need no write lock. */
bool
ram_atime_due(const RamInode *f, const struct timespec *now)
{
  const struct timespec *a = &f->atime;
#define LE(x, y) ((x)->tv_sec < (y)->tv_sec || \
                  ((x)->tv_sec == (y)->tv_sec && (x)->tv_nsec <= (y)->tv_nsec))
  return LE(a, &f->mtime) || LE(a, &f->ctime) ||
         now->tv_sec - a->tv_sec >= 24 * 3600;
#undef LE
}
