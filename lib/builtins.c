/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The backends and layers built into the library, found by name like
 * modules.  Each entry is defined next to its implementation. */
#include "private.h"
#include "builtins.h"

extern VFSD_INTERNAL const VfsdModuleInfo vfsd_ram_module_info;
const VfsdModuleInfo *const vfsd_builtin_backends[] = {
  &vfsd_ram_module_info,
  NULL
};

const VfsdLayerInfo *const vfsd_builtin_layers[] = {
  NULL
};
