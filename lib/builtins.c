/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The backends and layers built into the library, found by name like
 * modules.  Each entry is defined next to its implementation. */
#include "private.h"
#include "builtins.h"

extern VFSD_INTERNAL const VfsdModuleInfo vfsd_ram_module_info;
extern VFSD_INTERNAL const VfsdModuleInfo vfsd_backend_passthrough;
extern VFSD_INTERNAL const VfsdLayerInfo vfsd_layer_readonly, vfsd_layer_fault,
    vfsd_layer_monitor, vfsd_layer_stats;

const VfsdModuleInfo *const vfsd_builtin_backends[] = {
  &vfsd_ram_module_info,
  &vfsd_backend_passthrough,
  NULL
};

const VfsdLayerInfo *const vfsd_builtin_layers[] = {
  &vfsd_layer_monitor,
  &vfsd_layer_readonly,
  &vfsd_layer_fault,
  &vfsd_layer_stats,
  NULL
};
