# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""PostgreSQL restarted in the middle of a booking (beauty_appointment).

The front desk books through the free-slot search (the wizard's Book
creates the appointment, its services and books it in one transaction: the
messages to the customer are queued in it). The database (a private
cluster the test creates, see fault_helpers) is restarted while that
transaction is held at one of its statements by a trigger waiting on an
advisory lock the test holds (fault_helpers.Pause), in turn:

- at the first service line (the appointment row is written, its lines
  are not),
- at the first message (appointment and services written and checked),
- at the queue task of the messages (everything written but the task).

Afterwards: the client is told it failed (HTTP 503 "the connection is
lost": trytond's retries of the request end before the database is back;
had one succeeded she would be booked once and told so), the database has
no appointment of hers, no service line, message or queue task of a
booking that does not exist; the same trytond serves again; the client's
retry of the same Book books her exactly once (with its services, rooms
and messages) and a second click is refused with the slot conflict.
BEAUTY_FAULT_TRIALS restarts (default 3: each point once).

SQLite has no database server to restart: skipped there (the kill of
trytond during a checkout, test_faults_pos.py, runs on both).
"""
import collections
import datetime as dt
import os

import pytest

from fault_helpers import (
    Pause, cluster_server, failed, in_background, login_again,
    private_cluster, restart_cluster, sql, stop_cluster_server)  # noqa: F401
from security_helpers import CORE_MODULES, env_int

TRIALS = env_int('BEAUTY_FAULT_TRIALS', 3)
PASSWORD = 'Qiantai-Lily-2046'
# the modules of the other fault tests: one template, restored on the
# private cluster
MODULES = CORE_MODULES
# (table, event): where the booking transaction is held
POINTS = [
    ('beauty_appointment_line', 'INSERT'),
    ('beauty_notification', 'INSERT'),
    ('ir_queue', 'INSERT'),
    ]
ACTIVE = ('requested', 'booked', 'confirmed', 'arrived', 'in_service', 'done')


@pytest.fixture(scope='module')
def server(private_cluster):
    server = cluster_server(private_cluster, 'test_faults_booking', MODULES)
    try:
        server.create().start()
        yield server
    finally:
        stop_cluster_server(server)


@pytest.fixture(scope='module')
def salon(server):
    admin = server.login('admin', server.admin_password)
    company = server.ensure_company(admin)
    context = {'company': company}
    # the customer's confirmation by SMS (and the staff's by e-mail)
    server.rpc('model.beauty.appointment.configuration.write', [[1], {
                'customer_sms': True, 'staff_sms': True}, context], admin)
    server.create_user(admin, 'lily', PASSWORD,
        ['beauty_customer.group_frontdesk'], company=company)
    services = server.rpc('model.product.product.search', [
            [('type', '=', 'service'), ('service_duration', '!=', None)],
            0, None, [('id', 'ASC')], context], admin)
    return {'admin': admin, 'company': company, 'context': context,
        'services': services}


def date_value(date):
    return {'__class__': 'date', 'year': date.year, 'month': date.month,
        'day': date.day}


class SlotSearch:
    "The front desk's free-slot search, as the client drives it"

    def __init__(self, server, session, context):
        self.server = server
        self.session = session
        self.context = context
        status, result = server.call(
            'wizard.beauty.appointment.slot_search.create',
            [context], session)
        assert status == 200, result
        self.id = result[0]
        self.start = None
        self.result = None

    def search(self, company, customer, services, date, days=7):
        self.start = {'company': company, 'customer': customer,
            'services': services, 'beautician': None,
            'date': date_value(date), 'days': days}
        status, result = self.server.call(
            'wizard.beauty.appointment.slot_search.execute', [
                self.id, {'start': self.start}, 'result', self.context],
            self.session)
        assert status == 200 and 'view' in result, result
        view = result['view']
        self.result = dict(view.get('defaults') or {},
            **(view.get('values') or {}))
        return self.result.get('slots') or []

    def book(self, slot_index=0):
        "Book the slot; (status, result) of the call"
        slots = [dict(s, selected=(i == slot_index))
            for i, s in enumerate(self.result['slots'])]
        result = {k: v for k, v in self.result.items()
            if k in {'company', 'customer', 'channel', 'notes'}}
        result['slots'] = slots
        return self.server.call(
            'wizard.beauty.appointment.slot_search.execute', [
                self.id, {'start': self.start, 'result': result}, 'book',
                self.context], self.session)


def appointments_of(server, customer):
    "(id, state, number of lines) of her appointments"
    return sql(server,
        "SELECT a.id, a.state, (SELECT COUNT(*) FROM beauty_appointment_line"
        " l WHERE l.appointment = a.id) FROM beauty_appointment a "
        "WHERE a.customer = %s ORDER BY a.id", (customer,))


def half_written(server):
    "Everything that would show a booking half written, anywhere"
    problems = {}
    problems['appointment without service'] = sql(server,
        "SELECT a.id FROM beauty_appointment a WHERE NOT EXISTS ("
        "SELECT 1 FROM beauty_appointment_line l "
        "WHERE l.appointment = a.id)")
    problems['booked service without beautician or time'] = sql(server,
        "SELECT l.id FROM beauty_appointment_line l "
        "JOIN beauty_appointment a ON a.id = l.appointment "
        "WHERE a.state IN ('booked', 'confirmed') AND (l.beautician IS NULL "
        "OR l.start IS NULL OR l.\"end\" IS NULL)")
    problems['booked service without its room'] = sql(server,
        "SELECT l.id FROM beauty_appointment_line l "
        "JOIN beauty_appointment a ON a.id = l.appointment "
        "JOIN product_product p ON p.id = l.service "
        "JOIN product_template t ON t.id = p.template "
        "WHERE a.state IN ('booked', 'confirmed') "
        "AND t.room_type IS NOT NULL AND l.room IS NULL")
    problems['message of no appointment'] = sql(server,
        "SELECT n.id FROM beauty_notification n "
        "LEFT JOIN beauty_appointment a ON a.id = n.appointment "
        "WHERE n.appointment IS NOT NULL AND a.id IS NULL")
    # the queue tasks name the messages they send
    tasks = sql(server,
        "SELECT id, data FROM ir_queue WHERE name = 'beauty_notification'")
    existing = {r[0] for r in sql(server, "SELECT id FROM beauty_notification")}
    problems['queued task of no message'] = [
        task_id for task_id, data in tasks
        if not set(task_ids(data)) <= existing]
    return {k: v for k, v in problems.items() if v}


def task_ids(data):
    "The ids of the records of a queue task"
    import json
    if isinstance(data, str):
        data = json.loads(data)
    ids = data.get('instances') or data.get('ids') or []
    if isinstance(ids, int):
        ids = [ids]
    return [i for i in ids if isinstance(i, int)]


def test_database_restart_during_booking(server, salon, private_cluster):
    """The database restarts in the middle of a booking: nothing of it,
    then the client's retry books her exactly once"""
    admin, company, context = salon['admin'], salon['company'], \
        salon['context']
    lily = server.login('lily', PASSWORD)
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    report = []
    outcomes = collections.Counter()
    for trial in range(TRIALS):
        table, event = POINTS[trial % len(POINTS)]
        customer, = server.rpc('model.party.party.create', [[{
                        'name': "重启预约客户%s" % trial,
                        'mobile': '1375550%04d' % (os.getpid() % 1000 * 10
                            + trial),
                        }], context], lily)
        search = SlotSearch(server, lily, context)
        for service in salon['services']:
            if search.search(company, customer, [service],
                    tomorrow + dt.timedelta(days=trial)):
                break
        else:
            raise AssertionError("no free slot for any service")
        slot = search.result['slots'][0]
        before_tasks = sql(server, "SELECT COUNT(*) FROM ir_queue")[0][0]

        with Pause(server, table, event) as pause:
            thread, outcome = in_background(search.book)
            assert pause.wait(thread=thread), (
                "the booking never reached %s" % table, outcome)
            held = pause.statement
            restart_cluster(private_cluster)
            thread.join(180)
            assert not thread.is_alive(), "the client never got an answer"
        value = outcome.get('value')
        lily = login_again(server, 'lily', PASSWORD)
        if not failed(outcome):
            # trytond retries a request whose connection was lost: had the
            # database been back within its retries, she would be booked
            # (once) and told so
            assert len(appointments_of(server, customer)) == 1, value
            outcomes['booked by the retry of trytond'] += 1
        else:
            # the client is told it failed (503: the connection is lost),
            # no trace of the booking
            assert value[0] == 503 and 'connection is lost' in value[1], (
                value)
            outcomes['refused with 503'] += 1
            assert appointments_of(server, customer) == [], (
                "a half-written appointment", table)
            assert sql(server, "SELECT COUNT(*) FROM beauty_notification n "
                "JOIN beauty_appointment a ON a.id = n.appointment "
                "WHERE a.customer = %s", (customer,))[0][0] == 0
            assert half_written(server) == {}
            assert sql(server, "SELECT COUNT(*) FROM ir_queue")[0][0] == (
                before_tasks)

        # the client retries the same Book: booked once
        search.session = lily
        if failed(outcome):
            status, result = search.book()
            assert status == 200 and 'error' not in result, result
        rows = appointments_of(server, customer)
        assert len(rows) == 1, rows
        appointment, state, lines = rows[0]
        assert state == 'booked' and lines == 1, rows
        assert half_written(server) == {}
        messages = sql(server, "SELECT kind, audience FROM beauty_notification "
            "WHERE appointment = %s", (appointment,))
        assert ('confirmation', 'customer') in messages, messages
        # a second click: the slot is hers already, a clear refusal
        status, again = search.book()
        assert status == 200 and again['error'][0] == 'UserError', again
        assert 'Traceback' not in str(again)
        assert len(appointments_of(server, customer)) == 1
        # the beautician has one booking at that time
        lines = server.rpc('model.beauty.appointment.line.search_count', [[
                    ('beautician', '=', slot['beautician']),
                    ('start', '=', slot['start']),
                    ('appointment.state', 'in', ['booked', 'confirmed']),
                    ], context], admin)
        assert lines == 1
        report.append((table, held[:60], str(value)[:160]))
    for line in report:
        print("restart held at %s (%s...): client got %s" % line)
    print("%s database restarts during a booking (%s): nothing half "
        "written, every retry booked once" % (TRIALS, dict(outcomes)))
