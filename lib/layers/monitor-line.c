/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The monitor layer's JSON lines: time, operation, inode and path,
 * caller and its process name, result, latency.  Built without printf,
 * which was most of a line's cost. */
#include "monitor.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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
put_u64(GString *out, uint64_t v)
{
  char buf[24], *p = buf + sizeof buf;
  do
    *--p = (char)('0' + v % 10);
  while ((v /= 10) != 0);
  g_string_append_len(out, p, buf + sizeof buf - p);
}

static void
put_i64(GString *out, int64_t v)
{
  if (v < 0) {
    g_string_append_c(out, '-');
    put_u64(out, -(uint64_t)v);
  } else
    put_u64(out, (uint64_t)v);
}

/* ,"key": */
static void
put_key(GString *out, const char *key)
{
  g_string_append(out, ",\"");
  g_string_append(out, key);
  g_string_append(out, "\":");
}

static void
json_num(GString *out, const char *key, int64_t v)
{
  put_key(out, key);
  put_i64(out, v);
}

static void
json_str(GString *out, const char *key, const char *val)
{
  put_key(out, key);
  g_string_append_c(out, '"');
  vfsd_json_escape(out, val);
  g_string_append_c(out, '"');
}

static void
json_path(Monitor *m, GString *out, const char *key, uint64_t ino,
          const char *name, GString *scratch)
{
  if (m->paths == NULL)
    return;
  g_string_truncate(scratch, 0);
  vfsd_paths_append(m->paths, scratch, ino, name);
  json_str(out, key, scratch->str);
}

/* "2026-11-25T13:06:37.123456Z", the seconds formatted once a second per
 * thread. */
static void
put_time(GString *out)
{
  static __thread gint64 cached_sec = -1;
  static __thread char cached[24];
  gint64 now = g_get_real_time(), sec = now / G_USEC_PER_SEC;
  char frac[8];
  int us = (int)(now % G_USEC_PER_SEC);
  if (sec != cached_sec) {
    time_t t = (time_t)sec;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(cached, sizeof cached, "%Y-%m-%dT%H:%M:%S", &tm);
    cached_sec = sec;
  }
  g_string_append(out, cached);
  frac[0] = '.';
  for (int i = 6; i >= 1; i--, us /= 10)
    frac[i] = (char)('0' + us % 10);
  frac[7] = 'Z';
  g_string_append_len(out, frac, 8);
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

void
vfsd_monitor_format_line(Monitor *m, GString *l, VfsdCall *c, int64_t r)
{
  uint64_t bit = VFSD_OP_BIT(c->op);
  GString *scratch = g_string_sized_new(128);
  g_string_append(l, "{\"time\":\"");
  put_time(l);
  g_string_append(l, "\",\"op\":\"");
  g_string_append(l, vfsd_layer_op_name(c->op));
  g_string_append_c(l, '"');
  if (c->ino)
    json_num(l, "ino", (int64_t)c->ino);
  if (c->op == VFSD_OP_INIT || c->op == VFSD_OP_DESTROY)
    ;
  else if (bit & ENTRY_NAME_OPS)
    json_path(m, l, "path", c->ino, c->name, scratch);
  else
    json_path(m, l, "path", c->ino, NULL, scratch);
  if (c->op == VFSD_OP_RENAME || c->op == VFSD_OP_LINK)
    json_path(m, l, "path2", c->ino2, c->name2, scratch);
  if (c->op == VFSD_OP_SYMLINK)
    json_str(l, "target", c->name2);
  if (bit & XATTR_OPS)
    json_str(l, "xattr", c->name);
  if (c->op == VFSD_OP_COPY_FILE_RANGE) {
    json_num(l, "ino2", (int64_t)c->ino2);
    json_num(l, "off2", c->off2);
  }
  if (bit & DATA_OPS) {
    json_num(l, "off", c->off);
    json_num(l, "size", (int64_t)c->size);
  }
  if (c->op == VFSD_OP_OPEN || c->op == VFSD_OP_CREATE)
    json_num(l, "flags", c->oi->flags);
  if (c->ctx) {
    json_num(l, "uid", c->ctx->uid);
    json_num(l, "gid", c->ctx->gid);
    json_num(l, "pid", c->ctx->pid);
    if (m->comm && c->ctx->pid) {
      g_string_truncate(scratch, 0);
      append_comm(m, scratch, c->ctx->pid);
      json_str(l, "comm", scratch->str);
    }
  }
  json_num(l, "result", r);
  if (r < 0) {
    const char *e = vfsd_errno_name((int)-r);
    json_str(l, "error", e ? e : "?");
  } else if (r == 0 && (bit & MONITOR_ENTRY_OPS))
    json_num(l, "result_ino", (int64_t)c->entry->ino);
  /* Latency in microseconds with three decimals. */
  put_key(l, "latency_us");
  put_u64(l, (uint64_t)c->elapsed_ns / 1000);
  g_string_append_c(l, '.');
  {
    unsigned ns = (unsigned)((uint64_t)c->elapsed_ns % 1000);
    char d[3] = { (char)('0' + ns / 100), (char)('0' + ns / 10 % 10),
                  (char)('0' + ns % 10) };
    g_string_append_len(l, d, 3);
  }
  g_string_append(l, "}\n");
  g_string_free(scratch, TRUE);
}
