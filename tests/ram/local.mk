# The RAM backend's suites (lib/backends/ram): unit tests through the
# vtable, POSIX behaviour through a real mount, a randomized model test, a
# multi-process stress.  `make check-ram-long` runs the model test and the
# stress for longer (VFSD_RAM_SEED=N picks the seed).
RAM_TESTS = tests/ram/test-ram-names tests/ram/test-ram-data \
	tests/ram/test-ram-posix tests/ram/test-ram-perms
check_PROGRAMS += tests/ram/ram-helper $(RAM_TESTS)
TESTS += $(RAM_TESTS)
noinst_HEADERS += tests/ram/ram-unit.h tests/ram/posix-fixture.h

tests_ram_ram_helper_SOURCES = tests/ram/ram-helper.c
tests_ram_ram_helper_LDADD = lib/libvfsd.la $(GLIB_LIBS)

tests_ram_test_ram_names_SOURCES = tests/ram/test-ram-names.cc
tests_ram_test_ram_names_CXXFLAGS = $(VFSD_TEST_CXXFLAGS)
tests_ram_test_ram_names_LDADD = $(VFSD_TEST_LIBS)

tests_ram_test_ram_data_SOURCES = tests/ram/test-ram-data.cc
tests_ram_test_ram_data_CXXFLAGS = $(VFSD_TEST_CXXFLAGS)
tests_ram_test_ram_data_LDADD = $(VFSD_TEST_LIBS)

tests_ram_test_ram_posix_SOURCES = tests/ram/test-ram-posix.cc
tests_ram_test_ram_posix_CXXFLAGS = $(VFSD_TEST_CXXFLAGS)
tests_ram_test_ram_posix_LDADD = $(VFSD_TEST_LIBS)

tests_ram_test_ram_perms_SOURCES = tests/ram/test-ram-perms.cc
tests_ram_test_ram_perms_CXXFLAGS = $(VFSD_TEST_CXXFLAGS)
tests_ram_test_ram_perms_LDADD = $(VFSD_TEST_LIBS)
