/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The `vfsd` command: mount any libvfsd backend, list what can be mounted,
 * and show what this machine supports.  Each subcommand lives in a file of
 * its own (mount.c, umount.c, list.c, info.c). */
#include "config.h"
#include "vfsd-cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *cli_prog = "vfsd";

void
cli_error(const char *fmt, ...)
{
  va_list ap;
  fflush(stdout);
  fprintf(stderr, "%s: ", cli_prog);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
}

static void
usage(FILE *f)
{
  fprintf(f,
          "Usage: %s COMMAND [ARGUMENTS]\n"
          "Mount file systems built with libvfsd.\n"
          "\n"
          "Commands:\n"
          "  mount [-f] [-o OPTIONS] [-l LAYER[:ARGS]]... BACKEND[:ARGS] "
          "MOUNTPOINT\n"
          "      mount BACKEND at MOUNTPOINT and serve it in the background\n"
          "      (-f: in the foreground, until unmounted or interrupted)\n"
          "  umount [-z] MOUNTPOINT\n"
          "      unmount a FUSE file system (-z: lazily, even if busy)\n"
          "  backends [-v]\n"
          "      list the backends that can be mounted (-v: with their "
          "arguments)\n"
          "  layers [-v]\n"
          "      list the layers that can be stacked with mount -l\n"
          "  stats [--json | --reset] MOUNTPOINT\n"
          "      show the per-operation statistics of a mount stacked with\n"
          "      the stats layer (mount -l stats)\n"
          "  info\n"
          "      show the libvfsd, libfuse and kernel versions and the FUSE\n"
          "      features this machine offers\n"
          "\n"
          "Options:\n"
          "  -h, --help        show this help (COMMAND --help: that "
          "command's)\n"
          "  -V, --version     show the version\n"
          "  --help-options    describe every mount option (mount -o)\n"
          "\n"
          "Example: %s mount ram:size=1G ./mnt && ... && %s umount ./mnt\n"
          "See vfsd(1).\n",
          cli_prog, cli_prog, cli_prog);
}

int
main(int argc, char **argv)
{
  static const struct {
    const char *name;
    int (*run)(int, char **);
  } commands[] = {
    { "mount", cli_mount },       { "umount", cli_umount },
    { "unmount", cli_umount },    { "backends", cli_backends },
    { "layers", cli_layers },     { "info", cli_info },
    { "stats", cli_stats },
  };
  const char *cmd;

  if (argc < 2) {
    usage(stderr);
    return CLI_USAGE;
  }
  cmd = argv[1];
  if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
    usage(stdout);
    return CLI_OK;
  }
  if (!strcmp(cmd, "-V") || !strcmp(cmd, "--version")) {
    printf("vfsd (libvfsd) %s\n", vfsd_get_version());
    return CLI_OK;
  }
  if (!strcmp(cmd, "--help-options")) {
    printf("Mount options (vfsd mount -o OPTION[,OPTION]...):\n%s",
           vfsd_mount_options_help());
    return CLI_OK;
  }
  for (size_t i = 0; i < G_N_ELEMENTS(commands); i++)
    if (!strcmp(cmd, commands[i].name))
      return commands[i].run(argc - 1, argv + 1);
  if (cmd[0] == '-')
    cli_error("unknown option '%s' (try `%s --help`)", cmd, cli_prog);
  else
    cli_error("unknown command '%s' (commands: mount, umount, backends, "
              "layers, stats, info; try `%s --help`)", cmd, cli_prog);
  return CLI_USAGE;
}
