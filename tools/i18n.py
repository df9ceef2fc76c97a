#!/usr/bin/env python
# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""Refresh the zh_CN translation files of the suite's modules.

    .venv/bin/python tools/i18n.py beauty_customer [beauty_hr ...]

Activates the modules in a scratch SQLite database, lets Tryton collect every
translatable string (models, fields, selections, help, views, buttons,
messages, reports) and writes ``<module>/locale/zh_CN.po`` with the existing
translations kept and new strings empty. Then lists the empty ones: fill them
in and run it again until it reports none.
"""
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(sys.executable)


def untranslated(path):
    text = open(path, encoding='utf-8').read()
    missing = []
    for entry in re.split(r'\n\s*\n', text):
        if '#, fuzzy' in entry:
            missing.append(entry)
            continue
        msgid = re.search(r'^msgid "(.*)"', entry, re.M)
        if not msgid or (msgid.group(1) == '' and 'msgctxt' not in entry):
            continue
        if re.search(r'^msgstr ""\s*\Z', entry.strip() + '\n', re.M):
            missing.append(entry)
    return missing


def main(modules):
    for module in modules:
        os.makedirs(os.path.join(ROOT, module, 'locale'), exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        passfile = os.path.join(tmp, 'pass')
        with open(passfile, 'w') as fp:
            fp.write('i18n-export\n')
        env = dict(os.environ,
            TRYTOND_DATABASE_URI='sqlite://',
            TRYTOND_DATABASE__PATH=tmp,
            TRYTONPASSFILE=passfile)
        env.pop('TRYTOND_CONFIG', None)
        open(os.path.join(tmp, 'i18n.sqlite'), 'w').close()
        subprocess.run([os.path.join(BIN, 'trytond-admin'), '-d', 'i18n',
                '--email', 'admin@example.com',
                '-u', *modules, '--activate-dependencies',
                '-l', 'zh_CN', '--export-translations'],
            env=env, check=True, cwd=ROOT)
    total = 0
    for module in modules:
        path = os.path.join(ROOT, module, 'locale', 'zh_CN.po')
        if not os.path.exists(path):
            print("%s: no translation exported" % module)
            continue
        missing = untranslated(path)
        total += len(missing)
        print("%s: %d untranslated" % (module, len(missing)))
        for entry in missing[:int(os.environ.get('SHOW', 20))]:
            print('    ' + entry.replace('\n', '\n    '))
    return 1 if total else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:] or sorted(
                d for d in os.listdir(ROOT)
                if d.startswith('beauty_')
                and os.path.exists(os.path.join(ROOT, d, 'tryton.cfg')))))
