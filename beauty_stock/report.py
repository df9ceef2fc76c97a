# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""Analyses in SQL: product sales, margin and trend, expected against actual
usage of the consumables, repurchase reminders."""
import datetime as dt

from sql import Cast, Literal, Null, Union
from sql.aggregate import Max, Min, Sum
from sql.conditionals import Case, Coalesce
from sql.functions import DateTrunc

from beauty_pos.closing import line_amount

from trytond.model import ModelSQL, ModelView, fields
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.transaction import Transaction, without_check_access

from .stock import NEAR_EXPIRY_DAYS, consumption_location

DONE = ['done', 'posted']
# the rows grouped by two ids get the id first * PAIR + second: unique as
# long as the second stays below PAIR, and exact in the client (< 2**53)
PAIR = 1000000


def If_set(name, operator, other):
    return If(Eval(other), (name, operator, Eval(other)), ())


def pair_id(first, second):
    "A unique id of the row grouped by the two ids (second may be NULL)"
    return (Cast(first, 'BIGINT') * Literal(PAIR)
        + Coalesce(second, Literal(0)))


class SalesContext(ModelView):
    "Sales analysis filters"
    __name__ = 'beauty.stock.report.sales.context'
    company = fields.Many2One('company.company', "Store", required=True)
    from_date = fields.Date(
        "From", domain=[
            If_set('from_date', '<=', 'to_date'),
            ])
    to_date = fields.Date("To")

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_from_date():
        today = Pool().get('ir.date').today()
        return today.replace(day=1)


def _cost_prices():
    "The cost price of the products per store (one row each)"
    CostPrice = Pool().get('product.cost_price')
    cost = CostPrice.__table__()
    return cost.select(
        cost.product.as_('product'),
        cost.company.as_('company'),
        Max(cost.cost_price).as_('cost_price'),
        where=(cost.product != Null) & (cost.company != Null),
        group_by=[cost.product, cost.company])


def _sold_lines(with_month=False):
    "Processed sale lines of products and services with their cost"
    pool = Pool()
    Sale = pool.get('sale.point.sale')
    Line = pool.get('sale.point.sale.line')
    context = Transaction().context
    sale = Sale.__table__()
    line = Line.__table__()
    cost = _cost_prices()
    where = sale.state.in_(DONE) & line.kind.in_(['goods', 'service'])
    where &= sale.company == context.get('company', -1)
    if context.get('from_date'):
        where &= sale.date >= context['from_date']
    if context.get('to_date'):
        where &= sale.date <= context['to_date']
    query = (line
        .join(sale, condition=line.sale == sale.id)
        .join(cost, 'LEFT', condition=(cost.product == line.product)
            & (cost.company == sale.company)))
    return query, where, sale, line, cost


class _SalesMixin:
    __slots__ = ()
    company = fields.Many2One('company.company', "Store", readonly=True)
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"), 'get_currency')
    product = fields.Many2One('product.product', "Product", readonly=True)
    quantity = fields.Float("Quantity Sold", readonly=True)
    revenue = Monetary(
        "Revenue", currency='currency', digits='currency', readonly=True,
        help="What the customers paid for the lines (money, card, package "
        "sessions, coupons and points).")
    cost = Monetary(
        "Cost", currency='currency', digits='currency', readonly=True,
        help="The product's cost price times the quantity sold.")
    margin = Monetary(
        "Margin", currency='currency', digits='currency', readonly=True)
    margin_rate = fields.Function(
        fields.Numeric("Margin Rate", digits=(16, 4)), 'get_margin_rate')

    def get_currency(self, name):
        return self.company.currency

    def get_margin_rate(self, name):
        if self.revenue:
            return (self.margin / self.revenue).quantize(
                type(self.margin)('0.0001'))

    @classmethod
    def _sales_columns(cls, line, cost):
        digits = cls.revenue.digits
        revenue = Sum(line_amount(line))
        line_cost = Sum(cls.cost.sql_cast(
                Coalesce(cost.cost_price, 0) * line.quantity))
        return [
            Sum(line.quantity).as_('quantity'),
            revenue.as_('revenue'),
            line_cost.as_('cost'),
            (revenue - line_cost).as_('margin'),
            ]


class ProductSales(_SalesMixin, ModelSQL, ModelView):
    "Product sales and margin (ranking)"
    __name__ = 'beauty.stock.report.product_sales'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('revenue', 'DESC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        query, where, sale, line, cost = _sold_lines()
        return query.select(
            line.product.as_('id'),
            sale.company.as_('company'),
            line.product.as_('product'),
            *cls._sales_columns(line, cost),
            where=where,
            group_by=[line.product, sale.company])


class ProductSalesMonthly(_SalesMixin, ModelSQL, ModelView):
    "Product sales and margin per month (trend)"
    __name__ = 'beauty.stock.report.product_sales.monthly'
    month = fields.Date("Month", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('month', 'ASC'), ('revenue', 'DESC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        query, where, sale, line, cost = _sold_lines()
        # the month is computed in a sub-query: PostgreSQL does not match
        # a parameterised DATE_TRUNC of the SELECT with that of GROUP BY
        month = cls.month.sql_cast(DateTrunc('month', sale.date))
        lines = query.select(
            line.id.as_('id'),
            sale.company.as_('company'),
            line.product.as_('product'),
            month.as_('month'),
            line.quantity.as_('quantity'),
            line_amount(line).as_('amount'),
            cls.cost.sql_cast(
                Coalesce(cost.cost_price, 0) * line.quantity).as_('cost'),
            where=where)
        revenue = Sum(lines.amount)
        line_cost = Sum(lines.cost)
        return lines.select(
            Min(lines.id).as_('id'),
            lines.company.as_('company'),
            lines.product.as_('product'),
            lines.month.as_('month'),
            Sum(lines.quantity).as_('quantity'),
            revenue.as_('revenue'),
            line_cost.as_('cost'),
            (revenue - line_cost).as_('margin'),
            group_by=[lines.product, lines.company, lines.month])


class UsageContext(ModelView):
    "Usage report filters"
    __name__ = 'beauty.stock.report.usage.context'
    company = fields.Many2One('company.company', "Store", required=True)
    from_date = fields.Date(
        "From", domain=[
            If_set('from_date', '<=', 'to_date'),
            ],
        help="The first day of the period; stocktakes done in the period "
        "give the actual usage.")
    to_date = fields.Date("To")

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_from_date():
        today = Pool().get('ir.date').today()
        return today.replace(day=1)


def _usage_where(move):
    "The done moves of the context's store and period"
    context = Transaction().context
    where = (move.state == 'done')
    where &= move.company == context.get('company', -1)
    if context.get('from_date'):
        where &= move.effective_date >= context['from_date']
    if context.get('to_date'):
        where &= move.effective_date <= context['to_date']
    return where


class Usage(ModelSQL, ModelView):
    "Expected against actual usage of the consumables"
    __name__ = 'beauty.stock.report.usage'
    company = fields.Many2One('company.company', "Store", readonly=True)
    product = fields.Many2One('product.product', "Product", readonly=True)
    unit = fields.Function(
        fields.Many2One('product.uom', "Unit"), 'get_unit')
    expected = fields.Float(
        "Expected Usage", readonly=True,
        help="What the services checked out should have used "
        "(their consumables), in the product's unit.")
    stocktake_difference = fields.Float(
        "Stocktaking Difference", readonly=True,
        help="Missing at stocktaking (positive) or found in excess "
        "(negative).")
    actual = fields.Float(
        "Actual Usage", readonly=True,
        help="Expected usage plus the stocktaking difference.")
    written_off = fields.Float(
        "Written Off", readonly=True,
        help="Write-offs (报损) of the period, not counted as usage.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('product', 'ASC'), ('id', 'ASC')]

    def get_unit(self, name):
        return self.product.default_uom

    @classmethod
    def table_query(cls):
        pool = Pool()
        Move = pool.get('stock.move')
        Location = pool.get('stock.location')
        move = Move.__table__()
        from_ = Location.__table__()
        to = Location.__table__()
        consumption = consumption_location().id
        zero = Literal(0.0)
        qty = Coalesce(move.internal_quantity, zero)
        inventory = move.origin.like('stock.inventory.line,%')
        write_off = move.origin.like('beauty.stock.write_off,%')
        expected = Case(
            ((move.to_location == consumption), qty),
            ((move.from_location == consumption), -qty),
            else_=zero)
        difference = Case(
            (inventory & (to.type == 'lost_found'), qty),
            (inventory & (from_.type == 'lost_found'), -qty),
            else_=zero)
        written = Case(
            (write_off & (to.type == 'lost_found'), qty),
            else_=zero)
        where = _usage_where(move)
        where &= ((move.to_location == consumption)
            | (move.from_location == consumption)
            | inventory | write_off)
        return (move
            .join(from_, condition=move.from_location == from_.id)
            .join(to, condition=move.to_location == to.id)
            .select(
                move.product.as_('id'),
                move.company.as_('company'),
                move.product.as_('product'),
                Sum(expected).as_('expected'),
                Sum(difference).as_('stocktake_difference'),
                (Sum(expected) + Sum(difference)).as_('actual'),
                Sum(written).as_('written_off'),
                where=where,
                group_by=[move.product, move.company]))


class UsageEmployee(ModelSQL, ModelView):
    """Expected against actual usage per beautician

    The expected usage is that of the services each beautician performed
    (her share of the sale line). The stocktaking difference of a product is
    shared among the beauticians in proportion to their expected usage of
    it; a difference on a product no service used stays without
    beautician."""
    __name__ = 'beauty.stock.report.usage.employee'
    company = fields.Many2One('company.company', "Store", readonly=True)
    employee = fields.Many2One(
        'company.employee', "Beautician", readonly=True,
        help="Who performed the services; empty for the usage no service "
        "line records (a difference on a product no service used).")
    product = fields.Many2One('product.product', "Product", readonly=True)
    unit = fields.Function(
        fields.Many2One('product.uom', "Unit"), 'get_unit')
    expected = fields.Float(
        "Expected Usage", readonly=True,
        help="The consumables of the services the beautician performed, "
        "in the product's unit.")
    stocktake_difference = fields.Float(
        "Stocktaking Difference", readonly=True,
        help="The beautician's part of the product's stocktaking "
        "difference, in proportion to her expected usage.")
    actual = fields.Float(
        "Actual Usage", readonly=True,
        help="Expected usage plus the stocktaking difference.")
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"), 'get_currency')
    expected_cost = Monetary(
        "Expected Cost", currency='currency', digits='currency',
        readonly=True, help="The expected usage at the cost price.")
    actual_cost = Monetary(
        "Actual Cost", currency='currency', digits='currency',
        readonly=True, help="The actual usage at the cost price.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [
            ('employee', 'ASC NULLS LAST'), ('product', 'ASC'), ('id', 'ASC')]

    def get_unit(self, name):
        return self.product.default_uom

    def get_currency(self, name):
        return self.company.currency

    @classmethod
    def table_query(cls):
        pool = Pool()
        Move = pool.get('stock.move')
        Line = pool.get('sale.point.sale.line')
        Share = pool.get('sale.point.sale.line.employee')
        Usage = pool.get('beauty.stock.report.usage')
        move = Move.__table__()
        share = Share.__table__()
        cost = _cost_prices()
        consumption = consumption_location().id
        zero = cls.expected.sql_cast(Literal(0))
        qty = Coalesce(move.internal_quantity, zero)
        expected = Case(((move.to_location == consumption), qty), else_=-qty)
        line_id = Case(
            (move.origin.like('sale.point.sale.line,%'),
                Move.origin.sql_id(move.origin, Line)),
            else_=Null)
        where = _usage_where(move)
        where &= ((move.to_location == consumption)
            | (move.from_location == consumption))
        # expected usage per beautician, by her share of the line
        by_employee = (move
            .join(share, 'LEFT', condition=share.line == line_id)
            .select(
                move.company.as_('company'),
                move.product.as_('product'),
                share.employee.as_('employee'),
                Sum(expected * cls.expected.sql_cast(
                        Coalesce(share.share, Literal(1)))).as_('expected'),
                zero.as_('difference'),
                where=where,
                group_by=[move.company, move.product, share.employee]))
        # a difference on a product no service used: without beautician
        product = Usage.table_query()
        unused = product.select(
            product.company.as_('company'),
            product.product.as_('product'),
            Literal(None).as_('employee'),
            zero.as_('expected'),
            product.stocktake_difference.as_('difference'),
            where=(product.expected == zero)
            & (product.stocktake_difference != zero))
        union = Union(by_employee, unused, all_=True)
        rows = union.select(
            union.company.as_('company'),
            union.product.as_('product'),
            union.employee.as_('employee'),
            Sum(union.expected).as_('expected'),
            Sum(union.difference).as_('difference'),
            group_by=[union.company, union.product, union.employee])
        product = Usage.table_query()
        difference = Case(
            (product.expected != zero,
                product.stocktake_difference * rows.expected
                / product.expected),
            else_=rows.difference)
        cost_price = Coalesce(cost.cost_price, Literal(0))
        return (rows
            .join(product, condition=(product.product == rows.product)
                & (product.company == rows.company))
            .join(cost, 'LEFT', condition=(cost.product == rows.product)
                & (cost.company == rows.company))
            .select(
                pair_id(rows.product, rows.employee).as_('id'),
                rows.company.as_('company'),
                rows.employee.as_('employee'),
                rows.product.as_('product'),
                rows.expected.as_('expected'),
                difference.as_('stocktake_difference'),
                (rows.expected + difference).as_('actual'),
                cls.expected_cost.sql_cast(
                    cost_price * rows.expected).as_('expected_cost'),
                cls.actual_cost.sql_cast(
                    cost_price * (rows.expected + difference)
                    ).as_('actual_cost')))


class NearExpiryContext(ModelView):
    "Near expiry filters"
    __name__ = 'beauty.stock.report.near_expiry.context'
    company = fields.Many2One('company.company', "Store", required=True)
    days = fields.Integer(
        "Within (Days)", required=True,
        domain=[('days', '>=', 0)],
        help="The lots in stock that expire within this many days, and "
        "those already expired, are listed.")

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_days():
        return NEAR_EXPIRY_DAYS


class NearExpiry(ModelSQL, ModelView):
    "Lots near expiry still in stock, per warehouse"
    __name__ = 'beauty.stock.report.near_expiry'
    company = fields.Many2One('company.company', "Store", readonly=True)
    warehouse = fields.Many2One(
        'stock.location', "Warehouse", readonly=True)
    product = fields.Many2One('product.product', "Product", readonly=True)
    lot = fields.Many2One('stock.lot', "Lot", readonly=True)
    expiry_date = fields.Date("Expiry Date", readonly=True)
    days_left = fields.Function(
        fields.Integer("Days Left",
            help="Days until the expiry date; negative when expired."),
        'get_days_left')
    quantity = fields.Float(
        "Quantity", digits='unit', readonly=True,
        help="In stock in the warehouse, in the product's unit.")
    unit = fields.Function(
        fields.Many2One('product.uom', "Unit"), 'get_unit')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [
            ('expiry_date', 'ASC'), ('product', 'ASC'), ('id', 'ASC')]

    def get_days_left(self, name):
        today = Pool().get('ir.date').today()
        return (self.expiry_date - today).days

    def get_unit(self, name):
        return self.product.default_uom

    @classmethod
    def table_query(cls):
        pool = Pool()
        Move = pool.get('stock.move')
        Lot = pool.get('stock.lot')
        Location = pool.get('stock.location')
        Point = pool.get('sale.point')
        Date = pool.get('ir.date')
        context = Transaction().context
        move = Move.__table__()
        lot = Lot.__table__()
        from_ = Location.__table__()
        to = Location.__table__()
        warehouse = Location.__table__()
        days = context.get('days')
        if days is None:
            days = NEAR_EXPIRY_DAYS
        limit = Date.today() + dt.timedelta(days=max(days, 0))
        company = context.get('company', -1)
        # the store's warehouses: those of its points of sale, whichever
        # store moved the stock there (a transfer from another store)
        with without_check_access():
            warehouses = {p.storage_location.warehouse.id
                for p in Point.search([('company', '=', company)])
                if p.storage_location and p.storage_location.warehouse}
        zero = cls.quantity.sql_cast(Literal(0))
        qty = Coalesce(move.internal_quantity, zero)
        into = ((to.left >= warehouse.left)
            & (to.right <= warehouse.right))
        out_of = ((from_.left >= warehouse.left)
            & (from_.right <= warehouse.right))
        quantity = Sum(Case(
                (into & ~out_of, qty),
                (out_of & ~into, -qty),
                else_=zero))
        return (move
            .join(lot, condition=move.lot == lot.id)
            .join(from_, condition=move.from_location == from_.id)
            .join(to, condition=move.to_location == to.id)
            .join(warehouse, condition=(warehouse.type == 'warehouse')
                & (into | out_of))
            .select(
                pair_id(lot.id, warehouse.id).as_('id'),
                Literal(company).as_('company'),
                warehouse.id.as_('warehouse'),
                lot.product.as_('product'),
                lot.id.as_('lot'),
                lot.expiry_date.as_('expiry_date'),
                quantity.as_('quantity'),
                where=(move.state == 'done')
                & (warehouse.id.in_(list(warehouses)) if warehouses
                    else move.company == company)
                & (lot.expiry_date != Null)
                & (lot.expiry_date <= limit),
                group_by=[lot.id, warehouse.id, lot.product,
                    lot.expiry_date],
                having=quantity > zero))


class Repurchase(ModelSQL, ModelView):
    "Repurchase reminder: retail products running out at a customer"
    __name__ = 'beauty.stock.repurchase'
    company = fields.Many2One('company.company', "Store", readonly=True)
    customer = fields.Many2One('party.party', "Customer", readonly=True)
    product = fields.Many2One('product.product', "Product", readonly=True)
    last_purchase = fields.Date("Last Purchase", readonly=True)
    quantity = fields.Float(
        "Quantity Bought", readonly=True,
        help="Bought on the day of the last purchase.")
    usage_days = fields.Integer("Usage Days", readonly=True)
    due_date = fields.Function(
        fields.Date("Due Date",
            help="When the product should run out: last purchase plus "
            "usage days times the quantity."),
        'get_due_date', searcher='search_due_date')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('last_purchase', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        Sale = pool.get('sale.point.sale')
        Line = pool.get('sale.point.sale.line')
        Product = pool.get('product.product')
        Template = pool.get('product.template')
        sale = Sale.__table__()
        line = Line.__table__()
        product = Product.__table__()
        template = Template.__table__()
        last = (line
            .join(sale, condition=line.sale == sale.id)
            .join(product, condition=line.product == product.id)
            .join(template, condition=product.template == template.id)
            .select(
                sale.company.as_('company'),
                sale.customer.as_('customer'),
                line.product.as_('product'),
                Max(sale.date).as_('last_purchase'),
                Max(template.usage_days).as_('usage_days'),
                where=sale.state.in_(DONE) & (sale.customer != Null)
                & (line.quantity > 0)
                & (template.product_use == 'retail')
                & (template.usage_days > 0),
                group_by=[sale.company, sale.customer, line.product]))
        sale2 = Sale.__table__()
        line2 = Line.__table__()
        return (last
            .join(sale2, condition=(sale2.customer == last.customer)
                & (sale2.company == last.company)
                & (sale2.date == last.last_purchase)
                & sale2.state.in_(DONE))
            .join(line2, condition=(line2.sale == sale2.id)
                & (line2.product == last.product))
            .select(
                Max(line2.id).as_('id'),
                last.company.as_('company'),
                last.customer.as_('customer'),
                last.product.as_('product'),
                last.last_purchase.as_('last_purchase'),
                last.usage_days.as_('usage_days'),
                Sum(line2.quantity).as_('quantity'),
                where=line2.quantity > 0,
                group_by=[last.company, last.customer, last.product,
                    last.last_purchase, last.usage_days]))

    def get_due_date(self, name):
        days = int(round(self.usage_days * max(self.quantity or 1, 1)))
        return self.last_purchase + dt.timedelta(days=days)

    @classmethod
    def search_due_date(cls, name, clause):
        # due = last purchase + usage days * quantity: searched on the
        # computed values (the list is small: one row per customer and
        # retail product)
        _, operator, value = clause
        records = cls.search([])
        ops = {
            '=': lambda a, b: a == b, '!=': lambda a, b: a != b,
            '<': lambda a, b: a < b, '<=': lambda a, b: a <= b,
            '>': lambda a, b: a > b, '>=': lambda a, b: a >= b,
            }
        if operator not in ops or value is None:
            return []
        return [('id', 'in', [r.id for r in records
                    if ops[operator](r.due_date, value)])]
