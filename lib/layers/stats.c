/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* stats: per-operation counts, errors, bytes and latency histograms,
 * readable while mounted (see include/vfsd/stats.h for the socket and the
 * JSON document, doc/layers/stats.md for the layer). */
#include "stats.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

/* Bucket 0: below 1 µs; bucket k: [2^(k-1), 2^k) µs; the last: the rest. */
#define BUCKETS 32

typedef struct {
  guint64 calls, errors, bytes, total_ns, max_ns;
  guint64 hist[BUCKETS];
} OpStats;

struct VfsdStats {
  OpStats ops[VFSD_OP_COUNT];
  gint64 since;                  /* monotonic ns of the last reset */
  GMutex lock;                   /* guards @server and @mountpoint */
  VfsdStatsServer *server;
  char *mountpoint;
};

static GQuark
stats_quark(void)
{
  return g_quark_from_static_string("vfsd-stats-layer");
}

#define ADD(field, v) __atomic_fetch_add(&(field), (v), __ATOMIC_RELAXED)
#define GET(field) __atomic_load_n(&(field), __ATOMIC_RELAXED)

static void
stats_after(void *self, VfsdCall *c, int64_t r)
{
  VfsdStats *s = self;
  VfsdOpId op = c->op == VFSD_OP_READ_IOV ? VFSD_OP_READ : c->op;
  OpStats *o = &s->ops[op];
  guint64 ns = c->elapsed_ns > 0 ? (guint64)c->elapsed_ns : 0;
  guint64 us = ns / 1000, max;
  int b = us ? 64 - __builtin_clzll(us) : 0;
  ADD(o->calls, 1);
  if (r < 0)
    ADD(o->errors, 1);
  else if (op == VFSD_OP_READ || op == VFSD_OP_WRITE ||
           op == VFSD_OP_COPY_FILE_RANGE)
    ADD(o->bytes, (guint64)r);
  ADD(o->total_ns, ns);
  ADD(o->hist[MIN(b, BUCKETS - 1)], 1);
  max = GET(o->max_ns);
  while (ns > max && !__atomic_compare_exchange_n(&o->max_ns, &max, ns, true,
                                                  __ATOMIC_RELAXED,
                                                  __ATOMIC_RELAXED))
    ;
  /* The socket lives as long as the mount. */
  if (c->op == VFSD_OP_INIT && r == 0 && c->init->mount) {
    const char *mp = vfsd_mount_get_mountpoint(c->init->mount);
    VfsdStatsServer *old;
    g_mutex_lock(&s->lock);
    g_free(s->mountpoint);
    s->mountpoint = g_strdup(mp);
    old = s->server;
    s->server = NULL;
    g_mutex_unlock(&s->lock);
    /* The server thread takes the lock to answer: stop it outside. */
    if (old)
      vfsd_stats_server_stop(old);
    old = vfsd_stats_server_start(s, mp);
    g_mutex_lock(&s->lock);
    s->server = old;
    g_mutex_unlock(&s->lock);
  } else if (c->op == VFSD_OP_DESTROY) {
    VfsdStatsServer *old;
    g_mutex_lock(&s->lock);
    old = s->server;
    s->server = NULL;
    g_mutex_unlock(&s->lock);
    if (old)
      vfsd_stats_server_stop(old);
  }
}

/* The upper bound in µs of bucket @k. */
static guint64
bucket_bound(int k)
{
  return UINT64_C(1) << k;
}

static void
snapshot(VfsdStats *s, OpStats *out)
{
  for (int op = 0; op < VFSD_OP_COUNT; op++) {
    OpStats *o = &s->ops[op];
    out[op].calls = GET(o->calls);
    out[op].errors = GET(o->errors);
    out[op].bytes = GET(o->bytes);
    out[op].total_ns = GET(o->total_ns);
    out[op].max_ns = GET(o->max_ns);
    for (int k = 0; k < BUCKETS; k++)
      out[op].hist[k] = GET(o->hist[k]);
  }
}

static void
format_json(VfsdStats *s, const OpStats *st, GString *out)
{
  bool first = true;
  g_string_append(out, "{\"layer\":\"stats\",\"mountpoint\":");
  g_mutex_lock(&s->lock);
  if (s->mountpoint) {
    g_string_append_c(out, '"');
    vfsd_json_escape(out, s->mountpoint);
    g_string_append_c(out, '"');
  } else
    g_string_append(out, "null");
  g_mutex_unlock(&s->lock);
  g_string_append_printf(out, ",\"uptime_s\":%.3f,\"ops\":{",
                         (double)(vfsd_now_ns() - s->since) / 1e9);
  for (int op = 0; op < VFSD_OP_COUNT; op++) {
    const OpStats *o = &st[op];
    bool firstb = true;
    if (o->calls == 0)
      continue;
    g_string_append_printf(out, "%s\"%s\":{\"calls\":%" PRIu64 ",\"errors\":"
                           "%" PRIu64 ",\"bytes\":%" PRIu64 ",\"total_us\":"
                           "%.3f,\"max_us\":%.3f,\"histogram_us\":[",
                           first ? "" : ",", vfsd_op_name((VfsdOpId)op),
                           o->calls, o->errors, o->bytes, o->total_ns / 1e3,
                           o->max_ns / 1e3);
    for (int k = 0; k < BUCKETS; k++)
      if (o->hist[k]) {
        g_string_append_printf(out, "%s[%" PRIu64 ",%" PRIu64 "]",
                               firstb ? "" : ",", bucket_bound(k), o->hist[k]);
        firstb = false;
      }
    g_string_append(out, "]}");
    first = false;
  }
  g_string_append(out, "}}\n");
}

/* The upper bound (µs) of the bucket holding the @q quantile. */
static guint64
quantile(const OpStats *o, double q)
{
  guint64 want = (guint64)(q * (double)o->calls + 0.999999), seen = 0;
  for (int k = 0; k < BUCKETS; k++) {
    seen += o->hist[k];
    if (seen >= want && seen > 0)
      return bucket_bound(k);
  }
  return bucket_bound(BUCKETS - 1);
}

static void
format_text(const OpStats *st, GString *out)
{
  g_string_append_printf(out, "%-16s %10s %8s %10s %9s %9s %9s %10s %12s\n",
                         "operation", "calls", "errors", "total ms",
                         "mean us", "p50 <us", "p99 <us", "max us", "bytes");
  for (int op = 0; op < VFSD_OP_COUNT; op++) {
    const OpStats *o = &st[op];
    if (o->calls == 0)
      continue;
    g_string_append_printf(out, "%-16s %10" PRIu64 " %8" PRIu64 " %10.3f "
                           "%9.1f %9" PRIu64 " %9" PRIu64 " %10.1f %12" PRIu64
                           "\n", vfsd_op_name((VfsdOpId)op), o->calls,
                           o->errors, o->total_ns / 1e6,
                           o->total_ns / 1e3 / (double)o->calls,
                           quantile(o, 0.5), quantile(o, 0.99),
                           o->max_ns / 1e3, o->bytes);
  }
}

static void
stats_reset(VfsdStats *s)
{
  for (int op = 0; op < VFSD_OP_COUNT; op++) {
    OpStats *o = &s->ops[op];
    __atomic_store_n(&o->calls, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&o->errors, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&o->bytes, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&o->total_ns, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&o->max_ns, 0, __ATOMIC_RELAXED);
    for (int k = 0; k < BUCKETS; k++)
      __atomic_store_n(&o->hist[k], 0, __ATOMIC_RELAXED);
  }
  s->since = vfsd_now_ns();
}

char *
vfsd_stats_answer(VfsdStats *s, const char *request, GError **error)
{
  OpStats *st;
  GString *out;
  if (!strcmp(request, "reset")) {
    stats_reset(s);
    return g_strdup("ok\n");
  }
  if (strcmp(request, "json") != 0 && strcmp(request, "text") != 0) {
    vfsd_set_error(error, EINVAL, "unknown statistics request '%s' (json, "
                   "text or reset)", request);
    return NULL;
  }
  st = g_new(OpStats, VFSD_OP_COUNT);
  snapshot(s, st);
  out = g_string_sized_new(4096);
  if (request[0] == 'j')
    format_json(s, st, out);
  else
    format_text(st, out);
  g_free(st);
  return g_string_free(out, FALSE);
}

static VfsdStats *
find_stats(VfsdBackend *b, GError **error)
{
  for (; b; b = vfsd_backend_get_next(b)) {
    VfsdStats *s = g_object_get_qdata(G_OBJECT(b), stats_quark());
    if (s)
      return s;
  }
  vfsd_set_error(error, ENOENT, "the backend has no 'stats' layer (stack "
                 "one with -l stats or vfsd_layer_load(\"stats\", …))");
  return NULL;
}

char *
vfsd_stats_get(VfsdBackend *backend, const char *format, GError **error)
{
  VfsdStats *s;
  g_return_val_if_fail(VFSD_IS_BACKEND(backend), NULL);
  g_return_val_if_fail(format != NULL, NULL);
  if (strcmp(format, "json") != 0 && strcmp(format, "text") != 0) {
    vfsd_set_error(error, EINVAL, "unknown statistics format '%s' (json or "
                   "text)", format);
    return NULL;
  }
  s = find_stats(backend, error);
  return s ? vfsd_stats_answer(s, format, error) : NULL;
}

gboolean
vfsd_stats_reset(VfsdBackend *backend, GError **error)
{
  VfsdStats *s;
  g_return_val_if_fail(VFSD_IS_BACKEND(backend), FALSE);
  s = find_stats(backend, error);
  if (s)
    stats_reset(s);
  return s != NULL;
}

static void
stats_free(void *data)
{
  VfsdStats *s = data;
  if (s->server)
    vfsd_stats_server_stop(s->server);
  g_free(s->mountpoint);
  g_mutex_clear(&s->lock);
  g_free(s);
}

static VfsdBackend *
stats_create(VfsdBackend *next, const char *args, GError **error)
{
  VfsdLayerHooks hooks = { .name = "stats", .after = stats_after };
  VfsdStats *s;
  VfsdBackend *b;
  if (args && *args) {
    vfsd_set_error(error, EINVAL, "layer 'stats' takes no arguments (got "
                   "'%s')", args);
    return NULL;
  }
  s = g_new0(VfsdStats, 1);
  g_mutex_init(&s->lock);
  s->since = vfsd_now_ns();
  b = vfsd_layer_new_hooks(&hooks, s, stats_free, next, error);
  if (b == NULL) {
    stats_free(s);
    return NULL;
  }
  g_object_set_qdata(G_OBJECT(b), stats_quark(), s);
  return b;
}

VFSD_INTERNAL const VfsdLayerInfo vfsd_layer_stats = {
  .name = "stats",
  .summary = "count operations, errors, bytes and latencies; read them "
             "with `vfsd stats MOUNTPOINT`",
  .args_help = NULL,
  .create = stats_create,
};
