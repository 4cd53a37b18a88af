/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* VfsdFilesystem: the abstract backend whose operations are virtual
 * methods.  At construction it installs an adapter (adapter.c) that
 * implements VfsdOps by calling the methods the class overrides. */
#include "gi-private.h"

#include <errno.h>
#include <string.h>

__thread VfsdFsCall *vfsd_fs_current_call;

typedef struct {
  char *name;
  VfsdThreadModel thread_model;
  VfsdBackendFlags flags;
  GWeakRef mount;
} VfsdFilesystemPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE(VfsdFilesystem, vfsd_filesystem,
                                    VFSD_TYPE_BACKEND)

enum { PROP_0, PROP_NAME, PROP_THREAD_MODEL, PROP_FLAGS, N_PROPS };
static GParamSpec *props[N_PROPS];

static void
vfsd_filesystem_set_property(GObject *obj, guint id, const GValue *value,
                             GParamSpec *pspec)
{
  VfsdFilesystemPrivate *p =
      vfsd_filesystem_get_instance_private(VFSD_FILESYSTEM(obj));
  switch (id) {
  case PROP_NAME:
    g_free(p->name);
    p->name = g_value_dup_string(value);
    break;
  case PROP_THREAD_MODEL:
    p->thread_model = g_value_get_enum(value);
    break;
  case PROP_FLAGS:
    p->flags = g_value_get_flags(value);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID(obj, id, pspec);
  }
}

static void
vfsd_filesystem_get_property(GObject *obj, guint id, GValue *value,
                             GParamSpec *pspec)
{
  VfsdFilesystemPrivate *p =
      vfsd_filesystem_get_instance_private(VFSD_FILESYSTEM(obj));
  switch (id) {
  case PROP_NAME:
    g_value_set_string(value, vfsd_backend_get_name(VFSD_BACKEND(obj)));
    break;
  case PROP_THREAD_MODEL:
    g_value_set_enum(value, p->thread_model);
    break;
  case PROP_FLAGS:
    g_value_set_flags(value, p->flags);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID(obj, id, pspec);
  }
}

/* The default name: the type name without a binding's module prefix
 * (PyGObject registers "module+Class"). */
static char *
default_name(GObject *obj)
{
  const char *t = G_OBJECT_TYPE_NAME(obj);
  const char *plus = strrchr(t, '+');
  return g_strdup(plus ? plus + 1 : t);
}

static void
vfsd_filesystem_constructed(GObject *obj)
{
  VfsdFilesystem *self = VFSD_FILESYSTEM(obj);
  VfsdFilesystemPrivate *p = vfsd_filesystem_get_instance_private(self);
  VfsdFilesystemClass *klass = VFSD_FILESYSTEM_GET_CLASS(self);
  GError *error = NULL;
  VfsdOps ops;
  char *name = p->name && p->name[0] ? g_strdup(p->name) : default_name(obj);

  G_OBJECT_CLASS(vfsd_filesystem_parent_class)->constructed(obj);
  vfsd_ops_init(&ops, name, p->thread_model);
  ops.flags = p->flags;
  vfsd_fs_adapter_fill(&ops, klass);
  if (klass->lookup == NULL || klass->getattr == NULL)
    vfsd_log(G_LOG_LEVEL_WARNING, "file system '%s' does not implement %s: "
             "every call of it will fail with ENOSYS", name,
             klass->lookup == NULL ? "lookup (do_lookup)"
                                   : "getattr (do_getattr)");
  if ((klass->getlk == NULL) != (klass->setlk == NULL))
    vfsd_log(G_LOG_LEVEL_WARNING, "file system '%s' implements only one of "
             "getlk and setlk; POSIX locks are left to the kernel", name);
  /* Cannot fail: lookup and getattr are always installed, the lock pair
   * is completed or dropped by the adapter. */
  if (!vfsd_backend_setup(VFSD_BACKEND(self), &ops, self, NULL, NULL,
                          &error)) {
    vfsd_log(G_LOG_LEVEL_CRITICAL, "VfsdFilesystem '%s': %s", name,
             error->message);
    g_error_free(error);
  }
  g_free(name);
}

static void
vfsd_filesystem_finalize(GObject *obj)
{
  VfsdFilesystemPrivate *p =
      vfsd_filesystem_get_instance_private(VFSD_FILESYSTEM(obj));
  g_free(p->name);
  g_weak_ref_clear(&p->mount);
  G_OBJECT_CLASS(vfsd_filesystem_parent_class)->finalize(obj);
}

static void
vfsd_filesystem_class_init(VfsdFilesystemClass *klass)
{
  GObjectClass *oc = G_OBJECT_CLASS(klass);
  oc->set_property = vfsd_filesystem_set_property;
  oc->get_property = vfsd_filesystem_get_property;
  oc->constructed = vfsd_filesystem_constructed;
  oc->finalize = vfsd_filesystem_finalize;

  /**
   * VfsdFilesystem:name:
   *
   * The short name of the file system, shown in logs and as the source of
   * the mount.  Default: the class name.
   */
  props[PROP_NAME] = g_param_spec_string(
      "name", "Name", "Short name, for logs and /proc/mounts", NULL,
      G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * VfsdFilesystem:thread-model:
   *
   * How many operations may run at once.  The default,
   * %VFSD_THREAD_SERIALIZE_ALL, runs one at a time.
   */
  props[PROP_THREAD_MODEL] = g_param_spec_enum(
      "thread-model", "Thread model", "How many operations may run at once",
      VFSD_TYPE_THREAD_MODEL, VFSD_THREAD_SERIALIZE_ALL,
      G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * VfsdFilesystem:flags:
   *
   * #VfsdBackendFlags: %VFSD_BACKEND_STABLE_DIR_OFFSETS when readdir()
   * offsets survive changes to the directory, and so on.
   */
  props[PROP_FLAGS] = g_param_spec_flags(
      "flags", "Flags", "VfsdBackendFlags", VFSD_TYPE_BACKEND_FLAGS, 0,
      G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties(oc, N_PROPS, props);
}

static void
vfsd_filesystem_init(VfsdFilesystem *self)
{
  VfsdFilesystemPrivate *p = vfsd_filesystem_get_instance_private(self);
  g_weak_ref_init(&p->mount, NULL);
}

void
vfsd_filesystem_set_mount(VfsdFilesystem *fs, VfsdMount *mount)
{
  VfsdFilesystemPrivate *p = vfsd_filesystem_get_instance_private(fs);
  g_weak_ref_set(&p->mount, mount);
}

/* ---- inside an operation ------------------------------------------------*/

static const VfsdCtx *
current_ctx(VfsdFilesystem *self)
{
  for (VfsdFsCall *c = vfsd_fs_current_call; c; c = c->prev)
    if (c->fs == self)
      return c->ctx;
  return NULL;
}

gboolean
vfsd_filesystem_get_caller(VfsdFilesystem *self, guint32 *uid, guint32 *gid,
                           guint32 *pid, guint32 *umask)
{
  const VfsdCtx *ctx;
  g_return_val_if_fail(VFSD_IS_FILESYSTEM(self), FALSE);
  ctx = current_ctx(self);
  if (uid) *uid = ctx ? ctx->uid : 0;
  if (gid) *gid = ctx ? ctx->gid : 0;
  if (pid) *pid = ctx ? ctx->pid : 0;
  if (umask) *umask = ctx ? ctx->umask : 0;
  return ctx != NULL;
}

gboolean
vfsd_filesystem_caller_in_group(VfsdFilesystem *self, guint32 gid)
{
  g_return_val_if_fail(VFSD_IS_FILESYSTEM(self), FALSE);
  return vfsd_ctx_in_group(current_ctx(self), gid);
}

gboolean
vfsd_filesystem_is_interrupted(VfsdFilesystem *self)
{
  g_return_val_if_fail(VFSD_IS_FILESYSTEM(self), FALSE);
  return vfsd_ctx_interrupted(current_ctx(self));
}

VfsdMount *
vfsd_filesystem_get_mount(VfsdFilesystem *self)
{
  VfsdFilesystemPrivate *p;
  g_return_val_if_fail(VFSD_IS_FILESYSTEM(self), NULL);
  p = vfsd_filesystem_get_instance_private(self);
  return g_weak_ref_get(&p->mount);
}
