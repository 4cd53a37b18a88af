# The seed's example file systems (examples/monitorfs.c, metafs.c,
# dedupfs.c): built, and mounted by tests/examples/test-examples.py.
noinst_PROGRAMS += examples/monitorfs examples/metafs examples/dedupfs
examples_monitorfs_SOURCES = examples/monitorfs.c
examples_monitorfs_LDADD = lib/libvfsd.la $(GLIB_LIBS)
examples_metafs_SOURCES = examples/metafs.c
examples_metafs_LDADD = lib/libvfsd.la $(GLIB_LIBS)
examples_dedupfs_SOURCES = examples/dedupfs.c
examples_dedupfs_LDADD = lib/libvfsd.la $(GLIB_LIBS)

TESTS += tests/examples/test-examples.py
EXTRA_DIST += tests/examples/test-examples.py
