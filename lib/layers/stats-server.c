/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The stats layer's abstract unix socket: one thread per mount accepts a
 * connection, reads one request line, writes the answer and closes.  The
 * client side is vfsd_stats_query().  Protocol: include/vfsd/stats.h. */
#include "stats.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

struct VfsdStatsServer {
  VfsdStats *stats;
  int listen_fd;
  int stop_fd;           /* eventfd: written to stop the thread */
  GThread *thread;
};

#define PREFIX "vfsd-stats:"
#define NAME_MAX_LEN 100

char *
vfsd_stats_socket_name(const char *mountpoint)
{
  char *name = g_strconcat(PREFIX, mountpoint, NULL), *sum;
  if (strlen(name) <= NAME_MAX_LEN)
    return name;
  g_free(name);
  sum = g_compute_checksum_for_string(G_CHECKSUM_SHA256, mountpoint, -1);
  name = g_strconcat(PREFIX "sha256:", sum, NULL);
  g_free(sum);
  return name;
}

static socklen_t
make_addr(struct sockaddr_un *a, const char *name)
{
  size_t n = strlen(name);
  memset(a, 0, sizeof *a);
  a->sun_family = AF_UNIX;
  memcpy(a->sun_path + 1, name, n); /* sun_path[0] = 0: abstract */
  return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
}

/* Reads the request line (bounded in size and time). */
static bool
read_request(int fd, char *buf, size_t size)
{
  size_t got = 0;
  struct timeval tv = { 1, 0 };
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  while (got < size - 1) {
    ssize_t n = read(fd, buf + got, size - 1 - got);
    if (n <= 0)
      break;
    got += (size_t)n;
    if (memchr(buf, '\n', got))
      break;
  }
  buf[got] = '\0';
  buf[strcspn(buf, "\r\n")] = '\0';
  return got > 0;
}

static void
serve_one(VfsdStatsServer *srv, int fd)
{
  struct ucred cred;
  socklen_t len = sizeof cred;
  char req[64];
  char *answer;
  GError *err = NULL;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 ||
      (cred.uid != 0 && cred.uid != geteuid()))
    answer = g_strdup("error: permission denied\n");
  else if (!read_request(fd, req, sizeof req))
    answer = g_strdup("error: no request\n");
  else if (!(answer = vfsd_stats_answer(srv->stats, req, &err))) {
    answer = g_strdup_printf("error: %s\n", err->message);
    g_clear_error(&err);
  }
  for (size_t done = 0, n = strlen(answer); done < n;) {
    ssize_t w = send(fd, answer + done, n - done, MSG_NOSIGNAL);
    if (w <= 0)
      break;
    done += (size_t)w;
  }
  g_free(answer);
}

static gpointer
serve(gpointer data)
{
  VfsdStatsServer *srv = data;
  for (;;) {
    struct pollfd p[2] = { { srv->listen_fd, POLLIN, 0 },
                           { srv->stop_fd, POLLIN, 0 } };
    int fd;
    if (poll(p, 2, -1) < 0 && errno != EINTR)
      break;
    if (p[1].revents)
      break;
    if (!(p[0].revents & POLLIN))
      continue;
    fd = accept4(srv->listen_fd, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0)
      continue;
    serve_one(srv, fd);
    close(fd);
  }
  return NULL;
}

VfsdStatsServer *
vfsd_stats_server_start(VfsdStats *s, const char *mountpoint)
{
  VfsdStatsServer *srv = g_new0(VfsdStatsServer, 1);
  struct sockaddr_un a;
  char *name = vfsd_stats_socket_name(mountpoint);
  socklen_t alen = make_addr(&a, name);
  srv->stats = s;
  srv->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  srv->stop_fd = eventfd(0, EFD_CLOEXEC);
  if (srv->listen_fd < 0 || srv->stop_fd < 0 ||
      bind(srv->listen_fd, (struct sockaddr *)&a, alen) != 0 ||
      listen(srv->listen_fd, 16) != 0) {
    vfsd_log(G_LOG_LEVEL_WARNING, "stats: cannot serve statistics on @%s: "
             "%s", name, g_strerror(errno));
    if (srv->listen_fd >= 0)
      close(srv->listen_fd);
    if (srv->stop_fd >= 0)
      close(srv->stop_fd);
    g_free(srv);
    g_free(name);
    return NULL;
  }
  g_free(name);
  srv->thread = g_thread_new("vfsd-stats", serve, srv);
  return srv;
}

void
vfsd_stats_server_stop(VfsdStatsServer *srv)
{
  uint64_t one = 1;
  if (srv == NULL)
    return;
  if (write(srv->stop_fd, &one, sizeof one) != sizeof one)
    vfsd_log(G_LOG_LEVEL_WARNING, "stats: cannot stop the server thread");
  g_thread_join(srv->thread);
  close(srv->listen_fd);
  close(srv->stop_fd);
  g_free(srv);
}

/* Resolves @path without touching it: its directory is resolved, so a
 * hung mount at @path itself does not hang the caller. */
static char *
resolve_mountpoint(const char *path, GError **error)
{
  char *trimmed = g_strdup(path), *dir, *base, *rdir, *out;
  size_t n = strlen(trimmed);
  while (n > 1 && trimmed[n - 1] == '/')
    trimmed[--n] = '\0';
  dir = g_path_get_dirname(trimmed);
  base = g_path_get_basename(trimmed);
  if (!strcmp(base, ".") || !strcmp(base, "..") || !strcmp(base, "/"))
    rdir = realpath(trimmed, NULL), g_free(base), base = NULL;
  else
    rdir = realpath(dir, NULL);
  if (rdir == NULL) {
    int e = errno;
    vfsd_set_error(error, e, "cannot resolve %s: %s", path, g_strerror(e));
    out = NULL;
  } else if (base == NULL)
    out = g_strdup(rdir);
  else
    out = g_build_filename(rdir, base, NULL);
  free(rdir);
  g_free(dir);
  g_free(base);
  g_free(trimmed);
  return out;
}

char *
vfsd_stats_query(const char *mountpoint, const char *request, GError **error)
{
  struct sockaddr_un a;
  socklen_t alen;
  struct timeval tv = { 5, 0 };
  GString *out;
  char buf[4096], *mp, *name;
  int fd;
  ssize_t n;
  g_return_val_if_fail(mountpoint != NULL && request != NULL, NULL);
  if (strchr(request, '\n')) {
    vfsd_set_error(error, EINVAL, "a statistics request is one word");
    return NULL;
  }
  if (!(mp = resolve_mountpoint(mountpoint, error)))
    return NULL;
  name = vfsd_stats_socket_name(mp);
  alen = make_addr(&a, name);
  g_free(name);
  fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || connect(fd, (struct sockaddr *)&a, alen) != 0) {
    int e = errno;
    vfsd_set_error(error, e, "no statistics for %s: %s (is it mounted with "
                   "the stats layer, by this user?)", mp, g_strerror(e));
    if (fd >= 0)
      close(fd);
    g_free(mp);
    return NULL;
  }
  g_free(mp);
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  {
    char *line = g_strconcat(request, "\n", NULL);
    n = send(fd, line, strlen(line), MSG_NOSIGNAL);
    g_free(line);
  }
  out = g_string_new(NULL);
  while (n >= 0 && (n = read(fd, buf, sizeof buf)) > 0)
    g_string_append_len(out, buf, n);
  close(fd);
  if (n < 0 || g_str_has_prefix(out->str, "error: ")) {
    vfsd_set_error(error, n < 0 ? EIO : EINVAL, "statistics: %s",
                   n < 0 ? "no answer" : g_strstrip(out->str + 7));
    g_string_free(out, TRUE);
    return NULL;
  }
  return g_string_free(out, FALSE);
}
