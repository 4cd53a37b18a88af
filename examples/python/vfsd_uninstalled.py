# SPDX-License-Identifier: MIT
"""Lets the examples run from a source tree, before `make install`.

If no Vfsd typelib is on GI_TYPELIB_PATH, this looks for a build tree
($VFSD_BUILDDIR, else build*/ beside examples/) and uses its typelib, its
libvfsd and the override module of the source tree.  Import it before gi.
With an installed libvfsd, a program needs only what this does last:
    import gi
    gi.require_version("Vfsd", "1.0")
"""
import ctypes
import glob
import os
import sys

_top = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _have_typelib():
    dirs = os.environ.get("GI_TYPELIB_PATH", "").split(":")
    return any(d and os.path.exists(os.path.join(d, "Vfsd-1.0.typelib")) for d in dirs)


def _setup():
    if _have_typelib():
        return
    env = os.environ.get("VFSD_BUILDDIR")
    builds = [env] if env else sorted(glob.glob(os.path.join(_top, "build*")))
    for b in builds:
        typelib = os.path.join(b, "bindings", "Vfsd-1.0.typelib")
        lib = os.path.join(b, "lib", ".libs", "libvfsd.so.0")
        if os.path.exists(typelib) and os.path.exists(lib):
            old = os.environ.get("GI_TYPELIB_PATH")
            os.environ["GI_TYPELIB_PATH"] = os.path.dirname(typelib) + (":" + old if old else "")
            # Loaded by path now, found by its soname when GI asks for it.
            ctypes.CDLL(lib, mode=ctypes.RTLD_GLOBAL)
            sys.path.insert(0, os.path.join(_top, "bindings", "python"))
            return


_setup()
import gi  # noqa: E402  (after the environment is set)
gi.require_version("Vfsd", "1.0")
