/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* VfsdMount: mounting, serving, and ending in bounded time.
 *
 * The library runs its own loop on libfuse's primitives
 * (fuse_session_receive_buf / fuse_session_process_buf) so that every way a
 * mount ends takes one path, run by a supervisor thread:
 *
 *   1. detach the kernel mount (lazily: a busy mount still goes away);
 *   2. wait up to END_GRACE_MS for the kernel to end the connection (it does
 *      as soon as no file on the mount is open);
 *   3. stop taking requests, wake idle workers, and wait until the requests
 *      being processed are answered (bounded: a backend call that never
 *      returns is left behind);
 *   4. cut the connection: abort it through fusectl where we can, and swap
 *      the device fd for /dev/null so a late reply cannot land in a reused
 *      descriptor;
 *   5. when no call is inside the backend any more — now, or when the last
 *      straggler returns — forget every remaining inode and call destroy()
 *      exactly once.
 *
 * Workers wait for requests in epoll with EPOLLEXCLUSIVE, so one request
 * wakes one worker, and an eventfd wakes them all at the end.
 */
#include "mount-private.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define INIT_TIMEOUT_MS 10000  /* for the kernel's INIT after mounting */
#define DEFAULT_THREADS 2
#define DEFAULT_SPIN_US 20 /* with VFSD_CAP_QUICK_CALLS; doc/performance.md */

enum { SIGNAL_EXITED, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE(VfsdMount, vfsd_mount, G_TYPE_OBJECT)


/* ---- object ------------------------------------------------------------*/

static void
vfsd_mount_dispose(GObject *obj)
{
  VfsdMount *m = VFSD_MOUNT(obj);
  /* Workers and the supervisor hold references, so a mount is only
   * disposed of when it is not running. */
  g_clear_object(&m->backend);
  G_OBJECT_CLASS(vfsd_mount_parent_class)->dispose(obj);
}

static void
vfsd_mount_finalize(GObject *obj)
{
  VfsdMount *m = VFSD_MOUNT(obj);
  if (m->supervisor) {
    /* The supervisor may drop the last reference itself. */
    if (g_thread_self() == m->supervisor)
      g_thread_unref(m->supervisor);
    else
      g_thread_join(m->supervisor);
  }
  if (m->source)
    g_source_unref(m->source);
  if (m->threads)
    g_ptr_array_free(m->threads, TRUE);
  if (m->se)
    fuse_session_destroy(m->se);
  if (m->inodes)
    vfsd_inodes_free(m->inodes);
  vfsd_handles_clear(m);
  if (m->stop_efd >= 0)
    close(m->stop_efd);
  if (m->epoll_fd >= 0)
    close(m->epoll_fd);
  if (m->ctl_efd >= 0)
    close(m->ctl_efd);
  if (m->notify_queue)
    g_async_queue_unref(m->notify_queue);
  if (m->signal_context)
    g_main_context_unref(m->signal_context);
  vfsd_options_clear(&m->opts);
  g_free(m->mountpoint);
  g_mutex_clear(&m->serial_lock);
  for (int i = 0; i < VFSD_FILE_LOCKS; i++)
    g_mutex_clear(&m->file_locks[i]);
  g_mutex_clear(&m->lock);
  g_cond_clear(&m->cond);
  G_OBJECT_CLASS(vfsd_mount_parent_class)->finalize(obj);
}

static void
vfsd_mount_class_init(VfsdMountClass *klass)
{
  GObjectClass *oc = G_OBJECT_CLASS(klass);
  oc->dispose = vfsd_mount_dispose;
  oc->finalize = vfsd_mount_finalize;
  /**
   * VfsdMount::exited:
   * @mount: the mount
   * @status: 0 if it ended normally, else a negative errno
   *
   * The mount has ended.  Emitted from an idle source on the main context
   * that was the thread-default one when the mount started, so handlers run
   * in the application's thread.
   */
  signals[SIGNAL_EXITED] =
      g_signal_new("exited", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0,
                   NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT);
}

static void
vfsd_mount_init(VfsdMount *m)
{
  g_mutex_init(&m->lock);
  g_cond_init(&m->cond);
  g_mutex_init(&m->serial_lock);
  for (int i = 0; i < VFSD_FILE_LOCKS; i++)
    g_mutex_init(&m->file_locks[i]);
  m->stop_efd = -1;
  m->epoll_fd = -1;
  m->ctl_efd = -1;
  m->fuse_fd = -1;
  m->state = MOUNT_NEW;
  vfsd_options_init(&m->opts);
}

/* ---- checks before mounting --------------------------------------------*/

static gboolean
check_mountpoint(const char *path, char **abs_out, GError **error)
{
  struct stat st;
  char *abs;
  if (path == NULL || path[0] == '\0') {
    vfsd_set_error(error, EINVAL, "no mount point was given");
    return FALSE;
  }
  if (stat(path, &st) != 0) {
    int e = errno;
    if (e == ENOTCONN)
      vfsd_set_error(error, ENOTCONN,
                     "%s is a stale FUSE mount (Transport endpoint is not "
                     "connected): its server has died; clear it with "
                     "`fusermount3 -uz %s`", path, path);
    else if (e == ENOENT)
      vfsd_set_error(error, ENOENT,
                     "mount point %s does not exist (create the directory "
                     "first)", path);
    else
      vfsd_set_error(error, e, "cannot use mount point %s: %s", path,
                     g_strerror(e));
    return FALSE;
  }
  if (!S_ISDIR(st.st_mode)) {
    vfsd_set_error(error, ENOTDIR, "mount point %s is not a directory", path);
    return FALSE;
  }
  abs = realpath(path, NULL);
  if (abs == NULL) {
    int e = errno;
    vfsd_set_error(error, e, "cannot resolve mount point %s: %s", path,
                   g_strerror(e));
    return FALSE;
  }
  *abs_out = g_strdup(abs);
  free(abs);
  return TRUE;
}

static gboolean
check_dev_fuse(GError **error)
{
  int fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
  if (fd >= 0) {
    close(fd);
    return TRUE;
  }
  if (errno == ENOENT || errno == ENODEV || errno == ENXIO)
    vfsd_set_error(error, ENODEV,
                   "the FUSE device /dev/fuse is missing: load the fuse "
                   "kernel module (modprobe fuse) or give the container "
                   "the device");
  else if (errno == EACCES || errno == EPERM)
    vfsd_set_error(error, EACCES,
                   "no permission to open /dev/fuse (is the user allowed to "
                   "use FUSE?)");
  else
    vfsd_set_error(error, errno, "cannot open /dev/fuse: %s",
                   g_strerror(errno));
  return FALSE;
}

VfsdMount *
vfsd_mount_new(VfsdBackend *backend, const char *mountpoint,
               const char *options, GError **error)
{
  VfsdMount *m;
  g_return_val_if_fail(VFSD_IS_BACKEND(backend), NULL);
  vfsd_log_init();
  m = g_object_new(VFSD_TYPE_MOUNT, NULL);
  if (!vfsd_options_parse(&m->opts, options, error) ||
      !check_mountpoint(mountpoint, &m->mountpoint, error) ||
      !check_dev_fuse(error)) {
    g_object_unref(m);
    return NULL;
  }
  /* Created now, so signal handling can begin before the mount starts. */
  m->stop_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  m->ctl_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (m->stop_efd < 0 || m->ctl_efd < 0) {
    vfsd_set_error(error, errno, "cannot create an eventfd: %s",
                   g_strerror(errno));
    g_object_unref(m);
    return NULL;
  }
  m->backend = g_object_ref(backend);
  return m;
}

/* ---- the kernel mount --------------------------------------------------*/

/* Finds the device of the FUSE mount at @path in /proc/self/mountinfo (the
 * last one mounted there); 0 if there is none. */
static dev_t
find_mount_dev(const char *path)
{
  char *text = NULL, **lines;
  dev_t dev = 0;
  if (!g_file_get_contents("/proc/self/mountinfo", &text, NULL, NULL))
    return 0;
  lines = g_strsplit(text, "\n", -1);
  for (char **l = lines; *l && **l; l++) {
    /* id parent major:minor root mountpoint opts ... - fstype source ... */
    char **f = g_strsplit(*l, " ", 0);
    guint nf = g_strv_length(f);
    if (nf >= 5) {
      GString *mp = g_string_new(NULL);
      for (const char *c = f[4]; *c; c++) {
        if (c[0] == '\\' && g_ascii_isdigit(c[1]) && g_ascii_isdigit(c[2]) &&
            g_ascii_isdigit(c[3])) {
          g_string_append_c(mp, (char)((c[1] - '0') * 64 + (c[2] - '0') * 8 +
                                       (c[3] - '0')));
          c += 3;
        } else
          g_string_append_c(mp, *c);
      }
      const char *fstype = NULL;
      for (guint i = 5; i + 1 < nf; i++)
        if (!strcmp(f[i], "-")) {
          fstype = f[i + 1];
          break;
        }
      if (!strcmp(mp->str, path) && fstype &&
          (!strcmp(fstype, "fuse") || g_str_has_prefix(fstype, "fuse."))) {
        unsigned maj, min;
        if (sscanf(f[2], "%u:%u", &maj, &min) == 2)
          dev = makedev(maj, min);
      }
      g_string_free(mp, TRUE);
    }
    g_strfreev(f);
  }
  g_strfreev(lines);
  g_free(text);
  return dev;
}

/* Detaches the mount at m->mountpoint if it is still ours. */
void
vfsd_mount_kernel_unmount(VfsdMount *m)
{
  if (m->dev == 0 || find_mount_dev(m->mountpoint) != m->dev)
    return;
  if (geteuid() == 0) {
    if (umount2(m->mountpoint, MNT_DETACH | UMOUNT_NOFOLLOW) != 0 &&
        errno != EINVAL)
      vfsd_log(G_LOG_LEVEL_WARNING, "unmounting %s: %s", m->mountpoint,
               g_strerror(errno));
  } else {
    const char *argv[] = { "fusermount3", "-u", "-z", "-q", "--",
                           m->mountpoint, NULL };
    pid_t pid;
    int status;
    if (posix_spawnp(&pid, "fusermount3", NULL, NULL, (char **)argv,
                     environ) != 0) {
      vfsd_log(G_LOG_LEVEL_WARNING, "cannot run fusermount3 to unmount %s",
               m->mountpoint);
      return;
    }
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
      ;
  }
}

/* Aborts the connection through fusectl (root only, best effort). */
void
vfsd_mount_kernel_abort(VfsdMount *m)
{
  char path[64];
  int fd;
  if (m->dev == 0)
    return;
  g_snprintf(path, sizeof path, "/sys/fs/fuse/connections/%u/abort",
             minor(m->dev));
  fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd >= 0) {
    if (write(fd, "1", 1) < 0) {
      /* nothing more to do */
    }
    close(fd);
  }
}

static void
set_readahead(VfsdMount *m, gint64 kb)
{
  char path[96], val[32];
  int fd;
  g_snprintf(path, sizeof path, "/sys/class/bdi/%u:%u/read_ahead_kb",
             major(m->dev), minor(m->dev));
  fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) {
    vfsd_log(G_LOG_LEVEL_MESSAGE, "cannot set readahead of %s: %s",
             m->mountpoint, g_strerror(errno));
    return;
  }
  g_snprintf(val, sizeof val, "%" G_GINT64_FORMAT, kb);
  if (write(fd, val, strlen(val)) < 0)
    vfsd_log(G_LOG_LEVEL_MESSAGE, "cannot set readahead of %s: %s",
             m->mountpoint, g_strerror(errno));
  close(fd);
}

static gboolean
emit_exited(gpointer data)
{
  VfsdMount *m = data;
  g_signal_emit(m, signals[SIGNAL_EXITED], 0, m->end_error);
  return G_SOURCE_REMOVE;
}

/* Emits `exited` on the context captured at start, from an idle source —
 * only if someone listens, so a program without a main loop accumulates
 * nothing. */
void
vfsd_mount_schedule_exited(VfsdMount *m)
{
  if (m->signal_context &&
      g_signal_has_handler_pending(m, signals[SIGNAL_EXITED], 0, TRUE)) {
    GSource *s = g_idle_source_new();
    g_source_set_callback(s, emit_exited, g_object_ref(m), g_object_unref);
    g_source_attach(s, m->signal_context);
    g_source_unref(s);
  }
}

/* ---- start -------------------------------------------------------------*/

/* Decides the settings in force from the library's defaults, the
 * backend's init() and the user's options (which win). */
static gboolean
settle(VfsdMount *m, GError **error)
{
  VfsdOptions *o = &m->opts;
  VfsdInit *in = &m->init;
  int r;

  memset(in, 0, sizeof *in);
  in->entry_timeout = 1.0;
  in->attr_timeout = 1.0;
  in->negative_timeout = 0.0;
  in->max_write = 1024 * 1024;
  in->mount = m;
  r = vfsd_call_init(m->backend, in);
  if (r != 0) {
    vfsd_set_error(error, -r, "backend '%s' failed to start: %s",
                   vfsd_backend_get_name(m->backend), g_strerror(-r));
    return FALSE;
  }
  in->mount = m;
  if (!isnan(o->entry_timeout)) in->entry_timeout = o->entry_timeout;
  if (!isnan(o->attr_timeout)) in->attr_timeout = o->attr_timeout;
  if (!isnan(o->negative_timeout)) in->negative_timeout = o->negative_timeout;
  if (!(in->entry_timeout >= 0)) in->entry_timeout = 0;
  if (!(in->attr_timeout >= 0)) in->attr_timeout = 0;
  if (!(in->negative_timeout >= 0)) in->negative_timeout = 0;
  if (o->max_write > 0) in->max_write = (uint32_t)o->max_write;
  if (o->max_readahead >= 0) in->max_readahead = (uint32_t)o->max_readahead;
  if (o->keep_cache == 1) in->open_flags |= VFSD_OPEN_KEEP_CACHE;
  if (o->keep_cache == 0) in->open_flags &= ~(uint32_t)VFSD_OPEN_KEEP_CACHE;
  m->use_writeback = o->writeback_cache >= 0
                         ? o->writeback_cache == 1
                         : (in->caps & VFSD_CAP_WRITEBACK_CACHE) != 0;

  m->spin_ns = 1000 * (o->spin_us >= 0 ? (gint64)o->spin_us
                       : (in->caps & VFSD_CAP_QUICK_CALLS) ? DEFAULT_SPIN_US
                                                           : 0);
  m->thread_model = vfsd_backend_get_thread_model(m->backend);
  m->backend_flags = vfsd_backend_effective_flags(m->backend);
  m->stable_dir_offsets =
      (m->backend_flags & VFSD_BACKEND_STABLE_DIR_OFFSETS) != 0;
  m->has_flush = vfsd_backend_implements(m->backend, VFSD_OP_FLUSH);
  m->has_posix_locks = vfsd_backend_implements(m->backend, VFSD_OP_GETLK) &&
                       vfsd_backend_implements(m->backend, VFSD_OP_SETLK);
  m->has_flock = vfsd_backend_implements(m->backend, VFSD_OP_FLOCK);
  if (!m->has_flush)
    in->open_flags |= VFSD_OPEN_NOFLUSH;
  /* VFSD_CAP_NO_OPEN holds for the stack only if no layer above the
   * backend that asked for it implements or hooks open or release (a layer
   * that logs, counts or refuses opens must see them), and only if what
   * the kernel then assumes for every open, KEEP_CACHE and nothing else,
   * is what the mount would have said. */
  m->no_open = (in->caps & VFSD_CAP_NO_OPEN) &&
               vfsd_backend_op_reaches_bottom(m->backend, VFSD_OP_OPEN) &&
               vfsd_backend_op_reaches_bottom(m->backend, VFSD_OP_RELEASE) &&
               (in->open_flags & ~(uint32_t)(VFSD_OPEN_CACHE_DIR |
                                             VFSD_OPEN_NOFLUSH)) ==
                   VFSD_OPEN_KEEP_CACHE;
  return TRUE;
}

static struct fuse_session *
new_session(VfsdMount *m, GError **error)
{
  VfsdOptions *o = &m->opts;
  GString *k = g_string_new(o->kernel->str);
  struct fuse_session *se;
  GPtrArray *argv = g_ptr_array_new_with_free_func(g_free);
  struct fuse_args args;
  int dp = o->default_permissions >= 0
               ? o->default_permissions
               : !(m->backend_flags & VFSD_BACKEND_CHECKS_PERMISSIONS);
#define K(s) do { if (k->len) g_string_append_c(k, ','); g_string_append(k, s); } while (0)
  if (dp) K("default_permissions");
  if (o->allow_other) K("allow_other");
  if (o->allow_root) K("allow_root");
  if (o->auto_unmount == 1) K("auto_unmount");
  g_string_append_printf(k, "%sfsname=%s", k->len ? "," : "",
                         o->fsname ? o->fsname
                                   : vfsd_backend_get_name(m->backend));
  g_string_append_printf(k, ",subtype=%s", o->subtype ? o->subtype : "vfsd");
#undef K
  g_ptr_array_add(argv, g_strdup("vfsd"));
  g_ptr_array_add(argv, g_strdup("-o"));
  g_ptr_array_add(argv, g_string_free(k, FALSE));
  if (o->debug)
    g_ptr_array_add(argv, g_strdup("-d"));
  g_ptr_array_add(argv, NULL);
  args.argc = (int)argv->len - 1;
  args.argv = (char **)argv->pdata;
  args.allocated = 0;
  vfsd_fuse_error_clear();
  se = fuse_session_new(&args, &vfsd_dispatch_ops, sizeof vfsd_dispatch_ops, m);
  if (se == NULL) {
    const char *why = vfsd_fuse_error_last();
    vfsd_set_error(error, EINVAL, "libfuse refused the mount options%s%s",
                   why ? ": " : "", why ? why : "");
  }
  /* libfuse may have replaced args.argv with a copy it allocated. */
  if (args.allocated)
    fuse_opt_free_args(&args);
  g_ptr_array_free(argv, TRUE);
  return se;
}

static gboolean
start_common(VfsdMount *m, bool wait_init, GError **error)
{
  int threads;

  g_mutex_lock(&m->lock);
  if (m->state != MOUNT_NEW) {
    g_mutex_unlock(&m->lock);
    vfsd_set_error(error, EALREADY, "the mount of %s was started before",
                   m->mountpoint);
    return FALSE;
  }
  m->state = MOUNT_RUNNING; /* reserves the object; undone on failure */
  g_mutex_unlock(&m->lock);

  if (!settle(m, error))
    goto fail;
  m->se = new_session(m, error);
  if (m->se == NULL)
    goto fail_destroy;
  m->inodes = vfsd_inodes_new();
  vfsd_handles_init(m);
  m->threads = g_ptr_array_new();

  {
    vfsd_fuse_error_clear();
    if (fuse_session_mount(m->se, m->mountpoint) != 0) {
      const char *why = vfsd_fuse_error_last();
      int e = EIO;
      if (why && strstr(why, "Permission denied")) e = EACCES;
      else if (why && strstr(why, "No such")) e = ENOENT;
      vfsd_set_error(error, e, "cannot mount %s%s%s", m->mountpoint,
                     why ? ": " : "", why ? why : "");
      goto fail_destroy;
    }
  }
  m->fuse_fd = fuse_session_fd(m->se);
  fcntl(m->fuse_fd, F_SETFL, fcntl(m->fuse_fd, F_GETFL) | O_NONBLOCK);
  m->dev = find_mount_dev(m->mountpoint);
  m->signal_context = g_main_context_ref_thread_default();

  g_mutex_lock(&m->lock);
  __atomic_store_n(&m->accepting, true, __ATOMIC_SEQ_CST);
  g_mutex_unlock(&m->lock);

  m->supervisor = g_thread_try_new("vfsd-supervisor", vfsd_mount_supervisor,
                                   g_object_ref(m), error);
  if (m->supervisor == NULL) {
    g_object_unref(m);
    goto fail_unmount;
  }

  threads = m->opts.threads >= 0 ? m->opts.threads : DEFAULT_THREADS;
  if (m->thread_model == VFSD_THREAD_SERIALIZE_ALL && m->opts.threads < 0)
    threads = 1;
  if (m->attached)
    threads = 0;
  for (int i = 0; i < threads; i++) {
    GThread *t = g_thread_try_new("vfsd-worker", vfsd_mount_worker,
                                  g_object_ref(m), error);
    if (t == NULL) {
      g_object_unref(m);
      vfsd_mount_unmount(m);
      vfsd_mount_wait(m);
      return FALSE;
    }
    g_ptr_array_add(m->threads, t);
  }

  if (wait_init && threads > 0) {
    gint64 deadline =
        g_get_monotonic_time() + INIT_TIMEOUT_MS * G_TIME_SPAN_MILLISECOND;
    bool ok;
    g_mutex_lock(&m->lock);
    WAIT_UNTIL(m, m->init_seen || m->kernel_gone, deadline);
    ok = m->init_seen && !m->kernel_gone;
    g_mutex_unlock(&m->lock);
    if (!ok) {
      vfsd_set_error(error, ETIMEDOUT,
                     "the kernel did not start the mount of %s",
                     m->mountpoint);
      vfsd_mount_unmount(m);
      vfsd_mount_wait(m);
      return FALSE;
    }
  }
  if (m->opts.readahead_kb >= 0 && m->dev)
    set_readahead(m, m->opts.readahead_kb);
  return TRUE;

fail_unmount:
  fuse_session_unmount(m->se); /* detaches the mount, closes the device */
fail_destroy:
  vfsd_call_destroy(m->backend);
fail:
  if (m->se) {
    fuse_session_destroy(m->se);
    m->se = NULL;
  }
  g_mutex_lock(&m->lock);
  m->state = MOUNT_ENDED;
  m->destroy_done = true;
  m->end_error = -EIO;
  g_cond_broadcast(&m->cond);
  g_mutex_unlock(&m->lock);
  return FALSE;
}

gboolean
vfsd_mount_start(VfsdMount *mount, GError **error)
{
  g_return_val_if_fail(VFSD_IS_MOUNT(mount), FALSE);
  return start_common(mount, true, error);
}

gboolean
vfsd_mount_attach(VfsdMount *mount, GMainContext *context, GError **error)
{
  GSource *source;
  g_return_val_if_fail(VFSD_IS_MOUNT(mount), FALSE);
  source = vfsd_mount_source_new(mount);
  mount->attached = true; /* tells start_common: no threads */
  if (!start_common(mount, false, error)) {
    mount->attached = false;
    g_source_unref(source);
    return FALSE;
  }
  mount->source = source; /* our reference, dropped at finalize */
  vfsd_mount_source_watch(source, mount->fuse_fd);
  g_source_attach(source, context);
  return TRUE;
}

/* ---- waiting and ending ------------------------------------------------*/

void
vfsd_mount_unmount(VfsdMount *mount)
{
  g_return_if_fail(VFSD_IS_MOUNT(mount));
  g_mutex_lock(&mount->lock);
  if (!mount->stop_requested) {
    mount->stop_requested = true;
    g_cond_broadcast(&mount->cond);
  }
  g_mutex_unlock(&mount->lock);
}

void
vfsd_mount_exit(VfsdMount *mount)
{
  vfsd_mount_unmount(mount);
}

int
vfsd_mount_wait(VfsdMount *mount)
{
  int r;
  g_return_val_if_fail(VFSD_IS_MOUNT(mount), -EINVAL);
  g_mutex_lock(&mount->lock);
  if (mount->state == MOUNT_NEW) {
    g_mutex_unlock(&mount->lock);
    return -EINVAL;
  }
  while (mount->state != MOUNT_ENDED)
    g_cond_wait(&mount->cond, &mount->lock);
  r = mount->end_error;
  g_mutex_unlock(&mount->lock);
  return r;
}

gboolean
vfsd_mount_is_mounted(VfsdMount *mount)
{
  gboolean r;
  g_return_val_if_fail(VFSD_IS_MOUNT(mount), FALSE);
  g_mutex_lock(&mount->lock);
  r = mount->state == MOUNT_RUNNING;
  g_mutex_unlock(&mount->lock);
  return r;
}

guint64
vfsd_mount_get_referenced_inodes(VfsdMount *mount)
{
  g_return_val_if_fail(VFSD_IS_MOUNT(mount), 0);
  return mount->inodes ? vfsd_inodes_count(mount->inodes) : 0;
}

const char *
vfsd_mount_get_mountpoint(VfsdMount *mount)
{
  g_return_val_if_fail(VFSD_IS_MOUNT(mount), NULL);
  return mount->mountpoint;
}

VfsdBackend *
vfsd_mount_get_backend(VfsdMount *mount)
{
  g_return_val_if_fail(VFSD_IS_MOUNT(mount), NULL);
  return mount->backend;
}

