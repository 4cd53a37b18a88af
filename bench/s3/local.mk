# `make bench-s3`: the S3 module against s3fs-fuse and rclone mount on one
# local Ceph RADOS Gateway (needs the Debian packages of .ci/packages; run
# as root).  BENCH_S3_FLAGS passes options, e.g. BENCH_S3_FLAGS='--size 256'.
EXTRA_DIST += bench/s3/run-s3-bench.py
BENCH_S3_FLAGS =

if HAVE_CURL
bench-s3: bench/vfsd-bench$(EXEEXT) tools/vfsd$(EXEEXT) all
	top_builddir='$(abs_top_builddir)' top_srcdir='$(abs_top_srcdir)' \
	VFSD_MODULE_PATH='$(abs_top_builddir)/lib/.libs' \
	/usr/bin/python3 $(top_srcdir)/bench/s3/run-s3-bench.py $(BENCH_S3_FLAGS)
else
bench-s3:
	@echo "bench-s3: the S3 module is not built (configure found no libcurl)"; exit 1
endif
.PHONY: bench-s3
