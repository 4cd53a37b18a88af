/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* monitor: the seed's MonitorFS as a layer.  Every operation becomes one
 * JSON line — time, operation, inode and path, caller and its process name,
 * result, latency — written to a file, stderr or syslog.  Paths come from
 * the names the layer sees (paths.c).  See doc/layers/monitor.md. */
#include "paths.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

typedef enum { SINK_FD, SINK_SYSLOG } SinkKind;

typedef struct {
  guint64 log_ops;        /* the operations that get a line */
  SinkKind sink;
  int fd;                 /* SINK_FD */
  bool close_fd;
  bool comm;              /* look up process names */
  VfsdPathTable *paths;   /* NULL with paths=no */
  GMutex lock;            /* guards writes to @fd and the comm cache */
  GHashTable *comms;      /* pid → CommEntry */
} Monitor;

typedef struct {
  gint64 at;              /* monotonic µs of the lookup */
  char name[17];
} CommEntry;

#define COMM_TTL_US (G_USEC_PER_SEC)
#define COMM_CACHE_MAX 4096

/* The process name of @pid (/proc/PID/comm), cached for a second. */
static void
append_comm(Monitor *m, GString *out, uint32_t pid)
{
  gint64 now = g_get_monotonic_time();
  CommEntry *e;
  char path[32], buf[32] = "";
  ssize_t n = -1;
  int fd;
  g_mutex_lock(&m->lock);
  e = g_hash_table_lookup(m->comms, GUINT_TO_POINTER(pid));
  if (e && now - e->at < COMM_TTL_US) {
    g_string_append(out, e->name);
    g_mutex_unlock(&m->lock);
    return;
  }
  g_mutex_unlock(&m->lock);
  snprintf(path, sizeof path, "/proc/%u/comm", pid);
  if ((fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
    n = read(fd, buf, sizeof buf - 1);
    close(fd);
  }
  buf[n > 0 ? n : 0] = '\0';
  buf[strcspn(buf, "\n")] = '\0';
  g_mutex_lock(&m->lock);
  if (g_hash_table_size(m->comms) >= COMM_CACHE_MAX)
    g_hash_table_remove_all(m->comms);
  e = g_new(CommEntry, 1);
  e->at = now;
  g_strlcpy(e->name, buf, sizeof e->name);
  g_hash_table_replace(m->comms, GUINT_TO_POINTER(pid), e);
  g_mutex_unlock(&m->lock);
  g_string_append(out, buf);
}

static void
json_str(GString *out, const char *key, const char *val)
{
  g_string_append_printf(out, ",\"%s\":\"", key);
  vfsd_json_escape(out, val);
  g_string_append_c(out, '"');
}

static void
json_path(Monitor *m, GString *out, const char *key, uint64_t ino,
          const char *name)
{
  GString *p;
  if (m->paths == NULL)
    return;
  p = g_string_sized_new(64);
  vfsd_paths_append(m->paths, p, ino, name);
  json_str(out, key, p->str);
  g_string_free(p, TRUE);
}

/* Operations whose name is a directory entry in @ino. */
#define ENTRY_NAME_OPS                                                      \
  (VFSD_OP_BIT(VFSD_OP_LOOKUP) | VFSD_OP_BIT(VFSD_OP_MKNOD) |               \
   VFSD_OP_BIT(VFSD_OP_MKDIR) | VFSD_OP_BIT(VFSD_OP_UNLINK) |               \
   VFSD_OP_BIT(VFSD_OP_RMDIR) | VFSD_OP_BIT(VFSD_OP_SYMLINK) |              \
   VFSD_OP_BIT(VFSD_OP_RENAME) | VFSD_OP_BIT(VFSD_OP_CREATE))
#define XATTR_OPS                                                           \
  (VFSD_OP_BIT(VFSD_OP_SETXATTR) | VFSD_OP_BIT(VFSD_OP_GETXATTR) |          \
   VFSD_OP_BIT(VFSD_OP_REMOVEXATTR))
#define DATA_OPS                                                            \
  (VFSD_OP_BIT(VFSD_OP_READ) | VFSD_OP_BIT(VFSD_OP_READ_IOV) |              \
   VFSD_OP_BIT(VFSD_OP_WRITE) | VFSD_OP_BIT(VFSD_OP_FALLOCATE) |            \
   VFSD_OP_BIT(VFSD_OP_COPY_FILE_RANGE) | VFSD_OP_BIT(VFSD_OP_READDIR) |    \
   VFSD_OP_BIT(VFSD_OP_LSEEK))
#define ENTRY_OPS                                                           \
  (VFSD_OP_BIT(VFSD_OP_LOOKUP) | VFSD_OP_BIT(VFSD_OP_MKNOD) |               \
   VFSD_OP_BIT(VFSD_OP_MKDIR) | VFSD_OP_BIT(VFSD_OP_SYMLINK) |              \
   VFSD_OP_BIT(VFSD_OP_LINK) | VFSD_OP_BIT(VFSD_OP_CREATE))

static void
format_line(Monitor *m, GString *l, VfsdCall *c, int64_t r)
{
  uint64_t bit = VFSD_OP_BIT(c->op);
  gint64 now = g_get_real_time();
  time_t secs = (time_t)(now / G_USEC_PER_SEC);
  struct tm tm;
  char stamp[32];
  gmtime_r(&secs, &tm);
  strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
  g_string_append_printf(l, "{\"time\":\"%s.%06dZ\",\"op\":\"%s\"", stamp,
                         (int)(now % G_USEC_PER_SEC),
                         vfsd_layer_op_name(c->op));
  if (c->ino)
    g_string_append_printf(l, ",\"ino\":%" PRIu64, c->ino);
  if (c->op == VFSD_OP_INIT || c->op == VFSD_OP_DESTROY)
    ;
  else if (bit & ENTRY_NAME_OPS)
    json_path(m, l, "path", c->ino, c->name);
  else
    json_path(m, l, "path", c->ino, NULL);
  if (c->op == VFSD_OP_RENAME || c->op == VFSD_OP_LINK)
    json_path(m, l, "path2", c->ino2, c->name2);
  if (c->op == VFSD_OP_SYMLINK)
    json_str(l, "target", c->name2);
  if (bit & XATTR_OPS)
    json_str(l, "xattr", c->name);
  if (c->op == VFSD_OP_COPY_FILE_RANGE)
    g_string_append_printf(l, ",\"ino2\":%" PRIu64 ",\"off2\":%" PRId64,
                           c->ino2, c->off2);
  if (bit & DATA_OPS)
    g_string_append_printf(l, ",\"off\":%" PRId64 ",\"size\":%" PRIu64,
                           c->off, c->size);
  if (c->op == VFSD_OP_OPEN || c->op == VFSD_OP_CREATE)
    g_string_append_printf(l, ",\"flags\":%" PRId32, c->oi->flags);
  if (c->ctx) {
    g_string_append_printf(l, ",\"uid\":%u,\"gid\":%u,\"pid\":%u",
                           c->ctx->uid, c->ctx->gid, c->ctx->pid);
    if (m->comm && c->ctx->pid) {
      g_string_append(l, ",\"comm\":\"");
      GString *cm = g_string_sized_new(17);
      append_comm(m, cm, c->ctx->pid);
      vfsd_json_escape(l, cm->str);
      g_string_free(cm, TRUE);
      g_string_append_c(l, '"');
    }
  }
  g_string_append_printf(l, ",\"result\":%" PRId64, r);
  if (r < 0) {
    const char *e = vfsd_errno_name((int)-r);
    json_str(l, "error", e ? e : "?");
  } else if (r == 0 && (bit & ENTRY_OPS))
    g_string_append_printf(l, ",\"result_ino\":%" PRIu64, c->entry->ino);
  g_string_append_printf(l, ",\"latency_us\":%.3f}\n",
                         (double)c->elapsed_ns / 1000.0);
}

static void
write_line(Monitor *m, const GString *l)
{
  if (m->sink == SINK_SYSLOG) {
    syslog(LOG_INFO, "%.*s", (int)l->len - 1, l->str);
    return;
  }
  /* One write per line keeps lines whole with O_APPEND; the lock keeps
   * them whole when a write is short. */
  g_mutex_lock(&m->lock);
  for (size_t done = 0; done < l->len;) {
    ssize_t n = write(m->fd, l->str + done, l->len - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;  /* a full disk must not stop the file system */
    done += (size_t)n;
  }
  g_mutex_unlock(&m->lock);
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
    format_line(m, l, c, r);
    write_line(m, l);
    g_string_free(l, TRUE);
  }
  if (m->paths && (r == 0 || c->op == VFSD_OP_FORGET))
    learn(m, c);
}

static void
monitor_free(void *data)
{
  Monitor *m = data;
  if (m->close_fd)
    close(m->fd);
  vfsd_paths_free(m->paths);
  g_hash_table_unref(m->comms);
  g_mutex_clear(&m->lock);
  g_free(m);
}

/* The operations path tracking needs to see. */
#define TRACKED_OPS                                                         \
  (ENTRY_OPS | VFSD_OP_BIT(VFSD_OP_UNLINK) | VFSD_OP_BIT(VFSD_OP_RMDIR) |   \
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
                                       "comm", NULL };
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
  g_mutex_init(&m->lock);
  hooks.ops = m->log_ops | (paths ? TRACKED_OPS : 0);
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
      "comm=no          do not look up process names",
  .create = monitor_create,
};
