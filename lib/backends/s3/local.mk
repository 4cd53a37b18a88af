# The S3 backend, a loadable module (vfsd-s3.so) built when libcurl is
# present.  It lands in lib/.libs, which the test environment puts on
# VFSD_MODULE_PATH, and is installed into $(moduledir).
if HAVE_CURL
module_LTLIBRARIES += lib/vfsd-s3.la
lib_vfsd_s3_la_SOURCES = \
	lib/backends/s3/s3.h \
	lib/backends/s3/s3-api.c \
	lib/backends/s3/s3-config.c \
	lib/backends/s3/s3-creds.c \
	lib/backends/s3/s3-curl.c \
	lib/backends/s3/s3-data.c \
	lib/backends/s3/s3-dir.c \
	lib/backends/s3/s3-file.c \
	lib/backends/s3/s3-http.c \
	lib/backends/s3/s3-inode.c \
	lib/backends/s3/s3-listdir.c \
	lib/backends/s3/s3-lookup.c \
	lib/backends/s3/s3-meta.c \
	lib/backends/s3/s3-module.c \
	lib/backends/s3/s3-multipart.c \
	lib/backends/s3/s3-nodes.c \
	lib/backends/s3/s3-pool.c \
	lib/backends/s3/s3-read.c \
	lib/backends/s3/s3-readdir.c \
	lib/backends/s3/s3-remove.c \
	lib/backends/s3/s3-rename.c \
	lib/backends/s3/s3-setattr.c \
	lib/backends/s3/s3-upload.c \
	lib/backends/s3/s3-writeback.c \
	lib/backends/s3/s3-xml.c
lib_vfsd_s3_la_CFLAGS = $(AM_CFLAGS) $(CURL_CFLAGS) -fvisibility=hidden
lib_vfsd_s3_la_LDFLAGS = $(AM_LDFLAGS) -module -avoid-version -shared -no-undefined \
	-export-symbols-regex '^vfsd_module_init$$'
lib_vfsd_s3_la_LIBADD = lib/libvfsd.la $(CURL_LIBS) $(GLIB_LIBS)
endif
EXTRA_DIST += doc/s3.md
