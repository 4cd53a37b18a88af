// SPDX-License-Identifier: LGPL-2.1-or-later
#include "fake-fs.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

namespace vfsdtest {

static FakeFs *F(void *self) { return static_cast<FakeFs *>(self); }

#define REC(op) FakeFs *fs = F(self); std::lock_guard<std::mutex> g(fs->lock); fs->log.push_back(op); \
  if (fs->shared) fs->shared->push_back(std::string("fake:") + op)

void FakeFs::fill_attr(uint64_t ino, VfsdAttr *a) {
  const Node &n = nodes.at(ino);
  memset(a, 0, sizeof *a);
  a->ino = ino;
  a->mode = n.mode;
  a->nlink = S_ISDIR(n.mode) ? 2 : n.nlink;
  a->size = n.data.size();
  a->uid = 0;
  a->gid = 0;
}

void FakeFs::fill_entry(uint64_t ino, VfsdEntry *e) {
  e->ino = ino;
  e->generation = 1;
  fill_attr(ino, &e->attr);
}

static int f_init(void *self, VfsdInit *) { REC("init"); fs->init_calls++; return 0; }
static void f_destroy(void *self) { REC("destroy"); fs->destroy_calls++; }
static void f_forget(void *self, uint64_t) { REC("forget"); }

static int f_lookup(void *self, const VfsdCtx *, uint64_t parent, const char *name, VfsdEntry *e) {
  REC("lookup");
  auto p = fs->nodes.find(parent);
  if (p == fs->nodes.end()) return -ENOENT;
  if (!S_ISDIR(p->second.mode)) return -ENOTDIR;
  auto c = p->second.children.find(name);
  if (c == p->second.children.end()) return -ENOENT;
  fs->fill_entry(c->second, e);
  return 0;
}

static int f_getattr(void *self, const VfsdCtx *, uint64_t ino, uint64_t, VfsdAttr *a) {
  REC("getattr");
  if (!fs->nodes.count(ino)) return -ENOENT;
  fs->fill_attr(ino, a);
  return 0;
}

static int f_setattr(void *self, const VfsdCtx *, uint64_t ino, uint64_t, const VfsdAttr *in, uint32_t set, VfsdAttr *out) {
  REC("setattr");
  if (!fs->nodes.count(ino)) return -ENOENT;
  FakeFs::Node &n = fs->nodes[ino];
  if (set & VFSD_SET_MODE) n.mode = (n.mode & S_IFMT) | (in->mode & 07777);
  if (set & VFSD_SET_SIZE) n.data.resize(in->size);
  fs->fill_attr(ino, out);
  return 0;
}

static ssize_t f_readlink(void *self, const VfsdCtx *, uint64_t ino, char *buf, size_t size) {
  REC("readlink");
  if (!fs->nodes.count(ino) || !S_ISLNK(fs->nodes[ino].mode)) return -EINVAL;
  const std::string &t = fs->nodes[ino].data;
  if (t.size() > size) return -ENAMETOOLONG;
  memcpy(buf, t.data(), t.size());
  return (ssize_t)t.size();
}

static int make(FakeFs *fs, uint64_t parent, const char *name, uint32_t mode, VfsdEntry *e) {
  auto p = fs->nodes.find(parent);
  if (p == fs->nodes.end()) return -ENOENT;
  if (p->second.children.count(name)) return -EEXIST;
  uint64_t ino = fs->next_ino++;
  FakeFs::Node n;
  n.mode = mode;
  n.parent = parent;
  fs->nodes[ino] = n;
  fs->nodes[parent].children[name] = ino;
  fs->fill_entry(ino, e);
  return 0;
}

static int f_mknod(void *self, const VfsdCtx *, uint64_t parent, const char *name, uint32_t mode, uint64_t, VfsdEntry *e) {
  REC("mknod");
  return make(fs, parent, name, mode, e);
}
static int f_mkdir(void *self, const VfsdCtx *, uint64_t parent, const char *name, uint32_t mode, VfsdEntry *e) {
  REC("mkdir");
  return make(fs, parent, name, S_IFDIR | (mode & 07777), e);
}
static int f_symlink(void *self, const VfsdCtx *, const char *target, uint64_t parent, const char *name, VfsdEntry *e) {
  REC("symlink");
  int r = make(fs, parent, name, S_IFLNK | 0777, e);
  if (r == 0) { fs->nodes[e->ino].data = target; fs->fill_entry(e->ino, e); }
  return r;
}
static int remove_name(FakeFs *fs, uint64_t parent, const char *name, bool dir) {
  auto p = fs->nodes.find(parent);
  if (p == fs->nodes.end()) return -ENOENT;
  auto c = p->second.children.find(name);
  if (c == p->second.children.end()) return -ENOENT;
  FakeFs::Node &n = fs->nodes[c->second];
  if (dir && !S_ISDIR(n.mode)) return -ENOTDIR;
  if (!dir && S_ISDIR(n.mode)) return -EISDIR;
  if (dir && !n.children.empty()) return -ENOTEMPTY;
  p->second.children.erase(c);
  return 0;
}
static int f_unlink(void *self, const VfsdCtx *, uint64_t parent, const char *name) {
  REC("unlink");
  return remove_name(fs, parent, name, false);
}
static int f_rmdir(void *self, const VfsdCtx *, uint64_t parent, const char *name) {
  REC("rmdir");
  return remove_name(fs, parent, name, true);
}
static int f_rename(void *self, const VfsdCtx *, uint64_t parent, const char *name, uint64_t np, const char *nn, uint32_t flags) {
  REC("rename");
  if (!fs->nodes.count(parent) || !fs->nodes.count(np)) return -ENOENT;
  auto &from = fs->nodes[parent].children;
  auto &to = fs->nodes[np].children;
  auto c = from.find(name);
  if (c == from.end()) return -ENOENT;
  uint64_t ino = c->second;
  if (flags & RENAME_EXCHANGE) {
    auto d = to.find(nn);
    if (d == to.end()) return -ENOENT;
    std::swap(c->second, d->second);
    return 0;
  }
  if ((flags & RENAME_NOREPLACE) && to.count(nn)) return -EEXIST;
  from.erase(c);
  to[nn] = ino;
  fs->nodes[ino].parent = np;
  return 0;
}
static int f_link(void *self, const VfsdCtx *, uint64_t ino, uint64_t np, const char *nn, VfsdEntry *e) {
  REC("link");
  if (!fs->nodes.count(ino) || !fs->nodes.count(np)) return -ENOENT;
  if (fs->nodes[np].children.count(nn)) return -EEXIST;
  fs->nodes[np].children[nn] = ino;
  fs->nodes[ino].nlink++;
  fs->fill_entry(ino, e);
  return 0;
}
static int f_open(void *self, const VfsdCtx *, uint64_t ino, VfsdOpenInfo *oi) {
  REC("open");
  if (!fs->nodes.count(ino)) return -ENOENT;
  if (oi->flags & O_TRUNC) fs->nodes[ino].data.clear();
  oi->fh = ino * 10;
  return 0;
}
static int f_create(void *self, const VfsdCtx *, uint64_t parent, const char *name, uint32_t mode, VfsdOpenInfo *oi, VfsdEntry *e) {
  REC("create");
  int r = make(fs, parent, name, S_IFREG | (mode & 07777), e);
  if (r == 0) oi->fh = e->ino * 10;
  return r;
}
static ssize_t f_read(void *self, const VfsdCtx *, uint64_t ino, uint64_t, char *buf, size_t size, int64_t off) {
  REC("read");
  if (!fs->nodes.count(ino)) return -ENOENT;
  const std::string &d = fs->nodes[ino].data;
  if ((size_t)off >= d.size()) return 0;
  size_t n = std::min(size, d.size() - (size_t)off);
  memcpy(buf, d.data() + off, n);
  return (ssize_t)n;
}
static ssize_t f_write(void *self, const VfsdCtx *, uint64_t ino, uint64_t, const char *buf, size_t size, int64_t off, uint32_t) {
  REC("write");
  if (!fs->nodes.count(ino)) return -ENOENT;
  std::string &d = fs->nodes[ino].data;
  if (d.size() < (size_t)off + size) d.resize((size_t)off + size);
  memcpy(&d[(size_t)off], buf, size);
  return (ssize_t)size;
}
static int f_flush(void *self, const VfsdCtx *, uint64_t, uint64_t, uint64_t) { REC("flush"); return 0; }
static int f_release(void *self, const VfsdCtx *, uint64_t, uint64_t, int32_t) { REC("release"); return 0; }
static int f_fsync(void *self, const VfsdCtx *, uint64_t, uint64_t, int32_t) { REC("fsync"); return 0; }
static int f_readdir(void *self, const VfsdCtx *, uint64_t ino, uint64_t, int64_t off, VfsdDirFiller *filler) {
  REC("readdir");
  auto p = fs->nodes.find(ino);
  if (p == fs->nodes.end()) return -ENOENT;
  std::vector<std::pair<std::string, uint64_t>> all = {{".", ino}, {"..", p->second.parent ? p->second.parent : ino}};
  for (auto &c : p->second.children) all.push_back(c);
  for (size_t i = (size_t)off; i < all.size(); i++) {
    bool ok;
    if (i >= 2 && vfsd_dir_wants_entries(filler)) {
      VfsdEntry e = {};
      fs->fill_entry(all[i].second, &e);
      ok = vfsd_dir_add_entry(filler, all[i].first.c_str(), &e, (int64_t)i + 1);
    } else {
      ok = vfsd_dir_add(filler, all[i].first.c_str(), all[i].second, fs->nodes[all[i].second].mode, (int64_t)i + 1);
    }
    if (!ok) break;
  }
  return 0;
}
static int f_statfs(void *self, const VfsdCtx *, uint64_t, VfsdStatfs *out) {
  REC("statfs");
  out->bsize = 4096; out->frsize = 4096; out->blocks = 1000; out->bfree = 500; out->namemax = 255;
  return 0;
}
static int f_setxattr(void *self, const VfsdCtx *, uint64_t ino, const char *name, const char *value, size_t size, int32_t) {
  REC("setxattr");
  if (!fs->nodes.count(ino)) return -ENOENT;
  fs->nodes[ino].xattrs[name] = std::string(value, size);
  return 0;
}
static ssize_t f_getxattr(void *self, const VfsdCtx *, uint64_t ino, const char *name, char *buf, size_t size) {
  REC("getxattr");
  if (!fs->nodes.count(ino)) return -ENOENT;
  auto &x = fs->nodes[ino].xattrs;
  auto it = x.find(name);
  if (it == x.end()) return -ENODATA;
  if (size == 0) return (ssize_t)it->second.size();
  if (size < it->second.size()) return -ERANGE;
  memcpy(buf, it->second.data(), it->second.size());
  return (ssize_t)it->second.size();
}

static const VfsdOps fake_ops = {
  VFSD_OPS_INIT("fake", VFSD_THREAD_PARALLEL),
  .init = f_init, .destroy = f_destroy, .lookup = f_lookup, .forget = f_forget,
  .getattr = f_getattr, .setattr = f_setattr, .readlink = f_readlink,
  .mknod = f_mknod, .mkdir = f_mkdir, .unlink = f_unlink, .rmdir = f_rmdir,
  .symlink = f_symlink, .rename = f_rename, .link = f_link, .open = f_open,
  .create = f_create, .read = f_read, .write = f_write, .flush = f_flush,
  .release = f_release, .fsync = f_fsync, .readdir = f_readdir,
  .statfs = f_statfs, .setxattr = f_setxattr, .getxattr = f_getxattr,
};

FakeFs::FakeFs() {
  Node root;
  root.mode = S_IFDIR | 0755;
  root.parent = VFSD_ROOT_INO;
  nodes[VFSD_ROOT_INO] = root;
  GError *err = nullptr;
  backend_ = vfsd_backend_new(&fake_ops, this, nullptr, &err);
  if (!backend_) { fprintf(stderr, "fake backend: %s\n", err->message); abort(); }
}

FakeFs::~FakeFs() { g_object_unref(backend_); }

std::vector<std::string> FakeFs::calls() {
  std::lock_guard<std::mutex> g(lock);
  return log;
}
void FakeFs::clear_calls() {
  std::lock_guard<std::mutex> g(lock);
  log.clear();
}
int FakeFs::count(const std::string &op) {
  std::lock_guard<std::mutex> g(lock);
  int n = 0;
  for (auto &s : log) n += s == op;
  return n;
}
void FakeFs::record(const char *op) {
  std::lock_guard<std::mutex> g(lock);
  log.push_back(op);
}

VfsdCtx test_ctx() {
  VfsdCtx c = {};
  c.uid = getuid();
  c.gid = getgid();
  c.pid = (uint32_t)getpid();
  c.umask = 022;
  return c;
}

}  // namespace vfsdtest
