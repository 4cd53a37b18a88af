/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The stats layer's parts: counting (stats.c), the socket (stats-server.c). */
#ifndef VFSD_STATS_PRIVATE_H
#define VFSD_STATS_PRIVATE_H

#include "layers.h"
#include <vfsd/stats.h>

G_BEGIN_DECLS

typedef struct VfsdStats VfsdStats;
typedef struct VfsdStatsServer VfsdStatsServer;

/* The answer to a request ("json", "text", "reset"); NULL with @error for
 * an unknown request. */
VFSD_INTERNAL char *vfsd_stats_answer(VfsdStats *s, const char *request,
                                      GError **error);

/* The abstract socket name of @mountpoint (without the leading NUL). */
VFSD_INTERNAL char *vfsd_stats_socket_name(const char *mountpoint);

/* Serves @s on the socket of @mountpoint from a thread of its own; NULL
 * (and a warning logged) when the socket cannot be made. */
VFSD_INTERNAL VfsdStatsServer *vfsd_stats_server_start(VfsdStats *s,
                                                       const char *mountpoint);
VFSD_INTERNAL void vfsd_stats_server_stop(VfsdStatsServer *srv);

G_END_DECLS

#endif
