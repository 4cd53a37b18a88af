// SPDX-License-Identifier: LGPL-2.1-or-later
// The ABI promise, pinned: a change of a public structure's size or of a
// field's offset fails here.  Appending operations to VfsdOps is allowed
// (update the size below and bump VFSD_LT_VERSION's age); moving one is not.
#include <gtest/gtest.h>

#include <cstddef>

#include <vfsd/vfsd.h>

#define OFF(type, field) static_cast<size_t>(offsetof(type, field))

TEST(Abi, VfsdOpsHeaderAndOperationsStayPut) {
  EXPECT_EQ(OFF(VfsdOps, struct_size), 0u);
  EXPECT_EQ(OFF(VfsdOps, abi_version), 4u);
  EXPECT_EQ(OFF(VfsdOps, thread_model), 8u);
  EXPECT_EQ(OFF(VfsdOps, flags), 12u);
  EXPECT_EQ(OFF(VfsdOps, name), 16u);
  EXPECT_EQ(OFF(VfsdOps, init), 24u);
  EXPECT_EQ(OFF(VfsdOps, destroy), 32u);
  EXPECT_EQ(OFF(VfsdOps, lookup), 40u);
  EXPECT_EQ(OFF(VfsdOps, forget), 48u);
  EXPECT_EQ(OFF(VfsdOps, getattr), 56u);
  EXPECT_EQ(OFF(VfsdOps, read), 24u + 8u * 16);
  EXPECT_EQ(OFF(VfsdOps, read_iov), 24u + 8u * 17);
  EXPECT_EQ(OFF(VfsdOps, write), 24u + 8u * 18);
  EXPECT_EQ(OFF(VfsdOps, readdir), 24u + 8u * 23);
  EXPECT_EQ(OFF(VfsdOps, statfs), 24u + 8u * 26);
  EXPECT_EQ(OFF(VfsdOps, copy_file_range), 24u + 8u * 34);
  EXPECT_EQ(OFF(VfsdOps, poll), 24u + 8u * 40);
  EXPECT_EQ(sizeof(VfsdOps), 24u + 8u * 41);
}

TEST(Abi, OperationIdsFollowTheStruct) {
  // VfsdOpId n is the n-th operation after the header.
  EXPECT_EQ(VFSD_OP_INIT, 0);
  EXPECT_EQ(static_cast<size_t>(VFSD_OP_GETATTR), (OFF(VfsdOps, getattr) - 24) / 8);
  EXPECT_EQ(static_cast<size_t>(VFSD_OP_READDIR), (OFF(VfsdOps, readdir) - 24) / 8);
  EXPECT_EQ(static_cast<size_t>(VFSD_OP_POLL), (OFF(VfsdOps, poll) - 24) / 8);
  EXPECT_EQ(static_cast<size_t>(VFSD_OP_COUNT), (sizeof(VfsdOps) - 24) / 8);
}

TEST(Abi, DataStructuresStayPut) {
  EXPECT_EQ(sizeof(VfsdAttr), 88u);
  EXPECT_EQ(OFF(VfsdAttr, ino), 0u);
  EXPECT_EQ(OFF(VfsdAttr, size), 8u);
  EXPECT_EQ(OFF(VfsdAttr, mode), 32u);
  EXPECT_EQ(OFF(VfsdAttr, blksize), 48u);
  EXPECT_EQ(OFF(VfsdAttr, atime), 64u);
  EXPECT_EQ(OFF(VfsdAttr, ctime), 80u);
  EXPECT_EQ(sizeof(VfsdEntry), 32u + 88u);
  EXPECT_EQ(OFF(VfsdEntry, attr), 32u);
  EXPECT_EQ(OFF(VfsdEntry, attr_timeout), 24u);
  EXPECT_EQ(sizeof(VfsdCtx), 40u);
  EXPECT_EQ(OFF(VfsdCtx, groups), 24u);
  EXPECT_EQ(sizeof(VfsdOpenInfo), 16u);
  EXPECT_EQ(OFF(VfsdOpenInfo, fh), 8u);
  EXPECT_EQ(sizeof(VfsdStatfs), 64u);
  EXPECT_EQ(sizeof(VfsdInit), 48u);
  EXPECT_EQ(OFF(VfsdInit, mount), 40u);
  EXPECT_EQ(sizeof(VfsdModuleInfo), 40u);
  EXPECT_EQ(OFF(VfsdModuleInfo, create), 32u);
}

TEST(Abi, FlagValuesStayPut) {
  EXPECT_EQ(VFSD_THREAD_SERIALIZE_ALL, 0);
  EXPECT_EQ(VFSD_THREAD_SERIALIZE_PER_FILE, 1);
  EXPECT_EQ(VFSD_THREAD_PARALLEL, 2);
  EXPECT_EQ(VFSD_SET_SIZE, 1u << 3);
  EXPECT_EQ(VFSD_SET_CTIME, 1u << 10);
  EXPECT_EQ(VFSD_OPEN_KEEP_CACHE, 1u << 1);
  EXPECT_EQ(VFSD_CAP_ATOMIC_O_TRUNC, 1u << 6);
  EXPECT_EQ(VFSD_CAP_SOLE_WRITER, 1u << 7);
  EXPECT_EQ(VFSD_CAP_QUICK_CALLS, 1u << 8);
  EXPECT_EQ(VFSD_CAP_NO_OPEN, 1u << 9);
  EXPECT_EQ(VFSD_ROOT_INO, 1);
  EXPECT_EQ(VFSD_NO_FH, UINT64_MAX);
}
