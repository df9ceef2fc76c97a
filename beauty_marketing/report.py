# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""Dashboards (analytics): customer growth by month and source, service
popularity, beautician performance, the segments and the consumption
behaviour (tickets, customers, revenue by month), as SQL views
(table_query) shown as lists and graphs."""
import datetime as dt

from sql import Cast, Literal, Null
from sql.aggregate import Avg, Count, Max, Min, Sum
from sql.conditionals import Case, Coalesce
from sql.functions import CurrentTimestamp, Extract, ToChar

from beauty_pos.closing import line_amount

from trytond.model import ModelSQL, ModelView, fields
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool
from trytond.transaction import Transaction

from .rfm import SALE_DONE, SEGMENTS, visits_query


class _CurrencyMixin:
    __slots__ = ()
    currency = fields.Function(fields.Many2One(
            'currency.currency', "Currency"), 'get_currency')

    @classmethod
    def get_currency(cls, records, name):
        pool = Pool()
        Company = pool.get('company.company')
        company_id = Transaction().context.get('company')
        currency = None
        if company_id is not None and company_id >= 0:
            currency = Company(company_id).currency.id
        return {r.id: currency for r in records}


class CustomerGrowth(ModelSQL, ModelView):
    "Customer growth by month and source"
    __name__ = 'beauty.marketing.customer_growth'
    month = fields.Char("Month", readonly=True)
    source = fields.Many2One(
        'beauty.customer.source', "Source", readonly=True,
        help="How the customers first came to the salon.")
    new_customers = fields.Integer(
        "New Customers", readonly=True,
        help="The customers whose first visit was in the month.")
    active_customers = fields.Integer(
        "Customers Served", readonly=True,
        help="The customers who visited in the month.")
    visits = fields.Integer("Visits", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('month', 'DESC'), ('id', 'DESC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        Party = pool.get('party.party')
        party = Party.__table__()
        visit = visits_query()
        first = visits_query()
        firsts = first.select(
            first.customer.as_('customer'), Min(first.date).as_('date'),
            group_by=[first.customer])
        year = Extract('YEAR', visit.date)
        month = Extract('MONTH', visit.date)
        # the month computed once in a sub-query and grouped by name:
        # PostgreSQL does not see two to_char(date, %s) as the same
        # expression in SELECT and GROUP BY
        rows = (visit
            .join(firsts, condition=firsts.customer == visit.customer)
            .join(party, condition=party.id == visit.customer)
            .select(
                visit.customer.as_('customer'),
                party.source.as_('source'),
                visit.date.as_('date'),
                firsts.date.as_('first'),
                # a customer has one source: the rows of a month add up
                # (graph) to the month's figures
                (Cast(year * 100 + month, 'BIGINT') * 100000
                    + Coalesce(party.source, 0)).as_('key'),
                ToChar(visit.date, 'YYYY-MM').as_('month')))
        return rows.select(
            Min(rows.key).as_('id'),
            rows.month.as_('month'),
            rows.source.as_('source'),
            Sum(Case((rows.date == rows.first, 1), else_=0)
                ).as_('new_customers'),
            Count(rows.customer, distinct=True).as_('active_customers'),
            Count(rows.date).as_('visits'),
            group_by=[rows.month, rows.source])


class ServicePopularity(_CurrencyMixin, ModelSQL, ModelView):
    "Service popularity"
    __name__ = 'beauty.marketing.service_popularity'
    product = fields.Many2One('product.product', "Service", readonly=True)
    times = fields.Integer("Times Sold", readonly=True)
    customers = fields.Integer("Customers", readonly=True)
    revenue = Monetary(
        "Revenue", currency='currency', digits='currency', readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('times', 'DESC'), ('id', 'ASC')]

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
        return (line
            .join(sale, condition=line.sale == sale.id)
            .join(product, condition=line.product == product.id)
            .join(template, condition=product.template == template.id)
            .select(
                line.product.as_('id'),
                line.product.as_('product'),
                Count(line.id).as_('times'),
                Count(sale.customer, distinct=True).as_('customers'),
                Sum(line_amount(line)).as_('revenue'),
                where=sale.state.in_(SALE_DONE)
                & (sale.returned_sale == Null)
                & (template.type == 'service'),
                group_by=[line.product]))


class BeauticianPerformance(_CurrencyMixin, ModelSQL, ModelView):
    "Beautician performance"
    __name__ = 'beauty.marketing.beautician_performance'
    employee = fields.Many2One(
        'company.employee', "Beautician", readonly=True)
    services = fields.Integer("Services", readonly=True)
    customers = fields.Integer("Customers", readonly=True)
    revenue = Monetary(
        "Revenue", currency='currency', digits='currency', readonly=True,
        help="Her share of the services' amounts.")
    satisfaction = fields.Float(
        "Satisfaction", digits=(16, 2), readonly=True,
        help="The average rating (1 to 5) of the satisfaction surveys.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('revenue', 'DESC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        Sale = pool.get('sale.point.sale')
        Line = pool.get('sale.point.sale.line')
        Share = pool.get('sale.point.sale.line.employee')
        SurveyLine = pool.get('beauty.survey.line')
        sale = Sale.__table__()
        line = Line.__table__()
        share = Share.__table__()
        rating = SurveyLine.__table__()
        ratings = rating.select(
            rating.beautician.as_('employee'),
            Avg(rating.rating).as_('average'),
            where=rating.rating != Null,
            group_by=[rating.beautician])
        work = (share
            .join(line, condition=share.line == line.id)
            .join(sale, condition=line.sale == sale.id)
            .select(
                share.employee.as_('employee'),
                Count(share.id).as_('services'),
                Count(sale.customer, distinct=True).as_('customers'),
                Sum(line_amount(line) * Coalesce(share.share, 1)
                    ).as_('revenue'),
                where=sale.state.in_(SALE_DONE),
                group_by=[share.employee]))
        return work.join(ratings, 'LEFT',
            condition=ratings.employee == work.employee).select(
            work.employee.as_('id'),
            work.employee.as_('employee'),
            work.services.as_('services'),
            work.customers.as_('customers'),
            work.revenue.as_('revenue'),
            ratings.average.as_('satisfaction'))


class SegmentSummary(_CurrencyMixin, ModelSQL, ModelView):
    "Customers per segment"
    __name__ = 'beauty.marketing.segment_summary'
    # Stored by the RFM refresh (the scores change only then) instead of
    # grouping every customer's scores on each opening
    segment = fields.Selection(SEGMENTS, "Segment", readonly=True)
    customers = fields.Integer("Customers", readonly=True)
    monetary = Monetary(
        "Spent", currency='currency', digits='currency', readonly=True)
    date = fields.Date(
        "Computed On", readonly=True,
        help="The day of the scores (the last refresh).")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('id', 'ASC')]

    @classmethod
    def __register__(cls, module):
        table_h = cls.__table_handler__(module)
        created = not table_h.table_exist(cls._table)
        super().__register__(module)
        pool = Pool()
        RFM = pool.get('beauty.customer.rfm')
        if created:
            # it was a view of the scores: fill it from the stored ones
            cls.update(RFM._migrated_date)
        elif RFM._migrated_date:
            # the day of the scores was stored on each of them
            table = cls.__table__()
            cursor = Transaction().connection.cursor()
            cursor.execute(*table.update([table.date],
                    [RFM._migrated_date], where=table.date == Null))

    @classmethod
    def scores_date(cls):
        "The day of the RFM scores"
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.select(Max(table.date)))
        date, = cursor.fetchone()
        if isinstance(date, str):
            date = dt.date.fromisoformat(date)
        return date

    @classmethod
    def update(cls, date=None):
        """Compute the rows from the stored RFM scores (SQL), of the day
        date"""
        pool = Pool()
        RFM = pool.get('beauty.customer.rfm')
        table = cls.__table__()
        rfm = RFM.__table__()
        cursor = Transaction().connection.cursor()
        # the segment's rank is the row's id
        number = Case(*[
                (rfm.segment == key, i)
                for i, (key, _) in enumerate(SEGMENTS, 1)], else_=0)
        cursor.execute(*table.delete())
        cursor.execute(*table.insert(
                [table.id, table.create_uid, table.create_date,
                    table.segment, table.customers, table.monetary,
                    table.date],
                rfm.select(
                    Max(number), Literal(Transaction().user),
                    CurrentTimestamp(), rfm.segment, Count(rfm.id),
                    Sum(rfm.monetary), Literal(date),
                    group_by=[rfm.segment])))


class Consumption(_CurrencyMixin, ModelSQL, ModelView):
    "Consumption behaviour by month"
    __name__ = 'beauty.marketing.consumption'
    __string__ = "Consumption Behaviour"
    month = fields.Char("Month", readonly=True)
    tickets = fields.Integer(
        "Tickets", readonly=True, help="The sales done (returns excluded).")
    customers = fields.Integer(
        "Customers", readonly=True,
        help="The known customers who bought in the month.")
    revenue = Monetary(
        "Revenue", currency='currency', digits='currency', readonly=True,
        help="The amounts of the sales, returns deducted.")
    service_revenue = Monetary(
        "Services", currency='currency', digits='currency', readonly=True)
    product_revenue = Monetary(
        "Products", currency='currency', digits='currency', readonly=True,
        help="Retail products, top-ups and packages sold.")
    average_ticket = fields.Function(Monetary(
            "Average Ticket", currency='currency', digits='currency'),
        'get_average_ticket')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('month', 'DESC'), ('id', 'DESC')]

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
        amounts = (line
            .join(product, 'LEFT', condition=line.product == product.id)
            .join(template, 'LEFT',
                condition=product.template == template.id)
            .select(
                line.sale.as_('sale'),
                Sum(line_amount(line)).as_('amount'),
                Sum(Case((template.type == 'service', line_amount(line)),
                        else_=0)).as_('service'),
                group_by=[line.sale]))
        year = Extract('YEAR', sale.date)
        month = Extract('MONTH', sale.date)
        rows = sale.join(amounts, 'LEFT',
            condition=amounts.sale == sale.id).select(
            Cast(year * 100 + month, 'INTEGER').as_('key'),
            ToChar(sale.date, 'YYYY-MM').as_('month'),
            sale.id.as_('sale'),
            sale.customer.as_('customer'),
            Case((sale.returned_sale == Null, 1), else_=0).as_('ticket'),
            Coalesce(amounts.amount, 0).as_('amount'),
            Coalesce(amounts.service, 0).as_('service'),
            where=sale.state.in_(SALE_DONE))
        return rows.select(
            Min(rows.key).as_('id'),
            rows.month.as_('month'),
            Sum(rows.ticket).as_('tickets'),
            Count(rows.customer, distinct=True).as_('customers'),
            Sum(rows.amount).as_('revenue'),
            Sum(rows.service).as_('service_revenue'),
            Sum(rows.amount - rows.service).as_('product_revenue'),
            group_by=[rows.month])

    @classmethod
    def get_average_ticket(cls, records, name):
        result = {}
        for record in records:
            if record.tickets:
                value = (record.revenue or 0) / record.tickets
                if record.currency:
                    value = record.currency.round(value)
                result[record.id] = value
            else:
                result[record.id] = None
        return result
