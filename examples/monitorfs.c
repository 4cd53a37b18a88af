/* SPDX-License-Identifier: MIT */
/* monitorfs: the seed's MonitorFS.  Serves a directory and logs every
 * operation on it as one JSON line (time, operation, path, caller, result,
 * latency):
 *   ./monitorfs SOURCE LOG [-f] [-o OPTIONS] MOUNTPOINT
 *   ls MOUNTPOINT; cat LOG
 * It is two stock parts stacked: the passthrough backend, and the monitor
 * layer over it (LOG may be "stderr" or "syslog"). */
#include <vfsd/vfsd.h>
#include <stdio.h>

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "Usage: %s SOURCE LOG [-f] [-o OPTIONS] MOUNTPOINT\n", argv[0]);
    return 2;
  }
  g_autofree char *backend = g_strconcat("passthrough:", argv[1], NULL);
  g_autofree char *monitor = g_strconcat("monitor:log=", argv[2], NULL);
  const char *stack[] = { monitor, backend, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(VfsdBackend) b = vfsd_backend_load_stack(stack, &error);
  if (b == NULL) {
    fprintf(stderr, "%s: %s\n", argv[0], error->message);
    return 1;
  }
  /* The rest of the command line is the usual one: [-f] [-o OPTS] MOUNTPOINT. */
  argv[2] = argv[0];
  return vfsd_main(b, argc - 2, argv + 2);
}
