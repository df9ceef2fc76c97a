# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""The benchmarked operations of beauty_pos (see bench/ops/__init__.py):
the sale list, a checkout paid with package, coupon and card, the daily
closing of a store and the monthly report of the chain."""
import base64
import datetime as dt
from decimal import Decimal

from . import Operation
from .customer import LIMIT, PAGE, read_names

# a signature pad's image (the customer confirms the package session)
SIGNATURE = {'__class__': 'bytes', 'base64': base64.b64encode(
        b'\x89PNG\r\n\x1a\n' + b'\x00' * 64).decode()}


def money(value):
    "A Decimal as trytond's JSON-RPC encodes it"
    return {'__class__': 'Decimal', 'decimal': str(value)}


def rpc_date(date):
    "A date as trytond's JSON-RPC encodes it"
    return {'__class__': 'date', 'year': date.year, 'month': date.month,
        'day': date.day}


def line_amount_sql(alias='l'):
    "beauty_pos.closing.line_amount in SQL"
    return ('coalesce(%(a)s.paid_money, 0) + coalesce(%(a)s.paid_card, 0) '
        '+ coalesce(%(a)s.paid_package, 0) + coalesce(%(a)s.paid_coupon, 0) '
        '+ coalesce(%(a)s.paid_points, 0)' % {'a': alias})


class SaleList(Operation):
    """What the web client does when the checkout list opens on its "All"
    tab: search in the default order (date, id descending), then read the
    list's fields of the first records"""
    name = 'pos: sale list, first page'
    modules = {'beauty_pos'}
    group = 'list'
    target_p95 = 0.050
    target = 'p95 <= 50 ms'
    samples = 1

    def fields(self, session):
        key = 'sale list fields'
        if key not in self.bench.cache:
            view = session.call(
                'model.sale.point.sale.fields_view_get', None, 'tree')
            assert 'customer' in view['fields'], "not the checkout list"
            self.bench.cache[key] = read_names(view['fields'])
        return self.bench.cache[key]

    def run(self, session, sample, order=None):
        ids = session.call(
            'model.sale.point.sale.search', [], 0, LIMIT, order)
        records = session.call(
            'model.sale.point.sale.read', ids[:PAGE], self.fields(session))
        return ids, records

    def check(self, sample, result):
        ids, records = result
        total, = self.bench.conn.execute(
            'SELECT count(*) FROM sale_point_sale').fetchone()
        assert len(ids) == min(LIMIT, total), len(ids)
        # read answers in any order (the client maps rows by id)
        by_id = {r['id']: r for r in records}
        assert list(by_id) and set(by_id) == set(ids[:PAGE]), "not read"
        keys = [(by_id[i]['date'], i) for i in ids[:PAGE]]
        assert keys == sorted(keys, reverse=True), "not newest first"
        names = dict(self.bench.conn.execute(
                'SELECT s.id, coalesce(s.number, \'(\' || s.id || \')\') '
                '|| coalesce(\' \' || p.name, \'\') '
                'FROM sale_point_sale s '
                'LEFT JOIN party_party p ON p.id = s.customer '
                'WHERE s.id = ANY(%s)', (ids[:PAGE],)).fetchall())
        wrong = [(r['rec_name'], names[r['id']]) for r in records
            if r['rec_name'] != names[r['id']]]
        assert not wrong, wrong[:3]

    def baselines(self):
        def unindexed_order(session, sample):
            # ordered on an expression no index serves (what the list cost
            # before its order had an index): a sort of every sale
            return self.run(session, sample,
                order=[('number', 'DESC'), ('id', 'DESC')])
        return {'plain (sort without an index)': unindexed_order}


class Checkout(Operation):
    """The front desk checks out a member: a sale of two services for her,
    the "suggest payment" button (a session of her package pays the first
    service, her coupon and her stored-value card the second one), then
    "process"; the web client reads the sale after each button"""
    name = 'pos: checkout with package, coupon and card'
    modules = {'beauty_pos'}
    group = 'checkout'
    target_p95 = 0.150
    target = 'p95 <= 150 ms'
    samples = 400

    def prepare(self):
        """Customers of the user's store with a package session left, an
        issued coupon and enough on their card for the second service"""
        conn = self.bench.conn
        store = self.bench.user_company
        rows = conn.execute("""
            SELECT c.customer, c.id, pl.id, pl.service, co.id
            FROM beauty_member_card c
            JOIN beauty_package p ON p.customer = c.customer
                AND p.company = c.company AND p.state = 'active'
                AND p.expiry_date > current_date
            JOIN beauty_package_line pl ON pl.package = p.id
                AND pl.remaining > 0
            JOIN beauty_coupon co ON co.customer = c.customer
                AND co.company = c.company AND co.state = 'issued'
                AND co.expiry_date >= current_date
            WHERE c.company = %s AND c.state = 'active'
                AND c.principal_balance + c.bonus_balance >= 1000
                AND (SELECT count(*) FROM beauty_member_card o
                    WHERE o.customer = c.customer AND o.company = c.company
                        AND o.state = 'active') = 1
                AND (SELECT count(*) FROM beauty_coupon o
                    WHERE o.customer = c.customer AND o.company = c.company
                        AND o.state = 'issued') = 1
            ORDER BY md5(c.customer::text) LIMIT %s
            """, (store, self.samples)).fetchall()
        assert rows, "no member with a card, a package and a coupon"
        point, = conn.execute(
            'SELECT min(id) FROM sale_point WHERE company = %s',
            (store,)).fetchone()
        employees = [r[0] for r in conn.execute(
                'SELECT id FROM company_employee WHERE company = %s '
                'ORDER BY id LIMIT 3', (store,))]
        # the second service: one the coupon applies to (200 and more)
        prices = dict(conn.execute("""
            SELECT p.id, lp.list_price FROM product_product p
            JOIN product_template t ON t.id = p.template
            JOIN product_list_price lp ON lp.template = t.id
                AND lp.company = %s
            WHERE t.type = 'service' AND t.salable
                AND lp.list_price BETWEEN 200 AND 600
                AND NOT EXISTS (SELECT 1 FROM beauty_package_template pt
                    WHERE pt.product = p.id)
            ORDER BY p.id""", (store,)).fetchall())
        package_prices = dict(conn.execute("""
            SELECT p.id, lp.list_price FROM product_product p
            JOIN product_list_price lp ON lp.template = p.template
                AND lp.company = %s""", (store,)).fetchall())
        samples = []
        for i, (customer, card, pline, service, coupon) in enumerate(rows):
            others = [p for p in prices if p != service]
            other = others[i % len(others)]
            samples.append({
                    'customer': customer, 'card': card, 'pline': pline,
                    'coupon': coupon, 'store': store, 'point': point,
                    'employee': employees[i % len(employees)],
                    'lines': [(service, package_prices[service]),
                        (other, prices[other])],
                    })
        return samples

    def form_fields(self, session):
        key = 'sale form fields'
        if key not in self.bench.cache:
            view = session.call(
                'model.sale.point.sale.fields_view_get', None, 'form')
            assert 'payments' in view['fields'], "not the checkout form"
            self.bench.cache[key] = [n for n in read_names(view['fields'])
                if n not in {'signature'}]
        return self.bench.cache[key]

    def run(self, session, sample):
        # each run checks a member out once (her coupon is then used): the
        # samples are taken in turn whatever the run's number (warm-up)
        queue = self.bench.cache.setdefault(self.name, [])
        if not queue:
            queue.extend(self.prepare())
        sample = queue.pop(0)
        lines = [{
                'product': product, 'quantity': 1.0, 'kind': 'service',
                'unit_list_price': money(price),
                'unit_gross_price': money(price),
                'base_price': money(price),
                'employees': [('create', [{
                                'employee': sample['employee']}])],
                } for product, price in sample['lines']]
        sale, = session.call('model.sale.point.sale.create', [{
                    'company': sample['store'], 'point': sample['point'],
                    'customer': sample['customer'],
                    'date': rpc_date(dt.date.today()),
                    'signature': SIGNATURE,
                    'lines': [('create', lines)],
                    }])
        session.call('model.sale.point.sale.suggest', [sale])
        session.call('model.sale.point.sale.read', [sale],
            self.form_fields(session))
        session.call('model.sale.point.sale.process', [sale])
        record, = session.call('model.sale.point.sale.read', [sale],
            ['state', 'number', 'total', 'amount_paid', 'amount_to_pay'])
        return sample, sale, record

    def check(self, sample, result):
        sample, sale, record = result
        conn = self.bench.conn
        conn.rollback()
        assert record['state'] == 'done' and record['number'], record
        assert record['amount_to_pay'] == 0, record
        total, = conn.execute(
            'SELECT sum(unit_gross_price * quantity::numeric) '
            'FROM sale_point_sale_line WHERE sale = %s', (sale,)).fetchone()
        payments = dict(conn.execute("""
            SELECT m.kind, sum(p.amount) FROM sale_point_payment p
            JOIN sale_point_payment_method m ON m.id = p.method
            WHERE p.sale = %s GROUP BY m.kind""", (sale,)).fetchall())
        assert sum(payments.values()) == total == record['total'], (
            payments, total)
        assert set(payments) == {'package', 'coupon', 'card'}, payments
        # the card: a spend line of the payment, balance = the ledger's sum
        spend, balance, ledger = conn.execute("""
            SELECT (SELECT sum(-l.principal_amount - l.bonus_amount)
                    FROM beauty_member_card_line l
                    WHERE l.sale = %s AND l.type = 'spend'),
                c.principal_balance + c.bonus_balance,
                (SELECT sum(l.principal_amount + l.bonus_amount)
                    FROM beauty_member_card_line l WHERE l.card = c.id)
            FROM beauty_member_card c WHERE c.id = %s""",
            (sale, sample['card'])).fetchone()
        assert spend == payments['card'], (spend, payments)
        assert balance == ledger, (balance, ledger)
        # the package: a session taken, remaining = sessions - uses
        used, remaining, sessions, taken = conn.execute("""
            SELECT (SELECT sum(u.quantity) FROM beauty_package_use u
                    WHERE u.sale = %s AND u.type = 'use'),
                pl.remaining, pl.sessions,
                (SELECT sum(u.quantity) FROM beauty_package_use u
                    WHERE u.line = pl.id)
            FROM beauty_package_line pl WHERE pl.id = %s""",
            (sale, sample['pline'])).fetchone()
        assert used == 1, used
        assert remaining == sessions - taken, (remaining, sessions, taken)
        # the coupon is used by this sale
        state, coupon_sale = conn.execute(
            'SELECT state, sale FROM beauty_coupon WHERE id = %s',
            (sample['coupon'],)).fetchone()
        assert (state, coupon_sale) == ('used', sale), (state, coupon_sale)
        conn.rollback()


class ClosingSamples(Operation):
    modules = {'beauty_pos'}
    user = 'bench_manager'

    def days(self, n):
        "(store, day) of past days with sales and no closing yet"
        return self.bench.conn.execute("""
            SELECT s.company, s.date FROM sale_point_sale s
            WHERE s.date < current_date - 1
                AND s.state IN ('done', 'posted')
                AND NOT EXISTS (SELECT 1 FROM beauty_pos_closing c
                    WHERE c.company = s.company AND c.date = s.date)
            GROUP BY s.company, s.date
            ORDER BY md5(s.company::text || s.date::text) LIMIT %s
            """, (n,)).fetchall()


class DailyClosing(ClosingSamples):
    """The manager closes a day of a store: a new closing, "compute" (the
    day's figures from the sales and ledgers, SQL aggregates over the
    10M lines), then the form reads it and its totals. The closing is
    deleted after the check (it is not timed)"""
    name = 'pos: daily closing of a store (live)'
    group = 'closing'
    target_p95 = 2.5
    target = 'p95 <= 2.5 s'
    samples = 300

    def prepare(self):
        return self.days(self.samples)

    def run(self, session, sample):
        company, date = sample
        context = {'company': company}
        closing, = session.call('model.beauty.pos.closing.create', [{
                    'company': company,
                    'date': rpc_date(date),
                    'cash_counted': money(0),
                    }], context=context)
        session.call('model.beauty.pos.closing.compute', [closing],
            context=context)
        record, = session.call('model.beauty.pos.closing.read', [closing],
            ['company', 'date', 'state', 'cash_expected', 'cash_counted',
                'cash_difference', 'lines'], context=context)
        lines = session.call('model.beauty.pos.closing.line.read',
            record['lines'], ['kind', 'method', 'method.rec_name',
                'description', 'quantity', 'amount', 'posted_amount',
                'difference'], context=context)
        return closing, record, lines

    def check(self, sample, result):
        closing, record, lines = result
        conn = self.bench.conn
        company, date = sample
        try:
            figures = {l['kind']: l for l in lines if l['kind'] != 'method'}
            count, amount = conn.execute("""
                SELECT count(DISTINCT s.id), sum(%s)
                FROM sale_point_sale s
                JOIN sale_point_sale_line l ON l.sale = s.id
                WHERE s.company = %%s AND s.date = %%s
                    AND s.state IN ('done', 'posted')""" % line_amount_sql(),
                (company, date)).fetchone()
            assert figures['sales']['quantity'] == count, (
                figures['sales'], count)
            assert figures['sales']['amount'] == amount, (
                figures['sales'], amount)
            methods = dict(conn.execute("""
                SELECT p.method, sum(p.amount) FROM sale_point_payment p
                JOIN sale_point_sale s ON s.id = p.sale
                JOIN sale_point_payment_method m ON m.id = p.method
                WHERE s.company = %s AND s.date = %s
                    AND s.state IN ('done', 'posted')
                    AND m.kind IN ('cash', 'wechat', 'alipay', 'bank', 'other')
                GROUP BY p.method""", (company, date)).fetchall())
            got = {l['method']: l['amount'] for l in lines
                if l['kind'] == 'method' and l['amount']}
            assert got == methods, (got, methods)
            spent, = conn.execute("""
                SELECT coalesce(sum(-principal_amount - bonus_amount), 0)
                FROM beauty_member_card_line WHERE company = %s
                    AND date = %s AND type IN ('spend', 'return')""",
                (company, date)).fetchone()
            assert figures['card_spend']['amount'] == spent, (
                figures['card_spend'], spent)
            assert record['cash_expected'] == methods.get(
                next(iter(r[0] for r in conn.execute(
                            "SELECT id FROM sale_point_payment_method "
                            "WHERE company = %s AND kind = 'cash'",
                            (company,)))), Decimal(0)), record
        finally:
            # the day stays to close (not timed)
            conn.execute('DELETE FROM beauty_pos_closing_line '
                'WHERE closing = %s', (closing,))
            conn.execute('DELETE FROM beauty_pos_closing WHERE id = %s',
                (closing,))
            conn.commit()


class MonthlyReport(Operation):
    """The monthly report of the chain as the manager opens it: search in
    the default order (newest month first), read the list's fields of the
    first records; read from the materialised view
    ([table_query_materialized] of trytond-production.conf)"""
    name = 'pos: monthly report of the chain (materialised)'
    modules = {'beauty_pos'}
    user = 'bench_manager'
    group = 'report'
    target_p95 = 0.100
    target = 'p95 <= 100 ms'
    samples = 1
    model = 'beauty.pos.report.monthly'

    def fields(self, session):
        key = 'monthly report fields'
        if key not in self.bench.cache:
            view = session.call(
                'model.%s.fields_view_get' % self.model, None, 'tree')
            assert 'sales_amount' in view['fields'], "not the report"
            self.bench.cache[key] = read_names(view['fields'])
        return self.bench.cache[key]

    def run(self, session, sample):
        ids = session.call('model.%s.search' % self.model,
            [], 0, LIMIT, None)
        records = session.call('model.%s.read' % self.model,
            ids[:PAGE], self.fields(session))
        return ids, records

    def check(self, sample, result):
        ids, records = result
        conn = self.bench.conn
        assert ids, "empty report"
        by_id = {r['id']: r for r in records}
        assert set(by_id) == set(ids[:PAGE]), "not read"
        keys = [(by_id[i]['month'], -by_id[i]['company'])
            for i in ids[:PAGE]]
        assert keys == sorted(keys, reverse=True), "not newest first"
        # a past month of a store: the figures of its sales
        today = dt.date.today()
        current = today.replace(day=1)
        past = [r for r in records if r['month'] < current]
        if not past:
            return
        row = past[0]
        sales, amount = conn.execute("""
            SELECT count(DISTINCT s.id), sum(%s)
            FROM sale_point_sale s
            JOIN sale_point_sale_line l ON l.sale = s.id
            WHERE s.company = %%s AND s.date >= %%s
                AND s.date < %%s::date + interval '1 month'
                AND s.state IN ('done', 'posted')""" % line_amount_sql(),
            (row['company'], row['month'], row['month'])).fetchone()
        assert (row['sales'], row['sales_amount']) == (sales, amount), (
            row['sales'], row['sales_amount'], sales, amount)


class MonthlyReportLive(MonthlyReport):
    """The same after the "Refresh Data" action (ir.model.refresh_materialized,
    as the manager runs it from the report): the report computed live over
    every sale line, card, package and commission line, then read"""
    name = 'pos: monthly report of the chain (live)'
    target_p95 = 2.5
    target = 'p95 <= 2.5 s'
    # each run recomputes the chain's report over every line (seconds at
    # 10M lines): a few runs, as for the RFM refresh
    iterations = 5
    warmup = 1

    def run(self, session, sample):
        context = {'active_model': self.model, 'active_id': None,
            'active_ids': []}
        wizard, _, _ = session.call(
            'wizard.ir.model.refresh_materialized.create', context=context)
        session.call('wizard.ir.model.refresh_materialized.execute',
            wizard, {}, 'start', context=context)
        session.call('wizard.ir.model.refresh_materialized.delete', wizard,
            context=context)
        return super().run(session, sample)


OPERATIONS = [
    SaleList, Checkout, DailyClosing, MonthlyReport, MonthlyReportLive]
