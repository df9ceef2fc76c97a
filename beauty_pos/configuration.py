# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import (
    ModelSingleton, ModelSQL, ModelView, fields)
from trytond.modules.company.model import (
    CompanyMultiValueMixin, CompanyValueMixin)
from trytond.pool import Pool
from trytond.pyson import Eval, Id
from trytond.transaction import Transaction

from .exceptions import ConfigurationError

SPENDING_ORDERS = [
    ('principal_first', "Principal First"),
    ('bonus_first', "Bonus First"),
    ]

# company-dependent settings and their defaults
ACCOUNT_FIELDS = [
    'prepaid_account', 'package_account', 'bonus_account', 'coupon_account',
    'points_account', 'breakage_account',
    ]
VALUE_FIELDS = ACCOUNT_FIELDS + [
    'card_sequence', 'package_sequence', 'journal', 'topup_product',
    'cooling_off_days', 'spending_order', 'point_value',
    ]


def _account(string, help):
    return fields.Many2One(
        'account.account', string,
        domain=[
            ('company', '=', Eval('context', {}).get('company', -1)),
            ('type', '!=', None),
            ('closed', '!=', True),
            ],
        help=help)


class Configuration(
        ModelSingleton, ModelSQL, ModelView, CompanyMultiValueMixin):
    "Salon checkout configuration"
    __name__ = 'beauty.pos.configuration'

    card_sequence = fields.MultiValue(fields.Many2One(
            'ir.sequence', "Card Sequence",
            domain=[
                ('company', 'in',
                    [Eval('context', {}).get('company', -1), None]),
                ('sequence_type', '=',
                    Id('beauty_pos', 'sequence_type_card')),
                ],
            help="Numbers the stored-value cards."))
    package_sequence = fields.MultiValue(fields.Many2One(
            'ir.sequence', "Package Sequence",
            domain=[
                ('company', 'in',
                    [Eval('context', {}).get('company', -1), None]),
                ('sequence_type', '=',
                    Id('beauty_pos', 'sequence_type_package')),
                ],
            help="Numbers the treatment packages sold."))
    prepaid_account = fields.MultiValue(_account(
            "Prepaid Card Liability",
            "The liability (预收账款) credited by top-ups and bonuses and "
            "debited by card spending and refunds."))
    package_account = fields.MultiValue(_account(
            "Prepaid Package Liability",
            "The liability credited by package sales and debited by each "
            "session used, refunds and expiry."))
    bonus_account = fields.MultiValue(_account(
            "Card Bonus",
            "Debited with the bonus granted at top-up (a sales discount); "
            "the counterpart of manual adjustments."))
    coupon_account = fields.MultiValue(_account(
            "Coupon Discount",
            "Debited with the amount of the coupons redeemed."))
    points_account = fields.MultiValue(_account(
            "Points Redemption",
            "Debited with the value of the points redeemed as payment."))
    breakage_account = fields.MultiValue(_account(
            "Forfeited Prepaid Balances",
            "Credited with what a refund or an expiry does not pay back."))
    journal = fields.MultiValue(fields.Many2One(
            'account.journal', "Journal",
            context={
                'company': Eval('context', {}).get('company', -1),
                },
            help="The journal of the card and package moves made outside "
            "a sale (refunds, adjustments, bonuses, expiry)."))
    topup_product = fields.MultiValue(fields.Many2One(
            'product.product', "Top-up Product",
            domain=[('type', '=', 'service')],
            help="The product sold at the checkout to top up a card."))
    cooling_off_days = fields.MultiValue(fields.Integer(
            "Cooling-off Days",
            domain=['OR',
                ('cooling_off_days', '=', None),
                ('cooling_off_days', '>=', 0),
                ],
            help="Within this many days after a top-up or a package sale the "
            "unused principal is refunded in full, consumption valued at "
            "the price actually paid."))
    spending_order = fields.MultiValue(fields.Selection(
            SPENDING_ORDERS, "Spending Order",
            help="Which part of a card balance a spend takes first."))
    point_value = fields.MultiValue(fields.Numeric(
            "Point Value", digits=(16, 4),
            domain=['OR',
                ('point_value', '=', None),
                ('point_value', '>=', 0),
                ],
            help="The amount one point is worth when redeemed as payment."))

    @classmethod
    def multivalue_model(cls, field):
        pool = Pool()
        if field in VALUE_FIELDS:
            return pool.get('beauty.pos.configuration.company')
        return super().multivalue_model(field)

    @classmethod
    def default_cooling_off_days(cls, **pattern):
        return 7

    @classmethod
    def default_spending_order(cls, **pattern):
        return 'principal_first'

    @classmethod
    def default_point_value(cls, **pattern):
        return Decimal('0.01')

    @classmethod
    def default_card_sequence(cls, **pattern):
        return cls.multivalue_model(
            'card_sequence').default_card_sequence()

    @classmethod
    def default_package_sequence(cls, **pattern):
        return cls.multivalue_model(
            'package_sequence').default_package_sequence()

    @classmethod
    def get_value(cls, name, company=None, required=True):
        """The setting of the company (default: the context company);
        raises a clear error naming the setting when it is missing."""
        if company is None:
            company = Transaction().context.get('company')
        config = cls(1)
        value = config.get_multivalue(name, company=int(company))
        if required and value is None:
            pool = Pool()
            Company = pool.get('company.company')
            raise ConfigurationError(gettext(
                    'beauty_pos.msg_configuration_missing',
                    field=cls.fields_get([name])[name]['string'],
                    company=Company(int(company)).rec_name))
        return value


class ConfigurationCompany(ModelSQL, CompanyValueMixin):
    "Salon checkout configuration per store"
    __name__ = 'beauty.pos.configuration.company'

    card_sequence = fields.Many2One(
        'ir.sequence', "Card Sequence",
        domain=[
            ('company', 'in', [Eval('company', -1), None]),
            ('sequence_type', '=', Id('beauty_pos', 'sequence_type_card')),
            ])
    package_sequence = fields.Many2One(
        'ir.sequence', "Package Sequence",
        domain=[
            ('company', 'in', [Eval('company', -1), None]),
            ('sequence_type', '=',
                Id('beauty_pos', 'sequence_type_package')),
            ])
    prepaid_account = fields.Many2One('account.account', "Prepaid Account")
    package_account = fields.Many2One('account.account', "Package Account")
    bonus_account = fields.Many2One('account.account', "Bonus Account")
    coupon_account = fields.Many2One('account.account', "Coupon Account")
    points_account = fields.Many2One('account.account', "Points Account")
    breakage_account = fields.Many2One(
        'account.account', "Breakage Account")
    journal = fields.Many2One('account.journal', "Journal")
    topup_product = fields.Many2One('product.product', "Top-up Product")
    cooling_off_days = fields.Integer("Cooling-off Days")
    spending_order = fields.Selection(SPENDING_ORDERS, "Spending Order")
    point_value = fields.Numeric("Point Value", digits=(16, 4))

    @classmethod
    def default_card_sequence(cls):
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        try:
            return ModelData.get_id('beauty_pos', 'sequence_card')
        except KeyError:
            return None

    @classmethod
    def default_package_sequence(cls):
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        try:
            return ModelData.get_id('beauty_pos', 'sequence_package')
        except KeyError:
            return None

    @classmethod
    def default_cooling_off_days(cls):
        return 7

    @classmethod
    def default_spending_order(cls):
        return 'principal_first'

    @classmethod
    def default_point_value(cls):
        return Decimal('0.01')
