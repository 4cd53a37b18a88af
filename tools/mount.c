/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `vfsd mount [-f] [-o OPTIONS] [-l LAYER[:ARGS]]... BACKEND[:ARGS] MOUNTPOINT`
 *
 * In the background (the default) the command forks first — before a
 * module is loaded, a thread started or anything mounted — and the child
 * does all the work: it loads the backend and the layers, mounts, and tells
 * the waiting parent through a pipe either "live" or the one-sentence
 * reason it failed.  The parent prints that reason and exits 1, or exits 0
 * once the mount is usable.  The child then serves until the file system is
 * unmounted or it gets SIGINT, SIGTERM or SIGHUP, which unmount cleanly. */
#include "config.h"
#include "vfsd-cli.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct {
  bool foreground;
  GString *options;     /* user options, comma-joined */
  GPtrArray *layers;    /* char*, outermost first */
  const char *backend;  /* NAME[:ARGS] */
  const char *mountpoint;
} MountArgs;

static void
mount_usage(FILE *f)
{
  fprintf(f,
          "Usage: %s mount [-f] [-d] [-o OPTIONS] [-l LAYER[:ARGS]]... "
          "BACKEND[:ARGS] MOUNTPOINT\n"
          "Mount BACKEND at MOUNTPOINT.  Returns once the file system is "
          "usable and serves it\nfrom a background process until it is "
          "unmounted (`%s umount MOUNTPOINT`).\n"
          "\n"
          "  -f              serve in the foreground until unmounted or "
          "interrupted\n"
          "                  (SIGINT, SIGTERM and SIGHUP unmount cleanly)\n"
          "  -d              print every request libfuse sees (implies -f)\n"
          "  -o OPTIONS      comma-separated mount options (`%s "
          "--help-options`); may repeat\n"
          "  -l LAYER[:ARGS] stack a layer over the backend; may repeat, the "
          "first given is\n"
          "                  the outermost (`%s layers` lists them)\n"
          "  -h, --help      show this help\n"
          "\n"
          "BACKEND is a name from `%s backends`, optionally followed by ':' "
          "and its\narguments, e.g. ram:size=1G.  The mount is private to "
          "you unless -o allow_other\nis given, and unmounts itself if its "
          "server dies (-o noauto_unmount: not).\n",
          cli_prog, cli_prog, cli_prog, cli_prog, cli_prog);
}

/* Parses the command line; returns -1 to go on, else an exit status. */
static int
parse_args(int argc, char **argv, MountArgs *a)
{
  static const struct option longopts[] = {
    { "help", no_argument, NULL, 'h' },
    { "foreground", no_argument, NULL, 'f' },
    { "options", required_argument, NULL, 'o' },
    { "layer", required_argument, NULL, 'l' },
    { NULL, 0, NULL, 0 },
  };
  int c;
  bool debug = false;

  opterr = 0;
  optind = 1;
  while ((c = getopt_long(argc, argv, ":fdo:l:h", longopts, NULL)) != -1) {
    switch (c) {
    case 'f': a->foreground = true; break;
    case 'd': debug = a->foreground = true; break;
    case 'o':
      if (optarg[0] == '\0') {
        cli_error("-o needs a list of mount options (see `%s "
                  "--help-options`)", cli_prog);
        return CLI_USAGE;
      }
      if (a->options->len)
        g_string_append_c(a->options, ',');
      g_string_append(a->options, optarg);
      break;
    case 'l':
      if (optarg[0] == '\0' || optarg[0] == ':') {
        cli_error("-l needs a layer name (`%s layers` lists them)",
                  cli_prog);
        return CLI_USAGE;
      }
      g_ptr_array_add(a->layers, optarg);
      break;
    case 'h': mount_usage(stdout); return CLI_OK;
    case ':':
      cli_error("mount: option '%s' needs a value (try `%s mount --help`)",
                argv[optind - 1], cli_prog);
      return CLI_USAGE;
    default:
      cli_error("mount: unknown option '%s' (try `%s mount --help`)",
                argv[optind - 1], cli_prog);
      return CLI_USAGE;
    }
  }
  if (debug)
    g_string_append(a->options, a->options->len ? ",debug" : "debug");
  if (argc - optind < 2) {
    cli_error("mount: %s (usage: %s mount [-f] [-o OPTIONS] BACKEND[:ARGS] "
              "MOUNTPOINT)",
              argc - optind == 0 ? "no backend and no mount point given"
                                 : "no mount point given",
              cli_prog);
    return CLI_USAGE;
  }
  if (argc - optind > 2) {
    cli_error("mount: too many arguments ('%s' after the mount point %s)",
              argv[optind + 2], argv[optind + 1]);
    return CLI_USAGE;
  }
  a->backend = argv[optind];
  a->mountpoint = argv[optind + 1];
  if (a->backend[0] == '\0' || a->backend[0] == ':') {
    cli_error("mount: no backend name given (`%s backends` lists them)",
              cli_prog);
    return CLI_USAGE;
  }
  return -1;
}

/* Loads the backend, stacks the layers and prepares the mount. */
static VfsdMount *
prepare(const MountArgs *a, GError **error)
{
  VfsdBackend *b = vfsd_backend_load(a->backend, error);
  VfsdMount *m;
  char *opts;
  if (b == NULL)
    return NULL;
  for (guint i = a->layers->len; i-- > 0;) {
    VfsdBackend *l = vfsd_layer_load(g_ptr_array_index(a->layers, i), b,
                                     error);
    g_object_unref(b); /* the layer holds its own reference */
    if (l == NULL)
      return NULL;
    b = l;
  }
  /* A server that dies should leave no stale mount behind; an explicit
   * noauto_unmount later in the string wins. */
  opts = a->options->len ? g_strconcat("auto_unmount,", a->options->str, NULL)
                         : g_strdup("auto_unmount");
  m = vfsd_mount_new(b, a->mountpoint, opts, error);
  g_free(opts);
  g_object_unref(b);
  return m;
}

static int
run_foreground(const MountArgs *a)
{
  GError *error = NULL;
  VfsdMount *m = prepare(a, &error);
  gboolean ok = m && vfsd_mount_run(m, VFSD_RUN_HANDLE_SIGNALS, &error);
  if (!ok)
    cli_error("%s", error ? error->message : "the mount failed");
  g_clear_error(&error);
  g_clear_object(&m);
  return ok ? CLI_OK : CLI_ERROR;
}

/* ---- background --------------------------------------------------------*/

/* The child's report: one status byte (0 = live), then a message. */
static bool
report(int fd, bool ok, const char *msg)
{
  char c = ok ? 0 : 1;
  size_t n = msg ? strlen(msg) : 0;
  if (write(fd, &c, 1) != 1)
    return false;
  while (n > 0) {
    ssize_t w = write(fd, msg, n);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      return false;
    msg += w;
    n -= (size_t)w;
  }
  return true;
}

static gboolean
on_stop_signal(gpointer mount)
{
  vfsd_mount_unmount(mount);
  return G_SOURCE_CONTINUE;
}

static void
on_exited(VfsdMount *m, int status, gpointer loop)
{
  g_main_loop_quit(loop);
}

static void
detach_stdio(void)
{
  int null = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null < 0)
    return;
  dup2(null, 0);
  dup2(null, 1);
  dup2(null, 2);
  if (null > 2)
    close(null);
}

/* The serving child: never returns. */
static G_GNUC_NORETURN void
serve_child(const MountArgs *a, int fd)
{
  static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP };
  GError *error = NULL;
  GMainLoop *loop;
  VfsdMount *m;
  int r;

  /* The server keeps no descriptor of its caller but the report pipe
   * (and stdin/out/err until the mount is live): a caller that waits for
   * EOF on a pipe it gave us must not wait for the server's lifetime. */
  if (fd != 3) {
    dup3(fd, 3, O_CLOEXEC);
    fd = 3;
  }
  close_range(4, ~0U, 0);
  loop = g_main_loop_new(NULL, FALSE); /* only now: it opens descriptors */
  /* A new session: the terminal's ^C and hang-up go to the parent, which
   * is waiting in the foreground, not to the server. */
  setsid();
  /* If the parent is gone when the child reports, the write fails with
   * EPIPE instead of killing the child, which then unmounts. */
  signal(SIGPIPE, SIG_IGN);
  m = prepare(a, &error);
  if (m) {
    g_signal_connect(m, "exited", G_CALLBACK(on_exited), loop);
    for (size_t i = 0; i < G_N_ELEMENTS(stop_signals); i++)
      g_unix_signal_add(stop_signals[i], on_stop_signal, m);
  }
  if (m == NULL || !vfsd_mount_start(m, &error)) {
    report(fd, false, error ? error->message : "the mount failed");
    _exit(CLI_ERROR);
  }
  if (!report(fd, true, NULL))
    vfsd_mount_unmount(m); /* nobody waits for this mount any more */
  close(fd);
  signal(SIGPIPE, SIG_DFL);
  if (chdir("/") != 0) {
    /* the mount point is absolute already; nothing depends on the cwd */
  }
  detach_stdio();
  g_main_loop_run(loop);
  r = vfsd_mount_wait(m);
  /* No unref: exiting is quicker, and the backend's destroy() has run. */
  _exit(r == 0 ? CLI_OK : CLI_ERROR);
}

static int
run_background(const MountArgs *a)
{
  int pipefd[2];
  pid_t pid;
  char status = 2;
  GString *msg;
  char buf[512];
  ssize_t n;

  if (pipe2(pipefd, O_CLOEXEC) != 0) {
    cli_error("cannot create a pipe: %s", g_strerror(errno));
    return CLI_ERROR;
  }
  fflush(NULL);
  pid = fork();
  if (pid < 0) {
    cli_error("cannot start the server process: %s", g_strerror(errno));
    close(pipefd[0]);
    close(pipefd[1]);
    return CLI_ERROR;
  }
  if (pid == 0) {
    close(pipefd[0]);
    serve_child(a, pipefd[1]);
  }
  close(pipefd[1]);
  while ((n = read(pipefd[0], &status, 1)) < 0 && errno == EINTR)
    ;
  if (n != 1)
    status = 2;
  msg = g_string_new(NULL);
  while ((n = read(pipefd[0], buf, sizeof buf)) > 0 ||
         (n < 0 && errno == EINTR))
    if (n > 0)
      g_string_append_len(msg, buf, n);
  close(pipefd[0]);
  if (status == 0) {
    g_string_free(msg, TRUE);
    return CLI_OK;
  }
  /* The child has failed: reap it, so nothing of it is left. */
  {
    int ws = 0;
    while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
      ;
    if (status == 1)
      cli_error("%s", msg->str);
    else if (WIFSIGNALED(ws))
      cli_error("the server process died while mounting %s (%s)",
                a->mountpoint, strsignal(WTERMSIG(ws)));
    else
      cli_error("the server process exited while mounting %s (status %d)",
                a->mountpoint, WIFEXITED(ws) ? WEXITSTATUS(ws) : -1);
  }
  g_string_free(msg, TRUE);
  return CLI_ERROR;
}

int
cli_mount(int argc, char **argv)
{
  MountArgs a = { 0 };
  int r;
  a.options = g_string_new(NULL);
  a.layers = g_ptr_array_new();
  r = parse_args(argc, argv, &a);
  if (r < 0)
    r = a.foreground ? run_foreground(&a) : run_background(&a);
  g_string_free(a.options, TRUE);
  g_ptr_array_free(a.layers, TRUE);
  return r;
}
