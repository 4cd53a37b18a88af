/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fault: makes chosen operations fail (a chosen errno) and/or slow, every
 * Nth call or with a probability, so programs can be tested against
 * failing storage.  See doc/layers/fault.md. */
#include "layers.h"

#include <errno.h>
#include <string.h>

typedef struct {
  int err;              /* errno to inject; 0: delay only */
  guint64 every;        /* every Nth matching call (0: use probability) */
  double probability;
  guint64 after;        /* leave the first N matching calls alone */
  guint64 limit;        /* at most N injections (0: no limit) */
  gint64 delay_ns;
  GMutex lock;          /* guards the counters and the generator */
  guint64 seen;         /* matching calls */
  guint64 injected;
  GRand *rand;
} Fault;

/* Decides, under the lock, whether this call is one to hit. */
static gboolean
fault_pick(Fault *f)
{
  gboolean hit;
  g_mutex_lock(&f->lock);
  f->seen++;
  if (f->seen <= f->after || (f->limit && f->injected >= f->limit))
    hit = FALSE;
  else if (f->every)
    hit = (f->seen - f->after) % f->every == 0;
  else
    hit = g_rand_double(f->rand) < f->probability;
  if (hit)
    f->injected++;
  g_mutex_unlock(&f->lock);
  return hit;
}

/* Sleeps in slices, giving up early when the caller gave up. */
static int
fault_delay(const VfsdCtx *ctx, gint64 ns)
{
  gint64 end = vfsd_now_ns() + ns, left;
  while ((left = end - vfsd_now_ns()) > 0) {
    if (vfsd_ctx_interrupted(ctx))
      return -EINTR;
    g_usleep((gulong)MIN(left / 1000 + 1, 10000));
  }
  return 0;
}

static int
fault_before(void *self, VfsdCall *c)
{
  Fault *f = self;
  int r;
  if (!fault_pick(f))
    return 0;
  if (f->delay_ns && (r = fault_delay(c->ctx, f->delay_ns)) != 0)
    return r;
  return -f->err;
}

static void
fault_free(void *data)
{
  Fault *f = data;
  g_rand_free(f->rand);
  g_mutex_clear(&f->lock);
  g_free(f);
}

/* What fault may touch: never the calls that free what the backend holds,
 * nor the mount's start. */
#define UNTOUCHABLE                                                         \
  (VFSD_OP_BIT(VFSD_OP_INIT) | VFSD_OP_BIT(VFSD_OP_DESTROY) |               \
   VFSD_OP_BIT(VFSD_OP_FORGET) | VFSD_OP_BIT(VFSD_OP_RELEASE) |             \
   VFSD_OP_BIT(VFSD_OP_RELEASEDIR))

static VfsdBackend *
fault_create(VfsdBackend *next, const char *args, GError **error)
{
  static const char *const known[] = { "ops", "errno", "every", "probability",
                                       "after", "limit", "delay", "seed",
                                       NULL };
  g_autoptr(GHashTable) a = vfsd_layer_args_parse("fault", args, known,
                                                  error);
  Fault *f;
  VfsdLayerHooks hooks = { .name = "fault", .before = fault_before,
                           .ops = VFSD_OP_BIT(VFSD_OP_COUNT) - 1 };
  const char *v;
  guint64 seed = (guint64)g_get_real_time();
  gboolean ok = TRUE;
  if (a == NULL)
    return NULL;
  f = g_new0(Fault, 1);
  f->err = EIO;
  f->every = 1;
  g_mutex_init(&f->lock);
  if ((v = g_hash_table_lookup(a, "ops")))
    ok = vfsd_layer_arg_ops("fault", "ops", v, &hooks.ops, error);
  if (ok && (v = g_hash_table_lookup(a, "errno"))) {
    if (!g_ascii_strcasecmp(v, "none") || !strcmp(v, "0"))
      f->err = 0;
    else
      ok = vfsd_layer_arg_errno("fault", "errno", v, &f->err, error);
  }
  if (ok && (v = g_hash_table_lookup(a, "every")))
    ok = vfsd_layer_arg_uint("fault", "every", v, G_MAXUINT64, &f->every,
                             error);
  if (ok && (v = g_hash_table_lookup(a, "probability"))) {
    if (g_hash_table_contains(a, "every")) {
      vfsd_set_error(error, EINVAL, "layer 'fault': give every or "
                     "probability, not both");
      ok = FALSE;
    } else {
      ok = vfsd_layer_arg_double("fault", "probability", v, 0, 1,
                                 &f->probability, error);
      f->every = 0;
    }
  }
  if (ok && f->every == 0 && !g_hash_table_contains(a, "probability")) {
    vfsd_set_error(error, EINVAL, "layer 'fault': every must be at least 1");
    ok = FALSE;
  }
  if (ok && (v = g_hash_table_lookup(a, "after")))
    ok = vfsd_layer_arg_uint("fault", "after", v, G_MAXUINT64, &f->after,
                             error);
  if (ok && (v = g_hash_table_lookup(a, "limit")))
    ok = vfsd_layer_arg_uint("fault", "limit", v, G_MAXUINT64, &f->limit,
                             error);
  if (ok && (v = g_hash_table_lookup(a, "delay")))
    ok = vfsd_layer_arg_duration("fault", "delay", v, &f->delay_ns, error);
  if (ok && (v = g_hash_table_lookup(a, "seed")))
    ok = vfsd_layer_arg_uint("fault", "seed", v, G_MAXUINT32, &seed, error);
  if (ok && f->err == 0 && f->delay_ns == 0) {
    vfsd_set_error(error, EINVAL, "layer 'fault': with errno=none there is "
                   "nothing to inject; give a delay");
    ok = FALSE;
  }
  if (ok && (hooks.ops & ~UNTOUCHABLE) == 0) {
    vfsd_set_error(error, EINVAL, "layer 'fault': ops names only operations "
                   "it never touches (init, destroy, forget, release, "
                   "releasedir)");
    ok = FALSE;
  }
  if (!ok) {
    g_mutex_clear(&f->lock);
    g_free(f);
    return NULL;
  }
  hooks.ops &= ~UNTOUCHABLE;
  f->rand = g_rand_new_with_seed((guint32)seed);
  return vfsd_layer_new_hooks(&hooks, f, fault_free, next, error);
}

VFSD_INTERNAL const VfsdLayerInfo vfsd_layer_fault = {
  .name = "fault",
  .summary = "inject errors and delays into chosen operations",
  .args_help =
      "ops=OPS          which operations (default: all but init, destroy,\n"
      "                 forget, release, releasedir); " VFSD_LAYER_OPS_HELP "\n"
      "errno=E          the error to inject (default EIO; none: delay only)\n"
      "every=N          hit every Nth matching call (default 1: all)\n"
      "probability=P    or hit each matching call with probability P (0-1)\n"
      "after=N          leave the first N matching calls alone\n"
      "limit=N          inject at most N times\n"
      "delay=D          sleep D (e.g. 50ms) before answering a hit call\n"
      "seed=N           seed for probability (default: the time)",
  .create = fault_create,
};
