/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `vfsd info`: versions, limits, and the FUSE features this machine
 * offers.  Kernel facts come from a probe mount (probe.c); libfuse facts
 * from what configure found (config.h) and fuse_pkgversion(). */
#include "config.h"
#include "vfsd-cli.h"

#define FUSE_USE_VERSION 314
#include <fuse_lowlevel.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

/* INIT flags of the kernel's FUSE protocol (linux/fuse.h). */
#define K_SPLICE_READ (1ULL << 9)
#define K_READDIRPLUS (1ULL << 13)
#define K_WRITEBACK_CACHE (1ULL << 16)
#define K_POSIX_ACL (1ULL << 20)
#define K_MAX_PAGES (1ULL << 22)
#define K_HAS_EXPIRE_ONLY (1ULL << 35)
#define K_DIRECT_IO_ALLOW_MMAP (1ULL << 36)
#define K_PASSTHROUGH (1ULL << 37)
#define K_OVER_IO_URING (1ULL << 41)
#define K_STATX_MINOR 39 /* FUSE_STATX came with protocol 7.39 */

#ifndef HAVE_FUSE_PASSTHROUGH_OPEN
#define HAVE_FUSE_PASSTHROUGH_OPEN 0
#endif
#ifndef HAVE_STRUCT_FUSE_LOWLEVEL_OPS_STATX
#define HAVE_STRUCT_FUSE_LOWLEVEL_OPS_STATX 0
#endif
#ifndef HAVE_FUSE_LOWLEVEL_NOTIFY_EXPIRE_ENTRY
#define HAVE_FUSE_LOWLEVEL_NOTIFY_EXPIRE_ENTRY 0
#endif

static char *
read_line(const char *path)
{
  char *text = NULL;
  if (!g_file_get_contents(path, &text, NULL, NULL))
    return NULL;
  return g_strstrip(text);
}

static const char *
yes_no(bool b)
{
  return b ? "yes" : "no";
}

/* One feature line: what the kernel offers, what this build of libfuse
 * can use, and so whether a mount can have it. */
static void
feature(const char *name, int kernel, bool lib, const char *note)
{
  const char *k = kernel < 0 ? "unknown" : yes_no(kernel);
  printf("  %-22s kernel %-7s libfuse %-3s -> %s%s%s\n", name, k,
         yes_no(lib), kernel > 0 && lib ? "available" : "unavailable",
         note ? "; " : "", note ? note : "");
}

static void
print_dev_fuse(void)
{
  int fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
  if (fd >= 0) {
    close(fd);
    printf("%-18s usable\n", "/dev/fuse");
  } else
    printf("%-18s not usable: %s\n", "/dev/fuse", g_strerror(errno));
}

static void
print_fusermount(void)
{
  char *p = g_find_program_in_path("fusermount3");
  printf("%-18s %s\n", "fusermount3",
         p ? p : "not found (needed for auto_unmount and for mounts by "
                 "users other than root; Debian package fuse3)");
  g_free(p);
}

int
cli_info(int argc, char **argv)
{
  struct utsname u;
  CliKernelInit k;
  GError *error = NULL;
  bool probed;
  int kn = -1; /* kernel facts unknown until probed */
  char *limit;

  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
      printf("Usage: %s info\nShow the libvfsd, libfuse and kernel versions "
             "and the FUSE features this\nmachine offers.  The kernel's "
             "FUSE protocol and features are read from a\nshort probe mount "
             "in a temporary directory.\n", cli_prog);
      return CLI_OK;
    }
    cli_error("info: unexpected argument '%s' (usage: %s info)", argv[i],
              cli_prog);
    return CLI_USAGE;
  }

  probed = cli_probe_kernel(&k, &error);
  if (probed)
    kn = 1;
  uname(&u);
  printf("%-18s %s\n", "libvfsd", vfsd_get_version());
  printf("%-18s %s (built against %s)\n", "libfuse", fuse_pkgversion(),
         VFSD_BUILT_FUSE_VERSION);
  printf("%-18s %s %s %s\n", "kernel", u.sysname, u.release, u.machine);
  if (probed) {
    printf("%-18s kernel %u.%u", "FUSE protocol", k.major, k.minor);
    if (k.libfuse_minor)
      printf(", libfuse %u.%u, in use %u.%u", k.major, k.libfuse_minor,
             k.major, MIN(k.minor, k.libfuse_minor));
    printf("\n");
  } else
    printf("%-18s unknown (%s)\n", "FUSE protocol", error->message);
  print_dev_fuse();
  print_fusermount();
  limit = read_line("/proc/sys/fs/fuse/max_pages_limit");
  if (limit)
    printf("%-18s %s pages (requests up to %lu KiB)\n", "max_pages_limit",
           limit, g_ascii_strtoull(limit, NULL, 10) * 4);
  else
    printf("%-18s not settable on this kernel (256 pages)\n",
           "max_pages_limit");
  g_free(limit);

  printf("features:\n");
  feature("passthrough", probed ? (k.flags & K_PASSTHROUGH) != 0 : kn,
          HAVE_FUSE_PASSTHROUGH_OPEN,
          HAVE_FUSE_PASSTHROUGH_OPEN ? "needs CAP_SYS_ADMIN"
                                     : "needs libfuse 3.17 or later");
  feature("statx", probed ? k.minor >= K_STATX_MINOR : kn,
          HAVE_STRUCT_FUSE_LOWLEVEL_OPS_STATX,
          HAVE_STRUCT_FUSE_LOWLEVEL_OPS_STATX
              ? NULL : "stat goes through GETATTR (libfuse 3.18 has statx)");
  {
    char *uring = read_line("/sys/module/fuse/parameters/enable_uring");
    bool on = uring && (uring[0] == 'Y' || uring[0] == '1');
    char *note = NULL;
    if (uring && !on)
      note = g_strdup("off in the kernel (fuse.enable_uring=1 turns it on)");
    else if (!uring)
      note = g_strdup("the kernel has no FUSE io_uring support");
    else if (!HAVE_DECL_FUSE_CAP_OVER_IO_URING)
      note = g_strdup("needs libfuse 3.18 or later");
    feature("io_uring", probed ? (k.flags & K_OVER_IO_URING) != 0 : kn,
            HAVE_DECL_FUSE_CAP_OVER_IO_URING, note);
    g_free(note);
    g_free(uring);
  }
  feature("expire_only", probed ? (k.flags & K_HAS_EXPIRE_ONLY) != 0 : kn,
          HAVE_FUSE_LOWLEVEL_NOTIFY_EXPIRE_ENTRY,
          "entry expiry without invalidation");
  feature("direct_io_allow_mmap",
          probed ? (k.flags & K_DIRECT_IO_ALLOW_MMAP) != 0 : kn,
          HAVE_DECL_FUSE_CAP_DIRECT_IO_ALLOW_MMAP, NULL);
  feature("max_pages", probed ? (k.flags & K_MAX_PAGES) != 0 : kn, true,
          "requests larger than 128 KiB");
  feature("writeback_cache", probed ? (k.flags & K_WRITEBACK_CACHE) != 0 : kn,
          true, "mount option writeback_cache");
  feature("readdirplus", probed ? (k.flags & K_READDIRPLUS) != 0 : kn, true,
          NULL);
  feature("splice", probed ? (k.flags & K_SPLICE_READ) != 0 : kn, true,
          "mount option splice");
  feature("posix_acl", probed ? (k.flags & K_POSIX_ACL) != 0 : kn, true,
          NULL);
  g_clear_error(&error);
  return CLI_OK;
}
