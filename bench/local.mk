# `make bench`: the benchmark (issue: performance).  bench/vfsd-bench is the
# load generator; bench/run-bench.py mounts tmpfs, the RAM backend and the
# Python memfs side by side and prints medians, spreads and ratios.
EXTRA_PROGRAMS = bench/vfsd-bench
bench_vfsd_bench_SOURCES = bench/vfsd-bench.c
bench_vfsd_bench_CFLAGS = $(WARN_CFLAGS) -O2
CLEANFILES += bench/vfsd-bench
EXTRA_DIST += bench/run-bench.py
BENCH_FLAGS =

bench: bench/vfsd-bench$(EXEEXT) all
	top_builddir='$(abs_top_builddir)' top_srcdir='$(abs_top_srcdir)' \
	GI_TYPELIB_PATH='$(abs_top_builddir)/bindings' \
	PYTHONPATH='$(abs_top_srcdir)/bindings/python'$${PYTHONPATH:+:$$PYTHONPATH} \
	LD_LIBRARY_PATH='$(abs_top_builddir)/lib/.libs'$${LD_LIBRARY_PATH:+:$$LD_LIBRARY_PATH} \
	$(PYTHON_GI) $(top_srcdir)/bench/run-bench.py $(BENCH_FLAGS)
.PHONY: bench
include bench/s3/local.mk
