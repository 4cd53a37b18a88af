# The S3 suites: a real single-node Ceph cluster with a RADOS Gateway
# (tests/s3/ceph-fixture.sh, started once per test program) when the Debian
# packages ceph-mon, ceph-osd, ceph-mgr and radosgw are installed; every
# test is skipped otherwise.  .ci/packages lists them, so CI always runs it.
EXTRA_DIST += tests/s3/ceph-fixture.sh tests/s3/test-s3-interop.py \
	tests/s3/test-s3-conformance.py tests/s3/test-s3-conformance-bulk.py \
	tests/s3/conformance.skip \
	tests/s3/conformance-bulk.skip
if HAVE_CURL
check_PROGRAMS += tests/s3/test-s3 tests/s3/test-s3-faults

S3_TEST_SOURCES = tests/s3/s3-env.cc tests/s3/s3-env.h
tests_s3_test_s3_SOURCES = tests/s3/test-s3.cc $(S3_TEST_SOURCES)
tests_s3_test_s3_CXXFLAGS = $(VFSD_TEST_CXXFLAGS)
tests_s3_test_s3_LDADD = $(VFSD_TEST_LIBS)
tests_s3_test_s3_faults_SOURCES = tests/s3/test-s3-faults.cc $(S3_TEST_SOURCES)
tests_s3_test_s3_faults_CXXFLAGS = $(VFSD_TEST_CXXFLAGS)
tests_s3_test_s3_faults_LDADD = $(VFSD_TEST_LIBS)
# The conformance battery runs once tests/conformance is built (it skips
# itself before).  The bulk checks, the longest S3 test, come first so that
# `make -j` runs them beside the others; the sanitizer build skips them.
TESTS += tests/s3/test-s3-conformance-bulk.py tests/s3/test-s3 \
	tests/s3/test-s3-faults tests/s3/test-s3-interop.py \
	tests/s3/test-s3-conformance.py
endif
