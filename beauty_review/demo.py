# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
"""Demo data of the data review (数据复核) of the first store: requests of
the manager ``manager`` waiting for review (a service price, a member level
discount, a card bonus, the deletion of a care record), one approved by the
salon administrator (applied: the product has its new price) and one
rejected with its comment.

``load(scale)`` runs after the other modules' demo data (tools/demo.py), as
root in a transaction; deterministic, relative to today. The number of
requests does not grow with ``scale``.
"""
import datetime as dt
from decimal import Decimal

from trytond.pool import Pool
from trytond.transaction import Transaction


def load(scale=1.0):
    pool = Pool()
    Company = pool.get('company.company')
    User = pool.get('res.user')
    stores = Company.search([], order=[('id', 'ASC')])
    users = {u.login: u for u in User.search([
                ('login', 'in', ['manager', 'salonadmin', 'admin']),
                ])}
    if not stores or 'manager' not in users:
        return
    store = stores[0]
    reviewer = users.get('salonadmin') or users['admin']
    with Transaction().set_context(company=store.id):
        _requests(store, users['manager'], reviewer)


def _requests(store, requester, reviewer):
    pool = Pool()
    Request = pool.get('beauty.review.request')
    Template = pool.get('product.template')
    Level = pool.get('beauty.member.level')
    Card = pool.get('beauty.member.card')
    CareRecord = pool.get('beauty.care.record')
    now = dt.datetime.now().replace(microsecond=0)

    def price(record, name, new, days, reason):
        values = Request._base_values('price', record, store, reason)
        values.update({
                'field_name': name,
                'old_value': getattr(record, name),
                'new_value': new,
                'requester': requester.id,
                'request_date': now - dt.timedelta(days=days, hours=3),
                })
        return values

    services = Template.search([
            ('type', '=', 'service'),
            ('salable', '=', True),
            ], order=[('id', 'ASC')], limit=3)
    goods = Template.search([
            ('type', '=', 'goods'),
            ('salable', '=', True),
            ], order=[('id', 'ASC')], limit=1)
    vlist = []
    pending_service = [
        s for s in services[:1] if s.list_price]
    for service in pending_service:
        vlist.append(price(
                service, 'list_price',
                (service.list_price * Decimal('1.1')).quantize(Decimal(1)),
                1, "进口精华涨价，项目成本上升约10%"))
    levels = Level.search([('discount', '>', 0)], order=[('sequence', 'ASC')],
        limit=1)
    for level in levels:
        vlist.append(price(
                level, 'discount', level.discount + Decimal('0.03'), 2,
                "店庆月会员回馈，加大折扣"))
    to_reject = [s for s in services[1:2] if s.list_price]
    for service in to_reject:
        vlist.append(price(
                service, 'list_price',
                (service.list_price * Decimal('1.5')).quantize(Decimal(1)),
                6, "参考同商圈价格"))
    to_approve = [g for g in goods if g.list_price]
    for product in to_approve:
        vlist.append(price(
                product, 'list_price',
                (product.list_price + Decimal(20)).quantize(Decimal(1)),
                4, "供应商调价"))
    requests = Request.create(vlist)
    rejected = [r for r in requests
        if to_reject and r.record == to_reject[0]]
    approved = [r for r in requests
        if to_approve and r.record == to_approve[0]]

    cards = Card.search([
            ('company', '=', store.id),
            ('state', '=', 'active'),
            ], order=[('id', 'ASC')], limit=1)
    for card in cards:
        with Transaction().set_user(requester.id):
            request = Request.request_adjustment(
                card, 'bonus', Decimal(30), "护理时等候过久，赠送金补偿")
        request.request_date = now - dt.timedelta(hours=5)
        request.save()
    records = CareRecord.search([
            ('company', '=', store.id),
            ], order=[('id', 'ASC')], limit=1)
    if records:
        with Transaction().set_user(requester.id):
            request, = Request.request_deletions(
                records, "同一次护理录入了两遍，删除重复的一条")
        request.request_date = now - dt.timedelta(hours=2)
        request.save()

    with Transaction().set_user(reviewer.id), \
            Transaction().set_context(_check_access=False):
        if rejected:
            Request.write(rejected, {'review_comment': "涨幅过大，下季度再议"})
            Request.reject(rejected)
        if approved:
            Request.approve(approved)
