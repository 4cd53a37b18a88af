/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vfsd_mount_run(): start, then wait — optionally turning SIGINT, SIGTERM
 * and SIGHUP into a clean unmount.  The handler only writes to eventfds
 * (async-signal-safe); the waiting thread does the rest. */
#include "mount-private.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/eventfd.h>

/* ---- run() and signals -------------------------------------------------*/

/* Mounts whose run() handles signals; the handler writes to their ctl
 * eventfds.  Changed only with the signals blocked. */
#define MAX_SIGNAL_MOUNTS 64
static volatile int signal_fds[MAX_SIGNAL_MOUNTS];
static volatile sig_atomic_t signal_seen[MAX_SIGNAL_MOUNTS];
static int signal_users;
static struct sigaction old_actions[3];
static const int handled_signals[3] = { SIGINT, SIGTERM, SIGHUP };
G_LOCK_DEFINE_STATIC(signal_lock);

static void
on_signal(int sig)
{
  int saved = errno;
  (void)sig;
  for (int i = 0; i < MAX_SIGNAL_MOUNTS; i++)
    if (signal_fds[i] > 0) {
      signal_seen[i] = 1;
      eventfd_write(signal_fds[i], 1);
    }
  errno = saved;
}

static void
block_handled(sigset_t *old)
{
  sigset_t set;
  sigemptyset(&set);
  for (int i = 0; i < 3; i++)
    sigaddset(&set, handled_signals[i]);
  pthread_sigmask(SIG_BLOCK, &set, old);
}

static int
signals_register(int fd)
{
  sigset_t old;
  int slot = -1;
  G_LOCK(signal_lock);
  block_handled(&old);
  for (int i = 0; i < MAX_SIGNAL_MOUNTS && slot < 0; i++)
    if (signal_fds[i] <= 0) {
      signal_seen[i] = 0;
      signal_fds[i] = fd;
      slot = i;
    }
  if (slot >= 0 && signal_users++ == 0) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < 3; i++)
      sigaction(handled_signals[i], &sa, &old_actions[i]);
  }
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  G_UNLOCK(signal_lock);
  return slot;
}

static void
signals_unregister(int slot)
{
  sigset_t old;
  if (slot < 0)
    return;
  G_LOCK(signal_lock);
  block_handled(&old);
  signal_fds[slot] = 0;
  if (--signal_users == 0)
    for (int i = 0; i < 3; i++)
      sigaction(handled_signals[i], &old_actions[i], NULL);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  G_UNLOCK(signal_lock);
}

int
vfsd_mount_signals_begin(VfsdMount *mount)
{
  return signals_register(mount->ctl_efd);
}

void
vfsd_mount_signals_end(int slot)
{
  signals_unregister(slot);
}

int
vfsd_mount_wait_signals(VfsdMount *mount, int slot)
{
  int efd = mount->ctl_efd;
  for (;;) {
    struct pollfd pfd = { efd, POLLIN, 0 };
    eventfd_t v;
    bool ended;
    if (slot >= 0 && signal_seen[slot]) {
      signal_seen[slot] = 0;
      vfsd_mount_unmount(mount);
    }
    g_mutex_lock(&mount->lock);
    ended = mount->state == MOUNT_ENDED;
    g_mutex_unlock(&mount->lock);
    if (ended)
      break;
    if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
      break;
    eventfd_read(efd, &v);
  }
  return vfsd_mount_wait(mount);
}

gboolean
vfsd_mount_run(VfsdMount *mount, VfsdRunFlags flags, GError **error)
{
  int r, slot = -1;
  g_return_val_if_fail(VFSD_IS_MOUNT(mount), FALSE);
  /* Handlers first: a signal that arrives while the mount starts still
   * ends it cleanly instead of killing the process. */
  if (flags & VFSD_RUN_HANDLE_SIGNALS)
    slot = vfsd_mount_signals_begin(mount);
  if (!vfsd_mount_start(mount, error)) {
    vfsd_mount_signals_end(slot);
    return FALSE;
  }
  r = vfsd_mount_wait_signals(mount, slot);
  vfsd_mount_signals_end(slot);
  if (r != 0) {
    vfsd_set_error(error, -r, "the mount of %s failed: %s",
                   mount->mountpoint, g_strerror(-r));
    return FALSE;
  }
  return TRUE;
}
