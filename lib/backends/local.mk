# lib/backends: rules live here.
include $(srcdir)/lib/backends/ram/local.mk
include $(srcdir)/lib/backends/passthrough/local.mk
