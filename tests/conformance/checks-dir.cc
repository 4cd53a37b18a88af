// SPDX-License-Identifier: LGPL-2.1-or-later
// Directories: mkdir, rmdir, link counts, and readdir (large directories,
// seekdir/telldir, listings while entries come and go).
#include "conformance.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <set>

using namespace conf;

CHECK(dir, mkdir_basic, "mkdir makes an empty directory with the mode less the umask") {
  umask(027);
  T_SYS(mkdir("d", 0777));
  umask(022);
  struct stat s = st("d");
  T_TRUE(S_ISDIR(s.st_mode));
  T_EQ(s.st_mode & 07777, 0750u);
  T_EQ(s.st_nlink, 2u);
  T_EQ(s.st_uid, geteuid());
  T_EQ(list_dir("d").size(), 0u);
  T_SYS(mkdir("e/", 0755));  // a trailing slash is fine for mkdir
  T_TRUE(S_ISDIR(st("e").st_mode));
}

CHECK(dir, mkdir_errors, "mkdir: EEXIST, ENOENT and ENOTDIR") {
  put("f", "");
  mk("d");
  T_SYS(symlink("nowhere", "l"));
  T_ERRNO(mkdir("d", 0755), EEXIST);
  T_ERRNO(mkdir("f", 0755), EEXIST);
  T_ERRNO(mkdir("l", 0755), EEXIST);
  T_ERRNO(mkdir("missing/d", 0755), ENOENT);
  T_ERRNO(mkdir("f/d", 0755), ENOTDIR);
  T_ERRNO(mkdir(".", 0755), EEXIST);
  T_TRUE(!exists("nowhere"));
}

CHECK(dir, rmdir_basic, "rmdir removes an empty directory") {
  mk("d");
  T_SYS(rmdir("d"));
  T_TRUE(!exists("d"));
  T_ERRNO(rmdir("d"), ENOENT);
}

CHECK(dir, rmdir_errors, "rmdir: ENOTEMPTY, ENOTDIR, EINVAL for '.', ENOTEMPTY for '..'") {
  mk("d");
  put("d/f", "");
  put("f", "");
  T_SYS(symlink("d", "l"));
  T_ERRNO(rmdir("d"), ENOTEMPTY, EEXIST);
  T_ERRNO(rmdir("f"), ENOTDIR);
  T_ERRNO(rmdir("l"), ENOTDIR);
  T_ERRNO(rmdir("d/."), EINVAL);
  T_ERRNO(rmdir("d/.."), ENOTEMPTY, EEXIST);
  T_ERRNO(rmdir("d/f/"), ENOTDIR);
  T_TRUE(exists("d/f"));
}

CHECK(dir, unlink_directory, "unlink of a directory is EISDIR") {
  mk("d");
  T_ERRNO(unlink("d"), EISDIR);
  T_TRUE(exists("d"));
}

CHECK(dir, link_counts, "a directory's link count is 2 plus its subdirectories") {
  mk("d");
  T_EQ(st("d").st_nlink, 2u);
  for (int i = 0; i < 5; i++) mk("d/s" + std::to_string(i));
  for (int i = 0; i < 5; i++) put("d/f" + std::to_string(i), "");
  T_EQ(st("d").st_nlink, 7u);
  T_SYS(rmdir("d/s0"));
  T_EQ(st("d").st_nlink, 6u);
  mk("e");
  T_SYS(rename("d/s1", "e/s1"));
  T_EQ(st("d").st_nlink, 5u);
  T_EQ(st("e").st_nlink, 3u);
  T_EQ(st("e/s1/..").st_ino, st("e").st_ino);
  T_SYS(rename("d/f0", "e/f0"));  // files do not count
  T_EQ(st("e").st_nlink, 3u);
}

CHECK(dir, removed_directory, "a removed directory has no links and accepts no new entries") {
  mk("d");
  int fd = T_SYS(open("d", O_RDONLY | O_DIRECTORY));
  T_SYS(rmdir("d"));
  T_EQ(fst(fd).st_nlink, 0u);
  T_ERRNO(mkdirat(fd, "x", 0755), ENOENT);
  T_ERRNO(openat(fd, "x", O_WRONLY | O_CREAT, 0644), ENOENT);
  char buf[4096];
  long n = syscall(SYS_getdents64, fd, buf, sizeof buf);
  // Linux refuses to list a dead directory (ENOENT); an empty list is fine.
  if (n < 0) T_EQ(errno_name(errno), errno_name(ENOENT));
  else {
    for (long off = 0; off < n;) {
      auto *e = reinterpret_cast<struct dirent64 *>(buf + off);
      T_TRUE(!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."));
      off += e->d_reclen;
    }
  }
  close(fd);
}

CHECK(dir, rmdir_cwd, "the working directory can be removed; nothing can be made in it") {
  mk("d");
  T_SYS(chdir("d"));
  T_SYS(rmdir("../d"));
  T_ERRNO(open("x", O_WRONLY | O_CREAT, 0644), ENOENT);
  T_SYS(chdir(".."));
  T_TRUE(!exists("d"));
}

CHECK(dir, readdir_types_and_dots, "readdir lists . and .. and each entry once, with its type") {
  mk("d");
  mk("d/sub");
  put("d/file", "");
  T_SYS(symlink("file", "d/link"));
  T_SYS(mkfifo("d/fifo", 0644));
  std::map<std::string, int> seen;
  std::map<std::string, unsigned char> type;
  DIR *dp = opendir("d");
  T_REQUIRE(dp != nullptr);
  while (struct dirent *e = readdir(dp)) {
    seen[e->d_name]++;
    type[e->d_name] = e->d_type;
  }
  closedir(dp);
  std::map<std::string, unsigned char> want = {
      {".", DT_DIR}, {"..", DT_DIR}, {"sub", DT_DIR},
      {"file", DT_REG}, {"link", DT_LNK}, {"fifo", DT_FIFO}};
  T_EQ(seen.size(), want.size());
  for (auto &w : want) {
    T_EQ(seen[w.first], 1);
    if (type[w.first] != DT_UNKNOWN) T_EQ((int)type[w.first], (int)w.second);
  }
}

CHECK(dir, readdir_inode_numbers, "readdir's inode numbers match stat's, . and .. included") {
  mk("d");
  mk("d/sub");
  put("d/file", "");
  DIR *dp = opendir("d");
  T_REQUIRE(dp != nullptr);
  while (struct dirent *e = readdir(dp)) {
    std::string p = std::string("d/") + e->d_name;
    T_EQ((ino_t)e->d_ino, lst(p).st_ino);
  }
  closedir(dp);
}

CHECK(dir, readdir_empty, "an empty directory lists only . and ..") {
  mk("d");
  DIR *dp = opendir("d");
  T_REQUIRE(dp != nullptr);
  std::set<std::string> names;
  while (struct dirent *e = readdir(dp)) names.insert(e->d_name);
  closedir(dp);
  T_EQ(names.size(), 2u);
  T_TRUE(names.count(".") && names.count(".."));
}

CHECK(dir, readdir_large, "a directory of 5000 entries lists each exactly once") {
  mk("d");
  const int n = 5000;
  for (int i = 0; i < n; i++) {
    std::string p = "d/entry-with-a-longish-name-" + std::to_string(i);
    if (i % 10 == 0) mk(p);
    else T_SYS(close(T_SYS(open(p.c_str(), O_WRONLY | O_CREAT, 0644))));
  }
  std::map<std::string, int> seen;
  DIR *dp = opendir("d");
  T_REQUIRE(dp != nullptr);
  while (struct dirent *e = readdir(dp)) seen[e->d_name]++;
  closedir(dp);
  T_EQ(seen.size(), (size_t)n + 2);
  int dups = 0;
  for (auto &s : seen) dups += s.second != 1;
  T_EQ(dups, 0);
  T_EQ(st("d").st_nlink, (nlink_t)(2 + n / 10));
}

CHECK(dir, seekdir_telldir, "seekdir to a telldir position resumes at the same entry") {
  mk("d");
  for (int i = 0; i < 600; i++) put("d/f" + std::to_string(i), "");
  DIR *dp = opendir("d");
  T_REQUIRE(dp != nullptr);
  std::vector<long> pos;
  std::vector<std::string> names;
  for (;;) {
    long p = telldir(dp);
    struct dirent *e = readdir(dp);
    if (!e) break;
    pos.push_back(p);
    names.push_back(e->d_name);
  }
  T_EQ(names.size(), 602u);
  for (size_t k : {size_t(0), size_t(1), size_t(57), size_t(300), size_t(599), size_t(601)}) {
    if (k >= names.size()) continue;
    seekdir(dp, pos[k]);
    for (size_t j = k; j < std::min(k + 5, names.size()); j++) {
      struct dirent *e = readdir(dp);
      T_REQUIRE(e != nullptr);
      T_EQ(std::string(e->d_name), names[j]);
    }
  }
  rewinddir(dp);
  struct dirent *e = readdir(dp);
  T_REQUIRE(e != nullptr);
  T_EQ(std::string(e->d_name), names[0]);
  closedir(dp);
}

CHECK(dir, rewinddir_sees_changes, "after rewinddir, new entries appear and removed ones do not") {
  mk("d");
  put("d/a", "");
  put("d/b", "");
  DIR *dp = opendir("d");
  T_REQUIRE(dp != nullptr);
  while (readdir(dp)) {
  }
  put("d/c", "");
  T_SYS(unlink("d/a"));
  rewinddir(dp);
  std::set<std::string> names;
  while (struct dirent *e = readdir(dp)) names.insert(e->d_name);
  closedir(dp);
  T_TRUE(names == (std::set<std::string>{".", "..", "b", "c"}));
}

// Lists "d" while @change(i) runs after every @step entries read; returns
// how often each name was seen.
template <typename F>
static std::map<std::string, int> list_while(int step, F change) {
  std::map<std::string, int> seen;
  DIR *dp = opendir("d");
  T_REQUIRE(dp != nullptr);
  int i = 0;
  while (struct dirent *e = readdir(dp)) {
    seen[e->d_name]++;
    if (++i % step == 0) change(i / step);
  }
  closedir(dp);
  return seen;
}

CHECK(dir, readdir_while_removing, "removing entries during a listing skips and repeats no other entry") {
  mk("d");
  const int n = 2000;
  for (int i = 0; i < n; i++) put("d/f" + std::to_string(i), "");
  // Remove every 7th entry, in name order, as the listing proceeds.
  std::set<std::string> removed;
  auto seen = list_while(50, [&](int round) {
    for (int k = round * 70; k < round * 70 + 70 && k < n; k += 7) {
      std::string name = "f" + std::to_string(k);
      T_SYS(unlink(("d/" + name).c_str()));
      removed.insert(name);
    }
  });
  int missing = 0, repeated = 0;
  for (int i = 0; i < n; i++) {
    std::string name = "f" + std::to_string(i);
    if (removed.count(name)) {
      if (seen[name] > 1) repeated++;
      continue;
    }
    if (seen[name] == 0) missing++;
    if (seen[name] > 1) repeated++;
  }
  T_EQ(missing, 0);
  T_EQ(repeated, 0);
}

CHECK(dir, readdir_while_adding, "adding entries during a listing skips and repeats no other entry") {
  mk("d");
  const int n = 2000;
  for (int i = 0; i < n; i++) put("d/f" + std::to_string(i), "");
  int added = 0;
  auto seen = list_while(40, [&](int) {
    for (int k = 0; k < 30; k++) put("d/new" + std::to_string(added++), "");
  });
  int missing = 0, repeated = 0;
  for (int i = 0; i < n; i++) {
    int c = seen["f" + std::to_string(i)];
    missing += c == 0;
    repeated += c > 1;
  }
  for (int i = 0; i < added; i++) repeated += seen["new" + std::to_string(i)] > 1;
  T_EQ(missing, 0);
  T_EQ(repeated, 0);
}

CHECK(dir, two_listings_at_once, "two open listings of one directory are independent") {
  mk("d");
  for (int i = 0; i < 300; i++) put("d/f" + std::to_string(i), "");
  DIR *a = opendir("d"), *b = opendir("d");
  T_REQUIRE(a && b);
  std::multiset<std::string> sa, sb;
  for (;;) {
    struct dirent *x = readdir(a);
    if (x) sa.insert(x->d_name);
    struct dirent *y = readdir(b);
    if (y) sb.insert(y->d_name);
    if (!x && !y) break;
  }
  closedir(a);
  closedir(b);
  T_EQ(sa.size(), 302u);
  T_TRUE(sa == sb);
}

CHECK(dir, getdents_tiny_buffer, "getdents with a buffer too small for one entry is EINVAL") {
  mk("d");
  put("d/a-rather-long-file-name", "");
  int fd = T_SYS(open("d", O_RDONLY | O_DIRECTORY));
  char buf[8];
  T_ERRNO(syscall(SYS_getdents64, fd, buf, sizeof buf), EINVAL);
  close(fd);
}

CHECK(dir, opendir_on_file, "opendir of a file is ENOTDIR") {
  put("f", "");
  T_TRUE(opendir("f") == nullptr);
  T_EQ(errno_name(errno), errno_name(ENOTDIR));
  T_TRUE(opendir("missing") == nullptr);
  T_EQ(errno_name(errno), errno_name(ENOENT));
}

CHECK(dir, deep_tree, "a tree 60 levels deep can be made, walked and removed") {
  std::string p = ".";
  for (int i = 0; i < 60; i++) {
    p += "/d" + std::to_string(i);
    mk(p);
  }
  put(p + "/leaf", "deep");
  T_EQ(get(p + "/leaf"), std::string("deep"));
  int fd = T_SYS(open(".", O_RDONLY | O_DIRECTORY));
  for (int i = 0; i < 60; i++) {
    int next = T_SYS(openat(fd, ("d" + std::to_string(i)).c_str(), O_RDONLY | O_DIRECTORY));
    close(fd);
    fd = next;
  }
  T_SYS(unlinkat(fd, "leaf", 0));
  close(fd);
  for (int i = 59; i >= 0; i--) {
    T_SYS(rmdir(p.c_str()));
    p = p.substr(0, p.rfind('/'));
  }
  T_EQ(list_dir(".").size(), 0u);
}

CHECK(dir, dotdot_of_root_of_check, ".. of a subdirectory is its parent") {
  mk("a");
  mk("a/b");
  T_EQ(st("a/b/..").st_ino, st("a").st_ino);
  T_EQ(st("a/b/../..").st_ino, st(".").st_ino);
  T_EQ(st("a/./b/.").st_ino, st("a/b").st_ino);
}
