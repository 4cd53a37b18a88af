/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the running kernel's FUSE offers, measured rather than guessed: an
 * empty file system is mounted at a temporary directory, and the kernel's
 * INIT request — its protocol version and the feature flags it offers — is
 * read straight from /dev/fuse.  libfuse then answers that request into a
 * pipe, which shows the protocol version libfuse speaks; the answer is
 * passed on to the kernel and the file system unmounted. */
#include "config.h"
#include "vfsd-cli.h"

#define FUSE_USE_VERSION 314
#include <fuse_lowlevel.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The wire format of the kernel's FUSE protocol (linux/fuse.h), written
 * out here because the installed header may predate the running kernel. */
#define PROBE_FUSE_INIT 26
#define PROBE_FUSE_INIT_EXT (1u << 30)

struct probe_in_header {
  uint32_t len, opcode;
  uint64_t unique, nodeid;
  uint32_t uid, gid, pid;
  uint16_t total_extlen, padding;
};

struct probe_init_in {
  uint32_t major, minor, max_readahead, flags, flags2;
};

struct probe_out_header {
  uint32_t len;
  int32_t error;
  uint64_t unique;
};

struct probe_init_out {
  uint32_t major, minor;
};

static char *last_fuse_message;

static void
capture_log(enum fuse_log_level level, const char *fmt, va_list ap)
{
  if (level <= FUSE_LOG_ERR) {
    g_free(last_fuse_message);
    last_fuse_message = g_strdup_vprintf(fmt, ap);
    g_strstrip(last_fuse_message);
  }
}

/* Waits up to 2 s for the kernel's first request and reads it. */
static ssize_t
read_request(int fd, char *buf, size_t size)
{
  struct pollfd p = { fd, POLLIN, 0 };
  ssize_t n;
  if (poll(&p, 1, 2000) <= 0)
    return -ETIMEDOUT;
  do
    n = read(fd, buf, size);
  while (n < 0 && errno == EINTR);
  return n < 0 ? -errno : n;
}

/* Lets libfuse answer @req into a pipe put in place of its device fd, and
 * returns the protocol minor version it answers with (0 if unknown).  The
 * answer is then sent to the kernel, so the mount comes up normally. */
static uint32_t
libfuse_answer(struct fuse_session *se, int fd, char *req, size_t len)
{
  struct fuse_buf fb = { .size = len, .mem = req };
  char out[4096];
  int pfd[2], saved;
  ssize_t n = -1;
  uint32_t minor = 0;

  if (pipe2(pfd, O_CLOEXEC) != 0)
    return 0;
  saved = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (saved < 0 || dup3(pfd[1], fd, O_CLOEXEC) < 0) {
    if (saved >= 0)
      close(saved);
    close(pfd[0]);
    close(pfd[1]);
    return 0;
  }
  fuse_session_process_buf(se, &fb);
  dup3(saved, fd, O_CLOEXEC);
  close(saved);
  close(pfd[1]);
  if (poll(&(struct pollfd){ pfd[0], POLLIN, 0 }, 1, 0) == 1)
    n = read(pfd[0], out, sizeof out);
  close(pfd[0]);
  if (n >= (ssize_t)(sizeof(struct probe_out_header) +
                     sizeof(struct probe_init_out))) {
    struct probe_out_header h;
    struct probe_init_out io;
    memcpy(&h, out, sizeof h);
    memcpy(&io, out + sizeof h, sizeof io);
    if (h.error == 0)
      minor = io.minor;
    if (write(fd, out, (size_t)n) != n) {
      /* the kernel refused the answer; the unmount below still works */
    }
  }
  return minor;
}

bool
cli_probe_kernel(CliKernelInit *out, GError **error)
{
  static const struct fuse_lowlevel_ops no_ops;
  char *argv[] = { (char *)"vfsd-probe", (char *)"-o",
                   (char *)"fsname=vfsd-probe,subtype=vfsd-probe", NULL };
  struct fuse_args args = FUSE_ARGS_INIT(3, argv);
  struct fuse_session *se;
  char *dir;
  size_t bufsize = 2 * 1024 * 1024;
  char *buf = NULL;
  ssize_t n;
  bool ok = false;

  memset(out, 0, sizeof *out);
  dir = g_dir_make_tmp("vfsd-probe-XXXXXX", NULL);
  if (dir == NULL) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
                "cannot create a temporary mount point: %s",
                g_strerror(errno));
    return false;
  }
  fuse_set_log_func(capture_log);
  se = fuse_session_new(&args, &no_ops, sizeof no_ops, NULL);
  fuse_opt_free_args(&args); /* libfuse may have made its own copy */
  if (se == NULL || fuse_session_mount(se, dir) != 0) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
                "a probe mount failed%s%s", last_fuse_message ? ": " : "",
                last_fuse_message ? last_fuse_message : "");
    goto out;
  }
  buf = g_malloc(bufsize);
  n = read_request(fuse_session_fd(se), buf, bufsize);
  if (n < (ssize_t)(sizeof(struct probe_in_header) + 8)) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
                "the kernel sent no INIT request to a probe mount (%s)",
                n < 0 ? g_strerror((int)-n) : "short read");
  } else {
    struct probe_in_header h;
    struct probe_init_in in = { 0 };
    memcpy(&h, buf, sizeof h);
    memcpy(&in, buf + sizeof h,
           MIN(sizeof in, (size_t)n - sizeof h));
    if (h.opcode != PROBE_FUSE_INIT) {
      g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
                  "the first request to a probe mount was not INIT "
                  "(opcode %u)", h.opcode);
    } else {
      out->major = in.major;
      out->minor = in.minor;
      out->max_readahead = in.max_readahead;
      out->flags = in.flags;
      if (in.flags & PROBE_FUSE_INIT_EXT)
        out->flags |= (uint64_t)in.flags2 << 32;
      out->libfuse_minor = libfuse_answer(se, fuse_session_fd(se), buf,
                                          (size_t)n);
      ok = true;
    }
  }
  fuse_session_unmount(se);
out:
  if (se)
    fuse_session_destroy(se);
  fuse_set_log_func(NULL);
  g_clear_pointer(&last_fuse_message, g_free);
  g_free(buf);
  rmdir(dir);
  g_free(dir);
  return ok;
}
