# The core library.  Its objects form a convenience library, so that unit
# tests can link the internals (inodes, options) that libvfsd.so hides.
noinst_LTLIBRARIES += lib/libvfsdcore.la
lib_libvfsdcore_la_SOURCES = \
	lib/private.h lib/mount-private.h lib/builtins.h lib/dispatch.h \
	lib/call-private.h \
	lib/backend.c lib/buffers.c lib/builtins.c lib/call.c lib/call-io.c \
	lib/hooks.c \
	lib/defaults.c \
	lib/dispatch.c lib/dispatch-dir.c lib/dispatch-file.c lib/error.c \
	lib/handles.c \
	lib/inodes.c lib/log.c lib/main.c \
	lib/module.c lib/mount.c lib/mount-notify.c lib/mount-run.c \
	lib/mount-serve.c lib/options.c \
	lib/gobject/gi-private.h lib/gobject/gtypes.c lib/gobject/filesystem.c \
	lib/gobject/adapter.c lib/gobject/adapter-io.c
lib_libvfsdcore_la_LIBADD = $(FUSE_LIBS) $(GLIB_LIBS) -lpthread -lm

lib_LTLIBRARIES += lib/libvfsd.la
lib_libvfsd_la_SOURCES =
lib_libvfsd_la_LIBADD = lib/libvfsdcore.la
# Only the API is exported: every public symbol starts with vfsd_.
lib_libvfsd_la_LDFLAGS = $(AM_LDFLAGS) -version-info $(VFSD_LT_VERSION) \
	-export-symbols-regex '^vfsd_' -no-undefined

vfsdincludedir = $(includedir)/vfsd
vfsdinclude_HEADERS = include/vfsd/vfsd.h include/vfsd/backend.h \
	include/vfsd/call.h include/vfsd/layer.h include/vfsd/module.h \
	include/vfsd/mount.h
nodist_vfsdinclude_HEADERS = include/vfsd/version.h
