// SPDX-License-Identifier: LGPL-2.1-or-later
// vfsd-conformance: a battery of named POSIX checks run against any mounted
// file system.  Each check is a function registered with CHECK(); the runner
// (main.cc) runs every check in a process of its own, with its working
// directory a fresh, empty directory on the file system under test, and
// reports TAP.  Checks use relative paths only.
//
// Inside a check:
//   T_SYS(expr)          expr must not return -1 (fatal: the check stops)
//   T_ERRNO(expr, E...)  expr must fail with one of the errnos E...
//   T_EQ(a, b), T_NE, T_LT, T_LE, T_GT, T_GE, T_TRUE(c)   non-fatal
//   T_REQUIRE(c)         fatal
//   T_FEATURE(expr, w)   like T_SYS, but EOPNOTSUPP/ENOTSUP/ENOSYS skip the
//                        check ("w is not supported")
//   skip("reason")       the check does not apply here
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <cerrno>
#include <cstdint>
#include <initializer_list>
#include <sstream>
#include <string>
#include <vector>

namespace conf {

// ---- registry ------------------------------------------------------------

struct Check {
  std::string name;
  const char *summary;
  void (*fn)();
};
std::vector<Check> &registry();
struct Register {
  Register(const char *group, const char *id, const char *summary,
           void (*fn)());
};

#define CHECK(group, id, summary)                                          \
  static void check_##group##_##id();                                      \
  static const ::conf::Register reg_##group##_##id(#group, #id, summary,   \
                                                   check_##group##_##id);  \
  static void check_##group##_##id()

// ---- outcomes ------------------------------------------------------------

struct Skip {
  std::string reason;
};
struct Abort {};

[[noreturn]] void skip(const std::string &reason);
// Records a failure (a "# file:line: message" line); fatal ones throw Abort.
void fail(const char *file, int line, const std::string &msg, bool fatal);
int failures();
std::string errno_name(int e);
// A note shown under the check's TAP line.
void note(const std::string &msg);

long sys_ok(const char *file, int line, const char *expr, long r, int e);
long sys_feature(const char *file, int line, const char *expr, long r, int e,
                 const char *what);
void sys_errno(const char *file, int line, const char *expr, long r, int e,
               std::initializer_list<int> want);

template <typename T>
std::string show(const T &v) {
  std::ostringstream s;
  s << v;
  return s.str();
}
inline std::string show(const std::string &v) {
  std::string out = "\"";
  for (unsigned char c : v.substr(0, 64))
    if (c >= 32 && c < 127 && c != '"') out += static_cast<char>(c);
    else { char b[8]; snprintf(b, sizeof b, "\\x%02x", c); out += b; }
  return out + (v.size() > 64 ? "\"… (" + std::to_string(v.size()) + " bytes)" : "\"");
}
inline std::string show(const char *v) { return show(std::string(v)); }
inline std::string show(const std::vector<std::string> &v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size() && i < 20; i++) out += (i ? " " : "") + show(v[i]);
  return out + (v.size() > 20 ? " …]" : "]");
}

#define T_SYS(expr)                                                        \
  ({                                                                       \
    long t_r_ = (long)(expr);                                              \
    int t_e_ = errno;                                                      \
    ::conf::sys_ok(__FILE__, __LINE__, #expr, t_r_, t_e_);                 \
  })
#define T_FEATURE(expr, what)                                              \
  ({                                                                       \
    long t_r_ = (long)(expr);                                              \
    int t_e_ = errno;                                                      \
    ::conf::sys_feature(__FILE__, __LINE__, #expr, t_r_, t_e_, what);      \
  })
#define T_ERRNO(expr, ...)                                                 \
  do {                                                                     \
    errno = 0;                                                             \
    long t_r_ = (long)(expr);                                              \
    int t_e_ = errno;                                                      \
    ::conf::sys_errno(__FILE__, __LINE__, #expr, t_r_, t_e_,               \
                      {__VA_ARGS__});                                      \
  } while (0)

#define T_CMP_(a, op, b, fatal)                                            \
  do {                                                                     \
    /* copies: (a) may refer into a temporary */                          \
    const auto t_a_ = (a);                                                \
    const auto t_b_ = (b);                                                \
    if (!(t_a_ op t_b_))                                                   \
      ::conf::fail(__FILE__, __LINE__,                                     \
                   std::string(#a " " #op " " #b ": ") +                   \
                       ::conf::show(t_a_) + " vs " + ::conf::show(t_b_),   \
                   fatal);                                                 \
  } while (0)
#define T_EQ(a, b) T_CMP_(a, ==, b, false)
#define T_NE(a, b) T_CMP_(a, !=, b, false)
#define T_LT(a, b) T_CMP_(a, <, b, false)
#define T_LE(a, b) T_CMP_(a, <=, b, false)
#define T_GT(a, b) T_CMP_(a, >, b, false)
#define T_GE(a, b) T_CMP_(a, >=, b, false)
#define T_REQ_EQ(a, b) T_CMP_(a, ==, b, true)
#define T_TRUE(c)                                                          \
  do {                                                                     \
    if (!(c)) ::conf::fail(__FILE__, __LINE__, "expected: " #c, false);    \
  } while (0)
#define T_REQUIRE(c)                                                       \
  do {                                                                     \
    if (!(c)) ::conf::fail(__FILE__, __LINE__, "required: " #c, true);     \
  } while (0)

// ---- files ---------------------------------------------------------------

// Writes @data to @path (created 0644, truncated).
void put(const std::string &path, const std::string &data);
// The whole content of @path.
std::string get(const std::string &path);
std::string read_fd_at(int fd, size_t len, off_t off);
void write_fd_at(int fd, const std::string &data, off_t off);
struct stat st(const std::string &path);   // stat(), fatal on error
struct stat lst(const std::string &path);  // lstat(), fatal on error
struct stat fst(int fd);
bool exists(const std::string &path);      // lstat() succeeds
// Deterministic bytes: @n of them, varying with @seed.
std::string pattern(size_t n, unsigned seed = 1);
// Sorted names in a directory, without "." and "..".
std::vector<std::string> list_dir(const std::string &path);
// Creates @path as a directory (fatal on error).
void mk(const std::string &path, mode_t mode = 0755);

// ---- time ----------------------------------------------------------------

// Sleeps long enough for any clock a file system uses to move on.
void tick();
void sleep_ms(int ms);
int cmp_ts(const struct timespec &a, const struct timespec &b);
std::string show_ts(const struct timespec &t);
#define T_TS_EQ(a, b) T_TRUE_TS_(a, b, == 0)
#define T_TS_GT(a, b) T_TRUE_TS_(a, b, > 0)
#define T_TS_GE(a, b) T_TRUE_TS_(a, b, >= 0)
#define T_TRUE_TS_(a, b, rel)                                              \
  do {                                                                     \
    if (!(::conf::cmp_ts(a, b) rel))                                       \
      ::conf::fail(__FILE__, __LINE__,                                     \
                   std::string(#a " vs " #b ": ") + ::conf::show_ts(a) +   \
                       " vs " + ::conf::show_ts(b),                        \
                   false);                                                 \
  } while (0)
struct timespec now_ts();

// ---- other users and other processes --------------------------------------

struct Cred {
  uid_t uid;
  gid_t gid;
  std::vector<gid_t> groups;
};
// Users that need not exist in /etc/passwd.
extern const Cred kUser1;        // 4242:4242
extern const Cred kUser2;        // 4343:4343
extern const Cred kUser1Extra;   // 4242:4242, also in group 4444
constexpr gid_t kExtraGroup = 4444;

bool is_root();
// Skips the check unless it runs as root and other users can reach the
// working directory (a FUSE mount without allow_other refuses them).
void need_other_users();
void need_root(const char *why = "needs root");

struct DoResult {
  int err = -1;      // 0, or the errno the operation failed with
  std::string out;   // what the operation printed after "OK"
};
// Runs one operation of the --do helper (see helper.cc) in a new process of
// this program, as @cred (nullptr: as ourselves), in the current directory.
DoResult run_do(const Cred *cred, const std::vector<std::string> &args);
// Shorthand: the errno of an operation run as @cred.
int as(const Cred &cred, const std::vector<std::string> &args);
#define T_AS(cred, want, ...)                                              \
  do {                                                                     \
    int t_got_ = ::conf::as(cred, {__VA_ARGS__});                          \
    if (t_got_ != (want))                                                  \
      ::conf::fail(__FILE__, __LINE__,                                     \
                   std::string("as uid ") + std::to_string((cred).uid) +   \
                       ": " #__VA_ARGS__ ": got " +                        \
                       ::conf::errno_name(t_got_) + ", want " +            \
                       ::conf::errno_name(want),                           \
                   false);                                                 \
  } while (0)

// A helper process that stays alive (holding a lock, say) until released.
class Holder {
 public:
  // Starts `--do ARGS…`; waits until it printed its first line (returned
  // by first_line()).
  explicit Holder(const std::vector<std::string> &args);
  ~Holder();
  const std::string &first_line() const { return first_; }
  pid_t pid() const { return pid_; }
  // Closes its stdin, so it exits; waits for it.
  void release();

 private:
  pid_t pid_ = -1;
  int to_ = -1;
  std::string first_;
};

// Entry points of the helper and runner (main.cc, helper.cc).
int helper_main(const std::vector<std::string> &args);
const std::string &self_exe();

}  // namespace conf
