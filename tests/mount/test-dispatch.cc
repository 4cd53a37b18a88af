// SPDX-License-Identifier: LGPL-2.1-or-later
// The dispatcher through real mounts: lookup counts against the kernel's
// FORGETs, stable listings while a directory changes, out-of-convention
// results, thread models, caching and notifications, zero-copy reads.
#include <gtest/gtest.h>

#include <dirent.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <set>
#include <thread>

#include <vfsd/ram.h>

#include "fixtures.h"
#include "testfs.h"

using namespace vfsdtest;
using namespace std::chrono_literals;

namespace {

bool drop_caches() {
  sync();
  int fd = open("/proc/sys/vm/drop_caches", O_WRONLY);
  if (fd < 0) return false;
  bool ok = write(fd, "2", 1) == 1;
  close(fd);
  return ok;
}

// Lists a directory with getdents64 and a tiny buffer, so the listing takes
// many READDIR requests, each resuming at the last offset.
struct Lister {
  int fd;
  explicit Lister(const std::string &dir) { fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY); }
  ~Lister() {
    if (fd >= 0) close(fd);
  }
  // Reads one small batch; returns (name, d_off) pairs; empty at the end.
  std::vector<std::pair<std::string, off_t>> batch() {
    alignas(8) char buf[200];
    std::vector<std::pair<std::string, off_t>> out;
    long n = syscall(SYS_getdents64, fd, buf, sizeof buf);
    for (long pos = 0; pos < n;) {
      auto *d = reinterpret_cast<struct dirent64 *>(buf + pos);
      out.push_back({d->d_name, d->d_off});
      pos += d->d_reclen;
    }
    return out;
  }
};

}  // namespace

TEST(Dispatch, LookupCountsBalanceAgainstTheKernel) {
  TestFs fs(300);
  Mount m(fs.backend(), "entry_timeout=3600,attr_timeout=3600");
  ASSERT_TRUE(m.mounted()) << m.error();
  struct stat st;
  for (int i = 0; i < 300; i++)
    ASSERT_EQ(stat((m / ("f" + std::to_string(i))).c_str(), &st), 0);
  EXPECT_GE(vfsd_mount_get_referenced_inodes(m.get()), 300u);
  // An open file keeps its inode: no forget for it while open.
  int fd = open((m / "f7").c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  if (!drop_caches()) GTEST_SKIP() << "cannot drop caches here";
  EXPECT_TRUE(wait_for([&] { return fs.forgets.load() >= 290; }, 5000ms))
      << fs.forgets.load() << " forgets";
  EXPECT_GE(vfsd_mount_get_referenced_inodes(m.get()), 1u);
  EXPECT_LE(vfsd_mount_get_referenced_inodes(m.get()), 10u);
  close(fd);
  // Looked up again after being forgotten: counted again.
  for (int i = 0; i < 50; i++)
    ASSERT_EQ(stat((m / ("f" + std::to_string(i))).c_str(), &st), 0);
  int before_end = fs.forgets.load();
  m.unmount();
  // At the end every inode still referenced is forgotten, once.
  EXPECT_GE(fs.forgets.load(), before_end + 50);
  EXPECT_EQ(fs.violations.load(), 0) << fs.violation_text();
  EXPECT_EQ(fs.destroys.load(), 1);
}

TEST(Dispatch, ListingSurvivesChangesAndSeeks) {
  const int N = 120;
  TestFs fs(N);  // readdir offsets of TestFs shift when entries go
  Mount m(fs.backend());
  ASSERT_TRUE(m.mounted()) << m.error();
  Lister l(m.path());
  ASSERT_GE(l.fd, 0);
  std::vector<std::pair<std::string, off_t>> seen;
  for (int i = 0; i < 3; i++)
    for (auto &e : l.batch()) seen.push_back(e);
  ASSERT_GT(seen.size(), 6u);
  ASSERT_LT(seen.size(), static_cast<size_t>(N));
  std::set<std::string> seen_names;
  for (auto &e : seen) seen_names.insert(e.first);
  // Remove ten entries already listed and ten not yet listed.
  std::set<std::string> removed_unseen;
  int gone_seen = 0;
  for (int i = 0; i < N && (gone_seen < 10 || removed_unseen.size() < 10); i++) {
    std::string n = "f" + std::to_string(i);
    bool was_seen = seen_names.count(n) > 0;
    if (was_seen && gone_seen < 10) {
      ASSERT_EQ(unlink((m / n).c_str()), 0);
      gone_seen++;
    } else if (!was_seen && removed_unseen.size() < 10) {
      ASSERT_EQ(unlink((m / n).c_str()), 0);
      removed_unseen.insert(n);
    }
  }
  off_t mark = seen.back().second;
  std::vector<std::string> rest;
  for (;;) {
    auto b = l.batch();
    if (b.empty()) break;
    for (auto &e : b) rest.push_back(e.first);
  }
  // Every entry that was not removed appears exactly once in the whole
  // listing; removed ones may or may not appear (POSIX leaves it open).
  std::map<std::string, int> count;
  for (auto &n : seen_names) count[n]++;
  for (auto &n : rest) count[n]++;
  for (int i = 0; i < N; i++) {
    std::string n = "f" + std::to_string(i);
    if (removed_unseen.count(n)) {
      EXPECT_LE(count[n], 1) << n;
    } else {
      EXPECT_EQ(count[n], 1) << n << " listed " << count[n] << " times";
    }
  }
  // seekdir to a remembered position: the listing continues from there.
  ASSERT_EQ(lseek(l.fd, mark, SEEK_SET), mark);
  std::vector<std::string> again;
  for (;;) {
    auto b = l.batch();
    if (b.empty()) break;
    for (auto &e : b) again.push_back(e.first);
  }
  EXPECT_EQ(again, rest);
}

// The check above must be able to fail: a backend that claims stable
// offsets but has none loses entries, and the same check sees it.
TEST(Dispatch, ListingCheckDetectsUnstableOffsets) {
  const int N = 120;
  TestFs fs(N, VFSD_THREAD_PARALLEL, VFSD_BACKEND_STABLE_DIR_OFFSETS);
  Mount m(fs.backend());
  ASSERT_TRUE(m.mounted()) << m.error();
  Lister l(m.path());
  std::set<std::string> seen;
  for (int i = 0; i < 3; i++)
    for (auto &e : l.batch()) seen.insert(e.first);
  for (int i = 0; i < N; i++) {  // remove 20 entries already listed
    std::string n = "f" + std::to_string(i);
    if (seen.count(n) && i < 40) unlink((m / n).c_str());
  }
  int listed = static_cast<int>(seen.size());
  for (;;) {
    auto b = l.batch();
    if (b.empty()) break;
    listed += static_cast<int>(b.size());
  }
  EXPECT_LT(listed, N + 2) << "entries were skipped, as they must be here";
}

TEST(Dispatch, OutOfConventionResultsBecomeEioAndServingGoesOn) {
  TestFs fs;
  fs.set_content(0, "0123456789");
  Mount m(fs.backend(), "no_keep_cache");
  ASSERT_TRUE(m.mounted()) << m.error();
  fs.read_extra = 5;  // read() claims more bytes than asked
  int fd = open((m / "f0").c_str(), O_RDONLY | O_DIRECT);
  ASSERT_GE(fd, 0);
  alignas(4096) static char buf[4096];
  errno = 0;
  EXPECT_EQ(pread(fd, buf, sizeof buf, 0), -1);
  EXPECT_EQ(errno, EIO);
  close(fd);
  fs.read_extra = 0;
  std::string data;
  EXPECT_TRUE(read_file(m / "f0", &data));
  EXPECT_EQ(data, "0123456789");
}

namespace {
// Runs @n threads doing @fn(i) @reps times.
template <typename Fn>
void hammer(int n, int reps, Fn fn) {
  std::vector<std::thread> t;
  for (int i = 0; i < n; i++)
    t.emplace_back([=] {
      for (int r = 0; r < reps; r++) fn(i);
    });
  for (auto &x : t) x.join();
}

void direct_read(const std::string &path) {
  int fd = open(path.c_str(), O_RDONLY | O_DIRECT);
  if (fd < 0) return;
  alignas(4096) char buf[4096];
  for (int i = 0; i < 5; i++) (void)pread(fd, buf, sizeof buf, 0);
  close(fd);
}
}  // namespace

TEST(ThreadModel, SerializeAllNeverOverlaps) {
  TestFs fs(8, VFSD_THREAD_SERIALIZE_ALL);
  for (int i = 0; i < 8; i++) fs.set_content(i, "x");
  fs.sleep_us = 1000;
  Mount m(fs.backend(), "threads=4,attr_timeout=0,entry_timeout=0");
  ASSERT_TRUE(m.mounted()) << m.error();
  hammer(6, 10, [&](int i) {
    struct stat st;
    stat((m / ("f" + std::to_string(i))).c_str(), &st);
    direct_read(m / ("f" + std::to_string(i)));
  });
  EXPECT_EQ(fs.max_in_flight.load(), 1);
}

TEST(ThreadModel, ParallelDoesOverlap) {
  // Proves the measurement can see overlap at all.
  TestFs fs(8, VFSD_THREAD_PARALLEL);
  fs.sleep_us = 3000;
  Mount m(fs.backend(), "threads=4,attr_timeout=0,entry_timeout=0");
  ASSERT_TRUE(m.mounted()) << m.error();
  hammer(6, 10, [&](int i) {
    struct stat st;
    stat((m / ("f" + std::to_string(i))).c_str(), &st);
  });
  EXPECT_GE(fs.max_in_flight.load(), 2);
}

TEST(ThreadModel, SerializePerFileSerializesOneHandle) {
  TestFs fs(8, VFSD_THREAD_SERIALIZE_PER_FILE);
  fs.set_content(0, std::string(4096, 'a'));
  fs.sleep_us = 2000;
  Mount m(fs.backend(), "threads=4");
  ASSERT_TRUE(m.mounted()) << m.error();
  int fd = open((m / "f0").c_str(), O_RDONLY | O_DIRECT);
  ASSERT_GE(fd, 0);
  fs.max_in_flight = 0;
  hammer(4, 10, [&](int) {
    alignas(4096) char buf[4096];
    (void)pread(fd, buf, sizeof buf, 0);
  });
  close(fd);
  EXPECT_EQ(fs.max_in_flight.load(), 1);
  // Different open files may run at the same time.
  for (int i = 1; i < 8; i++) fs.set_content(i, std::string(4096, 'b'));
  fs.max_in_flight = 0;
  hammer(6, 5, [&](int i) { direct_read(m / ("f" + std::to_string(i + 1))); });
  EXPECT_GE(fs.max_in_flight.load(), 2);
}

TEST(Caching, NegativeLookupsAreCachedWhenAsked) {
  TestFs fs;
  fs.negative_timeout = 60;
  Mount m(fs.backend());
  ASSERT_TRUE(m.mounted()) << m.error();
  struct stat st;
  int before = fs.lookups.load();
  EXPECT_EQ(stat((m / "missing").c_str(), &st), -1);
  EXPECT_EQ(errno, ENOENT);
  EXPECT_EQ(stat((m / "missing").c_str(), &st), -1);
  EXPECT_EQ(fs.lookups.load(), before + 1);
}

namespace {
int list_dir(const std::string &path) {
  DIR *d = opendir(path.c_str());
  if (!d) return -1;
  int n = 0;
  while (readdir(d)) n++;
  closedir(d);
  return n;
}
}  // namespace

TEST(Caching, ListingsAreCachedAcrossOpensWhenAsked) {
  // CACHE_DIR with KEEP_CACHE: a second listing of an unchanged directory
  // is the kernel's, without a READDIR.
  TestFs fs;
  fs.entry_timeout = 3600;
  fs.open_flags = VFSD_OPEN_CACHE_DIR | VFSD_OPEN_KEEP_CACHE;
  Mount m(fs.backend());
  ASSERT_TRUE(m.mounted()) << m.error();
  EXPECT_EQ(list_dir(m.path()), 10);
  int before = fs.readdirs.load();
  EXPECT_GT(before, 0);
  EXPECT_EQ(list_dir(m.path()), 10);
  EXPECT_EQ(list_dir(m.path()), 10);
  EXPECT_EQ(fs.readdirs.load(), before);
  // A change through the mount drops the cached listing.
  ASSERT_EQ(unlink((m / "f3").c_str()), 0);
  EXPECT_EQ(list_dir(m.path()), 9);
  EXPECT_GT(fs.readdirs.load(), before);
}

TEST(Caching, ListingsAreReadAgainWithoutKeepCache) {
  TestFs fs;
  fs.entry_timeout = 3600;
  fs.open_flags = VFSD_OPEN_CACHE_DIR;
  Mount m(fs.backend());
  ASSERT_TRUE(m.mounted()) << m.error();
  EXPECT_EQ(list_dir(m.path()), 10);
  int before = fs.readdirs.load();
  EXPECT_EQ(list_dir(m.path()), 10);
  EXPECT_GT(fs.readdirs.load(), before);
}

TEST(Caching, NegativeLookupsNotCachedByDefault) {
  TestFs fs;
  Mount m(fs.backend());
  ASSERT_TRUE(m.mounted()) << m.error();
  struct stat st;
  int before = fs.lookups.load();
  stat((m / "missing").c_str(), &st);
  stat((m / "missing").c_str(), &st);
  EXPECT_EQ(fs.lookups.load(), before + 2);
}

TEST(Caching, InvalidationReachesTheKernel) {
  TestFs fs;
  fs.entry_timeout = 3600;
  Mount m(fs.backend());
  ASSERT_TRUE(m.mounted()) << m.error();
  struct stat st;
  ASSERT_EQ(stat((m / "f4").c_str(), &st), 0);
  EXPECT_EQ(st.st_size, 0);
  fs.set_content(4, "changed behind the kernel's back");
  ASSERT_EQ(stat((m / "f4").c_str(), &st), 0);
  EXPECT_EQ(st.st_size, 0);  // still cached
  ASSERT_EQ(vfsd_mount_notify_inval_inode(m.get(), TestFs::ino_of(4), 0, 0), 0);
  EXPECT_TRUE(wait_for(
      [&] { return stat((m / "f4").c_str(), &st) == 0 && st.st_size == 32; },
      2000ms));
  // Entry invalidation: the next access looks the name up again.
  int before = fs.lookups.load();
  ASSERT_EQ(vfsd_mount_notify_inval_entry(m.get(), VFSD_ROOT_INO, "f4"), 0);
  EXPECT_TRUE(wait_for(
      [&] {
        stat((m / "f4").c_str(), &st);
        return fs.lookups.load() > before;
      },
      2000ms));
  // After the end, notifications are refused.
  m.unmount();
}

TEST(Caching, NotificationAfterEndIsRefused) {
  TestFs fs;
  TempDir dir("mnt");
  VfsdMount *mt = vfsd_mount_new(fs.backend(), dir.path().c_str(), nullptr, nullptr);
  ASSERT_NE(mt, nullptr);
  EXPECT_EQ(vfsd_mount_notify_inval_inode(mt, 2, 0, 0), -ENOTCONN);
  ASSERT_TRUE(vfsd_mount_start(mt, nullptr));
  vfsd_mount_unmount(mt);
  vfsd_mount_wait(mt);
  EXPECT_EQ(vfsd_mount_notify_inval_entry(mt, 1, "x"), -ENOTCONN);
  g_object_unref(mt);
}

TEST(Data, WritesArriveIntact) {
  TestFs fs;
  Mount m(fs.backend());
  ASSERT_TRUE(m.mounted()) << m.error();
  std::string payload;
  for (int i = 0; i < 300000; i++) payload += static_cast<char>('a' + i % 23);
  // TestFs has no setattr, so no O_TRUNC: write over the empty file.
  int fd = open((m / "f5").c_str(), O_WRONLY);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, payload.data(), payload.size()),
            static_cast<ssize_t>(payload.size()));
  ASSERT_EQ(close(fd), 0);
  std::string back;
  ASSERT_TRUE(read_file(m / "f5", &back));
  EXPECT_EQ(back, payload);
}

namespace {
std::string iov_data;
std::atomic<int> iov_unpinned{0};
ssize_t iov_read(void *, const VfsdCtx *, uint64_t, uint64_t, size_t size,
                 int64_t off, VfsdReadBuf *rb) {
  // One segment per 1000 bytes: many segments per reply.
  size_t end = std::min(iov_data.size(), static_cast<size_t>(off) + size);
  ssize_t total = 0;
  for (size_t p = static_cast<size_t>(off); p < end; p += 1000) {
    size_t n = std::min<size_t>(1000, end - p);
    if (vfsd_read_buf_add(rb, iov_data.data() + p, n) != 0) break;
    total += static_cast<ssize_t>(n);
  }
  vfsd_read_buf_on_sent(rb, [](void *) { iov_unpinned++; }, nullptr);
  return total;
}
}  // namespace

TEST(Data, ZeroCopyReadsWithManySegments) {
  TestFs fs;
  iov_data.clear();
  for (int i = 0; i < 500000; i++) iov_data += static_cast<char>('A' + i % 26);
  fs.set_content(6, iov_data);  // for the size in getattr
  fs.ops().read = nullptr;
  fs.ops().read_iov = iov_read;
  fs.rebuild();
  Mount m(fs.backend());
  ASSERT_TRUE(m.mounted()) << m.error();
  iov_unpinned = 0;
  std::string back;
  ASSERT_TRUE(read_file(m / "f6", &back));
  EXPECT_EQ(back, iov_data);
  EXPECT_GE(iov_unpinned.load(), 1);
}

// ---- workers: the shared wait and spinning (mount-serve.c) --------------

namespace {
double cpu_seconds() {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
         ru.ru_stime.tv_usec / 1e6;
}
}  // namespace

// A spinning worker polls only for a moment after a request: an idle mount
// costs no CPU.  (A spin that never ended would burn a core: ~0.5 s here.)
TEST(Workers, SpinningStopsWhenRequestsStop) {
  GError *err = nullptr;
  VfsdBackend *ram = vfsd_ram_new(nullptr, &err);
  ASSERT_NE(ram, nullptr) << (err ? err->message : "");
  Mount m(ram, "spin=5000,attr_timeout=0,entry_timeout=0");
  g_object_unref(ram);
  ASSERT_TRUE(m.mounted()) << m.error();
  int fd = open((m / "f").c_str(), O_CREAT | O_WRONLY, 0644);
  ASSERT_GE(fd, 0);
  close(fd);
  struct stat st;
  for (int i = 0; i < 2000; i++)
    ASSERT_EQ(stat((m / "f").c_str(), &st), 0);
  std::this_thread::sleep_for(50ms);  // the last spin (5 ms) ends
  double before = cpu_seconds();
  std::this_thread::sleep_for(500ms);
  double used = cpu_seconds() - before;
  EXPECT_LT(used, 0.1) << "the mount used " << used << " s of CPU while idle";
}

// Several callers at once, each waiting on its own requests, with workers
// that drain the device and spin: every request is answered (one lost
// from the edge-triggered wait would hang a caller), each exactly once.
TEST(Workers, ConcurrentCallersAreAllServed) {
  for (const char *opts : {"threads=2,spin=0", "threads=3,spin=200",
                           "threads=1,spin=50"}) {
    SCOPED_TRACE(opts);
    GError *err = nullptr;
    VfsdBackend *ram = vfsd_ram_new(nullptr, &err);
    ASSERT_NE(ram, nullptr) << (err ? err->message : "");
    Mount m(ram, opts);
    g_object_unref(ram);
    ASSERT_TRUE(m.mounted()) << m.error();
    std::vector<std::thread> callers;
    std::atomic<int> failures{0};
    for (int t = 0; t < 4; t++)
      callers.emplace_back([&, t] {
        std::string dir = m / ("d" + std::to_string(t));
        if (mkdir(dir.c_str(), 0755) != 0) {
          failures++;
          return;
        }
        for (int i = 0; i < 300; i++) {
          std::string p = dir + "/f" + std::to_string(i);
          int fd = open(p.c_str(), O_CREAT | O_EXCL | O_WRONLY, 0644);
          struct stat st;
          if (fd < 0 || write(fd, "x", 1) != 1 || close(fd) != 0 ||
              stat(p.c_str(), &st) != 0 || st.st_size != 1 ||
              (i % 2 && unlink(p.c_str()) != 0))
            failures++;
        }
      });
    for (auto &c : callers)
      c.join();
    EXPECT_EQ(failures.load(), 0);
    for (int t = 0; t < 4; t++) {
      DIR *d = opendir((m / ("d" + std::to_string(t))).c_str());
      ASSERT_NE(d, nullptr);
      int n = 0;
      while (struct dirent *e = readdir(d))
        n += e->d_name[0] == 'f';
      closedir(d);
      EXPECT_EQ(n, 150);
    }
  }
}

// ---- VFSD_CAP_NO_OPEN ----------------------------------------------------

namespace {
// Opens and reads f0 @n times; true if every read gave @want.
bool read_back(Mount &m, int n, const std::string &want) {
  for (int i = 0; i < n; i++) {
    int fd = open((m / "f0").c_str(), O_RDONLY);
    if (fd < 0) return false;
    char buf[64];
    ssize_t got = read(fd, buf, sizeof buf);
    close(fd);
    if (got != (ssize_t)want.size() || std::string(buf, (size_t)got) != want)
      return false;
  }
  return true;
}

int count_call(void *self, VfsdCall *) {
  ++*static_cast<std::atomic<int> *>(self);
  return 0;
}
}  // namespace

// The kernel opens files itself once the first OPEN is answered ENOSYS: the
// backend's open() is never called and nothing is left to release.
TEST(NoOpen, KernelOpensFilesWithoutTheBackend) {
  TestFs fs;
  fs.set_content(0, "zero");
  fs.caps = VFSD_CAP_NO_OPEN;
  fs.open_flags = VFSD_OPEN_KEEP_CACHE;
  Mount m(fs.backend());
  ASSERT_TRUE(m.mounted()) << m.error();
  EXPECT_TRUE(read_back(m, 20, "zero"));
  EXPECT_EQ(fs.opens.load(), 0);
  EXPECT_EQ(fs.opens_outstanding(), 0);
  EXPECT_EQ(fs.violations.load(), 0) << fs.violation_text();
}

// Without the cap, or when the kernel's no-open defaults (KEEP_CACHE alone)
// are not what the mount says, every open reaches the backend.
TEST(NoOpen, OnlyWhenAskedAndWhenTheOpenFlagsAgree) {
  for (auto [caps, flags] : {std::pair<uint32_t, uint32_t>{0, VFSD_OPEN_KEEP_CACHE},
                             {VFSD_CAP_NO_OPEN, 0},
                             {VFSD_CAP_NO_OPEN, VFSD_OPEN_KEEP_CACHE | VFSD_OPEN_DIRECT_IO}}) {
    SCOPED_TRACE(testing::Message() << "caps " << caps << " flags " << flags);
    TestFs fs;
    fs.set_content(0, "zero");
    fs.caps = caps;
    fs.open_flags = flags;
    Mount m(fs.backend());
    ASSERT_TRUE(m.mounted()) << m.error();
    EXPECT_TRUE(read_back(m, 5, "zero"));
    EXPECT_EQ(fs.opens.load(), 5);
    EXPECT_TRUE(wait_for([&] { return fs.opens_outstanding() == 0; }, 2000ms));
  }
}

// A layer that sees opens (here: counts them) keeps them coming, even over
// a backend that asked for no-open.
TEST(NoOpen, ALayerThatHooksOpenKeepsOpens) {
  TestFs fs;
  fs.set_content(0, "zero");
  fs.caps = VFSD_CAP_NO_OPEN;
  fs.open_flags = VFSD_OPEN_KEEP_CACHE;
  std::atomic<int> seen{0};
  VfsdLayerHooks hooks = {};
  hooks.name = "count-opens";
  hooks.ops = VFSD_OP_BIT(VFSD_OP_OPEN);
  hooks.before = count_call;
  GError *err = nullptr;
  VfsdBackend *layer = vfsd_layer_new_hooks(&hooks, &seen, nullptr, fs.backend(), &err);
  ASSERT_NE(layer, nullptr) << (err ? err->message : "");
  Mount m(layer);
  g_object_unref(layer);
  ASSERT_TRUE(m.mounted()) << m.error();
  EXPECT_TRUE(read_back(m, 5, "zero"));
  EXPECT_EQ(seen.load(), 5);
  EXPECT_EQ(fs.opens.load(), 5);
}
