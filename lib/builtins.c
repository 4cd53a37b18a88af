/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The backends and layers built into the library, found by name like
 * modules.  Each entry is defined next to its implementation. */
#include "private.h"
#include "builtins.h"

const VfsdModuleInfo *const vfsd_builtin_backends[] = {
  NULL
};

const VfsdLayerInfo *const vfsd_builtin_layers[] = {
  NULL
};
