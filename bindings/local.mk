# bindings: the GObject face of the library and what makes it usable from
# Python.  lib/gobject/local.mk: generated enum GTypes and GI headers.
include lib/gobject/local.mk

# ---- Vfsd-1.0.gir and Vfsd-1.0.typelib --------------------------------------
# Built with the Makefile fragment gobject-introspection ships; usable from
# the build tree (tests set GI_TYPELIB_PATH and LD_LIBRARY_PATH) and
# installed to the standard directories.
-include $(INTROSPECTION_MAKEFILE)
INTROSPECTION_GIRS = bindings/Vfsd-1.0.gir
INTROSPECTION_SCANNER_ARGS = --warn-all --identifier-prefix=Vfsd --symbol-prefix=vfsd
INTROSPECTION_COMPILER_ARGS = --includedir=$(top_builddir)/bindings
# The dumper links libvfsd: with --enable-sanitizers it needs the runtime
# too, and must not fail on GLib's one-time allocations.
INTROSPECTION_SCANNER_ENV = CFLAGS="$(CFLAGS) $(SAN_FLAGS)" \
	LDFLAGS="$(LDFLAGS) $(SAN_FLAGS)" ASAN_OPTIONS=detect_leaks=0

# What Python sees: the backend, the mount, loading backends and layers by
# name, and VfsdFilesystem with its types.
vfsd_gir_headers = \
	include/vfsd/backend.h include/vfsd/mount.h include/vfsd/module.h \
	include/vfsd/layer.h include/vfsd/stats.h include/vfsd/gtypes.h \
	include/vfsd/filesystem.h
# Headers of built-in backends with GObject API of their own (the RAM
# backend's VfsdRamBackend) join the namespace when they are in the tree.
vfsd_gir_optional = $(wildcard $(top_srcdir)/include/vfsd/ram.h)
bindings_Vfsd_1_0_gir_FILES = \
	$(addprefix $(top_srcdir)/,$(vfsd_gir_headers)) $(vfsd_gir_optional) \
	$(top_builddir)/include/vfsd/enum-types.h \
	$(top_srcdir)/lib/gobject/gtypes.c $(top_srcdir)/lib/gobject/filesystem.c \
	$(top_srcdir)/lib/layers/stats.c \
	$(top_builddir)/lib/gobject/enum-types.c
bindings_Vfsd_1_0_gir_NAMESPACE = Vfsd
bindings_Vfsd_1_0_gir_VERSION = 1.0
bindings_Vfsd_1_0_gir_INCLUDES = GObject-2.0 GLib-2.0
bindings_Vfsd_1_0_gir_CFLAGS = -I$(top_srcdir)/include -I$(top_builddir)/include \
	-I$(top_srcdir)/lib -I$(top_builddir) $(GLIB_CFLAGS) $(FUSE_CFLAGS)
bindings_Vfsd_1_0_gir_LIBS = lib/libvfsd.la
bindings_Vfsd_1_0_gir_EXPORT_PACKAGES = vfsd
bindings_Vfsd_1_0_gir_C_INCLUDES = vfsd/vfsd.h vfsd/filesystem.h
bindings/Vfsd-1.0.gir: lib/libvfsd.la

girdir = $(INTROSPECTION_GIRDIR)
gir_DATA = bindings/Vfsd-1.0.gir
typelibdir = $(INTROSPECTION_TYPELIBDIR)
typelib_DATA = bindings/Vfsd-1.0.typelib
CLEANFILES += $(gir_DATA) $(typelib_DATA)

# ---- Python: the override module -------------------------------------------
# gi/overrides/Vfsd.py, where /usr/bin/python3 looks (configure computes
# pygi_overrides_dir); from the build tree it is found through PYTHONPATH.
pyoverridesdir = $(pygi_overrides_dir)
pyoverrides_DATA = bindings/python/gi/overrides/Vfsd.py
EXTRA_DIST += $(pyoverrides_DATA)

# ---- Python: examples and tests ---------------------------------------------
vfsd_python_examples = examples/python/hello.py examples/python/memfs.py \
	examples/python/mount_ram.py examples/python/vfsd_uninstalled.py
vfsd_python_tests = tests/python/test-types.py tests/python/test-vfuncs.py \
	tests/python/test-errors.py tests/python/test-process.py \
	tests/python/test-threads.py tests/python/test-memfs.py \
	tests/python/test-mount-ram.py tests/python/test-conformance-memfs.py
TESTS += $(vfsd_python_tests)
EXTRA_DIST += $(vfsd_python_examples) $(vfsd_python_tests) \
	tests/python/vfsdtest.py tests/python/memfs.skip

# What the Python tests need from the build tree: the typelib
# (GI_TYPELIB_PATH, set in Makefile.am), libvfsd, the override module; with
# --enable-sanitizers, the ASan runtime that tests/python/vfsdtest.py
# preloads into the interpreter.
if SANITIZERS
VFSD_ASAN_RUNTIME = $(shell $(CC) -print-file-name=libasan.so)
endif
AM_TESTS_ENVIRONMENT += \
	PYTHONPATH='$(abs_top_srcdir)/bindings/python'$${PYTHONPATH:+:$$PYTHONPATH}; export PYTHONPATH; \
	LD_LIBRARY_PATH='$(abs_top_builddir)/lib/.libs'$${LD_LIBRARY_PATH:+:$$LD_LIBRARY_PATH}; export LD_LIBRARY_PATH; \
	VFSD_ASAN_RUNTIME='$(VFSD_ASAN_RUNTIME)'; export VFSD_ASAN_RUNTIME;

# ---- C unit tests of VfsdFilesystem's adapter (no kernel, no Python) -------
check_PROGRAMS += tests/gobject/test-filesystem
tests_gobject_test_filesystem_SOURCES = tests/gobject/test-filesystem.cc \
	tests/gobject/fake-fs.c tests/gobject/fake-fs.h
tests_gobject_test_filesystem_CXXFLAGS = $(VFSD_TEST_CXXFLAGS)
tests_gobject_test_filesystem_LDADD = $(VFSD_TEST_LIBS)
TESTS += tests/gobject/test-filesystem
