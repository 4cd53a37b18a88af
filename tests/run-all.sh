#!/bin/bash
# The whole test suite: builds in build/ and runs `make check`, then runs
# it again in build-san/, built with AddressSanitizer +
# UndefinedBehaviorSanitizer (while the first suite runs).  Ends with one line: "N passed, N failed".
# Environment: VFSD_SKIP_SANITIZERS=1 skips the second run; JOBS sets make -j.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
jobs=${JOBS:-$(nproc)}
cd "$top"
status=0
log() { echo "run-all: $*" >&2; }

[ -x configure ] || autoreconf -fi >/dev/null || { log "autoreconf failed"; echo "0 passed, 1 failed"; exit 1; }

# prepare DIR CONFIGURE-ARGS...: configure (once) and build in DIR.
prepare() {
  local dir=$1; shift
  mkdir -p "$dir"
  ( cd "$dir" &&
    { [ -f Makefile ] || "$top/configure" --quiet "$@"; } &&
    make -j"$jobs" >/dev/null ) >> "$dir/run-all.log" 2>&1
  local rc=$?
  [ $rc = 0 ] || { log "$dir: the build failed (exit $rc); see $dir/run-all.log"; tail -40 "$dir/run-all.log" >&2; }
  return $rc
}

# check DIR: runs the suite there.
check() {
  local dir=$1
  ( cd "$dir" && make -j"$jobs" check ) >> "$dir/run-all.log" 2>&1
  local rc=$?
  if [ $rc != 0 ]; then
    log "$dir: make check failed (exit $rc); see $dir/run-all.log and $dir/test-suite.log"
    grep -E '^(FAIL|ERROR|XPASS):' "$dir/run-all.log" >&2 || tail -40 "$dir/run-all.log" >&2
  fi
  return $rc
}

# Counts results from the .trs files automake's TAP driver wrote.
count() {
  local dir=$1
  find "$dir" -name '*.trs' -print0 | xargs -0 -r cat | awk '
    /^:test-result: (PASS|XFAIL)/ { p++ }
    /^:test-result: (FAIL|XPASS|ERROR)/ { f++ }
    /^:test-result: SKIP/ { s++ }
    END { printf "%d %d %d\n", p, f, s }'
}

find build build-san -name '*.trs' -delete 2>/dev/null
rm -f build/run-all.log build-san/run-all.log
san=0
[ "${VFSD_SKIP_SANITIZERS:-0}" = 1 ] || san=1
prepare build && {
  # The sanitizer build compiles while the first suite runs: the suite
  # mostly waits (mounts, the Ceph gateway), the compiler mostly computes.
  # -O1: what the sanitizers' authors advise, and a faster build.
  if [ $san = 1 ]; then
    prepare build-san --enable-sanitizers CFLAGS="-g -O1" CXXFLAGS="-g -O1" &
    san_pid=$!
  fi
  check build
} || status=1
read -r p1 f1 s1 < <(count build)
[ "${p1:-0}" -gt 0 ] || f1=$(( ${f1:-0} + 1 ))
p2=0 f2=0 s2=0
if [ $san = 1 ]; then
  if [ -n "${san_pid:-}" ]; then wait "$san_pid" || status=1; fi
  prepare build-san --enable-sanitizers CFLAGS="-g -O1" CXXFLAGS="-g -O1" && check build-san || status=1
  read -r p2 f2 s2 < <(count build-san)
  [ "${p2:-0}" -gt 0 ] || f2=$(( ${f2:-0} + 1 ))
fi
log "build: $p1 passed, $f1 failed, $s1 skipped; build-san: $p2 passed, $f2 failed, $s2 skipped"
passed=$(( p1 + p2 ))
failed=$(( f1 + f2 ))
[ $failed -eq 0 ] || status=1
echo "$passed passed, $failed failed"
exit $status
