// SPDX-License-Identifier: LGPL-2.1-or-later
// Permissions as other users see them: owner, group and other bits,
// supplementary groups, directories, sticky and setgid directories, who may
// chmod, chown and set times, and setuid/setgid bits cleared on write,
// truncate and chown.  Every check needs root, to act as users 4242 and 4343
// (run through the --do helper), and a mount other users may enter.
#include "conformance.h"

#include <fcntl.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <unistd.h>

using namespace conf;

static const Cred &U1 = kUser1, &U2 = kUser2, &U1x = kUser1Extra;
static const int OK = 0;

// A file @path with @data, owned by @uid:@gid with @mode.
static void own(const std::string &path, uid_t uid, gid_t gid, mode_t mode,
                const std::string &data = "data") {
  if (!exists(path)) put(path, data);
  T_SYS(chown(path.c_str(), uid, gid));
  T_SYS(chmod(path.c_str(), mode));
}

static void own_dir(const std::string &path, uid_t uid, gid_t gid, mode_t mode) {
  if (!exists(path)) mk(path);
  T_SYS(chown(path.c_str(), uid, gid));
  T_SYS(chmod(path.c_str(), mode));
}

static mode_t mode_of(const std::string &path) { return st(path).st_mode & 07777; }

CHECK(perm, owner_bits, "the owner gets the owner bits") {
  need_other_users();
  own("f", 4242, 4242, 0400);
  T_AS(U1, OK, "open", "f", "r");
  T_AS(U1, EACCES, "open", "f", "w");
  T_SYS(chmod("f", 0200));
  T_AS(U1, EACCES, "open", "f", "r");
  T_AS(U1, OK, "open", "f", "w");
  T_SYS(chmod("f", 0));
  T_AS(U1, EACCES, "open", "f", "r");
  T_AS(U1, EACCES, "open", "f", "w");
}

CHECK(perm, group_bits, "members of the file's group get the group bits") {
  need_other_users();
  own("f", 4343, 4242, 0040);
  T_AS(U1, OK, "open", "f", "r");
  T_AS(U1, EACCES, "open", "f", "w");
  T_AS(U2, EACCES, "open", "f", "r");  // the owner class applies to the owner
}

CHECK(perm, other_bits, "everyone else gets the other bits") {
  need_other_users();
  own("f", 0, 0, 0004);
  T_AS(U1, OK, "open", "f", "r");
  T_AS(U1, EACCES, "open", "f", "w");
  T_SYS(chmod("f", 0002));
  T_AS(U1, OK, "open", "f", "w");
  T_AS(U1, EACCES, "open", "f", "r");
}

CHECK(perm, owner_class_first, "an owner is judged by the owner bits even if the group bits allow more") {
  need_other_users();
  own("f", 4242, 4242, 0070);
  T_AS(U1, EACCES, "open", "f", "r");
  own("g", 4242, 4343, 0007);
  T_AS(U1, EACCES, "open", "g", "r");
}

CHECK(perm, supplementary_groups, "supplementary groups grant group access") {
  need_other_users();
  own("f", 0, kExtraGroup, 0040);
  T_AS(U1, EACCES, "open", "f", "r");
  T_AS(U1x, OK, "open", "f", "r");
}

CHECK(perm, directory_search, "x on a directory lets a name be looked up, r lets it be listed") {
  need_other_users();
  own_dir("d", 0, 0, 0700);
  put("d/f", "x");
  T_AS(U1, EACCES, "stat", "d/f");
  T_AS(U1, EACCES, "listdir", "d");
  T_SYS(chmod("d", 0711));
  T_AS(U1, OK, "stat", "d/f");
  T_AS(U1, OK, "read", "d/f");
  T_AS(U1, EACCES, "listdir", "d");
  T_SYS(chmod("d", 0744));
  T_AS(U1, OK, "listdir", "d");
  T_AS(U1, EACCES, "stat", "d/f");
}

CHECK(perm, directory_write, "creating and removing names needs write and search on the directory") {
  need_other_users();
  own_dir("d", 0, 0, 0755);
  own("d/f", 4242, 4242, 0644);  // theirs, so link() is not refused for that
  T_AS(U1, EACCES, "create", "d/new", "0644");
  T_AS(U1, EACCES, "unlink", "d/f");
  T_AS(U1, EACCES, "rename", "d/f", "d/g");
  T_AS(U1, EACCES, "mkdir", "d/sub", "0755");
  T_AS(U1, EACCES, "symlink", "x", "d/l");
  T_AS(U1, EACCES, "link", "d/f", "d/h");
  T_SYS(chmod("d", 0776));  // write without search is not enough
  T_AS(U1, EACCES, "create", "d/new", "0644");
  T_SYS(chmod("d", 0777));
  T_AS(U1, OK, "create", "d/new", "0644");
  T_AS(U1, OK, "rename", "d/f", "d/g");
  T_AS(U1, OK, "unlink", "d/g");
  T_AS(U1, OK, "mkdir", "d/sub", "0755");
  T_EQ(st("d/new").st_uid, 4242u);
  T_EQ(st("d/sub").st_gid, 4242u);
}

CHECK(perm, write_without_read_dir, "a directory with wx but no r: create yes, list no") {
  need_other_users();
  own_dir("d", 0, 0, 0733);
  T_AS(U1, OK, "create", "d/f", "0644");
  T_AS(U1, EACCES, "listdir", "d");
  T_AS(U1, OK, "stat", "d/f");
}

CHECK(perm, chmod_only_owner, "only the owner (or root) may chmod") {
  need_other_users();
  own("mine", 4242, 4242, 0644);
  own("theirs", 4343, 4343, 0666);
  T_AS(U1, OK, "chmod", "mine", "0600");
  T_EQ(mode_of("mine"), 0600u);
  T_AS(U1, EPERM, "chmod", "theirs", "0600");
  T_EQ(mode_of("theirs"), 0666u);
}

CHECK(perm, chown_rules, "users cannot give files away; they may change the group to one of theirs") {
  need_other_users();
  own("f", 4242, 4242, 0644);
  T_AS(U1, EPERM, "chown", "f", "4343", "-1");
  T_AS(U1, EPERM, "chown", "f", "-1", "4444");
  T_AS(U1, OK, "chown", "f", "4242", "-1");
  T_AS(U1x, OK, "chown", "f", "-1", "4444");
  T_EQ(st("f").st_gid, 4444u);
  T_EQ(st("f").st_uid, 4242u);
  own("g", 4343, 4343, 0666);
  T_AS(U1, EPERM, "chown", "g", "-1", "4242");
}

CHECK(perm, chgrp_clears_setid, "a user changing the group clears setuid and setgid") {
  need_other_users();
  own("f", 4242, 4242, 06755);
  T_AS(U1x, OK, "chown", "f", "-1", "4444");
  T_EQ(mode_of("f"), 0755u);
}

CHECK(perm, chgrp_dir_keeps_setid, "a user changing a directory's owner or group keeps its setuid and setgid") {
  need_other_users();
  own_dir("d", 4242, 4242, 06555);
  T_AS(U1x, OK, "chown", "d", "4242", "4444");
  T_EQ(mode_of("d"), 06555u);
  T_SYS(chmod("d", 06555));
  T_AS(U1x, OK, "chown", "d", "-1", "4242");
  T_EQ(mode_of("d"), 06555u);
  T_SYS(chmod("d", 06755));
  T_AS(U1x, OK, "chown", "d", "4242", "4242");
  T_EQ(mode_of("d"), 06755u);
}

CHECK(perm, chmod_setgid_not_member, "setting setgid on a file of a foreign group silently drops it") {
  need_other_users();
  own("f", 4242, 4343, 0644);
  T_AS(U1, OK, "chmod", "f", "02755");
  T_EQ(mode_of("f"), 0755u);
  own("g", 4242, 4242, 0644);
  T_AS(U1, OK, "chmod", "g", "02755");
  T_EQ(mode_of("g"), 02755u);
}

CHECK(perm, utime_rules, "writers may set the current time; only owners may set explicit times") {
  need_other_users();
  own("w", 0, 0, 0666);
  T_AS(U1, OK, "utimens-null", "w");
  T_AS(U1, OK, "utimens", "w", "now", "now");
  T_AS(U1, EPERM, "utimens", "w", "100", "100");
  T_AS(U1, EPERM, "utimens", "w", "now", "omit");  // POSIX: mixing needs owner
  own("r", 0, 0, 0644);
  T_AS(U1, EACCES, "utimens-null", "r");
  own("mine", 4242, 4242, 0444);
  T_AS(U1, OK, "utimens", "mine", "100", "200");
  T_EQ(st("mine").st_mtim.tv_sec, 200);
}

CHECK(perm, truncate_needs_write, "truncate needs write permission") {
  need_other_users();
  own("f", 0, 0, 0644, "abc");
  T_AS(U1, EACCES, "truncate", "f", "0");
  T_SYS(chmod("f", 0646));
  T_AS(U1, OK, "truncate", "f", "1");
  T_EQ(st("f").st_size, (off_t)1);
}

CHECK(perm, sticky_directory, "in a sticky directory only the file's or directory's owner may remove it") {
  need_other_users();
  own_dir("t", 0, 0, 01777);
  T_AS(U1, OK, "create", "t/a", "0666");
  T_AS(U2, OK, "create", "t/b", "0666");
  T_SYS(chmod("t/a", 0666));
  T_AS(U2, EPERM, "unlink", "t/a");
  T_AS(U2, EPERM, "rename", "t/a", "t/c");
  T_AS(U2, EPERM, "rename", "t/b", "t/a");  // nor replace it
  T_AS(U2, OK, "write", "t/a", "x");       // writing is another matter
  T_AS(U1, OK, "unlink", "t/a");
  T_SYS(unlink("t/b"));                   // root may
  own_dir("u", 4343, 4343, 01777);          // the directory's owner may
  T_AS(U1, OK, "create", "u/a", "0644");
  T_AS(U2, OK, "unlink", "u/a");
}

CHECK(perm, setgid_directory, "files made in a setgid directory take its group; subdirectories inherit the bit") {
  need_other_users();
  own_dir("g", 0, kExtraGroup, 02777);
  T_AS(U1, OK, "create", "g/f", "0644");
  T_AS(U1, OK, "mkdir", "g/sub", "0755");
  T_EQ(st("g/f").st_gid, kExtraGroup);
  T_EQ(st("g/sub").st_gid, kExtraGroup);
  T_TRUE(st("g/sub").st_mode & S_ISGID);
  T_EQ(st("g/f").st_uid, 4242u);
}

CHECK(perm, write_clears_setid, "a user's write clears setuid, and setgid when group-executable") {
  need_other_users();
  own("f", 0, 0, 06777);
  T_AS(U1, OK, "write", "f", "x");
  T_EQ(mode_of("f"), 0777u);
  own("mine", 4242, 4242, 04755);
  T_AS(U1, OK, "write", "mine", "x");
  T_EQ(mode_of("mine"), 0755u);
}

CHECK(perm, write_sgid_without_gexec, "setgid without group execute survives a write by a group member only") {
  need_other_users();
  own("f", 0, 4242, 02666);
  T_AS(U1, OK, "write", "f", "x");
  T_EQ(mode_of("f"), 02666u);
  T_AS(U2, OK, "write", "f", "y");
  T_EQ(mode_of("f"), 0666u);
}

CHECK(perm, truncate_clears_setid, "a user's truncate clears setuid and setgid") {
  need_other_users();
  own("f", 0, 0, 06777, "abcdef");
  T_AS(U1, OK, "truncate", "f", "2");
  T_EQ(mode_of("f"), 0777u);
}

CHECK(perm, root_write_keeps_setid, "root's writes keep setuid and setgid") {
  need_root();
  put("f", "abc");
  T_SYS(chmod("f", 06755));
  int fd = T_SYS(open("f", O_WRONLY));
  write_fd_at(fd, "x", 0);
  close(fd);
  T_EQ(mode_of("f"), 06755u);
}

CHECK(perm, root_overrides, "root reads and writes regardless of the bits, but executes only with an x bit") {
  need_root();
  struct statvfs sv;
  T_SYS(statvfs(".", &sv));
  put("f", "#!/bin/sh\nexit 0\n");
  T_SYS(chmod("f", 0));
  T_SYS(close(T_SYS(open("f", O_RDWR))));
  if (!(sv.f_flag & ST_NOEXEC)) {
    T_EQ(run_do(nullptr, {"exec", "./f"}).err, EACCES);
    T_SYS(chmod("f", 0100));
    T_EQ(run_do(nullptr, {"exec", "./f"}).err, 0);
  }
  mk("d");
  T_SYS(chmod("d", 0));
  put("d/x", "");
  T_EQ(list_dir("d").size(), 1u);
}

CHECK(perm, access_call, "access() answers for the real user") {
  need_other_users();
  own("f", 0, 0, 0604);
  T_AS(U1, OK, "access", "f", "r");
  T_AS(U1, EACCES, "access", "f", "w");
  T_AS(U1, EACCES, "access", "f", "x");
  T_AS(U1, OK, "access", "f", "F");
  own_dir("d", 0, 0, 0701);
  T_AS(U1, OK, "access", "d", "x");
  T_AS(U1, EACCES, "access", "d", "r");
}

CHECK(perm, o_noatime_needs_owner, "O_NOATIME is only for the file's owner") {
  need_other_users();
  own("f", 0, 0, 0644);
  T_AS(U1, EPERM, "open", "f", "rA");
  own("mine", 4242, 4242, 0644);
  T_AS(U1, OK, "open", "mine", "rA");
}

CHECK(perm, exec_needs_x, "a user executes only with an x bit for them") {
  need_other_users();
  struct statvfs sv;
  T_SYS(statvfs(".", &sv));
  if (sv.f_flag & ST_NOEXEC) skip("mounted noexec");
  own("s", 0, 0, 0744, "#!/bin/sh\nexit 3\n");
  T_AS(U1, EACCES, "exec", "./s");
  T_SYS(chmod("s", 0745));
  DoResult r = run_do(&U1, {"exec", "./s"});
  T_EQ(r.err, 0);
  T_EQ(r.out, std::string("3\n"));
}

CHECK(perm, user_xattrs_follow_bits, "user.* xattrs need read to get and write to set") {
  need_other_users();
  own("f", 0, 0, 0644);
  T_FEATURE(setxattr("f", "user.k", "v", 1, 0), "user xattrs");
  T_AS(U1, OK, "getxattr", "f", "user.k");
  T_AS(U1, EACCES, "setxattr", "f", "user.k", "w");
  T_AS(U1, EACCES, "removexattr", "f", "user.k");
  T_SYS(chmod("f", 0640));
  T_AS(U1, EACCES, "getxattr", "f", "user.k");
  T_SYS(chmod("f", 0646));
  T_AS(U1, OK, "setxattr", "f", "user.k", "w");
  T_AS(U1, OK, "removexattr", "f", "user.k");
}

CHECK(perm, trusted_xattrs_root_only, "trusted.* xattrs are invisible and untouchable for users") {
  need_other_users();
  own("f", 4242, 4242, 0666);
  T_FEATURE(setxattr("f", "trusted.k", "v", 1, 0), "trusted xattrs");
  T_AS(U1, ENODATA, "getxattr", "f", "trusted.k");
  T_AS(U1, EPERM, "setxattr", "f", "trusted.j", "v");
  T_AS(U1, EPERM, "removexattr", "f", "trusted.k");
  char b[8];
  T_EQ(T_SYS(getxattr("f", "trusted.k", b, sizeof b)), 1);
}

CHECK(perm, move_directory_needs_write_on_it, "moving a directory to another parent needs write on it ('..' changes)") {
  need_other_users();
  own_dir("p1", 4242, 4242, 0755);
  own_dir("p2", 4242, 4242, 0755);
  own_dir("p1/sub", 0, 0, 0755);
  T_AS(U1, EACCES, "rename", "p1/sub", "p2/sub");
  T_AS(U1, OK, "rename", "p1/sub", "p1/renamed");  // same parent: fine
  T_SYS(chmod("p1/renamed", 0777));
  T_AS(U1, OK, "rename", "p1/renamed", "p2/sub");
}

CHECK(perm, new_files_owned_by_creator, "files a user creates belong to them and their group") {
  need_other_users();
  T_SYS(chmod(".", 0777));
  T_AS(U1, OK, "create", "f", "0640");
  T_AS(U1x, OK, "mkdir", "d", "0750");
  T_AS(U2, OK, "symlink", "f", "l");
  T_AS(U2, OK, "mkfifo", "p");
  T_EQ(st("f").st_uid, 4242u);
  T_EQ(st("f").st_gid, 4242u);
  T_EQ(mode_of("f"), 0640u);
  T_EQ(st("d").st_gid, 4242u);
  T_EQ(lst("l").st_uid, 4343u);
  T_EQ(lst("p").st_gid, 4343u);
  T_SYS(chmod(".", 0755));
}
