# lib/backends/ram: the RAM backend, built into the library (see
# include/vfsd/ram.h and doc/backends/ram.md).
lib_libvfsdcore_la_SOURCES += \
	lib/backends/ram/ram-private.h \
	lib/backends/ram/ram-backend.c \
	lib/backends/ram/ram-inode.c \
	lib/backends/ram/ram-map.c \
	lib/backends/ram/ram-data.c \
	lib/backends/ram/ram-pages.c \
	lib/backends/ram/ram-file.c \
	lib/backends/ram/ram-dir.c \
	lib/backends/ram/ram-names.c \
	lib/backends/ram/ram-rename.c \
	lib/backends/ram/ram-attr.c \
	lib/backends/ram/ram-xattr.c \
	lib/backends/ram/ram-check.c
vfsdinclude_HEADERS += include/vfsd/ram.h
EXTRA_DIST += doc/backends/ram.md
