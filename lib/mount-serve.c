/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Serving a mount and ending it: worker loops (library threads and threads
 * lent through vfsd_mount_run_worker), the GSource of vfsd_mount_attach(),
 * and the supervisor that runs the one shutdown path described in mount.c.
 *
 * Workers wait in one shared epoll: the device edge-triggered, so a new
 * request wakes one worker; an eventfd (never read) wakes them all at the
 * end.  See worker_loop(). */
#include "mount-private.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define END_GRACE_MS 300       /* for the kernel to end the connection */
#define END_DRAIN_MS 500       /* for requests in flight to be answered */

/* ---- serving -----------------------------------------------------------*/

void
vfsd_mount_init_seen(VfsdMount *m)
{
  g_mutex_lock(&m->lock);
  m->init_seen = true;
  g_cond_broadcast(&m->cond);
  g_mutex_unlock(&m->lock);
}

static void
note_kernel_gone(VfsdMount *m, int err)
{
  g_mutex_lock(&m->lock);
  if (!m->kernel_gone) {
    m->kernel_gone = true;
    if (err && m->end_error == 0)
      m->end_error = err;
    g_cond_broadcast(&m->cond);
  }
  g_mutex_unlock(&m->lock);
}

/* Requests in flight are counted without the mount's lock: the lock and a
 * condition broadcast per request cost a futex call or more each, the
 * largest part of the library's own time per request.  Ordering (all
 * sequentially consistent): a worker raises `active` before it reads
 * `accepting`; the supervisor clears `accepting` before it reads `active`
 * under the lock, so one of the two sees the other.  Only once accepting
 * is false can anyone wait for `active` to reach zero, so only then does
 * the last request out take the lock to wake them (and, after the end, run
 * the deferred destroy). */
static inline void leave_request(VfsdMount *m);

static inline bool
enter_request(VfsdMount *m)
{
  __atomic_add_fetch(&m->active, 1, __ATOMIC_SEQ_CST);
  if (__atomic_load_n(&m->accepting, __ATOMIC_SEQ_CST))
    return true;
  leave_request(m);
  return false;
}

static void
leave_request_slow(VfsdMount *m)
{
  bool destroy = false;
  g_mutex_lock(&m->lock);
  g_cond_broadcast(&m->cond);
  /* The last straggler after the end runs the deferred destroy. */
  if (__atomic_load_n(&m->active, __ATOMIC_SEQ_CST) == 0 &&
      m->state == MOUNT_ENDED && !m->destroy_done)
    destroy = true;
  g_mutex_unlock(&m->lock);
  if (destroy)
    vfsd_mount_finish_destroy(m);
}

static inline void
leave_request(VfsdMount *m)
{
  if (__atomic_sub_fetch(&m->active, 1, __ATOMIC_SEQ_CST) == 0 &&
      !__atomic_load_n(&m->accepting, __ATOMIC_SEQ_CST))
    leave_request_slow(m);
}

/* Before a worker goes into the backend with a request, it makes sure
 * that requests queued behind it wake another worker: several that
 * arrived together made one edge, and this worker may be held up in the
 * backend for long (a store that does not answer).  Modifying the epoll
 * entry re-checks the device and, if it still has requests, wakes one
 * waiter; with nothing queued (a synchronous caller) it wakes nobody. */
static inline void
pass_on(VfsdMount *m)
{
  struct epoll_event ev;
  if (__atomic_load_n(&m->workers, __ATOMIC_RELAXED) < 2)
    return;
  ev.events = EPOLLIN | EPOLLET;
  ev.data.u32 = 0;
  epoll_ctl(m->epoll_fd, EPOLL_CTL_MOD, m->fuse_fd, &ev);
}

/* Takes one request and processes it.  Returns 1 if one was processed, 0
 * if none is waiting, -1 when this worker must leave. */
static int
serve_one(VfsdMount *m, struct fuse_buf *fbuf)
{
  int r;
  if (!enter_request(m))
    return -1;
  r = fuse_session_receive_buf(m->se, fbuf);
  if (r > 0) {
    pass_on(m);
    fuse_session_process_buf(m->se, fbuf);
    leave_request(m);
    return 1;
  }
  leave_request(m);
  if (r == -EAGAIN || r == -EINTR)
    return 0;
  /* 0: ENODEV (the kernel ended the connection); < 0: a real error. */
  note_kernel_gone(m, r < 0 ? r : 0);
  if (r < 0)
    vfsd_log(G_LOG_LEVEL_WARNING, "reading requests for %s: %s",
             m->mountpoint, g_strerror(-r));
  return -1;
}

void
vfsd_block_async_signals(void)
{
  sigset_t set;
  sigfillset(&set);
  sigdelset(&set, SIGSEGV);
  sigdelset(&set, SIGBUS);
  sigdelset(&set, SIGFPE);
  sigdelset(&set, SIGILL);
  sigdelset(&set, SIGABRT);
  sigdelset(&set, SIGTRAP);
  pthread_sigmask(SIG_BLOCK, &set, NULL);
}

/* The workers' shared wait, made by the first worker: the device fd
 * edge-triggered, so each new request wakes one waiting worker and nobody
 * else; the stop eventfd level-triggered, so at the end it wakes them all
 * in turn.  A worker woken drains the device until it is empty before it
 * waits again, and passes on (pass_on()) before each request: requests
 * that arrived while the event was still pending made no edge of their
 * own. */
static int
shared_wait_fd(VfsdMount *m, int fd)
{
  struct epoll_event ev;
  int ep = m->epoll_fd;
  if (ep >= 0)
    return ep;
  ep = epoll_create1(EPOLL_CLOEXEC);
  if (ep < 0)
    return -errno;
  ev.events = EPOLLIN | EPOLLET;
  ev.data.u32 = 0;
  if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
    int e = errno;
    close(ep);
    return -e;
  }
  ev.events = EPOLLIN;
  ev.data.u32 = 1;
  if (epoll_ctl(ep, EPOLL_CTL_ADD, m->stop_efd, &ev) != 0) {
    int e = errno;
    close(ep);
    return -e;
  }
  m->epoll_fd = ep;
  return ep;
}

/* Serves requests until the device is empty (0) or the worker must leave
 * (-1).  With spin_ns, the last worker to find it empty keeps looking for
 * that long before it sleeps: a client that sends its next request within
 * a few microseconds of our reply (every synchronous caller) then finds a
 * worker awake, and the sleep and wakeup a request otherwise costs on each
 * side are gone.  One worker spins at a time. */
static int
drain(VfsdMount *m, struct fuse_buf *fbuf, gint64 spin_ns)
{
  int r;
  while ((r = serve_one(m, fbuf)) > 0)
    ;
  if (r < 0 || spin_ns <= 0 ||
      __atomic_exchange_n(&m->spinner, 1, __ATOMIC_ACQUIRE))
    return r;
  {
    gint64 until = g_get_monotonic_time() * 1000 + spin_ns;
    for (;;) {
      r = serve_one(m, fbuf);
      if (r < 0)
        break;
      if (r > 0)
        until = g_get_monotonic_time() * 1000 + spin_ns;
      else if (g_get_monotonic_time() * 1000 >= until)
        break;
    }
  }
  __atomic_store_n(&m->spinner, 0, __ATOMIC_RELEASE);
  return r;
}

static int
worker_loop(VfsdMount *m)
{
  struct fuse_buf fbuf;
  int ep;
  gint64 spin_ns;

  /* Count this worker in before touching the device fd: the supervisor
   * closes it only once no worker is left. */
  g_mutex_lock(&m->lock);
  if (!__atomic_load_n(&m->accepting, __ATOMIC_SEQ_CST)) {
    g_mutex_unlock(&m->lock);
    return 0;
  }
  ep = shared_wait_fd(m, m->fuse_fd);
  if (ep < 0) {
    g_mutex_unlock(&m->lock);
    vfsd_log(G_LOG_LEVEL_WARNING, "a worker for %s cannot wait for "
             "requests: %s", m->mountpoint, g_strerror(-ep));
    return ep;
  }
  __atomic_add_fetch(&m->workers, 1, __ATOMIC_RELAXED);
  g_mutex_unlock(&m->lock);

  memset(&fbuf, 0, sizeof fbuf);
  spin_ns = m->spin_ns;
  /* Requests may be waiting already (their edge came before we did). */
  if (drain(m, &fbuf, spin_ns) >= 0) {
    for (;;) {
      struct epoll_event got[2];
      int n = epoll_wait(ep, got, 2, -1);
      if (n < 0 && errno != EINTR)
        break;
      if (drain(m, &fbuf, spin_ns) < 0)
        break;
    }
  }

  g_mutex_lock(&m->lock);
  __atomic_sub_fetch(&m->workers, 1, __ATOMIC_RELAXED);
  g_cond_broadcast(&m->cond);
  g_mutex_unlock(&m->lock);
  free(fbuf.mem);
  return 0;
}

gpointer
vfsd_mount_worker(gpointer data)
{
  VfsdMount *m = data;
  vfsd_block_async_signals();
  worker_loop(m);
  g_object_unref(m);
  return NULL;
}

int
vfsd_mount_run_worker(VfsdMount *mount)
{
  int r;
  g_return_val_if_fail(VFSD_IS_MOUNT(mount), -EINVAL);
  g_mutex_lock(&mount->lock);
  r = mount->state == MOUNT_NEW ? -EINVAL : 0;
  if (r == 0 && !__atomic_load_n(&mount->accepting, __ATOMIC_SEQ_CST)) {
    g_mutex_unlock(&mount->lock);
    return 0; /* it has ended already */
  }
  g_mutex_unlock(&mount->lock);
  if (r)
    return r;
  g_object_ref(mount);
  r = worker_loop(mount);
  g_object_unref(mount);
  return r;
}

/* ---- attach(): serving from a GMainContext -----------------------------*/

typedef struct {
  GSource source;
  VfsdMount *m;
  struct fuse_buf fbuf;
  gpointer tag;
} FuseSource;

static gboolean
fuse_source_dispatch(GSource *source, GSourceFunc cb, gpointer data)
{
  FuseSource *fs = (FuseSource *)source;
  GIOCondition cond = g_source_query_unix_fd(source, fs->tag);
  (void)cb;
  (void)data;
  if (cond & (G_IO_IN | G_IO_ERR | G_IO_HUP)) {
    /* A bounded batch, so other sources of the context get their turn. */
    for (int i = 0; i < 16; i++) {
      int r = serve_one(fs->m, &fs->fbuf);
      if (r < 0)
        return G_SOURCE_REMOVE;
      if (r == 0)
        break;
    }
  }
  return G_SOURCE_CONTINUE;
}

static void
fuse_source_finalize(GSource *source)
{
  FuseSource *fs = (FuseSource *)source;
  free(fs->fbuf.mem);
  g_object_unref(fs->m);
}

static GSourceFuncs fuse_source_funcs = {
  .dispatch = fuse_source_dispatch,
  .finalize = fuse_source_finalize,
};


GSource *
vfsd_mount_source_new(VfsdMount *m)
{
  FuseSource *fs =
      (FuseSource *)g_source_new(&fuse_source_funcs, sizeof(FuseSource));
  fs->m = g_object_ref(m);
  memset(&fs->fbuf, 0, sizeof fs->fbuf);
  g_source_set_name(&fs->source, "vfsd mount");
  return &fs->source;
}

void
vfsd_mount_source_watch(GSource *source, int fd)
{
  FuseSource *fs = (FuseSource *)source;
  fs->tag = g_source_add_unix_fd(source, fd, G_IO_IN | G_IO_ERR | G_IO_HUP);
}
/* ---- the end -----------------------------------------------------------*/

void
vfsd_mount_finish_destroy(VfsdMount *m)
{
  g_mutex_lock(&m->lock);
  if (m->destroy_done) {
    g_mutex_unlock(&m->lock);
    return;
  }
  m->destroy_done = true;
  g_mutex_unlock(&m->lock);
  vfsd_handles_release_all(m);
  vfsd_dispatch_forget_all(m);
  vfsd_call_destroy(m->backend);
  g_mutex_lock(&m->lock);
  g_cond_broadcast(&m->cond);
  g_mutex_unlock(&m->lock);
}




gpointer
vfsd_mount_supervisor(gpointer data)
{
  VfsdMount *m = data;
  gint64 deadline;
  bool stuck;

  vfsd_block_async_signals();
  g_mutex_lock(&m->lock);
  while (!m->stop_requested && !m->kernel_gone)
    g_cond_wait(&m->cond, &m->lock);
  m->state = MOUNT_ENDING;
  g_mutex_unlock(&m->lock);

  /* 1-2: detach, and give the kernel a moment to end the connection. */
  deadline = g_get_monotonic_time() + END_GRACE_MS * G_TIME_SPAN_MILLISECOND;
  if (!m->kernel_gone)
    vfsd_mount_kernel_unmount(m);
  g_mutex_lock(&m->lock);
  WAIT_UNTIL(m, m->kernel_gone || (m->workers == 0 && !m->attached),
             deadline);
  /* 3: no new requests; wake the idle workers; let the busy ones finish. */
  __atomic_store_n(&m->accepting, false, __ATOMIC_SEQ_CST);
  g_mutex_unlock(&m->lock);
  if (eventfd_write(m->stop_efd, 1) != 0)
    vfsd_log(G_LOG_LEVEL_WARNING, "cannot wake workers: %s", g_strerror(errno));
  if (m->source)
    g_source_destroy(m->source); /* the context drops its reference */
  deadline = g_get_monotonic_time() + END_DRAIN_MS * G_TIME_SPAN_MILLISECOND;
  g_mutex_lock(&m->lock);
  WAIT_UNTIL(m, __atomic_load_n(&m->active, __ATOMIC_SEQ_CST) == 0 &&
                   m->workers == 0, deadline);
  stuck = __atomic_load_n(&m->active, __ATOMIC_SEQ_CST) > 0;
  g_mutex_unlock(&m->lock);

  /* 4: cut the connection.  fusectl's abort where it is mounted; in any
   * case libfuse closes the device (our last reference: the kernel aborts
   * the connection) and sets the session's fd to -1, so a straggler's late
   * reply fails with EBADF instead of landing in a reused descriptor.  The
   * path was detached in step 1, so what fuse_session_unmount() tries on it
   * finds nothing (it skips the attempt when the connection reports
   * POLLERR). */
  vfsd_mount_kernel_abort(m);
  fuse_session_unmount(m->se);
  g_mutex_lock(&m->lock);
  m->fuse_fd = -1;
  g_mutex_unlock(&m->lock);
  vfsd_mount_notify_stop(m, g_get_monotonic_time() + 100 * G_TIME_SPAN_MILLISECOND);

  /* Library threads that left are joined; one stuck in the backend is let
   * go and cleans up after itself. */
  for (guint i = 0; i < m->threads->len; i++) {
    GThread *t = g_ptr_array_index(m->threads, i);
    if (stuck)
      g_thread_unref(t);
    else
      g_thread_join(t);
  }
  g_ptr_array_set_size(m->threads, 0);

  if (stuck)
    vfsd_log(G_LOG_LEVEL_WARNING,
             "mount %s ended while a call into backend '%s' had not "
             "returned; destroy() runs when it does",
             m->mountpoint, vfsd_backend_get_name(m->backend));
  /* 5: destroy now if nothing is inside the backend, else the last call
   * to return does it (leave_request).  The mount counts as ended after
   * destroy, so vfsd_mount_wait() returning means destroy() has run —
   * unless a call is stuck. */
  g_mutex_lock(&m->lock);
  stuck = __atomic_load_n(&m->active, __ATOMIC_SEQ_CST) > 0;
  if (stuck) {
    m->state = MOUNT_ENDED;
    g_cond_broadcast(&m->cond);
  }
  g_mutex_unlock(&m->lock);
  if (!stuck) {
    vfsd_mount_finish_destroy(m);
    g_mutex_lock(&m->lock);
    m->state = MOUNT_ENDED;
    g_cond_broadcast(&m->cond);
    g_mutex_unlock(&m->lock);
  }
  if (eventfd_write(m->ctl_efd, 1) != 0) {
    /* run() polls this; nothing else to do */
  }
  vfsd_mount_schedule_exited(m);
  g_object_unref(m);
  return NULL;
}

