# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""The benchmarked operations of beauty_marketing (see bench/ops/__init__.py):
the churn warning list and the segment summary as a store manager opens
them, and the nightly RFM refresh of every customer as trytond-cron runs it.

    python -m bench.ops.marketing refresh -d bench

runs the refresh once in a trytond process as trytond-cron does (user 0,
the cron's context, one transaction committed) and prints its time in JSON:
the RFMRefresh operation and the generator (bench/data/marketing.py) use it.
"""
import argparse
import datetime as dt
import json
import subprocess
import sys
import time

from bench.common import ROOT, trytond_env

from . import Operation
from .customer import LIMIT, PAGE, read_names

CRON_METHOD = 'beauty.customer.rfm|cron_refresh'


def refresh(database, days=0):
    """Run the RFM cron task once in a trytond process of its own, as
    trytond-cron does, days after today (the process's clock moved, as a
    nightly run on a later day); return its report (seconds, rows, date)"""
    env = trytond_env()
    # as in production (trytond-production.conf): no asserts
    env['PYTHONOPTIMIZE'] = '1'
    output = subprocess.run(
        [sys.executable, '-m', 'bench.ops.marketing', 'refresh',
            '-d', database, '--days', str(days)],
        env=env, cwd=ROOT, check=True, capture_output=True, text=True)
    return json.loads(output.stdout.strip().splitlines()[-1])


def _refresh_in_process(database, days=0):
    """The body of trytond-cron's Cron.run for the RFM task (ir/cron.py),
    as if run days after today"""
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    pool = Pool(database)
    pool.init()
    Date = pool.get('ir.date')
    if days:
        today = Date.today

        @classmethod
        def later(cls, timezone=None):
            return today(timezone=timezone) + dt.timedelta(days=days)
        Date.today = later
    with Transaction().start(
            database, 0, context={'_skip_warnings': True}) as transaction:
        Cron = pool.get('ir.cron')
        task, = Cron.search([('method', '=', CRON_METHOD)])
        start = time.perf_counter()
        with transaction.set_context(_cron=task.method):
            task.run_once()
        transaction.commit()
        seconds = time.perf_counter() - start
        cursor = transaction.connection.cursor()
        cursor.execute('SELECT count(*) FROM beauty_customer_rfm')
        rows, = cursor.fetchone()
        date = Date.today()
    return {'seconds': seconds, 'rows': rows, 'date': date.isoformat()}


class Marketing(Operation):
    modules = {'beauty_marketing'}
    user = 'bench_manager'

    def fields(self, session, model):
        key = ('list fields', model)
        if key not in self.bench.cache:
            view = session.call('model.%s.fields_view_get' % model,
                None, 'tree')
            self.bench.cache[key] = read_names(view['fields'])
        return self.bench.cache[key]


class ChurnFirstPage(Marketing):
    """The churn warning list as the store manager opens it (her board and
    the menu): search in the default order, read the list's fields for the
    first records. The list is chain-wide: it has no store filter."""
    name = 'marketing: churn list, first page'
    group = 'list'
    target_p95 = 0.200
    target = 'p95 <= 200 ms'
    samples = 1
    model = 'beauty.customer.churn'

    def expected(self):
        "The ids of the first page in the order of the list (SQL)"
        key = 'churn order'
        if key not in self.bench.cache:
            self.bench.cache[key] = [r[0] for r in self.bench.conn.execute(
                    'SELECT id FROM beauty_customer_rfm '
                    'WHERE current_date - last_visit > overdue_days '
                    'ORDER BY current_date - last_visit - overdue_days DESC, '
                    'id ASC LIMIT %s', (LIMIT,))]
            self.bench.conn.commit()
        return self.bench.cache[key]

    def prepare(self):
        self.expected()
        return [None]

    def run(self, session, sample, order=None):
        ids = session.call('model.%s.search' % self.model, [], 0, LIMIT,
            order)
        records = session.call('model.%s.read' % self.model, ids[:PAGE],
            self.fields(session, self.model))
        return ids, records

    def check(self, sample, result):
        ids, records = result
        expected = self.expected()
        assert expected, "no customer overdue: were the RFM scores computed?"
        assert ids == expected, "not the overdue customers in order"
        # read returns the rows in the database's order
        assert sorted(r['id'] for r in records) == sorted(ids[:PAGE]), (
            "not the first page's rows")
        for record in records:
            assert record['customer.'] is None or record['customer.'][
                'rec_name'], record
            assert record['reason'] and record['late_days'] > 0, record

    def baselines(self):
        def computed_order(session, sample):
            # what the list cost before: sorted on the computed days late,
            # a sort of every overdue customer on each opening
            return self.run(session, sample,
                order=[('late_days', 'DESC'), ('id', 'ASC')])
        return {'sorted on the computed days late': computed_order}


class SegmentSummary(Marketing):
    "The customers and money per segment (list of the manager's analysis)"
    name = 'marketing: segment summary'
    group = 'list'
    target_p95 = 0.200
    target = 'p95 <= 200 ms'
    samples = 1
    model = 'beauty.marketing.segment_summary'

    def run(self, session, sample):
        ids = session.call('model.%s.search' % self.model, [], 0, LIMIT,
            None)
        return session.call('model.%s.read' % self.model, ids,
            self.fields(session, self.model))

    def check(self, sample, result):
        key = 'segments'
        if key not in self.bench.cache:
            self.bench.cache[key] = dict(self.bench.conn.execute(
                    'SELECT segment, count(*) FROM beauty_customer_rfm '
                    'GROUP BY segment').fetchall())
            self.bench.conn.commit()
        assert {r['segment']: r['customers'] for r in result} == (
            self.bench.cache[key]), result


class Dashboard(Marketing):
    """A dashboard of the manager's board (the whole chain's sales since
    the start, grouped on each opening): search and read as the list
    opens (informative)"""
    target_p95 = None
    target = '(informative)'
    samples = 1
    # a run groups every sale line: a few seconds at ten million
    iterations = 5
    warmup = 1
    model = None

    def run(self, session, sample):
        ids = session.call('model.%s.search' % self.model, [], 0, LIMIT,
            None)
        return session.call('model.%s.read' % self.model, ids[:PAGE],
            self.fields(session, self.model))

    def check(self, sample, result):
        assert result, "empty dashboard"


class BeauticianPerformance(Dashboard):
    name = 'marketing: board, beautician performance'
    model = 'beauty.marketing.beautician_performance'


class ServicePopularity(Dashboard):
    name = 'marketing: board, service popularity'
    model = 'beauty.marketing.service_popularity'


class CustomerGrowth(Dashboard):
    name = 'marketing: board, customer growth'
    model = 'beauty.marketing.customer_growth'


class RFMRefresh(Marketing):
    """The nightly RFM refresh of every customer, as trytond-cron runs it
    (a trytond process, one transaction); the time is the task's, from its
    start to its commit"""
    name = 'marketing: RFM refresh (all customers)'
    target_p95 = 60
    target = '<= 60 s'
    samples = 1
    # bench.run honours these: a run takes up to a minute
    iterations = 2
    warmup = 0
    # customers whose scores are checked against their sales and visits
    checked = 20

    def run(self, session, sample):
        # a nightly run: the scores stored are of the day before (the
        # generator's or the previous run's), the day changes what a day
        # changes (the customers crossing a threshold); runs alternate
        # tomorrow and today, leaving the scores of today
        self.runs = getattr(self, 'runs', 0) + 1
        result = refresh(self.bench.database, days=self.runs % 2)
        session.server_total += result['seconds']
        return result

    def check(self, sample, result):
        conn = self.bench.conn
        date = dt.date.fromisoformat(result['date'])
        rows, = conn.execute(
            'SELECT count(*) FROM beauty_customer_rfm').fetchone()
        dates = conn.execute('SELECT DISTINCT date '
            'FROM beauty_marketing_segment_summary').fetchall()
        assert rows == result['rows'] and rows > 0 and dates == [(date,)], (
            rows, dates, date)
        customers = [r[0] for r in conn.execute(
                'SELECT customer FROM beauty_customer_rfm '
                'ORDER BY md5(customer::text) LIMIT %s', (self.checked,))]
        for customer in customers:
            got = conn.execute(
                'SELECT first_visit, last_visit, visits, monetary '
                'FROM beauty_customer_rfm WHERE customer = %s',
                (customer,)).fetchall()
            expected = conn.execute("""
                SELECT min(date), max(date), count(*), (
                    SELECT coalesce(sum(coalesce(l.paid_money, 0)
                        + coalesce(l.paid_card, 0)
                        + coalesce(l.paid_package, 0)
                        + coalesce(l.paid_coupon, 0)
                        + coalesce(l.paid_points, 0)), 0)
                    FROM sale_point_sale_line AS l
                    JOIN sale_point_sale AS s ON s.id = l.sale
                    WHERE s.customer = %(c)s
                    AND s.state IN ('done', 'posted'))
                FROM (
                    SELECT date FROM sale_point_sale WHERE customer = %(c)s
                    AND state IN ('done', 'posted')
                    AND returned_sale IS NULL AND date <= %(d)s
                    UNION
                    SELECT date FROM beauty_appointment
                    WHERE customer = %(c)s AND state = 'done'
                    AND date <= %(d)s) AS v
                """, {'c': customer, 'd': date}).fetchall()
            assert got == expected, (customer, got, expected)
        conn.commit()


OPERATIONS = [ChurnFirstPage, SegmentSummary, BeauticianPerformance,
    ServicePopularity, CustomerGrowth, RFMRefresh]


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument('action', choices=['refresh'])
    parser.add_argument('-d', '--database', required=True)
    parser.add_argument('--days', type=int, default=0,
        help="run as if that many days after today")
    args = parser.parse_args(argv)
    print(json.dumps(_refresh_in_process(args.database, args.days)))


if __name__ == '__main__':
    main()
