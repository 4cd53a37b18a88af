// SPDX-License-Identifier: LGPL-2.1-or-later
// Unit tests of the RAM backend through its vtable, no mount: open files,
// reads and writes (copying and zero-copy), setattr, fallocate, SEEK_DATA /
// SEEK_HOLE, copy_file_range, extended attributes, statfs, the size limit,
// and concurrent callers.
#include "ram-unit.h"

#include <linux/falloc.h>
#include <sys/xattr.h>

#include <thread>

using namespace ramtest;

static const int64_t K = 1024;

// ---- open, read, write ----------------------------------------------------

TEST_F(RamTest, ReadWriteRoundTrip) {
  uint64_t fh = 0;
  VfsdEntry e{};
  ASSERT_EQ(create(VFSD_ROOT_INO, "f", 0644, O_CREAT | O_RDWR, &fh, &e), 0);
  uint64_t f = e.ino;
  EXPECT_EQ(pwrite(f, fh, "hello", 0), 5);
  EXPECT_EQ(pread(f, fh, 100, 0), "hello");
  EXPECT_EQ(pread(f, fh, 100, 5), "");
  EXPECT_EQ(pread(f, fh, 100, 1 << 30), "");
  // Across chunk boundaries, with a hole before.
  std::string big(200 * K, 'b');
  for (size_t k = 0; k < big.size(); k++) big[k] = static_cast<char>(k * 7);
  EXPECT_EQ(pwrite(f, fh, big, 100 * K), static_cast<ssize_t>(big.size()));
  EXPECT_EQ(attr(f).size, static_cast<uint64_t>(300 * K));
  std::string back = pread(f, fh, 400 * K, 0);
  ASSERT_EQ(back.size(), static_cast<size_t>(300 * K));
  EXPECT_EQ(back.substr(0, 5), "hello");
  EXPECT_EQ(back.substr(5, 100 * K - 5), std::string(100 * K - 5, '\0'));
  EXPECT_EQ(back.substr(100 * K), big);
  EXPECT_EQ(vfsd_call_write(b, &ctx, f, fh, "x", 1, INT64_MAX, 0), -EFBIG);
  EXPECT_EQ(vfsd_call_write(b, &ctx, f, fh, "x", 0, 5, 0), 0);
  close(f, fh);
  EXPECT_EQ(usage().handles_open, 0u);
}

// Pages come from a pool that reuses freed ones (ram-pages.c): a page
// given back dirty must read as zeros wherever the next file did not write.
TEST_F(RamTest, ReusedPagesReadAsZeros) {
  uint64_t fh = 0;
  VfsdEntry e{};
  ASSERT_EQ(create(VFSD_ROOT_INO, "dirty", 0644, O_CREAT | O_RDWR, &fh, &e), 0);
  uint64_t dirty = e.ino;
  EXPECT_EQ(pwrite(dirty, fh, std::string(4096 * K, '\xff'), 0),
            static_cast<ssize_t>(4096 * K));
  close(dirty, fh);
  ASSERT_EQ(vfsd_call_unlink(b, &ctx, VFSD_ROOT_INO, "dirty"), 0);
  vfsd_call_forget(b, dirty);  // its 1,024 pages go back to the pool
  for (int round = 0; round < 3; round++) {
    std::string name = "clean" + std::to_string(round);
    ASSERT_EQ(create(VFSD_ROOT_INO, name.c_str(), 0644, O_CREAT | O_RDWR, &fh, &e), 0);
    // A byte in the middle of a page, one in a later page, a hole between.
    EXPECT_EQ(pwrite(e.ino, fh, "a", 100), 1);
    EXPECT_EQ(pwrite(e.ino, fh, "b", 3 * 4096 + 5), 1);
    EXPECT_EQ(vfsd_call_fallocate(b, &ctx, e.ino, fh, 0, 8 * 4096, 4096), 0);
    std::string want(8 * 4096 + 4096, '\0');
    want[100] = 'a';
    want[3 * 4096 + 5] = 'b';
    EXPECT_EQ(pread(e.ino, fh, want.size() + 10, 0), want);
    close(e.ino, fh);
  }
  EXPECT_EQ(check(), 0);
}

TEST_F(RamTest, HandlesAreChecked) {
  uint64_t f = mkfile(VFSD_ROOT_INO, "f");
  uint64_t d = mkdir(VFSD_ROOT_INO, "d");
  uint64_t ro = 0, wo = 0;
  ASSERT_EQ(open(f, O_RDONLY, &ro), 0);
  ASSERT_EQ(open(f, O_WRONLY, &wo), 0);
  EXPECT_EQ(pwrite(f, ro, "x", 0), -EBADF);
  EXPECT_EQ(pwrite(f, wo, "x", 0), 1);
  EXPECT_EQ(pread(f, ro, 1, 0), "x");
  // Writeback may use any handle of the file.
  EXPECT_EQ(vfsd_call_write(b, &ctx, f, ro, "y", 1, 1, VFSD_WRITE_CACHE), 1);
  EXPECT_EQ(vfsd_call_write(b, &ctx, f, 12345, "z", 1, 0, 0), -EBADF);
  // Handle 0: a file the kernel opened without open() (VFSD_CAP_NO_OPEN);
  // it checked the access mode, and nothing is released for it.
  EXPECT_EQ(vfsd_call_write(b, &ctx, f, 0, "z", 1, 0, 0), 1);
  EXPECT_EQ(pread(f, 0, 1, 0), "z");
  EXPECT_EQ(vfsd_call_release(b, &ctx, f, 0, 0), -EBADF);
  EXPECT_EQ(vfsd_call_write(b, &ctx, 4711, wo, "z", 1, 0, 0), -ENOENT);
  EXPECT_EQ(vfsd_call_write(b, &ctx, d, wo, "z", 1, 0, 0), -EISDIR);
  EXPECT_EQ(pread(d, ro, 1, 0), "<-" + std::to_string(EISDIR) + ">");
  uint64_t fh = 0;
  EXPECT_EQ(open(d, O_RDONLY, &fh), -EISDIR);
  EXPECT_EQ(open(4711, O_RDONLY, &fh), -ENOENT);
  close(f, ro);
  close(f, wo);
  EXPECT_EQ(vfsd_call_release(b, &ctx, f, wo, 0), -EBADF);
}

TEST_F(RamTest, AppendAndTruncatingOpen) {
  uint64_t f = mkfile(VFSD_ROOT_INO, "f");
  put(f, "abc");
  uint64_t fh = 0;
  ASSERT_EQ(open(f, O_WRONLY | O_APPEND, &fh), 0);
  EXPECT_EQ(pwrite(f, fh, "def", 0), 3);  // appends whatever the offset
  close(f, fh);
  EXPECT_EQ(get(f), "abcdef");
  VfsdAttr a{};
  a.mtime = 1000;
  ASSERT_EQ(setattr(f, a, VFSD_SET_MTIME), 0);
  ASSERT_EQ(open(f, O_WRONLY | O_TRUNC, &fh), 0);
  close(f, fh);
  EXPECT_EQ(get(f), "");
  EXPECT_GT(attr(f).mtime, 1000);
  EXPECT_EQ(usage().bytes_used, 0u);
  // O_TRUNC by an unprivileged caller drops setuid, as truncate(2) would.
  a.mode = 06755;
  ASSERT_EQ(setattr(f, a, VFSD_SET_MODE), 0);
  ctx = make_ctx(1000, 1000);
  ASSERT_EQ(open(f, O_WRONLY | O_TRUNC, &fh), 0);
  close(f, fh);
  EXPECT_EQ(attr(f).mode, static_cast<uint32_t>(S_IFREG | 0755));
}

static void unpin(void *data) { ++*static_cast<int *>(data); }

TEST_F(RamTest, ZeroCopyRead) {
  uint64_t f = mkfile(VFSD_ROOT_INO, "f");
  std::string data(300 * K, 'q');
  put(f, data, 64 * K);  // [0, 64K) is a hole
  uint64_t fh = 0;
  ASSERT_EQ(open(f, O_RDONLY, &fh), 0);
  VfsdReadBuf *rb = vfsd_read_buf_new(0);
  ssize_t n = vfsd_call_read_iov(b, &ctx, f, fh, 1 << 20, 0, rb);
  ASSERT_EQ(n, 364 * K);
  EXPECT_GE(vfsd_read_buf_segments(rb), 6u);  // one per chunk: no copy
  std::string out(static_cast<size_t>(n), '?');
  EXPECT_EQ(vfsd_read_buf_copy_out(rb, &out[0], out.size()), out.size());
  EXPECT_EQ(out, std::string(64 * K, '\0') + data);
  // The file stays read-locked until the reply is "sent": a writer on
  // another thread waits for it.
  std::atomic<bool> wrote{false};
  std::thread w([&] {
    put(f, "Z", 64 * K);
    wrote = true;
  });
  g_usleep(50000);
  EXPECT_FALSE(wrote.load());
  vfsd_read_buf_free(rb);  // runs the on-sent callback
  w.join();
  EXPECT_TRUE(wrote.load());
  EXPECT_EQ(get(f, 1, 64 * K), "Z");
  rb = vfsd_read_buf_new(0);
  EXPECT_EQ(vfsd_call_read_iov(b, &ctx, f, fh, 10, 1 << 30, rb), 0);
  vfsd_read_buf_free(rb);
  close(f, fh);
  int calls = 0;
  rb = vfsd_read_buf_new(0);
  vfsd_read_buf_on_sent(rb, unpin, &calls);
  vfsd_read_buf_free(rb);
  EXPECT_EQ(calls, 1);
}

TEST_F(RamTest, SmallFilesCostPagesNotChunks) {
  uint64_t f = mkfile(VFSD_ROOT_INO, "f");
  put(f, "x");
  EXPECT_EQ(attr(f).blocks, 8u);  // one 4 KiB page, as tmpfs
  EXPECT_EQ(usage().bytes_used, 4096u);
  put(f, std::string(5000, 'y'));
  EXPECT_EQ(attr(f).blocks, 16u);
  // A write far away costs only its own page.
  put(f, "z", 10 * (1 << 20));
  EXPECT_EQ(usage().bytes_used, 3 * 4096u);
  EXPECT_EQ(attr(f).size, 10u * (1 << 20) + 1);
}

// ---- setattr --------------------------------------------------------------

TEST_F(RamTest, TruncateUpAndDown) {
  uint64_t f = mkfile(VFSD_ROOT_INO, "f");
  put(f, std::string(100 * K, 'a'));
  VfsdAttr a{}, out{};
  a.size = 10;
  ASSERT_EQ(setattr(f, a, VFSD_SET_SIZE, &out), 0);
  EXPECT_EQ(out.size, 10u);
  EXPECT_EQ(out.blocks, 8u);
  a.size = 200 * K;
  ASSERT_EQ(setattr(f, a, VFSD_SET_SIZE, &out), 0);
  std::string back = get(f);
  EXPECT_EQ(back, std::string(10, 'a') + std::string(200 * K - 10, '\0'));
  a.size = 0;
  ASSERT_EQ(setattr(f, a, VFSD_SET_SIZE), 0);
  EXPECT_EQ(usage().bytes_used, 0u);
  uint64_t d = mkdir(VFSD_ROOT_INO, "d");
  EXPECT_EQ(setattr(d, a, VFSD_SET_SIZE), -EISDIR);
  VfsdEntry e{};
  ASSERT_EQ(vfsd_call_symlink(b, &ctx, "t", VFSD_ROOT_INO, "l", &e), 0);
  EXPECT_EQ(setattr(e.ino, a, VFSD_SET_SIZE), -EINVAL);
  a.size = UINT64_MAX;
  EXPECT_EQ(setattr(f, a, VFSD_SET_SIZE), -EFBIG);
  EXPECT_EQ(setattr(4711, a, VFSD_SET_MODE), -ENOENT);
}

TEST_F(RamTest, ChmodChownAndPrivilegeBits) {
  uint64_t f = mkfile(VFSD_ROOT_INO, "f");
  VfsdAttr a{}, out{};
  a.uid = 1000;
  a.gid = 1000;
  ASSERT_EQ(setattr(f, a, VFSD_SET_UID | VFSD_SET_GID), 0);
  // A member of the group keeps setgid on chmod, others lose it.
  std::vector<uint32_t> groups = {1000};
  ctx = make_ctx(1000, 50, &groups);
  a.mode = 02755;
  ASSERT_EQ(setattr(f, a, VFSD_SET_MODE, &out), 0);
  EXPECT_EQ(out.mode, static_cast<uint32_t>(S_IFREG | 02755));
  std::vector<uint32_t> none;
  ctx = make_ctx(1000, 50, &none);
  ASSERT_EQ(setattr(f, a, VFSD_SET_MODE, &out), 0);
  EXPECT_EQ(out.mode, static_cast<uint32_t>(S_IFREG | 0755));
  // chown drops setuid, and setgid of a group-executable file.
  ctx = make_ctx();
  a.mode = 06755;
  ASSERT_EQ(setattr(f, a, VFSD_SET_MODE), 0);
  a.uid = 2000;
  ASSERT_EQ(setattr(f, a, VFSD_SET_UID, &out), 0);
  EXPECT_EQ(out.mode, static_cast<uint32_t>(S_IFREG | 0755));
  EXPECT_EQ(out.uid, 2000u);
  a.mode = 06745;  // setgid without group execute: kept by root's chown
  ASSERT_EQ(setattr(f, a, VFSD_SET_MODE), 0);
  ASSERT_EQ(setattr(f, a, VFSD_SET_GID, &out), 0);
  EXPECT_EQ(out.mode, static_cast<uint32_t>(S_IFREG | 02745));
  // The type bits never change.
  a.mode = S_IFDIR | 0600;
  ASSERT_EQ(setattr(f, a, VFSD_SET_MODE, &out), 0);
  EXPECT_EQ(out.mode, static_cast<uint32_t>(S_IFREG | 0600));
  a.mode = 04755;
  ASSERT_EQ(setattr(f, a, VFSD_SET_MODE), 0);
  ASSERT_EQ(setattr(f, a, VFSD_SET_KILL_SUID, &out), 0);
  EXPECT_EQ(out.mode, static_cast<uint32_t>(S_IFREG | 0755));
}

TEST_F(RamTest, Timestamps) {
  uint64_t f = mkfile(VFSD_ROOT_INO, "f");
  VfsdAttr a{}, out{};
  a.atime = 100;
  a.atime_nsec = 123456789;
  a.mtime = -5;  // before 1970
  a.mtime_nsec = 1;
  ASSERT_EQ(setattr(f, a, VFSD_SET_ATIME | VFSD_SET_MTIME, &out), 0);
  EXPECT_EQ(out.atime, 100);
  EXPECT_EQ(out.atime_nsec, 123456789u);
  EXPECT_EQ(out.mtime, -5);
  EXPECT_EQ(out.mtime_nsec, 1u);
  EXPECT_GT(out.ctime, 1000000000);  // any change sets ctime to now
  // UTIME_OMIT: a bit not set leaves the time alone.
  ASSERT_EQ(setattr(f, a, VFSD_SET_MTIME_NOW, &out), 0);
  EXPECT_EQ(out.atime, 100);
  EXPECT_GT(out.mtime, 1000000000);
  a.ctime = 7;
  a.ctime_nsec = 8;
  ASSERT_EQ(setattr(f, a, VFSD_SET_CTIME, &out), 0);
  EXPECT_EQ(out.ctime, 7);
  EXPECT_EQ(out.ctime_nsec, 8u);
  a.atime_nsec = 1000000000;
  EXPECT_EQ(setattr(f, a, VFSD_SET_ATIME), -EINVAL);
  // A read updates atime when it is older than the last change (relatime).
  put(f, "data");
  VfsdAttr before = attr(f);
  get(f);
  VfsdAttr after = attr(f);
  EXPECT_TRUE(after.atime > before.mtime ||
              (after.atime == before.mtime &&
               after.atime_nsec >= before.mtime_nsec));
  get(f);
  VfsdAttr again = attr(f);
  EXPECT_EQ(again.atime_nsec, after.atime_nsec);  // no update needed
}

// ---- fallocate, lseek, copy_file_range ------------------------------------

TEST_F(RamTest, Fallocate) {
  uint64_t fh = 0;
  VfsdEntry e{};
  ASSERT_EQ(create(VFSD_ROOT_INO, "f", 0644, O_CREAT | O_RDWR, &fh, &e), 0);
  uint64_t f = e.ino;
  ASSERT_EQ(vfsd_call_fallocate(b, &ctx, f, fh, 0, 0, 1 << 20), 0);
  EXPECT_EQ(attr(f).size, 1u << 20);
  EXPECT_EQ(attr(f).blocks, 2048u);
  int64_t at = -1;
  // Allocated but unwritten: a hole, as in tmpfs.
  EXPECT_EQ(vfsd_call_lseek(b, &ctx, f, fh, 0, SEEK_DATA, &at), -ENXIO);
  ASSERT_EQ(vfsd_call_fallocate(b, &ctx, f, fh, FALLOC_FL_KEEP_SIZE, 1 << 20,
                                1 << 20), 0);
  EXPECT_EQ(attr(f).size, 1u << 20);
  EXPECT_EQ(attr(f).blocks, 4096u);
  ASSERT_EQ(pwrite(f, fh, std::string(10000, 'd'), 0), 10000);
  ASSERT_EQ(vfsd_call_fallocate(b, &ctx, f, fh,
                                FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE,
                                4096, 4096), 0);
  std::string back = pread(f, fh, 10000, 0);
  EXPECT_EQ(back, std::string(4096, 'd') + std::string(4096, '\0') +
                      std::string(10000 - 8192, 'd'));
  EXPECT_EQ(vfsd_call_lseek(b, &ctx, f, fh, 0, SEEK_HOLE, &at), 0);
  EXPECT_EQ(at, 4096);
  EXPECT_EQ(vfsd_call_lseek(b, &ctx, f, fh, 4096, SEEK_DATA, &at), 0);
  EXPECT_EQ(at, 8192);
  ASSERT_EQ(vfsd_call_fallocate(b, &ctx, f, fh, FALLOC_FL_ZERO_RANGE, 100,
                                100), 0);
  EXPECT_EQ(pread(f, fh, 300, 0),
            std::string(100, 'd') + std::string(100, '\0') +
                std::string(100, 'd'));
  ASSERT_EQ(vfsd_call_fallocate(b, &ctx, f, fh, FALLOC_FL_ZERO_RANGE,
                                (3 << 20) - 10, 20), 0);
  EXPECT_EQ(attr(f).size, (3u << 20) + 10);
  // Truncating to the same size drops what lies past it.
  VfsdAttr a{};
  a.size = attr(f).size;
  ASSERT_EQ(setattr(f, a, VFSD_SET_SIZE), 0);
  EXPECT_EQ(vfsd_call_fallocate(b, &ctx, f, fh, FALLOC_FL_PUNCH_HOLE, 0, 1),
            -EOPNOTSUPP);
  EXPECT_EQ(vfsd_call_fallocate(b, &ctx, f, fh, FALLOC_FL_COLLAPSE_RANGE, 0,
                                4096), -EOPNOTSUPP);
  EXPECT_EQ(vfsd_call_fallocate(b, &ctx, f, fh, 0, 0, 0), -EINVAL);
  EXPECT_EQ(vfsd_call_fallocate(b, &ctx, f, fh, 0, INT64_MAX - 5, 10),
            -EFBIG);
  close(f, fh);
  ASSERT_EQ(open(f, O_RDONLY, &fh), 0);
  EXPECT_EQ(vfsd_call_fallocate(b, &ctx, f, fh, 0, 0, 10), -EBADF);
  close(f, fh);
}

TEST_F(RamTest, SeekDataAndHole) {
  uint64_t fh = 0;
  VfsdEntry e{};
  ASSERT_EQ(create(VFSD_ROOT_INO, "f", 0644, O_CREAT | O_RDWR, &fh, &e), 0);
  uint64_t f = e.ino;
  int64_t at = -1;
  EXPECT_EQ(vfsd_call_lseek(b, &ctx, f, fh, 0, SEEK_DATA, &at), -ENXIO);
  EXPECT_EQ(vfsd_call_lseek(b, &ctx, f, fh, 0, SEEK_HOLE, &at), -ENXIO);
  ASSERT_EQ(pwrite(f, fh, "x", 1 << 20), 1);
  ASSERT_EQ(pwrite(f, fh, std::string(20000, 'y'), 3 << 20), 20000);
  EXPECT_EQ(vfsd_call_lseek(b, &ctx, f, fh, 0, SEEK_HOLE, &at), 0);
  EXPECT_EQ(at, 0);
  EXPECT_EQ(vfsd_call_lseek(b, &ctx, f, fh, 0, SEEK_DATA, &at), 0);
  EXPECT_EQ(at, 1 << 20);
  EXPECT_EQ(vfsd_call_lseek(b, &ctx, f, fh, (1 << 20) + 1, SEEK_DATA, &at), 0);
  EXPECT_EQ(at, (1 << 20) + 1);  // inside a data page
  EXPECT_EQ(vfsd_call_lseek(b, &ctx, f, fh, 1 << 20, SEEK_HOLE, &at), 0);
  EXPECT_EQ(at, (1 << 20) + 4096);
  EXPECT_EQ(vfsd_call_lseek(b, &ctx, f, fh, (1 << 20) + 4096, SEEK_DATA, &at),
            0);
  EXPECT_EQ(at, 3 << 20);
  EXPECT_EQ(vfsd_call_lseek(b, &ctx, f, fh, 3 << 20, SEEK_HOLE, &at), 0);
  EXPECT_EQ(at, (3 << 20) + 20000);  // the end of file is a hole
  EXPECT_EQ(vfsd_call_lseek(b, &ctx, f, fh, (3 << 20) + 20000, SEEK_DATA, &at),
            -ENXIO);
  EXPECT_EQ(vfsd_call_lseek(b, &ctx, f, fh, 0, SEEK_SET, &at), -EINVAL);
  close(f, fh);
}

TEST_F(RamTest, CopyFileRange) {
  uint64_t fa = 0, fb = 0;
  VfsdEntry ea{}, eb{};
  ASSERT_EQ(create(VFSD_ROOT_INO, "a", 0644, O_CREAT | O_RDWR, &fa, &ea), 0);
  ASSERT_EQ(create(VFSD_ROOT_INO, "b", 0644, O_CREAT | O_RDWR, &fb, &eb), 0);
  std::string data(150 * K, 'a');
  for (size_t k = 0; k < data.size(); k++) data[k] = static_cast<char>(k % 251);
  ASSERT_EQ(pwrite(ea.ino, fa, data, 1 << 20), static_cast<ssize_t>(data.size()));
  ASSERT_EQ(pwrite(eb.ino, fb, std::string(3 << 20, 'B'), 0), 3 << 20);
  ssize_t n = vfsd_call_copy_file_range(b, &ctx, ea.ino, fa, 0, eb.ino, fb, 5,
                                        2 << 20, 0);
  ASSERT_EQ(n, (1 << 20) + 150 * K);
  std::string back = pread(eb.ino, fb, 2 << 20, 0);
  EXPECT_EQ(back.substr(0, 5), "BBBBB");
  EXPECT_EQ(back.substr(5, 1 << 20), std::string(1 << 20, '\0'));
  EXPECT_EQ(back.substr(5 + (1 << 20), data.size()), data);
  // The source's hole is a hole in the target (only edges stay data).
  int64_t at = 0;
  EXPECT_EQ(vfsd_call_lseek(b, &ctx, eb.ino, fb, 0, SEEK_HOLE, &at), 0);
  EXPECT_EQ(at, 4096);
  EXPECT_EQ(vfsd_call_copy_file_range(b, &ctx, ea.ino, fa, 10 << 20, eb.ino,
                                      fb, 0, 100, 0), 0);
  EXPECT_EQ(vfsd_call_copy_file_range(b, &ctx, ea.ino, fa, 0, ea.ino, fa, 100,
                                      200, 0), -EINVAL);  // overlap
  EXPECT_EQ(vfsd_call_copy_file_range(b, &ctx, ea.ino, fa, 1 << 20, ea.ino, fa,
                                      0, 100, 0), 100);  // same file, apart
  EXPECT_EQ(pread(ea.ino, fa, 100, 0), data.substr(0, 100));
  EXPECT_EQ(vfsd_call_copy_file_range(b, &ctx, ea.ino, fa, 0, eb.ino, fb, 0,
                                      10, 1), -EINVAL);
  uint64_t app = 0;
  ASSERT_EQ(open(eb.ino, O_WRONLY | O_APPEND, &app), 0);
  EXPECT_EQ(vfsd_call_copy_file_range(b, &ctx, ea.ino, fa, 0, eb.ino, app, 0,
                                      10, 0), -EBADF);
  close(eb.ino, app);
  close(ea.ino, fa);
  close(eb.ino, fb);
}

// ---- extended attributes --------------------------------------------------

TEST_F(RamTest, Xattrs) {
  uint64_t f = mkfile(VFSD_ROOT_INO, "f");
  char buf[128];
  EXPECT_EQ(vfsd_call_getxattr(b, &ctx, f, "user.a", buf, sizeof buf),
            -ENODATA);
  EXPECT_EQ(vfsd_call_listxattr(b, &ctx, f, buf, sizeof buf), 0);
  ASSERT_EQ(vfsd_call_setxattr(b, &ctx, f, "user.a", "one", 3, 0), 0);
  ASSERT_EQ(vfsd_call_setxattr(b, &ctx, f, "trusted.b", "", 0, 0), 0);
  ASSERT_EQ(vfsd_call_setxattr(b, &ctx, f, "security.c", "3", 1, 0), 0);
  EXPECT_EQ(vfsd_call_getxattr(b, &ctx, f, "user.a", nullptr, 0), 3);
  EXPECT_EQ(vfsd_call_getxattr(b, &ctx, f, "user.a", buf, 2), -ERANGE);
  ASSERT_EQ(vfsd_call_getxattr(b, &ctx, f, "user.a", buf, sizeof buf), 3);
  EXPECT_EQ(std::string(buf, 3), "one");
  EXPECT_EQ(vfsd_call_getxattr(b, &ctx, f, "trusted.b", buf, sizeof buf), 0);
  ssize_t n = vfsd_call_listxattr(b, &ctx, f, nullptr, 0);
  EXPECT_EQ(n, 7 + 10 + 11);
  EXPECT_EQ(vfsd_call_listxattr(b, &ctx, f, buf, 5), -ERANGE);
  ASSERT_EQ(vfsd_call_listxattr(b, &ctx, f, buf, sizeof buf), n);
  std::string list(buf, static_cast<size_t>(n));
  EXPECT_NE(list.find(std::string("user.a\0", 7)), std::string::npos);
  EXPECT_NE(list.find(std::string("trusted.b\0", 10)), std::string::npos);
  EXPECT_EQ(vfsd_call_setxattr(b, &ctx, f, "user.a", "x", 1, XATTR_CREATE),
            -EEXIST);
  EXPECT_EQ(vfsd_call_setxattr(b, &ctx, f, "user.z", "x", 1, XATTR_REPLACE),
            -ENODATA);
  ASSERT_EQ(vfsd_call_setxattr(b, &ctx, f, "user.a", "two!", 4, XATTR_REPLACE),
            0);
  ASSERT_EQ(vfsd_call_getxattr(b, &ctx, f, "user.a", buf, sizeof buf), 4);
  EXPECT_EQ(vfsd_call_setxattr(b, &ctx, f, "user.a", "x", 1, 0x100), -EINVAL);
  EXPECT_EQ(vfsd_call_setxattr(b, &ctx, f, "system.posix_acl_access", "x", 1,
                               0), -EOPNOTSUPP);
  EXPECT_EQ(vfsd_call_setxattr(b, &ctx, f, "other.x", "x", 1, 0), -EOPNOTSUPP);
  EXPECT_EQ(vfsd_call_setxattr(b, &ctx, f, "user.", "x", 1, 0), -EINVAL);
  std::string longname = "user." + std::string(251, 'n');
  EXPECT_EQ(vfsd_call_setxattr(b, &ctx, f, longname.c_str(), "x", 1, 0),
            -ERANGE);
  std::string big(65537, 'v');
  EXPECT_EQ(vfsd_call_setxattr(b, &ctx, f, "user.big", big.data(), big.size(),
                               0), -E2BIG);
  ASSERT_EQ(vfsd_call_setxattr(b, &ctx, f, "user.big", big.data(), 65536, 0),
            0);
  EXPECT_GE(usage().bytes_used, 65536u);
  EXPECT_EQ(vfsd_call_removexattr(b, &ctx, f, "user.big"), 0);
  EXPECT_EQ(vfsd_call_removexattr(b, &ctx, f, "user.big"), -ENODATA);
  EXPECT_LT(usage().bytes_used, 100u);
  // user.* only on files and directories.
  VfsdEntry e{};
  ASSERT_EQ(vfsd_call_symlink(b, &ctx, "t", VFSD_ROOT_INO, "l", &e), 0);
  EXPECT_EQ(vfsd_call_setxattr(b, &ctx, e.ino, "user.a", "x", 1, 0), -EPERM);
  EXPECT_EQ(vfsd_call_setxattr(b, &ctx, e.ino, "trusted.a", "x", 1, 0), 0);
  EXPECT_EQ(vfsd_call_getxattr(b, &ctx, 4711, "user.a", buf, 10), -ENOENT);
}

TEST_F(RamTest, XattrNamesFitOneListing) {
  uint64_t f = mkfile(VFSD_ROOT_INO, "f");
  int r = 0, k = 0;
  for (; k < 1000 && r == 0; k++) {
    std::string name = "user." + std::string(200, 'x') + std::to_string(k);
    r = vfsd_call_setxattr(b, &ctx, f, name.c_str(), "", 0, 0);
  }
  EXPECT_EQ(r, -ENOSPC);
  ssize_t n = vfsd_call_listxattr(b, &ctx, f, nullptr, 0);
  EXPECT_LE(n, 65536);
  EXPECT_GT(n, 65536 - 210);
}

TEST_F(RamTest, CapabilityQueryBeforeWrites) {
  uint64_t f = mkfile(VFSD_ROOT_INO, "f");
  uint64_t g = mkfile(VFSD_ROOT_INO, "g");
  char buf[64];
  EXPECT_EQ(vfsd_call_getxattr(b, &ctx, f, "security.capability", buf, 64),
            -ENODATA);
  EXPECT_EQ(vfsd_call_getxattr(b, &ctx, 4711, "security.capability", buf, 64),
            -ENOENT);
  ASSERT_EQ(vfsd_call_setxattr(b, &ctx, g, "security.capability", "cap", 3, 0),
            0);
  EXPECT_EQ(vfsd_call_getxattr(b, &ctx, g, "security.capability", buf, 64), 3);
  EXPECT_EQ(vfsd_call_getxattr(b, &ctx, f, "security.capability", buf, 64),
            -ENODATA);
  ASSERT_EQ(vfsd_call_unlink(b, &ctx, VFSD_ROOT_INO, "g"), 0);
  vfsd_call_forget(b, g);
  EXPECT_EQ(vfsd_call_getxattr(b, &ctx, f, "security.capability", buf, 64),
            -ENODATA);
}

// ---- space ------------------------------------------------------------------

class RamSmall : public RamTest {
  const char *options() override { return "size=1M"; }
};

TEST_F(RamSmall, FullKeepsExistingData) {
  uint64_t f = mkfile(VFSD_ROOT_INO, "f");
  uint64_t g = mkfile(VFSD_ROOT_INO, "g");
  put(f, std::string(512 * K, 'f'));
  uint64_t fh = 0;
  ASSERT_EQ(open(g, O_RDWR, &fh), 0);
  // A write larger than what is left is short; the next one fails.
  ssize_t n = pwrite(g, fh, std::string(1 << 20, 'g'), 0);
  EXPECT_EQ(n, 512 * K);
  EXPECT_EQ(pwrite(g, fh, "more", n), -ENOSPC);
  EXPECT_EQ(pwrite(f, fh, "x", 600 * K), -ENOSPC);
  EXPECT_EQ(vfsd_call_fallocate(b, &ctx, g, fh, 0, 0, 2 << 20), -ENOSPC);
  EXPECT_EQ(attr(g).size, static_cast<uint64_t>(n));  // nothing allocated
  EXPECT_EQ(vfsd_call_setxattr(b, &ctx, g, "user.x", "v", 1, 0), -ENOSPC);
  EXPECT_EQ(get(f), std::string(512 * K, 'f'));
  EXPECT_EQ(pread(g, fh, 1 << 20, 0), std::string(512 * K, 'g'));
  VfsdStatfs s{};
  ASSERT_EQ(vfsd_call_statfs(b, &ctx, VFSD_ROOT_INO, &s), 0);
  EXPECT_EQ(s.blocks, 256u);
  EXPECT_EQ(s.bfree, 0u);
  EXPECT_EQ(s.bsize, 4096u);
  EXPECT_EQ(s.namemax, 255u);
  // Punching a hole makes room again.
  ASSERT_EQ(vfsd_call_fallocate(b, &ctx, g, fh,
                                FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0,
                                64 * K), 0);
  ASSERT_EQ(vfsd_call_statfs(b, &ctx, VFSD_ROOT_INO, &s), 0);
  EXPECT_EQ(s.bfree, 16u);
  EXPECT_EQ(pwrite(g, fh, "more", n), 4);
  close(g, fh);
}

// ---- concurrency ------------------------------------------------------------

// Threads working in their own directories and on one shared file, while
// another renames between directories: afterwards everything adds up.
TEST_F(RamTest, ConcurrentCallers) {
  const int threads = 4, rounds = 300;
  uint64_t shared = mkfile(VFSD_ROOT_INO, "shared");
  std::vector<uint64_t> dirs;
  for (int t = 0; t < threads; t++)
    dirs.push_back(mkdir(VFSD_ROOT_INO, ("d" + std::to_string(t)).c_str()));
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; t++)
    pool.emplace_back([&, t] {
      VfsdCtx c = make_ctx();
      uint64_t fh = 0;
      VfsdOpenInfo oi{};
      oi.flags = O_RDWR;
      ASSERT_EQ(vfsd_call_open(b, &c, shared, &oi), 0);
      fh = oi.fh;
      for (int r = 0; r < rounds; r++) {
        std::string name = "f" + std::to_string(r % 7);
        VfsdEntry e{};
        VfsdOpenInfo o{};
        o.flags = O_RDWR | O_CREAT;
        if (vfsd_call_create(b, &c, dirs[t], name.c_str(), S_IFREG | 0644, &o,
                             &e) == 0) {
          vfsd_call_write(b, &c, e.ino, o.fh, name.data(), name.size(), r, 0);
          vfsd_call_release(b, &c, e.ino, o.fh, 0);
          vfsd_call_forget(b, e.ino);
        }
        std::string block(4096, static_cast<char>('a' + t));
        EXPECT_EQ(vfsd_call_write(b, &c, shared, fh, block.data(), 4096,
                                  4096 * (r % 16), 0), 4096);
        char buf[4096];
        EXPECT_EQ(vfsd_call_read(b, &c, shared, fh, buf, 4096, 0), 4096);
        int u = (t + 1) % threads;
        vfsd_call_rename(b, &c, dirs[t], name.c_str(), dirs[u],
                         ("m" + std::to_string(r % 5)).c_str(), 0);
        vfsd_call_unlink(b, &c, dirs[u], ("m" + std::to_string(r % 3)).c_str());
        if (r % 50 == 0)
          vfsd_call_rename(b, &c, VFSD_ROOT_INO, ("d" + std::to_string(t)).c_str(),
                           dirs[u], "moved", RENAME_NOREPLACE);
      }
      vfsd_call_release(b, &c, shared, fh, 0);
    });
  for (auto &th : pool) th.join();
  EXPECT_EQ(attr(shared).size, 16u * 4096);
  EXPECT_EQ(usage().handles_open, 0u);
}
