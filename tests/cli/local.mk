# tests/cli: the `vfsd` command, run as a user runs it (test-cli), with a
# backend module of its own (vfsd-testhello.so, found via VFSD_MODULE_PATH).
check_LTLIBRARIES += tests/cli/vfsd-testhello.la
tests_cli_vfsd_testhello_la_SOURCES = tests/cli/testhello.c
tests_cli_vfsd_testhello_la_LDFLAGS = $(AM_LDFLAGS) -module -avoid-version \
	-rpath /nowhere -shared
tests_cli_vfsd_testhello_la_LIBADD = lib/libvfsd.la $(GLIB_LIBS)

check_PROGRAMS += tests/cli/test-cli
tests_cli_test_cli_SOURCES = tests/cli/test-cli.cc
tests_cli_test_cli_CXXFLAGS = $(VFSD_TEST_CXXFLAGS)
tests_cli_test_cli_LDADD = $(VFSD_TEST_LIBS)
TESTS += tests/cli/test-cli
