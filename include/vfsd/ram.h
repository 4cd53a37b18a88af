/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libvfsd — the RAM backend: a complete POSIX file system in memory.
 *
 * What tmpfs is to the kernel, the RAM backend is to libvfsd: regular files
 * (sparse, with SEEK_DATA/SEEK_HOLE, fallocate, copy_file_range),
 * directories, hard links, symlinks, device nodes, FIFOs and sockets,
 * extended attributes, nanosecond timestamps, and limits on space and
 * inodes.  It is the backend `vfsd mount ram:size=1G MOUNTPOINT` mounts, and
 * the one to read to learn how a backend is written: its sources are in
 * lib/backends/ram/, one concern per file, and doc/backends/ram.md explains
 * their design.
 *
 * # Options
 *
 * The option string is a comma-separated list, as for tmpfs:
 *
 * - `size=SIZE`: bytes of data and extended attributes the file system
 *   may hold; a suffix k, m, g or t multiplies by 1024, 1024², …; a
 *   suffix % takes a percentage of the physical memory.  0 means no limit.
 *   Default: 50%.  A write that does not fit fails with ENOSPC (or is
 *   short) and leaves the data already there intact.
 * - `nr_inodes=N`: the most inodes (files of any kind, the root included);
 *   suffixes k, m, g.  0 means no limit.  Default: half the number of
 *   physical memory pages, as tmpfs.
 * - `mode=OCTAL`: permission bits of the root directory (default 1777).
 * - `uid=N`, `gid=N`: owner of the root directory (default: the caller's
 *   effective ids).
 *
 * # Memory
 *
 * File data lives in 64 KiB chunks allocated only where something was
 * written (holes cost nothing), each only as large as the pages it uses.
 * An empty file costs a few hundred bytes.  Everything belongs to the
 * backend object: data outlives an unmount and is freed with the object.
 *
 * # Mounting
 *
 * The backend lets the kernel cache names, attributes and pages for a day,
 * which is right because nothing else changes the tree: while it is
 * mounted, change it only through the mount, and mount one backend object
 * once at a time (a second mount fails with EBUSY).
 */
#ifndef VFSD_RAM_H
#define VFSD_RAM_H

#include <vfsd/backend.h>

G_BEGIN_DECLS

#define VFSD_TYPE_RAM_BACKEND (vfsd_ram_backend_get_type())
G_DECLARE_FINAL_TYPE(VfsdRamBackend, vfsd_ram_backend, VFSD, RAM_BACKEND,
                     VfsdBackend)

/**
 * VfsdRamBackend:
 *
 * A file system in memory.  Create it with vfsd_ram_backend_new(), mount
 * it with vfsd_mount_new().  Its read-only properties report the limits
 * and what is in use.
 */

/**
 * vfsd_ram_backend_new: (constructor)
 * @options: (nullable): the option list, e.g. "size=1G,mode=0755"; NULL
 *   or "" for the defaults
 * @error: return location for a #GError
 *
 * Creates an empty RAM file system.  A malformed or unknown option fails
 * with a #VFSD_ERROR of EINVAL whose message names the option.
 *
 * Returns: (transfer full): the backend, or NULL with @error set.
 */
VfsdBackend *vfsd_ram_backend_new(const char *options, GError **error);

/**
 * vfsd_ram_new: (skip)
 * @options: (nullable): as for vfsd_ram_backend_new()
 * @error: return location for a #GError
 *
 * The same as vfsd_ram_backend_new(), by a shorter name.
 *
 * Returns: (transfer full): the backend, or NULL with @error set.
 */
VfsdBackend *vfsd_ram_new(const char *options, GError **error);

/**
 * VfsdRamUsage:
 * @bytes_used: bytes of data and extended attributes held
 * @bytes_limit: the size= limit (0: none)
 * @inodes_used: inodes in existence, the root included
 * @inodes_limit: the nr_inodes= limit (0: none)
 * @handles_open: open file and directory handles
 *
 * What a RAM file system holds.  Fixed-width fields only.
 */
typedef struct VfsdRamUsage {
  uint64_t bytes_used;
  uint64_t bytes_limit;
  uint64_t inodes_used;
  uint64_t inodes_limit;
  uint64_t handles_open;
} VfsdRamUsage;

/**
 * vfsd_ram_get_usage: (skip)
 * @backend: a RAM backend, or a layer stacked on one
 * @out: (out caller-allocates): the usage
 *
 * Returns: 0, or -EINVAL when @backend has no RAM backend in its stack.
 */
int vfsd_ram_get_usage(VfsdBackend *backend, VfsdRamUsage *out);

/**
 * vfsd_ram_check: (skip)
 * @backend: a RAM backend, or a layer stacked on one
 * @report: (nullable): a string that receives one line per problem
 *
 * Checks that the file system is consistent: every inode is reachable
 * from the root, or unlinked but still open or known to the kernel (else
 * it leaked); link counts match the names (and subdirectories); every
 * directory's ".." is right; the bytes and inodes counted match what the
 * inodes hold; no byte past the end of a file is non-zero; the open
 * handles add up.  After an unmount (the backend's destroy()), no handle
 * is open and no unlinked inode remains.
 *
 * Call it while no operation runs (between calls in a unit test, or after
 * unmounting): it is safe at any time, but operations running meanwhile
 * can make it report passing differences.
 *
 * Returns: the number of problems found (0: consistent), or -EINVAL when
 *   @backend has no RAM backend in its stack.
 */
int vfsd_ram_check(VfsdBackend *backend, GString *report);

/**
 * vfsd_ram_backend_check:
 * @self: a RAM backend
 * @report: (out) (optional) (transfer full): one line per problem found,
 *   or an empty string
 *
 * vfsd_ram_check() for bindings.
 *
 * Returns: true if the file system is consistent.
 */
gboolean vfsd_ram_backend_check(VfsdRamBackend *self, gchar **report);

G_END_DECLS

#endif /* VFSD_RAM_H */
