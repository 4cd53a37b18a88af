// SPDX-License-Identifier: LGPL-2.1-or-later
// Unit tests of the RAM backend through its vtable, no mount: options, the
// backend object, names (lookup, create, mknod, mkdir, symlink, link,
// unlink, rmdir, rename), listings and the lifetime of inodes.
#include "ram-unit.h"

#include <linux/fs.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <random>
#include <set>

using namespace ramtest;
using Names = std::vector<std::string>;

// ---- creating the backend ------------------------------------------------

TEST(RamOptions, DefaultsAndLimits) {
  GError *err = nullptr;
  VfsdBackend *b = vfsd_ram_backend_new(nullptr, &err);
  ASSERT_NE(b, nullptr);
  EXPECT_STREQ(vfsd_backend_get_name(b), "ram");
  EXPECT_EQ(vfsd_backend_get_thread_model(b), VFSD_THREAD_PARALLEL);
  EXPECT_TRUE(vfsd_backend_get_ops(b)->flags & VFSD_BACKEND_STABLE_DIR_OFFSETS);
  VfsdRamUsage u{};
  ASSERT_EQ(vfsd_ram_get_usage(b, &u), 0);
  EXPECT_GT(u.bytes_limit, 0u);  // half the RAM
  EXPECT_GT(u.inodes_limit, 0u);
  EXPECT_EQ(u.inodes_used, 1u);  // the root
  VfsdCtx ctx = make_ctx();
  VfsdAttr a{};
  ASSERT_EQ(vfsd_call_getattr(b, &ctx, VFSD_ROOT_INO, VFSD_NO_FH, &a), 0);
  EXPECT_EQ(a.mode, static_cast<uint32_t>(S_IFDIR | 01777));
  EXPECT_EQ(a.uid, geteuid());
  EXPECT_EQ(a.nlink, 2u);
  EXPECT_EQ(a.size, 40u);
  g_object_unref(b);

  b = vfsd_ram_new("size=1G,nr_inodes=10k,mode=0750,uid=12,gid=34", &err);
  ASSERT_NE(b, nullptr) << err->message;
  ASSERT_EQ(vfsd_ram_get_usage(b, &u), 0);
  EXPECT_EQ(u.bytes_limit, 1ull << 30);
  EXPECT_EQ(u.inodes_limit, 10240u);
  ASSERT_EQ(vfsd_call_getattr(b, &ctx, VFSD_ROOT_INO, VFSD_NO_FH, &a), 0);
  EXPECT_EQ(a.mode, static_cast<uint32_t>(S_IFDIR | 0750));
  EXPECT_EQ(a.uid, 12u);
  EXPECT_EQ(a.gid, 34u);
  guint64 limit = 0;
  g_object_get(b, "bytes-limit", &limit, nullptr);
  EXPECT_EQ(limit, 1ull << 30);
  gchar *report = nullptr;
  EXPECT_TRUE(vfsd_ram_backend_check(VFSD_RAM_BACKEND(b), &report));
  EXPECT_STREQ(report, "");
  g_free(report);
  g_object_unref(b);

  b = vfsd_ram_new("size=0,nr_inodes=0,size=25%", &err);
  ASSERT_NE(b, nullptr);
  ASSERT_EQ(vfsd_ram_get_usage(b, &u), 0);
  EXPECT_GT(u.bytes_limit, 0u);
  EXPECT_EQ(u.inodes_limit, 0u);
  g_object_unref(b);
}

// What the backend implements, and what it leaves to the library's
// defaults on purpose (see doc/backends/ram.md).
TEST(RamOptions, OperationsImplemented) {
  VfsdBackend *b = vfsd_ram_new("", nullptr);
  const VfsdOpId leave[] = {VFSD_OP_FLUSH, VFSD_OP_FSYNC, VFSD_OP_FSYNCDIR,
                            VFSD_OP_ACCESS, VFSD_OP_GETLK, VFSD_OP_SETLK,
                            VFSD_OP_FLOCK, VFSD_OP_BMAP, VFSD_OP_IOCTL,
                            VFSD_OP_POLL};
  for (int op = 0; op < VFSD_OP_COUNT; op++) {
    bool left = std::find(std::begin(leave), std::end(leave), op) !=
                std::end(leave);
    EXPECT_EQ(vfsd_backend_implements(b, static_cast<VfsdOpId>(op)), !left)
        << vfsd_op_name(static_cast<VfsdOpId>(op));
  }
  VfsdCtx ctx = make_ctx();
  EXPECT_EQ(vfsd_call_fsync(b, &ctx, VFSD_ROOT_INO, 0, 0), -ENOSYS);
  VfsdStatfs s{};
  EXPECT_EQ(vfsd_call_statfs(b, &ctx, VFSD_ROOT_INO, &s), 0);
  EXPECT_GT(s.blocks, 0u);
  char buf[8];
  EXPECT_EQ(vfsd_call_readlink(b, &ctx, 4711, buf, sizeof buf), -ENOENT);
  EXPECT_EQ(vfsd_call_readlink(b, &ctx, VFSD_ROOT_INO, buf, sizeof buf),
            -EINVAL);
  VfsdOpenInfo oi{};
  EXPECT_EQ(vfsd_call_opendir(b, &ctx, 4711, &oi), -ENOENT);
  EXPECT_EQ(vfsd_call_listxattr(b, &ctx, 4711, buf, sizeof buf), -ENOENT);
  EXPECT_EQ(vfsd_call_removexattr(b, &ctx, 4711, "user.x"), -ENOENT);
  EXPECT_EQ(vfsd_call_setxattr(b, &ctx, 4711, "user.x", "v", 1, 0), -ENOENT);
  EXPECT_EQ(vfsd_call_rename(b, &ctx, 4711, "a", VFSD_ROOT_INO, "b", 0),
            -ENOENT);
  EXPECT_EQ(vfsd_call_unlink(b, &ctx, 4711, "a"), -ENOENT);
  VfsdEntry e{};
  EXPECT_EQ(vfsd_call_mkdir(b, &ctx, 4711, "a", 0755, &e), -ENOENT);
  EXPECT_EQ(vfsd_call_symlink(b, &ctx, "t", 4711, "a", &e), -ENOENT);
  g_object_unref(b);
}

TEST(RamOptions, BadOptionsNameTheOption) {
  const char *bad[] = {"colour=blue", "size", "size=", "size=12q",
                       "size=-1", "size=101%", "nr_inodes=5%", "mode=0999",
                       "mode=70000", "uid=x", "gid=4294967295", "size=1G,",
                       "nr_inodes=1", "size=99999999999999999999"};
  for (const char *o : bad) {
    GError *err = nullptr;
    VfsdBackend *b = vfsd_ram_backend_new(o, &err);
    EXPECT_EQ(b, nullptr) << o;
    ASSERT_NE(err, nullptr) << o;
    EXPECT_EQ(err->domain, VFSD_ERROR);
    EXPECT_EQ(err->code, EINVAL);
    EXPECT_NE(strstr(err->message, "ram"), nullptr) << err->message;
    g_error_free(err);
  }
}

TEST(RamOptions, LoadedByName) {
  GError *err = nullptr;
  VfsdBackend *b = vfsd_backend_load("ram:size=2M", &err);
  ASSERT_NE(b, nullptr) << err->message;
  EXPECT_TRUE(VFSD_IS_RAM_BACKEND(b));
  VfsdRamUsage u{};
  ASSERT_EQ(vfsd_ram_get_usage(b, &u), 0);
  EXPECT_EQ(u.bytes_limit, 2u << 20);
  g_object_unref(b);
  EXPECT_NE(vfsd_module_get_summary("ram"), nullptr);
  b = vfsd_backend_load("ram:bogus=1", &err);
  EXPECT_EQ(b, nullptr);
  g_clear_error(&err);
}

TEST(RamOptions, CheckSeesThroughLayers) {
  VfsdBackend *ram = vfsd_ram_new("", nullptr);
  VfsdOps ops;
  vfsd_ops_init(&ops, "pass", VFSD_THREAD_PARALLEL);
  VfsdBackend *layer = vfsd_layer_new(&ops, nullptr, nullptr, ram, nullptr);
  ASSERT_NE(layer, nullptr);
  EXPECT_EQ(vfsd_ram_check(layer, nullptr), 0);
  VfsdBackend *other = vfsd_backend_new(&ops, nullptr, nullptr, nullptr);
  EXPECT_EQ(other, nullptr);  // lacks lookup: not a backend at all
  g_object_unref(layer);
  g_object_unref(ram);
}

// ---- lookup and creation --------------------------------------------------

TEST_F(RamTest, LookupErrors) {
  EXPECT_EQ(lookup(VFSD_ROOT_INO, "missing"), -ENOENT);
  EXPECT_EQ(lookup(12345, "x"), -ENOENT);
  uint64_t f = mkfile(VFSD_ROOT_INO, "f");
  EXPECT_EQ(lookup(f, "x"), -ENOTDIR);
  EXPECT_EQ(lookup(VFSD_ROOT_INO, std::string(256, 'n').c_str()),
            -ENAMETOOLONG);
  EXPECT_EQ(ino_of(VFSD_ROOT_INO, std::string(255, 'n').c_str()), 0u);
  VfsdEntry e{};
  ASSERT_EQ(lookup(VFSD_ROOT_INO, "f", &e), 0);
  EXPECT_EQ(e.ino, f);
  EXPECT_EQ(e.attr.ino, f);
  uint64_t d = mkdir(VFSD_ROOT_INO, "d");
  EXPECT_EQ(ino_of(d, "."), d);
  EXPECT_EQ(ino_of(d, ".."), static_cast<uint64_t>(VFSD_ROOT_INO));
}

TEST_F(RamTest, CreateSetsOwnerTimesAndParent) {
  ctx = make_ctx(1000, 100);
  VfsdAttr before = attr(VFSD_ROOT_INO);
  VfsdEntry e{};
  uint64_t fh = 0;
  ASSERT_EQ(create(VFSD_ROOT_INO, "f", 0640, O_WRONLY | O_CREAT, &fh, &e), 0);
  EXPECT_EQ(e.attr.mode, static_cast<uint32_t>(S_IFREG | 0640));
  EXPECT_EQ(e.attr.uid, 1000u);
  EXPECT_EQ(e.attr.gid, 100u);
  EXPECT_EQ(e.attr.nlink, 1u);
  EXPECT_EQ(e.attr.size, 0u);
  EXPECT_EQ(e.attr.mtime, e.attr.ctime);
  EXPECT_EQ(e.attr.mtime_nsec, e.attr.ctime_nsec);
  close(e.ino, fh);
  VfsdAttr after = attr(VFSD_ROOT_INO);
  EXPECT_EQ(after.size, before.size + 20);
  EXPECT_EQ(after.mtime, e.attr.mtime);
  EXPECT_EQ(after.mtime_nsec, e.attr.mtime_nsec);
  EXPECT_EQ(after.ctime_nsec, e.attr.ctime_nsec);
}

// A caller of the vtable that passes no context acts as root.
TEST_F(RamTest, NoContextMeansRoot) {
  VfsdEntry e{};
  ASSERT_EQ(vfsd_call_mkdir(b, nullptr, VFSD_ROOT_INO, "d", 0755, &e), 0);
  EXPECT_EQ(e.attr.uid, 0u);
  VfsdOpenInfo oi{};
  oi.flags = O_RDWR | O_CREAT | O_TRUNC;
  ASSERT_EQ(vfsd_call_create(b, nullptr, e.ino, "f", S_IFREG | 04755, &oi, &e),
            0);
  VfsdAttr a{}, out{};
  a.mode = 06755;
  ASSERT_EQ(vfsd_call_setattr(b, nullptr, e.ino, oi.fh, &a, VFSD_SET_MODE,
                              &out), 0);
  EXPECT_EQ(out.mode, static_cast<uint32_t>(S_IFREG | 06755));
  EXPECT_EQ(vfsd_call_release(b, nullptr, e.ino, oi.fh, 0), 0);
  oi.flags = O_RDWR | O_TRUNC;
  ASSERT_EQ(vfsd_call_open(b, nullptr, e.ino, &oi), 0);
  EXPECT_EQ(vfsd_call_release(b, nullptr, e.ino, oi.fh, 0), 0);
  EXPECT_EQ(attr(e.ino).mode, static_cast<uint32_t>(S_IFREG | 06755));
}

TEST_F(RamTest, CreateExisting) {
  uint64_t f = mkfile(VFSD_ROOT_INO, "f");
  put(f, "hello");
  uint64_t fh = 0;
  EXPECT_EQ(create(VFSD_ROOT_INO, "f", 0644, O_CREAT | O_EXCL | O_RDWR, &fh),
            -EEXIST);
  VfsdEntry e{};
  ASSERT_EQ(create(VFSD_ROOT_INO, "f", 0644, O_CREAT | O_RDWR, &fh, &e), 0);
  EXPECT_EQ(e.ino, f);  // opened, not replaced
  EXPECT_EQ(pread(f, fh, 10, 0), "hello");
  close(f, fh);
  ASSERT_EQ(create(VFSD_ROOT_INO, "f", 0644, O_CREAT | O_TRUNC | O_RDWR, &fh,
                   &e), 0);
  EXPECT_EQ(e.attr.size, 0u);
  close(f, fh);
  mkdir(VFSD_ROOT_INO, "d");
  EXPECT_EQ(create(VFSD_ROOT_INO, "d", 0644, O_CREAT | O_RDWR, &fh), -EISDIR);
  EXPECT_EQ(create(f, "x", 0644, O_CREAT | O_RDWR, &fh), -ENOTDIR);
  VfsdOpenInfo oi{};
  EXPECT_EQ(vfsd_call_create(b, &ctx, VFSD_ROOT_INO, "g", S_IFDIR | 0755, &oi,
                             &e), -EINVAL);
}

TEST_F(RamTest, Mknod) {
  VfsdEntry e{};
  ASSERT_EQ(vfsd_call_mknod(b, &ctx, VFSD_ROOT_INO, "fifo", S_IFIFO | 0600, 0,
                            &e), 0);
  EXPECT_EQ(e.attr.mode, static_cast<uint32_t>(S_IFIFO | 0600));
  ASSERT_EQ(vfsd_call_mknod(b, &ctx, VFSD_ROOT_INO, "sock", S_IFSOCK | 0600, 0,
                            &e), 0);
  EXPECT_EQ(e.attr.mode & S_IFMT, static_cast<uint32_t>(S_IFSOCK));
  ASSERT_EQ(vfsd_call_mknod(b, &ctx, VFSD_ROOT_INO, "chr", S_IFCHR | 0600,
                            makedev(1, 3), &e), 0);
  EXPECT_EQ(e.attr.rdev, makedev(1, 3));
  ASSERT_EQ(vfsd_call_mknod(b, &ctx, VFSD_ROOT_INO, "blk", S_IFBLK | 0600,
                            makedev(8, 1), &e), 0);
  EXPECT_EQ(e.attr.rdev, makedev(8, 1));
  ASSERT_EQ(vfsd_call_mknod(b, &ctx, VFSD_ROOT_INO, "reg", S_IFREG | 0644, 0,
                            &e), 0);
  EXPECT_EQ(e.attr.mode, static_cast<uint32_t>(S_IFREG | 0644));
  // No type at all: the choke point refuses it before the backend.
  EXPECT_EQ(vfsd_call_mknod(b, &ctx, VFSD_ROOT_INO, "none", 0644, 0, &e),
            -EINVAL);
  EXPECT_EQ(vfsd_call_mknod(b, &ctx, VFSD_ROOT_INO, "dir", S_IFDIR | 0755, 0,
                            &e), -EPERM);
  EXPECT_EQ(vfsd_call_mknod(b, &ctx, VFSD_ROOT_INO, "lnk", S_IFLNK | 0755, 0,
                            &e), -EINVAL);
  EXPECT_EQ(vfsd_call_mknod(b, &ctx, VFSD_ROOT_INO, "fifo", S_IFIFO | 0600, 0,
                            &e), -EEXIST);
  uint64_t fh = 0;
  EXPECT_EQ(open(ino_of(VFSD_ROOT_INO, "fifo"), O_RDONLY, &fh), -EINVAL);
}

TEST_F(RamTest, MkdirLinksAndSetgid) {
  uint64_t d = mkdir(VFSD_ROOT_INO, "d");
  EXPECT_EQ(attr(VFSD_ROOT_INO).nlink, 3u);
  EXPECT_EQ(attr(d).nlink, 2u);
  EXPECT_EQ(attr(d).size, 40u);
  VfsdEntry e{};
  EXPECT_EQ(vfsd_call_mkdir(b, &ctx, VFSD_ROOT_INO, "d", 0755, &e), -EEXIST);
  // A setgid directory hands down its group, and setgid to subdirectories.
  VfsdAttr a{};
  a.gid = 50;
  a.mode = 02775;
  ASSERT_EQ(setattr(d, a, VFSD_SET_GID | VFSD_SET_MODE), 0);
  ctx = make_ctx(1000, 100);
  ASSERT_EQ(vfsd_call_mkdir(b, &ctx, d, "sub", 0755, &e), 0);
  EXPECT_EQ(e.attr.gid, 50u);
  EXPECT_EQ(e.attr.mode, static_cast<uint32_t>(S_IFDIR | 02755));
  uint64_t fh = 0;
  ASSERT_EQ(create(d, "f", 02755, O_CREAT | O_RDWR, &fh, &e), 0);
  EXPECT_EQ(e.attr.gid, 50u);
  EXPECT_EQ(e.attr.mode, static_cast<uint32_t>(S_IFREG | 0755))
      << "setgid kept by a creator outside the group";
  close(e.ino, fh);
}

TEST_F(RamTest, Symlink) {
  VfsdEntry e{};
  ASSERT_EQ(vfsd_call_symlink(b, &ctx, "some/target", VFSD_ROOT_INO, "l", &e),
            0);
  EXPECT_EQ(e.attr.mode, static_cast<uint32_t>(S_IFLNK | 0777));
  EXPECT_EQ(e.attr.size, 11u);
  char buf[64];
  EXPECT_EQ(vfsd_call_readlink(b, &ctx, e.ino, buf, sizeof buf), 11);
  EXPECT_EQ(std::string(buf, 11), "some/target");
  EXPECT_EQ(vfsd_call_readlink(b, &ctx, e.ino, buf, 5), -ENAMETOOLONG);
  EXPECT_EQ(vfsd_call_symlink(b, &ctx, "", VFSD_ROOT_INO, "m", &e), -ENOENT);
  std::string longest(4095, 't'), too_long(4096, 't');
  EXPECT_EQ(vfsd_call_symlink(b, &ctx, longest.c_str(), VFSD_ROOT_INO, "m", &e),
            0);
  EXPECT_EQ(vfsd_call_symlink(b, &ctx, too_long.c_str(), VFSD_ROOT_INO, "n",
                              &e), -ENAMETOOLONG);
  EXPECT_EQ(vfsd_call_symlink(b, &ctx, "x", VFSD_ROOT_INO, "l", &e), -EEXIST);
  uint64_t f = mkfile(VFSD_ROOT_INO, "f");
  EXPECT_EQ(vfsd_call_readlink(b, &ctx, f, buf, sizeof buf), -EINVAL);
}

TEST_F(RamTest, HardLinks) {
  uint64_t f = mkfile(VFSD_ROOT_INO, "f");
  uint64_t d = mkdir(VFSD_ROOT_INO, "d");
  VfsdAttr before = attr(f);
  VfsdEntry e{};
  ASSERT_EQ(vfsd_call_link(b, &ctx, f, d, "g", &e), 0);
  EXPECT_EQ(e.ino, f);
  EXPECT_EQ(e.attr.nlink, 2u);
  EXPECT_TRUE(e.attr.ctime > before.ctime ||
              (e.attr.ctime == before.ctime &&
               e.attr.ctime_nsec > before.ctime_nsec));
  EXPECT_EQ(vfsd_call_link(b, &ctx, f, d, "g", &e), -EEXIST);
  EXPECT_EQ(vfsd_call_link(b, &ctx, d, VFSD_ROOT_INO, "d2", &e), -EPERM);
  EXPECT_EQ(vfsd_call_link(b, &ctx, f, f, "x", &e), -ENOTDIR);
  EXPECT_EQ(vfsd_call_link(b, &ctx, 999, d, "x", &e), -ENOENT);
  ASSERT_EQ(vfsd_call_unlink(b, &ctx, VFSD_ROOT_INO, "f"), 0);
  ASSERT_EQ(vfsd_call_unlink(b, &ctx, d, "g"), 0);
  // Unlinked but still known to the "kernel": no new links to it.
  EXPECT_EQ(vfsd_call_link(b, &ctx, f, d, "h", &e), -ENOENT);
  EXPECT_EQ(attr(f).nlink, 0u);
  vfsd_call_forget(b, f);
  VfsdAttr a{};
  EXPECT_EQ(vfsd_call_getattr(b, &ctx, f, VFSD_NO_FH, &a), -ENOENT);
}

TEST_F(RamTest, UnlinkAndRmdir) {
  uint64_t d = mkdir(VFSD_ROOT_INO, "d");
  uint64_t file = mkfile(d, "f");
  EXPECT_EQ(vfsd_call_unlink(b, &ctx, VFSD_ROOT_INO, "d"), -EISDIR);
  EXPECT_EQ(vfsd_call_rmdir(b, &ctx, VFSD_ROOT_INO, "d"), -ENOTEMPTY);
  EXPECT_EQ(vfsd_call_rmdir(b, &ctx, d, "f"), -ENOTDIR);
  EXPECT_EQ(vfsd_call_unlink(b, &ctx, d, "nope"), -ENOENT);
  EXPECT_EQ(vfsd_call_rmdir(b, &ctx, d, "."), -EINVAL);
  EXPECT_EQ(vfsd_call_rmdir(b, &ctx, d, ".."), -ENOTEMPTY);
  VfsdAttr before = attr(d);
  ASSERT_EQ(vfsd_call_unlink(b, &ctx, d, "f"), 0);
  EXPECT_EQ(attr(d).size, before.size - 20);
  VfsdOpenInfo oi{};
  ASSERT_EQ(vfsd_call_opendir(b, &ctx, d, &oi), 0);
  ASSERT_EQ(vfsd_call_rmdir(b, &ctx, VFSD_ROOT_INO, "d"), 0);
  EXPECT_EQ(attr(VFSD_ROOT_INO).nlink, 2u);
  EXPECT_EQ(attr(d).nlink, 0u);
  // A removed directory lists nothing and accepts no names.
  VfsdDirFiller *f = vfsd_dir_filler_new(
      false, [](void *, const char *, uint64_t, uint32_t, const VfsdEntry *,
                int64_t) { return true; }, nullptr);
  EXPECT_EQ(vfsd_call_readdir(b, &ctx, d, oi.fh, 0, f), -ENOENT);
  vfsd_dir_filler_free(f);
  uint64_t fh = 0;
  EXPECT_EQ(create(d, "g", 0644, O_CREAT | O_RDWR, &fh), -ENOENT);
  EXPECT_EQ(lookup(d, "f"), -ENOENT);
  VfsdEntry e{};
  EXPECT_EQ(vfsd_call_mkdir(b, &ctx, d, "x", 0755, &e), -ENOENT);
  EXPECT_EQ(vfsd_call_releasedir(b, &ctx, d, oi.fh), 0);
  EXPECT_EQ(vfsd_call_releasedir(b, &ctx, d, oi.fh), -EBADF);
  vfsd_call_forget(b, d);
  vfsd_call_forget(b, file);
  EXPECT_EQ(usage().inodes_used, 1u);
}

TEST_F(RamTest, UnlinkedFileLivesUntilCloseAndForget) {
  uint64_t fh = 0;
  VfsdEntry e{};
  ASSERT_EQ(create(VFSD_ROOT_INO, "f", 0644, O_CREAT | O_RDWR, &fh, &e), 0);
  ASSERT_EQ(pwrite(e.ino, fh, std::string(100000, 'x'), 0), 100000);
  ASSERT_EQ(vfsd_call_unlink(b, &ctx, VFSD_ROOT_INO, "f"), 0);
  EXPECT_EQ(pwrite(e.ino, fh, "more", 100000), 4);
  EXPECT_EQ(pread(e.ino, fh, 4, 100000), "more");
  vfsd_call_forget(b, e.ino);  // the kernel lets go, but the file is open
  EXPECT_EQ(pread(e.ino, fh, 1, 0), "x");
  EXPECT_GT(usage().bytes_used, 100000u);
  close(e.ino, fh);  // the last close frees it
  EXPECT_EQ(usage().bytes_used, 0u);
  EXPECT_EQ(usage().inodes_used, 1u);
  EXPECT_EQ(usage().handles_open, 0u);
}

TEST_F(RamTest, DestroyDropsHandlesAndOrphans) {
  uint64_t fh = 0;
  VfsdEntry e{};
  ASSERT_EQ(create(VFSD_ROOT_INO, "f", 0644, O_CREAT | O_RDWR, &fh, &e), 0);
  mkfile(VFSD_ROOT_INO, "kept");
  ASSERT_EQ(vfsd_call_unlink(b, &ctx, VFSD_ROOT_INO, "f"), 0);
  EXPECT_EQ(usage().inodes_used, 3u);
  vfsd_call_destroy(b);  // what an unmount ends with
  EXPECT_EQ(usage().handles_open, 0u);
  EXPECT_EQ(usage().inodes_used, 2u);
  EXPECT_EQ(list(VFSD_ROOT_INO), Names({"kept"}));
}

// ---- rename ---------------------------------------------------------------

TEST_F(RamTest, RenameFiles) {
  uint64_t d = mkdir(VFSD_ROOT_INO, "d");
  uint64_t a = mkfile(VFSD_ROOT_INO, "a");
  uint64_t c = mkfile(d, "c");
  ASSERT_EQ(vfsd_call_rename(b, &ctx, VFSD_ROOT_INO, "a", d, "b", 0), 0);
  EXPECT_EQ(list(d), Names({"b", "c"}));
  EXPECT_EQ(ino_of(d, "b"), a);
  // Replacing a file: the old one loses its name.
  ASSERT_EQ(vfsd_call_rename(b, &ctx, d, "b", d, "c", 0), 0);
  EXPECT_EQ(list(d), Names({"c"}));
  EXPECT_EQ(ino_of(d, "c"), a);
  EXPECT_EQ(attr(c).nlink, 0u);
  vfsd_call_forget(b, c);
  EXPECT_EQ(usage().inodes_used, 3u);
  EXPECT_EQ(vfsd_call_rename(b, &ctx, d, "zz", d, "y", 0), -ENOENT);
  EXPECT_EQ(vfsd_call_rename(b, &ctx, d, "c", d, "c", 0), 0);
  EXPECT_EQ(vfsd_call_rename(b, &ctx, d, "c", d, "c", RENAME_NOREPLACE),
            -EEXIST);
  EXPECT_EQ(vfsd_call_rename(b, &ctx, d, "c", d, "y", 1u << 7), -EINVAL);
  EXPECT_EQ(vfsd_call_rename(b, &ctx, d, "c", d, "y",
                             RENAME_NOREPLACE | RENAME_EXCHANGE), -EINVAL);
  EXPECT_EQ(vfsd_call_rename(b, &ctx, d, "c", a, "y", 0), -ENOTDIR);
}

TEST_F(RamTest, RenameHardLinksOfOneFileDoesNothing) {
  uint64_t f = mkfile(VFSD_ROOT_INO, "f");
  VfsdEntry e{};
  ASSERT_EQ(vfsd_call_link(b, &ctx, f, VFSD_ROOT_INO, "g", &e), 0);
  ASSERT_EQ(vfsd_call_rename(b, &ctx, VFSD_ROOT_INO, "f", VFSD_ROOT_INO, "g",
                             0), 0);
  EXPECT_EQ(list(VFSD_ROOT_INO), Names({"f", "g"}));
  EXPECT_EQ(attr(f).nlink, 2u);
}

TEST_F(RamTest, RenameDirectories) {
  uint64_t a = mkdir(VFSD_ROOT_INO, "a");
  uint64_t b1 = mkdir(a, "b");
  uint64_t c = mkdir(VFSD_ROOT_INO, "c");
  mkfile(VFSD_ROOT_INO, "file");
  EXPECT_EQ(vfsd_call_rename(b, &ctx, VFSD_ROOT_INO, "a", b1, "x", 0), -EINVAL);
  EXPECT_EQ(vfsd_call_rename(b, &ctx, VFSD_ROOT_INO, "a", a, "x", 0), -EINVAL);
  EXPECT_EQ(vfsd_call_rename(b, &ctx, VFSD_ROOT_INO, "a", VFSD_ROOT_INO,
                             "file", 0), -ENOTDIR);
  EXPECT_EQ(vfsd_call_rename(b, &ctx, VFSD_ROOT_INO, "file", VFSD_ROOT_INO,
                             "a", 0), -EISDIR);
  // A parent onto its own descendant's parent: the target holds the source.
  EXPECT_EQ(vfsd_call_rename(b, &ctx, a, "b", VFSD_ROOT_INO, "a", 0),
            -ENOTEMPTY);
  // Move a/b into c: link counts and ".." follow.
  ASSERT_EQ(vfsd_call_rename(b, &ctx, a, "b", c, "b", 0), 0);
  EXPECT_EQ(attr(a).nlink, 2u);
  EXPECT_EQ(attr(c).nlink, 3u);
  EXPECT_EQ(ino_of(b1, ".."), c);
  // Replace an empty directory; a non-empty one refuses.
  ASSERT_EQ(vfsd_call_rename(b, &ctx, VFSD_ROOT_INO, "a", c, "b", 0), 0);
  EXPECT_EQ(attr(b1).nlink, 0u);
  EXPECT_EQ(attr(c).nlink, 3u);
  EXPECT_EQ(attr(VFSD_ROOT_INO).nlink, 3u);
  EXPECT_EQ(ino_of(a, ".."), c);
  mkfile(a, "x");
  uint64_t e1 = mkdir(VFSD_ROOT_INO, "e");
  EXPECT_EQ(vfsd_call_rename(b, &ctx, VFSD_ROOT_INO, "e", c, "b", 0),
            -ENOTEMPTY);
  EXPECT_EQ(vfsd_call_rename(b, &ctx, VFSD_ROOT_INO, "e", c, "b",
                             RENAME_NOREPLACE), -EEXIST);
  EXPECT_EQ(attr(e1).nlink, 2u);
}

TEST_F(RamTest, RenameExchange) {
  uint64_t d = mkdir(VFSD_ROOT_INO, "d");
  uint64_t sub = mkdir(VFSD_ROOT_INO, "sub");
  uint64_t f = mkfile(d, "f");
  EXPECT_EQ(vfsd_call_rename(b, &ctx, VFSD_ROOT_INO, "sub", d, "none",
                             RENAME_EXCHANGE), -ENOENT);
  // A directory and a file swap places across directories.
  ASSERT_EQ(vfsd_call_rename(b, &ctx, VFSD_ROOT_INO, "sub", d, "f",
                             RENAME_EXCHANGE), 0);
  EXPECT_EQ(ino_of(VFSD_ROOT_INO, "sub"), f);
  EXPECT_EQ(ino_of(d, "f"), sub);
  EXPECT_EQ(ino_of(sub, ".."), d);
  EXPECT_EQ(attr(d).nlink, 3u);
  EXPECT_EQ(attr(VFSD_ROOT_INO).nlink, 3u);  // d only
  // A directory cannot swap with its own ancestor.
  EXPECT_EQ(vfsd_call_rename(b, &ctx, d, "f", VFSD_ROOT_INO, "d",
                             RENAME_EXCHANGE), -EINVAL);
  uint64_t g = mkfile(VFSD_ROOT_INO, "g");
  ASSERT_EQ(vfsd_call_rename(b, &ctx, VFSD_ROOT_INO, "g", VFSD_ROOT_INO, "sub",
                             RENAME_EXCHANGE), 0);
  EXPECT_EQ(ino_of(VFSD_ROOT_INO, "sub"), g);
  EXPECT_EQ(ino_of(VFSD_ROOT_INO, "g"), f);
}

// ---- listings ---------------------------------------------------------------

struct Listed {
  std::vector<std::string> names;
  std::vector<int64_t> offs;
  std::vector<bool> with_attrs;
  size_t room = SIZE_MAX;
};

static bool collect(void *data, const char *name, uint64_t, uint32_t,
                    const VfsdEntry *e, int64_t off) {
  auto *l = static_cast<Listed *>(data);
  if (l->names.size() >= l->room) return false;
  l->names.push_back(name);
  l->offs.push_back(off);
  l->with_attrs.push_back(e != nullptr);
  return true;
}

TEST_F(RamTest, ReaddirPlusAndResume) {
  uint64_t d = mkdir(VFSD_ROOT_INO, "d");
  for (int i = 0; i < 10; i++) mkfile(d, ("f" + std::to_string(i)).c_str());
  VfsdOpenInfo oi{};
  ASSERT_EQ(vfsd_call_opendir(b, &ctx, d, &oi), 0);
  Listed all;
  VfsdDirFiller *f = vfsd_dir_filler_new(true, collect, &all);
  ASSERT_EQ(vfsd_call_readdir(b, &ctx, d, oi.fh, 0, f), 0);
  vfsd_dir_filler_free(f);
  ASSERT_EQ(all.names.size(), 12u);
  EXPECT_EQ(all.names[0], ".");
  EXPECT_EQ(all.names[1], "..");
  EXPECT_FALSE(all.with_attrs[0]);
  EXPECT_TRUE(all.with_attrs[2]);
  // Resuming at every offset gives exactly the rest.
  for (size_t k = 0; k < all.offs.size(); k++) {
    Listed rest;
    f = vfsd_dir_filler_new(false, collect, &rest);
    ASSERT_EQ(vfsd_call_readdir(b, &ctx, d, oi.fh, all.offs[k], f), 0);
    vfsd_dir_filler_free(f);
    EXPECT_EQ(rest.names, std::vector<std::string>(all.names.begin() + k + 1,
                                                   all.names.end()));
  }
  EXPECT_EQ(vfsd_call_releasedir(b, &ctx, d, oi.fh), 0);
  uint64_t file = ino_of(d, "f0");
  EXPECT_EQ(vfsd_call_opendir(b, &ctx, file, &oi), -ENOTDIR);
}

// The kernel's listing cache is offered for a directory already listed
// since its names last changed: the first listing after a change skips it
// (filling it costs that listing about half its speed), the next fills it.
TEST_F(RamTest, ListingCacheOnlyForDirectoriesListedUnchanged) {
  uint64_t d = mkdir(VFSD_ROOT_INO, "d");
  mkfile(d, "a");
  auto cache_offered = [&] {
    VfsdOpenInfo oi{};
    oi.out_flags = VFSD_OPEN_KEEP_CACHE | VFSD_OPEN_CACHE_DIR;  // the mount's
    EXPECT_EQ(vfsd_call_opendir(b, &ctx, d, &oi), 0);
    EXPECT_EQ(vfsd_call_releasedir(b, &ctx, d, oi.fh), 0);
    uint32_t both = VFSD_OPEN_KEEP_CACHE | VFSD_OPEN_CACHE_DIR;
    EXPECT_TRUE((oi.out_flags & both) == 0 || (oi.out_flags & both) == both);
    return (oi.out_flags & VFSD_OPEN_CACHE_DIR) != 0;
  };
  EXPECT_FALSE(cache_offered());
  EXPECT_EQ(list(d), Names({"a"}));
  EXPECT_TRUE(cache_offered());
  EXPECT_TRUE(cache_offered());  // opening is not a change
  mkfile(d, "b");
  EXPECT_FALSE(cache_offered());
  EXPECT_EQ(list(d), Names({"a", "b"}));
  EXPECT_TRUE(cache_offered());
  EXPECT_EQ(vfsd_call_unlink(b, &ctx, d, "a"), 0);
  EXPECT_FALSE(cache_offered());
  list(d);
  EXPECT_EQ(vfsd_call_rename(b, &ctx, VFSD_ROOT_INO, "d", d, "x", 0), -EINVAL);
  mkfile(VFSD_ROOT_INO, "outside");
  EXPECT_TRUE(cache_offered());  // a change elsewhere
  EXPECT_EQ(vfsd_call_rename(b, &ctx, VFSD_ROOT_INO, "outside", d, "b", 0), 0);
  EXPECT_FALSE(cache_offered());  // "b" leads elsewhere now
}

// The promise behind VFSD_BACKEND_STABLE_DIR_OFFSETS: a listing resumed at
// an old offset, with names added and removed in between, returns every
// name that stayed exactly once.
TEST_F(RamTest, StableOffsetsUnderChange) {
  std::mt19937 rng(42);
  uint64_t d = mkdir(VFSD_ROOT_INO, "d");
  std::set<std::string> present;
  int next = 0;
  // Files the "kernel" forgot at once, so that unlinking frees them.
  auto add = [&](const std::string &n) {
    vfsd_call_forget(b, mkfile(d, n.c_str()));
    present.insert(n);
  };
  for (; next < 200; next++) add("n" + std::to_string(next));
  for (int round = 0; round < 20; round++) {
    std::set<std::string> stayed = present, seen;
    int64_t off = 0;
    for (;;) {
      Listed part;
      part.room = 1 + rng() % 17;
      VfsdDirFiller *f = vfsd_dir_filler_new(false, collect, &part);
      ASSERT_EQ(vfsd_call_readdir(b, &ctx, d, 0, off, f), 0);
      vfsd_dir_filler_free(f);
      if (part.names.empty()) break;
      for (auto &n : part.names) {
        if (n == "." || n == "..") continue;
        EXPECT_TRUE(seen.insert(n).second) << "repeated " << n;
      }
      off = part.offs.back();
      // Change the directory between two parts of the listing.
      for (int k = 0; k < 5; k++) {
        if (rng() % 2 && !present.empty()) {
          auto it = present.begin();
          std::advance(it, rng() % present.size());
          ASSERT_EQ(vfsd_call_unlink(b, &ctx, d, it->c_str()), 0);
          stayed.erase(*it);
          present.erase(it);
        } else
          add("n" + std::to_string(next++));
      }
    }
    for (auto &n : stayed) EXPECT_TRUE(seen.count(n)) << "skipped " << n;
  }
}

// ---- lifetime -------------------------------------------------------------

TEST_F(RamTest, ForgetFreesOnlyWhatHasNoName) {
  uint64_t f = mkfile(VFSD_ROOT_INO, "f");
  vfsd_call_forget(b, f);  // still named: stays
  EXPECT_EQ(attr(f).nlink, 1u);
  uint64_t d = mkdir(VFSD_ROOT_INO, "d");
  ASSERT_EQ(vfsd_call_rmdir(b, &ctx, VFSD_ROOT_INO, "d"), 0);
  EXPECT_EQ(usage().inodes_used, 3u);
  vfsd_call_forget(b, d);
  EXPECT_EQ(usage().inodes_used, 2u);
  vfsd_call_forget(b, 424242);  // unknown: ignored
}

// Names that were never handed to the kernel need no forget.
TEST_F(RamTest, UnreferencedInodesGoAtOnce) {
  uint64_t f = mkfile(VFSD_ROOT_INO, "f");
  vfsd_call_forget(b, f);
  ASSERT_EQ(vfsd_call_unlink(b, &ctx, VFSD_ROOT_INO, "f"), 0);
  EXPECT_EQ(usage().inodes_used, 1u);
}

TEST_F(RamTest, InodeLimit) {
  // nr_inodes=1000 with the root: 999 more.
  VfsdEntry e{};
  uint64_t first = 0;
  for (int i = 0; i < 999; i++) {
    ASSERT_EQ(vfsd_call_mknod(b, &ctx, VFSD_ROOT_INO,
                              ("n" + std::to_string(i)).c_str(),
                              S_IFREG | 0644, 0, &e), 0);
    if (i == 0) first = e.ino;
  }
  EXPECT_EQ(vfsd_call_mknod(b, &ctx, VFSD_ROOT_INO, "x", S_IFREG | 0644, 0,
                            &e), -ENOSPC);
  EXPECT_EQ(vfsd_call_mkdir(b, &ctx, VFSD_ROOT_INO, "x", 0755, &e), -ENOSPC);
  EXPECT_EQ(vfsd_call_symlink(b, &ctx, "t", VFSD_ROOT_INO, "x", &e), -ENOSPC);
  uint64_t fh = 0;
  EXPECT_EQ(create(VFSD_ROOT_INO, "x", 0644, O_CREAT | O_RDWR, &fh), -ENOSPC);
  VfsdStatfs s{};
  ASSERT_EQ(vfsd_call_statfs(b, &ctx, VFSD_ROOT_INO, &s), 0);
  EXPECT_EQ(s.files, 1000u);
  EXPECT_EQ(s.ffree, 0u);
  ASSERT_EQ(vfsd_call_unlink(b, &ctx, VFSD_ROOT_INO, "n0"), 0);
  vfsd_call_forget(b, first);
  EXPECT_EQ(vfsd_call_mkdir(b, &ctx, VFSD_ROOT_INO, "x", 0755, &e), 0);
}
