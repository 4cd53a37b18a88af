// SPDX-License-Identifier: LGPL-2.1-or-later
// rename(2) and renameat2(2): every POSIX rule, RENAME_NOREPLACE and
// RENAME_EXCHANGE.
#include "conformance.h"

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdio>

using namespace conf;

static int rename2(const char *a, const char *b, unsigned flags) {
  return renameat2(AT_FDCWD, a, AT_FDCWD, b, flags);
}

CHECK(rename, file_to_new_name, "a file renamed keeps its inode and content") {
  put("a", "content");
  ino_t ino = st("a").st_ino;
  T_SYS(rename("a", "b"));
  T_TRUE(!exists("a"));
  T_EQ(st("b").st_ino, ino);
  T_EQ(get("b"), std::string("content"));
}

CHECK(rename, file_over_file, "renaming over a file replaces it; open descriptors of the old one live on") {
  put("a", "new");
  put("b", "old");
  int fd = T_SYS(open("b", O_RDONLY));
  ino_t ia = st("a").st_ino;
  T_SYS(rename("a", "b"));
  T_TRUE(!exists("a"));
  T_EQ(st("b").st_ino, ia);
  T_EQ(get("b"), std::string("new"));
  T_EQ(fst(fd).st_nlink, 0u);
  T_EQ(read_fd_at(fd, 10, 0), std::string("old"));
  close(fd);
  T_EQ(list_dir("."), (std::vector<std::string>{"b"}));
}

CHECK(rename, across_directories, "a file moves between directories") {
  mk("d1");
  mk("d2");
  put("d1/f", "x");
  T_SYS(rename("d1/f", "d2/g"));
  T_EQ(list_dir("d1").size(), 0u);
  T_EQ(get("d2/g"), std::string("x"));
}

CHECK(rename, dir_to_new_name, "a directory renamed keeps its content") {
  mk("d");
  put("d/f", "x");
  T_SYS(rename("d", "e"));
  T_EQ(get("e/f"), std::string("x"));
  T_TRUE(!exists("d"));
}

CHECK(rename, dir_over_empty_dir, "a directory replaces an empty directory") {
  mk("a");
  put("a/f", "x");
  mk("b");
  T_SYS(rename("a", "b"));
  T_EQ(get("b/f"), std::string("x"));
  T_TRUE(!exists("a"));
  T_EQ(st(".").st_nlink, 3u);
}

CHECK(rename, dir_over_nonempty_dir, "a directory cannot replace a non-empty one (ENOTEMPTY)") {
  mk("a");
  mk("b");
  put("b/f", "");
  T_ERRNO(rename("a", "b"), ENOTEMPTY, EEXIST);
  T_TRUE(exists("a") && exists("b/f"));
}

CHECK(rename, dir_into_itself, "moving a directory under itself is EINVAL") {
  mk("a");
  mk("a/b");
  T_ERRNO(rename("a", "a/b/c"), EINVAL);
  T_ERRNO(rename("a", "a/c"), EINVAL);
  T_ERRNO(rename("a/b/..", "a/b/c"), EINVAL, EBUSY);
  T_TRUE(exists("a/b"));
}

CHECK(rename, dir_over_ancestor, "replacing an ancestor of the source is ENOTEMPTY") {
  mk("a");
  mk("a/b");
  T_ERRNO(rename("a/b", "a"), ENOTEMPTY, EEXIST, EINVAL);
  T_TRUE(exists("a/b"));
}

CHECK(rename, file_over_dir, "a file cannot replace a directory (EISDIR)") {
  put("f", "");
  mk("d");
  T_ERRNO(rename("f", "d"), EISDIR);
  T_TRUE(exists("f"));
}

CHECK(rename, dir_over_file, "a directory cannot replace a file (ENOTDIR)") {
  put("f", "");
  mk("d");
  T_ERRNO(rename("d", "f"), ENOTDIR);
  T_TRUE(S_ISDIR(st("d").st_mode));
}

CHECK(rename, same_name, "renaming a name to itself does nothing") {
  put("f", "x");
  mk("d");
  T_SYS(rename("f", "f"));
  T_SYS(rename("d", "d"));
  T_EQ(get("f"), std::string("x"));
  T_TRUE(S_ISDIR(st("d").st_mode));
}

CHECK(rename, hard_links_of_one_file, "renaming one hard link over another of the same file does nothing") {
  put("a", "x");
  T_SYS(link("a", "b"));
  T_SYS(rename("a", "b"));
  T_TRUE(exists("a") && exists("b"));
  T_EQ(st("a").st_nlink, 2u);
}

CHECK(rename, missing_source_or_parent, "rename: ENOENT for a missing source or target directory") {
  put("f", "");
  T_ERRNO(rename("missing", "x"), ENOENT);
  T_ERRNO(rename("f", "missing/x"), ENOENT);
  T_ERRNO(rename("f", "f/x"), ENOTDIR);
  T_ERRNO(rename("", "x"), ENOENT);
  T_TRUE(exists("f"));
}

CHECK(rename, dots, "renaming . or .. is refused") {
  mk("d");
  T_ERRNO(rename("d/.", "x"), EINVAL, EBUSY);
  T_ERRNO(rename("d/..", "x"), EINVAL, EBUSY);
  T_ERRNO(rename("x", "d/."), ENOENT, EINVAL, EBUSY);
  put("f", "");
  T_ERRNO(rename("f", "d/."), EINVAL, EBUSY, EISDIR, EEXIST);
  T_TRUE(exists("f"));
}

CHECK(rename, trailing_slash, "a trailing slash means a directory") {
  mk("d");
  put("f", "");
  T_SYS(rename("d/", "e/"));
  T_TRUE(S_ISDIR(st("e").st_mode));
  T_ERRNO(rename("f/", "g"), ENOTDIR);
  T_ERRNO(rename("f", "g/"), ENOTDIR);
  T_TRUE(exists("f") && !exists("g"));
}

CHECK(rename, dir_link_counts, "moving a directory updates both parents and its '..'") {
  mk("p1");
  mk("p2");
  mk("p1/d");
  T_EQ(st("p1").st_nlink, 3u);
  T_SYS(rename("p1/d", "p2/d"));
  T_EQ(st("p1").st_nlink, 2u);
  T_EQ(st("p2").st_nlink, 3u);
  T_EQ(st("p2/d/..").st_ino, st("p2").st_ino);
  // Over an empty directory in another parent.
  mk("p1/e");
  T_SYS(rename("p2/d", "p1/e"));
  T_EQ(st("p1").st_nlink, 3u);
  T_EQ(st("p2").st_nlink, 2u);
}

CHECK(rename, symlink_itself, "renaming a symlink moves the link, not its target") {
  put("t", "x");
  T_SYS(symlink("t", "l"));
  T_SYS(rename("l", "m"));
  T_TRUE(S_ISLNK(lst("m").st_mode));
  T_EQ(get("m"), std::string("x"));
  T_TRUE(exists("t"));
}

CHECK(rename, open_directory, "an open directory can be renamed and still used") {
  mk("d");
  put("d/f", "x");
  int fd = T_SYS(open("d", O_RDONLY | O_DIRECTORY));
  T_SYS(rename("d", "e"));
  int f = T_SYS(openat(fd, "f", O_RDONLY));
  close(f);
  T_SYS(mkdirat(fd, "sub", 0755));
  T_TRUE(exists("e/sub"));
  close(fd);
}

CHECK(rename, noreplace, "RENAME_NOREPLACE refuses an existing target (EEXIST)") {
  put("a", "a");
  put("b", "b");
  T_ERRNO(rename2("a", "b", RENAME_NOREPLACE), EEXIST);
  T_EQ(get("b"), std::string("b"));
  T_SYS(rename2("a", "c", RENAME_NOREPLACE));
  T_EQ(get("c"), std::string("a"));
  T_TRUE(!exists("a"));
  mk("d");
  T_ERRNO(rename2("c", "d", RENAME_NOREPLACE), EEXIST);
}

CHECK(rename, exchange_files, "RENAME_EXCHANGE swaps two files") {
  put("a", "A");
  put("b", "B");
  ino_t ia = st("a").st_ino, ib = st("b").st_ino;
  T_SYS(rename2("a", "b", RENAME_EXCHANGE));
  T_EQ(get("a"), std::string("B"));
  T_EQ(get("b"), std::string("A"));
  T_EQ(st("a").st_ino, ib);
  T_EQ(st("b").st_ino, ia);
}

CHECK(rename, exchange_file_and_dir, "RENAME_EXCHANGE swaps a file and a directory across parents") {
  mk("p1");
  mk("p2");
  put("p1/f", "F");
  mk("p2/d");
  put("p2/d/inner", "I");
  T_SYS(rename2("p1/f", "p2/d", RENAME_EXCHANGE));
  T_TRUE(S_ISDIR(st("p1/f").st_mode));
  T_EQ(get("p1/f/inner"), std::string("I"));
  T_EQ(get("p2/d"), std::string("F"));
  T_EQ(st("p1").st_nlink, 3u);
  T_EQ(st("p2").st_nlink, 2u);
  T_EQ(st("p1/f/..").st_ino, st("p1").st_ino);
}

CHECK(rename, exchange_errors, "RENAME_EXCHANGE needs both names; it cannot go with NOREPLACE") {
  put("a", "");
  T_ERRNO(rename2("a", "missing", RENAME_EXCHANGE), ENOENT);
  T_ERRNO(rename2("missing", "a", RENAME_EXCHANGE), ENOENT);
  put("b", "");
  T_ERRNO(rename2("a", "b", RENAME_EXCHANGE | RENAME_NOREPLACE), EINVAL);
  mk("d");
  mk("d/sub");
  T_ERRNO(rename2("d", "d/sub", RENAME_EXCHANGE), EINVAL);
  T_TRUE(exists("a") && exists("b") && exists("d/sub"));
}

CHECK(rename, unknown_flags, "renameat2 with an unknown flag is EINVAL") {
  put("a", "");
  T_ERRNO(rename2("a", "b", 1u << 20), EINVAL);
  T_TRUE(exists("a"));
}

CHECK(rename, many_in_one_directory, "a thousand renames keep every file and its content") {
  for (int i = 0; i < 500; i++) put("f" + std::to_string(i), std::to_string(i));
  for (int i = 0; i < 500; i++)
    T_SYS(rename(("f" + std::to_string(i)).c_str(), ("g" + std::to_string(i)).c_str()));
  for (int i = 0; i < 500; i += 2)
    T_SYS(rename(("g" + std::to_string(i)).c_str(), ("g" + std::to_string(i + 1)).c_str()));
  auto names = list_dir(".");
  T_EQ(names.size(), 250u);
  for (int i = 1; i < 500; i += 2)
    T_EQ(get("g" + std::to_string(i)), std::to_string(i - 1));
}
