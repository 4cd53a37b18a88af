/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* TestFs, MinFs, NoLookupFs: see fake-fs.h. */
#include "fake-fs.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

G_DEFINE_FINAL_TYPE(TestFs, test_fs, VFSD_TYPE_FILESYSTEM)
G_DEFINE_FINAL_TYPE(MinFs, min_fs, VFSD_TYPE_FILESYSTEM)
G_DEFINE_FINAL_TYPE(NoLookupFs, no_lookup_fs, VFSD_TYPE_FILESYSTEM)

static void
hit(TestFs *fs, const char *op)
{
  int n = GPOINTER_TO_INT(g_hash_table_lookup(fs->calls, op));
  vfsd_filesystem_get_caller(VFSD_FILESYSTEM(fs), &fs->caller_uid,
                             &fs->caller_gid, NULL, NULL);
  g_hash_table_insert(fs->calls, (gpointer)op, GINT_TO_POINTER(n + 1));
}

/* TRUE when the call must fail (error set, or FALSE without one). */
static gboolean
failing(TestFs *fs, GError **error)
{
  if (fs->return_false) {
    fs->return_false = FALSE;
    return TRUE;
  }
  if (fs->fail_domain) {
    g_set_error_literal(error, fs->fail_domain, fs->fail_code, "test");
    fs->fail_domain = 0;
    return TRUE;
  }
  return FALSE;
}

#define ENTER(op)                                                           \
  TestFs *fs = TEST_FS(self);                                               \
  hit(fs, op);                                                              \
  if (failing(fs, error))                                                   \
  return 0

static void
fill_attr(VfsdAttr *a, guint64 ino, guint32 mode)
{
  memset(a, 0, sizeof *a);
  a->ino = ino;
  a->mode = mode;
  a->nlink = 1;
}

static void
fill_entry(TestFs *fs, VfsdEntry *e, guint32 mode)
{
  memset(e, 0, sizeof *e);
  e->ino = 0; /* taken from the attributes by the adapter */
  e->entry_timeout = fs->entry_timeout;
  e->attr_timeout = -1;
  fill_attr(&e->attr, fs->ino, mode);
}

static gboolean
t_init(VfsdFilesystem *self, VfsdInit *init, GError **error)
{
  ENTER("init");
  fs->init_mount = init->mount;
  init->entry_timeout = 5;
  return TRUE;
}

static gboolean
t_destroy(VfsdFilesystem *self, GError **error)
{
  ENTER("destroy");
  return TRUE;
}

static gboolean
t_lookup(VfsdFilesystem *self, guint64 parent, const char *name,
         VfsdEntry *entry, GError **error)
{
  ENTER("lookup");
  fill_entry(fs, entry, S_IFREG | 0644);
  return TRUE;
}

static gboolean
t_forget(VfsdFilesystem *self, guint64 ino, GError **error)
{
  ENTER("forget");
  return TRUE;
}

static gboolean
t_getattr(VfsdFilesystem *self, guint64 ino, guint64 fh, VfsdAttr *attr,
          GError **error)
{
  ENTER("getattr");
  fill_attr(attr, ino, ino == 1 ? S_IFDIR | 0755 : S_IFREG | 0644);
  return TRUE;
}

static gboolean
t_setattr(VfsdFilesystem *self, guint64 ino, guint64 fh,
          const VfsdAttr *attr, guint32 to_set, VfsdAttr *out, GError **error)
{
  ENTER("setattr");
  fill_attr(out, ino, S_IFREG | (attr->mode & 07777));
  out->size = to_set & VFSD_SET_SIZE ? attr->size : 0;
  return TRUE;
}

static char *
t_readlink(VfsdFilesystem *self, guint64 ino, GError **error)
{
  ENTER("readlink");
  return g_strdup(fs->link_target);
}

#define ENTRY_OP(name, mode)                                                \
  ENTER(name);                                                              \
  fill_entry(fs, entry, mode);                                              \
  return TRUE

static gboolean
t_mknod(VfsdFilesystem *self, guint64 parent, const char *name, guint32 mode,
        guint64 rdev, VfsdEntry *entry, GError **error)
{
  ENTRY_OP("mknod", mode);
}

static gboolean
t_mkdir(VfsdFilesystem *self, guint64 parent, const char *name, guint32 mode,
        VfsdEntry *entry, GError **error)
{
  ENTRY_OP("mkdir", S_IFDIR | mode);
}

static gboolean
t_symlink(VfsdFilesystem *self, const char *target, guint64 parent,
          const char *name, VfsdEntry *entry, GError **error)
{
  ENTRY_OP("symlink", S_IFLNK | 0777);
}

static gboolean
t_link(VfsdFilesystem *self, guint64 ino, guint64 newparent,
       const char *newname, VfsdEntry *entry, GError **error)
{
  ENTRY_OP("link", S_IFREG | 0644);
}

static gboolean
t_create(VfsdFilesystem *self, guint64 parent, const char *name, guint32 mode,
         VfsdOpenInfo *info, VfsdEntry *entry, GError **error)
{
  ENTER("create");
  info->fh = 77;
  fill_entry(fs, entry, S_IFREG | (mode & 07777));
  return TRUE;
}

#define SIMPLE(fn, name, ...)                                               \
  static gboolean fn(VfsdFilesystem *self, __VA_ARGS__, GError **error)     \
  {                                                                         \
    ENTER(name);                                                            \
    return TRUE;                                                            \
  }

SIMPLE(t_unlink, "unlink", guint64 p, const char *n)
SIMPLE(t_rmdir, "rmdir", guint64 p, const char *n)
SIMPLE(t_rename, "rename", guint64 p, const char *n, guint64 np,
       const char *nn, guint32 f)
SIMPLE(t_flush, "flush", guint64 i, guint64 fh, guint64 o)
SIMPLE(t_release, "release", guint64 i, guint64 fh, gint32 f)
SIMPLE(t_fsync, "fsync", guint64 i, guint64 fh, gboolean d)
SIMPLE(t_releasedir, "releasedir", guint64 i, guint64 fh)
SIMPLE(t_fsyncdir, "fsyncdir", guint64 i, guint64 fh, gboolean d)
SIMPLE(t_removexattr, "removexattr", guint64 i, const char *n)
SIMPLE(t_access, "access", guint64 i, gint32 m)
SIMPLE(t_fallocate, "fallocate", guint64 i, guint64 fh, gint32 m, gint64 o,
       gint64 l)
SIMPLE(t_flock, "flock", guint64 i, guint64 fh, guint64 o, gint32 op)

static gboolean
t_setlk(VfsdFilesystem *self, guint64 ino, guint64 fh, guint64 owner,
        const VfsdLock *lock, gboolean sleep, GError **error)
{
  ENTER("setlk");
  fs->last_lock = *lock;
  return TRUE;
}

static gboolean
t_open(VfsdFilesystem *self, guint64 ino, VfsdOpenInfo *info, GError **error)
{
  ENTER("open");
  info->fh = 1000 + ino;
  info->out_flags |= VFSD_OPEN_DIRECT_IO;
  return TRUE;
}

static gboolean
t_opendir(VfsdFilesystem *self, guint64 ino, VfsdOpenInfo *info,
          GError **error)
{
  ENTER("opendir");
  info->fh = 5;
  return TRUE;
}

static GBytes *
t_read(VfsdFilesystem *self, guint64 ino, guint64 fh, gint64 offset,
       gsize size, GError **error)
{
  ENTER("read");
  return g_bytes_ref(fs->data);
}

static gboolean
t_write(VfsdFilesystem *self, guint64 ino, guint64 fh, GBytes *data,
        gint64 offset, guint32 flags, gsize *written, GError **error)
{
  ENTER("write");
  g_clear_pointer(&fs->last_write, g_bytes_unref);
  fs->last_write = g_bytes_ref(data);
  *written = fs->written;
  return TRUE;
}

static gboolean
t_readdir(VfsdFilesystem *self, guint64 ino, guint64 fh, gint64 offset,
          VfsdDirFiller *filler, GError **error)
{
  ENTER("readdir");
  fs->filler_was_plus = vfsd_dir_filler_wants_entries(filler);
  if (fs->kept_filler == NULL) /* what a binding's wrapper does */
    fs->kept_filler = g_boxed_copy(VFSD_TYPE_DIR_FILLER, filler);
  for (gint64 i = offset; i < 3; i++) {
    char name[8];
    g_snprintf(name, sizeof name, "n%d", (int)i);
    if (!vfsd_dir_filler_add(filler, name, 10 + i, S_IFREG, i + 1))
      break;
  }
  return TRUE;
}

static gboolean
t_statfs(VfsdFilesystem *self, guint64 ino, VfsdStatfs *out, GError **error)
{
  ENTER("statfs");
  memset(out, 0, sizeof *out);
  out->blocks = 123;
  return TRUE;
}

static gboolean
t_setxattr(VfsdFilesystem *self, guint64 ino, const char *name,
           GBytes *value, gint32 flags, GError **error)
{
  ENTER("setxattr");
  g_clear_pointer(&fs->last_write, g_bytes_unref);
  fs->last_write = g_bytes_ref(value);
  return TRUE;
}

static GBytes *
t_getxattr(VfsdFilesystem *self, guint64 ino, const char *name,
           GError **error)
{
  ENTER("getxattr");
  return g_bytes_ref(fs->data);
}

static char **
t_listxattr(VfsdFilesystem *self, guint64 ino, GError **error)
{
  ENTER("listxattr");
  return g_strdupv(fs->xattr_names);
}

static gboolean
t_lseek(VfsdFilesystem *self, guint64 ino, guint64 fh, gint64 offset,
        gint32 whence, gint64 *result, GError **error)
{
  ENTER("lseek");
  *result = offset + 100;
  return TRUE;
}

static gboolean
t_copy_file_range(VfsdFilesystem *self, guint64 a, guint64 b, gint64 c,
                  guint64 d, guint64 e, gint64 f, gsize len, guint32 flags,
                  gsize *copied, GError **error)
{
  ENTER("copy_file_range");
  *copied = fs->written;
  return TRUE;
}

static gboolean
t_getlk(VfsdFilesystem *self, guint64 ino, guint64 fh, guint64 owner,
        VfsdLock *lock, GError **error)
{
  ENTER("getlk");
  lock->type = F_WRLCK;
  lock->start = 10;
  lock->len = 20;
  lock->pid = 4242;
  return TRUE;
}

static gboolean
t_bmap(VfsdFilesystem *self, guint64 ino, guint64 blocksize, guint64 *block,
       GError **error)
{
  ENTER("bmap");
  *block = *block * 2 + 1;
  return TRUE;
}

static gboolean
t_ioctl(VfsdFilesystem *self, guint64 ino, guint64 fh, guint32 cmd,
        GBytes *in, gsize out_size, gint32 *result, GBytes **out,
        GError **error)
{
  ENTER("ioctl");
  *result = fs->ioctl_result;
  *out = fs->data ? g_bytes_ref(fs->data) : NULL;
  return TRUE;
}

static gboolean
t_poll(VfsdFilesystem *self, guint64 ino, guint64 fh, guint32 events,
       VfsdPollNotifier *notifier, guint32 *revents, GError **error)
{
  ENTER("poll");
  *revents = events & 1;
  return TRUE;
}

static void
test_fs_finalize(GObject *obj)
{
  TestFs *fs = TEST_FS(obj);
  g_hash_table_unref(fs->calls);
  g_free(fs->link_target);
  g_clear_pointer(&fs->data, g_bytes_unref);
  g_clear_pointer(&fs->last_write, g_bytes_unref);
  g_strfreev(fs->xattr_names);
  if (fs->kept_filler)
    g_boxed_free(VFSD_TYPE_DIR_FILLER, fs->kept_filler);
  G_OBJECT_CLASS(test_fs_parent_class)->finalize(obj);
}

static void
test_fs_class_init(TestFsClass *klass)
{
  VfsdFilesystemClass *c = VFSD_FILESYSTEM_CLASS(klass);
  G_OBJECT_CLASS(klass)->finalize = test_fs_finalize;
  c->init = t_init;
  c->destroy = t_destroy;
  c->lookup = t_lookup;
  c->forget = t_forget;
  c->getattr = t_getattr;
  c->setattr = t_setattr;
  c->readlink = t_readlink;
  c->mknod = t_mknod;
  c->mkdir = t_mkdir;
  c->unlink = t_unlink;
  c->rmdir = t_rmdir;
  c->symlink = t_symlink;
  c->rename = t_rename;
  c->link = t_link;
  c->open = t_open;
  c->create = t_create;
  c->read = t_read;
  c->write = t_write;
  c->flush = t_flush;
  c->release = t_release;
  c->fsync = t_fsync;
  c->opendir = t_opendir;
  c->readdir = t_readdir;
  c->releasedir = t_releasedir;
  c->fsyncdir = t_fsyncdir;
  c->statfs = t_statfs;
  c->setxattr = t_setxattr;
  c->getxattr = t_getxattr;
  c->listxattr = t_listxattr;
  c->removexattr = t_removexattr;
  c->access = t_access;
  c->fallocate = t_fallocate;
  c->lseek = t_lseek;
  c->copy_file_range = t_copy_file_range;
  c->getlk = t_getlk;
  c->setlk = t_setlk;
  c->flock = t_flock;
  c->bmap = t_bmap;
  c->ioctl = t_ioctl;
  c->poll = t_poll;
}

static void
test_fs_init(TestFs *fs)
{
  fs->calls = g_hash_table_new(g_str_hash, g_str_equal);
  fs->ino = 42;
  fs->entry_timeout = -1;
  fs->link_target = g_strdup("target");
  fs->data = g_bytes_new_static("0123456789", 10);
}

TestFs *
test_fs_new(VfsdThreadModel model, VfsdBackendFlags flags)
{
  return g_object_new(TEST_TYPE_FS, "thread-model", model, "flags", flags,
                      NULL);
}

int
test_fs_count(TestFs *fs, const char *op)
{
  return GPOINTER_TO_INT(g_hash_table_lookup(fs->calls, op));
}

/* ---- MinFs, NoLookupFs ---------------------------------------------------*/

static gboolean
m_lookup(VfsdFilesystem *self, guint64 parent, const char *name,
         VfsdEntry *entry, GError **error)
{
  g_set_error_literal(error, VFSD_ERROR, ENOENT, "no");
  return FALSE;
}

static gboolean
m_getattr(VfsdFilesystem *self, guint64 ino, guint64 fh, VfsdAttr *attr,
          GError **error)
{
  fill_attr(attr, ino, S_IFDIR | 0755);
  return TRUE;
}

static void
min_fs_class_init(MinFsClass *klass)
{
  VfsdFilesystemClass *c = VFSD_FILESYSTEM_CLASS(klass);
  c->lookup = m_lookup;
  c->getattr = m_getattr;
}

static void
min_fs_init(MinFs *fs)
{
}

static void
no_lookup_fs_class_init(NoLookupFsClass *klass)
{
}

static void
no_lookup_fs_init(NoLookupFs *fs)
{
}
