// SPDX-License-Identifier: LGPL-2.1-or-later
// The s3 module when things go wrong, against a real Ceph RADOS Gateway
// that the tests kill, freeze and restart: close() reports an upload that
// did not happen, a store that stops answering gives EIO in bounded time,
// a restarted gateway serves the same mount again, bad credentials fail
// the mount at once in one sentence, credentials never show, and
// writeback=on stores (or names) every file by the end of the unmount.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <thread>

#include "s3-env.h"

using namespace s3test;
using vfsdtest::read_file;
using vfsdtest::write_file;
using Clock = std::chrono::steady_clock;

namespace {

[[maybe_unused]] const bool registered = (register_environment(), true);

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Restarts the gateway at the end of a test that stopped or froze it.
struct GatewayGuard {
  ~GatewayGuard() {
    fixture("thaw-rgw");
    fixture("start-rgw");
  }
};

// Sets an environment variable for the life of the object.
struct EnvVar {
  EnvVar(const char *name, const char *value) : name_(name) {
    const char *old = getenv(name);
    had_ = old != nullptr;
    if (had_) old_ = old;
    if (value) setenv(name, value, 1); else unsetenv(name);
  }
  ~EnvVar() {
    if (had_) setenv(name_.c_str(), old_.c_str(), 1); else unsetenv(name_.c_str());
  }
  std::string name_, old_;
  bool had_;
};

TEST(S3Mounting, WrongSecretFailsAtOnceNamingSignatureDoesNotMatch) {
  std::string b = new_bucket("creds");
  EnvVar wrong("AWS_SECRET_ACCESS_KEY", "not-the-secret-at-all");
  auto t0 = Clock::now();
  GError *e = nullptr;
  VfsdBackend *be = vfsd_backend_load(spec(b).c_str(), &e);
  EXPECT_EQ(be, nullptr);
  ASSERT_NE(e, nullptr);
  std::string msg = e->message;
  g_clear_error(&e);
  EXPECT_LT(seconds_since(t0), 3.0) << "no retries for a refused signature";
  EXPECT_NE(msg.find("SignatureDoesNotMatch"), std::string::npos) << msg;
  EXPECT_EQ(msg.find('\n'), std::string::npos) << "one sentence: " << msg;
  EXPECT_EQ(msg.find("not-the-secret"), std::string::npos) << msg;
}

TEST(S3Mounting, TheCommandPrintsOneSentence) {
  std::string b = new_bucket("creds");
  vfsdtest::TempDir mnt("mnt");
  EnvVar wrong("AWS_SECRET_ACCESS_KEY", "wrong");
  std::string out;
  int rc = vfsdtest::run(
      {vfsdtest::build_path("tools/vfsd"), "mount", spec(b), mnt.path()},
      &out, std::chrono::seconds(20));
  EXPECT_EQ(rc, 1);
  EXPECT_NE(out.find("SignatureDoesNotMatch"), std::string::npos) << out;
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << out;
}

TEST(S3Mounting, MissingBucketAndSecretsInTheArguments) {
  GError *e = nullptr;
  EXPECT_EQ(vfsd_backend_load(spec("no-such-bucket-here").c_str(), &e),
            nullptr);
  ASSERT_NE(e, nullptr);
  EXPECT_NE(std::string(e->message).find("does not exist"), std::string::npos)
      << e->message;
  g_clear_error(&e);
  std::string b = new_bucket("args");
  EXPECT_EQ(vfsd_backend_load((spec(b) + ",secret_key=abc").c_str(), &e),
            nullptr);
  ASSERT_NE(e, nullptr);
  EXPECT_NE(std::string(e->message).find("never taken from the argument"),
            std::string::npos) << e->message;
  g_clear_error(&e);
  EXPECT_EQ(vfsd_backend_load((spec(b) + ",bogus=1").c_str(), &e), nullptr);
  ASSERT_NE(e, nullptr);
  EXPECT_NE(std::string(e->message).find("bogus"), std::string::npos);
  g_clear_error(&e);
}

TEST(S3Mounting, CredentialsFromAProfile) {
  std::string b = new_bucket("profile");
  vfsdtest::TempDir home("home");
  ASSERT_TRUE(write_file(home / "credentials",
                         "# comment\n[default]\naws_access_key_id = nobody\n"
                         "aws_secret_access_key = nothing\n\n[ceph]\n"
                         "aws_access_key_id = " + env().access_key + "\n"
                         "aws_secret_access_key=" + env().secret_key + "\n"));
  EnvVar file("AWS_SHARED_CREDENTIALS_FILE", (home / "credentials").c_str());
  EnvVar ak("AWS_ACCESS_KEY_ID", nullptr), sk("AWS_SECRET_ACCESS_KEY", nullptr);
  S3Mount m(b, "profile=ceph");
  ASSERT_TRUE(m.ok()) << m.error();
  ASSERT_TRUE(write_file(m / "f", "via profile"));
  std::string got;
  EXPECT_TRUE(get_object(b, "f", &got));
  EXPECT_EQ(got, "via profile");
  S3Mount none(b, "profile=missing");
  EXPECT_FALSE(none.ok());
  EXPECT_NE(none.error().find("[missing]"), std::string::npos) << none.error();
}

TEST(S3Mounting, CredentialsNeverInPsOrLogs) {
  std::string b = new_bucket("leak");
  vfsdtest::TempDir mnt("mnt"), logs("logs");
  EnvVar trace("VFSD_DEBUG", "ops,fuse");
  EnvVar msgs("G_MESSAGES_DEBUG", "all");
  vfsdtest::Child c({vfsdtest::build_path("tools/vfsd"), "mount", "-d",
                     spec(b, "cache_timeout=0"), mnt.path()},
                    logs / "out", logs / "err");
  ASSERT_TRUE(vfsdtest::wait_for(
      [&] { return vfsdtest::is_fuse_mounted(mnt.path()); },
      std::chrono::seconds(20)));
  std::string cmdline;
  ASSERT_TRUE(read_file("/proc/" + std::to_string(c.pid()) + "/cmdline",
                        &cmdline));
  ASSERT_TRUE(write_file(mnt / "a", "data"));
  std::string got;
  EXPECT_TRUE(read_file(mnt / "a", &got));
  EXPECT_NE(rename((mnt / "a").c_str(), (mnt / "b").c_str()), -1);
  struct stat st;
  EXPECT_NE(stat((mnt / "missing").c_str(), &st), 0);
  EXPECT_EQ(link((mnt / "b").c_str(), (mnt / "c").c_str()), -1);
  vfsdtest::force_unmount(mnt.path());
  EXPECT_EQ(c.wait(std::chrono::seconds(30)), 0);
  std::string out, err, info, backends;
  read_file(logs / "out", &out);
  read_file(logs / "err", &err);
  EXPECT_FALSE(err.empty()) << "the trace is on: something must be logged";
  EXPECT_EQ(vfsdtest::run({vfsdtest::build_path("tools/vfsd"), "info"}, &info),
            0) << info;
  EXPECT_EQ(vfsdtest::run({vfsdtest::build_path("tools/vfsd"), "backends",
                           "-v"}, &backends), 0) << backends;
  EXPECT_NE(backends.find("s3"), std::string::npos) << backends;
  for (const std::string *s : {&cmdline, &out, &err, &info, &backends}) {
    EXPECT_EQ(s->find(env().secret_key), std::string::npos);
    EXPECT_EQ(s->find("Authorization"), std::string::npos);
  }
}

TEST(S3Faults, GatewayKilledDuringAnUploadFailsClose) {
  std::string b = new_bucket("kill");
  GatewayGuard guard;
  S3Mount m(b, "timeout=3,part_size=5M,cache_timeout=1");
  ASSERT_TRUE(m.ok()) << m.error();
  int fd = open((m / "big").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
                0644);
  ASSERT_GE(fd, 0);
  std::string chunk = random_bytes(1 << 20, 7);
  for (int i = 0; i < 12; i++)
    ASSERT_EQ(write(fd, chunk.data(), chunk.size()), (ssize_t)chunk.size());
  ASSERT_TRUE(kill_gateway());
  for (int i = 0; i < 12; i++)
    ASSERT_EQ(write(fd, chunk.data(), chunk.size()), (ssize_t)chunk.size());
  auto t0 = Clock::now();
  int rc = close(fd);
  int err = errno;
  EXPECT_EQ(rc, -1) << "close() must not report success";
  EXPECT_EQ(err, EIO);
  EXPECT_LT(seconds_since(t0), 15.0);
  // The gateway comes back: the same mount serves again.
  ASSERT_EQ(fixture("start-rgw"), 0);
  EXPECT_TRUE(head_object(b, "big").empty()) << "no stale object";
  ASSERT_TRUE(write_file(m / "after", "back"));
  std::string got;
  ASSERT_TRUE(get_object(b, "after", &got));
  EXPECT_EQ(got, "back");
  ASSERT_TRUE(read_file(m / "after", &got));
  EXPECT_EQ(got, "back");
}

TEST(S3Faults, AStoreThatStopsAnsweringGivesEIOInBoundedTime) {
  std::string b = new_bucket("freeze");
  ASSERT_TRUE(put_object(b, "obj", "content"));
  GatewayGuard guard;
  S3Mount m(b, "timeout=2,cache_timeout=0");
  ASSERT_TRUE(m.ok()) << m.error();
  ASSERT_EQ(fixture("freeze-rgw"), 0);
  struct stat st;
  auto t0 = Clock::now();
  EXPECT_EQ(stat((m / "obj").c_str(), &st), -1);
  EXPECT_EQ(errno, EIO);
  EXPECT_LT(seconds_since(t0), 8.0);
  t0 = Clock::now();
  int rc = vfsdtest::write_file(m / "new", "x") ? 0 : -1;
  EXPECT_EQ(rc, -1);
  EXPECT_LT(seconds_since(t0), 15.0);
  ASSERT_EQ(fixture("thaw-rgw"), 0);
  std::string got;
  ASSERT_TRUE(vfsdtest::wait_for([&] { return read_file(m / "obj", &got); },
                                 std::chrono::seconds(10)));
  EXPECT_EQ(got, "content");
}

TEST(S3Faults, ARequestStuckOnTheStoreDoesNotStallTheMount) {
  std::string b = new_bucket("stall");
  ASSERT_TRUE(put_object(b, "remote", random_bytes(8 << 20, 13)));
  GatewayGuard guard;
  S3Mount m(b, "timeout=6,cache_timeout=60,block_size=1M,readahead=0");
  ASSERT_TRUE(m.ok()) << m.error();
  struct stat st;
  ASSERT_EQ(stat((m / "remote").c_str(), &st), 0); // attributes cached
  ASSERT_TRUE(write_file(m / "cached", "here"));
  std::string got;
  ASSERT_TRUE(read_file(m / "cached", &got));
  if (fixture("freeze-rgw") != 0) {
    if (vfsdtest::sanitized())
      GTEST_SKIP() << "the fixture could not freeze the gateway (seen once "
                      "under ASan on a loaded machine)";
    FAIL() << "the fixture could not freeze the gateway";
  }
  // Four readers wait on the frozen store (blocks nobody has read)...
  std::vector<std::thread> stuck;
  for (int i = 0; i < 4; i++)
    stuck.emplace_back([&, i] {
      int fd = open((m / "remote").c_str(), O_RDONLY | O_CLOEXEC);
      char buf[4096];
      if (fd >= 0) {
        (void)!pread(fd, buf, sizeof buf, (off_t)i << 21);
        close(fd);
      }
    });
  usleep(500 * 1000);
  // ...while what the caches hold is served at once.
  auto t0 = Clock::now();
  EXPECT_EQ(stat((m / "cached").c_str(), &st), 0);
  EXPECT_TRUE(read_file(m / "cached", &got));
  EXPECT_EQ(got, "here");
  EXPECT_LT(seconds_since(t0), 1.0) << "a stuck request held up the others";
  for (auto &t : stuck) t.join();
}

TEST(S3Faults, AFullBucketIsENOSPC) {
  std::string b = new_bucket("quota");
  ASSERT_EQ(fixture("bucket-quota", {b, std::to_string(10 << 20)}), 0);
  S3Mount m(b, "cache_timeout=1");
  ASSERT_TRUE(m.ok()) << m.error();
  ASSERT_TRUE(write_file(m / "fits", random_bytes(4 << 20, 11)));
  int fd = open((m / "too-big").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0);
  std::string data = random_bytes(12 << 20, 12);
  ASSERT_EQ(write(fd, data.data(), data.size()), (ssize_t)data.size());
  EXPECT_EQ(close(fd), -1);
  EXPECT_EQ(errno, ENOSPC);
  EXPECT_TRUE(head_object(b, "too-big").empty());
  std::string got;
  ASSERT_TRUE(get_object(b, "fits", &got));
  EXPECT_EQ(got.size(), 4u << 20);
}

TEST(S3Faults, RetriesRideOutAShortOutage) {
  std::string b = new_bucket("outage");
  GatewayGuard guard;
  S3Mount m(b, "timeout=30,cache_timeout=1");
  ASSERT_TRUE(m.ok()) << m.error();
  ASSERT_EQ(fixture("stop-rgw"), 0);
  std::thread restart([] {
    sleep(2);
    fixture("start-rgw");
  });
  EXPECT_TRUE(write_file(m / "f", "made it"));
  restart.join();
  std::string got;
  ASSERT_TRUE(get_object(b, "f", &got));
  EXPECT_EQ(got, "made it");
}

TEST(S3Faults, ServerStoppedWithAFileOpenStoresIt) {
  // SIGTERM to a `vfsd mount` whose file is still open for writing: the
  // kernel never sends that file's RELEASE, and the unmount stores what
  // was written before the server exits.
  std::string b = new_bucket("sigterm");
  vfsdtest::TempDir mnt("mnt"), logs("logs");
  vfsdtest::Child c({vfsdtest::build_path("tools/vfsd"), "mount", "-f",
                     spec(b), mnt.path()},
                    logs / "out", logs / "err");
  ASSERT_TRUE(vfsdtest::wait_for(
      [&] { return vfsdtest::is_fuse_mounted(mnt.path()); },
      std::chrono::seconds(20)));
  int fd = open((mnt / "open.txt").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC,
                0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, "written, never closed", 21), 21);
  c.signal(SIGTERM);
  int status = c.wait(std::chrono::seconds(60));
  EXPECT_TRUE(status >= 0 && WIFEXITED(status)) << status;
  close(fd); // the server is gone: an error, and nothing else to do
  std::string got;
  EXPECT_TRUE(get_object(b, "open.txt", &got));
  EXPECT_EQ(got, "written, never closed");
  EXPECT_FALSE(vfsdtest::is_fuse_mounted(mnt.path()));
}

TEST(S3Writeback, CloseReturnsEarlyAndUnmountStoresEverything) {
  std::string b = new_bucket("wb");
  {
    S3Mount m(b, "writeback=on,writeback_delay=0.5,cache_timeout=1");
    ASSERT_TRUE(m.ok()) << m.error();
    for (int i = 0; i < 30; i++)
      ASSERT_TRUE(write_file(m / ("f" + std::to_string(i)),
                             "content " + std::to_string(i)));
    std::string big = random_bytes(12 << 20, 9);
    ASSERT_TRUE(write_file(m / "big", big));
    struct stat st;
    ASSERT_EQ(stat((m / "big").c_str(), &st), 0);
    EXPECT_EQ(st.st_size, (off_t)big.size());
    m.unmount();
    // vfsd_mount_wait() has returned: every upload is done.
    std::string got;
    ASSERT_TRUE(get_object(b, "big", &got));
    EXPECT_EQ(md5(got), md5(big));
  }
  for (int i = 0; i < 30; i++) {
    std::string got;
    ASSERT_TRUE(get_object(b, "f" + std::to_string(i), &got));
    EXPECT_EQ(got, "content " + std::to_string(i));
  }
}

TEST(S3Writeback, VfsdInfoSaysWhichMountsWriteBack) {
  std::string b = new_bucket("wbinfo"), d = new_bucket("durable");
  S3Mount wb(b, "writeback=on"), durable(d);
  ASSERT_TRUE(wb.ok()) << wb.error();
  ASSERT_TRUE(durable.ok()) << durable.error();
  std::string info;
  ASSERT_EQ(vfsdtest::run({vfsdtest::build_path("tools/vfsd"), "info"}, &info),
            0) << info;
  std::string want_wb = "  " + wb.path() + "  s3:" + b +
                        "[writeback=on]  (write-back: close() returns before "
                        "the data is stored)\n";
  std::string want_durable = "  " + durable.path() + "  s3:" + d + "\n";
  EXPECT_NE(info.find(want_wb), std::string::npos) << info;
  EXPECT_NE(info.find(want_durable), std::string::npos) << info;
}

TEST(S3Writeback, WithWritebackCloseFsyncStillWaits) {
  std::string b = new_bucket("wbsync");
  S3Mount m(b, "writeback=close,writeback_delay=30,cache_timeout=1");
  ASSERT_TRUE(m.ok()) << m.error();
  int fd = open((m / "f").c_str(), O_WRONLY | O_CREAT, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, "synced", 6), 6);
  ASSERT_EQ(fsync(fd), 0);
  std::string got;
  EXPECT_TRUE(get_object(b, "f", &got));
  EXPECT_EQ(got, "synced");
  close(fd);
}

TEST(S3Writeback, UploadsWaitTheirDelayAndFollowRenames) {
  std::string b = new_bucket("wbdelay");
  {
    S3Mount m(b, "writeback=on,writeback_delay=30,cache_timeout=1");
    ASSERT_TRUE(m.ok()) << m.error();
    int fd = open((m / "a").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(write(fd, "later", 5), 5);
    ASSERT_EQ(fsync(fd), 0); // writeback=on: not even fsync waits
    ASSERT_EQ(close(fd), 0);
    ASSERT_TRUE(write_file(m / "gone", "never sent"));
    EXPECT_TRUE(head_object(b, "a").empty()) << "uploaded before its delay";
    ASSERT_EQ(rename((m / "a").c_str(), (m / "b").c_str()), 0);
    ASSERT_EQ(unlink((m / "gone").c_str()), 0);
    std::string got;
    ASSERT_TRUE(read_file(m / "b", &got));
    EXPECT_EQ(got, "later");
    EXPECT_TRUE(list_keys(b).empty());
    m.unmount(); // does not wait 30 s: unmount sends what waits
  }
  EXPECT_EQ(list_keys(b), std::vector<std::string>{"b"});
  std::string got;
  ASSERT_TRUE(get_object(b, "b", &got));
  EXPECT_EQ(got, "later");
}

TEST(S3Writeback, UnmountNamesTheFilesItCouldNotStore) {
  std::string b = new_bucket("wblost");
  GatewayGuard guard;
  LogCapture log;
  {
    S3Mount m(b, "writeback=on,timeout=2,cache_timeout=60");
    ASSERT_TRUE(m.ok()) << m.error();
    struct stat st;
    ASSERT_NE(stat((m / "lost-file.txt").c_str(), &st), 0); // cached: absent
    ASSERT_EQ(fixture("stop-rgw"), 0);
    auto t0 = Clock::now();
    ASSERT_TRUE(write_file(m / "lost-file.txt", "nowhere to go"))
        << strerror(errno) << "\n" << log.text();
    EXPECT_LT(seconds_since(t0), 1.0) << "writeback: close does not wait";
    m.unmount();
  }
  std::string text = log.text();
  EXPECT_NE(text.find("lost-file.txt"), std::string::npos) << text;
  EXPECT_NE(text.find("not stored"), std::string::npos) << text;
}

}  // namespace
