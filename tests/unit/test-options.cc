// SPDX-License-Identifier: LGPL-2.1-or-later
// The one options parser (lib/options.c), every good and bad input.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "private.h"

namespace {
struct Opts {
  VfsdOptions o;
  Opts() { vfsd_options_init(&o); }
  ~Opts() { vfsd_options_clear(&o); }
  bool parse(const char *s, std::string *msg = nullptr) {
    GError *err = nullptr;
    bool ok = vfsd_options_parse(&o, s, &err);
    if (err) {
      if (msg) *msg = err->message;
      EXPECT_EQ(err->domain, VFSD_ERROR);
      EXPECT_EQ(err->code, EINVAL);
      g_error_free(err);
    }
    return ok;
  }
};
}  // namespace

TEST(Options, EmptyAndNullAreFine) {
  Opts a;
  EXPECT_TRUE(a.parse(nullptr));
  EXPECT_TRUE(a.parse(""));
  EXPECT_EQ(a.o.threads, -1);
  EXPECT_EQ(a.o.spin_us, -1);
  EXPECT_TRUE(std::isnan(a.o.entry_timeout));
}

TEST(Options, EveryKnownOption) {
  Opts a;
  ASSERT_TRUE(a.parse("ro,allow_other,allow_root,default_permissions,auto_unmount,"
                      "fsname=mine,subtype=test,nosuid,nodev,noexec,noatime,dirsync,"
                      "threads=4,spin=50,max_write=1M,max_readahead=128K,readahead=2M,"
                      "entry_timeout=1.5,attr_timeout=0,negative_timeout=3,"
                      "writeback_cache,keep_cache,readdirplus=no,splice,debug"));
  EXPECT_TRUE(a.o.ro);
  EXPECT_TRUE(a.o.allow_other);
  EXPECT_TRUE(a.o.allow_root);
  EXPECT_EQ(a.o.default_permissions, 1);
  EXPECT_EQ(a.o.auto_unmount, 1);
  EXPECT_STREQ(a.o.fsname, "mine");
  EXPECT_STREQ(a.o.subtype, "test");
  EXPECT_EQ(a.o.threads, 4);
  EXPECT_EQ(a.o.spin_us, 50);
  EXPECT_EQ(a.o.max_write, 1024 * 1024);
  EXPECT_EQ(a.o.max_readahead, 128 * 1024);
  EXPECT_EQ(a.o.readahead_kb, 2048);
  EXPECT_DOUBLE_EQ(a.o.entry_timeout, 1.5);
  EXPECT_DOUBLE_EQ(a.o.attr_timeout, 0);
  EXPECT_DOUBLE_EQ(a.o.negative_timeout, 3);
  EXPECT_EQ(a.o.writeback_cache, 1);
  EXPECT_EQ(a.o.keep_cache, 1);
  EXPECT_EQ(a.o.readdirplus, 0);
  EXPECT_EQ(a.o.splice, 1);
  EXPECT_TRUE(a.o.debug);
  EXPECT_STREQ(a.o.kernel->str, "ro,nosuid,nodev,noexec,noatime,dirsync");
}

TEST(Options, NegatedForms) {
  Opts a;
  ASSERT_TRUE(a.parse("nodefault_permissions,noauto_unmount,no_writeback_cache,"
                      "no_keep_cache,no_splice,readdirplus=auto,rw"));
  EXPECT_EQ(a.o.default_permissions, 0);
  EXPECT_EQ(a.o.auto_unmount, 0);
  EXPECT_EQ(a.o.writeback_cache, 0);
  EXPECT_EQ(a.o.keep_cache, 0);
  EXPECT_EQ(a.o.splice, 0);
  EXPECT_EQ(a.o.readdirplus, 2);
  EXPECT_FALSE(a.o.ro);
}

TEST(Options, SizesWithSuffixes) {
  const struct {
    const char *in;
    gint64 want;
  } cases[] = {{"max_write=4096", 4096},     {"max_write=64K", 65536},
               {"max_write=64k", 65536},     {"max_write=1MiB", 1 << 20},
               {"max_write=0.5M", 512 << 10}, {"max_write=2M", 2 << 20}};
  for (auto &c : cases) {
    Opts a;
    ASSERT_TRUE(a.parse(c.in)) << c.in;
    EXPECT_EQ(a.o.max_write, c.want) << c.in;
  }
}

TEST(Options, EscapedComma) {
  Opts a;
  std::string msg;
  // A comma inside a value is escaped; fsname refuses commas though.
  EXPECT_FALSE(a.parse("fsname=a\\,b", &msg));
  EXPECT_NE(msg.find("fsname"), std::string::npos);
  Opts b;
  EXPECT_TRUE(b.parse("fsname=a\\b"));  // backslash before a letter: the letter
  EXPECT_STREQ(b.o.fsname, "ab");
}

TEST(Options, EveryBadInputNamesTheOption) {
  const struct {
    const char *in;
    const char *must_mention;
  } bad[] = {
      {"frobnicate", "frobnicate"},
      {"ro,bogus=1", "bogus"},
      {"threads", "threads"},
      {"threads=", "threads"},
      {"threads=x", "threads"},
      {"threads=-1", "threads"},
      {"threads=1000", "threads"},
      {"threads=2x", "threads"},
      {"spin", "spin"},
      {"spin=-5", "spin"},
      {"spin=100001", "spin"},
      {"spin=fast", "spin"},
      {"max_write=1K", "max_write"},
      {"max_write=1G", "max_write"},
      {"max_write=lots", "max_write"},
      {"max_write=-4K", "max_write"},
      {"entry_timeout=soon", "entry_timeout"},
      {"entry_timeout=-1", "entry_timeout"},
      {"attr_timeout=inf", "attr_timeout"},
      {"negative_timeout=nan", "negative_timeout"},
      {"readdirplus=maybe", "readdirplus"},
      {"ro=yes", "ro"},
      {"allow_other=1", "allow_other"},
      {"fsname", "fsname"},
      {"fsname=", "fsname"},
      {"subtype=a\nb", "subtype"},
      {"readahead=2T", "readahead"},
      {",ro", "empty"},
      {"ro,", "empty"},
      {"ro,,rw", "empty"},
      {"=5", "without a name"},
  };
  for (auto &c : bad) {
    Opts a;
    std::string msg;
    EXPECT_FALSE(a.parse(c.in, &msg)) << c.in;
    EXPECT_NE(msg.find(c.must_mention), std::string::npos)
        << "input '" << c.in << "' gave: " << msg;
  }
}

TEST(Options, HelpListsEveryOption) {
  std::string help = vfsd_mount_options_help();
  for (const char *name : {"allow_other", "threads", "max_write", "entry_timeout",
                           "writeback_cache", "readdirplus", "auto_unmount"})
    EXPECT_NE(help.find(name), std::string::npos) << name;
}
