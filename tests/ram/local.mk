# The RAM backend's suites (lib/backends/ram): unit tests through the
# vtable, POSIX behaviour through a real mount, a randomized model test, a
# multi-process stress.  `make check-ram-long` runs the model test and the
# stress for longer (VFSD_RAM_SEED=N picks the seed).
RAM_TESTS = tests/ram/test-ram-names tests/ram/test-ram-data \
	tests/ram/test-ram-posix tests/ram/test-ram-perms \
	tests/ram/test-ram-model tests/ram/test-ram-stress
check_PROGRAMS += tests/ram/ram-helper $(RAM_TESTS)
TESTS += $(RAM_TESTS) tests/ram/test-ram-memory.py
dist_noinst_SCRIPTS += tests/ram/test-ram-memory.py
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

tests_ram_test_ram_model_SOURCES = tests/ram/test-ram-model.cc
tests_ram_test_ram_model_CXXFLAGS = $(VFSD_TEST_CXXFLAGS)
tests_ram_test_ram_model_LDADD = $(VFSD_TEST_LIBS)

tests_ram_test_ram_stress_SOURCES = tests/ram/test-ram-stress.cc
tests_ram_test_ram_stress_CXXFLAGS = $(VFSD_TEST_CXXFLAGS)
tests_ram_test_ram_stress_LDADD = $(VFSD_TEST_LIBS)

# The long runs: a new seed each time (printed; VFSD_RAM_SEED=N repeats
# one), 200,000 model operations per file system, a minute of stress.
check-ram-long: tests/ram/ram-helper tests/ram/test-ram-model \
		tests/ram/test-ram-stress
	@seed=$${VFSD_RAM_SEED:-$$(date +%s)}; echo "check-ram-long: seed $$seed"; \
	export top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	  VFSD_RAM_SEED=$$seed VFSD_RAM_MODEL_OPS=$${VFSD_RAM_MODEL_OPS:-200000} \
	  VFSD_RAM_STRESS_SECONDS=$${VFSD_RAM_STRESS_SECONDS:-60} \
	  VFSD_TEST_TIMEOUT=$${VFSD_TEST_TIMEOUT:-3600}; \
	$(SHELL) $(top_srcdir)/tests/run-test.sh tests/ram/test-ram-model && \
	$(SHELL) $(top_srcdir)/tests/run-test.sh tests/ram/test-ram-stress
.PHONY: check-ram-long

# Memory use of the serving process for 1 GiB of data and 100,000 empty
# files (the figures doc/backends/ram.md quotes).
check-ram-memory: tests/ram/ram-helper
	export top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	  VFSD_RAM_MEMORY_MIB=$${VFSD_RAM_MEMORY_MIB:-1024} \
	  VFSD_RAM_MEMORY_FILES=$${VFSD_RAM_MEMORY_FILES:-100000}; \
	$(SHELL) $(top_srcdir)/tests/run-test.sh $(PYTHON_GI) \
	  $(top_srcdir)/tests/ram/test-ram-memory.py
.PHONY: check-ram-memory
