// SPDX-License-Identifier: LGPL-2.1-or-later
// Unit tests of VfsdFilesystem's adapter: every operation of the vtable
// reaches its virtual method, results and errors convert as documented,
// nothing leaks.  Called through the choke point (vfsd_call_*), no kernel;
// tests/python drives the same through real mounts.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include <gio/gio.h>
#include <vfsd/vfsd.h>

extern "C" {
#include "fake-fs.h"
}

namespace {

class LogCapture {
 public:
  LogCapture() {
    id_ = g_log_set_handler("Vfsd", (GLogLevelFlags)(G_LOG_LEVEL_MASK),
                            on_log, this);
  }
  ~LogCapture() { g_log_remove_handler("Vfsd", id_); }
  int warnings() const { return warnings_; }
  const std::string &last() const { return last_; }

 private:
  static void on_log(const gchar *, GLogLevelFlags level, const gchar *msg,
                     gpointer data) {
    auto *self = static_cast<LogCapture *>(data);
    if (level & G_LOG_LEVEL_WARNING) {
      self->warnings_++;
      self->last_ = msg;
    }
  }
  guint id_;
  int warnings_ = 0;
  std::string last_;
};

class Adapter : public ::testing::Test {
 protected:
  void SetUp() override {
    fs = test_fs_new(VFSD_THREAD_PARALLEL, (VfsdBackendFlags)0);
    b = VFSD_BACKEND(fs);
    memset(&ctx, 0, sizeof ctx);
    ctx.uid = 1001;
    ctx.gid = 2002;
  }
  void TearDown() override { g_object_unref(fs); }
  VfsdEntry preset() {
    VfsdEntry e;
    memset(&e, 0, sizeof e);
    e.entry_timeout = 11;
    e.attr_timeout = 22;
    return e;
  }
  TestFs *fs;
  VfsdBackend *b;
  VfsdCtx ctx;
};

}  // namespace

TEST_F(Adapter, PropertiesReachTheBackend) {
  EXPECT_STREQ(vfsd_backend_get_name(b), "TestFs");
  EXPECT_EQ(vfsd_backend_get_thread_model(b), VFSD_THREAD_PARALLEL);
  TestFs *named = TEST_FS(g_object_new(TEST_TYPE_FS, "name", "custom", NULL));
  EXPECT_STREQ(vfsd_backend_get_name(VFSD_BACKEND(named)), "custom");
  EXPECT_EQ(vfsd_backend_get_thread_model(VFSD_BACKEND(named)),
            VFSD_THREAD_SERIALIZE_ALL);
  g_object_unref(named);
}

TEST_F(Adapter, OnlyOverriddenOperationsAreOffered) {
  for (int op = 0; op < VFSD_OP_COUNT; op++)
    EXPECT_TRUE(vfsd_backend_implements(b, (VfsdOpId)op))
        << vfsd_op_name((VfsdOpId)op);
  MinFs *min = MIN_FS(g_object_new(MIN_TYPE_FS, NULL));
  VfsdBackend *mb = VFSD_BACKEND(min);
  EXPECT_TRUE(vfsd_backend_implements(mb, VFSD_OP_LOOKUP));
  EXPECT_TRUE(vfsd_backend_implements(mb, VFSD_OP_GETATTR));
  for (VfsdOpId op : {VFSD_OP_FLUSH, VFSD_OP_SETXATTR, VFSD_OP_READ,
                      VFSD_OP_WRITE, VFSD_OP_GETLK, VFSD_OP_POLL,
                      VFSD_OP_OPEN, VFSD_OP_FORGET})
    EXPECT_FALSE(vfsd_backend_implements(mb, op)) << vfsd_op_name(op);
  // The library's defaults apply to what is not overridden.
  EXPECT_EQ(vfsd_call_setxattr(mb, &ctx, 1, "user.a", "v", 1, 0), -ENOSYS);
  VfsdOpenInfo oi = {O_RDONLY, 0, 9};
  EXPECT_EQ(vfsd_call_open(mb, &ctx, 1, &oi), 0);
  EXPECT_EQ(oi.fh, 9u);  // untouched: the caller's preset stands
  VfsdEntry e = preset();
  EXPECT_EQ(vfsd_call_lookup(mb, &ctx, 1, "x", &e), -ENOENT);
  g_object_unref(min);
}

TEST_F(Adapter, MissingLookupWarnsAndAnswersEnosys) {
  LogCapture log;  // a warning at construction names what is missing
  NoLookupFs *nl = NO_LOOKUP_FS(g_object_new(NO_LOOKUP_TYPE_FS, NULL));
  EXPECT_EQ(log.warnings(), 1);
  EXPECT_NE(log.last().find("does not implement lookup"), std::string::npos);
  VfsdEntry e = preset();
  EXPECT_EQ(vfsd_call_lookup(VFSD_BACKEND(nl), &ctx, 1, "x", &e), -ENOSYS);
  VfsdAttr a = {};
  EXPECT_EQ(vfsd_call_getattr(VFSD_BACKEND(nl), &ctx, 1, VFSD_NO_FH, &a),
            -ENOSYS);
  g_object_unref(nl);
}

TEST_F(Adapter, EveryOperationReachesItsMethod) {
  VfsdEntry e;
  VfsdAttr a, out;
  VfsdOpenInfo oi;
  VfsdStatfs st;
  char buf[64];
  VfsdInit init;
  memset(&init, 0, sizeof init);
  EXPECT_EQ(vfsd_call_init(b, &init), 0);
  EXPECT_EQ(init.entry_timeout, 5);
  e = preset();
  EXPECT_EQ(vfsd_call_lookup(b, &ctx, 1, "f", &e), 0);
  vfsd_call_forget(b, 42);
  memset(&a, 0, sizeof a);
  EXPECT_EQ(vfsd_call_getattr(b, &ctx, 42, VFSD_NO_FH, &a), 0);
  a.mode = 0600;
  a.size = 7;
  memset(&out, 0, sizeof out);
  EXPECT_EQ(vfsd_call_setattr(b, &ctx, 42, VFSD_NO_FH, &a,
                              VFSD_SET_MODE | VFSD_SET_SIZE, &out), 0);
  EXPECT_EQ(out.mode, (uint32_t)(S_IFREG | 0600));
  EXPECT_EQ(out.size, 7u);
  EXPECT_EQ(vfsd_call_readlink(b, &ctx, 42, buf, sizeof buf), 6);
  EXPECT_EQ(std::string(buf, 6), "target");
  e = preset();
  EXPECT_EQ(vfsd_call_mknod(b, &ctx, 1, "n", S_IFIFO | 0644, 0, &e), 0);
  e = preset();
  EXPECT_EQ(vfsd_call_mkdir(b, &ctx, 1, "d", 0755, &e), 0);
  EXPECT_EQ(vfsd_call_unlink(b, &ctx, 1, "n"), 0);
  EXPECT_EQ(vfsd_call_rmdir(b, &ctx, 1, "d"), 0);
  e = preset();
  EXPECT_EQ(vfsd_call_symlink(b, &ctx, "t", 1, "s", &e), 0);
  EXPECT_EQ(vfsd_call_rename(b, &ctx, 1, "s", 1, "s2", 0), 0);
  e = preset();
  EXPECT_EQ(vfsd_call_link(b, &ctx, 42, 1, "h", &e), 0);
  oi = {O_RDWR, 0, 0};
  EXPECT_EQ(vfsd_call_open(b, &ctx, 42, &oi), 0);
  EXPECT_EQ(oi.fh, 1042u);
  EXPECT_TRUE(oi.out_flags & VFSD_OPEN_DIRECT_IO);
  oi = {O_RDWR | O_CREAT, 0, 0};
  e = preset();
  EXPECT_EQ(vfsd_call_create(b, &ctx, 1, "c", S_IFREG | 0644, &oi, &e), 0);
  EXPECT_EQ(oi.fh, 77u);
  EXPECT_EQ(vfsd_call_read(b, &ctx, 42, 1, buf, 10, 0), 10);
  fs->written = 3;
  EXPECT_EQ(vfsd_call_write(b, &ctx, 42, 1, "abc", 3, 0, 0), 3);
  EXPECT_EQ(vfsd_call_flush(b, &ctx, 42, 1, 9), 0);
  EXPECT_EQ(vfsd_call_release(b, &ctx, 42, 1, O_RDWR), 0);
  EXPECT_EQ(vfsd_call_fsync(b, &ctx, 42, 1, 1), 0);
  oi = {O_RDONLY, 0, 0};
  EXPECT_EQ(vfsd_call_opendir(b, &ctx, 1, &oi), 0);
  EXPECT_EQ(oi.fh, 5u);
  std::vector<std::string> names;
  VfsdDirFiller *f = vfsd_dir_filler_new(
      false,
      [](void *d, const char *name, uint64_t, uint32_t, const VfsdEntry *,
         int64_t) {
        static_cast<std::vector<std::string> *>(d)->push_back(name);
        return true;
      },
      &names);
  EXPECT_EQ(vfsd_call_readdir(b, &ctx, 1, 5, 0, f), 0);
  vfsd_dir_filler_free(f);
  EXPECT_EQ(names, (std::vector<std::string>{"n0", "n1", "n2"}));
  EXPECT_EQ(vfsd_call_releasedir(b, &ctx, 1, 5), 0);
  EXPECT_EQ(vfsd_call_fsyncdir(b, &ctx, 1, 5, 0), 0);
  memset(&st, 0, sizeof st);
  EXPECT_EQ(vfsd_call_statfs(b, &ctx, 1, &st), 0);
  EXPECT_EQ(st.blocks, 123u);
  EXPECT_EQ(vfsd_call_setxattr(b, &ctx, 42, "user.a", "xyz", 3, 0), 0);
  EXPECT_EQ(vfsd_call_getxattr(b, &ctx, 42, "user.a", buf, sizeof buf), 10);
  fs->xattr_names = g_strsplit("user.a,user.b", ",", -1);
  EXPECT_EQ(vfsd_call_listxattr(b, &ctx, 42, buf, sizeof buf), 14);
  EXPECT_EQ(vfsd_call_removexattr(b, &ctx, 42, "user.a"), 0);
  EXPECT_EQ(vfsd_call_access(b, &ctx, 42, R_OK), 0);
  EXPECT_EQ(vfsd_call_fallocate(b, &ctx, 42, 1, 0, 0, 100), 0);
  int64_t off = 0;
  EXPECT_EQ(vfsd_call_lseek(b, &ctx, 42, 1, 5, SEEK_DATA, &off), 0);
  EXPECT_EQ(off, 105);
  fs->written = 8;
  EXPECT_EQ(vfsd_call_copy_file_range(b, &ctx, 42, 1, 0, 43, 2, 0, 8, 0), 8);
  struct flock fl;
  memset(&fl, 0, sizeof fl);
  fl.l_type = F_RDLCK;
  EXPECT_EQ(vfsd_call_getlk(b, &ctx, 42, 1, 7, &fl), 0);
  EXPECT_EQ(fl.l_type, F_WRLCK);
  EXPECT_EQ(fl.l_start, 10);
  EXPECT_EQ(fl.l_len, 20);
  EXPECT_EQ(fl.l_pid, 4242);
  fl.l_type = F_RDLCK;
  fl.l_start = 3;
  fl.l_len = 4;
  EXPECT_EQ(vfsd_call_setlk(b, &ctx, 42, 1, 7, &fl, 1), 0);
  EXPECT_EQ(fs->last_lock.type, F_RDLCK);
  EXPECT_EQ(fs->last_lock.start, 3);
  EXPECT_EQ(fs->last_lock.len, 4);
  EXPECT_EQ(vfsd_call_flock(b, &ctx, 42, 1, 7, LOCK_EX), 0);
  uint64_t idx = 20;
  EXPECT_EQ(vfsd_call_bmap(b, &ctx, 42, 4096, &idx), 0);
  EXPECT_EQ(idx, 41u);
  size_t out_size = 16;
  fs->ioctl_result = 3;
  EXPECT_EQ(vfsd_call_ioctl(b, &ctx, 42, 1, 0x1234, "in", 2, buf, &out_size),
            3);
  EXPECT_EQ(out_size, 10u);
  uint32_t revents = 0;
  EXPECT_EQ(vfsd_call_poll(b, &ctx, 42, 1, 5, nullptr, &revents), 0);
  EXPECT_EQ(revents, 1u);
  vfsd_call_destroy(b);

  const char *all[] = {
      "init", "destroy", "lookup", "forget", "getattr", "setattr",
      "readlink", "mknod", "mkdir", "unlink", "rmdir", "symlink", "rename",
      "link", "open", "create", "read", "write", "flush", "release", "fsync",
      "opendir", "readdir", "releasedir", "fsyncdir", "statfs", "setxattr",
      "getxattr", "listxattr", "removexattr", "access", "fallocate", "lseek",
      "copy_file_range", "getlk", "setlk", "flock", "bmap", "ioctl", "poll"};
  for (const char *op : all)
    EXPECT_EQ(test_fs_count(fs, op), 1) << op;
}

TEST_F(Adapter, EntriesGetPresetTimeoutsAndInodeNumbers) {
  VfsdEntry e = preset();
  ASSERT_EQ(vfsd_call_lookup(b, &ctx, 1, "f", &e), 0);
  EXPECT_EQ(e.ino, 42u);  // taken from the attributes
  EXPECT_EQ(e.attr.ino, 42u);
  EXPECT_EQ(e.entry_timeout, 11);  // negative: the preset
  EXPECT_EQ(e.attr_timeout, 22);
  fs->entry_timeout = 0.5;  // an explicit value stays
  e = preset();
  ASSERT_EQ(vfsd_call_mkdir(b, &ctx, 1, "d", 0700, &e), 0);
  EXPECT_EQ(e.entry_timeout, 0.5);
  EXPECT_EQ(e.attr.mode, (uint32_t)(S_IFDIR | 0700));
}

TEST_F(Adapter, CallerIsKnownDuringTheCall) {
  VfsdEntry e = preset();
  ASSERT_EQ(vfsd_call_lookup(b, &ctx, 1, "f", &e), 0);
  EXPECT_EQ(fs->caller_uid, 1001u);
  EXPECT_EQ(fs->caller_gid, 2002u);
  guint32 uid = 9;
  EXPECT_FALSE(vfsd_filesystem_get_caller(VFSD_FILESYSTEM(fs), &uid, nullptr,
                                          nullptr, nullptr));
  EXPECT_EQ(uid, 0u);
  EXPECT_FALSE(vfsd_filesystem_is_interrupted(VFSD_FILESYSTEM(fs)));
  EXPECT_EQ(vfsd_filesystem_get_mount(VFSD_FILESYSTEM(fs)), nullptr);
}

TEST_F(Adapter, ErrorsBecomeErrnos) {
  LogCapture log;
  struct Case {
    GQuark domain;
    int code;
    int want;
    bool logged;
  } cases[] = {
      {VFSD_ERROR, ENOTEMPTY, ENOTEMPTY, false},
      {VFSD_ERROR, EXDEV, EXDEV, false},
      {VFSD_ERROR, ENODATA, ENODATA, false},
      {VFSD_ERROR, 0, EIO, true},
      {VFSD_ERROR, 5000, EIO, true},
      {G_IO_ERROR, G_IO_ERROR_NOT_FOUND, ENOENT, false},
      {G_IO_ERROR, G_IO_ERROR_NOT_EMPTY, ENOTEMPTY, false},
      {G_IO_ERROR, G_IO_ERROR_FAILED, EIO, true},
      {G_FILE_ERROR, G_FILE_ERROR_PERM, EPERM, false},
      {g_quark_from_static_string("other-domain"), 2, EIO, true},
  };
  for (const Case &c : cases) {
    int before = log.warnings();
    fs->fail_domain = c.domain;
    fs->fail_code = c.code;
    EXPECT_EQ(vfsd_call_unlink(b, &ctx, 1, "x"), -c.want)
        << g_quark_to_string(c.domain) << " " << c.code;
    EXPECT_EQ(log.warnings() > before, c.logged)
        << g_quark_to_string(c.domain) << " " << c.code;
  }
  fs->return_false = TRUE;
  EXPECT_EQ(vfsd_call_rmdir(b, &ctx, 1, "x"), -EIO);
  EXPECT_NE(log.last().find("without setting an error"), std::string::npos)
      << log.last();
  // Pointer results: NULL without an error.
  fs->return_false = TRUE;
  char buf[8];
  EXPECT_EQ(vfsd_call_readlink(b, &ctx, 42, buf, sizeof buf), -EIO);
  fs->fail_domain = VFSD_ERROR;
  fs->fail_code = ENOENT;
  EXPECT_EQ(vfsd_call_read(b, &ctx, 42, 1, buf, sizeof buf, 0), -ENOENT);
}

TEST_F(Adapter, NamesThatAreNotUtf8NeverReachTheMethod) {
  const char *bad = "\xff\xfe";
  VfsdEntry e = preset();
  EXPECT_EQ(vfsd_call_lookup(b, &ctx, 1, bad, &e), -ENOENT);
  EXPECT_EQ(vfsd_call_unlink(b, &ctx, 1, bad), -ENOENT);
  EXPECT_EQ(vfsd_call_rmdir(b, &ctx, 1, bad), -ENOENT);
  e = preset();
  EXPECT_EQ(vfsd_call_mkdir(b, &ctx, 1, bad, 0755, &e), -EILSEQ);
  e = preset();
  EXPECT_EQ(vfsd_call_symlink(b, &ctx, bad, 1, "ok", &e), -EILSEQ);
  EXPECT_EQ(vfsd_call_rename(b, &ctx, 1, "ok", 1, bad, 0), -EILSEQ);
  EXPECT_EQ(vfsd_call_setxattr(b, &ctx, 1, bad, "v", 1, 0), -EILSEQ);
  char buf[8];
  EXPECT_EQ(vfsd_call_getxattr(b, &ctx, 1, bad, buf, sizeof buf), -ENODATA);
  EXPECT_EQ(test_fs_count(fs, "lookup") + test_fs_count(fs, "unlink") +
                test_fs_count(fs, "mkdir") + test_fs_count(fs, "symlink") +
                test_fs_count(fs, "rename") + test_fs_count(fs, "setxattr") +
                test_fs_count(fs, "getxattr"),
            0);
}

TEST_F(Adapter, ReadAndWriteData) {
  char buf[16];
  memset(buf, 0, sizeof buf);
  EXPECT_EQ(vfsd_call_read(b, &ctx, 42, 1, buf, 16, 0), 10);
  EXPECT_EQ(std::string(buf, 10), "0123456789");
  // More bytes than asked for is a bug: EIO.
  EXPECT_EQ(vfsd_call_read(b, &ctx, 42, 1, buf, 4, 0), -EIO);
  // The zero-copy path: the GBytes itself is the reply's segment.
  VfsdReadBuf *rb = vfsd_read_buf_new(0);
  EXPECT_EQ(vfsd_call_read_iov(b, &ctx, 42, 1, 16, 0, rb), 10);
  EXPECT_EQ(vfsd_read_buf_segments(rb), 1u);
  vfsd_read_buf_free(rb);  // releases the GBytes
  g_bytes_unref(fs->data);
  fs->data = g_bytes_new(nullptr, 0);
  EXPECT_EQ(vfsd_call_read(b, &ctx, 42, 1, buf, 16, 0), 0);

  fs->written = 5;
  EXPECT_EQ(vfsd_call_write(b, &ctx, 42, 1, "hello", 5, 0, 0), 5);
  gsize n;
  const char *p = (const char *)g_bytes_get_data(fs->last_write, &n);
  EXPECT_EQ(std::string(p, n), "hello");
  fs->written = 6;
  EXPECT_EQ(vfsd_call_write(b, &ctx, 42, 1, "hello", 5, 0, 0), -EIO);
  fs->written = 9;
  EXPECT_EQ(vfsd_call_copy_file_range(b, &ctx, 42, 1, 0, 43, 2, 0, 8, 0),
            -EIO);
}

TEST_F(Adapter, XattrSizeProtocol) {
  char buf[32];
  EXPECT_EQ(vfsd_call_getxattr(b, &ctx, 42, "user.a", nullptr, 0), 10);
  EXPECT_EQ(vfsd_call_getxattr(b, &ctx, 42, "user.a", buf, 4), -ERANGE);
  // An empty value (a GBytes whose data may be NULL).
  g_bytes_unref(fs->data);
  fs->data = g_bytes_new(nullptr, 0);
  EXPECT_EQ(vfsd_call_getxattr(b, &ctx, 42, "user.a", buf, sizeof buf), 0);
  EXPECT_EQ(vfsd_call_getxattr(b, &ctx, 42, "user.a", nullptr, 0), 0);
  fs->xattr_names = g_strsplit("user.a,,user.long", ",", -1);
  EXPECT_EQ(vfsd_call_listxattr(b, &ctx, 42, nullptr, 0), 17);
  EXPECT_EQ(vfsd_call_listxattr(b, &ctx, 42, buf, 5), -ERANGE);
  ASSERT_EQ(vfsd_call_listxattr(b, &ctx, 42, buf, sizeof buf), 17);
  EXPECT_EQ(std::string(buf, 17), std::string("user.a\0user.long\0", 17));
}

TEST_F(Adapter, ReadlinkAndIoctlLimits) {
  char buf[4];
  EXPECT_EQ(vfsd_call_readlink(b, &ctx, 42, buf, sizeof buf), -ENAMETOOLONG);
  char out[4];
  size_t out_size = sizeof out;
  EXPECT_EQ(vfsd_call_ioctl(b, &ctx, 42, 1, 1, nullptr, 0, out, &out_size),
            -EIO);  // 10 bytes for a room of 4
  fs->ioctl_result = -2;
  out_size = 64;
  char big[64];
  EXPECT_EQ(vfsd_call_ioctl(b, &ctx, 42, 1, 1, nullptr, 0, big, &out_size),
            -EIO);
  fs->ioctl_result = 0;
  g_clear_pointer(&fs->data, g_bytes_unref);
  out_size = 64;
  EXPECT_EQ(vfsd_call_ioctl(b, &ctx, 42, 1, 1, nullptr, 0, big, &out_size), 0);
  EXPECT_EQ(out_size, 0u);
}

TEST_F(Adapter, AKeptFillerIsDead) {
  int added = 0;
  VfsdDirFiller *f = vfsd_dir_filler_new(
      true,
      [](void *d, const char *, uint64_t, uint32_t, const VfsdEntry *,
         int64_t) {
        ++*static_cast<int *>(d);
        return true;
      },
      &added);
  EXPECT_EQ(vfsd_call_readdir(b, &ctx, 1, 5, 0, f), 0);
  EXPECT_EQ(added, 3);
  EXPECT_TRUE(fs->filler_was_plus);
  vfsd_dir_filler_free(f);
  ASSERT_NE(fs->kept_filler, nullptr);
  EXPECT_FALSE(vfsd_dir_filler_add(fs->kept_filler, "late", 1, S_IFREG, 9));
  VfsdEntry e = {};
  e.ino = 3;
  e.attr.mode = S_IFREG;
  EXPECT_FALSE(vfsd_dir_filler_add_entry(fs->kept_filler, "late", &e, 9));
  EXPECT_TRUE(vfsd_dir_filler_wants_entries(fs->kept_filler));
}

TEST(Boxed, ConstructorsAndCopies) {
  VfsdAttr *a = vfsd_attr_new(3, S_IFREG | 0644, 2, 10, 20, 100, 1, 0, 4096,
                              1, 2, 3, 4, 5, 6);
  EXPECT_EQ(a->ino, 3u);
  EXPECT_EQ(a->nlink, 2u);
  EXPECT_EQ(a->ctime_nsec, 6u);
  VfsdAttr *c = (VfsdAttr *)g_boxed_copy(VFSD_TYPE_ATTR, a);
  EXPECT_EQ(memcmp(a, c, sizeof *a), 0);
  VfsdEntry *e = vfsd_entry_new(0, 7, -1, 2.5, a);
  EXPECT_EQ(e->ino, 3u);
  EXPECT_EQ(e->generation, 7u);
  VfsdAttr *ea = vfsd_entry_get_attr(e);
  EXPECT_EQ(ea->size, 100u);
  VfsdStatfs *s = vfsd_statfs_new(1, 2, 3, 4, 5, 6, 7, 8, 9);
  EXPECT_EQ(s->namemax, 9u);
  VfsdLock *l = vfsd_lock_new(F_WRLCK, 1, 2, 3);
  EXPECT_EQ(l->pid, 3);
  VfsdOpenInfo *oi = vfsd_open_info_new(O_RDWR, 1, 2);
  EXPECT_EQ(oi->fh, 2u);
  VfsdInit init = {};
  init.mount = (VfsdMount *)0x1;
  VfsdInit *ic = vfsd_init_copy(&init);
  EXPECT_EQ(ic->mount, nullptr);  // copies never carry the mount
  vfsd_init_free(ic);
  g_boxed_free(VFSD_TYPE_ATTR, c);
  vfsd_attr_free(a);
  vfsd_attr_free(ea);
  vfsd_entry_free(e);
  vfsd_statfs_free(s);
  vfsd_lock_free(l);
  vfsd_open_info_free(oi);
  EXPECT_EQ(g_type_fundamental(VFSD_TYPE_THREAD_MODEL), G_TYPE_ENUM);
  EXPECT_EQ(g_type_fundamental(VFSD_TYPE_SETATTR_FLAGS), G_TYPE_FLAGS);
  GFlagsClass *fc = (GFlagsClass *)g_type_class_ref(VFSD_TYPE_SETATTR_FLAGS);
  EXPECT_EQ(g_flags_get_value_by_nick(fc, "size")->value,
            (guint)VFSD_SET_SIZE);
  g_type_class_unref(fc);
}
