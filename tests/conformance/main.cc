// SPDX-License-Identifier: LGPL-2.1-or-later
// vfsd-conformance [--list] [--only PATTERN]... [--skip-file FILE]...
//                  [--as-user UID:GID[:G,…]] [--timeout SECONDS] [--keep] PATH
//
// Runs the battery against the file system at PATH and prints TAP.  Every
// check runs in a new process of this program (`--run NAME`, started with
// posix_spawn, in a process group of its own so a hung check can be killed
// with whatever it started), with its working directory a fresh directory
// PATH/vfsd-conformance.PID/NAME, removed afterwards.  See
// doc/conformance.md.
#include "conformance.h"

#include <fcntl.h>
#include <fnmatch.h>
#include <ftw.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>

extern char **environ;

namespace conf {

const std::string &self_exe() {
  static std::string path = [] {
    char b[4096];
    ssize_t n = readlink("/proc/self/exe", b, sizeof b - 1);
    return n > 0 ? std::string(b, static_cast<size_t>(n)) : std::string();
  }();
  return path;
}

}  // namespace conf

using namespace conf;

namespace {

const char kUsage[] =
    "Usage: vfsd-conformance [OPTIONS] PATH\n"
    "Run a battery of named POSIX checks against the file system at PATH,\n"
    "each in a fresh directory under PATH, and print TAP.\n"
    "\n"
    "  --list              list the checks (name and summary) and exit\n"
    "  --only PATTERN      run only checks whose name matches the shell\n"
    "                      PATTERN (e.g. 'rename.*'); may repeat, or be\n"
    "                      comma-separated\n"
    "  --skip-file FILE    skip the checks FILE lists: one 'NAME-or-PATTERN\n"
    "                      reason…' a line, '#' starts a comment\n"
    "  --as-user UID:GID[:G1,G2…]  run as this user (and groups)\n"
    "  --timeout SECONDS   limit for each check (default 60)\n"
    "  --keep              keep the directories of failed checks\n"
    "  -h, --help          show this help\n";

struct Options {
  bool list = false, keep = false;
  std::vector<std::string> only;
  std::vector<std::pair<std::string, std::string>> skips;  // pattern, reason
  std::string as_user, path, run, skip_error;
  std::vector<std::string> do_args;
  int timeout = 60;
};

[[noreturn]] void usage_error(const std::string &msg) {
  fprintf(stderr, "vfsd-conformance: %s (try --help)\n", msg.c_str());
  exit(2);
}

void split_into(const std::string &s, char sep, std::vector<std::string> &out) {
  size_t start = 0;
  for (;;) {
    size_t p = s.find(sep, start);
    std::string part = s.substr(start, p - start);
    if (!part.empty()) out.push_back(part);
    if (p == std::string::npos) break;
    start = p + 1;
  }
}

void read_skip_file(const std::string &file, Options &o) {
  std::ifstream f(file);
  if (!f) usage_error("cannot read the skip file " + file);
  std::string line;
  while (std::getline(f, line)) {
    size_t hash = line.find('#');
    if (hash != std::string::npos) line.erase(hash);
    size_t b = line.find_first_not_of(" \t");
    if (b == std::string::npos) continue;
    size_t e = line.find_first_of(" \t", b);
    std::string pat = line.substr(b, e - b), reason;
    if (e != std::string::npos) {
      size_t r = line.find_first_not_of(" \t", e);
      if (r != std::string::npos) reason = line.substr(r);
      while (!reason.empty() && isspace((unsigned char)reason.back()))
        reason.pop_back();
    }
    o.skips.push_back({pat, reason.empty() ? "listed in " + file : reason});
  }
}

Options parse(int argc, char **argv) {
  Options o;
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage_error(a + " needs a value");
      return argv[++i];
    };
    if (a == "-h" || a == "--help") {
      fputs(kUsage, stdout);
      exit(0);
    } else if (a == "--list") o.list = true;
    else if (a == "--keep") o.keep = true;
    else if (a == "--only") split_into(value(), ',', o.only);
    else if (a == "--skip-file") read_skip_file(value(), o);
    else if (a == "--as-user") o.as_user = value();
    else if (a == "--timeout") {
      o.timeout = atoi(value().c_str());
      if (o.timeout <= 0) usage_error("--timeout needs a positive number");
    } else if (a == "--run") o.run = value();
    else if (a == "--do") {
      o.do_args.assign(argv + i + 1, argv + argc);
      if (o.do_args.empty()) usage_error("--do needs an operation");
      break;
    } else if (a.size() > 1 && a[0] == '-') usage_error("unknown option " + a);
    else if (o.path.empty()) o.path = a;
    else usage_error("more than one PATH given");
  }
  return o;
}

// Becomes UID:GID[:G1,G2,…] for good (real, effective and saved ids).
void become(const std::string &spec) {
  std::vector<std::string> parts;
  split_into(spec, ':', parts);
  if (parts.size() < 2 || parts.size() > 3)
    usage_error("--as-user wants UID:GID[:G1,G2,…], not '" + spec + "'");
  std::vector<gid_t> groups;
  if (parts.size() == 3) {
    std::vector<std::string> gs;
    split_into(parts[2], ',', gs);
    for (auto &g : gs) groups.push_back(static_cast<gid_t>(atol(g.c_str())));
  }
  uid_t uid = static_cast<uid_t>(atol(parts[0].c_str()));
  gid_t gid = static_cast<gid_t>(atol(parts[1].c_str()));
  if (setgroups(groups.size(), groups.data()) != 0 || setresgid(gid, gid, gid) != 0 ||
      setresuid(uid, uid, uid) != 0) {
    fprintf(stderr, "vfsd-conformance: cannot become %s: %s\n", spec.c_str(),
            strerror(errno));
    exit(2);
  }
}

bool matches(const std::string &name, const std::vector<std::string> &pats) {
  for (auto &p : pats)
    if (fnmatch(p.c_str(), name.c_str(), 0) == 0) return true;
  return false;
}

// ---- one check, in this process (--run) --------------------------------

int run_one(const std::string &name) {
  setvbuf(stdout, nullptr, _IOLBF, 0);
  umask(022);
  for (auto &c : registry()) {
    if (c.name != name) continue;
    try {
      c.fn();
    } catch (const Skip &s) {
      printf("@@SKIP %s\n", s.reason.c_str());
      return 0;
    } catch (const Abort &) {
    } catch (const std::exception &e) {
      fail(__FILE__, __LINE__, std::string("exception: ") + e.what(), false);
    }
    printf(failures() ? "@@FAIL\n" : "@@PASS\n");
    return 0;
  }
  fprintf(stderr, "vfsd-conformance: no check named %s\n", name.c_str());
  return 2;
}

// ---- the runner ------------------------------------------------------------

int remove_entry(const char *path, const struct stat *, int type, struct FTW *) {
  if (type == FTW_DP) return rmdir(path) == 0 || errno == ENOENT ? 0 : -1;
  return unlink(path) == 0 || errno == ENOENT ? 0 : -1;
}

int open_up(const char *path, const struct stat *s, int type, struct FTW *) {
  if (type == FTW_D || type == FTW_DNR) chmod(path, 0700);
  return 0;
}

// Removes a check's directory; returns "" or why it could not.
std::string remove_tree(const std::string &dir) {
  // Checks take permissions away; give them back first (as the owner).
  nftw(dir.c_str(), open_up, 32, FTW_PHYS);
  if (nftw(dir.c_str(), remove_entry, 32, FTW_DEPTH | FTW_PHYS) != 0)
    return std::string(strerror(errno));
  return "";
}

struct Outcome {
  std::string verdict;  // PASS, FAIL, SKIP
  std::string reason;   // for SKIP, or why it failed to run
  std::vector<std::string> lines;
};

Outcome spawn_check(const std::string &name, const std::string &dir,
                    int timeout) {
  Outcome o;
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) return {"FAIL", "pipe failed", {}};
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t at;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_adddup2(&fa, out[1], 2);
  posix_spawn_file_actions_addchdir_np(&fa, dir.c_str());
  posix_spawnattr_init(&at);
  posix_spawnattr_setpgroup(&at, 0);
  posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP);
  const char *argv[] = {self_exe().c_str(), "--run", name.c_str(), nullptr};
  pid_t pid;
  int r = posix_spawn(&pid, argv[0], &fa, &at, const_cast<char **>(argv), environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&at);
  close(out[1]);
  if (r != 0) {
    close(out[0]);
    return {"FAIL", std::string("cannot start the check: ") + strerror(r), {}};
  }
  std::string text;
  struct timespec t0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  bool timed_out = false;
  for (;;) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    long left = timeout * 1000L - ((t.tv_sec - t0.tv_sec) * 1000L +
                                   (t.tv_nsec - t0.tv_nsec) / 1000000L);
    if (left <= 0) {
      timed_out = true;
      break;
    }
    struct pollfd p = {out[0], POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left)) <= 0) continue;
    char b[4096];
    ssize_t n = read(out[0], b, sizeof b);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(b, static_cast<size_t>(n));
  }
  if (timed_out) kill(-pid, SIGKILL);
  close(out[0]);
  int ws = 0;
  while (waitpid(pid, &ws, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) kill(-pid, SIGKILL);  // anything it left behind
  std::vector<std::string> lines;
  split_into(text, '\n', lines);
  for (auto &l : lines) {
    if (l.rfind("@@", 0) == 0) {
      o.verdict = l.substr(2, 4);
      if (l.size() > 7) o.reason = l.substr(7);
    } else
      o.lines.push_back(l.rfind("# ", 0) == 0 ? l.substr(2) : l);
  }
  if (timed_out) {
    o.verdict = "FAIL";
    o.reason = "timed out after " + std::to_string(timeout) + "s";
  } else if (WIFSIGNALED(ws)) {
    o.verdict = "FAIL";
    o.reason = std::string("killed by ") + strsignal(WTERMSIG(ws));
  } else if (o.verdict.empty()) {
    o.verdict = "FAIL";
    o.reason = "the check ended without a verdict (status " +
               std::to_string(WEXITSTATUS(ws)) + ")";
  }
  return o;
}

int run_all(const Options &o) {
  std::vector<const Check *> selected;
  for (auto &c : registry())
    if (o.only.empty() || matches(c.name, o.only)) selected.push_back(&c);
  if (o.list) {
    for (auto *c : selected) printf("%-40s %s\n", c->name.c_str(), c->summary);
    return 0;
  }
  if (o.path.empty()) usage_error("no PATH given");
  if (!o.only.empty() && selected.empty())
    usage_error("no check matches --only");
  std::string root = o.path + "/vfsd-conformance." + std::to_string(getpid());
  if (mkdir(root.c_str(), 0755) != 0) {
    printf("Bail out! cannot create %s: %s\n", root.c_str(), strerror(errno));
    return 1;
  }
  printf("1..%zu\n", selected.size());
  fflush(stdout);
  int passed = 0, failed = 0, skipped = 0, n = 0;
  for (auto *c : selected) {
    n++;
    std::string reason;
    for (auto &s : o.skips)
      if (fnmatch(s.first.c_str(), c->name.c_str(), 0) == 0) reason = s.second;
    if (!reason.empty()) {
      printf("ok %d - %s # SKIP skip-file: %s\n", n, c->name.c_str(), reason.c_str());
      skipped++;
      continue;
    }
    std::string dir = root + "/" + c->name;
    Outcome out;
    if (mkdir(dir.c_str(), 0755) != 0)
      out = {"FAIL", std::string("cannot create its directory: ") + strerror(errno), {}};
    else
      out = spawn_check(c->name, dir, o.timeout);
    if (out.verdict == "PASS") {
      printf("ok %d - %s\n", n, c->name.c_str());
      passed++;
    } else if (out.verdict == "SKIP") {
      printf("ok %d - %s # SKIP %s\n", n, c->name.c_str(), out.reason.c_str());
      skipped++;
    } else {
      printf("not ok %d - %s%s%s\n", n, c->name.c_str(),
             out.reason.empty() ? "" : ": ", out.reason.c_str());
      failed++;
    }
    for (auto &l : out.lines) printf("# %s\n", l.c_str());
    if (out.verdict != "FAIL" || !o.keep) {
      std::string why = remove_tree(dir);
      if (!why.empty()) printf("# could not remove %s: %s\n", dir.c_str(), why.c_str());
    }
    fflush(stdout);
  }
  if (!o.keep || failed == 0) rmdir(root.c_str());
  printf("# %d passed, %d failed, %d skipped\n", passed, failed, skipped);
  return failed ? 1 : 0;
}

}  // namespace

int main(int argc, char **argv) {
  Options o = parse(argc, argv);
  std::sort(registry().begin(), registry().end(),
            [](const Check &a, const Check &b) { return a.name < b.name; });
  if (!o.as_user.empty()) become(o.as_user);
  if (!o.do_args.empty()) return helper_main(o.do_args);
  if (!o.run.empty()) return run_one(o.run);
  signal(SIGPIPE, SIG_IGN);
  return run_all(o);
}
