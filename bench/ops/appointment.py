# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""The benchmarked operations of beauty_appointment (see bench/ops/__init__.py):
the appointment list, the free-slot search of the front desk and booking."""
import datetime as dt
import itertools
import threading

from bench.data.appointment import (
    CELL, CELLS, CLOSING, DAYS_AHEAD, OPENING, ROSTER_AHEAD, UTC_OFFSET)

from . import Operation
from .customer import LIMIT, PAGE, read_names

MODULES = {'beauty_appointment'}
ACTIVE_STATES = [
    'requested', 'booked', 'confirmed', 'arrived', 'in_service', 'done']
OFFSET = dt.timedelta(hours=UTC_OFFSET)


def encode(value):
    "A value as Tryton's JSON-RPC expects it"
    if isinstance(value, dt.datetime):
        return {'__class__': 'datetime', 'year': value.year,
            'month': value.month, 'day': value.day, 'hour': value.hour,
            'minute': value.minute, 'second': value.second,
            'microsecond': value.microsecond}
    if isinstance(value, dt.date):
        return {'__class__': 'date', 'year': value.year,
            'month': value.month, 'day': value.day}
    if isinstance(value, dt.timedelta):
        return {'__class__': 'timedelta', 'seconds': value.total_seconds()}
    if isinstance(value, dict):
        return {k: encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    return value


def local_today():
    return (dt.datetime.utcnow() + OFFSET).date()


class ListAppointments(Operation):
    """What the web client does when the appointment list (menu 预约 >
    预约单, tab "All") opens: search in the default order (start, id
    descending), then read the first records with the list's fields"""
    name = 'list: appointments, first page'
    modules = MODULES
    group = 'list'
    target_p95 = 0.050
    target = 'p95 <= 50 ms'
    samples = 1

    def fields(self, session):
        key = 'appointment list fields'
        if key not in self.bench.cache:
            view = session.call(
                'model.beauty.appointment.fields_view_get', None, 'tree')
            assert 'services' in view['fields'], "not the appointment list"
            self.bench.cache[key] = read_names(view['fields'])
        return self.bench.cache[key]

    def prepare(self):
        self.total, = self.bench.conn.execute(
            'SELECT count(*) FROM beauty_appointment').fetchone()
        return [None]

    def run(self, session, sample, order=None):
        ids = session.call(
            'model.beauty.appointment.search', [], 0, LIMIT, order)
        records = session.call('model.beauty.appointment.read',
            ids[:PAGE], self.fields(session))
        return ids, records

    def check(self, sample, result):
        ids, records = result
        assert len(ids) == min(LIMIT, self.total), len(ids)
        # (read returns the rows in any order: the client maps them by id)
        assert sorted(r['id'] for r in records) == sorted(ids[:PAGE]), (
            "the page's rows were not read")
        rows = self.bench.read_rows('beauty_appointment', ids, ['start'])
        keys = [(r['start'], i) for r, i in zip(rows, ids)]
        assert keys == sorted(keys, reverse=True), "not by start descending"
        # nothing later was left out
        later, = self.bench.conn.execute(
            'SELECT count(*) FROM beauty_appointment WHERE start > %s',
            (keys[-1][0],)).fetchone() if keys else (0,)
        assert later < LIMIT, later
        for record in records:
            assert record['services'] and record['beautician.'], (
                record)

    def baselines(self):
        def unindexed_order(session, sample):
            # the same page sorted on a column without an index: what the
            # default order costs when no index serves it (a sort of every
            # appointment on each opening)
            return self.run(session, sample,
                order=[('end', 'DESC'), ('id', 'DESC')])
        return {'plain (sort on an unindexed column)': unindexed_order}


class FreeSlots(Operation):
    """The front desk's free-slot search (查空档 wizard): one service, any of
    the store's beauticians, the next 7 days; the client creates the
    wizard, sends the search form and gets the result form with its slots
    (60 at most, 3 beauticians per start time), then deletes it"""
    name = 'free slots: a service, 7 days, a store'
    modules = MODULES
    group = 'slots'
    target_p95 = 0.200
    target = 'p95 <= 200 ms'
    samples = 50
    wizard = 'wizard.beauty.appointment.slot_search'

    def prepare(self):
        conn = self.bench.conn
        stores = [r[0] for r in conn.execute(
                'SELECT id FROM company_company ORDER BY id')]
        services = [r[0] for r in conn.execute(
                "SELECT p.id FROM product_product AS p "
                "JOIN product_template AS t ON t.id = p.template "
                "WHERE t.service_duration IS NOT NULL AND p.active "
                "AND t.skill_level = 'junior' ORDER BY p.id")]
        assert services, "no bookable service"
        return [(self.rng.choice(stores), self.rng.choice(services))
            for _ in range(self.samples)]

    def start_values(self, sample):
        store, service = sample
        return {'company': store, 'customer': None, 'services': [service],
            'beautician': None, 'date': local_today(), 'days': 7}

    def run(self, session, sample):
        session_id, _, _ = session.call('%s.create' % self.wizard)
        try:
            result = session.call('%s.execute' % self.wizard, session_id,
                encode({'start': self.start_values(sample)}), 'result')
        finally:
            session.call('%s.delete' % self.wizard, session_id)
        return result

    def check(self, sample, result):
        store, service = sample
        slots = result['view']['defaults']['slots']
        assert slots, "no free slot in 7 days"
        assert len(slots) <= 60, len(slots)
        starts = [s['start'] for s in slots]
        assert starts == sorted(starts), "not in time order"
        now = dt.datetime.utcnow()
        horizon = now + dt.timedelta(days=8)
        assert all(now - dt.timedelta(minutes=1) <= s < horizon
            for s in starts), (starts[0], starts[-1])
        beauticians = {s['beautician'] for s in slots}
        conn = self.bench.conn
        staff = {r[0] for r in conn.execute(
                'SELECT id FROM company_employee WHERE company = %s',
                (store,))}
        assert beauticians <= staff, "a beautician of another store"
        busy = conn.execute(
            'SELECT beautician, start, busy_end '
            'FROM beauty_appointment_line '
            'WHERE beautician = ANY(%s) AND state = ANY(%s) '
            'AND start < %s AND busy_end > %s',
            (list(beauticians), ACTIVE_STATES, max(s['end'] for s in slots),
                min(starts))).fetchall()
        rosters = conn.execute(
            'SELECT employee, start, "end" FROM beauty_roster '
            'WHERE employee = ANY(%s) AND start < %s AND "end" > %s',
            (list(beauticians), max(s['end'] for s in slots),
                min(starts))).fetchall()
        for slot in slots:
            for employee, start, busy_end in busy:
                assert not (employee == slot['beautician']
                    and start < slot['end'] and slot['start'] < busy_end), (
                    "slot %s of %s overlaps a booking %s-%s" % (
                        slot['start'], employee, start, busy_end))
            assert any(employee == slot['beautician']
                and start <= slot['start'] and slot['end'] <= end
                for employee, start, end in rosters), (
                "slot %s of %s out of her roster" % (
                    slot['start'], slot['beautician']))


class Book(Operation):
    """Book at the front desk: save a new appointment (one service, a
    beautician, the start; the client sends the lines with the duration and
    clean-up the service filled in) and click "Book" (the room is assigned,
    the roster, skills, overlaps, contraindications and no-shows checked, the
    confirmation messages queued). Each run takes the next free cell of the
    grid (90 minutes, a worked day of the beautician, 15 to 89 days ahead);
    consecutive runs are at different stores so that concurrent clients
    never compete for a room."""
    name = 'book: create + book an appointment'
    modules = MODULES
    group = 'book'
    target_p95 = 0.150
    target = 'p95 <= 150 ms'
    samples = 1

    def prepare(self):
        conn = self.bench.conn
        chain = conn.execute(
            'SELECT min(id), count(*) FROM company_company').fetchone()
        first_company, stores = chain
        employees = conn.execute(
            "SELECT e.id, e.company, e.skill_level FROM company_employee AS e "
            "WHERE e.position = 'beautician' ORDER BY e.company, e.id"
            ).fetchall()
        services = conn.execute(
            "SELECT p.id, t.service_duration, t.service_buffer, "
            "t.skill_level FROM product_product AS p "
            "JOIN product_template AS t ON t.id = p.template "
            "WHERE t.service_duration IS NOT NULL AND p.active "
            "AND t.room_type IS NOT NULL ORDER BY p.id").fetchall()
        junior = [s for s in services if s[3] == 'junior']
        assert junior, "no bookable service"
        by_store = {}
        for employee, company, level in employees:
            by_store.setdefault(company, []).append(employee)
        today = local_today()
        first_day = today + dt.timedelta(days=DAYS_AHEAD + 1)
        last_day = today + dt.timedelta(days=ROSTER_AHEAD - 1)
        lower = dt.datetime.combine(first_day, dt.time()) - OFFSET
        upper = dt.datetime.combine(last_day, dt.time()) - OFFSET
        worked = {(e, d) for e, d in conn.execute(
                'SELECT employee, date FROM beauty_roster '
                'WHERE date >= %s AND date < %s AND start_time <= %s '
                'AND end_time >= %s', (first_day, last_day, OPENING,
                    CLOSING))}
        busy = {}
        for employee, start, busy_end in conn.execute(
                'SELECT beautician, start, busy_end '
                'FROM beauty_appointment_line '
                'WHERE state = ANY(%s) AND start < %s AND busy_end > %s',
                (ACTIVE_STATES, upper, lower)):
            busy.setdefault(employee, []).append((start, busy_end))
        # customers of each store with fewer than 2 no-shows (the front
        # desk would otherwise be warned first)
        customers = {}
        for store in by_store:
            customers[store] = [r[0] for r in conn.execute(
                    "SELECT p.id FROM party_party AS p "
                    "WHERE p.store = %s AND p.active "
                    "AND p.mobile IS NOT NULL AND NOT EXISTS ("
                    "SELECT 1 FROM beauty_appointment AS a "
                    "WHERE a.customer = p.id AND a.state = 'no_show') "
                    "ORDER BY md5(p.id::text) LIMIT 200", (store,))]
        cells = []
        per_store = max(len(e) for e in by_store.values())
        # consecutive cells are at different stores, and at one store at
        # different times: concurrent clients never compete for a room
        # (any free room of the store may be assigned), even with 3 stores
        for day in range((last_day - first_day).days):
            date = first_day + dt.timedelta(days=day)
            for k in range(per_store):
                for cell in range(CELLS):
                    start = (dt.datetime.combine(date, OPENING)
                        + dt.timedelta(minutes=CELL * cell) - OFFSET)
                    for store in sorted(by_store):
                        staff = by_store[store]
                        if k >= len(staff) or not customers[store]:
                            continue
                        employee = staff[k]
                        if (employee, date) not in worked:
                            continue
                        if any(s < start + dt.timedelta(minutes=CELL)
                                and start < e
                                for s, e in busy.get(employee, ())):
                            continue
                        cells.append((store, employee, start))
        assert cells, "no free cell to book"
        self.services = junior
        self.customers = customers
        self.cells = iter(cells)
        self.lock = threading.Lock()
        self.counter = itertools.count()
        return [None]

    def next_cell(self):
        with self.lock:
            store, employee, start = next(self.cells)
            n = next(self.counter)
        service = self.services[n % len(self.services)]
        customers = self.customers[store]
        customer = customers[n % len(customers)]
        return store, employee, start, service, customer

    def run(self, session, sample):
        store, employee, start, service, customer = self.next_cell()
        product, duration, buffer, _ = service
        values = {
            'company': store,
            'customer': customer,
            'start': start,
            'channel': 'phone',
            'notes': None,
            'lines': [['create', [{
                            'sequence': None,
                            'service': product,
                            'beautician': employee,
                            'room': None,
                            'duration': duration,
                            'buffer': buffer,
                            }]]],
            }
        appointment, = session.call(
            'model.beauty.appointment.create', [encode(values)])
        session.call('model.beauty.appointment.book', [appointment])
        return appointment, (store, employee, start, product, customer)

    def check(self, sample, result):
        appointment, (store, employee, start, product, customer) = result
        conn = self.bench.conn
        conn.commit()  # a new snapshot
        row = conn.execute(
            'SELECT a.state, a.company, a.customer, a.start, l.beautician, '
            'l.service, l.room, l.start, l.busy_end, l.state '
            'FROM beauty_appointment AS a '
            'JOIN beauty_appointment_line AS l ON l.appointment = a.id '
            'WHERE a.id = %s', (appointment,)).fetchall()
        assert len(row) == 1, row
        (state, company, party, a_start, beautician, service, room, l_start,
            busy_end, l_state), = row
        assert (state, l_state) == ('booked', 'booked'), (state, l_state)
        assert (company, party, beautician, service) == (
            store, customer, employee, product)
        assert a_start == start == l_start, (a_start, start, l_start)
        assert room, "no room assigned"
        # the slot is no longer free: the only active line of the
        # beautician (and of the room) over it is this one
        others, = conn.execute(
            'SELECT count(*) FROM beauty_appointment_line '
            'WHERE state = ANY(%s) AND start < %s AND busy_end > %s '
            'AND (beautician = %s OR room = %s) AND appointment <> %s',
            (ACTIVE_STATES, busy_end, l_start, employee, room,
                appointment)).fetchone()
        assert others == 0, others
        conn.commit()


OPERATIONS = [ListAppointments, FreeSlots, Book]
