# tests/module: loading backend modules.  The example module of
# examples/module is built here by libtool (for test-modules) and, in
# test-module-oot.sh, out of tree with its own Makefile against a copy of
# libvfsd installed under the build directory.
check_LTLIBRARIES += examples/module/vfsd-example.la
examples_module_vfsd_example_la_SOURCES = examples/module/example.c
examples_module_vfsd_example_la_LDFLAGS = -module -avoid-version -shared \
	-rpath /nowhere
examples_module_vfsd_example_la_LIBADD = lib/libvfsd.la $(GLIB_LIBS)
EXTRA_DIST += examples/module/Makefile

# Modules that go wrong (and good ones built against older or newer
# headers): one source, one KIND each.
BAD_MODULE_FLAGS = -module -avoid-version -shared -rpath /nowhere
check_LTLIBRARIES += tests/module/vfsd-noentry.la tests/module/vfsd-future.la \
	tests/module/vfsd-failinit.la tests/module/vfsd-nullinit.la \
	tests/module/vfsd-wrongname.la tests/module/vfsd-nocreate.la \
	tests/module/vfsd-oldops.la tests/module/vfsd-newops.la \
	tests/module/vfsd-futureops.la tests/module/vfsd-good.la
tests_module_vfsd_noentry_la_SOURCES = tests/module/bad-module.c
tests_module_vfsd_noentry_la_CPPFLAGS = $(AM_CPPFLAGS) -DNAME='"noentry"' -DKIND_NOENTRY
tests_module_vfsd_noentry_la_LDFLAGS = $(BAD_MODULE_FLAGS)
tests_module_vfsd_future_la_SOURCES = tests/module/bad-module.c
tests_module_vfsd_future_la_CPPFLAGS = $(AM_CPPFLAGS) -DNAME='"future"' -DKIND_FUTURE
tests_module_vfsd_future_la_LDFLAGS = $(BAD_MODULE_FLAGS)
tests_module_vfsd_failinit_la_SOURCES = tests/module/bad-module.c
tests_module_vfsd_failinit_la_CPPFLAGS = $(AM_CPPFLAGS) -DNAME='"failinit"' -DKIND_FAILINIT
tests_module_vfsd_failinit_la_LDFLAGS = $(BAD_MODULE_FLAGS)
tests_module_vfsd_nullinit_la_SOURCES = tests/module/bad-module.c
tests_module_vfsd_nullinit_la_CPPFLAGS = $(AM_CPPFLAGS) -DNAME='"nullinit"' -DKIND_NULLINIT
tests_module_vfsd_nullinit_la_LDFLAGS = $(BAD_MODULE_FLAGS)
tests_module_vfsd_wrongname_la_SOURCES = tests/module/bad-module.c
tests_module_vfsd_wrongname_la_CPPFLAGS = $(AM_CPPFLAGS) -DNAME='"wrongname"' -DKIND_WRONGNAME
tests_module_vfsd_wrongname_la_LDFLAGS = $(BAD_MODULE_FLAGS)
tests_module_vfsd_nocreate_la_SOURCES = tests/module/bad-module.c
tests_module_vfsd_nocreate_la_CPPFLAGS = $(AM_CPPFLAGS) -DNAME='"nocreate"' -DKIND_NOCREATE
tests_module_vfsd_nocreate_la_LDFLAGS = $(BAD_MODULE_FLAGS)
tests_module_vfsd_oldops_la_SOURCES = tests/module/bad-module.c
tests_module_vfsd_oldops_la_CPPFLAGS = $(AM_CPPFLAGS) -DNAME='"oldops"' -DKIND_OLDOPS
tests_module_vfsd_oldops_la_LDFLAGS = $(BAD_MODULE_FLAGS)
tests_module_vfsd_newops_la_SOURCES = tests/module/bad-module.c
tests_module_vfsd_newops_la_CPPFLAGS = $(AM_CPPFLAGS) -DNAME='"newops"' -DKIND_NEWOPS
tests_module_vfsd_newops_la_LDFLAGS = $(BAD_MODULE_FLAGS)
tests_module_vfsd_futureops_la_SOURCES = tests/module/bad-module.c
tests_module_vfsd_futureops_la_CPPFLAGS = $(AM_CPPFLAGS) -DNAME='"futureops"' -DKIND_FUTUREOPS
tests_module_vfsd_futureops_la_LDFLAGS = $(BAD_MODULE_FLAGS)
tests_module_vfsd_good_la_SOURCES = tests/module/bad-module.c
tests_module_vfsd_good_la_CPPFLAGS = $(AM_CPPFLAGS) -DNAME='"good"'
tests_module_vfsd_good_la_LDFLAGS = $(BAD_MODULE_FLAGS)

check_PROGRAMS += tests/module/test-modules
tests_module_test_modules_SOURCES = tests/module/test-modules.cc
tests_module_test_modules_CXXFLAGS = $(VFSD_TEST_CXXFLAGS)
tests_module_test_modules_LDADD = $(VFSD_TEST_LIBS)
TESTS += tests/module/test-modules

# Install headers, library and vfsd.pc under the build directory, build
# examples/module with its own Makefile and pkg-config, load and mount it.
TESTS += tests/module/test-module-oot.sh
EXTRA_DIST += tests/module/test-module-oot.sh
