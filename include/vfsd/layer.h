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

/* ---- Hooks: one generic wrapper for layers that see every call ----------
 *
 * Tracing, statistics, fault injection and access control do the same
 * thing around every operation.  Instead of 40 forwarding functions, such a
 * layer gives two hooks, and the choke point calls them around each call
 * that passes the layer: before() may answer the call itself with an error
 * (it then never goes down), after() sees the result and the time spent
 * below.  Both get the call described by one VfsdCall.
 *
 * Which VfsdCall fields each operation fills (others are 0 / NULL):
 *
 *   init        init
 *   destroy     -
 *   forget      ino
 *   lookup      ino (the directory), name, entry
 *   getattr     ino, fh, attr
 *   setattr     ino, fh, attr_in, flags (VfsdSetattrFlags), attr
 *   readlink    ino, buf, size
 *   mknod       ino, name, mode, rdev, entry
 *   mkdir       ino, name, mode, entry
 *   unlink      ino, name
 *   rmdir       ino, name
 *   symlink     ino, name, name2 (the target), entry
 *   rename      ino, name, ino2, name2, flags
 *   link        ino (the file), ino2 (the new directory), name2, entry
 *   open        ino, oi
 *   create      ino, name, mode, oi, entry
 *   read        ino, fh, buf, size, off
 *   read_iov    ino, fh, rb, size, off
 *   write       ino, fh, data, size, off, flags (VfsdWriteFlags)
 *   flush       ino, fh, lock_owner
 *   release     ino, fh, flags (the open flags)
 *   fsync       ino, fh, flags (datasync)
 *   opendir     ino, oi
 *   readdir     ino, fh, off, filler
 *   releasedir  ino, fh
 *   fsyncdir    ino, fh, flags (datasync)
 *   statfs      ino, statfs
 *   setxattr    ino, name, data, size, flags
 *   getxattr    ino, name, buf, size
 *   listxattr   ino, buf, size
 *   removexattr ino, name
 *   access      ino, flags (the mask)
 *   fallocate   ino, fh, flags (the mode), off, size
 *   lseek       ino, fh, off, flags (whence), out_off
 *   copy_file_range  ino, fh, off, ino2, fh2, off2, size, flags
 *   getlk       ino, fh, lock_owner, lock
 *   setlk       ino, fh, lock_owner, lock (read only), flags (sleep)
 *   flock       ino, fh, lock_owner, flags (the operation)
 *   bmap        ino, size (the block size), idx
 *   ioctl       ino, fh, flags (the command), data, size, buf, out_size
 *   poll        ino, fh, flags (the events), ph, revents
 *
 * The call that goes down is made from the VfsdCall, so before() may change
 * arguments: e.g. replace @filler with a filler of its own
 * (vfsd_dir_filler_new()) that sees each entry and forwards it.  Outputs
 * (entry, attr, oi, buf, …) are valid in after() when the result is >= 0.
 */

/**
 * VFSD_OP_BIT:
 * @op: a #VfsdOpId
 *
 * The bit of @op in VfsdLayerHooks.ops.
 */
#define VFSD_OP_BIT(op) (UINT64_C(1) << (op))

/**
 * VfsdCall: (skip)
 *
 * One call passing a layer with hooks; see the table above for which field
 * carries what.  @elapsed_ns is set before after() runs: the nanoseconds
 * spent below the layer (0 when before() answered).  @layer_data is the
 * hooks' own, for passing state from before() to after().
 */
typedef struct VfsdCall {
  VfsdOpId op;
  uint32_t flags;
  const VfsdCtx *ctx;          /* NULL for init, destroy and forget */
  uint64_t ino;
  uint64_t fh;
  int64_t off;
  uint64_t size;
  const char *name;
  uint64_t ino2;
  uint64_t fh2;
  int64_t off2;
  const char *name2;
  uint32_t mode;
  uint64_t rdev;
  uint64_t lock_owner;
  void *buf;
  const void *data;
  const VfsdAttr *attr_in;
  VfsdAttr *attr;
  VfsdEntry *entry;
  VfsdOpenInfo *oi;
  VfsdStatfs *statfs;
  VfsdInit *init;
  VfsdReadBuf *rb;
  VfsdDirFiller *filler;
  struct flock *lock;
  int64_t *out_off;
  uint64_t *idx;
  size_t *out_size;
  VfsdPollHandle *ph;
  uint32_t *revents;
  int64_t elapsed_ns;
  void *layer_data;
} VfsdCall;

/**
 * VfsdLayerHooks: (skip)
 * @name: the layer's name, for logs and traces
 * @ops: VFSD_OP_BIT()s of the operations the hooks see, 0 for all; the
 *   others pass the layer untouched, at no cost (read and read_iov count as
 *   one)
 * @before: (nullable): runs first; returns 0 to let the call go down, or a
 *   negative errno to answer the call with it.  Ignored (the call always
 *   goes down) for destroy, forget, release and releasedir, which must
 *   reach the backend.
 * @after: (nullable): runs last, with the result (a negative errno, 0, or
 *   a byte count), also when before() answered
 *
 * The hooks of a layer made with vfsd_layer_new_hooks().  They run on any
 * thread, concurrently: they must be thread-safe.
 */
typedef struct VfsdLayerHooks {
  const char *name;
  uint64_t ops;
  int (*before)(void *self, VfsdCall *call);
  void (*after)(void *self, VfsdCall *call, int64_t result);
} VfsdLayerHooks;

/**
 * vfsd_layer_new_hooks: (skip)
 * @hooks: the hooks (copied)
 * @instance: (nullable): passed as `self` to the hooks
 * @free_instance: (nullable): frees @instance with the layer
 * @next: the backend below; the layer takes a reference
 * @error: return location for a #GError
 *
 * Stacks a layer that implements no operation itself but sees the calls
 * named in @hooks->ops.  Its thread model is parallel (the hooks must be
 * thread-safe).  A layer that needs operations of its own as well (a
 * virtual file, an init) stacks a vfsd_layer_new() layer over this one.
 *
 * Returns: (transfer full): the layer, or NULL with @error set (then
 *   @free_instance is not called).
 */
VfsdBackend *vfsd_layer_new_hooks(const VfsdLayerHooks *hooks, void *instance,
                                  GDestroyNotify free_instance,
                                  VfsdBackend *next, GError **error);

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
