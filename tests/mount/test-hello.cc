// SPDX-License-Identifier: LGPL-2.1-or-later
// The hello example, mounted as a user runs it, and vfsd_main()'s command
// line: foreground and background, signals, fusermount3 -u, bad usage.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>

#include "fixtures.h"

using namespace vfsdtest;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {
std::string hello() { return build_path("examples/hello"); }

class HelloTest : public ::testing::Test {
 protected:
  TempDir dir{"hello"};
  std::string mp = dir / "mnt";
  void SetUp() override { ASSERT_EQ(mkdir(mp.c_str(), 0755), 0); }
  void TearDown() override { force_unmount(mp); }
};
}  // namespace

TEST_F(HelloTest, BehavesAsDocumented) {
  Child server({hello(), "-f", mp}, dir / "out", dir / "err");
  ASSERT_TRUE(wait_for([&] { return is_fuse_mounted(mp); }, 5000ms));
  // ls shows hello
  std::string out;
  ASSERT_EQ(run({"ls", mp}, &out), 0);
  EXPECT_EQ(out, "hello\n");
  // cat prints the text
  ASSERT_TRUE(read_file(mp + "/hello", &out));
  EXPECT_EQ(out, "Hello World!\n");
  // stat: a regular 0444 file of 13 bytes
  struct stat st;
  ASSERT_EQ(stat((mp + "/hello").c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0444u);
  EXPECT_EQ(st.st_size, 13);
  // a write fails with EACCES (even for root)
  errno = 0;
  EXPECT_EQ(open((mp + "/hello").c_str(), O_WRONLY), -1);
  EXPECT_EQ(errno, EACCES);
  errno = 0;
  EXPECT_EQ(open((mp + "/hello").c_str(), O_RDWR | O_TRUNC), -1);
  EXPECT_EQ(errno, EACCES);
  // partial reads at offsets
  int fd = open((mp + "/hello").c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  char buf[32] = {};
  EXPECT_EQ(pread(fd, buf, 5, 6), 5);
  EXPECT_STREQ(buf, "World");
  EXPECT_EQ(pread(fd, buf, 5, 100), 0);
  close(fd);
  // fusermount3 -u ends the program with status 0
  auto t0 = Clock::now();
  ASSERT_EQ(run({"fusermount3", "-u", mp}), 0);
  int status = server.wait(2000ms);
  ASSERT_NE(status, -1);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_LT(Clock::now() - t0, 1000ms);
}

TEST_F(HelloTest, BackgroundByDefault) {
  // Without -f the command returns once the mount is live.
  std::string out;
  ASSERT_EQ(run({hello(), mp}, &out, 10s), 0) << out;
  EXPECT_TRUE(is_fuse_mounted(mp));
  ASSERT_TRUE(read_file(mp + "/hello", &out));
  EXPECT_EQ(out, "Hello World!\n");
  ASSERT_EQ(run({"fusermount3", "-u", mp}), 0);
  EXPECT_FALSE(is_fuse_mounted(mp));
}

class HelloSignal : public HelloTest, public ::testing::WithParamInterface<int> {};

TEST_P(HelloSignal, SignalUnmountsWithinASecond) {
  Child server({hello(), "-f", mp}, dir / "out", dir / "err");
  ASSERT_TRUE(wait_for([&] { return is_fuse_mounted(mp); }, 5000ms));
  std::string out;
  ASSERT_TRUE(read_file(mp + "/hello", &out));
  auto t0 = Clock::now();
  server.signal(GetParam());
  int status = server.wait(2000ms);
  auto dt = Clock::now() - t0;
  ASSERT_NE(status, -1) << "did not exit";
  EXPECT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_LT(dt, 1000ms);
  EXPECT_FALSE(is_fuse_mounted(mp));
  RecordProperty("ms", static_cast<int>(
      std::chrono::duration_cast<std::chrono::milliseconds>(dt).count()));
}

INSTANTIATE_TEST_SUITE_P(Signals, HelloSignal, ::testing::Values(SIGTERM, SIGINT, SIGHUP));

TEST_F(HelloTest, KilledServerLeavesNoStaleMount) {
  // auto_unmount is on by default in vfsd_main: SIGKILL cannot leave a
  // "Transport endpoint is not connected" behind.
  Child server({hello(), "-f", mp}, dir / "out", dir / "err");
  ASSERT_TRUE(wait_for([&] { return is_fuse_mounted(mp); }, 5000ms));
  server.signal(SIGKILL);
  // On a loaded machine (or under ASan) the kernel can take seconds to tear
  // the process down and close its /dev/fuse descriptor; fusermount3's
  // watcher unmounts only then.
  ASSERT_NE(server.wait(30000ms), -1) << "SIGKILL did not end the server";
  EXPECT_TRUE(wait_for([&] { return !is_fuse_mounted(mp); }, 30000ms));
  struct stat st;
  EXPECT_EQ(stat(mp.c_str(), &st), 0);
}

TEST_F(HelloTest, UsageErrors) {
  std::string out;
  EXPECT_EQ(run({hello()}, &out), 2);
  EXPECT_NE(out.find("no mount point"), std::string::npos) << out;
  EXPECT_EQ(run({hello(), "-x", mp}, &out), 2);
  EXPECT_NE(out.find("-x"), std::string::npos) << out;
  EXPECT_EQ(run({hello(), mp, mp}, &out), 2);
  EXPECT_EQ(run({hello(), "-o"}, &out), 2);
  // bad option: one sentence naming it, nothing mounted, in both modes
  EXPECT_EQ(run({hello(), "-o", "speed=fast", mp}, &out), 1);
  EXPECT_NE(out.find("speed"), std::string::npos) << out;
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << out;
  EXPECT_EQ(run({hello(), "-f", "-o", "speed=fast", mp}, &out), 1);
  EXPECT_EQ(run({hello(), dir / "missing"}, &out), 1);
  EXPECT_NE(out.find("does not exist"), std::string::npos) << out;
  EXPECT_FALSE(is_fuse_mounted(mp));
  EXPECT_EQ(run({hello(), "--help"}, &out), 0);
  EXPECT_NE(out.find("Usage"), std::string::npos);
  EXPECT_NE(out.find("allow_other"), std::string::npos);
  EXPECT_EQ(run({hello(), "-V"}, &out), 0);
  EXPECT_NE(out.find(VFSD_VERSION_STRING), std::string::npos) << out;
}
