# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""Commission (提成) and performance (业绩).

Each processed sale line credits its staff (their shares add up to 100%)
with two separate performances:

* cash performance (现金业绩): the part of the line paid with money (cards
  topped up, packages, products and services paid in money);
* consumption performance (实耗业绩): what was consumed, at the price paid
  (money, card balance and package session value; coupons and points are
  discounts) for services and products.

A rule (``beauty.commission.rule``) gives the commission of a line, based on
the performance it names: a fixed service fee (手工费) per unit or a
percentage. The most specific rule wins: employee, then skill level, then
product, then product category (then the lowest sequence). Commission
records are append-only; a return, a card refund or a package refund claws
back the share it gives back with negative records.
"""
import datetime as dt
from collections import defaultdict
from decimal import Decimal

from sql import Literal, Null
from sql.aggregate import Count, Max, Min, Sum
from sql.conditionals import Case
from sql.functions import DateTrunc

from trytond.i18n import gettext
from beauty_customer.xlsx import write_xlsx
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, fields)
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.report import Report
from trytond.transaction import Transaction

from .exceptions import LedgerAccessError

APPLIES_TO = [
    ('service', "Services"),
    ('goods', "Products"),
    ('topup', "Card Top-ups"),
    ('package', "Packages Sold"),
    ]
METHODS = [
    ('fixed', "Fixed Fee per Unit (手工费)"),
    ('percent', "Percentage"),
    ]
BASES = [
    ('cash', "Cash Performance"),
    ('consumption', "Consumption Performance"),
    ]
SKILL_LEVELS = [
    (None, ""),
    ('junior', "Junior"),
    ('intermediate', "Intermediate"),
    ('senior', "Senior"),
    ('expert', "Expert"),
    ]
ZERO = Decimal(0)


class CommissionRule(DeactivableMixin, ModelSQL, ModelView):
    "Commission rule"
    __name__ = 'beauty.commission.rule'
    company = fields.Many2One(
        'company.company', "Store", required=True, ondelete='CASCADE')
    name = fields.Char("Name", required=True)
    sequence = fields.Integer("Sequence")
    applies_to = fields.Selection(APPLIES_TO, "Applies To", required=True)
    product = fields.Many2One(
        'product.product', "Product", ondelete='CASCADE',
        help="Only for this service or product (empty: all).")
    category = fields.Many2One(
        'product.category', "Category", ondelete='CASCADE',
        help="Only for the products of this category (empty: all).")
    employee = fields.Many2One(
        'company.employee', "Employee", ondelete='CASCADE',
        domain=[('company', '=', Eval('company', -1))],
        help="Only for this employee (empty: everyone).")
    skill_level = fields.Selection(
        SKILL_LEVELS, "Skill Level",
        help="Only for employees of this skill level (empty: every level).")
    base = fields.Selection(
        BASES, "Based On", required=True,
        help="The performance the commission is computed from.")
    method = fields.Selection(METHODS, "Method", required=True)
    amount = Monetary(
        "Fee per Unit", currency='currency', digits='currency',
        domain=[If(Eval('method') == 'fixed', ('amount', '>=', 0), ())],
        states={
            'required': Eval('method') == 'fixed',
            'invisible': Eval('method') != 'fixed',
            })
    rate = fields.Numeric(
        "Rate", digits=(16, 4),
        domain=[If(Eval('method') == 'percent',
                [('rate', '>=', 0), ('rate', '<=', 1)], [])],
        states={
            'required': Eval('method') == 'percent',
            'invisible': Eval('method') != 'percent',
            },
        help="0.05 = 5% of the performance.")
    currency = fields.Function(fields.Many2One(
            'currency.currency', "Currency"), 'on_change_with_currency')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('sequence', 'ASC NULLS FIRST'), ('id', 'ASC')]

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_applies_to():
        return 'service'

    @staticmethod
    def default_method():
        return 'percent'

    @staticmethod
    def default_base():
        return 'consumption'

    @fields.depends('applies_to')
    def on_change_applies_to(self):
        if self.applies_to in {'topup', 'package'}:
            self.base = 'cash'
        else:
            self.base = 'consumption'

    @fields.depends('company')
    def on_change_with_currency(self, name=None):
        return self.company.currency if self.company else None

    def match(self, line, employee):
        if self.applies_to != line.kind:
            return False
        if self.product and self.product != line.product:
            return False
        if self.category and self.category not in (
                line.product.categories_all or []):
            return False
        if self.employee and self.employee != employee:
            return False
        if self.skill_level and self.skill_level != getattr(
                employee, 'skill_level', None):
            return False
        return True

    @property
    def specificity(self):
        return (
            8 * bool(self.employee) + 4 * bool(self.skill_level)
            + 2 * bool(self.product) + bool(self.category))

    @classmethod
    def best(cls, rules, line, employee):
        matching = [r for r in rules if r.match(line, employee)]
        if not matching:
            return None
        return max(matching, key=lambda r: (
                r.specificity, -(r.sequence or 0), -r.id))

    def compute(self, line, share, performance):
        currency = line.sale.company.currency
        if self.method == 'fixed':
            return currency.round(
                self.amount * Decimal(str(abs(line.quantity))) * share
                * (1 if performance >= 0 else -1))
        return currency.round(performance * (self.rate or ZERO))


class Commission(ModelSQL, ModelView):
    "Commission and performance of an employee: append-only"
    __name__ = 'beauty.commission'
    company = fields.Many2One(
        'company.company', "Store", required=True, readonly=True,
        ondelete='RESTRICT')
    employee = fields.Many2One(
        'company.employee', "Employee", required=True, readonly=True,
        ondelete='RESTRICT')
    date = fields.Date("Date", required=True, readonly=True)
    kind = fields.Selection(
        BASES, "Performance", required=True, readonly=True)
    performance = Monetary(
        "Performance Amount", currency='currency', digits='currency',
        required=True, readonly=True,
        help="The employee's share of the performance.")
    amount = Monetary(
        "Commission", currency='currency', digits='currency', required=True,
        readonly=True)
    share = fields.Numeric("Share", digits=(16, 4), readonly=True)
    rule = fields.Many2One(
        'beauty.commission.rule', "Rule", readonly=True,
        ondelete='RESTRICT')
    sale = fields.Many2One(
        'sale.point.sale', "Sale", readonly=True, ondelete='RESTRICT')
    sale_line = fields.Many2One(
        'sale.point.sale.line', "Sale Line", readonly=True,
        ondelete='RESTRICT')
    origin = fields.Reference(
        "Origin", selection='get_origin', readonly=True)
    clawback = fields.Boolean(
        "Clawback", readonly=True,
        help="Taken back because of a return or a refund.")
    product = fields.Many2One(
        'product.product', "Product", readonly=True, ondelete='RESTRICT')
    currency = fields.Function(fields.Many2One(
            'currency.currency', "Currency"), 'on_change_with_currency')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._order = [('date', 'DESC'), ('id', 'DESC')]
        cls._sql_indexes.update({
                Index(t, (t.employee, Index.Range()),
                    (t.date, Index.Range())),
                Index(t, (t.company, Index.Range()), (t.date, Index.Range())),
                Index(t, (t.sale_line, Index.Range()),
                    where=t.sale_line != Null),
                })

    @staticmethod
    def default_clawback():
        return False

    @classmethod
    def get_origin(cls):
        pool = Pool()
        IrModel = pool.get('ir.model')
        models = [
            'sale.point.sale.line', 'beauty.member.card.refund',
            'beauty.package.refund']
        return [(None, '')] + [(m, IrModel.get_name(m)) for m in models]

    @fields.depends('company')
    def on_change_with_currency(self, name=None):
        return self.company.currency if self.company else None

    @classmethod
    def check_modification(cls, mode, records, values=None, external=False):
        super().check_modification(
            mode, records, values=values, external=external)
        if mode in {'write', 'delete'}:
            raise LedgerAccessError(gettext(
                    'beauty_pos.msg_ledger_append_only',
                    ledger=cls.__names__()['model']))

    @classmethod
    def compute_for_sales(cls, sales):
        "Performance and commission of the lines of processed sales"
        pool = Pool()
        Rule = pool.get('beauty.commission.rule')
        rules_by_company = {}
        to_create = []
        for sale in sales:
            company = sale.company
            if company.id not in rules_by_company:
                rules_by_company[company.id] = Rule.search([
                        ('company', '=', company.id)])
            rules = rules_by_company[company.id]
            for line in sale.lines:
                if line.returned_line:
                    continue
                for staff in line.employees:
                    share = staff.share
                    rule = Rule.best(rules, line, staff.employee)
                    for kind, total in [
                            ('cash', line.cash_performance or ZERO),
                            ('consumption',
                                line.consumption_performance or ZERO)]:
                        performance = company.currency.round(total * share)
                        amount = ZERO
                        if rule and rule.base == kind:
                            amount = rule.compute(line, share, performance)
                        if not performance and not amount:
                            continue
                        to_create.append({
                                'company': company.id,
                                'employee': staff.employee.id,
                                'date': sale.date,
                                'kind': kind,
                                'performance': performance,
                                'amount': amount,
                                'share': share,
                                'rule': rule.id if amount else None,
                                'sale': sale.id,
                                'sale_line': line.id,
                                'product': line.product.id,
                                'origin': str(line),
                                })
        return cls.create(to_create)

    @classmethod
    def _clawback(cls, commissions, ratio, date, origin, sale=None,
            sale_line=None):
        to_create = []
        for commission in commissions:
            currency = commission.company.currency
            performance = currency.round(commission.performance * ratio)
            amount = currency.round(commission.amount * ratio)
            if not performance and not amount:
                continue
            to_create.append({
                    'company': commission.company.id,
                    'employee': commission.employee.id,
                    'date': date,
                    'kind': commission.kind,
                    'performance': -performance,
                    'amount': -amount,
                    'share': commission.share,
                    'rule': commission.rule.id if commission.rule else None,
                    'sale': (sale or commission.sale).id
                    if (sale or commission.sale) else None,
                    'sale_line': (sale_line.id if sale_line
                        else commission.sale_line.id
                        if commission.sale_line else None),
                    'product': commission.product.id
                    if commission.product else None,
                    'origin': str(origin),
                    'clawback': True,
                    })
        return cls.create(to_create)

    @classmethod
    def clawback_returns(cls, return_sales):
        "Take back the returned share of the commission of each line"
        result = []
        for sale in return_sales:
            for line in sale.lines:
                original = line.returned_line
                if not original or not original.quantity:
                    continue
                ratio = Decimal(str(abs(line.quantity))) / Decimal(
                    str(original.quantity))
                commissions = cls.search([
                        ('sale_line', '=', original.id),
                        ('clawback', '=', False),
                        ])
                result += cls._clawback(
                    commissions, ratio, sale.date, line, sale=sale,
                    sale_line=line)
        return result

    @classmethod
    def clawback_card_refund(cls, card, refund, ratio, date):
        "Take back the cash commission of the card's top-ups, pro rata"
        lines = [l.sale_line for l in card.lines
            if l.type == 'topup' and l.sale_line]
        commissions = cls.search([
                ('sale_line', 'in', [l.id for l in lines]),
                ('clawback', '=', False),
                ('kind', '=', 'cash'),
                ])
        return cls._clawback(commissions, ratio, date, refund)

    @classmethod
    def clawback_package_refund(cls, package, refund, ratio, date):
        "Take back the cash commission of the package sold, pro rata"
        line = package.sale_line
        if not line:
            return []
        commissions = cls.search([
                ('sale_line', '=', line.id),
                ('clawback', '=', False),
                ('kind', '=', 'cash'),
                ])
        ratio = ratio / Decimal(str(line.quantity or 1))
        return cls._clawback(commissions, ratio, date, refund)


class CommissionStatement(ModelSQL, ModelView):
    "Commission statement per employee and month"
    __name__ = 'beauty.commission.statement'
    company = fields.Many2One('company.company', "Store", readonly=True)
    employee = fields.Many2One(
        'company.employee', "Employee", readonly=True)
    month = fields.Date("Month", readonly=True)
    cash_performance = Monetary(
        "Cash Performance", currency='currency', digits='currency',
        readonly=True)
    consumption_performance = Monetary(
        "Consumption Performance", currency='currency', digits='currency',
        readonly=True)
    commission = Monetary(
        "Commission", currency='currency', digits='currency', readonly=True,
        help="Commission earned, before clawbacks.")
    clawback = Monetary(
        "Clawback", currency='currency', digits='currency', readonly=True)
    total = Monetary(
        "To Pay", currency='currency', digits='currency', readonly=True)
    lines = fields.Integer("Lines", readonly=True)
    currency = fields.Function(fields.Many2One(
            'currency.currency', "Currency"), 'get_currency')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [
            ('month', 'DESC'), ('employee', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        "Context-free, so that it can be materialised"
        pool = Pool()
        Commission = pool.get('beauty.commission')
        commission = Commission.__table__()
        # the month computed in a sub-query and grouped by its column:
        # PostgreSQL does not see two date_trunc(%s, date) as the same
        # expression in SELECT and GROUP BY
        c = commission.select(
            commission.id, commission.company, commission.employee,
            commission.kind, commission.performance, commission.clawback,
            commission.amount,
            cls.month.sql_cast(
                DateTrunc('month', commission.date)).as_('month'))
        month = c.month
        zero = Literal(0)
        return c.select(
            Min(c.id).as_('id'),
            c.company.as_('company'),
            c.employee.as_('employee'),
            month.as_('month'),
            Sum(Case((c.kind == 'cash', c.performance), else_=zero)
                ).as_('cash_performance'),
            Sum(Case((c.kind == 'consumption', c.performance), else_=zero)
                ).as_('consumption_performance'),
            Sum(Case((c.clawback == False, c.amount), else_=zero)  # noqa
                ).as_('commission'),
            Sum(Case((c.clawback == True, c.amount), else_=zero)  # noqa
                ).as_('clawback'),
            Sum(c.amount).as_('total'),
            Count(c.id).as_('lines'),
            group_by=[c.company, c.employee, month])

    def get_currency(self, name):
        return self.company.currency.id


class ReportContext(ModelView):
    "Report filters"
    __name__ = 'beauty.pos.report.context'
    company = fields.Many2One('company.company', "Store", required=True)
    from_month = fields.Date(
        "From", help="The first month shown (any day of it).")
    to_month = fields.Date("To", help="The last month shown.")

    @staticmethod
    def default_company():
        return Transaction().context.get('company')


class CommissionStatementExport(Report):
    "Commission statement as .xlsx"
    __name__ = 'beauty.commission.statement.xlsx'

    @classmethod
    def _execute(cls, records, header, data, action):
        pool = Pool()
        Statement = pool.get('beauty.commission.statement')
        Commission = pool.get('beauty.commission')
        names = ['month', 'employee', 'cash_performance',
            'consumption_performance', 'commission', 'clawback', 'total']
        definitions = Statement.fields_get(names)
        headers = [definitions[n]['string'] for n in names]
        rows = []
        for record in records:
            rows.append([
                    record.month.strftime('%Y-%m'),
                    record.employee.rec_name,
                    record.cash_performance, record.consumption_performance,
                    record.commission, record.clawback, record.total])
        detail_names = ['date', 'employee', 'kind', 'product',
            'performance', 'amount', 'clawback', 'sale']
        details = Commission.fields_get(detail_names)
        kinds = dict(details['kind']['selection'])
        detail_rows = []
        if records:
            # one query for all the statements, filtered here
            wanted = {(r.company.id, r.employee.id, r.month) for r in records}
            commissions = Commission.search([
                    ('company', 'in', list({r.company.id for r in records})),
                    ('employee', 'in',
                        list({r.employee.id for r in records})),
                    ('date', '>=', min(r.month for r in records)),
                    ('date', '<=', _month_end(
                            max(r.month for r in records))),
                    ], order=[('date', 'ASC'), ('id', 'ASC')])
            for commission in commissions:
                key = (commission.company.id, commission.employee.id,
                    commission.date.replace(day=1))
                if key not in wanted:
                    continue
                detail_rows.append([
                        commission.date, commission.employee.rec_name,
                        kinds[commission.kind],
                        commission.product.rec_name
                        if commission.product else None,
                        commission.performance, commission.amount,
                        commission.clawback,
                        commission.sale.rec_name if commission.sale
                        else None])
        return 'xlsx', write_xlsx([
                (gettext('beauty_pos.msg_sheet_statement'), headers, rows),
                (gettext('beauty_pos.msg_sheet_details'),
                    [details[n]['string'] for n in detail_names],
                    detail_rows),
                ])


def _month_end(month):
    if month.month == 12:
        return dt.date(month.year, 12, 31)
    return dt.date(month.year, month.month + 1, 1) - dt.timedelta(days=1)
