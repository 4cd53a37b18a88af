/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* TestFs: a VfsdFilesystem written in C that overrides every virtual
 * method, counts its calls, and fails the way a test asks.  MinFs overrides
 * only lookup and getattr. */
#ifndef VFSD_TEST_FAKE_FS_H
#define VFSD_TEST_FAKE_FS_H

#include <vfsd/filesystem.h>

G_BEGIN_DECLS

#define TEST_TYPE_FS (test_fs_get_type())
G_DECLARE_FINAL_TYPE(TestFs, test_fs, TEST, FS, VfsdFilesystem)

struct _TestFs {
  VfsdFilesystem parent_instance;
  GHashTable *calls;          /* op name -> count */
  /* The next call fails with this error (domain 0: no error). */
  GQuark fail_domain;
  int fail_code;
  gboolean return_false;      /* the next call returns FALSE, no error */
  /* What the operations answer. */
  guint64 ino;                /* lookup-like results */
  double entry_timeout;       /* of the entries returned */
  char *link_target;
  GBytes *data;               /* read, getxattr, ioctl out */
  char **xattr_names;
  gsize written;              /* write and copy_file_range counts */
  GBytes *last_write;         /* a reference to the last write's data */
  gint32 ioctl_result;
  /* What the operations saw. */
  guint32 caller_uid, caller_gid;
  VfsdDirFiller *kept_filler; /* a copy, as a binding would keep it */
  gboolean filler_was_plus;
  VfsdMount *init_mount;
  VfsdLock last_lock;
};

TestFs *test_fs_new(VfsdThreadModel model, VfsdBackendFlags flags);
int test_fs_count(TestFs *fs, const char *op);

#define MIN_TYPE_FS (min_fs_get_type())
G_DECLARE_FINAL_TYPE(MinFs, min_fs, MIN, FS, VfsdFilesystem)
struct _MinFs {
  VfsdFilesystem parent_instance;
};

/* NoLookupFs overrides nothing at all. */
#define NO_LOOKUP_TYPE_FS (no_lookup_fs_get_type())
G_DECLARE_FINAL_TYPE(NoLookupFs, no_lookup_fs, NO_LOOKUP, FS, VfsdFilesystem)
struct _NoLookupFs {
  VfsdFilesystem parent_instance;
};

G_END_DECLS

#endif
