# lib/layers: the built-in layers (readonly, fault, monitor, stats), linked
# into the core library and registered in lib/builtins.c.
lib_libvfsdcore_la_SOURCES += \
	lib/layers/layers.h lib/layers/args.c \
	lib/layers/readonly.c lib/layers/fault.c \
	lib/layers/paths.h lib/layers/paths.c lib/layers/monitor.h \
	lib/layers/monitor.c lib/layers/monitor-line.c \
	lib/layers/stats.h lib/layers/stats.c lib/layers/stats-server.c
vfsdinclude_HEADERS += include/vfsd/stats.h

include $(srcdir)/tests/layers/local.mk
include $(srcdir)/tests/module/local.mk
include $(srcdir)/tests/examples/local.mk

# Their documentation, and that of the passthrough backend and modules.
EXTRA_DIST += doc/backend-guide-modules.md doc/backend-guide-layers.md \
	doc/backends/passthrough.md doc/layers/monitor.md \
	doc/layers/readonly.md doc/layers/fault.md doc/layers/stats.md
include $(srcdir)/tests/conformance-layers/local.mk
