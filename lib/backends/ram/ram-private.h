/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The RAM backend's internal declarations: the data structures and the
 * locking rules every file of lib/backends/ram/ follows.
 *
 * # Data structures
 *
 *   RamFs      one file system: options, usage counters, the inode table.
 *   RamInode   one file of any type; found by number in the inode table
 *              (64 stripes, each a mutex and a hash table).
 *   RamChunk   64 KiB of a regular file's data: up to 16 pages of 4 KiB,
 *              in a radix tree (RamMap) indexed by offset / 64 KiB;
 *              missing pages and chunks are holes.
 *   RamDirent  one name in a directory: in a hash table by name (lookups)
 *              and in a tree by cookie (readdir offsets that stay valid).
 *
 * # Locks, outermost first
 *
 *   1. fs->rename_lock   taken by renames between two directories only; it
 *                        keeps the shape of the tree (every directory's
 *                        parent) still while such a rename checks ancestry.
 *   2. directory locks   a parent before its child.  Only rename holds two
 *                        directories that are not parent and child: under
 *                        rename_lock, or as siblings under their locked
 *                        parent, in inode number order (ram-rename.c).
 *   3. other inode locks regular files, symlinks, nodes: after every
 *                        directory lock; two of them in inode number order.
 *   4. table stripes     leaf locks: nothing is locked while one is held.
 *   Counters (bytes, inodes, handles) are atomics.
 *
 * An inode's lock (a pthread rwlock, writers preferred) protects every field
 * below `lock` in RamInode.  Readers of one file share it; a zero-copy read
 * keeps it read-locked until the kernel has the reply (ram-file.c).
 *
 * # Lifetime of an inode
 *
 * An inode lives while it has a name (nlink > 0), the kernel may hold a
 * reference (kernel_ref: set when an entry is handed out, cleared by
 * forget()), or a handle is open.  When all three are gone it is deleted:
 * marked, removed from the table, its space given back
 * (ram_inode_maybe_delete()).  Its memory goes when the last temporary
 * reference (refs) is dropped, so an operation that found it just before
 * is never left with a dangling pointer.
 */
#ifndef VFSD_RAM_PRIVATE_H
#define VFSD_RAM_PRIVATE_H

#include "private.h"
#include <vfsd/ram.h>

#include <pthread.h>
#include <time.h>

G_BEGIN_DECLS

#define RAM_PAGE ((uint64_t)4096)          /* unit of accounting and holes */
#define RAM_CHUNK_SHIFT 16
#define RAM_CHUNK ((uint64_t)1 << RAM_CHUNK_SHIFT)  /* 64 KiB */
#define RAM_CHUNK_PAGES 16
#define RAM_MAX_FILE_SIZE ((uint64_t)INT64_MAX)
#define RAM_DIRENT_BOGO 20                 /* st_size per entry, as tmpfs */
#define RAM_SYMLINK_MAX 4095               /* longest symlink target */
#define RAM_NLINK_MAX 0x7fffffffu

/* ---- ram-map.c: a sparse array of pointers (radix tree, 64 per node) --- */

typedef struct {
  void *root;
  unsigned height;        /* 0: empty; h: indices below 64^h */
} RamMap;

void ram_map_init(RamMap *m);
void *ram_map_get(const RamMap *m, uint64_t idx);
/* Stores @val (not NULL) at @idx; returns the value it replaced. */
void *ram_map_set(RamMap *m, uint64_t idx, void *val);
/* Removes and returns the value at @idx (NULL if none). */
void *ram_map_remove(RamMap *m, uint64_t idx);
/* The lowest index >= @idx holding a value; false if none. */
bool ram_map_next(const RamMap *m, uint64_t idx, uint64_t *found);
/* Calls @fn on every value, then empties the map. */
void ram_map_clear(RamMap *m, void (*fn)(void *val, void *data), void *data);

/* ---- ram-data.c: the bytes of a regular file ---------------------------*/

typedef struct {
  uint16_t written;       /* bit i: page i holds written data */
  uint16_t npages;        /* pages allocated */
  char *page[RAM_CHUNK_PAGES];  /* RAM_PAGE bytes each, or NULL: a hole */
} RamChunk;

typedef struct RamFs RamFs;
typedef struct RamInode RamInode;

/* All of these run with the inode write-locked (reads: read-locked). */
size_t ram_data_read(RamInode *f, char *buf, size_t size, uint64_t off);
/* Writes what fits in the space left; returns the bytes written (short
 * only when space ran out) or a negative errno if nothing was written. */
ssize_t ram_data_write(RamFs *fs, RamInode *f, const char *buf, size_t size,
                       uint64_t off);
/* Punches a hole: [off, off+len) reads as zeros, whole pages are freed. */
int ram_data_punch(RamFs *fs, RamInode *f, uint64_t off, uint64_t len);
/* Allocates [off, off+len) all or nothing (fallocate); the pages stay
 * holes until written, as in tmpfs. */
int ram_data_allocate(RamFs *fs, RamInode *f, uint64_t off, uint64_t len);
/* Allocates and zeroes [off, off+len) (fallocate ZERO_RANGE). */
int ram_data_zero_range(RamFs *fs, RamInode *f, uint64_t off, uint64_t len);
/* Sets the size; shrinking frees what lies beyond it. */
int ram_data_truncate(RamFs *fs, RamInode *f, uint64_t size);
/* SEEK_DATA / SEEK_HOLE. */
int ram_data_seek(RamInode *f, uint64_t off, int whence, uint64_t *out);
/* Copies @len bytes from @src at @off_in to @dst at @off_out, holes
 * staying holes; like ram_data_write for space. */
ssize_t ram_data_copy(RamFs *fs, RamInode *src, uint64_t off_in,
                      RamInode *dst, uint64_t off_out, size_t len);
/* Adds segments for [off, off+size) to @rb (the range is within the
 * file); returns the byte count, short only past what one reply's
 * segments hold (2 MiB at least; the kernel asks 1 MiB at most). */
ssize_t ram_data_read_iov(RamInode *f, size_t size, uint64_t off,
                          VfsdReadBuf *rb);
/* Frees every chunk (the space was given back when @f was deleted). */
void ram_data_discard(RamInode *f);

/* ---- ram-inode.c: the inode table, lifetime, attributes ----------------*/

typedef struct RamXattr RamXattr;

typedef struct {
  GHashTable *names;      /* name → RamDirent* (key: the dirent's name) */
  GTree *order;           /* RamDirent* ordered by cookie */
  uint64_t next_cookie;   /* next offset to hand out; never reused */
  RamInode *parent;       /* "..", the root's is itself; changed only
                             under rename_lock and this lock */
  unsigned listed;        /* listings begun since the names last changed
                             (atomic; see ram_op_opendir()) */
} RamDir;

struct RamInode {
  uint64_t ino;           /* never changes */
  uint32_t type;          /* S_IFMT bits of mode; never change */
  gint refs;              /* table's reference + temporary ones (atomic) */
  gint kernel_ref;        /* atomic: the kernel may reference it */
  pthread_rwlock_t lock;
  /* Protected by lock: */
  bool deleted;           /* out of the table; operations see ENOENT */
  uint32_t mode;
  uint32_t nlink;
  uint32_t uid;
  uint32_t gid;
  uint32_t open_count;    /* open handles (files and directories) */
  uint64_t rdev;
  uint64_t size;          /* bytes; directories: bogus like tmpfs */
  uint64_t alloc;         /* bytes of memory held for data */
  struct timespec atime, mtime, ctime;
  RamXattr *xattrs;       /* singly linked list */
  uint32_t xattr_bytes;   /* names and values, counted in fs->bytes_used */
  union {
    RamMap chunks;        /* S_IFREG */
    RamDir dir;           /* S_IFDIR */
    char *target;         /* S_IFLNK */
  } u;
};

#define RAM_STRIPES 64

typedef struct {
  GMutex lock;
  GHashTable *inodes;     /* &inode->ino → RamInode* */
} RamStripe;

struct RamFs {
  /* Options; fixed after creation. */
  uint64_t size_limit;    /* bytes; 0: unlimited */
  uint64_t inode_limit;   /* 0: unlimited */
  uint32_t root_mode, root_uid, root_gid;
  /* Usage (atomics). */
  uint64_t bytes_used;
  uint64_t inodes_used;
  uint64_t handles_open;
  uint64_t next_ino;
  uint64_t capability_xattrs; /* files with security.capability */
  bool mounted;               /* between init() and destroy() */
  bool opens_seen;            /* open() was called: O_TRUNC comes with it */
  GMutex rename_lock;
  RamStripe stripes[RAM_STRIPES];
  RamInode *root;
};

RamFs *ram_fs_new(uint64_t size_limit, uint64_t inode_limit, uint32_t mode,
                  uint32_t uid, uint32_t gid);
void ram_fs_free(RamFs *fs);
/* Every inode in the table, each with a temporary reference (the array
 * drops them when freed). */
GPtrArray *ram_fs_inodes(RamFs *fs);
/* Forgets every kernel reference and open handle, as at unmount. */
void ram_fs_drop_kernel_state(RamFs *fs);

/* Finds @ino and returns it with a temporary reference, or NULL. */
RamInode *ram_inode_get(RamFs *fs, uint64_t ino);
void ram_inode_ref(RamInode *i);
void ram_inode_unref(RamInode *i);
/* Creates an inode (nlink 0, not in any directory) owned by @ctx, applying
 * setgid inheritance from @parent (locked by the caller). */
int ram_inode_new(RamFs *fs, const VfsdCtx *ctx, RamInode *parent,
                  uint32_t mode, RamInode **out);
/* Deletes @i if nothing keeps it alive any more.  Call with no lock. */
void ram_inode_maybe_delete(RamFs *fs, RamInode *i);

static inline void ram_rdlock(RamInode *i) { pthread_rwlock_rdlock(&i->lock); }
static inline void ram_wrlock(RamInode *i) { pthread_rwlock_wrlock(&i->lock); }
static inline void ram_unlock(RamInode *i) { pthread_rwlock_unlock(&i->lock); }

void ram_now(struct timespec *ts);
/* Fills @a from @i (locked). */
void ram_inode_fill_attr(const RamInode *i, VfsdAttr *a);
/* Fills @e for handing @i to the kernel and marks @i referenced. */
void ram_inode_fill_entry(RamInode *i, VfsdEntry *e);
/* Reserves or returns space; false when the limit would be passed. */
bool ram_space_reserve(RamFs *fs, uint64_t bytes);
void ram_space_release(RamFs *fs, uint64_t bytes);

/* ---- ram-pages.c: the pages of file data -------------------------------*/

/* A RAM_PAGE page, zeroed with @zero; NULL when memory ran out. */
char *ram_page_alloc(bool zero);
/* Gives back a page of ram_page_alloc() (NULL: nothing). */
void ram_page_free(char *page);

/* ---- ram-dir.c: directory entries --------------------------------------*/

typedef struct {
  RamInode *inode;        /* holds no reference: the name is the link */
  uint64_t cookie;        /* readdir offset after this entry */
  char name[];
} RamDirent;

/* Offsets of "." and ".."; entries' cookies start above. */
#define RAM_COOKIE_DOT 1
#define RAM_COOKIE_DOTDOT 2

void ram_dir_init(RamDir *d, RamInode *parent);
void ram_dir_destroy(RamDir *d);
RamDirent *ram_dir_find(RamInode *dir, const char *name);
/* Adds a name for @child and counts it in the directory's size. */
void ram_dir_add(RamInode *dir, const char *name, RamInode *child);
/* Removes @de (which the caller found in @dir) and frees it. */
void ram_dir_remove(RamInode *dir, RamDirent *de);
/* The names of @dir (or where one leads) changed: the next listing is
 * served without the kernel's listing cache (ram_op_opendir()). */
static inline void
ram_dir_changed(RamInode *dir)
{
  __atomic_store_n(&dir->u.dir.listed, 0, __ATOMIC_RELAXED);
}
unsigned ram_dir_count(RamInode *dir);
/* Finds directory @ino with a temporary reference; -ENOENT, -ENOTDIR. */
int ram_get_dir(RamFs *fs, uint64_t ino, RamInode **out);

/* ---- ram-xattr.c -------------------------------------------------------*/

/* Gives back what the attributes of @i (being deleted) count. */
void ram_xattr_forget(RamFs *fs, RamInode *i);
void ram_xattr_free_all(RamInode *i);
/* The bytes the attributes of @i hold (names, NULs, values). */
uint32_t ram_xattr_bytes(const RamInode *i);
/* Whether @i has the attribute @name. */
bool ram_xattr_has(RamInode *i, const char *name);

/* ---- ops, one group per file; the table is in ram-backend.c ------------*/

int ram_op_lookup(void *self, const VfsdCtx *ctx, uint64_t parent,
                  const char *name, VfsdEntry *out);
void ram_op_forget(void *self, uint64_t ino);
int ram_op_opendir(void *self, const VfsdCtx *ctx, uint64_t ino,
                   VfsdOpenInfo *oi);
int ram_op_readdir(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
                   int64_t off, VfsdDirFiller *filler);
int ram_op_releasedir(void *self, const VfsdCtx *ctx, uint64_t ino,
                      uint64_t fh);

int ram_op_getattr(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
                   VfsdAttr *out);
int ram_op_setattr(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
                   const VfsdAttr *attr, uint32_t to_set, VfsdAttr *out);
ssize_t ram_op_readlink(void *self, const VfsdCtx *ctx, uint64_t ino,
                        char *buf, size_t size);
int ram_op_statfs(void *self, const VfsdCtx *ctx, uint64_t ino,
                  VfsdStatfs *out);

int ram_op_mknod(void *self, const VfsdCtx *ctx, uint64_t parent,
                 const char *name, uint32_t mode, uint64_t rdev,
                 VfsdEntry *out);
int ram_op_mkdir(void *self, const VfsdCtx *ctx, uint64_t parent,
                 const char *name, uint32_t mode, VfsdEntry *out);
int ram_op_symlink(void *self, const VfsdCtx *ctx, const char *target,
                   uint64_t parent, const char *name, VfsdEntry *out);
int ram_op_link(void *self, const VfsdCtx *ctx, uint64_t ino,
                uint64_t newparent, const char *newname, VfsdEntry *out);
int ram_op_unlink(void *self, const VfsdCtx *ctx, uint64_t parent,
                  const char *name);
int ram_op_rmdir(void *self, const VfsdCtx *ctx, uint64_t parent,
                 const char *name);
int ram_op_create(void *self, const VfsdCtx *ctx, uint64_t parent,
                  const char *name, uint32_t mode, VfsdOpenInfo *oi,
                  VfsdEntry *out);
int ram_op_rename(void *self, const VfsdCtx *ctx, uint64_t parent,
                  const char *name, uint64_t newparent, const char *newname,
                  uint32_t flags);

int ram_op_open(void *self, const VfsdCtx *ctx, uint64_t ino,
                VfsdOpenInfo *oi);
/* The open part of create(), for a file the caller holds write-locked. */
int ram_file_open_locked(RamFs *fs, const VfsdCtx *ctx, RamInode *f,
                         VfsdOpenInfo *oi);
int ram_op_release(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
                   int32_t flags);
ssize_t ram_op_read(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
                    char *buf, size_t size, int64_t off);
ssize_t ram_op_read_iov(void *self, const VfsdCtx *ctx, uint64_t ino,
                        uint64_t fh, size_t size, int64_t off,
                        VfsdReadBuf *rb);
ssize_t ram_op_write(void *self, const VfsdCtx *ctx, uint64_t ino,
                     uint64_t fh, const char *buf, size_t size, int64_t off,
                     uint32_t flags);
int ram_op_fallocate(void *self, const VfsdCtx *ctx, uint64_t ino,
                     uint64_t fh, int32_t mode, int64_t off, int64_t len);
int ram_op_lseek(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
                 int64_t off, int32_t whence, int64_t *out_off);
ssize_t ram_op_copy_file_range(void *self, const VfsdCtx *ctx,
                               uint64_t ino_in, uint64_t fh_in,
                               int64_t off_in, uint64_t ino_out,
                               uint64_t fh_out, int64_t off_out, size_t len,
                               uint32_t flags);

int ram_op_setxattr(void *self, const VfsdCtx *ctx, uint64_t ino,
                    const char *name, const char *value, size_t size,
                    int32_t flags);
ssize_t ram_op_getxattr(void *self, const VfsdCtx *ctx, uint64_t ino,
                        const char *name, char *buf, size_t size);
ssize_t ram_op_listxattr(void *self, const VfsdCtx *ctx, uint64_t ino,
                         char *buf, size_t size);
int ram_op_removexattr(void *self, const VfsdCtx *ctx, uint64_t ino,
                       const char *name);

/* ---- ram-check.c -------------------------------------------------------*/

int ram_fs_check(RamFs *fs, GString *report);

/* ---- ram-backend.c -----------------------------------------------------*/

RamFs *ram_fs_of(VfsdBackend *backend);
extern VFSD_INTERNAL const VfsdModuleInfo vfsd_ram_module_info;

G_END_DECLS

/* ram-inode.c: whether a read or listing at @now updates atime. */
bool ram_atime_due(const RamInode *f, const struct timespec *now);
/* ram-attr.c: clear setuid/setgid as a write by @ctx must. */
void ram_kill_priv(RamInode *i, const VfsdCtx *ctx);

#endif
