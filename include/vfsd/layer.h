/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libvfsd — layers: backends built over another backend.
 *
 * A layer is a VfsdOps table like any backend's, plus the backend it stands
 * on ("next").  An operation the layer leaves NULL passes straight through
 * to next; an operation it implements decides itself whether and how to
 * call next, always through the vfsd_call_*() functions of <vfsd/call.h>,
 * which check arguments and results and trace (VFSD_DEBUG=ops).  init,
 * destroy and forget follow the same rule: a layer that implements them
 * passes them on itself.
 *
 * The effective thread model of a stack is the strictest along it.
 *
 * Layers are built with the library: this interface has no ABI promise
 * (an old layer that silently passed a new operation through could corrupt
 * data).  Backends get the stable ABI of <vfsd/backend.h>.
 */
#ifndef VFSD_LAYER_H
#define VFSD_LAYER_H

#include <vfsd/backend.h>
#include <vfsd/call.h>

G_BEGIN_DECLS

/**
 * vfsd_layer_new: (skip)
 * @ops: the layer's operations (copied like a backend's)
 * @instance: (nullable): passed as `self` to the layer's operations
 * @free_instance: (nullable): frees @instance with the layer
 * @next: the backend below; the layer takes a reference
 * @error: return location for a #GError
 *
 * Stacks a layer on @next.  Unlike vfsd_backend_new(), lookup and getattr
 * may be NULL (they pass through).
 *
 * Returns: (transfer full): the layer as a backend, or NULL with @error set
 *   (then @free_instance is not called).
 */
VfsdBackend *vfsd_layer_new(const VfsdOps *ops, void *instance,
                            GDestroyNotify free_instance, VfsdBackend *next,
                            GError **error);

/**
 * VfsdLayerInfo: (skip)
 * @name: the layer's name, as given to `vfsd mount -l NAME:ARGS`
 * @summary: one line of help
 * @args_help: (nullable): what ARGS may be, one item per line
 * @create: stacks a new instance on @next from the argument string (never
 *   NULL, maybe empty); NULL with @error set when the arguments are wrong
 *
 * A layer the library knows by name.  The built-in layers are listed in
 * lib/builtins.c.
 */
typedef struct VfsdLayerInfo {
  const char *name;
  const char *summary;
  const char *args_help;
  VfsdBackend *(*create)(VfsdBackend *next, const char *args, GError **error);
} VfsdLayerInfo;

/**
 * vfsd_layer_load:
 * @spec: `NAME` or `NAME:ARGS`, e.g. `readonly` or `monitor:log=access.jsonl`
 * @next: the backend to stack the layer on
 * @error: return location for a #GError
 *
 * Stacks a layer, found by name, on @next.
 *
 * Returns: (transfer full): the layer, or NULL with @error set.
 */
VfsdBackend *vfsd_layer_load(const char *spec, VfsdBackend *next,
                             GError **error);

/**
 * vfsd_layer_find: (skip)
 * @name: a layer name
 *
 * Returns: the layer's description, or NULL if there is no such layer.
 */
const VfsdLayerInfo *vfsd_layer_find(const char *name);

/**
 * vfsd_layer_list_names:
 *
 * Returns: (transfer full) (array zero-terminated=1): the names of every
 *   layer that can be stacked.
 */
gchar **vfsd_layer_list_names(void);

G_END_DECLS

#endif
