// SPDX-License-Identifier: LGPL-2.1-or-later
// Hard links, symbolic links, and special files (mknod).
#include "conformance.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

#include <climits>
#include <cstring>

using namespace conf;

// ---- hard links ------------------------------------------------------------

CHECK(link, basic, "a hard link shares the inode and the data; nlink counts names") {
  put("a", "one");
  T_SYS(link("a", "b"));
  struct stat sa = st("a"), sb = st("b");
  T_EQ(sa.st_ino, sb.st_ino);
  T_EQ(sa.st_nlink, 2u);
  put("b", "two");
  T_EQ(get("a"), std::string("two"));
  T_SYS(unlink("a"));
  T_EQ(st("b").st_nlink, 1u);
  T_EQ(get("b"), std::string("two"));
}

CHECK(link, many_names, "a file with 100 names across two directories") {
  put("f", "x");
  mk("d");
  auto name = [](int i) { return (i % 2 ? std::string("d/l") : std::string("l")) + std::to_string(i); };
  for (int i = 0; i < 100; i++) T_SYS(link("f", name(i).c_str()));
  T_EQ(st("f").st_nlink, 101u);
  for (int i = 0; i < 100; i += 3) T_SYS(unlink(name(i).c_str()));
  T_EQ(st("f").st_nlink, 101u - 34u);
  T_EQ(st("d/l1").st_nlink, 101u - 34u);
  T_EQ(st("d/l1").st_ino, st("f").st_ino);
}

CHECK(link, errors, "link: EEXIST, ENOENT, EPERM for directories") {
  put("a", "");
  put("b", "");
  mk("d");
  T_ERRNO(link("a", "b"), EEXIST);
  T_ERRNO(link("missing", "c"), ENOENT);
  T_ERRNO(link("a", "missing/c"), ENOENT);
  T_ERRNO(link("d", "e"), EPERM);
  T_ERRNO(link("a", "d"), EEXIST);
  T_ERRNO(link("a/", "c"), ENOTDIR);
  T_EQ(st("a").st_nlink, 1u);
}

CHECK(link, to_symlink, "link() links a symlink itself, not its target") {
  put("t", "");
  T_SYS(symlink("t", "l"));
  T_SYS(link("l", "m"));
  T_TRUE(S_ISLNK(lst("m").st_mode));
  T_EQ(lst("l").st_nlink, 2u);
  T_EQ(st("t").st_nlink, 1u);
  T_SYS(linkat(AT_FDCWD, "l", AT_FDCWD, "n", AT_SYMLINK_FOLLOW));
  T_TRUE(S_ISREG(lst("n").st_mode));
  T_EQ(st("t").st_nlink, 2u);
}

CHECK(link, open_file_after_unlink_of_one_name, "an open file keeps working when one of its names goes") {
  put("a", "data");
  T_SYS(link("a", "b"));
  int fd = T_SYS(open("a", O_RDWR));
  T_SYS(unlink("a"));
  T_EQ(fst(fd).st_nlink, 1u);
  write_fd_at(fd, "DATA", 0);
  close(fd);
  T_EQ(get("b"), std::string("DATA"));
}

// ---- symbolic links ----------------------------------------------------------

CHECK(symlink, readlink_and_lstat, "readlink gives the target; lstat describes the link") {
  T_SYS(symlink("some/target", "l"));
  char b[64];
  long n = T_SYS(readlink("l", b, sizeof b));
  T_EQ(std::string(b, (size_t)n), std::string("some/target"));
  struct stat s = lst("l");
  T_TRUE(S_ISLNK(s.st_mode));
  T_EQ(s.st_size, (off_t)11);
  T_EQ(s.st_nlink, 1u);
  T_EQ(s.st_uid, geteuid());
}

CHECK(symlink, follow, "paths through symlinks reach the target, relative to the link") {
  mk("d");
  put("d/f", "x");
  T_SYS(symlink("d", "ld"));
  T_SYS(symlink("f", "d/lf"));
  T_SYS(symlink("../d/f", "d/up"));
  T_EQ(get("ld/f"), std::string("x"));
  T_EQ(get("ld/lf"), std::string("x"));
  T_EQ(get("d/up"), std::string("x"));
  T_EQ(st("ld/lf").st_ino, st("d/f").st_ino);
  T_SYS(close(T_SYS(open("ld/", O_RDONLY))));
}

CHECK(symlink, dangling, "a dangling symlink: stat is ENOENT, lstat works") {
  T_SYS(symlink("missing", "l"));
  struct stat s;
  T_ERRNO(stat("l", &s), ENOENT);
  T_TRUE(S_ISLNK(lst("l").st_mode));
  T_ERRNO(open("l", O_RDONLY), ENOENT);
  T_SYS(unlink("l"));
  T_TRUE(!exists("l"));
}

CHECK(symlink, loop, "a symlink loop is ELOOP") {
  T_SYS(symlink("b", "a"));
  T_SYS(symlink("a", "b"));
  T_SYS(symlink("self", "self"));
  struct stat s;
  T_ERRNO(stat("a", &s), ELOOP);
  T_ERRNO(open("self", O_RDONLY), ELOOP);
  T_ERRNO(open("a/x", O_RDONLY), ELOOP);
  T_TRUE(S_ISLNK(lst("a").st_mode));
}

CHECK(symlink, long_chain, "a chain of 30 symlinks resolves; 41 is ELOOP") {
  put("t", "end");
  std::string prev = "t";
  for (int i = 0; i < 45; i++) {
    std::string name = "l" + std::to_string(i);
    T_SYS(symlink(prev.c_str(), name.c_str()));
    prev = name;
  }
  T_EQ(get("l29"), std::string("end"));
  struct stat s;
  T_ERRNO(stat("l44", &s), ELOOP);
}

CHECK(symlink, target_lengths, "targets up to 4095 bytes; 4096 is ENAMETOOLONG; empty is ENOENT") {
  std::string t(4095, 'x');
  for (size_t i = 200; i < t.size(); i += 200) t[i] = '/';
  T_SYS(symlink(t.c_str(), "long"));
  std::string b(5000, '\0');
  long n = T_SYS(readlink("long", &b[0], b.size()));
  T_EQ(b.substr(0, (size_t)n), t);
  T_EQ(lst("long").st_size, (off_t)4095);
  T_ERRNO(symlink(std::string(4096, 'y').c_str(), "toolong"), ENAMETOOLONG);
  T_ERRNO(symlink("", "empty"), ENOENT);
  T_TRUE(!exists("toolong") && !exists("empty"));
}

CHECK(symlink, odd_targets, "targets with any bytes but NUL are kept as given") {
  const char *targets[] = {"/absolute/path", "../../..", "trailing/", "with space",
                           "\xff\xfe binary \x01", "a//b///c", "."};
  int i = 0;
  for (const char *t : targets) {
    std::string name = "l" + std::to_string(i++);
    T_SYS(symlink(t, name.c_str()));
    char b[256];
    long n = T_SYS(readlink(name.c_str(), b, sizeof b));
    T_EQ(std::string(b, (size_t)n), std::string(t));
  }
}

CHECK(symlink, readlink_small_buffer, "readlink truncates to the buffer without a NUL") {
  T_SYS(symlink("abcdefgh", "l"));
  char b[8] = {'?', '?', '?', '?', '?', '?', '?', '?'};
  T_EQ(T_SYS(readlink("l", b, 3)), 3);
  T_EQ(std::string(b, 4), std::string("abc?"));
}

CHECK(symlink, readlink_not_a_link, "readlink of a file or directory is EINVAL") {
  put("f", "");
  mk("d");
  char b[8];
  T_ERRNO(readlink("f", b, sizeof b), EINVAL);
  T_ERRNO(readlink("d", b, sizeof b), EINVAL);
  T_ERRNO(readlink("missing", b, sizeof b), ENOENT);
}

CHECK(symlink, exists_already, "symlink over an existing name is EEXIST") {
  put("f", "keep");
  T_SYS(symlink("x", "l"));
  T_ERRNO(symlink("y", "f"), EEXIST);
  T_ERRNO(symlink("y", "l"), EEXIST);
  T_EQ(get("f"), std::string("keep"));
}

CHECK(symlink, chmod_follows, "chmod through a symlink changes the target") {
  put("f", "");
  T_SYS(chmod("f", 0600));
  T_SYS(symlink("f", "l"));
  mode_t lmode = lst("l").st_mode;
  T_SYS(chmod("l", 0640));
  T_EQ(st("f").st_mode & 07777, 0640u);
  T_EQ(lst("l").st_mode, lmode);
  T_EQ(lmode & 0777, 0777u);
}

CHECK(symlink, lchown, "lchown changes the link's owner, not the target's") {
  need_root();
  put("f", "");
  T_SYS(symlink("f", "l"));
  T_SYS(lchown("l", 4242, 4343));
  T_EQ(lst("l").st_uid, 4242u);
  T_EQ(lst("l").st_gid, 4343u);
  T_EQ(st("f").st_uid, 0u);
}

CHECK(symlink, times_nofollow, "utimensat with AT_SYMLINK_NOFOLLOW sets the link's times") {
  put("f", "");
  T_SYS(symlink("f", "l"));
  struct stat before = st("f");
  struct timespec t[2] = {{100000, 5}, {200000, 7}};
  T_SYS(utimensat(AT_FDCWD, "l", t, AT_SYMLINK_NOFOLLOW));
  struct stat s = lst("l");
  T_EQ(s.st_atim.tv_sec, 100000);
  T_EQ(s.st_mtim.tv_sec, 200000);
  T_EQ(s.st_mtim.tv_nsec, 7);
  T_TS_EQ(st("f").st_mtim, before.st_mtim);
}

// ---- special files -------------------------------------------------------------

CHECK(mknod, fifo, "a FIFO made with mkfifo passes data between two descriptors") {
  T_SYS(mkfifo("p", 0640));
  struct stat s = lst("p");
  T_TRUE(S_ISFIFO(s.st_mode));
  T_EQ(s.st_mode & 07777, 0640u);
  int r = T_SYS(open("p", O_RDONLY | O_NONBLOCK));
  int w = T_SYS(open("p", O_WRONLY | O_NONBLOCK));
  T_EQ(T_SYS(write(w, "ping", 4)), 4);
  char b[8];
  T_EQ(T_SYS(read(r, b, sizeof b)), 4);
  T_EQ(std::string(b, 4), std::string("ping"));
  close(w);
  close(r);
  T_SYS(unlink("p"));
}

CHECK(mknod, fifo_by_mknod, "mknod with S_IFIFO makes a FIFO") {
  T_SYS(mknod("p", S_IFIFO | 0600, 0));
  T_TRUE(S_ISFIFO(lst("p").st_mode));
  T_ERRNO(mknod("p", S_IFIFO | 0600, 0), EEXIST);
}

CHECK(mknod, regular_file, "mknod with S_IFREG (or no type) makes an empty file") {
  T_SYS(mknod("f", S_IFREG | 0600, 0));
  T_SYS(mknod("g", 0600, 0));
  T_TRUE(S_ISREG(lst("f").st_mode));
  T_TRUE(S_ISREG(lst("g").st_mode));
  T_EQ(lst("f").st_size, (off_t)0);
}

CHECK(mknod, socket_by_bind, "bind() of a unix socket makes a socket file that accepts connections") {
  int s = T_SYS(socket(AF_UNIX, SOCK_STREAM, 0));
  struct sockaddr_un a = {};
  a.sun_family = AF_UNIX;
  strcpy(a.sun_path, "sock");
  T_SYS(bind(s, (struct sockaddr *)&a, sizeof a));
  T_SYS(listen(s, 1));
  T_TRUE(S_ISSOCK(lst("sock").st_mode));
  int c = T_SYS(socket(AF_UNIX, SOCK_STREAM, 0));
  T_SYS(connect(c, (struct sockaddr *)&a, sizeof a));
  int x = T_SYS(accept(s, nullptr, nullptr));
  T_SYS(write(c, "hi", 2));
  char b[2];
  T_EQ(T_SYS(read(x, b, 2)), 2);
  close(x);
  close(c);
  close(s);
  T_SYS(unlink("sock"));
}

CHECK(mknod, socket_by_mknod, "mknod with S_IFSOCK makes a socket file") {
  T_SYS(mknod("s", S_IFSOCK | 0644, 0));
  T_TRUE(S_ISSOCK(lst("s").st_mode));
}

CHECK(mknod, char_device, "mknod makes a character device with its number (root)") {
  need_root();
  T_SYS(mknod("c", S_IFCHR | 0600, makedev(1, 3)));
  struct stat s = lst("c");
  T_TRUE(S_ISCHR(s.st_mode));
  T_EQ(major(s.st_rdev), 1u);
  T_EQ(minor(s.st_rdev), 3u);
  // Opening it reaches /dev/null's driver, unless the mount says nodev.
  int fd = open("c", O_WRONLY);
  if (fd >= 0) {
    T_EQ(T_SYS(write(fd, "x", 1)), 1);
    close(fd);
  } else
    T_EQ(errno_name(errno), errno_name(EACCES));
}

CHECK(mknod, block_device, "mknod makes a block device with its number (root)") {
  need_root();
  T_SYS(mknod("b", S_IFBLK | 0600, makedev(7, 200)));
  struct stat s = lst("b");
  T_TRUE(S_ISBLK(s.st_mode));
  T_EQ(major(s.st_rdev), 7u);
  T_EQ(minor(s.st_rdev), 200u);
}

CHECK(mknod, device_needs_privilege, "mknod of a device by another user is EPERM") {
  need_other_users();
  T_SYS(chmod(".", 0777));
  T_AS(kUser1, EPERM, "mknod-chr", "c");
  T_AS(kUser1, 0, "mkfifo", "p");
  T_SYS(chmod(".", 0755));
}

CHECK(mknod, bad_type, "mknod with S_IFDIR or an unknown type is refused") {
  T_ERRNO(mknod("d", S_IFDIR | 0755, 0), EPERM, EINVAL);
  T_ERRNO(mknod("x", 0170000 | 0644, 0), EPERM, EINVAL);
  T_TRUE(!exists("d") && !exists("x"));
}
