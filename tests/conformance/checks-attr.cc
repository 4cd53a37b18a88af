// SPDX-License-Identifier: LGPL-2.1-or-later
// Attributes: chmod, chown, utimensat, and which operations update atime,
// mtime and ctime.
#include "conformance.h"

#include <fcntl.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <unistd.h>

using namespace conf;

static const struct timespec kOld = {1000000000, 0};  // 2001

// Sets atime and mtime of @path to long ago.
static void age(const std::string &path) {
  struct timespec t[2] = {kOld, kOld};
  T_SYS(utimensat(AT_FDCWD, path.c_str(), t, AT_SYMLINK_NOFOLLOW));
}

// Times of @path before and after @op, with a tick between.
template <typename F>
static std::pair<struct stat, struct stat> around(const std::string &path, F op) {
  struct stat a = lst(path);
  tick();
  op();
  return {a, lst(path)};
}

// ---- chmod / chown ---------------------------------------------------------

CHECK(chmod, basic, "chmod sets all twelve permission bits and keeps the type") {
  put("f", "");
  mk("d");
  for (mode_t m : {0000, 0777, 04755, 02755, 01777, 07777, 0640}) {
    T_SYS(chmod("f", m));
    T_EQ(st("f").st_mode, (mode_t)(S_IFREG | m));
    T_SYS(chmod("d", m));
    T_EQ(st("d").st_mode, (mode_t)(S_IFDIR | m));
  }
  int fd = T_SYS(open("f", O_RDONLY));
  T_SYS(fchmod(fd, 0604));
  T_EQ(fst(fd).st_mode & 07777, 0604u);
  close(fd);
  T_ERRNO(chmod("missing", 0644), ENOENT);
}

CHECK(chmod, ignores_type_bits, "chmod ignores file-type bits in the mode") {
  put("f", "");
  T_SYS(chmod("f", S_IFDIR | 0600));
  T_EQ(st("f").st_mode, (mode_t)(S_IFREG | 0600));
}

CHECK(chown, basic, "root changes owner and group; -1 leaves either alone") {
  need_root();
  put("f", "");
  T_SYS(chown("f", 4242, 4343));
  T_EQ(st("f").st_uid, 4242u);
  T_EQ(st("f").st_gid, 4343u);
  T_SYS(chown("f", (uid_t)-1, 4444));
  T_EQ(st("f").st_uid, 4242u);
  T_EQ(st("f").st_gid, 4444u);
  T_SYS(chown("f", 0, (gid_t)-1));
  T_EQ(st("f").st_uid, 0u);
  T_EQ(st("f").st_gid, 4444u);
  int fd = T_SYS(open("f", O_RDONLY));
  T_SYS(fchown(fd, 7, 8));
  T_EQ(fst(fd).st_uid, 7u);
  close(fd);
  mk("d");
  T_SYS(chown("d", 4242, 4242));
  T_EQ(st("d").st_uid, 4242u);
}

CHECK(chown, clears_setid, "chown clears setuid, and setgid when group-executable") {
  need_root();
  put("f", "");
  T_SYS(chmod("f", 06755));
  T_SYS(chown("f", 4242, 4242));
  T_EQ(st("f").st_mode & 07777, 0755u);
  // setgid without group execute marks mandatory locking: it stays.
  T_SYS(chmod("f", 02644));
  T_SYS(chown("f", 4343, 4343));
  T_EQ(st("f").st_mode & 07777, 02644u);
  // Directories keep both.
  mk("d");
  T_SYS(chmod("d", 06755));
  T_SYS(chown("d", 4242, 4242));
  T_EQ(st("d").st_mode & 07777, 06755u);
}

// ---- utimensat ---------------------------------------------------------------

CHECK(utime, nanoseconds, "times are kept to the nanosecond") {
  put("f", "");
  struct timespec t[2] = {{1234567890, 123456789}, {987654321, 987654321}};
  T_SYS(utimensat(AT_FDCWD, "f", t, 0));
  struct stat s = st("f");
  T_TS_EQ(s.st_atim, t[0]);
  T_TS_EQ(s.st_mtim, t[1]);
  struct timespec u[2] = {{1, 1}, {2, 999999999}};
  T_SYS(utimensat(AT_FDCWD, "f", u, 0));
  s = st("f");
  T_TS_EQ(s.st_atim, u[0]);
  T_TS_EQ(s.st_mtim, u[1]);
}

CHECK(utime, now, "UTIME_NOW and a NULL times both set the current time") {
  put("f", "");
  age("f");
  struct timespec before = now_ts();
  before.tv_sec -= 1;
  struct timespec t[2] = {{0, UTIME_NOW}, {0, UTIME_NOW}};
  T_SYS(utimensat(AT_FDCWD, "f", t, 0));
  struct stat s = st("f");
  T_TS_GT(s.st_atim, before);
  T_TS_GT(s.st_mtim, before);
  T_TS_EQ(s.st_atim, s.st_mtim);
  age("f");
  T_SYS(utimensat(AT_FDCWD, "f", nullptr, 0));
  s = st("f");
  T_TS_GT(s.st_atim, before);
  T_TS_GT(s.st_mtim, before);
}

CHECK(utime, omit, "UTIME_OMIT leaves one time alone; both omitted changes nothing, ctime included") {
  put("f", "");
  struct timespec a[2] = {{100, 1}, {0, UTIME_OMIT}};
  age("f");
  T_SYS(utimensat(AT_FDCWD, "f", a, 0));
  struct stat s = st("f");
  T_TS_EQ(s.st_atim, a[0]);
  T_TS_EQ(s.st_mtim, kOld);
  struct timespec m[2] = {{0, UTIME_OMIT}, {200, 2}};
  T_SYS(utimensat(AT_FDCWD, "f", m, 0));
  s = st("f");
  T_TS_EQ(s.st_atim, a[0]);
  T_TS_EQ(s.st_mtim, m[1]);
  struct timespec none[2] = {{0, UTIME_OMIT}, {0, UTIME_OMIT}};
  auto r = around("f", [] {
    struct timespec n[2] = {{0, UTIME_OMIT}, {0, UTIME_OMIT}};
    T_SYS(utimensat(AT_FDCWD, "f", n, 0));
  });
  (void)none;
  T_TS_EQ(r.second.st_ctim, r.first.st_ctim);
  T_TS_EQ(r.second.st_mtim, r.first.st_mtim);
}

CHECK(utime, updates_ctime, "setting times updates ctime to now") {
  put("f", "");
  auto r = around("f", [] { age("f"); });
  T_TS_GT(r.second.st_ctim, r.first.st_ctim);
}

CHECK(utime, extreme_times, "times before 1970 and after 2038 are kept") {
  put("f", "");
  struct timespec t[2] = {{-1000000000, 5}, {1LL << 33, 6}};
  T_SYS(utimensat(AT_FDCWD, "f", t, 0));
  struct stat s = st("f");
  T_TS_EQ(s.st_atim, t[0]);
  T_TS_EQ(s.st_mtim, t[1]);
  struct timespec z[2] = {{0, 0}, {-1, 0}};
  T_SYS(utimensat(AT_FDCWD, "f", z, 0));
  s = st("f");
  T_TS_EQ(s.st_atim, z[0]);
  T_TS_EQ(s.st_mtim, z[1]);
}

CHECK(utime, invalid_nanoseconds, "a nanosecond field out of range is EINVAL") {
  put("f", "");
  struct timespec t[2] = {{1, 1000000000}, {1, 0}};
  T_ERRNO(utimensat(AT_FDCWD, "f", t, 0), EINVAL);
  struct timespec u[2] = {{1, 0}, {1, -5}};
  T_ERRNO(utimensat(AT_FDCWD, "f", u, 0), EINVAL);
}

CHECK(utime, futimens, "futimens sets the times of an open file") {
  put("f", "");
  int fd = T_SYS(open("f", O_RDONLY));
  struct timespec t[2] = {{111, 222}, {333, 444}};
  T_SYS(futimens(fd, t));
  T_TS_EQ(fst(fd).st_atim, t[0]);
  T_TS_EQ(st("f").st_mtim, t[1]);
  close(fd);
}

CHECK(utime, directory, "a directory's times can be set like a file's") {
  mk("d");
  struct timespec t[2] = {{5, 6}, {7, 8}};
  T_SYS(utimensat(AT_FDCWD, "d", t, 0));
  T_TS_EQ(st("d").st_mtim, t[1]);
  T_TS_EQ(st("d").st_atim, t[0]);
}

// ---- which operation updates which time ----------------------------------------

CHECK(times, create, "a new file has atime = mtime = ctime = now; its directory's mtime and ctime move") {
  mk("d");
  age("d");
  struct stat pd = st("d");
  struct timespec t0 = now_ts();
  t0.tv_sec -= 1;
  tick();
  put("d/f", "");
  struct stat s = st("d/f");
  T_TS_GT(s.st_mtim, t0);
  T_TS_EQ(s.st_atim, s.st_mtim);
  T_TS_EQ(s.st_ctim, s.st_mtim);
  struct stat d = st("d");
  T_TS_GT(d.st_mtim, pd.st_mtim);
  T_TS_GT(d.st_ctim, pd.st_ctim);
}

CHECK(times, write, "write updates mtime and ctime, not atime") {
  put("f", "abc");
  age("f");
  auto r = around("f", [] {
    int fd = T_SYS(open("f", O_WRONLY));
    write_fd_at(fd, "x", 1);
    close(fd);
  });
  T_TS_GT(r.second.st_mtim, r.first.st_mtim);
  T_TS_GT(r.second.st_ctim, r.first.st_ctim);
  T_TS_EQ(r.second.st_atim, kOld);
}

CHECK(times, read_updates_atime, "read updates an old atime (strictatime or relatime)") {
  struct statvfs sv;
  T_SYS(statvfs(".", &sv));
  if (sv.f_flag & ST_NOATIME) skip("mounted noatime");
  put("f", "abc");
  age("f");  // atime and mtime long ago: relatime updates too
  auto r = around("f", [] {
    int fd = T_SYS(open("f", O_RDONLY));
    char b[3];
    T_SYS(read(fd, b, 3));
    close(fd);
  });
  T_TS_GT(r.second.st_atim, kOld);
  T_TS_EQ(r.second.st_mtim, kOld);
  T_TS_EQ(r.second.st_ctim, r.first.st_ctim);
}

CHECK(times, readdir_updates_atime, "listing a directory updates an old atime") {
  struct statvfs sv;
  T_SYS(statvfs(".", &sv));
  if (sv.f_flag & (ST_NOATIME | ST_NODIRATIME)) skip("mounted noatime or nodiratime");
  mk("d");
  put("d/f", "");
  age("d");
  auto r = around("d", [] { list_dir("d"); });
  T_TS_GT(r.second.st_atim, kOld);
  T_TS_EQ(r.second.st_mtim, kOld);
}

CHECK(times, stat_and_open_change_nothing, "stat, open and close change no time") {
  put("f", "abc");
  age("f");
  auto r = around("f", [] {
    st("f");
    T_SYS(close(T_SYS(open("f", O_RDWR))));
  });
  T_TS_EQ(r.second.st_atim, kOld);
  T_TS_EQ(r.second.st_mtim, kOld);
  T_TS_EQ(r.second.st_ctim, r.first.st_ctim);
}

CHECK(times, truncate, "a truncate that changes the size updates mtime and ctime") {
  put("f", "abcdef");
  age("f");
  auto r = around("f", [] { T_SYS(truncate("f", 2)); });
  T_TS_GT(r.second.st_mtim, r.first.st_mtim);
  T_TS_GT(r.second.st_ctim, r.first.st_ctim);
  age("f");
  r = around("f", [] {
    int fd = T_SYS(open("f", O_WRONLY));
    T_SYS(ftruncate(fd, 100));
    close(fd);
  });
  T_TS_GT(r.second.st_mtim, r.first.st_mtim);
  T_TS_GT(r.second.st_ctim, r.first.st_ctim);
}

CHECK(times, chmod_chown, "chmod and chown update ctime only") {
  put("f", "");
  age("f");
  auto r = around("f", [] { T_SYS(chmod("f", 0600)); });
  T_TS_GT(r.second.st_ctim, r.first.st_ctim);
  T_TS_EQ(r.second.st_mtim, kOld);
  T_TS_EQ(r.second.st_atim, kOld);
  r = around("f", [] { T_SYS(chown("f", geteuid(), getegid())); });
  T_TS_GE(r.second.st_ctim, r.first.st_ctim);
  T_TS_EQ(r.second.st_mtim, kOld);
}

CHECK(times, link_and_unlink, "link and unlink update the file's ctime and the directory's mtime and ctime") {
  mk("d");
  put("d/f", "");
  age("d/f");
  age("d");
  struct stat d0 = st("d");
  auto r = around("d/f", [] { T_SYS(link("d/f", "d/g")); });
  T_TS_GT(r.second.st_ctim, r.first.st_ctim);
  T_TS_EQ(r.second.st_mtim, kOld);
  struct stat d1 = st("d");
  T_TS_GT(d1.st_mtim, d0.st_mtim);
  T_TS_GT(d1.st_ctim, d0.st_ctim);
  age("d");
  d0 = st("d");
  r = around("d/g", [] { T_SYS(unlink("d/f")); });
  T_TS_GT(r.second.st_ctim, r.first.st_ctim);
  d1 = st("d");
  T_TS_GT(d1.st_mtim, d0.st_mtim);
  T_TS_GT(d1.st_ctim, d0.st_ctim);
}

CHECK(times, rename, "rename updates both directories and the moved inode's ctime") {
  mk("a");
  mk("b");
  put("a/f", "");
  age("a");
  age("b");
  age("a/f");
  struct stat a0 = st("a"), b0 = st("b"), f0 = st("a/f");
  tick();
  T_SYS(rename("a/f", "b/f"));
  struct stat a1 = st("a"), b1 = st("b"), f1 = st("b/f");
  T_TS_GT(a1.st_mtim, a0.st_mtim);
  T_TS_GT(a1.st_ctim, a0.st_ctim);
  T_TS_GT(b1.st_mtim, b0.st_mtim);
  T_TS_GT(b1.st_ctim, b0.st_ctim);
  T_TS_GT(f1.st_ctim, f0.st_ctim);
  T_TS_EQ(f1.st_mtim, kOld);
}

CHECK(times, rename_over_updates_replaced, "a file replaced by rename gets a new ctime") {
  put("a", "");
  put("b", "");
  int fd = T_SYS(open("b", O_RDONLY));
  struct stat b0 = fst(fd);
  tick();
  T_SYS(rename("a", "b"));
  T_TS_GT(fst(fd).st_ctim, b0.st_ctim);
  close(fd);
}

CHECK(times, mkdir_rmdir_symlink_mknod, "mkdir, rmdir, symlink and mknod update the directory") {
  mk("d");
  const char *what[] = {"mkdir", "rmdir", "symlink", "mknod"};
  for (const char *w : what) {
    age("d");
    auto r = around("d", [&] {
      std::string o = w;
      if (o == "mkdir") mk("d/sub");
      else if (o == "rmdir") T_SYS(rmdir("d/sub"));
      else if (o == "symlink") T_SYS(symlink("x", "d/l"));
      else T_SYS(mknod("d/p", S_IFIFO | 0644, 0));
    });
    T_TS_GT(r.second.st_mtim, r.first.st_mtim);
    T_TS_GT(r.second.st_ctim, r.first.st_ctim);
  }
}

CHECK(times, xattr_updates_ctime, "setting and removing an xattr updates ctime, not mtime") {
  put("f", "");
  age("f");
  auto r = around("f", [] {
    T_FEATURE(setxattr("f", "user.t", "v", 1, 0), "user xattrs");
  });
  T_TS_GT(r.second.st_ctim, r.first.st_ctim);
  T_TS_EQ(r.second.st_mtim, kOld);
  r = around("f", [] { T_SYS(removexattr("f", "user.t")); });
  T_TS_GT(r.second.st_ctim, r.first.st_ctim);
}

CHECK(times, new_symlink_times, "a new symlink has current times of its own") {
  struct timespec t0 = now_ts();
  t0.tv_sec -= 1;
  put("t", "");
  age("t");
  T_SYS(symlink("t", "l"));
  struct stat s = lst("l");
  T_TS_GT(s.st_mtim, t0);
  T_TS_GT(s.st_ctim, t0);
}
