# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""The benchmarks of bench/ still work: the generator at a tiny scale, then
every benchmark once through a real multi-process server (correctness only:
results present and right, no timing).

Runs with the PostgreSQL tests (TRYTOND_DATABASE_URI=postgresql://...);
skipped otherwise or when the server cannot be reached.
"""
import os
import unittest

from trytond.tests.test_tryton import DB_CACHE, DB_NAME

URI = os.environ.get('TRYTOND_DATABASE_URI', '')
SMOKE_DB = '%s_bench_smoke' % (DB_NAME or 'test')


def reachable():
    if not URI.startswith('postgresql'):
        return False
    try:
        import psycopg
        psycopg.connect(
            URI.rstrip('/') + '/postgres', connect_timeout=3).close()
    except Exception:
        return False
    return True


@unittest.skipUnless(reachable(), "runs with the PostgreSQL tests")
class BenchSmokeTestCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        os.environ['BENCH_PG'] = URI

    def template(self, modules):
        """A database where the modules are activated: a test cache holding
        them all if there is one, else DB_NAME activated now"""
        from trytond import backend
        from trytond.tests import test_tryton
        from trytond.tests.test_tryton import activate_module

        from bench.common import activated, connect
        with connect('postgres', autocommit=True) as conn:
            names = {r[0] for r in conn.execute(
                    'SELECT datname FROM pg_database')}
        if DB_CACHE and DB_CACHE.startswith('postgresql'):
            for module in reversed(modules):
                cache = test_tryton._db_cache_file(
                    DB_CACHE, module).rpartition('/')[2]
                if cache not in names:
                    continue
                with connect(cache) as conn:
                    if set(modules) <= activated(conn):
                        return cache
        activate_module(modules)
        backend.Database(DB_NAME).close()
        return DB_NAME

    def test_generate_and_run(self):
        "Generate a tiny chain, run every benchmark once"
        from bench.common import connect, suite_modules
        from bench.generate import generate
        from bench.run import run

        modules = suite_modules()
        generate(SMOKE_DB, customers=300, stores=3, beauticians=6,
            visits=1500, appointments=600, sale_lines=3000,
            modules=modules, force=True,
            template=self.template(modules))
        try:
            with connect(SMOKE_DB) as conn:
                customers, = conn.execute(
                    "SELECT count(*) FROM party_party "
                    "WHERE mobile_digits IS NOT NULL "
                    "AND pinyin_search IS NOT NULL").fetchone()
                visits, = conn.execute(
                    'SELECT count(*) FROM beauty_care_record').fetchone()
                duplicates, = conn.execute(
                    'SELECT count(mobile) - count(DISTINCT mobile) '
                    'FROM party_party').fetchone()
            self.assertEqual(customers, 300)
            self.assertEqual(visits, 1500)
            self.assertEqual(duplicates, 0)

            results, throughputs, _ = run(SMOKE_DB, workers=2,
                iterations=3, warmup=0, baseline_iterations=1, clients=2,
                duration=1, prewarm=False)
            # every operation of the activated modules ran, right
            from bench.ops import operations
            from bench.run import THROUGHPUT_TARGETS, Bench
            with connect(SMOKE_DB) as conn:
                expected = operations(Bench(SMOKE_DB, conn, None,
                        set(modules)))
            names = {r['name'] for r in results}
            self.assertEqual(names, {op.name for op in expected})
            for name in ['search: last 4 digits of the mobile',
                    'search: 2 characters of the name',
                    'search: pinyin initials (zxm)',
                    'search: customer code',
                    'list: customers, first page',
                    'form: open a customer']:
                self.assertIn(name, names)
            # 3 runs each, or fewer when an operation says so (a refresh)
            runs = {op.name: min(3, getattr(op, 'iterations', None) or 3)
                for op in expected}
            for result in results:
                self.assertEqual(result['errors'], [], result['name'])
                self.assertEqual(
                    result['n'], runs[result['name']], result['name'])
                for label, baseline in result['baselines'].items():
                    self.assertEqual(baseline['n'], 1, label)
            self.assertEqual(set(throughputs), {op.group for op in expected
                    if op.group in THROUGHPUT_TARGETS})
            for group, figures in throughputs.items():
                self.assertEqual(figures['failures'], [], group)
                self.assertGreater(figures['ops'], 0, group)
        finally:
            with connect('postgres', autocommit=True) as conn:
                conn.execute(
                    'DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % SMOKE_DB)
