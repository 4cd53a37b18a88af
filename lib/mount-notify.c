/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Cache invalidation for backends: notifications go through a queue to a
 * thread of their own, so a backend calling them from inside an operation
 * never waits for the kernel (which may be waiting for that operation). */
#include "mount-private.h"

#include <errno.h>
#include <signal.h>
#include <string.h>

/* ---- notifications -----------------------------------------------------*/

typedef enum { N_INVAL_INODE, N_INVAL_ENTRY, N_DELETE, N_STOP } NotifyKind;

typedef struct {
  NotifyKind kind;
  guint64 ino;
  guint64 child;
  gint64 off;
  gint64 len;
  char *name;
} Notify;

static gpointer
notify_thread(gpointer data)
{
  VfsdMount *m = data;
  vfsd_block_async_signals();
  for (;;) {
    Notify *n = g_async_queue_pop(m->notify_queue);
    NotifyKind kind = n->kind;
    switch (kind) {
    case N_INVAL_INODE:
      fuse_lowlevel_notify_inval_inode(m->se, n->ino, n->off, n->len);
      break;
    case N_INVAL_ENTRY:
      fuse_lowlevel_notify_inval_entry(m->se, n->ino, n->name,
                                       strlen(n->name));
      break;
    case N_DELETE:
      fuse_lowlevel_notify_delete(m->se, n->ino, n->child, n->name,
                                  strlen(n->name));
      break;
    case N_STOP:
      break;
    }
    g_free(n->name);
    g_free(n);
    if (kind == N_STOP)
      break;
  }
  g_object_unref(m);
  return NULL;
}

static int
notify_push(VfsdMount *m, Notify *n)
{
  int r = 0;
  g_mutex_lock(&m->lock);
  if (m->state != MOUNT_RUNNING)
    r = -ENOTCONN;
  else if (m->notify_thread == NULL) {
    m->notify_queue = g_async_queue_new();
    m->notify_thread = g_thread_try_new("vfsd-notify", notify_thread,
                                        g_object_ref(m), NULL);
    if (m->notify_thread == NULL) {
      g_object_unref(m);
      r = -ENOMEM;
    }
  }
  if (r == 0)
    g_async_queue_push(m->notify_queue, n);
  g_mutex_unlock(&m->lock);
  if (r != 0) {
    g_free(n->name);
    g_free(n);
  }
  return r;
}

void
vfsd_mount_notify_stop(VfsdMount *m, gint64 deadline)
{
  GThread *t;
  Notify *n;
  g_mutex_lock(&m->lock);
  t = m->notify_thread;
  m->notify_thread = NULL;
  g_mutex_unlock(&m->lock);
  if (t == NULL)
    return;
  n = g_new0(Notify, 1);
  n->kind = N_STOP;
  g_async_queue_push(m->notify_queue, n);
  (void)deadline; /* the connection is cut, so pending calls return */
  g_thread_join(t);
}

int
vfsd_mount_notify_inval_inode(VfsdMount *mount, guint64 ino, gint64 off,
                              gint64 len)
{
  Notify *n;
  g_return_val_if_fail(VFSD_IS_MOUNT(mount), -EINVAL);
  n = g_new0(Notify, 1);
  n->kind = N_INVAL_INODE;
  n->ino = ino;
  n->off = off;
  n->len = len;
  return notify_push(mount, n);
}

int
vfsd_mount_notify_inval_entry(VfsdMount *mount, guint64 parent,
                              const char *name)
{
  Notify *n;
  g_return_val_if_fail(VFSD_IS_MOUNT(mount), -EINVAL);
  g_return_val_if_fail(name != NULL, -EINVAL);
  n = g_new0(Notify, 1);
  n->kind = N_INVAL_ENTRY;
  n->ino = parent;
  n->name = g_strdup(name);
  return notify_push(mount, n);
}

int
vfsd_mount_notify_delete(VfsdMount *mount, guint64 parent, guint64 child,
                         const char *name)
{
  Notify *n;
  g_return_val_if_fail(VFSD_IS_MOUNT(mount), -EINVAL);
  g_return_val_if_fail(name != NULL, -EINVAL);
  n = g_new0(Notify, 1);
  n->kind = N_DELETE;
  n->ino = parent;
  n->child = child;
  n->name = g_strdup(name);
  return notify_push(mount, n);
}

