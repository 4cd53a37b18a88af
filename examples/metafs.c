/* SPDX-License-Identifier: MIT */
/* metafs: the names and metadata of a directory tree, without its
 * contents.  `ls -lR`, `find`, `du` and `stat` see the tree as it is;
 * opening a file fails with EACCES, and nothing can be changed:
 *   ./metafs SOURCE [-f] [-o OPTIONS] MOUNTPOINT
 * A layer of one operation (open) over two stock parts: the readonly
 * layer and the passthrough backend. */
#include <vfsd/vfsd.h>
#include <errno.h>
#include <stdio.h>

/* Directories are listed (opendir), symlinks read (readlink): only a
 * file's contents are refused. */
static int meta_open(void *self, const VfsdCtx *ctx, uint64_t ino, VfsdOpenInfo *oi) {
  return -EACCES;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "Usage: %s SOURCE [-f] [-o OPTIONS] MOUNTPOINT\n", argv[0]);
    return 2;
  }
  g_autofree char *source = g_strconcat("passthrough:", argv[1], NULL);
  const char *stack[] = { "readonly", source, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(VfsdBackend) below = vfsd_backend_load_stack(stack, &error);
  VfsdOps ops;
  vfsd_ops_init(&ops, "metafs", VFSD_THREAD_PARALLEL);
  ops.open = meta_open;  /* everything else passes through */
  g_autoptr(VfsdBackend) b = below ? vfsd_layer_new(&ops, NULL, NULL, below, &error) : NULL;
  if (b == NULL) {
    fprintf(stderr, "%s: %s\n", argv[0], error->message);
    return 1;
  }
  argv[1] = argv[0];
  return vfsd_main(b, argc - 1, argv + 1);
}
