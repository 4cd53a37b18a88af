/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* VfsdBackend: the object every mountable thing is.  Keeps the library's
 * private copy of a backend's VfsdOps (see "ABI promise" in backend.h). */
#include "private.h"

#include <errno.h>
#include <string.h>

G_DEFINE_TYPE_WITH_PRIVATE(VfsdBackend, vfsd_backend, G_TYPE_OBJECT)

VfsdBackendPrivate *
vfsd_backend_priv(VfsdBackend *b)
{
  return vfsd_backend_get_instance_private(b);
}

static void
vfsd_backend_finalize(GObject *obj)
{
  VfsdBackendPrivate *p = vfsd_backend_priv(VFSD_BACKEND(obj));
  if (p->free_instance && p->instance)
    p->free_instance(p->instance);
  g_clear_object(&p->next);
  g_free(p->name);
  G_OBJECT_CLASS(vfsd_backend_parent_class)->finalize(obj);
}

static void
vfsd_backend_class_init(VfsdBackendClass *klass)
{
  G_OBJECT_CLASS(klass)->finalize = vfsd_backend_finalize;
}

static void
vfsd_backend_init(VfsdBackend *self)
{
  VfsdBackendPrivate *p = vfsd_backend_priv(self);
  p->self = self;
  p->name = g_strdup("unnamed");
}

void
vfsd_ops_init(VfsdOps *ops, const char *name, uint32_t thread_model)
{
  memset(ops, 0, sizeof *ops);
  ops->struct_size = sizeof *ops;
  ops->abi_version = VFSD_ABI_VERSION;
  ops->thread_model = thread_model;
  ops->name = name;
}

/* The smallest VfsdOps a backend can have been compiled with: the header
 * and the two required operations. */
#define VFSD_OPS_MIN_SIZE (offsetof(VfsdOps, getattr) + sizeof(void *))

gboolean
vfsd_backend_setup(VfsdBackend *b, const VfsdOps *ops, void *instance,
                   GDestroyNotify free_instance, VfsdBackend *next,
                   GError **error)
{
  VfsdBackendPrivate *p = vfsd_backend_priv(b);
  const char *name;

  if (ops == NULL) {
    vfsd_set_error(error, EINVAL, "no backend operations were given");
    return FALSE;
  }
  name = (ops->struct_size >= offsetof(VfsdOps, name) + sizeof(char *) &&
          ops->name)
             ? ops->name
             : "unnamed";
  if (ops->abi_version == 0 || ops->abi_version > VFSD_ABI_VERSION) {
    vfsd_set_error(error, EINVAL,
                   "backend '%s' was built for libvfsd ABI version %u, but "
                   "this library (%s) supports versions 1 to %u; rebuild "
                   "the backend or upgrade libvfsd",
                   name, ops->abi_version, VFSD_VERSION_STRING,
                   VFSD_ABI_VERSION);
    return FALSE;
  }
  if (ops->struct_size < VFSD_OPS_MIN_SIZE) {
    vfsd_set_error(error, EINVAL,
                   "backend '%s' has an operations table of %u bytes, too "
                   "small to be a VfsdOps (fill it with VFSD_OPS_INIT)",
                   name, ops->struct_size);
    return FALSE;
  }
  if (ops->thread_model > VFSD_THREAD_PARALLEL) {
    vfsd_set_error(error, EINVAL, "backend '%s' declares thread model %u, "
                   "which does not exist", name, ops->thread_model);
    return FALSE;
  }

  /* A table larger than ours (same ABI, newer headers) holds operations
   * this library cannot call: they are ignored.  A smaller one (older
   * headers) lacks operations: they stay NULL. */
  memset(&p->ops, 0, sizeof p->ops);
  memcpy(&p->ops, ops, MIN((size_t)ops->struct_size, sizeof p->ops));
  p->ops.struct_size = sizeof p->ops;

  if (next == NULL && (p->ops.lookup == NULL || p->ops.getattr == NULL)) {
    vfsd_set_error(error, EINVAL,
                   "backend '%s' lacks the required operation %s", name,
                   p->ops.lookup == NULL ? "lookup" : "getattr");
    return FALSE;
  }
  if ((p->ops.getlk == NULL) != (p->ops.setlk == NULL)) {
    vfsd_set_error(error, EINVAL,
                   "backend '%s' implements only one of getlk and setlk; "
                   "POSIX locks need both", name);
    return FALSE;
  }

  g_free(p->name);
  p->name = g_strdup(name);
  p->ops.name = p->name;
  p->instance = instance;
  p->free_instance = free_instance;
  p->next = next ? g_object_ref(next) : NULL;
  p->thread_model = p->ops.thread_model;
  p->flags = p->ops.flags;
  if (next) {
    VfsdBackendPrivate *np = vfsd_backend_priv(next);
    p->thread_model = MIN(p->thread_model, np->thread_model);
    /* Directory offsets are stable only if whoever produces them keeps
     * them stable. */
    if (p->ops.readdir == NULL)
      p->flags = (p->flags & ~VFSD_BACKEND_STABLE_DIR_OFFSETS) |
                 (np->flags & VFSD_BACKEND_STABLE_DIR_OFFSETS);
    p->flags |= np->flags & ~VFSD_BACKEND_STABLE_DIR_OFFSETS;
  }
  return TRUE;
}

VfsdBackend *
vfsd_backend_new(const VfsdOps *ops, void *instance,
                 GDestroyNotify free_instance, GError **error)
{
  VfsdBackend *b = g_object_new(VFSD_TYPE_BACKEND, NULL);
  if (!vfsd_backend_setup(b, ops, instance, free_instance, NULL, error)) {
    g_object_unref(b);
    return NULL;
  }
  return b;
}

VfsdBackend *
vfsd_layer_new(const VfsdOps *ops, void *instance,
               GDestroyNotify free_instance, VfsdBackend *next,
               GError **error)
{
  VfsdBackend *b;
  if (!VFSD_IS_BACKEND(next)) {
    vfsd_set_error(error, EINVAL, "a layer needs a backend to stand on");
    return NULL;
  }
  b = g_object_new(VFSD_TYPE_BACKEND, NULL);
  if (!vfsd_backend_setup(b, ops, instance, free_instance, next, error)) {
    g_object_unref(b);
    return NULL;
  }
  return b;
}

VfsdBackend *
vfsd_layer_new_hooks(const VfsdLayerHooks *hooks, void *instance,
                     GDestroyNotify free_instance, VfsdBackend *next,
                     GError **error)
{
  VfsdOps ops;
  VfsdBackend *b;
  VfsdBackendPrivate *p;
  uint64_t all = VFSD_OP_BIT(VFSD_OP_COUNT) - 1;
  if (hooks == NULL || (hooks->before == NULL && hooks->after == NULL)) {
    vfsd_set_error(error, EINVAL, "a hooks layer needs a before or an after "
                   "hook");
    return NULL;
  }
  if (hooks->ops & ~all) {
    vfsd_set_error(error, EINVAL, "layer '%s' hooks operations that do not "
                   "exist (ops 0x%" G_GINT64_MODIFIER "x)",
                   hooks->name ? hooks->name : "unnamed", hooks->ops);
    return NULL;
  }
  vfsd_ops_init(&ops, hooks->name ? hooks->name : "unnamed",
                VFSD_THREAD_PARALLEL);
  b = vfsd_layer_new(&ops, instance, free_instance, next, error);
  if (b == NULL)
    return NULL;
  p = vfsd_backend_priv(b);
  p->hooks = *hooks;
  p->hooks.name = p->name;
  p->hook_ops = hooks->ops ? hooks->ops : all;
  /* A copying read and a zero-copy read are one operation to a layer. */
  if (p->hook_ops & (VFSD_OP_BIT(VFSD_OP_READ) | VFSD_OP_BIT(VFSD_OP_READ_IOV)))
    p->hook_ops |= VFSD_OP_BIT(VFSD_OP_READ) | VFSD_OP_BIT(VFSD_OP_READ_IOV);
  return b;
}

const char *
vfsd_backend_get_name(VfsdBackend *backend)
{
  g_return_val_if_fail(VFSD_IS_BACKEND(backend), NULL);
  return vfsd_backend_priv(backend)->name;
}

void *
vfsd_backend_get_instance(VfsdBackend *backend)
{
  g_return_val_if_fail(VFSD_IS_BACKEND(backend), NULL);
  return vfsd_backend_priv(backend)->instance;
}

const VfsdOps *
vfsd_backend_get_ops(VfsdBackend *backend)
{
  g_return_val_if_fail(VFSD_IS_BACKEND(backend), NULL);
  return &vfsd_backend_priv(backend)->ops;
}

VfsdThreadModel
vfsd_backend_get_thread_model(VfsdBackend *backend)
{
  g_return_val_if_fail(VFSD_IS_BACKEND(backend), VFSD_THREAD_SERIALIZE_ALL);
  return (VfsdThreadModel)vfsd_backend_priv(backend)->thread_model;
}

VfsdBackend *
vfsd_backend_get_next(VfsdBackend *backend)
{
  g_return_val_if_fail(VFSD_IS_BACKEND(backend), NULL);
  return vfsd_backend_priv(backend)->next;
}

uint32_t
vfsd_backend_effective_flags(VfsdBackend *b)
{
  return vfsd_backend_priv(b)->flags;
}
