#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The example module built the way its users build it: out of tree, with
# examples/module/Makefile and `pkg-config vfsd`, against headers, library
# and vfsd.pc installed under the build directory; then loaded by name
# (vfsd_backend_load through tests/module/test-modules) and, when they are
# built, with `vfsd mount` and from Python.  Prints TAP.
set -u
b=${top_builddir:?}
s=${top_srcdir:?}
t=${TMPDIR:-/tmp}
inst=$t/inst
work=$t/example
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
fail() { n=$((n + 1)); echo "not ok $n - $1"; sed 's/^/# /' "$t/out" 2>/dev/null; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
echo 1..6

# 1. Install only what a module author needs: headers, library, vfsd.pc.
unset MAKEFLAGS MFLAGS srcdir
if make -C "$b" DESTDIR="$inst" install-libLTLIBRARIES \
     install-vfsdincludeHEADERS install-nodist_vfsdincludeHEADERS \
     install-pkgconfigDATA >"$t/out" 2>&1; then
  ok "headers, library and vfsd.pc install under the build directory"
else
  fail "install into $inst"
fi
pcdir=$(find "$inst" -name vfsd.pc -printf '%h\n' | head -n 1)

# 2. pkg-config finds them, once the staged vfsd.pc is relocated into the
#    staging directory (as a packager would).
sed -i "s|^prefix=|prefix=$inst|" "$pcdir/vfsd.pc" 2>"$t/out"
export PKG_CONFIG_PATH="$pcdir"
if cflags=$(pkg-config --cflags vfsd 2>"$t/out") && \
   case "$cflags" in *"$inst"*) true ;; *) false ;; esac; then
  ok "pkg-config --cflags vfsd points into the staging directory"
else
  echo "$cflags" >>"$t/out"
  fail "pkg-config finds the staged vfsd"
fi

# 3. The module builds from its own Makefile, nothing of the source tree
#    on its include path.
mkdir -p "$work"
cp "$s/examples/module/example.c" "$s/examples/module/Makefile" "$work/"
libdir=$(dirname "$pcdir")
if make -C "$work" CFLAGS="-O2 -Wall -Werror -Wno-unused-parameter" \
     LDFLAGS="-Wl,-rpath,$libdir" >"$t/out" 2>&1 && \
   [ -f "$work/vfsd-example.so" ]; then
  ok "examples/module builds out of tree with pkg-config"
else
  fail "examples/module builds out of tree"
fi

# 4. Loaded by name from VFSD_MODULE_PATH and mounted.
if VFSD_TEST_MODULE_PATH_ONLY="$work" "$b/tests/module/test-modules" \
     --gtest_filter='Modules.TheExampleModuleLoadsAndMounts' >"$t/out" 2>&1; then
  ok "the out-of-tree module loads by name and mounts"
else
  fail "the out-of-tree module loads by name and mounts"
fi

# 5. With the vfsd command, when it is built.
if [ -x "$b/tools/vfsd" ]; then
  mnt=$t/mnt
  mkdir -p "$mnt"
  VFSD_MODULE_PATH="$work" "$b/tools/vfsd" mount example:from-the-command "$mnt" >"$t/out" 2>&1
  if [ "$(cat "$mnt/message" 2>>"$t/out")" = from-the-command ]; then
    ok "vfsd mount example:TEXT MOUNTPOINT"
  else
    fail "vfsd mount example:TEXT MOUNTPOINT"
  fi
  fusermount3 -u "$mnt" 2>/dev/null || fusermount3 -uz "$mnt" 2>/dev/null
else
  skip "vfsd mount example:TEXT MOUNTPOINT" "the vfsd command is not built here"
fi

# 6. From Python, when the bindings are built.  A sanitized libvfsd needs
#    the ASan runtime loaded before the interpreter (bindings/local.mk sets
#    VFSD_ASAN_RUNTIME in that build only; see tests/python/vfsdtest.py).
py_env=
if [ -n "${VFSD_ASAN_RUNTIME:-}" ]; then
  py_env="LD_PRELOAD=$VFSD_ASAN_RUNTIME ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
fi
if [ -f "$b/bindings/Vfsd-1.0.typelib" ]; then
  # shellcheck disable=SC2086 # py_env is empty or words without spaces
  if env $py_env VFSD_MODULE_PATH="$work" LD_LIBRARY_PATH="$b/lib/.libs" \
     "${PYTHON_GI:-/usr/bin/python3}" - >"$t/out" 2>&1 <<'PY'
import gi
gi.require_version('Vfsd', '1.0')
from gi.repository import Vfsd
b = Vfsd.Backend.load('example:from-python')
assert b.get_name() == 'example', b.get_name()
top = Vfsd.Backend.load_stack(['readonly', 'stats', 'example:stacked'])
assert top.get_name() == 'readonly', top.get_name()
assert top.get_next().get_next().get_name() == 'example'
PY
  then ok "Vfsd.Backend.load() and load_stack() from Python"
  else fail "Vfsd.Backend.load() and load_stack() from Python"
  fi
else
  skip "Vfsd.Backend.load() and load_stack() from Python" "the GI bindings are not built here"
fi
