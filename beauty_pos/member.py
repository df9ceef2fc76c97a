# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""Member levels, top-up bonus rules and the points ledger."""
from collections import defaultdict
from decimal import Decimal

from sql import Null
from sql.aggregate import Sum
from sql.conditionals import Coalesce

from trytond import backend
from trytond.i18n import gettext
from trytond.model import (
    Check, DeactivableMixin, Index, ModelSQL, ModelView, fields)
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .exceptions import AmountError, LedgerAccessError, PointsError
from .ledger import guarded_update, read_for_update


class MemberLevel(DeactivableMixin, ModelSQL, ModelView):
    "Member level (会员等级)"
    __name__ = 'beauty.member.level'
    name = fields.Char("Name", required=True, translate=True)
    sequence = fields.Integer(
        "Rank", required=True,
        help="Higher ranks are better levels: a customer is only ever "
        "upgraded to a level of higher rank.")
    discount = fields.Numeric(
        "Discount", digits=(16, 4), required=True,
        domain=[('discount', '>=', 0), ('discount', '<', 1)],
        help="The share taken off the price of services and products "
        "(0.12 = 12% off, i.e. 88折).")
    points_rate = fields.Numeric(
        "Points per Yuan", digits=(16, 4), required=True,
        domain=[('points_rate', '>=', 0)],
        help="Points earned for each yuan paid.")
    upgrade_threshold = Monetary(
        "Upgrade Threshold", currency='currency', digits='currency',
        required=True,
        domain=[('upgrade_threshold', '>=', 0)],
        help="A customer whose cumulative spend reaches this amount is "
        "upgraded to this level automatically.")
    currency = fields.Many2One(
        'currency.currency', "Currency", required=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('sequence', 'ASC'), ('id', 'ASC')]

    @staticmethod
    def default_discount():
        return Decimal(0)

    @staticmethod
    def default_points_rate():
        return Decimal(1)

    @staticmethod
    def default_upgrade_threshold():
        return Decimal(0)

    @staticmethod
    def default_sequence():
        return 10

    @staticmethod
    def default_currency():
        pool = Pool()
        Company = pool.get('company.company')
        company = Transaction().context.get('company')
        if company is not None and company >= 0:
            return Company(company).currency.id

    @classmethod
    def level_for(cls, spend):
        "The best active level whose threshold spend reaches"
        best = None
        for level in cls.search([('upgrade_threshold', '<=', spend)]):
            if best is None or level.sequence > best.sequence:
                best = level
        return best


class TopUpRule(DeactivableMixin, ModelSQL, ModelView):
    "Top-up bonus rule (充值赠送: 充1000送200)"
    __name__ = 'beauty.member.topup.rule'
    company = fields.Many2One(
        'company.company', "Store", required=True, ondelete='CASCADE')
    name = fields.Char("Name", required=True)
    minimum = Monetary(
        "Minimum Top-up", currency='currency', digits='currency',
        required=True,
        domain=[('minimum', '>', 0)],
        help="The rule applies to top-ups of at least this amount.")
    bonus = Monetary(
        "Bonus", currency='currency', digits='currency', required=True,
        domain=[('bonus', '>=', 0)],
        help="The fixed amount credited as bonus.")
    bonus_rate = fields.Numeric(
        "Bonus Rate", digits=(16, 4), required=True,
        domain=[('bonus_rate', '>=', 0), ('bonus_rate', '<=', 1)],
        help="A share of the top-up added to the fixed bonus "
        "(0.1 = 10%).")
    level = fields.Many2One(
        'beauty.member.level', "Member Level",
        help="Only for customers of this level (empty: everyone).")
    start_date = fields.Date("Start Date")
    end_date = fields.Date(
        "End Date",
        domain=['OR',
            ('end_date', '=', None),
            ('end_date', '>=', Eval('start_date', None)),
            ])
    currency = fields.Function(fields.Many2One(
            'currency.currency', "Currency"), 'on_change_with_currency')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('minimum', 'ASC'), ('id', 'ASC')]

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_bonus():
        return Decimal(0)

    @staticmethod
    def default_bonus_rate():
        return Decimal(0)

    @fields.depends('company')
    def on_change_with_currency(self, name=None):
        return self.company.currency if self.company else None

    def compute_bonus(self, amount):
        return self.company.currency.round(
            self.bonus + amount * self.bonus_rate)

    @classmethod
    def bonus_for(cls, company, amount, date, level=None):
        "The largest bonus the rules of the store give to this top-up"
        pool = Pool()
        Company = pool.get('company.company')
        company = Company(int(company))
        bonus = Decimal(0)
        if amount and amount > 0:
            rules = cls.search([
                    ('company', '=', company.id),
                    ('minimum', '<=', amount),
                    ['OR', ('start_date', '=', None),
                        ('start_date', '<=', date)],
                    ['OR', ('end_date', '=', None),
                        ('end_date', '>=', date)],
                    ['OR', ('level', '=', None),
                        ('level', '=', int(level) if level else None)],
                    ])
            bonus = max((r.compute_bonus(amount) for r in rules),
                default=bonus)
        return company.currency.round(bonus)


POINTS_TYPES = [
    ('earn', "Earned"),
    ('redeem', "Redeemed"),
    ('return', "Returned"),
    ('adjustment', "Adjustment"),
    ]


class PointsLine(ModelSQL, ModelView):
    "Points ledger line (积分流水): append-only"
    __name__ = 'beauty.points.line'
    customer = fields.Many2One(
        'party.party', "Customer", required=True, readonly=True,
        ondelete='RESTRICT')
    company = fields.Many2One(
        'company.company', "Store", required=True, readonly=True,
        ondelete='RESTRICT')
    date = fields.Date("Date", required=True, readonly=True)
    type = fields.Selection(
        POINTS_TYPES, "Type", required=True, readonly=True)
    points = fields.Integer("Points", required=True, readonly=True)
    balance = fields.Integer(
        "Balance", readonly=True,
        help="The customer's points after this line.")
    sale = fields.Many2One(
        'sale.point.sale', "Sale", readonly=True, ondelete='RESTRICT')
    description = fields.Char("Description", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._order = [('id', 'DESC')]
        cls._sql_indexes.update({
                Index(t, (t.customer, Index.Range()),
                    (t.id, Index.Range(order='DESC'))),
                Index(t, (t.sale, Index.Range()), where=t.sale != Null),
                })
        cls._sql_constraints += [
            ('balance_positive', Check(t, t.balance >= 0),
                'beauty_pos.msg_points_negative_check'),
            ]

    @classmethod
    def check_modification(cls, mode, lines, values=None, external=False):
        super().check_modification(
            mode, lines, values=values, external=external)
        if mode in {'write', 'delete'}:
            raise LedgerAccessError(gettext(
                    'beauty_pos.msg_ledger_append_only',
                    ledger=cls.__names__()['model']))

    @classmethod
    def post(cls, entries):
        """Apply points movements and write their ledger lines.

        entries: dicts with customer, company, date, type, points (signed
        int), and optionally sale and description. The customer's balance is
        changed by one guarded UPDATE per customer; a movement that would
        make it negative is refused with an error naming the customer.
        """
        pool = Pool()
        Party = pool.get('party.party')
        by_customer = defaultdict(list)
        for entry in entries:
            if not entry['points']:
                continue
            by_customer[int(entry['customer'])].append(entry)
        if not by_customer:
            return []
        customers = sorted(by_customer)
        Party.lock(Party.browse(customers))
        current = read_for_update(Party, customers, ['points_balance'])
        to_create = []
        for customer_id in customers:
            balance = current[customer_id]['points_balance'] or 0
            start = balance
            for entry in by_customer[customer_id]:
                balance += entry['points']
                if balance < 0:
                    cls._raise_insufficient(customer_id, start, entry)
                values = entry.copy()
                values['customer'] = customer_id
                values['balance'] = balance
                to_create.append(values)
            result = guarded_update(
                Party, customer_id, {'points_balance': balance - start},
                {'points_balance': start})
            if result is None or result['points_balance'] != balance:
                cls._raise_insufficient(
                    customer_id, start, by_customer[customer_id][-1])
        return cls.create(to_create)

    @classmethod
    def _raise_insufficient(cls, customer_id, balance, entry):
        pool = Pool()
        Party = pool.get('party.party')
        raise PointsError(gettext(
                'beauty_pos.msg_points_insufficient',
                customer=Party(customer_id).rec_name,
                balance=balance, points=-entry['points']))
