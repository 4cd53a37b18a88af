// SPDX-License-Identifier: LGPL-2.1-or-later
// Helpers shared by the googletest suites: temporary directories, in-process
// mounts that always come down, child processes that are always reaped.
#pragma once

#include <vfsd/vfsd.h>

#include <chrono>
#include <string>
#include <vector>

#include <cstdlib>
#include <cstring>

namespace vfsdtest {

// A fresh directory under $TMPDIR (tests/run-test.sh gives each test its
// own), removed with its contents by the destructor.
class TempDir {
 public:
  explicit TempDir(const char *tag = "dir");
  ~TempDir();
  TempDir(const TempDir &) = delete;
  TempDir &operator=(const TempDir &) = delete;
  const std::string &path() const { return path_; }
  std::string operator/(const std::string &name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// A backend mounted in this process at a fresh mount point.  The destructor
// unmounts and waits (bounded); if the mount is still there it falls back
// to `fusermount3 -u`, then `-uz`, so no test leaves a mount behind.
class Mount {
 public:
  // Mounts @backend (a reference is taken) with @options; on failure
  // error() is set and mounted() is false.
  Mount(VfsdBackend *backend, const std::string &options = "");
  ~Mount();
  Mount(const Mount &) = delete;
  Mount &operator=(const Mount &) = delete;

  bool mounted() const { return mount_ != nullptr; }
  const std::string &error() const { return error_; }
  const std::string &path() const { return dir_.path(); }
  std::string operator/(const std::string &name) const { return dir_ / name; }
  VfsdMount *get() const { return mount_; }

  // Unmounts now and returns how long vfsd_mount_wait() took to return.
  std::chrono::milliseconds unmount();

 private:
  TempDir dir_;
  VfsdMount *mount_ = nullptr;
  std::string error_;
};

// True if a FUSE file system is mounted at @path (per /proc/self/mounts).
bool is_fuse_mounted(const std::string &path);

// Unmounts @path with fusermount3 -u, then -uz.  Returns true if nothing
// is mounted there afterwards.
bool force_unmount(const std::string &path);

// A child process started with posix_spawn (never fork() while a mount is
// live in this process).  The destructor kills (SIGKILL) and reaps it if it
// still runs.  Output goes to files in @dir when given.
class Child {
 public:
  explicit Child(const std::vector<std::string> &argv,
                 const std::string &stdout_file = "",
                 const std::string &stderr_file = "");
  ~Child();
  Child(const Child &) = delete;
  Child &operator=(const Child &) = delete;
  pid_t pid() const { return pid_; }
  bool started() const { return pid_ > 0; }
  // Waits up to @timeout for the child to exit; returns its wait status, or
  // -1 on timeout.
  int wait(std::chrono::milliseconds timeout);
  bool running();
  void signal(int sig);

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
};

// Runs a command to completion (bounded by @timeout); returns the exit
// status (0-255), 128+signal if killed, or -1 on timeout.  Captures stdout
// and stderr into @out if given.
int run(const std::vector<std::string> &argv, std::string *out = nullptr,
        std::chrono::milliseconds timeout = std::chrono::seconds(60));

// Polls @pred every 10 ms until it holds or @timeout passes.
template <typename Pred>
bool wait_for(Pred pred, std::chrono::milliseconds timeout) {
  auto end = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > end) return false;
    struct timespec ts = {0, 10 * 1000 * 1000};
    nanosleep(&ts, nullptr);
  }
  return true;
}

// Path of a built program: $top_builddir/@rel.
std::string build_path(const std::string &rel);
// Path of a source file: $top_srcdir/@rel.
std::string src_path(const std::string &rel);

// Reads a whole file; returns false (and sets errno) on failure.
bool read_file(const std::string &path, std::string *out);
bool write_file(const std::string &path, const std::string &data);

// Number of open file descriptors and of threads of this process.
int count_fds();
int count_threads();

// True in the build configured with --enable-sanitizers (make check sets
// VFSD_SANITIZERS from configure).
inline bool sanitized() {
  const char *v = getenv("VFSD_SANITIZERS");
  return v && strcmp(v, "yes") == 0;
}

}  // namespace vfsdtest
