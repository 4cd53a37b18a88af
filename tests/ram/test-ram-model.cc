// SPDX-License-Identifier: LGPL-2.1-or-later
// The randomized model test: random writes, reads, truncates, fallocates,
// hole punches, copy_file_range, O_APPEND writes and mmap reads and writes
// across several files of a mount, each checked against an in-memory
// shadow.  It runs on a tmpfs too, which proves the model right.
//
//   VFSD_RAM_SEED=N         the seed (default 1; printed on failure)
//   VFSD_RAM_MODEL_OPS=N    operations per file system (default 3000)
// `make check-ram-long` runs it with many more operations and a new seed.
#include "posix-fixture.h"

#include <linux/falloc.h>
#include <sys/mman.h>

#include <deque>
#include <random>
#include <sstream>

using namespace ramtest;

namespace {

const int kFiles = 4;
const uint64_t kMaxSize = 12 << 20;  // keeps the shadow small

uint64_t env_u64(const char *name, uint64_t dflt) {
  const char *v = getenv(name);
  return v && *v ? strtoull(v, nullptr, 10) : dflt;
}

class Model : public Posix {
 protected:
  std::mt19937_64 rng;
  std::vector<std::string> shadow = std::vector<std::string>(kFiles);
  std::vector<int> fds = std::vector<int>(kFiles, -1);
  std::deque<std::string> log;  // the last operations, shown on failure
  uint64_t seed = 1;

  void TearDown() override {
    for (int &fd : fds)
      if (fd >= 0) close(fd), fd = -1;
    Posix::TearDown();
  }

  std::string name(int k) { return p("file" + std::to_string(k)); }
  uint64_t below(uint64_t n) { return n ? rng() % n : 0; }
  // Offsets favour the interesting places: page and chunk edges, the end.
  uint64_t offset(int k) {
    uint64_t size = shadow[k].size();
    switch (below(5)) {
      case 0: return below(size + 1);
      case 1: return below(kMaxSize / 4096) * 4096;
      case 2: return below(kMaxSize / 65536 - 1) * 65536 + 65535 + below(3);
      case 3: return size;
      default: return below(kMaxSize);
    }
  }
  uint64_t length() {
    switch (below(4)) {
      case 0: return 1 + below(16);
      case 1: return 1 + below(8192);
      case 2: return 4096 * (1 + below(32));
      default: return 1 + below(300000);
    }
  }
  std::string bytes(size_t n) {
    std::string s(n, '\0');
    uint64_t x = rng();
    for (size_t i = 0; i < n; i++) {
      if (i % 8 == 0) x = x * 6364136223846793005ULL + 1442695040888963407ULL;
      s[i] = static_cast<char>(x >> (8 * (i % 8)));
    }
    return s;
  }
  void note(const std::string &what) {
    log.push_back(what);
    if (log.size() > 20) log.pop_front();
  }
  std::string history() {
    std::ostringstream o;
    o << "seed " << seed << "; last operations:\n";
    for (auto &l : log) o << "  " << l << "\n";
    return o.str();
  }

  static void put(std::string &s, uint64_t off, const std::string &data) {
    if (s.size() < off + data.size()) s.resize(off + data.size(), '\0');
    s.replace(off, data.size(), data);
  }
  static void zero(std::string &s, uint64_t off, uint64_t len) {
    if (off >= s.size()) return;
    len = std::min<uint64_t>(len, s.size() - off);
    s.replace(off, len, std::string(len, '\0'));
  }

  // One random operation on file k; false when the file system disagrees.
  void step() {
    int k = static_cast<int>(below(kFiles));
    int fd = fds[k];
    std::string &sh = shadow[k];
    uint64_t off = offset(k), len = length();
    std::ostringstream op;
    switch (below(13)) {
      case 0: case 1: case 2: {  // pwrite
        len = std::min(len, kMaxSize - std::min(off, kMaxSize));
        std::string d = bytes(len);
        op << "pwrite(" << k << ", " << off << ", " << len << ")";
        note(op.str());
        ASSERT_EQ(pwrite(fd, d.data(), d.size(), off), (ssize_t)len) << history();
        put(sh, off, d);
        break;
      }
      case 3: case 4: {  // pread
        op << "pread(" << k << ", " << off << ", " << len << ")";
        note(op.str());
        std::string got(len, '?');
        ssize_t n = pread(fd, &got[0], len, off);
        uint64_t want = off < sh.size() ? std::min<uint64_t>(len, sh.size() - off) : 0;
        ASSERT_EQ(n, (ssize_t)want) << history();
        ASSERT_TRUE(want == 0 || got.compare(0, want, sh, off, want) == 0)
            << history();
        break;
      }
      case 5: {  // ftruncate
        off = std::min(off, kMaxSize);
        op << "ftruncate(" << k << ", " << off << ")";
        note(op.str());
        ASSERT_EQ(ftruncate(fd, off), 0) << history();
        sh.resize(off, '\0');
        break;
      }
      case 6: {  // fallocate
        len = std::min(len, kMaxSize - std::min(off, kMaxSize - 1));
        static const int modes[] = {0, FALLOC_FL_KEEP_SIZE,
                                    FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                                    FALLOC_FL_ZERO_RANGE,
                                    FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE};
        int mode = modes[below(5)];
        op << "fallocate(" << k << ", 0x" << std::hex << mode << std::dec
           << ", " << off << ", " << len << ")";
        note(op.str());
        int r = fallocate(fd, mode, off, len);
        if (r != 0 && errno == EOPNOTSUPP && !ram() &&
            (mode & FALLOC_FL_ZERO_RANGE))
          break;  // tmpfs has no ZERO_RANGE
        ASSERT_EQ(r, 0) << strerror(errno) << "\n" << history();
        if (mode & (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE)) zero(sh, off, len);
        if (!(mode & FALLOC_FL_KEEP_SIZE) && sh.size() < off + len)
          sh.resize(off + len, '\0');
        break;
      }
      case 7: {  // copy_file_range, maybe within one file
        int j = static_cast<int>(below(kFiles));
        uint64_t in = below(shadow[j].size() + 1);
        off = std::min(off, kMaxSize - std::min(len, kMaxSize));
        op << "copy_file_range(" << j << "@" << in << " -> " << k << "@" << off
           << ", " << len << ")";
        note(op.str());
        uint64_t n = in < shadow[j].size()
                         ? std::min<uint64_t>(len, shadow[j].size() - in) : 0;
        if (j == k && in < off + n && off < in + n) break;  // overlap: EINVAL
        std::string src = shadow[j].substr(std::min<uint64_t>(in, shadow[j].size()), n);
        loff_t oi = in, oo = off;
        uint64_t done = 0;
        while (done < n) {
          ssize_t c = copy_file_range(fds[j], &oi, fd, &oo, n - done, 0);
          ASSERT_GT(c, 0) << strerror(errno) << "\n" << history();
          done += c;
        }
        put(sh, off, src);
        break;
      }
      case 8: {  // O_APPEND write through another descriptor
        len = std::min(len, kMaxSize - std::min<uint64_t>(sh.size(), kMaxSize));
        if (len == 0) break;
        op << "append(" << k << ", " << len << ")";
        note(op.str());
        int a = open(name(k).c_str(), O_WRONLY | O_APPEND);
        ASSERT_GE(a, 0);
        std::string d = bytes(len);
        ASSERT_EQ(write(a, d.data(), d.size()), (ssize_t)len) << history();
        close(a);
        sh += d;
        break;
      }
      case 9: {  // mmap read and write
        if (sh.empty()) break;
        off = below(sh.size());
        len = std::min<uint64_t>(len, sh.size() - off);
        op << "mmap(" << k << ", " << off << ", " << len << ")";
        note(op.str());
        char *m = static_cast<char *>(mmap(nullptr, sh.size(),
                                           PROT_READ | PROT_WRITE, MAP_SHARED,
                                           fd, 0));
        ASSERT_NE(m, MAP_FAILED) << history();
        ASSERT_EQ(memcmp(m + off, sh.data() + off, len), 0) << history();
        std::string d = bytes(std::min<uint64_t>(len, 5000));
        memcpy(m + off, d.data(), d.size());
        ASSERT_EQ(msync(m, sh.size(), MS_SYNC), 0);
        munmap(m, sh.size());
        put(sh, off, d);
        break;
      }
      case 10: {  // SEEK_DATA / SEEK_HOLE agree with the data
        if (sh.empty()) break;
        off = below(sh.size());
        op << "seek(" << k << ", " << off << ")";
        note(op.str());
        off_t d = lseek(fd, off, SEEK_DATA);
        uint64_t end = d < 0 ? sh.size() : static_cast<uint64_t>(d);
        ASSERT_TRUE(d >= 0 || errno == ENXIO) << history();
        ASSERT_GE(end, off) << history();
        size_t first = sh.find_first_not_of('\0', off);
        ASSERT_TRUE(first == std::string::npos || first >= end)
            << "SEEK_DATA from " << off << " gave " << end << ", but data is at "
            << first << "\n" << history();
        off_t h = lseek(fd, off, SEEK_HOLE);
        ASSERT_GE(h, (off_t)off) << history();
        ASSERT_LE(h, (off_t)sh.size()) << history();
        uint64_t page_end = std::min<uint64_t>(sh.size(), (h | 4095) + 1);
        first = sh.find_first_not_of('\0', h);
        ASSERT_TRUE(first == std::string::npos || first >= page_end)
            << "SEEK_HOLE from " << off << " gave " << h << ", but data is at "
            << first << "\n" << history();
        break;
      }
      case 11: {  // close and reopen: cached pages must still be right
        op << "reopen(" << k << ")";
        note(op.str());
        close(fd);
        fds[k] = open(name(k).c_str(), O_RDWR);
        ASSERT_GE(fds[k], 0);
        break;
      }
      default: {  // the whole file and its size
        op << "verify(" << k << ")";
        note(op.str());
        struct stat s {};
        ASSERT_EQ(fstat(fd, &s), 0);
        ASSERT_EQ((uint64_t)s.st_size, sh.size()) << history();
        std::string all;
        ASSERT_TRUE(vfsdtest::read_file(name(k), &all));
        ASSERT_TRUE(all == sh) << "content differs\n" << history();
      }
    }
  }
};

TEST_P(Model, RandomOperations) {
  seed = env_u64("VFSD_RAM_SEED", 1);
  uint64_t ops = env_u64("VFSD_RAM_MODEL_OPS", 3000);
  printf("# seed %llu, %llu operations\n", (unsigned long long)seed,
         (unsigned long long)ops);
  rng.seed(seed);
  for (int k = 0; k < kFiles; k++) {
    fds[k] = open(name(k).c_str(), O_CREAT | O_RDWR, 0644);
    ASSERT_GE(fds[k], 0);
  }
  for (uint64_t i = 0; i < ops && !HasFatalFailure() && !HasFailure(); i++)
    step();
  for (int k = 0; k < kFiles && !HasFailure(); k++) {
    std::string all;
    ASSERT_TRUE(vfsdtest::read_file(name(k), &all));
    EXPECT_TRUE(all == shadow[k]) << "file " << k << "\n" << history();
  }
  if (HasFailure())
    printf("# failed with VFSD_RAM_SEED=%llu\n", (unsigned long long)seed);
}

INSTANTIATE_TEST_SUITE_P(Fs, Model, ::testing::Values("tmpfs", "ram"),
                         [](const auto &info) { return info.param; });

}  // namespace
