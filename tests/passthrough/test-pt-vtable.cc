// SPDX-License-Identifier: LGPL-2.1-or-later
// The passthrough backend through its vtable: every operation does what
// it says to the source tree, inode numbers are stable, and the number of
// descriptors it holds is bounded.
#include "pt-helpers.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>

using namespace pttest;

namespace {

class Pt : public ::testing::Test {
 protected:
  void SetUp() override {
    ctx = {};
    ctx.uid = getuid();
    ctx.gid = getgid();
    ctx.pid = (uint32_t)getpid();
    b = load(src.path());
    ASSERT_NE(b, nullptr);
  }
  void TearDown() override { g_clear_object(&b); }
  int lookup(uint64_t parent, const char *name, VfsdEntry *e) {
    *e = {};
    return vfsd_call_lookup(b, &ctx, parent, name, e);
  }
  TmpfsDir src;
  VfsdBackend *b = nullptr;
  VfsdCtx ctx;
};

TEST_F(Pt, LooksUpAndReadsWhatIsInTheSource) {
  ASSERT_EQ(mkdir((src / "d").c_str(), 0755), 0);
  put(src / "d/f", "hello");
  VfsdEntry d, f;
  ASSERT_EQ(lookup(VFSD_ROOT_INO, "d", &d), 0);
  EXPECT_TRUE(S_ISDIR(d.attr.mode));
  EXPECT_EQ(d.ino, st_ino(src / "d")) << "inode numbers are the source's";
  ASSERT_EQ(lookup(d.ino, "f", &f), 0);
  EXPECT_EQ(f.attr.size, 5u);
  EXPECT_EQ(lookup(d.ino, "nope", &f), -ENOENT);
  ASSERT_EQ(lookup(d.ino, "f", &f), 0);
  VfsdOpenInfo oi = {};
  oi.flags = O_RDONLY;
  ASSERT_EQ(vfsd_call_open(b, &ctx, f.ino, &oi), 0);
  char buf[16] = {};
  EXPECT_EQ(vfsd_call_read(b, &ctx, f.ino, oi.fh, buf, sizeof buf, 1), 4);
  EXPECT_STREQ(buf, "ello");
  EXPECT_EQ(vfsd_call_release(b, &ctx, f.ino, oi.fh, 0), 0);
  VfsdAttr a = {};
  ASSERT_EQ(vfsd_call_getattr(b, &ctx, VFSD_ROOT_INO, VFSD_NO_FH, &a), 0);
  EXPECT_EQ(a.ino, (uint64_t)VFSD_ROOT_INO);
  EXPECT_TRUE(S_ISDIR(a.mode));
}

TEST_F(Pt, ChangesReachTheSource) {
  VfsdEntry d, f, s, l;
  VfsdOpenInfo oi = {};
  oi.flags = O_RDWR | O_CREAT;
  ASSERT_EQ(vfsd_call_mkdir(b, &ctx, VFSD_ROOT_INO, "d", 0750, &d), 0);
  struct stat st;
  ASSERT_EQ(stat((src / "d").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0750u) << "the process umask is undone";
  ASSERT_EQ(vfsd_call_create(b, &ctx, d.ino, "f", 0666, &oi, &f), 0);
  EXPECT_EQ(vfsd_call_write(b, &ctx, f.ino, oi.fh, "abcdef", 6, 0, 0), 6);
  EXPECT_EQ(vfsd_call_flush(b, &ctx, f.ino, oi.fh, 0), 0);
  EXPECT_EQ(vfsd_call_fsync(b, &ctx, f.ino, oi.fh, 1), 0);
  EXPECT_EQ(vfsd_call_release(b, &ctx, f.ino, oi.fh, 0), 0);
  EXPECT_EQ(get(src / "d/f"), "abcdef");
  ASSERT_EQ(stat((src / "d/f").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0666u);
  // O_EXCL on an existing name.
  oi.flags = O_RDWR | O_CREAT | O_EXCL;
  EXPECT_EQ(vfsd_call_create(b, &ctx, d.ino, "f", 0644, &oi, &s), -EEXIST);
  // setattr: mode, size, times.
  VfsdAttr in = {}, out = {};
  in.mode = 0600;
  in.size = 3;
  in.mtime = 1000000;
  in.mtime_nsec = 5;
  ASSERT_EQ(vfsd_call_setattr(b, &ctx, f.ino, VFSD_NO_FH, &in,
                              VFSD_SET_MODE | VFSD_SET_SIZE | VFSD_SET_MTIME, &out), 0);
  EXPECT_EQ(out.mode & 07777, 0600u);
  EXPECT_EQ(out.size, 3u);
  EXPECT_EQ(out.mtime, 1000000);
  EXPECT_EQ(get(src / "d/f"), "abc");
  // symlink, readlink, link, rename, unlink, rmdir.
  ASSERT_EQ(vfsd_call_symlink(b, &ctx, "f", d.ino, "s", &s), 0);
  char buf[64];
  EXPECT_EQ(vfsd_call_readlink(b, &ctx, s.ino, buf, sizeof buf), 1);
  EXPECT_EQ(buf[0], 'f');
  ASSERT_EQ(vfsd_call_link(b, &ctx, f.ino, VFSD_ROOT_INO, "hard", &l), 0);
  EXPECT_EQ(l.ino, f.ino);
  EXPECT_EQ(l.attr.nlink, 2u);
  EXPECT_EQ(vfsd_call_rename(b, &ctx, d.ino, "f", VFSD_ROOT_INO, "g", 0), 0);
  EXPECT_EQ(get(src / "g"), "abc");
  EXPECT_EQ(vfsd_call_rename(b, &ctx, VFSD_ROOT_INO, "g", VFSD_ROOT_INO, "hard", RENAME_NOREPLACE), -EEXIST);
  EXPECT_EQ(vfsd_call_unlink(b, &ctx, VFSD_ROOT_INO, "g"), 0);
  EXPECT_EQ(vfsd_call_rmdir(b, &ctx, VFSD_ROOT_INO, "d"), -ENOTEMPTY);
  EXPECT_EQ(vfsd_call_unlink(b, &ctx, d.ino, "s"), 0);
  EXPECT_EQ(vfsd_call_rmdir(b, &ctx, VFSD_ROOT_INO, "d"), 0);
  EXPECT_EQ(access((src / "d").c_str(), F_OK), -1);
  // mknod
  VfsdEntry p;
  ASSERT_EQ(vfsd_call_mknod(b, &ctx, VFSD_ROOT_INO, "fifo", S_IFIFO | 0640, 0, &p), 0);
  ASSERT_EQ(lstat((src / "fifo").c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0640u);
  VfsdStatfs sf = {};
  EXPECT_EQ(vfsd_call_statfs(b, &ctx, VFSD_ROOT_INO, &sf), 0);
  EXPECT_GT(sf.blocks, 0u);
  EXPECT_EQ(sf.namemax, 255u);
}

TEST_F(Pt, ListsDirectoriesWithAndWithoutAttributes) {
  for (int i = 0; i < 50; i++) put(src / ("f" + std::to_string(i)), "x");
  for (bool plus : {false, true}) {
    VfsdOpenInfo oi = {};
    ASSERT_EQ(vfsd_call_opendir(b, &ctx, VFSD_ROOT_INO, &oi), 0);
    struct Seen { std::vector<std::string> names; int with_entry = 0; } seen;
    auto cb = [](void *data, const char *name, uint64_t, uint32_t, const VfsdEntry *e, int64_t) {
      Seen *s = static_cast<Seen *>(data);
      s->names.push_back(name);
      s->with_entry += e != nullptr;
      return true;
    };
    VfsdDirFiller *f = vfsd_dir_filler_new(plus, cb, &seen);
    ASSERT_EQ(vfsd_call_readdir(b, &ctx, VFSD_ROOT_INO, oi.fh, 0, f), 0);
    vfsd_dir_filler_free(f);
    EXPECT_EQ(seen.names.size(), 52u);
    EXPECT_EQ(seen.with_entry, plus ? 50 : 0) << "attributes for all but . and ..";
    EXPECT_EQ(vfsd_call_releasedir(b, &ctx, VFSD_ROOT_INO, oi.fh), 0);
  }
}

TEST_F(Pt, ResumedListingsNeitherSkipNorRepeat) {
  for (int i = 0; i < 100; i++) put(src / ("n" + std::to_string(i)), "");
  VfsdOpenInfo oi = {};
  ASSERT_EQ(vfsd_call_opendir(b, &ctx, VFSD_ROOT_INO, &oi), 0);
  struct Page { std::vector<std::string> names; int64_t last = 0; int room = 0; } pg;
  auto cb = [](void *data, const char *name, uint64_t, uint32_t, const VfsdEntry *, int64_t next) {
    Page *p = static_cast<Page *>(data);
    if (p->room-- <= 0) return false;
    p->names.push_back(name);
    p->last = next;
    return true;
  };
  for (int i = 0; i < 200; i++) {
    size_t before = pg.names.size();
    pg.room = 9;
    VfsdDirFiller *f = vfsd_dir_filler_new(false, cb, &pg);
    ASSERT_EQ(vfsd_call_readdir(b, &ctx, VFSD_ROOT_INO, oi.fh, pg.last, f), 0);
    vfsd_dir_filler_free(f);
    if (pg.names.size() == before) break;
  }
  std::sort(pg.names.begin(), pg.names.end());
  EXPECT_EQ(pg.names.size(), 102u);
  EXPECT_EQ(std::unique(pg.names.begin(), pg.names.end()), pg.names.end());
  vfsd_call_releasedir(b, &ctx, VFSD_ROOT_INO, oi.fh);
}

TEST_F(Pt, XattrsRoundTrip) {
  put(src / "x", "");
  VfsdEntry e;
  ASSERT_EQ(lookup(VFSD_ROOT_INO, "x", &e), 0);
  ASSERT_EQ(vfsd_call_setxattr(b, &ctx, e.ino, "user.k", "value", 5, 0), 0);
  char buf[64];
  EXPECT_EQ(vfsd_call_getxattr(b, &ctx, e.ino, "user.k", buf, 0), 5);
  EXPECT_EQ(vfsd_call_getxattr(b, &ctx, e.ino, "user.k", buf, sizeof buf), 5);
  EXPECT_EQ(std::string(buf, 5), "value");
  EXPECT_EQ(vfsd_call_getxattr(b, &ctx, e.ino, "user.k", buf, 2), -ERANGE);
  EXPECT_EQ(vfsd_call_getxattr(b, &ctx, e.ino, "user.none", buf, sizeof buf), -ENODATA);
  ssize_t n = vfsd_call_listxattr(b, &ctx, e.ino, buf, sizeof buf);
  ASSERT_GT(n, 0);
  EXPECT_NE(std::string(buf, (size_t)n).find("user.k"), std::string::npos);
  EXPECT_EQ(vfsd_call_removexattr(b, &ctx, e.ino, "user.k"), 0);
  EXPECT_EQ(getxattr((src / "x").c_str(), "user.k", buf, sizeof buf), -1);
}

TEST_F(Pt, InodeNumbersStayWhileTheFileExists) {
  put(src / "a", "1");
  VfsdEntry e1, e2;
  ASSERT_EQ(lookup(VFSD_ROOT_INO, "a", &e1), 0);
  vfsd_call_forget(b, e1.ino);
  ASSERT_EQ(rename((src / "a").c_str(), (src / "b").c_str()), 0);
  ASSERT_EQ(lookup(VFSD_ROOT_INO, "b", &e2), 0);
  EXPECT_EQ(e1.ino, e2.ino);
  VfsdEntry dot;
  ASSERT_EQ(lookup(VFSD_ROOT_INO, ".", &dot), 0);
  EXPECT_EQ(dot.ino, (uint64_t)VFSD_ROOT_INO);
  EXPECT_EQ(vfsd_call_getattr(b, &ctx, 123456789, VFSD_NO_FH, &e1.attr), -ESTALE);
}

// Many inodes known to the kernel, few descriptors: the rest are reached
// again through file handles or names.
void bounded(const std::string &spec, const std::string &dir, bool handles) {
  VfsdBackend *b = load(spec);
  ASSERT_NE(b, nullptr);
  VfsdCtx ctx = {};
  ctx.pid = (uint32_t)getpid();
  int fds0 = vfsdtest::count_fds();
  std::vector<uint64_t> inos;
  VfsdEntry d;
  ASSERT_EQ(vfsd_call_lookup(b, &ctx, VFSD_ROOT_INO, "sub", &d), 0);
  for (int i = 0; i < 300; i++) {
    VfsdEntry e = {};
    ASSERT_EQ(vfsd_call_lookup(b, &ctx, d.ino, ("f" + std::to_string(i)).c_str(), &e), 0);
    inos.push_back(e.ino);
  }
  EXPECT_LE(vfsdtest::count_fds() - fds0, 16 + 2) << "descriptors are bounded";
  for (uint64_t ino : inos) {
    VfsdAttr a = {};
    ASSERT_EQ(vfsd_call_getattr(b, &ctx, ino, VFSD_NO_FH, &a), 0);
    EXPECT_EQ(a.size, 1u);
  }
  EXPECT_LE(vfsdtest::count_fds() - fds0, 16 + 2);
  // A rename behind the backend's back: file handles follow it, names
  // cannot (the file is then stale, never another file).
  ASSERT_EQ(rename((dir + "/sub").c_str(), (dir + "/moved").c_str()), 0);
  for (int i = 0; i < 40; i++) {  // push the first inodes out
    VfsdEntry e = {};
    vfsd_call_lookup(b, &ctx, VFSD_ROOT_INO, ("r" + std::to_string(i)).c_str(), &e);
  }
  VfsdAttr a = {};
  int r = vfsd_call_getattr(b, &ctx, inos[0], VFSD_NO_FH, &a);
  if (handles) EXPECT_EQ(r, 0);
  else EXPECT_EQ(r, -ESTALE);
  g_object_unref(b);
  EXPECT_LE(vfsdtest::count_fds(), fds0) << "every descriptor is closed";
}

TEST(PtBounded, DescriptorsAreBoundedWithFileHandles) {
  TmpfsDir src;
  ASSERT_EQ(mkdir((src / "sub").c_str(), 0755), 0);
  for (int i = 0; i < 300; i++) put(src / ("sub/f" + std::to_string(i)), "x");
  for (int i = 0; i < 40; i++) put(src / ("r" + std::to_string(i)), "x");
  bounded("source=" + src.path() + ",fds=16", src.path(), true);
}

TEST(PtBounded, DescriptorsAreBoundedWithNamesOnly) {
  TmpfsDir src;
  ASSERT_EQ(mkdir((src / "sub").c_str(), 0755), 0);
  for (int i = 0; i < 300; i++) put(src / ("sub/f" + std::to_string(i)), "x");
  for (int i = 0; i < 40; i++) put(src / ("r" + std::to_string(i)), "x");
  bounded("source=" + src.path() + ",fds=16,handles=no", src.path(), false);
}

TEST(PtArgs, BadSourcesGiveOneClearError) {
  for (const char *spec : {"passthrough", "passthrough:", "passthrough:/nonexistent/x",
                           "passthrough:/etc/hostname", "passthrough:source=/tmp,fds=2",
                           "passthrough:source=/tmp,colour=red"}) {
    GError *err = nullptr;
    VfsdBackend *b = vfsd_backend_load(spec, &err);
    EXPECT_EQ(b, nullptr) << spec;
    ASSERT_NE(err, nullptr) << spec;
    EXPECT_NE(strstr(err->message, "passthrough"), nullptr) << err->message;
    g_clear_error(&err);
    if (b) g_object_unref(b);
  }
}

}  // namespace
