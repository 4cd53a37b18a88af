# tools: the `vfsd` command and its man page.
bin_PROGRAMS += tools/vfsd
tools_vfsd_SOURCES = tools/vfsd-cli.h tools/vfsd.c tools/mount.c \
	tools/umount.c tools/mounts.c tools/list.c tools/info.c tools/probe.c \
	tools/stats.c
tools_vfsd_LDADD = lib/libvfsd.la $(GLIB_LIBS) $(FUSE_LIBS)

man_MANS += doc/vfsd.1
EXTRA_DIST += doc/vfsd.1 tools/install-deps.sh tools/quickstart.sh

# The command's tests and the conformance battery (their fragments are
# included from here to keep Makefile.am untouched).
include $(top_srcdir)/tests/cli/local.mk
include $(top_srcdir)/tests/conformance/local.mk
