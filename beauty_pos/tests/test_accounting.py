# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""The accounts after a day of checkout activity.

A day of a store, through the business methods the checkout and the wizards
call: top-ups with the bonus of the rules, card consumption, a package sold
and two of its sessions used, product and service sales split across cash,
WeChat Pay and Alipay, a card and a package refunded; then the daily closing.
Afterwards the prepaid liability accounts hold exactly the cards' balances
and the paid value of the sessions left, and every money line of the closing
is the movement of the posted account moves on its method's account.
"""
import unittest
from decimal import Decimal

from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, drop_db
from trytond.tests.tools import activate_modules
from trytond.transaction import Transaction, TransactionError

from ..demo import lock_tables
from .tools import create_salon_company, setup_salon

D = Decimal


class AccountingTestCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        activate_modules('beauty_pos', create_salon_company)
        salon = setup_salon()
        cls.company = salon.company.id
        cls.point = salon.point.id
        cls.methods = {k: m.id for k, m in salon.methods.items()}
        cls.facial, cls.massage, cls.serum = (
            salon.facial.id, salon.massage.id, salon.serum.id)
        cls.beautician = salon.beautician.id

    @classmethod
    def tearDownClass(cls):
        drop_db()

    def run_locked(self, func):
        """Run func in a transaction (rolled back) that holds the locks of
        the checkout's tables from its start; restarted by a lock taken
        later, as the dispatcher of trytond does"""
        extras = {'_lock_tables': lock_tables(Pool(DB_NAME))}
        while True:
            with Transaction().start(
                    DB_NAME, 0, context={'company': self.company},
                    **extras) as transaction:
                try:
                    pool = Pool()
                    self.Sale = pool.get('sale.point.sale')
                    Method = pool.get('sale.point.payment.method')
                    self.method = {
                        k: Method(i) for k, i in self.methods.items()}
                    return func()
                except TransactionError as e:
                    e.fix(extras)
                    continue
                finally:
                    transaction.rollback()

    def sell(self, customer, lines, payments, code=False):
        "Create and process a sale: lines (product, price, values)"
        pool = Pool()
        Confirmation = pool.get('beauty.pos.confirmation')
        sale, = self.Sale.create([{
                    'point': self.point, 'company': self.company,
                    'customer': customer.id if customer else None,
                    'lines': [('create', [{
                                    'product': product, 'quantity': 1,
                                    'unit_list_price': price,
                                    'unit_gross_price': price,
                                    'employees': [('create', [{
                                                    'employee':
                                                    self.beautician}])],
                                    **values,
                                    } for product, price, values in lines])],
                    'payments': [('create', [{
                                    'method': self.method[kind].id,
                                    'amount': amount, **values,
                                    } for kind, amount, values in payments])],
                    }])
        if code:
            _, sale.confirmation_code = Confirmation.send(customer, sale=sale)
            sale.save()
        self.Sale.do([sale])
        return self.Sale(sale.id)

    def test_day(self):
        "The liability and the closing agree with the posted moves"
        self.run_locked(self.day)

    def day(self):
        pool = Pool()
        Party = pool.get('party.party')
        Rule = pool.get('beauty.member.topup.rule')
        Card = pool.get('beauty.member.card')
        CardRefund = pool.get('beauty.member.card.refund')
        Package = pool.get('beauty.package')
        PackageTemplate = pool.get('beauty.package.template')
        PackageRefund = pool.get('beauty.package.refund')
        Template = pool.get('product.template')
        Product = pool.get('product.product')
        Configuration = pool.get('beauty.pos.configuration')
        Closing = pool.get('beauty.pos.closing')
        Liability = pool.get('beauty.pos.report.liability')
        MoveLine = pool.get('account.move.line')
        Point = pool.get('sale.point')
        Date = pool.get('ir.date')
        today = Date.today()

        Rule.create([{
                    'company': self.company, 'name': "充1000送200",
                    'minimum': D(1000), 'bonus': D(200)}])
        facial = Product(self.facial)
        template, = Template.create([{
                    'name': "补水 5次卡", 'type': 'service', 'salable': True,
                    'default_uom': facial.default_uom.id,
                    'sale_uom': facial.default_uom.id,
                    'list_price': D(1200),
                    'account_category': facial.account_category.id,
                    'products': [('create', [{}])],
                    }])
        package_product = template.products[0]
        PackageTemplate.create([{
                    'company': self.company, 'name': "补水 5次卡",
                    'product': package_product.id, 'price': D(1200),
                    'lines': [('create', [{
                                    'service': self.facial, 'sessions': 5,
                                    'unit_price': D(300)}])],
                    }])
        anna, bella, cathy = Party.create([
                {'name': "周安娜"}, {'name': "吴贝拉"}, {'name': "郑凯茜"}])
        topup = Configuration.get_value('topup_product', company=self.company)

        # top-ups: a new card by a sale, an existing one from the card
        self.sell(anna, [(topup.id, D(1000), {
                        'kind': 'topup', 'topup_amount': D(1000),
                        'bonus': D(200)})],
            [('wechat', D(1000), {})])
        anna_card, = Card.search([('customer', '=', anna.id)])
        self.assertEqual(anna_card.balance, D(1200))
        bella_card, = Card.create([{'customer': bella.id}])
        self.Sale.topup_card(
            bella_card, Point(self.point), D(1000), None,
            self.method['alipay'])
        self.assertEqual(Card(bella_card.id).balance, D(1200))

        # consumption: a product paid in cash
        self.sell(cathy, [(self.serum, D(150), {})], [('cash', D(150), {})])

        # a service by card, a product paid in cash
        self.sell(anna, [
                (self.facial, D(300), {'kind': 'service'}),
                (self.serum, D(150), {'kind': 'goods'}),
                ], [
                ('card', D(300), {'card': anna_card.id}),
                ('cash', D(150), {}),
                ])
        # a package sold, two sessions used
        self.sell(bella, [(package_product.id, D(1200), {})],
            [('wechat', D(1200), {})])
        package, = Package.search([('customer', '=', bella.id)])
        for _ in range(2):
            line = package.lines[0]
            self.sell(bella, [(self.facial, line.session_value(1), {
                            'package_line': line.id})], [], code=True)
            package = Package(package.id)
        self.assertEqual(package.sessions_remaining, 3)
        self.assertEqual(package.value_remaining, D(720))
        # product and service split across cash, WeChat Pay and Alipay
        self.sell(cathy, [
                (self.massage, D(200), {}),
                (self.serum, D(150), {}),
                ], [
                ('wechat', D(200), {}),
                ('alipay', D(100), {}),
                ('cash', D(50), {}),
                ])
        # bella spends from her card, then asks for it back (cooling-off)
        self.sell(bella, [(self.massage, D(240), {})],
            [('card', D(240), {'card': bella_card.id})])
        refund = CardRefund.make(
            Card(bella_card.id), today, 'customer', self.method['cash'])
        # 1000 - 240 * 1000 / 1200
        self.assertEqual(refund.amount, D(800))
        self.assertEqual(refund.forfeited, D(160))
        # a second package, refunded the day it was bought
        self.sell(cathy, [(package_product.id, D(1200), {})],
            [('alipay', D(1200), {})])
        package2, = Package.search([('customer', '=', cathy.id)])
        package_refund = PackageRefund.make(
            package2, today, 'customer', self.method['wechat'])
        self.assertEqual(package_refund.amount, D(1200))

        closing, = Closing.create([{
                    'company': self.company, 'date': today}])
        Closing.compute([closing])
        closing.cash_counted = closing.cash_expected
        closing.save()
        Closing.close([closing])
        closing = Closing(closing.id)
        self.assertEqual(closing.state, 'done')
        # cash: 150 + 150 + 50 - 800 refunded
        self.assertEqual(closing.cash_expected, D(-450))

        # the liability accounts hold the balances of the ledgers
        prepaid = Configuration.get_value(
            'prepaid_account', company=self.company)
        package_account = Configuration.get_value(
            'package_account', company=self.company)
        cards = Card.search([('company', '=', self.company)])
        card_balances = sum((c.balance for c in cards), D(0))
        self.assertEqual(card_balances, D(1200 - 300))
        self.assertEqual(self.credit(prepaid), card_balances)
        packages = Package.search([('company', '=', self.company)])
        package_value = sum((p.value_remaining for p in packages), D(0))
        self.assertEqual(package_value, D(720))
        self.assertEqual(self.credit(package_account), package_value)
        report, = Liability.search([('company', '=', self.company)])
        self.assertEqual(report.card_balance, card_balances)
        self.assertEqual(report.card_account, card_balances)
        self.assertEqual(report.card_unposted, D(0))
        self.assertEqual(report.package_value, package_value)
        self.assertEqual(report.package_account, package_value)
        self.assertEqual(report.package_unposted, D(0))

        # the closing's money per method is the posted movement of its
        # account, and what the day's sales and refunds say
        expected = {
            'cash': D(150 + 150 + 50 - 800),
            'wechat': D(1000 + 1200 + 200 - 1200),
            'alipay': D(1000 + 100 + 1200),
            'bank': D(0),
            }
        by_kind = {l.method.kind: l for l in closing.lines
            if l.kind == 'method'}
        self.assertEqual(set(by_kind), set(expected))
        for kind, amount in expected.items():
            line = by_kind[kind]
            account = line.method.account
            lines = MoveLine.search([
                    ('account', '=', account.id),
                    ('move.date', '=', today),
                    ('move.state', '=', 'posted'),
                    ])
            posted = sum((l.debit - l.credit for l in lines), D(0))
            self.assertEqual(line.amount, amount, kind)
            self.assertEqual(line.posted_amount, amount, kind)
            self.assertEqual(posted, amount, kind)
        for line in closing.lines:
            if line.posted_amount is not None:
                self.assertEqual(line.difference, D(0), line.description)
        figures = {l.kind: l for l in closing.lines if l.kind != 'method'}
        self.assertEqual(figures['topup'].amount, D(2000))
        self.assertEqual(figures['bonus'].amount, D(400))
        self.assertEqual(figures['card_spend'].amount, D(540))
        self.assertEqual(figures['card_refund'].amount, D(800))
        self.assertEqual(figures['card_liability'].amount, D(900))
        self.assertEqual(figures['card_liability'].posted_amount, D(900))
        self.assertEqual(figures['package_sold'].amount, D(2400))
        self.assertEqual(figures['package_liability'].amount, D(720))
        self.assertEqual(figures['package_liability'].posted_amount, D(720))
        # nothing of the day is left unposted
        self.assertFalse(self.Sale.search([
                    ('company', '=', self.company),
                    ('date', '<=', today),
                    ('state', '=', 'done'),
                    ]))

    def credit(self, account):
        "Credit - debit of the posted moves on the account"
        MoveLine = Pool().get('account.move.line')
        lines = MoveLine.search([
                ('account', '=', account.id),
                ('move.state', '=', 'posted'),
                ])
        return sum((l.credit - l.debit for l in lines), D(0))
