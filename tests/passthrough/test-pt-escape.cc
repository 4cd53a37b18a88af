// SPDX-License-Identifier: LGPL-2.1-or-later
// The passthrough backend never touches anything outside its tree, at the
// vtable level: names with "." and "..", symlinks pointing out, and
// directories swapped for symlinks (or the reverse) between two calls,
// with descriptors held and with descriptors evicted (re-resolution by
// name).  An inotify watch on the outside directory and a snapshot of it
// prove that nothing there was opened, read, changed or created.
#include "pt-helpers.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace pttest;

namespace {

class Escape : public ::testing::TestWithParam<const char *> {
 protected:
  void SetUp() override {
    top = std::make_unique<TmpfsDir>();
    outside = *top / "outside";
    tree = *top / "tree";
    ASSERT_EQ(mkdir(outside.c_str(), 0755), 0);
    ASSERT_EQ(mkdir(tree.c_str(), 0755), 0);
    put(outside + "/secret", "top secret");
    ASSERT_EQ(mkdir((tree + "/d").c_str(), 0755), 0);
    put(tree + "/d/inside", "in");
    put(tree + "/file", "original");
    ASSERT_EQ(symlink((outside + "/secret").c_str(), (tree + "/abs").c_str()), 0);
    ASSERT_EQ(symlink("../outside", (tree + "/rel").c_str()), 0);
    ctx = {};
    ctx.pid = (uint32_t)getpid();
    // The parameter: how the backend holds inodes.
    b = load(std::string("source=") + tree + GetParam());
    ASSERT_NE(b, nullptr);
    before = snapshot(outside);
    watch = std::make_unique<Watch>(outside);
  }
  void TearDown() override {
    g_clear_object(&b);
    if (watch) {
      EXPECT_EQ(watch->events(), std::vector<std::string>{}) << "something outside was touched";
      EXPECT_EQ(snapshot(outside), before);
    }
    EXPECT_EQ(get(outside + "/secret"), "top secret");
  }
  // Pushes every idle descriptor out of a backend holding 16 at most.
  void evict() {
    for (int i = 0; i < 40; i++) {
      std::string n = "e" + std::to_string(i);
      put(tree + "/" + n, "");
      VfsdEntry e = {};
      ASSERT_EQ(vfsd_call_lookup(b, &ctx, VFSD_ROOT_INO, n.c_str(), &e), 0);
    }
  }
  VfsdEntry look(uint64_t parent, const char *name, int want = 0) {
    VfsdEntry e = {};
    EXPECT_EQ(vfsd_call_lookup(b, &ctx, parent, name, &e), want) << name;
    return e;
  }

  std::unique_ptr<TmpfsDir> top;
  std::string outside, tree, before;
  std::unique_ptr<Watch> watch;
  VfsdBackend *b = nullptr;
  VfsdCtx ctx;
};

TEST_P(Escape, DotDotAtTheRootIsTheRoot) {
  VfsdEntry e = look(VFSD_ROOT_INO, "..");
  EXPECT_EQ(e.ino, (uint64_t)VFSD_ROOT_INO);
  VfsdEntry d = look(VFSD_ROOT_INO, "d");
  EXPECT_EQ(look(d.ino, "..").ino, (uint64_t)VFSD_ROOT_INO);
  EXPECT_EQ(look(look(d.ino, "..").ino, "..").ino, (uint64_t)VFSD_ROOT_INO);
  EXPECT_EQ(look(d.ino, ".").ino, d.ino);
  // Names with a slash never reach the backend.
  look(VFSD_ROOT_INO, "../outside", -EINVAL);
  look(d.ino, "../../outside/secret", -EINVAL);
}

TEST_P(Escape, ChangesNamedDotOrDotDotAreRefused) {
  VfsdEntry e;
  VfsdOpenInfo oi = {};
  oi.flags = O_RDWR | O_CREAT;
  for (const char *n : {".", ".."}) {
    EXPECT_LT(vfsd_call_mkdir(b, &ctx, VFSD_ROOT_INO, n, 0755, &e), 0);
    EXPECT_LT(vfsd_call_mknod(b, &ctx, VFSD_ROOT_INO, n, S_IFREG | 0644, 0, &e), 0);
    EXPECT_LT(vfsd_call_create(b, &ctx, VFSD_ROOT_INO, n, 0644, &oi, &e), 0);
    EXPECT_LT(vfsd_call_symlink(b, &ctx, "x", VFSD_ROOT_INO, n, &e), 0);
    EXPECT_LT(vfsd_call_unlink(b, &ctx, VFSD_ROOT_INO, n), 0);
    EXPECT_LT(vfsd_call_rmdir(b, &ctx, VFSD_ROOT_INO, n), 0);
    EXPECT_LT(vfsd_call_rename(b, &ctx, VFSD_ROOT_INO, n, VFSD_ROOT_INO, "x", 0), 0);
    EXPECT_LT(vfsd_call_rename(b, &ctx, VFSD_ROOT_INO, "file", VFSD_ROOT_INO, n, 0), 0);
    EXPECT_LT(vfsd_call_link(b, &ctx, look(VFSD_ROOT_INO, "file").ino, VFSD_ROOT_INO, n, &e), 0);
  }
  EXPECT_EQ(get(tree + "/file"), "original");
}

TEST_P(Escape, SymlinksPointingOutAreNeverFollowed) {
  for (const char *n : {"abs", "rel"}) {
    VfsdEntry l = look(VFSD_ROOT_INO, n);
    EXPECT_TRUE(S_ISLNK(l.attr.mode)) << n;
    VfsdOpenInfo oi = {};
    oi.flags = O_RDONLY;
    EXPECT_LT(vfsd_call_open(b, &ctx, l.ino, &oi), 0) << n;
    oi.flags = O_RDWR | O_TRUNC;
    EXPECT_LT(vfsd_call_open(b, &ctx, l.ino, &oi), 0) << n;
    EXPECT_LT(vfsd_call_opendir(b, &ctx, l.ino, &oi), 0) << n;
    look(l.ino, "secret", -ENOTDIR);
    VfsdEntry e;
    EXPECT_LT(vfsd_call_mkdir(b, &ctx, l.ino, "x", 0755, &e), 0);
    oi.flags = O_RDWR | O_CREAT;
    EXPECT_LT(vfsd_call_create(b, &ctx, l.ino, "x", 0644, &oi, &e), 0);
    VfsdAttr in = {}, out;
    in.size = 0;
    EXPECT_LT(vfsd_call_setattr(b, &ctx, l.ino, VFSD_NO_FH, &in, VFSD_SET_SIZE, &out), 0);
    char buf[16];
    EXPECT_EQ(vfsd_call_getxattr(b, &ctx, l.ino, "user.x", buf, sizeof buf), -ENODATA);
  }
}

TEST_P(Escape, ADirectorySwappedForASymlinkKeepsItsIdentity) {
  VfsdEntry d = look(VFSD_ROOT_INO, "d");
  if (strstr(GetParam(), "fds=16")) evict();
  // Behind the backend: d goes away, a symlink out takes its name.
  ASSERT_EQ(rename((tree + "/d").c_str(), (tree + "/d.old").c_str()), 0);
  ASSERT_EQ(symlink("../outside", (tree + "/d").c_str()), 0);
  VfsdEntry e;
  VfsdOpenInfo oi = {};
  oi.flags = O_RDWR | O_CREAT;
  int r1 = vfsd_call_lookup(b, &ctx, d.ino, "secret", &e);
  int r2 = vfsd_call_create(b, &ctx, d.ino, "new", 0644, &oi, &e);
  if (r2 == 0) vfsd_call_release(b, &ctx, e.ino, oi.fh, 0);
  int r3 = vfsd_call_mkdir(b, &ctx, d.ino, "newdir", 0755, &e);
  EXPECT_NE(r1, 0) << "the secret is not in d";
  // Either the original directory is still reachable (descriptor or file
  // handle) and the changes land there, or it is stale.
  if (r2 == 0) EXPECT_EQ(get(tree + "/d.old/new"), "");
  else EXPECT_EQ(r2, -ESTALE);
  if (r3 == 0) {
    struct stat st;
    EXPECT_EQ(stat((tree + "/d.old/newdir").c_str(), &st), 0);
  } else EXPECT_EQ(r3, -ESTALE);
  // The new name "d" is the symlink, looked up as such.
  VfsdEntry s = look(VFSD_ROOT_INO, "d");
  EXPECT_TRUE(S_ISLNK(s.attr.mode));
}

TEST_P(Escape, ASymlinkSwappedForADirectoryIsNotEntered) {
  ASSERT_EQ(symlink("../outside", (tree + "/x").c_str()), 0);
  VfsdEntry l = look(VFSD_ROOT_INO, "x");
  ASSERT_TRUE(S_ISLNK(l.attr.mode));
  if (strstr(GetParam(), "fds=16")) evict();
  ASSERT_EQ(unlink((tree + "/x").c_str()), 0);
  ASSERT_EQ(mkdir((tree + "/x").c_str(), 0755), 0);
  VfsdEntry e;
  EXPECT_LT(vfsd_call_mkdir(b, &ctx, l.ino, "y", 0755, &e), 0);
  struct stat st;
  EXPECT_NE(stat((tree + "/x/y").c_str(), &st), 0);
}

TEST_P(Escape, AFileSwappedForASymlinkOpensTheOriginal) {
  VfsdEntry f = look(VFSD_ROOT_INO, "file");
  if (strstr(GetParam(), "fds=16")) evict();
  ASSERT_EQ(rename((tree + "/file").c_str(), (tree + "/file.old").c_str()), 0);
  ASSERT_EQ(symlink((outside + "/secret").c_str(), (tree + "/file").c_str()), 0);
  VfsdOpenInfo oi = {};
  oi.flags = O_RDWR | O_TRUNC;
  int r = vfsd_call_open(b, &ctx, f.ino, &oi);
  if (r == 0) {
    EXPECT_EQ(vfsd_call_write(b, &ctx, f.ino, oi.fh, "changed", 7, 0, 0), 7);
    vfsd_call_release(b, &ctx, f.ino, oi.fh, 0);
    EXPECT_EQ(get(tree + "/file.old"), "changed");
  } else {
    EXPECT_EQ(r, -ESTALE);
  }
  VfsdAttr in = {}, out;
  in.mode = 0600;
  r = vfsd_call_setattr(b, &ctx, f.ino, VFSD_NO_FH, &in, VFSD_SET_MODE, &out);
  EXPECT_TRUE(r == 0 || r == -ESTALE) << r;
}

TEST_P(Escape, AParentSwappedBetweenCallsDuringReresolution) {
  // Deep inode, its directory chain evicted, then the middle directory is
  // replaced by a symlink out: re-resolution by name must not follow it.
  ASSERT_EQ(mkdir((tree + "/a").c_str(), 0755), 0);
  ASSERT_EQ(mkdir((tree + "/a/b").c_str(), 0755), 0);
  put(tree + "/a/b/secret", "inner");
  VfsdEntry a = look(VFSD_ROOT_INO, "a");
  VfsdEntry bb = look(a.ino, "b");
  VfsdEntry s = look(bb.ino, "secret");
  if (strstr(GetParam(), "fds=16")) evict();
  ASSERT_EQ(rename((tree + "/a").c_str(), (tree + "/a.old").c_str()), 0);
  ASSERT_EQ(mkdir((tree + "/a").c_str(), 0755), 0);
  ASSERT_EQ(symlink("../../outside", (tree + "/a/b").c_str()), 0);
  VfsdAttr at;
  int r = vfsd_call_getattr(b, &ctx, s.ino, VFSD_NO_FH, &at);
  if (r == 0) EXPECT_EQ(at.size, 5u) << "the inner file, not the outside one";
  else EXPECT_EQ(r, -ESTALE);
  VfsdOpenInfo oi = {};
  oi.flags = O_RDONLY;
  if (vfsd_call_open(b, &ctx, s.ino, &oi) == 0) {
    char buf[32] = {};
    EXPECT_EQ(vfsd_call_read(b, &ctx, s.ino, oi.fh, buf, sizeof buf, 0), 5);
    EXPECT_STREQ(buf, "inner");
    vfsd_call_release(b, &ctx, s.ino, oi.fh, 0);
  }
}

INSTANTIATE_TEST_SUITE_P(Holding, Escape,
                         ::testing::Values("", ",fds=16", ",fds=16,handles=no"),
                         [](const ::testing::TestParamInfo<const char *> &i) {
                           std::string s = i.param;
                           return s.empty() ? std::string("Descriptors")
                                  : s.find("handles=no") != std::string::npos ? std::string("NamesOnly")
                                                                             : std::string("FileHandles");
                         });

}  // namespace
