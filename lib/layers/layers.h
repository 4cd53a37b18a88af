/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared by the built-in layers: argument strings, sets of operations,
 * errno names, clocks. */
#ifndef VFSD_LAYERS_H
#define VFSD_LAYERS_H

#include "private.h"

G_BEGIN_DECLS

/* Parses a layer's argument string "key=value,key,…" into a table of
 * key → value ("" for a bare key).  Every key must be in @known (NULL-
 * terminated); an unknown or repeated key is an error naming it and the
 * layer.  Free the result with g_hash_table_unref(). */
VFSD_INTERNAL GHashTable *vfsd_layer_args_parse(const char *layer,
                                                const char *args,
                                                const char *const *known,
                                                GError **error);

/* Value parsers; each sets an error naming @layer and @key. */
VFSD_INTERNAL gboolean vfsd_layer_arg_uint(const char *layer, const char *key,
                                           const char *value, guint64 max,
                                           guint64 *out, GError **error);
VFSD_INTERNAL gboolean vfsd_layer_arg_double(const char *layer,
                                             const char *key,
                                             const char *value, double min,
                                             double max, double *out,
                                             GError **error);
/* "10ms", "1.5s", "200us", "3" (milliseconds). */
VFSD_INTERNAL gboolean vfsd_layer_arg_duration(const char *layer,
                                               const char *key,
                                               const char *value,
                                               gint64 *out_ns, GError **error);
/* "EIO", "eio" or a number 1..4095. */
VFSD_INTERNAL gboolean vfsd_layer_arg_errno(const char *layer, const char *key,
                                            const char *value, int *out,
                                            GError **error);
/* "yes/no/true/false/1/0/on/off", "" (bare key) is yes. */
VFSD_INTERNAL gboolean vfsd_layer_arg_bool(const char *layer, const char *key,
                                           const char *value, gboolean *out,
                                           GError **error);

/* A set of operations: names joined by '+', each an operation
 * ("lookup", "read", …) or a class: all, modifying, data, meta, names,
 * dir, open, xattr, lock.  Gives VFSD_OP_BIT()s.  "read" also means
 * read_iov. */
VFSD_INTERNAL gboolean vfsd_layer_arg_ops(const char *layer, const char *key,
                                          const char *value, guint64 *out,
                                          GError **error);
/* What vfsd_layer_arg_ops() accepts, for help texts. */
#define VFSD_LAYER_OPS_HELP                                                 \
  "operation names (lookup, read, write, …) or classes (all, modifying, "   \
  "data, meta, names, dir, open, xattr, lock) joined by '+'"

/* "EIO" for 5; NULL for numbers without a name. */
VFSD_INTERNAL const char *vfsd_errno_name(int errnum);

/* The name a layer shows for an operation: read_iov is "read". */
static inline const char *
vfsd_layer_op_name(VfsdOpId op)
{
  return op == VFSD_OP_READ_IOV ? "read" : vfsd_op_name(op);
}

/* Appends @s as the body of a JSON string: quotes, backslashes and control
 * characters escaped; a byte that is not UTF-8 becomes the code point of
 * its value (\u00XX). */
VFSD_INTERNAL void vfsd_json_escape(GString *out, const char *s);

/* CLOCK_MONOTONIC in nanoseconds. */
VFSD_INTERNAL gint64 vfsd_now_ns(void);

G_END_DECLS

#endif
