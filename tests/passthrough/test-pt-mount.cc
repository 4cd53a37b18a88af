// SPDX-License-Identifier: LGPL-2.1-or-later
// The passthrough backend through a real mount over a tmpfs source, alone
// and under layers (readonly, fault, monitor, stats).
#include "pt-helpers.h"

#include <vfsd/stats.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <atomic>
#include <thread>

using namespace pttest;

namespace {

struct Mounted {
  TmpfsDir src;
  VfsdBackend *b = nullptr;
  std::unique_ptr<vfsdtest::Mount> m;
  // @layers: specs stacked over the backend, bottom first.
  Mounted(const std::string &extra = "", const std::vector<std::string> &layers = {},
          const std::string &opts = "") {
    b = load("source=" + src.path() + extra);
    for (auto &spec : layers) {
      GError *err = nullptr;
      VfsdBackend *l = vfsd_layer_load(spec.c_str(), b, &err);
      EXPECT_NE(l, nullptr) << spec << ": " << (err ? err->message : "");
      g_clear_error(&err);
      g_object_unref(b);
      b = l;
    }
    m = std::make_unique<vfsdtest::Mount>(b, opts);
    EXPECT_TRUE(m->mounted()) << m->error();
  }
  ~Mounted() {
    m.reset();
    g_clear_object(&b);
  }
  std::string operator/(const std::string &n) const { return *m / n; }
};

int count_entries(const std::string &dir) {
  DIR *d = opendir(dir.c_str());
  if (!d) return -1;
  int n = 0;
  while (readdir(d)) n++;
  closedir(d);
  return n;
}

TEST(PtMount, FilesDirectoriesLinksAndAttributes) {
  Mounted mt;
  ASSERT_TRUE(mt.m->mounted());
  std::string mnt = mt.m->path();
  put(mnt + "/f", "hello");
  EXPECT_EQ(get(mt.src / "f"), "hello");
  put(mt.src / "g", "from the source");
  EXPECT_EQ(get(mnt + "/g"), "from the source");
  EXPECT_EQ(st_ino(mnt + "/g"), st_ino(mt.src / "g")) << "inode numbers pass through";
  ASSERT_EQ(mkdir((mnt + "/a").c_str(), 0700), 0);
  ASSERT_EQ(mkdir((mnt + "/a/b").c_str(), 0755), 0);
  put(mnt + "/a/b/c", "deep");
  EXPECT_EQ(rename((mnt + "/a/b/c").c_str(), (mnt + "/c2").c_str()), 0);
  EXPECT_EQ(get(mt.src / "c2"), "deep");
  EXPECT_EQ(link((mnt + "/c2").c_str(), (mnt + "/a/hard").c_str()), 0);
  struct stat st;
  ASSERT_EQ(stat((mnt + "/c2").c_str(), &st), 0);
  EXPECT_EQ(st.st_nlink, 2u);
  EXPECT_EQ(symlink("c2", (mnt + "/sl").c_str()), 0);
  char buf[64] = {};
  EXPECT_EQ(readlink((mnt + "/sl").c_str(), buf, sizeof buf), 2);
  EXPECT_EQ(get(mnt + "/sl"), "deep");
  EXPECT_EQ(chmod((mnt + "/c2").c_str(), 0604), 0);
  ASSERT_EQ(stat((mt.src / "c2").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0604u);
  EXPECT_EQ(truncate((mnt + "/c2").c_str(), 2), 0);
  EXPECT_EQ(get(mt.src / "c2"), "de");
  struct timespec ts[2] = {{100, 0}, {200, 0}};
  EXPECT_EQ(utimensat(AT_FDCWD, (mnt + "/c2").c_str(), ts, 0), 0);
  ASSERT_EQ(stat((mt.src / "c2").c_str(), &st), 0);
  EXPECT_EQ(st.st_mtim.tv_sec, 200);
  EXPECT_EQ(setxattr((mnt + "/c2").c_str(), "user.t", "v", 1, 0), 0);
  EXPECT_EQ(getxattr((mt.src / "c2").c_str(), "user.t", buf, sizeof buf), 1);
  EXPECT_EQ(count_entries(mnt), 2 + 5);  // . .. f g a c2 sl
  // A file unlinked while open stays readable through its descriptor.
  int fd = open((mnt + "/f").c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(unlink((mnt + "/f").c_str()), 0);
  EXPECT_EQ(pread(fd, buf, sizeof buf, 0), 5);
  close(fd);
  struct statvfs sv;
  EXPECT_EQ(statvfs(mnt.c_str(), &sv), 0);
  EXPECT_GT(sv.f_blocks, 0u);
  EXPECT_EQ(rmdir((mnt + "/a").c_str()), -1);
  EXPECT_EQ(errno, ENOTEMPTY);
}

TEST(PtMount, ManyCachedInodesHoldFewDescriptors) {
  // Long kernel caches keep every inode referenced (PERF-FACTS obs. 8).
  Mounted mt(",fds=64", {}, "entry_timeout=3600,attr_timeout=3600");
  ASSERT_TRUE(mt.m->mounted());
  ASSERT_EQ(mkdir((mt.src / "many").c_str(), 0755), 0);
  for (int i = 0; i < 3000; i++) put(mt.src / ("many/" + std::to_string(i)), "x");
  int fds0 = vfsdtest::count_fds();
  for (int round = 0; round < 2; round++)
    for (int i = 0; i < 3000; i++) {
      struct stat st;
      ASSERT_EQ(stat((mt / ("many/" + std::to_string(i))).c_str(), &st), 0) << i;
      ASSERT_EQ(st.st_size, 1);
    }
  EXPECT_GT(vfsd_mount_get_referenced_inodes(mt.m->get()), 3000u);
  EXPECT_LE(vfsdtest::count_fds() - fds0, 64 + 8);
  EXPECT_EQ(get(mt / "many/2999"), "x");
}

TEST(PtMount, ParallelClientsSeeTheirOwnData) {
  Mounted mt;
  ASSERT_TRUE(mt.m->mounted());
  std::atomic<int> bad{0};
  std::vector<std::thread> ts;
  for (int t = 0; t < 4; t++)
    ts.emplace_back([&, t] {
      for (int i = 0; i < 100; i++) {
        std::string p = mt / ("t" + std::to_string(t) + "_" + std::to_string(i));
        std::string data(1000 + i, 'a' + t);
        if (!vfsdtest::write_file(p, data)) bad++;
        std::string back;
        if (!vfsdtest::read_file(p, &back) || back != data) bad++;
        if (i % 2 && unlink(p.c_str()) != 0) bad++;
      }
    });
  for (auto &t : ts) t.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_EQ(count_entries(mt.src.path()), 2 + 200);
}

TEST(PtMount, ReadonlyRefusesEveryChange) {
  Mounted mt("", {"readonly"});
  ASSERT_TRUE(mt.m->mounted());
  put(mt.src / "f", "data");
  EXPECT_EQ(get(mt / "f"), "data");
  EXPECT_FALSE(vfsdtest::write_file(mt / "f", "x"));
  EXPECT_EQ(errno, EROFS);
  EXPECT_EQ(mkdir((mt / "d").c_str(), 0755), -1);
  EXPECT_EQ(errno, EROFS);
  EXPECT_EQ(unlink((mt / "f").c_str()), -1);
  EXPECT_EQ(errno, EROFS);
  EXPECT_EQ(chmod((mt / "f").c_str(), 0600), -1);
  EXPECT_EQ(errno, EROFS);
  EXPECT_EQ(get(mt.src / "f"), "data");
}

TEST(PtMount, FaultReachesTheApplication) {
  Mounted mt("", {"fault:ops=write,errno=ENOSPC,after=1"});
  ASSERT_TRUE(mt.m->mounted());
  int fd = open((mt / "f").c_str(), O_WRONLY | O_CREAT, 0644);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(write(fd, "one", 3), 3);
  EXPECT_EQ(pwrite(fd, "two", 3, 3), -1);
  EXPECT_EQ(errno, ENOSPC);
  close(fd);
  EXPECT_EQ(get(mt.src / "f"), "one");
}

TEST(PtMount, MonitorLogsKernelRequestsAndStatsAnswersWhileMounted) {
  vfsdtest::TempDir logs("logs");
  std::string log = logs / "access.jsonl";
  {
    Mounted mt("", {"stats", "monitor:log=" + log});
    ASSERT_TRUE(mt.m->mounted());
    ASSERT_EQ(mkdir((mt / "newdir").c_str(), 0755), 0);
    put(mt / "newdir/file", "0123456789");
    EXPECT_EQ(get(mt / "newdir/file"), "0123456789");
    GError *err = nullptr;
    char *json = vfsd_stats_query(mt.m->path().c_str(), "json", &err);
    ASSERT_NE(json, nullptr) << err->message;
    std::string j(json);
    g_free(json);
    EXPECT_NE(j.find("\"mkdir\":{\"calls\":1,"), std::string::npos) << j;
    EXPECT_NE(j.find("\"write\":{\"calls\":1,\"errors\":0,\"bytes\":10,"), std::string::npos) << j;
    char *text = vfsd_stats_query(mt.m->path().c_str(), "text", &err);
    ASSERT_NE(text, nullptr) << err->message;
    EXPECT_NE(strstr(text, "mkdir"), nullptr);
    g_free(text);
    char *ok = vfsd_stats_query(mt.m->path().c_str(), "reset", &err);
    ASSERT_NE(ok, nullptr);
    EXPECT_STREQ(ok, "ok\n");
    g_free(ok);
    EXPECT_EQ(vfsd_stats_query(mt.m->path().c_str(), "bogus", &err), nullptr);
    ASSERT_NE(err, nullptr);
    g_clear_error(&err);
  }
  // Unmounted: the socket is gone.
  std::string log_text = get(log);
  EXPECT_NE(log_text.find("\"op\":\"mkdir\",\"ino\":1,\"path\":\"/newdir\""), std::string::npos);
  EXPECT_NE(log_text.find("\"op\":\"write\""), std::string::npos);
  EXPECT_NE(log_text.find("\"path\":\"/newdir/file\""), std::string::npos);
  EXPECT_NE(log_text.find("\"op\":\"init\""), std::string::npos);
  EXPECT_NE(log_text.find("\"op\":\"destroy\""), std::string::npos);
  std::string comm;
  vfsdtest::read_file("/proc/self/comm", &comm);
  comm.pop_back();
  EXPECT_NE(log_text.find("\"comm\":\"" + comm + "\""), std::string::npos);
}

}  // namespace
