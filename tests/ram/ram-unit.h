// SPDX-License-Identifier: LGPL-2.1-or-later
// The fixture of the RAM backend's unit tests: a backend called through the
// choke point (vfsd_call_*), with no mount and no kernel.  Every test ends
// with the consistency check.
#pragma once

#include <vfsd/vfsd.h>
#include <vfsd/ram.h>

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>

#include <string>
#include <vector>

namespace ramtest {

inline VfsdCtx make_ctx(uint32_t uid = 0, uint32_t gid = 0,
                        std::vector<uint32_t> *groups = nullptr) {
  VfsdCtx c{};
  c.uid = uid;
  c.gid = gid;
  c.pid = 1;
  if (groups) {
    c.groups = groups->data();
    c.ngroups = static_cast<uint32_t>(groups->size());
  }
  return c;
}

class RamTest : public ::testing::Test {
 protected:
  VfsdBackend *b = nullptr;
  VfsdCtx ctx = make_ctx();
  virtual const char *options() { return "size=16M,nr_inodes=1000"; }

  void SetUp() override {
    GError *err = nullptr;
    b = vfsd_ram_backend_new(options(), &err);
    ASSERT_NE(b, nullptr) << (err ? err->message : "");
  }
  void TearDown() override {
    if (!b) return;
    GString *report = g_string_new(nullptr);
    EXPECT_EQ(vfsd_ram_check(b, report), 0) << report->str;
    g_string_free(report, TRUE);
    g_object_unref(b);
  }

  VfsdRamUsage usage() {
    VfsdRamUsage u{};
    EXPECT_EQ(vfsd_ram_get_usage(b, &u), 0);
    return u;
  }
  int check() {
    GString *report = g_string_new(nullptr);
    int n = vfsd_ram_check(b, report);
    if (n) ADD_FAILURE() << report->str;
    g_string_free(report, TRUE);
    return n;
  }

  VfsdEntry entry() {
    VfsdEntry e{};
    return e;
  }
  int lookup(uint64_t parent, const char *name, VfsdEntry *e = nullptr) {
    VfsdEntry tmp{};
    return vfsd_call_lookup(b, &ctx, parent, name, e ? e : &tmp);
  }
  uint64_t ino_of(uint64_t parent, const char *name) {
    VfsdEntry e{};
    return lookup(parent, name, &e) == 0 ? e.ino : 0;
  }
  VfsdAttr attr(uint64_t ino) {
    VfsdAttr a{};
    EXPECT_EQ(vfsd_call_getattr(b, &ctx, ino, VFSD_NO_FH, &a), 0);
    return a;
  }
  // Creates and opens a file; returns its handle in *fh.
  int create(uint64_t parent, const char *name, uint32_t mode, int flags,
             uint64_t *fh, VfsdEntry *e = nullptr) {
    VfsdOpenInfo oi{};
    VfsdEntry tmp{};
    oi.flags = flags;
    int r = vfsd_call_create(b, &ctx, parent, name, S_IFREG | mode, &oi,
                             e ? e : &tmp);
    if (r == 0 && fh) *fh = oi.fh;
    return r;
  }
  // Creates a closed file; returns its inode.
  uint64_t mkfile(uint64_t parent, const char *name, uint32_t mode = 0644) {
    uint64_t fh = 0;
    VfsdEntry e{};
    EXPECT_EQ(create(parent, name, mode, O_RDWR | O_CREAT, &fh, &e), 0);
    EXPECT_EQ(vfsd_call_release(b, &ctx, e.ino, fh, O_RDWR), 0);
    return e.ino;
  }
  uint64_t mkdir(uint64_t parent, const char *name, uint32_t mode = 0755) {
    VfsdEntry e{};
    EXPECT_EQ(vfsd_call_mkdir(b, &ctx, parent, name, mode, &e), 0);
    return e.ino;
  }
  int open(uint64_t ino, int flags, uint64_t *fh) {
    VfsdOpenInfo oi{};
    oi.flags = flags;
    int r = vfsd_call_open(b, &ctx, ino, &oi);
    if (r == 0) *fh = oi.fh;
    return r;
  }
  void close(uint64_t ino, uint64_t fh) {
    EXPECT_EQ(vfsd_call_release(b, &ctx, ino, fh, 0), 0);
  }
  ssize_t pwrite(uint64_t ino, uint64_t fh, const std::string &data,
                 int64_t off) {
    return vfsd_call_write(b, &ctx, ino, fh, data.data(), data.size(), off, 0);
  }
  std::string pread(uint64_t ino, uint64_t fh, size_t size, int64_t off) {
    std::string s(size, '\0');
    ssize_t n = vfsd_call_read(b, &ctx, ino, fh, &s[0], size, off);
    if (n < 0) return "<" + std::to_string(n) + ">";
    s.resize(static_cast<size_t>(n));
    return s;
  }
  // Writes a whole file's content through a fresh handle.
  void put(uint64_t ino, const std::string &data, int64_t off = 0) {
    uint64_t fh = 0;
    ASSERT_EQ(open(ino, O_WRONLY, &fh), 0);
    ASSERT_EQ(pwrite(ino, fh, data, off), static_cast<ssize_t>(data.size()));
    close(ino, fh);
  }
  std::string get(uint64_t ino, size_t size = 1 << 20, int64_t off = 0) {
    uint64_t fh = 0;
    EXPECT_EQ(open(ino, O_RDONLY, &fh), 0);
    std::string s = pread(ino, fh, size, off);
    close(ino, fh);
    return s;
  }
  int setattr(uint64_t ino, const VfsdAttr &in, uint32_t set,
              VfsdAttr *out = nullptr) {
    VfsdAttr tmp{};
    return vfsd_call_setattr(b, &ctx, ino, VFSD_NO_FH, &in, set,
                             out ? out : &tmp);
  }
  // Names in a directory, through readdir (without "." and "..").
  std::vector<std::string> list(uint64_t dir) {
    std::vector<std::string> names;
    VfsdOpenInfo oi{};
    EXPECT_EQ(vfsd_call_opendir(b, &ctx, dir, &oi), 0);
    VfsdDirFiller *f = vfsd_dir_filler_new(
        false,
        [](void *data, const char *name, uint64_t, uint32_t,
           const VfsdEntry *, int64_t) {
          std::string n(name);
          if (n != "." && n != "..")
            static_cast<std::vector<std::string> *>(data)->push_back(n);
          return true;
        },
        &names);
    EXPECT_EQ(vfsd_call_readdir(b, &ctx, dir, oi.fh, 0, f), 0);
    vfsd_dir_filler_free(f);
    EXPECT_EQ(vfsd_call_releasedir(b, &ctx, dir, oi.fh), 0);
    std::sort(names.begin(), names.end());
    return names;
  }
};

}  // namespace ramtest
