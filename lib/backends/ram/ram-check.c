/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The consistency check behind vfsd_ram_check(): walks the tree from the
 * root and the inode table, and compares what it finds with what the
 * inodes and the counters claim.  Meant for quiet moments (tests, after
 * unmount): it takes the locks one at a time, so it is safe at any time,
 * but operations running meanwhile can make it report passing
 * differences. */
#include "ram-private.h"

#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_LINES 50

typedef struct {
  RamFs *fs;
  GString *report;
  int problems;
  GHashTable *names;      /* RamInode* → number of names leading to it */
  GHashTable *subdirs;    /* directory RamInode* → subdirectories */
} Check;

static void G_GNUC_PRINTF(2, 3)
problem(Check *c, const char *fmt, ...)
{
  va_list ap;
  if (c->problems++ >= MAX_LINES || c->report == NULL)
    return;
  va_start(ap, fmt);
  g_string_append_vprintf(c->report, fmt, ap);
  va_end(ap);
  g_string_append_c(c->report, '\n');
}

static guint
count_of(GHashTable *t, const void *key)
{
  return GPOINTER_TO_UINT(g_hash_table_lookup(t, key));
}

static void
bump(GHashTable *t, const void *key)
{
  g_hash_table_insert(t, (void *)key, GUINT_TO_POINTER(count_of(t, key) + 1));
}

/* One directory: its names, breadth first from the root. */
static void
walk_dir(Check *c, RamInode *dir, GQueue *todo)
{
  unsigned n = 0;
  uint64_t last = RAM_COOKIE_DOTDOT;
  ram_rdlock(dir);
  for (GTreeNode *t = g_tree_node_first(dir->u.dir.order); t;
       t = g_tree_node_next(t)) {
    RamDirent *de = g_tree_node_value(t);
    RamInode *child = de->inode, *found;
    n++;
    if (de->cookie <= last || de->cookie >= dir->u.dir.next_cookie)
      problem(c, "directory %" PRIu64 ": \"%s\" has cookie %" PRIu64
              " out of order", dir->ino, de->name, de->cookie);
    last = de->cookie;
    if (g_hash_table_lookup(dir->u.dir.names, de->name) != de)
      problem(c, "directory %" PRIu64 ": \"%s\" is missing from its hash "
              "table", dir->ino, de->name);
    found = ram_inode_get(c->fs, child->ino);
    if (found != child)
      problem(c, "directory %" PRIu64 ": \"%s\" leads to inode %" PRIu64
              ", which is not in the inode table", dir->ino, de->name,
              child->ino);
    ram_inode_unref(found);
    bump(c->names, child);
    if (child->type == S_IFDIR) {
      bump(c->subdirs, dir);
      if (child->u.dir.parent != dir)
        problem(c, "directory %" PRIu64 ": its \"..\" is not %" PRIu64
                ", which holds it as \"%s\"", child->ino, dir->ino,
                de->name);
      if (count_of(c->names, child) == 1)
        g_queue_push_tail(todo, child);
    }
  }
  if (n != g_hash_table_size(dir->u.dir.names))
    problem(c, "directory %" PRIu64 ": %u names in order, %u in the hash "
            "table", dir->ino, n, g_hash_table_size(dir->u.dir.names));
  if (dir->size != 2 * RAM_DIRENT_BOGO + (uint64_t)n * RAM_DIRENT_BOGO)
    problem(c, "directory %" PRIu64 ": size %" PRIu64 " for %u names",
            dir->ino, dir->size, n);
  ram_unlock(dir);
}

/* A regular file's pages: counts add up, nothing past the end of file. */
static void
check_data(Check *c, RamInode *f)
{
  uint64_t alloc = 0, ci = 0;
  while (ram_map_next(&f->u.chunks, ci, &ci)) {
    RamChunk *k = ram_map_get(&f->u.chunks, ci);
    unsigned n = 0;
    for (unsigned pg = 0; pg < RAM_CHUNK_PAGES; pg++) {
      uint64_t base = (ci * RAM_CHUNK_PAGES + pg) * RAM_PAGE;
      if (k->page[pg] == NULL) {
        if ((k->written >> pg) & 1)
          problem(c, "file %" PRIu64 ": page at %" PRIu64 " is written but "
                  "missing", f->ino, base);
        continue;
      }
      n++;
      /* Bytes at and past the end of file are zero. */
      for (uint64_t o = f->size > base ? f->size - base : 0; o < RAM_PAGE;
           o++)
        if (k->page[pg][o] != 0) {
          problem(c, "file %" PRIu64 ": byte %" PRIu64 " past the end of "
                  "file (%" PRIu64 ") is not zero", f->ino, base + o,
                  f->size);
          break;
        }
    }
    if (n == 0 || n != k->npages)
      problem(c, "file %" PRIu64 ": chunk %" PRIu64 " has %u pages, says "
              "%u", f->ino, ci, n, k->npages);
    alloc += n * RAM_PAGE;
    if (ci == UINT64_MAX / RAM_CHUNK)
      break;
    ci++;
  }
  if (alloc != f->alloc)
    problem(c, "file %" PRIu64 ": pages hold %" PRIu64 " bytes, the inode "
            "says %" PRIu64, f->ino, alloc, f->alloc);
}

static void
check_inode(Check *c, RamInode *i, uint64_t *bytes, uint64_t *handles,
            uint64_t *caps)
{
  guint names = count_of(c->names, i);
  bool reachable = names > 0 || i == c->fs->root;
  ram_rdlock(i);
  if (i->deleted)
    problem(c, "inode %" PRIu64 ": deleted but still in the table", i->ino);
  if (i->type == S_IFDIR) {
    uint64_t want = reachable ? 2 + count_of(c->subdirs, i) : 0;
    if (names > 1)
      problem(c, "directory %" PRIu64 ": has %u names", i->ino, names);
    if (i->nlink != want)
      problem(c, "directory %" PRIu64 ": nlink %u, expected %" PRIu64,
              i->ino, i->nlink, want);
  } else if (i->nlink != names)
    problem(c, "inode %" PRIu64 ": nlink %u but %u names", i->ino, i->nlink,
            names);
  if (!reachable && i->open_count == 0 && !g_atomic_int_get(&i->kernel_ref))
    problem(c, "inode %" PRIu64 ": unreachable, not open and not known to "
            "the kernel (leaked)", i->ino);
  if (i->type == S_IFREG)
    check_data(c, i);
  else if (i->alloc != 0)
    problem(c, "inode %" PRIu64 ": holds data but is not a file", i->ino);
  if (ram_xattr_bytes(i) != i->xattr_bytes)
    problem(c, "inode %" PRIu64 ": extended attributes hold %u bytes, the "
            "inode says %u", i->ino, ram_xattr_bytes(i), i->xattr_bytes);
  *caps += ram_xattr_has(i, "security.capability");
  *bytes += i->alloc + i->xattr_bytes;
  *handles += i->open_count;
  ram_unlock(i);
}

int
ram_fs_check(RamFs *fs, GString *report)
{
  Check c = { fs, report, 0, g_hash_table_new(NULL, NULL),
              g_hash_table_new(NULL, NULL) };
  GQueue todo = G_QUEUE_INIT;
  GPtrArray *all;
  uint64_t bytes = 0, handles = 0, caps = 0;
  uint64_t used, inodes, open;

  g_mutex_lock(&fs->rename_lock); /* the shape of the tree stays */
  g_queue_push_tail(&todo, fs->root);
  while (!g_queue_is_empty(&todo))
    walk_dir(&c, g_queue_pop_head(&todo), &todo);
  all = ram_fs_inodes(fs);
  for (guint k = 0; k < all->len; k++)
    check_inode(&c, g_ptr_array_index(all, k), &bytes, &handles, &caps);
  g_mutex_unlock(&fs->rename_lock);

  used = __atomic_load_n(&fs->bytes_used, __ATOMIC_RELAXED);
  inodes = __atomic_load_n(&fs->inodes_used, __ATOMIC_RELAXED);
  open = __atomic_load_n(&fs->handles_open, __ATOMIC_RELAXED);
  if (bytes != used)
    problem(&c, "inodes hold %" PRIu64 " bytes, the file system counts %"
            PRIu64, bytes, used);
  if (all->len != inodes)
    problem(&c, "the table holds %u inodes, the file system counts %" PRIu64,
            all->len, inodes);
  if (caps != __atomic_load_n(&fs->capability_xattrs, __ATOMIC_RELAXED))
    problem(&c, "%" PRIu64 " files have security.capability, the file "
            "system counts %" PRIu64, caps,
            (uint64_t)__atomic_load_n(&fs->capability_xattrs,
                                      __ATOMIC_RELAXED));
  if (handles != open)
    problem(&c, "inodes have %" PRIu64 " open handles, the file system "
            "counts %" PRIu64, handles, open);
  if (c.problems > MAX_LINES && report)
    g_string_append_printf(report, "(%d more problems)\n",
                           c.problems - MAX_LINES);
  g_ptr_array_free(all, TRUE);
  g_hash_table_destroy(c.names);
  g_hash_table_destroy(c.subdirs);
  return c.problems;
}
