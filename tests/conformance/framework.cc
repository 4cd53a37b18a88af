// SPDX-License-Identifier: LGPL-2.1-or-later
// What checks use: outcomes, file and time helpers, other users and other
// processes (through the --do helper, started with posix_spawn).
#include "conformance.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

extern char **environ;

namespace conf {

std::vector<Check> &registry() {
  static std::vector<Check> r;
  return r;
}

Register::Register(const char *group, const char *id, const char *summary,
                   void (*fn)()) {
  registry().push_back({std::string(group) + "." + id, summary, fn});
}

// ---- outcomes ------------------------------------------------------------

static int n_failures;

void skip(const std::string &reason) { throw Skip{reason}; }

void note(const std::string &msg) {
  printf("# %s\n", msg.c_str());
  fflush(stdout);
}

void fail(const char *file, int line, const std::string &msg, bool fatal) {
  const char *base = strrchr(file, '/');
  n_failures++;
  printf("# %s:%d: %s\n", base ? base + 1 : file, line, msg.c_str());
  fflush(stdout);
  if (fatal) throw Abort{};
}

int failures() { return n_failures; }

std::string errno_name(int e) {
  if (e == 0) return "success";
  const char *n = strerrorname_np(e);
  return n ? n : "errno " + std::to_string(e);
}

static bool unsupported(int e) {
  return e == EOPNOTSUPP || e == ENOTSUP || e == ENOSYS;
}

long sys_ok(const char *file, int line, const char *expr, long r, int e) {
  if (r == -1)
    fail(file, line, std::string(expr) + " failed: " + errno_name(e) + " (" +
                         strerror(e) + ")", true);
  return r;
}

long sys_feature(const char *file, int line, const char *expr, long r, int e,
                 const char *what) {
  if (r == -1 && unsupported(e))
    skip(std::string(what) + " is not supported here (" + errno_name(e) + ")");
  return sys_ok(file, line, expr, r, e);
}

void sys_errno(const char *file, int line, const char *expr, long r, int e,
               std::initializer_list<int> want) {
  std::string w;
  for (int x : want) w += (w.empty() ? "" : " or ") + errno_name(x);
  if (r != -1) {
    fail(file, line, std::string(expr) + " succeeded (" + std::to_string(r) +
                         "), want " + w, false);
    return;
  }
  if (std::find(want.begin(), want.end(), e) == want.end())
    fail(file, line, std::string(expr) + " failed with " + errno_name(e) +
                         ", want " + w, false);
}

// ---- files ---------------------------------------------------------------

void write_fd_at(int fd, const std::string &data, off_t off) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = T_SYS(pwrite(fd, data.data() + done, data.size() - done,
                             off + static_cast<off_t>(done)));
    if (n == 0) fail(__FILE__, __LINE__, "pwrite wrote nothing", true);
    done += static_cast<size_t>(n);
  }
}

std::string read_fd_at(int fd, size_t len, off_t off) {
  std::string out(len, '\0');
  size_t done = 0;
  while (done < len) {
    ssize_t n = T_SYS(pread(fd, &out[done], len - done,
                            off + static_cast<off_t>(done)));
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  out.resize(done);
  return out;
}

void put(const std::string &path, const std::string &data) {
  int fd = T_SYS(open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
                      0644));
  write_fd_at(fd, data, 0);
  T_SYS(close(fd));
}

std::string get(const std::string &path) {
  int fd = T_SYS(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  std::string out, buf(65536, '\0');
  for (;;) {
    ssize_t n = T_SYS(read(fd, &buf[0], buf.size()));
    if (n == 0) break;
    out.append(buf, 0, static_cast<size_t>(n));
  }
  close(fd);
  return out;
}

struct stat st(const std::string &path) {
  struct stat s;
  if (stat(path.c_str(), &s) != 0)
    fail(__FILE__, __LINE__, "stat(" + path + "): " + errno_name(errno), true);
  return s;
}

struct stat lst(const std::string &path) {
  struct stat s;
  if (lstat(path.c_str(), &s) != 0)
    fail(__FILE__, __LINE__, "lstat(" + path + "): " + errno_name(errno), true);
  return s;
}

struct stat fst(int fd) {
  struct stat s;
  if (fstat(fd, &s) != 0)
    fail(__FILE__, __LINE__, "fstat: " + errno_name(errno), true);
  return s;
}

bool exists(const std::string &path) {
  struct stat s;
  return lstat(path.c_str(), &s) == 0;
}

std::string pattern(size_t n, unsigned seed) {
  std::string s(n, '\0');
  uint32_t x = seed * 2654435761u + 12345u;
  for (size_t i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    s[i] = static_cast<char>(x);
  }
  return s;
}

std::vector<std::string> list_dir(const std::string &path) {
  std::vector<std::string> names;
  DIR *d = opendir(path.c_str());
  if (d == nullptr)
    fail(__FILE__, __LINE__, "opendir(" + path + "): " + errno_name(errno),
         true);
  while (struct dirent *e = readdir(d))
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
      names.push_back(e->d_name);
  closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

void mk(const std::string &path, mode_t mode) {
  T_SYS(mkdir(path.c_str(), mode));
}

// ---- time ----------------------------------------------------------------

void sleep_ms(int ms) {
  struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&t, &t) != 0 && errno == EINTR) {
  }
}

// Coarse kernel clocks tick every 1-10 ms; 20 ms is always a new value.
void tick() { sleep_ms(20); }

int cmp_ts(const struct timespec &a, const struct timespec &b) {
  if (a.tv_sec != b.tv_sec) return a.tv_sec < b.tv_sec ? -1 : 1;
  if (a.tv_nsec != b.tv_nsec) return a.tv_nsec < b.tv_nsec ? -1 : 1;
  return 0;
}

std::string show_ts(const struct timespec &t) {
  char b[64];
  snprintf(b, sizeof b, "%lld.%09ld", (long long)t.tv_sec, t.tv_nsec);
  return b;
}

struct timespec now_ts() {
  struct timespec t;
  clock_gettime(CLOCK_REALTIME, &t);
  return t;
}

// ---- other users and processes -------------------------------------------

const Cred kUser1 = {4242, 4242, {}};
const Cred kUser2 = {4343, 4343, {}};
const Cred kUser1Extra = {4242, 4242, {kExtraGroup}};

bool is_root() { return geteuid() == 0; }

void need_root(const char *why) {
  if (!is_root()) skip(why);
}

void need_other_users() {
  need_root("needs root, to act as other users");
  int e = as(kUser1, {"stat", "."});
  if (e != 0)
    skip("other users cannot use this file system (" + errno_name(e) +
         "); mount it with -o allow_other");
}

static std::string cred_arg(const Cred &c) {
  std::string s = std::to_string(c.uid) + ":" + std::to_string(c.gid);
  for (size_t i = 0; i < c.groups.size(); i++)
    s += (i ? "," : ":") + std::to_string(c.groups[i]);
  return s;
}

static std::vector<std::string> do_argv(const Cred *cred,
                                        const std::vector<std::string> &args) {
  std::vector<std::string> argv = {self_exe()};
  if (cred) {
    argv.push_back("--as-user");
    argv.push_back(cred_arg(*cred));
  }
  argv.push_back("--do");
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

// Spawns argv with stdout to a pipe (and stdin from one, if @in_fd).
static pid_t spawn(const std::vector<std::string> &argv, int *out_fd,
                   int *in_fd) {
  int out[2], in[2] = {-1, -1};
  if (pipe2(out, O_CLOEXEC) != 0) fail(__FILE__, __LINE__, "pipe", true);
  if (in_fd && pipe2(in, O_CLOEXEC) != 0) fail(__FILE__, __LINE__, "pipe", true);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  if (in_fd) posix_spawn_file_actions_adddup2(&fa, in[0], 0);
  std::vector<char *> a;
  for (auto &s : argv) a.push_back(const_cast<char *>(s.c_str()));
  a.push_back(nullptr);
  pid_t pid;
  int r = posix_spawn(&pid, a[0], &fa, nullptr, a.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  close(out[1]);
  if (in_fd) close(in[0]);
  if (r != 0) {
    close(out[0]);
    if (in_fd) close(in[1]);
    fail(__FILE__, __LINE__, "posix_spawn " + argv[0] + ": " + errno_name(r),
         true);
  }
  *out_fd = out[0];
  if (in_fd) *in_fd = in[1];
  return pid;
}

static int errno_from_name(const std::string &name) {
  for (int e = 1; e < 200; e++) {
    const char *n = strerrorname_np(e);
    if (n && name == n) return e;
  }
  return -1;
}

DoResult run_do(const Cred *cred, const std::vector<std::string> &args) {
  int out;
  pid_t pid = spawn(do_argv(cred, args), &out, nullptr);
  std::string text;
  char buf[4096];
  ssize_t n;
  while ((n = read(out, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
    if (n > 0) text.append(buf, static_cast<size_t>(n));
  close(out);
  int ws;
  while (waitpid(pid, &ws, 0) < 0 && errno == EINTR) {
  }
  DoResult r;
  size_t nl = text.find('\n');
  std::string first = text.substr(0, nl);
  if (!WIFEXITED(ws) || WEXITSTATUS(ws) != 0)
    fail(__FILE__, __LINE__, "helper --do " + args[0] + " failed: " + text,
         true);
  r.err = first == "OK" ? 0 : errno_from_name(first);
  if (r.err < 0)
    fail(__FILE__, __LINE__, "helper --do " + args[0] + " said: " + text, true);
  r.out = nl == std::string::npos ? "" : text.substr(nl + 1);
  return r;
}

int as(const Cred &cred, const std::vector<std::string> &args) {
  return run_do(&cred, args).err;
}

Holder::Holder(const std::vector<std::string> &args) {
  int out;
  pid_ = spawn(do_argv(nullptr, args), &out, &to_);
  struct pollfd p = {out, POLLIN, 0};
  char c;
  while (poll(&p, 1, 10000) == 1 && read(out, &c, 1) == 1 && c != '\n')
    first_ += c;
  close(out);
}

void Holder::release() {
  if (to_ >= 0) close(to_);
  to_ = -1;
  if (pid_ > 0) {
    int ws;
    while (waitpid(pid_, &ws, 0) < 0 && errno == EINTR) {
    }
  }
  pid_ = -1;
}

Holder::~Holder() {
  if (pid_ > 0) kill(pid_, SIGKILL);
  release();
}

}  // namespace conf
