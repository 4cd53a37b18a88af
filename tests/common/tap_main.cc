// SPDX-License-Identifier: LGPL-2.1-or-later
// main() for every gtest binary: gtest's own output stays (for humans), and
// a TAP stream goes to stdout for automake's TAP driver, one line per test.
#include <gtest/gtest.h>
#include <cstdio>

namespace {
class TapListener : public testing::EmptyTestEventListener {
 public:
  void OnTestProgramStart(const testing::UnitTest &u) override {
    std::printf("1..%d\n", u.test_to_run_count());
    std::fflush(stdout);
  }
  void OnTestEnd(const testing::TestInfo &t) override {
    ++n_;
    const char *status = t.result()->Passed() || t.result()->Skipped() ? "ok" : "not ok";
    std::printf("%s %d - %s.%s%s\n", status, n_, t.test_suite_name(), t.name(),
                t.result()->Skipped() ? " # SKIP" : "");
    std::fflush(stdout);
  }

 private:
  int n_ = 0;
};
}  // namespace

int main(int argc, char **argv) {
  testing::InitGoogleTest(&argc, argv);
  testing::UnitTest::GetInstance()->listeners().Append(new TapListener);
  return RUN_ALL_TESTS();
}
