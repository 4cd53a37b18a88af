// SPDX-License-Identifier: LGPL-2.1-or-later
// POSIX behaviour of the RAM backend through a real mount, each test run on
// a tmpfs too (see posix-fixture.h): files and their data, directories,
// rename, links, special files, mmap, listings.
#include "posix-fixture.h"

#include <dirent.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/un.h>

#include <set>

using namespace ramtest;

static int rename2(const std::string &a, const std::string &b, unsigned flags) {
  return static_cast<int>(syscall(SYS_renameat2, AT_FDCWD, a.c_str(),
                                  AT_FDCWD, b.c_str(), flags));
}

TEST_P(Posix, WriteReadStat) {
  ASSERT_TRUE(vfsdtest::write_file(p("f"), "hello"));
  EXPECT_EQ(slurp(p("f")), "hello");
  struct stat s = st(p("f"));
  EXPECT_EQ(s.st_size, 5);
  EXPECT_EQ(s.st_nlink, 1u);
  EXPECT_EQ(s.st_blocks, 8);
  EXPECT_TRUE(S_ISREG(s.st_mode));
  EXPECT_EQ(st(root).st_size, 60);  // tmpfs: 40 + 20 per name
}

TEST_P(Posix, SparseFilesAndSeek) {
  int fd = open(p("sparse").c_str(), O_CREAT | O_RDWR, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(pwrite(fd, "x", 1, 1 << 30), 1);
  ASSERT_EQ(pwrite(fd, "y", 1, 10000), 1);
  struct stat s {};
  ASSERT_EQ(fstat(fd, &s), 0);
  EXPECT_EQ(s.st_size, (1 << 30) + 1);
  EXPECT_EQ(s.st_blocks, 16);  // two pages
  EXPECT_EQ(lseek(fd, 0, SEEK_DATA), 8192);
  EXPECT_EQ(lseek(fd, 8192, SEEK_HOLE), 12288);
  EXPECT_EQ(lseek(fd, 12288, SEEK_DATA), 1 << 30);
  EXPECT_EQ(lseek(fd, (1 << 30) + 1, SEEK_DATA), -1);
  EXPECT_EQ(errno, ENXIO);
  char buf[16] = {1};
  ASSERT_EQ(pread(fd, buf, 16, 500 << 20), 16);
  EXPECT_EQ(std::string(buf, 16), std::string(16, '\0'));
  close(fd);
}

TEST_P(Posix, TruncateUpAndDown) {
  ASSERT_TRUE(vfsdtest::write_file(p("f"), std::string(100000, 'a')));
  ASSERT_EQ(truncate(p("f").c_str(), 10), 0);
  EXPECT_EQ(slurp(p("f")), std::string(10, 'a'));
  ASSERT_EQ(truncate(p("f").c_str(), 70000), 0);
  EXPECT_EQ(slurp(p("f")), std::string(10, 'a') + std::string(69990, '\0'));
  EXPECT_EQ(st(p("f")).st_blocks, 8);
  int fd = open(p("f").c_str(), O_RDWR);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(ftruncate(fd, 0), 0);
  EXPECT_EQ(ftruncate(fd, -1), -1);
  EXPECT_EQ(errno, EINVAL);
  close(fd);
  EXPECT_EQ(st(p("f")).st_size, 0);
}

TEST_P(Posix, Fallocate) {
  int fd = open(p("f").c_str(), O_CREAT | O_RDWR, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(fallocate(fd, 0, 0, 1 << 20), 0);
  struct stat s {};
  fstat(fd, &s);
  EXPECT_EQ(s.st_size, 1 << 20);
  EXPECT_EQ(s.st_blocks, 2048);
  ASSERT_EQ(fallocate(fd, FALLOC_FL_KEEP_SIZE, 1 << 20, 1 << 20), 0);
  fstat(fd, &s);
  EXPECT_EQ(s.st_size, 1 << 20);
  EXPECT_EQ(s.st_blocks, 4096);
  ASSERT_EQ(pwrite(fd, std::string(20000, 'w').data(), 20000, 0), 20000);
  ASSERT_EQ(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 4096,
                      8192), 0);
  char buf[20000];
  ASSERT_EQ(pread(fd, buf, sizeof buf, 0), 20000);
  EXPECT_EQ(std::string(buf, 4096), std::string(4096, 'w'));
  EXPECT_EQ(std::string(buf + 4096, 8192), std::string(8192, '\0'));
  EXPECT_EQ(std::string(buf + 12288, 20000 - 12288),
            std::string(20000 - 12288, 'w'));
  EXPECT_EQ(lseek(fd, 0, SEEK_HOLE), 4096);
  EXPECT_EQ(fallocate(fd, FALLOC_FL_PUNCH_HOLE, 0, 10), -1);
  EXPECT_EQ(errno, EOPNOTSUPP);
  // tmpfs has no ZERO_RANGE; the RAM backend has.
  int r = fallocate(fd, FALLOC_FL_ZERO_RANGE, 0, 100);
  if (ram()) {
    EXPECT_EQ(r, 0);
    ASSERT_EQ(pread(fd, buf, 200, 0), 200);
    EXPECT_EQ(std::string(buf, 200),
              std::string(100, '\0') + std::string(100, 'w'));
  } else
    EXPECT_EQ(errno, EOPNOTSUPP);
  close(fd);
}

TEST_P(Posix, CopyFileRange) {
  std::string data(300000, 'c');
  for (size_t k = 0; k < data.size(); k++) data[k] = static_cast<char>(k % 253);
  ASSERT_TRUE(vfsdtest::write_file(p("a"), data));
  int in = open(p("a").c_str(), O_RDONLY);
  int out = open(p("b").c_str(), O_CREAT | O_WRONLY, 0644);
  ASSERT_GE(in, 0);
  ASSERT_GE(out, 0);
  loff_t oi = 1000, oo = 5;
  size_t done = 0;
  while (done < data.size() - 1000) {
    ssize_t n = copy_file_range(in, &oi, out, &oo, data.size(), 0);
    ASSERT_GT(n, 0) << strerror(errno);
    done += static_cast<size_t>(n);
  }
  close(in);
  close(out);
  EXPECT_EQ(slurp(p("b")), std::string(5, '\0') + data.substr(1000));
}

TEST_P(Posix, AppendAndTruncatingOpen) {
  int a = open(p("f").c_str(), O_CREAT | O_WRONLY | O_APPEND, 0644);
  int b = open(p("f").c_str(), O_WRONLY | O_APPEND);
  ASSERT_GE(a, 0);
  ASSERT_GE(b, 0);
  for (int k = 0; k < 10; k++) {
    ASSERT_EQ(write(a, "a", 1), 1);
    ASSERT_EQ(write(b, "bb", 2), 2);
  }
  close(a);
  close(b);
  EXPECT_EQ(st(p("f")).st_size, 30);
  int fd = open(p("f").c_str(), O_WRONLY | O_TRUNC);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(st(p("f")).st_size, 0);
  close(fd);
  EXPECT_EQ(slurp(p("f")), "");
}

TEST_P(Posix, UnlinkedFileStaysUsable) {
  int fd = open(p("f").c_str(), O_CREAT | O_RDWR, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, "before", 6), 6);
  ASSERT_EQ(unlink(p("f").c_str()), 0);
  EXPECT_EQ(access(p("f").c_str(), F_OK), -1);
  ASSERT_EQ(pwrite(fd, "after", 5, 6), 5);
  char buf[32];
  ASSERT_EQ(pread(fd, buf, sizeof buf, 0), 11);
  EXPECT_EQ(std::string(buf, 11), "beforeafter");
  struct stat s {};
  ASSERT_EQ(fstat(fd, &s), 0);
  EXPECT_EQ(s.st_nlink, 0u);
  EXPECT_EQ(s.st_size, 11);
  // Reopening through /proc works too.
  int again = open(("/proc/self/fd/" + std::to_string(fd)).c_str(), O_RDONLY);
  ASSERT_GE(again, 0);
  EXPECT_EQ(pread(again, buf, 6, 0), 6);
  close(again);
  close(fd);
}

TEST_P(Posix, SharedMmap) {
  int fd = open(p("m").c_str(), O_CREAT | O_RDWR, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(ftruncate(fd, 3 * 4096), 0);
  ASSERT_EQ(pwrite(fd, "written", 7, 4096), 7);
  char *m = static_cast<char *>(
      mmap(nullptr, 3 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
  ASSERT_NE(m, MAP_FAILED);
  EXPECT_EQ(std::string(m + 4096, 7), "written");
  memcpy(m + 100, "mapped", 6);
  memcpy(m + 2 * 4096 + 5, "page3", 5);
  ASSERT_EQ(msync(m, 3 * 4096, MS_SYNC), 0);
  munmap(m, 3 * 4096);
  close(fd);
  std::string s = slurp(p("m"));
  ASSERT_EQ(s.size(), 3 * 4096u);
  EXPECT_EQ(s.substr(100, 6), "mapped");
  EXPECT_EQ(s.substr(2 * 4096 + 5, 5), "page3");
  // Another process sees it.
  EXPECT_EQ(as(0, 0, "-", {"stat", p("m")}).substr(0, 2), "ok");
}

TEST_P(Posix, DirectoryLinkCounts) {
  ASSERT_EQ(mkdir(p("a").c_str(), 0755), 0);
  ASSERT_EQ(mkdir(p("a/b").c_str(), 0755), 0);
  ASSERT_EQ(mkdir(p("a/c").c_str(), 0755), 0);
  ASSERT_TRUE(vfsdtest::write_file(p("a/f"), "x"));
  EXPECT_EQ(st(p("a")).st_nlink, 4u);
  EXPECT_EQ(st(p("a/b")).st_nlink, 2u);
  EXPECT_EQ(st(root).st_nlink, 3u);
  ASSERT_EQ(rename(p("a/b").c_str(), p("b").c_str()), 0);
  EXPECT_EQ(st(p("a")).st_nlink, 3u);
  EXPECT_EQ(st(root).st_nlink, 4u);
  ASSERT_EQ(rmdir(p("a/c").c_str()), 0);
  EXPECT_EQ(st(p("a")).st_nlink, 2u);
  EXPECT_EQ(rmdir(p("a").c_str()), -1);
  EXPECT_EQ(errno, ENOTEMPTY);
  EXPECT_EQ(rmdir(p("a/f").c_str()), -1);
  EXPECT_EQ(errno, ENOTDIR);
  EXPECT_EQ(unlink(p("b").c_str()), -1);
  EXPECT_EQ(errno, EISDIR);
}

TEST_P(Posix, RenameRules) {
  ASSERT_EQ(mkdir(p("d").c_str(), 0755), 0);
  ASSERT_EQ(mkdir(p("d/sub").c_str(), 0755), 0);
  ASSERT_EQ(mkdir(p("empty").c_str(), 0755), 0);
  ASSERT_EQ(mkdir(p("full").c_str(), 0755), 0);
  ASSERT_TRUE(vfsdtest::write_file(p("full/x"), "x"));
  ASSERT_TRUE(vfsdtest::write_file(p("f"), "f"));
  ASSERT_TRUE(vfsdtest::write_file(p("g"), "g"));
  auto E = [](int r) { return r == 0 ? 0 : errno; };
  EXPECT_EQ(E(rename(p("d").c_str(), p("d/sub/in").c_str())), EINVAL);
  EXPECT_EQ(E(rename(p("d").c_str(), p("full").c_str())), ENOTEMPTY);
  EXPECT_EQ(E(rename(p("d").c_str(), p("f").c_str())), ENOTDIR);
  EXPECT_EQ(E(rename(p("f").c_str(), p("d").c_str())), EISDIR);
  EXPECT_EQ(E(rename(p("nope").c_str(), p("x").c_str())), ENOENT);
  EXPECT_EQ(E(rename2(p("f"), p("g"), RENAME_NOREPLACE)), EEXIST);
  EXPECT_EQ(E(rename2(p("f"), p("none"), RENAME_EXCHANGE)), ENOENT);
  ino_t d_ino = st(p("d")).st_ino;
  EXPECT_EQ(E(rename(p("d").c_str(), p("empty").c_str())), 0);
  EXPECT_EQ(st(p("empty")).st_ino, d_ino);
  EXPECT_EQ(access(p("d").c_str(), F_OK), -1);
  EXPECT_EQ(E(rename(p("f").c_str(), p("g").c_str())), 0);
  EXPECT_EQ(slurp(p("g")), "f");
  // Exchange a file with a directory.
  EXPECT_EQ(E(rename2(p("g"), p("empty"), RENAME_EXCHANGE)), 0);
  EXPECT_TRUE(S_ISDIR(st(p("g")).st_mode));
  EXPECT_EQ(slurp(p("empty")), "f");
  EXPECT_EQ(st(p("g/sub/..")).st_ino, st(p("g")).st_ino);
  // Hard links to one file: nothing happens.
  ASSERT_EQ(link(p("empty").c_str(), p("h").c_str()), 0);
  EXPECT_EQ(E(rename(p("empty").c_str(), p("h").c_str())), 0);
  EXPECT_EQ(st(p("h")).st_nlink, 2u);
  EXPECT_EQ(access(p("empty").c_str(), F_OK), 0);
  EXPECT_EQ(E(rename(p("g").c_str(), p("g/sub").c_str())), EINVAL);
}

TEST_P(Posix, LinksAndSymlinks) {
  ASSERT_TRUE(vfsdtest::write_file(p("f"), "content"));
  ASSERT_EQ(link(p("f").c_str(), p("g").c_str()), 0);
  EXPECT_EQ(st(p("f")).st_nlink, 2u);
  EXPECT_EQ(st(p("f")).st_ino, st(p("g")).st_ino);
  EXPECT_EQ(link(p("f").c_str(), p("g").c_str()), -1);
  EXPECT_EQ(errno, EEXIST);
  ASSERT_EQ(mkdir(p("d").c_str(), 0755), 0);
  EXPECT_EQ(link(p("d").c_str(), p("d2").c_str()), -1);
  EXPECT_EQ(errno, EPERM);
  ASSERT_EQ(symlink("f", p("l").c_str()), 0);
  char buf[64];
  ssize_t n = readlink(p("l").c_str(), buf, sizeof buf);
  ASSERT_EQ(n, 1);
  EXPECT_EQ(buf[0], 'f');
  EXPECT_EQ(slurp(p("l")), "content");
  struct stat s = st(p("l"));
  EXPECT_TRUE(S_ISLNK(s.st_mode));
  EXPECT_EQ(s.st_size, 1);
  ASSERT_EQ(symlink("/nowhere", p("dangling").c_str()), 0);
  EXPECT_EQ(open(p("dangling").c_str(), O_RDONLY), -1);
  EXPECT_EQ(errno, ENOENT);
  ASSERT_EQ(unlink(p("f").c_str()), 0);
  EXPECT_EQ(st(p("g")).st_nlink, 1u);
  EXPECT_EQ(slurp(p("g")), "content");
}

TEST_P(Posix, SpecialFiles) {
  ASSERT_EQ(mkfifo(p("fifo").c_str(), 0644), 0);
  EXPECT_TRUE(S_ISFIFO(st(p("fifo")).st_mode));
  int r = open(p("fifo").c_str(), O_RDONLY | O_NONBLOCK);
  ASSERT_GE(r, 0);
  int w = open(p("fifo").c_str(), O_WRONLY | O_NONBLOCK);
  ASSERT_GE(w, 0);
  ASSERT_EQ(write(w, "pipe", 4), 4);
  char buf[8];
  EXPECT_EQ(read(r, buf, sizeof buf), 4);
  close(r);
  close(w);
  ASSERT_EQ(mknod(p("null").c_str(), S_IFCHR | 0666, makedev(1, 3)), 0);
  struct stat s = st(p("null"));
  EXPECT_TRUE(S_ISCHR(s.st_mode));
  EXPECT_EQ(s.st_rdev, makedev(1, 3));
  int fd = open(p("null").c_str(), O_WRONLY);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(write(fd, "gone", 4), 4);
  close(fd);
  ASSERT_EQ(mknod(p("blk").c_str(), S_IFBLK | 0600, makedev(7, 0)), 0);
  EXPECT_TRUE(S_ISBLK(st(p("blk")).st_mode));
  int sock = socket(AF_UNIX, SOCK_STREAM, 0);
  struct sockaddr_un addr {};
  addr.sun_family = AF_UNIX;
  std::string sp = p("sock");
  ASSERT_LT(sp.size(), sizeof addr.sun_path);
  memcpy(addr.sun_path, sp.c_str(), sp.size() + 1);
  ASSERT_EQ(bind(sock, reinterpret_cast<sockaddr *>(&addr), sizeof addr), 0);
  close(sock);
  EXPECT_TRUE(S_ISSOCK(st(p("sock")).st_mode));
}

TEST_P(Posix, LongNames) {
  std::string ok(255, 'n'), too_long(256, 'n');
  ASSERT_TRUE(vfsdtest::write_file(p(ok), "x"));
  EXPECT_FALSE(vfsdtest::write_file(p(too_long), "x"));
  EXPECT_EQ(errno, ENAMETOOLONG);
  EXPECT_EQ(mkdir(p(too_long).c_str(), 0755), -1);
  EXPECT_EQ(errno, ENAMETOOLONG);
}

// A listing read in small pieces while other names come and go returns
// every name that stays exactly once.
TEST_P(Posix, ListingWhileChanging) {
  ASSERT_EQ(mkdir(p("d").c_str(), 0755), 0);
  for (int k = 0; k < 600; k++)
    ASSERT_TRUE(vfsdtest::write_file(p("d/keep" + std::to_string(k)), ""));
  for (int k = 0; k < 300; k++)
    ASSERT_TRUE(vfsdtest::write_file(p("d/tmp" + std::to_string(k)), ""));
  int fd = open(p("d").c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_GE(fd, 0);
  std::multiset<std::string> seen;
  char buf[1024];  // a few entries per call
  int round = 0;
  for (;;) {
    long n = syscall(SYS_getdents64, fd, buf, sizeof buf);
    ASSERT_GE(n, 0);
    if (n == 0) break;
    for (long off = 0; off < n;) {
      auto *d = reinterpret_cast<struct dirent64 *>(buf + off);
      seen.insert(d->d_name);
      off += d->d_reclen;
    }
    // Between two pieces, remove a temporary name and add another.
    if (round < 300) {
      unlink(p("d/tmp" + std::to_string(round)).c_str());
      vfsdtest::write_file(p("d/new" + std::to_string(round)), "");
    }
    round++;
  }
  close(fd);
  for (int k = 0; k < 600; k++)
    EXPECT_EQ(seen.count("keep" + std::to_string(k)), 1u) << k;
  EXPECT_EQ(seen.count("."), 1u);
  EXPECT_EQ(seen.count(".."), 1u);
}

INSTANTIATE_TEST_SUITE_P(Fs, Posix, ::testing::Values("tmpfs", "ram"),
                         [](const auto &info) { return info.param; });
