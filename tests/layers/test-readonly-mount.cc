// SPDX-License-Identifier: LGPL-2.1-or-later
// A backend under the readonly layer, through a real mount: a tree made
// through the backend's vtable reads back through the kernel in every way
// a reader uses (stat, listings, read, pread, mmap, SEEK_DATA, readlink,
// xattrs, statfs), and every change fails with EROFS and changes nothing.
// Run over passthrough and, when it is built, the RAM backend.
#include "fixtures.h"

#include <gtest/gtest.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <unistd.h>

namespace {

class ReadonlyMount : public ::testing::TestWithParam<const char *> {
 protected:
  void SetUp() override {
    std::string spec = GetParam();
    if (spec == "passthrough") spec += ":" + src.path();
    GError *err = nullptr;
    bottom = vfsd_backend_load(spec.c_str(), &err);
    if (bottom == nullptr) {
      std::string why = err ? err->message : "";
      g_clear_error(&err);
      GTEST_SKIP() << GetParam() << " is not built here: " << why;
    }
    populate();
    top = vfsd_layer_load("readonly", bottom, &err);
    ASSERT_NE(top, nullptr) << err->message;
    m = std::make_unique<vfsdtest::Mount>(top);
    ASSERT_TRUE(m->mounted()) << m->error();
  }
  void TearDown() override {
    m.reset();
    g_clear_object(&top);
    g_clear_object(&bottom);
  }
  // d/ (0750), d/f ("0123456789" x 1000, user.k = v), d/empty, link -> d/f
  void populate() {
    VfsdCtx ctx = {};
    ctx.pid = (uint32_t)getpid();
    VfsdEntry d = {}, f = {}, e = {}, l = {};
    VfsdOpenInfo oi = {};
    oi.flags = O_RDWR | O_CREAT;
    ASSERT_EQ(vfsd_call_mkdir(bottom, &ctx, VFSD_ROOT_INO, "d", 0750, &d), 0);
    ASSERT_EQ(vfsd_call_create(bottom, &ctx, d.ino, "f", 0644, &oi, &f), 0);
    for (int i = 0; i < 1000; i++) {
      data += "0123456789";
    }
    ASSERT_EQ(vfsd_call_write(bottom, &ctx, f.ino, oi.fh, data.data(), data.size(), 0, 0),
              (ssize_t)data.size());
    vfsd_call_release(bottom, &ctx, f.ino, oi.fh, oi.flags);
    xattrs = vfsd_call_setxattr(bottom, &ctx, f.ino, "user.k", "v", 1, 0) == 0;
    oi = {};
    oi.flags = O_WRONLY | O_CREAT;
    ASSERT_EQ(vfsd_call_create(bottom, &ctx, d.ino, "empty", 0600, &oi, &e), 0);
    vfsd_call_release(bottom, &ctx, e.ino, oi.fh, oi.flags);
    ASSERT_EQ(vfsd_call_symlink(bottom, &ctx, "d/f", VFSD_ROOT_INO, "link", &l), 0);
  }
  std::string operator/(const std::string &n) const { return *m / n; }

  vfsdtest::TempDir src{"ro-src"};
  VfsdBackend *bottom = nullptr, *top = nullptr;
  std::unique_ptr<vfsdtest::Mount> m;
  std::string data;
  bool xattrs = false;
};

TEST_P(ReadonlyMount, ReadingWorksInEveryWay) {
  struct stat st;
  ASSERT_EQ(stat((*this / "d").c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0750u);
  ASSERT_EQ(stat((*this / "d/f").c_str(), &st), 0);
  EXPECT_EQ(st.st_size, (off_t)data.size());
  std::string back;
  EXPECT_TRUE(vfsdtest::read_file(*this / "d/f", &back));
  EXPECT_EQ(back, data);
  EXPECT_TRUE(vfsdtest::read_file(*this / "link", &back));
  EXPECT_EQ(back, data);
  char buf[64] = {};
  EXPECT_EQ(readlink((*this / "link").c_str(), buf, sizeof buf), 3);
  EXPECT_STREQ(buf, "d/f");
  DIR *dir = opendir((*this / "d").c_str());
  ASSERT_NE(dir, nullptr);
  std::vector<std::string> names;
  while (struct dirent *de = readdir(dir)) names.push_back(de->d_name);
  closedir(dir);
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{".", "..", "empty", "f"}));
  int fd = open((*this / "d/f").c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(pread(fd, buf, 5, 12), 5);
  EXPECT_EQ(std::string(buf, 5), "23456");
  void *p = mmap(nullptr, data.size(), PROT_READ, MAP_SHARED, fd, 0);
  ASSERT_NE(p, MAP_FAILED);
  EXPECT_EQ(memcmp(p, data.data(), data.size()), 0);
  munmap(p, data.size());
  off_t o = lseek(fd, 0, SEEK_DATA);
  EXPECT_EQ(o, 0);
  EXPECT_EQ(lseek(fd, 0, SEEK_END), (off_t)data.size());
  close(fd);
  if (xattrs) {
    EXPECT_EQ(getxattr((*this / "d/f").c_str(), "user.k", buf, sizeof buf), 1);
    EXPECT_EQ(buf[0], 'v');
  }
  struct statvfs sv;
  EXPECT_EQ(statvfs(m->path().c_str(), &sv), 0);
  EXPECT_EQ(access((*this / "d/f").c_str(), R_OK), 0);
}

TEST_P(ReadonlyMount, EveryChangeFailsWithErofs) {
  auto erofs = [](int r, const char *what) {
    EXPECT_EQ(r, -1) << what;
    EXPECT_EQ(errno, EROFS) << what;
  };
  erofs(open((*this / "d/f").c_str(), O_WRONLY), "open for writing");
  erofs(open((*this / "d/f").c_str(), O_RDONLY | O_TRUNC), "open with O_TRUNC");
  erofs(open((*this / "d/new").c_str(), O_WRONLY | O_CREAT, 0644), "create");
  erofs(mkdir((*this / "d/x").c_str(), 0755), "mkdir");
  erofs(mknod((*this / "d/p").c_str(), S_IFIFO | 0644, 0), "mknod");
  erofs(unlink((*this / "d/f").c_str()), "unlink");
  erofs(rmdir((*this / "d").c_str()), "rmdir");
  erofs(rename((*this / "d/f").c_str(), (*this / "d/g").c_str()), "rename");
  erofs(link((*this / "d/f").c_str(), (*this / "d/h").c_str()), "link");
  erofs(symlink("f", (*this / "d/s").c_str()), "symlink");
  erofs(chmod((*this / "d/f").c_str(), 0600), "chmod");
  erofs(chown((*this / "d/f").c_str(), 1, 1), "chown");
  erofs(truncate((*this / "d/f").c_str(), 1), "truncate");
  struct timespec ts[2] = {{1, 0}, {2, 0}};
  erofs(utimensat(AT_FDCWD, (*this / "d/f").c_str(), ts, 0), "utimensat");
  if (xattrs) {
    erofs(setxattr((*this / "d/f").c_str(), "user.k", "w", 1, 0), "setxattr");
    erofs(removexattr((*this / "d/f").c_str(), "user.k"), "removexattr");
  }
  // Nothing changed below.
  std::string back;
  EXPECT_TRUE(vfsdtest::read_file(*this / "d/f", &back));
  EXPECT_EQ(back, data);
  struct stat st;
  ASSERT_EQ(stat((*this / "d/f").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0644u);
}

INSTANTIATE_TEST_SUITE_P(Backends, ReadonlyMount, ::testing::Values("passthrough", "ram"),
                         [](const ::testing::TestParamInfo<const char *> &i) {
                           return std::string(i.param);
                         });

}  // namespace
