#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The driver of `make bench`: mounts a tmpfs and the RAM backend side by
side (and the Python memfs example at reduced sizes), runs the same
workloads of bench/vfsd-bench on each, several times, and prints every
figure with its spread and its ratio to tmpfs measured in the same run.

    bench/run-bench.py [--reps N] [--quick] [--only W,...] [--json FILE]
                       [--baseline FILE] [--no-python] [--options OPTS]

Run as root (dropping caches for cold reads needs it).  Nothing is left
mounted, even when a workload fails.
"""
import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

TOP_BUILD = os.environ.get('top_builddir') or os.path.abspath(
    os.path.join(os.path.dirname(__file__), '..'))
TOP_SRC = os.environ.get('top_srcdir') or os.path.abspath(
    os.path.join(os.path.dirname(__file__), '..'))
BENCH = os.path.join(TOP_BUILD, 'bench', 'vfsd-bench')
VFSD = os.path.join(TOP_BUILD, 'tools', 'vfsd')
MEMFS = os.path.join(TOP_SRC, 'examples', 'python', 'memfs.py')

GiB = 1 << 30
MiB = 1 << 20

# (label, workload, output key, unit, extra args builder, cold?)
FIGURES = [
    ('seq write 1 MiB', 'write', 'mbps', 'MB/s'),
    ('seq read cold', 'read', 'mbps', 'MB/s'),
    ('seq read warm', 'read', 'mbps', 'MB/s'),
    ('rand read 4 KiB', 'randread', 'iops', 'IOPS'),
    ('small files write', 'small', 'write_fps', 'files/s'),
    ('small files read', 'small', 'read_fps', 'files/s'),
    ('create', 'meta', 'create', 'ops/s'),
    ('stat', 'meta', 'stat', 'ops/s'),
    ('readdir', 'meta', 'readdir', 'entries/s'),
    ('rename', 'meta', 'rename', 'ops/s'),
    ('unlink', 'meta', 'unlink', 'ops/s'),
]

SCALING_TARGETS = {'seq write 1 MiB': 1.8, 'create': 1.8}  # 2 jobs / 1 job
# pyfuse3's tmpfs example measured on this machine (issue 6), and the
# factor the Python memfs must reach over it.
PYFUSE3 = {'create': 4200, 'small files write': 4300, 'small files read': 5400}
PY_FACTOR = 1.5

TARGETS = {  # issue 6: ratio to tmpfs the RAM backend must reach
    'seq write 1 MiB': 0.50, 'seq read cold': 0.40, 'seq read warm': 0.95,
    'rand read 4 KiB': 0.80, 'small files write': 0.10,
    'small files read': 0.15, 'create': 0.10, 'stat': 0.75,
    'rename': 0.15, 'unlink': 0.15, 'readdir': 1.0,
}


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def fuse_mounted(path):
    with open('/proc/self/mounts') as f:
        return any(l.split()[1] == path and l.split()[2].startswith('fuse')
                   for l in f)


def drop_caches():
    os.sync()
    try:
        with open('/proc/sys/vm/drop_caches', 'w') as f:
            f.write('3')
        return True
    except OSError:
        return False


class Server:
    """A FUSE server process serving a mount point until stopped."""

    def __init__(self, argv, mnt, env=None):
        self.mnt = mnt
        self.proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE)
        deadline = time.time() + 20
        while not fuse_mounted(mnt):
            if self.proc.poll() is not None or time.time() > deadline:
                err = self.proc.stderr.read().decode(errors='replace')
                self.stop()
                raise RuntimeError('cannot mount %s: %s' % (' '.join(argv), err))
            time.sleep(0.02)

    def stop(self):
        if self.proc.poll() is None:
            subprocess.run(['fusermount3', '-u', self.mnt],
                           stderr=subprocess.DEVNULL)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if fuse_mounted(self.mnt):
            subprocess.run(['fusermount3', '-uz', self.mnt],
                           stderr=subprocess.DEVNULL)


def run_workload(workload, d, args):
    cmd = [BENCH, workload, d] + args
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    if r.returncode != 0:
        raise RuntimeError('%s failed (%d): %s' % (' '.join(cmd), r.returncode,
                                                   r.stderr.strip()))
    return {k: float(v) for k, v in (p.split('=') for p in r.stdout.split())}


def measure(fs, d, sizes, jobs):
    """One repetition of every workload on one file system: {label: value}."""
    common = ['--jobs', str(jobs)]
    out = {}
    run_workload('clean', d, [])
    w = run_workload('write', d, common + ['--size', str(sizes['size'])])
    out['seq write 1 MiB'] = w['mbps']
    drop_caches()
    out['seq read cold'] = run_workload('read', d, common + ['--size', str(sizes['size'])])['mbps']
    out['seq read warm'] = run_workload('read', d, common + ['--size', str(sizes['size'])])['mbps']
    out['rand read 4 KiB'] = run_workload('randread', d, common + [
        '--size', str(sizes['size']), '--seconds', str(sizes['seconds'])])['iops']
    run_workload('clean', d, [])
    s = run_workload('small', d, common + ['--files', str(sizes['small'])])
    out['small files write'] = s['write_fps']
    out['small files read'] = s['read_fps']
    run_workload('clean', d, [])
    m = run_workload('meta', d, common + ['--files', str(sizes['meta'])])
    for k in ('create', 'stat', 'readdir', 'rename', 'unlink'):
        out[k] = m[k]
    run_workload('clean', d, [])
    return out


def summarize(samples):
    med = statistics.median(samples)
    return med, min(samples), max(samples)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--reps', type=int, default=3)
    ap.add_argument('--quick', action='store_true',
                    help='small sizes, one repetition (for a smoke test)')
    ap.add_argument('--json', help='write the results here')
    ap.add_argument('--baseline', help='results of a previous version (JSON) to compare with')
    ap.add_argument('--no-python', action='store_true')
    ap.add_argument('--options', default='', help='extra mount options for the RAM backend')
    a = ap.parse_args()

    sizes = dict(size=GiB, seconds=3, small=10000, meta=20000)
    py_sizes = dict(size=64 * MiB, seconds=2, small=1000, meta=2000)
    reps = a.reps
    if a.quick:
        sizes = dict(size=64 * MiB, seconds=1, small=500, meta=1000)
        py_sizes = dict(size=8 * MiB, seconds=1, small=200, meta=300)
        reps = 1

    for p in (BENCH, VFSD):
        if not os.access(p, os.X_OK):
            sys.exit('run-bench: %s is missing; run make first' % p)
    base = tempfile.mkdtemp(prefix='vfsd-bench.', dir=os.environ.get('TMPDIR'))
    mnts = {k: os.path.join(base, k) for k in ('tmpfs', 'ram', 'python')}
    for p in mnts.values():
        os.mkdir(p)
    servers = []
    tmpfs_mounted = False
    results = {}
    try:
        subprocess.run(['mount', '-t', 'tmpfs', '-o', 'size=8G', 'tmpfs',
                        mnts['tmpfs']], check=True)
        tmpfs_mounted = True
        ram_opts = 'size=8G'
        mount_opts = a.options
        argv = [VFSD, 'mount', '-f'] + (['-o', mount_opts] if mount_opts else []) + \
               ['ram:' + ram_opts, mnts['ram']]
        servers.append(Server(argv, mnts['ram']))
        subjects = [('tmpfs', mnts['tmpfs'], sizes), ('ram', mnts['ram'], sizes)]
        if not a.no_python and os.path.exists(MEMFS):
            env = dict(os.environ)
            servers.append(Server(['/usr/bin/python3', MEMFS, mnts['python']],
                                  mnts['python'], env))
            subjects.append(('python', mnts['python'], py_sizes))
            subjects.append(('tmpfs-small', mnts['tmpfs'], py_sizes))

        for jobs in (1, 2):
            for rep in range(reps):
                # Interleave the subjects so drift hits all alike.
                for name, d, sz in subjects:
                    if name in ('python', 'tmpfs-small') and jobs == 2:
                        continue
                    log('rep %d/%d, %d job(s): %s' % (rep + 1, reps, jobs, name))
                    r = measure(name, d, sz, jobs)
                    for k, v in r.items():
                        results.setdefault((name, jobs, k), []).append(v)
    finally:
        for s in servers:
            s.stop()
        if tmpfs_mounted:
            subprocess.run(['umount', mnts['tmpfs']])
        shutil.rmtree(base, ignore_errors=True)

    report(results, a, sizes, py_sizes, reps)


def fmt(v):
    if v >= 100000:
        return '%.0fk' % (v / 1000)
    if v >= 1000:
        return '%.1fk' % (v / 1000)
    return '%.0f' % v


def report(results, a, sizes, py_sizes, reps):
    base = {}
    if a.baseline and os.path.exists(a.baseline):
        with open(a.baseline) as f:
            base = json.load(f).get('ram_ratio', {})
    out = {'ram_ratio': {}, 'python': {}, 'scaling': {}, 'raw': {}}
    print('libvfsd benchmark: %d repetitions, medians (min-max); ratio = RAM backend / tmpfs in this run' % reps)
    print('sizes: %d MiB file, %d small files, %d metadata files; python: %d MiB, %d, %d'
          % (sizes['size'] // MiB, sizes['small'], sizes['meta'],
             py_sizes['size'] // MiB, py_sizes['small'], py_sizes['meta']))
    print()
    hdr = '%-18s %8s | %-22s | %-22s | %6s %6s %s' % (
        'workload', 'unit', 'tmpfs', 'ram', 'ratio', 'target', 'vs prev')
    print(hdr)
    print('-' * len(hdr))
    missed = []
    for label, _, _, unit in FIGURES:
        t = results.get(('tmpfs', 1, label))
        r = results.get(('ram', 1, label))
        if not t or not r:
            continue
        tm, tlo, thi = summarize(t)
        rm, rlo, rhi = summarize(r)
        ratio = rm / tm if tm else float('nan')
        target = TARGETS.get(label)
        ok = target is None or ratio >= target
        if not ok:
            missed.append(label)
        prev = base.get(label)
        print('%-18s %8s | %7s (%s-%s) | %7s (%s-%s) | %6.2f %6s %s%s' % (
            label, unit, fmt(tm), fmt(tlo), fmt(thi), fmt(rm), fmt(rlo), fmt(rhi),
            ratio, '%.2f' % target if target else '-',
            ('%+.0f%%' % ((ratio / prev - 1) * 100)) if prev else '',
            '' if ok else '   <-- below target'))
        out['ram_ratio'][label] = ratio
        out['raw'][label] = {'tmpfs': t, 'ram': r}
    print()
    print('scaling from 1 to 2 jobs (aggregate rate, medians):')
    for label in ('seq write 1 MiB', 'create', 'stat', 'small files write'):
        for name in ('tmpfs', 'ram'):
            one = results.get((name, 1, label))
            two = results.get((name, 2, label))
            if one and two:
                s = statistics.median(two) / statistics.median(one)
                out['scaling']['%s %s' % (name, label)] = s
                target = SCALING_TARGETS.get(label) if name == 'ram' else None
                low = target is not None and s < target
                if low:
                    missed.append('2-job scaling of ' + label)
                print('  %-6s %-18s %.2fx%s' % (
                    name, label, s,
                    '   target %.1fx%s' % (target, '   <-- below target' if low else '')
                    if target else ''))
    if ('python', 1, 'create') in results:
        print()
        print('Python memfs (examples/python/memfs.py), reduced sizes, vs tmpfs at the same sizes:')
        for label, _, _, unit in FIGURES:
            p = results.get(('python', 1, label))
            t = results.get(('tmpfs-small', 1, label))
            if p and t:
                pm = statistics.median(p)
                out['python'][label] = pm
                ref = PYFUSE3.get(label)
                vs = ''
                if ref:
                    vs = '   %.2fx pyfuse3 (target %.1fx)' % (pm / ref, PY_FACTOR)
                    if pm / ref < PY_FACTOR:
                        vs += '   <-- below target'
                        missed.append('python ' + label)
                print('  %-18s %10s %-9s ratio %.3f%s' % (
                    label, fmt(pm), unit, pm / statistics.median(t), vs))
        print('  pyfuse3 tmpfs example, measured here before: create 4.2k/s, '
              'small files 4.3k/5.4k per s')
    if missed:
        print()
        print('below target: ' + ', '.join(missed))
    if a.json:
        with open(a.json, 'w') as f:
            json.dump(out, f, indent=1)


if __name__ == '__main__':
    main()
