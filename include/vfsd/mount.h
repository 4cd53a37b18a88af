/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libvfsd — mounting a backend.
 *
 * # Lifecycle
 * |[<!-- language="C" -->
 * VfsdMount *m = vfsd_mount_new (backend, "/mnt/x", "threads=2", &error);
 * if (!m || !vfsd_mount_start (m, &error)) …   // live once start returns
 * …                                           // serve on library threads
 * vfsd_mount_unmount (m);                     // from any thread
 * vfsd_mount_wait (m);                        // returns within a second
 * g_object_unref (m);
 * ]|
 * vfsd_mount_run() is start + wait for a C main(); with
 * VFSD_RUN_HANDLE_SIGNALS it turns SIGINT, SIGTERM and SIGHUP into a clean
 * unmount.  vfsd_mount_attach() serves from a GMainContext instead of
 * threads; vfsd_mount_run_worker() lends the calling thread to the mount
 * (for threads a language binding creates).
 *
 * # How a mount ends
 * Every way — vfsd_mount_unmount() or vfsd_mount_exit(), `fusermount3 -u`
 * from outside, a signal with VFSD_RUN_HANDLE_SIGNALS, the backend asking —
 * takes the same path: the kernel mount is detached (lazily, so a busy mount
 * still goes away), requests still queued are answered, files still open on
 * the mount are cut off after a short grace (their next call fails with
 * ENOTCONN), and the backend's destroy() runs once every call into it has
 * returned.  vfsd_mount_wait() returns within a second.  If a backend call
 * never returns, the mount still ends within a second: the process blocked
 * on that call gets ECONNABORTED, and destroy() runs when the call finally
 * returns.
 *
 * # Options
 * One comma-separated string, shared by C, Python and the `vfsd` command:
 * see doc/options.md or vfsd_mount_options_help().  Unknown or malformed
 * options are an error that names the option.
 */
#ifndef VFSD_MOUNT_H
#define VFSD_MOUNT_H

#include <vfsd/backend.h>

G_BEGIN_DECLS

/**
 * VFSD_ERROR:
 *
 * The error domain of libvfsd.  Error codes are errno values (ENOENT,
 * ENOTCONN, …), so no errno is ever lost on the way to a caller.
 */
#define VFSD_ERROR (vfsd_error_quark())
GQuark vfsd_error_quark(void);

#define VFSD_TYPE_MOUNT (vfsd_mount_get_type())
G_DECLARE_FINAL_TYPE(VfsdMount, vfsd_mount, VFSD, MOUNT, GObject)

/**
 * VfsdRunFlags:
 * @VFSD_RUN_NONE: nothing special
 * @VFSD_RUN_HANDLE_SIGNALS: while vfsd_mount_run() runs, SIGINT, SIGTERM and
 *   SIGHUP unmount the file system (the previous handlers are restored)
 *
 * Flags for vfsd_mount_run().
 */
typedef enum {
  VFSD_RUN_NONE = 0,
  VFSD_RUN_HANDLE_SIGNALS = 1 << 0,
} VfsdRunFlags;

/**
 * vfsd_mount_new:
 * @backend: what to mount
 * @mountpoint: an existing directory
 * @options: (nullable): comma-separated mount options, or NULL
 * @error: return location for a #GError
 *
 * Prepares a mount: parses @options and checks @mountpoint (missing, not a
 * directory, a stale FUSE mount, no /dev/fuse all give a clear error).
 * Nothing is mounted until vfsd_mount_start().
 *
 * Returns: (transfer full): the mount, or NULL with @error set.
 */
VfsdMount *vfsd_mount_new(VfsdBackend *backend, const char *mountpoint,
                          const char *options, GError **error);

/**
 * vfsd_mount_start:
 * @mount: a mount
 * @error: return location for a #GError
 *
 * Mounts and starts serving on library threads (or, after
 * vfsd_mount_attach(), from the attached context; with `threads=0`, from
 * threads that call vfsd_mount_run_worker()).  Returns once the kernel has
 * the mount and its first request is answered, so the file system is usable.
 * A mount object starts at most once.
 *
 * Returns: true on success; false with @error set, and nothing mounted.
 */
gboolean vfsd_mount_start(VfsdMount *mount, GError **error);

/**
 * vfsd_mount_wait:
 * @mount: a started mount
 *
 * Blocks until the mount has ended and the backend's destroy() has
 * returned (unless a backend call never returned: then destroy() runs when
 * it does).  Do not call it from a serving thread.
 *
 * Returns: 0 when the mount ended normally, or a negative errno describing
 *   why it failed.
 */
int vfsd_mount_wait(VfsdMount *mount);

/**
 * vfsd_mount_run:
 * @mount: a mount
 * @flags: #VfsdRunFlags
 * @error: return location for a #GError
 *
 * vfsd_mount_start() then vfsd_mount_wait().
 *
 * Returns: true when the mount ran and ended normally.
 */
gboolean vfsd_mount_run(VfsdMount *mount, VfsdRunFlags flags, GError **error);

/**
 * vfsd_mount_unmount:
 * @mount: a mount
 *
 * Ends the mount (see "How a mount ends").  Thread-safe, async-signal-safe
 * is not promised; it does not wait: use vfsd_mount_wait().  Calling it
 * again, or on a mount that has ended, does nothing.
 */
void vfsd_mount_unmount(VfsdMount *mount);

/**
 * vfsd_mount_exit:
 * @mount: a mount
 *
 * Same as vfsd_mount_unmount(); the name a backend uses to end its own
 * mount from inside an operation.
 */
void vfsd_mount_exit(VfsdMount *mount);

/**
 * vfsd_mount_attach:
 * @mount: a mount that was not started
 * @context: (nullable): the context to serve from (NULL: the default)
 * @error: return location for a #GError
 *
 * Serves the mount from a GSource on @context instead of library threads:
 * every request is handled in the thread that runs @context, and
 * vfsd_mount_start() is implied.  Nothing dispatched from @context may touch
 * the mount, or it waits for itself forever.
 *
 * Returns: true on success.
 */
gboolean vfsd_mount_attach(VfsdMount *mount, GMainContext *context,
                           GError **error);

/**
 * vfsd_mount_run_worker:
 * @mount: a started mount
 *
 * Serves requests on the calling thread until the mount ends.  Any number of
 * threads may do this, in addition to the library's own (`threads=N`).
 *
 * Returns: 0 when the mount ended, or a negative errno (-EINVAL if it was
 *   not started).
 */
int vfsd_mount_run_worker(VfsdMount *mount);

/**
 * vfsd_mount_get_mountpoint:
 * @mount: a mount
 *
 * Returns: (transfer none): the absolute path of the mount point.
 */
const char *vfsd_mount_get_mountpoint(VfsdMount *mount);

/**
 * vfsd_mount_get_backend:
 * @mount: a mount
 *
 * Returns: (transfer none): the mounted backend.
 */
VfsdBackend *vfsd_mount_get_backend(VfsdMount *mount);

/**
 * vfsd_mount_is_mounted:
 * @mount: a mount
 *
 * Returns: true between a successful start and the end of the mount.
 */
gboolean vfsd_mount_is_mounted(VfsdMount *mount);

/**
 * vfsd_mount_get_referenced_inodes:
 * @mount: a mount
 *
 * How many inodes the kernel references right now, by the library's count.
 *
 * Returns: the number of inodes with a lookup count above zero.
 */
guint64 vfsd_mount_get_referenced_inodes(VfsdMount *mount);

/**
 * vfsd_mount_notify_inval_inode:
 * @mount: a started mount
 * @ino: an inode
 * @off: first byte of cached data to drop; negative: attributes only
 * @len: bytes to drop; 0: to the end
 *
 * Tells the kernel that cached attributes (and data) of @ino are stale.
 * Queued to a thread of its own, so it is safe to call from inside an
 * operation: it never waits for the kernel.
 *
 * Returns: 0, or -ENOTCONN when the mount is not live, -ENOMEM.
 */
int vfsd_mount_notify_inval_inode(VfsdMount *mount, guint64 ino, gint64 off,
                                  gint64 len);

/**
 * vfsd_mount_notify_inval_entry:
 * @mount: a started mount
 * @parent: a directory
 * @name: a name in it
 *
 * Tells the kernel to forget its cached entry @parent/@name.  Queued like
 * vfsd_mount_notify_inval_inode().
 *
 * Returns: 0, or -ENOTCONN, -ENOMEM.
 */
int vfsd_mount_notify_inval_entry(VfsdMount *mount, guint64 parent,
                                  const char *name);

/**
 * vfsd_mount_notify_delete:
 * @mount: a started mount
 * @parent: a directory
 * @child: the inode @name led to
 * @name: the name that is gone
 *
 * Tells the kernel that @parent/@name (inode @child) was removed behind its
 * back.  Queued like vfsd_mount_notify_inval_inode().
 *
 * Returns: 0, or -ENOTCONN, -ENOMEM.
 */
int vfsd_mount_notify_delete(VfsdMount *mount, guint64 parent, guint64 child,
                             const char *name);

/**
 * vfsd_mount_options_help:
 *
 * Returns: (transfer none): a description of every mount option, one per
 *   line.
 */
const char *vfsd_mount_options_help(void);

/**
 * vfsd_main: (skip)
 * @backend: what to mount
 * @argc: argument count of main()
 * @argv: (array length=argc): arguments of main()
 *
 * The usual command line of a FUSE program in one call:
 * `prog [-f] [-d] [-o OPTIONS] MOUNTPOINT`, plus `-h` and `-V`.  Without
 * `-f` it returns in the parent once the mount is live and serves from a
 * background process; with `-f` it serves until unmounted or until SIGINT,
 * SIGTERM or SIGHUP.  Errors are printed to stderr as one sentence.
 * `auto_unmount` is on unless `-o noauto_unmount` is given, so a killed
 * server leaves no stale mount.
 *
 * Returns: the exit status for main(): 0 on success, 1 on error, 2 for a
 *   usage error.
 */
int vfsd_main(VfsdBackend *backend, int argc, char **argv);

G_END_DECLS

#endif /* VFSD_MOUNT_H */
