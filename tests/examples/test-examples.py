# SPDX-License-Identifier: LGPL-2.1-or-later
# Mounts the seed's example file systems (monitorfs, metafs, dedupfs) as
# their users would, in the foreground, and checks what they promise.
# Prints TAP.
import errno
import json
import os
import subprocess
import sys
import tempfile
import time

B = os.environ.get('top_builddir', '.')
TMP = os.environ.get('TMPDIR', '/tmp')
results = []


def mounted(path):
    with open('/proc/self/mounts') as f:
        return any(l.split()[1] == path and l.split()[2].startswith('fuse')
                   for l in f)


class Mount:
    """Runs PROG ARGS... -f MOUNTPOINT; unmounts and reaps it on exit."""

    def __init__(self, prog, *args):
        self.mnt = tempfile.mkdtemp(prefix='mnt.', dir=TMP)
        self.err = open(os.path.join(TMP, os.path.basename(prog) + '.err'), 'w+')
        self.proc = subprocess.Popen(
            [os.path.join(B, 'examples', prog), *args, '-f', self.mnt],
            stdout=self.err, stderr=self.err)
        deadline = time.time() + 10
        while not mounted(self.mnt):
            if self.proc.poll() is not None or time.time() > deadline:
                self.close()
                raise RuntimeError('%s did not mount: %s' % (prog, self.stderr()))
            time.sleep(0.02)

    def path(self, *names):
        return os.path.join(self.mnt, *names)

    def stderr(self):
        self.err.seek(0)
        return self.err.read()

    def close(self):
        if mounted(self.mnt):
            subprocess.run(['fusermount3', '-u', self.mnt], stderr=subprocess.DEVNULL)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            subprocess.run(['fusermount3', '-uz', self.mnt], stderr=subprocess.DEVNULL)
            self.proc.kill()
            self.proc.wait()
        if mounted(self.mnt):
            subprocess.run(['fusermount3', '-uz', self.mnt], stderr=subprocess.DEVNULL)
        return self.proc.returncode

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def check(name):
    def wrap(fn):
        try:
            fn()
            results.append((True, name, ''))
        except Exception as e:  # a failed check is reported, not fatal
            import traceback
            results.append((False, name, traceback.format_exc()))
        return fn
    return wrap


def write(path, data, mode='w'):
    with open(path, mode) as f:
        f.write(data)


def read(path, mode='r'):
    with open(path, mode) as f:
        return f.read()


@check('monitorfs logs every operation as one JSON line with paths')
def _():
    src = tempfile.mkdtemp(prefix='src.', dir=TMP)
    log = os.path.join(TMP, 'monitorfs.jsonl')
    os.mkdir(os.path.join(src, 'docs'))
    write(os.path.join(src, 'docs', 'a.txt'), 'alpha')
    with Mount('monitorfs', src, log) as m:
        assert sorted(os.listdir(m.path('docs'))) == ['a.txt']
        out = subprocess.run(['cat', m.path('docs', 'a.txt')], capture_output=True)
        assert out.stdout == b'alpha', out
        write(m.path('docs', 'b.txt'), 'beta')
        os.rename(m.path('docs', 'b.txt'), m.path('b2.txt'))
        try:
            os.stat(m.path('missing'))
        except FileNotFoundError:
            pass
        assert read(os.path.join(src, 'b2.txt')) == 'beta'
    lines = [json.loads(l) for l in open(log)]   # every line is JSON
    ops = [l['op'] for l in lines]
    assert ops[0] == 'init' and ops[-1] == 'destroy', ops
    for l in lines:
        for k in ('time', 'op', 'result', 'latency_us'):
            assert k in l, l
    paths = {(l['op'], l.get('path')) for l in lines}
    assert ('lookup', '/docs') in paths, paths
    assert ('read', '/docs/a.txt') in paths, paths
    assert ('create', '/docs/b.txt') in paths, paths
    assert ('write', '/docs/b.txt') in paths, paths
    assert ('rename', '/docs/b.txt') in paths, paths
    miss = [l for l in lines if l['op'] == 'lookup' and l.get('path') == '/missing']
    assert miss and miss[0]['error'] == 'ENOENT' and miss[0]['result'] == -2, miss
    cats = [l for l in lines if l['op'] == 'open' and l.get('comm') == 'cat']
    assert cats and cats[0]['path'] == '/docs/a.txt', cats
    assert cats[0]['pid'] > 0 and cats[0]['uid'] == os.getuid()


@check('metafs shows names and metadata, never contents')
def _():
    src = tempfile.mkdtemp(prefix='src.', dir=TMP)
    os.makedirs(os.path.join(src, 'a', 'b'))
    write(os.path.join(src, 'a', 'b', 'secret'), 'x' * 1234)
    os.chmod(os.path.join(src, 'a', 'b', 'secret'), 0o640)
    os.symlink('b/secret', os.path.join(src, 'a', 'link'))
    with Mount('metafs', src) as m:
        walk = sorted((os.path.relpath(d, m.mnt), sorted(ds), sorted(fs))
                      for d, ds, fs in os.walk(m.mnt))
        want = sorted((os.path.relpath(d, src), sorted(ds), sorted(fs))
                      for d, ds, fs in os.walk(src))
        assert walk == want, (walk, want)
        st, sst = os.lstat(m.path('a', 'b', 'secret')), os.lstat(os.path.join(src, 'a', 'b', 'secret'))
        assert (st.st_size, st.st_mode, st.st_mtime_ns, st.st_ino) == \
               (sst.st_size, sst.st_mode, sst.st_mtime_ns, sst.st_ino)
        assert os.readlink(m.path('a', 'link')) == 'b/secret'
        for mode, err in (('r', errno.EACCES), ('w', errno.EACCES)):
            try:
                open(m.path('a', 'b', 'secret'), mode)
                raise AssertionError('opened with ' + mode)
            except OSError as e:
                assert e.errno == err, e
        for fn in (lambda: os.mkdir(m.path('new')),
                   lambda: os.unlink(m.path('a', 'link')),
                   lambda: os.chmod(m.path('a'), 0o700)):
            try:
                fn()
                raise AssertionError('changed the tree')
            except OSError as e:
                assert e.errno == errno.EROFS, e
    assert read(os.path.join(src, 'a', 'b', 'secret')) == 'x' * 1234


def saved(path):
    return int(os.getxattr(path, 'user.dedup.saved'))


@check('dedupfs stores identical contents once and reports the saving')
def _():
    mib = 1 << 20
    same = os.urandom(mib)
    with Mount('dedupfs') as m:
        os.mkdir(m.path('d'))
        for i in range(5):
            write(m.path('d', 'same%d' % i), same, 'wb')
        for i in range(3):
            write(m.path('d', 'own%d' % i), os.urandom(mib), 'wb')
        assert saved(m.mnt) == 4 * mib, saved(m.mnt)
        sv = os.statvfs(m.mnt)
        used = (sv.f_blocks - sv.f_bfree) * sv.f_frsize
        assert 4 * mib <= used < 5 * mib, used     # 4 distinct contents
        # A change to one copy leaves the others as they were.
        with open(m.path('d', 'same0'), 'r+b') as f:
            f.write(b'changed')
        assert read(m.path('d', 'same0'), 'rb')[:7] == b'changed'
        for i in range(1, 5):
            assert read(m.path('d', 'same%d' % i), 'rb') == same
        assert saved(m.mnt) == 3 * mib, saved(m.mnt)
        # Two files written apart end up shared when they become equal.
        write(m.path('d', 'later'), same[:mib // 2], 'wb')
        with open(m.path('d', 'later'), 'ab') as f:
            f.write(same[mib // 2:])
        assert saved(m.mnt) == 4 * mib, saved(m.mnt)
        os.truncate(m.path('d', 'later'), 10)
        assert read(m.path('d', 'later'), 'rb') == same[:10]
        assert saved(m.mnt) == 3 * mib
        for i in range(1, 5):
            os.unlink(m.path('d', 'same%d' % i))
        assert saved(m.mnt) == 0, saved(m.mnt)
        os.rename(m.path('d', 'own0'), m.path('moved'))
        assert len(read(m.path('moved'), 'rb')) == mib
        try:
            os.rmdir(m.path('d'))
            raise AssertionError('removed a full directory')
        except OSError as e:
            assert e.errno == errno.ENOTEMPTY
        rc = m.close()
        assert rc == 0, (rc, m.stderr())
        assert 'saved' in m.stderr(), m.stderr()


print('1..%d' % len(results))
for i, (ok, name, why) in enumerate(results, 1):
    print('%s %d - %s' % ('ok' if ok else 'not ok', i, name))
    if not ok:
        print('\n'.join('# ' + l for l in why.splitlines()))
sys.exit(0)
