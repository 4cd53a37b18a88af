/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The passthrough backend: serves a directory tree ("the source") through
 * file descriptors relative to its root.  See doc/backends/passthrough.md.
 *
 * Safety rule: no path is ever resolved from outside.  Each inode is held
 * as an O_PATH descriptor (or reopened from a file handle, or re-resolved
 * from its parent by one name), and every name is resolved one component
 * at a time beneath the directory's descriptor, never following a symlink
 * (openat2 RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS where the kernel has it,
 * O_NOFOLLOW otherwise), with "." and ".." handled without the file
 * system.  A name, a "..", or a symlink swapped in between two calls
 * therefore cannot lead the backend outside the tree. */
#ifndef VFSD_PT_H
#define VFSD_PT_H

#include "private.h"

#include <fcntl.h>
#include <sys/stat.h>

G_BEGIN_DECLS

typedef struct PtInode PtInode;
struct PtInode {
  uint64_t ino;              /* ours */
  uint64_t dev, st_ino;      /* identity in the source (keep adjacent) */
  uint32_t type;             /* S_IFMT bits */
  int fd;                    /* O_PATH descriptor, or -1 when not held */
  unsigned pins;             /* callers using the inode right now */
  GList lru;                 /* link in Pt.lru while @fd >= 0 */
  void *handle;              /* struct file_handle, or NULL */
  PtInode *parent;           /* last known parent (counted in its children) */
  char *name;                /* last known name in @parent */
  bool kernel;               /* the kernel holds references */
  unsigned children;         /* inodes whose @parent is this one */
};

typedef struct Pt {
  char *source;
  int root_fd;               /* O_PATH, the tree's root */
  int mount_fd;              /* O_RDONLY on the root, for open_by_handle_at */
  uint64_t root_dev, root_st_ino;
  bool use_handles;          /* name_to_handle_at/open_by_handle_at work */
  bool use_openat2;          /* the kernel has openat2 RESOLVE_BENEATH */
  bool use_proc;             /* /proc/self/fd reopens descriptors */
  bool chown_new;            /* running as root: new files go to the caller */
  mode_t umask;              /* the process umask, undone on new files */
  unsigned fd_cap;           /* most O_PATH descriptors held at once */
  GMutex lock;               /* guards everything below */
  GHashTable *by_ino;        /* ino → PtInode */
  GHashTable *by_id;         /* &PtInode.dev → PtInode */
  GHashTable *foreign;       /* (dev, st_ino) → ino, other file systems */
  uint64_t next_foreign;
  GQueue lru;                /* inodes holding @fd, most recent first */
  unsigned nfds;
  PtInode *root;
} Pt;

/* ---- pt-inodes.c: the inode table ---------------------------------------*/

VFSD_INTERNAL void pt_table_init(Pt *pt);
VFSD_INTERNAL void pt_table_clear(Pt *pt);
/* Our inode number for a file of the source (stable while the mount
 * lives: st_ino itself on the root's file system). */
VFSD_INTERNAL uint64_t pt_map_ino(Pt *pt, uint64_t dev, uint64_t st_ino);
/* The inode @ino, pinned (it and its descriptor stay valid until
 * pt_put()), with its O_PATH descriptor in *@fd; or a negative errno
 * (-ESTALE when it cannot be reached any more). */
VFSD_INTERNAL int pt_get(Pt *pt, uint64_t ino, PtInode **out, int *fd);
VFSD_INTERNAL void pt_put(Pt *pt, PtInode *in);
/* Records that the kernel now knows @st (named @name in @parent; a NULL
 * @name leaves its name as it was), keeping @fd (an O_PATH descriptor of
 * it, or -1; always consumed).  Returns our inode number. */
VFSD_INTERNAL uint64_t pt_register(Pt *pt, const struct stat *st, int fd,
                                   PtInode *parent, const char *name);
/* The kernel forgot @ino. */
VFSD_INTERNAL void pt_forget(Pt *pt, uint64_t ino);
/* The file @st is now @name in @parent (after a rename). */
VFSD_INTERNAL void pt_moved(Pt *pt, const struct stat *st, PtInode *parent,
                            const char *name);
/* A real descriptor of the pinned inode @in, opened with @flags (O_CREAT
 * and O_EXCL are ignored): from its file handle, /proc/self/fd, or its
 * name with its identity checked. */
VFSD_INTERNAL int pt_reopen(Pt *pt, PtInode *in, int fd, int flags);

/* ---- pt-safe.c: resolving beneath a directory ---------------------------*/

/* Whether @name is "." or "..". */
static inline bool
pt_dot(const char *name)
{
  return name[0] == '.' && (name[1] == '\0' ||
                            (name[1] == '.' && name[2] == '\0'));
}
/* Opens @name, one component, in directory @dirfd without following a
 * symlink or leaving the directory; returns a descriptor or -errno. */
VFSD_INTERNAL int pt_open_beneath(Pt *pt, int dirfd, const char *name,
                                  int flags, mode_t mode);
/* Probes the kernel and the source (openat2, handles, /proc). */
VFSD_INTERNAL void pt_probe(Pt *pt);
/* A file handle of @fd, or NULL. */
VFSD_INTERNAL void *pt_handle_of(Pt *pt, int fd);
/* "/proc/self/fd/N" for @fd. */
VFSD_INTERNAL void pt_proc_path(char buf[static 32], int fd);
/* The mode a new file of type and mode @mode made by @ctx in a directory
 * like @parent ends with, by the rules of a local file system (setgid
 * directories pass the bit to subdirectories; a non-member loses setgid
 * on a group-executable file there). */
VFSD_INTERNAL mode_t pt_new_mode(const VfsdCtx *ctx, const struct stat *parent,
                                 mode_t mode);
/* stat of @fd into @a (ino filled with ours). */
VFSD_INTERNAL void pt_stat_to_attr(Pt *pt, const struct stat *st,
                                   VfsdAttr *a);

/* ---- the operations: pt-names.c, pt-files.c ---------------------------*/

#define PT_OP(ret, name, ...) VFSD_INTERNAL ret name(void *self, __VA_ARGS__)
VFSD_INTERNAL int pt_init(void *self, VfsdInit *init);
VFSD_INTERNAL void pt_forget_op(void *self, uint64_t ino);
PT_OP(int, pt_lookup, const VfsdCtx *ctx, uint64_t parent, const char *name,
      VfsdEntry *out);
PT_OP(int, pt_getattr, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
      VfsdAttr *out);
PT_OP(int, pt_setattr, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
      const VfsdAttr *a, uint32_t set, VfsdAttr *out);
PT_OP(ssize_t, pt_readlink, const VfsdCtx *ctx, uint64_t ino, char *buf,
      size_t size);
PT_OP(int, pt_mknod, const VfsdCtx *ctx, uint64_t parent, const char *name,
      uint32_t mode, uint64_t rdev, VfsdEntry *out);
PT_OP(int, pt_mkdir, const VfsdCtx *ctx, uint64_t parent, const char *name,
      uint32_t mode, VfsdEntry *out);
PT_OP(int, pt_symlink, const VfsdCtx *ctx, const char *target,
      uint64_t parent, const char *name, VfsdEntry *out);
PT_OP(int, pt_unlink, const VfsdCtx *ctx, uint64_t parent, const char *name);
PT_OP(int, pt_rmdir, const VfsdCtx *ctx, uint64_t parent, const char *name);
PT_OP(int, pt_rename, const VfsdCtx *ctx, uint64_t parent, const char *name,
      uint64_t newparent, const char *newname, uint32_t flags);
PT_OP(int, pt_link, const VfsdCtx *ctx, uint64_t ino, uint64_t newparent,
      const char *newname, VfsdEntry *out);
PT_OP(int, pt_statfs, const VfsdCtx *ctx, uint64_t ino, VfsdStatfs *out);
PT_OP(int, pt_open, const VfsdCtx *ctx, uint64_t ino, VfsdOpenInfo *oi);
PT_OP(int, pt_create, const VfsdCtx *ctx, uint64_t parent, const char *name,
      uint32_t mode, VfsdOpenInfo *oi, VfsdEntry *out);
PT_OP(ssize_t, pt_read, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
      char *buf, size_t size, int64_t off);
PT_OP(ssize_t, pt_write, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
      const char *buf, size_t size, int64_t off, uint32_t flags);
PT_OP(int, pt_flush, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
      uint64_t lock_owner);
PT_OP(int, pt_release, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
      int32_t flags);
PT_OP(int, pt_fsync, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
      int32_t datasync);
PT_OP(int, pt_opendir, const VfsdCtx *ctx, uint64_t ino, VfsdOpenInfo *oi);
PT_OP(int, pt_readdir, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
      int64_t off, VfsdDirFiller *filler);
PT_OP(int, pt_releasedir, const VfsdCtx *ctx, uint64_t ino, uint64_t fh);
PT_OP(int, pt_fsyncdir, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
      int32_t datasync);
PT_OP(int, pt_setxattr, const VfsdCtx *ctx, uint64_t ino, const char *name,
      const char *value, size_t size, int32_t flags);
PT_OP(ssize_t, pt_getxattr, const VfsdCtx *ctx, uint64_t ino,
      const char *name, char *buf, size_t size);
PT_OP(ssize_t, pt_listxattr, const VfsdCtx *ctx, uint64_t ino, char *buf,
      size_t size);
PT_OP(int, pt_removexattr, const VfsdCtx *ctx, uint64_t ino,
      const char *name);
PT_OP(int, pt_fallocate, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
      int32_t mode, int64_t off, int64_t len);
PT_OP(int, pt_lseek, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
      int64_t off, int32_t whence, int64_t *out_off);
PT_OP(ssize_t, pt_copy_file_range, const VfsdCtx *ctx, uint64_t ino_in,
      uint64_t fh_in, int64_t off_in, uint64_t ino_out, uint64_t fh_out,
      int64_t off_out, size_t len, uint32_t flags);
#undef PT_OP

G_END_DECLS

#endif
