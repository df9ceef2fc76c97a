# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
import datetime as dt
from decimal import Decimal

from sql import Column, Window
from sql.aggregate import Count
from sql.functions import Lag

from trytond import backend
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.tools import grouped_slice, reduce_ids
from trytond.transaction import Transaction

from .exceptions import CarePlanValidationError, CareRecordValidationError

PHOTO_MAX = 10 * 1024 * 1024


# score field, +1 when a higher score is better, -1 when lower is better
SCORES = [
    ('hydration', 1),
    ('elasticity', 1),
    ('pigmentation', -1),
    ('acne', -1),
    ('pores', -1),
    ('redness', -1),
    ]


class CareRecord(ModelSQL, ModelView):
    "A care record (护理记录): what was done at one visit"
    __name__ = 'beauty.care.record'
    _history = True
    company = fields.Many2One(
        'company.company', "Store", required=True, ondelete='RESTRICT')
    customer = fields.Many2One(
        'party.party', "Customer", required=True, ondelete='CASCADE')
    date = fields.Date("Date", required=True)
    beautician = fields.Many2One(
        'company.employee', "Beautician", ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))])
    services = fields.Many2Many(
        'beauty.care.record-product.product', 'record', 'product',
        "Services",
        domain=[('type', '=', 'service')])
    skin_state = fields.Text(
        "Skin Before", size=2000,
        help="The state of the skin observed before the treatment.")
    hydration = fields.Integer(
        "Hydration", help="1 (very dry) to 10 (well hydrated).")
    elasticity = fields.Integer(
        "Elasticity", help="1 (slack) to 10 (firm).")
    pigmentation = fields.Integer(
        "Pigmentation", help="1 (none) to 10 (severe spots).")
    acne = fields.Integer("Acne", help="1 (none) to 10 (severe).")
    pores = fields.Integer("Pores", help="1 (fine) to 10 (enlarged).")
    redness = fields.Integer("Redness", help="1 (none) to 10 (severe).")
    devices = fields.Char("Devices", size=200)
    technique = fields.Text("Technique", size=2000)
    products = fields.Text(
        "Products Used", size=1000,
        help="The products applied during the treatment.")
    customer_feeling = fields.Text("Customer's Feeling", size=1000)
    result = fields.Text("Result", size=2000)
    home_care = fields.Text("Home Care Advice", size=2000)
    next_recommendation = fields.Text(
        "Recommend Next Time", size=1000)
    next_notes = fields.Text(
        "Notes for the Next Beautician", size=1000)
    photo_before = fields.Binary(
        "Photo Before", file_id='photo_before_id')
    photo_before_id = fields.Char("Photo Before ID", readonly=True)
    photo_after = fields.Binary(
        "Photo After", file_id='photo_after_id')
    photo_after_id = fields.Char("Photo After ID", readonly=True)
    previous_record = fields.Function(
        fields.Many2One('beauty.care.record', "Previous Record"),
        'get_previous_record')
    progress = fields.Function(
        fields.Text("Progress"), 'get_progress')
    progress_score = fields.Function(
        fields.Integer(
            "Progress Score",
            help="Sum of the improvements since the previous record: "
            "positive is better."),
        'get_progress')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._order = [('date', 'DESC'), ('id', 'DESC')]
        cls._sql_indexes.update({
                Index(t, (t.customer, Index.Range()),
                    (t.date, Index.Range(order='DESC'))),
                Index(t, (t.beautician, Index.Range()),
                    (t.date, Index.Range(order='DESC'))),
                Index(t, (t.date, Index.Range(order='DESC'))),
                })
        for name, _ in SCORES:
            getattr(cls, name).domain = [
                'OR',
                (name, '=', None),
                [(name, '>=', 1), (name, '<=', 10)],
                ]

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_date():
        return Pool().get('ir.date').today()

    @staticmethod
    def default_beautician():
        return Transaction().context.get('employee')

    @classmethod
    def get_rec_name(cls, records, name):
        """The customer's name and the date; the names in one query
        (through the records, each row of a list loaded all its columns
        for its customer, then her name)"""
        from .company import party_names
        customers = party_names(cls, records, party_column='customer')
        return {r.id: '%s %s' % (customers.get(r.id, ''), r.date)
            for r in records}

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('customer.rec_name',) + tuple(clause[1:])]

    @classmethod
    def _erase_columns(cls):
        return ['skin_state', 'devices', 'technique', 'products',
            'customer_feeling', 'result', 'home_care', 'next_recommendation',
            'next_notes', 'photo_before_id', 'photo_after_id']

    @classmethod
    def photo_ids(cls, customer_ids):
        "The file ids of the photos of the customers, history included"
        cursor = Transaction().connection.cursor()
        file_ids = set()
        for table in [cls.__table__(), cls.__table_history__()]:
            for sub_ids in grouped_slice(customer_ids, 1000):
                cursor.execute(*table.select(
                        table.photo_before_id, table.photo_after_id,
                        where=table.customer.in_(list(sub_ids))))
                for row in cursor:
                    file_ids.update(i for i in row if i)
        return file_ids

    @classmethod
    def _previous_rows(cls, records, names=()):
        """{id: (previous id, (value, previous value) of each of names)} of
        records, the previous being the customer's record just before, in
        one query over the records of their customers"""
        table = cls.__table__()
        record = cls.__table__()
        cursor = Transaction().connection.cursor()
        ids = list(map(int, records))
        result = dict.fromkeys(ids, (None, (None, None) * len(names)))
        window = Window([table.customer],
            order_by=[table.date.asc, table.id.asc])
        columns = [table.id, Lag(table.id, window=window)]
        for name in names:
            column = Column(table, name)
            columns += [column, Lag(column, window=window)]
        for sub in grouped_slice(ids, backend.MAX_QUERY_PARAMS):
            customers = record.select(
                record.customer, where=reduce_ids(record.id, list(sub)))
            cursor.execute(*table.select(
                    *columns, where=table.customer.in_(customers)))
            for id_, previous, *values in cursor:
                if id_ in result:
                    result[id_] = (previous, tuple(values))
        return result

    @classmethod
    def get_previous_record(cls, records, name):
        "The customer's record just before each record, in one query"
        return {i: p for i, (p, _) in cls._previous_rows(records).items()}

    @classmethod
    def get_progress(cls, records, names):
        strings = {
            k: v['string'] for k, v in cls.fields_get(
                [n for n, _ in SCORES]).items()}
        text, score = {}, {}
        # the scores of each record and of the previous one in one query
        # (the records and the previous ones were loaded whole)
        rows = cls._previous_rows(records, [n for n, _ in SCORES])
        for record in records:
            previous, values = rows[record.id]
            text[record.id], score[record.id] = None, None
            if not previous:
                continue
            parts, total, compared = [], 0, False
            for i, (name, direction) in enumerate(SCORES):
                new, old = values[2 * i], values[2 * i + 1]
                if old is None or new is None:
                    continue
                compared = True
                delta = (new - old) * direction
                total += delta
                parts.append('%s %s→%s (%s)' % (
                        strings[name], old, new,
                        gettext('beauty_customer.msg_progress_better')
                        if delta > 0 else
                        gettext('beauty_customer.msg_progress_worse')
                        if delta < 0 else
                        gettext('beauty_customer.msg_progress_same')))
            if compared:
                text[record.id] = '\n'.join(parts)
                score[record.id] = total
        result = {}
        if 'progress' in names:
            result['progress'] = text
        if 'progress_score' in names:
            result['progress_score'] = score
        return result

    @classmethod
    def validate_fields(cls, records, field_names):
        super().validate_fields(records, field_names)
        # the store's date (the server may run in UTC)
        today = Pool().get('ir.date').today()
        for record in records:
            if record.date and record.date > today:
                raise CareRecordValidationError(gettext(
                        'beauty_customer.msg_care_record_future',
                        date=record.date))
            for photo in ['photo_before', 'photo_after']:
                data = getattr(record, photo)
                if data and len(data) > PHOTO_MAX:
                    raise CareRecordValidationError(gettext(
                            'beauty_customer.msg_photo_too_large',
                            field=cls.fields_get([photo])[photo]['string'],
                            size=PHOTO_MAX // (1024 * 1024)))


class CareRecordService(ModelSQL):
    __name__ = 'beauty.care.record-product.product'
    record = fields.Many2One(
        'beauty.care.record', "Care Record", required=True,
        ondelete='CASCADE')
    product = fields.Many2One(
        'product.product', "Service", required=True, ondelete='RESTRICT')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.record, Index.Range())),
                Index(t, (t.product, Index.Range())),
                })


PERIODS = [
    ('year', "Year"),
    ('quarter', "Quarter"),
    ('month', "Month"),
    ]


def period_end(period, start):
    if not start:
        return None
    months = {'year': 12, 'quarter': 3, 'month': 1}[period]
    month = start.month - 1 + months
    year = start.year + month // 12
    month = month % 12 + 1
    try:
        end = start.replace(year=year, month=month)
    except ValueError:
        end = dt.date(year, month, 1) + dt.timedelta(days=31)
        end = end.replace(day=1)
    return end - dt.timedelta(days=1)


class CarePlan(ModelSQL, ModelView):
    "A care plan (项目规划表) for a customer and a period"
    __name__ = 'beauty.care.plan'
    company = fields.Many2One(
        'company.company', "Store", required=True, ondelete='RESTRICT')
    customer = fields.Many2One(
        'party.party', "Customer", required=True, ondelete='CASCADE')
    period = fields.Selection(PERIODS, "Period", required=True)
    start_date = fields.Date("Start Date", required=True)
    end_date = fields.Date("End Date", required=True)
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"), 'get_currency')
    target_spend = Monetary(
        "Target Spend", currency='currency', digits='currency',
        help="What the customer is expected to spend in the period.")
    lines = fields.One2Many(
        'beauty.care.plan.line', 'plan', "Planned Services")
    planned_sessions = fields.Function(
        fields.Integer("Planned Sessions"), 'get_totals')
    actual_sessions = fields.Function(
        fields.Integer("Actual Sessions"), 'get_totals')
    completion = fields.Function(
        fields.Float("Completion", digits=(1, 4)), 'get_totals')
    notes = fields.Text("Notes", size=2000)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._order = [('start_date', 'DESC'), ('id', 'DESC')]
        cls._sql_indexes.add(Index(t, (t.customer, Index.Range())))

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_period():
        return 'quarter'

    @staticmethod
    def default_target_spend():
        return Decimal(0)

    def get_currency(self, name):
        return self.company.currency.id if self.company else None

    def get_rec_name(self, name):
        return '%s %s~%s' % (
            self.customer.rec_name, self.start_date, self.end_date)

    @fields.depends('period', 'start_date')
    def on_change_with_end_date(self, name=None):
        if self.period and self.start_date:
            return period_end(self.period, self.start_date)

    @classmethod
    def get_totals(cls, plans, names):
        result = {n: {} for n in names}
        for plan in plans:
            planned = sum(l.planned_sessions or 0 for l in plan.lines)
            actual = sum(
                min(l.actual_sessions or 0, l.planned_sessions or 0)
                for l in plan.lines)
            done = sum(l.actual_sessions or 0 for l in plan.lines)
            if 'planned_sessions' in names:
                result['planned_sessions'][plan.id] = planned
            if 'actual_sessions' in names:
                result['actual_sessions'][plan.id] = done
            if 'completion' in names:
                result['completion'][plan.id] = (
                    actual / planned if planned else None)
        return result

    @classmethod
    def validate_fields(cls, plans, field_names):
        super().validate_fields(plans, field_names)
        for plan in plans:
            if (plan.start_date and plan.end_date
                    and plan.end_date < plan.start_date):
                raise CarePlanValidationError(gettext(
                        'beauty_customer.msg_plan_dates',
                        start=plan.start_date, end=plan.end_date))
            if plan.target_spend is not None and plan.target_spend < 0:
                raise CarePlanValidationError(gettext(
                        'beauty_customer.msg_plan_negative_target',
                        amount=plan.target_spend))


class CarePlanLine(ModelSQL, ModelView):
    "A service planned in a care plan"
    __name__ = 'beauty.care.plan.line'
    plan = fields.Many2One(
        'beauty.care.plan', "Plan", required=True, ondelete='CASCADE')
    service = fields.Many2One(
        'product.product', "Service", required=True, ondelete='RESTRICT',
        domain=[('type', '=', 'service')])
    planned_sessions = fields.Integer(
        "Planned Sessions", required=True,
        domain=[('planned_sessions', '>', 0)])
    actual_sessions = fields.Function(
        fields.Integer(
            "Actual Sessions",
            help="Care records of this service in the plan's period."),
        'get_actual_sessions')
    notes = fields.Char("Notes", size=200)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.plan, Index.Range())))

    @staticmethod
    def default_planned_sessions():
        return 1

    @classmethod
    def get_actual_sessions(cls, lines, name):
        "Count the care records per line in one aggregate query"
        pool = Pool()
        Plan = pool.get('beauty.care.plan')
        Record = pool.get('beauty.care.record')
        RecordService = pool.get('beauty.care.record-product.product')
        line = cls.__table__()
        plan = Plan.__table__()
        record = Record.__table__()
        service = RecordService.__table__()
        cursor = Transaction().connection.cursor()
        result = dict.fromkeys(map(int, lines), 0)
        for sub in grouped_slice(
                list(result), backend.MAX_QUERY_PARAMS):
            query = (line
                .join(plan, condition=line.plan == plan.id)
                .join(record, condition=(record.customer == plan.customer)
                    & (record.date >= plan.start_date)
                    & (record.date <= plan.end_date))
                .join(service, condition=(service.record == record.id)
                    & (service.product == line.service))
                .select(line.id, Count(service.id),
                    where=reduce_ids(line.id, sub),
                    group_by=[line.id]))
            cursor.execute(*query)
            result.update(cursor)
        return result
