// SPDX-License-Identifier: LGPL-2.1-or-later
#include "s3-env.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>

namespace s3test {

static Env the_env;
static bool started = false;

const Env &env() { return the_env; }

namespace {

class CephEnvironment : public testing::Environment {
 public:
  void SetUp() override {
    the_env.fixture = vfsdtest::src_path("tests/s3/ceph-fixture.sh");
    std::string out;
    if (vfsdtest::run({the_env.fixture, "check"}, &out) != 0)
      GTEST_SKIP() << "the Ceph packages are not installed (" << out << ")";
    const char *t = getenv("TMPDIR");
    the_env.dir = std::string(t && *t ? t : "/tmp") + "/ceph-" +
                  std::to_string(getpid());
    // The cluster stops by itself if this process dies.
    std::string owner = std::to_string(getpid());
    setenv("CEPH_FIXTURE_OWNER", owner.c_str(), 1);
    int rc = vfsdtest::run({the_env.fixture, "start", the_env.dir}, &out,
                           std::chrono::seconds(180));
    unsetenv("CEPH_FIXTURE_OWNER");
    ASSERT_EQ(rc, 0) << "the Ceph fixture did not start:\n" << out;
    std::istringstream in(out);
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("export ", 0) != 0) continue;
      auto eq = line.find('=');
      std::string k = line.substr(7, eq - 7), v = line.substr(eq + 1);
      if (k == "S3_ENDPOINT") the_env.endpoint = v;
      if (k == "AWS_ACCESS_KEY_ID") the_env.access_key = v;
      if (k == "AWS_SECRET_ACCESS_KEY") the_env.secret_key = v;
    }
    ASSERT_FALSE(the_env.endpoint.empty()) << out;
    setenv("AWS_ACCESS_KEY_ID", the_env.access_key.c_str(), 1);
    setenv("AWS_SECRET_ACCESS_KEY", the_env.secret_key.c_str(), 1);
    unsetenv("AWS_SESSION_TOKEN");
    unsetenv("AWS_PROFILE");
    started = true;
  }
  void TearDown() override {
    if (started)
      vfsdtest::run({the_env.fixture, "stop", the_env.dir}, nullptr,
                    std::chrono::seconds(60));
    started = false;
  }
};

}  // namespace

void register_environment() {
  testing::AddGlobalTestEnvironment(new CephEnvironment);
}

int fixture(const std::string &cmd, const std::vector<std::string> &args) {
  std::string out;
  std::vector<std::string> argv = {the_env.fixture, cmd, the_env.dir};
  argv.insert(argv.end(), args.begin(), args.end());
  int rc = vfsdtest::run(argv, &out, std::chrono::seconds(120));
  if (rc != 0) fprintf(stderr, "fixture %s: %s\n", cmd.c_str(), out.c_str());
  return rc;
}

bool kill_gateway() {
  std::string pidtext;
  if (!vfsdtest::read_file(the_env.dir + "/pids/rgw", &pidtext)) return false;
  pid_t pid = atoi(pidtext.c_str());
  if (pid <= 0 || kill(pid, SIGKILL) != 0) return false;
  // Not our child: wait until it is gone or a zombie.
  return vfsdtest::wait_for(
      [&] {
        std::string stat;
        if (!vfsdtest::read_file("/proc/" + std::to_string(pid) + "/stat",
                                 &stat))
          return true;
        size_t p = stat.rfind(')');
        return p != std::string::npos && stat.size() > p + 2 &&
               stat[p + 2] == 'Z';
      },
      std::chrono::seconds(10));
}

std::string new_bucket(const std::string &tag) {
  static std::atomic<int> n{0};
  std::string b = tag + "-" + std::to_string(getpid()) + "-" +
                  std::to_string(n++);
  int rc = curl("PUT", "/" + b);
  EXPECT_EQ(rc, 200) << "creating bucket " << b;
  return b;
}

static std::string slurp(const std::string &path) {
  std::string s;
  vfsdtest::read_file(path, &s);
  return s;
}

int curl(const std::string &method, const std::string &path,
         std::string *body_out, const std::string *body_in,
         const std::vector<std::string> &headers,
         std::map<std::string, std::string> *resp_headers) {
  vfsdtest::TempDir tmp("curl");
  std::vector<std::string> argv = {
      "curl", "-s", "-S", "--aws-sigv4", "aws:amz:us-east-1:s3",
      "--user", the_env.access_key + ":" + the_env.secret_key,
      "-H", "x-amz-content-sha256: UNSIGNED-PAYLOAD",
      "-D", tmp / "headers", "-o", tmp / "body", "-w", "%{http_code}"};
  for (auto &h : headers) {
    argv.push_back("-H");
    argv.push_back(h);
  }
  if (method == "HEAD")
    argv.push_back("--head");
  else {
    argv.push_back("-X");
    argv.push_back(method);
  }
  if (body_in) {
    vfsdtest::write_file(tmp / "in", *body_in);
    argv.push_back("--data-binary");
    argv.push_back("@" + tmp / "in");
    if (method == "PUT") {
      argv.push_back("-H");
      argv.push_back("Content-Type: application/octet-stream");
    }
  }
  argv.push_back(the_env.endpoint + path);
  std::string out;
  int rc = vfsdtest::run(argv, &out, std::chrono::seconds(60));
  if (rc != 0) return -1;
  if (body_out) *body_out = slurp(tmp / "body");
  if (resp_headers) {
    std::istringstream in(slurp(tmp / "headers"));
    std::string line;
    while (std::getline(in, line)) {
      auto c = line.find(':');
      if (c == std::string::npos) continue;
      std::string k = line.substr(0, c), v = line.substr(c + 1);
      for (auto &ch : k) ch = (char)tolower(ch);
      while (!v.empty() && (v[0] == ' ')) v.erase(0, 1);
      while (!v.empty() && (v.back() == '\r' || v.back() == '\n')) v.pop_back();
      (*resp_headers)[k] = v;
    }
  }
  return atoi(out.c_str());
}

static std::string enc(const std::string &key) {
  static const char hex[] = "0123456789ABCDEF";
  std::string o;
  for (unsigned char c : key) {
    if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '/')
      o += (char)c;
    else {
      o += '%';
      o += hex[c >> 4];
      o += hex[c & 15];
    }
  }
  return o;
}

bool get_object(const std::string &bucket, const std::string &key,
                std::string *data) {
  return curl("GET", "/" + bucket + "/" + enc(key), data) == 200;
}

bool put_object(const std::string &bucket, const std::string &key,
                const std::string &data,
                const std::vector<std::string> &headers) {
  return curl("PUT", "/" + bucket + "/" + enc(key), nullptr, &data,
              headers) == 200;
}

std::map<std::string, std::string> head_object(const std::string &bucket,
                                               const std::string &key) {
  std::map<std::string, std::string> h;
  if (curl("HEAD", "/" + bucket + "/" + enc(key), nullptr, nullptr, {}, &h) !=
      200)
    h.clear();
  return h;
}

std::vector<std::string> list_keys(const std::string &bucket,
                                   const std::string &prefix) {
  std::vector<std::string> keys;
  std::string token;
  for (;;) {
    std::string q = "?list-type=2";
    if (!token.empty()) q = "?continuation-token=" + enc(token) + "&list-type=2";
    q += "&prefix=" + enc(prefix);
    for (size_t p; (p = q.find('/')) != std::string::npos;)
      q.replace(p, 1, "%2F");
    std::string body;
    if (curl("GET", "/" + bucket + q, &body) != 200) break;
    for (size_t pos = 0; (pos = body.find("<Key>", pos)) != std::string::npos;) {
      size_t end = body.find("</Key>", pos);
      keys.push_back(body.substr(pos + 5, end - pos - 5));
      pos = end;
    }
    size_t t = body.find("<NextContinuationToken>");
    if (body.find("<IsTruncated>true") == std::string::npos ||
        t == std::string::npos)
      break;
    size_t e = body.find("</NextContinuationToken>", t);
    token = body.substr(t + 23, e - t - 23);
  }
  return keys;
}

std::string spec(const std::string &bucket, const std::string &extra) {
  std::string s = "s3:bucket=" + bucket + ",endpoint=" + the_env.endpoint;
  if (!extra.empty()) s += "," + extra;
  return s;
}

S3Mount::S3Mount(const std::string &bucket, const std::string &extra,
                 const std::string &options) {
  GError *e = nullptr;
  VfsdBackend *b = vfsd_backend_load(spec(bucket, extra).c_str(), &e);
  if (b == nullptr) {
    error_ = e ? e->message : "?";
    g_clear_error(&e);
    return;
  }
  mount_.reset(new vfsdtest::Mount(b, options));
  if (!mount_->mounted()) error_ = mount_->error();
  g_object_unref(b);
}

S3Mount::~S3Mount() { mount_.reset(); }

LogCapture::LogCapture() {
  g_mutex_init(&lock_);
  id_ = g_log_set_handler("vfsd-s3", (GLogLevelFlags)G_LOG_LEVEL_MASK, on_log,
                          this);
}

LogCapture::~LogCapture() {
  g_log_remove_handler("vfsd-s3", id_);
  g_mutex_clear(&lock_);
}

void LogCapture::on_log(const char *, GLogLevelFlags, const char *msg,
                        void *data) {
  auto *self = static_cast<LogCapture *>(data);
  g_mutex_lock(&self->lock_);
  self->text_ += msg;
  self->text_ += "\n";
  g_mutex_unlock(&self->lock_);
}

std::string LogCapture::text() {
  g_mutex_lock(&lock_);
  std::string t = text_;
  g_mutex_unlock(&lock_);
  return t;
}

std::string random_bytes(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (size_t i = 0; i < n; i += 4) {
    uint32_t v = rng();
    for (size_t j = 0; j < 4 && i + j < n; j++) s[i + j] = (char)(v >> (8 * j));
  }
  return s;
}

std::string md5(const std::string &data) {
  gchar *h = g_compute_checksum_for_data(G_CHECKSUM_MD5,
                                         (const guchar *)data.data(),
                                         data.size());
  std::string s = h;
  g_free(h);
  return s;
}

}  // namespace s3test
