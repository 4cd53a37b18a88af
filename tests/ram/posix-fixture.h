// SPDX-License-Identifier: LGPL-2.1-or-later
// The fixture of the RAM backend's mount tests.  Each test runs twice: on a
// tmpfs (mounted under $TMPDIR for the test), which proves the expectation
// right, and on the RAM backend mounted in this process, which must behave
// the same.  Checks that need another user run `ram-helper as UID GID
// GROUPS OP ARGS…`, started with posix_spawn (never fork a process that
// serves a mount).
#pragma once

#include "fixtures.h"

#include <vfsd/vfsd.h>
#include <vfsd/ram.h>

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

namespace ramtest {

class Posix : public ::testing::TestWithParam<std::string> {
 protected:
  VfsdBackend *backend = nullptr;
  std::unique_ptr<vfsdtest::Mount> mount;
  std::unique_ptr<vfsdtest::TempDir> dir;
  std::string root;

  bool ram() const { return GetParam() == "ram"; }
  // Options shared by both: a tmpfs takes the same ones.
  virtual std::string fs_options() { return "size=64M,nr_inodes=20000"; }

  void SetUp() override {
    // Other users must reach the mount point through $TMPDIR.
    const char *tmp = getenv("TMPDIR");
    if (tmp) chmod(tmp, 0755);
    if (ram()) {
      GError *err = nullptr;
      backend = vfsd_ram_new(fs_options().c_str(), &err);
      ASSERT_NE(backend, nullptr) << err->message;
      // Other users may enter; device nodes work, as on the tmpfs.
      mount = std::make_unique<vfsdtest::Mount>(backend, "allow_other,dev");
      ASSERT_TRUE(mount->mounted()) << mount->error();
      root = mount->path();
    } else {
      dir = std::make_unique<vfsdtest::TempDir>("tmpfs");
      std::string out;
      ASSERT_EQ(vfsdtest::run({"mount", "-t", "tmpfs", "-o", fs_options(),
                               "tmpfs", dir->path()}, &out), 0) << out;
      root = dir->path();
    }
  }

  void TearDown() override {
    if (ram()) {
      if (mount) mount->unmount();
      mount.reset();
      if (backend) {
        GString *report = g_string_new(nullptr);
        EXPECT_EQ(vfsd_ram_check(backend, report), 0) << report->str;
        VfsdRamUsage u{};
        vfsd_ram_get_usage(backend, &u);
        EXPECT_EQ(u.handles_open, 0u);
        g_string_free(report, TRUE);
        g_object_unref(backend);
      }
    } else if (dir) {
      if (vfsdtest::run({"umount", root}) != 0)
        vfsdtest::run({"umount", "-l", root});
    }
  }

  std::string p(const std::string &name) const { return root + "/" + name; }

  // Runs one operation as another user; returns "ok", "ok …" or an errno
  // name such as "EACCES".
  std::string as(unsigned uid, unsigned gid, const std::string &groups,
                 const std::vector<std::string> &op) {
    std::vector<std::string> argv = {
        vfsdtest::build_path("tests/ram/ram-helper"), "as",
        std::to_string(uid), std::to_string(gid), groups};
    argv.insert(argv.end(), op.begin(), op.end());
    std::string out;
    int rc = vfsdtest::run(argv, &out, std::chrono::seconds(30));
    EXPECT_EQ(rc, 0) << out;
    while (!out.empty() && (out.back() == '\n' || out.back() == ' '))
      out.pop_back();
    return out;
  }

  static std::string slurp(const std::string &path) {
    std::string s;
    if (!vfsdtest::read_file(path, &s)) return "<" + std::to_string(errno) + ">";
    return s;
  }
  static struct stat st(const std::string &path) {
    struct stat s {};
    EXPECT_EQ(lstat(path.c_str(), &s), 0) << path << ": " << strerror(errno);
    return s;
  }
  static int err(int r) { return r < 0 ? errno : 0; }
};

}  // namespace ramtest
