# Examples: each is built, and mounted by `make check` (tests/mount).
noinst_PROGRAMS += examples/hello
examples_hello_SOURCES = examples/hello.c
examples_hello_LDADD = lib/libvfsd.la $(GLIB_LIBS)
