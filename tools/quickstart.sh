#!/bin/bash
# Quick start, step 1: install what is missing, build, and mount a RAM file
# system at ./mnt (1 GiB).  Unmount with `build/tools/vfsd umount ./mnt`.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/tools/install-deps.sh"
cd "$top"
[ -x configure ] || autoreconf -fi >/dev/null
mkdir -p build
cd build
[ -f Makefile ] || ../configure --quiet
make -j"$(nproc)" >/dev/null
cd "$top"
mkdir -p mnt
if grep -q " $top/mnt fuse" /proc/mounts; then
  echo "quickstart: $top/mnt is mounted already"
  exit 0
fi
build/tools/vfsd mount ram:size=1G ./mnt
echo "A RAM file system (1 GiB) is mounted at $top/mnt."
echo "Unmount it with: build/tools/vfsd umount ./mnt"
