// SPDX-License-Identifier: LGPL-2.1-or-later
// TestFs: a small backend for the mount tests.  One root directory of
// regular files f0..fN-1 (inodes 2..N+1) that can be unlinked, with
// index-based (unstable!) readdir offsets, and hooks a test can set:
// block a getattr, end the mount from inside an operation, misbehave.
// It checks the library's promises as it goes: no forget without a lookup
// since the last forget, no forget of an open inode, destroy exactly once.
#pragma once

#include <vfsd/vfsd.h>

#include <sys/stat.h>

#include <atomic>
#include <condition_variable>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace vfsdtest {

class TestFs {
 public:
  explicit TestFs(int nfiles = 8, uint32_t thread_model = VFSD_THREAD_PARALLEL,
                  uint32_t flags = 0) {
    for (int i = 0; i < nfiles; i++) names_.push_back("f" + std::to_string(i));
    present_.assign(nfiles, true);
    contents_.assign(nfiles, std::string());
    vfsd_ops_init(&ops_, "testfs", thread_model);
    ops_.flags = flags;
    ops_.init = s_init;
    ops_.destroy = s_destroy;
    ops_.lookup = s_lookup;
    ops_.forget = s_forget;
    ops_.getattr = s_getattr;
    ops_.open = s_open;
    ops_.release = s_release;
    ops_.read = s_read;
    ops_.write = s_write;
    ops_.unlink = s_unlink;
    ops_.readdir = s_readdir;
    GError *err = nullptr;
    backend_ = vfsd_backend_new(&ops_, this, nullptr, &err);
    if (err) g_error_free(err);
  }
  ~TestFs() {
    if (backend_) g_object_unref(backend_);
  }
  VfsdBackend *backend() { return backend_; }
  VfsdOps &ops() { return ops_; }
  // Rebuilds the backend object after the test changed ops().
  void rebuild() {
    g_object_unref(backend_);
    backend_ = vfsd_backend_new(&ops_, this, nullptr, nullptr);
  }

  // ---- hooks ----
  std::atomic<uint64_t> block_ino{0};     // getattr of this inode blocks
  std::atomic<uint64_t> exit_ino{0};      // getattr of this inode ends the mount
  std::atomic<int> sleep_us{0};           // every op sleeps this long
  std::atomic<long> read_extra{0};        // read() claims this many bytes more than asked
  VfsdMount *mount = nullptr;             // set by init()
  double negative_timeout = 0;
  double entry_timeout = 1.0;
  uint32_t open_flags = 0;                // added to VfsdInit.open_flags
  uint32_t caps = 0;                      // added to VfsdInit.caps

  void release_block() {
    std::lock_guard<std::mutex> g(mu_);
    released_ = true;
    cv_.notify_all();
  }

  // ---- observations ----
  std::atomic<int> destroys{0}, inits{0}, forgets{0}, lookups{0}, getattrs{0};
  std::atomic<int> readdirs{0}, opens{0};
  std::atomic<int> violations{0};        // broken library promises
  std::atomic<int> in_flight{0}, max_in_flight{0};
  std::atomic<int> blocked_now{0};
  std::atomic<int> destroy_while_busy{0};
  std::string violation_text() {
    std::lock_guard<std::mutex> g(mu_);
    return why_;
  }
  int opens_outstanding() {
    std::lock_guard<std::mutex> g(mu_);
    int n = 0;
    for (auto &kv : open_) n += kv.second;
    return n;
  }
  void set_content(int i, const std::string &s) {
    std::lock_guard<std::mutex> g(mu_);
    contents_[i] = s;
  }

  static uint64_t ino_of(int i) { return static_cast<uint64_t>(i) + 2; }

 private:
  static TestFs *T(void *s) { return static_cast<TestFs *>(s); }

  struct Busy {  // tracks concurrency of backend calls
    TestFs *t;
    explicit Busy(TestFs *tt) : t(tt) {
      int n = ++t->in_flight;
      int m = t->max_in_flight.load();
      while (n > m && !t->max_in_flight.compare_exchange_weak(m, n)) {
      }
      if (int us = t->sleep_us.load()) g_usleep(static_cast<gulong>(us));
    }
    ~Busy() { --t->in_flight; }
  };

  void violate(const std::string &why) {
    std::lock_guard<std::mutex> g(mu_);
    violations++;
    why_ += why + "; ";
  }

  int index_of(uint64_t ino) {
    if (ino < 2 || ino >= 2 + names_.size()) return -1;
    return static_cast<int>(ino - 2);
  }

  void fill(int i, VfsdAttr *a) {
    a->ino = ino_of(i);
    a->mode = S_IFREG | 0644;
    a->nlink = present_[i] ? 1 : 0;
    a->size = contents_[i].size();
  }

  static int s_init(void *s, VfsdInit *in) {
    TestFs *t = T(s);
    t->inits++;
    t->mount = in->mount;
    in->negative_timeout = t->negative_timeout;
    in->entry_timeout = t->entry_timeout;
    in->attr_timeout = t->entry_timeout;
    in->open_flags |= t->open_flags;
    in->caps |= t->caps;
    return 0;
  }
  static void s_destroy(void *s) {
    TestFs *t = T(s);
    if (t->in_flight.load() != 0) t->destroy_while_busy++;
    t->destroys++;
  }
  static int s_lookup(void *s, const VfsdCtx *, uint64_t parent,
                      const char *name, VfsdEntry *e) {
    TestFs *t = T(s);
    Busy b(t);
    t->lookups++;
    if (parent != VFSD_ROOT_INO) return -ENOTDIR;
    std::lock_guard<std::mutex> g(t->mu_);
    for (size_t i = 0; i < t->names_.size(); i++)
      if (t->present_[i] && t->names_[i] == name) {
        e->ino = ino_of(static_cast<int>(i));
        t->fill(static_cast<int>(i), &e->attr);
        t->referenced_[e->ino] = true;
        return 0;
      }
    return -ENOENT;
  }
  static void s_forget(void *s, uint64_t ino) {
    TestFs *t = T(s);
    t->forgets++;
    bool ref, open;
    {
      std::lock_guard<std::mutex> g(t->mu_);
      ref = t->referenced_[ino];
      open = t->open_[ino] > 0;
      t->referenced_[ino] = false;
    }
    if (!ref) t->violate("forget(" + std::to_string(ino) + ") without a lookup since the last one");
    if (open) t->violate("forget(" + std::to_string(ino) + ") while open");
  }
  static int s_getattr(void *s, const VfsdCtx *, uint64_t ino, uint64_t,
                       VfsdAttr *a) {
    TestFs *t = T(s);
    Busy b(t);
    t->getattrs++;
    if (ino == t->block_ino.load()) {
      t->blocked_now++;
      std::unique_lock<std::mutex> g(t->mu_);
      t->cv_.wait(g, [t] { return t->released_; });
      t->blocked_now--;
    }
    if (ino == t->exit_ino.load() && t->mount) vfsd_mount_exit(t->mount);
    if (ino == VFSD_ROOT_INO) {
      a->mode = S_IFDIR | 0755;
      a->nlink = 2;
      return 0;
    }
    std::lock_guard<std::mutex> g(t->mu_);
    int i = t->index_of(ino);
    if (i < 0) return -ENOENT;
    t->fill(i, a);
    return 0;
  }
  static int s_open(void *s, const VfsdCtx *, uint64_t ino, VfsdOpenInfo *oi) {
    TestFs *t = T(s);
    Busy b(t);
    std::lock_guard<std::mutex> g(t->mu_);
    if (t->index_of(ino) < 0) return -ENOENT;
    t->opens++;
    t->open_[ino]++;
    oi->fh = ino * 1000 + static_cast<uint64_t>(t->open_[ino]);
    return 0;
  }
  static int s_release(void *s, const VfsdCtx *, uint64_t ino, uint64_t,
                       int32_t) {
    TestFs *t = T(s);
    std::lock_guard<std::mutex> g(t->mu_);
    t->open_[ino]--;
    return 0;
  }
  static ssize_t s_read(void *s, const VfsdCtx *, uint64_t ino, uint64_t,
                        char *buf, size_t size, int64_t off) {
    TestFs *t = T(s);
    Busy b(t);
    std::lock_guard<std::mutex> g(t->mu_);
    int i = t->index_of(ino);
    if (i < 0) return -ENOENT;
    const std::string &c = t->contents_[i];
    if (t->read_extra.load())  // a broken backend: more than was asked
      return static_cast<ssize_t>(size) + t->read_extra.load();
    if (static_cast<size_t>(off) >= c.size()) return 0;
    size_t n = std::min(size, c.size() - static_cast<size_t>(off));
    memcpy(buf, c.data() + off, n);
    return static_cast<ssize_t>(n);
  }
  static ssize_t s_write(void *s, const VfsdCtx *, uint64_t ino, uint64_t,
                         const char *buf, size_t size, int64_t off, uint32_t) {
    TestFs *t = T(s);
    Busy b(t);
    std::lock_guard<std::mutex> g(t->mu_);
    int i = t->index_of(ino);
    if (i < 0) return -ENOENT;
    std::string &c = t->contents_[i];
    if (c.size() < static_cast<size_t>(off) + size) c.resize(static_cast<size_t>(off) + size);
    memcpy(&c[static_cast<size_t>(off)], buf, size);
    return static_cast<ssize_t>(size);
  }
  static int s_unlink(void *s, const VfsdCtx *, uint64_t parent,
                      const char *name) {
    TestFs *t = T(s);
    Busy b(t);
    std::lock_guard<std::mutex> g(t->mu_);
    for (size_t i = 0; i < t->names_.size(); i++)
      if (t->present_[i] && t->names_[i] == name) {
        t->present_[i] = false;
        return 0;
      }
    return -ENOENT;
  }
  // Offsets are positions among the entries present NOW: removing an entry
  // shifts every later offset.  Only the library's snapshot makes resumed
  // listings correct.
  static int s_readdir(void *s, const VfsdCtx *, uint64_t ino, uint64_t,
                       int64_t off, VfsdDirFiller *f) {
    TestFs *t = T(s);
    Busy b(t);
    t->readdirs++;
    if (ino != VFSD_ROOT_INO) return -ENOTDIR;
    std::vector<std::pair<std::string, uint64_t>> list = {
        {".", VFSD_ROOT_INO}, {"..", VFSD_ROOT_INO}};
    {
      std::lock_guard<std::mutex> g(t->mu_);
      for (size_t i = 0; i < t->names_.size(); i++)
        if (t->present_[i]) list.push_back({t->names_[i], ino_of(static_cast<int>(i))});
    }
    for (size_t i = static_cast<size_t>(off); i < list.size(); i++)
      if (!vfsd_dir_add(f, list[i].first.c_str(), list[i].second,
                        i < 2 ? S_IFDIR : S_IFREG, static_cast<int64_t>(i) + 1))
        break;
    return 0;
  }

  VfsdOps ops_;
  VfsdBackend *backend_ = nullptr;
  std::mutex mu_;
  std::condition_variable cv_;
  bool released_ = false;
  std::vector<std::string> names_;
  std::vector<bool> present_;
  std::vector<std::string> contents_;
  std::map<uint64_t, bool> referenced_;
  std::map<uint64_t, int> open_;
  std::string why_;
};

}  // namespace vfsdtest
