# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
from collections import defaultdict
from decimal import Decimal

from sql.aggregate import Sum
from sql.conditionals import Coalesce

from trytond import backend
from trytond.model import Check, fields
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction

from .ledger import in_, typed

SPEND_STATES = ['done', 'posted']


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    member_level = fields.Many2One(
        'beauty.member.level', "Member Level", readonly=True,
        ondelete='RESTRICT',
        help="Upgraded automatically when the cumulative spend reaches the "
        "threshold of a higher level.")
    points_balance = fields.Integer(
        "Points", readonly=True,
        help="Points available, from the points ledger.")
    member_cards = fields.One2Many(
        'beauty.member.card', 'customer', "Stored-value Cards",
        readonly=True)
    packages = fields.One2Many(
        'beauty.package', 'customer', "Treatment Packages", readonly=True)
    coupons = fields.One2Many(
        'beauty.coupon', 'customer', "Coupons", readonly=True)
    points_lines = fields.One2Many(
        'beauty.points.line', 'customer', "Points Ledger", readonly=True)
    cumulative_spend = fields.Function(Monetary(
            "Cumulative Spend", currency='spend_currency',
            digits='spend_currency',
            help="Money paid at the checkout (cash, WeChat Pay, Alipay, "
            "bank card), top-ups included, less returns."),
        'get_spend')
    card_balance = fields.Function(Monetary(
            "Card Balance", currency='spend_currency',
            digits='spend_currency',
            help="The balance of the customer's active stored-value cards."),
        'get_spend')
    spend_currency = fields.Function(fields.Many2One(
            'currency.currency', "Currency"), 'get_spend_currency')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('points_balance_positive',
                Check(t, t.points_balance >= 0),
                'beauty_pos.msg_points_negative_check'),
            ]

    @staticmethod
    def default_points_balance():
        return 0

    @classmethod
    def copy(cls, parties, default=None):
        default = default.copy() if default else {}
        default.setdefault('points_balance', 0)
        default.setdefault('member_level', None)
        default.setdefault('member_cards')
        default.setdefault('packages')
        default.setdefault('coupons')
        default.setdefault('points_lines')
        return super().copy(parties, default=default)

    def get_spend_currency(self, name):
        pool = Pool()
        Company = pool.get('company.company')
        company = Transaction().context.get('company')
        if company is not None and company >= 0:
            return Company(company).currency.id

    @classmethod
    def get_spend(cls, parties, names):
        "Cumulative spend and card balance in two SQL aggregates"
        pool = Pool()
        Sale = pool.get('sale.point.sale')
        Line = pool.get('sale.point.sale.line')
        Card = pool.get('beauty.member.card')
        cursor = Transaction().connection.cursor()
        result = {n: defaultdict(Decimal) for n in names}
        ids = [p.id for p in parties]
        sale = Sale.__table__()
        line = Line.__table__()
        card = Card.__table__()
        if 'cumulative_spend' in names:
            query = line.join(sale, condition=line.sale == sale.id).select(
                sale.customer,
                Sum(Coalesce(line.paid_money, 0)),
                where=in_(sale.customer, ids)
                & sale.state.in_(SPEND_STATES),
                group_by=[sale.customer])
            cursor.execute(*typed(query, [None, 'NUMERIC']))
            result['cumulative_spend'].update(cursor)
        if 'card_balance' in names:
            query = card.select(
                card.customer,
                Sum(card.principal_balance + card.bonus_balance),
                where=in_(card.customer, ids)
                & (card.state == 'active'),
                group_by=[card.customer])
            cursor.execute(*typed(query, [None, 'NUMERIC']))
            result['card_balance'].update(cursor)
        currency = None
        company = Transaction().context.get('company')
        if company is not None and company >= 0:
            currency = Pool().get('company.company')(company).currency
        for name in names:
            result[name] = {
                i: currency.round(result[name][i]) if currency
                else result[name][i] for i in ids}
        return result

    @classmethod
    def cumulative_spends(cls, parties):
        return cls.get_spend(parties, ['cumulative_spend'])[
            'cumulative_spend']

    @classmethod
    def update_member_levels(cls, parties):
        """Upgrade the customers whose cumulative spend reaches a better
        level (never downgrade); their active cards follow."""
        pool = Pool()
        Level = pool.get('beauty.member.level')
        Card = pool.get('beauty.member.card')
        levels = Level.search([], order=[('sequence', 'DESC')])
        if not levels or not parties:
            return
        spends = cls.cumulative_spends(parties)
        to_write = defaultdict(list)
        for party in parties:
            spend = spends.get(party.id, Decimal(0))
            current = party.member_level
            for level in levels:
                if level.upgrade_threshold <= spend:
                    if (current is None
                            or level.sequence > current.sequence):
                        to_write[level].append(party)
                    break
        for level, level_parties in to_write.items():
            cls.write(level_parties, {'member_level': level.id})
            cards = Card.search([
                    ('customer', 'in', [p.id for p in level_parties]),
                    ('state', '=', 'active'),
                    ])
            if cards:
                Card.write(cards, {'level': level.id})


class Erase(metaclass=PoolMeta):
    __name__ = 'party.erase'

    def to_erase(self, party_id):
        """The personal texts of her cards, packages and sales: notes,
        signatures (their files too), confirmation codes. The sales, the
        ledgers and their account moves stay."""
        pool = Pool()
        Card = pool.get('beauty.member.card')
        CardRefund = pool.get('beauty.member.card.refund')
        PackageRefund = pool.get('beauty.package.refund')
        PackageUse = pool.get('beauty.package.use')
        Sale = pool.get('sale.point.sale')
        to_erase = super().to_erase(party_id)
        to_erase.extend([
                (Card, [('customer', '=', party_id)], True,
                    ['note'], [None]),
                (CardRefund, [('card.customer', '=', party_id)], True,
                    ['note'], [None]),
                (PackageRefund, [('package.customer', '=', party_id)], True,
                    ['note'], [None]),
                (PackageUse, [('package.customer', '=', party_id)], False,
                    ['signature_id'], [None]),
                (Sale, [('customer', '=', party_id)], False,
                    ['signature_id', 'confirmation_code'], [None, None]),
                ])
        return to_erase
