# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""Create a PostgreSQL database of a salon chain at scale, in SQL.

    python -m bench.generate -d bench --customers 1000000 --visits 10000000

The database is created with a UTF-8 ctype and the suite's modules are
activated by trytond-admin (beauty_customer creates pg_trgm and btree_gist);
then each loader of bench.data fills its tables with INSERT ... SELECT over
generate_series (COPY for what Python computes), the indexes Tryton declared
being built once after the load; finally VACUUM ANALYZE and the bench users
(through the ORM, for their passwords and rights).
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

from bench.common import (
    BIN, ROOT, activated, connect, log, model_data_id, suite_modules, timed,
    trytond_env)


# PostgreSQL settings for a salon's database (README.md, "Scale"): no JIT
# compilation (it costs a report 50-200 ms to save less), and the random
# reads of an SSD or of the OS cache priced as such
DATABASE_SETTINGS = {
    'jit': 'off',
    'random_page_cost': '1.1',
    }


class Chain:
    "The volumes asked for and the ids of what the loaders created"

    def __init__(self, conn, *, customers, stores, beauticians, visits,
            appointments=None, sale_lines=None, seed=0.42, history=True):
        self.conn = conn
        self.customers = customers
        # the volumes of the later modules' loaders
        self.appointments = (customers if appointments is None
            else appointments)
        self.sale_lines = (10 * customers if sale_lines is None
            else sale_lines)
        self.stores = stores
        self.per_store = max(beauticians // stores, 1)
        self.beauticians = self.per_store * stores
        self.visits = visits
        self.seed = seed
        self.history = history
        self.analyze = set()
        self.first_company = self.first_employee = None
        self.first_customer = None

    def allocate(self, table, n):
        "Reserve n consecutive ids of table, return the first"
        conn = self.conn
        sequence, = conn.execute(
            'SELECT pg_get_serial_sequence(%s, %s)', (table, 'id')).fetchone()
        first, = conn.execute('SELECT nextval(%s)', (sequence,)).fetchone()
        conn.execute('SELECT setval(%s, %s)', (sequence, first + n - 1))
        return first

    def allocate_codes(self, n):
        "Reserve n numbers of the customer code sequence (C000123)"
        conn = self.conn
        sequence = model_data_id(conn, 'beauty_customer', 'sequence_customer')
        name = 'ir_sequence_%s' % sequence
        first, = conn.execute('SELECT nextval(%s)', (name,)).fetchone()
        conn.execute('SELECT setval(%s, %s)', (name, first + n - 1))
        conn.execute(
            'UPDATE ir_sequence SET number_next_internal = %s WHERE id = %s',
            (first + n, sequence))
        return first

    def insert_parties(self, names):
        "Parties of the chain itself (stores, staff): id of the first"
        from beauty_customer.pinyin import pinyin_values
        first = self.allocate('party_party', len(names))
        code = self.allocate_codes(len(names))
        with self.conn.cursor().copy(
                'COPY party_party (id, active, code, code_alnum, code_digit, '
                'name, pinyin, pinyin_search, create_date, create_uid) '
                'FROM STDIN') as copy:
            for i, name in enumerate(names):
                values = pinyin_values(name)
                number = 'C%06d' % (code + i)
                copy.write_row((first + i, True, number, number, code + i,
                        name, values['pinyin'], values['pinyin_search'],
                        time.strftime('%Y-%m-%d %H:%M:%S'), 0))
        return first


def create_database(database, modules, force=False, template=None):
    """Create the database with a UTF-8 ctype and activate the modules, or
    copy template (a database where they are activated)"""
    with connect('postgres', autocommit=True) as conn:
        exists = conn.execute(
            'SELECT 1 FROM pg_database WHERE datname = %s',
            (database,)).fetchone()
        if exists and force:
            conn.execute('DROP DATABASE "%s" WITH (FORCE)' % database)
        elif exists:
            raise SystemExit(
                "database %s exists (--force drops it)" % database)
        if template:
            conn.execute('CREATE DATABASE "%s" TEMPLATE "%s"' % (
                    database, template))
            return
        # A UTF-8 ctype: with C, Chinese text yields no trigrams
        conn.execute(
            "CREATE DATABASE \"%s\" TEMPLATE template0 ENCODING 'UTF8' "
            "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'" % database)
    with tempfile.NamedTemporaryFile('w') as passfile:
        passfile.write('admin-%s\n' % os.getpid())
        passfile.flush()
        env = trytond_env()
        env['TRYTONPASSFILE'] = passfile.name
        subprocess.run([
                os.path.join(BIN, 'trytond-admin'),
                '-c', env['TRYTOND_CONFIG'],
                '-d', database, '--all', '-u', *modules,
                '--activate-dependencies', '--email', 'admin@salon.example',
                '-l', 'zh_CN'],
            env=env, check=True)


def create_users(database, company):
    "The bench users, through the ORM in a process of its own"
    subprocess.run([sys.executable, '-m', 'bench.users', '-d', database,
            '--company', str(company)], env=trytond_env(), check=True,
        cwd=ROOT)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('-d', '--database', default='bench')
    parser.add_argument('--customers', type=int, default=1_000_000)
    parser.add_argument('--stores', type=int, default=50)
    parser.add_argument('--beauticians', type=int, default=500)
    parser.add_argument('--visits', type=int, default=None,
        help="care records (default: 10 per customer)")
    parser.add_argument('--appointments', type=int, default=None,
        help="appointments (default: 1 per customer)")
    parser.add_argument('--sale-lines', type=int, default=None,
        help="sale lines of the checkouts (default: 10 per customer)")
    parser.add_argument('--no-history', dest='history', action='store_false',
        help="do not fill the history table of the care records")
    parser.add_argument('--modules', nargs='*',
        help="modules to activate (default: the suite)")
    parser.add_argument('--force', action='store_true',
        help="drop the database first if it exists")
    parser.add_argument('--template',
        help="copy this database (modules activated) instead of creating "
        "one with trytond-admin")
    args = parser.parse_args(argv)
    generate(args.database, customers=args.customers, stores=args.stores,
        beauticians=args.beauticians,
        visits=args.visits if args.visits is not None
        else 10 * args.customers,
        appointments=args.appointments, sale_lines=args.sale_lines,
        history=args.history, modules=args.modules or suite_modules(),
        force=args.force, template=args.template)


def generate(database, *, customers, stores, beauticians, visits,
        appointments=None, sale_lines=None, history=True, modules=None,
        force=False, template=None):
    from bench.data import LOADERS
    start = time.monotonic()
    modules = modules or suite_modules()
    with timed('database %s with %s' % (database, ', '.join(modules))):
        create_database(database, modules, force=force, template=template)
    load_start = time.monotonic()
    with connect(database) as conn:
        conn.execute("SET maintenance_work_mem = '512MB'")
        conn.execute("SET synchronous_commit = off")
        # The data is consistent by construction: no foreign key triggers
        conn.execute("SET session_replication_role = replica")
        chain = Chain(conn, customers=customers, stores=stores,
            beauticians=beauticians, visits=visits,
            appointments=appointments, sale_lines=sale_lines,
            history=history)
        done = activated(conn)
        for name, needs, load in LOADERS:
            if needs <= done:
                with timed(name):
                    load(chain)
                    conn.commit()
            else:
                log('%s skipped: %s not activated', name,
                    ', '.join(sorted(needs - done)))
        conn.execute("SET session_replication_role = origin")
        conn.commit()
    with connect(database, autocommit=True) as conn, timed('vacuum analyze'):
        for table in sorted(chain.analyze) + [
                'party_party', 'company_company', 'company_employee']:
            conn.execute('VACUUM (ANALYZE) "%s"' % table)
        # the production settings of README.md ("Scale"), for this database
        for name, value in DATABASE_SETTINGS.items():
            conn.execute('ALTER DATABASE "%s" SET %s = %s' % (
                    database, name, value))
    load_time = time.monotonic() - load_start
    with timed('bench users'):
        create_users(database, chain.first_company)
    with connect(database) as conn:
        size, = conn.execute(
            'SELECT pg_size_pretty(pg_database_size(current_database()))'
            ).fetchone()
    log('generated %s in %.0f s (data %.0f s): %s customers, %s visits, '
        '%s stores, %s beauticians; %s', database,
        time.monotonic() - start, load_time, customers, visits,
        stores, chain.beauticians, size)
    return chain


if __name__ == '__main__':
    main()
