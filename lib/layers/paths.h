/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The names of inodes, as far as a layer can know them (paths.c). */
#ifndef VFSD_PATHS_H
#define VFSD_PATHS_H

#include "layers.h"

G_BEGIN_DECLS

typedef struct VfsdPathTable VfsdPathTable;

VFSD_INTERNAL VfsdPathTable *vfsd_paths_new(void);
VFSD_INTERNAL void vfsd_paths_free(VfsdPathTable *t);
/* A reply named @parent/@name as @ino. */
VFSD_INTERNAL void vfsd_paths_learn(VfsdPathTable *t, uint64_t parent,
                                    const char *name, uint64_t ino);
/* The kernel forgot @ino. */
VFSD_INTERNAL void vfsd_paths_forget(VfsdPathTable *t, uint64_t ino);
/* @parent/@name was removed. */
VFSD_INTERNAL void vfsd_paths_unlinked(VfsdPathTable *t, uint64_t parent,
                                       const char *name);
/* A successful rename (RENAME_EXCHANGE when @exchange). */
VFSD_INTERNAL void vfsd_paths_renamed(VfsdPathTable *t, uint64_t parent,
                                      const char *name, uint64_t newparent,
                                      const char *newname, bool exchange);
/* Appends the path of @ino, then "/@name" when @name is given.  A part
 * that is not known shows as "<ino N>": "<ino 12>/b/c". */
VFSD_INTERNAL void vfsd_paths_append(VfsdPathTable *t, GString *out,
                                     uint64_t ino, const char *name);

G_END_DECLS

#endif
