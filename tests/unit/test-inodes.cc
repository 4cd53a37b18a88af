// SPDX-License-Identifier: LGPL-2.1-or-later
// The lookup counts (lib/inodes.c): forget exactly once when a count
// reaches zero, never early, and never while a lookup that raced with it is
// being counted.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <random>
#include <thread>
#include <vector>

#include "private.h"

namespace {

struct Table {
  VfsdInodes *t = vfsd_inodes_new();
  ~Table() { vfsd_inodes_free(t); }
};

}  // namespace

TEST(Inodes, LongRandomSequenceMatchesAShadow) {
  Table tb;
  std::mt19937_64 rng(12345);
  std::map<uint64_t, uint64_t> shadow;   // what the kernel holds
  std::map<uint64_t, int> forgets;        // backend forget calls
  std::map<uint64_t, int> zero_crossings; // times a count went 1+ -> 0
  for (int step = 0; step < 200000; step++) {
    uint64_t ino = 2 + rng() % 500;
    if (rng() % 2 == 0) {
      ASSERT_TRUE(vfsd_inodes_ref(tb.t, ino, nullptr));
      shadow[ino]++;
    } else if (shadow[ino] > 0) {
      uint64_t n = 1 + rng() % shadow[ino];
      bool zero = vfsd_inodes_unref(tb.t, ino, n);
      shadow[ino] -= n;
      ASSERT_EQ(zero, shadow[ino] == 0) << "inode " << ino << " step " << step;
      if (zero) {
        forgets[ino]++;
        zero_crossings[ino]++;
        vfsd_inodes_forgotten(tb.t, ino);
      }
    }
    ASSERT_EQ(vfsd_inodes_get(tb.t, ino), shadow[ino]);
  }
  uint64_t live = 0;
  for (auto &kv : shadow) live += kv.second > 0;
  EXPECT_EQ(vfsd_inodes_count(tb.t), live);
  // At unmount every inode still referenced is forgotten exactly once.
  std::map<uint64_t, int> drained;
  vfsd_inodes_drain(
      tb.t, [](uint64_t ino, void *d) { (*static_cast<std::map<uint64_t, int> *>(d))[ino]++; },
      &drained);
  for (auto &kv : shadow) {
    if (kv.second > 0) {
      EXPECT_EQ(drained[kv.first], 1) << kv.first;
    } else {
      EXPECT_EQ(drained.count(kv.first), 0u) << kv.first;
    }
  }
  EXPECT_EQ(vfsd_inodes_count(tb.t), 0u);
  EXPECT_EQ(forgets, zero_crossings);
}

TEST(Inodes, ForgetOfUnknownInodeIsIgnored) {
  Table tb;
  EXPECT_FALSE(vfsd_inodes_unref(tb.t, 99, 1));
  ASSERT_TRUE(vfsd_inodes_ref(tb.t, 99, nullptr));
  // More references forgotten than given: clamps to zero, forgets once.
  EXPECT_TRUE(vfsd_inodes_unref(tb.t, 99, 5));
  EXPECT_EQ(vfsd_inodes_get(tb.t, 99), 0u);
}

TEST(Inodes, TokenRefusesReferenceWhenAForgetOverlaps) {
  Table tb;
  ASSERT_TRUE(vfsd_inodes_ref(tb.t, 7, nullptr));
  // Token taken, then inode 7 reaches zero (a forget begins).
  VfsdForgetToken tok = vfsd_inodes_token(tb.t);
  ASSERT_TRUE(vfsd_inodes_unref(tb.t, 7, 1));
  EXPECT_FALSE(vfsd_inodes_ref(tb.t, 7, &tok));  // raced: refused
  // A token taken while the forget is still in progress: refused too.
  VfsdForgetToken tok2 = vfsd_inodes_token(tb.t);
  EXPECT_TRUE(tok2.busy);
  EXPECT_FALSE(vfsd_inodes_ref(tb.t, 7, &tok2));
  vfsd_inodes_forgotten(tb.t, 7);
  // After the forget finished, a fresh token succeeds.
  VfsdForgetToken tok3 = vfsd_inodes_token(tb.t);
  EXPECT_FALSE(tok3.busy);
  EXPECT_TRUE(vfsd_inodes_ref(tb.t, 7, &tok3));
  // An inode that already has references is always counted.
  VfsdForgetToken tok4 = vfsd_inodes_token(tb.t);
  ASSERT_TRUE(vfsd_inodes_ref(tb.t, 8, nullptr));
  ASSERT_TRUE(vfsd_inodes_unref(tb.t, 8, 1));
  EXPECT_TRUE(vfsd_inodes_ref(tb.t, 7, &tok4));
  vfsd_inodes_forgotten(tb.t, 8);
}

// The dispatcher's protocol under concurrency, against a "backend" that
// frees an inode in forget: the backend's forget must never run while the
// library counts a reference to the inode.
TEST(Inodes, ConcurrentLookupsAndForgetsNeverForgetEarly) {
  Table tb;
  const int kInodes = 64;
  std::atomic<int> alive[kInodes];
  for (auto &a : alive) a = 1;
  std::atomic<bool> stop{false};
  std::atomic<long> early{0}, forgets{0}, refused{0}, lookups{0};

  auto lookup = [&](uint64_t ino) {
    // Dispatcher protocol: token, backend call, counted reference.
    for (;;) {
      VfsdForgetToken tok = vfsd_inodes_token(tb.t);
      alive[ino] = 1;  // the backend (re)creates the inode it returns
      if (vfsd_inodes_ref(tb.t, ino, &tok)) break;
      refused++;
      std::this_thread::yield();
    }
    lookups++;
  };
  auto forget = [&](uint64_t ino, uint64_t n) {
    if (vfsd_inodes_unref(tb.t, ino, n)) {
      // The backend's forget: the library must hold no reference now.
      for (int i = 0; i < 50; i++) {
        if (vfsd_inodes_get(tb.t, ino) != 0) early++;
        std::this_thread::yield();
      }
      alive[ino] = 0;
      forgets++;
      vfsd_inodes_forgotten(tb.t, ino);
    }
  };

  // Each worker holds its own references and gives them back, as the kernel
  // does with lookups and forgets arriving on different threads.
  std::vector<std::thread> th;
  for (int w = 0; w < 4; w++)
    th.emplace_back([&, w] {
      std::mt19937 rng(w);
      std::vector<uint64_t> held;
      while (!stop) {
        if (held.size() < 8 && rng() % 2) {
          uint64_t ino = rng() % kInodes;
          lookup(ino);
          held.push_back(ino);
        } else if (!held.empty()) {
          uint64_t ino = held.back();
          held.pop_back();
          forget(ino, 1);
        }
      }
      for (uint64_t ino : held) forget(ino, 1);
    });
  std::this_thread::sleep_for(std::chrono::seconds(2));
  stop = true;
  for (auto &t : th) t.join();
  EXPECT_EQ(early.load(), 0);
  EXPECT_GT(forgets.load(), 100);
  EXPECT_GT(lookups.load(), 100);
  EXPECT_EQ(vfsd_inodes_count(tb.t), 0u);
  RecordProperty("refused", static_cast<int>(refused.load()));
}
