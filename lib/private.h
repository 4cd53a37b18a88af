/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal declarations shared by the files of libvfsd.  Nothing here is
 * exported. */
#ifndef VFSD_PRIVATE_H
#define VFSD_PRIVATE_H

#include "config.h"

#include <vfsd/vfsd.h>
#include <vfsd/layer.h>
#include <sys/uio.h>

G_BEGIN_DECLS

#define VFSD_INTERNAL __attribute__((visibility("hidden")))

/* ---- log.c ---- */
extern VFSD_INTERNAL gboolean vfsd_debug_ops;     /* VFSD_DEBUG contains "ops" */
VFSD_INTERNAL void vfsd_log_init(void);
VFSD_INTERNAL void vfsd_log(GLogLevelFlags level, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);
/* A backend broke the convention: one line, at most a few per second per
 * backend. */
VFSD_INTERNAL void vfsd_log_backend_bug(VfsdBackend *b, const char *op,
                                        const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);
VFSD_INTERNAL void vfsd_trace(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
/* The last error libfuse logged in this thread (libfuse explains failures
 * only through its log). */
VFSD_INTERNAL void vfsd_fuse_error_clear(void);
VFSD_INTERNAL const char *vfsd_fuse_error_last(void);

/* ---- error.c ---- */
VFSD_INTERNAL void vfsd_set_error(GError **error, int errnum, const char *fmt,
                                  ...) G_GNUC_PRINTF(3, 4);

/* ---- backend.c ---- */
typedef struct {
  VfsdOps ops;               /* private zeroed copy */
  VfsdBackend *self;
  void *instance;
  GDestroyNotify free_instance;
  VfsdBackend *next;         /* owned ref; NULL unless a layer */
  uint64_t hook_ops;         /* VFSD_OP_BIT()s of hooked operations */
  VfsdLayerHooks hooks;      /* vfsd_layer_new_hooks() */
  uint32_t thread_model;     /* effective along the stack */
  uint32_t flags;            /* effective along the stack */
  char *name;
  gint bug_reports;          /* rate limiting of vfsd_log_backend_bug */
  gint64 bug_window_start;
  gint bug_suppressed;
} VfsdBackendPrivate;

VFSD_INTERNAL VfsdBackendPrivate *vfsd_backend_priv(VfsdBackend *b);
/* Validates and installs ops on a freshly created backend object (used by
 * vfsd_backend_new, vfsd_layer_new, and subclasses such as
 * VfsdFilesystem). */
VFSD_INTERNAL gboolean vfsd_backend_setup(VfsdBackend *b, const VfsdOps *ops,
                                          void *instance,
                                          GDestroyNotify free_instance,
                                          VfsdBackend *next, GError **error);
VFSD_INTERNAL uint32_t vfsd_backend_effective_flags(VfsdBackend *b);
VFSD_INTERNAL bool vfsd_backend_op_reaches_bottom(VfsdBackend *b, VfsdOpId op);

/* ---- defaults.c ---- */
typedef struct {
  const char *name;
  bool modifying;
  int default_errno;       /* negative errno, or 0 when the default succeeds */
  const char *doc;         /* the "If NULL" text */
} VfsdOpInfo;
extern VFSD_INTERNAL const VfsdOpInfo vfsd_op_info[VFSD_OP_COUNT];
VFSD_INTERNAL void vfsd_default_statfs(VfsdStatfs *out);

/* ---- hooks.c ---- */
/* Runs the hooks of level @p around @call, which goes down to p->next. */
VFSD_INTERNAL int64_t vfsd_hooks_run(VfsdBackendPrivate *p, VfsdCall *call);

/* ---- call.c: result checks shared with the dispatcher ---- */
VFSD_INTERNAL bool vfsd_mode_type_valid(uint32_t mode);

/* ---- readbuf ---- */
struct _VfsdReadBuf {
  unsigned nseg;
  size_t total;
  void (*done)(void *);
  void *done_data;
  char *scratch;           /* copy buffer offered to copying backends */
  size_t scratch_size;
  bool scratch_owned;
  bool overflow;
  /* seg[0] is left free for the reply header the dispatcher adds */
  struct iovec seg[VFSD_READ_BUF_MAX_SEGMENTS + 1];
};
VFSD_INTERNAL void vfsd_read_buf_init(VfsdReadBuf *rb, char *scratch,
                                      size_t scratch_size);
VFSD_INTERNAL void vfsd_read_buf_finish(VfsdReadBuf *rb);

/* ---- dir filler ---- */
struct _VfsdDirFiller {
  bool plus;
  bool valid;              /* false once readdir() returned */
  bool broken;             /* the backend broke the rules: answer EIO */
  unsigned added;
  VfsdDirEntryCallback cb;
  void *data;
  VfsdBackend *backend;    /* for log lines */
};
VFSD_INTERNAL void vfsd_dir_filler_init(VfsdDirFiller *f, bool plus,
                                        VfsdDirEntryCallback cb, void *data);

/* ---- options.c ---- */
typedef struct {
  /* kernel mount options, passed to libfuse as -o */
  GString *kernel;
  gboolean ro;
  gboolean allow_other;
  gboolean allow_root;
  int default_permissions;    /* -1: decided by the backend's flags */
  int auto_unmount;           /* -1: default (off in the library) */
  char *fsname;
  char *subtype;
  /* library options; a negative value or NaN means "not given" */
  int threads;
  int spin_us;                /* -1: decided by the backend's caps */
  gint64 max_write;
  gint64 max_readahead;
  double entry_timeout;
  double attr_timeout;
  double negative_timeout;
  int writeback_cache;        /* -1 unset, 0, 1 */
  int keep_cache;             /* -1 unset, 0, 1 */
  int readdirplus;            /* -1 unset, 0 no, 1 yes, 2 auto */
  int splice;                 /* -1 unset, 0, 1 */
  int flush;                  /* -1 unset, 0 noflush forced off... */
  gboolean debug;
  gint64 readahead_kb;        /* bdi read_ahead_kb; -1 unset */
} VfsdOptions;

VFSD_INTERNAL void vfsd_options_init(VfsdOptions *o);
VFSD_INTERNAL void vfsd_options_clear(VfsdOptions *o);
VFSD_INTERNAL gboolean vfsd_options_parse(VfsdOptions *o, const char *str,
                                          GError **error);

/* ---- inodes.c: the lookup counts ---- */
typedef struct VfsdInodes VfsdInodes;
typedef struct {
  uint64_t started;
  bool busy;
} VfsdForgetToken;
VFSD_INTERNAL VfsdInodes *vfsd_inodes_new(void);
VFSD_INTERNAL void vfsd_inodes_free(VfsdInodes *t);
/* Taken before a backend call whose result may name an existing inode. */
VFSD_INTERNAL VfsdForgetToken vfsd_inodes_token(VfsdInodes *t);
/* Counts one kernel reference to @ino.  With @tok, refuses (returns false,
 * counts nothing) when @ino has no references and a forget may have raced
 * with the backend call the token was taken before. */
VFSD_INTERNAL bool vfsd_inodes_ref(VfsdInodes *t, uint64_t ino,
                                   const VfsdForgetToken *tok);
/* Drops @n references; returns true when the count reached zero: the
 * caller must then call the backend's forget and vfsd_inodes_forgotten(). */
VFSD_INTERNAL bool vfsd_inodes_unref(VfsdInodes *t, uint64_t ino, uint64_t n);
VFSD_INTERNAL void vfsd_inodes_forgotten(VfsdInodes *t, uint64_t ino);
/* Removes every counted inode, calling @fn for each. */
VFSD_INTERNAL void vfsd_inodes_drain(VfsdInodes *t,
                                     void (*fn)(uint64_t ino, void *data),
                                     void *data);
VFSD_INTERNAL uint64_t vfsd_inodes_count(VfsdInodes *t);
VFSD_INTERNAL uint64_t vfsd_inodes_get(VfsdInodes *t, uint64_t ino);

/* ---- dispatch.c ---- */
struct fuse_lowlevel_ops;
extern VFSD_INTERNAL const struct fuse_lowlevel_ops vfsd_dispatch_ops;

G_END_DECLS

#endif
