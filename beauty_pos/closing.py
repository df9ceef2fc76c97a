# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""Daily closing (日结), monthly report, prepaid liability, receipts.

Closing a day of a store posts its processed sales (their account moves),
then compares, in SQL aggregates, what the checkout and the ledgers say with
what the posted account moves of that day say:

* money taken per payment method (payments of the day's sales less the card
  and package refunds paid back) against the movements of the method's
  account;
* the net change of the card ledger against the prepaid card liability;
* the net change of the package sessions' paid value against the package
  liability.

A difference there is a bug, never a rounding: closing refuses it. The cash
counted in the drawer is compared with the cash expected (a difference is a
warning the manager may accept, with a note).
"""
import datetime as dt
from collections import defaultdict
from decimal import Decimal

from sql import Cast, Literal, Null, Union
from sql.aggregate import Count, Max, Min, Sum
from sql.conditionals import Case, Coalesce
from sql.functions import CurrentTimestamp, DateTrunc, Extract

from trytond import backend
from trytond.i18n import gettext
from trytond.model import (
    Index, ModelSQL, ModelView, Unique, Workflow, fields)
from beauty_customer.xlsx import write_xlsx
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.report import Report
from trytond.transaction import Transaction

from .exceptions import ClosingError, ClosingWarning
from .ledger import typed

ZERO = Decimal(0)
CLOSING_LINE_KINDS = [
    ('sales', "Sales"),
    ('method', "Payment Method"),
    ('topup', "Card Top-ups"),
    ('bonus', "Card Bonus"),
    ('card_spend', "Card Spent"),
    ('card_refund', "Card Refunds"),
    ('card_adjustment', "Card Adjustments"),
    ('card_liability', "Card Liability Change"),
    ('package_sold', "Packages Sold"),
    ('package_used', "Package Sessions Used"),
    ('package_other', "Package Expiry and Refunds"),
    ('package_liability', "Package Liability Change"),
    ('coupon', "Coupons Redeemed"),
    ('points', "Points Redeemed"),
    ]
def line_amount(line):
    """The amount of a processed sale line, as allocated to its tenders
    (exact decimals, where quantity * price would be a float)"""
    return (Coalesce(line.paid_money, 0) + Coalesce(line.paid_card, 0)
        + Coalesce(line.paid_package, 0) + Coalesce(line.paid_coupon, 0)
        + Coalesce(line.paid_points, 0))


def line_units(line):
    return Cast(line.quantity, 'INTEGER')


MOVE_ORIGINS = [
    'sale.point.sale,', 'beauty.member.card.refund,',
    'beauty.member.card.line,', 'beauty.package,',
    'beauty.package.refund,',
    ]


class Closing(Workflow, ModelSQL, ModelView):
    "Daily closing (日结) of a store"
    __name__ = 'beauty.pos.closing'
    company = fields.Many2One(
        'company.company', "Store", required=True, ondelete='RESTRICT',
        states={
            'readonly': Eval('state') != 'draft',
            })
    date = fields.Date(
        "Date", required=True,
        states={
            'readonly': Eval('state') != 'draft',
            })
    state = fields.Selection([
            ('draft', "Draft"),
            ('done', "Closed"),
            ], "State", required=True, readonly=True, sort=False)
    cash_counted = Monetary(
        "Cash Counted", currency='currency', digits='currency',
        required=True,
        states={
            'readonly': Eval('state') != 'draft',
            },
        help="The cash counted in the drawer(s) for the day's takings.")
    cash_expected = fields.Function(Monetary(
            "Cash Expected", currency='currency', digits='currency',
            help="Cash taken by the day's sales less the refunds paid in "
            "cash."),
        'get_cash_expected')
    cash_difference = fields.Function(Monetary(
            "Cash Difference", currency='currency', digits='currency'),
        'get_cash_expected')
    lines = fields.One2Many(
        'beauty.pos.closing.line', 'closing', "Totals", readonly=True)
    note = fields.Text("Note")
    closed_by = fields.Many2One('res.user', "Closed By", readonly=True)
    currency = fields.Function(fields.Many2One(
            'currency.currency', "Currency"), 'on_change_with_currency')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._order = [('date', 'DESC'), ('id', 'DESC')]
        cls._sql_constraints += [
            ('company_date_unique', Unique(t, t.company, t.date),
                'beauty_pos.msg_closing_unique'),
            ]
        cls._transitions |= {('draft', 'done')}
        cls._buttons.update({
                'close': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'compute': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_state():
        return 'draft'

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_date():
        return Pool().get('ir.date').today()

    @staticmethod
    def default_cash_counted():
        return ZERO

    @fields.depends('company')
    def on_change_with_currency(self, name=None):
        return self.company.currency if self.company else None

    def get_rec_name(self, name):
        return '%s %s' % (self.company.rec_name, self.date)

    @classmethod
    def get_cash_expected(cls, closings, names):
        result = {n: {} for n in names}
        for closing in closings:
            expected = ZERO
            for method, amount in closing.money_by_method().items():
                if method.kind == 'cash':
                    expected += amount
            result.setdefault('cash_expected', {})[closing.id] = expected
            if 'cash_difference' in names:
                result['cash_difference'][closing.id] = (
                    (closing.cash_counted or ZERO) - expected)
        return {n: result[n] for n in names}

    @classmethod
    def check_modification(cls, mode, closings, values=None, external=False):
        super().check_modification(
            mode, closings, values=values, external=external)
        if mode in {'write', 'delete'}:
            for closing in closings:
                if closing.state == 'done' and (
                        mode == 'delete' or values.keys() - {'note'}):
                    raise ClosingError(gettext(
                            'beauty_pos.msg_closing_done',
                            closing=closing.rec_name))

    # --- figures (SQL aggregates) ------------------------------------------

    def money_by_method(self):
        """{method: amount} taken with money on the day: payments of the
        day's processed sales less the card and package refunds paid"""
        pool = Pool()
        Sale = pool.get('sale.point.sale')
        Payment = pool.get('sale.point.payment')
        Method = pool.get('sale.point.payment.method')
        CardRefund = pool.get('beauty.member.card.refund')
        PackageRefund = pool.get('beauty.package.refund')
        cursor = Transaction().connection.cursor()
        sale = Sale.__table__()
        payment = Payment.__table__()
        card_refund = CardRefund.__table__()
        package_refund = PackageRefund.__table__()
        query = Union(
            payment.join(sale, condition=payment.sale == sale.id).select(
                payment.method.as_('method'),
                Sum(payment.amount).as_('amount'),
                where=(sale.company == self.company.id)
                & (sale.date == self.date)
                & sale.state.in_(['done', 'posted']),
                group_by=[payment.method]),
            card_refund.select(
                card_refund.method.as_('method'),
                Sum(-card_refund.amount).as_('amount'),
                where=(card_refund.company == self.company.id)
                & (card_refund.date == self.date),
                group_by=[card_refund.method]),
            package_refund.select(
                package_refund.method.as_('method'),
                Sum(-package_refund.amount).as_('amount'),
                where=(package_refund.company == self.company.id)
                & (package_refund.date == self.date),
                group_by=[package_refund.method]),
            all_=True)
        query = query.select(
            query.method, Sum(query.amount), group_by=[query.method])
        cursor.execute(*typed(query, [None, 'NUMERIC']))
        result = {}
        for method_id, amount in cursor:
            method = Method(method_id)
            if method.is_money:
                result[method] = self.currency.round(amount or ZERO)
        return result

    def posted_by_account(self, accounts):
        """{account: debit - credit} of the posted moves of the day made by
        the checkout, the card and package ledgers"""
        pool = Pool()
        Move = pool.get('account.move')
        Line = pool.get('account.move.line')
        cursor = Transaction().connection.cursor()
        move = Move.__table__()
        line = Line.__table__()
        origin = None
        for prefix in MOVE_ORIGINS:
            clause = move.origin.like(prefix + '%')
            origin = clause if origin is None else (origin | clause)
        ids = [a.id for a in accounts]
        if not ids:
            return {}
        query = line.join(move, condition=line.move == move.id).select(
            line.account, Sum(line.debit - line.credit),
            where=(move.company == self.company.id)
            & (move.date == self.date)
            & (move.state == 'posted')
            & line.account.in_(ids)
            & origin,
            group_by=[line.account])
        cursor.execute(*typed(query, [None, 'NUMERIC']))
        result = {a: self.currency.round(ZERO) for a in accounts}
        by_id = {a.id: a for a in accounts}
        for account_id, amount in cursor:
            result[by_id[account_id]] = self.currency.round(amount or ZERO)
        return result

    def ledger_figures(self):
        "The day's figures of the sales, card, package and tender ledgers"
        pool = Pool()
        Sale = pool.get('sale.point.sale')
        SaleLine = pool.get('sale.point.sale.line')
        CardLine = pool.get('beauty.member.card.line')
        CardRefund = pool.get('beauty.member.card.refund')
        Use = pool.get('beauty.package.use')
        cursor = Transaction().connection.cursor()
        company, date = self.company.id, self.date
        figures = defaultdict(lambda: [0, ZERO])

        sale = Sale.__table__()
        line = SaleLine.__table__()
        query = line.join(sale, condition=line.sale == sale.id).select(
            Count(line.id),
            Sum(Case((line.kind == 'package', line_units(line)), else_=0)),
            Sum(line_amount(line)),
            Sum(Case((line.kind == 'package', line_amount(line)),
                    else_=0)),
            Sum(Coalesce(line.paid_coupon, 0)),
            Sum(Coalesce(line.paid_points, 0)),
            where=(sale.company == company) & (sale.date == date)
            & sale.state.in_(['done', 'posted']))
        cursor.execute(*typed(query, [
                    'INTEGER', 'NUMERIC', 'NUMERIC', 'NUMERIC', 'NUMERIC',
                    'NUMERIC']))
        count, packages, total, package_amount, coupon, points = (
            cursor.fetchone())
        cursor.execute(*sale.select(
                Count(sale.id),
                where=(sale.company == company) & (sale.date == date)
                & sale.state.in_(['done', 'posted'])))
        sales, = cursor.fetchone()
        round_ = self.currency.round
        figures['sales'] = [sales or 0, round_(total or ZERO)]
        figures['package_sold'] = [
            int(packages or 0), round_(package_amount or ZERO)]
        figures['coupon'] = [0, round_(coupon or ZERO)]
        figures['points'] = [0, round_(points or ZERO)]

        card = CardLine.__table__()
        query = card.select(
            card.type, Count(card.id),
            Sum(card.principal_amount), Sum(card.bonus_amount),
            where=(card.company == company) & (card.date == date),
            group_by=[card.type])
        cursor.execute(*typed(query, [None, 'INTEGER', 'NUMERIC', 'NUMERIC']))
        liability = ZERO
        for type_, n, principal, bonus in cursor:
            principal, bonus = principal or ZERO, bonus or ZERO
            liability += principal + bonus
            if type_ == 'topup':
                figures['topup'] = [n, round_(principal)]
                figures['bonus'][1] += round_(bonus)
            elif type_ == 'bonus':
                figures['bonus'][1] += round_(bonus + principal)
            elif type_ in {'spend', 'return'}:
                figures['card_spend'][0] += n if type_ == 'spend' else 0
                figures['card_spend'][1] += round_(-(principal + bonus))
            elif type_ == 'adjustment':
                figures['card_adjustment'] = [n, round_(principal + bonus)]
        figures['card_liability'] = [0, round_(liability)]
        refund = CardRefund.__table__()
        query = refund.select(
            Count(refund.id), Sum(refund.amount),
            where=(refund.company == company) & (refund.date == date))
        cursor.execute(*typed(query, ['INTEGER', 'NUMERIC']))
        n, amount = cursor.fetchone()
        figures['card_refund'] = [n or 0, round_(amount or ZERO)]

        use = Use.__table__()
        query = use.select(
            use.type, Sum(use.quantity), Sum(use.value),
            where=(use.company == company) & (use.date == date),
            group_by=[use.type])
        cursor.execute(*typed(query, [None, 'INTEGER', 'NUMERIC']))
        taken = ZERO
        for type_, quantity, value in cursor:
            value = value or ZERO
            taken += value
            if type_ in {'use', 'return'}:
                figures['package_used'][0] += int(quantity or 0)
                figures['package_used'][1] += round_(value)
            else:
                figures['package_other'][0] += int(quantity or 0)
                figures['package_other'][1] += round_(value)
        figures['package_liability'] = [
            0, round_((package_amount or ZERO) - taken)]
        return figures

    @classmethod
    @ModelView.button
    def compute(cls, closings):
        "Post the day's sales and compute the totals"
        pool = Pool()
        Line = pool.get('beauty.pos.closing.line')
        Sale = pool.get('sale.point.sale')
        Method = pool.get('sale.point.payment.method')
        Configuration = pool.get('beauty.pos.configuration')
        for closing in closings:
            if closing.state != 'draft':
                continue
            company = closing.company
            with Transaction().set_context(company=company.id):
                sales = Sale.search([
                        ('company', '=', company.id),
                        ('date', '<=', closing.date),
                        ('state', '=', 'done'),
                        ], order=[('date', 'ASC'), ('id', 'ASC')])
                if sales:
                    Sale.post(sales)
                prepaid = Configuration.get_value(
                    'prepaid_account', company=company)
                package = Configuration.get_value(
                    'package_account', company=company)
            Line.delete(closing.lines)
            money = closing.money_by_method()
            methods = Method.search([
                    ('company', '=', company.id),
                    ('kind', 'in', ['cash', 'wechat', 'alipay', 'bank',
                            'other']),
                    ])
            round_ = closing.currency.round
            for method in methods:
                money.setdefault(method, round_(ZERO))
            accounts = {m.account for m in money} | {prepaid, package}
            posted = closing.posted_by_account(list(accounts))
            # methods sharing an account are checked together
            by_account = defaultdict(Decimal)
            for method, amount in money.items():
                by_account[method.account] += amount
            figures = closing.ledger_figures()
            lines = []
            sequence = 0
            names = dict(Line.fields_get(['kind'])['kind']['selection'])
            for kind, _ in CLOSING_LINE_KINDS:
                sequence += 10
                if kind == 'method':
                    order = ['cash', 'wechat', 'alipay', 'bank', 'other']
                    for method in sorted(money, key=lambda m: (
                                order.index(m.kind), m.name)):
                        checked = posted.get(method.account)
                        lines.append(Line(
                                closing=closing, sequence=sequence,
                                kind='method', method=method,
                                description=method.name,
                                amount=money[method],
                                posted_amount=(
                                    round_(checked)
                                    if by_account[method.account]
                                    == money[method] else None)))
                    continue
                quantity, amount = figures[kind]
                posted_amount = None
                if kind == 'card_liability':
                    posted_amount = -posted[prepaid]
                elif kind == 'package_liability':
                    posted_amount = -posted[package]
                lines.append(Line(
                        closing=closing, sequence=sequence, kind=kind,
                        description=names[kind], quantity=quantity,
                        amount=round_(amount),
                        posted_amount=(round_(posted_amount)
                            if posted_amount is not None else None)))
            Line.save(lines)

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    def close(cls, closings):
        pool = Pool()
        Warning = pool.get('res.user.warning')
        cls.compute(closings)
        for closing in cls.browse(closings):
            for line in closing.lines:
                if (line.posted_amount is not None
                        and line.posted_amount != line.amount):
                    raise ClosingError(gettext(
                            'beauty_pos.msg_closing_accounts_differ',
                            closing=closing.rec_name,
                            line=line.description,
                            amount=line.amount, posted=line.posted_amount))
            if closing.cash_difference:
                key = Warning.format('cash_difference', [closing])
                if Warning.check(key):
                    raise ClosingWarning(key, gettext(
                            'beauty_pos.msg_closing_cash_difference',
                            closing=closing.rec_name,
                            counted=closing.cash_counted,
                            expected=closing.cash_expected))
        cls.write(closings, {'closed_by': Transaction().user})


class ClosingLine(ModelSQL, ModelView):
    "Daily closing total"
    __name__ = 'beauty.pos.closing.line'
    closing = fields.Many2One(
        'beauty.pos.closing', "Closing", required=True, ondelete='CASCADE',
        readonly=True)
    sequence = fields.Integer("Sequence", readonly=True)
    kind = fields.Selection(
        CLOSING_LINE_KINDS, "Kind", required=True, readonly=True)
    method = fields.Many2One(
        'sale.point.payment.method', "Method", readonly=True,
        ondelete='RESTRICT')
    description = fields.Char("Description", readonly=True)
    quantity = fields.Integer("Count", readonly=True)
    amount = Monetary(
        "Amount", currency='currency', digits='currency', readonly=True)
    posted_amount = Monetary(
        "Posted", currency='currency', digits='currency', readonly=True,
        help="The same figure in the posted account moves of the day.")
    difference = fields.Function(Monetary(
            "Difference", currency='currency', digits='currency'),
        'get_difference')
    currency = fields.Function(fields.Many2One(
            'currency.currency', "Currency"), 'get_currency')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('closing')
        cls._order = [('sequence', 'ASC'), ('id', 'ASC')]

    def get_difference(self, name):
        if self.posted_amount is None:
            return None
        return self.amount - self.posted_amount

    def get_currency(self, name):
        return self.closing.company.currency.id


class ClosingExport(Report):
    "Daily closing as .xlsx"
    __name__ = 'beauty.pos.closing.xlsx'

    @classmethod
    def _execute(cls, records, header, data, action):
        pool = Pool()
        Line = pool.get('beauty.pos.closing.line')
        Closing = pool.get('beauty.pos.closing')
        names = ['description', 'quantity', 'amount', 'posted_amount',
            'difference']
        definitions = Line.fields_get(names)
        closing_names = Closing.fields_get(
            ['company', 'date', 'cash_counted', 'cash_expected',
                'cash_difference'])
        headers = [closing_names['company']['string'],
            closing_names['date']['string']] + [
            definitions[n]['string'] for n in names]
        rows = []
        for closing in records:
            for line in closing.lines:
                rows.append([closing.company.rec_name, closing.date]
                    + [getattr(line, n) for n in names])
            for name in ['cash_counted', 'cash_expected', 'cash_difference']:
                rows.append([closing.company.rec_name, closing.date,
                        closing_names[name]['string'], None,
                        getattr(closing, name), None, None])
        return 'xlsx', write_xlsx([
                (gettext('beauty_pos.msg_sheet_closing'), headers, rows)])


def _month(table_date):
    return DateTrunc('month', table_date)


class MonthlyReport(ModelSQL, ModelView):
    """Monthly report of a store. Context-free: may be materialised with
    ``[table_query_materialized] beauty.pos.report.monthly = <seconds>``."""
    __name__ = 'beauty.pos.report.monthly'
    company = fields.Many2One('company.company', "Store", readonly=True)
    month = fields.Date("Month", readonly=True)
    sales = fields.Integer("Sales", readonly=True)
    sales_amount = Monetary(
        "Sales Amount", currency='currency', digits='currency',
        readonly=True)
    money = Monetary(
        "Money Taken", currency='currency', digits='currency', readonly=True,
        help="Paid with cash, WeChat Pay, Alipay, bank card (cash "
        "performance).")
    consumption = Monetary(
        "Consumption", currency='currency', digits='currency', readonly=True,
        help="Services and products consumed at the price paid.")
    card_topup = Monetary(
        "Cards Topped Up", currency='currency', digits='currency',
        readonly=True)
    card_bonus = Monetary(
        "Card Bonus", currency='currency', digits='currency', readonly=True)
    card_spent = Monetary(
        "Cards Spent", currency='currency', digits='currency', readonly=True)
    card_refunded = Monetary(
        "Cards Refunded", currency='currency', digits='currency',
        readonly=True)
    packages_sold = fields.Integer("Packages Sold", readonly=True)
    package_sales = Monetary(
        "Package Sales", currency='currency', digits='currency',
        readonly=True)
    sessions_used = fields.Integer("Sessions Used", readonly=True)
    sessions_value = Monetary(
        "Sessions Value", currency='currency', digits='currency',
        readonly=True)
    coupons = Monetary(
        "Coupons", currency='currency', digits='currency', readonly=True)
    points = Monetary(
        "Points", currency='currency', digits='currency', readonly=True)
    commission = Monetary(
        "Commission", currency='currency', digits='currency', readonly=True)
    currency = fields.Function(fields.Many2One(
            'currency.currency', "Currency"), 'get_currency')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [
            ('month', 'DESC'), ('company', 'ASC'), ('id', 'ASC')]

    @classmethod
    def __register__(cls, module_name):
        if not (backend.name == 'postgresql'
                and cls._table_query_materialized()):
            super().__register__(module_name)
            return
        # trytond creates the view with the query's parameters bound on the
        # server, which PostgreSQL refuses in DDL ("materialized views may
        # not be defined using bound parameters"): they are inlined here by
        # the client, the rest is what ModelSQL.__register__ does
        from psycopg import ClientCursor
        from psycopg.sql import SQL, Identifier
        super(ModelSQL, cls).__register__(module_name)
        transaction = Transaction()
        connection = transaction.connection
        if backend.TableHandler.view_exist(cls._table):
            transaction.database.drop_materialized_view(
                connection, cls._table)
        query = cls.table_query()
        query.columns += (CurrentTimestamp().as_('_refreshed'),)
        cursor = ClientCursor(connection)
        cursor.execute(
            SQL("CREATE MATERIALIZED VIEW IF NOT EXISTS {} AS {} "
                "WITH NO DATA").format(
                Identifier(cls._table), SQL(str(query))),
            query.params)
        cursor.execute(SQL("CREATE UNIQUE INDEX ON {}(id)").format(
                Identifier(cls._table)))

    @classmethod
    def _columns(cls):
        return ['sales', 'sales_amount', 'money', 'consumption',
            'card_topup', 'card_bonus', 'card_spent', 'card_refunded',
            'packages_sold', 'package_sales', 'sessions_used',
            'sessions_value', 'coupons', 'points', 'commission']

    @classmethod
    def table_query(cls):
        """Each ledger summed per store and month on its own (few columns
        over its rows, in parallel where PostgreSQL can), then the small
        results added up: summing every column over the union of all the
        rows cost 5 times as much"""
        pool = Pool()
        Sale = pool.get('sale.point.sale')
        SaleLine = pool.get('sale.point.sale.line')
        CardLine = pool.get('beauty.member.card.line')
        CardRefund = pool.get('beauty.member.card.refund')
        Use = pool.get('beauty.package.use')
        Commission = pool.get('beauty.commission')
        columns = cls._columns()
        zero = Literal(0)

        def summed(from_, company, date, where=None, totals=None,
                **values):
            # the month computed in a sub-query and grouped by its column:
            # PostgreSQL does not see two date_trunc(%s, date) as the same
            # expression in SELECT and GROUP BY. totals: the report's
            # columns made of the sums of the values (default: their sum)
            rows = from_.select(company.as_('company'),
                _month(date).as_('month'),
                *[v.as_(c) for c, v in values.items()], where=where)
            if totals is None:
                totals = {c: Sum(getattr(rows, c)) for c in values}
            else:
                totals = totals(rows)
            return rows.select(rows.company.as_('company'),
                rows.month.as_('month'),
                *[totals.get(c, zero).as_(c) for c in columns],
                group_by=[rows.company, rows.month])

        def line_totals(rows):
            # the sums of the paid parts rather than the sum of each line's
            # amount (line_amount): the same figures, 10 million lines
            # added once per part instead of once per part and per figure
            def total(name):
                return Coalesce(Sum(getattr(rows, name)), 0)
            parts = ['paid_money', 'paid_card', 'paid_package',
                'paid_coupon', 'paid_points']
            amount = total(parts[0])
            for part in parts[1:]:
                amount += total(part)
            return {
                'sales_amount': amount,
                'money': total('paid_money'),
                'consumption': total('consumption'),
                'packages_sold': Sum(rows.packages_sold),
                'package_sales': Sum(rows.package_sales),
                'coupons': total('paid_coupon'),
                'points': total('paid_points'),
                }
        sale = Sale.__table__()
        sale2 = Sale.__table__()
        line = SaleLine.__table__()
        card = CardLine.__table__()
        refund = CardRefund.__table__()
        use = Use.__table__()
        commission = Commission.__table__()
        done = ['done', 'posted']
        queries = [
            summed(sale, sale.company, sale.date,
                where=sale.state.in_(done), sales=Literal(1)),
            summed(line.join(sale2, condition=line.sale == sale2.id),
                sale2.company, sale2.date, where=sale2.state.in_(done),
                totals=line_totals,
                paid_money=line.paid_money,
                paid_card=line.paid_card,
                paid_package=line.paid_package,
                paid_coupon=line.paid_coupon,
                paid_points=line.paid_points,
                consumption=line.consumption_performance,
                packages_sold=Case((line.kind == 'package',
                        line_units(line)), else_=zero),
                package_sales=Case((line.kind == 'package',
                        line_amount(line)), else_=zero)),
            summed(card, card.company, card.date,
                card_topup=Case((card.type == 'topup',
                        card.principal_amount), else_=zero),
                card_bonus=Case((card.type.in_(['topup', 'bonus']),
                        card.bonus_amount), else_=zero),
                card_spent=Case((card.type.in_(['spend', 'return']),
                        -card.principal_amount - card.bonus_amount),
                    else_=zero)),
            summed(refund, refund.company, refund.date,
                card_refunded=refund.amount),
            summed(use, use.company, use.date,
                sessions_used=Case((use.type.in_(['use', 'return']),
                        use.quantity), else_=zero),
                sessions_value=Case((use.type.in_(['use', 'return']),
                        use.value), else_=zero)),
            summed(commission, commission.company, commission.date,
                commission=commission.amount),
            ]
        union = Union(*queries, all_=True)
        month = cls.month.sql_cast(union.month)
        return union.select(
            (union.company * 1000000
                + Extract('YEAR', union.month) * 100
                + Extract('MONTH', union.month)).as_('id'),
            union.company.as_('company'),
            month.as_('month'),
            *[Sum(getattr(union, c)).as_(c) for c in columns],
            group_by=[union.company, union.month])

    @classmethod
    def get_currency(cls, reports, name):
        """The stores' currencies read once: the store is in the id
        (company * 1000000 + year * 100 + month, see table_query), where
        loading each report's row cost 0.5 ms"""
        pool = Pool()
        Company = pool.get('company.company')
        store = {r.id: int(r.id) // 1000000 for r in reports}
        currencies = {c.id: c.currency.id
            for c in Company.browse(sorted(set(store.values())))}
        return {i: currencies[c] for i, c in store.items()}


class MonthlyMethodReport(ModelSQL, ModelView):
    "Monthly takings per payment method"
    __name__ = 'beauty.pos.report.monthly.method'
    company = fields.Many2One('company.company', "Store", readonly=True)
    month = fields.Date("Month", readonly=True)
    method = fields.Many2One(
        'sale.point.payment.method', "Method", readonly=True)
    kind = fields.Selection('get_kinds', "Kind", readonly=True)
    amount = Monetary(
        "Amount", currency='currency', digits='currency', readonly=True)
    payments = fields.Integer("Payments", readonly=True)
    currency = fields.Function(fields.Many2One(
            'currency.currency', "Currency"), 'get_currency')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [
            ('month', 'DESC'), ('method', 'ASC'), ('id', 'ASC')]

    @classmethod
    def get_kinds(cls):
        pool = Pool()
        Method = pool.get('sale.point.payment.method')
        return Method.fields_get(['kind'])['kind']['selection']

    @classmethod
    def table_query(cls):
        pool = Pool()
        Sale = pool.get('sale.point.sale')
        Payment = pool.get('sale.point.payment')
        Method = pool.get('sale.point.payment.method')
        sale = Sale.__table__()
        payment = Payment.__table__()
        method = Method.__table__()
        # the month computed in a sub-query and grouped by its column:
        # PostgreSQL does not see two date_trunc(%s, date) as the same
        # expression in SELECT and GROUP BY
        paid = payment.join(sale, condition=payment.sale == sale.id
            ).join(method, condition=payment.method == method.id).select(
                payment.id.as_('id'),
                sale.company.as_('company'),
                cls.month.sql_cast(_month(sale.date)).as_('month'),
                payment.method.as_('method'),
                method.kind.as_('kind'),
                payment.amount.as_('amount'),
                where=sale.state.in_(['done', 'posted']))
        return paid.select(
            Min(paid.id).as_('id'),
            paid.company.as_('company'),
            paid.month.as_('month'),
            paid.method.as_('method'),
            paid.kind.as_('kind'),
            Sum(paid.amount).as_('amount'),
            Count(paid.id).as_('payments'),
            group_by=[paid.company, paid.month, paid.method, paid.kind])

    def get_currency(self, name):
        return self.company.currency.id


class MonthlyReportExport(Report):
    "Monthly report as .xlsx"
    __name__ = 'beauty.pos.report.monthly.xlsx'

    @classmethod
    def _execute(cls, records, header, data, action):
        pool = Pool()
        Monthly = pool.get('beauty.pos.report.monthly')
        Method = pool.get('beauty.pos.report.monthly.method')
        names = ['company', 'month'] + Monthly._columns()
        definitions = Monthly.fields_get(names)
        rows = [[r.company.rec_name, r.month.strftime('%Y-%m')]
            + [getattr(r, n) for n in names[2:]] for r in records]
        method_rows = []
        if records:
            methods = Method.search([
                    ('company', 'in', list({r.company.id for r in records})),
                    ('month', 'in', list({r.month for r in records})),
                    ], order=[('month', 'ASC'), ('method', 'ASC')])
            method_names = Method.fields_get(
                ['company', 'month', 'method', 'amount', 'payments'])
            for m in methods:
                method_rows.append([m.company.rec_name,
                        m.month.strftime('%Y-%m'), m.method.rec_name,
                        m.amount, m.payments])
        return 'xlsx', write_xlsx([
                (gettext('beauty_pos.msg_sheet_monthly'),
                    [definitions[n]['string'] for n in names], rows),
                (gettext('beauty_pos.msg_sheet_methods'),
                    [method_names[n]['string'] for n in [
                            'company', 'month', 'method', 'amount',
                            'payments']] if records else [],
                    method_rows),
                ])


class LiabilityReport(ModelSQL, ModelView):
    """Outstanding prepaid liability per store: the ledgers (card balances,
    package sessions' paid value) against the posted accounts"""
    __name__ = 'beauty.pos.report.liability'
    company = fields.Many2One('company.company', "Store", readonly=True)
    cards = fields.Integer("Active Cards", readonly=True)
    card_principal = Monetary(
        "Card Principal", currency='currency', digits='currency',
        readonly=True)
    card_bonus = Monetary(
        "Card Bonus", currency='currency', digits='currency', readonly=True)
    card_balance = Monetary(
        "Card Balances", currency='currency', digits='currency',
        readonly=True, help="The sum of the balances of the cards.")
    card_account = Monetary(
        "Card Liability (Accounts)", currency='currency', digits='currency',
        readonly=True,
        help="The balance of the prepaid card liability account (posted).")
    card_unposted = Monetary(
        "Card Not Yet Posted", currency='currency', digits='currency',
        readonly=True,
        help="Card balances less the account: the sales not closed yet.")
    package_value = Monetary(
        "Package Sessions Value", currency='currency', digits='currency',
        readonly=True,
        help="The paid value of the package sessions left.")
    package_account = Monetary(
        "Package Liability (Accounts)", currency='currency',
        digits='currency', readonly=True)
    package_unposted = Monetary(
        "Package Not Yet Posted", currency='currency', digits='currency',
        readonly=True)
    currency = fields.Function(fields.Many2One(
            'currency.currency', "Currency"), 'get_currency')

    @classmethod
    def table_query(cls):
        pool = Pool()
        Card = pool.get('beauty.member.card')
        PackageLine = pool.get('beauty.package.line')
        Package = pool.get('beauty.package')
        Config = pool.get('beauty.pos.configuration.company')
        Move = pool.get('account.move')
        MoveLine = pool.get('account.move.line')
        card = Card.__table__()
        pline = PackageLine.__table__()
        package = Package.__table__()
        config = Config.__table__()
        config2 = Config.__table__()
        move = Move.__table__()
        mline = MoveLine.__table__()
        mline2 = MoveLine.__table__()
        move2 = Move.__table__()
        zero = Literal(0)
        columns = ['cards', 'card_principal', 'card_bonus', 'card_account',
            'package_value', 'package_account']

        def row(company, **values):
            return [company.as_('company')] + [
                values.get(c, zero).as_(c) for c in columns]
        queries = [
            card.select(*row(card.company,
                    cards=Case((card.state == 'active', 1), else_=0),
                    card_principal=card.principal_balance,
                    card_bonus=card.bonus_balance)),
            pline.join(package, condition=pline.package == package.id
                ).select(*row(package.company,
                    package_value=pline.value_remaining)),
            mline.join(move, condition=mline.move == move.id
                ).join(config, condition=(config.company == move.company)
                    & (config.prepaid_account == mline.account)
                ).select(*row(move.company,
                    card_account=mline.credit - mline.debit),
                    where=move.state == 'posted'),
            mline2.join(move2, condition=mline2.move == move2.id
                ).join(config2, condition=(config2.company == move2.company)
                    & (config2.package_account == mline2.account)
                ).select(*row(move2.company,
                    package_account=mline2.credit - mline2.debit),
                    where=move2.state == 'posted'),
            ]
        union = Union(*queries, all_=True)
        card_balance = Sum(union.card_principal) + Sum(union.card_bonus)
        return union.select(
            union.company.as_('id'),
            union.company.as_('company'),
            *[Sum(getattr(union, c)).as_(c) for c in columns],
            card_balance.as_('card_balance'),
            (card_balance - Sum(union.card_account)).as_('card_unposted'),
            (Sum(union.package_value) - Sum(union.package_account)
                ).as_('package_unposted'),
            where=union.company != Null,
            group_by=[union.company])

    def get_currency(self, name):
        return self.company.currency.id


class CustomerSales(ModelSQL, ModelView):
    """Sales per customer and store (for marketing: recency, frequency,
    monetary value)"""
    __name__ = 'beauty.pos.customer.sales'
    customer = fields.Many2One('party.party', "Customer", readonly=True)
    company = fields.Many2One('company.company', "Store", readonly=True)
    first_date = fields.Date("First Sale", readonly=True)
    last_date = fields.Date("Last Sale", readonly=True)
    sales = fields.Integer("Sales", readonly=True)
    amount = Monetary(
        "Amount", currency='currency', digits='currency', readonly=True,
        help="The total of the sales, returns deducted.")
    money = Monetary(
        "Money Paid", currency='currency', digits='currency', readonly=True)
    consumption = Monetary(
        "Consumption", currency='currency', digits='currency', readonly=True)
    currency = fields.Function(fields.Many2One(
            'currency.currency', "Currency"), 'get_currency')

    @classmethod
    def table_query(cls):
        pool = Pool()
        Sale = pool.get('sale.point.sale')
        SaleLine = pool.get('sale.point.sale.line')
        sale = Sale.__table__()
        line = SaleLine.__table__()
        return line.join(sale, condition=line.sale == sale.id).select(
            Min(sale.id).as_('id'),
            sale.customer.as_('customer'),
            sale.company.as_('company'),
            Min(sale.date).as_('first_date'),
            Max(sale.date).as_('last_date'),
            Count(sale.id, distinct=True).as_('sales'),
            Sum(line_amount(line)).as_('amount'),
            Sum(Coalesce(line.paid_money, 0)).as_('money'),
            Sum(Coalesce(line.consumption_performance, 0)
                ).as_('consumption'),
            where=sale.state.in_(['done', 'posted'])
            & (sale.customer != Null),
            group_by=[sale.customer, sale.company])

    def get_currency(self, name):
        return self.company.currency.id


class Receipt(Report):
    "Receipt of a sale (小票)"
    __name__ = 'sale.point.sale.receipt'

    @classmethod
    def get_context(cls, records, header, data):
        pool = Pool()
        Lang = pool.get('ir.lang')
        context = super().get_context(records, header, data)
        lang = Lang.get()
        context['money'] = lambda amount, sale: lang.currency(
            amount or ZERO, sale.currency)
        context['fdate'] = lambda date: lang.strftime(date)
        return context
