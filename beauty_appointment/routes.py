# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""The public online booking page (在线预约), served by trytond.

    GET  /<database>/beauty/booking            the page (HTML, CSS, JS)
    GET  /<database>/beauty/booking/options    stores, services, beauticians
    GET  /<database>/beauty/booking/slots      free times of a day
    POST /<database>/beauty/booking            book: a requested appointment

Nothing about customers is ever returned; the same answer is given whether
the mobile belongs to a known customer or not. Requests are counted in the
database (so that every worker sees them) per address and per mobile.
The module registers BookingAttempt (below) in tryton.cfg, which imports
this file and so adds the routes.
"""
import datetime as dt
import hashlib
import json
import logging
import os
import re
import threading
from http import HTTPStatus

from sql import Select
from sql.aggregate import Count

from beauty_customer.mobile import national_digits, normalize_mobile
from beauty_hr.tz import store_timezone, to_local, to_utc

from trytond.exceptions import UserError, UserWarning
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, fields
from trytond.protocols.wrappers import Response, with_pool, with_transaction
from trytond.transaction import Transaction
from trytond.wsgi import app

from .exceptions import OnlineBookingError

logger = logging.getLogger(__name__)
STATIC = os.path.join(os.path.dirname(__file__), 'static')
STATIC_FILES = {
    'booking.js': 'text/javascript; charset=utf-8',
    'booking.css': 'text/css; charset=utf-8',
    }
SECURITY_HEADERS = {
    'Content-Security-Policy': (
        "default-src 'none'; script-src 'self'; style-src 'self'; "
        "img-src 'self' data:; connect-src 'self'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
    }
NAME_MAX = 30
NOTE_MAX = 200
# Names: letters of any script, spaces, the middle dot and a few marks;
# nothing that could be markup or a script
_NAME = re.compile(r"^[^\W\d_](?:[^\W_]|[ ·.'\-])*$")
_DATE = re.compile(r'^\d{4}-\d{2}-\d{2}$')


class BookingAttempt(ModelSQL):
    """A request to the online booking page, to limit their rate.

    Keys are hashes: the address or the mobile is never stored."""
    __name__ = 'beauty.appointment.online.attempt'
    __string__ = "Online Booking Attempt"
    kind = fields.Selection([
            ('ip', "Booking from an Address"),
            ('mobile', "Booking for a Mobile"),
            ('query', "Search from an Address"),
            ], "Kind", required=True)
    key = fields.Char("Key", required=True, strip=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(
            Index(t, (t.kind, Index.Equality()), (t.key, Index.Equality()),
                (t.create_date, Index.Range())))

    @staticmethod
    def hash(kind, value):
        return hashlib.sha256(
            ('%s:%s' % (kind, value)).encode('utf-8')).hexdigest()

    @classmethod
    def count(cls, kind, value, since):
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.select(Count(),
                where=(table.kind == kind)
                & (table.key == cls.hash(kind, value))
                & (table.create_date >= since)))
        return cursor.fetchone()[0]

    @classmethod
    def add(cls, kind, value):
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.insert(
                [table.kind, table.key, table.create_date, table.create_uid],
                [[kind, cls.hash(kind, value), dt.datetime.now(), 0]]))

    @classmethod
    def purge(cls, days=2):
        "Forget the attempts older than days (cron)"
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.delete(
                where=table.create_date
                < dt.datetime.now() - dt.timedelta(days=days)))


def _json(data, status=HTTPStatus.OK):
    response = Response(
        json.dumps(data, ensure_ascii=False, separators=(',', ':')),
        status=status, content_type='application/json; charset=utf-8')
    response.headers.update(SECURITY_HEADERS)
    return response


def _error(exception):
    return _json({
            'ok': False,
            'code': exception.code,
            'error': exception.message,
            }, status=exception.status)


def _refuse(message_id, status=HTTPStatus.BAD_REQUEST, code='invalid',
        **values):
    raise OnlineBookingError(
        gettext('beauty_appointment.%s' % message_id, **values),
        status=status, code=code)


def _static(name):
    with open(os.path.join(STATIC, name), 'rb') as fp:
        return fp.read()


@app.route('/<database_name>/beauty/booking', methods=['GET'])
def booking_page(request, database_name):
    "The page: static HTML, the data comes from the JSON routes"
    response = Response(
        _static('booking.html'), content_type='text/html; charset=utf-8')
    response.headers.update(SECURITY_HEADERS)
    return response


@app.route('/<database_name>/beauty/booking/<any("booking.js", "booking.css")'
    ':name>', methods=['GET'])
def booking_static(request, database_name, name):
    response = Response(_static(name), content_type=STATIC_FILES[name])
    response.headers.update(SECURITY_HEADERS)
    response.headers['Cache-Control'] = 'public, max-age=300'
    return response


def _setup(pool):
    "The models, or 404 when the module is not activated in the database"
    from werkzeug.exceptions import NotFound
    try:
        Configuration = pool.get('beauty.appointment.configuration')
    except KeyError:
        raise NotFound()
    config = Configuration(1)
    if not config.online_booking:
        raise NotFound()
    _language(pool)
    return config


def _language(pool):
    "The public page speaks Chinese when the database has it"
    Lang = pool.get('ir.lang')
    transaction = Transaction()
    langs = Lang.search([('code', '=', 'zh_CN'), ('translatable', '=', True)])
    if langs:
        # for the rest of the request (the manager is not needed)
        transaction.set_context(language='zh_CN')


# Who a customer may book online: the beauticians (the page lists them),
# not a manager or a front desk who also has skills
ONLINE_EMPLOYEES = [('position', '=', 'beautician')]


def _client_key():
    ip_address, ip_network = Transaction().remote_address()
    return str(ip_network or ip_address or 'unknown')


# One process's threads count one after the other
_RATE_LOCK = threading.Lock()
# The advisory lock of the worker processes (PostgreSQL)
_RATE_LOCK_ID = int.from_bytes(hashlib.sha1(
        b'beauty.appointment.online.attempt').digest()[:8], 'big',
    signed=True)


def _check_rate(kind, value, limit, period):
    """Refuse when the limit is reached, else count this request.

    The count and the new attempt are one step, committed at once: a burst
    of concurrent requests is counted one request after the other (the
    threads of a process by a lock, the worker processes on PostgreSQL by
    an advisory lock), so no more than the limit get through."""
    Attempt = _pool().get('beauty.appointment.online.attempt')
    since = dt.datetime.now() - period

    def count_and_add():
        over = Attempt.count(kind, value, since) >= limit
        if not over:
            Attempt.add(kind, value)
        return over

    transaction = Transaction()
    database = transaction.database
    with _RATE_LOCK:
        if database.has_select_for():
            # PostgreSQL: one transaction holds the advisory lock; the count
            # runs in another one started once the lock is held, so that
            # its snapshot (repeatable read) sees the attempts committed
            # by the requests that held the lock before
            with transaction.new_transaction() as locker:
                locker.connection.cursor().execute(*Select([
                            database.lock_id(_RATE_LOCK_ID, timeout=30)]))
                with transaction.new_transaction() as counter:
                    over = count_and_add()
                    counter.commit()
                locker.commit()
        else:
            over = count_and_add()
            transaction.commit()
    if over:
        if kind == 'mobile':
            _refuse('msg_online_too_many_mobile',
                status=HTTPStatus.TOO_MANY_REQUESTS, code='rate_limited')
        _refuse('msg_online_too_many',
            status=HTTPStatus.TOO_MANY_REQUESTS, code='rate_limited')


def _pool():
    from trytond.pool import Pool
    return Pool()


def _int(value, message_id, code):
    try:
        value = int(value)
    except (TypeError, ValueError):
        _refuse(message_id, code=code)
    if value <= 0:
        _refuse(message_id, code=code)
    return value


def _store(value):
    Company = _pool().get('company.company')
    store_id = _int(value, 'msg_online_unknown_store', 'unknown_store')
    stores = Company.search([('id', '=', store_id)])
    if not stores:
        _refuse('msg_online_unknown_store', code='unknown_store')
    return stores[0]


def _service(value):
    Product = _pool().get('product.product')
    service_id = _int(value, 'msg_online_unknown_service', 'unknown_service')
    services = Product.search([
            ('id', '=', service_id),
            ('type', '=', 'service'),
            ('service_duration', '!=', None),
            ('online_booking', '=', True),
            ])
    if not services:
        _refuse('msg_online_unknown_service', code='unknown_service')
    return services[0]


def _beautician(value, store):
    Employee = _pool().get('company.employee')
    if value in (None, '', 0, '0'):
        return None
    employee_id = _int(
        value, 'msg_online_unknown_beautician', 'unknown_beautician')
    employees = Employee.search([
            ('id', '=', employee_id),
            ('company', '=', store.id),
            ('position', '=', 'beautician'),
            ])
    if not employees:
        _refuse('msg_online_unknown_beautician', code='unknown_beautician')
    return employees[0]


def _options_data(config):
    pool = _pool()
    Company = pool.get('company.company')
    Employee = pool.get('company.employee')
    Product = pool.get('product.product')
    today = pool.get('ir.date').today()
    stores = Company.search([], order=[('id', 'ASC')])
    services = Product.search([
            ('type', '=', 'service'),
            ('service_duration', '!=', None),
            ('online_booking', '=', True),
            ], order=[('rec_name', 'ASC')])
    employees = Employee.search([
            ('company', 'in', [s.id for s in stores]),
            ('position', '=', 'beautician'),
            ['OR', ('end_date', '=', None), ('end_date', '>=', today)],
            ], order=[('company', 'ASC'), ('id', 'ASC')])
    return {
        'stores': [{
                'id': s.id,
                'name': s.rec_name,
                } for s in stores],
        'services': [{
                'id': s.id,
                'name': s.rec_name,
                'minutes': int(s.service_duration.total_seconds() // 60),
                'price': (str(s.list_price.quantize(1))
                    if s.list_price is not None else None),
                } for s in services],
        'beauticians': [{
                'id': e.id,
                'name': e.rec_name,
                'store': e.company.id,
                } for e in employees],
        'max_days': config.online_max_days,
        }


@app.route('/<database_name>/beauty/booking/options', methods=['GET'])
@with_pool
@with_transaction(readonly=True)
def booking_options(request, pool, database_name=None):
    config = _setup(pool)
    return _json(_options_data(config))


def _window(config, store, day):
    "The UTC interval of the day in which online slots may start"
    now = dt.datetime.now()
    timezone = store_timezone(store)
    today = to_local(now, timezone).date()
    if day < today:
        _refuse('msg_online_date_past', code='past')
    if day > today + dt.timedelta(days=config.online_max_days):
        _refuse('msg_online_date_far', code='too_far',
            days=config.online_max_days)
    start = max(to_utc(day, dt.time(), timezone),
        now + dt.timedelta(minutes=config.online_min_lead))
    end = to_utc(day + dt.timedelta(days=1), dt.time(), timezone)
    return start, end


def _parse_date(value):
    if not isinstance(value, str) or not _DATE.match(value):
        _refuse('msg_online_bad_date', code='bad_date')
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        _refuse('msg_online_bad_date', code='bad_date')


def _slot_data(slot, store):
    Employee = _pool().get('company.employee')
    timezone = store_timezone(store)
    local = to_local(slot.start, timezone)
    return {
        'start': slot.start.isoformat(timespec='minutes'),
        'time': local.strftime('%H:%M'),
        'end': to_local(slot.end, timezone).strftime('%H:%M'),
        'beautician': slot.beautician,
        'beautician_name': Employee(slot.beautician).rec_name,
        }


@app.route('/<database_name>/beauty/booking/slots', methods=['GET'])
@with_pool
@with_transaction(readonly=False)
def booking_slots(request, pool, database_name=None):
    config = _setup(pool)
    Appointment = pool.get('beauty.appointment')
    args = request.args
    try:
        _check_rate('query', _client_key(), config.online_query_limit,
            dt.timedelta(minutes=10))
        Transaction().commit()
        store = _store(args.get('store'))
        service = _service(args.get('service'))
        beautician = _beautician(args.get('beautician'), store)
        day = _parse_date(args.get('date'))
        start, end = _window(config, store, day)
        slots = []
        if start < end:
            slots = Appointment.free_slots(
                store, [service], beautician=beautician,
                start=start, end=end, limit=200,
                per_start=None if beautician else 1,
                employee_domain=ONLINE_EMPLOYEES)
    except OnlineBookingError as exception:
        return _error(exception)
    return _json({
            'ok': True,
            'slots': [_slot_data(s, store) for s in slots],
            })


def _clean_name(value):
    if not isinstance(value, str):
        _refuse('msg_online_name_required', code='bad_name')
    name = ' '.join(value.split())
    if not name:
        _refuse('msg_online_name_required', code='bad_name')
    if len(name) > NAME_MAX:
        _refuse('msg_online_name_long', code='bad_name', maximum=NAME_MAX)
    if not _NAME.match(name):
        _refuse('msg_online_name_invalid', code='bad_name')
    return name


def _clean_mobile(value):
    mobile = normalize_mobile(value) if isinstance(value, str) else None
    if not mobile or not mobile.startswith('+86'):
        _refuse('msg_online_mobile_invalid', code='bad_mobile')
    return mobile


def _clean_note(value):
    if value in (None, ''):
        return ''
    if not isinstance(value, str):
        _refuse('msg_online_note_invalid', code='bad_note')
    note = ' '.join(value.split())
    if len(note) > NOTE_MAX:
        _refuse('msg_online_note_long', code='bad_note', maximum=NOTE_MAX)
    if '<' in note or '>' in note:
        _refuse('msg_online_note_invalid', code='bad_note')
    return note


def _parse_start(value):
    if not isinstance(value, str):
        _refuse('msg_online_bad_slot', code='bad_slot')
    try:
        start = dt.datetime.fromisoformat(value)
    except ValueError:
        _refuse('msg_online_bad_slot', code='bad_slot')
    if start.tzinfo is not None:
        _refuse('msg_online_bad_slot', code='bad_slot')
    return start


def _customer(name, mobile, store):
    "The customer of the mobile, created when unknown (same answer)"
    Party = _pool().get('party.party')
    parties = Party.search([('mobile', '=', mobile)], limit=1)
    if parties:
        return parties[0]
    with Transaction().set_context(company=store.id):
        party, = Party.create([{
                    'name': name,
                    'mobile': mobile,
                    }])
    return party


def book(data, config):
    """Book from the public page's data; raise OnlineBookingError.

    The caller has already counted the request. Returns the summary shown
    to the customer."""
    pool = _pool()
    Appointment = pool.get('beauty.appointment')
    if not isinstance(data, dict):
        _refuse('msg_online_bad_request', code='bad_request')
    name = _clean_name(data.get('name'))
    mobile = _clean_mobile(data.get('mobile'))
    note = _clean_note(data.get('note'))
    _check_rate('mobile', mobile, config.online_mobile_limit,
        dt.timedelta(days=1))
    Transaction().commit()
    store = _store(data.get('store'))
    service = _service(data.get('service'))
    beautician = _beautician(data.get('beautician'), store)
    start = _parse_start(data.get('start'))
    timezone = store_timezone(store)
    day = to_local(start, timezone).date()
    lower, upper = _window(config, store, day)
    if start < lower:
        _refuse('msg_online_slot_past', code='past')
    slots = Appointment.free_slots(
        store, [service], beautician=beautician, start=start,
        end=start + dt.timedelta(minutes=1), limit=1, per_start=1,
        employee_domain=ONLINE_EMPLOYEES)
    if not slots or slots[0].start != start:
        _refuse('msg_online_slot_taken', status=HTTPStatus.CONFLICT,
            code='taken')
    slot, = slots
    customer = _customer(name, mobile, store)
    notes = gettext('beauty_appointment.msg_online_notes',
        name=name, mobile=national_digits(mobile), note=note or '-')
    with Transaction().set_context(company=store.id):
        appointment, = Appointment.create([{
                    'company': store.id,
                    'customer': customer.id,
                    'start': slot.start,
                    'channel': 'online',
                    'notes': notes,
                    'lines': [('create', [{
                                    'service': p.service,
                                    'beautician': slot.beautician,
                                    'room': p.room,
                                    } for p in slot.lines])],
                    }])
    local = to_local(slot.start, timezone)
    return {
        'number': appointment.number,
        'store': store.rec_name,
        'service': service.rec_name,
        'date': local.strftime('%Y-%m-%d'),
        'time': local.strftime('%H:%M'),
        'beautician': appointment.lines[0].beautician.rec_name,
        }


@app.route('/<database_name>/beauty/booking', methods=['POST'])
@with_pool
@with_transaction(readonly=False)
def booking_create(request, pool, database_name=None):
    config = _setup(pool)
    transaction = Transaction()
    try:
        _check_rate('ip', _client_key(), config.online_ip_limit,
            dt.timedelta(hours=1))
        transaction.commit()
        try:
            data = json.loads(request.get_data(as_text=True) or 'null')
        except (ValueError, RecursionError):
            # not JSON, or nested deeper than Python parses
            _refuse('msg_online_bad_request', code='bad_request')
        try:
            summary = book(data, config)
        except (UserError, UserWarning) as exception:
            if isinstance(exception, OnlineBookingError):
                raise
            # e.g. the slot was taken by a concurrent booking
            logger.info("online booking refused: %s", exception)
            transaction.rollback()
            _refuse('msg_online_slot_taken', status=HTTPStatus.CONFLICT,
                code='taken')
    except OnlineBookingError as exception:
        transaction.rollback()
        return _error(exception)
    return _json({'ok': True, 'booking': summary})
