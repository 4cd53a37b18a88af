// SPDX-License-Identifier: LGPL-2.1-or-later
// A fake backend that counts calls and returns what a test tells it to.
// Used by the unit tests to reach the choke point (vfsd_call_*) with no
// kernel involved.
#pragma once

#include <vfsd/vfsd.h>

#include <sys/stat.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <map>
#include <mutex>
#include <string>

namespace vfsdtest {

struct Fake {
  std::mutex mu;
  std::map<std::string, int> calls;  // op name -> count
  long ret = 0;                      // what the next op returns
  uint64_t entry_ino = 42;           // what lookup-like ops answer
  uint32_t entry_mode = S_IFREG | 0644;
  size_t read_fill = 0;              // bytes read() claims to give
  int count(const std::string &op) {
    std::lock_guard<std::mutex> g(mu);
    return calls[op];
  }
  void hit(const char *op) {
    std::lock_guard<std::mutex> g(mu);
    calls[op]++;
  }
};

inline Fake *F(void *self) { return static_cast<Fake *>(self); }

inline void fake_fill(Fake *f, VfsdEntry *e) {
  e->ino = f->entry_ino;
  e->attr.ino = f->entry_ino;
  e->attr.mode = f->entry_mode;
  e->attr.nlink = 1;
}

extern "C" {
inline int fk_lookup(void *s, const VfsdCtx *, uint64_t, const char *,
                     VfsdEntry *e) {
  F(s)->hit("lookup");
  if (F(s)->ret == 0) fake_fill(F(s), e);
  return static_cast<int>(F(s)->ret);
}
inline int fk_getattr(void *s, const VfsdCtx *, uint64_t ino, uint64_t,
                      VfsdAttr *a) {
  F(s)->hit("getattr");
  a->mode = F(s)->entry_mode;
  a->nlink = 1;
  a->ino = ino;
  return static_cast<int>(F(s)->ret);
}
inline int fk_mkdir(void *s, const VfsdCtx *, uint64_t, const char *, uint32_t,
                    VfsdEntry *e) {
  F(s)->hit("mkdir");
  if (F(s)->ret == 0) fake_fill(F(s), e);
  return static_cast<int>(F(s)->ret);
}
inline ssize_t fk_read(void *s, const VfsdCtx *, uint64_t, uint64_t, char *buf,
                       size_t size, int64_t) {
  F(s)->hit("read");
  if (F(s)->ret != 0) return F(s)->ret;
  size_t n = F(s)->read_fill;
  memset(buf, 'x', n < size ? n : size);
  return static_cast<ssize_t>(n);
}
inline ssize_t fk_write(void *s, const VfsdCtx *, uint64_t, uint64_t,
                        const char *, size_t size, int64_t, uint32_t) {
  F(s)->hit("write");
  return F(s)->ret ? F(s)->ret : static_cast<ssize_t>(size);
}
inline void fk_forget(void *s, uint64_t) { F(s)->hit("forget"); }
inline void fk_destroy(void *s) { F(s)->hit("destroy"); }
inline int fk_init(void *s, VfsdInit *) {
  F(s)->hit("init");
  return 0;
}
}

// The smallest complete backend: lookup and getattr.
inline VfsdOps fake_min_ops() {
  VfsdOps ops;
  vfsd_ops_init(&ops, "fake", VFSD_THREAD_PARALLEL);
  ops.lookup = fk_lookup;
  ops.getattr = fk_getattr;
  return ops;
}

}  // namespace vfsdtest
