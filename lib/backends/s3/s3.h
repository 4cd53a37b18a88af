/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The S3 backend module (vfsd-s3.so): declarations shared by its files.
 *
 * Files, each one concern:
 *   s3-module.c   module entry point, creating an instance, the ops table
 *   s3-config.c   the argument string
 *   s3-creds.c    the credentials
 *   s3-curl.c     libcurl: easy-handle pool, request helpers, URLs
 *   s3-http.c     one signed request with retries (CURLOPT_AWS_SIGV4)
 *   s3-pool.c     the worker threads that run requests in the background
 *   s3-xml.c      the XML answers of S3 (listings, errors, multipart)
 *   s3-meta.c     keys, URLs and the s3fs-compatible metadata headers
 *   s3-api.c      the S3 calls the backend makes (HEAD, GET, PUT, COPY, …)
 *   s3-nodes.c    inodes and what is cached about them
 *   s3-listdir.c  directory listings and their cache
 *   s3-lookup.c   finding a name: caches, then HEAD and LIST
 *   s3-inode.c    lookup, forget, getattr, statfs
 *   s3-dir.c      creating names: mkdir, symlink, mknod; readlink
 *   s3-remove.c   unlink, rmdir
 *   s3-rename.c   rename
 *   s3-readdir.c  listing a directory for the kernel
 *   s3-setattr.c  chmod, chown, utimes, truncate
 *   s3-file.c     open, create, read, write, flush, fsync, release
 *   s3-data.c     the data of open files: lifetime and staging files
 *   s3-multipart.c  multipart uploads, parts streamed in parallel
 *   s3-upload.c   storing a file (one PUT, or multipart)
 *   s3-writeback.c  uploads after close (writeback=on), and unmount
 *   s3-read.c     ranged GETs, read-ahead and the bounded block cache
 *
 * Locking: one mutex (S3->lock) guards the node table and every node's
 * attributes and listing; each open file's data (S3Data) has its own mutex.
 * No lock is ever held while a request is on the wire. */
#ifndef VFSD_S3_H
#define VFSD_S3_H

#include "config.h"

#include <vfsd/backend.h>
#include <vfsd/module.h>
#include <vfsd/mount.h>

#include <curl/curl.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "vfsd-s3"

#define S3_INTERNAL __attribute__((visibility("hidden")))

/* ---- configuration (s3-config.c) --------------------------------------*/

typedef struct {
  char *bucket;
  char *endpoint;        /* scheme://host[:port], no trailing slash */
  char *host;            /* host[:port] of the endpoint */
  bool https;
  bool path_style;       /* http://host/bucket/key, else http://bucket.host/key */
  char *region;
  char *prefix;          /* "" or "some/dir/" */
  char *profile;         /* NULL: AWS_PROFILE or "default" */
  char *ca_file;         /* NULL: the system's */
  char *cache_dir;       /* staging files */
  int writeback;         /* S3_WB_OFF, S3_WB_CLOSE or S3_WB_ON */
  double writeback_delay;/* seconds an upload waits after close */
  bool meta_list;        /* trust listings alone, never HEAD for attributes */
  double cache_timeout;  /* seconds attributes and listings are trusted */
  double timeout;        /* seconds before a store that does not answer is EIO */
  uint64_t part_size;    /* multipart part size (the first 1000 parts) */
  uint64_t block_size;   /* read block (ranged GET) size */
  uint64_t cache_size;   /* bound of the read block cache, bytes */
  uint64_t readahead;    /* bytes read ahead of a sequential reader */
  int connections;       /* requests on the wire at once, in the background */
  int workers;           /* extra threads serving the mount */
  uint32_t uid, gid;     /* owner of objects without metadata */
  uint32_t file_mode, dir_mode;
} S3Config;

/* writeback=off: close and fsync return once the store holds the data;
 * writeback=close: close returns at once, fsync waits; writeback=on: both
 * return at once (rclone's trade-off); only unmount waits. */
enum { S3_WB_OFF = 0, S3_WB_CLOSE = 1, S3_WB_ON = 2 };

typedef struct {
  char *access_key;
  char *secret_key;      /* never logged, never shown */
  char *session_token;   /* NULL unless temporary credentials */
  char *userpwd;         /* "access:secret" for libcurl */
} S3Creds;

S3_INTERNAL bool s3_config_parse(S3Config *c, const char *args, GError **error);
S3_INTERNAL void s3_config_clear(S3Config *c);
S3_INTERNAL bool s3_creds_load(S3Creds *cr, const S3Config *c, GError **error);
S3_INTERNAL void s3_creds_clear(S3Creds *cr);
S3_INTERNAL extern const char s3_args_help[];

/* ---- requests (s3-http.c) ---------------------------------------------*/

typedef struct S3 S3;

/* One request.  The caller fills the first part; s3_http_do() fills the
 * rest.  Keys and queries are given decoded/encoded as documented. */
typedef struct {
  const char *method;        /* GET, PUT, HEAD, DELETE, POST */
  const char *key;           /* object key (prefix included), NULL: bucket */
  const char *query;         /* canonical query (sorted, encoded) or NULL */
  struct curl_slist *headers;/* extra headers, "Name: value" */
  /* request body: a buffer, or a range of a file (read with pread) */
  const char *body;
  size_t body_len;
  int body_fd;               /* -1 when the body is a buffer or absent */
  uint64_t body_off;
  /* response body: into @out (up to @out_cap bytes) when set, else into
   * @resp (grown as needed, kept small: errors, listings). */
  char *out;
  size_t out_cap;
  size_t out_len;
  GString *resp;
  /* response headers wanted: lower-case "x-amz-meta-", "etag", … are
   * kept in @resp_headers (name lower-case → value) when it is not NULL. */
  GHashTable *resp_headers;
  long status;               /* HTTP status of the last attempt */
  int curl_rc;               /* CURLcode of the last attempt */
  char err_code[64];         /* the <Code> of an S3 error answer */
  bool no_retry;             /* fail at the first error (mount check) */
  double timeout;            /* 0: the mount's */
} S3Req;

S3_INTERNAL void s3_req_init(S3Req *r, const char *method, const char *key,
                             const char *query);
S3_INTERNAL void s3_req_clear(S3Req *r);
S3_INTERNAL void s3_req_header(S3Req *r, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);
/* Runs @r with retries; returns 0 for a 2xx answer, else a negative errno
 * (ENOENT for 404, EACCES for 403, EIO for a store that does not answer
 * within the timeout, …). */
S3_INTERNAL int s3_http_do(S3 *s3, S3Req *r);
S3_INTERNAL bool s3_http_global_init(GError **error);
S3_INTERNAL void s3_http_pool_free(S3 *s3);
S3_INTERNAL CURL *s3_take_handle(S3 *s3);
S3_INTERNAL void s3_give_handle(S3 *s3, CURL *h, bool keep);
/* The URL of @key (or of the bucket), with @query. */
S3_INTERNAL char *s3_url(S3 *s3, const char *key, const char *query);

/* ---- background work (s3-pool.c) --------------------------------------*/

typedef void (*S3JobFunc)(void *data);
/* Runs @fn(@data) on a worker of the request pool. */
S3_INTERNAL void s3_pool_push(S3 *s3, S3JobFunc fn, void *data);
/* Runs @fn(@data) on the writeback uploader pool (jobs that wait for
 * request-pool jobs must not run on the request pool). */
S3_INTERNAL void s3_pool_push_upload(S3 *s3, S3JobFunc fn, void *data);

/* A count of jobs to wait for. */
typedef struct {
  GMutex lock;
  GCond cond;
  int pending;
  int error;     /* first negative errno of a job */
} S3Wait;
S3_INTERNAL void s3_wait_init(S3Wait *w);
S3_INTERNAL void s3_wait_clear(S3Wait *w);
S3_INTERNAL void s3_wait_add(S3Wait *w);
S3_INTERNAL void s3_wait_done(S3Wait *w, int err);
S3_INTERNAL int s3_wait_all(S3Wait *w);

/* ---- XML (s3-xml.c) ---------------------------------------------------*/

typedef struct {
  char *name;       /* relative to the listed prefix, without a trailing / */
  bool is_prefix;   /* a CommonPrefix: a directory */
  uint64_t size;
  int64_t mtime;    /* LastModified */
  char *etag;
} S3ListItem;

typedef struct {
  GPtrArray *items;     /* S3ListItem* */
  bool truncated;
  char *next_token;
  bool saw_marker;      /* the prefix itself is an object (a dir marker) */
  bool url_encoded;     /* keys came with encoding-type=url */
} S3List;

S3_INTERNAL bool s3_xml_list(const char *xml, size_t len, const char *prefix,
                             S3List *out);
S3_INTERNAL void s3_list_clear(S3List *l);
S3_INTERNAL void s3_xml_error_code(const char *xml, size_t len, char *code,
                                   size_t code_size);
S3_INTERNAL char *s3_xml_find(const char *xml, size_t len, const char *elem);

/* ---- keys, URLs, metadata (s3-meta.c) ---------------------------------*/

/* RFC 3986 encoding as SigV4 wants it; '/' kept when @keep_slash. */
S3_INTERNAL void s3_uri_encode(GString *out, const char *s, bool keep_slash);
S3_INTERNAL int64_t s3_parse_http_date(const char *s);
S3_INTERNAL int64_t s3_parse_iso_date(const char *s);

/* What the store says about one object. */
typedef struct {
  uint64_t size;
  uint32_t mode;      /* 0: no x-amz-meta-mode */
  bool has_uid, has_gid, has_mtime;
  uint32_t uid, gid;
  int64_t mtime;
  uint32_t mtime_ns;
  int64_t last_modified;
  bool dir_type;      /* Content-Type application/x-directory */
  char *etag;
} S3ObjMeta;
S3_INTERNAL void s3_meta_from_headers(GHashTable *h, S3ObjMeta *m);
S3_INTERNAL void s3_meta_clear(S3ObjMeta *m);
/* Adds the x-amz-meta-* headers for @attr to @r. */
S3_INTERNAL void s3_meta_add_headers(S3Req *r, const VfsdAttr *attr);

/* ---- nodes (s3-nodes.c) -----------------------------------------------*/

typedef struct S3Data S3Data;

/* A name in a cached directory listing. */
typedef struct {
  uint32_t mode;         /* S_IFDIR or S_IFREG (+ permissions when known) */
  bool meta_known;       /* mode/uid/gid/mtime come from the metadata */
  uint32_t uid, gid;
  uint64_t size;
  int64_t mtime;
  uint32_t mtime_ns;
  char *etag;
} S3Entry;

typedef struct S3Node S3Node;
struct S3Node {
  uint64_t ino;
  uint64_t generation;
  S3Node *parent;        /* a reference; NULL for the root */
  char *name;            /* "" for the root */
  GHashTable *kids;      /* name → S3Node*, live inodes only (no refs) */
  int refs;              /* kernel (1 while looked up) + opens + internal */
  bool kref;             /* the kernel holds it */
  bool removed;          /* unlinked, or replaced by a rename */
  VfsdAttr attr;
  bool meta_known;       /* attributes come from metadata (or from us) */
  bool has_marker;       /* a directory with a "dir/" object */
  bool in_store;         /* the object exists in the store (as far as known) */
  char *etag;
  gint64 attr_expires;   /* monotonic µs; 0: must be fetched */
  char *link_target;     /* symlinks, once read */
  char *cache_etag;      /* the content the kernel may have cached */
  /* directories: the cached listing, name → S3Entry* */
  GHashTable *listing;
  gint64 listing_expires;
  unsigned subdirs;      /* directories in the listing */
  gint64 too_long_until; /* too long to list for lookups until then */
  /* While listings of this directory are in flight (listings_inflight),
   * every change to the listing is also logged here (S3ListingOp*, in
   * order, numbered by listing_seq), and replayed on each new listing
   * before it is installed: a name stored or removed while the LIST
   * requests ran is not lost to an older answer. */
  unsigned listings_inflight;
  guint64 listing_seq;
  GPtrArray *listing_ops;
  /* files: open data, and the state of uploads */
  S3Data *data;
};

struct S3 {
  S3Config cfg;
  S3Creds creds;
  char *bucket_url;      /* for logs: endpoint + bucket, no credentials */
  GMutex lock;
  GHashTable *nodes;     /* ino → S3Node* */
  uint64_t next_ino;
  S3Node *root;
  /* requests */
  GMutex curl_lock;
  GPtrArray *curl_free;  /* idle easy handles */
  CURLSH *share;
  GMutex share_locks[CURL_LOCK_DATA_LAST];
  /* background work */
  GThreadPool *pool;
  GThreadPool *upload_pool;
  /* read cache */
  GMutex cache_lock;
  GQueue cache_lru;      /* S3Block*, most recent first */
  GHashTable *cache;     /* "ino:etag:index" → S3Block* */
  uint64_t cache_bytes;
  /* writeback */
  GMutex wb_lock;
  GCond wb_cond;
  int wb_pending;        /* uploads queued or running */
  GPtrArray *wb_failed;  /* paths that could not be stored */
  GQueue wb_delayed;     /* uploads waiting for their time (FIFO) */
  GThread *wb_timer;     /* moves them to the uploader pool when due */
  bool wb_now;           /* no more waiting: unmount is draining */
  bool wb_stop;
  /* serving threads of our own */
  GPtrArray *threads;
  VfsdMount *mount;
  gint workers_started;
  gint stopping;
  int fd_dir;            /* cache_dir, for O_TMPFILE */
};

#define S3_NOW() g_get_monotonic_time()

/* When what is learnt now stops being trusted. */
static inline gint64
s3_expiry(S3 *s3)
{
  return S3_NOW() + (gint64)(s3->cfg.cache_timeout * G_USEC_PER_SEC);
}

/* The largest object S3 stores: writes and truncates past it are EFBIG. */
#define S3_MAX_OBJECT (UINT64_C(5) << 40)

S3_INTERNAL void s3_nodes_init(S3 *s3);
S3_INTERNAL void s3_nodes_free(S3 *s3);
/* With s3->lock held: */
S3_INTERNAL S3Node *s3_node_get(S3 *s3, uint64_t ino);
S3_INTERNAL S3Node *s3_node_child(S3Node *dir, const char *name);
S3_INTERNAL S3Node *s3_node_new(S3 *s3, S3Node *parent, const char *name,
                                uint32_t mode);
S3_INTERNAL void s3_node_ref(S3Node *n);
S3_INTERNAL void s3_node_unref(S3 *s3, S3Node *n);
S3_INTERNAL void s3_node_detach(S3 *s3, S3Node *n);
S3_INTERNAL void s3_node_move(S3 *s3, S3Node *n, S3Node *newparent,
                              const char *newname);
/* Fills @out; s3_node_kref() then records that the kernel holds @n. */
S3_INTERNAL void s3_node_fill_entry(S3 *s3, S3Node *n, VfsdEntry *out);
S3_INTERNAL void s3_node_kref(S3Node *n);
S3_INTERNAL S3Node *s3_grab(S3 *s3, uint64_t ino);
S3_INTERNAL void s3_drop(S3 *s3, S3Node *n);
S3_INTERNAL void s3_node_set_meta(S3 *s3, S3Node *n, const S3ObjMeta *m);
S3_INTERNAL void s3_node_from_entry(S3 *s3, S3Node *n, const S3Entry *e);
S3_INTERNAL void s3_node_touch(S3 *s3, S3Node *n);
/* What a new name in @dir inherits (setgid directories); takes the lock. */
S3_INTERNAL void s3_inherit(S3 *s3, S3Node *dir, VfsdAttr *a);
/* The object key of @n: prefix + path (+ "/" for directories). */
S3_INTERNAL char *s3_node_key(S3 *s3, S3Node *n);
S3_INTERNAL char *s3_node_path(S3Node *n);
S3_INTERNAL char *s3_dir_key(S3 *s3, S3Node *dir);
S3_INTERNAL char *s3_child_key(S3 *s3, S3Node *dir, const char *name,
                               bool as_dir);
/* Listing cache of @dir (lock held). */
S3_INTERNAL bool s3_listing_fresh(S3Node *dir);
S3_INTERNAL void s3_listing_put(S3Node *dir, const char *name,
                                const S3Entry *e);
S3_INTERNAL void s3_listing_put_node(S3Node *dir, S3Node *n);
S3_INTERNAL void s3_listing_remove(S3Node *dir, const char *name);
S3_INTERNAL void s3_listing_drop(S3Node *dir);
S3_INTERNAL void s3_entry_free(gpointer p);
S3_INTERNAL bool s3_name_ok(const char *name);

/* ---- S3 calls (s3-api.c) ----------------------------------------------*/

S3_INTERNAL int s3_head(S3 *s3, const char *key, S3ObjMeta *out);
/* One page of ListObjectsV2 under @prefix. */
S3_INTERNAL int s3_list_page(S3 *s3, const char *prefix, const char *delim,
                             int max_keys, const char *token, S3List *out);
S3_INTERNAL int s3_put_buf(S3 *s3, const char *key, const char *data,
                           size_t len, const VfsdAttr *attr,
                           const char *content_type, char **etag_out);
S3_INTERNAL int s3_delete(S3 *s3, const char *key);
/* Server-side copy of @src to @dst; @attr NULL keeps the metadata. */
S3_INTERNAL int s3_copy(S3 *s3, const char *src, const char *dst,
                        const VfsdAttr *attr, uint64_t size,
                        const char *content_type);
S3_INTERNAL int s3_get_range(S3 *s3, const char *key, const char *etag,
                             uint64_t off, char *buf, size_t len,
                             size_t *got);
/* Checks that the bucket answers and the credentials work. */
S3_INTERNAL bool s3_check_bucket(S3 *s3, GError **error);

/* ---- lookup and directories (s3-lookup.c, s3-dir.c) -------------------*/

/* @parent/@name for the operations that create or remove it: 0 with the
 * node in *@out, -ENOENT (and *@dir set), or another error. */
S3_INTERNAL int s3_find(S3 *s3, uint64_t parent, const char *name,
                        S3Node **dir, S3Node **out);
/* Finds @name in @dir; on success returns a node with one reference added
 * (release with s3_node_unref). */
S3_INTERNAL int s3_resolve(S3 *s3, S3Node *dir, const char *name,
                           S3Node **out);
/* Refreshes the attributes of @n when they expired. */
S3_INTERNAL int s3_refresh(S3 *s3, S3Node *n);
/* Lists @dir into its listing cache (when not fresh).  With @max_pages > 0
 * a directory longer than that many pages of 1000 is not cached: returns 1
 * when the listing is cached, 0 when the directory was too long, or a
 * negative errno. */
S3_INTERNAL int s3_list_dir(S3 *s3, S3Node *dir, int max_pages);
/* After a name left @dir: keeps a directory without a marker alive. */
S3_INTERNAL void s3_keep_dir(S3 *s3, S3Node *dir);

S3_INTERNAL int s3_op_lookup(void *self, const VfsdCtx *ctx, uint64_t parent,
                             const char *name, VfsdEntry *out);
S3_INTERNAL void s3_op_forget(void *self, uint64_t ino);
S3_INTERNAL int s3_op_getattr(void *self, const VfsdCtx *ctx, uint64_t ino,
                              uint64_t fh, VfsdAttr *out);
S3_INTERNAL int s3_op_setattr(void *self, const VfsdCtx *ctx, uint64_t ino,
                              uint64_t fh, const VfsdAttr *attr,
                              uint32_t to_set, VfsdAttr *out);
S3_INTERNAL ssize_t s3_op_readlink(void *self, const VfsdCtx *ctx,
                                   uint64_t ino, char *buf, size_t size);
S3_INTERNAL int s3_op_mknod(void *self, const VfsdCtx *ctx, uint64_t parent,
                            const char *name, uint32_t mode, uint64_t rdev,
                            VfsdEntry *out);
S3_INTERNAL int s3_op_mkdir(void *self, const VfsdCtx *ctx, uint64_t parent,
                            const char *name, uint32_t mode, VfsdEntry *out);
S3_INTERNAL int s3_op_unlink(void *self, const VfsdCtx *ctx, uint64_t parent,
                             const char *name);
S3_INTERNAL int s3_op_rmdir(void *self, const VfsdCtx *ctx, uint64_t parent,
                            const char *name);
S3_INTERNAL int s3_op_symlink(void *self, const VfsdCtx *ctx,
                              const char *target, uint64_t parent,
                              const char *name, VfsdEntry *out);
S3_INTERNAL int s3_op_rename(void *self, const VfsdCtx *ctx, uint64_t parent,
                             const char *name, uint64_t newparent,
                             const char *newname, uint32_t flags);
S3_INTERNAL int s3_op_link(void *self, const VfsdCtx *ctx, uint64_t ino,
                           uint64_t newparent, const char *newname,
                           VfsdEntry *out);
S3_INTERNAL int s3_op_opendir(void *self, const VfsdCtx *ctx, uint64_t ino,
                              VfsdOpenInfo *oi);
S3_INTERNAL int s3_op_readdir(void *self, const VfsdCtx *ctx, uint64_t ino,
                              uint64_t fh, int64_t off, VfsdDirFiller *filler);
S3_INTERNAL int s3_op_releasedir(void *self, const VfsdCtx *ctx, uint64_t ino,
                                 uint64_t fh);
S3_INTERNAL int s3_op_statfs(void *self, const VfsdCtx *ctx, uint64_t ino,
                             VfsdStatfs *out);

/* ---- files (s3-file.c, s3-setattr.c, s3-upload.c, s3-read.c) ----------*/

/* An open file. */
typedef struct S3Handle {
  S3Node *node;   /* a reference */
  S3Data *data;   /* a reference */
  bool writable;
} S3Handle;


S3_INTERNAL int s3_op_open(void *self, const VfsdCtx *ctx, uint64_t ino,
                           VfsdOpenInfo *oi);
S3_INTERNAL int s3_op_create(void *self, const VfsdCtx *ctx, uint64_t parent,
                             const char *name, uint32_t mode,
                             VfsdOpenInfo *oi, VfsdEntry *out);
S3_INTERNAL ssize_t s3_op_read_iov(void *self, const VfsdCtx *ctx,
                                   uint64_t ino, uint64_t fh, size_t size,
                                   int64_t off, VfsdReadBuf *rb);
S3_INTERNAL ssize_t s3_op_write(void *self, const VfsdCtx *ctx, uint64_t ino,
                                uint64_t fh, const char *buf, size_t size,
                                int64_t off, uint32_t flags);
S3_INTERNAL int s3_op_flush(void *self, const VfsdCtx *ctx, uint64_t ino,
                            uint64_t fh, uint64_t lock_owner);
S3_INTERNAL int s3_op_release(void *self, const VfsdCtx *ctx, uint64_t ino,
                              uint64_t fh, int32_t flags);
S3_INTERNAL int s3_op_fsync(void *self, const VfsdCtx *ctx, uint64_t ino,
                            uint64_t fh, int32_t datasync);

/* The data of a file that is open or being uploaded (s3-upload.c). */
typedef struct {
  char *etag;          /* of the uploaded part */
  uint64_t ugen;       /* data generation it holds (0: not uploaded) */
  uint64_t wgen;       /* generation of the last write into it */
  uint64_t len;        /* bytes uploaded */
  bool busy;           /* on the wire */
} S3Part;

struct S3Data {
  GMutex lock;
  GCond cond;
  S3Node *node;        /* a reference */
  int refs;            /* open handles and jobs (under S3->lock) */
  int fd;              /* staging file, -1 until the data is staged */
  bool staged;         /* fd holds the whole file */
  bool dirty;          /* fd differs from the store */
  uint64_t gen;        /* bumped by every change */
  uint64_t stored_gen; /* the generation the store holds */
  uint64_t size;       /* while staged */
  int error;           /* a background upload failed (negative errno) */
  uint64_t failed_gen; /* the generation whose upload last failed */
  /* multipart */
  char *upload_id;
  char *upload_key;
  VfsdAttr upload_attr;/* the metadata given when it was started */
  bool initiating;
  GArray *parts;       /* S3Part, index = part number - 1 */
  int parts_busy;
  unsigned next_part;  /* streaming: the next part to send */
  bool uploading;      /* a whole-file upload is under way */
  bool wb_queued;      /* a writeback upload is queued */
  bool meta_dirty;     /* attributes to store without new data */
  /* sequential reading */
  uint64_t next_read;
  uint64_t ra_until;   /* read-ahead issued up to here */
};

S3_INTERNAL int s3_data_open_fd(S3 *s3, S3Data *d);
S3_INTERNAL void s3_data_ref(S3 *s3, S3Data *d);
S3_INTERNAL void s3_parts_reset(S3Data *d);
/* Sends the remaining parts and completes the upload (d->lock held,
 * dropped meanwhile); the new ETag in *@etag. */
S3_INTERNAL int s3_store_multipart(S3 *s3, S3Data *d, const VfsdAttr *a,
                                   char **etag);
/* The last close of a durable mount: store, or report and forget. */
S3_INTERNAL void s3_data_release_store(S3 *s3, S3Data *d);
/* At unmount: stores what is still dirty; returns how many failed. */
S3_INTERNAL int s3_data_store_all(S3 *s3);

S3_INTERNAL S3Data *s3_data_get(S3 *s3, S3Node *n);
S3_INTERNAL void s3_data_put(S3 *s3, S3Data *d);
S3_INTERNAL int s3_data_stage(S3 *s3, S3Data *d, bool truncate);
S3_INTERNAL void s3_data_parts_written(S3 *s3, S3Data *d, uint64_t off,
                                       uint64_t len);
S3_INTERNAL void s3_data_truncated(S3 *s3, S3Data *d);
/* Stores the file now and waits (durable close, fsync). */
S3_INTERNAL int s3_data_store(S3 *s3, S3Data *d);
/* Stores the file in the background (writeback). */
S3_INTERNAL void s3_data_store_later(S3 *s3, S3Data *d);
S3_INTERNAL void s3_data_abort_multipart(S3 *s3, S3Data *d);
/* Waits for every writeback upload; returns the number that failed. */
S3_INTERNAL int s3_writeback_drain(S3 *s3, double timeout_s);
S3_INTERNAL uint64_t s3_part_start(S3 *s3, unsigned idx);
S3_INTERNAL unsigned s3_part_index(S3 *s3, uint64_t off);

/* Reads through the block cache into @buf, or, with @rb, into segments
 * of the cached blocks themselves (zero copy). */
S3_INTERNAL ssize_t s3_read_remote(S3 *s3, S3Node *n, S3Data *d, char *buf,
                                   VfsdReadBuf *rb, size_t size, uint64_t off);
S3_INTERNAL void s3_cache_free(S3 *s3);

#endif /* VFSD_S3_H */
