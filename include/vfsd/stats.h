/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libvfsd — reading the statistics of a `stats` layer.
 *
 * The `stats` layer (`vfsd mount -l stats …`, vfsd_layer_load("stats", …))
 * counts every operation that passes it: calls, errors, bytes moved, and a
 * latency histogram.  While mounted it answers on an abstract unix socket
 * named after the mount point, so any process of the same user (or root)
 * can read them: `vfsd stats MOUNTPOINT` calls vfsd_stats_query().
 *
 * # The socket protocol
 * The socket is the abstract unix stream socket "@vfsd-stats:MOUNTPOINT"
 * (MOUNTPOINT absolute, symlinks resolved; when that name is longer than
 * 100 bytes, "@vfsd-stats:sha256:" and the SHA-256 of MOUNTPOINT in hex).
 * A client connects, writes one line — "json", "text" or "reset" — and
 * reads the answer until the server closes the connection.  Only
 * processes of the serving process's user, or root, are answered.
 *
 * # The JSON document
 * |[
 * { "layer": "stats", "mountpoint": "/mnt/x", "uptime_s": 12.5,
 *   "ops": { "lookup": { "calls": 120, "errors": 3, "bytes": 0,
 *                        "total_us": 1234.5, "max_us": 88.1,
 *                        "histogram_us": [[1, 10], [2, 40], [4, 70]] },
 *            … } }
 * ]|
 * Only operations that were called appear.  "read" counts copying and
 * zero-copy reads.  A histogram pair [B, N] says N calls took less than B
 * microseconds and at least B/2 (B = 1: less than a microsecond).
 */
#ifndef VFSD_STATS_H
#define VFSD_STATS_H

#include <vfsd/backend.h>

G_BEGIN_DECLS

/**
 * vfsd_stats_get:
 * @backend: a backend: a `stats` layer or a stack that contains one
 * @format: "json" or "text" (a table for humans)
 * @error: return location for a #GError
 *
 * The statistics of the first `stats` layer from @backend down.
 *
 * Returns: (transfer full): the statistics, or NULL with @error set (ENOENT
 *   when there is no `stats` layer, EINVAL for an unknown format).
 */
char *vfsd_stats_get(VfsdBackend *backend, const char *format,
                     GError **error);

/**
 * vfsd_stats_reset:
 * @backend: a backend: a `stats` layer or a stack that contains one
 * @error: return location for a #GError
 *
 * Sets every counter of the first `stats` layer from @backend down to zero.
 *
 * Returns: true on success.
 */
gboolean vfsd_stats_reset(VfsdBackend *backend, GError **error);

/**
 * vfsd_stats_query:
 * @mountpoint: a mount point whose stack has a `stats` layer
 * @request: "json", "text" or "reset"
 * @error: return location for a #GError
 *
 * Asks the process that serves @mountpoint for its statistics, through the
 * socket described above.  It does not touch the mount itself, so it works
 * while the file system hangs.  Do not call it from an operation of the
 * same mount.
 *
 * Returns: (transfer full): the answer ("ok\n" for "reset"), or NULL with
 *   @error set (ECONNREFUSED when nothing answers for @mountpoint).
 */
char *vfsd_stats_query(const char *mountpoint, const char *request,
                       GError **error);

G_END_DECLS

#endif
