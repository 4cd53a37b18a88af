// SPDX-License-Identifier: LGPL-2.1-or-later
// Extended attributes: user., trusted. and security. namespaces, CREATE and
// REPLACE, ENODATA, ERANGE, listing, limits.
#include "conformance.h"

#include <fcntl.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

using namespace conf;

// Sets a user xattr, skipping the check where user xattrs are unsupported.
static void set_user(const char *path, const char *name, const std::string &v, int flags = 0) {
  T_FEATURE(setxattr(path, name, v.data(), v.size(), flags), "user xattrs");
}

static std::string get_x(const char *path, const char *name) {
  std::string b(65536, '\0');
  long n = T_SYS(getxattr(path, name, &b[0], b.size()));
  return b.substr(0, (size_t)n);
}

static std::vector<std::string> list_x(const char *path) {
  std::string b(65536, '\0');
  long n = T_SYS(listxattr(path, &b[0], b.size()));
  std::vector<std::string> names;
  for (size_t i = 0; i < (size_t)n;) {
    std::string name(b.c_str() + i);
    names.push_back(name);
    i += name.size() + 1;
  }
  std::sort(names.begin(), names.end());
  return names;
}

CHECK(xattr, set_get, "a user xattr reads back exactly") {
  put("f", "");
  set_user("f", "user.color", "blue");
  T_EQ(get_x("f", "user.color"), std::string("blue"));
  set_user("f", "user.color", "a longer value than before");
  T_EQ(get_x("f", "user.color"), std::string("a longer value than before"));
  set_user("f", "user.color", "x");
  T_EQ(get_x("f", "user.color"), std::string("x"));
}

CHECK(xattr, binary_and_empty_values, "values may be empty or hold any bytes") {
  put("f", "");
  std::string bin("\0\x01\xff\0z", 5);
  set_user("f", "user.bin", bin);
  set_user("f", "user.empty", "");
  T_EQ(get_x("f", "user.bin"), bin);
  T_EQ(get_x("f", "user.empty"), std::string());
  T_EQ(T_SYS(getxattr("f", "user.empty", nullptr, 0)), 0);
}

CHECK(xattr, missing_is_enodata, "getting or removing an absent xattr is ENODATA") {
  put("f", "");
  set_user("f", "user.present", "1");
  char b[8];
  T_ERRNO(getxattr("f", "user.absent", b, sizeof b), ENODATA);
  T_ERRNO(removexattr("f", "user.absent"), ENODATA);
  T_ERRNO(getxattr("missing", "user.x", b, sizeof b), ENOENT);
}

CHECK(xattr, create_flag, "XATTR_CREATE refuses an existing name (EEXIST)") {
  put("f", "");
  set_user("f", "user.k", "1", XATTR_CREATE);
  T_ERRNO(setxattr("f", "user.k", "2", 1, XATTR_CREATE), EEXIST);
  T_EQ(get_x("f", "user.k"), std::string("1"));
}

CHECK(xattr, replace_flag, "XATTR_REPLACE refuses an absent name (ENODATA)") {
  put("f", "");
  set_user("f", "user.other", "");
  T_ERRNO(setxattr("f", "user.k", "2", 1, XATTR_REPLACE), ENODATA);
  T_SYS(setxattr("f", "user.other", "new", 3, XATTR_REPLACE));
  T_EQ(get_x("f", "user.other"), std::string("new"));
  T_ERRNO(setxattr("f", "user.k", "2", 1, XATTR_CREATE | XATTR_REPLACE), EINVAL, ENODATA, EEXIST);
}

CHECK(xattr, size_query_and_erange, "size 0 asks for the size; a small buffer is ERANGE") {
  put("f", "");
  set_user("f", "user.k", "twelve bytes");
  T_EQ(T_SYS(getxattr("f", "user.k", nullptr, 0)), 12);
  char b[4];
  T_ERRNO(getxattr("f", "user.k", b, sizeof b), ERANGE);
  long n = T_SYS(listxattr("f", nullptr, 0));
  T_GE(n, (long)strlen("user.k") + 1);
  T_ERRNO(listxattr("f", b, 3), ERANGE);
}

CHECK(xattr, list, "listxattr names every xattr once") {
  put("f", "");
  for (int i = 0; i < 20; i++)
    set_user("f", ("user.n" + std::to_string(i)).c_str(), std::to_string(i));
  std::vector<std::string> want;
  for (int i = 0; i < 20; i++) want.push_back("user.n" + std::to_string(i));
  std::sort(want.begin(), want.end());
  auto got = list_x("f");
  // Other namespaces (security.selinux, …) may be listed too.
  std::vector<std::string> user;
  for (auto &n : got)
    if (n.rfind("user.", 0) == 0) user.push_back(n);
  T_EQ(user, want);
}

CHECK(xattr, remove, "removexattr removes one xattr") {
  put("f", "");
  set_user("f", "user.a", "1");
  set_user("f", "user.b", "2");
  T_SYS(removexattr("f", "user.a"));
  char b[8];
  T_ERRNO(getxattr("f", "user.a", b, sizeof b), ENODATA);
  T_EQ(get_x("f", "user.b"), std::string("2"));
  auto names = list_x("f");
  T_TRUE(std::find(names.begin(), names.end(), "user.a") == names.end());
}

CHECK(xattr, large_value, "values of 4 KiB and 60 KiB are kept") {
  put("f", "");
  std::string v = pattern(4096, 3);
  set_user("f", "user.big", v);
  T_EQ(get_x("f", "user.big"), v);
  std::string w = pattern(60000, 4);
  int r = setxattr("f", "user.bigger", w.data(), w.size(), 0);
  if (r != 0 && (errno == ENOSPC || errno == E2BIG))
    skip("this file system keeps at most " + std::to_string(v.size()) + "+ bytes per value");
  T_SYS(r);
  T_EQ(get_x("f", "user.bigger"), w);
}

CHECK(xattr, limits, "a value over 64 KiB is E2BIG; a name over 255 bytes is ERANGE") {
  put("f", "");
  set_user("f", "user.ok", "1");
  std::string v(65537, 'v');
  T_ERRNO(setxattr("f", "user.huge", v.data(), v.size(), 0), E2BIG);
  std::string name = "user." + std::string(251, 'n');
  T_ERRNO(setxattr("f", name.c_str(), "1", 1, 0), ERANGE);
  T_ERRNO(setxattr("f", "", "1", 1, 0), ERANGE, EINVAL);
  T_ERRNO(setxattr("f", "user.", "1", 1, 0), EINVAL);
}

CHECK(xattr, unknown_namespace, "a name outside the known namespaces is EOPNOTSUPP") {
  put("f", "");
  T_ERRNO(setxattr("f", "nonsense.k", "1", 1, 0), EOPNOTSUPP);
  T_ERRNO(setxattr("f", "nonamespace", "1", 1, 0), EOPNOTSUPP);
}

CHECK(xattr, trusted, "trusted.* xattrs work for root") {
  need_root();
  put("f", "");
  T_FEATURE(setxattr("f", "trusted.k", "tv", 2, 0), "trusted xattrs");
  T_EQ(get_x("f", "trusted.k"), std::string("tv"));
  auto names = list_x("f");
  T_TRUE(std::find(names.begin(), names.end(), "trusted.k") != names.end());
  T_SYS(removexattr("f", "trusted.k"));
}

CHECK(xattr, security, "security.* xattrs work for root") {
  need_root();
  put("f", "");
  T_FEATURE(setxattr("f", "security.vfsdtest", "sv", 2, 0), "security xattrs");
  T_EQ(get_x("f", "security.vfsdtest"), std::string("sv"));
  T_SYS(removexattr("f", "security.vfsdtest"));
}

CHECK(xattr, on_directory, "directories carry xattrs") {
  mk("d");
  set_user("d", "user.d", "dir");
  T_EQ(get_x("d", "user.d"), std::string("dir"));
}

CHECK(xattr, symlink_user_refused, "user.* xattrs on a symlink itself are EPERM") {
  put("f", "");
  T_SYS(symlink("f", "l"));
  set_user("f", "user.t", "target");
  T_ERRNO(lsetxattr("l", "user.k", "1", 1, 0), EPERM);
  // Without l-, the call follows the link.
  T_EQ(get_x("l", "user.t"), std::string("target"));
}

CHECK(xattr, symlink_trusted, "trusted.* xattrs on a symlink itself (root)") {
  need_root();
  put("f", "");
  T_SYS(symlink("f", "l"));
  T_FEATURE(lsetxattr("l", "trusted.k", "link", 4, 0), "trusted xattrs on symlinks");
  char b[8];
  long n = T_SYS(lgetxattr("l", "trusted.k", b, sizeof b));
  T_EQ(std::string(b, (size_t)n), std::string("link"));
  T_ERRNO(getxattr("f", "trusted.k", b, sizeof b), ENODATA);
}

CHECK(xattr, by_descriptor, "fsetxattr and fgetxattr on an open file, unlinked too") {
  put("f", "");
  int fd = T_SYS(open("f", O_RDWR));
  T_FEATURE(fsetxattr(fd, "user.k", "fd", 2, 0), "user xattrs");
  T_SYS(unlink("f"));
  char b[8];
  long n = T_SYS(fgetxattr(fd, "user.k", b, sizeof b));
  T_EQ(std::string(b, (size_t)n), std::string("fd"));
  T_SYS(fremovexattr(fd, "user.k"));
  close(fd);
}

CHECK(xattr, follow_the_inode, "xattrs stay with the inode across rename and hard links") {
  put("f", "");
  set_user("f", "user.k", "v");
  T_SYS(rename("f", "g"));
  T_SYS(link("g", "h"));
  T_EQ(get_x("h", "user.k"), std::string("v"));
  set_user("h", "user.k", "w");
  T_EQ(get_x("g", "user.k"), std::string("w"));
}

CHECK(xattr, many_on_one_file, "a file with 200 xattrs keeps them all") {
  put("f", "");
  for (int i = 0; i < 200; i++)
    set_user("f", ("user.attr-" + std::to_string(i)).c_str(), pattern(40, (unsigned)i));
  for (int i = 0; i < 200; i += 13)
    T_EQ(get_x("f", ("user.attr-" + std::to_string(i)).c_str()), pattern(40, (unsigned)i));
  int user = 0;
  for (auto &n : list_x("f")) user += n.rfind("user.", 0) == 0;
  T_EQ(user, 200);
}
