# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
"""Demo data of marketing: the RFM scores of the customers (from the demo
visits), two campaigns (one sent three weeks ago with its coupons, so that
its results show, one in preparation) and satisfaction surveys of the
recent appointments, about two thirds answered.

``load(scale)`` runs after the demos of beauty_customer, beauty_hr and
beauty_appointment (tools/demo.py), as root in a transaction;
deterministic (fixed seed), relative to today, created in bulk."""
import datetime as dt
import random
from decimal import Decimal

from trytond.pool import Pool
from trytond.transaction import Transaction

SEED = 20261124
COMMENTS = [
    "手法很专业，很放松", "环境干净，服务热情", "效果不错，下次再来",
    "等待时间有点长", "美容师很耐心", None, None,
    ]


def load(scale=1.0):
    pool = Pool()
    Company = pool.get('company.company')
    RFM = pool.get('beauty.customer.rfm')
    rng = random.Random(SEED)
    stores = Company.search([], order=[('id', 'ASC')])
    if not stores:
        return
    with Transaction().set_context(company=stores[0].id):
        RFM.refresh()
        _campaigns(stores[0])
        _surveys(rng, scale)


def _campaigns(store):
    pool = Pool()
    Campaign = pool.get('beauty.campaign')
    Template = pool.get('beauty.coupon.template')
    Date = pool.get('ir.date')
    today = Date.today()
    comeback, birthday = Template.create([{
                'company': store.id,
                'name': "老客回归 满300减80",
                'kind': 'threshold',
                'threshold': Decimal(300),
                'amount': Decimal(80),
                'valid_days': 30,
                }, {
                'company': store.id,
                'name': "高价值客户 9折",
                'kind': 'discount',
                'threshold': Decimal(0),
                'discount_rate': Decimal('0.1'),
                'valid_days': 60,
                }])
    sent, _ = Campaign.create([{
                'name': "唤醒沉睡客户",
                'company': store.id,
                'coupon_template': comeback.id,
                'budget': Decimal(2000),
                'start_date': today - dt.timedelta(days=21),
                'end_date': today + dt.timedelta(days=9),
                }, {
                'name': "会员日 高价值客户专享",
                'company': store.id,
                'segment': 'high_value',
                'channel': 'wechat',
                'message': "{customer}您好，会员日为您准备了9折券 {coupon}，"
                "有效期至 {expiry}。",
                'coupon_template': birthday.id,
                'budget': Decimal(1000),
                'start_date': today + dt.timedelta(days=5),
                'end_date': today + dt.timedelta(days=12),
                }])
    Campaign.send([sent])
    # sent three weeks ago: the visits since are attributed to it
    table = Campaign.__table__()
    cursor = Transaction().connection.cursor()
    cursor.execute(*table.update(
            [table.sent_date],
            [dt.datetime.now() - dt.timedelta(days=21)],
            where=table.id == sent.id))


def _surveys(rng, scale):
    pool = Pool()
    Appointment = pool.get('beauty.appointment')
    Survey = pool.get('beauty.survey')
    Line = pool.get('beauty.survey.line')
    Date = pool.get('ir.date')
    today = Date.today()
    appointments = Appointment.search([
            ('state', '=', 'done'),
            ('customer', '!=', None),
            ('date', '>=', today - dt.timedelta(days=14)),
            ], order=[('date', 'DESC'), ('id', 'ASC')],
        limit=max(int(60 * scale), 5))
    surveys = Survey.create_for_appointments(appointments)
    answered, ratings = [], []
    for survey in surveys:
        if rng.random() < 0.65:
            answered.append(survey)
            for line in survey.lines:
                ratings.append((line, rng.choice([3, 4, 4, 5, 5, 5])))
    now = dt.datetime.now()
    if answered:
        to_write = []
        for survey in answered:
            to_write.extend(([survey], {
                        'state': 'answered',
                        'answered_date': now,
                        'comment': rng.choice(COMMENTS),
                        }))
        Survey.write(*to_write)
        to_write = []
        for line, rating in ratings:
            to_write.extend(([line], {'rating': rating}))
        Line.write(*to_write)
