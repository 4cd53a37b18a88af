/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* readonly: every operation that would change the file system fails with
 * EROFS; everything else passes through.  See doc/layers/readonly.md. */
#include "layers.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/ioctl.h>

static int
ro_before(void *self, VfsdCall *c)
{
  if (vfsd_op_is_modifying(c->op))
    return -EROFS;
  if (c->op == VFSD_OP_OPEN &&
      ((c->oi->flags & O_ACCMODE) != O_RDONLY || (c->oi->flags & O_TRUNC)))
    return -EROFS;
  /* An ioctl that passes data in may set something. */
  if (c->op == VFSD_OP_IOCTL && (_IOC_DIR(c->flags) & _IOC_WRITE))
    return -EROFS;
  return 0;
}

static VfsdBackend *
ro_create(VfsdBackend *next, const char *args, GError **error)
{
  VfsdLayerHooks hooks = { .name = "readonly", .before = ro_before };
  if (args && *args) {
    vfsd_set_error(error, EINVAL, "layer 'readonly' takes no arguments "
                   "(got '%s')", args);
    return NULL;
  }
  for (int op = 0; op < VFSD_OP_COUNT; op++)
    if (vfsd_op_is_modifying((VfsdOpId)op))
      hooks.ops |= VFSD_OP_BIT(op);
  hooks.ops |= VFSD_OP_BIT(VFSD_OP_OPEN) | VFSD_OP_BIT(VFSD_OP_IOCTL);
  return vfsd_layer_new_hooks(&hooks, NULL, NULL, next, error);
}

VFSD_INTERNAL const VfsdLayerInfo vfsd_layer_readonly = {
  .name = "readonly",
  .summary = "refuse every change with EROFS (read-only view of the "
             "backend below)",
  .args_help = NULL,
  .create = ro_create,
};
