/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The VFSD_ERROR domain: error codes are errno values. */
#include "private.h"

#include <stdarg.h>

G_DEFINE_QUARK(vfsd-error-quark, vfsd_error)

void
vfsd_set_error(GError **error, int errnum, const char *fmt, ...)
{
  va_list ap;
  char *msg;
  if (error == NULL)
    return;
  va_start(ap, fmt);
  msg = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  g_set_error_literal(error, VFSD_ERROR, errnum, msg);
  g_free(msg);
}

const char *
vfsd_get_version(void)
{
  return PACKAGE_VERSION;
}
