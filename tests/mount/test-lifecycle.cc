// SPDX-License-Identifier: LGPL-2.1-or-later
// The mount lifecycle through real mounts: every way a mount ends returns
// within a second and calls destroy() exactly once; nothing leaks; bad
// input gets a clear error and leaves nothing mounted.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "fixtures.h"
#include "testfs.h"

using namespace vfsdtest;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {
std::chrono::milliseconds since(Clock::time_point t0) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0);
}
}  // namespace

TEST(Lifecycle, MountServesAndUnmountEndsWithinASecond) {
  TestFs fs;
  fs.set_content(0, "hello");
  Mount m(fs.backend());
  ASSERT_TRUE(m.mounted()) << m.error();
  EXPECT_TRUE(vfsd_mount_is_mounted(m.get()));
  std::string data;
  ASSERT_TRUE(read_file(m / "f0", &data));
  EXPECT_EQ(data, "hello");
  auto dt = m.unmount();
  EXPECT_LT(dt, 1000ms);
  EXPECT_EQ(fs.inits.load(), 1);
  EXPECT_EQ(fs.destroys.load(), 1);
  EXPECT_EQ(fs.violations.load(), 0) << fs.violation_text();
  EXPECT_FALSE(is_fuse_mounted(m.path()));
  RecordProperty("unmount_ms", static_cast<int>(dt.count()));
}

TEST(Lifecycle, HundredMountsLeakNothing) {
  TestFs fs;
  {  // warm up: let GLib and libfuse create whatever they keep
    Mount m(fs.backend());
    ASSERT_TRUE(m.mounted()) << m.error();
  }
  int fds0 = count_fds(), threads0 = count_threads();
  for (int i = 0; i < 100; i++) {
    Mount m(fs.backend());
    ASSERT_TRUE(m.mounted()) << m.error();
    struct stat st;
    ASSERT_EQ(stat((m / "f1").c_str(), &st), 0);
    m.unmount();
    ASSERT_FALSE(is_fuse_mounted(m.path()));
  }
  EXPECT_EQ(count_fds(), fds0);
  // Threads of ended mounts are joined, not left behind.
  EXPECT_TRUE(wait_for([&] { return count_threads() <= threads0; }, 2000ms))
      << count_threads() << " threads, " << threads0 << " before";
  EXPECT_EQ(fs.inits.load(), 101);
  EXPECT_EQ(fs.destroys.load(), 101);
  EXPECT_EQ(fs.violations.load(), 0) << fs.violation_text();
}

TEST(Lifecycle, UnmountFromAnotherThread) {
  TestFs fs;
  Mount m(fs.backend());
  ASSERT_TRUE(m.mounted()) << m.error();
  auto t0 = Clock::now();
  std::thread t([&] { vfsd_mount_unmount(m.get()); });
  EXPECT_EQ(vfsd_mount_wait(m.get()), 0);
  t.join();
  EXPECT_LT(since(t0), 1000ms);
  EXPECT_EQ(fs.destroys.load(), 1);
  EXPECT_FALSE(is_fuse_mounted(m.path()));
}

TEST(Lifecycle, BackendEndsItsOwnMount) {
  TestFs fs;
  fs.exit_ino = TestFs::ino_of(3);
  Mount m(fs.backend(), "attr_timeout=0");
  ASSERT_TRUE(m.mounted()) << m.error();
  auto t0 = Clock::now();
  struct stat st;
  stat((m / "f3").c_str(), &st);  // the getattr of f3 asks to end
  EXPECT_EQ(vfsd_mount_wait(m.get()), 0);
  EXPECT_LT(since(t0), 1000ms);
  EXPECT_EQ(fs.destroys.load(), 1);
  EXPECT_FALSE(is_fuse_mounted(m.path()));
}

TEST(Lifecycle, FusermountFromOutside) {
  TestFs fs;
  Mount m(fs.backend());
  ASSERT_TRUE(m.mounted()) << m.error();
  auto t0 = Clock::now();
  ASSERT_EQ(run({"fusermount3", "-u", m.path()}), 0);
  EXPECT_EQ(vfsd_mount_wait(m.get()), 0);
  EXPECT_LT(since(t0), 1000ms);
  EXPECT_EQ(fs.destroys.load(), 1);
  EXPECT_FALSE(vfsd_mount_is_mounted(m.get()));
}

TEST(Lifecycle, BusyMountStillEndsWithinASecond) {
  TestFs fs;
  fs.set_content(0, "data");
  Mount m(fs.backend());
  ASSERT_TRUE(m.mounted()) << m.error();
  int fd = open((m / "f0").c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  int cwd_holder = open(m.path().c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_GE(cwd_holder, 0);
  auto dt = m.unmount();
  EXPECT_LT(dt, 1000ms);
  char c;
  errno = 0;
  EXPECT_EQ(pread(fd, &c, 1, 0), -1);
  EXPECT_TRUE(errno == ENOTCONN || errno == ECONNABORTED) << strerror(errno);
  close(fd);
  close(cwd_holder);
  EXPECT_EQ(fs.destroys.load(), 1);
  // The kernel never released the file it had open; the library did.
  EXPECT_EQ(fs.opens_outstanding(), 0);
  EXPECT_FALSE(is_fuse_mounted(m.path()));
  RecordProperty("busy_unmount_ms", static_cast<int>(dt.count()));
}

// A backend call that never returns must not stop the unmount: the caller
// blocked in it gets an error, and destroy() runs once the call returns.
TEST(Lifecycle, BlockedBackendCallDoesNotBlockUnmount) {
  TestFs fs;
  fs.block_ino = TestFs::ino_of(2);
  Mount m(fs.backend(), "attr_timeout=0,entry_timeout=0");
  ASSERT_TRUE(m.mounted()) << m.error();
  // A separate process gets stuck in the blocked getattr (stat -L forces a
  // GETATTR after the lookup of a file that is not cached).
  TempDir out("out");
  Child stuck({"stat", "-L", m / "f2"}, out / "o", out / "e");
  ASSERT_TRUE(stuck.started());
  ASSERT_TRUE(wait_for([&] { return fs.blocked_now.load() == 1; }, 5000ms));
  auto t0 = Clock::now();
  vfsd_mount_unmount(m.get());
  vfsd_mount_wait(m.get());
  auto dt = since(t0);
  EXPECT_LT(dt, 1500ms);
  EXPECT_FALSE(is_fuse_mounted(m.path()));
  // The blocked caller was let go with an error.
  int status = stuck.wait(2000ms);
  ASSERT_NE(status, -1) << "the process blocked in the backend call never returned";
  EXPECT_NE(WEXITSTATUS(status), 0);
  // destroy waits for the stuck call...
  EXPECT_EQ(fs.destroys.load(), 0);
  fs.release_block();
  // ...and runs exactly once when it returns.
  EXPECT_TRUE(wait_for([&] { return fs.destroys.load() == 1; }, 2000ms));
  g_usleep(100000);
  EXPECT_EQ(fs.destroys.load(), 1);
  EXPECT_EQ(fs.destroy_while_busy.load(), 0);
  RecordProperty("blocked_unmount_ms", static_cast<int>(dt.count()));
}

TEST(Lifecycle, AttachToAMainContext) {
  TestFs fs;
  fs.set_content(1, "ctx");
  TempDir dir("mnt");
  GError *err = nullptr;
  VfsdMount *m = vfsd_mount_new(fs.backend(), dir.path().c_str(), nullptr, &err);
  ASSERT_NE(m, nullptr) << err->message;
  GMainContext *ctx = g_main_context_new();
  ASSERT_TRUE(vfsd_mount_attach(m, ctx, &err)) << err->message;
  std::atomic<bool> stop{false};
  std::thread loop([&] {
    g_main_context_push_thread_default(ctx);
    while (!stop) g_main_context_iteration(ctx, TRUE);
    g_main_context_pop_thread_default(ctx);
  });
  std::string data;
  EXPECT_TRUE(read_file(dir / "f1", &data));
  EXPECT_EQ(data, "ctx");
  auto t0 = Clock::now();
  vfsd_mount_unmount(m);
  EXPECT_EQ(vfsd_mount_wait(m), 0);
  EXPECT_LT(since(t0), 1000ms);
  stop = true;
  g_main_context_wakeup(ctx);
  loop.join();
  EXPECT_EQ(fs.destroys.load(), 1);
  g_object_unref(m);
  g_main_context_unref(ctx);
  EXPECT_FALSE(is_fuse_mounted(dir.path()));
}

TEST(Lifecycle, ThreadsLentWithRunWorker) {
  TestFs fs;
  fs.set_content(2, "worker");
  TempDir dir("mnt");
  GError *err = nullptr;
  VfsdMount *m = vfsd_mount_new(fs.backend(), dir.path().c_str(), "threads=0", &err);
  ASSERT_NE(m, nullptr) << err->message;
  EXPECT_EQ(vfsd_mount_run_worker(m), -EINVAL);  // not started
  ASSERT_TRUE(vfsd_mount_start(m, &err)) << err->message;
  std::vector<std::thread> workers;
  std::atomic<int> returned{0};
  for (int i = 0; i < 2; i++)
    workers.emplace_back([&] {
      EXPECT_EQ(vfsd_mount_run_worker(m), 0);
      returned++;
    });
  std::string data;
  EXPECT_TRUE(read_file(dir / "f2", &data));
  EXPECT_EQ(data, "worker");
  auto t0 = Clock::now();
  vfsd_mount_unmount(m);
  vfsd_mount_wait(m);
  for (auto &w : workers) w.join();
  EXPECT_LT(since(t0), 1000ms);
  EXPECT_EQ(returned.load(), 2);
  EXPECT_EQ(fs.destroys.load(), 1);
  g_object_unref(m);
}

TEST(Lifecycle, ExitedSignalRunsOnTheStartingContext) {
  TestFs fs;
  TempDir dir("mnt");
  GMainContext *ctx = g_main_context_new();
  g_main_context_push_thread_default(ctx);
  GError *err = nullptr;
  VfsdMount *m = vfsd_mount_new(fs.backend(), dir.path().c_str(), nullptr, &err);
  ASSERT_NE(m, nullptr);
  struct Seen {
    int count = 0;
    int status = 99;
    GThread *thread = nullptr;
  } seen;
  g_signal_connect(m, "exited", G_CALLBACK(+[](VfsdMount *, int status, gpointer d) {
                     auto *s = static_cast<Seen *>(d);
                     s->count++;
                     s->status = status;
                     s->thread = g_thread_self();
                   }),
                   &seen);
  ASSERT_TRUE(vfsd_mount_start(m, &err)) << err->message;
  vfsd_mount_unmount(m);
  vfsd_mount_wait(m);
  EXPECT_EQ(seen.count, 0);  // not before the context runs
  auto end = Clock::now() + 2s;
  while (seen.count == 0 && Clock::now() < end) g_main_context_iteration(ctx, FALSE);
  EXPECT_EQ(seen.count, 1);
  EXPECT_EQ(seen.status, 0);
  EXPECT_EQ(seen.thread, g_thread_self());
  g_main_context_pop_thread_default(ctx);
  g_object_unref(m);
  g_main_context_unref(ctx);
}

TEST(Lifecycle, StartTwiceAndWaitBeforeStartAreErrors) {
  TestFs fs;
  TempDir dir("mnt");
  GError *err = nullptr;
  VfsdMount *m = vfsd_mount_new(fs.backend(), dir.path().c_str(), nullptr, &err);
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(vfsd_mount_wait(m), -EINVAL);
  ASSERT_TRUE(vfsd_mount_start(m, &err));
  EXPECT_FALSE(vfsd_mount_start(m, &err));
  ASSERT_NE(err, nullptr);
  EXPECT_EQ(err->code, EALREADY);
  g_clear_error(&err);
  vfsd_mount_unmount(m);
  vfsd_mount_wait(m);
  vfsd_mount_unmount(m);  // again: nothing happens
  g_object_unref(m);
  EXPECT_EQ(fs.destroys.load(), 1);
}

TEST(Lifecycle, FailingInitMountsNothing) {
  TestFs fs;
  fs.ops().init = [](void *, VfsdInit *) { return -EIO; };
  fs.rebuild();
  TempDir dir("mnt");
  GError *err = nullptr;
  VfsdMount *m = vfsd_mount_new(fs.backend(), dir.path().c_str(), nullptr, &err);
  ASSERT_NE(m, nullptr);
  EXPECT_FALSE(vfsd_mount_start(m, &err));
  ASSERT_NE(err, nullptr);
  EXPECT_NE(std::string(err->message).find("failed to start"), std::string::npos);
  g_clear_error(&err);
  EXPECT_FALSE(is_fuse_mounted(dir.path()));
  EXPECT_EQ(fs.destroys.load(), 0);  // init failed: no destroy
  g_object_unref(m);
}

// ---- bad input ---------------------------------------------------------------

namespace {
std::string new_error(VfsdBackend *b, const std::string &mp, const char *opts,
                      int *code = nullptr) {
  GError *err = nullptr;
  VfsdMount *m = vfsd_mount_new(b, mp.c_str(), opts, &err);
  if (m) {
    g_object_unref(m);
    return "";
  }
  std::string msg = err->message;
  if (code) *code = err->code;
  g_error_free(err);
  return msg;
}
}  // namespace

TEST(BadInput, MissingMountpoint) {
  TestFs fs;
  TempDir d("x");
  int code = 0;
  std::string msg = new_error(fs.backend(), d / "nope", nullptr, &code);
  EXPECT_EQ(code, ENOENT);
  EXPECT_NE(msg.find("does not exist"), std::string::npos) << msg;
  EXPECT_NE(new_error(fs.backend(), "", nullptr), "");
}

TEST(BadInput, MountpointNotADirectory) {
  TestFs fs;
  TempDir d("x");
  ASSERT_TRUE(write_file(d / "file", "x"));
  int code = 0;
  std::string msg = new_error(fs.backend(), d / "file", nullptr, &code);
  EXPECT_EQ(code, ENOTDIR);
  EXPECT_NE(msg.find("not a directory"), std::string::npos) << msg;
}

TEST(BadInput, UnknownOrMalformedOptionIsNamed) {
  TestFs fs;
  TempDir d("x");
  std::string msg = new_error(fs.backend(), d.path(), "ro,wibble");
  EXPECT_NE(msg.find("wibble"), std::string::npos) << msg;
  msg = new_error(fs.backend(), d.path(), "threads=many");
  EXPECT_NE(msg.find("threads"), std::string::npos) << msg;
  EXPECT_FALSE(is_fuse_mounted(d.path()));
}

TEST(BadInput, StaleMountIsReportedWithTheCure) {
  // A server killed without auto_unmount leaves a stale mount.
  TempDir d("stale");
  std::string mp = d / "mnt";
  ASSERT_EQ(mkdir(mp.c_str(), 0755), 0);
  Child server({build_path("examples/hello"), "-f", "-o", "noauto_unmount", mp});
  ASSERT_TRUE(wait_for([&] { return is_fuse_mounted(mp); }, 5000ms));
  server.signal(SIGKILL);
  ASSERT_NE(server.wait(30000ms), -1) << "SIGKILL did not end the server";
  struct stat st;
  ASSERT_TRUE(wait_for([&] { return stat(mp.c_str(), &st) == -1 && errno == ENOTCONN; },
                       30000ms));
  TestFs fs;
  int code = 0;
  std::string msg = new_error(fs.backend(), mp, nullptr, &code);
  EXPECT_EQ(code, ENOTCONN);
  EXPECT_NE(msg.find("stale"), std::string::npos) << msg;
  EXPECT_NE(msg.find("fusermount3 -uz"), std::string::npos) << msg;
  EXPECT_TRUE(force_unmount(mp));
}

TEST(BadInput, NoDevFuse) {
  // In a mount namespace where /dev is an empty tmpfs.
  TempDir d("nodev");
  std::string out;
  int rc = run({"unshare", "-m", "--propagation", "private", "sh", "-c",
                "mount -t tmpfs none /dev && exec \"$0\" -f \"$1\"",
                build_path("examples/hello"), d.path()},
               &out, 10s);
  EXPECT_EQ(rc, 1) << out;
  EXPECT_NE(out.find("/dev/fuse"), std::string::npos) << out;
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << out;
}

TEST(BadInput, NoPermissionForDevFuse) {
  TempDir d("noperm");
  // The user must reach the mount point: open up this test's own TMPDIR.
  chmod(d.path().substr(0, d.path().rfind('/')).c_str(), 0755);
  chmod(d.path().c_str(), 0777);
  struct stat st;
  ASSERT_EQ(stat("/dev/fuse", &st), 0);
  if (st.st_mode & 0006) GTEST_SKIP() << "/dev/fuse is open to everyone here";
  std::string out;
  int rc = run({"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                build_path("examples/hello"), "-f", d.path()},
               &out, 10s);
  EXPECT_EQ(rc, 1) << out;
  EXPECT_NE(out.find("permission"), std::string::npos) << out;
}
