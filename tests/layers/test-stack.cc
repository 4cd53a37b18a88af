// SPDX-License-Identifier: LGPL-2.1-or-later
// The layer mechanism at the vtable level: call order through a stack of
// ops layers and hooks layers, pass-through of NULL operations, hooks that
// answer or change a call, thread models, and the argument checks of the
// choke point.  No kernel involved.
#include "fake-fs.h"
#include "fixtures.h"

#include <gtest/gtest.h>

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

using vfsdtest::FakeFs;
using vfsdtest::test_ctx;

namespace {

std::vector<std::string> events;

// An ops layer that implements getattr (noting it, then passing it down)
// and leaves everything else NULL.
int pass_getattr(void *self, const VfsdCtx *ctx, uint64_t ino, uint64_t fh,
                 VfsdAttr *out) {
  events.push_back("pass:getattr");
  return vfsd_call_getattr(static_cast<VfsdBackend *>(self), ctx, ino, fh, out);
}

struct Hooks {
  std::string name;
  int answer = 0;            // what before() returns
  uint64_t answer_ops = 0;   // … for these operations
  int64_t last_result = 0;
  int64_t last_elapsed = -1;
};

int hooks_before(void *self, VfsdCall *c) {
  Hooks *h = static_cast<Hooks *>(self);
  events.push_back(h->name + ".before:" + vfsd_op_name(c->op));
  return (h->answer_ops & VFSD_OP_BIT(c->op)) ? h->answer : 0;
}

void hooks_after(void *self, VfsdCall *c, int64_t r) {
  Hooks *h = static_cast<Hooks *>(self);
  events.push_back(h->name + ".after:" + vfsd_op_name(c->op));
  h->last_result = r;
  h->last_elapsed = c->elapsed_ns;
}

VfsdBackend *hooks_layer(Hooks *h, uint64_t ops, VfsdBackend *next) {
  VfsdLayerHooks def = {};
  def.name = h->name.c_str();
  def.ops = ops;
  def.before = hooks_before;
  def.after = hooks_after;
  GError *err = nullptr;
  VfsdBackend *b = vfsd_layer_new_hooks(&def, h, nullptr, next, &err);
  EXPECT_NE(b, nullptr) << (err ? err->message : "");
  g_clear_error(&err);
  return b;
}

class Stack : public ::testing::Test {
 protected:
  void SetUp() override {
    events.clear();
    fs.shared = &events;
    h1.name = "h1";
    h3.name = "h3";
    bottom = fs.backend();
    l1 = hooks_layer(&h1, 0, bottom);
    VfsdOps ops;
    vfsd_ops_init(&ops, "pass", VFSD_THREAD_SERIALIZE_PER_FILE);
    ops.getattr = pass_getattr;
    GError *err = nullptr;
    // The layer's instance is the backend below it, for its forwarding.
    l2 = vfsd_layer_new(&ops, l1, nullptr, l1, &err);
    ASSERT_NE(l2, nullptr) << err->message;
    l3 = hooks_layer(&h3, VFSD_OP_BIT(VFSD_OP_LOOKUP), l2);
    ctx = test_ctx();
  }
  void TearDown() override {
    g_clear_object(&l3);
    g_clear_object(&l2);
    g_clear_object(&l1);
    g_clear_object(&bottom);
  }
  FakeFs fs;
  Hooks h1, h3;
  VfsdBackend *bottom = nullptr, *l1 = nullptr, *l2 = nullptr, *l3 = nullptr;
  VfsdCtx ctx;
};

using V = std::vector<std::string>;

TEST_F(Stack, GetattrGoesThroughEveryLevelThatWantsIt) {
  VfsdAttr a = {};
  ASSERT_EQ(vfsd_call_getattr(l3, &ctx, VFSD_ROOT_INO, VFSD_NO_FH, &a), 0);
  EXPECT_EQ(events, (V{"pass:getattr", "h1.before:getattr", "fake:getattr",
                       "h1.after:getattr"}));
  EXPECT_TRUE(S_ISDIR(a.mode));
  EXPECT_EQ(h1.last_result, 0);
  EXPECT_GE(h1.last_elapsed, 0);
}

TEST_F(Stack, NullOperationsPassThroughAndHooksNest) {
  VfsdEntry e = {};
  EXPECT_EQ(vfsd_call_lookup(l3, &ctx, VFSD_ROOT_INO, "missing", &e), -ENOENT);
  EXPECT_EQ(events, (V{"h3.before:lookup", "h1.before:lookup", "fake:lookup",
                       "h1.after:lookup", "h3.after:lookup"}));
  EXPECT_EQ(h3.last_result, -ENOENT);
}

TEST_F(Stack, AnOperationNobodyImplementsGetsItsDefault) {
  uint64_t idx = 0;
  EXPECT_EQ(vfsd_call_bmap(l3, &ctx, VFSD_ROOT_INO, 4096, &idx), -ENOSYS);
  // h1 sees every call, implemented or not; h3 only sees lookups.
  EXPECT_EQ(events, (V{"h1.before:bmap", "h1.after:bmap"}));
  EXPECT_EQ(h1.last_result, -ENOSYS);
  VfsdStatfs st = {};
  EXPECT_EQ(vfsd_call_statfs(l3, &ctx, VFSD_ROOT_INO, &st), 0);
  EXPECT_EQ(st.blocks, 1000u) << "the fake's statfs answers below the hooks";
}

TEST_F(Stack, ImplementsIgnoresHooksAndThreadModelIsTheStrictest) {
  EXPECT_TRUE(vfsd_backend_implements(l3, VFSD_OP_LOOKUP));
  EXPECT_TRUE(vfsd_backend_implements(l3, VFSD_OP_GETATTR));
  EXPECT_TRUE(vfsd_backend_implements(l3, VFSD_OP_READ));
  EXPECT_FALSE(vfsd_backend_implements(l3, VFSD_OP_BMAP));
  EXPECT_FALSE(vfsd_backend_implements(l3, VFSD_OP_FLOCK));
  EXPECT_EQ(vfsd_backend_get_thread_model(l3), VFSD_THREAD_SERIALIZE_PER_FILE);
  EXPECT_EQ(vfsd_backend_get_thread_model(l1), VFSD_THREAD_PARALLEL);
  EXPECT_EQ(vfsd_backend_get_next(l3), l2);
  EXPECT_EQ(vfsd_backend_get_next(l2), l1);
  EXPECT_EQ(vfsd_backend_get_next(l1), bottom);
  EXPECT_EQ(vfsd_backend_get_next(bottom), nullptr);
  EXPECT_STREQ(vfsd_backend_get_name(l3), "h3");
}

TEST_F(Stack, ReadAndWriteReachTheBottomWithData) {
  VfsdOpenInfo oi = {};
  VfsdEntry e = {};
  oi.flags = O_RDWR | O_CREAT;
  ASSERT_EQ(vfsd_call_create(l3, &ctx, VFSD_ROOT_INO, "f", 0644, &oi, &e), 0);
  EXPECT_EQ(vfsd_call_write(l3, &ctx, e.ino, oi.fh, "hello", 5, 0, 0), 5);
  char buf[16] = {};
  EXPECT_EQ(vfsd_call_read(l3, &ctx, e.ino, oi.fh, buf, sizeof buf, 1), 4);
  EXPECT_STREQ(buf, "ello");
  VfsdReadBuf *rb = vfsd_read_buf_new(64);
  EXPECT_EQ(vfsd_call_read_iov(l3, &ctx, e.ino, oi.fh, 64, 0, rb), 5);
  char out[8] = {};
  EXPECT_EQ(vfsd_read_buf_copy_out(rb, out, sizeof out), 5u);
  EXPECT_STREQ(out, "hello");
  vfsd_read_buf_free(rb);
  // read_iov is shown to hooks as what the caller asked for.
  int reads = 0, read_iovs = 0;
  for (auto &ev : events) {
    reads += ev == "h1.before:read";
    read_iovs += ev == "h1.before:read_iov";
  }
  EXPECT_EQ(reads, 1);
  EXPECT_EQ(read_iovs, 1);
}

TEST_F(Stack, BeforeCanAnswerButFreeingCallsAlwaysGoDown) {
  h1.answer = -EACCES;
  h1.answer_ops = VFSD_OP_BIT(VFSD_OP_GETATTR) | VFSD_OP_BIT(VFSD_OP_FORGET) |
                  VFSD_OP_BIT(VFSD_OP_RELEASE) | VFSD_OP_BIT(VFSD_OP_RELEASEDIR);
  VfsdAttr a = {};
  EXPECT_EQ(vfsd_call_getattr(l1, &ctx, VFSD_ROOT_INO, VFSD_NO_FH, &a), -EACCES);
  EXPECT_EQ(fs.count("getattr"), 0);
  EXPECT_EQ(h1.last_result, -EACCES);
  EXPECT_EQ(h1.last_elapsed, 0);
  vfsd_call_forget(l1, 5);
  EXPECT_EQ(fs.count("forget"), 1);
  EXPECT_EQ(vfsd_call_release(l1, &ctx, 5, 50, 0), 0);
  EXPECT_EQ(fs.count("release"), 1);
}

// A hook may change the arguments of the call that goes down.
int alias_before(void *, VfsdCall *c) {
  if (c->op == VFSD_OP_LOOKUP && !strcmp(c->name, "alias")) c->name = "real";
  return 0;
}

TEST(Hooks, BeforeMayChangeArguments) {
  FakeFs fs;
  VfsdBackend *b = fs.backend();
  VfsdCtx ctx = test_ctx();
  VfsdEntry e = {};
  ASSERT_EQ(vfsd_call_mkdir(b, &ctx, VFSD_ROOT_INO, "real", 0755, &e), 0);
  VfsdLayerHooks def = {};
  def.name = "alias";
  def.ops = VFSD_OP_BIT(VFSD_OP_LOOKUP);
  def.before = alias_before;
  VfsdBackend *l = vfsd_layer_new_hooks(&def, nullptr, nullptr, b, nullptr);
  ASSERT_NE(l, nullptr);
  VfsdEntry e2 = {};
  EXPECT_EQ(vfsd_call_lookup(l, &ctx, VFSD_ROOT_INO, "alias", &e2), 0);
  EXPECT_EQ(e2.ino, e.ino);
  EXPECT_EQ(vfsd_call_lookup(b, &ctx, VFSD_ROOT_INO, "alias", &e2), -ENOENT);
  g_object_unref(l);
  g_object_unref(b);
}

TEST(Hooks, BadDefinitionsAreRefused) {
  FakeFs fs;
  VfsdBackend *b = fs.backend();
  GError *err = nullptr;
  VfsdLayerHooks none = {};
  EXPECT_EQ(vfsd_layer_new_hooks(&none, nullptr, nullptr, b, &err), nullptr);
  ASSERT_NE(err, nullptr);
  g_clear_error(&err);
  VfsdLayerHooks bad = {};
  bad.after = hooks_after;
  bad.ops = UINT64_C(1) << 63;
  EXPECT_EQ(vfsd_layer_new_hooks(&bad, nullptr, nullptr, b, &err), nullptr);
  ASSERT_NE(err, nullptr);
  EXPECT_NE(strstr(err->message, "do not exist"), nullptr) << err->message;
  g_clear_error(&err);
  g_object_unref(b);
}

// ---- the choke point's argument checks --------------------------------

int criticals = 0;
void count_criticals(const gchar *, GLogLevelFlags level, const gchar *msg,
                     gpointer) {
  if (level & G_LOG_LEVEL_CRITICAL) criticals++;
  else fprintf(stderr, "# log: %s\n", msg);
}

TEST(ChokePoint, ImpossibleArgumentsNeverReachTheBackend) {
  FakeFs fs;
  VfsdBackend *b = fs.backend();
  VfsdCtx ctx = test_ctx();
  VfsdEntry e = {};
  VfsdAttr a = {};
  char buf[8];
  int64_t out_off;
  criticals = 0;
  GLogFunc old = g_log_set_default_handler(count_criticals, nullptr);
  // The caller's bugs: a critical each.
  EXPECT_EQ(vfsd_call_lookup(b, &ctx, VFSD_ROOT_INO, "x", nullptr), -EFAULT);
  EXPECT_EQ(vfsd_call_getattr(b, &ctx, 0, VFSD_NO_FH, &a), -EINVAL);
  EXPECT_EQ(vfsd_call_read(b, &ctx, 2, 0, nullptr, 10, 0), -EFAULT);
  EXPECT_EQ(criticals, 3);
  // Impossible requests: the errno the system call would give.
  EXPECT_EQ(vfsd_call_lookup(b, &ctx, VFSD_ROOT_INO, "", &e), -EINVAL);
  EXPECT_EQ(vfsd_call_lookup(b, &ctx, VFSD_ROOT_INO, "a/b", &e), -EINVAL);
  EXPECT_EQ(vfsd_call_lookup(b, &ctx, VFSD_ROOT_INO, std::string(256, 'x').c_str(), &e), -ENAMETOOLONG);
  EXPECT_EQ(vfsd_call_mkdir(b, &ctx, VFSD_ROOT_INO, "d", S_IFREG | 0755, &e), -EINVAL);
  EXPECT_EQ(vfsd_call_write(b, &ctx, 2, 0, buf, 8, INT64_MAX - 4, 0), -EFBIG);
  EXPECT_EQ(vfsd_call_write(b, &ctx, 2, 0, buf, 8, -1, 0), -EINVAL);
  EXPECT_EQ(vfsd_call_write(b, &ctx, 2, 0, buf, 8, 0, 0x100), -EINVAL);
  EXPECT_EQ(vfsd_call_setxattr(b, &ctx, 1, "user.a", buf, 1, 3), -EINVAL);
  EXPECT_EQ(vfsd_call_setxattr(b, &ctx, 1, "user.a", buf, 70000, 0), -E2BIG);
  EXPECT_EQ(vfsd_call_lseek(b, &ctx, 1, 0, 0, SEEK_SET, &out_off), -EINVAL);
  EXPECT_EQ(vfsd_call_access(b, &ctx, 1, 0100), -EINVAL);
  EXPECT_EQ(vfsd_call_flock(b, &ctx, 1, 0, 0, 77), -EINVAL);
  EXPECT_EQ(vfsd_call_fallocate(b, &ctx, 1, 0, 0, INT64_MAX, 2), -EFBIG);
  EXPECT_EQ(vfsd_call_copy_file_range(b, &ctx, 1, 0, 0, 1, 0, 0, 10, 1), -EINVAL);
  EXPECT_EQ(vfsd_call_rename(b, &ctx, 1, "a", 1, "b", RENAME_EXCHANGE | RENAME_NOREPLACE), -EINVAL);
  VfsdAttr in = {};
  in.size = UINT64_MAX;
  EXPECT_EQ(vfsd_call_setattr(b, &ctx, 1, VFSD_NO_FH, &in, VFSD_SET_SIZE, &a), -EFBIG);
  EXPECT_EQ(vfsd_call_setattr(b, &ctx, 1, VFSD_NO_FH, &in, 1u << 20, &a), -EINVAL);
  EXPECT_EQ(criticals, 3);
  g_log_set_default_handler(old, nullptr);
  EXPECT_TRUE(fs.calls().empty()) << "the backend saw " << fs.calls().size()
                                  << " calls, first " << fs.calls()[0];
  g_object_unref(b);
}

// A call without a context is the library's own: made as root, never
// with a NULL context the backend would have to check for.
const VfsdCtx *seen_ctx;
int ctx_getattr(void *, const VfsdCtx *ctx, uint64_t, uint64_t, VfsdAttr *a) {
  seen_ctx = ctx;
  a->mode = S_IFDIR | 0755;
  a->nlink = 2;
  return 0;
}

TEST(ChokePoint, NoContextMeansTheLibraryAsRoot) {
  VfsdOps ops;
  vfsd_ops_init(&ops, "ctx", VFSD_THREAD_PARALLEL);
  ops.getattr = ctx_getattr;
  ops.lookup = [](void *, const VfsdCtx *, uint64_t, const char *, VfsdEntry *) { return -ENOENT; };
  VfsdBackend *b = vfsd_backend_new(&ops, nullptr, nullptr, nullptr);
  ASSERT_NE(b, nullptr);
  Hooks h;
  h.name = "h";
  VfsdBackend *l = hooks_layer(&h, 0, b);
  VfsdAttr a = {};
  seen_ctx = nullptr;
  EXPECT_EQ(vfsd_call_getattr(l, nullptr, VFSD_ROOT_INO, VFSD_NO_FH, &a), 0);
  ASSERT_NE(seen_ctx, nullptr);
  EXPECT_EQ(seen_ctx->uid, 0u);
  EXPECT_EQ(seen_ctx->gid, 0u);
  EXPECT_EQ(seen_ctx->pid, 0u);
  g_object_unref(l);
  g_object_unref(b);
}

TEST(Registry, BuiltInLayersAreListedAndUnknownOnesRefused) {
  gchar **names = vfsd_layer_list_names();
  std::vector<std::string> v;
  for (gchar **n = names; *n; n++) v.push_back(*n);
  g_strfreev(names);
  for (const char *want : {"monitor", "readonly", "fault", "stats"})
    EXPECT_NE(std::find(v.begin(), v.end(), want), v.end()) << want;
  FakeFs fs;
  VfsdBackend *b = fs.backend();
  GError *err = nullptr;
  EXPECT_EQ(vfsd_layer_load("nosuchlayer", b, &err), nullptr);
  ASSERT_NE(err, nullptr);
  EXPECT_EQ(err->code, ENOENT);
  g_clear_error(&err);
  EXPECT_EQ(vfsd_layer_load("readonly:x=1", b, &err), nullptr);
  ASSERT_NE(err, nullptr);
  EXPECT_EQ(err->code, EINVAL);
  g_clear_error(&err);
  EXPECT_EQ(vfsd_layer_load("monitor:colour=red", b, &err), nullptr);
  ASSERT_NE(err, nullptr);
  EXPECT_NE(strstr(err->message, "colour"), nullptr) << err->message;
  g_clear_error(&err);
  g_object_unref(b);
}

}  // namespace
