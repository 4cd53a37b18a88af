/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `vfsd backends [-v]` and `vfsd layers [-v]`: what can be mounted and
 * stacked, one line of help each (with -v, the arguments each takes). */
#include "config.h"
#include "vfsd-cli.h"

#include <stdio.h>
#include <string.h>

/* Prints "  ARGS…" lines of an args_help text under an entry. */
static void
print_args_help(const char *help)
{
  char **lines;
  if (help == NULL || help[0] == '\0') {
    printf("    (takes no arguments)\n");
    return;
  }
  lines = g_strsplit(help, "\n", -1);
  for (char **l = lines; *l; l++)
    if (**l)
      printf("    %s\n", *l);
  g_strfreev(lines);
}

/* Parses [-v|--verbose] [-h|--help]; returns -1 to go on. */
static int
parse_list_args(int argc, char **argv, bool *verbose, const char *what)
{
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose"))
      *verbose = true;
    else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
      printf("Usage: %s %s [-v]\nList the %s%s, one line of help each "
             "(-v: with their arguments).\n",
             cli_prog, argv[0], what,
             !strcmp(argv[0], "layers") ? " that `mount -l` can stack"
                                        : " that `mount` can mount");
      return CLI_OK;
    } else {
      cli_error("%s: unexpected argument '%s' (usage: %s %s [-v])", argv[0],
                argv[i], cli_prog, argv[0]);
      return CLI_USAGE;
    }
  }
  return -1;
}

int
cli_backends(int argc, char **argv)
{
  bool verbose = false;
  int r = parse_list_args(argc, argv, &verbose, "backends");
  char **names;
  if (r >= 0)
    return r;
  names = vfsd_module_list_names();
  if (names[0] == NULL)
    cli_error("no backends found (none built in, and no vfsd-NAME.so on "
              "VFSD_MODULE_PATH or in " VFSD_MODULE_DIR ")");
  for (char **n = names; *n; n++) {
    GError *error = NULL;
    const VfsdModuleInfo *info = vfsd_module_find(*n, &error);
    if (info == NULL) {
      /* Listed, but it does not load: say why, and go on. */
      printf("%-14s (cannot be loaded: %s)\n", *n, error->message);
      g_error_free(error);
      continue;
    }
    printf("%-14s %s\n", *n, info->summary ? info->summary : "");
    if (verbose)
      print_args_help(info->args_help);
  }
  g_strfreev(names);
  return CLI_OK;
}

int
cli_layers(int argc, char **argv)
{
  bool verbose = false;
  int r = parse_list_args(argc, argv, &verbose, "layers");
  char **names;
  if (r >= 0)
    return r;
  names = vfsd_layer_list_names();
  if (names[0] == NULL)
    cli_error("no layers are built into this libvfsd");
  for (char **n = names; *n; n++) {
    const VfsdLayerInfo *info = vfsd_layer_find(*n);
    printf("%-14s %s\n", *n, info && info->summary ? info->summary : "");
    if (verbose && info)
      print_args_help(info->args_help);
  }
  g_strfreev(names);
  return CLI_OK;
}
