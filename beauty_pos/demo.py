# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""Demo data of the checkout: the accounting of both stores (set-up wizard),
member levels, top-up rules (充1000送200...), package and coupon templates,
commission rules, then a year of activity through the business methods:

* stored-value cards of a share of the customers, topped up at the
  checkout (bonus by the rules), spent on services, one adjusted by the
  manager and one refunded;
* treatment packages sold and used with the customer's confirmation code,
  one expired, one refunded in its cooling-off period;
* coupons issued, some redeemed, some expired;
* the last week's checkouts of the appointments done (beauty_appointment's
  demo), paid by cash, WeChat Pay, Alipay, bank card, card balance, package
  sessions and coupons, with the beauticians' commission;
* the daily closings of the last six days (posting the sales), so that the
  prepaid liability in the accounts is the cards' and packages' balances
  (today's sales are not closed yet: the liability report shows them as not
  yet posted).

``load(scale)`` runs after the demos of beauty_customer, beauty_hr and
beauty_appointment (tools/demo.py), as root inside a transaction;
deterministic (fixed seed), relative to today, sales created and processed
in batches.
"""
import datetime as dt
import logging
import random
from collections import defaultdict
from decimal import Decimal

from trytond.pool import Pool
from trytond.transaction import Transaction, TransactionError

from .setup import setup_store

logger = logging.getLogger(__name__)
SEED = 20260311
# Sales per create and processing: the ORM's cost of a call grows with the
# square of its records
BATCH = 25
CLOSED_DAYS = 6  # daily closings of the days before today
RECENT_DAYS = 7  # checkouts of the appointments of these last days
# name, rank, discount, points per yuan, upgrade threshold
LEVELS = [
    ("普通会员", 10, '0', '1', 0),
    ("银卡会员", 20, '0.05', '1.2', 2000),
    ("金卡会员", 30, '0.12', '1.5', 5000),
    ("钻石会员", 40, '0.2', '2', 20000),
    ]
# name, minimum, bonus, rate, level name
TOPUP_RULES = [
    ("充1000送200", 1000, 200, '0', None),
    ("充3000送800", 3000, 800, '0', None),
    ("充5000送1500", 5000, 1500, '0', None),
    ("钻石会员充值加赠10%", 1000, 0, '0.1', "钻石会员"),
    ]
TOPUPS = [1000, 2000, 3000, 5000]
TOPUP_WEIGHTS = [40, 25, 25, 10]
# name, [(service, sessions)], price, months
PACKAGES = [
    ("补水保湿 10次卡", [("补水保湿护理", 10)], 2380, 12),
    ("肩颈舒缓 8次卡", [("肩颈舒缓按摩", 8)], 1680, 12),
    ("清洁+眼护 组合疗程", [("深层清洁护理", 5), ("眼部抗皱护理", 5)], 1880,
        6),
    ]
# name, kind, threshold, amount, rate, days
COUPONS = [
    ("新客体验 满200减50", 'threshold', 200, 50, None, 30),
    ("会员日 9折券", 'discount', 300, None, '0.1', 20),
    ]
# name, applies to, base, rate, category name
COMMISSIONS = [
    ("服务实耗提成 8%", 'service', 'consumption', '0.08', None),
    ("仪器项目提成 12%", 'service', 'consumption', '0.12', "仪器项目"),
    ("充值现金业绩 3%", 'topup', 'cash', '0.03', None),
    ("疗程卡销售 5%", 'package', 'cash', '0.05', None),
    ("产品销售 10%", 'goods', 'cash', '0.10', None),
    ]
MONEY = ['cash', 'wechat', 'alipay', 'bank']
MONEY_WEIGHTS = [20, 45, 30, 5]
ZERO = Decimal(0)


class Store:
    "What the demo of one store needs"

    def __init__(self, company):
        self.company = company
        self.customers = []
        self.beauticians = []
        self.sellers = []


def lock_tables(pool=None):
    """The tables whose rows the checkout locks (cards, package sessions,
    points, sales, sequences, cash sessions, refunds): locked once at the
    start of the transaction instead of restarting it for each lock"""
    pool = pool or Pool()
    return [pool.get(name)._table for name in [
            'account.configuration', 'account.journal.period',
            'beauty.pos.configuration',
            'beauty.member.card', 'beauty.package', 'beauty.package.line',
            'party.party', 'sale.point.sale', 'sale.point.cash.session',
            'ir.sequence.strict']]


def load(scale=1.0):
    """Load the demo in a transaction of its own, holding the locks of the
    checkout from its start (see lock_tables) and restarted if another lock
    is needed, as trytond's dispatcher does for a request"""
    extras = {'_lock_tables': lock_tables()}
    while True:
        with Transaction().new_transaction(**extras) as transaction:
            try:
                return _load(scale)
            except TransactionError as e:
                transaction.rollback()
                e.fix(extras)
                logger.info("demo restarted to take a lock: %s", e.__dict__)


def _load(scale):
    pool = Pool()
    Company = pool.get('company.company')
    Date = pool.get('ir.date')
    rng = random.Random(SEED)
    companies = Company.search([], order=[('id', 'ASC')])
    if not companies:
        return
    with Transaction().set_context(
            company=companies[0].id, _skip_warnings=True):
        today = Date.today()
        stores = [_setup(c, today) for c in companies]
        levels = _levels(companies[0])
        _topup_rules(stores, levels)
        _staff_and_customers(stores)
        _commission_rules(stores)
        _packages(stores)
        _coupons(stores)
        Demo(rng, scale, stores, today).run()


def _setup(company, today):
    "The accounts, point of sale and payment methods (set-up wizard)"
    pool = Pool()
    Template = pool.get('product.template')
    Category = pool.get('product.category')
    store = Store(company)
    with Transaction().set_context(company=company.id):
        result = setup_store(
            company, first=today - dt.timedelta(days=400),
            last=today + dt.timedelta(days=60))
        store.point = result['point']
        store.methods = result['methods']
        store.topup_product = result['topup_product']
        revenue = result['accounts']['revenue']
        categories = Category.search([
                ('accounting', '=', True), ('name', '=', "美容服务收入")])
        if categories:
            category, = categories
        else:
            category, = Category.create([{
                        'name': "美容服务收入", 'accounting': True}])
        category = Category(category.id)
        category.account_revenue = revenue
        category.save()
        # the catalogue's services are sold at the checkout, by the
        # session (1 次)
        session = pool.get('product.uom')(
            pool.get('ir.model.data').get_id('beauty_pos', 'uom_session'))
        templates = Template.search([
                ('type', '=', 'service'),
                ('categories', '!=', None),
                ('account_category', '=', None),
                ])
        for template in templates:
            template.account_category = category
            template.salable = True
            template.sale_uom = session
        Template.save(templates)
    return store


def _levels(company):
    Level = Pool().get('beauty.member.level')
    return Level.create([{
                'name': name, 'sequence': rank,
                'discount': Decimal(discount),
                'points_rate': Decimal(rate),
                'upgrade_threshold': Decimal(threshold),
                'currency': company.currency.id,
                } for name, rank, discount, rate, threshold in LEVELS])


def _topup_rules(stores, levels):
    Rule = Pool().get('beauty.member.topup.rule')
    by_name = {l.name: l for l in levels}
    Rule.create([{
                'company': s.company.id, 'name': name,
                'minimum': Decimal(minimum), 'bonus': Decimal(bonus),
                'bonus_rate': Decimal(rate),
                'level': by_name[level].id if level else None,
                } for s in stores
            for name, minimum, bonus, rate, level in TOPUP_RULES])


def _staff_and_customers(stores):
    pool = Pool()
    Employee = pool.get('company.employee')
    Party = pool.get('party.party')
    by_id = {s.company.id: s for s in stores}
    for employee in Employee.search([
                ('company', 'in', list(by_id)),
                ], order=[('id', 'ASC')]):
        store = by_id[employee.company.id]
        if employee.position == 'beautician':
            store.beauticians.append(employee)
        elif employee.position in {'frontdesk', 'consultant'}:
            store.sellers.append(employee)
    for party in Party.search([
                ('store', 'in', list(by_id)),
                ('staff', '=', False),
                ], order=[('id', 'ASC')]):
        by_id[party.store.id].customers.append(party)
    for store in stores:
        store.sellers = store.sellers or store.beauticians


def _commission_rules(stores):
    pool = Pool()
    Rule = pool.get('beauty.commission.rule')
    Category = pool.get('product.category')
    categories = {c.name: c for c in Category.search([
                ('name', 'in', [c[4] for c in COMMISSIONS if c[4]])])}
    vlist = []
    for store in stores:
        for i, (name, applies, base, rate, category) in enumerate(
                COMMISSIONS, 1):
            if category and category not in categories:
                continue
            vlist.append({
                    'company': store.company.id, 'name': name,
                    'sequence': i * 10, 'applies_to': applies,
                    'base': base, 'method': 'percent',
                    'rate': Decimal(rate),
                    'category': (
                        categories[category].id if category else None),
                    })
    Rule.create(vlist)


def _packages(stores):
    "The package templates and their products (sold at the checkout)"
    pool = Pool()
    Product = pool.get('product.product')
    Template = pool.get('product.template')
    PackageTemplate = pool.get('beauty.package.template')
    ModelData = pool.get('ir.model.data')
    services = {}
    for product in Product.search([('type', '=', 'service')]):
        services.setdefault(product.template.name, product)
    unit = ModelData.get_id('product', 'uom_unit')
    for store in stores:
        store.services = [p for p in Product.search([
                    ('type', '=', 'service'),
                    ('salable', '=', True),
                    ('template.categories', '!=', None),
                    ], order=[('id', 'ASC')])]
        with Transaction().set_context(company=store.company.id):
            prices = {p.id: p.list_price_used for p in store.services}
        store.prices = prices
        store.packages = []
        packages = [p for p in PACKAGES
            if all(s in services for s, _ in p[1])]
        if not packages:
            continue
        category = store.services[0].template.account_category
        templates = Template.create([{
                    'name': name, 'type': 'service', 'salable': True,
                    'default_uom': unit, 'sale_uom': unit,
                    'list_price': Decimal(price),
                    'account_category': category.id if category else None,
                    'products': [('create', [{}])],
                    } for name, _, price, _ in packages])
        store.packages = PackageTemplate.create([{
                    'company': store.company.id, 'name': name,
                    'product': template.products[0].id,
                    'price': Decimal(price), 'validity_months': months,
                    'lines': [('create', [{
                                    'service': services[s].id,
                                    'sessions': n,
                                    'unit_price': prices.get(
                                        services[s].id)
                                    or services[s].list_price or ZERO,
                                    } for s, n in lines])],
                    } for (name, lines, price, months), template
                in zip(packages, templates)])


def _coupons(stores):
    Template = Pool().get('beauty.coupon.template')
    for store in stores:
        store.coupons = Template.create([{
                    'company': store.company.id, 'name': name,
                    'kind': kind, 'threshold': Decimal(threshold),
                    'amount': Decimal(amount) if amount else None,
                    'discount_rate': Decimal(rate) if rate else None,
                    'valid_days': days,
                    } for name, kind, threshold, amount, rate, days
                in COUPONS])


class Demo:
    "A year of activity of the stores"

    def __init__(self, rng, scale, stores, today):
        self.rng = rng
        self.scale = scale
        self.stores = stores
        self.today = today
        self.balances = {}  # card id: balance
        self.cards = defaultdict(list)  # customer id: [card]
        self.holders = set()  # customers holding a card and a package

    def regulars(self, store, count):
        """count customers of the store, half of them among those whose
        appointments of the last days are checked out (so that the recent
        checkouts are paid by cards and packages too)"""
        Appointment = Pool().get('beauty.appointment')
        rng = self.rng
        if not hasattr(store, 'visitors'):
            store.visitors = sorted({a.customer for a in Appointment.search([
                            ('company', '=', store.company.id),
                            ('state', '=', 'done'),
                            ('date', '>=', self.today - dt.timedelta(
                                    days=RECENT_DAYS)),
                            ])}, key=lambda c: c.id)
            rng.shuffle(store.visitors)
        chosen = store.visitors[:count // 2]
        store.visitors = store.visitors[count // 2:]
        others = [c for c in store.customers if c not in set(chosen)]
        return chosen + rng.sample(others, min(
                count - len(chosen), len(others)))

    def run(self):
        pool = Pool()
        Package = pool.get('beauty.package')
        Coupon = pool.get('beauty.coupon')
        history = []
        for store in self.stores:
            history += self.card_history(store)
            history += self.package_sales(store)
            history += self.walk_ins(store)
        self.process(history)
        uses = []
        for store in self.stores:
            uses += self.package_uses(store)
        self.process(uses)
        self.coupons()
        self.refunds()
        self.process(self.recent())
        self.process(self.holder_packages())
        self.post()
        # what expired by today
        Package.expire(self.today)
        Coupon.expire(self.today)
        self.closings()

    # --- helpers ----------------------------------------------------------

    def day(self, start, end):
        "A random day between the days before today (inclusive)"
        return self.today - dt.timedelta(days=self.rng.randint(end, start))

    def money(self, store):
        kind = self.rng.choices(MONEY, weights=MONEY_WEIGHTS)[0]
        return store.methods[kind]

    def price(self, store, product, customer=None):
        "(list price, price paid, discount) of a service for the customer"
        base = store.prices.get(product.id) or ZERO
        level = customer.member_level if customer else None
        discount = level.discount if level else ZERO
        if discount:
            return base, store.company.currency.round(
                base * (1 - discount)), discount
        return base, base, None

    def sale(self, store, date, customer, lines, payments, **values):
        values.update({
                'point': store.point.id,
                'company': store.company.id,
                'customer': customer.id if customer else None,
                'date': date,
                'lines': [('create', lines)],
                })
        if payments:
            values['payments'] = [('create', payments)]
        return values

    def service_line(self, store, service, customer, beautician,
            package_line=None):
        base, price, discount = self.price(store, service, customer)
        if package_line is not None:
            price = package_line.session_value(1)
            discount = None
        return {
            'product': service.id, 'quantity': 1, 'kind': 'service',
            'unit_list_price': price, 'unit_gross_price': price,
            'base_price': base, 'discount': discount,
            'package_line': package_line.id if package_line else None,
            'employees': [('create', [{'employee': beautician.id}])],
            }

    def package_line(self, template, seller):
        "A line selling the package at its price"
        return {
            'product': template.product.id, 'quantity': 1,
            'kind': 'package',
            'unit_list_price': template.price,
            'unit_gross_price': template.price,
            'base_price': template.price,
            'employees': [('create', [{'employee': seller.id}])],
            }

    def topup_line(self, store, card, amount, bonus, seller):
        return {
            'product': store.topup_product.id, 'quantity': 1,
            'kind': 'topup', 'card': card.id,
            'unit_list_price': amount, 'unit_gross_price': amount,
            'topup_amount': amount, 'bonus': bonus,
            'employees': [('create', [{'employee': seller.id}])],
            }

    def bonus(self, store, amount, customer):
        Rule = Pool().get('beauty.member.topup.rule')
        return Rule.bonus_for(
            store.company, amount, self.today, customer.member_level)

    def process(self, vlist):
        "Create and process the sales in the order of their dates"
        pool = Pool()
        Sale = pool.get('sale.point.sale')
        Confirmation = pool.get('beauty.pos.confirmation')
        vlist = sorted(vlist, key=lambda v: v['date'])
        sales = []
        for i in range(0, len(vlist), BATCH):
            batch = Sale.create(vlist[i:i + BATCH])
            # package sessions are confirmed by the customer's code
            to_write = []
            for sale in batch:
                if any(l.package_line for l in sale.lines):
                    _, code = Confirmation.send(sale.customer, sale=sale)
                    to_write.extend(([sale], {'confirmation_code': code}))
            if to_write:
                Sale.write(*to_write)
            Sale.do(batch)
            sales.extend(batch)
        return sales

    # --- a year of cards, packages and walk-ins ---------------------------

    def card_history(self, store):
        """Cards opened over the last year, topped up and spent; returns
        the values of the sales"""
        Card = Pool().get('beauty.member.card')
        rng = self.rng
        count = min(len(store.customers) // 4,
            max(2, round(25 * self.scale)))
        if not count or not store.beauticians or not store.services:
            return []
        customers = self.regulars(store, count)
        opened = {c.id: self.day(365, 20) for c in customers}
        cards = Card.create([{
                    'customer': c.id, 'company': store.company.id,
                    'open_date': opened[c.id],
                    } for c in customers])
        vlist = []
        for customer, card in zip(customers, cards):
            self.cards[customer.id].append(card)
            date = opened[customer.id]
            balance = ZERO
            events = [('topup', date)]
            days = (self.today - date).days
            for _ in range(rng.randint(2, 4)):
                events.append(('spend', date + dt.timedelta(
                            days=rng.randint(1, max(1, days - RECENT_DAYS - 1)))))
            if rng.random() < 0.25:
                events.append(('topup', date + dt.timedelta(
                            days=rng.randint(1, max(1, days - RECENT_DAYS - 1)))))
            events.sort(key=lambda e: (e[1], e[0] == 'spend'))
            for kind, date in events:
                if date >= self.today - dt.timedelta(days=RECENT_DAYS):
                    continue
                if kind == 'topup':
                    amount = Decimal(rng.choices(
                            TOPUPS, weights=TOPUP_WEIGHTS)[0])
                    bonus = self.bonus(store, amount, customer)
                    balance += amount + bonus
                    vlist.append(self.sale(store, date, customer, [
                                self.topup_line(store, card, amount, bonus,
                                    rng.choice(store.sellers))], [{
                                'method': self.money(store).id,
                                'amount': amount}]))
                else:
                    service = rng.choice(store.services)
                    line = self.service_line(store, service, customer,
                        rng.choice(store.beauticians))
                    price = line['unit_gross_price']
                    if not price:
                        continue
                    paid = min(price, balance)
                    payments = []
                    if paid > 0:
                        payments.append({
                                'method': store.methods['card'].id,
                                'card': card.id, 'amount': paid})
                    if price - paid:
                        payments.append({
                                'method': self.money(store).id,
                                'amount': price - paid})
                    balance -= paid
                    vlist.append(self.sale(
                            store, date, customer, [line], payments))
            self.balances[card.id] = balance
        return vlist

    def package_sales(self, store):
        rng = self.rng
        if not store.packages:
            return []
        count = max(2, round(10 * self.scale))
        vlist = []
        customers = self.regulars(store, count)
        for i, customer in enumerate(customers):
            template = store.packages[i % len(store.packages)]
            if i == 0:
                # sold long ago: expired with sessions left
                date = self.today - dt.timedelta(
                    days=31 * template.validity_months + 40)
                if template.validity_months > 6:
                    template = min(store.packages,
                        key=lambda t: t.validity_months)
                    date = self.today - dt.timedelta(
                        days=31 * template.validity_months + 40)
            elif i == 1:
                # bought a few days ago: refunded in the cooling-off period
                date = self.today - dt.timedelta(days=5)
            else:
                date = self.day(200, RECENT_DAYS + 3)
            vlist.append(self.sale(store, date, customer, [self.package_line(
                            template, rng.choice(store.sellers))], [{
                            'method': self.money(store).id,
                            'amount': template.price}]))
        # the card holder with the most on her card buys a package too: at
        # her visits a session pays one service and her card another
        cards = [c for cs in self.cards.values() for c in cs
            if c.company == store.company and self.balances.get(c.id)
            and c.customer not in customers]
        if cards:
            card = max(cards, key=lambda c: (self.balances[c.id], -c.id))
            self.holders.add(card.customer.id)
            template = store.packages[len(customers) % len(store.packages)]
            vlist.append(self.sale(
                    store, self.day(60, RECENT_DAYS + 3), card.customer,
                    [self.package_line(template, rng.choice(store.sellers))],
                    [{'method': self.money(store).id,
                            'amount': template.price}]))
        return vlist

    def holder_packages(self):
        """Each store keeps a customer with money on her card and sessions
        left on a package (the front desk's journey pays with both): which
        customers the year's sales leave so depends on the hour the demo is
        loaded, so when none is left the richest card holder buys a package
        today"""
        pool = Pool()
        Card = pool.get('beauty.member.card')
        Package = pool.get('beauty.package')
        vlist = []
        for store in self.stores:
            if not store.packages:
                continue
            cards = Card.search([
                    ('company', '=', store.company.id),
                    ('state', '=', 'active'),
                    ], order=[('id', 'ASC')])
            # (an old package still active here expires at the end of run)
            holders = {p.customer for p in Package.search([
                        ('company', '=', store.company.id),
                        ('state', '=', 'active'),
                        ('expiry_date', '>=', self.today),
                        ]) if any(l.remaining >= 2 for l in p.lines)}
            rich = [c for c in cards if c.balance > 0]
            if not cards or any(c.customer in holders for c in rich):
                continue
            card = max(rich or cards, key=lambda c: (c.balance, -c.id))
            self.holders.add(card.customer.id)
            template = store.packages[0]
            seller = self.rng.choice(store.sellers)
            lines = [self.package_line(template, seller)]
            amount = template.price
            if card.balance <= 0:
                # her card is empty: she tops it up as she buys
                topup = Decimal(2000)
                lines.append(self.topup_line(
                        store, card, topup, Decimal(0), seller))
                amount += topup
            vlist.append(self.sale(store, self.today, card.customer, lines,
                    [{'method': self.money(store).id, 'amount': amount}]))
        return vlist

    def walk_ins(self, store):
        "Services paid with money over the year (no card, no package)"
        rng = self.rng
        count = round(15 * self.scale)
        if not store.beauticians or not store.services:
            return []
        vlist = []
        for _ in range(count):
            customer = rng.choice(store.customers)
            service = rng.choice(store.services)
            line = self.service_line(store, service, None,
                rng.choice(store.beauticians))
            if not line['unit_gross_price']:
                continue
            vlist.append(self.sale(
                    store, self.day(365, RECENT_DAYS + 1), customer, [line],
                    [{'method': self.money(store).id,
                            'amount': line['unit_gross_price']}]))
        return vlist

    def package_uses(self, store):
        "Sessions of the packages sold used since (not on the expired one)"
        pool = Pool()
        Package = pool.get('beauty.package')
        rng = self.rng
        vlist = []
        limit = self.today - dt.timedelta(days=RECENT_DAYS + 1)
        for package in Package.search([
                    ('company', '=', store.company.id),
                    ('state', '=', 'active'),
                    ], order=[('id', 'ASC')]):
            last = min(limit, package.expiry_date)
            days = (last - package.purchase_date).days
            if days < 1:
                continue
            for line in package.lines:
                used = rng.randint(0, max(0, line.sessions - 2))
                for _ in range(min(used, days)):
                    date = package.purchase_date + dt.timedelta(
                        days=rng.randint(1, days))
                    vlist.append(self.sale(store, date, package.customer, [
                                self.service_line(
                                    store, line.service, package.customer,
                                    rng.choice(store.beauticians),
                                    package_line=line)], []))
        return vlist

    # --- coupons, refunds ---------------------------------------------------

    def coupons(self):
        "Coupons of the first template: expired, valid; used in recent sales"
        pool = Pool()
        Coupon = pool.get('beauty.coupon')
        rng = self.rng
        for store in self.stores:
            if not store.coupons:
                continue
            template = store.coupons[0]
            count = max(3, round(20 * self.scale))
            customers = rng.sample(store.customers, min(
                    2 * count, len(store.customers)))
            old, new = customers[:count // 2], customers[count // 2:]
            Coupon.issue(template, old, date=self.today - dt.timedelta(
                    days=template.valid_days + 15))
            Coupon.issue(template, new, date=self.today - dt.timedelta(
                    days=RECENT_DAYS + 2))
            Coupon.issue(store.coupons[1], rng.sample(
                    store.customers, min(count, len(store.customers))),
                date=self.today - dt.timedelta(days=3))

    def refunds(self):
        "A card refunded and a card adjusted; a package refunded"
        pool = Pool()
        Card = pool.get('beauty.member.card')
        CardRefund = pool.get('beauty.member.card.refund')
        Package = pool.get('beauty.package')
        PackageRefund = pool.get('beauty.package.refund')
        store = self.stores[0]
        cards = [c for c in Card.search([
                    ('company', '=', store.company.id),
                    ('state', '=', 'active'),
                    ('balance', '>', 300),
                    ], order=[('open_date', 'ASC'), ('id', 'ASC')])
            if c.customer.id not in self.holders][:2]
        date = self.today - dt.timedelta(days=3)
        if cards:
            CardRefund.make(cards[0], date, 'customer', store.methods['wechat'],
                note="客户搬家，申请退卡")
        if len(cards) > 1:
            Card.adjust_balance(cards[1], 'bonus', Decimal(50),
                "服务延误，店长补偿赠送金额", date=date)
        packages = Package.search([
                ('company', '=', store.company.id),
                ('state', '=', 'active'),
                ], order=[('purchase_date', 'DESC'), ('id', 'DESC')], limit=1)
        if packages:
            PackageRefund.make(packages[0], self.today - dt.timedelta(days=2),
                'customer', store.methods['cash'], note="体验后不想继续")

    # --- the last week: checkouts of the appointments done ---------------

    def recent(self):
        pool = Pool()
        Appointment = pool.get('beauty.appointment')
        Party = pool.get('party.party')
        PackageLine = pool.get('beauty.package.line')
        Card = pool.get('beauty.member.card')
        Coupon = pool.get('beauty.coupon')
        rng = self.rng
        by_id = {s.company.id: s for s in self.stores}
        appointments = Appointment.search([
                ('company', 'in', list(by_id)),
                ('state', '=', 'done'),
                ('date', '>=', self.today - dt.timedelta(days=RECENT_DAYS)),
                ('date', '<=', self.today),
                ], order=[('start', 'ASC'), ('id', 'ASC')])
        customers = Party.browse(list({a.customer.id for a in appointments}))
        levels = {c.id: c for c in customers}
        sessions = defaultdict(list)
        for line in PackageLine.search([
                    ('package.customer', 'in', list(levels)),
                    ('package.state', '=', 'active'),
                    ('remaining', '>', 0),
                    ]):
            sessions[(line.package.customer.id, line.service.id)].append(
                [line, line.remaining])
        cards = {}
        for card in Card.search([
                    ('customer', 'in', list(levels)),
                    ('state', '=', 'active'),
                    ], order=[('id', 'ASC')]):
            cards.setdefault(card.customer.id, card)
            self.balances[card.id] = card.balance
        coupons = {}
        for coupon in Coupon.search([
                    ('customer', 'in', list(levels)),
                    ('state', '=', 'issued'),
                    ('expiry_date', '>=', self.today),
                    ], order=[('id', 'ASC')]):
            coupons.setdefault(coupon.customer.id, coupon)
        vlist = []
        for appointment in appointments:
            store = by_id[appointment.company.id]
            customer = levels[appointment.customer.id]
            lines, payments = [], []
            covered = []
            for aline in appointment.lines:
                if not aline.beautician or aline.service not in (
                        store.services):
                    continue
                available = [s for s in sessions[
                        (customer.id, aline.service.id)] if s[1] > 0]
                if available and (available[0][0].package.purchase_date
                        <= appointment.date
                        <= available[0][0].package.expiry_date):
                    available[0][1] -= 1
                    pline = available[0][0]
                    lines.append(self.service_line(
                            store, aline.service, customer,
                            aline.beautician, package_line=pline))
                    covered.append(lines[-1])
                    if not available[0][1]:
                        # the last session: what is left of the value
                        price = pline.value_remaining - pline.unit_value * (
                            pline.remaining - 1)
                        lines[-1]['unit_list_price'] = price
                        lines[-1]['unit_gross_price'] = price
                    continue
                lines.append(self.service_line(
                        store, aline.service, customer, aline.beautician))
            if not lines:
                continue
            due = sum((l['unit_gross_price'] for l in lines
                    if l not in covered), ZERO)
            items = [(Pool().get('product.product')(l['product']), 1,
                    l['unit_gross_price'], l['unit_gross_price'])
                for l in lines if l not in covered]
            card = cards.get(customer.id)
            coupon = coupons.get(customer.id)
            if (due and coupon and coupon.company == store.company
                    and coupon.issue_date <= appointment.date):
                off = coupon.template.discount_for(items)
                if off:
                    payments.append({
                            'method': store.methods['coupon'].id,
                            'coupon': coupon.id, 'amount': off})
                    due -= off
                    del coupons[customer.id]
            if due and card and self.balances[card.id] > 0 and (
                    card.company == store.company):
                paid = min(due, self.balances[card.id])
                payments.append({
                        'method': store.methods['card'].id,
                        'card': card.id, 'amount': paid})
                self.balances[card.id] -= paid
                due -= paid
            if due:
                payments.append({
                        'method': self.money(store).id, 'amount': due})
            if rng.random() < 0.08:
                # tops up her card (or opens one) at the checkout
                amount = Decimal(rng.choice([1000, 2000, 3000]))
                bonus = self.bonus(store, amount, customer)
                if card is None or card.company != store.company:
                    card, = Card.create([{
                                'customer': customer.id,
                                'company': store.company.id,
                                'open_date': appointment.date}])
                    cards[customer.id] = card
                    self.balances[card.id] = ZERO
                lines.append(self.topup_line(
                        store, card, amount, bonus, rng.choice(store.sellers)))
                payments.append({
                        'method': self.money(store).id, 'amount': amount})
                # spent from the next visit on
            vlist.append(self.sale(
                    store, appointment.date, customer, lines, payments))
        return vlist

    # --- daily closings -------------------------------------------------------

    def post(self):
        """Post the sales before the days closed in the demo, a batch at a
        time (the "post" button of the sales; a closing posts them all at
        once)"""
        Sale = Pool().get('sale.point.sale')
        for store in self.stores:
            sales = Sale.search([
                    ('company', '=', store.company.id),
                    ('date', '<', self.today - dt.timedelta(
                            days=CLOSED_DAYS)),
                    ('state', '=', 'done'),
                    ], order=[('date', 'ASC'), ('id', 'ASC')])
            with Transaction().set_context(company=store.company.id):
                for i in range(0, len(sales), BATCH):
                    Sale.post(sales[i:i + BATCH])

    def closings(self):
        "The daily closings of the last days (they post the sales)"
        pool = Pool()
        Closing = pool.get('beauty.pos.closing')
        User = pool.get('res.user')
        for days in range(CLOSED_DAYS, 0, -1):
            date = self.today - dt.timedelta(days=days)
            closings = Closing.create([{
                        'company': s.company.id, 'date': date,
                        'cash_counted': ZERO,
                        } for s in self.stores])
            Closing.compute(closings)
            to_write = []
            for closing in Closing.browse(closings):
                to_write.extend(
                    ([closing], {'cash_counted': closing.cash_expected}))
            Closing.write(*to_write)
            for closing in closings:
                # closed by the store's manager (the demo runs as root)
                managers = User.search([
                        ('employees.company', '=', closing.company.id),
                        ('employees.position', '=', 'manager'),
                        ], order=[('id', 'ASC')], limit=1)
                with Transaction().set_user(
                        managers[0].id if managers else 0):
                    Closing.close([closing])
