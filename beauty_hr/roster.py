# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""Rosters (排班): shift templates, weekly patterns, the roster itself and
the week grid the manager reads."""
import datetime as dt
from collections import defaultdict

from sql import Literal, Null
from sql.functions import CurrentTimestamp
from sql.operators import Equal

from trytond import backend
from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Exclude, Index, ModelSQL, ModelView, fields,
    sequence_ordered)
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.sql.functions import TSRange
from trytond.sql.operators import RangeOverlap
from trytond.tools import grouped_slice, reduce_ids
from trytond.transaction import Transaction
from trytond.wizard import Button, StateTransition, StateView, Wizard

from .exceptions import (
    RosterGenerateError, RosterLeaveError, RosterOverlapError,
    RosterValidationError, ShiftValidationError)
from .interval import (
    LocalIntervalMixin, as_date, as_datetime, as_time, interval_overlaps,
    local_bounds, time_text)
from .tz import store_timezone, to_utc

WEEKDAYS = [
    ('0', "Monday"),
    ('1', "Tuesday"),
    ('2', "Wednesday"),
    ('3', "Thursday"),
    ('4', "Friday"),
    ('5', "Saturday"),
    ('6', "Sunday"),
    ]
MAX_GENERATE_WEEKS = 8
CREATE_BATCH = 100


def ensure_btree_gist():
    """Make sure the exclusion constraints of the suite are created.

    Without the btree_gist extension, Tryton silently skips an exclusion
    constraint mixing "=" and "&&". The extension may have been created
    earlier in the same (not yet committed) transaction, which the backend's
    extension check does not see as it asks on another connection: ask on
    the transaction's own connection and record the answer.
    """
    transaction = Transaction()
    database = transaction.database
    if backend.name != 'postgresql':
        return
    cursor = transaction.connection.cursor()
    cursor.execute(
        "SELECT 1 FROM pg_extension WHERE extname = 'btree_gist'")
    if not cursor.fetchone():
        cursor.execute('CREATE EXTENSION IF NOT EXISTS "btree_gist"')
    database._extensions[database.name]['btree_gist'] = True


def week_start(date):
    "The Monday of the week of date"
    return date - dt.timedelta(days=date.weekday())


def _check_times(start_time, end_time, error, **values):
    if start_time is not None and end_time is not None:
        if end_time <= start_time:
            raise error(gettext(
                    values.pop('message'),
                    start_time=time_text(start_time),
                    end_time=time_text(end_time), **values))


class Shift(DeactivableMixin, sequence_ordered(), ModelSQL, ModelView):
    "A shift template (班次): 早班, 中班, 晚班 with their times"
    __name__ = 'beauty.shift'
    __string__ = "Shift"
    name = fields.Char("Name", required=True, size=30)
    code = fields.Char(
        "Code", size=4,
        help="A short mark for the roster grid, e.g. 早.")
    company = fields.Many2One(
        'company.company', "Store", required=True, ondelete='CASCADE')
    start_time = fields.Time("Start Time", required=True, format='%H:%M')
    end_time = fields.Time(
        "End Time", required=True, format='%H:%M',
        help="Must be after the start time on the same day.")
    duration = fields.Function(
        fields.TimeDelta("Duration"), 'on_change_with_duration')
    color = fields.Char(
        "Color", size=20,
        help="The colour of the shift in the roster calendar "
        "(e.g. #f5a623).")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.company, Index.Range())))
        cls._order.insert(1, ('start_time', 'ASC'))

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @fields.depends('start_time', 'end_time')
    def on_change_with_duration(self, name=None):
        if self.start_time and self.end_time:
            return (dt.datetime.combine(dt.date.min, self.end_time)
                - dt.datetime.combine(dt.date.min, self.start_time))

    def get_rec_name(self, name):
        return '%s %s-%s' % (
            self.name, time_text(self.start_time), time_text(self.end_time))

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, value = clause[:3]
        if operator.startswith('!') or operator.startswith('not '):
            bool_op = 'AND'
        else:
            bool_op = 'OR'
        return [bool_op,
            ('name',) + tuple(clause[1:]),
            ('code',) + tuple(clause[1:]),
            ]

    @classmethod
    def validate_fields(cls, shifts, field_names):
        super().validate_fields(shifts, field_names)
        if field_names and not (field_names & {'start_time', 'end_time'}):
            return
        for shift in shifts:
            _check_times(
                shift.start_time, shift.end_time, ShiftValidationError,
                message='beauty_hr.msg_shift_end_before_start',
                shift=shift.name)


class RosterPattern(ModelSQL, ModelView):
    "A line of an employee's weekly pattern: a shift on a weekday"
    __name__ = 'beauty.roster.pattern'
    __string__ = "Weekly Pattern"
    employee = fields.Many2One(
        'company.employee', "Employee", required=True, ondelete='CASCADE')
    weekday = fields.Selection(WEEKDAYS, "Weekday", required=True, sort=False)
    shift = fields.Many2One(
        'beauty.shift', "Shift", required=True, ondelete='CASCADE',
        domain=[
            If(Eval('employee_company'),
                ('company', '=', Eval('employee_company', -1)),
                ()),
            ])
    employee_company = fields.Function(
        fields.Many2One('company.company', "Store"),
        'on_change_with_employee_company',
        searcher='search_employee_company')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._order = [
            ('employee', 'ASC'), ('weekday', 'ASC'), ('id', 'ASC')]
        cls._sql_indexes.add(Index(t, (t.employee, Index.Range())))

    @fields.depends('employee', '_parent_employee.company')
    def on_change_with_employee_company(self, name=None):
        if self.employee and self.employee.company:
            return self.employee.company.id

    @classmethod
    def search_employee_company(cls, name, clause):
        return [('employee.company',) + tuple(clause[1:])]


class Roster(LocalIntervalMixin, ModelSQL, ModelView):
    """A worked shift of an employee on a day (排班).

    The local fields (date, start_time, end_time in the store's timezone)
    are what people enter; start and end are the same interval as naive UTC
    datetimes, computed on save, that other modules compare directly.
    Shifts of one employee never overlap (an exclusion constraint on
    PostgreSQL, the same check in Python before writing on both databases).
    """
    __name__ = 'beauty.roster'
    __string__ = "Roster"
    _local_fields = {'date', 'start_time', 'end_time', 'shift'}
    company = fields.Many2One(
        'company.company', "Store", required=True, ondelete='CASCADE')
    employee = fields.Many2One(
        'company.employee', "Employee", required=True, ondelete='CASCADE',
        domain=[('company', '=', Eval('company', -1))])
    date = fields.Date("Date", required=True)
    weekday = fields.Function(
        fields.Selection(WEEKDAYS, "Weekday"), 'on_change_with_weekday')
    shift = fields.Many2One(
        'beauty.shift', "Shift", ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))],
        help="Fills the times; they can be changed for this day.")
    start_time = fields.Time("Start Time", required=True, format='%H:%M')
    end_time = fields.Time(
        "End Time", required=True, format='%H:%M',
        help="Must be after the start time on the same day.")
    start = fields.DateTime(
        "Start", readonly=True,
        help="The start of the shift (stored in UTC).")
    end = fields.DateTime(
        "End", readonly=True,
        help="The end of the shift (stored in UTC).")
    duration = fields.Function(
        fields.TimeDelta("Duration"), 'on_change_with_duration')
    color = fields.Function(fields.Char("Color"), 'on_change_with_color')
    note = fields.Char("Note", size=200)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._order = [
            ('date', 'DESC'), ('start_time', 'ASC'), ('employee', 'ASC'),
            ('id', 'ASC')]
        if backend.name == 'postgresql':
            # Concurrent transactions cannot both insert overlapping shifts.
            # SQLite runs one writer at a time: check_overlaps after the
            # write is its equivalent (Tryton's emulation of exclusion
            # constraints nests one OR per row, too deep for SQLite's parser
            # beyond a few dozen rows).
            cls._sql_constraints += [
                ('employee_overlap',
                    Exclude(t,
                        (t.employee, Equal),
                        (TSRange(t.start, t.end, '[)'), RangeOverlap)),
                    'beauty_hr.msg_roster_overlap_constraint'),
                ]
        cls._sql_indexes.update({
                Index(t, (t.employee, Index.Range()),
                    (t.start, Index.Range())),
                Index(t, (t.company, Index.Range()),
                    (t.date, Index.Range())),
                })

    @classmethod
    def __register__(cls, module):
        ensure_btree_gist()
        super().__register__(module)

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_date():
        return Pool().get('ir.date').today()

    @fields.depends('date')
    def on_change_with_weekday(self, name=None):
        if self.date:
            return str(self.date.weekday())

    @fields.depends('shift', 'start_time', 'end_time')
    def on_change_shift(self):
        if self.shift:
            self.start_time = self.shift.start_time
            self.end_time = self.shift.end_time

    @fields.depends('start_time', 'end_time')
    def on_change_with_duration(self, name=None):
        if self.start_time and self.end_time:
            return (dt.datetime.combine(dt.date.min, self.end_time)
                - dt.datetime.combine(dt.date.min, self.start_time))

    @fields.depends('shift', '_parent_shift.color')
    def on_change_with_color(self, name=None):
        if self.shift:
            return self.shift.color

    def get_rec_name(self, name):
        return '%s %s %s-%s' % (
            self.employee.rec_name, self.date,
            time_text(self.start_time), time_text(self.end_time))

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('employee.rec_name',) + tuple(clause[1:])]

    # Local date and times to UTC interval

    @classmethod
    def _local_interval(cls, values, timezone):
        date = values.get('date')
        start_time = values.get('start_time')
        end_time = values.get('end_time')
        if date is None or start_time is None or end_time is None:
            return None
        return (to_utc(date, start_time, timezone),
            to_utc(date, end_time, timezone))

    @classmethod
    def _fill_times(cls, vlist):
        "Fill the missing times from the shift templates (one query)"
        pool = Pool()
        Shift = pool.get('beauty.shift')
        shift_ids = {
            v['shift'] for v in vlist if v.get('shift')
            and (v.get('start_time') is None or v.get('end_time') is None)}
        if not shift_ids:
            return
        shifts = {s.id: s for s in Shift.browse(list(shift_ids))}
        for values in vlist:
            shift = shifts.get(values.get('shift'))
            if shift:
                if values.get('start_time') is None:
                    values['start_time'] = shift.start_time
                if values.get('end_time') is None:
                    values['end_time'] = shift.end_time

    @classmethod
    def _fill_write_values(cls, full, values):
        if 'shift' in values and values['shift'] and not (
                {'start_time', 'end_time'} & set(values)):
            full['start_time'] = full['end_time'] = None
            cls._fill_times([full])

    @classmethod
    def _filled_fields(cls, values):
        if 'shift' in values:
            return {'start_time', 'end_time'}
        return set()

    @classmethod
    def create(cls, vlist):
        pool = Pool()
        ModelAccess = pool.get('ir.model.access')
        ModelAccess.check(cls.__name__, 'create')
        vlist = [v.copy() for v in vlist]
        cls._fill_times(vlist)
        cls._complete_values(vlist)
        cls.check_intervals([(None, v) for v in vlist])
        return super().create(vlist)

    @classmethod
    def write(cls, *args):
        pool = Pool()
        ModelAccess = pool.get('ir.model.access')
        ModelAccess.check(cls.__name__, 'write')
        args, changed = cls._expand_write(args)
        cls.check_intervals([(r.id, v) for r, v in changed])
        super().write(*args)

    @classmethod
    def check_intervals(cls, items):
        """Check new or changed shifts before they are written.

        items: list of (id or None, values) with employee, company, date,
        start_time, end_time, start, end. Refuses a shift ending before it
        starts, an employee of another store, overlapping shifts (among the
        items and with the stored ones) and a shift during approved leave.
        Three queries whatever the number of items.
        """
        pool = Pool()
        Employee = pool.get('company.employee')
        Leave = pool.get('beauty.leave')
        table = cls.__table__()
        leave = Leave.__table__()
        cursor = Transaction().connection.cursor()
        items = [(i, v) for i, v in items if v.get('employee')]
        if not items:
            return
        employees = {
            e.id: e for e in Employee.browse(
                list({v['employee'] for _, v in items}))}
        for _, values in items:
            employee = employees[values['employee']]
            _check_times(
                values.get('start_time'), values.get('end_time'),
                RosterValidationError,
                message='beauty_hr.msg_roster_end_before_start',
                employee=employee.rec_name, date=values.get('date'))
            if (values.get('company')
                    and employee.company.id != values['company']):
                raise RosterValidationError(gettext(
                        'beauty_hr.msg_roster_employee_company',
                        employee=employee.rec_name,
                        store=employee.company.rec_name))
        items = [(i, v) for i, v in items if v.get('start') and v.get('end')]
        if not items:
            return

        def describe(values):
            return '%s %s-%s' % (
                values['date'], time_text(values['start_time']),
                time_text(values['end_time']))

        by_employee = defaultdict(list)
        for id_, values in items:
            by_employee[values['employee']].append((id_, values))
        for employee_id, shifts in by_employee.items():
            shifts.sort(key=lambda s: s[1]['start'])
            for (_, first), (_, second) in zip(shifts, shifts[1:]):
                if second['start'] < first['end']:
                    raise RosterOverlapError(gettext(
                            'beauty_hr.msg_roster_overlap',
                            employee=employees[employee_id].rec_name,
                            shift=describe(second),
                            other=describe(first)))
        ids = [i for i, _ in items if i is not None]
        lower = min(v['start'] for _, v in items)
        upper = max(v['end'] for _, v in items)
        for sub in grouped_slice(list(by_employee), backend.MAX_QUERY_PARAMS):
            sub = list(sub)
            where = (reduce_ids(table.employee, sub)
                & (table.start < upper) & (table.end > lower))
            if ids:
                where &= ~reduce_ids(table.id, ids)
            cursor.execute(*table.select(
                    table.employee, table.date, table.start_time,
                    table.end_time, table.start, table.end, where=where))
            for employee_id, date, start_time, end_time, start, end in (
                    cursor):
                start, end = as_datetime(start), as_datetime(end)
                for _, values in by_employee[employee_id]:
                    if interval_overlaps(
                            values['start'], values['end'], start, end):
                        raise RosterOverlapError(gettext(
                                'beauty_hr.msg_roster_overlap',
                                employee=employees[employee_id].rec_name,
                                shift=describe(values),
                                other=describe({
                                        'date': as_date(date),
                                        'start_time': as_time(start_time),
                                        'end_time': as_time(end_time)})))
            cursor.execute(*leave.select(
                    leave.id, leave.employee, leave.start, leave.end,
                    where=reduce_ids(leave.employee, sub)
                    & (leave.state == 'approved')
                    & (leave.start < upper) & (leave.end > lower)))
            for leave_id, employee_id, start, end in cursor.fetchall():
                start, end = as_datetime(start), as_datetime(end)
                for _, values in by_employee[employee_id]:
                    if interval_overlaps(
                            values['start'], values['end'], start, end):
                        absence = Leave(leave_id)
                        raise RosterLeaveError(gettext(
                                'beauty_hr.msg_roster_on_leave',
                                employee=employees[employee_id].rec_name,
                                shift=describe(values),
                                leave=absence.rec_name))

    @classmethod
    def validate(cls, rosters):
        super().validate(rosters)
        cls.check_overlaps(rosters)

    @classmethod
    def check_overlaps(cls, rosters):
        "After writing: no shift of rosters overlaps another of its employee"
        table = cls.__table__()
        other = cls.__table__()
        cursor = Transaction().connection.cursor()
        for sub in grouped_slice(
                [r.id for r in rosters], backend.MAX_QUERY_PARAMS):
            cursor.execute(*table.join(other, condition=(
                        (table.employee == other.employee)
                        & (table.id != other.id)
                        & (table.start < other.end)
                        & (other.start < table.end))).select(
                    table.id, other.id,
                    where=reduce_ids(table.id, list(sub)), limit=1))
            row = cursor.fetchone()
            if row:
                first, second = cls.browse(row)
                raise RosterOverlapError(gettext(
                        'beauty_hr.msg_roster_overlap',
                        employee=first.employee.rec_name,
                        shift='%s %s-%s' % (first.date,
                            time_text(first.start_time),
                            time_text(first.end_time)),
                        other='%s %s-%s' % (second.date,
                            time_text(second.start_time),
                            time_text(second.end_time))))

    @classmethod
    def copy(cls, rosters, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('date', lambda data: (
                data['date'] + dt.timedelta(days=7)))
        return super().copy(rosters, default=default)

    # Generation from the weekly patterns

    @classmethod
    def generate(cls, employees, first_day, weeks=1):
        """Create the rosters of employees from their weekly patterns.

        employees: company.employee records; first_day: a date (the week of
        it is used from its Monday); weeks: how many weeks.
        Days already rostered are left as they are; days of approved leave
        are skipped. Returns (created rosters, skipped) where skipped is a
        list of (employee, date, reason) with reason 'leave' or 'rostered'.
        A handful of queries whatever the number of employees and weeks.
        """
        pool = Pool()
        Pattern = pool.get('beauty.roster.pattern')
        Leave = pool.get('beauty.leave')
        table = cls.__table__()
        leave = Leave.__table__()
        cursor = Transaction().connection.cursor()
        if not 1 <= weeks <= MAX_GENERATE_WEEKS:
            raise RosterGenerateError(gettext(
                    'beauty_hr.msg_generate_weeks',
                    maximum=MAX_GENERATE_WEEKS))
        employees = list(employees)
        if not employees:
            return [], []
        monday = week_start(first_day)
        patterns = Pattern.search([
                ('employee', 'in', [e.id for e in employees]),
                ], order=[('employee', 'ASC'), ('weekday', 'ASC')])
        by_employee = defaultdict(list)
        for pattern in patterns:
            by_employee[pattern.employee.id].append(pattern)

        candidates = []
        for employee in employees:
            timezone = store_timezone(employee.company)
            for offset in range(7 * weeks):
                date = monday + dt.timedelta(days=offset)
                if employee.start_date and date < employee.start_date:
                    continue
                if employee.end_date and date > employee.end_date:
                    continue
                for pattern in by_employee[employee.id]:
                    if int(pattern.weekday) != date.weekday():
                        continue
                    shift = pattern.shift
                    candidates.append({
                            'company': employee.company.id,
                            'employee': employee.id,
                            'date': date,
                            'shift': shift.id,
                            'start_time': shift.start_time,
                            'end_time': shift.end_time,
                            'start': to_utc(
                                date, shift.start_time, timezone),
                            'end': to_utc(date, shift.end_time, timezone),
                            })
        if not candidates:
            return [], []
        lower = min(c['start'] for c in candidates)
        upper = max(c['end'] for c in candidates)
        busy = defaultdict(list)
        absent = defaultdict(list)
        for sub in grouped_slice(
                [e.id for e in employees], backend.MAX_QUERY_PARAMS):
            sub = list(sub)
            cursor.execute(*table.select(
                    table.employee, table.start, table.end,
                    where=reduce_ids(table.employee, sub)
                    & (table.start < upper) & (table.end > lower)))
            for employee_id, start, end in cursor:
                busy[employee_id].append(
                    (as_datetime(start), as_datetime(end)))
            cursor.execute(*leave.select(
                    leave.employee, leave.start, leave.end,
                    where=reduce_ids(leave.employee, sub)
                    & (leave.state == 'approved')
                    & (leave.start < upper) & (leave.end > lower)))
            for employee_id, start, end in cursor:
                absent[employee_id].append(
                    (as_datetime(start), as_datetime(end)))
        employees_by_id = {e.id: e for e in employees}
        to_create, skipped = [], []
        for values in candidates:
            employee_id = values['employee']
            key = (values['start'], values['end'])
            if any(interval_overlaps(*key, *other)
                    for other in absent[employee_id]):
                skipped.append(
                    (employees_by_id[employee_id], values['date'], 'leave'))
                continue
            if any(interval_overlaps(*key, *other)
                    for other in busy[employee_id]):
                skipped.append(
                    (employees_by_id[employee_id], values['date'],
                        'rostered'))
                continue
            busy[employee_id].append(key)
            to_create.append(values)
        rosters = []
        # by batches: on SQLite Tryton checks the exclusion constraint with
        # one OR per created row
        for sub in grouped_slice(to_create, CREATE_BATCH):
            rosters.extend(cls.create(list(sub)))
        return rosters, skipped

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/tree/field[@name="weekday"]', 'visual',
                If(Eval('weekday', '0').in_(['5', '6']), 'warning', '')),
            ]


class RosterWeekContext(ModelView):
    "The week and store shown in the roster grid"
    __name__ = 'beauty.roster.week.context'
    __string__ = "Week Roster Context"
    company = fields.Many2One('company.company', "Store", required=True)
    week = fields.Date(
        "Week", required=True,
        help="Any day of the week to show (Monday to Sunday).")
    position = fields.Selection('get_positions', "Position")

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_week(cls):
        return week_start(Pool().get('ir.date').today())

    @classmethod
    def get_positions(cls):
        pool = Pool()
        Employee = pool.get('company.employee')
        return Employee.fields_get(['position'])['position']['selection']


class RosterWeek(ModelSQL, ModelView):
    """The roster of a store for one week: one row per employee, one column
    per weekday (the shift and its times, rest or leave)."""
    __name__ = 'beauty.roster.week'
    __string__ = "Week Roster"
    employee = fields.Many2One('company.employee', "Employee")
    company = fields.Many2One('company.company', "Store")
    position = fields.Selection('get_positions', "Position")
    monday = fields.Function(fields.Char("Monday"), 'get_days')
    tuesday = fields.Function(fields.Char("Tuesday"), 'get_days')
    wednesday = fields.Function(fields.Char("Wednesday"), 'get_days')
    thursday = fields.Function(fields.Char("Thursday"), 'get_days')
    friday = fields.Function(fields.Char("Friday"), 'get_days')
    saturday = fields.Function(fields.Char("Saturday"), 'get_days')
    sunday = fields.Function(fields.Char("Sunday"), 'get_days')
    hours = fields.Function(
        fields.TimeDelta("Hours", help="The rostered time of the week."),
        'get_days')
    rest_days = fields.Function(
        fields.Integer("Rest Days"), 'get_days')

    DAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday',
        'saturday', 'sunday']

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [
            ('position', 'ASC'), ('employee', 'ASC'), ('id', 'ASC')]

    @classmethod
    def get_positions(cls):
        return RosterWeekContext.get_positions()

    @classmethod
    def _week(cls):
        context = Transaction().context
        week = context.get('week')
        if isinstance(week, dt.datetime):
            week = week.date()
        if not isinstance(week, dt.date):
            week = Pool().get('ir.date').today()
        return week_start(week)

    @classmethod
    def table_query(cls):
        pool = Pool()
        Employee = pool.get('company.employee')
        employee = Employee.__table__()
        context = Transaction().context
        monday = cls._week()
        sunday = monday + dt.timedelta(days=6)
        company = context.get('company')
        where = employee.company == (company if company is not None else -1)
        where &= ((employee.start_date == Null)
            | (employee.start_date <= sunday))
        where &= ((employee.end_date == Null)
            | (employee.end_date >= monday))
        if context.get('position'):
            where &= employee.position == context['position']
        return employee.select(
            employee.id.as_('id'),
            Literal(0).as_('create_uid'),
            CurrentTimestamp().as_('create_date'),
            Literal(None).as_('write_uid'),
            Literal(None).as_('write_date'),
            employee.id.as_('employee'),
            employee.company.as_('company'),
            employee.position.as_('position'),
            where=where)

    @classmethod
    def get_days(cls, rows, names):
        "The week of every row from one query on rosters and one on leave"
        pool = Pool()
        Roster = pool.get('beauty.roster')
        Leave = pool.get('beauty.leave')
        Shift = pool.get('beauty.shift')
        roster = Roster.__table__()
        leave = Leave.__table__()
        cursor = Transaction().connection.cursor()
        monday = cls._week()
        sunday = monday + dt.timedelta(days=6)
        ids = [r.id for r in rows]
        days = {i: [[] for _ in range(7)] for i in ids}
        hours = {i: dt.timedelta() for i in ids}
        leaves = {i: [set() for _ in range(7)] for i in ids}
        companies = {r.id: r.company for r in rows}
        shift_names = {}
        leave_types = dict(Leave.fields_get(['type'])['type']['selection'])
        rows_by_shift = []
        for sub in grouped_slice(ids, backend.MAX_QUERY_PARAMS):
            sub = list(sub)
            cursor.execute(*roster.select(
                    roster.employee, roster.date, roster.shift,
                    roster.start_time, roster.end_time,
                    where=reduce_ids(roster.employee, sub)
                    & (roster.date >= monday) & (roster.date <= sunday),
                    order_by=[roster.employee, roster.date,
                        roster.start_time]))
            rows_by_shift.extend(cursor)
            if ids:
                lower = min(
                    local_bounds(companies[i], monday, sunday)[0]
                    for i in sub)
                upper = max(
                    local_bounds(companies[i], monday, sunday)[1]
                    for i in sub)
                cursor.execute(*leave.select(
                        leave.employee, leave.type, leave.start, leave.end,
                        where=reduce_ids(leave.employee, sub)
                        & (leave.state == 'approved')
                        & (leave.start < upper) & (leave.end > lower)))
                for employee_id, type_, start, end in cursor:
                    start, end = as_datetime(start), as_datetime(end)
                    for offset in range(7):
                        day = monday + dt.timedelta(days=offset)
                        day_start, day_end = local_bounds(
                            companies[employee_id], day, day)
                        if interval_overlaps(start, end, day_start, day_end):
                            leaves[employee_id][offset].add(
                                leave_types.get(type_, type_))
        shift_ids = {r[2] for r in rows_by_shift if r[2]}
        for shift in Shift.browse(list(shift_ids)):
            shift_names[shift.id] = shift.code or shift.name
        for employee_id, date, shift_id, start_time, end_time in (
                rows_by_shift):
            date, start_time, end_time = (
                as_date(date), as_time(start_time), as_time(end_time))
            offset = (date - monday).days
            label = '%s-%s' % (time_text(start_time), time_text(end_time))
            if shift_id:
                label = '%s %s' % (shift_names[shift_id], label)
            days[employee_id][offset].append(label)
            hours[employee_id] += (
                dt.datetime.combine(date, end_time)
                - dt.datetime.combine(date, start_time))
        rest = gettext('beauty_hr.msg_roster_rest')
        result = {n: {} for n in names}
        for employee_id in ids:
            rest_days = 0
            for offset, name in enumerate(cls.DAYS):
                parts = list(days[employee_id][offset])
                for type_ in sorted(leaves[employee_id][offset]):
                    parts.append(gettext(
                            'beauty_hr.msg_roster_leave', type=type_))
                if not parts:
                    parts = [rest]
                    rest_days += 1
                if name in result:
                    result[name][employee_id] = ' / '.join(parts)
            if 'hours' in result:
                result['hours'][employee_id] = hours[employee_id]
            if 'rest_days' in result:
                result['rest_days'][employee_id] = rest_days
        return result


class RosterGenerateStart(ModelView):
    "Generate rosters from the weekly patterns"
    __name__ = 'beauty.roster.generate.start'
    __string__ = "Generate Rosters"
    company = fields.Many2One(
        'company.company', "Store", required=True, readonly=True)
    week = fields.Date(
        "From Week", required=True,
        help="Any day of the first week; the week starts on Monday.")
    weeks = fields.Integer(
        "Weeks", required=True,
        domain=[('weeks', '>=', 1), ('weeks', '<=', MAX_GENERATE_WEEKS)])
    employees = fields.Many2Many(
        'company.employee', None, None, "Employees", required=True,
        domain=[('company', '=', Eval('company', -1))],
        help="The employees whose weekly pattern is rostered.")

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_week(cls):
        today = Pool().get('ir.date').today()
        return week_start(today) + dt.timedelta(days=7)

    @classmethod
    def default_weeks(cls):
        return 1

    @classmethod
    def default_employees(cls):
        pool = Pool()
        Pattern = pool.get('beauty.roster.pattern')
        company = Transaction().context.get('company')
        patterns = Pattern.search([
                ('employee.company', '=', company),
                ('employee.active', '=', True),
                ])
        return sorted({p.employee.id for p in patterns})


class RosterGenerateResult(ModelView):
    "What the roster generation did"
    __name__ = 'beauty.roster.generate.result'
    __string__ = "Roster Generation Result"
    created = fields.Integer("Shifts Created", readonly=True)
    report = fields.Text("Skipped Days", readonly=True)


class RosterGenerate(Wizard):
    "Generate the rosters of some weeks from the weekly patterns"
    __name__ = 'beauty.roster.generate'
    start = StateView(
        'beauty.roster.generate.start',
        'beauty_hr.roster_generate_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Generate", 'generate', 'tryton-ok', default=True),
            ])
    generate = StateTransition()
    result = StateView(
        'beauty.roster.generate.result',
        'beauty_hr.roster_generate_result_view_form', [
            Button("Close", 'end', 'tryton-close', default=True),
            ])

    def transition_generate(self):
        pool = Pool()
        Roster = pool.get('beauty.roster')
        rosters, skipped = Roster.generate(
            self.start.employees, self.start.week, self.start.weeks)
        self.result.created = len(rosters)
        lines = []
        for employee, date, reason in sorted(
                skipped, key=lambda s: (s[1], s[0].rec_name)):
            lines.append(gettext(
                    'beauty_hr.msg_generate_skipped_%s' % reason,
                    employee=employee.rec_name, date=date))
        self.result.report = '\n'.join(lines) or None
        return 'result'

    def default_result(self, fields):
        return {
            'created': self.result.created,
            'report': self.result.report,
            }
