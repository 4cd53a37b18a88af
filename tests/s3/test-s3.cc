// SPDX-License-Identifier: LGPL-2.1-or-later
// The s3 module through a real mount, against a real Ceph RADOS Gateway:
// what is written is in the store when close() returns, objects other
// clients write appear as files, the layout is s3fs's, and what S3 cannot
// do gets its documented errno.  Another S3 client (curl --aws-sigv4)
// checks the store from outside.
#include <gtest/gtest.h>

#include <dirent.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <set>
#include <thread>

#include "s3-env.h"

using namespace s3test;
using vfsdtest::read_file;
using vfsdtest::write_file;

namespace {

[[maybe_unused]] const bool registered = (register_environment(), true);

std::set<std::string> list_dir(const std::string &path) {
  std::set<std::string> names;
  DIR *d = opendir(path.c_str());
  if (!d) return names;
  while (struct dirent *e = readdir(d))
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
      names.insert(e->d_name);
  closedir(d);
  return names;
}

// write() then close(), reporting close's result (the durable promise).
int write_close(const std::string &path, const std::string &data,
                int flags = O_WRONLY | O_CREAT | O_TRUNC) {
  int fd = open(path.c_str(), flags, 0644);
  if (fd < 0) return -errno;
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = write(fd, data.data() + done,
                      std::min<size_t>(data.size() - done, 1 << 20));
    if (n < 0) {
      int e = errno;
      close(fd);
      return -e;
    }
    done += (size_t)n;
  }
  return close(fd) == 0 ? 0 : -errno;
}

class S3Files : public testing::Test {
 protected:
  void SetUp() override {
    bucket_ = new_bucket("files");
    m_.reset(new S3Mount(bucket_, "cache_timeout=1"));
    ASSERT_TRUE(m_->ok()) << m_->error();
  }
  S3Mount &m() { return *m_; }
  std::string bucket_;
  std::unique_ptr<S3Mount> m_;
};

TEST_F(S3Files, CloseReturnsOnceTheObjectIsStored) {
  ASSERT_EQ(write_close(m() / "hello.txt", "hello, world\n"), 0);
  std::string got;
  ASSERT_TRUE(get_object(bucket_, "hello.txt", &got));
  EXPECT_EQ(got, "hello, world\n");
  std::string back;
  ASSERT_TRUE(read_file(m() / "hello.txt", &back));
  EXPECT_EQ(back, got);
}

TEST_F(S3Files, AttributesAreStoredUnderS3fsNames) {
  ASSERT_EQ(write_close(m() / "f", "x"), 0);
  ASSERT_EQ(chmod((m() / "f").c_str(), 0640), 0);
  struct timespec ts[2] = {{1600000000, 123456789}, {1600000000, 123456789}};
  ASSERT_EQ(utimensat(AT_FDCWD, (m() / "f").c_str(), ts, 0), 0);
  auto h = head_object(bucket_, "f");
  ASSERT_FALSE(h.empty());
  EXPECT_EQ(h["x-amz-meta-mode"], std::to_string(S_IFREG | 0640));
  EXPECT_EQ(h["x-amz-meta-uid"], std::to_string(getuid()));
  EXPECT_EQ(h["x-amz-meta-gid"], std::to_string(getgid()));
  EXPECT_EQ(h["x-amz-meta-mtime"], "1600000000.123456789");
  struct stat st;
  ASSERT_EQ(stat((m() / "f").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode, (mode_t)(S_IFREG | 0640));
  EXPECT_EQ(st.st_mtim.tv_sec, 1600000000);
}

TEST_F(S3Files, ObjectsOfOtherClientsAppearAsFiles) {
  std::string data = random_bytes(100000, 1);
  ASSERT_TRUE(put_object(bucket_, "from-curl.bin", data));
  ASSERT_TRUE(put_object(bucket_, "deep/er/file", "abc"));
  // Caches last cache_timeout=1 second.
  usleep(1200 * 1000);
  struct stat st;
  ASSERT_EQ(stat((m() / "from-curl.bin").c_str(), &st), 0);
  EXPECT_EQ(st.st_size, 100000);
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0644u); // no metadata: the default
  std::string back;
  ASSERT_TRUE(read_file(m() / "from-curl.bin", &back));
  EXPECT_EQ(md5(back), md5(data));
  ASSERT_EQ(stat((m() / "deep/er").c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode)); // a common prefix is a directory
  EXPECT_EQ(list_dir(m().path()),
            (std::set<std::string>{"deep", "from-curl.bin"}));
  EXPECT_EQ(list_dir(m() / "deep/er"), (std::set<std::string>{"file"}));
}

TEST_F(S3Files, DirectoriesAreMarkersAndPrefixes) {
  ASSERT_EQ(mkdir((m() / "d").c_str(), 0750), 0);
  auto h = head_object(bucket_, "d/");
  ASSERT_FALSE(h.empty()) << "mkdir stores a d/ marker";
  EXPECT_EQ(h["x-amz-meta-mode"], std::to_string(S_IFDIR | 0750));
  EXPECT_EQ(h["content-type"], "application/x-directory");
  EXPECT_EQ(mkdir((m() / "d").c_str(), 0750), -1);
  EXPECT_EQ(errno, EEXIST);
  ASSERT_EQ(write_close(m() / "d/a", "1"), 0);
  EXPECT_EQ(rmdir((m() / "d").c_str()), -1);
  EXPECT_EQ(errno, ENOTEMPTY);
  ASSERT_EQ(unlink((m() / "d/a").c_str()), 0);
  ASSERT_EQ(rmdir((m() / "d").c_str()), 0);
  EXPECT_TRUE(head_object(bucket_, "d/").empty());
  EXPECT_TRUE(list_keys(bucket_).empty());
}

TEST_F(S3Files, AnImplicitDirectoryOutlivesItsLastFile) {
  // Written by another tool: "x/y" only, no marker for x/.
  ASSERT_TRUE(put_object(bucket_, "x/y", "1"));
  usleep(1200 * 1000);
  ASSERT_EQ(unlink((m() / "x/y").c_str()), 0);
  struct stat st;
  ASSERT_EQ(stat((m() / "x").c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(list_keys(bucket_), std::vector<std::string>{"x/"});
}

TEST_F(S3Files, RenameMovesTheObject) {
  std::string data = random_bytes(300000, 2);
  ASSERT_EQ(write_close(m() / "a", data), 0);
  ASSERT_EQ(mkdir((m() / "sub").c_str(), 0755), 0);
  ASSERT_EQ(rename((m() / "a").c_str(), (m() / "sub/b").c_str()), 0);
  std::string got;
  ASSERT_TRUE(get_object(bucket_, "sub/b", &got));
  EXPECT_EQ(md5(got), md5(data));
  EXPECT_TRUE(head_object(bucket_, "a").empty());
  ASSERT_TRUE(read_file(m() / "sub/b", &got));
  EXPECT_EQ(md5(got), md5(data));
  // Over an existing file.
  ASSERT_EQ(write_close(m() / "c", "new"), 0);
  ASSERT_EQ(rename((m() / "c").c_str(), (m() / "sub/b").c_str()), 0);
  ASSERT_TRUE(get_object(bucket_, "sub/b", &got));
  EXPECT_EQ(got, "new");
  EXPECT_EQ(list_keys(bucket_), (std::vector<std::string>{"sub/", "sub/b"}));
}

TEST_F(S3Files, RenameFlagsAndDirectories) {
  ASSERT_EQ(write_close(m() / "a", "a"), 0);
  ASSERT_EQ(write_close(m() / "b", "b"), 0);
  EXPECT_EQ(syscall(SYS_renameat2, AT_FDCWD, (m() / "a").c_str(), AT_FDCWD,
                    (m() / "b").c_str(), RENAME_NOREPLACE), -1);
  EXPECT_EQ(errno, EEXIST);
  // Two keys cannot swap at once.
  EXPECT_EQ(syscall(SYS_renameat2, AT_FDCWD, (m() / "a").c_str(), AT_FDCWD,
                    (m() / "b").c_str(), RENAME_EXCHANGE), -1);
  EXPECT_EQ(errno, EINVAL);
  // An empty directory moves; one with contents is EXDEV (mv copies).
  ASSERT_EQ(mkdir((m() / "e").c_str(), 0700), 0);
  ASSERT_EQ(rename((m() / "e").c_str(), (m() / "e2").c_str()), 0);
  EXPECT_FALSE(head_object(bucket_, "e2/").empty());
  EXPECT_TRUE(head_object(bucket_, "e/").empty());
  ASSERT_EQ(write_close(m() / "e2/f", "f"), 0);
  EXPECT_EQ(rename((m() / "e2").c_str(), (m() / "e3").c_str()), -1);
  EXPECT_EQ(errno, EXDEV);
  struct stat st;
  EXPECT_EQ(stat((m() / "e2/f").c_str(), &st), 0);
}

TEST_F(S3Files, WhatS3CannotDoHasItsErrno) {
  ASSERT_EQ(write_close(m() / "f", "x"), 0);
  EXPECT_EQ(link((m() / "f").c_str(), (m() / "g").c_str()), -1);
  EXPECT_EQ(errno, EPERM);
  EXPECT_EQ(mkfifo((m() / "fifo").c_str(), 0644), -1);
  EXPECT_EQ(errno, EPERM);
  EXPECT_EQ(mknod((m() / "dev").c_str(), S_IFCHR | 0644, makedev(1, 3)), -1);
  EXPECT_EQ(errno, EPERM);
  // A regular mknod is an empty object.
  ASSERT_EQ(mknod((m() / "plain").c_str(), S_IFREG | 0600, 0), 0);
  auto h = head_object(bucket_, "plain");
  EXPECT_EQ(h["content-length"], "0");
  EXPECT_EQ(h["x-amz-meta-mode"], std::to_string(S_IFREG | 0600));
}

TEST_F(S3Files, SymlinksAreStoredAsS3fsStoresThem) {
  ASSERT_EQ(symlink("../some/target", (m() / "ln").c_str()), 0);
  std::string body;
  ASSERT_TRUE(get_object(bucket_, "ln", &body));
  EXPECT_EQ(body, "../some/target");
  auto h = head_object(bucket_, "ln");
  EXPECT_EQ(h["x-amz-meta-mode"], std::to_string(S_IFLNK | 0777));
  char buf[256];
  ssize_t n = readlink((m() / "ln").c_str(), buf, sizeof buf);
  ASSERT_EQ(n, 14);
  EXPECT_EQ(std::string(buf, n), "../some/target");
  // One written by another client reads the same way.
  ASSERT_TRUE(put_object(bucket_, "ln2", "/abs/path",
                         {"x-amz-meta-mode: 41471"}));
  usleep(1200 * 1000);
  struct stat st;
  ASSERT_EQ(lstat((m() / "ln2").c_str(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode));
  n = readlink((m() / "ln2").c_str(), buf, sizeof buf);
  EXPECT_EQ(std::string(buf, std::max<ssize_t>(n, 0)), "/abs/path");
}

TEST_F(S3Files, TruncateAppendAndOverwriteInPlace) {
  std::string data = random_bytes(2 << 20, 3);
  ASSERT_EQ(write_close(m() / "f", data), 0);
  // Change bytes in the middle of a stored object.
  int fd = open((m() / "f").c_str(), O_WRONLY);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(pwrite(fd, "XYZ", 3, 1000000), 3);
  ASSERT_EQ(close(fd), 0);
  data.replace(1000000, 3, "XYZ");
  std::string got;
  ASSERT_TRUE(get_object(bucket_, "f", &got));
  EXPECT_EQ(md5(got), md5(data));
  // Append.
  ASSERT_EQ(write_close(m() / "f", "tail", O_WRONLY | O_APPEND), 0);
  data += "tail";
  ASSERT_TRUE(get_object(bucket_, "f", &got));
  EXPECT_EQ(md5(got), md5(data));
  // Shrink, then grow with a hole.
  ASSERT_EQ(truncate((m() / "f").c_str(), 10), 0);
  ASSERT_TRUE(get_object(bucket_, "f", &got));
  EXPECT_EQ(got, data.substr(0, 10));
  ASSERT_EQ(truncate((m() / "f").c_str(), 20), 0);
  ASSERT_TRUE(read_file(m() / "f", &got));
  EXPECT_EQ(got, data.substr(0, 10) + std::string(10, '\0'));
  // O_TRUNC replaces the object with the new content only.
  ASSERT_EQ(write_close(m() / "f", "short"), 0);
  ASSERT_TRUE(get_object(bucket_, "f", &got));
  EXPECT_EQ(got, "short");
}

TEST_F(S3Files, LargeFilesGoUpAsMultipart) {
  S3Mount mp(bucket_, "part_size=5M,cache_timeout=1");
  ASSERT_TRUE(mp.ok()) << mp.error();
  std::string data = random_bytes(23 << 20, 4);
  ASSERT_EQ(write_close(mp / "big", data), 0);
  auto h = head_object(bucket_, "big");
  EXPECT_EQ(h["content-length"], std::to_string(data.size()));
  EXPECT_NE(h["etag"].find("-5"), std::string::npos)
      << "23 MiB in 5 MiB parts: five parts, etag " << h["etag"];
  std::string got;
  ASSERT_TRUE(get_object(bucket_, "big", &got));
  EXPECT_EQ(md5(got), md5(data));
  // Read back through another mount (cold), whole and at random places.
  S3Mount cold(bucket_, "block_size=1M,cache_timeout=1");
  ASSERT_TRUE(cold.ok()) << cold.error();
  ASSERT_TRUE(read_file(cold / "big", &got));
  EXPECT_EQ(md5(got), md5(data));
  int fd = open((cold / "big").c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  for (size_t off : {size_t(0), size_t(1 << 20) - 7, size_t(17 << 20) + 5,
                     data.size() - 100}) {
    char buf[4096];
    ssize_t n = pread(fd, buf, sizeof buf, (off_t)off);
    ASSERT_GT(n, 0);
    EXPECT_EQ(std::string(buf, n), data.substr(off, n)) << "at " << off;
  }
  close(fd);
}

TEST_F(S3Files, AChangedObjectIsReadWhole) {
  ASSERT_TRUE(put_object(bucket_, "v", std::string(3 << 20, 'a')));
  S3Mount r(bucket_, "block_size=1M,cache_timeout=1");
  ASSERT_TRUE(r.ok()) << r.error();
  std::string got;
  ASSERT_TRUE(read_file(r / "v", &got));
  EXPECT_EQ(got, std::string(3 << 20, 'a'));
  ASSERT_TRUE(put_object(bucket_, "v", std::string(2 << 20, 'b')));
  usleep(1200 * 1000);
  ASSERT_TRUE(read_file(r / "v", &got));
  EXPECT_EQ(got, std::string(2 << 20, 'b'));
}

TEST_F(S3Files, ListingsLongerThanAPage) {
  // 1100 names: ListObjectsV2 answers 1000 at a time.
  std::vector<std::thread> ts;
  std::atomic<int> bad{0};
  ASSERT_EQ(mkdir((m() / "many").c_str(), 0755), 0);
  for (int t = 0; t < 8; t++)
    ts.emplace_back([&, t] {
      for (int i = t; i < 1100; i += 8)
        if (write_close(m() / ("many/f" + std::to_string(i)), "") != 0) bad++;
    });
  for (auto &t : ts) t.join();
  ASSERT_EQ(bad, 0);
  EXPECT_EQ(list_keys(bucket_, "many/").size(), 1101u);
  S3Mount other(bucket_, "cache_timeout=1");
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(list_dir(other / "many").size(), 1100u);
}

TEST_F(S3Files, SeveralProcessesWriteOneDirectory) {
  ASSERT_EQ(mkdir((m() / "shared").c_str(), 0755), 0);
  std::vector<std::unique_ptr<vfsdtest::Child>> kids;
  for (int p = 0; p < 6; p++) {
    std::string script =
        "for i in $(seq 1 15); do head -c $((1000 * $i + " +
        std::to_string(p) + ")) /dev/zero > " + (m() / "shared/p") +
        std::to_string(p) + "-$i || exit 1; done";
    kids.emplace_back(new vfsdtest::Child({"sh", "-c", script}));
  }
  for (auto &k : kids) EXPECT_EQ(k->wait(std::chrono::seconds(120)), 0);
  auto keys = list_keys(bucket_, "shared/");
  EXPECT_EQ(keys.size(), 6u * 15 + 1);
  for (int p = 0; p < 6; p++)
    for (int i = 1; i <= 15; i++) {
      auto h = head_object(bucket_, "shared/p" + std::to_string(p) + "-" +
                                        std::to_string(i));
      EXPECT_EQ(h["content-length"], std::to_string(1000 * i + p));
    }
}

TEST_F(S3Files, TwoMountsSeeEachOthersFilesOnceCachesExpire) {
  S3Mount b(bucket_, "cache_timeout=1");
  ASSERT_TRUE(b.ok()) << b.error();
  EXPECT_TRUE(list_dir(b.path()).empty());
  ASSERT_EQ(write_close(m() / "from-a", "A"), 0);
  ASSERT_TRUE(vfsdtest::wait_for(
      [&] { return list_dir(b.path()).count("from-a") == 1; },
      std::chrono::seconds(5)));
  std::string got;
  ASSERT_TRUE(read_file(b / "from-a", &got));
  EXPECT_EQ(got, "A");
  ASSERT_EQ(write_close(b / "from-a", "BB"), 0);
  ASSERT_TRUE(vfsdtest::wait_for(
      [&] { return read_file(m() / "from-a", &got) && got == "BB"; },
      std::chrono::seconds(5)));
  ASSERT_EQ(unlink((b / "from-a").c_str()), 0);
  struct stat st;
  ASSERT_TRUE(vfsdtest::wait_for(
      [&] { return stat((m() / "from-a").c_str(), &st) != 0; },
      std::chrono::seconds(5)));
}

TEST_F(S3Files, PrefixMountsOneDirectory) {
  ASSERT_TRUE(put_object(bucket_, "outside", "o"));
  S3Mount p(bucket_, "prefix=inside/sub,cache_timeout=1");
  ASSERT_TRUE(p.ok()) << p.error();
  ASSERT_EQ(write_close(p / "f", "in"), 0);
  std::string got;
  ASSERT_TRUE(get_object(bucket_, "inside/sub/f", &got));
  EXPECT_EQ(got, "in");
  EXPECT_EQ(list_dir(p.path()), std::set<std::string>{"f"});
}

}  // namespace
