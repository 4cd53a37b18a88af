// SPDX-License-Identifier: LGPL-2.1-or-later
// Loading backend modules: the example module, every way a module can be
// bad (one clear error, nothing loaded), and modules built against older
// or newer headers.
#include "fixtures.h"

#include <gtest/gtest.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

namespace {

bool mapped(const std::string &file) {
  std::string maps;
  vfsdtest::read_file("/proc/self/maps", &maps);
  return maps.find(file) != std::string::npos;
}

class Modules : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    garbage = new vfsdtest::TempDir("garbage");
    vfsdtest::write_file(*garbage / "vfsd-garbage.so", "not a shared object\n");
    std::string path = vfsdtest::build_path("tests/module/.libs") + ":" +
                       garbage->path() + ":" +
                       vfsdtest::build_path("examples/module/.libs");
    // test-module-oot.sh points this at the module it built out of tree.
    const char *only = getenv("VFSD_TEST_MODULE_PATH_ONLY");
    g_setenv("VFSD_MODULE_PATH", only ? only : path.c_str(), TRUE);
  }
  static void TearDownTestSuite() { delete garbage; }
  static vfsdtest::TempDir *garbage;
  VfsdCtx ctx = {};
};
vfsdtest::TempDir *Modules::garbage;


// Loads @spec expecting failure; returns the message.
std::string fails(const char *spec, int code = 0) {
  GError *err = nullptr;
  VfsdBackend *b = vfsd_backend_load(spec, &err);
  EXPECT_EQ(b, nullptr) << spec;
  if (b) g_object_unref(b);
  EXPECT_NE(err, nullptr) << spec;
  if (!err) return "";
  if (code) {
    EXPECT_EQ(err->code, code) << err->message;
  }
  std::string m = err->message;
  g_error_free(err);
  return m;
}

#define EXPECT_HAS(hay, needle) EXPECT_NE((hay).find(needle), std::string::npos) << (hay)

TEST_F(Modules, TheExampleModuleLoadsAndMounts) {
  GError *err = nullptr;
  VfsdBackend *b = vfsd_backend_load("example:Hi there", &err);
  ASSERT_NE(b, nullptr) << err->message;
  EXPECT_STREQ(vfsd_backend_get_name(b), "example");
  EXPECT_STREQ(vfsd_module_get_summary("example"), "one read-only file holding a message");
  gchar **names = vfsd_module_list_names();
  bool found = false;
  for (gchar **n = names; *n; n++) found |= !strcmp(*n, "example");
  g_strfreev(names);
  EXPECT_TRUE(found);
  {
    vfsdtest::Mount m(b);
    ASSERT_TRUE(m.mounted()) << m.error();
    std::string s;
    EXPECT_TRUE(vfsdtest::read_file(m / "message", &s));
    EXPECT_EQ(s, "Hi there\n");
  }
  g_object_unref(b);
  if (const char *only = getenv("VFSD_TEST_MODULE_PATH_ONLY")) {
    EXPECT_TRUE(mapped(std::string(only) + "/vfsd-example.so")) << "loaded from " << only;
  }
  // Loaded once, found again by name.
  b = vfsd_backend_load("example:", &err);
  ASSERT_NE(b, nullptr);
  g_object_unref(b);
}

TEST_F(Modules, NoEntryPoint) {
  EXPECT_HAS(fails("noentry", ENOEXEC), "no vfsd_module_init entry point");
  EXPECT_FALSE(mapped("vfsd-noentry.so")) << "nothing stays loaded";
}

TEST_F(Modules, FutureModuleAbi) {
  std::string m = fails("future", EINVAL);
  EXPECT_HAS(m, "module ABI 2");
  EXPECT_HAS(m, "rebuild");
  EXPECT_FALSE(mapped("vfsd-future.so"));
}

TEST_F(Modules, FailingInit) {
  std::string m = fails("failinit", ENOPKG);
  EXPECT_HAS(m, "failed to initialize");
  EXPECT_HAS(m, "the frobnicator library is not installed");
  EXPECT_FALSE(mapped("vfsd-failinit.so"));
  // Not remembered as loaded: the same error again.
  EXPECT_HAS(fails("failinit:x", ENOPKG), "frobnicator");
  EXPECT_FALSE(mapped("vfsd-failinit.so"));
}

TEST_F(Modules, InitReturningNothing) {
  EXPECT_HAS(fails("nullinit"), "returned nothing");
  EXPECT_FALSE(mapped("vfsd-nullinit.so"));
}

TEST_F(Modules, ModuleDescribingAnotherBackend) {
  EXPECT_HAS(fails("wrongname", EINVAL), "describes itself badly");
  EXPECT_FALSE(mapped("vfsd-wrongname.so"));
  EXPECT_HAS(fails("nocreate", EINVAL), "create missing");
  EXPECT_FALSE(mapped("vfsd-nocreate.so"));
}

TEST_F(Modules, NotASharedObject) {
  EXPECT_HAS(fails("garbage", ENOEXEC), "cannot load backend module");
}

TEST_F(Modules, UnknownAndInvalidNames) {
  std::string m = fails("nosuchbackend:x", ENOENT);
  EXPECT_HAS(m, "no backend named 'nosuchbackend'");
  EXPECT_HAS(m, "VFSD_MODULE_PATH");
  EXPECT_HAS(fails("../etc/x", EINVAL), "not a valid backend name");
  EXPECT_HAS(fails("", EINVAL), "not a valid backend name");
}

TEST_F(Modules, CreateRefusingItsArguments) {
  EXPECT_HAS(fails("good:fail", EINVAL), "'fail' is not a good argument");
  GError *err = nullptr;
  VfsdBackend *b = vfsd_backend_load("good:", &err);
  ASSERT_NE(b, nullptr) << err->message;
  g_object_unref(b);
}

TEST_F(Modules, OpsFromTheFutureAreRefused) {
  std::string m = fails("futureops", EINVAL);
  EXPECT_HAS(m, "ABI version 2");
}

TEST_F(Modules, AnOlderSmallerVtableStillLoads) {
  GError *err = nullptr;
  VfsdBackend *b = vfsd_backend_load("oldops", &err);
  ASSERT_NE(b, nullptr) << err->message;
  VfsdEntry e = {};
  char buf[4] = {};
  EXPECT_EQ(vfsd_call_lookup(b, &ctx, VFSD_ROOT_INO, "f", &e), 0);
  EXPECT_EQ(vfsd_call_read(b, &ctx, e.ino, 0, buf, sizeof buf, 0), 2);
  EXPECT_STREQ(buf, "ok");
  // write lies past the table this module declares: never called.
  EXPECT_EQ(vfsd_call_write(b, &ctx, e.ino, 0, "x", 1, 0, 0), -ENOSYS);
  EXPECT_FALSE(vfsd_backend_implements(b, VFSD_OP_WRITE));
  {
    vfsdtest::Mount m(b);
    ASSERT_TRUE(m.mounted()) << m.error();
    std::string s;
    EXPECT_TRUE(vfsdtest::read_file(m / "f", &s));
    EXPECT_EQ(s, "ok");
  }
  g_object_unref(b);
}

TEST_F(Modules, ANewerLargerVtableLoadsWithoutItsNewOps) {
  GError *err = nullptr;
  VfsdBackend *b = vfsd_backend_load("newops", &err);
  ASSERT_NE(b, nullptr) << err->message;
  EXPECT_EQ(vfsd_call_write(b, &ctx, 2, 0, "x", 1, 0, 0), -EBADMSG)
      << "ops this library knows are called";
  EXPECT_EQ(vfsd_backend_get_ops(b)->struct_size, sizeof(VfsdOps));
  g_object_unref(b);
}

TEST_F(Modules, StacksLoadInOneCall) {
  const char *specs[] = {"readonly", "stats", "example:stacked", nullptr};
  GError *err = nullptr;
  VfsdBackend *top = vfsd_backend_load_stack(specs, &err);
  ASSERT_NE(top, nullptr) << err->message;
  EXPECT_STREQ(vfsd_backend_get_name(top), "readonly");
  EXPECT_STREQ(vfsd_backend_get_name(vfsd_backend_get_next(top)), "stats");
  EXPECT_STREQ(vfsd_backend_get_name(vfsd_backend_get_next(vfsd_backend_get_next(top))), "example");
  VfsdEntry e = {};
  EXPECT_EQ(vfsd_call_lookup(top, &ctx, VFSD_ROOT_INO, "message", &e), 0);
  g_object_unref(top);
  const char *bad_layer[] = {"readonly", "bogus:x", "example", nullptr};
  EXPECT_EQ(vfsd_backend_load_stack(bad_layer, &err), nullptr);
  ASSERT_NE(err, nullptr);
  EXPECT_NE(strstr(err->message, "layer 2 of the stack (bogus:x)"), nullptr) << err->message;
  g_clear_error(&err);
  const char *bad_backend[] = {"readonly", "nosuch", nullptr};
  EXPECT_EQ(vfsd_backend_load_stack(bad_backend, &err), nullptr);
  ASSERT_NE(err, nullptr);
  EXPECT_NE(strstr(err->message, "nosuch"), nullptr) << err->message;
  g_clear_error(&err);
  const char *empty[] = {nullptr};
  EXPECT_EQ(vfsd_backend_load_stack(empty, &err), nullptr);
  g_clear_error(&err);
}

TEST_F(Modules, ANameCannotBeRegisteredTwice) {
  VfsdBackend *b = vfsd_backend_load("example:", nullptr);
  ASSERT_NE(b, nullptr);
  g_object_unref(b);
  static VfsdModuleInfo dup = {};
  dup.struct_size = sizeof dup;
  dup.abi_version = VFSD_MODULE_ABI_VERSION;
  dup.name = "example";
  dup.summary = "an impostor";
  dup.create = [](const char *, GError **) -> VfsdBackend * { return nullptr; };
  GError *err = nullptr;
  EXPECT_FALSE(vfsd_module_register(&dup, &err));
  ASSERT_NE(err, nullptr);
  EXPECT_EQ(err->code, EEXIST);
  g_clear_error(&err);
  EXPECT_FALSE(vfsd_module_register(nullptr, &err));
  g_clear_error(&err);
}

}  // namespace
