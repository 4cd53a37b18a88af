#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A real single-node Ceph cluster with a RADOS Gateway on loopback, from
# Debian's packages (ceph-mon, ceph-mgr, ceph-osd with the memstore object
# store, radosgw), for the S3 tests.  Everything lives in one private
# directory: its own ceph.conf, cluster name and fsid, data, sockets, logs
# and PID files.  Nothing touches /etc/ceph, /var/lib/ceph or systemd, and
# every daemon is stopped by its PID.
#
#   ceph-fixture.sh start DIR     start a cluster in DIR (created; must not
#                                 hold one already), print its environment;
#                                 with CEPH_FIXTURE_OWNER=PID the cluster
#                                 stops by itself when process PID ends
#   ceph-fixture.sh stop DIR      stop every daemon of DIR, by PID, and
#                                 remove DIR
#   ceph-fixture.sh env DIR       print the environment again
#   ceph-fixture.sh stop-rgw DIR  kill the gateway (SIGKILL: a crash)
#   ceph-fixture.sh start-rgw DIR start the gateway again, on the same port
#   ceph-fixture.sh bucket-quota DIR BUCKET BYTES
#                                 give BUCKET a quota of BYTES
#   ceph-fixture.sh freeze-rgw DIR / thaw-rgw DIR
#                                 SIGSTOP / SIGCONT the gateway: a store that
#                                 accepts connections and never answers
#   ceph-fixture.sh run CMD...    start a cluster under $TMPDIR, run CMD with
#                                 its environment, stop the cluster whatever
#                                 happens; exit with CMD's status (77 = skip
#                                 when the packages are missing)
#
# The environment (also in DIR/env, one `export` a line):
#   S3_ENDPOINT=http://127.0.0.1:PORT  AWS_ACCESS_KEY_ID  AWS_SECRET_ACCESS_KEY
#   S3_FIXTURE_DIR=DIR  S3_FIXTURE=path of this script
# Tunables: CEPH_FIXTURE_MEMSTORE_BYTES (default 3G of RAM at most),
# CEPH_FIXTURE_QUOTA (bytes the user may store, default 3/4 of that),
# CEPH_FIXTURE_TIMEOUT (seconds to wait for each step, default 90).
set -uo pipefail

self=$(readlink -f "$0")
timeout_s=${CEPH_FIXTURE_TIMEOUT:-90}
cluster=vfsds3

die() { echo "ceph-fixture: $*" >&2; exit 1; }
say() { [ -n "${CEPH_FIXTURE_VERBOSE:-}" ] && echo "ceph-fixture: $(date +%T.%N | cut -c1-12) $*" >&2; return 0; }

have_packages() {
  local p
  for p in ceph-mon ceph-osd ceph-mgr radosgw radosgw-admin ceph curl; do
    command -v "$p" >/dev/null 2>&1 || { echo "$p"; return 1; }
  done
  return 0
}

# Free TCP ports on 127.0.0.1, chosen by the kernel.
free_ports() {
  /usr/bin/python3 - "$1" <<'EOF'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
EOF
}

# Every ceph tool reads CEPH_ARGS: point them all at this cluster only.
use_cluster() {
  export CEPH_ARGS="--cluster $cluster -c $1/ceph.conf"
}

# spawn DIR NAME CMD...: start a daemon in the foreground of a background
# job so that we know its PID; its output goes to DIR/log/NAME.out.
spawn() {
  local dir=$1 name=$2; shift 2
  setsid "$@" </dev/null >>"$dir/log/$name.out" 2>&1 &
  echo $! >"$dir/pids/$name"
  disown $!
  say "started $name (pid $!)"
}

# ours DIR PID: PID is a live (not zombie) daemon of the cluster in DIR;
# its environment names DIR's ceph.conf, so a recycled PID is never taken
# for one of ours.
ours() {
  local dir=$1 pid=$2 state
  state=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | cut -c1)
  [ -n "$state" ] && [ "$state" != Z ] &&
    tr '\0' '\n' 2>/dev/null <"/proc/$pid/environ" | grep -qxF "CEPH_ARGS=--cluster $cluster -c $dir/ceph.conf"
}

alive() { [ -f "$1/pids/$2" ] && ours "$1" "$(cat "$1/pids/$2")"; }

# wait_until DIR WHAT CMD...: poll CMD until it succeeds, for timeout_s.
wait_until() {
  local dir=$1 what=$2; shift 2
  local end=$((SECONDS + timeout_s))
  until "$@" >/dev/null 2>&1; do
    if [ $SECONDS -ge $end ]; then
      echo "ceph-fixture: timed out after ${timeout_s}s waiting for $what" >&2
      tail -n 20 "$dir"/log/*.out "$dir"/log/*.log 2>/dev/null | tail -n 60 >&2
      return 1
    fi
    sleep 0.2
  done
}

# stop_daemon DIR NAME [SIG]: stop one daemon by PID.  A test cluster has
# nothing worth a clean shutdown (memstore would even write its contents to
# disk on SIGTERM), so the default is SIGKILL.
stop_daemon() {
  local dir=$1 name=$2 sig=${3:-KILL} pid i
  [ -f "$dir/pids/$name" ] || return 0
  pid=$(cat "$dir/pids/$name")
  if ours "$dir" "$pid"; then
    kill -s "$sig" "$pid" 2>/dev/null
    for i in $(seq 100); do ours "$dir" "$pid" || break; sleep 0.05; done
    if ours "$dir" "$pid"; then
      kill -KILL "$pid" 2>/dev/null
      for i in $(seq 100); do ours "$dir" "$pid" || break; sleep 0.05; done
    fi
  fi
  rm -f "$dir/pids/$name"
}

write_conf() {
  local dir=$1 fsid=$2 monport=$3 rgwport=$4
  local bytes=${CEPH_FIXTURE_MEMSTORE_BYTES:-3221225472}
  cat >"$dir/ceph.conf" <<EOF
# Private test cluster: see tests/s3/ceph-fixture.sh
[global]
fsid = $fsid
mon host = v2:127.0.0.1:$monport
public addr = 127.0.0.1
ms bind msgr1 = false
ms bind ipv6 = false
auth cluster required = none
auth service required = none
auth client required = none
# radosgw asks for "secure" monitor connections by default, which the "none"
# auth method cannot give.
ms mon client mode = crc
run dir = $dir/run
admin socket = $dir/run/\$name.asok
pid file = $dir/run/\$name.pid
log file = $dir/log/\$name.log
mon cluster log file = $dir/log/cluster.log
crash dir = $dir/crash
keyring = $dir/keyring
log to stderr = false
err to stderr = true
debug ms = 0/0
mon data = $dir/\$name
mgr data = $dir/\$name
osd data = $dir/\$name
osd objectstore = memstore
memstore device bytes = $bytes
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon allow pool delete = true
mon max pg per osd = 1000
mon warn on pool no redundancy = false
mon data avail warn = 2
mon data avail crit = 1
# A one-monitor cluster gains nothing from batching map updates: propose
# at once, so that pool creation (radosgw makes seven) does not wait.
paxos propose interval = 0.01
paxos min wait = 0.01
# The tests kill the gateway: its watches on the control objects must not
# make the next one wait 30 s for a dead watcher's notify acknowledgement.
osd client watch timeout = 5
osd op num threads per shard = 1
osd op num shards = 2
ms async op threads = 2
[mgr]
mgr initial modules =
[client.rgw.gw]
rgw frontends = beast endpoint=127.0.0.1:$rgwport
rgw data = $dir/\$name
rgw thread pool size = 64
rgw dns name =
rgw enable usage log = false
rgw max chunk size = 4194304
# Space of deleted objects comes back in seconds, not hours.
rgw gc obj min wait = 5
rgw gc processor period = 5
EOF
}

# watchdog DIR OWNER: stop the cluster when process OWNER ends, so that a
# test that crashes or is killed leaves nothing running.
watchdog() {
  local dir=$1 owner=$2
  setsid bash -c 'while kill -0 "$1" 2>/dev/null && [ -d "$2/pids" ]; do
                    sleep 1; done; exec "$3" stop "$2"' \
    watchdog "$owner" "$dir" "$self" </dev/null >/dev/null 2>&1 &
  echo $! >"$dir/watchdog.pid"
}

do_start() {
  local dir=$1 missing fsid ports monport rgwport osduuid t0=$SECONDS
  missing=$(have_packages) || die "the program '$missing' is missing; install the Debian packages: apt-get install --no-install-recommends ceph-mon ceph-osd ceph-mgr radosgw curl"
  [ -e "$dir/ceph.conf" ] && die "$dir holds a cluster already"
  mkdir -p "$dir" && dir=$(cd "$dir" && pwd) || die "cannot create $dir"
  mkdir -p "$dir"/{run,log,crash,pids,mon.a,mgr.x,osd.0,client.rgw.gw}
  fsid=$(cat /proc/sys/kernel/random/uuid)
  osduuid=$(cat /proc/sys/kernel/random/uuid)
  ports=$(free_ports 2) || die "cannot find free ports"
  read -r monport rgwport <<<"$ports"
  echo "$rgwport" >"$dir/rgw.port"
  write_conf "$dir" "$fsid" "$monport" "$rgwport"
  use_cluster "$dir"
  [ -n "${CEPH_FIXTURE_OWNER:-}" ] && watchdog "$dir" "$CEPH_FIXTURE_OWNER"

  monmaptool --create --fsid "$fsid" --addv a "[v2:127.0.0.1:$monport]" \
    "$dir/monmap" >/dev/null || die "monmaptool failed"
  ceph-mon --mkfs -i a --monmap "$dir/monmap" >>"$dir/log/mkfs.out" 2>&1 ||
    die "ceph-mon --mkfs failed: $(tail -n 3 "$dir/log/mkfs.out")"
  spawn "$dir" mon ceph-mon -f -i a
  wait_until "$dir" "the monitor" ceph --connect-timeout 5 mon stat || return 1
  say "mon answers"

  spawn "$dir" mgr ceph-mgr -f -i x

  ceph osd new "$osduuid" 0 >/dev/null 2>>"$dir/log/mkfs.out" ||
    die "ceph osd new failed: $(tail -n 3 "$dir/log/mkfs.out")"
  ceph-osd -i 0 --mkfs --osd-uuid "$osduuid" >>"$dir/log/mkfs.out" 2>&1 ||
    die "ceph-osd --mkfs failed: $(tail -n 3 "$dir/log/mkfs.out")"
  spawn "$dir" osd ceph-osd -f -i 0
  wait_until "$dir" "the OSD to come up" \
    sh -c 'ceph osd dump 2>/dev/null | grep -Eq "^osd\\.0 +up"' || return 1

  say "osd up"
  spawn "$dir" rgw radosgw -f -n client.rgw.gw
  wait_until "$dir" "the RADOS Gateway to answer on port $rgwport" \
    curl -sf -o /dev/null "http://127.0.0.1:$rgwport/" || return 1

  say "rgw answers"
  # A user with keys of our own making (from the kernel's random source).
  local ak sk
  ak=$(tr -dc 'A-Z0-9' </dev/urandom | head -c 20)
  sk=$(tr -dc 'A-Za-z0-9' </dev/urandom | head -c 40)
  radosgw-admin user create --uid=vfsd-test --display-name="vfsd test" \
    --access-key="$ak" --secret-key="$sk" >/dev/null 2>>"$dir/log/mkfs.out" ||
    die "radosgw-admin user create failed: $(tail -n 3 "$dir/log/mkfs.out")"
  # A quota below the memstore's size: a full OSD would block every
  # client; an exceeded quota is an error (403 QuotaExceeded) instead.
  local quota=${CEPH_FIXTURE_QUOTA:-$(( ${CEPH_FIXTURE_MEMSTORE_BYTES:-3221225472} * 3 / 4 ))}
  { radosgw-admin quota set --quota-scope=user --uid=vfsd-test \
      --max-size="$quota" && \
    radosgw-admin quota enable --quota-scope=user --uid=vfsd-test; } \
    >/dev/null 2>>"$dir/log/mkfs.out" || die "setting the quota failed"
  umask 077
  cat >"$dir/env" <<EOF
export S3_ENDPOINT=http://127.0.0.1:$rgwport
export AWS_ACCESS_KEY_ID=$ak
export AWS_SECRET_ACCESS_KEY=$sk
export S3_FIXTURE_DIR=$dir
export S3_FIXTURE=$self
EOF
  say "cluster up in $((SECONDS - t0))s"
  cat "$dir/env"
}

do_stop() {
  local dir=$1 n
  [ -d "$dir" ] || return 0
  [ -f "$dir/ceph.conf" ] || [ -d "$dir/pids" ] ||
    die "$dir does not look like a fixture directory; not removing it"
  if [ -f "$dir/watchdog.pid" ] && [ "$(cat "$dir/watchdog.pid")" != $$ ]; then
    kill "$(cat "$dir/watchdog.pid")" 2>/dev/null
  fi
  # A frozen gateway must be woken to die of SIGKILL promptly.
  [ -f "$dir/pids/rgw" ] && kill -CONT "$(cat "$dir/pids/rgw")" 2>/dev/null
  for n in rgw osd mgr mon; do stop_daemon "$dir" "$n"; done
  # Daemons started by hand with start-rgw are in pids/ too.
  for n in "$dir"/pids/*; do [ -f "$n" ] && stop_daemon "$dir" "$(basename "$n")"; done
  sweep "$dir"
  rm -rf "$dir"
}

# sweep DIR: what else still carries this cluster's CEPH_ARGS (a ceph tool
# waiting for a monitor that is gone, a daemon's child), found by its
# environment and killed by PID; never this script or its caller.  Seen
# once in CI under load: such a process outlived the test by 30 s.
sweep() {
  local dir=$1 p pids=""
  for p in /proc/[0-9]*; do
    p=${p#/proc/}
    [ "$p" = "$$" ] || [ "$p" = "$PPID" ] && continue
    ours "$dir" "$p" && pids="$pids $p"
  done
  [ -n "$pids" ] || return 0
  echo "ceph-fixture: stopping what was left of $dir:$pids" >&2
  kill -KILL $pids 2>/dev/null
  for p in $pids; do
    for i in $(seq 100); do ours "$dir" "$p" || break; sleep 0.05; done
  done
}

do_start_rgw() {
  local dir=$1 port
  use_cluster "$dir"
  alive "$dir" rgw && return 0
  port=$(cat "$dir/rgw.port")
  spawn "$dir" rgw radosgw -f -n client.rgw.gw
  wait_until "$dir" "the RADOS Gateway to answer again" \
    curl -sf -o /dev/null "http://127.0.0.1:$port/"
}

cmd=${1:-}
shift || true
case $cmd in
  start) [ $# = 1 ] || die "usage: $0 start DIR"
         do_start "$1" || { [ -n "${CEPH_FIXTURE_KEEP:-}" ] || do_stop "$1"; exit 1; } ;;
  stop) [ $# = 1 ] || die "usage: $0 stop DIR"; do_stop "$1" ;;
  env) [ $# = 1 ] || die "usage: $0 env DIR"; cat "$1/env" ;;
  stop-rgw) [ $# = 1 ] || die "usage: $0 stop-rgw DIR"; stop_daemon "$1" rgw KILL ;;
  start-rgw) [ $# = 1 ] || die "usage: $0 start-rgw DIR"; do_start_rgw "$1" ;;
  bucket-quota)
    [ $# = 3 ] || die "usage: $0 bucket-quota DIR BUCKET BYTES"
    use_cluster "$1"
    { radosgw-admin quota set --quota-scope=bucket --bucket="$2" --max-size="$3" &&
      radosgw-admin quota enable --quota-scope=bucket --bucket="$2"; } >/dev/null ||
      die "setting the quota of $2 failed" ;;
  freeze-rgw|thaw-rgw)
    [ $# = 1 ] || die "usage: $0 $cmd DIR"
    alive "$1" rgw || die "the gateway of $1 is not running"
    kill -s "$([ "$cmd" = freeze-rgw ] && echo STOP || echo CONT)" "$(cat "$1/pids/rgw")" ;;
  check) missing=$(have_packages) || { echo "missing: $missing"; exit 1; } ;;
  run)
    [ $# -ge 1 ] || die "usage: $0 run CMD..."
    if missing=$(have_packages); then :; else
      echo "1..0 # SKIP the Ceph packages are not installed ($missing is missing)"
      exit 77
    fi
    dir=$(mktemp -d "${TMPDIR:-/tmp}/ceph.XXXXXX") || die "mktemp failed"
    rmdir "$dir"
    trap 'do_stop "$dir"' EXIT
    trap 'exit 130' INT TERM HUP
    CEPH_FIXTURE_OWNER=$$ do_start "$dir" >/dev/null || { echo "Bail out! the Ceph fixture did not start"; exit 1; }
    # shellcheck disable=SC1091
    . "$dir/env"
    # In the background, so that a signal to this script (a test runner's
    # timeout) is handled now, not when the command ends.
    "$@" &
    child=$!
    trap 'kill $child 2>/dev/null; exit 130' INT TERM HUP
    wait $child
    exit $? ;;
  *) die "usage: $0 start|stop|env|stop-rgw|start-rgw|freeze-rgw|thaw-rgw DIR, or $0 check, or $0 run CMD..." ;;
esac
