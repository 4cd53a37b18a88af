/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal declarations shared by the files of lib/gobject/: the GObject
 * face of libvfsd (boxed types, VfsdFilesystem and its VfsdOps adapter). */
#ifndef VFSD_GI_PRIVATE_H
#define VFSD_GI_PRIVATE_H

#include "private.h"

#include <vfsd/filesystem.h>

G_BEGIN_DECLS

/* ---- gtypes.c ---- */
/* A notifier owning @ph and a reference to @mount (nullable). */
VFSD_INTERNAL VfsdPollNotifier *vfsd_poll_notifier_new(VfsdPollHandle *ph,
                                                       VfsdMount *mount);

/* ---- filesystem.c: the call being served on this thread ---- */
typedef struct VfsdFsCall {
  VfsdFilesystem *fs;
  const VfsdCtx *ctx;
  struct VfsdFsCall *prev;
} VfsdFsCall;

extern VFSD_INTERNAL __thread VfsdFsCall *vfsd_fs_current_call;

static inline void
vfsd_fs_call_enter(VfsdFsCall *c, VfsdFilesystem *fs, const VfsdCtx *ctx)
{
  c->fs = fs;
  c->ctx = ctx;
  c->prev = vfsd_fs_current_call;
  vfsd_fs_current_call = c;
}

static inline void
vfsd_fs_call_leave(VfsdFsCall *c)
{
  vfsd_fs_current_call = c->prev;
}

/* The mount @fs serves, from init() to destroy(). */
VFSD_INTERNAL void vfsd_filesystem_set_mount(VfsdFilesystem *fs,
                                             VfsdMount *mount);

/* ---- adapter.c, adapter-io.c ---- */
/* The frame of every adapter operation: @self is the VfsdFilesystem (the
 * backend's instance pointer), @ctx the caller.  Declares fs, klass, err,
 * ok; FS_END() returns 0 or a negative errno. */
#define FS_BEGIN(self, ctx)                                                 \
  VfsdFilesystem *fs = (VfsdFilesystem *)(self);                            \
  VfsdFilesystemClass *klass = VFSD_FILESYSTEM_GET_CLASS(fs);               \
  GError *err = NULL;                                                       \
  gboolean ok;                                                              \
  VfsdFsCall call_;                                                         \
  (void)klass;                                                              \
  vfsd_fs_call_enter(&call_, fs, (ctx))
#define FS_END(op)                                                          \
  (vfsd_fs_call_leave(&call_), vfsd_fs_result(fs, (op), ok, err))

/* Names reach the virtual methods as UTF-8 strings (what bindings can
 * convert); a name that is not UTF-8 is answered before the call: a name
 * that should exist cannot (ENOENT, ENODATA), a new name is refused
 * (EILSEQ). */
#define FS_UTF8_OR(s, e)                                                    \
  do {                                                                      \
    if (G_UNLIKELY(!g_utf8_validate((s), -1, NULL)))                        \
      return -(e);                                                          \
  } while (0)

/* The io half of the adapter (adapter-io.c). */
VFSD_INTERNAL void vfsd_fs_adapter_fill_io(VfsdOps *ops,
                                           const VfsdFilesystemClass *klass);

/* Fills @ops with the adapter's operations for the virtual methods @klass
 * overrides (lookup, getattr, init and destroy always). */
VFSD_INTERNAL void vfsd_fs_adapter_fill(VfsdOps *ops,
                                        const VfsdFilesystemClass *klass);
/* Turns the result of a virtual method into 0 or a negative errno, logging
 * (rate-limited) FALSE without an error and errors of foreign domains.
 * Frees @err. */
VFSD_INTERNAL int vfsd_fs_result(VfsdFilesystem *fs, const char *op,
                                 gboolean ok, GError *err);

G_END_DECLS

#endif
