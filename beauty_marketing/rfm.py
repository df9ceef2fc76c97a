# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""RFM scores (recency, frequency, monetary) and segments of the customers,
and the churn warning.

A visit is a day on which the customer had a done sale (returns excluded)
or a done appointment: both on the same day count once. The scores are
computed for all the customers by one INSERT ... SELECT (refresh), run
daily by a cron; the churn list reads the stored rows.

At a chain's scale (a million customers, ten million sale lines) the
refresh is one pass over the sales with enough memory for its hash
aggregates, each row keeps its id (the customer's) from day to day, and the
day from which a customer is overdue is stored: the churn list is then an
ordered walk of an index instead of a sort of every overdue customer. What
changes every day for everyone (the day of the scores, the days since the
last visit) is not stored but computed at read: a refresh writes only the
customers whose figures changed (a day's visits, a threshold crossed)."""
import datetime as dt

from sql import Cast, Column, Expression, Literal, Null, Table, Union
from sql.aggregate import Count, Max, Min, Sum
from sql.conditionals import Case, Coalesce
from sql.functions import Floor, Function
from sql.operators import Concat, Exists

from beauty_pos.closing import line_amount

from trytond import backend
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction

SEGMENTS = [
    ('new', "New"),
    ('active', "Active"),
    ('high_value', "High Value"),
    ('sleeping', "Sleeping"),
    ('lost', "Lost"),
    ]
SALE_DONE = ['done', 'posted']


class JulianDay(Function):
    __slots__ = ()
    _function = 'JULIANDAY'


class SQLiteDate(Function):
    __slots__ = ()
    _function = 'DATE'


def days_between(end, start):
    "SQL: the whole days from the date start to the date end"
    if isinstance(end, dt.date):
        end = Literal(end)
    if isinstance(start, dt.date):
        start = Literal(start)
    if backend.name == 'sqlite':
        return Cast(JulianDay(end) - JulianDay(start), 'INTEGER')
    return end - start


def add_days(date, days):
    "SQL: the date days (an integer expression) after the date column"
    if backend.name == 'sqlite':
        return SQLiteDate(date, Concat(Cast(days, 'TEXT'), ' days'))
    return date + days


class RowDistinct(Expression):
    "SQL: ROW(left...) IS DISTINCT FROM ROW(right...) (PostgreSQL)"
    __slots__ = ('left', 'right')

    def __init__(self, left, right):
        self.left = left
        self.right = right

    def __str__(self):
        def row(columns):
            return 'ROW(%s)' % ', '.join(str(c) for c in columns)
        return '(%s IS DISTINCT FROM %s)' % (
            row(self.left), row(self.right))

    @property
    def params(self):
        return sum((tuple(c.params) for c in self.left + self.right), ())


def visits_query():
    """(customer, date) of every visit: done sales (not returns) and done
    appointments, a day counted once"""
    pool = Pool()
    Sale = pool.get('sale.point.sale')
    Appointment = pool.get('beauty.appointment')
    sale = Sale.__table__()
    appointment = Appointment.__table__()
    return Union(
        sale.select(
            sale.customer.as_('customer'), sale.date.as_('date'),
            where=sale.state.in_(SALE_DONE) & (sale.customer != Null)
            & (sale.returned_sale == Null)),
        appointment.select(
            appointment.customer.as_('customer'),
            appointment.date.as_('date'),
            where=(appointment.state == 'done')
            & (appointment.customer != Null)))


def spending_query():
    "(customer, amount) spent in done sales, returns deducted"
    pool = Pool()
    Sale = pool.get('sale.point.sale')
    Line = pool.get('sale.point.sale.line')
    sale = Sale.__table__()
    line = Line.__table__()
    return line.join(sale, condition=line.sale == sale.id).select(
        sale.customer.as_('customer'),
        Sum(line_amount(line)).as_('amount'),
        where=sale.state.in_(SALE_DONE) & (sale.customer != Null),
        group_by=[sale.customer])


class CustomerRFM(ModelSQL, ModelView):
    "Customer RFM score"
    __name__ = 'beauty.customer.rfm'
    customer = fields.Many2One(
        'party.party', "Customer", required=True, readonly=True,
        ondelete='CASCADE')
    # The day of the scores and the days since her last visit as of then
    # are not stored: they would change every row every day, where the
    # refresh writes only the customers whose figures changed
    date = fields.Function(fields.Date(
            "Computed On",
            help="The day the scores were computed."), 'get_date')
    first_visit = fields.Date("First Visit", readonly=True)
    last_visit = fields.Date("Last Visit", readonly=True)
    visits = fields.Integer("Visits", readonly=True)
    monetary = Monetary(
        "Spent", currency='currency', digits='currency', readonly=True,
        help="The total of her done sales, returns deducted.")
    recency_days = fields.Function(fields.Integer(
            "Days Since Last Visit"),
        'get_recency_days', searcher='search_recency_days')
    interval = fields.Float(
        "Usual Interval", digits=(16, 1), readonly=True,
        help="The average number of days between her visits.")
    overdue_days = fields.Integer(
        "Overdue After", readonly=True,
        help="Days after her last visit from which she is overdue: her usual "
        "interval times the overdue factor, or the fixed delay when she has "
        "few visits.")
    due_date = fields.Date(
        "Overdue From", readonly=True,
        help="The day from which she is overdue: her last visit plus the "
        "days after which she is overdue.")
    recency = fields.Integer("R", readonly=True)
    frequency = fields.Integer("F", readonly=True)
    monetary_score = fields.Integer("M", readonly=True)
    score = fields.Function(fields.Integer("RFM Score"), 'get_score')
    segment = fields.Selection(SEGMENTS, "Segment", readonly=True)
    explanation = fields.Function(
        fields.Text("Explanation"), 'get_explanation')
    currency = fields.Function(fields.Many2One(
            'currency.currency', "Currency"), 'get_currency')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._order = [('recency_days', 'ASC'), ('id', 'ASC')]
        cls._sql_indexes.update({
                Index(t, (t.customer, Index.Range())),
                Index(t, (t.segment, Index.Equality(cardinality='low'))),
                # the churn list: the overdue customers, the latest first
                Index(t, (t.due_date, Index.Range()), (t.id, Index.Range())),
                })

    @classmethod
    def __register__(cls, module):
        table_h = cls.__table_handler__(module)
        super().__register__(module)
        # migration: the day and the days since the last visit are no
        # longer stored; the day of the scores moves to the summary
        if table_h.column_exist('date'):
            cursor = Transaction().connection.cursor()
            table = cls.__table__()
            cursor.execute(*table.select(Max(Column(table, 'date'))))
            cls._migrated_date, = cursor.fetchone()
            table_h.drop_column('date')
        if table_h.column_exist('recency_days'):
            table_h.drop_column('recency_days')

    _migrated_date = None

    @classmethod
    def scores_date(cls):
        "The day of the stored scores (of the last refresh)"
        pool = Pool()
        Summary = pool.get('beauty.marketing.segment_summary')
        return Summary.scores_date()

    @classmethod
    def get_date(cls, records, name):
        return dict.fromkeys([r.id for r in records], cls.scores_date())

    @classmethod
    def get_recency_days(cls, records, name):
        date = cls.scores_date()
        return {r.id: (date - r.last_visit).days
            if date and r.last_visit else None for r in records}

    @classmethod
    def _recency_days(cls, table):
        "SQL: the days since the last visit as of the scores' day"
        date = cls.scores_date() or Pool().get('ir.date').today()
        return days_between(date, table.last_visit)

    @classmethod
    def search_recency_days(cls, name, clause):
        _, operator, value = clause[:3]
        table = cls.__table__()
        Operator = fields.SQL_OPERATORS[operator]
        return [('id', 'in', table.select(table.id,
                    where=Operator(cls._recency_days(table), value)))]

    @classmethod
    def order_recency_days(cls, tables):
        table, _ = tables[None]
        return [cls._recency_days(table)]

    def get_score(self, name):
        return (self.recency or 0) + (self.frequency or 0) + (
            self.monetary_score or 0)

    @classmethod
    def get_currency(cls, records, name):
        pool = Pool()
        Company = pool.get('company.company')
        company_id = Transaction().context.get('company')
        currency = None
        if company_id is not None and company_id >= 0:
            currency = Company(company_id).currency.id
        return {r.id: currency for r in records}

    def get_explanation(self, name):
        pool = Pool()
        Lang = pool.get('ir.lang')
        lang = Lang.get()
        if self.currency:
            money = lang.currency(self.monetary or 0, self.currency)
        else:
            money = lang.format('%.2f', self.monetary or 0)
        return gettext('beauty_marketing.msg_rfm_explanation',
            days=self.recency_days, r=self.recency,
            visits=self.visits, f=self.frequency,
            amount=money, m=self.monetary_score,
            segment=self.__names__('segment', self)['value'])

    @classmethod
    def refresh(cls, date=None):
        """Compute the scores of every customer (one INSERT ... SELECT)
        with the thresholds of the configuration; a row's id is its
        customer's"""
        pool = Pool()
        Date = pool.get('ir.date')
        Configuration = pool.get('beauty.marketing.configuration')
        Summary = pool.get('beauty.marketing.segment_summary')
        config = Configuration(1)
        if date is None:
            date = Date.today()
        table = cls.__table__()
        transaction = Transaction()
        cursor = transaction.connection.cursor()
        if backend.name == 'postgresql':
            # The visits and the spending are grouped by customer in hash
            # tables (a million customers, millions of sales): with the
            # default 4 MB they spill to disk in many batches
            cursor.execute("SET LOCAL work_mem = '%s'" % cls._work_mem)

        visits = visits_query()
        stats = visits.select(
            visits.customer.as_('customer'),
            Min(visits.date).as_('first_visit'),
            Max(visits.date).as_('last_visit'),
            Count(visits.date).as_('visits'),
            where=visits.date <= date,
            group_by=[visits.customer])
        spending = spending_query()
        base = stats.join(spending, 'LEFT',
            condition=spending.customer == stats.customer).select(
            stats.customer.as_('customer'),
            stats.first_visit.as_('first_visit'),
            stats.last_visit.as_('last_visit'),
            stats.visits.as_('visits'),
            Coalesce(spending.amount, 0).as_('monetary'),
            days_between(date, stats.last_visit).as_('recency_days'),
            days_between(date, stats.first_visit).as_('age_days'),
            days_between(stats.last_visit, stats.first_visit).as_('span'))

        def money(value):
            return Cast(Literal(str(value)), 'NUMERIC')

        r = Case(
            (base.recency_days <= config.recency_5, 5),
            (base.recency_days <= config.recency_4, 4),
            (base.recency_days <= config.recency_3, 3),
            (base.recency_days <= config.recency_2, 2),
            else_=1)
        f = Case(
            (base.visits >= config.frequency_5, 5),
            (base.visits >= config.frequency_4, 4),
            (base.visits >= config.frequency_3, 3),
            (base.visits >= config.frequency_2, 2),
            else_=1)
        m = Case(
            (base.monetary >= money(config.monetary_5), 5),
            (base.monetary >= money(config.monetary_4), 4),
            (base.monetary >= money(config.monetary_3), 3),
            (base.monetary >= money(config.monetary_2), 2),
            else_=1)
        segment = Case(
            (base.recency_days > config.lost_days, 'lost'),
            (base.recency_days > config.sleeping_days, 'sleeping'),
            (base.age_days <= config.new_days, 'new'),
            (base.monetary >= money(config.high_value_amount),
                'high_value'),
            else_='active')
        interval = Case(
            (base.visits > 1,
                base.span * Literal(1.0) / (base.visits - 1)),
            else_=Null)
        factor = float(config.churn_factor)
        overdue = Case(
            (base.visits >= config.churn_min_visits,
                Cast(Floor(base.span * Literal(factor) / (base.visits - 1)
                        + Literal(0.5)), 'INTEGER')),
            else_=config.churn_days)
        # The customer's id: a row keeps it from day to day (a sequence
        # would give a million new ids a day, past 2^31 within 6 years)
        values = {
            'id': base.customer,
            'customer': base.customer,
            'first_visit': base.first_visit,
            'last_visit': base.last_visit,
            'visits': base.visits,
            'monetary': base.monetary,
            'interval': interval,
            'overdue_days': overdue,
            'due_date': add_days(base.last_visit, overdue),
            'recency': r,
            'frequency': f,
            'monetary_score': m,
            'segment': segment,
            }
        if backend.name == 'postgresql':
            cls._refresh_rows(values, base)
        else:
            cursor.execute(*table.delete())
            cursor.execute(*table.insert(
                    [table.create_uid, table.create_date]
                    + [Column(table, c) for c in values],
                    base.select(
                        Literal(transaction.user),
                        Literal(dt.datetime.now()),
                        *values.values())))
        Summary.update(date)
        if backend.name == 'postgresql':
            cursor.execute('RESET work_mem')

    # PostgreSQL's memory for the hash tables of the refresh
    _work_mem = '256MB'

    @classmethod
    def _refresh_rows(cls, values, base):
        """Replace the rows by the new scores on PostgreSQL: computed into a
        temporary table (CREATE TABLE AS may run in parallel, INSERT ...
        SELECT may not), then the rows of the customers already scored are
        updated in place: an INSERT checks the foreign key of each row,
        locking a million customers' rows (FOR KEY SHARE) and rewriting
        their pages; an UPDATE that keeps the customer does not. Only the
        rows whose figures changed are written: a day changes those who
        came and those who crossed a threshold, not a million rows and
        their four indexes"""
        transaction = Transaction()
        cursor = transaction.connection.cursor()
        table = cls.__table__()
        name = cls._table + '_new'
        new = Table(name)
        query = base.select(*(v.as_(k) for k, v in values.items()))
        cursor.execute('DROP TABLE IF EXISTS "%s"' % name)
        cursor.execute(
            'CREATE TEMPORARY TABLE "%s" ON COMMIT DROP AS %s' % (
                name, query), query.params)
        cursor.execute('ANALYZE "%s"' % name)
        same = (new.id == table.id) & (new.customer == table.customer)
        # the customers no longer scored and the rows of an older id
        old = cls.__table__()
        cursor.execute(*table.delete(
                where=table.id.in_(old.join(new, 'LEFT',
                        condition=(new.id == old.id)
                        & (new.customer == old.customer)).select(
                        old.id, where=new.id == Null))))
        names = [c for c in values if c not in {'id', 'customer'}]
        now = Literal(dt.datetime.now())
        changed = RowDistinct(
            [Column(table, c) for c in names],
            [Column(new, c) for c in names])
        cursor.execute(*table.update(
                [Column(table, c) for c in names] + [table.write_date],
                [Column(new, c) for c in names] + [now],
                from_=[new], where=same & changed))
        columns = list(values)
        cursor.execute(*table.insert(
                [table.create_uid, table.create_date]
                + [Column(table, c) for c in columns],
                new.select(
                    Literal(transaction.user), now,
                    *(Column(new, c) for c in columns),
                    where=~Exists(table.select(
                            Literal(1), where=table.id == new.id)))))
        cursor.execute('DROP TABLE "%s"' % name)

    @classmethod
    def cron_refresh(cls):
        cls.refresh()


class Churn(ModelSQL, ModelView):
    "Churn warning: the customers overdue for a visit"
    __name__ = 'beauty.customer.churn'
    customer = fields.Many2One('party.party', "Customer", readonly=True)
    mobile = fields.Function(fields.Char("Mobile"), 'get_customer_field')
    last_visit = fields.Date("Last Visit", readonly=True)
    visits = fields.Integer("Visits", readonly=True)
    interval = fields.Float("Usual Interval", digits=(16, 1), readonly=True)
    recency_days = fields.Integer("Days Since Last Visit", readonly=True)
    overdue_days = fields.Integer("Overdue After", readonly=True)
    late_days = fields.Integer(
        "Days Late", readonly=True,
        help="How many days later than her usual return she is.")
    due_date = fields.Date(
        "Overdue From", readonly=True,
        help="The day from which she is overdue.")
    segment = fields.Selection(SEGMENTS, "Segment", readonly=True)
    consent = fields.Function(
        fields.Boolean("Marketing Consent"), 'get_customer_field')
    reason = fields.Function(fields.Char("Why Call"), 'get_reason')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # The latest first: the order of late_days DESC, on the index of
        # the stored day from which she is overdue
        cls._order = [('due_date', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        RFM = pool.get('beauty.customer.rfm')
        Date = pool.get('ir.date')
        rfm = RFM.__table__()
        today = Date.today()
        # the days since the last visit, as of today (the scores may be of
        # the morning cron)
        since = days_between(today, rfm.last_visit)
        return rfm.select(
            rfm.id.as_('id'),
            rfm.create_uid.as_('create_uid'),
            rfm.create_date.as_('create_date'),
            rfm.write_uid.as_('write_uid'),
            rfm.write_date.as_('write_date'),
            rfm.customer.as_('customer'),
            rfm.last_visit.as_('last_visit'),
            rfm.visits.as_('visits'),
            rfm.interval.as_('interval'),
            since.as_('recency_days'),
            rfm.overdue_days.as_('overdue_days'),
            days_between(today, rfm.due_date).as_('late_days'),
            rfm.due_date.as_('due_date'),
            rfm.segment.as_('segment'),
            where=rfm.due_date < today)

    @classmethod
    def get_customer_field(cls, records, names):
        "The customers' columns read at once (not a party per record)"
        pool = Pool()
        Party = pool.get('party.party')
        columns = {'mobile': 'mobile', 'consent': 'marketing_consent'}
        customers = {r.id: r.customer.id for r in records if r.customer}
        parties = {p['id']: p for p in Party.read(
                list(set(customers.values())),
                [columns[n] for n in names])}
        result = {n: {} for n in names}
        for record in records:
            party = parties.get(customers.get(record.id), {})
            for name in names:
                value = party.get(columns[name])
                if name == 'consent':
                    value = bool(value)
                result[name][record.id] = value
        return result

    @classmethod
    def get_reason(cls, records, name):
        fixed = cls._fixed_days()
        result = {}
        for record in records:
            if record.visits and record.interval is not None and (
                    record.overdue_days != fixed):
                result[record.id] = gettext(
                    'beauty_marketing.msg_churn_reason_cadence',
                    days=record.recency_days,
                    interval=round(record.interval), late=record.late_days)
            else:
                result[record.id] = gettext(
                    'beauty_marketing.msg_churn_reason_fixed',
                    days=record.recency_days, limit=record.overdue_days)
        return result

    @classmethod
    def _fixed_days(cls):
        pool = Pool()
        Configuration = pool.get('beauty.marketing.configuration')
        return Configuration(1).churn_days


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'
    rfm_segment = fields.Function(
        fields.Selection([(None, '')] + SEGMENTS, "Segment"),
        'get_rfm', searcher='search_rfm')
    rfm_recency = fields.Function(fields.Integer("R"), 'get_rfm')
    rfm_frequency = fields.Function(fields.Integer("F"), 'get_rfm')
    rfm_monetary = fields.Function(fields.Integer("M"), 'get_rfm')
    rfm_explanation = fields.Function(
        fields.Text("RFM Explanation"), 'get_rfm')

    @classmethod
    def get_rfm(cls, parties, names):
        pool = Pool()
        RFM = pool.get('beauty.customer.rfm')
        ids = [p.id for p in parties]
        result = {n: dict.fromkeys(ids) for n in names}
        records = RFM.search([('customer', 'in', ids)])
        mapping = {
            'rfm_segment': 'segment',
            'rfm_recency': 'recency',
            'rfm_frequency': 'frequency',
            'rfm_monetary': 'monetary_score',
            'rfm_explanation': 'explanation',
            }
        for record in records:
            for name in names:
                result[name][record.customer.id] = getattr(
                    record, mapping[name])
        return result

    @classmethod
    def search_rfm(cls, name, clause):
        _, operator, value = clause[:3]
        return [('rfm_records.segment', operator, value)]

    rfm_records = fields.One2Many(
        'beauty.customer.rfm', 'customer', "RFM Scores", readonly=True)
