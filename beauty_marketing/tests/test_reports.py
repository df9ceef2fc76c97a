# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""The dashboards on the demo data: their figures are those of hand-written
SQL queries over the same tables, and their Excel export holds the figures
of the list.

The demos of beauty_customer, beauty_hr, beauty_appointment, beauty_pos and
beauty_marketing are loaded (small scale) in a database of this test class,
as tools/demo.py does."""
import datetime as dt
import unittest
from decimal import Decimal
from io import BytesIO

from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, drop_db
from trytond.transaction import Transaction

SCALE = 0.02


def _decimal(value):
    if value is None:
        return Decimal(0)
    return Decimal(str(value)).quantize(Decimal('0.01'))


class ReportsTestCase(unittest.TestCase):
    "Dashboards against SQL on the demo data"

    @classmethod
    def setUpClass(cls):
        from beauty_pos.tests.tools import load_demo_database
        cls.company = load_demo_database('beauty_marketing', [
                'beauty_customer', 'beauty_hr', 'beauty_appointment',
                'beauty_pos', 'beauty_marketing'], SCALE)

    @classmethod
    def tearDownClass(cls):
        drop_db()

    def transaction(self):
        return Transaction().start(
            DB_NAME, 0, context={'company': self.company})

    def execute(self, query, *params):
        cursor = Transaction().connection.cursor()
        cursor.execute(query, params)
        return cursor.fetchall()

    def test_service_popularity(self):
        "Service popularity is the count and amount of the sold services"
        with self.transaction():
            pool = Pool()
            Report = pool.get('beauty.marketing.service_popularity')
            rows = self.execute(
                'SELECT l.product, COUNT(l.id), COUNT(DISTINCT s.customer), '
                'SUM(COALESCE(l.paid_money, 0) + COALESCE(l.paid_card, 0) '
                '+ COALESCE(l.paid_package, 0) + COALESCE(l.paid_coupon, 0) '
                '+ COALESCE(l.paid_points, 0)) '
                'FROM sale_point_sale_line l '
                'JOIN sale_point_sale s ON s.id = l.sale '
                'JOIN product_product p ON p.id = l.product '
                'JOIN product_template t ON t.id = p.template '
                "WHERE s.state IN ('done', 'posted') "
                'AND s.returned_sale IS NULL '
                "AND t.type = 'service' "
                'GROUP BY l.product')
            expected = {p: (n, c, _decimal(a)) for p, n, c, a in rows}
            self.assertTrue(expected)
            self.assertTrue(sum(n for n, _, _ in expected.values()) > 10)
            records = Report.search([])
            self.assertEqual(
                {r.product.id: (r.times, r.customers, _decimal(r.revenue))
                    for r in records},
                expected)

    def test_customer_growth(self):
        "Customer growth counts the visits and first visits by month, source"
        with self.transaction():
            pool = Pool()
            Report = pool.get('beauty.marketing.customer_growth')
            visits = (
                'SELECT customer, date FROM sale_point_sale '
                "WHERE state IN ('done', 'posted') AND customer IS NOT NULL "
                'AND returned_sale IS NULL '
                'UNION '
                'SELECT customer, date FROM beauty_appointment '
                "WHERE state = 'done' AND customer IS NOT NULL")
            rows = self.execute(
                'SELECT v.customer, v.date, p.source FROM (%s) AS v '
                'JOIN party_party p ON p.id = v.customer' % visits)
            expected = {}
            first = {}
            for customer, date, _ in rows:
                date = _date(date)
                first[customer] = min(first.get(customer, date), date)
            for customer, date, source in rows:
                date = _date(date)
                key = (date.strftime('%Y-%m'), source)
                new, people, count = expected.get(key, (0, set(), 0))
                people.add(customer)
                expected[key] = (
                    new + (date == first[customer]), people, count + 1)
            expected = {k: (n, len(p), c)
                for k, (n, p, c) in expected.items()}
            self.assertTrue(len({m for m, _ in expected}) > 1)
            self.assertTrue(len({s for _, s in expected}) > 1)
            records = Report.search([])
            self.assertEqual(
                {(r.month, r.source.id if r.source else None): (
                        r.new_customers, r.active_customers, r.visits)
                    for r in records},
                expected)

    def test_consumption(self):
        "Consumption behaviour: tickets, customers and amounts by month"
        with self.transaction():
            pool = Pool()
            Report = pool.get('beauty.marketing.consumption')
            rows = self.execute(
                'SELECT s.id, s.date, s.customer, s.returned_sale, '
                'SUM(COALESCE(l.paid_money, 0) + COALESCE(l.paid_card, 0) '
                '+ COALESCE(l.paid_package, 0) + COALESCE(l.paid_coupon, 0) '
                '+ COALESCE(l.paid_points, 0)), '
                "SUM(CASE WHEN t.type = 'service' THEN "
                'COALESCE(l.paid_money, 0) + COALESCE(l.paid_card, 0) '
                '+ COALESCE(l.paid_package, 0) + COALESCE(l.paid_coupon, 0) '
                '+ COALESCE(l.paid_points, 0) ELSE 0 END) '
                'FROM sale_point_sale s '
                'LEFT JOIN sale_point_sale_line l ON l.sale = s.id '
                'LEFT JOIN product_product p ON p.id = l.product '
                'LEFT JOIN product_template t ON t.id = p.template '
                "WHERE s.state IN ('done', 'posted') "
                'GROUP BY s.id, s.date, s.customer, s.returned_sale')
            expected = {}
            for _, date, customer, returned, amount, service in rows:
                month = _date(date).strftime('%Y-%m')
                tickets, people, total, services = expected.get(
                    month, (0, set(), Decimal(0), Decimal(0)))
                if customer is not None:
                    people.add(customer)
                expected[month] = (
                    tickets + (returned is None), people,
                    total + _decimal(amount), services + _decimal(service))
            expected = {m: (t, len(p), a, s, a - s)
                for m, (t, p, a, s) in expected.items()}
            self.assertTrue(expected)
            records = Report.search([])
            self.assertEqual(
                {r.month: (r.tickets, r.customers, _decimal(r.revenue),
                        _decimal(r.service_revenue),
                        _decimal(r.product_revenue))
                    for r in records},
                expected)
            for record in records:
                if record.tickets:
                    self.assertEqual(record.average_ticket,
                        (record.revenue / record.tickets).quantize(
                            Decimal('0.01')))

    def test_beautician_performance(self):
        "Beautician performance is the services shared and the ratings"
        with self.transaction():
            pool = Pool()
            Report = pool.get('beauty.marketing.beautician_performance')
            work = self.execute(
                'SELECT e.employee, COUNT(e.id), COUNT(DISTINCT s.customer), '
                'SUM((COALESCE(l.paid_money, 0) + COALESCE(l.paid_card, 0) '
                '+ COALESCE(l.paid_package, 0) + COALESCE(l.paid_coupon, 0) '
                '+ COALESCE(l.paid_points, 0)) * COALESCE(e.share, 1)) '
                'FROM sale_point_sale_line_employee e '
                'JOIN sale_point_sale_line l ON l.id = e.line '
                'JOIN sale_point_sale s ON s.id = l.sale '
                "WHERE s.state IN ('done', 'posted') "
                'GROUP BY e.employee')
            ratings = dict(self.execute(
                    'SELECT beautician, AVG(rating) FROM beauty_survey_line '
                    'WHERE rating IS NOT NULL GROUP BY beautician'))
            self.assertTrue(work)
            self.assertTrue(ratings)
            records = Report.search([])
            self.assertEqual(
                {r.employee.id: (r.services, r.customers, _decimal(r.revenue),
                        round(r.satisfaction, 6)
                        if r.satisfaction is not None else None)
                    for r in records},
                {e: (n, c, _decimal(a),
                        round(float(ratings[e]), 6) if e in ratings
                        else None)
                    for e, n, c, a in work})

    def test_demo_automations(self):
        "The demo has care cycles, a holiday calendar and referral rewards"
        with self.transaction():
            pool = Pool()
            Holiday = pool.get('beauty.marketing.holiday')
            Reward = pool.get('beauty.referral.reward')
            Points = pool.get('beauty.points.line')
            Template = pool.get('product.template')
            self.assertEqual(
                sorted(h.name for h in Holiday.search([])),
                sorted(["三八妇女节", "母亲节", "七夕", "双十一", "春节"]))
            self.assertTrue(all(h.next_date for h in Holiday.search([])))
            self.assertTrue(Template.search([
                        ('care_cycle_days', '=', 28)]))
            rewards = Reward.search([])
            self.assertGreaterEqual(len(rewards), 2)
            for reward in rewards:
                self.assertEqual(reward.referred.referrer, reward.referrer)
                self.assertEqual(
                    reward.referrer_coupon.customer, reward.referrer)
                self.assertEqual(
                    reward.referred_coupon.customer, reward.referred)
            self.assertEqual(
                len(Points.search([('type', '=', 'referral')])),
                2 * len(rewards))

    def test_export_xlsx(self):
        "The Excel export of a dashboard holds the figures of the list"
        from openpyxl import load_workbook
        with self.transaction():
            pool = Pool()
            Report = pool.get('beauty.marketing.service_popularity')
            ActionReport = pool.get('ir.action.report')
            ListExport = pool.get('beauty.list.xlsx', type='report')
            records = Report.search([])
            self.assertTrue(records)
            action, = ActionReport.search([
                    ('report_name', '=', 'beauty.list.xlsx'),
                    ('model', '=', Report.__name__),
                    ])
            extension, content, _, _ = ListExport.execute(
                [r.id for r in records], {
                    'action_id': action.id, 'model': Report.__name__})
            self.assertEqual(extension, 'xlsx')
            rows = list(load_workbook(BytesIO(content)).active.values)
            titles = {n: d['string'] for n, d in Report.fields_get(
                    ['product', 'times', 'customers', 'revenue']).items()}
            header = rows[0]
            self.assertEqual(len(rows), 1 + len(records))
            exported = [
                (r[header.index(titles['product'])],
                    r[header.index(titles['times'])],
                    r[header.index(titles['customers'])],
                    _decimal(r[header.index(titles['revenue'])]))
                for r in rows[1:]]
            self.assertEqual(exported, [
                    (r.product.rec_name, r.times, r.customers,
                        _decimal(r.revenue)) for r in records])


def _date(value):
    if isinstance(value, str):
        return dt.date.fromisoformat(value)
    return value
