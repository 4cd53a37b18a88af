// SPDX-License-Identifier: LGPL-2.1-or-later
#include "fixtures.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

extern char **environ;

namespace vfsdtest {

static std::string tmp_base() {
  const char *t = getenv("TMPDIR");
  return t && *t ? t : "/tmp";
}

TempDir::TempDir(const char *tag) {
  std::string tmpl = tmp_base() + "/vfsd-" + tag + ".XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (mkdtemp(buf.data()) == nullptr) {
    fprintf(stderr, "mkdtemp(%s): %s\n", tmpl.c_str(), strerror(errno));
    abort();
  }
  path_ = buf.data();
}

TempDir::~TempDir() {
  // Never descend into a mount that is still there.
  if (is_fuse_mounted(path_)) force_unmount(path_);
  run({"rm", "-rf", "--one-file-system", path_}, nullptr,
      std::chrono::seconds(30));
}

bool is_fuse_mounted(const std::string &path) {
  std::ifstream f("/proc/self/mounts");
  std::string src, mnt, type, rest;
  while (f >> src >> mnt >> type) {
    std::getline(f, rest);
    if (mnt == path && type.rfind("fuse", 0) == 0) return true;
  }
  return false;
}

bool force_unmount(const std::string &path) {
  if (!is_fuse_mounted(path)) return true;
  run({"fusermount3", "-u", path}, nullptr, std::chrono::seconds(10));
  if (is_fuse_mounted(path))
    run({"fusermount3", "-uz", path}, nullptr, std::chrono::seconds(10));
  return !is_fuse_mounted(path);
}

Mount::Mount(VfsdBackend *backend, const std::string &options)
    : dir_("mnt") {
  GError *err = nullptr;
  VfsdMount *m = vfsd_mount_new(backend, dir_.path().c_str(), options.c_str(),
                                &err);
  if (m && vfsd_mount_start(m, &err)) {
    mount_ = m;
    return;
  }
  error_ = err ? err->message : "unknown error";
  g_clear_error(&err);
  if (m) g_object_unref(m);
}

std::chrono::milliseconds Mount::unmount() {
  if (!mount_) return std::chrono::milliseconds(0);
  auto t0 = std::chrono::steady_clock::now();
  vfsd_mount_unmount(mount_);
  vfsd_mount_wait(mount_);
  auto dt = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - t0);
  g_object_unref(mount_);
  mount_ = nullptr;
  if (is_fuse_mounted(dir_.path())) force_unmount(dir_.path());
  return dt;
}

Mount::~Mount() { unmount(); }

Child::Child(const std::vector<std::string> &argv,
             const std::string &stdout_file, const std::string &stderr_file) {
  std::vector<char *> args;
  for (auto &a : argv) args.push_back(const_cast<char *>(a.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  if (!stdout_file.empty())
    posix_spawn_file_actions_addopen(&fa, 1, stdout_file.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (!stderr_file.empty())
    posix_spawn_file_actions_addopen(&fa, 2, stderr_file.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (posix_spawnp(&pid_, args[0], &fa, nullptr, args.data(), environ) != 0)
    pid_ = -1;
  posix_spawn_file_actions_destroy(&fa);
}

int Child::wait(std::chrono::milliseconds timeout) {
  if (pid_ <= 0 || reaped_) return -1;
  auto end = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status;
    pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      reaped_ = true;
      return status;
    }
    if (r < 0 && errno != EINTR) return -1;
    if (std::chrono::steady_clock::now() > end) return -1;
    struct timespec ts = {0, 5 * 1000 * 1000};
    nanosleep(&ts, nullptr);
  }
}

bool Child::running() {
  if (pid_ <= 0 || reaped_) return false;
  int status;
  pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    reaped_ = true;
    return false;
  }
  return true;
}

void Child::signal(int sig) {
  if (pid_ > 0 && !reaped_) kill(pid_, sig);
}

Child::~Child() {
  if (pid_ > 0 && !reaped_) {
    kill(pid_, SIGKILL);
    int status;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
}

int run(const std::vector<std::string> &argv, std::string *out,
        std::chrono::milliseconds timeout) {
  std::string file;
  if (out) {
    std::string t = tmp_base() + "/vfsd-run.XXXXXX";
    std::vector<char> tmpl(t.begin(), t.end());
    tmpl.push_back('\0');
    int fd = mkstemp(tmpl.data());
    if (fd >= 0) close(fd);
    file = tmpl.data();
  }
  int status;
  {
    Child c(argv, file, file);
    if (!c.started()) return -1;
    status = c.wait(timeout);
    if (status == -1) {
      c.signal(SIGKILL);
      c.wait(std::chrono::seconds(5));
    }
  }
  if (out) {
    read_file(file, out);
    unlink(file.c_str());
  }
  if (status == -1) return -1;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

std::string build_path(const std::string &rel) {
  const char *b = getenv("top_builddir");
  return std::string(b ? b : ".") + "/" + rel;
}

std::string src_path(const std::string &rel) {
  const char *s = getenv("top_srcdir");
  return std::string(s ? s : ".") + "/" + rel;
}

bool read_file(const std::string &path, std::string *out) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  out->clear();
  char buf[65536];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0) {
      int e = errno;
      close(fd);
      errno = e;
      return false;
    }
    if (n == 0) break;
    out->append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return true;
}

bool write_file(const std::string &path, const std::string &data) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n <= 0) {
      int e = errno;
      close(fd);
      errno = e;
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return close(fd) == 0;
}

static int count_dir(const char *path) {
  DIR *d = opendir(path);
  int n = 0;
  if (!d) return -1;
  while (struct dirent *e = readdir(d))
    if (e->d_name[0] != '.') n++;
  closedir(d);
  return n;
}

int count_fds() { return count_dir("/proc/self/fd") - 1; /* the DIR's own */ }
int count_threads() { return count_dir("/proc/self/task"); }

}  // namespace vfsdtest
