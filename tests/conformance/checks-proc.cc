// SPDX-License-Identifier: LGPL-2.1-or-later
// More than one process or thread: flock and fcntl locks between processes,
// and concurrent creates, renames, appends and writes.
#include "conformance.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/file.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <thread>

using namespace conf;

// ---- flock ---------------------------------------------------------------------

CHECK(lock, flock_exclusive, "an exclusive flock excludes others, even in one process") {
  put("f", "");
  int a = T_SYS(open("f", O_RDONLY)), b = T_SYS(open("f", O_RDONLY));
  T_SYS(flock(a, LOCK_EX | LOCK_NB));
  T_ERRNO(flock(b, LOCK_EX | LOCK_NB), EWOULDBLOCK);
  T_ERRNO(flock(b, LOCK_SH | LOCK_NB), EWOULDBLOCK);
  T_EQ(run_do(nullptr, {"flock", "f", "sh"}).err, EWOULDBLOCK);
  T_SYS(flock(a, LOCK_UN));
  T_SYS(flock(b, LOCK_EX | LOCK_NB));
  close(a);
  close(b);
}

CHECK(lock, flock_shared, "shared flocks coexist and exclude an exclusive one") {
  put("f", "");
  Holder h({"holdflock", "f", "sh"});
  T_REQ_EQ(h.first_line(), std::string("OK"));
  int a = T_SYS(open("f", O_RDONLY));
  T_SYS(flock(a, LOCK_SH | LOCK_NB));
  T_EQ(run_do(nullptr, {"flock", "f", "ex"}).err, EWOULDBLOCK);
  h.release();
  T_SYS(flock(a, LOCK_UN));
  T_EQ(run_do(nullptr, {"flock", "f", "ex"}).err, 0);
  close(a);
}

CHECK(lock, flock_released_at_exit, "a flock goes away with its holder") {
  put("f", "");
  {
    Holder h({"holdflock", "f", "ex"});
    T_REQ_EQ(h.first_line(), std::string("OK"));
    int a = T_SYS(open("f", O_RDONLY));
    T_ERRNO(flock(a, LOCK_EX | LOCK_NB), EWOULDBLOCK);
    close(a);
  }
  int a = T_SYS(open("f", O_RDONLY));
  T_SYS(flock(a, LOCK_EX | LOCK_NB));
  close(a);
}

// ---- POSIX record locks --------------------------------------------------------

static struct flock rec(short type, off_t start, off_t len) {
  struct flock l = {};
  l.l_type = type;
  l.l_whence = SEEK_SET;
  l.l_start = start;
  l.l_len = len;
  return l;
}

CHECK(lock, fcntl_conflict, "a write lock held by another process makes F_SETLK fail") {
  put("f", "0123456789");
  Holder h({"holdlock", "f", "w", "0", "10"});
  T_REQ_EQ(h.first_line(), std::string("OK"));
  int fd = T_SYS(open("f", O_RDWR));
  struct flock l = rec(F_WRLCK, 5, 1);
  T_ERRNO(fcntl(fd, F_SETLK, &l), EAGAIN, EACCES);
  l = rec(F_RDLCK, 0, 1);
  T_ERRNO(fcntl(fd, F_SETLK, &l), EAGAIN, EACCES);
  l = rec(F_WRLCK, 10, 5);  // beyond the held range
  T_SYS(fcntl(fd, F_SETLK, &l));
  close(fd);
}

CHECK(lock, fcntl_getlk, "F_GETLK reports the conflicting lock and its process") {
  put("f", "0123456789");
  Holder h({"holdlock", "f", "w", "2", "3"});
  T_REQ_EQ(h.first_line(), std::string("OK"));
  int fd = T_SYS(open("f", O_RDWR));
  struct flock l = rec(F_RDLCK, 0, 0);
  T_SYS(fcntl(fd, F_GETLK, &l));
  T_EQ(l.l_type, (short)F_WRLCK);
  T_EQ(l.l_pid, h.pid());
  T_EQ(l.l_start, (off_t)2);
  T_EQ(l.l_len, (off_t)3);
  l = rec(F_WRLCK, 5, 5);
  T_SYS(fcntl(fd, F_GETLK, &l));
  T_EQ(l.l_type, (short)F_UNLCK);
  close(fd);
}

CHECK(lock, fcntl_read_locks_share, "read locks of two processes coexist; a write lock does not") {
  put("f", "0123456789");
  Holder h({"holdlock", "f", "r", "0", "0"});
  T_REQ_EQ(h.first_line(), std::string("OK"));
  int fd = T_SYS(open("f", O_RDWR));
  struct flock l = rec(F_RDLCK, 0, 0);
  T_SYS(fcntl(fd, F_SETLK, &l));
  l = rec(F_WRLCK, 0, 0);
  T_ERRNO(fcntl(fd, F_SETLK, &l), EAGAIN, EACCES);
  close(fd);
}

CHECK(lock, fcntl_released_at_exit_and_close, "record locks go with their process, or any close of the file") {
  put("f", "x");
  {
    Holder h({"holdlock", "f", "w", "0", "0"});
    T_REQ_EQ(h.first_line(), std::string("OK"));
    T_EQ(run_do(nullptr, {"lock", "f", "w", "0", "0"}).err, EAGAIN);
  }
  T_EQ(run_do(nullptr, {"lock", "f", "w", "0", "0"}).err, 0);
  // POSIX: closing any descriptor of the file drops this process's locks.
  int a = T_SYS(open("f", O_RDWR)), b = T_SYS(open("f", O_RDONLY));
  struct flock l = rec(F_WRLCK, 0, 0);
  T_SYS(fcntl(a, F_SETLK, &l));
  T_EQ(run_do(nullptr, {"lock", "f", "w", "0", "0"}).err, EAGAIN);
  close(b);
  T_EQ(run_do(nullptr, {"lock", "f", "w", "0", "0"}).err, 0);
  close(a);
}

CHECK(lock, fcntl_split_and_merge, "unlocking the middle of a lock leaves two locks") {
  put("f", "0123456789");
  int fd = T_SYS(open("f", O_RDWR));
  struct flock l = rec(F_WRLCK, 0, 10);
  T_SYS(fcntl(fd, F_SETLK, &l));
  l = rec(F_UNLCK, 4, 2);
  T_SYS(fcntl(fd, F_SETLK, &l));
  T_EQ(run_do(nullptr, {"lock", "f", "w", "4", "2"}).err, 0);
  T_EQ(run_do(nullptr, {"lock", "f", "w", "3", "1"}).err, EAGAIN);
  T_EQ(run_do(nullptr, {"lock", "f", "w", "6", "1"}).err, EAGAIN);
  close(fd);
}

CHECK(lock, ofd_locks, "open file description locks conflict between two opens in one process") {
  put("f", "0123456789");
  int a = T_SYS(open("f", O_RDWR)), b = T_SYS(open("f", O_RDWR));
  struct flock l = rec(F_WRLCK, 0, 5);
  T_SYS(fcntl(a, F_OFD_SETLK, &l));
  l = rec(F_WRLCK, 2, 1);
  T_ERRNO(fcntl(b, F_OFD_SETLK, &l), EAGAIN);
  l = rec(F_WRLCK, 0, 0);
  T_SYS(fcntl(b, F_OFD_GETLK, &l));
  T_EQ(l.l_type, (short)F_WRLCK);
  T_EQ(l.l_pid, -1);
  close(a);
  l = rec(F_WRLCK, 2, 1);
  T_SYS(fcntl(b, F_OFD_SETLK, &l));
  close(b);
}

CHECK(lock, blocking_wait, "F_SETLKW waits for the holder to let go") {
  put("f", "x");
  Holder h({"holdlock", "f", "w", "0", "0"});
  T_REQ_EQ(h.first_line(), std::string("OK"));
  std::atomic<bool> got{false};
  int fd = T_SYS(open("f", O_RDWR));
  std::thread t([&] {
    struct flock l = rec(F_WRLCK, 0, 0);
    if (fcntl(fd, F_SETLKW, &l) == 0) got = true;
  });
  sleep_ms(100);
  T_TRUE(!got);
  h.release();
  t.join();
  T_TRUE(got);
  close(fd);
}

// ---- concurrency -------------------------------------------------------------

CHECK(conc, parallel_creates, "four processes creating 500 files each in one directory") {
  std::vector<std::thread> ts;
  std::vector<DoResult> rs(4);
  for (int p = 0; p < 4; p++)
    ts.emplace_back([&, p] {
      rs[p] = run_do(nullptr, {"create-many", ".", "p" + std::to_string(p) + "-", "500"});
    });
  for (auto &t : ts) t.join();
  for (auto &r : rs) {
    T_EQ(r.err, 0);
    T_EQ(r.out, std::string("500\n"));
  }
  auto names = list_dir(".");
  T_EQ(names.size(), 2000u);
  for (int p = 0; p < 4; p++)
    for (int i = 0; i < 500; i += 97) {
      std::string n = "./p" + std::to_string(p) + "-" + std::to_string(i);
      T_EQ(get(n), n);
    }
}

CHECK(conc, exclusive_create_race, "of threads racing O_EXCL on one name, exactly one wins") {
  for (int round = 0; round < 20; round++) {
    std::string name = "race" + std::to_string(round);
    std::atomic<int> wins{0}, eexist{0};
    std::vector<std::thread> ts;
    for (int t = 0; t < 6; t++)
      ts.emplace_back([&] {
        int fd = open(name.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644);
        if (fd >= 0) {
          wins++;
          close(fd);
        } else if (errno == EEXIST)
          eexist++;
      });
    for (auto &t : ts) t.join();
    T_EQ(wins.load(), 1);
    T_EQ(eexist.load(), 5);
  }
}

CHECK(conc, mkdir_race, "of threads racing mkdir on one name, exactly one wins") {
  for (int round = 0; round < 20; round++) {
    std::string name = "d" + std::to_string(round);
    std::atomic<int> wins{0};
    std::vector<std::thread> ts;
    for (int t = 0; t < 6; t++)
      ts.emplace_back([&] {
        if (mkdir(name.c_str(), 0755) == 0) wins++;
      });
    for (auto &t : ts) t.join();
    T_EQ(wins.load(), 1);
  }
  T_EQ(st(".").st_nlink, 22u);
}

CHECK(conc, parallel_appends, "O_APPEND writes from four processes interleave whole and lose nothing") {
  put("log", "");
  std::vector<std::thread> ts;
  for (int p = 0; p < 4; p++)
    ts.emplace_back([p] {
      run_do(nullptr, {"append-records", "log", std::string(1, char('a' + p)), "300", "100"});
    });
  for (auto &t : ts) t.join();
  std::string s = get("log");
  T_EQ(s.size(), 4u * 300 * 100);
  std::map<char, int> count;
  int torn = 0;
  for (size_t i = 0; i + 100 <= s.size(); i += 100) {
    std::string r = s.substr(i, 100);
    if (r.find_first_not_of(r[0]) != 99 || r[99] != '\n') torn++;
    count[r[0]]++;
  }
  T_EQ(torn, 0);
  for (char c = 'a'; c < 'e'; c++) T_EQ(count[c], 300);
}

CHECK(conc, parallel_writes_distinct_ranges, "threads writing distinct ranges of one file") {
  int fd = T_SYS(open("f", O_RDWR | O_CREAT, 0644));
  const size_t chunk = 256 * 1024;
  std::vector<std::thread> ts;
  for (int t = 0; t < 8; t++)
    ts.emplace_back([&, t] {
      std::string d = pattern(chunk, (unsigned)t + 1);
      for (size_t done = 0; done < chunk;) {
        ssize_t n = pwrite(fd, d.data() + done, chunk - done, (off_t)(t * chunk + done));
        if (n <= 0) break;
        done += (size_t)n;
      }
    });
  for (auto &t : ts) t.join();
  for (int t = 0; t < 8; t++)
    T_TRUE(read_fd_at(fd, chunk, (off_t)(t * chunk)) == pattern(chunk, (unsigned)t + 1));
  close(fd);
}

CHECK(conc, rename_storm, "threads renaming files across directories lose none") {
  mk("a");
  mk("b");
  for (int i = 0; i < 200; i++) put("a/f" + std::to_string(i), std::to_string(i));
  std::vector<std::thread> ts;
  for (int t = 0; t < 4; t++)
    ts.emplace_back([t] {
      for (int round = 0; round < 5; round++)
        for (int i = t; i < 200; i += 4) {
          std::string n = "f" + std::to_string(i);
          const char *from = round % 2 ? "b/" : "a/", *to = round % 2 ? "a/" : "b/";
          rename((from + n).c_str(), (to + n).c_str());
        }
    });
  for (auto &t : ts) t.join();
  T_EQ(list_dir("a").size(), 0u);
  T_EQ(list_dir("b").size(), 200u);
  for (int i = 0; i < 200; i += 17)
    T_EQ(get("b/f" + std::to_string(i)), std::to_string(i));
}

CHECK(conc, readdir_while_creating, "listing a directory while another thread fills it") {
  mk("d");
  for (int i = 0; i < 500; i++) put("d/old" + std::to_string(i), "");
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int i = 0; i < 500; i++) put("d/new" + std::to_string(i), "");
    done = true;
  });
  int rounds = 0, bad = 0;
  while (!done || rounds == 0) {
    auto names = list_dir("d");
    int old = 0;
    for (auto &n : names) old += n.rfind("old", 0) == 0;
    if (old != 500) bad++;
    rounds++;
  }
  writer.join();
  T_EQ(bad, 0);
  T_EQ(list_dir("d").size(), 1000u);
}
