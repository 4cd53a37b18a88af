/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The `vfsd` command: what its subcommand files share. */
#ifndef VFSD_CLI_H
#define VFSD_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <vfsd/vfsd.h>

/* Exit statuses of every subcommand. */
enum { CLI_OK = 0, CLI_ERROR = 1, CLI_USAGE = 2 };

/* The program name for messages ("vfsd"). */
extern const char *cli_prog;

/* Prints "vfsd: MESSAGE\n" to stderr. */
void cli_error(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

/* Subcommands: each gets the arguments after its name (argv[0] is the
 * subcommand's name) and returns an exit status. */
int cli_mount(int argc, char **argv);
int cli_umount(int argc, char **argv);
int cli_backends(int argc, char **argv);
int cli_layers(int argc, char **argv);
int cli_info(int argc, char **argv);
int cli_stats(int argc, char **argv);

/* ---- mounts.c: the mount table ---- */
typedef struct {
  char *mountpoint; /* absolute, unescaped */
  char *fstype;     /* "fuse.vfsd", "tmpfs", … */
  char *source;
  char *super_opts; /* "rw,user_id=0,group_id=0,…" */
} CliMountEntry;

/* The absolute form of @path without resolving its last component, so that
 * a stale mount point (whose stat fails) can still be named.  NULL with
 * errno set when the parent directory cannot be resolved. */
char *cli_abs_path(const char *path);
/* The topmost mount at the absolute path @abs, or false if none. */
bool cli_find_mount(const char *abs, CliMountEntry *out);
void cli_mount_entry_clear(CliMountEntry *e);
bool cli_is_fuse_type(const char *fstype);

/* ---- probe.c: what the kernel offers ---- */
typedef struct {
  uint32_t major, minor;  /* the kernel's FUSE protocol version */
  uint64_t flags;         /* INIT flags it offers (flags | flags2 << 32) */
  uint32_t max_readahead;
  uint32_t libfuse_minor; /* the minor version libfuse answered with */
} CliKernelInit;

/* Mounts an empty FUSE file system at a temporary directory, reads the
 * kernel's INIT request, and unmounts.  Returns false with @error set if
 * that cannot be done (no /dev/fuse, no permission to mount, …). */
bool cli_probe_kernel(CliKernelInit *out, GError **error);

#endif
