# lib/backends/passthrough: the passthrough backend, built into the core
# library and registered in lib/builtins.c.
lib_libvfsdcore_la_SOURCES += \
	lib/backends/passthrough/pt.h lib/backends/passthrough/passthrough.c \
	lib/backends/passthrough/pt-names.c lib/backends/passthrough/pt-files.c \
	lib/backends/passthrough/pt-inodes.c lib/backends/passthrough/pt-safe.c
include $(srcdir)/tests/passthrough/local.mk
