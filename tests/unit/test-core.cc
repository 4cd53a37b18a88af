// SPDX-License-Identifier: LGPL-2.1-or-later
// Unit tests of the core through a fake backend: registration and the ABI
// promise, every "If NULL" default, the error convention, layers, the
// registry.  No kernel involved.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <cstddef>
#include <string>
#include <vector>

#include "fake-backend.h"

using namespace vfsdtest;

namespace {

// Counts the warnings libvfsd logs while alive.
class LogCapture {
 public:
  LogCapture() {
    id_ = g_log_set_handler("Vfsd", (GLogLevelFlags)(G_LOG_LEVEL_MASK), on_log, this);
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

VfsdBackend *make(const VfsdOps &ops, Fake *f, GError **err = nullptr) {
  return vfsd_backend_new(&ops, f, nullptr, err);
}

VfsdCtx ctx() {
  VfsdCtx c;
  memset(&c, 0, sizeof c);
  return c;
}

}  // namespace

// ---- registration and the ABI promise ------------------------------------

TEST(Registration, MinimalBackendAccepted) {
  Fake f;
  VfsdOps ops = fake_min_ops();
  GError *err = nullptr;
  VfsdBackend *b = make(ops, &f, &err);
  ASSERT_NE(b, nullptr) << (err ? err->message : "");
  EXPECT_STREQ(vfsd_backend_get_name(b), "fake");
  EXPECT_EQ(vfsd_backend_get_thread_model(b), VFSD_THREAD_PARALLEL);
  EXPECT_EQ(vfsd_backend_get_instance(b), &f);
  EXPECT_EQ(vfsd_backend_get_next(b), nullptr);
  g_object_unref(b);
}

TEST(Registration, PrivateCopyIgnoresLaterChangesToCallerStruct) {
  Fake f;
  VfsdOps ops = fake_min_ops();
  VfsdBackend *b = make(ops, &f);
  ASSERT_NE(b, nullptr);
  ops.lookup = nullptr;  // the library must not see this
  ops.name = "changed";
  VfsdCtx c = ctx();
  VfsdEntry e = {};
  EXPECT_EQ(vfsd_call_lookup(b, &c, 1, "x", &e), 0);
  EXPECT_EQ(f.count("lookup"), 1);
  EXPECT_STREQ(vfsd_backend_get_name(b), "fake");
  g_object_unref(b);
}

TEST(Registration, OlderSmallerStructAccepted) {
  // A backend compiled when VfsdOps ended after `read`: everything after it
  // must be treated as NULL even though the caller's memory there is junk.
  Fake f;
  struct {
    VfsdOps ops;
    char junk[64];
  } big;
  memset(&big, 0xAB, sizeof big);  // junk everywhere, including later ops
  VfsdOps head = fake_min_ops();
  head.read = fk_read;
  size_t old_size = offsetof(VfsdOps, read) + sizeof(void *);
  memcpy(&big.ops, &head, old_size);
  big.ops.struct_size = static_cast<uint32_t>(old_size);
  GError *err = nullptr;
  VfsdBackend *b = vfsd_backend_new(&big.ops, &f, nullptr, &err);
  ASSERT_NE(b, nullptr) << (err ? err->message : "");
  const VfsdOps *copy = vfsd_backend_get_ops(b);
  EXPECT_EQ(copy->read, fk_read);
  EXPECT_EQ(copy->read_iov, nullptr);
  EXPECT_EQ(copy->write, nullptr);
  EXPECT_EQ(copy->poll, nullptr);
  EXPECT_EQ(copy->struct_size, sizeof(VfsdOps));
  // Calls to the missing operations get their defaults, not the junk.
  VfsdCtx c = ctx();
  EXPECT_EQ(vfsd_call_write(b, &c, 2, 0, "a", 1, 0, 0), -ENOSYS);
  EXPECT_EQ(vfsd_call_fsync(b, &c, 2, 0, 0), -ENOSYS);
  g_object_unref(b);
}

TEST(Registration, LargerStructFromNewerHeadersAccepted) {
  Fake f;
  struct {
    VfsdOps ops;
    void *future_op;
  } big;
  memset(&big, 0, sizeof big);
  big.ops = fake_min_ops();
  big.ops.struct_size = sizeof big;
  big.future_op = reinterpret_cast<void *>(0x1);
  VfsdBackend *b = vfsd_backend_new(&big.ops, &f, nullptr, nullptr);
  ASSERT_NE(b, nullptr);
  g_object_unref(b);
}

TEST(Registration, FutureAbiRejectedWithClearError) {
  Fake f;
  VfsdOps ops = fake_min_ops();
  ops.abi_version = VFSD_ABI_VERSION + 1;
  GError *err = nullptr;
  EXPECT_EQ(make(ops, &f, &err), nullptr);
  ASSERT_NE(err, nullptr);
  EXPECT_EQ(err->domain, VFSD_ERROR);
  EXPECT_EQ(err->code, EINVAL);
  EXPECT_NE(std::string(err->message).find("ABI version"), std::string::npos)
      << err->message;
  EXPECT_NE(std::string(err->message).find("fake"), std::string::npos);
  g_error_free(err);
}

TEST(Registration, ZeroAbiRejected) {
  Fake f;
  VfsdOps ops = fake_min_ops();
  ops.abi_version = 0;
  GError *err = nullptr;
  EXPECT_EQ(make(ops, &f, &err), nullptr);
  ASSERT_NE(err, nullptr);
  g_error_free(err);
}

TEST(Registration, TooSmallStructRejected) {
  Fake f;
  VfsdOps ops = fake_min_ops();
  ops.struct_size = 8;
  GError *err = nullptr;
  EXPECT_EQ(make(ops, &f, &err), nullptr);
  ASSERT_NE(err, nullptr);
  EXPECT_NE(std::string(err->message).find("too small"), std::string::npos);
  g_error_free(err);
}

TEST(Registration, MissingRequiredOpsRejected) {
  Fake f;
  for (int which = 0; which < 2; which++) {
    VfsdOps ops = fake_min_ops();
    if (which == 0)
      ops.lookup = nullptr;
    else
      ops.getattr = nullptr;
    GError *err = nullptr;
    EXPECT_EQ(make(ops, &f, &err), nullptr);
    ASSERT_NE(err, nullptr);
    EXPECT_NE(std::string(err->message).find(which == 0 ? "lookup" : "getattr"),
              std::string::npos);
    g_error_free(err);
  }
}

TEST(Registration, HalfOfPosixLocksRejected) {
  Fake f;
  VfsdOps ops = fake_min_ops();
  ops.getlk = [](void *, const VfsdCtx *, uint64_t, uint64_t, uint64_t,
                 struct flock *) { return 0; };
  GError *err = nullptr;
  EXPECT_EQ(make(ops, &f, &err), nullptr);
  ASSERT_NE(err, nullptr);
  g_error_free(err);
}

TEST(Registration, UnknownThreadModelRejected) {
  Fake f;
  VfsdOps ops = fake_min_ops();
  ops.thread_model = 7;
  GError *err = nullptr;
  EXPECT_EQ(make(ops, &f, &err), nullptr);
  ASSERT_NE(err, nullptr);
  g_error_free(err);
}

TEST(Registration, NullOpsRejected) {
  GError *err = nullptr;
  EXPECT_EQ(vfsd_backend_new(nullptr, nullptr, nullptr, &err), nullptr);
  ASSERT_NE(err, nullptr);
  g_error_free(err);
}

TEST(Registration, InstanceFreedWithBackendNotOnFailure) {
  static int frees;
  frees = 0;
  auto free_fn = [](gpointer) { frees++; };
  VfsdOps ops = fake_min_ops();
  Fake f;
  VfsdBackend *b = vfsd_backend_new(&ops, &f, free_fn, nullptr);
  ASSERT_NE(b, nullptr);
  g_object_unref(b);
  EXPECT_EQ(frees, 1);
  ops.abi_version = 99;
  EXPECT_EQ(vfsd_backend_new(&ops, &f, free_fn, nullptr), nullptr);
  EXPECT_EQ(frees, 1);
}

TEST(Registration, InitMacroFillsHeader) {
  static const VfsdOps ops = {
      VFSD_OPS_INIT("macro", VFSD_THREAD_SERIALIZE_PER_FILE),
      .lookup = fk_lookup,
      .getattr = fk_getattr,
  };
  EXPECT_EQ(ops.struct_size, sizeof(VfsdOps));
  EXPECT_EQ(ops.abi_version, static_cast<uint32_t>(VFSD_ABI_VERSION));
  EXPECT_EQ(ops.thread_model, static_cast<uint32_t>(VFSD_THREAD_SERIALIZE_PER_FILE));
  Fake f;
  VfsdBackend *b = vfsd_backend_new(&ops, &f, nullptr, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(vfsd_backend_get_thread_model(b), VFSD_THREAD_SERIALIZE_PER_FILE);
  g_object_unref(b);
}

// ---- every "If NULL" default ----------------------------------------------

TEST(Defaults, EveryNullOperation) {
  Fake f;
  VfsdOps ops = fake_min_ops();
  VfsdBackend *b = make(ops, &f);
  ASSERT_NE(b, nullptr);
  VfsdCtx c = ctx();
  VfsdEntry e = {};
  VfsdAttr a = {};
  VfsdOpenInfo oi = {O_RDONLY, 0, 99};
  char buf[64];

  EXPECT_EQ(vfsd_call_init(b, nullptr), 0);
  vfsd_call_destroy(b);  // nothing, no crash
  vfsd_call_forget(b, 5);
  EXPECT_EQ(vfsd_call_setattr(b, &c, 2, VFSD_NO_FH, &a, VFSD_SET_MODE, &a), -ENOSYS);
  EXPECT_EQ(vfsd_call_readlink(b, &c, 2, buf, sizeof buf), -ENOSYS);
  EXPECT_EQ(vfsd_call_mknod(b, &c, 1, "n", S_IFIFO | 0644, 0, &e), -ENOSYS);
  EXPECT_EQ(vfsd_call_mkdir(b, &c, 1, "d", 0755, &e), -ENOSYS);
  EXPECT_EQ(vfsd_call_unlink(b, &c, 1, "n"), -ENOSYS);
  EXPECT_EQ(vfsd_call_rmdir(b, &c, 1, "d"), -ENOSYS);
  EXPECT_EQ(vfsd_call_symlink(b, &c, "t", 1, "s", &e), -ENOSYS);
  EXPECT_EQ(vfsd_call_rename(b, &c, 1, "a", 1, "b", 0), -ENOSYS);
  EXPECT_EQ(vfsd_call_link(b, &c, 2, 1, "l", &e), -ENOSYS);
  EXPECT_EQ(vfsd_call_open(b, &c, 2, &oi), 0);
  EXPECT_EQ(oi.fh, 99u);  // untouched: the library presets it (to 0)
  EXPECT_EQ(vfsd_call_create(b, &c, 1, "f", 0644, &oi, &e), -ENOSYS);
  EXPECT_EQ(vfsd_call_read(b, &c, 2, 0, buf, sizeof buf, 0), -ENOSYS);
  VfsdReadBuf *rb = vfsd_read_buf_new(16);
  EXPECT_EQ(vfsd_call_read_iov(b, &c, 2, 0, 16, 0, rb), -ENOSYS);
  vfsd_read_buf_free(rb);
  EXPECT_EQ(vfsd_call_write(b, &c, 2, 0, "x", 1, 0, 0), -ENOSYS);
  EXPECT_EQ(vfsd_call_flush(b, &c, 2, 0, 0), -ENOSYS);
  EXPECT_EQ(vfsd_call_release(b, &c, 2, 0, 0), 0);
  EXPECT_EQ(vfsd_call_fsync(b, &c, 2, 0, 0), -ENOSYS);
  EXPECT_EQ(vfsd_call_opendir(b, &c, 1, &oi), 0);
  VfsdDirFiller *fl = vfsd_dir_filler_new(
      false, [](void *, const char *, uint64_t, uint32_t, const VfsdEntry *,
                int64_t) { return true; },
      nullptr);
  EXPECT_EQ(vfsd_call_readdir(b, &c, 1, 0, 0, fl), -ENOSYS);
  vfsd_dir_filler_free(fl);
  EXPECT_EQ(vfsd_call_releasedir(b, &c, 1, 0), 0);
  EXPECT_EQ(vfsd_call_fsyncdir(b, &c, 1, 0, 0), -ENOSYS);
  VfsdStatfs st;
  memset(&st, 0xff, sizeof st);
  EXPECT_EQ(vfsd_call_statfs(b, &c, 1, &st), 0);
  EXPECT_EQ(st.bsize, 4096u);
  EXPECT_EQ(st.namemax, 255u);
  EXPECT_EQ(st.blocks, 0u);
  EXPECT_EQ(vfsd_call_setxattr(b, &c, 2, "user.a", "v", 1, 0), -ENOSYS);
  EXPECT_EQ(vfsd_call_getxattr(b, &c, 2, "user.a", buf, sizeof buf), -ENOSYS);
  EXPECT_EQ(vfsd_call_listxattr(b, &c, 2, buf, sizeof buf), -ENOSYS);
  EXPECT_EQ(vfsd_call_removexattr(b, &c, 2, "user.a"), -ENOSYS);
  EXPECT_EQ(vfsd_call_access(b, &c, 2, R_OK), -ENOSYS);
  EXPECT_EQ(vfsd_call_fallocate(b, &c, 2, 0, 0, 0, 10), -ENOSYS);
  int64_t off = 0;
  EXPECT_EQ(vfsd_call_lseek(b, &c, 2, 0, 0, SEEK_DATA, &off), -ENOSYS);
  EXPECT_EQ(vfsd_call_copy_file_range(b, &c, 2, 0, 0, 3, 0, 0, 10, 0), -ENOSYS);
  struct flock lk = {};
  EXPECT_EQ(vfsd_call_getlk(b, &c, 2, 0, 1, &lk), -ENOSYS);
  EXPECT_EQ(vfsd_call_setlk(b, &c, 2, 0, 1, &lk, 0), -ENOSYS);
  EXPECT_EQ(vfsd_call_flock(b, &c, 2, 0, 1, LOCK_EX), -ENOSYS);
  uint64_t idx = 0;
  EXPECT_EQ(vfsd_call_bmap(b, &c, 2, 4096, &idx), -ENOSYS);
  size_t out_size = 8;
  EXPECT_EQ(vfsd_call_ioctl(b, &c, 2, 0, 1, nullptr, 0, buf, &out_size), -ENOTTY);
  EXPECT_EQ(out_size, 0u);
  uint32_t rev = 0;
  EXPECT_EQ(vfsd_call_poll(b, &c, 2, 0, 1, nullptr, &rev), -ENOSYS);
  // None of these reached backend code.
  EXPECT_EQ(f.count("lookup") + f.count("getattr"), 0);
  g_object_unref(b);
}

TEST(Defaults, TableIsCompleteAndDocumented) {
  for (int op = 0; op < VFSD_OP_COUNT; op++) {
    EXPECT_STRNE(vfsd_op_name(static_cast<VfsdOpId>(op)), "?") << op;
    EXPECT_NE(vfsd_op_default_doc(static_cast<VfsdOpId>(op)), nullptr);
    EXPECT_GT(strlen(vfsd_op_default_doc(static_cast<VfsdOpId>(op))), 3u);
  }
  EXPECT_STREQ(vfsd_op_name(VFSD_OP_COUNT), "?");
  EXPECT_TRUE(vfsd_op_is_modifying(VFSD_OP_WRITE));
  EXPECT_TRUE(vfsd_op_is_modifying(VFSD_OP_RENAME));
  EXPECT_FALSE(vfsd_op_is_modifying(VFSD_OP_READ));
  EXPECT_FALSE(vfsd_op_is_modifying(VFSD_OP_GETATTR));
}

TEST(Defaults, ReadFallsBackBetweenCopyAndZeroCopy) {
  // A backend with only read() serves read_iov callers, and vice versa.
  Fake f;
  f.read_fill = 5;
  VfsdOps ops = fake_min_ops();
  ops.read = fk_read;
  VfsdBackend *b = make(ops, &f);
  VfsdCtx c = ctx();
  VfsdReadBuf *rb = vfsd_read_buf_new(0);
  EXPECT_EQ(vfsd_call_read_iov(b, &c, 2, 0, 10, 0, rb), 5);
  char out[16] = {};
  EXPECT_EQ(vfsd_read_buf_copy_out(rb, out, sizeof out), 5u);
  EXPECT_STREQ(out, "xxxxx");
  vfsd_read_buf_free(rb);
  g_object_unref(b);

  static const char data[] = "abcdefgh";
  static int unpinned;
  unpinned = 0;
  VfsdOps ops2 = fake_min_ops();
  ops2.read_iov = [](void *, const VfsdCtx *, uint64_t, uint64_t, size_t size,
                     int64_t off, VfsdReadBuf *r) -> ssize_t {
    // Two segments, to exercise the gathering copy.
    size_t n = size < 8 - static_cast<size_t>(off) ? size : 8 - static_cast<size_t>(off);
    size_t h = n / 2;
    vfsd_read_buf_add(r, data + off, h);
    vfsd_read_buf_add(r, data + off + h, n - h);
    vfsd_read_buf_on_sent(r, [](void *) { unpinned++; }, nullptr);
    return static_cast<ssize_t>(n);
  };
  b = make(ops2, &f);
  char buf[8] = {};
  EXPECT_EQ(vfsd_call_read(b, &c, 2, 0, buf, 6, 1), 6);
  EXPECT_EQ(std::string(buf, 6), "bcdefg");
  EXPECT_EQ(unpinned, 1);
  g_object_unref(b);
}

// ---- the error convention --------------------------------------------------

TEST(Errors, PositiveReturnBecomesEioWithOneLogLine) {
  Fake f;
  f.ret = 5;
  VfsdBackend *b = make(fake_min_ops(), &f);
  VfsdCtx c = ctx();
  VfsdAttr a = {};
  LogCapture log;
  EXPECT_EQ(vfsd_call_getattr(b, &c, 1, VFSD_NO_FH, &a), -EIO);
  EXPECT_EQ(log.warnings(), 1);
  EXPECT_NE(log.last().find("fake"), std::string::npos) << log.last();
  EXPECT_NE(log.last().find("getattr"), std::string::npos) << log.last();
  g_object_unref(b);
}

TEST(Errors, ErrnoOutOfRangeBecomesEio) {
  Fake f;
  f.ret = -5000;
  VfsdBackend *b = make(fake_min_ops(), &f);
  VfsdCtx c = ctx();
  VfsdEntry e = {};
  LogCapture log;
  EXPECT_EQ(vfsd_call_lookup(b, &c, 1, "x", &e), -EIO);
  EXPECT_EQ(log.warnings(), 1);
  g_object_unref(b);
}

TEST(Errors, NegativeErrnoPassesThrough) {
  Fake f;
  f.ret = -ENOENT;
  VfsdBackend *b = make(fake_min_ops(), &f);
  VfsdCtx c = ctx();
  VfsdEntry e = {};
  LogCapture log;
  EXPECT_EQ(vfsd_call_lookup(b, &c, 1, "x", &e), -ENOENT);
  EXPECT_EQ(log.warnings(), 0);
  g_object_unref(b);
}

TEST(Errors, ReadLongerThanAskedBecomesEio) {
  Fake f;
  f.read_fill = 100;
  VfsdOps ops = fake_min_ops();
  ops.read = [](void *, const VfsdCtx *, uint64_t, uint64_t, char *, size_t size,
                int64_t) -> ssize_t { return static_cast<ssize_t>(size) + 1; };
  VfsdBackend *b = make(ops, &f);
  VfsdCtx c = ctx();
  char buf[10];
  LogCapture log;
  EXPECT_EQ(vfsd_call_read(b, &c, 2, 0, buf, sizeof buf, 0), -EIO);
  EXPECT_EQ(log.warnings(), 1);
  g_object_unref(b);
}

TEST(Errors, WriteLongerThanGivenBecomesEio) {
  VfsdOps ops = fake_min_ops();
  ops.write = [](void *, const VfsdCtx *, uint64_t, uint64_t, const char *,
                 size_t size, int64_t, uint32_t) -> ssize_t {
    return static_cast<ssize_t>(size) * 2;
  };
  Fake f;
  VfsdBackend *b = make(ops, &f);
  VfsdCtx c = ctx();
  EXPECT_EQ(vfsd_call_write(b, &c, 2, 0, "abc", 3, 0, 0), -EIO);
  g_object_unref(b);
}

TEST(Errors, ReadIovSegmentsMustMatchResult) {
  VfsdOps ops = fake_min_ops();
  ops.read_iov = [](void *, const VfsdCtx *, uint64_t, uint64_t, size_t,
                    int64_t, VfsdReadBuf *r) -> ssize_t {
    static const char d[] = "abc";
    vfsd_read_buf_add(r, d, 3);
    return 2;  // lies
  };
  Fake f;
  VfsdBackend *b = make(ops, &f);
  VfsdCtx c = ctx();
  VfsdReadBuf *rb = vfsd_read_buf_new(0);
  LogCapture log;
  EXPECT_EQ(vfsd_call_read_iov(b, &c, 2, 0, 10, 0, rb), -EIO);
  EXPECT_EQ(log.warnings(), 1);
  vfsd_read_buf_free(rb);
  g_object_unref(b);
}

TEST(Errors, TooManySegmentsRefused) {
  VfsdOps ops = fake_min_ops();
  ops.read_iov = [](void *, const VfsdCtx *, uint64_t, uint64_t, size_t,
                    int64_t, VfsdReadBuf *r) -> ssize_t {
    static const char d[] = "x";
    ssize_t n = 0;
    for (int i = 0; i < VFSD_READ_BUF_MAX_SEGMENTS + 5; i++)
      if (vfsd_read_buf_add(r, d, 1) == 0) n++;
    return n;
  };
  Fake f;
  VfsdBackend *b = make(ops, &f);
  VfsdCtx c = ctx();
  VfsdReadBuf *rb = vfsd_read_buf_new(0);
  LogCapture log;
  EXPECT_EQ(vfsd_call_read_iov(b, &c, 2, 0, 4096, 0, rb), -EIO);
  vfsd_read_buf_free(rb);
  g_object_unref(b);
}

TEST(Errors, EntryWithInodeZeroBecomesEio) {
  Fake f;
  f.entry_ino = 0;
  VfsdBackend *b = make(fake_min_ops(), &f);
  VfsdCtx c = ctx();
  VfsdEntry e = {};
  LogCapture log;
  EXPECT_EQ(vfsd_call_lookup(b, &c, 1, "x", &e), -EIO);
  EXPECT_EQ(log.warnings(), 1);
  g_object_unref(b);
}

TEST(Errors, AttributesWithoutFileTypeBecomeEio) {
  Fake f;
  f.entry_mode = 0644;  // no S_IFMT bits
  VfsdBackend *b = make(fake_min_ops(), &f);
  VfsdCtx c = ctx();
  VfsdAttr a = {};
  EXPECT_EQ(vfsd_call_getattr(b, &c, 2, VFSD_NO_FH, &a), -EIO);
  g_object_unref(b);
}

TEST(Errors, MkdirThatMakesAFileBecomesEio) {
  Fake f;
  f.entry_mode = S_IFREG | 0755;
  VfsdOps ops = fake_min_ops();
  ops.mkdir = fk_mkdir;
  VfsdBackend *b = make(ops, &f);
  VfsdCtx c = ctx();
  VfsdEntry e = {};
  EXPECT_EQ(vfsd_call_mkdir(b, &c, 1, "d", 0755, &e), -EIO);
  f.entry_mode = S_IFDIR | 0755;
  EXPECT_EQ(vfsd_call_mkdir(b, &c, 1, "d", 0755, &e), 0);
  g_object_unref(b);
}

TEST(Errors, NanosecondsOutOfRangeBecomeEio) {
  VfsdOps ops = fake_min_ops();
  ops.getattr = [](void *, const VfsdCtx *, uint64_t, uint64_t, VfsdAttr *a) {
    a->mode = S_IFREG;
    a->mtime_nsec = 1000000000u;
    return 0;
  };
  Fake f;
  VfsdBackend *b = make(ops, &f);
  VfsdCtx c = ctx();
  VfsdAttr a = {};
  EXPECT_EQ(vfsd_call_getattr(b, &c, 2, VFSD_NO_FH, &a), -EIO);
  g_object_unref(b);
}

TEST(Errors, ListxattrWithoutTerminatorBecomesEio) {
  VfsdOps ops = fake_min_ops();
  ops.listxattr = [](void *, const VfsdCtx *, uint64_t, char *buf,
                     size_t size) -> ssize_t {
    if (size == 0) return 6;
    memcpy(buf, "user.a", 6);
    return 6;
  };
  Fake f;
  VfsdBackend *b = make(ops, &f);
  VfsdCtx c = ctx();
  char buf[16];
  EXPECT_EQ(vfsd_call_listxattr(b, &c, 2, nullptr, 0), 6);
  EXPECT_EQ(vfsd_call_listxattr(b, &c, 2, buf, sizeof buf), -EIO);
  g_object_unref(b);
}

TEST(Errors, BadDirectoryEntriesFailTheListing) {
  struct Case {
    const char *name;
    int64_t off;
  };
  for (Case cs : {Case{"", 1}, Case{"a/b", 1}, Case{"ok", 0}, Case{"ok", -3}}) {
    static Case current;
    current = cs;
    VfsdOps ops = fake_min_ops();
    ops.readdir = [](void *, const VfsdCtx *, uint64_t, uint64_t, int64_t,
                     VfsdDirFiller *fl) {
      vfsd_dir_add(fl, current.name, 5, S_IFREG, current.off);
      return 0;
    };
    Fake f;
    VfsdBackend *b = make(ops, &f);
    VfsdCtx c = ctx();
    int seen = 0;
    VfsdDirFiller *fl = vfsd_dir_filler_new(
        false,
        [](void *d, const char *, uint64_t, uint32_t, const VfsdEntry *,
           int64_t) {
          (*static_cast<int *>(d))++;
          return true;
        },
        &seen);
    EXPECT_EQ(vfsd_call_readdir(b, &c, 1, 0, 0, fl), -EIO) << cs.name;
    EXPECT_EQ(seen, 0);
    vfsd_dir_filler_free(fl);
    g_object_unref(b);
  }
}

TEST(Errors, NamesCheckedBeforeTheBackendSeesThem) {
  Fake f;
  VfsdOps ops = fake_min_ops();
  ops.mkdir = fk_mkdir;
  VfsdBackend *b = make(ops, &f);
  VfsdCtx c = ctx();
  VfsdEntry e = {};
  std::string longname(256, 'a');
  std::string maxname(255, 'a');
  EXPECT_EQ(vfsd_call_lookup(b, &c, 1, longname.c_str(), &e), -ENAMETOOLONG);
  EXPECT_EQ(vfsd_call_mkdir(b, &c, 1, longname.c_str(), 0755, &e), -ENAMETOOLONG);
  EXPECT_EQ(vfsd_call_lookup(b, &c, 1, "a/b", &e), -EINVAL);
  EXPECT_EQ(vfsd_call_lookup(b, &c, 1, "", &e), -EINVAL);
  EXPECT_EQ(vfsd_call_lookup(b, &c, 1, nullptr, &e), -EINVAL);
  EXPECT_EQ(f.count("lookup") + f.count("mkdir"), 0);
  EXPECT_EQ(vfsd_call_lookup(b, &c, 1, maxname.c_str(), &e), 0);
  EXPECT_EQ(f.count("lookup"), 1);
  EXPECT_EQ(vfsd_call_rename(b, &c, 1, "a", 1, "b",
                             RENAME_NOREPLACE | RENAME_EXCHANGE), -EINVAL);
  EXPECT_EQ(vfsd_call_rename(b, &c, 1, "a", 1, "b", 0x100), -EINVAL);
  g_object_unref(b);
}

TEST(Errors, LogIsRateLimited) {
  Fake f;
  f.ret = 1;
  VfsdBackend *b = make(fake_min_ops(), &f);
  VfsdCtx c = ctx();
  VfsdAttr a = {};
  LogCapture log;
  for (int i = 0; i < 1000; i++)
    EXPECT_EQ(vfsd_call_getattr(b, &c, 1, VFSD_NO_FH, &a), -EIO);
  EXPECT_GE(log.warnings(), 1);
  EXPECT_LE(log.warnings(), 10);
  g_object_unref(b);
}

// ---- layers ------------------------------------------------------------------

namespace {
struct Order {
  std::vector<std::string> seen;
};
}  // namespace

TEST(Layers, NullOpsPassThroughAndOrderIsOutsideIn) {
  static Order order;
  order.seen.clear();
  Fake f;
  VfsdOps bops = fake_min_ops();
  bops.getattr = [](void *, const VfsdCtx *, uint64_t ino, uint64_t,
                    VfsdAttr *a) {
    order.seen.push_back("backend");
    a->mode = S_IFREG | 0600;
    a->ino = ino;
    return 0;
  };
  VfsdBackend *bottom = make(bops, &f);

  struct L {
    VfsdBackend *next;
    const char *tag;
  };
  VfsdOps lops;
  vfsd_ops_init(&lops, "tagger", VFSD_THREAD_SERIALIZE_PER_FILE);
  lops.getattr = [](void *self, const VfsdCtx *c, uint64_t ino, uint64_t fh,
                    VfsdAttr *a) {
    L *l = static_cast<L *>(self);
    order.seen.push_back(l->tag);
    return vfsd_call_getattr(l->next, c, ino, fh, a);
  };
  L inner = {bottom, "inner"};
  VfsdBackend *mid = vfsd_layer_new(&lops, &inner, nullptr, bottom, nullptr);
  ASSERT_NE(mid, nullptr);
  // A layer that implements nothing: everything passes through.
  VfsdOps empty;
  vfsd_ops_init(&empty, "empty", VFSD_THREAD_PARALLEL);
  VfsdBackend *top0 = vfsd_layer_new(&empty, nullptr, nullptr, mid, nullptr);
  ASSERT_NE(top0, nullptr);
  L outer = {top0, "outer"};
  VfsdBackend *top = vfsd_layer_new(&lops, &outer, nullptr, top0, nullptr);
  ASSERT_NE(top, nullptr);

  VfsdCtx c = ctx();
  VfsdAttr a = {};
  EXPECT_EQ(vfsd_call_getattr(top, &c, 7, VFSD_NO_FH, &a), 0);
  EXPECT_EQ(order.seen, (std::vector<std::string>{"outer", "inner", "backend"}));
  EXPECT_EQ(a.mode, static_cast<uint32_t>(S_IFREG | 0600));
  // lookup is implemented only at the bottom: passes through three layers.
  VfsdEntry e = {};
  EXPECT_EQ(vfsd_call_lookup(top, &c, 1, "x", &e), 0);
  EXPECT_EQ(f.count("lookup"), 1);
  // The strictest thread model along the stack wins.
  EXPECT_EQ(vfsd_backend_get_thread_model(top), VFSD_THREAD_SERIALIZE_PER_FILE);
  EXPECT_EQ(vfsd_backend_get_next(top), top0);
  EXPECT_TRUE(vfsd_backend_implements(top, VFSD_OP_LOOKUP));
  EXPECT_FALSE(vfsd_backend_implements(top, VFSD_OP_WRITE));
  g_object_unref(top);
  g_object_unref(top0);
  g_object_unref(mid);
  g_object_unref(bottom);
}

TEST(Layers, LayerNeedsABackend) {
  VfsdOps empty;
  vfsd_ops_init(&empty, "empty", VFSD_THREAD_PARALLEL);
  GError *err = nullptr;
  EXPECT_EQ(vfsd_layer_new(&empty, nullptr, nullptr, nullptr, &err), nullptr);
  ASSERT_NE(err, nullptr);
  g_error_free(err);
}

TEST(Layers, BadResultFromBelowIsCaughtAtTheChokePoint) {
  // The backend below lies; the layer sees -EIO, never the lie.
  Fake f;
  f.ret = 17;
  VfsdBackend *bottom = make(fake_min_ops(), &f);
  static int layer_saw;
  VfsdOps lops;
  vfsd_ops_init(&lops, "probe", VFSD_THREAD_PARALLEL);
  lops.getattr = [](void *self, const VfsdCtx *c, uint64_t ino, uint64_t fh,
                    VfsdAttr *a) {
    layer_saw = vfsd_call_getattr(static_cast<VfsdBackend *>(self), c, ino, fh, a);
    return layer_saw;
  };
  VfsdBackend *top = vfsd_layer_new(&lops, bottom, nullptr, bottom, nullptr);
  VfsdCtx c = ctx();
  VfsdAttr a = {};
  EXPECT_EQ(vfsd_call_getattr(top, &c, 1, VFSD_NO_FH, &a), -EIO);
  EXPECT_EQ(layer_saw, -EIO);
  g_object_unref(top);
  g_object_unref(bottom);
}

// ---- the registry ------------------------------------------------------------

TEST(Registry, UnknownBackendGivesClearError) {
  GError *err = nullptr;
  EXPECT_EQ(vfsd_backend_load("no-such-backend:x", &err), nullptr);
  ASSERT_NE(err, nullptr);
  EXPECT_EQ(err->code, ENOENT);
  EXPECT_NE(std::string(err->message).find("no-such-backend"), std::string::npos);
  g_clear_error(&err);
  EXPECT_EQ(vfsd_backend_load("bad name!", &err), nullptr);
  ASSERT_NE(err, nullptr);
  EXPECT_EQ(err->code, EINVAL);
  g_error_free(err);
}

TEST(Registry, RegisteredBackendLoadsByNameWithArgs) {
  static std::string got_args;
  static VfsdModuleInfo info = {
      VFSD_MODULE_INFO_INIT("unit-fake", "a backend registered by a test"),
      .args_help = "ANYTHING",
      .create = [](const char *args, GError **) -> VfsdBackend * {
        got_args = args;
        static VfsdOps ops = fake_min_ops();
        return vfsd_backend_new(&ops, nullptr, nullptr, nullptr);
      },
  };
  GError *err = nullptr;
  ASSERT_TRUE(vfsd_module_register(&info, &err)) << (err ? err->message : "");
  EXPECT_FALSE(vfsd_module_register(&info, &err));
  ASSERT_NE(err, nullptr);
  EXPECT_EQ(err->code, EEXIST);
  g_clear_error(&err);
  VfsdBackend *b = vfsd_backend_load("unit-fake:a=1,b=2", &err);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(got_args, "a=1,b=2");
  g_object_unref(b);
  b = vfsd_backend_load("unit-fake", &err);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(got_args, "");
  g_object_unref(b);
  EXPECT_STREQ(vfsd_module_get_summary("unit-fake"), "a backend registered by a test");
  gchar **names = vfsd_module_list_names();
  bool found = false;
  for (gchar **n = names; *n; n++) found |= !strcmp(*n, "unit-fake");
  g_strfreev(names);
  EXPECT_TRUE(found);
}

TEST(Registry, InvalidDescriptionsRefused) {
  static VfsdModuleInfo bad = {
      VFSD_MODULE_INFO_INIT("nocreate", "lacks create"),
  };
  GError *err = nullptr;
  EXPECT_FALSE(vfsd_module_register(&bad, &err));
  ASSERT_NE(err, nullptr);
  g_clear_error(&err);
  static VfsdModuleInfo future = {
      VFSD_MODULE_INFO_INIT("future", "from the future"),
      .create = [](const char *, GError **) -> VfsdBackend * { return nullptr; },
  };
  future.abi_version = VFSD_MODULE_ABI_VERSION + 1;
  EXPECT_FALSE(vfsd_module_register(&future, &err));
  ASSERT_NE(err, nullptr);
  g_clear_error(&err);
}

TEST(Registry, UnknownLayerGivesClearError) {
  Fake f;
  VfsdBackend *b = make(fake_min_ops(), &f);
  GError *err = nullptr;
  EXPECT_EQ(vfsd_layer_load("no-such-layer", b, &err), nullptr);
  ASSERT_NE(err, nullptr);
  EXPECT_NE(std::string(err->message).find("no-such-layer"), std::string::npos);
  g_error_free(err);
  g_object_unref(b);
}

TEST(Version, RuntimeMatchesHeaders) {
  EXPECT_STREQ(vfsd_get_version(), VFSD_VERSION_STRING);
}
