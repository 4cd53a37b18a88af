// SPDX-License-Identifier: LGPL-2.1-or-later
// Shared by the passthrough tests: a source tree, calling the vtable, and a
// watch that sees any access to a directory outside the tree.
#pragma once

#include "fixtures.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace pttest {

// Creates @path with @data (parents must exist).
void put(const std::string &path, const std::string &data);
// Contents of @path, or "<missing>".
std::string get(const std::string &path);
// The backend "passthrough:@spec"; fails the test when it cannot be made.
VfsdBackend *load(const std::string &spec);
// st_ino of @path (lstat).
uint64_t st_ino(const std::string &path);

// Every name under @dir with its type, size, mode, uid, mtime and ctime,
// sorted: equal before and after means nothing there was changed.
std::string snapshot(const std::string &dir);

// Watches @dir (and the files in it) with inotify for any access, open,
// change, creation, removal or move.
class Watch {
 public:
  explicit Watch(const std::string &dir);
  ~Watch();
  // The events seen so far, as "EVENT name" lines.
  std::vector<std::string> events();

 private:
  int fd_ = -1;
};

// A directory on tmpfs (/dev/shm when it is tmpfs, else under $TMPDIR).
class TmpfsDir {
 public:
  TmpfsDir();
  ~TmpfsDir();
  const std::string &path() const { return path_; }
  std::string operator/(const std::string &n) const { return path_ + "/" + n; }

 private:
  std::string path_;
};

}  // namespace pttest
