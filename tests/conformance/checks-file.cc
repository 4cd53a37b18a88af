// SPDX-License-Identifier: LGPL-2.1-or-later
// Regular files: create, read, write, append, truncate, offsets, open flags.
#include "conformance.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <cstring>

extern char **environ;

using namespace conf;

CHECK(file, create_write_read, "a new file holds what was written") {
  std::string d = pattern(300000);
  int fd = T_SYS(open("f", O_RDWR | O_CREAT | O_EXCL, 0644));
  write_fd_at(fd, d, 0);
  T_EQ(fst(fd).st_size, (off_t)d.size());
  T_EQ(read_fd_at(fd, d.size(), 0), d);
  T_SYS(close(fd));
  T_EQ(get("f"), d);
  struct stat s = st("f");
  T_TRUE(S_ISREG(s.st_mode));
  T_EQ(s.st_mode & 07777, 0644u);
  T_EQ(s.st_nlink, 1u);
  T_EQ(s.st_uid, geteuid());
  T_EQ(s.st_gid, getegid());
  T_GE((long long)s.st_blocks * 512, (long long)d.size());
}

CHECK(file, create_applies_umask, "create applies the umask to the mode") {
  umask(027);
  int fd = T_SYS(open("f", O_WRONLY | O_CREAT, 0777));
  close(fd);
  umask(0);
  fd = T_SYS(open("g", O_WRONLY | O_CREAT, 0666));
  close(fd);
  umask(022);
  T_EQ(st("f").st_mode & 07777, 0750u);
  T_EQ(st("g").st_mode & 07777, 0666u);
}

CHECK(file, append_writes_at_end, "O_APPEND writes at the end whatever the offset") {
  put("f", "abc");
  int fd = T_SYS(open("f", O_RDWR | O_APPEND));
  T_SYS(lseek(fd, 0, SEEK_SET));
  T_EQ(T_SYS(write(fd, "de", 2)), 2);
  T_EQ(lseek(fd, 0, SEEK_CUR), (off_t)5);
  T_SYS(lseek(fd, 1, SEEK_SET));
  T_EQ(T_SYS(write(fd, "f", 1)), 1);
  close(fd);
  T_EQ(get("f"), std::string("abcdef"));
}

CHECK(file, append_two_descriptors, "two O_APPEND descriptors never overwrite each other") {
  put("f", "");
  int a = T_SYS(open("f", O_WRONLY | O_APPEND));
  int b = T_SYS(open("f", O_WRONLY | O_APPEND));
  std::string want;
  for (int i = 0; i < 50; i++) {
    std::string x = "a" + std::to_string(i) + ";", y = "b" + std::to_string(i) + ";";
    T_SYS(write(a, x.data(), x.size()));
    T_SYS(write(b, y.data(), y.size()));
    want += x + y;
  }
  close(a);
  close(b);
  T_EQ(get("f"), want);
}

CHECK(file, pwrite_with_append, "pwrite on an O_APPEND descriptor appends (Linux)") {
  put("f", "abc");
  int fd = T_SYS(open("f", O_WRONLY | O_APPEND));
  T_EQ(T_SYS(pwrite(fd, "XY", 2, 0)), 2);
  close(fd);
  T_EQ(get("f"), std::string("abcXY"));
}

CHECK(file, o_trunc_empties, "O_TRUNC empties a file and updates mtime and ctime") {
  put("f", pattern(10000));
  struct timespec old[2] = {{1000000000, 0}, {1000000000, 0}};
  T_SYS(utimensat(AT_FDCWD, "f", old, 0));
  struct stat before = st("f");
  tick();
  int fd = T_SYS(open("f", O_WRONLY | O_TRUNC));
  struct stat s = fst(fd);
  close(fd);
  T_EQ(s.st_size, (off_t)0);
  T_EQ(st("f").st_size, (off_t)0);
  T_TS_GT(s.st_mtim, before.st_mtim);
  T_TS_GT(s.st_ctim, before.st_ctim);
  T_EQ(get("f"), std::string());
}

CHECK(file, o_trunc_empty_file_updates_times, "O_TRUNC of an empty file still updates mtime and ctime") {
  put("f", "");
  struct timespec old[2] = {{1000000000, 0}, {1000000000, 0}};
  T_SYS(utimensat(AT_FDCWD, "f", old, 0));
  struct stat before = st("f");
  tick();
  int fd = T_SYS(open("f", O_WRONLY | O_TRUNC));
  close(fd);
  struct stat s = st("f");
  T_TS_GT(s.st_mtim, before.st_mtim);
  T_TS_GT(s.st_ctim, before.st_ctim);
}

CHECK(file, ftruncate_shrink_and_grow, "ftruncate down drops data; growing again reads zeros") {
  std::string d = pattern(20000);
  put("f", d);
  int fd = T_SYS(open("f", O_RDWR));
  T_SYS(ftruncate(fd, 5000));
  T_EQ(fst(fd).st_size, (off_t)5000);
  T_EQ(read_fd_at(fd, 20000, 0), d.substr(0, 5000));
  T_SYS(ftruncate(fd, 12000));
  T_EQ(fst(fd).st_size, (off_t)12000);
  T_EQ(read_fd_at(fd, 20000, 0), d.substr(0, 5000) + std::string(7000, '\0'));
  close(fd);
}

CHECK(file, ftruncate_within_page, "truncating mid-page zeroes the tail of that page") {
  std::string d(4096, 'x');
  put("f", d);
  T_SYS(truncate("f", 100));
  T_SYS(truncate("f", 4096));
  T_EQ(get("f"), std::string(100, 'x') + std::string(3996, '\0'));
}

CHECK(file, ftruncate_grow_sparse, "ftruncate up makes a file of zeros") {
  int fd = T_SYS(open("f", O_RDWR | O_CREAT, 0644));
  T_SYS(ftruncate(fd, 1 << 20));
  T_EQ(fst(fd).st_size, (off_t)(1 << 20));
  std::string r = read_fd_at(fd, 1 << 20, 0);
  T_EQ(r.size(), (size_t)(1 << 20));
  T_TRUE(r == std::string(1 << 20, '\0'));
  close(fd);
}

CHECK(file, truncate_by_path, "truncate(2) by name changes the size") {
  put("f", pattern(5000));
  T_SYS(truncate("f", 3));
  T_EQ(st("f").st_size, (off_t)3);
  T_SYS(truncate("f", 7000));
  T_EQ(st("f").st_size, (off_t)7000);
}

CHECK(file, truncate_errors, "truncate: EINVAL, EISDIR, ENOENT, and a read-only descriptor") {
  put("f", "abc");
  mk("d");
  T_ERRNO(truncate("f", -1), EINVAL);
  T_ERRNO(truncate("d", 0), EISDIR);
  T_ERRNO(truncate("missing", 0), ENOENT);
  int fd = T_SYS(open("f", O_RDONLY));
  T_ERRNO(ftruncate(fd, 0), EINVAL, EBADF);
  close(fd);
  T_EQ(get("f"), std::string("abc"));
}

CHECK(file, pread_pwrite_keep_offset, "pread and pwrite neither use nor move the offset") {
  int fd = T_SYS(open("f", O_RDWR | O_CREAT, 0644));
  T_SYS(write(fd, "0123456789", 10));
  T_SYS(lseek(fd, 2, SEEK_SET));
  T_EQ(T_SYS(pwrite(fd, "AB", 2, 6)), 2);
  char b[4] = {};
  T_EQ(T_SYS(pread(fd, b, 3, 5)), 3);
  T_EQ(std::string(b, 3), std::string("5AB"));
  T_EQ(lseek(fd, 0, SEEK_CUR), (off_t)2);
  T_EQ(T_SYS(read(fd, b, 2)), 2);
  T_EQ(std::string(b, 2), std::string("23"));
  close(fd);
}

CHECK(file, read_at_and_past_eof, "reads at or past the end return 0") {
  put("f", "abc");
  int fd = T_SYS(open("f", O_RDONLY));
  char b[8];
  T_EQ(T_SYS(pread(fd, b, 8, 3)), 0);
  T_EQ(T_SYS(pread(fd, b, 8, 1000000)), 0);
  T_EQ(T_SYS(pread(fd, b, 8, 1)), 2);
  close(fd);
}

CHECK(file, write_past_eof_fills_zeros, "a write past the end leaves zeros before it") {
  int fd = T_SYS(open("f", O_RDWR | O_CREAT, 0644));
  T_SYS(write(fd, "a", 1));
  T_EQ(T_SYS(pwrite(fd, "z", 1, 10000)), 1);
  T_EQ(fst(fd).st_size, (off_t)10001);
  T_EQ(read_fd_at(fd, 20000, 0), "a" + std::string(9999, '\0') + "z");
  close(fd);
}

CHECK(file, large_offset, "data at 1 TiB and 16 TiB reads back; the gap reads zeros") {
  int fd = T_SYS(open("f", O_RDWR | O_CREAT, 0644));
  const off_t tb = 1LL << 40;
  std::string d = pattern(5000, 7);
  write_fd_at(fd, d, tb - 100);
  write_fd_at(fd, "end", 16 * tb);
  T_EQ(fst(fd).st_size, 16 * tb + 3);
  T_EQ(read_fd_at(fd, 5000, tb - 100), d);
  T_EQ(read_fd_at(fd, 3, 16 * tb), std::string("end"));
  T_EQ(read_fd_at(fd, 4096, 4 * tb), std::string(4096, '\0'));
  T_LT((long long)fst(fd).st_blocks, 1LL << 20);  // sparse, not 16 TiB
  close(fd);
}

CHECK(file, offset_limits, "negative offsets are EINVAL; writing at the largest offset fails") {
  int fd = T_SYS(open("f", O_RDWR | O_CREAT, 0644));
  char b[4] = {};
  T_ERRNO(pwrite(fd, "x", 1, -1), EINVAL);
  T_ERRNO(pread(fd, b, 1, -1), EINVAL);
  T_ERRNO(lseek(fd, -1, SEEK_SET), EINVAL);
  T_ERRNO(pwrite(fd, "x", 1, LLONG_MAX), EFBIG, EINVAL);
  T_EQ(fst(fd).st_size, (off_t)0);
  close(fd);
}

CHECK(file, wrong_access_mode_ebadf, "write on a read-only descriptor and read on a write-only one are EBADF") {
  put("f", "abc");
  int r = T_SYS(open("f", O_RDONLY)), w = T_SYS(open("f", O_WRONLY));
  char b[4];
  T_ERRNO(write(r, "x", 1), EBADF);
  T_ERRNO(read(w, b, 1), EBADF);
  close(r);
  close(w);
  T_EQ(get("f"), std::string("abc"));
}

CHECK(file, directory_not_writable, "opening a directory for writing is EISDIR; reading one is EISDIR") {
  mk("d");
  T_ERRNO(open("d", O_WRONLY), EISDIR);
  T_ERRNO(open("d", O_RDWR), EISDIR);
  T_ERRNO(open("d", O_WRONLY | O_CREAT, 0644), EISDIR);
  int fd = T_SYS(open("d", O_RDONLY));
  char b[4];
  T_ERRNO(read(fd, b, 1), EISDIR);
  close(fd);
}

CHECK(file, unlinked_while_open, "an unlinked open file stays readable and writable") {
  std::string d = pattern(10000);
  put("f", d);
  int fd = T_SYS(open("f", O_RDWR));
  T_SYS(unlink("f"));
  T_TRUE(!exists("f"));
  T_EQ(fst(fd).st_nlink, 0u);
  T_EQ(read_fd_at(fd, 20000, 0), d);
  write_fd_at(fd, "tail", 10000);
  T_SYS(ftruncate(fd, 1 << 20));
  T_SYS(fsync(fd));
  T_EQ(read_fd_at(fd, 4, 10000), std::string("tail"));
  T_EQ(fst(fd).st_size, (off_t)(1 << 20));
  // The name is free for a new, different file.
  put("f", "new");
  T_NE(st("f").st_ino, fst(fd).st_ino);
  T_EQ(read_fd_at(fd, 5, 0), d.substr(0, 5));
  close(fd);
  T_EQ(get("f"), std::string("new"));
}

CHECK(file, unlinked_fstat_and_fchmod, "fstat, fchmod and fchown work on an unlinked open file") {
  put("f", "x");
  int fd = T_SYS(open("f", O_RDWR));
  T_SYS(unlink("f"));
  T_SYS(fchmod(fd, 0600));
  T_EQ(fst(fd).st_mode & 07777, 0600u);
  T_SYS(fchown(fd, geteuid(), getegid()));
  struct timespec t[2] = {{5, 0}, {6, 0}};
  T_SYS(futimens(fd, t));
  T_EQ(fst(fd).st_mtim.tv_sec, 6);
  close(fd);
}

CHECK(file, fsync_and_fdatasync, "fsync and fdatasync succeed on files and directories") {
  put("f", "data");
  int fd = T_SYS(open("f", O_RDWR));
  T_SYS(fsync(fd));
  T_SYS(fdatasync(fd));
  close(fd);
  int d = T_SYS(open(".", O_RDONLY | O_DIRECTORY));
  T_SYS(fsync(d));
  close(d);
  T_SYS(syncfs(T_SYS(open("f", O_RDONLY))));
}

CHECK(file, many_descriptors, "hundreds of descriptors on one file, and thousands of opens") {
  put("f", "abc");
  std::vector<int> fds;
  for (int i = 0; i < 300; i++) fds.push_back(T_SYS(open("f", i % 2 ? O_RDONLY : O_RDWR)));
  for (int fd : fds) T_EQ(read_fd_at(fd, 3, 0), std::string("abc"));
  for (int fd : fds) T_SYS(close(fd));
  for (int i = 0; i < 3000; i++) T_SYS(close(T_SYS(open("f", O_RDONLY))));
}

CHECK(file, o_excl_exists, "O_CREAT|O_EXCL on an existing name is EEXIST") {
  put("f", "keep");
  mk("d");
  T_ERRNO(open("f", O_WRONLY | O_CREAT | O_EXCL, 0644), EEXIST);
  T_ERRNO(open("d", O_RDONLY | O_CREAT | O_EXCL, 0644), EEXIST);
  T_SYS(symlink("f", "l"));
  T_ERRNO(open("l", O_WRONLY | O_CREAT | O_EXCL, 0644), EEXIST);
  T_EQ(get("f"), std::string("keep"));
}

CHECK(file, o_excl_dangling_symlink, "O_CREAT|O_EXCL does not follow a dangling symlink") {
  T_SYS(symlink("target", "l"));
  T_ERRNO(open("l", O_WRONLY | O_CREAT | O_EXCL, 0644), EEXIST);
  T_TRUE(!exists("target"));
}

CHECK(file, o_creat_follows_symlink, "O_CREAT without O_EXCL creates a dangling symlink's target") {
  T_SYS(symlink("target", "l"));
  int fd = T_SYS(open("l", O_WRONLY | O_CREAT, 0644));
  T_SYS(write(fd, "hi", 2));
  close(fd);
  T_EQ(get("target"), std::string("hi"));
  T_TRUE(S_ISLNK(lst("l").st_mode));
}

CHECK(file, o_directory, "O_DIRECTORY refuses files; O_CREAT|O_DIRECTORY is EINVAL") {
  put("f", "");
  mk("d");
  T_ERRNO(open("f", O_RDONLY | O_DIRECTORY), ENOTDIR);
  T_SYS(close(T_SYS(open("d", O_RDONLY | O_DIRECTORY))));
  T_SYS(symlink("d", "ld"));
  T_SYS(close(T_SYS(open("ld", O_RDONLY | O_DIRECTORY))));
  T_ERRNO(open("new", O_RDONLY | O_DIRECTORY | O_CREAT, 0644), EINVAL);
  T_TRUE(!exists("new"));
}

CHECK(file, o_nofollow, "O_NOFOLLOW refuses a symlink with ELOOP") {
  put("f", "x");
  T_SYS(symlink("f", "l"));
  T_ERRNO(open("l", O_RDONLY | O_NOFOLLOW), ELOOP);
  T_SYS(close(T_SYS(open("f", O_RDONLY | O_NOFOLLOW))));
  int fd = T_SYS(open("l", O_PATH | O_NOFOLLOW));
  T_TRUE(S_ISLNK(fst(fd).st_mode));
  close(fd);
}

CHECK(file, trailing_slash, "a trailing slash on a file name is ENOTDIR (EISDIR when creating)") {
  put("f", "x");
  T_ERRNO(open("f/", O_RDONLY), ENOTDIR);
  T_ERRNO(open("new/", O_WRONLY | O_CREAT, 0644), EISDIR);
  T_ERRNO(unlink("f/"), ENOTDIR);
  T_TRUE(!exists("new"));
}

CHECK(file, o_tmpfile, "O_TMPFILE makes an unnamed file that linkat can name") {
  int fd = T_FEATURE(open(".", O_TMPFILE | O_RDWR, 0600), "O_TMPFILE");
  T_SYS(write(fd, "anon", 4));
  T_EQ(fst(fd).st_nlink, 0u);
  T_EQ(list_dir(".").size(), 0u);
  std::string proc = "/proc/self/fd/" + std::to_string(fd);
  T_SYS(linkat(AT_FDCWD, proc.c_str(), AT_FDCWD, "named", AT_SYMLINK_FOLLOW));
  T_EQ(get("named"), std::string("anon"));
  T_EQ(fst(fd).st_nlink, 1u);
  close(fd);
}

CHECK(file, o_path, "an O_PATH descriptor can fstat but not read") {
  put("f", "abc");
  int fd = T_SYS(open("f", O_PATH));
  T_EQ(fst(fd).st_size, (off_t)3);
  char b[4];
  T_ERRNO(read(fd, b, 1), EBADF);
  close(fd);
}

CHECK(file, dup_shares_offset, "dup'ed descriptors share the offset; separate opens do not") {
  put("f", "0123456789");
  int a = T_SYS(open("f", O_RDONLY)), b = T_SYS(dup(a)), c = T_SYS(open("f", O_RDONLY));
  char x[4] = {};
  T_SYS(read(a, x, 3));
  T_EQ(lseek(b, 0, SEEK_CUR), (off_t)3);
  T_EQ(lseek(c, 0, SEEK_CUR), (off_t)0);
  T_SYS(read(b, x, 2));
  T_EQ(std::string(x, 2), std::string("34"));
  close(a);
  close(b);
  close(c);
}

CHECK(file, lseek_whence, "lseek with SEEK_SET, SEEK_CUR and SEEK_END, also past the end") {
  put("f", "0123456789");
  int fd = T_SYS(open("f", O_RDWR));
  T_EQ(lseek(fd, -3, SEEK_END), (off_t)7);
  T_EQ(lseek(fd, 2, SEEK_CUR), (off_t)9);
  T_EQ(lseek(fd, 100, SEEK_END), (off_t)110);
  T_ERRNO(lseek(fd, -11, SEEK_END), EINVAL);
  T_ERRNO(lseek(fd, 0, 77), EINVAL);
  T_SYS(write(fd, "x", 1));
  T_EQ(fst(fd).st_size, (off_t)111);
  close(fd);
}

CHECK(file, write_zero_bytes, "a write of zero bytes writes nothing") {
  put("f", "abc");
  int fd = T_SYS(open("f", O_WRONLY));
  T_EQ(T_SYS(pwrite(fd, "", 0, 100)), 0);
  T_EQ(fst(fd).st_size, (off_t)3);
  close(fd);
}

CHECK(file, readv_writev, "writev and readv move several buffers at once") {
  int fd = T_SYS(open("f", O_RDWR | O_CREAT, 0644));
  std::string a = pattern(1000, 1), b = pattern(70000, 2), c = pattern(3, 3);
  struct iovec w[3] = {{&a[0], a.size()}, {&b[0], b.size()}, {&c[0], c.size()}};
  T_EQ(T_SYS(pwritev(fd, w, 3, 10)), (long)(a.size() + b.size() + c.size()));
  std::string x(3, '\0'), y(71000, '\0');
  struct iovec r[2] = {{&x[0], x.size()}, {&y[0], y.size()}};
  T_EQ(T_SYS(preadv(fd, r, 2, 10)), (long)(a.size() + b.size() + c.size()));
  T_EQ(x + y.substr(0, a.size() + b.size()), a + b + c);
  close(fd);
}

CHECK(file, sendfile_between_files, "sendfile copies from one file to another") {
  std::string d = pattern(200000, 5);
  put("src", d);
  int in = T_SYS(open("src", O_RDONLY)), out = T_SYS(open("dst", O_WRONLY | O_CREAT, 0644));
  size_t done = 0;
  while (done < d.size()) {
    ssize_t n = T_SYS(sendfile(out, in, nullptr, d.size() - done));
    if (n == 0) break;
    done += (size_t)n;
  }
  close(in);
  close(out);
  T_EQ(get("dst"), d);
}

CHECK(file, read_write_same_descriptor, "reads and writes on one descriptor share its offset") {
  int fd = T_SYS(open("f", O_RDWR | O_CREAT, 0644));
  T_SYS(write(fd, "hello world", 11));
  T_SYS(lseek(fd, 6, SEEK_SET));
  char b[5];
  T_EQ(T_SYS(read(fd, b, 5)), 5);
  T_EQ(std::string(b, 5), std::string("world"));
  T_SYS(lseek(fd, 0, SEEK_SET));
  T_SYS(write(fd, "J", 1));
  T_EQ(T_SYS(read(fd, b, 4)), 4);
  T_EQ(std::string(b, 4), std::string("ello"));
  close(fd);
}

CHECK(file, direct_io, "O_DIRECT reads and writes aligned blocks") {
  int fd = open("f", O_RDWR | O_CREAT | O_DIRECT, 0644);
  if (fd < 0 && errno == EINVAL) skip("O_DIRECT is not supported here");
  T_SYS(fd);
  void *buf = nullptr;
  T_REQUIRE(posix_memalign(&buf, 4096, 65536) == 0);
  std::string d = pattern(65536, 9);
  memcpy(buf, d.data(), d.size());
  T_EQ(T_SYS(pwrite(fd, buf, 65536, 4096)), 65536);
  memset(buf, 0, 65536);
  T_EQ(T_SYS(pread(fd, buf, 65536, 4096)), 65536);
  T_TRUE(memcmp(buf, d.data(), d.size()) == 0);
  free(buf);
  close(fd);
  T_EQ(get("f"), std::string(4096, '\0') + d);
}

CHECK(file, statx_basic, "statx reports what stat reports") {
  put("f", "12345");
  struct statx sx;
  T_SYS(statx(AT_FDCWD, "f", 0, STATX_BASIC_STATS, &sx));
  struct stat s = st("f");
  T_EQ(sx.stx_mask & STATX_BASIC_STATS & ~STATX_BLOCKS,
       (unsigned)(STATX_BASIC_STATS & ~STATX_BLOCKS));
  T_EQ(sx.stx_size, 5u);
  T_EQ((ino_t)sx.stx_ino, s.st_ino);
  T_EQ((mode_t)sx.stx_mode, s.st_mode);
  T_EQ(sx.stx_nlink, 1u);
  T_EQ(sx.stx_mtime.tv_sec, s.st_mtim.tv_sec);
  T_EQ((long)sx.stx_mtime.tv_nsec, s.st_mtim.tv_nsec);
}

CHECK(file, exec_script, "a script on the file system can be executed") {
  struct statvfs sv;
  T_SYS(statvfs(".", &sv));
  if (sv.f_flag & ST_NOEXEC) skip("mounted noexec");
  put("s", "#!/bin/sh\nexit 7\n");
  T_SYS(chmod("s", 0755));
  char *argv[] = {const_cast<char *>("./s"), nullptr};
  pid_t pid;
  int r = posix_spawn(&pid, "./s", nullptr, nullptr, argv, environ);
  T_EQ(r, 0);
  if (r == 0) {
    int ws;
    waitpid(pid, &ws, 0);
    T_TRUE(WIFEXITED(ws) && WEXITSTATUS(ws) == 7);
  }
  T_SYS(chmod("s", 0644));
  T_EQ(posix_spawn(&pid, "./s", nullptr, nullptr, argv, environ), EACCES);
}
