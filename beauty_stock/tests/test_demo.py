# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""The stock demo on the demos of the suite (small scale): a year of
movements, lots near expiry, monthly stocktakes, the usage per beautician of
the year's checkouts; the stock reports against SQL on the same tables, and
their Excel export under the report's period holds the figures of the list.

The demos of beauty_customer, beauty_hr, beauty_appointment, beauty_pos and
beauty_stock are loaded in a database of this test class, as tools/demo.py
does."""
import datetime as dt
import unittest
from collections import defaultdict
from io import BytesIO

from sql import Cast
from sql.aggregate import Sum
from sql.operators import Concat

from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, drop_db
from trytond.transaction import Transaction

from beauty_stock.demo import DAYS_BACK

SCALE = 0.02


class StockDemoTestCase(unittest.TestCase):
    "Stock demo and reports"

    @classmethod
    def setUpClass(cls):
        from beauty_pos.tests.tools import load_demo_database
        cls.company = load_demo_database('beauty_stock', [
                'beauty_customer', 'beauty_hr', 'beauty_appointment',
                'beauty_pos', 'beauty_stock'], SCALE)

    @classmethod
    def tearDownClass(cls):
        drop_db()

    def transaction(self, **context):
        return Transaction().start(
            DB_NAME, 0, context=dict(company=self.company, **context))

    def export(self, Model, records):
        "The rows of the Excel export of the records (header first)"
        from openpyxl import load_workbook
        pool = Pool()
        ActionReport = pool.get('ir.action.report')
        ListExport = pool.get('beauty.list.xlsx', type='report')
        action, = ActionReport.search([
                ('report_name', '=', 'beauty.list.xlsx'),
                ('model', '=', Model.__name__),
                ])
        extension, content, _, _ = ListExport.execute(
            [r.id for r in records], {
                'action_id': action.id, 'model': Model.__name__})
        self.assertEqual(extension, 'xlsx')
        return list(load_workbook(BytesIO(content)).active.values)

    def test_year_of_movements(self):
        "Receipts, consumption and stocktakes over the whole last year"
        with self.transaction():
            pool = Pool()
            Move = pool.get('stock.move')
            Inventory = pool.get('stock.inventory')
            Date = pool.get('ir.date')
            today = Date.today()
            moves = Move.search([
                    ('company', '=', self.company),
                    ('state', '=', 'done'),
                    ])
            dates = [m.effective_date for m in moves]
            self.assertLessEqual(min(dates), today - dt.timedelta(days=330))
            consumption_months = {
                m.effective_date.replace(day=1) for m in moves
                if m.to_location.code == 'CSM'}
            # consumption follows the beauty_pos demo's checkouts: every
            # month with a service sold that has consumables, and only those
            Sale = pool.get('sale.point.sale')
            sold_months = {
                sale.date.replace(day=1)
                for sale in Sale.search([
                        ('company', '=', self.company),
                        ('state', 'in', ['done', 'posted']),
                        ('date', '>=', today - dt.timedelta(days=DAYS_BACK)),
                        ])
                for line in sale.lines
                if line.product and line.product.type == 'service'
                and line.quantity > 0
                and line.product.template.consumables}
            self.assertEqual(consumption_months, sold_months)
            # sparse at this scale (one sale a month for the first store),
            # but the demo's same random draws always sell a service with
            # consumables in the current month and in two months before it
            self.assertGreaterEqual(len(consumption_months), 3)
            inventories = Inventory.search([
                    ('company', '=', self.company),
                    ('state', '=', 'done'),
                    ])
            self.assertGreaterEqual(len(inventories), 11)
            # the consumables left with the checkouts of the services
            self.assertTrue(all(
                    str(m.origin).startswith('sale.point.sale.line,')
                    for m in moves if m.to_location.code == 'CSM'))

    def test_usage_per_beautician(self):
        """The usage per beautician adds up to the usage per product; the
        expected usage is the consumables' moves of each beautician's lines
        (hand-written SQL)"""
        with self.transaction():
            pool = Pool()
            Date = pool.get('ir.date')
            today = Date.today()
            first = (today - dt.timedelta(days=120)).replace(day=1)
        with self.transaction(from_date=first, to_date=today):
            pool = Pool()
            Usage = pool.get('beauty.stock.report.usage')
            UsageEmployee = pool.get('beauty.stock.report.usage.employee')
            usages = Usage.search([])
            rows = UsageEmployee.search([])
            self.assertTrue(any(r.employee for r in rows))
            self.assertTrue(any(u.stocktake_difference > 0 for u in usages))
            totals = defaultdict(lambda: [0, 0, 0])
            for row in rows:
                total = totals[row.product.id]
                total[0] += row.expected
                total[1] += row.stocktake_difference
                total[2] += row.actual
            for usage in usages:
                if not usage.expected and not usage.stocktake_difference:
                    continue
                self.assertEqual(
                    [round(v, 6) for v in totals[usage.product.id]],
                    [round(usage.expected, 6),
                        round(usage.stocktake_difference, 6),
                        round(usage.actual, 6)], usage.product.rec_name)

            Move = pool.get('stock.move')
            Location = pool.get('stock.location')
            Share = pool.get('sale.point.sale.line.employee')
            move = Move.__table__()
            location = Location.__table__()
            share = Share.__table__()
            query = (move
                .join(location, condition=location.id == move.to_location)
                .join(share, condition=move.origin == Concat(
                        'sale.point.sale.line,', Cast(share.line, 'VARCHAR')))
                .select(share.employee, move.product,
                    Sum(move.internal_quantity * Cast(share.share, 'FLOAT')),
                    where=(location.code == 'CSM') & (move.state == 'done')
                    & (move.company == self.company)
                    & (move.effective_date >= first)
                    & (move.effective_date <= today),
                    group_by=[share.employee, move.product]))
            cursor = Transaction().connection.cursor()
            cursor.execute(*query)
            expected = {(e, p): round(float(q), 6)
                for e, p, q in cursor.fetchall()}
            self.assertEqual(
                {(r.employee.id, r.product.id): round(r.expected, 6)
                    for r in rows if r.employee},
                expected)

    def test_near_expiry(self):
        "Lots near expiry of the demo are listed with their stock"
        with self.transaction(days=30):
            pool = Pool()
            NearExpiry = pool.get('beauty.stock.report.near_expiry')
            Date = pool.get('ir.date')
            today = Date.today()
            rows = NearExpiry.search([])
            self.assertTrue(rows)
            for row in rows:
                self.assertLessEqual(
                    row.expiry_date, today + dt.timedelta(days=30))
                self.assertGreater(row.quantity, 0)
                with Transaction().set_context(
                        locations=[row.warehouse.id]):
                    lot = row.lot.__class__(row.lot.id)
                    self.assertEqual(lot.quantity, row.quantity)

    def test_export_usage_employee(self):
        """The Excel export of the usage per beautician, under the report's
        period, holds the figures of the list"""
        with self.transaction():
            today = Pool().get('ir.date').today()
        period = {
            'from_date': (today - dt.timedelta(days=60)).replace(day=1),
            'to_date': today,
            }
        with self.transaction(**period):
            pool = Pool()
            UsageEmployee = pool.get('beauty.stock.report.usage.employee')
            records = UsageEmployee.search([])
            self.assertTrue(records)
            rows = self.export(UsageEmployee, records)
            titles = {n: d['string'] for n, d in UsageEmployee.fields_get(
                    ['employee', 'product', 'expected', 'actual',
                        'actual_cost']).items()}
            header = rows[0]
            self.assertEqual(len(rows), 1 + len(records))
            exported = [(
                    r[header.index(titles['employee'])],
                    r[header.index(titles['product'])],
                    round(r[header.index(titles['expected'])], 6),
                    round(r[header.index(titles['actual'])], 6),
                    round(r[header.index(titles['actual_cost'])], 2))
                for r in rows[1:]]
            self.assertEqual(exported, [(
                        r.employee.rec_name if r.employee else None,
                        r.product.rec_name,
                        round(r.expected, 6), round(r.actual, 6),
                        round(float(r.actual_cost), 2))
                    for r in records])

    def test_export_near_expiry(self):
        "The Excel export of the near-expiry list holds its lots"
        with self.transaction(days=30):
            pool = Pool()
            NearExpiry = pool.get('beauty.stock.report.near_expiry')
            records = NearExpiry.search([])
            rows = self.export(NearExpiry, records)
            titles = {n: d['string'] for n, d in NearExpiry.fields_get(
                    ['lot', 'quantity', 'expiry_date']).items()}
            header = rows[0]
            self.assertEqual(
                [(r[header.index(titles['lot'])],
                        r[header.index(titles['quantity'])],
                        r[header.index(titles['expiry_date'])].date())
                    for r in rows[1:]],
                [(r.lot.rec_name, r.quantity, r.expiry_date)
                    for r in records])
