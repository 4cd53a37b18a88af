/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Declarations of the built-in backends and layers (lib/builtins.c). */
#ifndef VFSD_BUILTINS_H
#define VFSD_BUILTINS_H

#include <vfsd/module.h>
#include <vfsd/layer.h>

#define VFSD_INTERNAL __attribute__((visibility("hidden")))

/* NULL-terminated tables. */
extern VFSD_INTERNAL const VfsdModuleInfo *const vfsd_builtin_backends[];
extern VFSD_INTERNAL const VfsdLayerInfo *const vfsd_builtin_layers[];

#endif
