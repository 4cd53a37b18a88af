# tests/layers: the layer mechanism and the built-in layers, at the vtable
# level (a fake backend that records its calls) and through real mounts.
check_PROGRAMS += tests/layers/test-layers
tests_layers_test_layers_SOURCES = tests/layers/fake-fs.h tests/layers/fake-fs.cc \
	tests/layers/test-stack.cc tests/layers/test-layers.cc \
	tests/layers/test-readonly-mount.cc
tests_layers_test_layers_CXXFLAGS = $(VFSD_TEST_CXXFLAGS)
tests_layers_test_layers_LDADD = $(VFSD_TEST_LIBS)
TESTS += tests/layers/test-layers

# What a stack of layers costs (not run by make check; see
# doc/layers/monitor.md).
noinst_PROGRAMS += tests/layers/bench-layers
tests_layers_bench_layers_SOURCES = tests/layers/bench-layers.c
tests_layers_bench_layers_LDADD = lib/libvfsd.la $(GLIB_LIBS)
