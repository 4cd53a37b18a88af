/* SPDX-License-Identifier: MIT */
/* dedupfs: a writable in-memory file system that stores identical file
 * contents once.  A file is written into a private buffer; when its last
 * writer closes it, its SHA-256 names a shared, read-only blob, and files
 * with the same contents share it.  Writing to a shared file copies it
 * back into a private buffer first.  What sharing saves is the xattr
 * "user.dedup.saved" of every file (in bytes), shows in `df`, and is
 * printed at unmount:
 *   ./dedupfs [-f] [-o OPTIONS] MOUNTPOINT
 *   getfattr -n user.dedup.saved MOUNTPOINT
 * Directories and regular files only; one call at a time. */
#define _GNU_SOURCE  /* RENAME_NOREPLACE */
#include <vfsd/vfsd.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

typedef struct {             /* contents shared by every file that has them */
  char *hash;                /* SHA-256, hex: the key in Dedup.blobs */
  GBytes *data;
  unsigned files;
} Blob;

typedef struct {
  VfsdAttr attr;
  uint64_t parent;
  GHashTable *children;      /* directories: name → ino */
  Blob *blob;                /* sealed contents, or NULL */
  GByteArray *buf;           /* contents being written, or NULL */
  unsigned writers;          /* open files that may write */
  unsigned opens;            /* open files */
  bool kernel;               /* the kernel knows this inode */
} Node;

typedef struct {
  GHashTable *nodes;         /* ino → Node */
  GHashTable *blobs;         /* hash → Blob */
  uint64_t next_ino;
  uint64_t logical, stored;  /* bytes in files, bytes kept */
} Dedup;

#define NODE(d, ino) ((Node *)g_hash_table_lookup(((Dedup *)(d))->nodes, &(uint64_t){ ino }))

static void stamp(VfsdAttr *a, bool data) {
  gint64 now = g_get_real_time();
  a->ctime = now / G_USEC_PER_SEC;
  a->ctime_nsec = (uint32_t)(now % G_USEC_PER_SEC) * 1000;
  if (data) { a->mtime = a->ctime; a->mtime_nsec = a->ctime_nsec; }
}

static size_t size_of(Node *n) {
  return n->buf ? n->buf->len : n->blob ? g_bytes_get_size(n->blob->data) : 0;
}

static void set_size(Dedup *d, Node *n, size_t size) {
  d->logical += size - n->attr.size;
  n->attr.size = size;
  n->attr.blocks = (size + 511) / 512;
}

/* A file stops sharing its blob; the blob goes when nobody has it. */
static void drop_blob(Dedup *d, Node *n) {
  Blob *b = n->blob;
  n->blob = NULL;
  if (b && --b->files == 0) {
    d->stored -= g_bytes_get_size(b->data);
    g_hash_table_remove(d->blobs, b->hash);
  }
}

/* Before a change: the file's own copy of its contents. */
static GByteArray *own_copy(Dedup *d, Node *n) {
  if (n->buf == NULL) {
    gsize len = 0;
    const void *p = n->blob ? g_bytes_get_data(n->blob->data, &len) : NULL;
    n->buf = g_byte_array_sized_new((guint)len);
    g_byte_array_append(n->buf, p, (guint)len);
    d->stored += len;
    drop_blob(d, n);
  }
  return n->buf;
}

/* Truncates or extends a file's own copy. */
static void resize(Dedup *d, Node *n, size_t size) {
  GByteArray *a = own_copy(d, n);
  d->stored = d->stored - a->len + size;
  g_byte_array_set_size(a, (guint)size);
  set_size(d, n, size);
}

/* The last writer is gone: share the contents with identical files. */
static void seal(Dedup *d, Node *n) {
  g_autofree char *hash = NULL;
  Blob *b;
  if (n->buf == NULL)
    return;
  hash = g_compute_checksum_for_data(G_CHECKSUM_SHA256, n->buf->data, n->buf->len);
  b = g_hash_table_lookup(d->blobs, hash);
  d->stored -= n->buf->len;
  if (b == NULL) {
    b = g_new0(Blob, 1);
    b->hash = g_steal_pointer(&hash);
    b->data = g_byte_array_free_to_bytes(n->buf);
    d->stored += g_bytes_get_size(b->data);
    g_hash_table_insert(d->blobs, b->hash, b);
  } else
    g_byte_array_unref(n->buf);
  n->buf = NULL;
  b->files++;
  n->blob = b;
}

static void blob_free(void *p) {
  Blob *b = p;
  g_bytes_unref(b->data);
  g_free(b->hash);
  g_free(b);
}

static Node *new_node(Dedup *d, const VfsdCtx *ctx, uint64_t parent, uint32_t mode) {
  Node *n = g_new0(Node, 1);
  uint64_t *k = g_new(uint64_t, 1);
  *k = n->attr.ino = d->next_ino++;
  n->attr.mode = mode;
  n->attr.nlink = S_ISDIR(mode) ? 2 : 1;
  n->attr.uid = ctx ? ctx->uid : getuid();
  n->attr.gid = ctx ? ctx->gid : getgid();
  n->attr.blksize = 4096;
  stamp(&n->attr, true);
  n->attr.atime = n->attr.mtime;
  n->parent = parent;
  if (S_ISDIR(mode))
    n->children = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_insert(d->nodes, k, n);
  return n;
}

static void free_node(Dedup *d, Node *n) {
  set_size(d, n, 0);
  drop_blob(d, n);
  if (n->buf) d->stored -= n->buf->len;
  g_hash_table_remove(d->nodes, &n->attr.ino);  /* node_free() */
}

/* Frees what nobody can reach any more: the contents of a removed file
 * once it is closed, the inode once the kernel forgot it too. */
static void maybe_free(Dedup *d, Node *n) {
  if (n == NULL || n->attr.nlink != 0 || n->opens != 0)
    return;
  if (n->kernel) {
    set_size(d, n, 0);
    drop_blob(d, n);
    if (n->buf) { d->stored -= n->buf->len; g_byte_array_set_size(n->buf, 0); }
  } else
    free_node(d, n);
}

static uint64_t child(Node *dir, const char *name) {
  uint64_t *ino = dir && dir->children ? g_hash_table_lookup(dir->children, name) : NULL;
  return ino ? *ino : 0;
}

static int entry(Dedup *d, uint64_t ino, VfsdEntry *e) {
  Node *n = NODE(d, ino);
  n->kernel = true;
  e->ino = ino;
  e->attr = n->attr;
  return 0;
}

static int dd_lookup(void *self, const VfsdCtx *ctx, uint64_t parent, const char *name, VfsdEntry *e) {
  Node *dir = NODE(self, parent);
  uint64_t ino = child(dir, name);
  if (dir == NULL) return -ENOENT;
  if (!S_ISDIR(dir->attr.mode)) return -ENOTDIR;
  return ino ? entry(self, ino, e) : -ENOENT;
}

static void dd_forget(void *self, uint64_t ino) {
  Node *n = NODE(self, ino);
  if (n) { n->kernel = false; maybe_free(self, n); }
}

static int dd_getattr(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh, VfsdAttr *a) {
  Node *n = NODE(self, ino);
  if (n == NULL) return -ENOENT;
  *a = n->attr;
  return 0;
}

static int dd_setattr(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
                      const VfsdAttr *in, uint32_t set, VfsdAttr *out) {
  Node *n = NODE(self, ino);
  if (n == NULL) return -ENOENT;
  if (set & VFSD_SET_SIZE) {
    if (S_ISDIR(n->attr.mode)) return -EISDIR;
    if (in->size > G_MAXUINT32) return -EFBIG;
    resize(self, n, in->size);
    if (n->writers == 0) seal(self, n);
    stamp(&n->attr, true);
  }
  if (set & VFSD_SET_MODE) n->attr.mode = (n->attr.mode & S_IFMT) | (in->mode & 07777);
  if (set & VFSD_SET_UID) n->attr.uid = in->uid;
  if (set & VFSD_SET_GID) n->attr.gid = in->gid;
  if (set & VFSD_SET_ATIME) { n->attr.atime = in->atime; n->attr.atime_nsec = in->atime_nsec; }
  if (set & VFSD_SET_MTIME) { n->attr.mtime = in->mtime; n->attr.mtime_nsec = in->mtime_nsec; }
  if (set & (VFSD_SET_ATIME_NOW | VFSD_SET_MTIME_NOW)) {
    VfsdAttr now = n->attr;
    stamp(&now, true);
    if (set & VFSD_SET_ATIME_NOW) { n->attr.atime = now.mtime; n->attr.atime_nsec = now.mtime_nsec; }
    if (set & VFSD_SET_MTIME_NOW) { n->attr.mtime = now.mtime; n->attr.mtime_nsec = now.mtime_nsec; }
  }
  stamp(&n->attr, false);
  *out = n->attr;
  return 0;
}

static int make(Dedup *d, const VfsdCtx *ctx, uint64_t parent, const char *name, uint32_t mode, VfsdEntry *e) {
  Node *dir = NODE(d, parent), *n;
  if (dir == NULL || !S_ISDIR(dir->attr.mode)) return -ENOTDIR;
  if (child(dir, name)) return -EEXIST;
  n = new_node(d, ctx, parent, mode);
  g_hash_table_insert(dir->children, g_strdup(name), g_memdup2(&n->attr.ino, sizeof n->attr.ino));
  if (S_ISDIR(mode)) dir->attr.nlink++;
  stamp(&dir->attr, true);
  return entry(d, n->attr.ino, e);
}

static int dd_mkdir(void *self, const VfsdCtx *ctx, uint64_t parent, const char *name, uint32_t mode, VfsdEntry *e) {
  return make(self, ctx, parent, name, S_IFDIR | (mode & 07777), e);
}

static int dd_create(void *self, const VfsdCtx *ctx, uint64_t parent, const char *name, uint32_t mode,
                     VfsdOpenInfo *oi, VfsdEntry *e) {
  int r = make(self, ctx, parent, name, S_IFREG | (mode & 07777), e);
  if (r == 0) {
    NODE(self, e->ino)->opens++;
    if ((oi->flags & O_ACCMODE) != O_RDONLY) NODE(self, e->ino)->writers++;
  }
  return r;
}

/* Removes @name from @parent: rmdir when @dir. */
static int remove_name(Dedup *d, uint64_t parent, const char *name, bool dir) {
  Node *p = NODE(d, parent), *n = NODE(d, child(p, name));
  if (n == NULL) return -ENOENT;
  if (dir && !S_ISDIR(n->attr.mode)) return -ENOTDIR;
  if (!dir && S_ISDIR(n->attr.mode)) return -EISDIR;
  if (dir && g_hash_table_size(n->children)) return -ENOTEMPTY;
  g_hash_table_remove(p->children, name);
  if (dir) p->attr.nlink--;
  n->attr.nlink = 0;
  stamp(&p->attr, true);
  maybe_free(d, n);
  return 0;
}

static int dd_unlink(void *self, const VfsdCtx *ctx, uint64_t parent, const char *name) {
  return remove_name(self, parent, name, false);
}

static int dd_rmdir(void *self, const VfsdCtx *ctx, uint64_t parent, const char *name) {
  return remove_name(self, parent, name, true);
}

static int dd_rename(void *self, const VfsdCtx *ctx, uint64_t parent, const char *name,
                     uint64_t newparent, const char *newname, uint32_t flags) {
  Dedup *d = self;
  Node *p = NODE(d, parent), *np = NODE(d, newparent), *n = NODE(d, child(p, name));
  uint64_t old = child(np, newname);
  int r;
  if (n == NULL) return -ENOENT;
  if (np == NULL || !S_ISDIR(np->attr.mode)) return -ENOTDIR;
  if (flags & RENAME_EXCHANGE) return -EINVAL;
  if (old == n->attr.ino) return 0;
  if (old && (flags & RENAME_NOREPLACE)) return -EEXIST;
  for (uint64_t up = newparent; S_ISDIR(n->attr.mode) && up != VFSD_ROOT_INO; up = NODE(d, up)->parent)
    if (up == n->attr.ino) return -EINVAL;  /* into itself */
  if (old && (r = remove_name(d, newparent, newname, S_ISDIR(n->attr.mode))) != 0)
    return r;
  g_hash_table_remove(p->children, name);
  g_hash_table_insert(np->children, g_strdup(newname), g_memdup2(&n->attr.ino, sizeof n->attr.ino));
  if (S_ISDIR(n->attr.mode)) { p->attr.nlink--; np->attr.nlink++; }
  n->parent = newparent;
  stamp(&p->attr, true);
  stamp(&np->attr, true);
  stamp(&n->attr, false);
  return 0;
}

static int dd_open(void *self, const VfsdCtx *ctx, uint64_t ino, VfsdOpenInfo *oi) {
  Node *n = NODE(self, ino);
  if (n == NULL) return -ENOENT;
  n->opens++;
  if ((oi->flags & O_ACCMODE) != O_RDONLY) n->writers++;
  if (oi->flags & O_TRUNC) {
    resize(self, n, 0);
    stamp(&n->attr, true);
  }
  return 0;
}

static ssize_t dd_read(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh, char *buf, size_t size, int64_t off) {
  Node *n = NODE(self, ino);
  gsize len = 0;
  const char *p = n->buf ? (const char *)n->buf->data
                : n->blob ? g_bytes_get_data(n->blob->data, &len) : "";
  if (n->buf) len = n->buf->len;
  if ((uint64_t)off >= len) return 0;
  size = MIN(size, len - (size_t)off);
  memcpy(buf, p + off, size);
  return (ssize_t)size;
}

static ssize_t dd_write(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh, const char *buf,
                        size_t size, int64_t off, uint32_t flags) {
  Node *n = NODE(self, ino);
  if ((uint64_t)off + size > G_MAXUINT32) return -EFBIG;
  if (size_of(n) < (uint64_t)off + size)
    resize(self, n, (size_t)off + size);
  memcpy(own_copy(self, n)->data + off, buf, size);
  stamp(&n->attr, true);
  return (ssize_t)size;
}

static int dd_release(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh, int32_t flags) {
  Node *n = NODE(self, ino);
  if ((flags & O_ACCMODE) != O_RDONLY && --n->writers == 0) seal(self, n);
  n->opens--;
  maybe_free(self, n);
  return 0;
}

static int dd_readdir(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh, int64_t off, VfsdDirFiller *f) {
  Node *dir = NODE(self, ino);
  GHashTableIter it;
  gpointer name, cino;
  int64_t i = 2;
  if (off < 1 && !vfsd_dir_add(f, ".", ino, S_IFDIR, 1)) return 0;
  if (off < 2 && !vfsd_dir_add(f, "..", dir->parent, S_IFDIR, 2)) return 0;
  g_hash_table_iter_init(&it, dir->children);
  while (g_hash_table_iter_next(&it, &name, &cino))
    if (++i > off && !vfsd_dir_add(f, name, *(uint64_t *)cino, NODE(self, *(uint64_t *)cino)->attr.mode, i))
      break;
  return 0;
}

static int dd_statfs(void *self, const VfsdCtx *ctx, uint64_t ino, VfsdStatfs *s) {
  Dedup *d = self;
  s->bsize = s->frsize = 4096;
  s->blocks = (1u << 30) / 4096;
  s->bfree = s->bavail = s->blocks - MIN(s->blocks, (d->stored + 4095) / 4096);
  s->files = 1u << 20;
  s->ffree = s->files - g_hash_table_size(d->nodes);
  s->namemax = 255;
  return 0;
}

#define SAVED "user.dedup.saved"

static ssize_t dd_getxattr(void *self, const VfsdCtx *ctx, uint64_t ino, const char *name, char *buf, size_t size) {
  Dedup *d = self;
  char v[32];
  int n;
  if (strcmp(name, SAVED) != 0) return -ENODATA;
  n = snprintf(v, sizeof v, "%" G_GUINT64_FORMAT, d->logical - MIN(d->logical, d->stored));
  if (size == 0) return n;
  if (size < (size_t)n) return -ERANGE;
  memcpy(buf, v, (size_t)n);
  return n;
}

static ssize_t dd_listxattr(void *self, const VfsdCtx *ctx, uint64_t ino, char *buf, size_t size) {
  if (size == 0) return sizeof SAVED;
  if (size < sizeof SAVED) return -ERANGE;
  memcpy(buf, SAVED, sizeof SAVED);
  return sizeof SAVED;
}

static void dd_destroy(void *self) {
  Dedup *d = self;
  fprintf(stderr, "dedupfs: %" G_GUINT64_FORMAT " bytes in files, %" G_GUINT64_FORMAT
          " stored, %u distinct contents: saved %" G_GUINT64_FORMAT " bytes\n",
          d->logical, d->stored, g_hash_table_size(d->blobs), d->logical - MIN(d->logical, d->stored));
}

static const VfsdOps dd_ops = {
  VFSD_OPS_INIT("dedupfs", VFSD_THREAD_SERIALIZE_ALL),
  .destroy = dd_destroy, .lookup = dd_lookup, .forget = dd_forget,
  .getattr = dd_getattr, .setattr = dd_setattr, .mkdir = dd_mkdir, .unlink = dd_unlink,
  .rmdir = dd_rmdir, .rename = dd_rename, .open = dd_open, .create = dd_create,
  .read = dd_read, .write = dd_write, .release = dd_release, .readdir = dd_readdir,
  .statfs = dd_statfs, .getxattr = dd_getxattr, .listxattr = dd_listxattr,
};

static void dedup_free(void *p) {
  Dedup *d = p;
  g_hash_table_unref(d->nodes);
  g_hash_table_unref(d->blobs);
  g_free(d);
}

static void node_free(void *p) {
  Node *n = p;
  if (n->buf) g_byte_array_unref(n->buf);
  if (n->children) g_hash_table_unref(n->children);
  g_free(n);
}

int main(int argc, char **argv) {
  Dedup *d = g_new0(Dedup, 1);
  d->nodes = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, node_free);
  d->blobs = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, blob_free);
  d->next_ino = VFSD_ROOT_INO;
  new_node(d, NULL, VFSD_ROOT_INO, S_IFDIR | 0755)->kernel = true;
  g_autoptr(VfsdBackend) b = vfsd_backend_new(&dd_ops, d, dedup_free, NULL);
  return vfsd_main(b, argc, argv);
}
