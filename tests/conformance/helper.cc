// SPDX-License-Identifier: LGPL-2.1-or-later
// `vfsd-conformance [--as-user UID:GID[:G,…]] --do OP ARGS…`: performs one
// operation — usually as another user — and prints "OK" (and any result on
// the following lines) or the name of the errno it failed with ("EACCES").
// Checks start it with run_do()/as(); Holder keeps one running (holding a
// lock) until its stdin closes.
#include "conformance.h"

#include <dirent.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/file.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>

extern char **environ;

namespace conf {
namespace {

int open_flags(const std::string &s) {
  int acc = O_RDONLY, f = O_CLOEXEC;
  for (char c : s) switch (c) {
      case 'r': acc = O_RDONLY; break;
      case 'w': acc = O_WRONLY; break;
      case 'b': acc = O_RDWR; break;
      case 'c': f |= O_CREAT; break;
      case 'x': f |= O_EXCL; break;
      case 't': f |= O_TRUNC; break;
      case 'a': f |= O_APPEND; break;
      case 'd': f |= O_DIRECTORY; break;
      case 'n': f |= O_NOFOLLOW; break;
      case 'A': f |= O_NOATIME; break;
      case 'p': f = (f & ~O_ACCMODE) | O_PATH; acc = 0; break;
      default: fprintf(stderr, "bad open flag %c\n", c); exit(2);
    }
  return acc | f;
}

struct timespec parse_time(const std::string &s) {
  struct timespec t = {0, 0};
  if (s == "now") t.tv_nsec = UTIME_NOW;
  else if (s == "omit") t.tv_nsec = UTIME_OMIT;
  else {
    t.tv_sec = strtoll(s.c_str(), nullptr, 10);
    size_t dot = s.find('.');
    if (dot != std::string::npos) t.tv_nsec = strtol(s.c_str() + dot + 1, nullptr, 10);
  }
  return t;
}

long num(const std::string &s) { return strtol(s.c_str(), nullptr, 0); }

struct flock lock_of(const std::string &type, const std::string &start,
                     const std::string &len) {
  struct flock l = {};
  l.l_type = type == "r" ? F_RDLCK : type == "w" ? F_WRLCK : F_UNLCK;
  l.l_whence = SEEK_SET;
  l.l_start = num(start);
  l.l_len = num(len);
  return l;
}

// Waits until stdin is closed (the Holder released us).
void hold() {
  char c;
  while (read(0, &c, 1) > 0) {
  }
}

using Args = std::vector<std::string>;
// Each op returns 0 or -1 with errno set; it may append to @out.
using Op = int (*)(const Args &a, std::string &out);

const std::map<std::string, std::pair<size_t, Op>> &ops() {
  static const std::map<std::string, std::pair<size_t, Op>> m = {
      {"stat", {1, [](const Args &a, std::string &out) {
         struct stat s;
         if (stat(a[0].c_str(), &s) != 0) return -1;
         out = std::to_string(s.st_mode) + " " + std::to_string(s.st_uid) +
               " " + std::to_string(s.st_gid) + "\n";
         return 0;
       }}},
      {"open", {2, [](const Args &a, std::string &) {
         int fd = open(a[0].c_str(), open_flags(a[1]), 0644);
         return fd < 0 ? -1 : close(fd);
       }}},
      {"read", {1, [](const Args &a, std::string &out) {
         int fd = open(a[0].c_str(), O_RDONLY);
         if (fd < 0) return -1;
         char b[4096];
         ssize_t n;
         while ((n = read(fd, b, sizeof b)) > 0) out.append(b, n);
         int e = errno;
         close(fd);
         errno = e;
         return n < 0 ? -1 : 0;
       }}},
      {"write", {2, [](const Args &a, std::string &) {
         int fd = open(a[0].c_str(), O_WRONLY);
         if (fd < 0) return -1;
         ssize_t n = write(fd, a[1].data(), a[1].size());
         int e = errno;
         close(fd);
         errno = e;
         return n < 0 ? -1 : 0;
       }}},
      {"create", {2, [](const Args &a, std::string &) {
         int fd = open(a[0].c_str(), O_WRONLY | O_CREAT | O_EXCL,
                       static_cast<mode_t>(num(a[1])));
         return fd < 0 ? -1 : close(fd);
       }}},
      {"truncate", {2, [](const Args &a, std::string &) {
         return truncate(a[0].c_str(), num(a[1]));
       }}},
      {"mkdir", {2, [](const Args &a, std::string &) {
         return mkdir(a[0].c_str(), static_cast<mode_t>(num(a[1])));
       }}},
      {"rmdir", {1, [](const Args &a, std::string &) { return rmdir(a[0].c_str()); }}},
      {"unlink", {1, [](const Args &a, std::string &) { return unlink(a[0].c_str()); }}},
      {"rename", {2, [](const Args &a, std::string &) {
         return rename(a[0].c_str(), a[1].c_str());
       }}},
      {"link", {2, [](const Args &a, std::string &) {
         return link(a[0].c_str(), a[1].c_str());
       }}},
      {"symlink", {2, [](const Args &a, std::string &) {
         return symlink(a[0].c_str(), a[1].c_str());
       }}},
      {"mkfifo", {1, [](const Args &a, std::string &) { return mkfifo(a[0].c_str(), 0644); }}},
      {"mknod-chr", {1, [](const Args &a, std::string &) {
         return mknod(a[0].c_str(), S_IFCHR | 0600, makedev(1, 3));
       }}},
      {"chmod", {2, [](const Args &a, std::string &) {
         return chmod(a[0].c_str(), static_cast<mode_t>(num(a[1])));
       }}},
      {"chown", {3, [](const Args &a, std::string &) {
         return chown(a[0].c_str(), static_cast<uid_t>(num(a[1])),
                      static_cast<gid_t>(num(a[2])));
       }}},
      {"utimens", {3, [](const Args &a, std::string &) {
         struct timespec t[2] = {parse_time(a[1]), parse_time(a[2])};
         return utimensat(AT_FDCWD, a[0].c_str(), t, 0);
       }}},
      {"utimens-null", {1, [](const Args &a, std::string &) {
         return utimensat(AT_FDCWD, a[0].c_str(), nullptr, 0);
       }}},
      {"access", {2, [](const Args &a, std::string &) {
         int m = 0;
         for (char c : a[1])
           m |= c == 'r' ? R_OK : c == 'w' ? W_OK : c == 'x' ? X_OK : F_OK;
         return access(a[0].c_str(), m);
       }}},
      {"setxattr", {3, [](const Args &a, std::string &) {
         return setxattr(a[0].c_str(), a[1].c_str(), a[2].data(), a[2].size(), 0);
       }}},
      {"getxattr", {2, [](const Args &a, std::string &out) {
         char b[65536];
         ssize_t n = getxattr(a[0].c_str(), a[1].c_str(), b, sizeof b);
         if (n < 0) return -1;
         out.assign(b, static_cast<size_t>(n));
         return 0;
       }}},
      {"removexattr", {2, [](const Args &a, std::string &) {
         return removexattr(a[0].c_str(), a[1].c_str());
       }}},
      {"listdir", {1, [](const Args &a, std::string &out) {
         DIR *d = opendir(a[0].c_str());
         if (d == nullptr) return -1;
         errno = 0;
         while (struct dirent *e = readdir(d))
           if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
             out += std::string(e->d_name) + "\n";
         int e = errno;
         closedir(d);
         errno = e;
         return e ? -1 : 0;
       }}},
      {"exec", {1, [](const Args &a, std::string &out) {
         char *argv[] = {const_cast<char *>(a[0].c_str()), nullptr};
         pid_t pid;
         int r = posix_spawn(&pid, a[0].c_str(), nullptr, nullptr, argv, environ);
         if (r != 0) { errno = r; return -1; }
         int ws;
         waitpid(pid, &ws, 0);
         out = std::to_string(WIFEXITED(ws) ? WEXITSTATUS(ws) : 128) + "\n";
         return 0;
       }}},
      // Locks: "lock PATH r|w|u START LEN" tries once (F_SETLK);
      // "holdlock …" takes it, prints OK, and keeps it until stdin closes;
      // "getlk …" prints the conflicting lock: "TYPE PID" or "unlocked".
      {"lock", {4, [](const Args &a, std::string &) {
         int fd = open(a[0].c_str(), O_RDWR);
         if (fd < 0) return -1;
         struct flock l = lock_of(a[1], a[2], a[3]);
         int r = fcntl(fd, F_SETLK, &l);
         int e = errno;
         close(fd);
         errno = e;
         return r;
       }}},
      {"holdlock", {4, [](const Args &a, std::string &) {
         int fd = open(a[0].c_str(), O_RDWR);
         if (fd < 0) return -1;
         struct flock l = lock_of(a[1], a[2], a[3]);
         if (fcntl(fd, F_SETLK, &l) != 0) return -1;
         printf("OK\n");
         fflush(stdout);
         hold();
         exit(0);
       }}},
      {"getlk", {4, [](const Args &a, std::string &out) {
         int fd = open(a[0].c_str(), O_RDWR);
         if (fd < 0) return -1;
         struct flock l = lock_of(a[1], a[2], a[3]);
         int r = fcntl(fd, F_GETLK, &l);
         close(fd);
         if (r != 0) return -1;
         out = l.l_type == F_UNLCK ? "unlocked\n"
               : std::string(l.l_type == F_WRLCK ? "w " : "r ") +
                     std::to_string(l.l_pid) + " " + std::to_string(l.l_start) +
                     " " + std::to_string(l.l_len) + "\n";
         return 0;
       }}},
      {"flock", {2, [](const Args &a, std::string &) {
         int fd = open(a[0].c_str(), O_RDONLY);
         if (fd < 0) return -1;
         int r = flock(fd, (a[1] == "sh" ? LOCK_SH : LOCK_EX) | LOCK_NB);
         int e = errno;
         close(fd);
         errno = e;
         return r;
       }}},
      {"holdflock", {2, [](const Args &a, std::string &) {
         int fd = open(a[0].c_str(), O_RDONLY);
         if (fd < 0) return -1;
         if (flock(fd, (a[1] == "sh" ? LOCK_SH : LOCK_EX) | LOCK_NB) != 0) return -1;
         printf("OK\n");
         fflush(stdout);
         hold();
         exit(0);
       }}},
      // "create-many DIR PREFIX N": N files DIR/PREFIX0…; prints how many.
      {"create-many", {3, [](const Args &a, std::string &out) {
         long n = num(a[2]), made = 0;
         for (long i = 0; i < n; i++) {
           std::string p = a[0] + "/" + a[1] + std::to_string(i);
           int fd = open(p.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644);
           if (fd < 0) return -1;
           if (write(fd, p.data(), p.size()) != (ssize_t)p.size()) return -1;
           close(fd);
           made++;
         }
         out = std::to_string(made) + "\n";
         return 0;
       }}},
      // "append-records PATH TAG N SIZE": N O_APPEND writes of SIZE bytes.
      {"append-records", {4, [](const Args &a, std::string &) {
         int fd = open(a[0].c_str(), O_WRONLY | O_APPEND);
         if (fd < 0) return -1;
         std::string rec(static_cast<size_t>(num(a[3])), a[1][0]);
         rec.back() = '\n';
         for (long i = 0; i < num(a[2]); i++)
           if (write(fd, rec.data(), rec.size()) != (ssize_t)rec.size()) return -1;
         return close(fd);
       }}},
  };
  return m;
}

}  // namespace

int helper_main(const std::vector<std::string> &args) {
  if (args.empty()) {
    fprintf(stderr, "--do needs an operation\n");
    return 2;
  }
  auto it = ops().find(args[0]);
  if (it == ops().end() || args.size() - 1 != it->second.first) {
    fprintf(stderr, "--do: unknown operation or wrong argument count: %s\n",
            args[0].c_str());
    return 2;
  }
  std::string out;
  errno = 0;
  Args rest(args.begin() + 1, args.end());
  int r = it->second.second(rest, out);
  if (r != 0) {
    printf("%s\n", errno_name(errno).c_str());
    return 0;
  }
  printf("OK\n%s", out.c_str());
  return 0;
}

}  // namespace conf
