// SPDX-License-Identifier: LGPL-2.1-or-later
// A small in-memory file system for layer tests: a real tree (directories,
// files with contents, symlinks, xattrs) that records every call it gets,
// so a test can see exactly what reached the bottom of a stack.
#pragma once

#include <vfsd/vfsd.h>

#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace vfsdtest {

class FakeFs {
 public:
  FakeFs();
  ~FakeFs();
  // A new reference to the backend (the FakeFs must outlive it).
  VfsdBackend *backend() const { return static_cast<VfsdBackend *>(g_object_ref(backend_)); }
  // The names of the operations received so far ("lookup", …), in order.
  std::vector<std::string> calls();
  void clear_calls();
  // How many times @op was received.
  int count(const std::string &op);

  struct Node {
    uint32_t mode = 0;
    uint64_t parent = 0;
    std::string data;                           // contents, or symlink target
    std::map<std::string, uint64_t> children;   // directories
    std::map<std::string, std::string> xattrs;
    uint32_t nlink = 1;
  };
  std::mutex lock;
  std::map<uint64_t, Node> nodes;
  uint64_t next_ino = 2;
  std::vector<std::string> log;
  // When set, every call is also appended here as "fake:OP".
  std::vector<std::string> *shared = nullptr;
  int init_calls = 0, destroy_calls = 0;

  void record(const char *op);
  void fill_attr(uint64_t ino, VfsdAttr *a);
  void fill_entry(uint64_t ino, VfsdEntry *e);

 private:
  VfsdBackend *backend_;
};

// A context as the kernel would give it, for this process.
VfsdCtx test_ctx();

}  // namespace vfsdtest
