/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The monitor layer's parts: the layer and its output (monitor.c), one
 * JSON line per call (monitor-line.c). */
#ifndef VFSD_MONITOR_H
#define VFSD_MONITOR_H

#include "paths.h"

G_BEGIN_DECLS

typedef enum { SINK_FD, SINK_SYSLOG } SinkKind;

typedef struct {
  guint64 log_ops;        /* the operations that get a line */
  SinkKind sink;
  int fd;                 /* SINK_FD */
  bool close_fd;
  bool comm;              /* look up process names */
  bool per_line;          /* flush=line: one write(2) per line */
  VfsdPathTable *paths;   /* NULL with paths=no */
  GMutex lock;            /* guards the comm cache */
  GHashTable *comms;      /* pid → CommEntry */
  GMutex out_lock;        /* guards what follows */
  GString *pending;       /* lines not written yet */
  GThread *flusher;       /* writes @pending out, while mounted */
  GCond wake;
  bool stop;
} Monitor;

/* Lines wait at most this long, or until this much is pending. */
#define FLUSH_US (100 * 1000)
#define FLUSH_BYTES (64 * 1024)

/* Appends the JSON line of @call, answered with @result, to @line. */
VFSD_INTERNAL void vfsd_monitor_format_line(Monitor *m, GString *line,
                                            VfsdCall *call, int64_t result);

/* Operations that name inodes (and their entries' names). */
#define MONITOR_ENTRY_OPS                                                   \
  (VFSD_OP_BIT(VFSD_OP_LOOKUP) | VFSD_OP_BIT(VFSD_OP_MKNOD) |               \
   VFSD_OP_BIT(VFSD_OP_MKDIR) | VFSD_OP_BIT(VFSD_OP_SYMLINK) |              \
   VFSD_OP_BIT(VFSD_OP_LINK) | VFSD_OP_BIT(VFSD_OP_CREATE))

G_END_DECLS

#endif
