# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
"""Demo data of marketing: the RFM scores of the customers (from the demo
visits), two campaigns (one sent three weeks ago with its coupons, so that
its results show, one in preparation), satisfaction surveys of the recent
visits (checkouts and appointments), about two thirds answered; the care
cycles of the services (facials 28 days...) and today's care-cycle
reminders; the holiday calendar (三八妇女节, 母亲节, 七夕, 双十一, 春节)
with the campaign of any holiday due; referral rewards: a few customers
recommended by others, rewarded for their first payment.

``load(scale)`` runs after the demos of beauty_customer, beauty_hr,
beauty_appointment and beauty_pos (tools/demo.py), as root, in a
transaction of its own that holds the locks it needs from its start (the
configuration singleton, the customers' points), restarted if another lock
is needed; deterministic (fixed seed), relative to today, created in
bulk."""
import datetime as dt
import random
from decimal import Decimal

from trytond.pool import Pool
from trytond.transaction import Transaction, TransactionError

SEED = 20261124
COMMENTS = [
    "手法很专业，很放松", "环境干净，服务热情", "效果不错，下次再来",
    "等待时间有点长", "美容师很耐心", None, None,
    ]


def load(scale=1.0):
    pool = Pool()
    extras = {'_lock_tables': [pool.get(name)._table for name in [
                'beauty.marketing.configuration', 'party.party']]}
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
    RFM = pool.get('beauty.customer.rfm')
    rng = random.Random(SEED)
    stores = Company.search([], order=[('id', 'ASC')])
    if not stores:
        return
    with Transaction().set_context(company=stores[0].id):
        RFM.refresh()
        _campaigns(stores[0])
        _surveys(rng, scale)
        _care_cycles()
        _holidays(stores[0])
        _referrals(rng, stores[0])


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
    Sale = pool.get('sale.point.sale')
    Survey = pool.get('beauty.survey')
    Line = pool.get('beauty.survey.line')
    Date = pool.get('ir.date')
    today = Date.today()
    limit = max(int(60 * scale), 5)
    # the checkouts of the last two weeks (beauty_pos's demo), then the
    # appointments done without a checkout that day
    sales = Sale.search([
            ('state', 'in', ['done', 'posted']),
            ('customer', '!=', None),
            ('returned_sale', '=', None),
            ('date', '>=', today - dt.timedelta(days=14)),
            ], order=[('date', 'DESC'), ('id', 'ASC')], limit=limit)
    surveys = Survey.create_for_sales(sales)
    appointments = Appointment.search([
            ('state', '=', 'done'),
            ('customer', '!=', None),
            ('date', '>=', today - dt.timedelta(days=14)),
            ], order=[('date', 'DESC'), ('id', 'ASC')], limit=limit)
    surveys += Survey.create_for_appointments(appointments)
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


# days between two sessions of the services, by category (护理周期)
CARE_CYCLES = {
    "面部护理": 28,
    "眼部护理": 21,
    "身体护理": 14,
    "美甲美睫": 21,
    "仪器项目": 90,
    }


def _care_cycles():
    "The care cycles of the services; today's reminders"
    pool = Pool()
    Template = pool.get('product.template')
    FollowUp = pool.get('beauty.marketing.followup')
    args = []
    for template in Template.search([
                ('type', '=', 'service'),
                ('categories', '!=', None),
                ], order=[('id', 'ASC')]):
        days = next((CARE_CYCLES[c.name] for c in template.categories
                if c.name in CARE_CYCLES), None)
        if days:
            args.extend([[template], {'care_cycle_days': days}])
    if args:
        Template.write(*args)
    FollowUp.care_cycle_reminders()


# lunar holidays: their dates by year (the manager sets them each year)
SPRING_FESTIVAL = {
    2025: (1, 29), 2026: (2, 17), 2027: (2, 6), 2028: (1, 26),
    2029: (2, 13), 2030: (2, 3),
    }
QIXI = {
    2025: (8, 29), 2026: (8, 19), 2027: (8, 8), 2028: (8, 26),
    2029: (8, 16), 2030: (8, 5),
    }


def _next(today, dates):
    "The first of the dates ({year: (month, day)}) from today"
    for year in sorted(dates):
        day = dt.date(year, *dates[year])
        if day >= today:
            return day
    return dt.date(max(dates), *dates[max(dates)])


def _mothers_day(today):
    "The second Sunday of May, this year or next"
    for year in [today.year, today.year + 1]:
        first = dt.date(year, 5, 1)
        day = first + dt.timedelta(days=(6 - first.weekday()) % 7 + 7)
        if day >= today:
            return day


def _holidays(store):
    "The holiday calendar; the campaign of any holiday due is launched"
    pool = Pool()
    Holiday = pool.get('beauty.marketing.holiday')
    Template = pool.get('beauty.coupon.template')
    Date = pool.get('ir.date')
    today = Date.today()
    gift, = Template.create([{
                'company': store.id,
                'name': "节日专享 满500减100",
                'kind': 'threshold',
                'threshold': Decimal(500),
                'amount': Decimal(100),
                'valid_days': 15,
                }])
    common = {
        'company': store.id,
        'coupon_template': gift.id,
        'channel': 'wechat',
        'budget': Decimal(1500),
        'days_before': 7,
        }
    Holiday.create([{
                **common,
                'name': "三八妇女节",
                'date': dt.date(2000, 3, 8),
                'yearly': True,
                'days_after': 1,
                'message': "{customer}您好，女神节快乐！送您节日券 {coupon}，"
                "有效期至 {expiry}。",
                }, {
                **common,
                'name': "母亲节",
                'date': _mothers_day(today),
                'message': "{customer}您好，母亲节带妈妈一起来做护理吧，"
                "节日券 {coupon} 有效期至 {expiry}。",
                }, {
                **common,
                'name': "七夕",
                'date': _next(today, QIXI),
                'segment': 'active',
                'message': "{customer}您好，七夕将至，美丽约会从护理开始，"
                "节日券 {coupon}。",
                }, {
                **common,
                'name': "双十一",
                'date': dt.date(2000, 11, 11),
                'yearly': True,
                'days_after': 2,
                'budget': Decimal(3000),
                'message': "{customer}您好，双十一全年最低价，"
                "节日券 {coupon} 有效期至 {expiry}。",
                }, {
                **common,
                'name': "春节",
                'date': _next(today, SPRING_FESTIVAL),
                'days_before': 14,
                'days_after': 7,
                'message': "{customer}您好，新春快乐！新年焕新颜，"
                "节日券 {coupon}。",
                }])
    Holiday.launch()


def _referrals(rng, store):
    """The referral rewards of the configuration; a few customers whose
    first paid sale is in the demo get a referrer and the reward"""
    pool = Pool()
    Configuration = pool.get('beauty.marketing.configuration')
    Template = pool.get('beauty.coupon.template')
    Party = pool.get('party.party')
    Sale = pool.get('sale.point.sale')
    Reward = pool.get('beauty.referral.reward')
    thanks, welcome = Template.create([{
                'company': store.id,
                'name': "推荐有礼 满300减100",
                'kind': 'threshold',
                'threshold': Decimal(300),
                'amount': Decimal(100),
                'valid_days': 60,
                }, {
                'company': store.id,
                'name': "新客礼 满200减50",
                'kind': 'threshold',
                'threshold': Decimal(200),
                'amount': Decimal(50),
                'valid_days': 30,
                }])
    config = Configuration(1)
    config.referrer_coupon = thanks
    config.referrer_points = 200
    config.referred_coupon = welcome
    config.referred_points = 100
    config.save()
    sales = Sale.search([
            ('company', '=', store.id),
            ('state', 'in', ['done', 'posted']),
            ('customer', '!=', None),
            ('customer.referrer', '=', None),
            ('returned_sale', '=', None),
            ], order=[('date', 'ASC'), ('id', 'ASC')])
    firsts = {}
    for sale in sales:
        firsts.setdefault(sale.customer, sale)
    referred = [s for s in firsts.values() if s.total > 0][-4:]
    if len(referred) < 2:
        return
    customers = [c for c in firsts if c not in {s.customer for s in referred}]
    if not customers:
        return
    to_write = []
    for sale in referred:
        to_write.extend(([sale.customer], {
                    'referrer': rng.choice(customers).id}))
    Party.write(*to_write)
    Reward.grant(Sale.browse([s.id for s in referred]))
