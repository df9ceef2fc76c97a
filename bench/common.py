# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"Shared by the generator, the server and the benchmarks"
import contextlib
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONFIG = os.path.join(ROOT, 'trytond-production.conf')
BIN = os.path.dirname(sys.executable)


def pg_uri():
    "The PostgreSQL server of the benchmarks (BENCH_PG)"
    return os.environ.get('BENCH_PG', 'postgresql://postgres@127.0.0.1:5432/')

# The modules in dependency order
MODULES = [
    'beauty_customer', 'beauty_hr', 'beauty_appointment', 'beauty_pos',
    'beauty_stock', 'beauty_marketing', 'beauty_groupbuy', 'beauty_review',
    'beauty_training',
    ]
# The bench users, of the first store, chain-wide (group, password): the
# first one is the default user of the operations (Operation.user)
USERS = {
    'bench_frontdesk': ('group_frontdesk', 'Salon-bench-2026'),
    'bench_manager': ('group_manager', 'Salon-bench-2026'),
    }


def log(message, *args):
    print('[%s] %s' % (time.strftime('%H:%M:%S'), message % args),
        file=sys.stderr, flush=True)


def suite_modules():
    "The modules of the suite that are more than a skeleton"
    import configparser
    result = []
    for module in MODULES:
        parser = configparser.ConfigParser()
        parser.read(os.path.join(ROOT, module, 'tryton.cfg'))
        if parser.has_option('tryton', 'xml'):
            result.append(module)
    return result


def dsn(database):
    return pg_uri().rstrip('/') + '/' + database


def connect(database, autocommit=False):
    import psycopg
    return psycopg.connect(dsn(database), autocommit=autocommit)


def config_file():
    """The production configuration with the bench's database URI (a file:
    trytond reads its configuration file after the environment)"""
    import configparser
    import tempfile
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(CONFIG)
    parser.set('database', 'uri', pg_uri())
    directory = os.path.join(tempfile.gettempdir(), 'beauty-bench')
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, 'trytond-bench-%s.conf' % os.getpid())
    with open(path, 'w') as fp:
        fp.write('# trytond-production.conf with the bench database URI\n')
        parser.write(fp)
    return path


def trytond_env(database=None):
    "Environment of trytond processes: the production configuration"
    env = dict(os.environ)
    env['TRYTOND_CONFIG'] = config_file()
    env.pop('TRYTOND_DATABASE_NAMES', None)
    env.pop('TRYTOND_DATABASE_URI', None)
    if database:
        env['TRYTOND_DATABASE_NAMES'] = database
    return env


def activated(conn):
    "The activated modules of a database"
    return {r[0] for r in conn.execute(
            "SELECT name FROM ir_module WHERE state = 'activated'")}


def model_data_id(conn, module, fs_id):
    row = conn.execute(
        'SELECT db_id FROM ir_model_data WHERE module = %s AND fs_id = %s',
        (module, fs_id)).fetchone()
    return row[0] if row else None


def columns(conn, table):
    return {r[0] for r in conn.execute(
            'SELECT column_name FROM information_schema.columns '
            'WHERE table_name = %s', (table,))}


@contextlib.contextmanager
def timed(what):
    start = time.monotonic()
    log('%s...', what)
    yield
    log('%s: %.1f s', what, time.monotonic() - start)


@contextlib.contextmanager
def indexes_dropped(conn, *tables):
    """Bulk load without index maintenance: the indexes Tryton declared
    (idx_*, not those of constraints) are dropped and created again with the
    same definition and name afterwards."""
    definitions = conn.execute(
        "SELECT indexname, indexdef FROM pg_indexes "
        "WHERE tablename = ANY(%s) AND indexname LIKE 'idx\\_%%'",
        (list(tables),)).fetchall()
    for name, _ in definitions:
        conn.execute('DROP INDEX "%s"' % name)
    conn.commit()
    yield
    with timed('indexes of %s' % ', '.join(tables)):
        for _, definition in definitions:
            conn.execute(definition)
        conn.commit()
