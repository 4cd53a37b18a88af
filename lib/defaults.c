/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The one table of what happens when no backend in a stack implements an
 * operation.  backend.h repeats each line as the operation's "If NULL". */
#include "private.h"

#include <errno.h>
#include <string.h>

#define OP(id, nm, mod, err, text) [id] = { nm, mod, err, text }

const VfsdOpInfo vfsd_op_info[VFSD_OP_COUNT] = {
  OP(VFSD_OP_INIT, "init", false, 0, "the library's defaults apply"),
  OP(VFSD_OP_DESTROY, "destroy", false, 0, "nothing"),
  OP(VFSD_OP_LOOKUP, "lookup", false, -ENOSYS, "required"),
  OP(VFSD_OP_FORGET, "forget", false, 0, "nothing"),
  OP(VFSD_OP_GETATTR, "getattr", false, -ENOSYS, "required"),
  OP(VFSD_OP_SETATTR, "setattr", true, -ENOSYS, "-ENOSYS"),
  OP(VFSD_OP_READLINK, "readlink", false, -ENOSYS, "-ENOSYS"),
  OP(VFSD_OP_MKNOD, "mknod", true, -ENOSYS, "-ENOSYS"),
  OP(VFSD_OP_MKDIR, "mkdir", true, -ENOSYS, "-ENOSYS"),
  OP(VFSD_OP_UNLINK, "unlink", true, -ENOSYS, "-ENOSYS"),
  OP(VFSD_OP_RMDIR, "rmdir", true, -ENOSYS, "-ENOSYS"),
  OP(VFSD_OP_SYMLINK, "symlink", true, -ENOSYS, "-ENOSYS"),
  OP(VFSD_OP_RENAME, "rename", true, -ENOSYS, "-ENOSYS"),
  OP(VFSD_OP_LINK, "link", true, -ENOSYS, "-ENOSYS"),
  OP(VFSD_OP_OPEN, "open", false, 0, "success with fh 0"),
  OP(VFSD_OP_CREATE, "create", true, -ENOSYS,
     "-ENOSYS; the kernel then uses mknod and open"),
  OP(VFSD_OP_READ, "read", false, -ENOSYS, "read_iov is used; if both are "
     "NULL, -ENOSYS"),
  OP(VFSD_OP_READ_IOV, "read_iov", false, -ENOSYS, "read is used"),
  OP(VFSD_OP_WRITE, "write", true, -ENOSYS, "-ENOSYS"),
  OP(VFSD_OP_FLUSH, "flush", false, -ENOSYS,
     "-ENOSYS (success; the kernel stops sending) and VFSD_OPEN_NOFLUSH"),
  OP(VFSD_OP_RELEASE, "release", false, 0, "nothing"),
  OP(VFSD_OP_FSYNC, "fsync", false, -ENOSYS,
     "-ENOSYS (success; the kernel stops sending)"),
  OP(VFSD_OP_OPENDIR, "opendir", false, 0, "success with fh 0"),
  OP(VFSD_OP_READDIR, "readdir", false, -ENOSYS, "-ENOSYS"),
  OP(VFSD_OP_RELEASEDIR, "releasedir", false, 0, "nothing"),
  OP(VFSD_OP_FSYNCDIR, "fsyncdir", false, -ENOSYS,
     "-ENOSYS (success; the kernel stops sending)"),
  OP(VFSD_OP_STATFS, "statfs", false, 0,
     "zeros, with bsize 4096 and namemax 255"),
  OP(VFSD_OP_SETXATTR, "setxattr", true, -ENOSYS,
     "-ENOSYS; the kernel answers EOPNOTSUPP from then on"),
  OP(VFSD_OP_GETXATTR, "getxattr", false, -ENOSYS,
     "-ENOSYS; the kernel answers EOPNOTSUPP from then on"),
  OP(VFSD_OP_LISTXATTR, "listxattr", false, -ENOSYS,
     "-ENOSYS; the kernel answers EOPNOTSUPP from then on"),
  OP(VFSD_OP_REMOVEXATTR, "removexattr", true, -ENOSYS,
     "-ENOSYS; the kernel answers EOPNOTSUPP from then on"),
  OP(VFSD_OP_ACCESS, "access", false, -ENOSYS,
     "-ENOSYS (allowed; the kernel stops asking)"),
  OP(VFSD_OP_FALLOCATE, "fallocate", true, -ENOSYS,
     "-ENOSYS; the kernel answers EOPNOTSUPP from then on"),
  OP(VFSD_OP_LSEEK, "lseek", false, -ENOSYS,
     "-ENOSYS; the kernel treats the whole file as data"),
  OP(VFSD_OP_COPY_FILE_RANGE, "copy_file_range", true, -ENOSYS,
     "-ENOSYS; the kernel copies by reading and writing"),
  OP(VFSD_OP_GETLK, "getlk", false, -ENOSYS,
     "not offered to the kernel, which keeps locks locally"),
  OP(VFSD_OP_SETLK, "setlk", false, -ENOSYS,
     "not offered to the kernel, which keeps locks locally"),
  OP(VFSD_OP_FLOCK, "flock", false, -ENOSYS,
     "not offered to the kernel, which keeps locks locally"),
  OP(VFSD_OP_BMAP, "bmap", false, -ENOSYS, "-ENOSYS"),
  OP(VFSD_OP_IOCTL, "ioctl", false, -ENOTTY, "-ENOTTY"),
  OP(VFSD_OP_POLL, "poll", false, -ENOSYS,
     "-ENOSYS; the kernel reports the file always ready"),
};

const char *
vfsd_op_name(VfsdOpId op)
{
  return (unsigned)op < VFSD_OP_COUNT ? vfsd_op_info[op].name : "?";
}

bool
vfsd_op_is_modifying(VfsdOpId op)
{
  return (unsigned)op < VFSD_OP_COUNT && vfsd_op_info[op].modifying;
}

const char *
vfsd_op_default_doc(VfsdOpId op)
{
  return (unsigned)op < VFSD_OP_COUNT ? vfsd_op_info[op].doc : "?";
}

void
vfsd_default_statfs(VfsdStatfs *out)
{
  memset(out, 0, sizeof *out);
  out->bsize = 4096;
  out->frsize = 4096;
  out->namemax = 255;
}
