// SPDX-License-Identifier: LGPL-2.1-or-later
#include "pt-helpers.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <sstream>

namespace pttest {

void put(const std::string &path, const std::string &data) {
  ASSERT_TRUE(vfsdtest::write_file(path, data)) << path << ": " << strerror(errno);
}

std::string get(const std::string &path) {
  std::string s;
  return vfsdtest::read_file(path, &s) ? s : "<missing>";
}

VfsdBackend *load(const std::string &spec) {
  GError *err = nullptr;
  VfsdBackend *b = vfsd_backend_load(("passthrough:" + spec).c_str(), &err);
  EXPECT_NE(b, nullptr) << (err ? err->message : "");
  g_clear_error(&err);
  return b;
}

uint64_t st_ino(const std::string &path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0 ? st.st_ino : 0;
}

static void walk(const std::string &dir, const std::string &rel, std::vector<std::string> *out) {
  DIR *d = opendir(dir.c_str());
  if (!d) return;
  while (struct dirent *de = readdir(d)) {
    std::string n = de->d_name;
    if (n == "." || n == "..") continue;
    struct stat st;
    std::string p = dir + "/" + n;
    if (lstat(p.c_str(), &st) != 0) continue;
    std::ostringstream o;
    o << rel << n << " mode=" << std::oct << st.st_mode << std::dec << " size=" << st.st_size
      << " uid=" << st.st_uid << " mtime=" << st.st_mtim.tv_sec << "." << st.st_mtim.tv_nsec
      << " ctime=" << st.st_ctim.tv_sec << "." << st.st_ctim.tv_nsec;
    out->push_back(o.str());
    if (S_ISDIR(st.st_mode)) walk(p, rel + n + "/", out);
  }
  closedir(d);
}

std::string snapshot(const std::string &dir) {
  std::vector<std::string> v;
  walk(dir, "", &v);
  std::sort(v.begin(), v.end());
  std::string s;
  for (auto &l : v) s += l + "\n";
  return s;
}

Watch::Watch(const std::string &dir) {
  fd_ = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  EXPECT_GE(fd_, 0);
  EXPECT_GE(inotify_add_watch(fd_, dir.c_str(), IN_ALL_EVENTS), 0) << dir;
}

Watch::~Watch() { close(fd_); }

std::vector<std::string> Watch::events() {
  std::vector<std::string> out;
  alignas(struct inotify_event) char buf[8192];
  ssize_t n;
  while ((n = read(fd_, buf, sizeof buf)) > 0) {
    for (char *p = buf; p < buf + n;) {
      auto *ev = reinterpret_cast<struct inotify_event *>(p);
      std::ostringstream o;
      o << "mask=0x" << std::hex << ev->mask << " " << (ev->len ? ev->name : "(dir)");
      out.push_back(o.str());
      p += sizeof *ev + ev->len;
    }
  }
  return out;
}

TmpfsDir::TmpfsDir() {
  struct statfs sf;
  std::string base = "/dev/shm";
  if (statfs(base.c_str(), &sf) != 0 || sf.f_type != 0x01021994 /* TMPFS_MAGIC */) {
    const char *t = getenv("TMPDIR");
    base = t && *t ? t : "/tmp";
  }
  std::string tmpl = base + "/vfsd-pt.XXXXXX";
  std::vector<char> b(tmpl.begin(), tmpl.end());
  b.push_back('\0');
  if (!mkdtemp(b.data())) abort();
  path_ = b.data();
}

TmpfsDir::~TmpfsDir() {
  vfsdtest::run({"rm", "-rf", "--one-file-system", path_});
}

}  // namespace pttest
