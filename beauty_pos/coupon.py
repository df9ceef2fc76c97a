# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""Coupons (优惠券): 满减, 折扣 and 兑换; a code is used once."""
import datetime as dt
import secrets
from decimal import Decimal

from sql import Null

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Unique, Workflow, fields)
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.transaction import Transaction
from trytond.wizard import Button, StateTransition, StateView, Wizard

from .exceptions import CouponError
from .ledger import clear_cache

KINDS = [
    ('threshold', "Spend and Save (满减)"),
    ('discount', "Discount (折扣)"),
    ('exchange', "Free Item (兑换)"),
    ]
COUPON_STATES = [
    ('issued', "Issued"),
    ('used', "Used"),
    ('expired', "Expired"),
    ('cancelled', "Cancelled"),
    ]
# no 0/O, 1/I/L: codes are read out loud at the front desk
CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ'
CODE_LENGTH = 10


class CouponTemplate(DeactivableMixin, ModelSQL, ModelView):
    "Coupon template"
    __name__ = 'beauty.coupon.template'
    company = fields.Many2One(
        'company.company', "Store", required=True, ondelete='CASCADE')
    name = fields.Char("Name", required=True, translate=True)
    kind = fields.Selection(KINDS, "Kind", required=True)
    threshold = Monetary(
        "Threshold", currency='currency', digits='currency', required=True,
        domain=[('threshold', '>=', 0)],
        help="The coupon applies when the eligible items reach this amount.")
    amount = Monetary(
        "Amount Off", currency='currency', digits='currency',
        domain=[If(Eval('kind') == 'threshold',
                ('amount', '>', 0), ())],
        states={
            'required': Eval('kind') == 'threshold',
            'invisible': Eval('kind') != 'threshold',
            })
    discount_rate = fields.Numeric(
        "Discount", digits=(16, 4),
        domain=[If(Eval('kind') == 'discount',
                [('discount_rate', '>', 0), ('discount_rate', '<', 1)],
                [])],
        states={
            'required': Eval('kind') == 'discount',
            'invisible': Eval('kind') != 'discount',
            },
        help="The share taken off the eligible items (0.2 = 20% off, "
        "i.e. 8折).")
    products = fields.Many2Many(
        'beauty.coupon.template-product.product', 'template', 'product',
        "Eligible Items",
        help="The services and products the coupon applies to "
        "(empty: all of them).")
    exchange_product = fields.Many2One(
        'product.product', "Free Item", ondelete='RESTRICT',
        states={
            'required': Eval('kind') == 'exchange',
            'invisible': Eval('kind') != 'exchange',
            },
        help="One unit of this service or product is free.")
    valid_days = fields.Integer(
        "Valid Days", required=True,
        domain=[('valid_days', '>', 0)],
        help="A coupon can be used this many days after it is issued.")
    end_date = fields.Date(
        "Last Day", help="No coupon of this template is valid after this day.")
    coupons = fields.One2Many(
        'beauty.coupon', 'template', "Coupons", readonly=True)
    currency = fields.Function(fields.Many2One(
            'currency.currency', "Currency"), 'on_change_with_currency')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'issue': {},
                })

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_kind():
        return 'threshold'

    @staticmethod
    def default_threshold():
        return Decimal(0)

    @staticmethod
    def default_valid_days():
        return 30

    @fields.depends('company')
    def on_change_with_currency(self, name=None):
        return self.company.currency if self.company else None

    @classmethod
    @ModelView.button_action('beauty_pos.wizard_coupon_issue')
    def issue(cls, templates):
        pass

    def eligible(self, product):
        if self.kind == 'exchange':
            return product == self.exchange_product
        if self.products:
            return product in self.products
        return True

    def discount_for(self, items):
        """The amount the coupon takes off the items (product, quantity,
        unit price, amount) it applies to, 0 when its conditions are not
        met"""
        currency = self.company.currency
        eligible = [i for i in items if self.eligible(i[0])]
        base = sum((i[3] for i in eligible), Decimal(0))
        if base <= 0 or base < self.threshold:
            return Decimal(0)
        if self.kind == 'threshold':
            return min(self.amount, base)
        elif self.kind == 'discount':
            return currency.round(base * self.discount_rate)
        elif self.kind == 'exchange':
            for product, quantity, unit_price, amount in items:
                if product == self.exchange_product and quantity >= 1:
                    return min(currency.round(unit_price), amount)
        return Decimal(0)


class CouponTemplateProduct(ModelSQL):
    "Coupon template - eligible item"
    __name__ = 'beauty.coupon.template-product.product'
    template = fields.Many2One(
        'beauty.coupon.template', "Template", required=True,
        ondelete='CASCADE')
    product = fields.Many2One(
        'product.product', "Product", required=True, ondelete='CASCADE')


class Coupon(Workflow, ModelSQL, ModelView):
    "Coupon issued to a customer"
    __name__ = 'beauty.coupon'
    _rec_name = 'code'
    code = fields.Char("Code", required=True, readonly=True)
    template = fields.Many2One(
        'beauty.coupon.template', "Template", required=True, readonly=True,
        ondelete='RESTRICT')
    customer = fields.Many2One(
        'party.party', "Customer", required=True, readonly=True,
        ondelete='RESTRICT')
    company = fields.Many2One(
        'company.company', "Store", required=True, readonly=True,
        ondelete='RESTRICT')
    issue_date = fields.Date("Issued", required=True, readonly=True)
    expiry_date = fields.Date("Valid Until", required=True, readonly=True)
    state = fields.Selection(
        COUPON_STATES, "State", required=True, readonly=True, sort=False)
    sale = fields.Many2One(
        'sale.point.sale', "Used in Sale", readonly=True,
        ondelete='RESTRICT')
    used_date = fields.Date("Used On", readonly=True)
    origin = fields.Reference(
        "Origin", selection='get_origin', readonly=True,
        help="What issued the coupon (a campaign, a referral...).")
    kind = fields.Function(fields.Selection(KINDS, "Kind"), 'get_kind')

    @classmethod
    def __setup__(cls):
        cls.code.search_unaccented = False
        super().__setup__()
        t = cls.__table__()
        cls._order = [('issue_date', 'DESC'), ('id', 'DESC')]
        cls._sql_constraints += [
            ('code_unique', Unique(t, t.code),
                'beauty_pos.msg_coupon_code_unique'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.customer, Index.Range()),
                    (t.state, Index.Equality(cardinality='low'))),
                Index(t, (t.state, Index.Equality(cardinality='low')),
                    (t.expiry_date, Index.Range()),
                    where=t.state == 'issued'),
                Index(t, (t.sale, Index.Range()), where=t.sale != Null),
                })
        cls._transitions |= {
            ('issued', 'cancelled'),
            }
        cls._buttons.update({
                'cancel': {
                    'invisible': Eval('state') != 'issued',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_state():
        return 'issued'

    @classmethod
    def _get_origin(cls):
        "Models that may issue coupons (extended by other modules)"
        return ['beauty.coupon.template']

    @classmethod
    def get_origin(cls):
        pool = Pool()
        IrModel = pool.get('ir.model')
        return [(None, '')] + [
            (m, IrModel.get_name(m)) for m in cls._get_origin()]

    def get_kind(self, name):
        return self.template.kind

    def get_rec_name(self, name):
        return '%s %s' % (self.code, self.template.rec_name)

    @classmethod
    def search_rec_name(cls, name, clause):
        if clause[1].startswith('!') or clause[1].startswith('not '):
            bool_op = 'AND'
        else:
            bool_op = 'OR'
        return [bool_op,
            ('code', *clause[1:]),
            ('template.name', *clause[1:]),
            ]

    @classmethod
    def check_modification(cls, mode, coupons, values=None, external=False):
        super().check_modification(
            mode, coupons, values=values, external=external)
        if mode == 'delete':
            for coupon in coupons:
                if coupon.state == 'used':
                    raise CouponError(gettext(
                            'beauty_pos.msg_coupon_delete_used',
                            coupon=coupon.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, coupons):
        pass

    @staticmethod
    def new_code():
        return ''.join(
            secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))

    @classmethod
    def issue(cls, template, customers, date=None, origin=None):
        """Issue one coupon of the template to each customer; return them.

        The public API used by marketing (campaigns, birthdays, referrals):
        origin is the record that issued them (see _get_origin)."""
        pool = Pool()
        Date = pool.get('ir.date')
        if not template.active:
            raise CouponError(gettext(
                    'beauty_pos.msg_coupon_template_inactive',
                    template=template.rec_name))
        if date is None:
            with Transaction().set_context(company=template.company.id):
                date = Date.today()
        expiry = date + dt.timedelta(days=template.valid_days)
        if template.end_date:
            expiry = min(expiry, template.end_date)
        if expiry < date:
            raise CouponError(gettext(
                    'beauty_pos.msg_coupon_template_ended',
                    template=template.rec_name))
        if origin is not None and not isinstance(origin, str):
            origin = str(origin)
        return cls.create([{
                    'code': cls.new_code(),
                    'template': template.id,
                    'customer': int(c),
                    'company': template.company.id,
                    'issue_date': date,
                    'expiry_date': expiry,
                    'origin': origin,
                    } for c in customers])

    def check_usable(self, customer, date, company):
        if self.state != 'issued':
            raise CouponError(gettext(
                    'beauty_pos.msg_coupon_not_usable',
                    coupon=self.code,
                    state=dict(COUPON_STATES)[self.state]))
        if date > self.expiry_date:
            raise CouponError(gettext(
                    'beauty_pos.msg_coupon_expired',
                    coupon=self.code, date=self.expiry_date))
        if customer is None or self.customer != customer:
            raise CouponError(gettext(
                    'beauty_pos.msg_coupon_other_customer',
                    coupon=self.code, customer=self.customer.rec_name))
        if self.company != company:
            raise CouponError(gettext(
                    'beauty_pos.msg_coupon_other_store',
                    coupon=self.code, store=self.company.rec_name))

    @classmethod
    def redeem(cls, coupon, sale, date):
        """Mark the coupon used by the sale: one guarded UPDATE, so that a
        code is used once even by concurrent checkouts."""
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.update(
                [table.state, table.sale, table.used_date],
                ['used', sale.id, date],
                where=(table.id == coupon.id)
                & (table.state == 'issued')
                & (table.expiry_date >= date)))
        if cursor.rowcount != 1:
            raise CouponError(gettext(
                    'beauty_pos.msg_coupon_used_concurrently',
                    coupon=coupon.code))
        clear_cache(cls, [coupon.id])

    @classmethod
    def restore(cls, coupon, sale):
        "Give the coupon back (the sale that used it is returned)"
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.update(
                [table.state, table.sale, table.used_date],
                ['issued', Null, Null],
                where=(table.id == coupon.id)
                & (table.state == 'used')
                & (table.sale == sale.id)))
        clear_cache(cls, [coupon.id])

    @classmethod
    def expire(cls, date=None):
        "Expire the issued coupons past their validity"
        pool = Pool()
        Date = pool.get('ir.date')
        if date is None:
            date = Date.today()
        coupons = cls.search([
                ('state', '=', 'issued'),
                ('expiry_date', '<', date),
                ])
        if coupons:
            cls.write(coupons, {'state': 'expired'})
        return coupons

    @classmethod
    def cron_expire(cls):
        cls.expire()


class CouponIssueStart(ModelView):
    "Issue coupons"
    __name__ = 'beauty.coupon.issue.start'
    template = fields.Many2One(
        'beauty.coupon.template', "Template", readonly=True)
    customers = fields.Many2Many(
        'party.party', None, None, "Customers", required=True)


class CouponIssue(Wizard):
    "Issue coupons to customers"
    __name__ = 'beauty.coupon.issue'
    start = StateView(
        'beauty.coupon.issue.start',
        'beauty_pos.coupon_issue_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Issue", 'issue', 'tryton-ok', default=True),
            ])
    issue = StateTransition()

    def default_start(self, fields):
        return {'template': self.record.id}

    def transition_issue(self):
        pool = Pool()
        Coupon = pool.get('beauty.coupon')
        Coupon.issue(self.record, self.start.customers)
        return 'end'
