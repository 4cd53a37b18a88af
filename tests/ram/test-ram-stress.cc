// SPDX-License-Identifier: LGPL-2.1-or-later
// The concurrency stress: several processes (`ram-helper stress`, started
// with posix_spawn) create, rename, link, write, truncate and unlink names
// in shared directories of one RAM mount for a bounded time, while this
// process lists and stats the tree.  Then the mount ends and the backend
// must pass its consistency check: link counts, reachability, space.
//
//   VFSD_RAM_STRESS_SECONDS=N   how long (default 4)
//   VFSD_RAM_SEED=N             seeds the workers (default 1)
#include "fixtures.h"

#include <vfsd/vfsd.h>
#include <vfsd/ram.h>

#include <gtest/gtest.h>

#include <dirent.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <atomic>
#include <memory>
#include <thread>

namespace {

uint64_t env_u64(const char *name, uint64_t dflt) {
  const char *v = getenv(name);
  return v && *v ? strtoull(v, nullptr, 10) : dflt;
}

// Walks the tree, stat-ing everything; counts what it saw.
uint64_t walk(const std::string &dir) {
  uint64_t n = 0;
  DIR *d = opendir(dir.c_str());
  if (!d) return 0;
  while (struct dirent *e = readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    struct stat st {};
    std::string path = dir + "/" + name;
    if (lstat(path.c_str(), &st) != 0) continue;  // raced with an unlink
    n++;
    if (S_ISDIR(st.st_mode)) n += walk(path);
  }
  closedir(d);
  return n;
}

TEST(RamStress, ProcessesInSharedDirectories) {
  const unsigned workers = 4;
  uint64_t seconds = env_u64("VFSD_RAM_STRESS_SECONDS", 4);
  uint64_t seed = env_u64("VFSD_RAM_SEED", 1);
  printf("# %u processes for %llu s, seed %llu\n", workers,
         (unsigned long long)seconds, (unsigned long long)seed);
  GError *err = nullptr;
  VfsdBackend *b = vfsd_ram_new("size=256M,nr_inodes=100000", &err);
  ASSERT_NE(b, nullptr) << err->message;
  auto mount = std::make_unique<vfsdtest::Mount>(b, "threads=2");
  ASSERT_TRUE(mount->mounted()) << mount->error();
  std::string root = mount->path();

  std::vector<std::unique_ptr<vfsdtest::Child>> kids;
  std::vector<std::string> outs;
  vfsdtest::TempDir logs("logs");
  for (unsigned w = 0; w < workers; w++) {
    outs.push_back(logs / ("out" + std::to_string(w)));
    kids.push_back(std::make_unique<vfsdtest::Child>(
        std::vector<std::string>{vfsdtest::build_path("tests/ram/ram-helper"),
                                 "stress", root, std::to_string(seconds),
                                 std::to_string(seed * 100 + w)},
        outs.back(), outs.back() + ".err"));
    ASSERT_TRUE(kids.back()->started());
  }
  // Meanwhile: walk the tree again and again.
  uint64_t walks = 0;
  auto end = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < end) {
    walk(root);
    walks++;
  }
  uint64_t ops = 0;
  for (unsigned w = 0; w < workers; w++) {
    int status = kids[w]->wait(std::chrono::seconds(seconds + 60));
    std::string out, errs;
    vfsdtest::read_file(outs[w], &out);
    vfsdtest::read_file(outs[w] + ".err", &errs);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
        << "worker " << w << " status " << status << ": " << errs;
    ops += strtoull(out.c_str(), nullptr, 10);
  }
  printf("# %llu operations, %llu walks\n", (unsigned long long)ops,
         (unsigned long long)walks);
  EXPECT_GT(ops, 100u);

  // Consistent while mounted (up to inodes the kernel still holds)...
  // once the kernel has delivered the RELEASEs of the workers' last files:
  // close() returns before its RELEASE is processed.
  EXPECT_TRUE(vfsdtest::wait_for(
      [&] {
        VfsdRamUsage now{};
        return vfsd_ram_get_usage(b, &now) == 0 && now.handles_open == 0;
      },
      std::chrono::seconds(5)));
  GString *report = g_string_new(nullptr);
  EXPECT_EQ(vfsd_ram_check(b, report), 0) << report->str;
  // ...and after: no handle open, no unlinked inode left.
  mount->unmount();
  mount.reset();
  g_string_truncate(report, 0);
  EXPECT_EQ(vfsd_ram_check(b, report), 0) << report->str;
  VfsdRamUsage u{};
  ASSERT_EQ(vfsd_ram_get_usage(b, &u), 0);
  EXPECT_EQ(u.handles_open, 0u);
  printf("# afterwards: %llu inodes, %llu bytes\n",
         (unsigned long long)u.inodes_used, (unsigned long long)u.bytes_used);
  g_string_free(report, TRUE);
  g_object_unref(b);
}

// One mount at a time: the kernel caches for long, so a second mount of
// the same tree would serve stale data.  The tree outlives a mount.
TEST(RamMount, OneAtATimeAndTheTreeStays) {
  VfsdBackend *b = vfsd_ram_new("size=1M", nullptr);
  ASSERT_NE(b, nullptr);
  {
    vfsdtest::Mount first(b);
    ASSERT_TRUE(first.mounted()) << first.error();
    vfsdtest::Mount second(b);
    EXPECT_FALSE(second.mounted());
    EXPECT_NE(second.error().find("busy"), std::string::npos) << second.error();
    ASSERT_TRUE(vfsdtest::write_file(first / "kept", "still here"));
  }
  {
    vfsdtest::Mount again(b);
    ASSERT_TRUE(again.mounted()) << again.error();
    std::string s;
    ASSERT_TRUE(vfsdtest::read_file(again / "kept", &s));
    EXPECT_EQ(s, "still here");
  }
  EXPECT_EQ(vfsd_ram_check(b, nullptr), 0);
  g_object_unref(b);
}

}  // namespace
