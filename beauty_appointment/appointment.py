# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""Appointments (预约): a customer, one or more services done one after the
other, each by a beautician in a room, and the workflow from the request to
the end of the visit."""
import datetime as dt
from collections import defaultdict
from itertools import combinations

from sql import Cast, Literal, Null
from sql.aggregate import Count
from sql.operators import Any, Equal

from beauty_customer.party import _mask_mobiles, read_selection_texts
from beauty_hr.employee import level_rank
from beauty_hr.tz import store_timezone, to_local

from trytond import backend
from trytond.i18n import gettext
from trytond.model import (
    Exclude, Index, ModelSingleton, ModelSQL, ModelView, Workflow, fields)
from trytond.model.exceptions import SQLConstraintError
from trytond.pool import Pool
from trytond.pyson import Bool, Eval, Id, If
from trytond.sql.functions import TSRange
from trytond.sql.operators import RangeOverlap
from trytond.tools import grouped_slice, reduce_ids
from trytond.transaction import Transaction, without_check_access

from .exceptions import (
    AppointmentOverlapError, AppointmentPastError, AppointmentRoomError,
    AppointmentRosterError, AppointmentSkillError, AppointmentStateError,
    AppointmentValidationError, ContraindicationError,
    ContraindicationWarning, NoShowWarning)
from .notification import TemplateConfigurationMixin
from .schedule import ZERO, Busy, RoomPlanner, covered, overlaps

STATES = [
    ('requested', "Requested"),
    ('booked', "Booked"),
    ('confirmed', "Confirmed"),
    ('arrived', "Arrived"),
    ('in_service', "In Service"),
    ('done', "Done"),
    ('cancelled', "Cancelled"),
    ('no_show', "No-show"),
    ]
# The states in which an appointment holds its beautician and room
ACTIVE_STATES = [
    'requested', 'booked', 'confirmed', 'arrived', 'in_service', 'done']
# The states in which it may still be changed (rescheduled)
OPEN_STATES = ['requested', 'booked', 'confirmed']
# The states in which the customer has been promised the time
PROMISED_STATES = ['booked', 'confirmed']
CHANNELS = [
    ('phone', "Phone"),
    ('walk_in', "Walk-in"),
    ('online', "Online"),
    ('meituan', "Meituan"),
    ('wechat', "WeChat"),
    ]
STATE_COLORS = {
    'requested': '#9e9e9e',
    'booked': '#1e88e5',
    'confirmed': '#43a047',
    'arrived': '#fb8c00',
    'in_service': '#8e24aa',
    'done': '#546e7a',
    'cancelled': '#e0e0e0',
    'no_show': '#e53935',
    }
PALETTE = [
    '#e57373', '#64b5f6', '#81c784', '#ffb74d', '#ba68c8', '#4db6ac',
    '#f06292', '#7986cb', '#aed581', '#ffd54f', '#90a4ae', '#a1887f',
    ]
# the fields of a line whose change moves it
LINE_SCHEDULE_FIELDS = {
    'service', 'duration', 'buffer', 'beautician', 'room', 'sequence',
    'appointment'}

_STATES_OPEN = {
    'readonly': ~Eval('state').in_(OPEN_STATES),
    }


class _IntegerArray(Cast):
    "A list of ids as an integer[] parameter, ready for ANY (...)"
    __slots__ = ()

    def __init__(self, ids):
        super().__init__(list(ids), 'INTEGER[]')

    def __str__(self):
        return '(%s)' % super().__str__()


def as_datetime(value):
    "Datetimes come back as strings from SQLite"
    if isinstance(value, str):
        return dt.datetime.fromisoformat(value)
    return value


def local_text(value, company, time_only=False):
    "A UTC datetime as the store reads it: 2026-05-01 14:00"
    if value is None:
        return ''
    local = to_local(value, store_timezone(company))
    if time_only:
        return local.strftime('%H:%M')
    return local.strftime('%Y-%m-%d %H:%M')


def local_range_text(start, end, company):
    "2026-05-01 14:00-15:00 (the end date is repeated only when it differs)"
    if start is None or end is None:
        return local_text(start or end, company)
    timezone = store_timezone(company)
    lower, upper = to_local(start, timezone), to_local(end, timezone)
    if lower.date() == upper.date():
        return '%s-%s' % (lower.strftime('%Y-%m-%d %H:%M'),
            upper.strftime('%H:%M'))
    return '%s - %s' % (lower.strftime('%Y-%m-%d %H:%M'),
        upper.strftime('%Y-%m-%d %H:%M'))


def selection_text(Model, name, value):
    "The translated label of a selection value"
    selection = dict(Model.fields_get([name])[name]['selection'])
    return selection.get(value, value or '-')


def category_ancestors(categories):
    "{category id: {itself and its parents' ids}} (reads cached records)"
    result = {}
    for category in categories:
        ids = set()
        current = category
        while current and current.id not in ids:
            ids.add(current.id)
            current = current.parent
        result[category.id] = ids
    return result


class Configuration(
        TemplateConfigurationMixin, ModelSingleton, ModelSQL, ModelView):
    "Appointment configuration"
    __name__ = 'beauty.appointment.configuration'
    __string__ = "Appointment Configuration"

    appointment_sequence = fields.Many2One(
        'ir.sequence', "Appointment Sequence", required=True,
        domain=[
            ('sequence_type', '=',
                Id('beauty_appointment', 'sequence_type_appointment')),
            ])
    slot_step = fields.Integer(
        "Slot Step", required=True,
        help="In minutes: the free-slot search offers start times on this "
        "grid (e.g. every 30 minutes).")
    past_tolerance = fields.Integer(
        "Past Tolerance", required=True,
        help="In minutes: how long before now an appointment may still "
        "start (a walk-in entered a few minutes late).")
    no_show_warning = fields.Integer(
        "No-show Warning", required=True,
        help="Warn at booking when the customer has at least this many "
        "no-shows (0 never warns).")
    reminder_hours = fields.Integer(
        "Reminder Hours", required=True,
        help="How many hours before the appointment the reminder is sent.")
    # Channels
    customer_sms = fields.Boolean("SMS to Customers")
    customer_email = fields.Boolean("Email to Customers")
    customer_wechat = fields.Boolean("WeChat to Customers")
    staff_sms = fields.Boolean("SMS to Beauticians")
    staff_email = fields.Boolean("Email to Beauticians")
    staff_wechat = fields.Boolean("WeChat to Beauticians")
    sms_url = fields.Char(
        "SMS Gateway URL",
        help="The HTTP(S) address the SMS are posted to as JSON.")
    sms_token = fields.Char(
        "SMS Gateway Token", strip=False,
        help="Sent as \"Authorization: Bearer <token>\".")
    wechat_url = fields.Char(
        "WeChat Gateway URL",
        help="The HTTP(S) address the WeChat messages are posted to as JSON.")
    wechat_token = fields.Char("WeChat Gateway Token", strip=False)
    gateway_timeout = fields.Integer(
        "Gateway Timeout", required=True, help="In seconds.")
    max_attempts = fields.Integer(
        "Maximum Attempts", required=True,
        help="How many times a message is tried before it stays failed.")
    retry_delay = fields.Integer(
        "Retry Delay", required=True,
        help="In minutes, multiplied by the number of attempts made.")
    waitlist_delay = fields.Integer(
        "Waitlist Delay", required=True,
        help="In minutes: when a slot frees up, the next waiting customer "
        "is told this long after the previous one (if it is still free).")
    waitlist_count = fields.Integer(
        "Waitlist Notified", required=True,
        help="How many waiting customers are told about a freed slot.")
    # Online booking
    online_booking = fields.Boolean(
        "Online Booking",
        help="Serve the public booking page.")
    online_min_lead = fields.Integer(
        "Online Minimum Notice", required=True,
        help="In minutes: how long before the start an online booking is "
        "accepted.")
    online_max_days = fields.Integer(
        "Online Booking Horizon", required=True,
        help="How many days ahead customers may book online.")
    online_ip_limit = fields.Integer(
        "Bookings per IP", required=True,
        help="Online bookings accepted per hour from one address.")
    online_mobile_limit = fields.Integer(
        "Bookings per Mobile", required=True,
        help="Online bookings accepted per day for one mobile.")
    online_query_limit = fields.Integer(
        "Queries per IP", required=True,
        help="Slot searches accepted per 10 minutes from one address.")

    @classmethod
    def default_appointment_sequence(cls):
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        try:
            return ModelData.get_id(
                'beauty_appointment', 'sequence_appointment')
        except KeyError:
            return None

    @classmethod
    def default_slot_step(cls):
        return 30

    @classmethod
    def default_past_tolerance(cls):
        return 10

    @classmethod
    def default_no_show_warning(cls):
        return 2

    @classmethod
    def default_reminder_hours(cls):
        return 24

    @classmethod
    def default_customer_sms(cls):
        return True

    @classmethod
    def default_customer_email(cls):
        return True

    @classmethod
    def default_customer_wechat(cls):
        return False

    @classmethod
    def default_staff_sms(cls):
        return False

    @classmethod
    def default_staff_email(cls):
        return True

    @classmethod
    def default_staff_wechat(cls):
        return False

    @classmethod
    def default_gateway_timeout(cls):
        return 10

    @classmethod
    def default_max_attempts(cls):
        return 3

    @classmethod
    def default_retry_delay(cls):
        return 10

    @classmethod
    def default_waitlist_delay(cls):
        return 30

    @classmethod
    def default_waitlist_count(cls):
        return 3

    @classmethod
    def default_online_booking(cls):
        return True

    @classmethod
    def default_online_min_lead(cls):
        return 60

    @classmethod
    def default_online_max_days(cls):
        return 30

    @classmethod
    def default_online_ip_limit(cls):
        return 10

    @classmethod
    def default_online_mobile_limit(cls):
        return 3

    @classmethod
    def default_online_query_limit(cls):
        return 120

    @classmethod
    def validate_fields(cls, records, field_names):
        super().validate_fields(records, field_names)
        for record in records:
            for name, low, high in [
                    ('slot_step', 5, 240),
                    ('past_tolerance', 0, 24 * 60),
                    ('no_show_warning', 0, 100),
                    ('reminder_hours', 0, 24 * 14),
                    ('gateway_timeout', 1, 120),
                    ('max_attempts', 1, 20),
                    ('retry_delay', 0, 24 * 60),
                    ('waitlist_delay', 0, 24 * 60),
                    ('waitlist_count', 0, 100),
                    ('online_min_lead', 0, 7 * 24 * 60),
                    ('online_max_days', 1, 365),
                    ('online_ip_limit', 1, 10000),
                    ('online_mobile_limit', 1, 1000),
                    ('online_query_limit', 1, 100000),
                    ]:
                value = getattr(record, name)
                if value is not None and not (low <= value <= high):
                    raise AppointmentValidationError(gettext(
                            'beauty_appointment.msg_configuration_range',
                            field=cls.__names__(name)['field'],
                            low=low, high=high, value=value))


class Appointment(Workflow, ModelSQL, ModelView):
    """An appointment (预约) of a customer at a store.

    The services are its lines, done one after the other from the start;
    each line has its beautician and room. The appointment's end, date and
    the lines' times are computed on save."""
    __name__ = 'beauty.appointment'
    __string__ = "Appointment"
    _rec_name = 'number'

    number = fields.Char(
        "Number", readonly=True,
        help="The reference the customer is given.")
    company = fields.Many2One(
        'company.company', "Store", required=True, ondelete='RESTRICT',
        states=_STATES_OPEN)
    customer = fields.Many2One(
        'party.party', "Customer", required=True, ondelete='RESTRICT',
        states=_STATES_OPEN,
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    customer_mobile = fields.Function(
        fields.Char("Mobile"), 'on_change_with_customer_mobile')
    no_show_count = fields.Function(
        fields.Integer(
            "No-shows",
            help="How many times the customer did not come to a booked "
            "appointment."),
        'get_no_show_count')
    customer_contraindications = fields.Function(
        fields.Many2Many(
            'beauty.contraindication', None, None,
            "Customer's Contraindications"),
        'on_change_with_customer_contraindications')
    start = fields.DateTime(
        "Start", required=True, states=_STATES_OPEN,
        help="When the first service starts.")
    end = fields.DateTime(
        "End", readonly=True,
        help="When the last service ends (clean-up not included).")
    date = fields.Date(
        "Date", readonly=True, help="The day in the store's time.")
    duration = fields.Function(
        fields.TimeDelta("Duration"), 'on_change_with_duration')
    lines = fields.One2Many(
        'beauty.appointment.line', 'appointment', "Services",
        states=_STATES_OPEN,
        help="The services, done one after the other in this order.")
    beautician = fields.Function(
        fields.Many2One('company.employee', "Beautician"),
        'get_lines_summary', searcher='search_beautician')
    services = fields.Function(
        fields.Char("Services"), 'get_lines_summary')
    channel = fields.Selection(
        CHANNELS, "Channel", required=True, states=_STATES_OPEN,
        help="How the customer booked.")
    state = fields.Selection(
        STATES, "State", readonly=True, required=True, sort=False)
    notes = fields.Text("Notes", size=2000)
    cancel_reason = fields.Char(
        "Cancellation Reason", size=200,
        states={
            'invisible': Eval('state') != 'cancelled',
            })
    arrived_at = fields.DateTime(
        "Arrived At", readonly=True,
        states={
            'invisible': ~Bool(Eval('arrived_at')),
            })
    care_record = fields.Many2One(
        'beauty.care.record', "Care Record", readonly=True,
        ondelete='SET NULL',
        help="The care record the beautician writes for this visit.")
    reminded = fields.Boolean(
        "Reminder Sent", readonly=True,
        help="The reminder of this appointment has been queued.")
    notifications = fields.One2Many(
        'beauty.notification', 'appointment', "Notifications",
        readonly=True)
    color = fields.Function(fields.Char("Color"), 'get_color')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._order = [('start', 'DESC'), ('id', 'DESC')]
        cls._sql_indexes.update({
                # the default order: the list's first page without a sort
                Index(t, (t.start, Index.Range()), (t.id, Index.Range())),
                Index(t, (t.company, Index.Range()), (t.date, Index.Range())),
                Index(t, (t.customer, Index.Range()),
                    (t.state, Index.Equality())),
                Index(t, (t.start, Index.Range()),
                    where=t.state.in_(PROMISED_STATES)),
                Index(t, (t.number, Index.Similarity())),
                })
        cls._transitions |= {
            ('requested', 'booked'),
            ('requested', 'cancelled'),
            ('booked', 'confirmed'),
            ('booked', 'arrived'),
            ('confirmed', 'arrived'),
            ('booked', 'no_show'),
            ('confirmed', 'no_show'),
            ('booked', 'cancelled'),
            ('confirmed', 'cancelled'),
            ('arrived', 'cancelled'),
            ('arrived', 'in_service'),
            ('arrived', 'done'),
            ('in_service', 'done'),
            ('cancelled', 'requested'),
            }
        cls._buttons.update({
                'book': {
                    'invisible': Eval('state') != 'requested',
                    'depends': ['state'],
                    },
                'confirm': {
                    'invisible': Eval('state') != 'booked',
                    'depends': ['state'],
                    },
                'arrive': {
                    'invisible': ~Eval('state').in_(['booked', 'confirmed']),
                    'depends': ['state'],
                    },
                'start_service': {
                    'invisible': Eval('state') != 'arrived',
                    'depends': ['state'],
                    },
                'do': {
                    'invisible': ~Eval('state').in_(['arrived', 'in_service']),
                    'depends': ['state'],
                    },
                'no_show': {
                    'invisible': ~Eval('state').in_(['booked', 'confirmed']),
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': ~Eval('state').in_(
                        ['requested', 'booked', 'confirmed', 'arrived']),
                    'depends': ['state'],
                    },
                'reopen': {
                    'invisible': Eval('state') != 'cancelled',
                    'depends': ['state'],
                    },
                'open_care_record': {
                    'invisible': ~Eval('state').in_(
                        ['arrived', 'in_service', 'done']),
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_state():
        return 'requested'

    @staticmethod
    def default_channel():
        return 'phone'

    @staticmethod
    def default_reminded():
        return False

    # Computed fields

    @fields.depends('customer')
    def on_change_with_customer_mobile(self, name=None):
        if self.customer and self.customer.mobile:
            from beauty_customer.mobile import mask_mobile, national_digits
            if _mask_mobiles():
                return mask_mobile(self.customer.mobile)
            return national_digits(self.customer.mobile)

    @fields.depends('customer')
    def on_change_with_customer_contraindications(self, name=None):
        if self.customer:
            return [c.id for c in self.customer.contraindications]
        return []

    @classmethod
    def get_no_show_count(cls, appointments, name):
        """The no-shows of each appointment's customer, in one query: the
        appointments joined to their customer's no-shows (reading
        ``customer`` through the records loaded every column of the list's
        rows, then the counts took a second query)"""
        table = cls.__table__()
        other = cls.__table__()
        cursor = Transaction().connection.cursor()
        counts = {}
        for sub in grouped_slice(
                [a.id for a in appointments], backend.MAX_QUERY_PARAMS):
            cursor.execute(*table.join(other, 'LEFT',
                    condition=(other.customer == table.customer)
                    & (other.state == 'no_show')).select(
                    table.id, Count(other.id),
                    where=reduce_ids(table.id, list(sub)),
                    group_by=[table.id]))
            counts.update(cursor)
        return {a.id: counts.get(a.id, 0) for a in appointments}

    @fields.depends('customer')
    def on_change_customer(self):
        pool = Pool()
        Party = pool.get('party.party')
        if self.customer and self.customer.id and self.customer.id >= 0:
            self.no_show_count = Party.no_show_counts(
                [self.customer.id]).get(self.customer.id, 0)
        else:
            self.no_show_count = 0

    @fields.depends('start', 'end')
    def on_change_with_duration(self, name=None):
        if self.start and self.end:
            return self.end - self.start

    @classmethod
    def get_lines_summary(cls, appointments, names):
        """The beautician (of the first service that has one) and the
        services' names, in the order of the lines: one query for the lines
        and one read of the services. Tryton loaded the lines, then each
        line's service and its template, one appointment at a time (4 queries
        per row of the list)."""
        pool = Pool()
        Line = pool.get('beauty.appointment.line')
        Product = pool.get('product.product')
        line = Line.__table__()
        cursor = Transaction().connection.cursor()
        ids = [a.id for a in appointments]
        rows = []
        for sub in grouped_slice(ids, backend.MAX_QUERY_PARAMS):
            cursor.execute(*line.select(
                    line.appointment, line.sequence, line.id, line.service,
                    line.beautician,
                    where=reduce_ids(line.appointment, list(sub))))
            rows.extend(cursor)
        # the order of the lines (sequence ascending, nulls last, then id)
        rows.sort(key=lambda r: (r[0], r[1] is None, r[1] or 0, r[2]))
        services = {p['id']: p['rec_name'] for p in Product.read(
                list({r[3] for r in rows}), ['rec_name'])}
        beauticians = dict.fromkeys(ids)
        names_ = {i: [] for i in ids}
        for appointment, _, _, service, beautician in rows:
            names_[appointment].append(services[service])
            if beautician is not None and beauticians[appointment] is None:
                beauticians[appointment] = beautician
        result = {}
        if 'beautician' in names:
            result['beautician'] = beauticians
        if 'services' in names:
            result['services'] = {i: ', '.join(n) for i, n in names_.items()}
        return result

    @classmethod
    def read(cls, ids, fields_names):
        # The texts of the states and channels once per call (Tryton computes
        # them row by row through fields_get: a third of a list page's CPU)
        return read_selection_texts(cls, cls._read_names, ids, fields_names)

    @classmethod
    def _read_names(cls, ids, fields_names):
        # The customers' names of all the rows in one read: Tryton reads the
        # related records once per value of the field's context, the store
        # (a list page of 50 stores made 50 reads); a name does not depend
        # on the store. The rows' own names (number and customer's name, see
        # get_rec_name) are made from them instead of another query.
        if 'customer.rec_name' not in fields_names:
            return super().read(ids, fields_names)
        pool = Pool()
        Party = pool.get('party.party')
        ModelFieldAccess = pool.get('ir.model.field.access')
        asked = [n for n in fields_names
            if n not in {'customer.rec_name', 'rec_name'}]
        extra = [n for n in ['customer', 'number'] if n not in asked]
        asked.extend(extra)
        result = super().read(ids, asked)
        customers = list(dict.fromkeys(
                r['customer'] for r in result if r['customer'] is not None))
        # with the columns of the name the party's rows are read in the
        # query that checks her rules, and her name made from them
        # (Party.get_rec_name): one query instead of two
        columns = ['rec_name']
        if ModelFieldAccess.check(
                'party.party', ['name', 'code'], 'read',
                raise_exception=False):
            columns += ['name', 'code']
        names = {p['id']: {'id': p['id'], 'rec_name': p['rec_name']}
            for p in Party.read(customers, columns)}
        for row in result:
            target = names.get(row['customer'])
            related = row.get('customer.')
            if related is not None and target is not None:
                # other fields of the customer were asked too
                related['rec_name'] = target['rec_name']
            else:
                row['customer.'] = target
            if 'rec_name' in fields_names:
                row['rec_name'] = '%s %s' % (row['number'] or '',
                    target['rec_name'] if target is not None else '')
            for name in extra:
                del row[name]
        return result

    @classmethod
    def search_beautician(cls, name, clause):
        return [('lines.beautician',) + tuple(clause[1:])]

    def get_color(self, name):
        return STATE_COLORS.get(self.state)

    @classmethod
    def get_rec_name(cls, appointments, name):
        "The number and the customer's name (one query for the names)"
        from beauty_customer.company import party_names
        customers = party_names(cls, appointments, party_column='customer')
        return {a.id: '%s %s' % (a.number or '', customers.get(a.id, ''))
            for a in appointments}

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, value = clause[:3]
        if operator.startswith('!') or operator.startswith('not '):
            bool_op = 'AND'
        else:
            bool_op = 'OR'
        return [bool_op,
            ('number',) + tuple(clause[1:]),
            ('customer.rec_name',) + tuple(clause[1:]),
            ]

    # Client-side scheduling: the lines' times follow the start

    @fields.depends('start', 'lines', 'company')
    def on_change_start(self):
        self._compute_lines()

    @fields.depends('start', 'lines', 'company')
    def on_change_lines(self):
        self._compute_lines()

    @fields.depends('start', 'lines', 'company')
    def _compute_lines(self):
        current = self.start
        lines = list(self.lines or [])
        for line in lines:
            if current is None or not line.duration:
                line.start = line.end = line.busy_end = None
                continue
            line.start = current
            line.end = current + line.duration
            line.busy_end = line.end + (line.buffer or ZERO)
            current = line.busy_end
        self.lines = lines
        ends = [line.end for line in lines if line.end]
        self.end = max(ends) if ends else self.start

    # Storage

    @classmethod
    def create(cls, vlist):
        pool = Pool()
        Configuration = pool.get('beauty.appointment.configuration')
        config = Configuration(1)
        vlist = [v.copy() for v in vlist]
        for values in vlist:
            if not values.get('number'):
                values['number'] = config.appointment_sequence.get()
            # the lines are numbered in the order given
            lines = values.get('lines')
            if lines:
                actions = []
                for action in lines:
                    if action[0] == 'create':
                        records = []
                        for i, line in enumerate(action[1], 1):
                            line = line.copy()
                            if line.get('sequence') is None:
                                line['sequence'] = i * 10
                            records.append(line)
                        action = ('create', records)
                    actions.append(action)
                values['lines'] = actions
            cls._place_new_lines(values)
        with Transaction().set_context(
                _beauty_appointment_saving=True,
                _beauty_lines_placed=True):
            appointments = super().create(vlist)
        cls._changed(appointments, created=True)
        return appointments

    @classmethod
    def _place_new_lines(cls, values):
        """Set the times of the lines created with the appointment, and its
        end and date, before the insert, as _schedule would set them after:
        each line is then written once (placed and checked by the exclusion
        constraints at its insert) instead of inserted unplaced and written
        again. Only the simple case, which _schedule then finds done: lines
        created here without a room (a room's place is chosen against its
        bookings), with positive durations; the others are inserted
        unplaced and placed by _schedule."""
        pool = Pool()
        Company = pool.get('company.company')
        Product = pool.get('product.product')
        created = [line for action in values.get('lines') or []
            if action[0] == 'create' for line in action[1]]
        for line in created:
            line['start'] = line['end'] = line['busy_end'] = None
            line['room_place'] = None
        start = values.get('start')
        if (not created or not start or not values.get('company')
                or any(a[0] != 'create' for a in values['lines'])
                or any(l.get('room') or not l.get('service')
                    for l in created)):
            return
        products = Product.browse(list({l['service'] for l in created}))
        products = {p.id: p for p in products}
        for line in created:
            # as the line's create fills them
            product = products[int(line['service'])]
            if 'duration' not in line:
                line['duration'] = product.service_duration
            if 'buffer' not in line:
                line['buffer'] = product.service_buffer
        if any(not l['duration'] or l['duration'] <= ZERO
                or (l['buffer'] is not None and l['buffer'] < ZERO)
                for l in created):
            return
        # the order of sorted_lines (the ids follow the order of creation)
        order = sorted(enumerate(created), key=lambda x: (
                x[1].get('sequence') is None, x[1].get('sequence') or 0,
                x[0]))
        current = end = start
        for _, line in order:
            end = current + line['duration']
            busy_end = end + (line['buffer'] or ZERO)
            line.update({'start': current, 'end': end, 'busy_end': busy_end})
            current = busy_end
        values['end'] = end
        values['date'] = to_local(start, store_timezone(
                Company(int(values['company'])))).date()

    @classmethod
    def write(cls, *args):
        pool = Pool()
        Line = pool.get('beauty.appointment.line')
        actions = iter(args)
        all_appointments, names = [], set()
        state_changes = []
        moved = []
        # whether a state change takes or frees a slot (else, e.g. booked
        # to confirmed, the lines need not be placed again)
        holding = False
        for appointments, values in zip(actions, actions):
            all_appointments.extend(appointments)
            names |= set(values)
            if 'state' in values:
                state_changes.append((appointments, values['state']))
                new_active = values['state'] in ACTIVE_STATES
                holding |= any((a.state in ACTIVE_STATES) != new_active
                    for a in appointments)
            if values.keys() & {'start', 'lines', 'company'}:
                moved.extend(a for a in appointments
                    if a.state in PROMISED_STATES)
        before = {a.id: a._schedule_signature() for a in moved}
        with Transaction().set_context(_beauty_appointment_saving=True):
            # leaving an active state frees the lines before anything else
            for appointments, state in state_changes:
                if state not in ACTIVE_STATES:
                    Line._sync_state(appointments, state)
            super().write(*args)
            for appointments, state in state_changes:
                if state in ACTIVE_STATES:
                    Line._sync_state(appointments, state)
        all_appointments = cls.browse(list({a.id for a in all_appointments}))
        if state_changes and not holding:
            names.discard('state')
        cls._changed(all_appointments, names=names)
        if before:
            changed = [a for a in cls.browse(list(before))
                if a.state in PROMISED_STATES
                and a._schedule_signature() != before[a.id]]
            if changed:
                cls._rescheduled(changed)

    def _schedule_signature(self):
        return (self.start, tuple(
                (l.service.id, l.beautician.id if l.beautician else None,
                    l.room.id if l.room else None, l.start)
                for l in self.lines))

    @classmethod
    def check_modification(cls, mode, appointments, values=None,
            external=False):
        super().check_modification(
            mode, appointments, values=values, external=external)
        if mode == 'delete':
            for appointment in appointments:
                if appointment.state not in {'requested', 'cancelled'}:
                    raise AppointmentStateError(gettext(
                            'beauty_appointment.msg_appointment_delete',
                            appointment=appointment.rec_name))
        elif mode == 'write' and values:
            locked = values.keys() & {
                'start', 'lines', 'customer', 'company', 'channel'}
            if locked:
                for appointment in appointments:
                    if appointment.state not in OPEN_STATES:
                        raise AppointmentStateError(gettext(
                                'beauty_appointment.msg_appointment_closed',
                                appointment=appointment.rec_name,
                                state=selection_text(
                                    cls, 'state', appointment.state)))

    @classmethod
    def copy(cls, appointments, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('number', None)
        default.setdefault('care_record', None)
        default.setdefault('arrived_at', None)
        default.setdefault('reminded', False)
        default.setdefault('notifications', None)
        default.setdefault('cancel_reason', None)
        return super().copy(appointments, default=default)

    # After a change: times, then the rules

    @classmethod
    def _changed(cls, appointments, names=None, created=False):
        "Recompute the times and check the rules after a save"
        if Transaction().context.get('_beauty_appointment_saving'):
            return
        if not appointments:
            return
        schedule = created or names is None or bool(
            names & {'start', 'lines', 'company', 'state'})
        if schedule:
            cls._schedule(appointments)
        moved = created or names is None or bool(
            names & {'start', 'lines', 'company', 'customer'})
        reopened = bool(names and 'state' in names) and any(
            a.state == 'requested' for a in appointments)
        if moved or reopened:
            cls.check_bookings(appointments, check_past=bool(
                    created or names is None or 'start' in names
                    or reopened))
        if moved:
            promised = [a for a in cls.browse(appointments)
                if a.state in PROMISED_STATES]
            if promised:
                cls.check_contraindications(promised)

    @classmethod
    def _schedule(cls, appointments):
        """Set the lines' start, end, clean-up end and room place from the
        appointment's start and the lines' durations and order; set the
        appointment's end and local date."""
        pool = Pool()
        Line = pool.get('beauty.appointment.line')
        appointments = cls.browse(appointments)
        changes, app_args = [], []
        planned = []
        for appointment in appointments:
            current = appointment.start
            end = appointment.start
            for line in appointment.sorted_lines:
                if current is None or not line.duration:
                    times = (None, None, None)
                else:
                    busy_end = current + line.duration + (line.buffer or ZERO)
                    times = (current, current + line.duration, busy_end)
                    current = busy_end
                    end = times[1]
                planned.append((appointment, line, times))
            date = None
            if appointment.start:
                date = to_local(appointment.start,
                    store_timezone(appointment.company)).date()
            if appointment.end != end or appointment.date != date:
                app_args.extend([[appointment], {'end': end, 'date': date}])
        places = Line._plan_places(
            [(line, times) for _, line, times in planned
                if line.room and times[0] and line.state in ACTIVE_STATES],
            exclude={a.id for a in appointments})
        for appointment, line, (start, end, busy_end) in planned:
            place = places.get(line.id, line.room_place if line.room else None)
            if not line.room:
                place = None
            values = {
                'start': start, 'end': end, 'busy_end': busy_end,
                'room_place': place,
                }
            if any(getattr(line, k) != v for k, v in values.items()):
                changes.append((line, values))
        Line._write_schedule(changes)
        if app_args:
            with Transaction().set_context(_beauty_appointment_saving=True):
                super().write(*app_args)

    @property
    def sorted_lines(self):
        return sorted(self.lines, key=lambda l: (
                l.sequence is None, l.sequence or 0, l.id))

    @classmethod
    def check_bookings(cls, appointments, check_past=False):
        """Check the appointments that hold a slot: times, store, roster,
        skills and rooms of their lines, and for the booked ones the
        customer's contraindications. A few queries whatever the number of
        appointments and lines."""
        pool = Pool()
        Configuration = pool.get('beauty.appointment.configuration')
        Employee = pool.get('company.employee')
        appointments = [a for a in cls.browse(appointments)
            if a.state in OPEN_STATES]
        if not appointments:
            return
        config = Configuration(1)
        context = Transaction().context
        if check_past and not context.get('_beauty_allow_past'):
            now = dt.datetime.now()
            limit = now - dt.timedelta(minutes=config.past_tolerance or 0)
            for appointment in appointments:
                if appointment.start and appointment.start < limit:
                    raise AppointmentPastError(gettext(
                            'beauty_appointment.msg_appointment_past',
                            appointment=appointment.rec_name,
                            start=local_text(
                                appointment.start, appointment.company),
                            now=local_text(now, appointment.company)))
        lines = []
        for appointment in appointments:
            if not appointment.lines:
                raise AppointmentValidationError(gettext(
                        'beauty_appointment.msg_appointment_no_service',
                        appointment=appointment.rec_name))
            for line in appointment.lines:
                line.check_line()
                lines.append(line)
        with_beautician = [l for l in lines if l.beautician and l.start]
        if not with_beautician:
            return
        # Roster: the worked time of every beautician involved (2 queries)
        lower = min(l.start for l in with_beautician)
        upper = max(l.end for l in with_beautician)
        working = Employee.working_intervals(
            list({l.beautician.id for l in with_beautician}), lower, upper)
        for line in with_beautician:
            if not covered(
                    working.get(line.beautician.id, ()), line.start, line.end):
                raise AppointmentRosterError(gettext(
                        'beauty_appointment.msg_line_roster',
                        beautician=line.beautician.rec_name,
                        service=line.service.rec_name,
                        time=local_range_text(
                            line.start, line.end, line.appointment.company),
                        store=line.appointment.company.rec_name))
        # Skills: the category (or a parent) and the level
        categories = {l.service.service_category for l in with_beautician
            if l.service.service_category}
        ancestors = category_ancestors(categories)
        for line in with_beautician:
            service = line.service
            employee = line.beautician
            if service.service_category:
                needed = service.service_category
                skills = {s.id for s in employee.skills}
                if not (skills & ancestors[needed.id]):
                    raise AppointmentSkillError(gettext(
                            'beauty_appointment.msg_line_skill',
                            beautician=employee.rec_name,
                            service=service.rec_name,
                            category=needed.rec_name))
            if level_rank(employee.skill_level) < level_rank(
                    service.skill_level):
                raise AppointmentSkillError(gettext(
                        'beauty_appointment.msg_line_level',
                        beautician=employee.rec_name,
                        level=selection_text(
                            Employee, 'skill_level', employee.skill_level),
                        service=service.rec_name,
                        required=selection_text(
                            Employee, 'skill_level', service.skill_level)))

    @classmethod
    def check_contraindications(cls, appointments):
        """Refuse (blocking) or warn about (skippable) the customer's
        contraindications against the services"""
        pool = Pool()
        Warning = pool.get('res.user.warning')
        warned = []
        for appointment in appointments:
            conditions = set(appointment.customer.contraindications)
            if not conditions:
                continue
            for line in appointment.lines:
                hits = conditions & set(
                    line.service.template.contraindications)
                if not hits:
                    continue
                names = ', '.join(sorted(c.rec_name for c in hits))
                blocking = [c for c in hits if c.blocking]
                if blocking:
                    raise ContraindicationError(gettext(
                            'beauty_appointment.msg_contraindication_blocking',
                            customer=appointment.customer.rec_name,
                            service=line.service.rec_name,
                            contraindications=', '.join(
                                sorted(c.rec_name for c in blocking))))
                warned.append((appointment, line, names))
        for appointment, line, names in warned:
            key = Warning.format(
                'beauty_appointment.contraindication',
                [appointment, line.service])
            if Warning.check(key):
                raise ContraindicationWarning(key, gettext(
                        'beauty_appointment.msg_contraindication_warning',
                        customer=appointment.customer.rec_name,
                        service=line.service.rec_name,
                        contraindications=names))

    @classmethod
    def check_no_shows(cls, appointments):
        pool = Pool()
        Configuration = pool.get('beauty.appointment.configuration')
        Warning = pool.get('res.user.warning')
        threshold = Configuration(1).no_show_warning
        if not threshold:
            return
        for appointment in appointments:
            count = appointment.no_show_count
            if count >= threshold:
                key = Warning.format(
                    'beauty_appointment.no_show', [appointment])
                if Warning.check(key):
                    raise NoShowWarning(key, gettext(
                            'beauty_appointment.msg_no_show_warning',
                            customer=appointment.customer.rec_name,
                            count=count))

    @classmethod
    def assign_rooms(cls, appointments, state=None):
        """Give a free room of the right type to the lines that need one and
        have none (2 queries); state: the lines' new state, written with
        their room (one write instead of two when the appointment moves to
        it next)"""
        pool = Pool()
        Line = pool.get('beauty.appointment.line')
        Room = pool.get('beauty.room')
        lines = [l for a in appointments for l in a.sorted_lines
            if l.service.room_type and not l.room and l.start]
        if not lines:
            return
        rooms = Room.search([
                ('company', 'in', list({l.appointment.company.id
                            for l in lines})),
                ('type', 'in', list({l.service.room_type.id for l in lines})),
                ], order=[('sequence', 'ASC NULLS LAST'), ('id', 'ASC')])
        by_company = defaultdict(list)
        for room in rooms:
            by_company[room.company.id].append(
                (room.id, room.type.id, room.capacity))
        lower = min(l.start for l in lines)
        upper = max(l.busy_end for l in lines)
        busy = Line._busy_rooms([r.id for r in rooms], lower, upper,
            exclude_lines=[l.id for l in lines])
        planners = {c: RoomPlanner(r, busy) for c, r in by_company.items()}
        args = []
        for line in lines:
            planner = planners.get(line.appointment.company.id)
            found = None
            if planner:
                found = planner.find(
                    line.service.room_type.id, line.start, line.busy_end)
            if not found:
                raise AppointmentRoomError(gettext(
                        'beauty_appointment.msg_line_no_room',
                        service=line.service.rec_name,
                        room_type=line.service.room_type.rec_name,
                        time=local_range_text(
                            line.start, line.end, line.appointment.company)))
            room, place = found
            planner.take(room, place, line.start, line.busy_end)
            values = {'room': room, 'room_place': place}
            if state:
                values['state'] = state
            args.extend([[line], values])
        # The times do not move: the rooms are written as the schedule is
        # (their conflicts checked), not as a change that places the lines
        # again and checks the whole appointment a second time (the callers
        # check the bookings next).
        with Transaction().set_context(_beauty_line_scheduling=True):
            Line.write(*args)

    # Workflow

    @classmethod
    @ModelView.button
    @Workflow.transition('booked')
    def book(cls, appointments):
        pool = Pool()
        Notification = pool.get('beauty.notification')
        for appointment in appointments:
            for line in appointment.lines:
                if not line.beautician:
                    raise AppointmentValidationError(gettext(
                            'beauty_appointment.msg_line_no_beautician',
                            appointment=appointment.rec_name,
                            service=line.service.rec_name))
        # the lines that get a room are booked with it (the transition
        # books the others and the appointment)
        cls.assign_rooms(appointments, state='booked')
        appointments = cls.browse(appointments)
        cls.check_bookings(appointments, check_past=True)
        for appointment in appointments:
            for line in appointment.lines:
                if line.service.room_type and not line.room:
                    raise AppointmentRoomError(gettext(
                            'beauty_appointment.msg_line_room_required',
                            service=line.service.rec_name,
                            room_type=line.service.room_type.rec_name))
        cls.check_contraindications(appointments)
        cls.check_no_shows(appointments)
        notifications = cls._notify(appointments, 'confirmation')
        # a booking made within the reminder window needs no reminder
        cls._mark_reminded_if_close(appointments)
        Notification.send_later(notifications)

    @classmethod
    @ModelView.button
    @Workflow.transition('confirmed')
    def confirm(cls, appointments):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('arrived')
    def arrive(cls, appointments):
        now = dt.datetime.now()
        cls.write(list(appointments), {'arrived_at': now})
        cls._create_care_records(appointments)

    @classmethod
    @ModelView.button
    def start_service(cls, appointments):
        # the beautician may click it on her appointments (button groups
        # and record rules) without the right to edit them
        with without_check_access():
            cls._start_service(appointments)

    @classmethod
    @Workflow.transition('in_service')
    def _start_service(cls, appointments):
        pass

    @classmethod
    @ModelView.button
    def do(cls, appointments):
        with without_check_access():
            cls._do(appointments)

    @classmethod
    @Workflow.transition('done')
    def _do(cls, appointments):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('no_show')
    def no_show(cls, appointments):
        pool = Pool()
        Notification = pool.get('beauty.notification')
        Notification.cancel_pending(appointments)
        future = [a for a in appointments
            if a.start and a.start > dt.datetime.now()]
        cls._slots_freed(future)

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, appointments):
        pool = Pool()
        Notification = pool.get('beauty.notification')
        Notification.cancel_pending(appointments)
        promised = [a for a in appointments if a.state in PROMISED_STATES]
        notifications = cls._notify(promised, 'cancellation')
        Notification.send_later(notifications)
        future = [a for a in appointments
            if a.start and a.start > dt.datetime.now()]
        cls._slots_freed(future)

    @classmethod
    @ModelView.button
    @Workflow.transition('requested')
    def reopen(cls, appointments):
        cls.write(list(appointments), {
                'reminded': False, 'cancel_reason': None})

    @classmethod
    @ModelView.button_action('beauty_appointment.act_care_record_open')
    def open_care_record(cls, appointments):
        "Open the care record of the visit, creating it if missing"
        appointment = appointments[0] if appointments else None
        if not appointment:
            return
        if not appointment.care_record:
            cls._create_care_records([appointment])
            appointment = cls(appointment.id)
        return {'res_id': [appointment.care_record.id]}

    @classmethod
    def _create_care_records(cls, appointments):
        """Create the care record of each visit, filled with what the
        appointment knows, and link it"""
        pool = Pool()
        CareRecord = pool.get('beauty.care.record')
        todo = [a for a in cls.browse(appointments) if not a.care_record]
        if not todo:
            return
        today = pool.get('ir.date').today()
        vlist = []
        for appointment in todo:
            beautician = appointment.beautician
            # the day of the visit, never after today (a care record
            # is not written in advance)
            date = min(appointment.date or today, today)
            vlist.append({
                    'company': appointment.company.id,
                    'customer': appointment.customer.id,
                    'date': date,
                    'beautician': beautician.id if beautician else None,
                    'services': [('add', list({
                                    l.service.id
                                    for l in appointment.lines}))],
                    })
        records = CareRecord.create(vlist)
        args = []
        for appointment, record in zip(todo, records):
            args.extend([[appointment], {'care_record': record.id}])
        # linking is part of the check-in, whoever opens the record
        with without_check_access(), Transaction().set_context(
                _beauty_appointment_saving=True):
            super().write(*args)

    # Notifications

    @classmethod
    def _rescheduled(cls, appointments):
        "Tell the customer and the beauticians about the new time"
        pool = Pool()
        Notification = pool.get('beauty.notification')
        Notification.cancel_pending(appointments, kinds=['reminder'])
        with Transaction().set_context(_beauty_appointment_saving=True):
            super().write(list(appointments), {'reminded': False})
        notifications = cls._notify(appointments, 'change')
        cls._mark_reminded_if_close(appointments)
        Notification.send_later(notifications)

    @classmethod
    def _mark_reminded_if_close(cls, appointments):
        pool = Pool()
        Configuration = pool.get('beauty.appointment.configuration')
        hours = Configuration(1).reminder_hours
        limit = dt.datetime.now() + dt.timedelta(hours=hours)
        close = [a for a in appointments if a.start and a.start <= limit]
        if close:
            with Transaction().set_context(_beauty_appointment_saving=True):
                super().write(close, {'reminded': True})

    @classmethod
    def _notify(cls, appointments, kind):
        """Create the notifications of kind for the customers and the
        beauticians of the appointments; return them (queued)."""
        pool = Pool()
        Notification = pool.get('beauty.notification')
        return Notification.create_for_appointments(appointments, kind)

    @classmethod
    def generate_reminders(cls):
        """Queue the reminders of the appointments starting within the
        configured hours (cron); each appointment is reminded once."""
        pool = Pool()
        Configuration = pool.get('beauty.appointment.configuration')
        Notification = pool.get('beauty.notification')
        config = Configuration(1)
        now = dt.datetime.now()
        limit = now + dt.timedelta(hours=config.reminder_hours)
        appointments = cls.search([
                ('state', 'in', PROMISED_STATES),
                ('reminded', '=', False),
                ('start', '>', now),
                ('start', '<=', limit),
                ], order=[('start', 'ASC')])
        if not appointments:
            return []
        # mark first: the row lock makes two crons never remind twice
        cls.lock(appointments)
        with Transaction().set_context(_beauty_appointment_saving=True):
            super().write(appointments, {'reminded': True})
        notifications = cls._notify(appointments, 'reminder')
        Notification.send_later(notifications)
        return notifications

    # Free slots

    @classmethod
    def free_slots(cls, company, services, beautician=None, start=None,
            end=None, limit=20, per_start=None, customer=None,
            exclude=None, employee_domain=None):
        """The next free slots of the store for the services done in
        sequence by one beautician.

        company:    the store (record or id).
        services:   product.product records or ids, in the order done.
        beautician: only her (record or id), or any skilled beautician.
        start, end: the window (naive UTC) the slots start in; start
                    defaults to now and is never before it; end to 7 days
                    after start.
        limit:      the number of slots returned.
        per_start:  at most this many beauticians per start time.
        customer:   her preferred beautician comes first.
        exclude:    an appointment (id) whose bookings are ignored (to
                    move it).
        employee_domain: more conditions on who may do it (the online
                    page offers the employees in the beautician position
                    only, the front desk anyone skilled).
        A slot satisfies the rosters and leave (beauty_hr's
        working_intervals), the category and level of every service, a
        free room of the required type and the existing bookings. About 6
        queries whatever the number of beauticians, rooms and days.
        Returns a list of schedule.Slot (start, end, beautician id, lines:
        [Placed(service, start, end, busy_end, room, place), ...]).
        """
        pool = Pool()
        Company = pool.get('company.company')
        Employee = pool.get('company.employee')
        Line = pool.get('beauty.appointment.line')
        Product = pool.get('product.product')
        Room = pool.get('beauty.room')
        Configuration = pool.get('beauty.appointment.configuration')
        from beauty_hr.employee import LEVEL_ORDER, levels_at_least
        from .schedule import Need, find_slots, total_length

        config = Configuration(1)
        company = Company(int(company))
        services = Product.browse([int(s) for s in services])
        if not services:
            return []
        for service in services:
            if not service.bookable:
                raise AppointmentValidationError(gettext(
                        'beauty_appointment.msg_line_service_not_bookable',
                        service=service.rec_name))
        now = dt.datetime.now().replace(second=0, microsecond=0)
        start = max(start or now, now)
        end = end or start + dt.timedelta(days=7)
        if end <= start:
            return []
        needs = [Need(s.id, s.service_duration, s.service_buffer or ZERO,
                s.room_type.id if s.room_type else None) for s in services]
        length = total_length(needs)
        horizon = end + length + max(n.buffer for n in needs)

        categories = {s.service_category for s in services
            if s.service_category}
        ancestors = category_ancestors(categories)
        domain = [('company', '=', company.id)]
        for category in categories:
            domain.append(('skills', 'in', list(ancestors[category.id])))
        rank = max(level_rank(s.skill_level) for s in services)
        if rank:
            domain.append(
                ('skill_level', 'in', levels_at_least(LEVEL_ORDER[rank - 1])))
        if beautician:
            domain.append(('id', '=', int(beautician)))
        if employee_domain:
            domain.extend(employee_domain)
        employees = [e.id for e in Employee.search(domain, order=[])]
        if not employees:
            return []
        working = Employee.working_intervals(employees, start, horizon)
        exclude_lines = None
        if exclude:
            exclude_lines = [l.id for l in cls(int(exclude)).lines]
        busy = Busy(Line._busy_employees(
                employees, start, horizon, exclude_lines=exclude_lines))
        planner = None
        room_types = {n.room_type for n in needs if n.room_type}
        if room_types:
            rooms = Room.search([
                    ('company', '=', company.id),
                    ('type', 'in', list(room_types)),
                    ], order=[('sequence', 'ASC NULLS LAST'), ('id', 'ASC')])
            planner = RoomPlanner(
                [(r.id, r.type.id, r.capacity) for r in rooms],
                Line._busy_rooms([r.id for r in rooms], start, horizon,
                    exclude_lines=exclude_lines))
        preferred = None
        if customer:
            customer = Pool().get('party.party')(int(customer))
            if customer.preferred_beautician:
                preferred = customer.preferred_beautician.id
        timezone = store_timezone(company)
        offset = to_local(start, timezone) - start
        return find_slots(
            needs, employees, working, busy, planner, start, end,
            dt.timedelta(minutes=config.slot_step or 30),
            limit=limit, per_start=per_start, offset=offset,
            order=lambda e: (e != preferred, e))

    # Waitlist

    @classmethod
    def _slots_freed(cls, appointments):
        pool = Pool()
        Waitlist = pool.get('beauty.appointment.waitlist')
        if appointments:
            Waitlist.slots_freed(appointments)


class AppointmentLine(ModelSQL, ModelView):
    """A service of an appointment, with its beautician and room.

    start, end (end of the service) and busy_end (end of the clean-up) are
    computed from the appointment. An exclusion constraint (PostgreSQL)
    or a check after the write (SQLite, whose writers are serialised)
    keeps a beautician, and a place of a room, from being booked twice."""
    __name__ = 'beauty.appointment.line'
    __string__ = "Appointment Service"

    appointment = fields.Many2One(
        'beauty.appointment', "Appointment", required=True,
        ondelete='CASCADE')
    sequence = fields.Integer("Sequence")
    service = fields.Many2One(
        'product.product', "Service", required=True, ondelete='RESTRICT',
        domain=[
            ('type', '=', 'service'),
            ('service_duration', '!=', None),
            ],
        context={
            'company': Eval('company', -1),
            },
        depends={'company'},
        states={
            'readonly': ~Eval('state').in_(OPEN_STATES),
            })
    beautician = fields.Many2One(
        'company.employee', "Beautician", ondelete='RESTRICT',
        domain=[
            ('company', '=', Eval('company', -1)),
            ],
        states={
            'readonly': ~Eval('state').in_(OPEN_STATES),
            })
    room_type = fields.Function(
        fields.Many2One('beauty.room.type', "Room Type"),
        'on_change_with_room_type')
    room = fields.Many2One(
        'beauty.room', "Room", ondelete='RESTRICT',
        domain=[
            ('company', '=', Eval('company', -1)),
            If(Bool(Eval('room_type')),
                ('type', '=', Eval('room_type', -1)),
                ()),
            ],
        states={
            'readonly': ~Eval('state').in_(OPEN_STATES),
            })
    room_place = fields.Integer(
        "Place", readonly=True,
        help="The place taken in a room for several customers.")
    duration = fields.TimeDelta(
        "Duration", required=True,
        states={
            'readonly': ~Eval('state').in_(OPEN_STATES),
            })
    buffer = fields.TimeDelta(
        "Clean-up Time",
        states={
            'readonly': ~Eval('state').in_(OPEN_STATES),
            })
    start = fields.DateTime("Start", readonly=True)
    end = fields.DateTime("End", readonly=True)
    busy_end = fields.DateTime(
        "Free At", readonly=True,
        help="When the beautician and the room are free again.")
    state = fields.Selection(STATES, "State", readonly=True, sort=False)
    company = fields.Function(
        fields.Many2One('company.company', "Store"),
        'on_change_with_company', searcher='search_company')
    customer = fields.Function(
        fields.Many2One(
            'party.party', "Customer",
            context={
                'company': Eval('company', -1),
                },
            depends={'company'}),
        'get_customer', searcher='search_customer')
    number = fields.Function(fields.Char("Number"), 'get_number')
    color = fields.Function(fields.Char("Color"), 'get_color')
    beautician_color = fields.Function(
        fields.Char("Beautician Color"), 'get_color')
    room_color = fields.Function(fields.Char("Room Color"), 'get_color')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._order = [
            ('appointment', 'DESC'), ('sequence', 'ASC NULLS LAST'),
            ('id', 'ASC')]
        active = t.state.in_(ACTIVE_STATES) & (t.start != Null)
        cls._sql_constraints += [
            ('beautician_overlap',
                Exclude(t,
                    (t.beautician, Equal),
                    (TSRange(t.start, t.busy_end, '[)'), RangeOverlap),
                    where=active),
                'beauty_appointment.msg_beautician_overlap_constraint'),
            ('room_overlap',
                Exclude(t,
                    (t.room, Equal),
                    (t.room_place, Equal),
                    (TSRange(t.start, t.busy_end, '[)'), RangeOverlap),
                    where=active),
                'beauty_appointment.msg_room_overlap_constraint'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.appointment, Index.Range())),
                Index(t, (t.beautician, Index.Range()),
                    (t.start, Index.Range()),
                    where=t.state.in_(ACTIVE_STATES)),
                Index(t, (t.room, Index.Range()), (t.start, Index.Range()),
                    where=t.state.in_(ACTIVE_STATES)),
                })

    @staticmethod
    def default_state():
        return 'requested'

    @fields.depends('appointment', '_parent_appointment.company')
    def on_change_with_company(self, name=None):
        if self.appointment and self.appointment.company:
            return self.appointment.company.id

    @classmethod
    def search_company(cls, name, clause):
        return [('appointment.company',) + tuple(clause[1:])]

    def get_customer(self, name):
        return self.appointment.customer.id

    @classmethod
    def search_customer(cls, name, clause):
        return [('appointment.customer',) + tuple(clause[1:])]

    def get_number(self, name):
        return self.appointment.number

    def get_color(self, name):
        if name == 'beautician_color':
            key = self.beautician.id if self.beautician else None
        elif name == 'room_color':
            key = self.room.id if self.room else None
        else:
            return STATE_COLORS.get(self.state)
        if key is None:
            return '#bdbdbd'
        return PALETTE[key % len(PALETTE)]

    @fields.depends('service')
    def on_change_with_room_type(self, name=None):
        if self.service and self.service.room_type:
            return self.service.room_type.id

    @fields.depends('service', 'room', 'beautician', 'appointment',
        '_parent_appointment.lines', 'duration', 'buffer')
    def on_change_service(self):
        if not self.service:
            return
        self.duration = self.service.service_duration
        self.buffer = self.service.service_buffer
        if self.room and self.room.type != self.service.room_type:
            self.room = None
        if not self.beautician and self.appointment:
            # the same beautician as the previous service by default
            for line in reversed(list(self.appointment.lines or [])):
                if line is not self and getattr(line, 'beautician', None):
                    self.beautician = line.beautician
                    break

    def get_rec_name(self, name):
        return '%s %s %s' % (
            self.appointment.customer.rec_name, self.service.rec_name,
            self.beautician.rec_name if self.beautician else '')

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, value = clause[:3]
        if operator.startswith('!') or operator.startswith('not '):
            bool_op = 'AND'
        else:
            bool_op = 'OR'
        return [bool_op,
            ('appointment.rec_name',) + tuple(clause[1:]),
            ('service.rec_name',) + tuple(clause[1:]),
            ('beautician.rec_name',) + tuple(clause[1:]),
            ]

    def check_line(self):
        "The rules of the line itself (no query)"
        appointment = self.appointment
        if self.duration is None or self.duration <= ZERO:
            raise AppointmentValidationError(gettext(
                    'beauty_appointment.msg_line_end_before_start',
                    service=self.service.rec_name,
                    appointment=appointment.rec_name))
        if self.buffer is not None and self.buffer < ZERO:
            raise AppointmentValidationError(gettext(
                    'beauty_appointment.msg_line_buffer_negative',
                    service=self.service.rec_name))
        if not self.service.bookable:
            raise AppointmentValidationError(gettext(
                    'beauty_appointment.msg_line_service_not_bookable',
                    service=self.service.rec_name))
        if self.beautician and self.beautician.company != appointment.company:
            raise AppointmentValidationError(gettext(
                    'beauty_appointment.msg_line_beautician_store',
                    beautician=self.beautician.rec_name,
                    store=appointment.company.rec_name))
        if self.room:
            if self.room.company != appointment.company:
                raise AppointmentRoomError(gettext(
                        'beauty_appointment.msg_line_room_store',
                        room=self.room.rec_name,
                        store=appointment.company.rec_name))
            if not self.room.active:
                raise AppointmentRoomError(gettext(
                        'beauty_appointment.msg_line_room_inactive',
                        room=self.room.rec_name))
            room_type = self.service.room_type
            if room_type and self.room.type != room_type:
                raise AppointmentRoomError(gettext(
                        'beauty_appointment.msg_line_room_type',
                        room=self.room.rec_name,
                        service=self.service.rec_name,
                        room_type=room_type.rec_name))

    # Storage

    @classmethod
    def create(cls, vlist):
        pool = Pool()
        Appointment = pool.get('beauty.appointment')
        Product = pool.get('product.product')
        vlist = [v.copy() for v in vlist]
        appointment_ids = {v['appointment'] for v in vlist
            if v.get('appointment')}
        states = {a.id: a.state for a in Appointment.browse(
                list(appointment_ids))}
        products = {p.id: p for p in Product.browse(list({
                        v['service'] for v in vlist if v.get('service')}))}
        # created with their appointment, which placed them already
        # (_place_new_lines)
        placed = Transaction().context.get('_beauty_lines_placed')
        for values in vlist:
            if not placed:
                # placed by the appointment once every line is there
                values['start'] = values['end'] = values['busy_end'] = None
                values['room_place'] = None
            values['state'] = states.get(values.get('appointment'),
                'requested')
            product = products.get(values.get('service'))
            if product:
                if 'duration' not in values:
                    values['duration'] = product.service_duration
                if 'buffer' not in values:
                    values['buffer'] = product.service_buffer
        items = []
        if placed:
            items = [{
                    'id': None,
                    'appointment': v['appointment'],
                    'service': v.get('service'),
                    'beautician': v.get('beautician'),
                    'room': v.get('room'),
                    'room_place': v.get('room_place'),
                    'start': v['start'],
                    'end': v['end'],
                    'busy_end': v['busy_end'],
                    'state': v['state'],
                    } for v in vlist
                if v.get('start') and v.get('busy_end')
                and v['state'] in ACTIVE_STATES]
        # as _write_checked: the conflicts first where the database
        # enforces the exclusion constraints (SQLite: validate, after)
        if items and cls._database_excludes():
            conflict = cls._find_conflict(items)
            if conflict:
                cls._raise_conflict(*conflict)
        try:
            lines = super().create(vlist)
        except SQLConstraintError as exception:
            cls._raise_constraint_conflict(exception, items)
            raise
        cls._appointments_changed(lines)
        return lines

    @classmethod
    def write(cls, *args):
        context = Transaction().context
        scheduling = context.get('_beauty_line_scheduling')
        actions = iter(args)
        new_args, lines = [], []
        for records, values in zip(actions, actions):
            lines.extend(records)
            values = values.copy()
            if not scheduling and (values.keys() & LINE_SCHEDULE_FIELDS):
                # leave the constraints until placed again
                values.update({
                        'start': None, 'end': None, 'busy_end': None,
                        'room_place': None})
            new_args.extend([records, values])
        if scheduling:
            cls._write_checked(new_args)
        else:
            super().write(*new_args)
            cls._appointments_changed(lines)

    @classmethod
    def delete(cls, lines):
        appointments = list({l.appointment for l in lines})
        super().delete(lines)
        if not Transaction().context.get('_beauty_appointment_saving'):
            Appointment = Pool().get('beauty.appointment')
            appointments = Appointment.browse(
                [a.id for a in appointments])
            Appointment._changed(
                [a for a in appointments if a.id >= 0], names={'lines'})

    @classmethod
    def copy(cls, lines, default=None):
        default = default.copy() if default is not None else {}
        for name in ['start', 'end', 'busy_end', 'room_place']:
            default.setdefault(name, None)
        return super().copy(lines, default=default)

    @classmethod
    def _appointments_changed(cls, lines):
        pool = Pool()
        Appointment = pool.get('beauty.appointment')
        if Transaction().context.get('_beauty_appointment_saving'):
            return
        appointments = Appointment.browse(
            list({l.appointment.id for l in lines}))
        Appointment._changed(appointments, names={'lines'})

    @classmethod
    def _write_schedule(cls, changes):
        """Write the computed times: [(line, values), ...].

        When several lines move, they first all leave the constraints, so
        that one line taking the former time of another is not a conflict.
        """
        if not changes:
            return
        with Transaction().set_context(_beauty_line_scheduling=True):
            moving = [l for l, _ in changes]
            args = []
            if len(moving) > 1:
                args.extend([moving, {
                            'start': None, 'end': None, 'busy_end': None}])
            for line, values in changes:
                args.extend([[line], values])
            cls.write(*args)

    @classmethod
    def _sync_state(cls, appointments, state):
        "Copy the state of the appointments to their lines"
        lines = cls.search([
                ('appointment', 'in', [a.id for a in appointments]),
                ('state', '!=', state),
                ])
        if lines:
            with Transaction().set_context(_beauty_line_scheduling=True):
                cls.write(lines, {'state': state})

    @classmethod
    def _write_checked(cls, args):
        """Write the times, checking the conflicts first where the database
        enforces the exclusion constraints (PostgreSQL), for a clear message
        and a usable transaction; a concurrent booking committed meanwhile
        is caught by the constraint, whose error is made as clear."""
        items = {}
        actions = iter(args)
        for records, values in zip(actions, actions):
            for record in records:
                item = cls._item(record, values)
                # a line that already held the same slot (booked to
                # confirmed...) has nothing new to check
                if values.keys() <= {'state'}:
                    before = cls._item(record)
                    if (before['state'] in ACTIVE_STATES
                            and {**before, 'state': item['state']} == item):
                        continue
                items[record.id] = item
        items = [i for i in items.values()
            if i['start'] and i['busy_end'] and i['state'] in ACTIVE_STATES]
        if items and cls._database_excludes():
            conflict = cls._find_conflict(items)
            if conflict:
                cls._raise_conflict(*conflict)
        try:
            super().write(*args)
        except SQLConstraintError as exception:
            cls._raise_constraint_conflict(exception, items)
            raise

    @classmethod
    def _database_excludes(cls):
        "Whether the database enforces the exclusion constraints"
        database = Transaction().database
        return all(database.has_constraint(c)
            for _, c, _ in cls._sql_constraints if isinstance(c, Exclude))

    @classmethod
    def _item(cls, line, values=None):
        "The booking values of a line as a dict (values override)"
        values = values or {}

        def get(name):
            if name in values:
                return values[name]
            value = getattr(line, name)
            return getattr(value, 'id', value)
        return {
            'id': line.id,
            'appointment': line.appointment.id,
            'service': line.service.id,
            'beautician': get('beautician'),
            'room': get('room'),
            'room_place': get('room_place'),
            'start': get('start'),
            'end': get('end'),
            'busy_end': get('busy_end'),
            'state': get('state'),
            }

    @classmethod
    def _raise_constraint_conflict(cls, exception, items):
        cause = exception.__cause__
        diag = getattr(cause, 'diag', None)
        constraint = getattr(diag, 'constraint_name', None) or ''
        if not ('beautician_overlap' in constraint
                or 'room_overlap' in constraint):
            return
        # The failed transaction can not query any more: the other booking
        # is read in a new one (it sees what the other client committed).
        with Transaction().new_transaction(readonly=True):
            conflict = cls._find_conflict(items)
            if conflict:
                cls._raise_conflict(*conflict)
            # committed after our start: name at least what was asked
            kind = 'room' if 'room_overlap' in constraint else 'beautician'
            for item in items:
                if item[kind]:
                    cls._raise_conflict(kind, item, None)

    @classmethod
    def validate(cls, lines):
        # before the generic check of the constraints, to name the conflict
        cls._check_overlaps(lines)
        super().validate(lines)

    @classmethod
    def _check_overlaps(cls, lines):
        """The check of the exclusion constraints where the database does
        not enforce them (SQLite): run after the write, in the same
        transaction, so a concurrent writer (serialised by SQLite) sees the
        rows of the previous one."""
        if cls._database_excludes():
            return
        items = [cls._item(l) for l in lines
            if l.start and l.busy_end and l.state in ACTIVE_STATES]
        if not items:
            return
        conflict = cls._find_conflict(items)
        if conflict:
            cls._raise_conflict(*conflict)

    @classmethod
    def _find_conflict(cls, items):
        """The first conflict of the items among themselves or with the
        stored lines: (kind, item, other) or None; other is a dict of the
        stored line (or another item). One query."""
        items = list({(i.get('id') or -n): i
                for n, i in enumerate(items, 1)}.values())
        for first, second in combinations(items, 2):
            if not overlaps(first['start'], first['busy_end'],
                    second['start'], second['busy_end']):
                continue
            if first['beautician'] and (
                    first['beautician'] == second['beautician']):
                return 'beautician', second, first
            if first['room'] and first['room'] == second['room'] and (
                    first['room_place'] == second['room_place']):
                return 'room', second, first
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        ids = [i['id'] for i in items if i.get('id')]
        beauticians = list({i['beautician'] for i in items if i['beautician']})
        rooms = list({i['room'] for i in items if i['room']})
        if not beauticians and not rooms:
            return
        lower = min(i['start'] for i in items)
        upper = max(i['busy_end'] for i in items)
        resource = Literal(False)
        if beauticians:
            resource |= cls._resource_in(table.beautician, beauticians)
        if rooms:
            resource |= cls._resource_in(table.room, rooms)
        where = (table.state.in_(ACTIVE_STATES)
            & cls._overlapping(table, lower, upper)
            & resource)
        if ids:
            where &= ~reduce_ids(table.id, ids)
        cursor.execute(*table.select(
                table.id, table.appointment, table.service, table.beautician,
                table.room, table.room_place, table.start, table.end,
                table.busy_end, where=where,
                order_by=[table.start.asc]))
        names = ['id', 'appointment', 'service', 'beautician', 'room',
            'room_place', 'start', 'end', 'busy_end']
        for row in cursor:
            other = dict(zip(names, row))
            for key in ['start', 'end', 'busy_end']:
                other[key] = as_datetime(other[key])
            for item in items:
                if not overlaps(item['start'], item['busy_end'],
                        other['start'], other['busy_end']):
                    continue
                if item['beautician'] and (
                        item['beautician'] == other['beautician']):
                    return 'beautician', item, other
                if item['room'] and item['room'] == other['room'] and (
                        item['room_place'] == other['room_place']):
                    return 'room', item, other

    @classmethod
    def _raise_conflict(cls, kind, item, other):
        "Raise the error naming who or which room is taken, and when"
        pool = Pool()
        Appointment = pool.get('beauty.appointment')
        Employee = pool.get('company.employee')
        Product = pool.get('product.product')
        Room = pool.get('beauty.room')
        with without_check_access():
            appointment = Appointment(item['appointment'])
            company = appointment.company
            service = Product(item['service']).rec_name
            time = local_range_text(item['start'], item['end'], company)
            if other:
                other_appointment = Appointment(other['appointment'])
                busy = local_range_text(
                    other['start'], other['busy_end'], company)
                other_number = other_appointment.number or ''
            else:
                busy, other_number = time, ''
            if kind == 'beautician':
                raise AppointmentOverlapError(gettext(
                        'beauty_appointment.msg_beautician_busy',
                        beautician=Employee(item['beautician']).rec_name,
                        busy=busy, appointment=other_number,
                        service=service, time=time))
            room = Room(item['room'])
            if room.capacity > 1:
                raise AppointmentOverlapError(gettext(
                        'beauty_appointment.msg_room_full',
                        room=room.rec_name, capacity=room.capacity,
                        busy=busy, service=service, time=time))
            raise AppointmentOverlapError(gettext(
                    'beauty_appointment.msg_room_busy',
                    room=room.rec_name, busy=busy,
                    appointment=other_number, service=service, time=time))

    @classmethod
    def _overlapping(cls, table, lower, upper):
        """The condition on the lines of table placed over [lower, upper).

        Where the database enforces the exclusion constraints, the range
        test is also written as theirs, so that their GiST index (resource,
        time range) finds the lines of the period: the B-tree on (resource,
        start) can bound the start only from above and walks every past
        line of the beautician or room (about 20 ms for a store's 10
        beauticians with 2 years of appointments)."""
        where = ((table.start != Null)
            & (table.start < upper) & (table.busy_end > lower))
        if cls._database_excludes():
            where &= RangeOverlap(
                TSRange(table.start, table.busy_end, '[)'),
                TSRange(lower, upper, '[)'))
        return where

    @classmethod
    def _resource_in(cls, column, ids):
        """column in ids (beauticians or rooms). Where the exclusion
        constraints are enforced, the ids are compared as integers: psycopg
        sends small numbers as a smallint array, which the B-tree operator
        class accepts but not btree_gist's, and their GiST index would then
        be searched on the time range alone."""
        ids = list(ids)
        if cls._database_excludes():
            return column == Any(_IntegerArray(ids))
        return reduce_ids(column, ids)

    @classmethod
    def _busy_rooms(cls, rooms, lower, upper, exclude_lines=None,
            exclude_appointments=None):
        "Rows ((room, place), start, busy_end) of the rooms' bookings"
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        if not rooms:
            return []
        result = []
        for sub in grouped_slice(rooms, backend.MAX_QUERY_PARAMS):
            where = (cls._resource_in(table.room, sub)
                & table.state.in_(ACTIVE_STATES)
                & cls._overlapping(table, lower, upper))
            if exclude_lines:
                where &= ~reduce_ids(table.id, exclude_lines)
            if exclude_appointments:
                where &= ~reduce_ids(table.appointment, exclude_appointments)
            cursor.execute(*table.select(
                    table.room, table.room_place, table.start,
                    table.busy_end, where=where))
            for room, place, start, busy_end in cursor:
                result.append(((room, place or 1), as_datetime(start),
                        as_datetime(busy_end)))
        return result

    @classmethod
    def _busy_employees(cls, employees, lower, upper, exclude_lines=None):
        "Rows (employee, start, busy_end) of the employees' bookings"
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        result = []
        for sub in grouped_slice(
                list(employees), backend.MAX_QUERY_PARAMS):
            where = (cls._resource_in(table.beautician, sub)
                & table.state.in_(ACTIVE_STATES)
                & cls._overlapping(table, lower, upper))
            if exclude_lines:
                where &= ~reduce_ids(table.id, exclude_lines)
            cursor.execute(*table.select(
                    table.beautician, table.start, table.busy_end,
                    where=where))
            for employee, start, busy_end in cursor:
                result.append(
                    (employee, as_datetime(start), as_datetime(busy_end)))
        return result

    @classmethod
    def _plan_places(cls, planned, exclude):
        """Choose the place of each line in its room: {line id: place}.

        planned: [(line, (start, end, busy_end)), ...] of lines with a room.
        A line keeps its place when still free. One query."""
        if not planned:
            return {}
        rooms = {line.room for line, _ in planned}
        lower = min(times[0] for _, times in planned)
        upper = max(times[2] for _, times in planned)
        busy = Busy(cls._busy_rooms([r.id for r in rooms], lower, upper,
                exclude_appointments=list(exclude)))
        result = {}
        for line, (start, _, busy_end) in planned:
            capacity = line.room.capacity or 1
            order = list(range(1, capacity + 1))
            if line.room_place in order:
                order.remove(line.room_place)
                order.insert(0, line.room_place)
            place = 1
            for candidate in order:
                if busy.free((line.room.id, candidate), start, busy_end):
                    place = candidate
                    break
            busy.add((line.room.id, place), start, busy_end)
            result[line.id] = place
        return result


class AppointmentDayContext(ModelView):
    "The day shown at the front desk"
    __name__ = 'beauty.appointment.day.context'
    __string__ = "Front Desk Day"
    company = fields.Many2One('company.company', "Store", required=True)
    date = fields.Date("Date", required=True)

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_date():
        return Pool().get('ir.date').today()


class ScheduleContext(ModelView):
    "Whose schedule: a beautician, a room or the whole store"
    __name__ = 'beauty.appointment.schedule.context'
    __string__ = "Schedule Filter"
    company = fields.Many2One('company.company', "Store", required=True)
    beautician = fields.Many2One(
        'company.employee', "Beautician",
        domain=[('company', '=', Eval('company', -1))],
        help="Leave empty for every beautician.")
    room = fields.Many2One(
        'beauty.room', "Room",
        domain=[('company', '=', Eval('company', -1))],
        help="Leave empty for every room.")
    cancelled = fields.Boolean(
        "Show Cancelled", help="Show the cancelled and missed ones too.")

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_cancelled():
        return False


