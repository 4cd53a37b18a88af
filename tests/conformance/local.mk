# tests/conformance: vfsd-conformance, a battery of named POSIX checks run
# against any mount (doc/conformance.md), and the wrappers that run it in
# `make check` against tmpfs (to prove the checks right) and against the
# RAM backend (every check that passes on tmpfs must pass there).
# Standalone on purpose: it links no libvfsd, so it can test any mount.
check_PROGRAMS += tests/conformance/vfsd-conformance
tests_conformance_vfsd_conformance_SOURCES = \
	tests/conformance/conformance.h tests/conformance/main.cc \
	tests/conformance/framework.cc tests/conformance/helper.cc \
	tests/conformance/checks-file.cc tests/conformance/checks-dir.cc \
	tests/conformance/checks-rename.cc tests/conformance/checks-link.cc \
	tests/conformance/checks-space.cc tests/conformance/checks-mmap.cc \
	tests/conformance/checks-attr.cc tests/conformance/checks-perm.cc \
	tests/conformance/checks-xattr.cc tests/conformance/checks-names.cc \
	tests/conformance/checks-proc.cc
tests_conformance_vfsd_conformance_LDADD = -lpthread

# The battery against tmpfs (proving the checks right) and against the RAM
# backend, compared with tmpfs (skips cleanly until ram is built).
TESTS += tests/conformance/options.py tests/conformance/tmpfs.py \
	tests/conformance/ram.py
EXTRA_DIST += tests/conformance/options.py tests/conformance/tmpfs.py \
	tests/conformance/ram.py \
	tests/conformance/battery.py tests/conformance/skip/ram.skip
