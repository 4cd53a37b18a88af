/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The RAM backend as libvfsd sees it: the operations table, init() and
 * destroy(), the option parser, the VfsdRamBackend object and the entry
 * that makes `vfsd mount ram:OPTIONS` work. */
#include "ram-private.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- the operations ----------------------------------------------------*/

/* Nothing but the kernel changes the tree, so the kernel may cache names,
 * attributes, pages and listings for long: every entry and attribute the
 * backend returns is complete, the size included. */
#define RAM_CACHE_SECONDS 86400.0

static int
ram_init(void *self, VfsdInit *in)
{
  RamFs *fs = self;
  /* The kernel caches everything for long: a second mount of the same
   * tree would never see the first one's changes. */
  if (__atomic_exchange_n(&fs->mounted, true, __ATOMIC_ACQ_REL))
    return -EBUSY;
  in->entry_timeout = RAM_CACHE_SECONDS;
  in->attr_timeout = RAM_CACHE_SECONDS;
  in->negative_timeout = RAM_CACHE_SECONDS;
  in->open_flags |= VFSD_OPEN_KEEP_CACHE | VFSD_OPEN_CACHE_DIR;
  /* O_TRUNC in open() saves a setattr per truncating open. */
  in->caps |= VFSD_CAP_ATOMIC_O_TRUNC | VFSD_CAP_CACHE_SYMLINKS;
  /* Only the kernel writes here: a new mtime after a write need not drop
   * the pages it just wrote (a file read back after writing it stays in
   * the page cache). */
  in->caps |= VFSD_CAP_SOLE_WRITER;
  /* Every call is a few microseconds of memory work: worth spinning for. */
  in->caps |= VFSD_CAP_QUICK_CALLS;
  /* A handle holds nothing but the open flags, and an unlinked file lives
   * on until forget anyway: the kernel may open files without us (two
   * requests fewer per open(2); O_TRUNC then comes as a setattr). */
  in->caps |= VFSD_CAP_NO_OPEN;
  return 0;
}

static void
ram_destroy(void *self)
{
  /* The kernel is gone: no handle will be released, no inode forgotten.
   * Unlinked files go now; the tree stays for a later mount. */
  RamFs *fs = self;
  ram_fs_drop_kernel_state(fs);
  __atomic_store_n(&fs->mounted, false, __ATOMIC_RELEASE);
}

/* Not a regular file: no data to sync.  fsync is left NULL (the kernel
 * then stops asking); so are flush, access (default_permissions), locks
 * (the kernel keeps them) and ioctl. */
static const VfsdOps ram_ops = {
  VFSD_OPS_INIT("ram", VFSD_THREAD_PARALLEL),
  .flags = VFSD_BACKEND_STABLE_DIR_OFFSETS | VFSD_BACKEND_HANDLES_KILLPRIV,
  .init = ram_init,
  .destroy = ram_destroy,
  .lookup = ram_op_lookup,
  .forget = ram_op_forget,
  .getattr = ram_op_getattr,
  .setattr = ram_op_setattr,
  .readlink = ram_op_readlink,
  .mknod = ram_op_mknod,
  .mkdir = ram_op_mkdir,
  .unlink = ram_op_unlink,
  .rmdir = ram_op_rmdir,
  .symlink = ram_op_symlink,
  .rename = ram_op_rename,
  .link = ram_op_link,
  .open = ram_op_open,
  .create = ram_op_create,
  .read = ram_op_read,
  .read_iov = ram_op_read_iov,
  .write = ram_op_write,
  .release = ram_op_release,
  .opendir = ram_op_opendir,
  .readdir = ram_op_readdir,
  .releasedir = ram_op_releasedir,
  .statfs = ram_op_statfs,
  .setxattr = ram_op_setxattr,
  .getxattr = ram_op_getxattr,
  .listxattr = ram_op_listxattr,
  .removexattr = ram_op_removexattr,
  .fallocate = ram_op_fallocate,
  .lseek = ram_op_lseek,
  .copy_file_range = ram_op_copy_file_range,
};

/* ---- options -----------------------------------------------------------*/

typedef struct {
  uint64_t size, inodes;
  uint32_t mode, uid, gid;
} RamOptions;

static uint64_t
phys_bytes(void)
{
  long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
  return pages > 0 && size > 0 ? (uint64_t)pages * (uint64_t)size
                               : (uint64_t)1 << 30;
}

/* A number with an optional binary suffix (and % when @percent). */
static bool
parse_size(const char *s, bool percent, uint64_t *out)
{
  char *end;
  guint64 v;
  unsigned shift = 0;
  if (!g_ascii_isdigit(s[0]))
    return false;
  errno = 0;
  v = g_ascii_strtoull(s, &end, 10);
  if (errno)
    return false;
  switch (g_ascii_tolower(*end)) {
  case '\0': break;
  case 'k': shift = 10; end++; break;
  case 'm': shift = 20; end++; break;
  case 'g': shift = 30; end++; break;
  case 't': shift = 40; end++; break;
  case '%':
    if (!percent || v > 100)
      return false;
    end++;
    *out = phys_bytes() / 100 * v;
    return *end == '\0';
  default:
    return false;
  }
  if (*end != '\0' || (shift && v > (UINT64_MAX >> shift)))
    return false;
  *out = v << shift;
  return true;
}

static bool
parse_u32(const char *s, int base, uint32_t max, uint32_t *out)
{
  char *end;
  guint64 v;
  if (!g_ascii_isdigit(s[0]))
    return false;
  errno = 0;
  v = g_ascii_strtoull(s, &end, base);
  if (errno || *end != '\0' || v > max)
    return false;
  *out = (uint32_t)v;
  return true;
}

static gboolean
parse_options(const char *str, RamOptions *o, GError **error)
{
  g_auto(GStrv) items = NULL;
  o->size = phys_bytes() / 2;
  o->inodes = phys_bytes() / RAM_PAGE / 2;
  o->mode = 01777;
  o->uid = (uint32_t)geteuid();
  o->gid = (uint32_t)getegid();
  if (str == NULL || str[0] == '\0')
    return TRUE;
  items = g_strsplit(str, ",", -1);
  for (char **it = items; *it; it++) {
    const char *eq = strchr(*it, '='), *v = eq ? eq + 1 : "";
    size_t klen = eq ? (size_t)(eq - *it) : strlen(*it);
    bool ok;
#define KEY(k) (klen == strlen(k) && strncmp(*it, k, klen) == 0)
    if (KEY("size"))
      ok = parse_size(v, true, &o->size);
    else if (KEY("nr_inodes"))
      ok = parse_size(v, false, &o->inodes);
    else if (KEY("mode"))
      ok = parse_u32(v, 8, 07777, &o->mode);
    else if (KEY("uid"))
      ok = parse_u32(v, 10, UINT32_MAX - 1, &o->uid);
    else if (KEY("gid"))
      ok = parse_u32(v, 10, UINT32_MAX - 1, &o->gid);
    else {
      vfsd_set_error(error, EINVAL, "the ram backend has no option '%.*s' "
                     "(it knows size, nr_inodes, mode, uid and gid)",
                     (int)klen, *it);
      return FALSE;
    }
#undef KEY
    if (!ok || eq == NULL) {
      vfsd_set_error(error, EINVAL, "the ram backend's option '%s' is "
                     "malformed (expected e.g. size=1G, nr_inodes=10k, "
                     "mode=0755, uid=1000, gid=1000)", *it);
      return FALSE;
    }
  }
  /* Like tmpfs, count whole pages. */
  o->size = o->size / RAM_PAGE * RAM_PAGE;
  if (o->inodes == 1) {
    vfsd_set_error(error, EINVAL, "the ram backend's nr_inodes=1 leaves no "
                   "room for anything but the root directory");
    return FALSE;
  }
  return TRUE;
}

/* ---- the object --------------------------------------------------------*/

struct _VfsdRamBackend {
  VfsdBackend parent_instance;
};

G_DEFINE_FINAL_TYPE(VfsdRamBackend, vfsd_ram_backend, VFSD_TYPE_BACKEND)

enum {
  PROP_0,
  PROP_BYTES_USED,
  PROP_BYTES_LIMIT,
  PROP_INODES_USED,
  PROP_INODES_LIMIT,
  PROP_HANDLES_OPEN,
  N_PROPS
};

static void
get_property(GObject *obj, guint id, GValue *value, GParamSpec *pspec)
{
  VfsdRamUsage u;
  vfsd_ram_get_usage(VFSD_BACKEND(obj), &u);
  switch (id) {
  case PROP_BYTES_USED: g_value_set_uint64(value, u.bytes_used); break;
  case PROP_BYTES_LIMIT: g_value_set_uint64(value, u.bytes_limit); break;
  case PROP_INODES_USED: g_value_set_uint64(value, u.inodes_used); break;
  case PROP_INODES_LIMIT: g_value_set_uint64(value, u.inodes_limit); break;
  case PROP_HANDLES_OPEN: g_value_set_uint64(value, u.handles_open); break;
  default: G_OBJECT_WARN_INVALID_PROPERTY_ID(obj, id, pspec);
  }
}

static void
vfsd_ram_backend_class_init(VfsdRamBackendClass *klass)
{
  GObjectClass *oc = G_OBJECT_CLASS(klass);
  const GParamFlags f = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;
  oc->get_property = get_property;
  /**
   * VfsdRamBackend:bytes-used:
   * Bytes of data and extended attributes held.
   */
  g_object_class_install_property(oc, PROP_BYTES_USED,
      g_param_spec_uint64("bytes-used", NULL, NULL, 0, G_MAXUINT64, 0, f));
  /**
   * VfsdRamBackend:bytes-limit:
   * The size= limit in bytes (0: none).
   */
  g_object_class_install_property(oc, PROP_BYTES_LIMIT,
      g_param_spec_uint64("bytes-limit", NULL, NULL, 0, G_MAXUINT64, 0, f));
  /**
   * VfsdRamBackend:inodes-used:
   * Inodes in existence, the root included.
   */
  g_object_class_install_property(oc, PROP_INODES_USED,
      g_param_spec_uint64("inodes-used", NULL, NULL, 0, G_MAXUINT64, 0, f));
  /**
   * VfsdRamBackend:inodes-limit:
   * The nr_inodes= limit (0: none).
   */
  g_object_class_install_property(oc, PROP_INODES_LIMIT,
      g_param_spec_uint64("inodes-limit", NULL, NULL, 0, G_MAXUINT64, 0, f));
  /**
   * VfsdRamBackend:handles-open:
   * Open file and directory handles.
   */
  g_object_class_install_property(oc, PROP_HANDLES_OPEN,
      g_param_spec_uint64("handles-open", NULL, NULL, 0, G_MAXUINT64, 0, f));
}

static void
vfsd_ram_backend_init(VfsdRamBackend *self)
{
}

VfsdBackend *
vfsd_ram_backend_new(const char *options, GError **error)
{
  RamOptions o;
  RamFs *fs;
  VfsdBackend *b;
  if (!parse_options(options, &o, error))
    return NULL;
  fs = ram_fs_new(o.size, o.inodes, o.mode, o.uid, o.gid);
  b = g_object_new(VFSD_TYPE_RAM_BACKEND, NULL);
  if (!vfsd_backend_setup(b, &ram_ops, fs, (GDestroyNotify)ram_fs_free, NULL,
                          error)) {
    ram_fs_free(fs);
    g_object_unref(b);
    return NULL;
  }
  return b;
}

VfsdBackend *
vfsd_ram_new(const char *options, GError **error)
{
  return vfsd_ram_backend_new(options, error);
}

RamFs *
ram_fs_of(VfsdBackend *backend)
{
  for (VfsdBackend *b = backend; b && VFSD_IS_BACKEND(b);
       b = vfsd_backend_get_next(b))
    if (VFSD_IS_RAM_BACKEND(b))
      return vfsd_backend_get_instance(b);
  return NULL;
}

int
vfsd_ram_get_usage(VfsdBackend *backend, VfsdRamUsage *out)
{
  RamFs *fs = ram_fs_of(backend);
  if (fs == NULL)
    return -EINVAL;
  out->bytes_used = __atomic_load_n(&fs->bytes_used, __ATOMIC_RELAXED);
  out->bytes_limit = fs->size_limit;
  out->inodes_used = __atomic_load_n(&fs->inodes_used, __ATOMIC_RELAXED);
  out->inodes_limit = fs->inode_limit;
  out->handles_open = __atomic_load_n(&fs->handles_open, __ATOMIC_RELAXED);
  return 0;
}

int
vfsd_ram_check(VfsdBackend *backend, GString *report)
{
  RamFs *fs = ram_fs_of(backend);
  return fs ? ram_fs_check(fs, report) : -EINVAL;
}

gboolean
vfsd_ram_backend_check(VfsdRamBackend *self, gchar **report)
{
  GString *s = g_string_new(NULL);
  int n;
  g_return_val_if_fail(VFSD_IS_RAM_BACKEND(self), FALSE);
  n = vfsd_ram_check(VFSD_BACKEND(self), s);
  if (report)
    *report = g_string_free(s, FALSE);
  else
    g_string_free(s, TRUE);
  return n == 0;
}

/* ---- found by name -----------------------------------------------------*/

const VfsdModuleInfo vfsd_ram_module_info = {
  VFSD_MODULE_INFO_INIT("ram", "a POSIX file system in memory, like tmpfs"),
  .args_help = "size=SIZE     space for data, e.g. 512M, 2G, 25% (default 50%; 0: no limit)\n"
               "nr_inodes=N   most files, e.g. 100k (default: half the RAM pages; 0: no limit)\n"
               "mode=OCTAL    root directory permissions (default 1777)\n"
               "uid=N         root directory owner (default: you)\n"
               "gid=N         root directory group (default: yours)",
  .create = vfsd_ram_backend_new,
};
