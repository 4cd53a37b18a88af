/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Boxed GTypes for the plain structures of backend.h, their constructors,
 * the directory filler's methods, and the poll notifier. */
#include "gi-private.h"

#include <errno.h>
#include <string.h>

/* A plain structure: copy and free are memdup and free. */
#define PLAIN_BOXED(Type, type)                                             \
  Type *type##_copy(const Type *v)                                          \
  {                                                                         \
    return v ? g_memdup2(v, sizeof *v) : NULL;                              \
  }                                                                         \
  void type##_free(Type *v) { g_free(v); }                                  \
  G_DEFINE_BOXED_TYPE(Type, type, type##_copy, type##_free)

PLAIN_BOXED(VfsdAttr, vfsd_attr)
PLAIN_BOXED(VfsdEntry, vfsd_entry)
PLAIN_BOXED(VfsdStatfs, vfsd_statfs)
PLAIN_BOXED(VfsdOpenInfo, vfsd_open_info)
PLAIN_BOXED(VfsdLock, vfsd_lock)

VfsdAttr *
vfsd_attr_new(guint64 ino, guint32 mode, guint32 nlink, guint32 uid,
              guint32 gid, guint64 size, guint64 blocks, guint64 rdev,
              guint32 blksize, gint64 atime, guint32 atime_nsec, gint64 mtime,
              guint32 mtime_nsec, gint64 ctime, guint32 ctime_nsec)
{
  VfsdAttr *a = g_new0(VfsdAttr, 1);
  a->ino = ino;
  a->mode = mode;
  a->nlink = nlink;
  a->uid = uid;
  a->gid = gid;
  a->size = size;
  a->blocks = blocks;
  a->rdev = rdev;
  a->blksize = blksize;
  a->atime = atime;
  a->atime_nsec = atime_nsec;
  a->mtime = mtime;
  a->mtime_nsec = mtime_nsec;
  a->ctime = ctime;
  a->ctime_nsec = ctime_nsec;
  return a;
}

VfsdEntry *
vfsd_entry_new(guint64 ino, guint64 generation, gdouble entry_timeout,
               gdouble attr_timeout, const VfsdAttr *attr)
{
  VfsdEntry *e = g_new0(VfsdEntry, 1);
  if (attr)
    e->attr = *attr;
  e->ino = ino ? ino : e->attr.ino;
  e->generation = generation;
  e->entry_timeout = entry_timeout;
  e->attr_timeout = attr_timeout;
  return e;
}

VfsdAttr *
vfsd_entry_get_attr(const VfsdEntry *entry)
{
  g_return_val_if_fail(entry != NULL, NULL);
  return vfsd_attr_copy(&entry->attr);
}

void
vfsd_entry_set_attr(VfsdEntry *entry, const VfsdAttr *attr)
{
  g_return_if_fail(entry != NULL && attr != NULL);
  entry->attr = *attr;
}

VfsdStatfs *
vfsd_statfs_new(guint64 blocks, guint64 bfree, guint64 bavail, guint64 files,
                guint64 ffree, guint64 favail, guint32 bsize, guint32 frsize,
                guint32 namemax)
{
  VfsdStatfs *s = g_new0(VfsdStatfs, 1);
  s->blocks = blocks;
  s->bfree = bfree;
  s->bavail = bavail;
  s->files = files;
  s->ffree = ffree;
  s->favail = favail;
  s->bsize = bsize;
  s->frsize = frsize;
  s->namemax = namemax;
  return s;
}

VfsdOpenInfo *
vfsd_open_info_new(gint32 flags, guint32 out_flags, guint64 fh)
{
  VfsdOpenInfo *oi = g_new0(VfsdOpenInfo, 1);
  oi->flags = flags;
  oi->out_flags = out_flags;
  oi->fh = fh;
  return oi;
}

VfsdLock *
vfsd_lock_new(gint32 type, gint64 start, gint64 len, gint32 pid)
{
  VfsdLock *l = g_new0(VfsdLock, 1);
  l->type = type;
  l->start = start;
  l->len = len;
  l->pid = pid;
  return l;
}

/* ---- VfsdInit: the mount pointer is not carried by copies --------------*/

VfsdInit *
vfsd_init_copy(const VfsdInit *init)
{
  VfsdInit *c;
  if (init == NULL)
    return NULL;
  c = g_memdup2(init, sizeof *init);
  c->mount = NULL;
  return c;
}

void
vfsd_init_free(VfsdInit *init)
{
  g_free(init);
}

G_DEFINE_BOXED_TYPE(VfsdInit, vfsd_init, vfsd_init_copy, vfsd_init_free)

/* ---- VfsdDirFiller ------------------------------------------------------
 * The filler the library passes to readdir() lives only during the call.
 * A binding that keeps it gets a copy (its boxed copy function), and a
 * copy is dead: it refuses every entry. */

static VfsdDirFiller *
dir_filler_copy(VfsdDirFiller *f)
{
  VfsdDirFiller *c = g_new0(VfsdDirFiller, 1);
  c->plus = f ? f->plus : false;
  c->valid = false;
  return c;
}

static void
dir_filler_free(VfsdDirFiller *f)
{
  g_free(f);
}

G_DEFINE_BOXED_TYPE(VfsdDirFiller, vfsd_dir_filler, dir_filler_copy,
                    dir_filler_free)

gboolean
vfsd_dir_filler_add(VfsdDirFiller *filler, const char *name, guint64 ino,
                    guint32 mode, gint64 next_offset)
{
  return vfsd_dir_add(filler, name, ino, mode, next_offset);
}

gboolean
vfsd_dir_filler_add_entry(VfsdDirFiller *filler, const char *name,
                          const VfsdEntry *entry, gint64 next_offset)
{
  VfsdEntry e;
  if (filler == NULL || entry == NULL)
    return vfsd_dir_add_entry(filler, name, entry, next_offset);
  /* As for lookup(): inode numbers left 0 are taken from each other. */
  e = *entry;
  if (e.ino == 0)
    e.ino = e.attr.ino;
  if (e.attr.ino == 0)
    e.attr.ino = e.ino;
  return vfsd_dir_add_entry(filler, name, &e, next_offset);
}

gboolean
vfsd_dir_filler_wants_entries(VfsdDirFiller *filler)
{
  return vfsd_dir_wants_entries(filler);
}

/* ---- VfsdPollNotifier ---------------------------------------------------*/

struct _VfsdPollNotifier {
  gint ref;
  VfsdPollHandle *ph;
  VfsdMount *mount; /* keeps the session alive while we may notify */
};

VfsdPollNotifier *
vfsd_poll_notifier_new(VfsdPollHandle *ph, VfsdMount *mount)
{
  VfsdPollNotifier *n = g_new0(VfsdPollNotifier, 1);
  n->ref = 1;
  n->ph = ph;
  n->mount = mount ? g_object_ref(mount) : NULL;
  return n;
}

VfsdPollNotifier *
vfsd_poll_notifier_ref(VfsdPollNotifier *notifier)
{
  g_return_val_if_fail(notifier != NULL, NULL);
  g_atomic_int_inc(&notifier->ref);
  return notifier;
}

void
vfsd_poll_notifier_unref(VfsdPollNotifier *notifier)
{
  if (notifier == NULL || !g_atomic_int_dec_and_test(&notifier->ref))
    return;
  vfsd_poll_handle_free(notifier->ph);
  g_clear_object(&notifier->mount);
  g_free(notifier);
}

void
vfsd_poll_notifier_notify(VfsdPollNotifier *notifier)
{
  g_return_if_fail(notifier != NULL);
  if (notifier->mount && vfsd_mount_is_mounted(notifier->mount))
    vfsd_poll_handle_notify(notifier->ph);
}

G_DEFINE_BOXED_TYPE(VfsdPollNotifier, vfsd_poll_notifier,
                    vfsd_poll_notifier_ref, vfsd_poll_notifier_unref)

/* ---- stacking ------------------------------------------------------------*/

VfsdBackend *
vfsd_backend_stack_layer(VfsdBackend *backend, const char *spec,
                         GError **error)
{
  g_return_val_if_fail(VFSD_IS_BACKEND(backend), NULL);
  if (spec == NULL || spec[0] == '\0') {
    vfsd_set_error(error, EINVAL, "no layer was named");
    return NULL;
  }
  return vfsd_layer_load(spec, backend, error);
}
