/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* monitor: the seed's MonitorFS as a layer.  Every operation becomes one
 * JSON line — time, operation, inode and path, caller and its process name,
 * result, latency — written to a file, stderr or syslog.  Paths come from
 * the names the layer sees (paths.c).  See doc/layers/monitor.md. */
#include "monitor.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

/* Writes the pending lines out; under out_lock.  Whole lines, in order;
 * a full disk loses lines, never stops the file system. */
static void
flush_locked(Monitor *m)
{
  for (size_t done = 0; done < m->pending->len;) {
    ssize_t n = write(m->fd, m->pending->str + done, m->pending->len - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    done += (size_t)n;
  }
  g_string_truncate(m->pending, 0);
}

static void
write_line(Monitor *m, const GString *l)
{
  if (m->sink == SINK_SYSLOG) {
    syslog(LOG_INFO, "%.*s", (int)l->len - 1, l->str);
    return;
  }
  g_mutex_lock(&m->out_lock);
  g_string_append_len(m->pending, l->str, (gssize)l->len);
  /* Without the flusher (not mounted, or flush=line) every line goes out
   * at once. */
  if (m->per_line || m->flusher == NULL || m->pending->len >= FLUSH_BYTES)
    flush_locked(m);
  g_mutex_unlock(&m->out_lock);
}

static gpointer
flusher(gpointer data)
{
  Monitor *m = data;
  g_mutex_lock(&m->out_lock);
  while (!m->stop) {
    g_cond_wait_until(&m->wake, &m->out_lock,
                      g_get_monotonic_time() + FLUSH_US);
    flush_locked(m);
  }
  g_mutex_unlock(&m->out_lock);
  return NULL;
}

/* The flusher runs while mounted: started by init (after a daemon's fork,
 * which threads do not survive), stopped by destroy. */
static void
flusher_start(Monitor *m)
{
  if (m->sink == SINK_SYSLOG || m->per_line || m->flusher)
    return;
  m->stop = false;
  m->flusher = g_thread_new("vfsd-monitor", flusher, m);
}

static void
flusher_stop(Monitor *m)
{
  GThread *t;
  g_mutex_lock(&m->out_lock);
  t = m->flusher;
  m->stop = true;
  g_cond_signal(&m->wake);
  g_mutex_unlock(&m->out_lock);
  if (t)
    g_thread_join(t);
  g_mutex_lock(&m->out_lock);
  m->flusher = NULL;
  flush_locked(m);
  g_mutex_unlock(&m->out_lock);
}

/* Readdirplus entries name inodes too: a filler in between learns them. */
typedef struct {
  Monitor *m;
  uint64_t dir;
  VfsdDirFiller *orig;
} Peek;

static bool
peek_entry(void *data, const char *name, uint64_t ino, uint32_t mode,
           const VfsdEntry *entry, int64_t next_off)
{
  Peek *pk = data;
  if (entry == NULL)
    return vfsd_dir_add(pk->orig, name, ino, mode, next_off);
  if (!vfsd_dir_add_entry(pk->orig, name, entry, next_off))
    return false;
  vfsd_paths_learn(pk->m->paths, pk->dir, name, entry->ino);
  return true;
}

static int
monitor_before(void *self, VfsdCall *c)
{
  Monitor *m = self;
  if (c->op == VFSD_OP_READDIR && m->paths &&
      vfsd_dir_wants_entries(c->filler)) {
    Peek *pk = g_new(Peek, 1);
    pk->m = m;
    pk->dir = c->ino;
    pk->orig = c->filler;
    c->filler = vfsd_dir_filler_new(true, peek_entry, pk);
    c->layer_data = pk;
  }
  return 0;
}

static void
learn(Monitor *m, VfsdCall *c)
{
  switch (c->op) {
  case VFSD_OP_LOOKUP: case VFSD_OP_MKNOD: case VFSD_OP_MKDIR:
  case VFSD_OP_SYMLINK: case VFSD_OP_CREATE:
    vfsd_paths_learn(m->paths, c->ino, c->name, c->entry->ino);
    break;
  case VFSD_OP_LINK:
    vfsd_paths_learn(m->paths, c->ino2, c->name2, c->entry->ino);
    break;
  case VFSD_OP_UNLINK: case VFSD_OP_RMDIR:
    vfsd_paths_unlinked(m->paths, c->ino, c->name);
    break;
  case VFSD_OP_RENAME:
    vfsd_paths_renamed(m->paths, c->ino, c->name, c->ino2, c->name2,
                       (c->flags & RENAME_EXCHANGE) != 0);
    break;
  case VFSD_OP_FORGET:
    vfsd_paths_forget(m->paths, c->ino);
    break;
  default:
    break;
  }
}

static void
monitor_after(void *self, VfsdCall *c, int64_t r)
{
  Monitor *m = self;
  if (c->layer_data) {  /* the readdirplus filler of monitor_before */
    Peek *pk = c->layer_data;
    vfsd_dir_filler_free(c->filler);
    c->filler = pk->orig;
    g_free(pk);
  }
  if (m->log_ops & VFSD_OP_BIT(c->op)) {
    GString *l = g_string_sized_new(256);
    vfsd_monitor_format_line(m, l, c, r);
    write_line(m, l);
    g_string_free(l, TRUE);
  }
  if (c->op == VFSD_OP_INIT && r == 0)
    flusher_start(m);
  else if (c->op == VFSD_OP_DESTROY)
    flusher_stop(m);
  if (m->paths && (r == 0 || c->op == VFSD_OP_FORGET))
    learn(m, c);
}

static void
monitor_free(void *data)
{
  Monitor *m = data;
  flusher_stop(m);
  if (m->close_fd)
    close(m->fd);
  vfsd_paths_free(m->paths);
  g_hash_table_unref(m->comms);
  g_string_free(m->pending, TRUE);
  g_cond_clear(&m->wake);
  g_mutex_clear(&m->out_lock);
  g_mutex_clear(&m->lock);
  g_free(m);
}

/* The operations path tracking needs to see. */
#define TRACKED_OPS                                                         \
  (MONITOR_ENTRY_OPS | VFSD_OP_BIT(VFSD_OP_UNLINK) | VFSD_OP_BIT(VFSD_OP_RMDIR) |   \
   VFSD_OP_BIT(VFSD_OP_RENAME) | VFSD_OP_BIT(VFSD_OP_FORGET) |              \
   VFSD_OP_BIT(VFSD_OP_READDIR))

static gboolean
open_sink(Monitor *m, const char *log, GError **error)
{
  if (!strcmp(log, "stderr") || !strcmp(log, "-")) {
    m->fd = STDERR_FILENO;
  } else if (!strcmp(log, "syslog")) {
    m->sink = SINK_SYSLOG;
    openlog("vfsd-monitor", LOG_PID, LOG_USER);
  } else {
    m->fd = open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (m->fd < 0) {
      int e = errno;
      vfsd_set_error(error, e, "layer 'monitor': cannot open the log %s: %s",
                     log, g_strerror(e));
      return FALSE;
    }
    m->close_fd = true;
  }
  return TRUE;
}

static VfsdBackend *
monitor_create(VfsdBackend *next, const char *args, GError **error)
{
  static const char *const known[] = { "log", "only", "skip", "paths",
                                       "comm", "flush", NULL };
  g_autoptr(GHashTable) a = vfsd_layer_args_parse("monitor", args, known,
                                                  error);
  VfsdLayerHooks hooks = { .name = "monitor", .before = monitor_before,
                           .after = monitor_after };
  Monitor *m;
  const char *v;
  guint64 skip = 0;
  gboolean paths = TRUE, comm = TRUE, ok = TRUE;
  VfsdBackend *b;
  if (a == NULL)
    return NULL;
  m = g_new0(Monitor, 1);
  m->log_ops = VFSD_OP_BIT(VFSD_OP_COUNT) - 1;
  if ((v = g_hash_table_lookup(a, "only")))
    ok = vfsd_layer_arg_ops("monitor", "only", v, &m->log_ops, error);
  if (ok && (v = g_hash_table_lookup(a, "skip")))
    ok = vfsd_layer_arg_ops("monitor", "skip", v, &skip, error);
  if (ok && (v = g_hash_table_lookup(a, "paths")))
    ok = vfsd_layer_arg_bool("monitor", "paths", v, &paths, error);
  if (ok && (v = g_hash_table_lookup(a, "comm")))
    ok = vfsd_layer_arg_bool("monitor", "comm", v, &comm, error);
  if (ok && (v = g_hash_table_lookup(a, "flush"))) {
    m->per_line = !strcmp(v, "line");
    if (!m->per_line && strcmp(v, "buffered") != 0) {
      vfsd_set_error(error, EINVAL, "layer 'monitor': flush=%s is neither "
                     "line nor buffered", v);
      ok = FALSE;
    }
  }
  m->log_ops &= ~skip;
  if (ok && m->log_ops == 0) {
    vfsd_set_error(error, EINVAL, "layer 'monitor': only and skip leave no "
                   "operation to log");
    ok = FALSE;
  }
  v = g_hash_table_lookup(a, "log");
  if (ok)
    ok = open_sink(m, v && *v ? v : "stderr", error);
  if (!ok) {
    g_free(m);
    return NULL;
  }
  m->comm = comm;
  m->paths = paths ? vfsd_paths_new() : NULL;
  m->comms = g_hash_table_new_full(NULL, NULL, NULL, g_free);
  m->pending = g_string_sized_new(FLUSH_BYTES + 4096);
  g_mutex_init(&m->lock);
  g_mutex_init(&m->out_lock);
  g_cond_init(&m->wake);
  hooks.ops = m->log_ops | (paths ? TRACKED_OPS : 0) |
              VFSD_OP_BIT(VFSD_OP_INIT) | VFSD_OP_BIT(VFSD_OP_DESTROY);
  b = vfsd_layer_new_hooks(&hooks, m, monitor_free, next, error);
  if (b == NULL)
    monitor_free(m);
  return b;
}

VFSD_INTERNAL const VfsdLayerInfo vfsd_layer_monitor = {
  .name = "monitor",
  .summary = "log every operation as one JSON line (the seed's MonitorFS)",
  .args_help =
      "log=FILE         append the lines to FILE (or stderr, the default,\n"
      "                 or syslog)\n"
      "only=OPS         log only these operations; " VFSD_LAYER_OPS_HELP "\n"
      "skip=OPS         do not log these\n"
      "paths=no         do not track names (lines carry inodes only)\n"
      "comm=no          do not look up process names\n"
      "flush=line       write each line at once (default: buffered, at\n"
      "                 most 100 ms behind while mounted)",
  .create = monitor_create,
};
