# Tests.  Every test program speaks TAP (gtest through tests/common/tap_main.cc)
# and runs under tests/run-test.sh (see Makefile.am).  Suites of other parts
# of the tree add themselves from their own fragments.

# Shared by every gtest program: TAP main(), fixtures for temp dirs, mounts
# and child processes.
check_LTLIBRARIES += tests/libvfsdtest.la
tests_libvfsdtest_la_SOURCES = tests/common/tap_main.cc tests/common/fixtures.cc \
	tests/common/fixtures.h
tests_libvfsdtest_la_CXXFLAGS = $(AM_CXXFLAGS) $(GTEST_CFLAGS)
tests_libvfsdtest_la_LIBADD = $(GTEST_LIBS) $(GLIB_LIBS)

# What a gtest program links with; a suite that tests internals links the
# library's objects directly (see test-core).
VFSD_TEST_LIBS = tests/libvfsdtest.la lib/libvfsd.la $(GLIB_LIBS) $(GTEST_LIBS)
VFSD_TEST_CXXFLAGS = $(AM_CXXFLAGS) $(GTEST_CFLAGS) -I$(top_srcdir)/tests/common

# The core's own suites (unit and mount) are added here.

check_PROGRAMS += tests/unit/test-core
tests_unit_test_core_SOURCES = tests/unit/test-core.cc tests/unit/fake-backend.h \
	tests/unit/test-inodes.cc tests/unit/test-options.cc tests/unit/test-abi.cc
tests_unit_test_core_CXXFLAGS = $(VFSD_TEST_CXXFLAGS)
# Internal pieces (inodes, options) are tested directly: link the core's
# objects instead of the shared library that hides them.
tests_unit_test_core_LDADD = tests/libvfsdtest.la lib/libvfsdcore.la \
	$(FUSE_LIBS) $(GLIB_LIBS) $(GTEST_LIBS)
TESTS += tests/unit/test-core

# Through real mounts: the lifecycle and every exit path, the dispatcher,
# the hello example and vfsd_main().
check_PROGRAMS += tests/mount/test-mount
tests_mount_test_mount_SOURCES = tests/mount/testfs.h tests/mount/test-lifecycle.cc \
	tests/mount/test-dispatch.cc tests/mount/test-hello.cc
tests_mount_test_mount_CXXFLAGS = $(VFSD_TEST_CXXFLAGS)
tests_mount_test_mount_LDADD = $(VFSD_TEST_LIBS)
TESTS += tests/mount/test-mount

include tests/ram/local.mk
