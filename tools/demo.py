#!/usr/bin/env python
# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""Create (or bring up to date) the demo database.

Creates the database, activates every module of the suite, loads each
module's demo data once (``beauty_x/demo.py``: ``load(scale)``), sets Chinese
as the language and writes the administrator's login to var/demo-login.
Run by demo.sh; the database settings come from the TRYTOND_* environment.
"""
import argparse
import configparser
import os
import secrets
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(sys.executable)
# In dependency order
MODULES = [
    'beauty_customer', 'beauty_hr', 'beauty_appointment', 'beauty_pos',
    'beauty_stock', 'beauty_marketing', 'beauty_groupbuy', 'beauty_review',
    'beauty_training',
    ]


def suite_modules():
    "The modules of the suite that are more than a skeleton"
    result = []
    for module in MODULES:
        cfg = os.path.join(ROOT, module, 'tryton.cfg')
        if not os.path.exists(cfg):
            continue
        parser = configparser.ConfigParser()
        parser.read(cfg)
        if parser.has_option('tryton', 'xml'):
            result.append(module)
    return result


def admin(database, modules, password=None):
    cmd = [os.path.join(BIN, 'trytond-admin'), '-d', database,
        '-u', *modules, '--activate-dependencies', '-l', 'zh_CN']
    env = dict(os.environ)
    with tempfile.NamedTemporaryFile('w') as passfile:
        if password:
            passfile.write(password + '\n')
            passfile.flush()
            env['TRYTONPASSFILE'] = passfile.name
            cmd += ['--email', 'admin@salon.example']
        subprocess.run(cmd, env=env, check=True)


def activated(database):
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    pool = Pool(database)
    pool.init()
    with Transaction().start(database, 0, readonly=True):
        Module = pool.get('ir.module')
        return {m.name for m in Module.search([('state', '=', 'activated')])}


def load_demo(database, modules, scale):
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    pool = Pool(database)
    pool.init()
    done_path = _done_path(database)
    done = set()
    if os.path.exists(done_path):
        done = set(open(done_path).read().split())
    for module in modules:
        if module in done:
            continue
        try:
            demo = __import__(module + '.demo', fromlist=['load'])
        except ImportError:
            continue
        start = time.monotonic()
        with Transaction().start(database, 0) as transaction:
            context = _context(pool)
            with transaction.set_context(**context):
                demo.load(scale=scale)
        print("demo data of %s loaded in %.1f s" % (
                module, time.monotonic() - start), file=sys.stderr)
        done.add(module)
        with open(done_path, 'w') as fp:
            fp.write('\n'.join(sorted(done)))


def _done_path(database):
    "Which modules' demo data the database holds"
    from trytond import backend, config
    if backend.name == 'sqlite':
        directory = config.get('database', 'path')
    else:
        directory = os.path.join(ROOT, 'var')
    return os.path.join(directory, database + '.demo-loaded')


def _context(pool):
    User = pool.get('res.user')
    context = User.get_preferences(context_only=True)
    context.pop('language', None)
    return context


def set_language(database):
    "Chinese for the administrator and as the default of new users"
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    pool = Pool(database)
    with Transaction().start(database, 0):
        Lang = pool.get('ir.lang')
        User = pool.get('res.user')
        Configuration = pool.get('ir.configuration')
        zh, = Lang.search([('code', '=', 'zh_CN')])
        admin, = User.search([('login', '=', 'admin')])
        if admin.language != zh:
            User.write([admin], {'language': zh.id})
        config = Configuration(1)
        config.language = 'zh_CN'
        config.save()
        # The demo is configured: no set-up wizard at the first login
        Item = pool.get('ir.module.config_wizard.item')
        Item.write(Item.search([('state', '!=', 'done')]) or [], {
                'state': 'done'})


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--database', default='salon')
    parser.add_argument('--scale', type=float, default=1.0,
        help="amount of demo data (1.0: a few thousand customers)")
    parser.add_argument('--update', action='store_true',
        help="update the modules even if already activated")
    parser.add_argument('--password',
        help="admin password of a new database (default: random)")
    parser.add_argument('--login-file',
        default=os.path.join(ROOT, 'var', 'demo-login'),
        help="where the login of a new database is written")
    parser.add_argument('--modules', nargs='*',
        help="activate only these modules (default: the whole suite)")
    args = parser.parse_args()
    from trytond import config
    config.update_etc(os.environ.get('TRYTOND_CONFIG'))
    from trytond import backend

    modules = suite_modules()
    if args.modules:
        modules = [m for m in modules if m in args.modules]
    login_path = args.login_file
    os.makedirs(os.path.dirname(login_path), exist_ok=True)
    database = backend.Database(args.database)
    exists = False
    try:
        database.connect()
        exists = database.test()
    except Exception:
        exists = False
    if not exists:
        if backend.name == 'sqlite':
            path = os.path.join(
                config.get('database', 'path'), args.database + '.sqlite')
            open(path, 'a').close()
        else:
            from trytond.transaction import Transaction
            with Transaction().start(
                    None, 0, close=True, autocommit=True) as transaction:
                database.create(transaction.connection, args.database)
        done_path = _done_path(args.database)
        if os.path.exists(done_path):
            os.remove(done_path)
        password = args.password or secrets.token_urlsafe(9)
        print("creating the demo database (a few minutes the first time)",
            file=sys.stderr)
        admin(args.database, modules, password=password)
        with open(login_path, 'w') as fp:
            fp.write(
                "\n  Web client / 网页端:  http://127.0.0.1:8000/\n"
                "  Database / 数据库:    %s\n"
                "  Login / 用户名:       admin\n"
                "  Password / 密码:      %s\n\n" % (args.database, password))
    else:
        missing = set(modules) - activated(args.database)
        if missing or args.update:
            admin(args.database, sorted(missing) if not args.update
                else modules)
    load_demo(args.database, modules, args.scale)
    set_language(args.database)


if __name__ == '__main__':
    main()
