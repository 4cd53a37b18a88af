// SPDX-License-Identifier: LGPL-2.1-or-later
// Where the data is: sparse files and SEEK_DATA/SEEK_HOLE, fallocate modes,
// copy_file_range.
#include "conformance.h"

#include <fcntl.h>
#include <linux/falloc.h>
#include <unistd.h>

using namespace conf;

static const off_t K = 1024, M = 1024 * 1024;

static bool all_zero(const std::string &s) {
  return s.find_first_not_of('\0') == std::string::npos;
}

// ---- SEEK_DATA / SEEK_HOLE ---------------------------------------------------

CHECK(sparse, seek_full_file, "a file without holes: data up to the end, the hole at the end") {
  put("f", pattern(10000));
  int fd = T_SYS(open("f", O_RDONLY));
  T_EQ(lseek(fd, 0, SEEK_DATA), (off_t)0);
  T_EQ(lseek(fd, 5000, SEEK_DATA), (off_t)5000);
  T_EQ(lseek(fd, 0, SEEK_HOLE), (off_t)10000);
  T_EQ(lseek(fd, 9999, SEEK_HOLE), (off_t)10000);
  T_ERRNO(lseek(fd, 10000, SEEK_DATA), ENXIO);
  T_ERRNO(lseek(fd, 10000, SEEK_HOLE), ENXIO);
  T_ERRNO(lseek(fd, 20000, SEEK_DATA), ENXIO);
  T_ERRNO(lseek(fd, -1, SEEK_DATA), ENXIO, EINVAL);
  close(fd);
}

CHECK(sparse, seek_empty_file, "an empty file has neither data nor hole to seek to") {
  put("f", "");
  int fd = T_SYS(open("f", O_RDONLY));
  T_ERRNO(lseek(fd, 0, SEEK_DATA), ENXIO);
  T_ERRNO(lseek(fd, 0, SEEK_HOLE), ENXIO);
  close(fd);
}

CHECK(sparse, seek_finds_hole, "SEEK_HOLE and SEEK_DATA find a hole between two writes") {
  int fd = T_SYS(open("f", O_RDWR | O_CREAT, 0644));
  write_fd_at(fd, pattern(4096, 1), 0);
  write_fd_at(fd, pattern(4096, 2), M);
  off_t hole = lseek(fd, 0, SEEK_HOLE);
  T_GE(hole, (off_t)4096);
  T_LT(hole, M);
  off_t data = lseek(fd, hole, SEEK_DATA);
  T_GT(data, hole);
  T_LE(data, M);
  T_TRUE(all_zero(read_fd_at(fd, (size_t)(data - hole), hole)));
  T_EQ(lseek(fd, M, SEEK_DATA), M);
  T_EQ(lseek(fd, M, SEEK_HOLE), M + 4096);
  T_EQ(lseek(fd, M + 100, SEEK_DATA), M + 100);
  close(fd);
}

CHECK(sparse, seek_leading_hole, "a file that starts with a hole: SEEK_DATA skips it") {
  int fd = T_SYS(open("f", O_RDWR | O_CREAT, 0644));
  write_fd_at(fd, "data", 2 * M);
  T_EQ(lseek(fd, 0, SEEK_HOLE), (off_t)0);
  off_t data = lseek(fd, 0, SEEK_DATA);
  T_GT(data, (off_t)0);
  T_LE(data, 2 * M);
  T_TRUE(all_zero(read_fd_at(fd, (size_t)data, 0)));
  close(fd);
}

CHECK(sparse, seek_trailing_hole, "past the last data of a file extended by truncate: no data (ENXIO)") {
  int fd = T_SYS(open("f", O_RDWR | O_CREAT, 0644));
  write_fd_at(fd, pattern(4096), 0);
  T_SYS(ftruncate(fd, 4 * M));
  off_t hole = lseek(fd, 0, SEEK_HOLE);
  T_GE(hole, (off_t)4096);
  T_LT(hole, 4 * M);
  T_ERRNO(lseek(fd, 2 * M, SEEK_DATA), ENXIO);
  T_EQ(lseek(fd, 2 * M, SEEK_HOLE), 2 * M);
  close(fd);
}

CHECK(sparse, holes_take_no_space, "a 4 GiB sparse file with one small write takes little space") {
  int fd = T_SYS(open("f", O_RDWR | O_CREAT, 0644));
  T_SYS(ftruncate(fd, 4096 * M));
  T_LE((long long)fst(fd).st_blocks * 512, (long long)(64 * K));
  write_fd_at(fd, "x", 2048 * M);
  T_LE((long long)fst(fd).st_blocks * 512, (long long)(2 * M));
  T_EQ(read_fd_at(fd, 1, 2048 * M), std::string("x"));
  T_TRUE(all_zero(read_fd_at(fd, 65536, 1024 * M)));
  close(fd);
}

// ---- fallocate ---------------------------------------------------------------

CHECK(fallocate, allocate_extends, "fallocate mode 0 extends the file with zeros that take space") {
  int fd = T_SYS(open("f", O_RDWR | O_CREAT, 0644));
  T_FEATURE(fallocate(fd, 0, 0, M), "fallocate");
  T_EQ(fst(fd).st_size, M);
  T_GE((long long)fst(fd).st_blocks * 512, (long long)M);
  T_TRUE(all_zero(read_fd_at(fd, (size_t)M, 0)));
  close(fd);
}

CHECK(fallocate, allocate_keeps_data, "fallocate over existing data leaves it unchanged") {
  std::string d = pattern(100000);
  put("f", d);
  int fd = T_SYS(open("f", O_RDWR));
  T_FEATURE(fallocate(fd, 0, 5000, 200000), "fallocate");
  T_EQ(fst(fd).st_size, (off_t)205000);
  T_EQ(read_fd_at(fd, d.size(), 0), d);
  T_TRUE(all_zero(read_fd_at(fd, 105000, 100000)));
  close(fd);
}

CHECK(fallocate, keep_size, "FALLOC_FL_KEEP_SIZE allocates past the end without growing the file") {
  put("f", "abc");
  int fd = T_SYS(open("f", O_RDWR));
  T_FEATURE(fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, M), "fallocate KEEP_SIZE");
  T_EQ(fst(fd).st_size, (off_t)3);
  T_GE((long long)fst(fd).st_blocks * 512, (long long)M);
  T_EQ(read_fd_at(fd, 100, 0), std::string("abc"));
  // Writing later within the allocated range works as usual.
  write_fd_at(fd, "z", 500000);
  T_EQ(fst(fd).st_size, (off_t)500001);
  close(fd);
}

CHECK(fallocate, punch_hole, "PUNCH_HOLE zeroes a range, frees its space and keeps the size") {
  std::string d = pattern(256 * 1024);
  put("f", d);
  int fd = T_SYS(open("f", O_RDWR));
  blkcnt_t before = fst(fd).st_blocks;
  T_FEATURE(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 64 * K, 128 * K),
            "PUNCH_HOLE");
  T_EQ(fst(fd).st_size, (off_t)d.size());
  T_LT(fst(fd).st_blocks, before);
  std::string r = read_fd_at(fd, d.size(), 0);
  T_EQ(r.substr(0, 64 * K), d.substr(0, 64 * K));
  T_TRUE(all_zero(r.substr(64 * K, 128 * K)));
  T_EQ(r.substr(192 * K), d.substr(192 * K));
  off_t hole = lseek(fd, 0, SEEK_HOLE);
  T_EQ(hole, 64 * K);
  T_EQ(lseek(fd, hole, SEEK_DATA), 192 * K);
  close(fd);
}

CHECK(fallocate, punch_unaligned, "PUNCH_HOLE of an unaligned range zeroes exactly that range") {
  std::string d = pattern(20000);
  put("f", d);
  int fd = T_SYS(open("f", O_RDWR));
  T_FEATURE(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 100, 9000), "PUNCH_HOLE");
  std::string want = d;
  want.replace(100, 9000, std::string(9000, '\0'));
  T_EQ(read_fd_at(fd, 30000, 0), want);
  // Past the end: nothing changes.
  T_SYS(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 19000, 100000));
  T_EQ(fst(fd).st_size, (off_t)20000);
  want.replace(19000, 1000, std::string(1000, '\0'));
  T_EQ(read_fd_at(fd, 30000, 0), want);
  close(fd);
}

CHECK(fallocate, punch_needs_keep_size, "PUNCH_HOLE without KEEP_SIZE is EOPNOTSUPP") {
  put("f", pattern(10000));
  int fd = T_SYS(open("f", O_RDWR));
  T_ERRNO(fallocate(fd, FALLOC_FL_PUNCH_HOLE, 0, 100), EOPNOTSUPP);
  close(fd);
}

CHECK(fallocate, zero_range, "ZERO_RANGE zeroes a range and may extend the file") {
  std::string d = pattern(50000);
  put("f", d);
  int fd = T_SYS(open("f", O_RDWR));
  T_FEATURE(fallocate(fd, FALLOC_FL_ZERO_RANGE, 1000, 2000), "ZERO_RANGE");
  std::string want = d;
  want.replace(1000, 2000, std::string(2000, '\0'));
  T_EQ(read_fd_at(fd, 60000, 0), want);
  T_SYS(fallocate(fd, FALLOC_FL_ZERO_RANGE, 45000, 10000));
  T_EQ(fst(fd).st_size, (off_t)55000);
  T_TRUE(all_zero(read_fd_at(fd, 10000, 45000)));
  T_SYS(fallocate(fd, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, 54000, 10000));
  T_EQ(fst(fd).st_size, (off_t)55000);
  close(fd);
}

CHECK(fallocate, collapse_and_insert, "COLLAPSE_RANGE and INSERT_RANGE shift data by blocks") {
  std::string d = pattern(64 * K);
  put("f", d);
  int fd = T_SYS(open("f", O_RDWR));
  T_FEATURE(fallocate(fd, FALLOC_FL_COLLAPSE_RANGE, 8 * K, 8 * K), "COLLAPSE_RANGE");
  T_EQ(fst(fd).st_size, 56 * K);
  T_EQ(read_fd_at(fd, 64 * K, 0), d.substr(0, 8 * K) + d.substr(16 * K));
  T_FEATURE(fallocate(fd, FALLOC_FL_INSERT_RANGE, 8 * K, 8 * K), "INSERT_RANGE");
  T_EQ(fst(fd).st_size, 64 * K);
  T_TRUE(all_zero(read_fd_at(fd, 8 * K, 8 * K)));
  close(fd);
}

CHECK(fallocate, invalid_arguments, "fallocate: EINVAL for bad ranges, EBADF when not writable") {
  put("f", "abc");
  int fd = T_SYS(open("f", O_RDWR));
  T_ERRNO(fallocate(fd, 0, 0, 0), EINVAL);
  T_ERRNO(fallocate(fd, 0, -1, 10), EINVAL);
  T_ERRNO(fallocate(fd, 0, 0, -10), EINVAL);
  T_ERRNO(fallocate(fd, 0x4000, 0, 10), EOPNOTSUPP, EINVAL);
  close(fd);
  fd = T_SYS(open("f", O_RDONLY));
  T_ERRNO(fallocate(fd, 0, 0, 10), EBADF);
  close(fd);
  T_EQ(get("f"), std::string("abc"));
}

// ---- copy_file_range -----------------------------------------------------------

CHECK(copy_range, basic, "copy_file_range copies and advances both offsets") {
  std::string d = pattern(300000);
  put("src", d);
  int in = T_SYS(open("src", O_RDONLY)), out = T_SYS(open("dst", O_WRONLY | O_CREAT, 0644));
  size_t done = 0;
  while (done < d.size()) {
    ssize_t n = T_FEATURE(copy_file_range(in, nullptr, out, nullptr, d.size() - done, 0),
                          "copy_file_range");
    if (n == 0) break;
    done += (size_t)n;
  }
  T_EQ(done, d.size());
  T_EQ(lseek(in, 0, SEEK_CUR), (off_t)d.size());
  T_EQ(lseek(out, 0, SEEK_CUR), (off_t)d.size());
  close(in);
  close(out);
  T_EQ(get("dst"), d);
}

CHECK(copy_range, explicit_offsets, "with offsets given, copy_file_range updates them, not the files'") {
  std::string d = pattern(10000);
  put("src", d);
  put("dst", std::string(100, 'x'));
  int in = T_SYS(open("src", O_RDONLY)), out = T_SYS(open("dst", O_RDWR));
  loff_t oi = 1000, oo = 50;
  ssize_t n = T_FEATURE(copy_file_range(in, &oi, out, &oo, 3000, 0), "copy_file_range");
  T_EQ(n, 3000);
  T_EQ(oi, (loff_t)4000);
  T_EQ(oo, (loff_t)3050);
  T_EQ(lseek(in, 0, SEEK_CUR), (off_t)0);
  T_EQ(lseek(out, 0, SEEK_CUR), (off_t)0);
  T_EQ(read_fd_at(out, 5000, 0), std::string(50, 'x') + d.substr(1000, 3000));
  close(in);
  close(out);
}

CHECK(copy_range, past_source_end, "copying from at or past the source's end copies nothing") {
  put("src", "abc");
  put("dst", "");
  int in = T_SYS(open("src", O_RDONLY)), out = T_SYS(open("dst", O_WRONLY));
  loff_t oi = 3, oo = 0;
  T_EQ(T_FEATURE(copy_file_range(in, &oi, out, &oo, 100, 0), "copy_file_range"), 0);
  oi = 1000;
  T_EQ(T_SYS(copy_file_range(in, &oi, out, &oo, 100, 0)), 0);
  oi = 1;
  T_EQ(T_SYS(copy_file_range(in, &oi, out, &oo, 100, 0)), 2);
  close(in);
  close(out);
  T_EQ(get("dst"), std::string("bc"));
}

CHECK(copy_range, extends_destination, "copying past the destination's end leaves zeros between") {
  put("src", "DATA");
  put("dst", "ab");
  int in = T_SYS(open("src", O_RDONLY)), out = T_SYS(open("dst", O_WRONLY));
  loff_t oi = 0, oo = 100000;
  T_EQ(T_FEATURE(copy_file_range(in, &oi, out, &oo, 4, 0), "copy_file_range"), 4);
  close(in);
  close(out);
  T_EQ(get("dst"), "ab" + std::string(99998, '\0') + "DATA");
}

CHECK(copy_range, same_file, "within one file: distinct ranges copy, overlapping ones are EINVAL") {
  std::string d = pattern(20000);
  put("f", d);
  int fd = T_SYS(open("f", O_RDWR));
  loff_t a = 0, b = 10000;
  T_EQ(T_FEATURE(copy_file_range(fd, &a, fd, &b, 5000, 0), "copy_file_range"), 5000);
  std::string want = d;
  want.replace(10000, 5000, d.substr(0, 5000));
  T_EQ(read_fd_at(fd, 20000, 0), want);
  a = 0;
  b = 100;
  T_ERRNO(copy_file_range(fd, &a, fd, &b, 5000, 0), EINVAL);
  close(fd);
}

CHECK(copy_range, bad_descriptors, "copy_file_range: EBADF for wrong modes, EISDIR, EINVAL for flags") {
  put("src", "abc");
  put("dst", "");
  mk("d");
  int in = T_SYS(open("src", O_RDONLY)), app = T_SYS(open("dst", O_WRONLY | O_APPEND));
  int wo = T_SYS(open("src", O_WRONLY)), dir = T_SYS(open("d", O_RDONLY));
  int out = T_SYS(open("dst", O_WRONLY));
  T_ERRNO(copy_file_range(in, nullptr, app, nullptr, 3, 0), EBADF);
  T_ERRNO(copy_file_range(wo, nullptr, out, nullptr, 3, 0), EBADF);
  T_ERRNO(copy_file_range(dir, nullptr, out, nullptr, 3, 0), EISDIR, EBADF, EINVAL);
  T_ERRNO(copy_file_range(in, nullptr, out, nullptr, 3, 1), EINVAL);
  close(in);
  close(app);
  close(wo);
  close(dir);
  close(out);
  T_EQ(get("dst"), std::string());
}

CHECK(copy_range, sparse_source, "copying a hole gives zeros") {
  int fd = T_SYS(open("src", O_RDWR | O_CREAT, 0644));
  write_fd_at(fd, "head", 0);
  write_fd_at(fd, "tail", 2 * M);
  close(fd);
  int in = T_SYS(open("src", O_RDONLY)), out = T_SYS(open("dst", O_WRONLY | O_CREAT, 0644));
  size_t done = 0;
  while (done < 2 * M + 4) {
    ssize_t n = T_FEATURE(copy_file_range(in, nullptr, out, nullptr, 2 * M + 4 - done, 0),
                          "copy_file_range");
    if (n == 0) break;
    done += (size_t)n;
  }
  close(in);
  close(out);
  std::string r = get("dst");
  T_EQ(r.size(), (size_t)(2 * M + 4));
  T_EQ(r.substr(0, 4), std::string("head"));
  T_EQ(r.substr(2 * M), std::string("tail"));
  T_TRUE(all_zero(r.substr(4, 2 * M - 4)));
}

CHECK(copy_range, across_directories, "copy_file_range between files in different directories") {
  mk("a");
  mk("b");
  std::string d = pattern(70000);
  put("a/src", d);
  int in = T_SYS(open("a/src", O_RDONLY)), out = T_SYS(open("b/dst", O_WRONLY | O_CREAT, 0644));
  loff_t oi = 0, oo = 0;
  size_t done = 0;
  while (done < d.size()) {
    ssize_t n = T_FEATURE(copy_file_range(in, &oi, out, &oo, d.size() - done, 0),
                          "copy_file_range");
    if (n == 0) break;
    done += (size_t)n;
  }
  close(in);
  close(out);
  T_EQ(get("b/dst"), d);
}
