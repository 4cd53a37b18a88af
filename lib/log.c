/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Logging: one GLib log domain ("Vfsd"), VFSD_DEBUG parsing, libfuse's own
 * messages routed into the same place, rate limiting for backend bugs. */
#include "private.h"

#include <fuse_log.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define G_LOG_DOMAIN_VFSD "Vfsd"

gboolean vfsd_debug_ops = FALSE;
static gboolean debug_fuse = FALSE;

static GPrivate last_fuse_error = G_PRIVATE_INIT(g_free);

void
vfsd_fuse_error_clear(void)
{
  g_private_replace(&last_fuse_error, NULL);
}

const char *
vfsd_fuse_error_last(void)
{
  return g_private_get(&last_fuse_error);
}

static void
fuse_log_to_glib(enum fuse_log_level level, const char *fmt, va_list ap)
{
  char *msg = g_strdup_vprintf(fmt, ap);
  size_t n = strlen(msg);
  GLogLevelFlags gl;
  if (n && msg[n - 1] == '\n')
    msg[n - 1] = '\0';
  /* Errors are kept for the caller, which reports them in its own clear
   * sentence (a failed mount); they are logged only as info, visible with
   * VFSD_DEBUG=fuse or G_MESSAGES_DEBUG=Vfsd. */
  if (level <= FUSE_LOG_ERR) {
    const char *m = msg;
    if (g_str_has_prefix(m, "fuse: "))
      m += 6;
    g_private_replace(&last_fuse_error, g_strdup(m));
  }
  gl = level <= FUSE_LOG_WARNING ? G_LOG_LEVEL_INFO : G_LOG_LEVEL_DEBUG;
  if (debug_fuse)
    g_log(G_LOG_DOMAIN_VFSD, G_LOG_LEVEL_MESSAGE, "libfuse: %s", msg);
  else
    g_log(G_LOG_DOMAIN_VFSD, gl, "libfuse: %s", msg);
  g_free(msg);
}

void
vfsd_log_init(void)
{
  static gsize once = 0;
  if (g_once_init_enter(&once)) {
    const char *d = g_getenv("VFSD_DEBUG");
    if (d) {
      static const GDebugKey keys[] = { { "ops", 1 }, { "fuse", 2 } };
      guint v = g_parse_debug_string(d, keys, G_N_ELEMENTS(keys));
      vfsd_debug_ops = (v & 1) != 0;
      debug_fuse = (v & 2) != 0;
    }
    fuse_set_log_func(fuse_log_to_glib);
    g_once_init_leave(&once, 1);
  }
}

void
vfsd_log(GLogLevelFlags level, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  g_logv(G_LOG_DOMAIN_VFSD, level, fmt, ap);
  va_end(ap);
}

void
vfsd_trace(const char *fmt, ...)
{
  /* Traces go to stderr directly: one line per call, no GLib decoration,
   * written in one call so lines from several threads do not mix. */
  va_list ap;
  char *msg;
  va_start(ap, fmt);
  msg = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  fprintf(stderr, "vfsd: %s\n", msg);
  g_free(msg);
}

/* At most BUG_BURST lines per backend every BUG_WINDOW microseconds. */
#define BUG_BURST 10
#define BUG_WINDOW (10 * G_USEC_PER_SEC)

G_LOCK_DEFINE_STATIC(bug_lock);

void
vfsd_log_backend_bug(VfsdBackend *b, const char *op, const char *fmt, ...)
{
  VfsdBackendPrivate *p = vfsd_backend_priv(b);
  gint64 now = g_get_monotonic_time();
  va_list ap;
  char *msg;
  int suppressed = 0;

  /* Backend bugs are rare; one lock for all of them is enough. */
  G_LOCK(bug_lock);
  if (now - p->bug_window_start > BUG_WINDOW) {
    p->bug_window_start = now;
    suppressed = p->bug_suppressed;
    p->bug_suppressed = 0;
    p->bug_reports = 0;
  }
  if (p->bug_reports >= BUG_BURST) {
    p->bug_suppressed++;
    G_UNLOCK(bug_lock);
    return;
  }
  p->bug_reports++;
  G_UNLOCK(bug_lock);

  va_start(ap, fmt);
  msg = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  if (suppressed)
    vfsd_log(G_LOG_LEVEL_WARNING,
             "backend '%s': %s: %s; answered EIO (%d similar messages "
             "suppressed before)", p->name, op, msg, suppressed);
  else
    vfsd_log(G_LOG_LEVEL_WARNING, "backend '%s': %s: %s; answered EIO",
             p->name, op, msg);
  g_free(msg);
}
