#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""mount_ram: mount libvfsd's RAM backend (written in C) from Python, with
layers stacked on it.

    examples/python/mount_ram.py MOUNTPOINT [-s SIZE] [-l LAYER[:ARGS]]...

e.g. `mount_ram.py ./mnt -s 1G -l readonly`.  Serves until Ctrl-C.  `vfsd
layers` (or Vfsd.layer_list_names()) lists the layers.
"""
import argparse
import sys

import vfsd_uninstalled  # noqa: F401  finds an uninstalled build; selects Vfsd 1.0
from gi.repository import GLib, Vfsd


def ram_backend(size):
    options = "size=" + size if size else ""
    if hasattr(Vfsd, "RamBackend"):            # the typed constructor
        return Vfsd.RamBackend.new(options)
    return Vfsd.Backend.load("ram:" + options)  # the same, found by name


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("mountpoint")
    p.add_argument("-s", "--size", help="capacity, e.g. 64M or 1G")
    p.add_argument("-l", "--layer", action="append", default=[],
                   help="a layer to stack, NAME or NAME:ARGS (repeatable)")
    p.add_argument("-o", "--options", default="", help="mount options")
    args = p.parse_args()
    try:
        backend = ram_backend(args.size)
        for spec in args.layer:               # each on top of the last
            backend = backend.stack_layer(spec)
        mount = Vfsd.Mount.new(backend, args.mountpoint, args.options)
    except GLib.Error as e:
        sys.exit("mount_ram: %s" % e.message)
    with mount:
        mount.run()


if __name__ == "__main__":
    main()
