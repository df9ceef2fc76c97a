# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""Follow-up tasks (回访) for the front desk: a call 1, 3 and 7 days after a
visit, and birthday care: N days before a customer's birthday a greeting
and a coupon (with her marketing consent only) and a task to call her."""
import datetime as dt

from sql import Null
from sql.functions import Extract

from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .rfm import SALE_DONE

VISIT_DAYS = [1, 3, 7]
KINDS = [
    ('visit_1', "Day 1 After Visit"),
    ('visit_3', "Day 3 After Visit"),
    ('visit_7', "Day 7 After Visit"),
    ('birthday', "Birthday"),
    ]
STATES = [
    ('open', "To Do"),
    ('done', "Done"),
    ('cancelled', "Cancelled"),
    ]


class FollowUp(Workflow, ModelSQL, ModelView):
    "Follow-up task"
    __name__ = 'beauty.marketing.followup'
    __string__ = "Follow-up"
    customer = fields.Many2One(
        'party.party', "Customer", required=True, readonly=True,
        ondelete='CASCADE')
    mobile = fields.Function(fields.Char("Mobile"), 'get_mobile')
    company = fields.Many2One(
        'company.company', "Store", required=True, readonly=True,
        ondelete='CASCADE')
    kind = fields.Selection(KINDS, "Kind", required=True, readonly=True)
    sale = fields.Many2One(
        'sale.point.sale', "Visit", readonly=True, ondelete='CASCADE')
    coupon = fields.Many2One(
        'beauty.coupon', "Coupon", readonly=True, ondelete='SET NULL')
    due_date = fields.Date("Due", required=True, readonly=True)
    state = fields.Selection(
        STATES, "State", required=True, readonly=True, sort=False)
    notes = fields.Text(
        "Notes", size=1000,
        states={'readonly': Eval('state') != 'open'},
        help="What the customer said.")
    done_date = fields.Date("Done On", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._order = [('due_date', 'ASC'), ('id', 'ASC')]
        cls._sql_indexes.update({
                Index(t, (t.state, Index.Equality(cardinality='low')),
                    (t.due_date, Index.Range()),
                    where=t.state == 'open'),
                Index(t, (t.sale, Index.Range()), where=t.sale != Null),
                Index(t, (t.customer, Index.Range())),
                })
        cls._transitions |= {
            ('open', 'done'),
            ('open', 'cancelled'),
            }
        cls._buttons.update({
                'do': {
                    'invisible': Eval('state') != 'open',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': Eval('state') != 'open',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_state():
        return 'open'

    def get_mobile(self, name):
        return self.customer.mobile

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    def do(cls, followups):
        pool = Pool()
        Date = pool.get('ir.date')
        cls.write(list(followups), {'done_date': Date.today()})

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, followups):
        pass

    @classmethod
    def create_for_sales(cls, sales):
        "Tasks 1, 3 and 7 days after each visit not yet followed"
        existing = {f.sale.id for f in cls.search([
                    ('sale', 'in', [s.id for s in sales])])}
        vlist = []
        for sale in sales:
            if (sale.id in existing or not sale.customer
                    or sale.state not in SALE_DONE or sale.returned_sale):
                continue
            for days in VISIT_DAYS:
                vlist.append({
                        'customer': sale.customer.id,
                        'company': sale.company.id,
                        'kind': 'visit_%d' % days,
                        'sale': sale.id,
                        'due_date': sale.date + dt.timedelta(days=days),
                        })
        return cls.create(vlist)

    @classmethod
    def birthday_care(cls, date=None):
        """Greet (and give a coupon to) the customers whose birthday is in
        the configured number of days, with their marketing consent; a task
        to call each. Once a year per customer."""
        pool = Pool()
        Date = pool.get('ir.date')
        Party = pool.get('party.party')
        Coupon = pool.get('beauty.coupon')
        Notification = pool.get('beauty.notification')
        Configuration = pool.get('beauty.marketing.configuration')
        config = Configuration(1)
        if date is None:
            date = Date.today()
        day = date + dt.timedelta(days=config.birthday_days)
        party = Party.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*party.select(party.id,
                where=(Extract('MONTH', party.birthday) == day.month)
                & (Extract('DAY', party.birthday) == day.day)
                & (party.marketing_consent == True)  # noqa: E712
                & (party.active == True)))  # noqa: E712
        customers = Party.browse([i for i, in cursor])
        done = {f.customer.id for f in cls.search([
                    ('kind', '=', 'birthday'),
                    ('customer', 'in', [c.id for c in customers]),
                    ('due_date', '=', day),
                    ])}
        customers = [c for c in customers if c.id not in done]
        if not customers:
            return []
        template = config.birthday_coupon
        company = (template.company.id if template
            else Transaction().context.get('company'))
        if company is None:
            return []
        coupons = {}
        if template:
            for coupon in Coupon.issue(template, customers, date=date):
                coupons[coupon.customer.id] = coupon
        followups = cls.create([{
                    'customer': c.id,
                    'company': company,
                    'kind': 'birthday',
                    'due_date': day,
                    'coupon': (
                        coupons[c.id].id if c.id in coupons else None),
                    } for c in customers])
        vlist = []
        for followup in followups:
            customer = followup.customer
            coupon = followup.coupon
            text = (config.birthday_message or '').replace(
                '{customer}', customer.name).replace(
                '{coupon}', coupon.code if coupon else '')
            if not text:
                continue
            for channel, address in Notification.addresses(
                    customer, 'customer'):
                vlist.append({
                        'company': company,
                        'channel': channel,
                        'recipient': address,
                        'party': customer.id,
                        'kind': 'other',
                        'audience': 'customer',
                        'content': text,
                        'origin': str(followup),
                        })
        Notification.send_later(Notification.create(vlist))
        return followups

    @classmethod
    def cron_create(cls):
        "Daily: follow-up tasks of the last two days' visits, birthdays"
        pool = Pool()
        Sale = pool.get('sale.point.sale')
        Date = pool.get('ir.date')
        today = Date.today()
        sales = Sale.search([
                ('state', 'in', SALE_DONE),
                ('customer', '!=', None),
                ('returned_sale', '=', None),
                ('date', '>=', today - dt.timedelta(days=1)),
                ('date', '<=', today),
                ])
        cls.create_for_sales(sales)
        cls.birthday_care(today)


class Coupon(metaclass=PoolMeta):
    __name__ = 'beauty.coupon'

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + ['beauty.marketing.followup']


class Notification(metaclass=PoolMeta):
    __name__ = 'beauty.notification'

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + ['beauty.marketing.followup']
