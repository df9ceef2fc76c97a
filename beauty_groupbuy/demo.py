# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
"""Demo data of the group-buy vouchers: the payment method of each store,
two deals of the first store (美团 and 抖音) with their codes, a part of the
codes redeemed over the last three months by new customers, a part of whom
came back and paid without a voucher, so that the report shows its figures.

``load(scale)`` runs after the demos of beauty_pos (tools/demo.py), as root
in a transaction; deterministic (fixed seed), relative to today, created in
bulk."""
import datetime as dt
import random
from decimal import Decimal

from beauty_pos.demo import lock_tables

from trytond.pool import Pool
from trytond.transaction import Transaction, TransactionError

from .setup import setup_groupbuy

SEED = 20240518
DEALS = [
    # platform code, deal name, price, code prefix
    ('meituan', "补水护理 体验价", Decimal('99'), '6201'),
    ('douyin', "肩颈按摩 新客价", Decimal('68'), '8808'),
    ]
CODES = 40
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
NAMES = ["小美", "晓雯", "佳怡", "思琪", "雨涵", "欣怡", "梦瑶", "婷婷"]


def load(scale=1.0):
    "In a transaction holding the checkout's locks (see beauty_pos.demo)"
    extras = {'_lock_tables': lock_tables() + [
            Pool().get('beauty.groupbuy.voucher')._table]}
    while True:
        with Transaction().new_transaction(**extras) as transaction:
            try:
                return _load(scale)
            except TransactionError as e:
                transaction.rollback()
                e.fix(extras)


def _load(scale):
    pool = Pool()
    Company = pool.get('company.company')
    Date = pool.get('ir.date')
    stores = Company.search([], order=[('id', 'ASC')])
    if not stores:
        return
    for store in stores:
        setup_groupbuy(store)
    store = stores[0]
    with Transaction().set_context(company=store.id, _skip_warnings=True):
        today = Date.today()
        deals = _deals(store, today)
        if deals:
            _redeem(random.Random(SEED), store, deals, today, scale)


def _deals(store, today):
    pool = Pool()
    Deal = pool.get('beauty.groupbuy.deal')
    Platform = pool.get('beauty.groupbuy.platform')
    Product = pool.get('product.product')
    Voucher = pool.get('beauty.groupbuy.voucher')
    services = [p for p in Product.search([
                ('type', '=', 'service'),
                ('salable', '=', True),
                ('template.account_category', '!=', None),
                ], order=[('id', 'ASC')])
        if (_price(p) or 0) > 0][:len(DEALS)]
    if len(services) < len(DEALS):
        return []
    platforms = {p.code: p for p in Platform.search([])}
    deals = Deal.create([{
                'company': store.id,
                'platform': platforms[code].id,
                'name': name,
                'price': price,
                'start_date': today - dt.timedelta(days=120),
                'end_date': today + dt.timedelta(days=60),
                'services': [('add', [service.id])],
                } for (code, name, price, _), service
            in zip(DEALS, services)])
    for deal, (_, _, _, prefix) in zip(deals, DEALS):
        Voucher.import_codes(deal, [
                (i, '%s%08d' % (prefix, 1000 + i))
                for i in range(1, CODES + 1)])
    return deals


def _price(product):
    "The price at the counter (points of sale include the taxes)"
    if product.gross_price_used is not None:
        return product.gross_price_used
    return product.list_price_used


def _redeem(rng, store, deals, today, scale):
    """Vouchers redeemed by new customers over 90 days; about 40% of them
    come back two to five weeks later and pay cash"""
    pool = Pool()
    Sale = pool.get('sale.point.sale')
    Party = pool.get('party.party')
    Point = pool.get('sale.point')
    Employee = pool.get('company.employee')
    Voucher = pool.get('beauty.groupbuy.voucher')
    Method = pool.get('sale.point.payment.method')
    point, = Point.search([('company', '=', store.id)], limit=1)
    employees = Employee.search(
        [('company', '=', store.id)], order=[('id', 'ASC')])
    cash = Method.of_kind(store, 'cash')
    count = max(4, int(round(16 * min(scale, 2))))
    needed = count * len(deals)
    mobiles = ['1995218%04d' % i for i in range(needed * 2)]
    taken = {p.mobile for p in Party.search([('mobile', 'in', mobiles)])}
    mobiles = [m for m in mobiles if m not in taken][:needed]
    customers = Party.create([{
                'name': rng.choice(SURNAMES) + rng.choice(NAMES),
                'mobile': mobile,
                } for mobile in mobiles])
    customers = iter(customers)
    first, again = [], []
    for deal in deals:
        vouchers = Voucher.search(
            [('deal', '=', deal.id)], order=[('code', 'ASC')], limit=count)
        service = deal.services[0]
        for voucher in vouchers:
            customer = next(customers)
            date = today - dt.timedelta(days=rng.randint(5, 90))
            employee = [('create', [{'employee': rng.choice(employees).id}])
                ] if employees else []
            first.append({
                    'point': point.id, 'company': store.id,
                    'customer': customer.id, 'date': date,
                    'lines': [('create', [{
                                    'product': service.id, 'quantity': 1,
                                    'kind': 'service',
                                    'unit_list_price': deal.price,
                                    'unit_gross_price': deal.price,
                                    'base_price': _price(service),
                                    'groupbuy_voucher': voucher.id,
                                    'employees': employee,
                                    }])],
                    })
            back = date + dt.timedelta(days=rng.randint(14, 35))
            if rng.random() < 0.4 and back <= today:
                price = _price(service)
                again.append({
                        'point': point.id, 'company': store.id,
                        'customer': customer.id, 'date': back,
                        'lines': [('create', [{
                                        'product': service.id, 'quantity': 1,
                                        'kind': 'service',
                                        'unit_list_price': price,
                                        'unit_gross_price': price,
                                        'base_price': price,
                                        'employees': employee,
                                        }])],
                        'payments': [('create', [{
                                        'method': cash.id, 'amount': price,
                                        }])],
                        })
    for vlist in [first, again]:
        vlist.sort(key=lambda v: v['date'])
        sales = Sale.create(vlist)
        Sale.do(sales)
