/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* s3-mount BACKEND:ARGS [-f] [-o OPTIONS] MOUNTPOINT — mounts a backend
 * found by name, the way `vfsd mount` does, for the S3 tests that need a
 * mount served by another process (several writers, two mounts, faults). */
#include <vfsd/vfsd.h>

#include <stdio.h>

int
main(int argc, char **argv)
{
  GError *error = NULL;
  VfsdBackend *b;
  int rc;
  if (argc < 3) {
    fprintf(stderr, "usage: %s BACKEND:ARGS [-f] [-o OPTIONS] MOUNTPOINT\n",
            argv[0]);
    return 2;
  }
  b = vfsd_backend_load(argv[1], &error);
  if (b == NULL) {
    fprintf(stderr, "%s\n", error->message);
    g_error_free(error);
    return 1;
  }
  argv[1] = argv[0];
  rc = vfsd_main(b, argc - 1, argv + 1);
  g_object_unref(b);
  return rc;
}
