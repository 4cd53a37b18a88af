#!/bin/sh
# Runs one test (given as a command line) with a private TMPDIR and a time
# limit, then unmounts any FUSE mount and stops any Ceph test daemon the
# test left under its TMPDIR, and fails the test if there was one.  Used as
# LOG_COMPILER by `make check`.
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
# Processes the test started and left behind: a Ceph test cluster
# (tests/s3/ceph-fixture.sh) lives under this TMPDIR, and each of its
# daemons names its ceph.conf there in CEPH_ARGS.  The fixture's watchdog
# stops a cluster whose owner died within seconds; what is still there after
# that grace is killed by PID and fails the test.
ours() {
  grep -lsaF "CEPH_ARGS=--cluster vfsds3 -c $tmp/" /proc/[0-9]*/environ |
    sed 's|^/proc/\([0-9]*\)/environ$|\1|'
}
procs=$(ours)
n=0
while [ -n "$procs" ] && [ $n -lt 60 ]; do sleep 0.5; n=$((n + 1)); procs=$(ours); done
if [ -n "$procs" ]; then
  echo "# the test left processes behind: $(echo $procs); killing them"
  kill -KILL $procs 2>/dev/null
  rc=1
fi
left=$(awk -v d="$tmp" 'index($2, d) == 1 && $3 ~ /^fuse/ { print $2 }' /proc/mounts)
for m in $left; do
  echo "# the test left a mount at $m; unmounting it"
  fusermount3 -u "$m" 2>/dev/null || fusermount3 -uz "$m" 2>/dev/null || umount -l "$m"
  rc=1
done
rm -rf "$tmp" 2>/dev/null
exit $rc
