// SPDX-License-Identifier: LGPL-2.1-or-later
// The built-in layers at the vtable level: readonly, fault, monitor, stats.
#include "fake-fs.h"
#include "fixtures.h"

#include <gtest/gtest.h>
#include <vfsd/stats.h>

#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <sstream>

using vfsdtest::FakeFs;
using vfsdtest::test_ctx;

namespace {

VfsdBackend *load(const char *spec, VfsdBackend *next) {
  GError *err = nullptr;
  VfsdBackend *b = vfsd_layer_load(spec, next, &err);
  EXPECT_NE(b, nullptr) << spec << ": " << (err ? err->message : "");
  g_clear_error(&err);
  return b;
}

std::string load_error(const char *spec) {
  FakeFs fs;
  VfsdBackend *b = fs.backend();
  GError *err = nullptr;
  VfsdBackend *l = vfsd_layer_load(spec, b, &err);
  std::string msg = err ? err->message : "(no error)";
  if (l) g_object_unref(l);
  g_clear_error(&err);
  g_object_unref(b);
  return msg;
}

// A directory "d" with a file "f" holding "data".
struct Tree {
  uint64_t d = 0, f = 0;
  explicit Tree(VfsdBackend *b) {
    VfsdCtx ctx = test_ctx();
    VfsdEntry e = {};
    VfsdOpenInfo oi = {};
    EXPECT_EQ(vfsd_call_mkdir(b, &ctx, VFSD_ROOT_INO, "d", 0755, &e), 0);
    d = e.ino;
    EXPECT_EQ(vfsd_call_create(b, &ctx, d, "f", 0644, &oi, &e), 0);
    f = e.ino;
    EXPECT_EQ(vfsd_call_write(b, &ctx, f, oi.fh, "data", 4, 0, 0), 4);
  }
};

// ---- readonly ------------------------------------------------------------

TEST(Readonly, EveryChangeFailsWithErofsAndNothingReachesTheBackend) {
  FakeFs fs;
  VfsdBackend *b = fs.backend();
  Tree t(b);
  VfsdBackend *ro = load("readonly", b);
  VfsdCtx ctx = test_ctx();
  VfsdEntry e = {};
  VfsdAttr a = {};
  VfsdOpenInfo oi = {};
  fs.clear_calls();
  EXPECT_EQ(vfsd_call_mkdir(ro, &ctx, VFSD_ROOT_INO, "x", 0755, &e), -EROFS);
  EXPECT_EQ(vfsd_call_mknod(ro, &ctx, VFSD_ROOT_INO, "x", S_IFIFO | 0644, 0, &e), -EROFS);
  oi.flags = O_WRONLY | O_CREAT;
  EXPECT_EQ(vfsd_call_create(ro, &ctx, VFSD_ROOT_INO, "x", 0644, &oi, &e), -EROFS);
  EXPECT_EQ(vfsd_call_unlink(ro, &ctx, t.d, "f"), -EROFS);
  EXPECT_EQ(vfsd_call_rmdir(ro, &ctx, VFSD_ROOT_INO, "d"), -EROFS);
  EXPECT_EQ(vfsd_call_rename(ro, &ctx, t.d, "f", t.d, "g", 0), -EROFS);
  EXPECT_EQ(vfsd_call_link(ro, &ctx, t.f, t.d, "g", &e), -EROFS);
  EXPECT_EQ(vfsd_call_symlink(ro, &ctx, "f", t.d, "s", &e), -EROFS);
  VfsdAttr in = {};
  in.mode = 0600;
  EXPECT_EQ(vfsd_call_setattr(ro, &ctx, t.f, VFSD_NO_FH, &in, VFSD_SET_MODE, &a), -EROFS);
  EXPECT_EQ(vfsd_call_write(ro, &ctx, t.f, 0, "x", 1, 0, 0), -EROFS);
  EXPECT_EQ(vfsd_call_setxattr(ro, &ctx, t.f, "user.a", "1", 1, 0), -EROFS);
  EXPECT_EQ(vfsd_call_removexattr(ro, &ctx, t.f, "user.a"), -EROFS);
  EXPECT_EQ(vfsd_call_fallocate(ro, &ctx, t.f, 0, 0, 0, 10), -EROFS);
  EXPECT_EQ(vfsd_call_copy_file_range(ro, &ctx, t.f, 0, 0, t.f, 0, 10, 2, 0), -EROFS);
  for (int fl : {O_WRONLY, O_RDWR, O_RDONLY | O_TRUNC}) {
    oi.flags = fl;
    EXPECT_EQ(vfsd_call_open(ro, &ctx, t.f, &oi), -EROFS) << fl;
  }
  size_t out_size = 0;
  EXPECT_EQ(vfsd_call_ioctl(ro, &ctx, t.f, 0, _IOW('f', 2, long), "12345678", 8, nullptr, &out_size), -EROFS);
  EXPECT_TRUE(fs.calls().empty());
  // Reading passes.
  EXPECT_EQ(vfsd_call_lookup(ro, &ctx, VFSD_ROOT_INO, "d", &e), 0);
  EXPECT_EQ(vfsd_call_getattr(ro, &ctx, t.f, VFSD_NO_FH, &a), 0);
  oi.flags = O_RDONLY;
  EXPECT_EQ(vfsd_call_open(ro, &ctx, t.f, &oi), 0);
  char buf[8] = {};
  EXPECT_EQ(vfsd_call_read(ro, &ctx, t.f, oi.fh, buf, sizeof buf, 0), 4);
  EXPECT_STREQ(buf, "data");
  EXPECT_EQ(vfsd_call_getxattr(ro, &ctx, t.f, "user.a", buf, sizeof buf), -ENODATA);
  EXPECT_EQ(fs.calls(), (std::vector<std::string>{"lookup", "getattr", "open", "read", "getxattr"}));
  g_object_unref(ro);
  g_object_unref(b);
}

// ---- fault ---------------------------------------------------------------

// Writes @n times through @l; returns the results.
std::vector<ssize_t> writes(VfsdBackend *l, uint64_t ino, int n) {
  VfsdCtx ctx = test_ctx();
  std::vector<ssize_t> r;
  for (int i = 0; i < n; i++) r.push_back(vfsd_call_write(l, &ctx, ino, 0, "x", 1, i, 0));
  return r;
}

TEST(Fault, EveryNthCallOfTheChosenOperationFails) {
  FakeFs fs;
  VfsdBackend *b = fs.backend();
  Tree t(b);
  VfsdBackend *l = load("fault:ops=write,errno=ENOSPC,every=3", b);
  fs.clear_calls();
  EXPECT_EQ(writes(l, t.f, 7), (std::vector<ssize_t>{1, 1, -ENOSPC, 1, 1, -ENOSPC, 1}));
  EXPECT_EQ(fs.count("write"), 5);
  VfsdCtx ctx = test_ctx();
  VfsdAttr a = {};
  for (int i = 0; i < 5; i++)  // other operations are untouched
    EXPECT_EQ(vfsd_call_getattr(l, &ctx, t.f, VFSD_NO_FH, &a), 0);
  g_object_unref(l);
  g_object_unref(b);
}

TEST(Fault, AfterAndLimitBoundTheInjections) {
  FakeFs fs;
  VfsdBackend *b = fs.backend();
  Tree t(b);
  VfsdBackend *l = load("fault:ops=write,errno=5,after=2,limit=2", b);
  EXPECT_EQ(writes(l, t.f, 6), (std::vector<ssize_t>{1, 1, -EIO, -EIO, 1, 1}));
  g_object_unref(l);
  g_object_unref(b);
}

TEST(Fault, ProbabilityIsReproducibleWithASeed) {
  FakeFs fs;
  VfsdBackend *b = fs.backend();
  Tree t(b);
  VfsdBackend *l1 = load("fault:ops=write,probability=0.5,seed=42", b);
  VfsdBackend *l2 = load("fault:ops=write,probability=0.5,seed=42", b);
  auto r1 = writes(l1, t.f, 200), r2 = writes(l2, t.f, 200);
  EXPECT_EQ(r1, r2);
  int fails = 0;
  for (auto r : r1) fails += r == -EIO;
  EXPECT_GT(fails, 60);
  EXPECT_LT(fails, 140);
  VfsdBackend *never = load("fault:ops=write,probability=0", b);
  for (auto r : writes(never, t.f, 50)) EXPECT_EQ(r, 1);
  VfsdBackend *always = load("fault:ops=write,probability=1", b);
  for (auto r : writes(always, t.f, 50)) EXPECT_EQ(r, -EIO);
  g_object_unref(always);
  g_object_unref(never);
  g_object_unref(l2);
  g_object_unref(l1);
  g_object_unref(b);
}

TEST(Fault, DelaysSlowCallsDownWithoutFailingThem) {
  FakeFs fs;
  VfsdBackend *b = fs.backend();
  Tree t(b);
  VfsdBackend *l = load("fault:ops=getattr,errno=none,delay=30ms", b);
  VfsdBackend *st = load("stats", l);
  VfsdCtx ctx = test_ctx();
  VfsdAttr a = {};
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(vfsd_call_getattr(st, &ctx, t.f, VFSD_NO_FH, &a), 0);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_GE(ms, 30);
  // The stats layer above measured the delay as time spent below it.
  char *json = vfsd_stats_get(st, "json", nullptr);
  ASSERT_NE(json, nullptr);
  std::string s(json);
  g_free(json);
  auto pos = s.find("\"getattr\":{\"calls\":1,");
  ASSERT_NE(pos, std::string::npos) << s;
  double max_us = atof(s.c_str() + s.find("\"max_us\":", pos) + 9);
  EXPECT_GE(max_us, 30000.0) << s;
  g_object_unref(st);
  g_object_unref(l);
  g_object_unref(b);
}

TEST(Fault, NeverTouchesCallsThatFreeResources) {
  FakeFs fs;
  VfsdBackend *b = fs.backend();
  VfsdBackend *l = load("fault:ops=all,errno=EIO", b);
  VfsdCtx ctx = test_ctx();
  vfsd_call_forget(l, 7);
  EXPECT_EQ(vfsd_call_release(l, &ctx, 7, 70, 0), 0);
  EXPECT_EQ(vfsd_call_releasedir(l, &ctx, 1, 0), 0);
  VfsdInit init = {};
  EXPECT_EQ(vfsd_call_init(l, &init), 0);
  VfsdAttr a = {};
  EXPECT_EQ(vfsd_call_getattr(l, &ctx, 1, VFSD_NO_FH, &a), -EIO);
  EXPECT_EQ(fs.count("forget"), 1);
  EXPECT_EQ(fs.count("release"), 1);
  EXPECT_EQ(fs.count("getattr"), 0);
  g_object_unref(l);
  g_object_unref(b);
}

TEST(Fault, BadArgumentsGiveOneClearError) {
  EXPECT_NE(load_error("fault:errno=EWHAT").find("EWHAT"), std::string::npos);
  EXPECT_NE(load_error("fault:every=2,probability=0.5").find("not both"), std::string::npos);
  EXPECT_NE(load_error("fault:probability=2").find("probability"), std::string::npos);
  EXPECT_NE(load_error("fault:ops=frobnicate").find("frobnicate"), std::string::npos);
  EXPECT_NE(load_error("fault:ops=forget").find("never touches"), std::string::npos);
  EXPECT_NE(load_error("fault:errno=none").find("delay"), std::string::npos);
  EXPECT_NE(load_error("fault:delay=soon").find("duration"), std::string::npos);
  EXPECT_NE(load_error("fault:every=0").find("at least 1"), std::string::npos);
}

// ---- monitor -------------------------------------------------------------

// Validates every line of @path as JSON with Python and returns, per line,
// "op path result" (or "op - result" without a path), plus "comm=…" checks.
std::vector<std::string> parse_log(const std::string &path) {
  std::string out;
  const char *py = getenv("PYTHON_GI");
  int rc = vfsdtest::run({py && *py ? py : "python3", "-c",
                          "import json,sys\n"
                          "for n, line in enumerate(open(sys.argv[1]), 1):\n"
                          "    d = json.loads(line)\n"
                          "    for k in ('time', 'op', 'result', 'latency_us'):\n"
                          "        assert k in d, (n, k, line)\n"
                          "    p = d.get('path', '-').replace('\\n', '<NL>')\n"
                          "    print(d['op'], p, d['result'], d.get('comm', '-'))\n",
                          path}, &out);
  EXPECT_EQ(rc, 0) << out;
  std::vector<std::string> lines;
  std::istringstream in(out);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  return lines;
}

std::string my_comm() {
  std::string c;
  vfsdtest::read_file("/proc/self/comm", &c);
  while (!c.empty() && c.back() == '\n') c.pop_back();
  return c;
}

TEST(Monitor, OneValidJsonLinePerOperationWithPaths) {
  vfsdtest::TempDir dir("monitor");
  std::string log = dir / "access.jsonl";
  FakeFs fs;
  VfsdBackend *b = fs.backend();
  std::string spec = "monitor:log=" + log;
  VfsdBackend *m = load(spec.c_str(), b);
  VfsdCtx ctx = test_ctx();
  VfsdEntry e = {};
  VfsdOpenInfo oi = {};
  VfsdAttr a = {};
  char buf[16];
  ASSERT_EQ(vfsd_call_mkdir(m, &ctx, VFSD_ROOT_INO, "d", 0755, &e), 0);
  uint64_t d = e.ino;
  ASSERT_EQ(vfsd_call_create(m, &ctx, d, "a \"b\"\n", 0644, &oi, &e), 0);
  uint64_t f = e.ino;
  EXPECT_EQ(vfsd_call_write(m, &ctx, f, oi.fh, "data", 4, 0, 0), 4);
  EXPECT_EQ(vfsd_call_rename(m, &ctx, d, "a \"b\"\n", VFSD_ROOT_INO, "moved", 0), 0);
  EXPECT_EQ(vfsd_call_read(m, &ctx, f, oi.fh, buf, sizeof buf, 0), 4);
  EXPECT_EQ(vfsd_call_lookup(m, &ctx, d, "nothing", &e), -ENOENT);
  EXPECT_EQ(vfsd_call_getattr(m, &ctx, 999, VFSD_NO_FH, &a), -ENOENT);
  EXPECT_EQ(vfsd_call_unlink(m, &ctx, VFSD_ROOT_INO, "moved"), 0);
  vfsd_call_forget(m, f);
  EXPECT_EQ(vfsd_call_getattr(m, &ctx, VFSD_ROOT_INO, VFSD_NO_FH, &a), 0);
  g_object_unref(m);  // closes the log
  auto lines = parse_log(log);
  std::string c = my_comm();
  std::vector<std::string> want = {
      "mkdir /d 0 " + c,
      "create /d/a \"b\"<NL> 0 " + c,  // the JSON escapes were undone
      "write /d/a \"b\"<NL> 4 " + c,
      "rename /d/a \"b\"<NL> 0 " + c,
      "read /moved 4 " + c,
      "lookup /d/nothing -2 " + c,
      "getattr <ino 999> -2 " + c,
      "unlink /moved 0 " + c,
      "forget <ino " + std::to_string(f) + "> 0 -",
      "getattr / 0 " + c,
  };
  EXPECT_EQ(lines, want);
  EXPECT_EQ(fs.calls().size(), want.size()) << "one line per operation";
  g_object_unref(b);
}

TEST(Monitor, FiltersAndReaddirplusNames) {
  vfsdtest::TempDir dir("monitor");
  std::string log = dir / "w.jsonl";
  FakeFs fs;
  VfsdBackend *b = fs.backend();
  Tree t(b);
  std::string spec = "monitor:log=" + log + ",only=names+data+dir,skip=lookup,comm=no";
  VfsdBackend *m = load(spec.c_str(), b);
  VfsdCtx ctx = test_ctx();
  VfsdAttr a = {};
  // The names in d are learnt from a readdirplus listing.
  std::vector<std::string> seen;
  VfsdDirFiller *filler = vfsd_dir_filler_new(
      true,
      [](void *data, const char *name, uint64_t, uint32_t, const VfsdEntry *, int64_t) {
        static_cast<std::vector<std::string> *>(data)->push_back(name);
        return true;
      },
      &seen);
  EXPECT_EQ(vfsd_call_readdir(m, &ctx, t.d, 0, 0, filler), 0);
  vfsd_dir_filler_free(filler);
  EXPECT_EQ(seen, (std::vector<std::string>{".", "..", "f"}));
  EXPECT_EQ(vfsd_call_getattr(m, &ctx, t.f, VFSD_NO_FH, &a), 0);   // meta: not logged
  EXPECT_EQ(vfsd_call_write(m, &ctx, t.f, 0, "zz", 2, 0, 0), 2);  // data: logged
  VfsdEntry e = {};
  EXPECT_EQ(vfsd_call_lookup(m, &ctx, t.d, "f", &e), 0);           // skipped
  g_object_unref(m);
  auto lines = parse_log(log);
  EXPECT_EQ(lines, (std::vector<std::string>{"readdir <ino " + std::to_string(t.d) + "> 0 -",
                                             "write <ino " + std::to_string(t.d) + ">/f 2 -"}));
  g_object_unref(b);
}

TEST(Monitor, LinesReachTheLogWhileMounted) {
  vfsdtest::TempDir dir("monitor");
  FakeFs fs;
  VfsdBackend *b = fs.backend();
  for (const char *flush : {"buffered", "line"}) {
    std::string log = dir / (std::string(flush) + ".jsonl");
    std::string spec = "monitor:log=" + log + ",flush=" + flush;
    VfsdBackend *m = load(spec.c_str(), b);
    VfsdInit init = {};
    ASSERT_EQ(vfsd_call_init(m, &init), 0);  // starts the flusher
    VfsdCtx ctx = test_ctx();
    VfsdAttr a = {};
    EXPECT_EQ(vfsd_call_getattr(m, &ctx, VFSD_ROOT_INO, VFSD_NO_FH, &a), 0);
    std::string text;
    if (!strcmp(flush, "line")) {
      vfsdtest::read_file(log, &text);
      EXPECT_NE(text.find("\"op\":\"getattr\""), std::string::npos) << "at once";
    }
    // Buffered lines follow within a fraction of a second.
    EXPECT_TRUE(vfsdtest::wait_for([&] {
      vfsdtest::read_file(log, &text);
      return text.find("\"op\":\"getattr\"") != std::string::npos;
    }, std::chrono::seconds(2))) << flush;
    vfsd_call_destroy(m);
    vfsdtest::read_file(log, &text);
    EXPECT_NE(text.find("\"op\":\"destroy\""), std::string::npos);
    g_object_unref(m);
  }
  g_object_unref(b);
}

TEST(Monitor, BadArgumentsGiveOneClearError) {
  EXPECT_NE(load_error("monitor:only=nothing").find("nothing"), std::string::npos);
  EXPECT_NE(load_error("monitor:only=read,skip=read").find("no operation"), std::string::npos);
  EXPECT_NE(load_error("monitor:log=/nonexistent/dir/x").find("cannot open the log"), std::string::npos);
  EXPECT_NE(load_error("monitor:paths=maybe").find("yes or no"), std::string::npos);
  EXPECT_NE(load_error("monitor:flush=sometimes").find("line nor buffered"), std::string::npos);
}

// ---- stats ---------------------------------------------------------------

TEST(Stats, CountsCallsErrorsBytesAndLatencies) {
  FakeFs fs;
  VfsdBackend *b = fs.backend();
  Tree t(b);
  VfsdBackend *s = load("stats", b);
  VfsdCtx ctx = test_ctx();
  VfsdEntry e = {};
  char buf[16];
  for (int i = 0; i < 10; i++) vfsd_call_lookup(s, &ctx, t.d, "f", &e);
  for (int i = 0; i < 3; i++) vfsd_call_lookup(s, &ctx, t.d, "nope", &e);
  EXPECT_EQ(vfsd_call_read(s, &ctx, t.f, 0, buf, sizeof buf, 0), 4);
  VfsdReadBuf *rb = vfsd_read_buf_new(16);
  EXPECT_EQ(vfsd_call_read_iov(s, &ctx, t.f, 0, 16, 1, rb), 3);
  vfsd_read_buf_free(rb);
  EXPECT_EQ(vfsd_call_write(s, &ctx, t.f, 0, "abcdef", 6, 0, 0), 6);
  char *json = vfsd_stats_get(s, "json", nullptr);
  ASSERT_NE(json, nullptr);
  std::string j(json);
  g_free(json);
  EXPECT_NE(j.find("\"lookup\":{\"calls\":13,\"errors\":3,\"bytes\":0,"), std::string::npos) << j;
  EXPECT_NE(j.find("\"read\":{\"calls\":2,\"errors\":0,\"bytes\":7,"), std::string::npos) << j;
  EXPECT_NE(j.find("\"write\":{\"calls\":1,\"errors\":0,\"bytes\":6,"), std::string::npos) << j;
  EXPECT_EQ(j.find("getattr"), std::string::npos) << "operations not called do not appear";
  // The histogram of lookups holds 13 calls; the document is valid JSON.
  std::string out;
  const char *py = getenv("PYTHON_GI");
  EXPECT_EQ(vfsdtest::run({py && *py ? py : "python3", "-c",
                           "import json,sys; d = json.loads(sys.argv[1]);"
                           "print(sum(n for b, n in d['ops']['lookup']['histogram_us']))", j},
                          &out), 0);
  EXPECT_EQ(out, "13\n");
  char *text = vfsd_stats_get(s, "text", nullptr);
  ASSERT_NE(text, nullptr);
  EXPECT_NE(strstr(text, "operation"), nullptr);
  EXPECT_NE(strstr(text, "lookup"), nullptr);
  g_free(text);
  EXPECT_TRUE(vfsd_stats_reset(s, nullptr));
  json = vfsd_stats_get(s, "json", nullptr);
  EXPECT_EQ(std::string(json).find("lookup"), std::string::npos) << json;
  g_free(json);
  g_object_unref(s);
  g_object_unref(b);
}

TEST(Stats, FoundAnywhereInTheStackAndErrorsAreClear) {
  FakeFs fs;
  VfsdBackend *b = fs.backend();
  VfsdBackend *s = load("stats", b);
  VfsdBackend *ro = load("readonly", s);
  char *json = vfsd_stats_get(ro, "json", nullptr);
  EXPECT_NE(json, nullptr);
  g_free(json);
  GError *err = nullptr;
  EXPECT_EQ(vfsd_stats_get(b, "json", &err), nullptr);
  ASSERT_NE(err, nullptr);
  EXPECT_EQ(err->code, ENOENT);
  g_clear_error(&err);
  EXPECT_EQ(vfsd_stats_get(ro, "xml", &err), nullptr);
  ASSERT_NE(err, nullptr);
  EXPECT_EQ(err->code, EINVAL);
  g_clear_error(&err);
  EXPECT_EQ(vfsd_stats_query("/nonexistent-mount", "json", &err), nullptr);
  ASSERT_NE(err, nullptr);
  g_clear_error(&err);
  g_object_unref(ro);
  g_object_unref(s);
  g_object_unref(b);
}

}  // namespace
