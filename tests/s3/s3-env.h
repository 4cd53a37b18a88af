// SPDX-License-Identifier: LGPL-2.1-or-later
// The S3 suites' shared fixture: a real Ceph cluster with a RADOS Gateway
// (tests/s3/ceph-fixture.sh) started once per test program, buckets of
// their own for each test, another S3 client (curl --aws-sigv4) to look
// at the store from outside the mount, and mounts of the s3 module.
#pragma once

#include "fixtures.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace s3test {

// Registers the gtest Environment that starts the cluster before the first
// test and stops it after the last (every test is skipped when the Ceph
// packages are missing).  Call from a static initializer or main().
void register_environment();

struct Env {
  std::string endpoint;   // http://127.0.0.1:PORT
  std::string access_key;
  std::string secret_key;
  std::string dir;        // the fixture's directory
  std::string fixture;    // path of ceph-fixture.sh
};
const Env &env();

// Runs `ceph-fixture.sh CMD DIR [ARGS…]` (stop-rgw, start-rgw,
// freeze-rgw, bucket-quota, …).
int fixture(const std::string &cmd, const std::vector<std::string> &args = {});

// Kills the gateway with SIGKILL by its PID, from this process: no child
// is spawned, so files open here are not closed by an exec (which would
// make the kernel flush them).  Returns once the gateway is gone.
bool kill_gateway();

// A fresh bucket, created with curl; its name starts with @tag.
std::string new_bucket(const std::string &tag);

// A signed request with curl (another S3 client than ours).  @path is
// "/bucket/key" (encoded as needed).  Returns the HTTP status, or -1.
int curl(const std::string &method, const std::string &path,
         std::string *body_out = nullptr,
         const std::string *body_in = nullptr,
         const std::vector<std::string> &headers = {},
         std::map<std::string, std::string> *resp_headers = nullptr);

bool get_object(const std::string &bucket, const std::string &key,
                std::string *data);
bool put_object(const std::string &bucket, const std::string &key,
                const std::string &data,
                const std::vector<std::string> &headers = {});
// Lower-case response headers of HEAD, or an empty map if it is absent.
std::map<std::string, std::string> head_object(const std::string &bucket,
                                               const std::string &key);
// Every key under @prefix (no delimiter), in order.
std::vector<std::string> list_keys(const std::string &bucket,
                                   const std::string &prefix = "");

// "s3:bucket=B,endpoint=…,<extra>"
std::string spec(const std::string &bucket, const std::string &extra = "");

// The s3 backend mounted in this process.
class S3Mount {
 public:
  S3Mount(const std::string &bucket, const std::string &extra = "",
          const std::string &options = "");
  ~S3Mount();
  bool ok() const { return mount_ && mount_->mounted(); }
  const std::string &error() const { return error_; }
  const std::string &path() const { return mount_->path(); }
  std::string operator/(const std::string &n) const { return path() + "/" + n; }
  VfsdMount *get() const { return mount_->get(); }
  void unmount() { if (mount_) mount_->unmount(); }

 private:
  std::unique_ptr<vfsdtest::Mount> mount_;
  std::string error_;
};

// Captures what the module logs (domain "vfsd-s3") while alive.
class LogCapture {
 public:
  LogCapture();
  ~LogCapture();
  std::string text();

 private:
  static void on_log(const char *, GLogLevelFlags, const char *, void *);
  unsigned id_;
  GMutex lock_;
  std::string text_;
};

// Small helpers.
std::string random_bytes(size_t n, unsigned seed);
std::string md5(const std::string &data);

}  // namespace s3test
