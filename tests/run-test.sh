#!/bin/sh
# Runs one test (given as a command line) with a private TMPDIR and a time
# limit, then unmounts any FUSE mount the test left under its TMPDIR and
# fails the test if there was one.  Used as LOG_COMPILER by `make check`.
limit=${VFSD_TEST_TIMEOUT:-600}
base=${VFSD_TEST_TMP:-/tmp}
tmp=$(mktemp -d "$base/vfsd-test.XXXXXX") || exit 99
TMPDIR=$tmp
export TMPDIR
start=$(date +%s)
timeout --kill-after=10 "$limit" "$@"
rc=$?
echo "# elapsed: $(( $(date +%s) - start ))s"
if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
  echo "# test killed after ${limit}s: $*"
fi
left=$(awk -v d="$tmp" 'index($2, d) == 1 && $3 ~ /^fuse/ { print $2 }' /proc/mounts)
for m in $left; do
  echo "# the test left a mount at $m; unmounting it"
  fusermount3 -u "$m" 2>/dev/null || fusermount3 -uz "$m" 2>/dev/null || umount -l "$m"
  rc=1
done
rm -rf "$tmp" 2>/dev/null
exit $rc
