// SPDX-License-Identifier: LGPL-2.1-or-later
// Memory maps: shared and private, coherence with read and write, msync,
// SIGBUS past the end.
#include "conformance.h"

#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>

using namespace conf;

static const size_t kPage = 4096;

static char *map(int fd, size_t len, int prot, int flags, off_t off = 0) {
  void *p = mmap(nullptr, len, prot, flags, fd, off);
  if (p == MAP_FAILED) fail(__FILE__, __LINE__, "mmap: " + errno_name(errno), true);
  return static_cast<char *>(p);
}

static sigjmp_buf bus_jump;
static void on_bus(int) { siglongjmp(bus_jump, 1); }

// True if reading *p raises SIGBUS.
static bool raises_sigbus(volatile char *p) {
  struct sigaction sa = {}, old;
  sa.sa_handler = on_bus;
  sigaction(SIGBUS, &sa, &old);
  bool bus = false;
  if (sigsetjmp(bus_jump, 1) == 0) {
    char c = *p;
    (void)c;
  } else
    bus = true;
  sigaction(SIGBUS, &old, nullptr);
  return bus;
}

CHECK(mmap, shared_write_then_read, "writes through a shared map reach read() after msync") {
  int fd = T_SYS(open("f", O_RDWR | O_CREAT, 0644));
  T_SYS(ftruncate(fd, 64 * 1024));
  char *p = map(fd, 64 * 1024, PROT_READ | PROT_WRITE, MAP_SHARED);
  std::string d = pattern(64 * 1024);
  memcpy(p, d.data(), d.size());
  T_SYS(msync(p, d.size(), MS_SYNC));
  T_SYS(munmap(p, d.size()));
  close(fd);
  T_EQ(get("f"), d);
}

CHECK(mmap, read_sees_mapped_write_at_once, "read() sees a write through a shared map without msync") {
  put("f", std::string(8192, 'a'));
  int fd = T_SYS(open("f", O_RDWR));
  char *p = map(fd, 8192, PROT_READ | PROT_WRITE, MAP_SHARED);
  memcpy(p + 5000, "MAPPED", 6);
  T_EQ(read_fd_at(fd, 6, 5000), std::string("MAPPED"));
  munmap(p, 8192);
  close(fd);
}

CHECK(mmap, map_sees_write, "a shared map sees later write() calls") {
  put("f", std::string(8192, 'a'));
  int fd = T_SYS(open("f", O_RDWR));
  char *p = map(fd, 8192, PROT_READ, MAP_SHARED);
  T_EQ(p[100], 'a');
  write_fd_at(fd, "WRITTEN", 100);
  T_EQ(std::string(p + 100, 7), std::string("WRITTEN"));
  int other = T_SYS(open("f", O_WRONLY));
  write_fd_at(other, "OTHER", 7000);
  close(other);
  T_EQ(std::string(p + 7000, 5), std::string("OTHER"));
  munmap(p, 8192);
  close(fd);
}

CHECK(mmap, two_shared_maps, "two shared maps of one file see each other's writes") {
  put("f", std::string(3 * kPage, '\0'));
  int a = T_SYS(open("f", O_RDWR)), b = T_SYS(open("f", O_RDWR));
  char *p = map(a, 3 * kPage, PROT_READ | PROT_WRITE, MAP_SHARED);
  char *q = map(b, 2 * kPage, PROT_READ | PROT_WRITE, MAP_SHARED, kPage);
  memcpy(p + kPage + 10, "from-p", 6);
  T_EQ(std::string(q + 10, 6), std::string("from-p"));
  memcpy(q + kPage, "from-q", 6);
  T_EQ(std::string(p + 2 * kPage, 6), std::string("from-q"));
  munmap(p, 3 * kPage);
  munmap(q, 2 * kPage);
  close(a);
  close(b);
  T_EQ(get("f").substr(2 * kPage, 6), std::string("from-q"));
}

CHECK(mmap, private_copy_on_write, "writes to a private map stay private") {
  put("f", std::string(kPage, 'a'));
  int fd = T_SYS(open("f", O_RDWR));
  char *priv = map(fd, kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE);
  char *shared = map(fd, kPage, PROT_READ, MAP_SHARED);
  priv[0] = 'P';
  T_EQ(shared[0], 'a');
  T_EQ(get("f")[0], 'a');
  write_fd_at(fd, "W", 1);
  T_EQ(priv[0], 'P');
  munmap(priv, kPage);
  munmap(shared, kPage);
  close(fd);
}

CHECK(mmap, sigbus_past_end, "touching a mapped page wholly past the end raises SIGBUS") {
  put("f", std::string(100, 'a'));
  int fd = T_SYS(open("f", O_RDWR));
  char *p = map(fd, 2 * kPage, PROT_READ, MAP_SHARED);
  T_EQ(p[99], 'a');
  T_EQ(p[100], '\0');  // the rest of the last page reads zero
  T_EQ(p[kPage - 1], '\0');
  T_TRUE(raises_sigbus(p + kPage));
  munmap(p, 2 * kPage);
  close(fd);
}

CHECK(mmap, truncate_shrinks_mapping, "after truncation, mapped pages past the new end raise SIGBUS") {
  put("f", std::string(3 * kPage, 'x'));
  int fd = T_SYS(open("f", O_RDWR));
  char *p = map(fd, 3 * kPage, PROT_READ, MAP_SHARED);
  T_EQ(p[2 * kPage + 5], 'x');
  T_SYS(ftruncate(fd, 10));
  T_EQ(p[9], 'x');
  T_EQ(p[10], '\0');
  T_TRUE(raises_sigbus(p + 2 * kPage + 5));
  // Growing the file again brings the page back, as zeros.
  T_SYS(ftruncate(fd, 3 * kPage));
  T_EQ(p[2 * kPage + 5], '\0');
  munmap(p, 3 * kPage);
  close(fd);
}

CHECK(mmap, grow_then_write_through_map, "a file grown by ftruncate can be filled through a map") {
  int fd = T_SYS(open("f", O_RDWR | O_CREAT, 0644));
  T_SYS(ftruncate(fd, 1 << 20));
  char *p = map(fd, 1 << 20, PROT_READ | PROT_WRITE, MAP_SHARED);
  std::string d = pattern(1 << 20, 3);
  memcpy(p, d.data(), d.size());
  T_SYS(msync(p, d.size(), MS_SYNC));
  munmap(p, d.size());
  T_SYS(fsync(fd));
  close(fd);
  T_EQ(get("f"), d);
}

CHECK(mmap, after_unlink, "a map of an unlinked file keeps working") {
  put("f", std::string(kPage, 'a'));
  int fd = T_SYS(open("f", O_RDWR));
  char *p = map(fd, kPage, PROT_READ | PROT_WRITE, MAP_SHARED);
  T_SYS(unlink("f"));
  close(fd);
  memcpy(p, "gone", 4);
  T_EQ(std::string(p, 4), std::string("gone"));
  T_SYS(msync(p, kPage, MS_SYNC));
  munmap(p, kPage);
}

CHECK(mmap, msync_updates_mtime, "a write through a shared map updates mtime and ctime") {
  put("f", std::string(kPage, 'a'));
  struct timespec old[2] = {{1000000000, 0}, {1000000000, 0}};
  T_SYS(utimensat(AT_FDCWD, "f", old, 0));
  struct stat before = st("f");
  tick();
  int fd = T_SYS(open("f", O_RDWR));
  char *p = map(fd, kPage, PROT_READ | PROT_WRITE, MAP_SHARED);
  p[0] = 'b';
  T_SYS(msync(p, kPage, MS_SYNC));
  munmap(p, kPage);
  close(fd);
  struct stat s = st("f");
  T_TS_GT(s.st_mtim, before.st_mtim);
  T_TS_GT(s.st_ctim, before.st_ctim);
}

CHECK(mmap, map_beyond_page_offsets, "maps at page offsets far into a large sparse file") {
  int fd = T_SYS(open("f", O_RDWR | O_CREAT, 0644));
  const off_t off = 1LL << 32;
  T_SYS(ftruncate(fd, off + 2 * kPage));
  char *p = map(fd, kPage, PROT_READ | PROT_WRITE, MAP_SHARED, off + kPage);
  memcpy(p + 7, "far", 3);
  T_SYS(msync(p, kPage, MS_SYNC));
  munmap(p, kPage);
  T_EQ(read_fd_at(fd, 3, off + kPage + 7), std::string("far"));
  close(fd);
}

CHECK(mmap, readonly_descriptor, "a read-only descriptor cannot be mapped shared and writable") {
  put("f", std::string(kPage, 'a'));
  int fd = T_SYS(open("f", O_RDONLY));
  void *p = mmap(nullptr, kPage, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  T_TRUE(p == MAP_FAILED);
  T_EQ(errno_name(errno), errno_name(EACCES));
  p = mmap(nullptr, kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  T_TRUE(p != MAP_FAILED);
  if (p != MAP_FAILED) munmap(p, kPage);
  close(fd);
}
