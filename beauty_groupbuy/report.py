# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""Group-buy report per store, platform and month.

- vouchers redeemed, their takings (deal prices), the platforms' fees and
  the settlement (takings less fees), by the month of redemption;
- new customers acquired: customers whose first visit was paid by a voucher
  of the platform (see party.py), by the month of that visit;
- returned customers: those of them who came back later to the same store
  and paid a sale without any voucher (returns excluded); the conversion
  rate is returned / new.
"""
from decimal import Decimal

from sql import Literal, Null, Union
from sql.aggregate import Min, Sum
from sql.conditionals import Case, Coalesce
from sql.functions import DateTrunc

from trytond.model import ModelSQL, ModelView, fields
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool
from trytond.transaction import Transaction

DONE = ['done', 'posted']


class GroupbuyReport(ModelSQL, ModelView):
    "Group-buy report"
    __name__ = 'beauty.groupbuy.report'
    company = fields.Many2One('company.company', "Store", readonly=True)
    platform = fields.Many2One(
        'beauty.groupbuy.platform', "Platform", readonly=True)
    month = fields.Date("Month", readonly=True)
    vouchers = fields.Integer("Vouchers Redeemed", readonly=True)
    revenue = Monetary(
        "Deal Revenue", currency='currency', digits='currency',
        readonly=True, help="The deal prices of the redeemed vouchers.")
    fees = Monetary(
        "Platform Fees", currency='currency', digits='currency',
        readonly=True)
    settlement = Monetary(
        "Settlement", currency='currency', digits='currency', readonly=True,
        help="What the platform pays the store: revenue less fees.")
    new_customers = fields.Integer(
        "New Customers", readonly=True,
        help="Customers whose first visit was paid by a voucher of the "
        "platform.")
    returned_customers = fields.Integer(
        "Returned Customers", readonly=True,
        help="Of the new customers, those who came back and paid without "
        "a voucher.")
    conversion_rate = fields.Function(fields.Numeric(
            "Conversion Rate (%)", digits=(16, 1),
            help="Returned customers / new customers."),
        'get_conversion_rate')
    currency = fields.Function(fields.Many2One(
            'currency.currency', "Currency"), 'get_currency')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [
            ('month', 'DESC'), ('platform', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        Voucher = pool.get('beauty.groupbuy.voucher')
        Party = pool.get('party.party')
        Sale = pool.get('sale.point.sale')
        Payment = pool.get('sale.point.payment')
        Method = pool.get('sale.point.payment.method')
        voucher = Voucher.__table__()
        voucher2 = Voucher.__table__()
        voucher3 = Voucher.__table__()
        party = Party.__table__()
        party2 = Party.__table__()
        sale = Sale.__table__()
        payment = Payment.__table__()
        method = Method.__table__()
        zero = Literal(0)
        money_zero = Literal(Decimal(0))

        def month(date):
            return cls.month.sql_cast(DateTrunc('month', date))

        redeemed = voucher.select(
            (voucher.id * 2).as_('row_id'),
            voucher.company.as_('company'),
            voucher.platform.as_('platform'),
            month(voucher.date).as_('month'),
            Literal(1).as_('vouchers'),
            Coalesce(voucher.amount, money_zero).as_('revenue'),
            Coalesce(voucher.fee, money_zero).as_('fees'),
            zero.as_('new_customers'),
            zero.as_('returned_customers'),
            where=(voucher.state == 'redeemed') & (voucher.date != Null))

        with_voucher = payment.join(
            method, condition=payment.method == method.id).select(
                payment.sale, where=method.kind == 'groupbuy')
        came_back = sale.join(
            party2, condition=sale.customer == party2.id
            ).join(voucher3,
                condition=party2.groupbuy_voucher == voucher3.id
            ).select(
                sale.customer.as_('customer'),
                where=sale.state.in_(DONE)
                & (sale.returned_sale == Null)
                & (sale.company == voucher3.company)
                & (sale.date >= party2.groupbuy_date)
                & ~sale.id.in_(with_voucher),
                group_by=[sale.customer])
        acquired = party.join(
            voucher2, condition=party.groupbuy_voucher == voucher2.id
            ).join(came_back, 'LEFT',
                condition=came_back.customer == party.id
            ).select(
                (party.id * 2 + 1).as_('row_id'),
                voucher2.company.as_('company'),
                party.groupbuy_platform.as_('platform'),
                month(party.groupbuy_date).as_('month'),
                zero.as_('vouchers'),
                money_zero.as_('revenue'),
                money_zero.as_('fees'),
                Literal(1).as_('new_customers'),
                Case((came_back.customer != Null, 1),
                    else_=0).as_('returned_customers'),
                where=(party.groupbuy_platform != Null)
                & (party.groupbuy_date != Null))

        union = Union(redeemed, acquired, all_=True)
        revenue = Sum(union.revenue)
        fees = Sum(union.fees)
        return union.select(
            Min(union.row_id).as_('id'),
            union.company.as_('company'),
            union.platform.as_('platform'),
            union.month.as_('month'),
            Sum(union.vouchers).as_('vouchers'),
            revenue.as_('revenue'),
            fees.as_('fees'),
            (revenue - fees).as_('settlement'),
            Sum(union.new_customers).as_('new_customers'),
            Sum(union.returned_customers).as_('returned_customers'),
            group_by=[union.company, union.platform, union.month])

    def get_conversion_rate(self, name):
        if not self.new_customers:
            return None
        return (Decimal(self.returned_customers or 0) * 100
            / Decimal(self.new_customers)).quantize(Decimal('0.1'))

    def get_currency(self, name):
        return self.company.currency.id


class GroupbuyReportContext(ModelView):
    "Group-buy report filters"
    __name__ = 'beauty.groupbuy.report.context'
    company = fields.Many2One('company.company', "Store", required=True)
    platform = fields.Many2One(
        'beauty.groupbuy.platform', "Platform",
        help="Empty: every platform.")
    from_month = fields.Date(
        "From", help="The first month shown (any day of it).")
    to_month = fields.Date("To", help="The last month shown.")

    @staticmethod
    def default_company():
        return Transaction().context.get('company')
