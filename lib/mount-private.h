/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The inside of a VfsdMount, shared by mount.c (lifecycle) and dispatch.c
 * (requests). */
#ifndef VFSD_MOUNT_PRIVATE_H
#define VFSD_MOUNT_PRIVATE_H

#include "private.h"

#define FUSE_USE_VERSION 314
#include <fuse_lowlevel.h>

#define VFSD_FILE_LOCKS 64

typedef enum {
  MOUNT_NEW,        /* created, not started */
  MOUNT_RUNNING,    /* mounted and serving */
  MOUNT_ENDING,     /* shutdown under way */
  MOUNT_ENDED,      /* everything done (destroy may still be pending) */
} MountState;

struct _VfsdMount {
  GObject parent_instance;

  VfsdBackend *backend;
  char *mountpoint;           /* absolute */
  VfsdOptions opts;

  /* Settings in force, decided in start() from defaults, the backend's
   * init() and the options. */
  VfsdInit init;
  uint32_t thread_model;
  uint32_t backend_flags;
  bool has_flush;             /* some level implements flush */
  bool no_open;               /* VFSD_CAP_NO_OPEN honoured: OPEN gets ENOSYS */
  bool has_posix_locks;
  bool has_flock;
  bool stable_dir_offsets;
  bool use_writeback;

  /* Open handles the kernel has not released (handles.c). */
  GMutex handle_lock;
  GHashTable *open_files;
  GHashTable *open_dirs;

  struct fuse_session *se;
  int fuse_fd;
  VfsdInodes *inodes;

  /* Thread-model enforcement. */
  GMutex serial_lock;
  GMutex file_locks[VFSD_FILE_LOCKS];

  /* Lifecycle, under `lock`. */
  GMutex lock;
  GCond cond;
  MountState state;
  bool init_seen;             /* the kernel's INIT was answered */
  bool stop_requested;
  bool kernel_gone;           /* ENODEV: the kernel ended the connection */
  bool accepting;             /* workers may take new requests (atomic) */
  int spinner;                /* a worker polls for the next request (atomic) */
  gint64 spin_ns;             /* how long it polls (the spin option) */
  bool destroy_done;
  unsigned active;            /* requests being processed (atomic; see
                                 mount-serve.c) */
  unsigned workers;           /* threads inside a worker loop */
  int end_error;              /* negative errno why the mount failed */
  int stop_efd;               /* readable once workers must leave */
  int epoll_fd;               /* the workers' shared wait (-1 before the first) */
  int ctl_efd;                /* wakes the supervisor */
  dev_t dev;                  /* st_dev of the mount, from mountinfo */
  GPtrArray *threads;         /* library worker threads */
  GThread *supervisor;
  bool attached;              /* attach() mode: no library threads */
  GSource *source;            /* attach() mode, our reference */
  GMainContext *signal_context; /* where `exited` is emitted */

  /* Notification queue (its own thread, so a backend never waits). */
  GAsyncQueue *notify_queue;
  GThread *notify_thread;
};

/* dispatch.c, handles.c */
VFSD_INTERNAL void vfsd_dispatch_forget_all(VfsdMount *m);
VFSD_INTERNAL void vfsd_handles_init(VfsdMount *m);
VFSD_INTERNAL void vfsd_handles_clear(VfsdMount *m);
VFSD_INTERNAL void vfsd_handles_release_all(VfsdMount *m);

/* Waits on m->cond until @pred holds or @deadline (monotonic µs) passes.
 * Called with m->lock held. */
#define WAIT_UNTIL(m, pred, deadline)                                       \
  while (!(pred))                                                           \
    if (!g_cond_wait_until(&(m)->cond, &(m)->lock, (deadline)))             \
      break;

/* mount.c */
VFSD_INTERNAL void vfsd_mount_kernel_unmount(VfsdMount *m);
VFSD_INTERNAL void vfsd_mount_kernel_abort(VfsdMount *m);
VFSD_INTERNAL void vfsd_mount_schedule_exited(VfsdMount *m);

/* mount-serve.c */
/* Library threads leave asynchronous signals to the application. */
VFSD_INTERNAL void vfsd_block_async_signals(void);
VFSD_INTERNAL void vfsd_mount_init_seen(VfsdMount *m);
VFSD_INTERNAL gpointer vfsd_mount_worker(gpointer mount);
VFSD_INTERNAL gpointer vfsd_mount_supervisor(gpointer mount);
VFSD_INTERNAL void vfsd_mount_finish_destroy(VfsdMount *m);
VFSD_INTERNAL GSource *vfsd_mount_source_new(VfsdMount *m);
VFSD_INTERNAL void vfsd_mount_source_watch(GSource *source, int fd);

/* mount-notify.c */
VFSD_INTERNAL void vfsd_mount_notify_stop(VfsdMount *m, gint64 deadline);
/* mount-run.c: SIGINT, SIGTERM and SIGHUP unmount @m between begin and
 * end (begin returns -1 when no slot is free; end(-1) does nothing).
 * wait_signals() waits for the end of a started mount, acting on those
 * signals if @slot >= 0. */
VFSD_INTERNAL int vfsd_mount_signals_begin(VfsdMount *m);
VFSD_INTERNAL void vfsd_mount_signals_end(int slot);
VFSD_INTERNAL int vfsd_mount_wait_signals(VfsdMount *m, int slot);

#endif
