// SPDX-License-Identifier: LGPL-2.1-or-later
// Names and paths: lengths, odd bytes, ENOENT/ENOTDIR/ENAMETOOLONG, statfs.
#include "conformance.h"

#include <fcntl.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>

using namespace conf;

CHECK(names, max_length, "a 255-byte name works everywhere") {
  std::string n(255, 'n');
  put(n, "long");
  T_EQ(get(n), std::string("long"));
  auto names = list_dir(".");
  T_EQ(names.size(), 1u);
  if (!names.empty()) T_EQ(names[0], n);
  std::string d(255, 'd'), l(255, 'l'), h(255, 'h');
  mk(d);
  T_SYS(symlink(n.c_str(), l.c_str()));
  T_SYS(link(n.c_str(), h.c_str()));
  T_SYS(rename(n.c_str(), (d + "/" + n).c_str()));
  T_EQ(get(d + "/" + n), std::string("long"));
  T_SYS(unlink((d + "/" + n).c_str()));
  T_SYS(rmdir(d.c_str()));
}

CHECK(names, too_long, "a 256-byte name is ENAMETOOLONG for every call") {
  std::string n(256, 'x');
  put("f", "");
  T_ERRNO(open(n.c_str(), O_WRONLY | O_CREAT, 0644), ENAMETOOLONG);
  T_ERRNO(mkdir(n.c_str(), 0755), ENAMETOOLONG);
  T_ERRNO(symlink("f", n.c_str()), ENAMETOOLONG);
  T_ERRNO(link("f", n.c_str()), ENAMETOOLONG);
  T_ERRNO(rename("f", n.c_str()), ENAMETOOLONG);
  T_ERRNO(mknod(n.c_str(), S_IFIFO | 0644, 0), ENAMETOOLONG);
  T_ERRNO(unlink(n.c_str()), ENAMETOOLONG);
  struct stat s;
  T_ERRNO(stat(n.c_str(), &s), ENAMETOOLONG);
  T_EQ(list_dir("."), (std::vector<std::string>{"f"}));
}

CHECK(names, path_max, "a path of 4096 bytes or more is ENAMETOOLONG") {
  std::string p;
  while (p.size() < 4100) p += "a/";
  struct stat s;
  T_ERRNO(stat(p.c_str(), &s), ENAMETOOLONG);
  T_ERRNO(open(p.c_str(), O_RDONLY), ENAMETOOLONG);
}

CHECK(names, odd_bytes, "names may hold spaces, newlines, UTF-8 and any byte but '/' and NUL") {
  std::vector<std::string> names = {"with space", "new\nline", "tab\there", "\xc3\xa9t\xc3\xa9",
                                    "\xe2\x9c\x93", "\xff\xfe\x80", ".hidden", "...", "-dash",
                                    "back\\slash", "*?[glob]", "UPPER", "upper"};
  for (auto &n : names) put(n, n);
  auto got = list_dir(".");
  std::vector<std::string> want = names;
  std::sort(want.begin(), want.end());
  T_EQ(got, want);
  for (auto &n : names) T_EQ(get(n), n);
}

CHECK(names, case_sensitive, "names differing only in case are different files") {
  put("abc", "lower");
  put("ABC", "upper");
  T_EQ(get("abc"), std::string("lower"));
  T_EQ(get("ABC"), std::string("upper"));
  T_NE(st("abc").st_ino, st("ABC").st_ino);
}

CHECK(names, enoent_and_enotdir, "missing components are ENOENT; files used as directories ENOTDIR") {
  put("f", "");
  mk("d");
  struct stat s;
  T_ERRNO(stat("missing", &s), ENOENT);
  T_ERRNO(stat("missing/x", &s), ENOENT);
  T_ERRNO(stat("d/missing/x", &s), ENOENT);
  T_ERRNO(stat("f/x", &s), ENOTDIR);
  T_ERRNO(stat("f/", &s), ENOTDIR);
  T_ERRNO(open("f/x", O_WRONLY | O_CREAT, 0644), ENOTDIR);
  T_ERRNO(mkdir("f/x", 0755), ENOTDIR);
  T_ERRNO(stat("", &s), ENOENT);
  T_ERRNO(unlink("missing"), ENOENT);
  T_ERRNO(open("missing", O_RDONLY), ENOENT);
}

CHECK(names, dot_components, "'.', '..' and repeated slashes resolve as usual") {
  mk("a");
  mk("a/b");
  put("a/b/f", "x");
  T_EQ(get("a/./b//f"), std::string("x"));
  T_EQ(get("a/b/../b/./f"), std::string("x"));
  T_EQ(get(".//a///b/f"), std::string("x"));
  T_ERRNO(mkdir("a/b/.", 0755), EEXIST);
  T_ERRNO(mkdir("a/b/..", 0755), EEXIST);
  T_ERRNO(unlink("a/b/."), EISDIR, EPERM);
}

CHECK(names, openat_family, "the *at() calls resolve relative to a directory descriptor") {
  mk("d");
  int dfd = T_SYS(open("d", O_RDONLY | O_DIRECTORY));
  int fd = T_SYS(openat(dfd, "f", O_WRONLY | O_CREAT, 0644));
  T_SYS(write(fd, "at", 2));
  close(fd);
  T_SYS(mkdirat(dfd, "sub", 0755));
  T_SYS(symlinkat("f", dfd, "l"));
  T_SYS(linkat(dfd, "f", dfd, "h", 0));
  T_SYS(renameat(dfd, "h", dfd, "sub/h"));
  struct stat s;
  T_SYS(fstatat(dfd, "l", &s, AT_SYMLINK_NOFOLLOW));
  T_TRUE(S_ISLNK(s.st_mode));
  T_SYS(fchmodat(dfd, "f", 0600, 0));
  T_SYS(fchownat(dfd, "f", geteuid(), getegid(), 0));
  T_SYS(unlinkat(dfd, "sub/h", 0));
  T_SYS(unlinkat(dfd, "sub", AT_REMOVEDIR));
  T_ERRNO(unlinkat(dfd, "f", AT_REMOVEDIR), ENOTDIR);
  close(dfd);
  T_EQ(get("d/f"), std::string("at"));
  T_EQ(st("d/f").st_mode & 07777, 0600u);
}

CHECK(statfs, basic, "statfs reports sane sizes and a name limit of at least 255") {
  struct statvfs v;
  T_SYS(statvfs(".", &v));
  T_GT(v.f_bsize, 0ul);
  T_GT(v.f_frsize, 0ul);
  T_GE(v.f_namemax, 255ul);
  T_LE(v.f_bfree, v.f_blocks);
  T_LE(v.f_bavail, v.f_bfree);
  T_LE(v.f_ffree, v.f_files);
  struct statvfs w;
  int fd = T_SYS(open(".", O_RDONLY | O_DIRECTORY));
  T_SYS(fstatvfs(fd, &w));
  close(fd);
  T_EQ(w.f_blocks, v.f_blocks);
  T_EQ(w.f_namemax, v.f_namemax);
  struct statfs sf;
  T_SYS(statfs(".", &sf));
  T_EQ((unsigned long)sf.f_namelen, v.f_namemax);
}

CHECK(statfs, tracks_usage, "writing data and creating files shows in statfs") {
  struct statvfs a, b;
  T_SYS(statvfs(".", &a));
  if (a.f_blocks == 0) skip("this file system reports no size");
  const size_t len = 8 << 20;
  put("big", pattern(len));
  for (int i = 0; i < 100; i++) put("small" + std::to_string(i), "x");
  T_SYS(statvfs(".", &b));
  double used = ((double)a.f_bfree - (double)b.f_bfree) * (double)a.f_frsize;
  // Other users of the file system make this inexact: allow for them.
  T_GT(used, (double)len * 0.9);
  if (a.f_files > 0) T_LE(b.f_ffree + 50, a.f_ffree);
  T_SYS(unlink("big"));
  // A FUSE file system hears the RELEASE of the closed file asynchronously
  // (after close() returned), and frees the data only then: allow it two
  // seconds.
  struct statvfs c;
  for (int i = 0; i < 200; i++) {
    T_SYS(statvfs(".", &c));
    if ((double)c.f_bfree * c.f_frsize > (double)b.f_bfree * b.f_frsize + len * 0.9)
      break;
    usleep(10000);
  }
  T_GT((double)c.f_bfree * c.f_frsize, (double)b.f_bfree * b.f_frsize + len * 0.9);
}
