# tests/passthrough: the passthrough backend through its vtable (including
# the escape tests) and through real mounts.
check_PROGRAMS += tests/passthrough/test-passthrough
tests_passthrough_test_passthrough_SOURCES = \
	tests/passthrough/pt-helpers.h tests/passthrough/pt-helpers.cc \
	tests/passthrough/test-pt-vtable.cc tests/passthrough/test-pt-escape.cc \
	tests/passthrough/test-pt-mount.cc
tests_passthrough_test_passthrough_CXXFLAGS = $(VFSD_TEST_CXXFLAGS)
tests_passthrough_test_passthrough_LDADD = $(VFSD_TEST_LIBS)
TESTS += tests/passthrough/test-passthrough
