// SPDX-License-Identifier: LGPL-2.1-or-later
// POSIX behaviour of the RAM backend through a real mount, each test run on
// a tmpfs too (see posix-fixture.h): permissions and ownership as the
// kernel's default_permissions enforces them, the privilege bits, sticky
// directories, group membership, timestamps, extended attributes, limits.
#include "posix-fixture.h"

#include <sys/statvfs.h>
#include <sys/xattr.h>

using namespace ramtest;

// Users and groups of the tests; they need not exist in /etc/passwd.
enum { ALICE = 1000, BOB = 1001, STAFF = 2000, OTHER = 2001 };

TEST_P(Posix, ChmodAndChownRules) {
  ASSERT_TRUE(vfsdtest::write_file(p("f"), "x"));
  ASSERT_EQ(chown(p("f").c_str(), ALICE, ALICE), 0);
  EXPECT_EQ(as(BOB, BOB, "-", {"chmod", p("f"), "777"}), "EPERM");
  EXPECT_EQ(as(ALICE, ALICE, "-", {"chmod", p("f"), "600"}), "ok");
  EXPECT_EQ(st(p("f")).st_mode & 07777, 0600u);
  EXPECT_EQ(as(ALICE, ALICE, "-", {"chown", p("f"), "1001", "-1"}), "EPERM");
  EXPECT_EQ(as(ALICE, ALICE, "2000", {"chown", p("f"), "-1", "2000"}), "ok");
  EXPECT_EQ(st(p("f")).st_gid, static_cast<gid_t>(STAFF));
  EXPECT_EQ(as(ALICE, ALICE, "-", {"chown", p("f"), "-1", "2001"}), "EPERM");
  EXPECT_EQ(as(BOB, BOB, "-", {"open", p("f"), "r"}), "EACCES");
  EXPECT_EQ(as(ALICE, ALICE, "-", {"open", p("f"), "rw"}), "ok");
}

TEST_P(Posix, SetgidDroppedByChmodOutsideGroup) {
  ASSERT_TRUE(vfsdtest::write_file(p("f"), "x"));
  ASSERT_EQ(chown(p("f").c_str(), ALICE, STAFF), 0);
  // Alice owns the file but is not in its group: setgid does not stick.
  EXPECT_EQ(as(ALICE, ALICE, "-", {"chmod", p("f"), "2755"}), "ok");
  EXPECT_EQ(st(p("f")).st_mode & 07777, 0755u);
  EXPECT_EQ(as(ALICE, ALICE, "2000", {"chmod", p("f"), "2755"}), "ok");
  EXPECT_EQ(st(p("f")).st_mode & 07777, 02755u);
}

TEST_P(Posix, PrivilegeBitsClearedOnWriteAndChown) {
  ASSERT_TRUE(vfsdtest::write_file(p("f"), "x"));
  ASSERT_EQ(chown(p("f").c_str(), ALICE, STAFF), 0);
  ASSERT_EQ(chmod(p("f").c_str(), 06777), 0);
  // Root writing keeps the bits (CAP_FSETID).
  ASSERT_TRUE(vfsdtest::write_file(p("f"), "root"));
  EXPECT_EQ(st(p("f")).st_mode & 07777, 06777u);
  // Anyone else writing drops them.
  EXPECT_EQ(as(BOB, BOB, "-", {"write", p("f"), "bob"}), "ok");
  EXPECT_EQ(st(p("f")).st_mode & 07777, 0777u);
  EXPECT_EQ(slurp(p("f")), "bobt");
  // A truncating open by another user as well.
  ASSERT_EQ(chmod(p("f").c_str(), 06777), 0);
  EXPECT_EQ(as(BOB, BOB, "-", {"open", p("f"), "wt"}), "ok");
  EXPECT_EQ(st(p("f")).st_mode & 07777, 0777u);
  EXPECT_EQ(st(p("f")).st_size, 0);
  ASSERT_EQ(chmod(p("f").c_str(), 06777), 0);
  EXPECT_EQ(as(BOB, BOB, "-", {"truncate", p("f"), "5"}), "ok");
  EXPECT_EQ(st(p("f")).st_mode & 07777, 0777u);
  // chown, even by root, drops setuid (and setgid of group executables).
  ASSERT_EQ(chmod(p("f").c_str(), 06755), 0);
  ASSERT_EQ(chown(p("f").c_str(), BOB, STAFF), 0);
  EXPECT_EQ(st(p("f")).st_mode & 07777, 0755u);
  ASSERT_EQ(chmod(p("f").c_str(), 06745), 0);
  ASSERT_EQ(chown(p("f").c_str(), ALICE, -1), 0);
  EXPECT_EQ(st(p("f")).st_mode & 07777, 02745u);
}

TEST_P(Posix, StickyDirectories) {
  ASSERT_EQ(mkdir(p("tmp").c_str(), 0777), 0);
  ASSERT_EQ(chmod(p("tmp").c_str(), 01777), 0);
  EXPECT_EQ(as(ALICE, ALICE, "-", {"open", p("tmp/a"), "wc", "666"}), "ok");
  EXPECT_EQ(as(BOB, BOB, "-", {"unlink", p("tmp/a")}), "EPERM");
  EXPECT_EQ(as(BOB, BOB, "-", {"rename", p("tmp/a"), p("tmp/b")}), "EPERM");
  EXPECT_EQ(as(BOB, BOB, "-", {"write", p("tmp/a"), "bob"}), "ok");
  EXPECT_EQ(as(ALICE, ALICE, "-", {"unlink", p("tmp/a")}), "ok");
  ASSERT_EQ(chmod(p("tmp").c_str(), 0777), 0);
  EXPECT_EQ(as(ALICE, ALICE, "-", {"open", p("tmp/c"), "wc", "666"}), "ok");
  EXPECT_EQ(as(BOB, BOB, "-", {"unlink", p("tmp/c")}), "ok");
}

TEST_P(Posix, GroupMembership) {
  ASSERT_EQ(mkdir(p("team").c_str(), 0770), 0);
  ASSERT_EQ(chmod(p("team").c_str(), 0770), 0);  // whatever our umask
  ASSERT_EQ(chown(p("team").c_str(), ALICE, STAFF), 0);
  ASSERT_TRUE(vfsdtest::write_file(p("team/doc"), "secret"));
  ASSERT_EQ(chown(p("team/doc").c_str(), ALICE, STAFF), 0);
  ASSERT_EQ(chmod(p("team/doc").c_str(), 0640), 0);
  EXPECT_EQ(as(BOB, BOB, "2001,2000", {"open", p("team/doc"), "r"}), "ok");
  EXPECT_EQ(as(BOB, BOB, "2000", {"open", p("team/doc"), "w"}), "EACCES");
  EXPECT_EQ(as(BOB, BOB, "2001", {"open", p("team/doc"), "r"}), "EACCES");
  EXPECT_EQ(as(BOB, STAFF, "-", {"access", p("team/doc"), "r"}), "ok");
  EXPECT_EQ(as(BOB, BOB, "2000", {"mkdir", p("team/sub"), "755"}), "ok");
  EXPECT_EQ(as(BOB, BOB, "-", {"stat", p("team/doc")}), "EACCES");
  // A setgid directory hands its group down.
  ASSERT_EQ(chmod(p("team").c_str(), 02770), 0);
  EXPECT_EQ(as(BOB, BOB, "2000", {"open", p("team/new"), "wc"}), "ok");
  EXPECT_EQ(st(p("team/new")).st_gid, static_cast<gid_t>(STAFF));
  EXPECT_EQ(as(BOB, BOB, "2000", {"mkdir", p("team/sub2"), "755"}), "ok");
  EXPECT_EQ(st(p("team/sub2")).st_mode & 07777, 02755u);
}

static bool later(const struct timespec &a, const struct timespec &b) {
  return a.tv_sec > b.tv_sec || (a.tv_sec == b.tv_sec && a.tv_nsec > b.tv_nsec);
}
static bool same(const struct timespec &a, const struct timespec &b) {
  return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

TEST_P(Posix, Timestamps) {
  ASSERT_TRUE(vfsdtest::write_file(p("f"), "x"));
  struct timespec ts[2] = {{1234567890, 123456789}, {987654321, 987654321}};
  ASSERT_EQ(utimensat(AT_FDCWD, p("f").c_str(), ts, 0), 0);
  struct stat s = st(p("f"));
  EXPECT_TRUE(same(s.st_atim, ts[0]));
  EXPECT_TRUE(same(s.st_mtim, ts[1]));
  // UTIME_OMIT keeps a time, UTIME_NOW sets it.
  struct timespec now_omit[2] = {{0, UTIME_NOW}, {0, UTIME_OMIT}};
  ASSERT_EQ(utimensat(AT_FDCWD, p("f").c_str(), now_omit, 0), 0);
  struct stat t = st(p("f"));
  EXPECT_TRUE(later(t.st_atim, s.st_atim));
  EXPECT_TRUE(same(t.st_mtim, ts[1]));
  EXPECT_FALSE(later(s.st_ctim, t.st_ctim));
  // A write moves mtime and ctime; chmod moves ctime only.
  usleep(2000);
  int fd = open(p("f").c_str(), O_WRONLY);
  ASSERT_EQ(write(fd, "y", 1), 1);
  close(fd);
  struct stat u = st(p("f"));
  EXPECT_TRUE(later(u.st_mtim, t.st_mtim));
  EXPECT_TRUE(later(u.st_ctim, t.st_ctim));
  usleep(2000);
  ASSERT_EQ(chmod(p("f").c_str(), 0600), 0);
  struct stat v = st(p("f"));
  EXPECT_TRUE(same(v.st_mtim, u.st_mtim));
  EXPECT_TRUE(later(v.st_ctim, u.st_ctim));
  // Names: the directory's mtime and ctime move; a rename moves the
  // renamed file's ctime; a link moves the file's ctime.
  struct stat d0 = st(root);
  usleep(2000);
  ASSERT_TRUE(vfsdtest::write_file(p("g"), ""));
  struct stat d1 = st(root);
  EXPECT_TRUE(later(d1.st_mtim, d0.st_mtim));
  EXPECT_TRUE(later(d1.st_ctim, d0.st_ctim));
  usleep(2000);
  ASSERT_EQ(rename(p("f").c_str(), p("h").c_str()), 0);
  EXPECT_TRUE(later(st(p("h")).st_ctim, v.st_ctim));
  EXPECT_TRUE(later(st(root).st_mtim, d1.st_mtim));
  struct stat h0 = st(p("h"));
  usleep(2000);
  ASSERT_EQ(link(p("h").c_str(), p("i").c_str()), 0);
  EXPECT_TRUE(later(st(p("h")).st_ctim, h0.st_ctim));
  // Setting times needs ownership; "now" needs only write access.
  ASSERT_EQ(chmod(p("g").c_str(), 0666), 0);
  EXPECT_EQ(as(ALICE, ALICE, "-", {"utimes-now", p("g")}), "ok");
  EXPECT_EQ(as(ALICE, ALICE, "-", {"utimes-set", p("g")}), "EPERM");
}

TEST_P(Posix, ExtendedAttributes) {
  ASSERT_TRUE(vfsdtest::write_file(p("f"), "x"));
  std::string path = p("f");
  const char *f = path.c_str();
  char buf[256];
  EXPECT_EQ(getxattr(f, "user.a", buf, sizeof buf), -1);
  EXPECT_EQ(errno, ENODATA);
  ASSERT_EQ(setxattr(f, "user.a", "1", 1, XATTR_CREATE), 0);
  EXPECT_EQ(setxattr(f, "user.a", "2", 1, XATTR_CREATE), -1);
  EXPECT_EQ(errno, EEXIST);
  EXPECT_EQ(setxattr(f, "user.b", "2", 1, XATTR_REPLACE), -1);
  EXPECT_EQ(errno, ENODATA);
  ASSERT_EQ(setxattr(f, "user.a", "22", 2, XATTR_REPLACE), 0);
  EXPECT_EQ(getxattr(f, "user.a", buf, 1), -1);
  EXPECT_EQ(errno, ERANGE);
  EXPECT_EQ(getxattr(f, "user.a", nullptr, 0), 2);
  ASSERT_EQ(setxattr(f, "trusted.t", "t", 1, 0), 0);
  ASSERT_EQ(setxattr(f, "security.s", "s", 1, 0), 0);
  ssize_t n = listxattr(f, buf, sizeof buf);
  std::string names(buf, n > 0 ? static_cast<size_t>(n) : 0);
  EXPECT_NE(names.find("user.a"), std::string::npos);
  EXPECT_NE(names.find("trusted.t"), std::string::npos);
  EXPECT_NE(names.find("security.s"), std::string::npos);
  EXPECT_EQ(listxattr(f, buf, 3), -1);
  EXPECT_EQ(errno, ERANGE);
  ASSERT_EQ(removexattr(f, "user.a"), 0);
  EXPECT_EQ(removexattr(f, "user.a"), -1);
  EXPECT_EQ(errno, ENODATA);
  std::string big(65537, 'v');
  EXPECT_EQ(setxattr(f, "user.big", big.data(), big.size(), 0), -1);
  EXPECT_EQ(errno, E2BIG);
  std::string name300 = "user." + std::string(300, 'n');
  EXPECT_EQ(setxattr(f, name300.c_str(), "v", 1, 0), -1);
  EXPECT_EQ(errno, ERANGE);
  ASSERT_EQ(symlink("f", p("l").c_str()), 0);
  EXPECT_EQ(lsetxattr(p("l").c_str(), "user.a", "1", 1, 0), -1);
  EXPECT_EQ(errno, EPERM);
  // Others: user.* follows the file's permission bits; trusted.* is root's.
  ASSERT_EQ(chmod(f, 0644), 0);
  EXPECT_EQ(as(ALICE, ALICE, "-", {"setxattr", path, "user.x", "v"}),
            "EACCES");
  EXPECT_EQ(as(ALICE, ALICE, "-", {"getxattr", path, "trusted.t"}), "ENODATA");
  ASSERT_EQ(setxattr(f, "user.r", "r", 1, 0), 0);
  EXPECT_EQ(as(ALICE, ALICE, "-", {"getxattr", path, "user.r"}), "ok");
}

TEST_P(Posix, StatfsReportsLimitsAndUse) {
  struct statvfs before {}, after{};
  ASSERT_EQ(statvfs(root.c_str(), &before), 0);
  EXPECT_EQ(before.f_bsize, 4096u);
  EXPECT_EQ(before.f_blocks * before.f_frsize, 64u << 20);
  EXPECT_EQ(before.f_files, 20000u);
  EXPECT_EQ(before.f_namemax, 255u);
  ASSERT_TRUE(vfsdtest::write_file(p("f"), std::string(1 << 20, 'x')));
  ASSERT_EQ(statvfs(root.c_str(), &after), 0);
  EXPECT_EQ(before.f_bfree - after.f_bfree, 256u);
  EXPECT_EQ(before.f_ffree - after.f_ffree, 1u);
}

TEST_P(Posix, FullFileSystemKeepsData) {
  ASSERT_TRUE(vfsdtest::write_file(p("keep"), std::string(32 << 20, 'k')));
  int fd = open(p("fill").c_str(), O_CREAT | O_WRONLY, 0644);
  ASSERT_GE(fd, 0);
  std::string block(1 << 20, 'f');
  ssize_t n = 0;
  int e = 0;
  for (int k = 0; k < 64; k++) {
    n = write(fd, block.data(), block.size());
    if (n < 0) {
      e = errno;
      break;
    }
  }
  EXPECT_EQ(n, -1);
  EXPECT_EQ(e, ENOSPC);
  close(fd);
  EXPECT_EQ(slurp(p("keep")), std::string(32 << 20, 'k'));
  ASSERT_EQ(unlink(p("fill").c_str()), 0);
  EXPECT_TRUE(vfsdtest::write_file(p("again"), std::string(1 << 20, 'a')));
}

class PosixFewInodes : public Posix {
  std::string fs_options() override { return "size=8M,nr_inodes=10"; }
};

TEST_P(PosixFewInodes, InodeLimit) {
  int made = 0;
  for (; made < 20; made++)
    if (!vfsdtest::write_file(p("f" + std::to_string(made)), "")) break;
  EXPECT_EQ(errno, ENOSPC);
  EXPECT_EQ(made, 9);  // the root counts
  EXPECT_EQ(mkdir(p("d").c_str(), 0755), -1);
  EXPECT_EQ(errno, ENOSPC);
}

class PosixRootOptions : public Posix {
  std::string fs_options() override { return "mode=0750,uid=1000,gid=2000"; }
};

TEST_P(PosixRootOptions, RootDirectory) {
  struct stat s = st(root);
  EXPECT_EQ(s.st_mode & 07777, 0750u);
  EXPECT_EQ(s.st_uid, 1000u);
  EXPECT_EQ(s.st_gid, 2000u);
  EXPECT_EQ(as(BOB, BOB, "-", {"stat", root + "/x"}), "EACCES");
  EXPECT_EQ(as(ALICE, ALICE, "-", {"open", root + "/x", "wc"}), "ok");
}

INSTANTIATE_TEST_SUITE_P(Fs, Posix, ::testing::Values("tmpfs", "ram"),
                         [](const auto &info) { return info.param; });
INSTANTIATE_TEST_SUITE_P(Fs, PosixFewInodes, ::testing::Values("tmpfs", "ram"),
                         [](const auto &info) { return info.param; });
INSTANTIATE_TEST_SUITE_P(Fs, PosixRootOptions,
                         ::testing::Values("tmpfs", "ram"),
                         [](const auto &info) { return info.param; });
