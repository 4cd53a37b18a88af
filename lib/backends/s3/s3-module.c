/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vfsd-s3.so: the module's entry point, one instance per mount, and the
 * operations table.  `vfsd mount s3:bucket=B,endpoint=URL MOUNTPOINT`. */
#include "s3.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

/* ---- threads that serve the mount -------------------------------------*/

/* A request to S3 takes milliseconds; the library's two workers would let
 * one slow upload stall every other call.  The backend lends the mount
 * `workers` more threads, started at its first request (the mount is fully
 * up by then). */
static gpointer
serve(gpointer data)
{
  S3 *s3 = data;
  vfsd_mount_run_worker(s3->mount);
  return NULL;
}

static void
ensure_workers(S3 *s3)
{
  if (s3->mount == NULL || g_atomic_int_get(&s3->stopping) ||
      !g_atomic_int_compare_and_exchange(&s3->workers_started, 0, 1))
    return;
  for (int i = 0; i < s3->cfg.workers; i++) {
    GThread *t = g_thread_try_new("vfsd-s3-worker", serve, s3, NULL);
    if (t == NULL)
      break;
    g_ptr_array_add(s3->threads, t);
  }
}

static int
op_init(void *self, VfsdInit *init)
{
  S3 *s3 = self;
  init->entry_timeout = s3->cfg.cache_timeout;
  init->attr_timeout = s3->cfg.cache_timeout;
  init->negative_timeout = s3->cfg.cache_timeout;
  init->caps |= VFSD_CAP_ATOMIC_O_TRUNC;
  s3->mount = init->mount;
  g_atomic_int_set(&s3->stopping, 0);
  return 0;
}

static void
op_destroy(void *self)
{
  S3 *s3 = self;
  GThread *me = g_thread_self();
  int failed;
  g_atomic_int_set(&s3->stopping, 1);
  /* Everything written is stored before the mount is gone, or named. */
  s3_writeback_drain(s3, MAX(60.0, 4 * s3->cfg.timeout));
  s3_data_store_all(s3);
  g_mutex_lock(&s3->wb_lock);
  failed = (int)s3->wb_failed->len;
  if (failed > 0) {
    GString *list = g_string_new(NULL);
    for (guint i = 0; i < s3->wb_failed->len; i++)
      g_string_append_printf(list, "%s%s", i ? ", " : "",
                             (char *)s3->wb_failed->pdata[i]);
    g_warning("unmounted with %d file(s) not stored in %s: %s", failed,
              s3->bucket_url, list->str);
    g_string_free(list, TRUE);
  }
  g_mutex_unlock(&s3->wb_lock);
  for (guint i = 0; i < s3->threads->len; i++) {
    GThread *t = s3->threads->pdata[i];
    if (t == me)
      g_thread_unref(t);
    else
      g_thread_join(t);
  }
  g_ptr_array_set_size(s3->threads, 0);
  g_atomic_int_set(&s3->workers_started, 0);
  s3->mount = NULL;
}

static int
op_getattr(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
           VfsdAttr *out)
{
  ensure_workers(self);
  return s3_op_getattr(self, ctx, ino, fh, out);
}

static int
op_lookup(void *self, const VfsdCtx *ctx, uint64_t parent, const char *name,
          VfsdEntry *out)
{
  ensure_workers(self);
  return s3_op_lookup(self, ctx, parent, name, out);
}

static const VfsdOps s3_ops = {
  VFSD_OPS_INIT("s3", VFSD_THREAD_PARALLEL),
  .flags = VFSD_BACKEND_STABLE_DIR_OFFSETS,
  .init = op_init,
  .destroy = op_destroy,
  .lookup = op_lookup,
  .forget = s3_op_forget,
  .getattr = op_getattr,
  .setattr = s3_op_setattr,
  .readlink = s3_op_readlink,
  .mknod = s3_op_mknod,
  .mkdir = s3_op_mkdir,
  .unlink = s3_op_unlink,
  .rmdir = s3_op_rmdir,
  .symlink = s3_op_symlink,
  .rename = s3_op_rename,
  .link = s3_op_link,
  .open = s3_op_open,
  .create = s3_op_create,
  .read_iov = s3_op_read_iov,
  .write = s3_op_write,
  .flush = s3_op_flush,
  .release = s3_op_release,
  .fsync = s3_op_fsync,
  .opendir = s3_op_opendir,
  .readdir = s3_op_readdir,
  .releasedir = s3_op_releasedir,
  .statfs = s3_op_statfs,
};

/* ---- instances --------------------------------------------------------*/

static void
s3_free(gpointer p)
{
  S3 *s3 = p;
  if (s3->wb_timer || s3->wb_pending) /* never mounted, or no destroy() */
    s3_writeback_drain(s3, MAX(60.0, 4 * s3->cfg.timeout));
  if (s3->pool)
    g_thread_pool_free(s3->pool, FALSE, TRUE);
  if (s3->upload_pool)
    g_thread_pool_free(s3->upload_pool, FALSE, TRUE);
  s3_cache_free(s3);
  s3_nodes_free(s3);
  s3_http_pool_free(s3);
  if (s3->threads)
    g_ptr_array_free(s3->threads, TRUE);
  if (s3->wb_failed)
    g_ptr_array_free(s3->wb_failed, TRUE);
  g_mutex_clear(&s3->lock);
  g_mutex_clear(&s3->curl_lock);
  g_mutex_clear(&s3->cache_lock);
  g_mutex_clear(&s3->wb_lock);
  g_cond_clear(&s3->wb_cond);
  g_free(s3->bucket_url);
  s3_creds_clear(&s3->creds);
  s3_config_clear(&s3->cfg);
  g_free(s3);
}

static VfsdBackend *
s3_create(const char *args, GError **error)
{
  S3 *s3;
  if (!s3_http_global_init(error))
    return NULL;
  s3 = g_new0(S3, 1);
  g_mutex_init(&s3->lock);
  g_mutex_init(&s3->curl_lock);
  g_mutex_init(&s3->cache_lock);
  g_mutex_init(&s3->wb_lock);
  g_cond_init(&s3->wb_cond);
  s3->curl_free = g_ptr_array_new();
  s3->threads = g_ptr_array_new();
  s3->wb_failed = g_ptr_array_new_with_free_func(g_free);
  s3->cache = g_hash_table_new(g_str_hash, g_str_equal);
  if (!s3_config_parse(&s3->cfg, args, error))
    goto fail;
  s3->bucket_url = s3->cfg.path_style
                       ? g_strdup_printf("%s/%s", s3->cfg.endpoint,
                                         s3->cfg.bucket)
                       : g_strdup_printf("%s://%s.%s",
                                         s3->cfg.https ? "https" : "http",
                                         s3->cfg.bucket, s3->cfg.host);
  if (access(s3->cfg.cache_dir, W_OK | X_OK) != 0) {
    g_set_error(error, VFSD_ERROR, errno,
                "s3: cannot write staging files in %s (cache_dir): %s",
                s3->cfg.cache_dir, g_strerror(errno));
    goto fail;
  }
  if (!s3_creds_load(&s3->creds, &s3->cfg, error))
    goto fail;
  s3_nodes_init(s3);
  if (!s3_check_bucket(s3, error))
    goto fail;
  {
    /* The instance is named "s3:BUCKET", with the write-back mode when it
     * is not the durable default: the mount shows it as its source in
     * /proc/mounts, and `vfsd info` lists it so. */
    VfsdOps ops = s3_ops;
    VfsdBackend *b;
    char *bucket = g_strdup(s3->cfg.bucket), *name;
    g_strcanon(bucket, "abcdefghijklmnopqrstuvwxyz"
                       "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_", '_');
    name = g_strdup_printf("s3:%s%s", bucket,
                           s3->cfg.writeback == S3_WB_ON ? "[writeback=on]"
                           : s3->cfg.writeback == S3_WB_CLOSE
                               ? "[writeback=close]"
                               : "");
    ops.name = name;
    b = vfsd_backend_new(&ops, s3, s3_free, error);
    g_free(name);
    g_free(bucket);
    return b;
  }
fail:
  s3_free(s3);
  return NULL;
}

static const VfsdModuleInfo s3_info = {
  VFSD_MODULE_INFO_INIT("s3", "an S3 bucket (AWS, Ceph RGW, MinIO, …) as "
                              "files; durable close by default"),
  .args_help = s3_args_help,
  .create = s3_create,
};

/* The entry point <vfsd/module.h> declares: any loader of module ABI 1 or
 * later can use this description. */
VFSD_MODULE_EXPORT const VfsdModuleInfo *
vfsd_module_init(uint32_t abi_version, GError **error)
{
  (void)abi_version;
  if (!s3_http_global_init(error))
    return NULL;
  return &s3_info;
}
