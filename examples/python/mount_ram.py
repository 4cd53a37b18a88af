#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""mount_ram: mount libvfsd's RAM backend (written in C) from Python, with
layers stacked on it.

    examples/python/mount_ram.py MOUNTPOINT [-s SIZE] [-l LAYER[:ARGS]]...

e.g. `mount_ram.py ./mnt -s 1G -l monitor:log=access.jsonl -l readonly`:
the first layer given is the outermost, as with `vfsd mount -l`.  Serves
until Ctrl-C.  `vfsd layers` (or Vfsd.layer_list_names()) lists the layers.
"""
import argparse
import sys

import vfsd_uninstalled  # noqa: F401  finds an uninstalled build; selects Vfsd 1.0
from gi.repository import GLib, Vfsd


def ram_stack(size, layers):
    """The RAM backend with `layers` over it, the first the outermost."""
    if not layers:                              # the typed constructor
        return Vfsd.RamBackend.new("size=" + size if size else "")
    ram = "ram:size=" + size if size else "ram"
    return Vfsd.Backend.load_stack(layers + [ram])  # by name, in one call


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("mountpoint")
    p.add_argument("-s", "--size", help="capacity, e.g. 64M or 1G")
    p.add_argument("-l", "--layer", action="append", default=[],
                   help="a layer to stack, NAME or NAME:ARGS (repeatable; "
                   "the first is the outermost)")
    p.add_argument("-o", "--options", default="", help="mount options")
    args = p.parse_args()
    try:
        backend = ram_stack(args.size, args.layer)
        mount = Vfsd.Mount.new(backend, args.mountpoint, args.options)
    except GLib.Error as e:
        sys.exit("mount_ram: %s" % e.message)
    with mount:
        mount.run()


if __name__ == "__main__":
    main()
