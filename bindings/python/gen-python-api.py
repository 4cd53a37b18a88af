#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Writes the Python view of the Vfsd API as a Markdown page for gi-docgen
(`make doc`): Python signatures come from PyGObject (the typelib as Python
sees it), the text from the GIR's documentation, and what the override
module adds from its docstrings.

    gen-python-api.py Vfsd-1.0.gir OUTPUT.md
"""
import inspect
import re
import sys
import xml.etree.ElementTree as ET

import gi
gi.require_version('Vfsd', '1.0')
from gi.repository import Vfsd  # noqa: E402
import gi.overrides.Vfsd as ov  # noqa: E402

NS = {'c': 'http://www.gtk.org/introspection/core/1.0',
      'glib': 'http://www.gtk.org/introspection/glib/1.0'}
RAW = ov.Vfsd          # the introspected module, under the overrides


def first_paragraph(node):
    if node is None:
        return ''
    doc = node.find('c:doc', NS)
    if doc is None or not doc.text:
        return ''
    text = doc.text.strip().split('\n\n')[0]
    text = re.sub(r'\s+', ' ', text)
    # gi-docgen links ([class@Vfsd.Mount]) stay as they are; C-isms go.
    return text


def sig(obj):
    d = (obj.__doc__ or '').strip().split('\n')[0]
    return d


def out(f, *lines):
    for line in lines:
        f.write(line + '\n')


WHAT_TO_RETURN = {
    ov._BOOL: 'nothing (None) on success',
    ov._PTR: None,
    ov._IOCTL: '`(result, bytes)` or just `result`',
}


def vfunc_section(f, gir):
    cls = gir.find(".//c:class[@name='Filesystem']", NS)
    vnodes = {v.get('name'): v for v in cls.findall('c:virtual-method', NS)}
    out(f, '## Writing a file system: the `do_` methods', '',
        'Subclass `Vfsd.Filesystem` and define, in the class body, the '
        '`do_` methods your file system supports; `do_lookup` and '
        '`do_getattr` are required.  The signatures below are what '
        'PyGObject passes; the last column is what the override module '
        'accepts back.  Fail with `raise Vfsd.Error(errno.ENOENT)` (or any '
        '`OSError`); any other exception is answered with EIO and logged.',
        '', '| method | called with | return |', '|---|---|---|')
    for name in sorted(ov._OPS):
        kind, conv, bytes_arg = ov._OPS[name]
        info = getattr(RAW.Filesystem, 'do_' + name)
        s = sig(info)
        m = re.match(r'\w+\(self(?:, )?(.*)\) -> (.*)$', s)
        args, ret = (m.group(1), m.group(2)) if m else ('', '')
        if bytes_arg is not None:
            args = re.sub(r':GLib\.Bytes', ':bytes', args)
        if kind == ov._OUT:
            what = ret.split(', ', 1)[1] if ', ' in ret else ret
            what = '`%s` (or `(True, value)`)' % what.split(':', 1)[-1]
            if conv is ov._ENTRY:
                what += '; an `Attr` is made an `Entry`'
        elif kind == ov._PTR:
            what = '`%s`' % ret
            if 'Bytes' in ret:
                what += ' or `bytes`'
        else:
            what = WHAT_TO_RETURN[kind]
        out(f, '| `do_%s` | `%s` | %s |' % (name, args, what))
    out(f, '')
    for name in sorted(ov._OPS):
        text = first_paragraph(vnodes.get(name))
        if text:
            out(f, '- `do_%s`: %s' % (name, text))
    out(f, '')


def methods_section(f, gir, cname, pycls, title):
    node = gir.find("c:namespace/c:class[@name='%s']" % cname, NS)
    text = first_paragraph(node) or (
        (inspect.getdoc(pycls) or '').split('\n\n')[0].replace('\n', ' ')
        if pycls is not None else '')
    out(f, '## %s' % title, '', text, '')
    shown = set()
    for kind in ('constructor', 'function', 'method'):
        for m in node.findall('c:%s' % kind, NS) if node is not None else []:
            if m.get('introspectable') == '0':
                continue
            name = m.get('name')
            attr = getattr(RAW, cname, None)
            info = getattr(attr, name, None) if attr else None
            if info is None:
                continue
            shown.add(name)
            out(f, '- `%s.%s`: %s' % (title.split()[0], sig(info),
                                       first_paragraph(m)))
    if pycls is not None:
        for name, member in sorted(vars(pycls).items()):
            if name.startswith('_'):
                continue
            if not callable(member) and not isinstance(member, classmethod):
                continue
            fn = member.__func__ if isinstance(member, classmethod) else member
            doc = (inspect.getdoc(fn) or '').split('\n\n')[0].replace('\n', ' ')
            try:
                params = str(inspect.signature(fn))
            except (TypeError, ValueError):
                params = '(...)'
            out(f, '- `%s.%s%s` (Python): %s' % (title.split()[0], name,
                                                 params, doc))
    out(f, '')


def boxed_section(f, gir):
    out(f, '## Structures', '',
        'Plain structures with fields you read and set; the override module '
        'gives each a keyword constructor.', '')
    for name in ('Attr', 'Entry', 'Statfs', 'OpenInfo', 'Init', 'Lock'):
        node = gir.find(".//c:record[@name='%s']" % name, NS)
        fields = [fl.get('name') for fl in node.findall('c:field', NS)
                  if not fl.get('name', '').startswith('_')]
        pycls = getattr(Vfsd, name)
        ctor = ''
        if '__new__' in vars(pycls) and pycls is not getattr(RAW, name):
            ctor = ' `Vfsd.%s%s`.' % (name, str(inspect.signature(
                pycls.__new__)).replace('(cls, ', '(').replace('(cls)', '()'))
        out(f, '- `Vfsd.%s`: %s%s Fields: %s.' % (
            name, first_paragraph(node), ctor,
            ', '.join('`%s`' % x for x in fields)))
    out(f, '- `Vfsd.DirFiller`: `add(name, ino, mode, next_offset)`, '
        '`add_entry(name, entry, next_offset)` (both return False when the '
        'reply is full), `wants_entries()`.  Valid only during `do_readdir`.',
        '- `Vfsd.PollNotifier`: `notify()`; keep it from `do_poll` to wake '
        'the poller later.', '')


def enums_section(f, gir):
    out(f, '## Enumerations and flags', '')
    for tag in ('enumeration', 'bitfield'):
        for node in gir.findall('.//c:%s' % tag, NS):
            name = node.get('name')
            if not hasattr(Vfsd, name):
                continue
            members = ', '.join('`%s`' % m.get('name').upper()
                                for m in node.findall('c:member', NS))
            out(f, '- `Vfsd.%s`: %s' % (name, members))
    out(f, '')


def main():
    gir = ET.parse(sys.argv[1]).getroot()
    with open(sys.argv[2], 'w') as f:
        out(f, 'Title: Python API', '',
            '# The Vfsd API as Python sees it', '',
            'Import with `gi.require_version("Vfsd", "1.0")` and '
            '`from gi.repository import Vfsd`.  This page is generated from '
            'the typelib and the override module (`gi/overrides/Vfsd.py`); '
            'the [Python guide](python.html) explains how to use it.', '')
        vfunc_section(f, gir)
        methods_section(f, gir, 'Filesystem', ov.Filesystem, 'Filesystem')
        methods_section(f, gir, 'Mount', ov.Mount, 'Mount')
        methods_section(f, gir, 'Backend', None, 'Backend')
        boxed_section(f, gir)
        enums_section(f, gir)
        out(f, '## Errors', '',
            '- `Vfsd.Error(errno, message=None)`: %s' %
            inspect.getdoc(ov.Error).split('\n\n')[0].replace('\n', ' '),
            '- `Vfsd.errno_of(exception)`: %s' %
            inspect.getdoc(ov.errno_of).replace('\n', ' '), '')
        funcs = [n for n in gir.findall('c:namespace/c:function', NS)
                 if n.get('introspectable') != '0']
        out(f, '## Functions', '')
        for n in funcs:
            info = getattr(RAW, n.get('name'), None)
            if info is not None:
                out(f, '- `Vfsd.%s`: %s' % (sig(info), first_paragraph(n)))
        out(f, '')


if __name__ == '__main__':
    main()
