#!/bin/bash
# The whole test suite: builds in build/ and runs `make check`, then builds
# in build-san/ with AddressSanitizer + UndefinedBehaviorSanitizer and runs
# `make check` again.  Ends with one line: "N passed, N failed".
# Environment: VFSD_SKIP_SANITIZERS=1 skips the second run; JOBS sets make -j.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
jobs=${JOBS:-$(nproc)}
cd "$top"
status=0
log() { echo "run-all: $*" >&2; }

[ -x configure ] || autoreconf -fi >/dev/null || { log "autoreconf failed"; echo "0 passed, 1 failed"; exit 1; }

# build DIR CONFIGURE-ARGS...: configure (once), build, and run the suite.
build_and_check() {
  local dir=$1; shift
  mkdir -p "$dir"
  ( cd "$dir" &&
    { [ -f Makefile ] || "$top/configure" --quiet "$@"; } &&
    make -j"$jobs" >/dev/null &&
    make -j"$jobs" check ) > "$dir/run-all.log" 2>&1
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

rm -f build/tests/*.trs build-san/tests/*.trs 2>/dev/null
build_and_check build || status=1
read -r p1 f1 s1 < <(count build)
[ "${p1:-0}" -gt 0 ] || f1=$(( ${f1:-0} + 1 ))
p2=0 f2=0 s2=0
if [ "${VFSD_SKIP_SANITIZERS:-0}" != 1 ]; then
  # -O1: what the sanitizers' authors advise, and a faster build.
  build_and_check build-san --enable-sanitizers CFLAGS="-g -O1" CXXFLAGS="-g -O1" || status=1
  read -r p2 f2 s2 < <(count build-san)
  [ "${p2:-0}" -gt 0 ] || f2=$(( ${f2:-0} + 1 ))
fi
log "build: $p1 passed, $f1 failed, $s1 skipped; build-san: $p2 passed, $f2 failed, $s2 skipped"
passed=$(( p1 + p2 ))
failed=$(( f1 + f2 ))
[ $failed -eq 0 ] || status=1
echo "$passed passed, $failed failed"
exit $status
