# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
import datetime as dt
import unittest
from contextlib import contextmanager
from decimal import Decimal
from types import SimpleNamespace

from beauty_appointment.exceptions import (
    AppointmentOverlapError, AppointmentPastError, AppointmentRoomError,
    AppointmentRosterError, AppointmentSkillError,
    AppointmentValidationError, ContraindicationError,
    ContraindicationWarning, NoShowWarning, ServiceValidationError)
from beauty_appointment.notification import render
from beauty_appointment.schedule import (
    Busy, Need, RoomPlanner, align, find_slots, layout, total_length)
from beauty_hr.tz import to_local, to_utc

from trytond import backend
from trytond.model.exceptions import ValidationError
from trytond.modules.company.model import CompanyMultiValueMixin
from trytond.modules.company.tests import (
    CompanyTestMixin, create_company, create_employee, set_company)
from trytond.pool import Pool, isregisteredby
from trytond.tests.test_tryton import ModuleTestCase, with_transaction
from trytond.transaction import Transaction

D = dt.datetime
T = dt.time
M = dt.timedelta(minutes=1)
SHANGHAI = 'Asia/Shanghai'


@contextmanager
def savepoint():
    """Undo what a failing call wrote, as the rollback of its request
    would (the test goes on in the same transaction)"""
    transaction = Transaction()
    cursor = transaction.connection.cursor()
    cursor.execute('SAVEPOINT beauty_test')
    try:
        yield
    except Exception:
        cursor.execute('ROLLBACK TO SAVEPOINT beauty_test')
        for cache in transaction.cache.values():
            cache.clear()
        raise
    else:
        cursor.execute('RELEASE SAVEPOINT beauty_test')


def _tz():
    from beauty_hr.tz import store_timezone
    return store_timezone(SimpleNamespace(timezone=SHANGHAI))


def local_day(offset):
    "The store's date in offset days"
    return to_local(dt.datetime.now(), _tz()).date() + dt.timedelta(
        days=offset)


def at(day, hour, minute=0):
    "UTC datetime of the store's local day and time"
    return to_utc(day, T(hour, minute), _tz())


def _fill_salon(s):
    pool = Pool()
    Category = pool.get('product.category')
    Employee = pool.get('company.employee')
    Roster = pool.get('beauty.roster')
    Template = pool.get('product.template')
    Uom = pool.get('product.uom')
    RoomType = pool.get('beauty.room.type')
    Room = pool.get('beauty.room')
    Party = pool.get('party.party')
    Contraindication = pool.get('beauty.contraindication')
    company = s.company
    s.face, s.body = Category.create([
            {'name': "面部护理"}, {'name': "身体护理"}])
    s.hydra, = Category.create([{'name': "补水", 'parent': s.face.id}])
    s.wang = create_employee(company, "王美丽")
    s.li = create_employee(company, "李娜")
    Employee.write([s.wang], {
            'position': 'beautician', 'skill_level': 'senior',
            'skills': [('add', [s.face.id, s.body.id])]})
    Employee.write([s.li], {
            'position': 'beautician', 'skill_level': 'junior',
            'skills': [('add', [s.body.id, s.hydra.id])]})
    s.day1, s.day2 = local_day(1), local_day(2)
    Roster.create([{
                'company': company.id, 'employee': e.id, 'date': d,
                'start_time': T(9), 'end_time': T(18)}
            for e in [s.wang, s.li] for d in [s.day1, s.day2]])
    s.facial_type, s.spa_type = RoomType.create([
            {'name': "面部护理间"}, {'name': "SPA 房"}])
    s.room_a1, s.room_a2, s.spa = Room.create([{
                'name': "面部 1", 'code': "A1", 'company': company.id,
                'type': s.facial_type.id}, {
                'name': "面部 2", 'code': "A2", 'company': company.id,
                'type': s.facial_type.id}, {
                'name': "双人 SPA", 'code': "S1", 'company': company.id,
                'type': s.spa_type.id, 'capacity': 2}])
    s.pregnancy, s.acid = Contraindication.create([
            {'name': "孕期", 'blocking': True},
            {'name': "果酸敏感", 'blocking': False}])
    unit, = Uom.search([('name', '=', 'Unit')])

    def service(name, minutes, buffer, category, level, room_type,
            contraindications=()):
        template, = Template.create([{
                    'name': name, 'type': 'service',
                    'default_uom': unit.id, 'list_price': Decimal('298'),
                    'service_duration': dt.timedelta(minutes=minutes),
                    'service_buffer': dt.timedelta(minutes=buffer),
                    'service_category': category.id,
                    'skill_level': level,
                    'room_type': room_type.id if room_type else None,
                    'online_booking': True,
                    'contraindications': [
                        ('add', [c.id for c in contraindications])],
                    'products': [('create', [{}])],
                    }])
        return template.products[0]
    s.hydrating = service(
        "补水护理", 60, 15, s.hydra, 'junior', s.facial_type, [s.acid])
    s.peel = service(
        "果酸焕肤", 45, 15, s.face, 'senior', s.facial_type,
        [s.pregnancy, s.acid])
    s.massage = service("肩颈按摩", 60, 0, s.body, None, s.spa_type)
    s.chen, s.zhao = Party.create([
            {'name': "陈思思", 'mobile': '13612345678'},
            {'name': "赵敏", 'mobile': '13712345678'}])


def setup_salon():
    """A store with two beauticians working 09:00-18:00 the next two days,
    rooms, services and customers"""
    company = create_company()
    company.timezone = SHANGHAI
    company.save()
    s = SimpleNamespace(company=company)
    with set_company(company):
        _fill_salon(s)
    return s


def savepoint_raises(test, exception):
    "assertRaises that undoes the failed call"
    @contextmanager
    def manager():
        with test.assertRaises(exception) as cm, savepoint():
            yield cm
    return manager()


def appointment(s, start, lines, customer=None, book=False, **values):
    "Create (and book) an appointment: lines are (service, beautician, room)"
    Appointment = Pool().get('beauty.appointment')
    record, = Appointment.create([dict({
                'company': s.company.id,
                'customer': (customer or s.chen).id,
                'start': start,
                'lines': [('create', [{
                                'service': service.id,
                                'beautician': beautician.id if beautician
                                else None,
                                'room': room.id if room else None,
                                } for service, beautician, room in lines])],
                }, **values)])
    if book:
        Appointment.book([record])
    return Appointment(record.id)


class ScheduleTestCase(unittest.TestCase):
    "The scheduling rules in plain Python"

    def test_layout(self):
        "Services follow each other after the clean-up time"
        start = D(2026, 5, 4, 2)
        needs = [Need(1, 60 * M, 15 * M, None), Need(2, 30 * M, 0 * M, 7)]
        self.assertEqual(layout(needs, start), [
                (start, start + 60 * M, start + 75 * M),
                (start + 75 * M, start + 105 * M, start + 105 * M)])
        self.assertEqual(total_length(needs), 105 * M)

    def test_align(self):
        "Start times on the store's grid (local time)"
        offset = dt.timedelta(hours=8)
        self.assertEqual(
            align(D(2026, 5, 4, 1, 10), 30 * M, offset), D(2026, 5, 4, 1, 30))
        self.assertEqual(
            align(D(2026, 5, 4, 1, 30), 30 * M, offset), D(2026, 5, 4, 1, 30))

    def test_room_planner_capacity(self):
        "A room of 2 places takes two bookings at once, not three"
        start, end = D(2026, 5, 4, 2), D(2026, 5, 4, 3)
        planner = RoomPlanner([(10, 1, 2), (11, 1, 1)])
        self.assertEqual(planner.find(1, start, end), (10, 1))
        planner.take(10, 1, start, end)
        self.assertEqual(planner.find(1, start, end), (10, 2))
        planner.take(10, 2, start, end)
        self.assertEqual(planner.find(1, start, end), (11, 1))
        planner.take(11, 1, start, end)
        self.assertIsNone(planner.find(1, start, end))
        self.assertEqual(planner.find(1, end, end + 60 * M), (10, 1))

    def test_find_slots(self):
        "Free slots within the worked time, around bookings and rooms"
        day = D(2026, 5, 4)
        working = {
            1: [(day.replace(hour=1), day.replace(hour=5))],
            2: [(day.replace(hour=1), day.replace(hour=3))],
            }
        busy = Busy([(1, day.replace(hour=1), day.replace(hour=2))])
        rooms = RoomPlanner([(7, 3, 1)], [
                ((7, 1), day.replace(hour=1), day.replace(hour=1, minute=30))])
        needs = [Need(5, 60 * M, 0 * M, 3)]
        slots = find_slots(
            needs, [1, 2], working, busy, rooms, day.replace(hour=1),
            day.replace(hour=6), 30 * M, limit=50)
        found = [(s.start.hour, s.start.minute, s.beautician) for s in slots]
        # 1:00 the room is taken; 1:30 only the second beautician is free
        self.assertEqual(found[:3], [(1, 30, 2), (2, 0, 1), (2, 0, 2)])
        self.assertNotIn((1, 0, 1), found)
        self.assertTrue(all(s.lines[0].room == 7 for s in slots))
        self.assertEqual(found[-1], (4, 0, 1))
        # the preferred beautician first
        slots = find_slots(
            needs, [1, 2], working, busy, rooms, day.replace(hour=2),
            day.replace(hour=2), 30 * M, order=lambda e: (e != 2, e))
        self.assertEqual([s.beautician for s in slots], [2, 1])

    def test_render(self):
        "Templates replace plain names only"
        self.assertEqual(
            render("{customer}您好 {unknown} {customer.__class__}",
                {'customer': "陈思思"}),
            "陈思思您好 {unknown} {customer.__class__}")


class BeautyAppointmentTestCase(CompanyTestMixin, ModuleTestCase):
    "Test beauty_appointment module"
    module = 'beauty_appointment'

    @property
    def _skip_company_rule(self):
        # customers are shared by the stores of a chain: their home store
        # (beauty_customer) is not a company rule
        return super()._skip_company_rule | {('party.party', 'store')}

    @with_transaction()
    def test_company_multivalue_context(self):
        "Test context of company multivalue target"
        # As CompanyTestMixin but for party.party, extended here for the
        # appointments: its "store" is the customer's home store, not the
        # company of its multivalue fields.
        pool = Pool()
        Company = pool.get('company.company')
        for mname, model in pool.iterobject():
            if (not isregisteredby(model, self.module)
                    or issubclass(model, Company)
                    or mname == 'party.party'):
                continue
            company = None
            for fname, field in model._fields.items():
                if (field._type == 'many2one'
                        and issubclass(field.get_target(), Company)):
                    company = fname
                    break
            else:
                continue
            for fname, field in model._fields.items():
                if not hasattr(field, 'get_target'):
                    continue
                if not issubclass(
                        field.get_target(), CompanyMultiValueMixin):
                    continue
                self.assertIn(
                    'company', list(field.context.keys()),
                    msg='Missing company in "%s"."%s" context' % (
                        mname, fname))

    @with_transaction()
    def test_times_from_durations(self):
        "The services follow each other, the end and date are computed"
        s = setup_salon()
        with set_company(s.company):
            start = at(s.day1, 10)
            record = appointment(s, start, [
                    (s.hydrating, s.li, s.room_a1),
                    (s.massage, s.li, s.spa)])
            first, second = record.sorted_lines
            self.assertEqual(first.start, start)
            self.assertEqual(first.end, start + 60 * M)
            self.assertEqual(first.busy_end, start + 75 * M)
            self.assertEqual(second.start, start + 75 * M)
            self.assertEqual(record.end, start + 135 * M)
            self.assertEqual(record.date, s.day1)
            self.assertTrue(record.number.startswith('A'))
            self.assertEqual(record.state, 'requested')
            self.assertEqual(second.room_place, 1)

    @with_transaction()
    def test_reschedule_lines_with_same_beautician(self):
        "Moving a sequence does not conflict with itself"
        pool = Pool()
        Appointment = pool.get('beauty.appointment')
        s = setup_salon()
        with set_company(s.company):
            start = at(s.day1, 10)
            record = appointment(s, start, [
                    (s.hydrating, s.li, s.room_a1),
                    (s.hydrating, s.li, s.room_a1)], book=True)
            Appointment.write([record], {'start': start + 30 * M})
            record = Appointment(record.id)
            first, second = record.sorted_lines
            self.assertEqual(first.start, start + 30 * M)
            self.assertEqual(second.start, start + 105 * M)
            Appointment.write([record], {'start': start - 30 * M})
            record = Appointment(record.id)
            self.assertEqual(record.sorted_lines[1].start, start + 45 * M)

    @with_transaction()
    def test_beautician_double_booking(self):
        "A beautician can not be booked twice; the error names the conflict"
        s = setup_salon()
        with set_company(s.company):
            first = appointment(
                s, at(s.day1, 10), [(s.hydrating, s.li, s.room_a1)])
            with savepoint_raises(self, AppointmentOverlapError) as cm:
                appointment(s, at(s.day1, 11), [
                        (s.hydrating, s.li, s.room_a2)], customer=s.zhao)
            message = cm.exception.message
            self.assertIn("李娜", message)
            # the busy time in the store's time, with the clean-up
            self.assertIn('%s 10:00-11:15' % s.day1, message)
            self.assertIn(first.number, message)
            # right after the clean-up is fine
            appointment(s, at(s.day1, 11, 15), [
                    (s.hydrating, s.li, s.room_a2)], customer=s.zhao)

    @with_transaction()
    def test_beautician_double_booking_placed_at_insert(self):
        """Lines created without a room are placed before their insert (in
        the order of their sequence); a conflict there names the other
        booking"""
        pool = Pool()
        Appointment = pool.get('beauty.appointment')
        s = setup_salon()
        with set_company(s.company):
            start = at(s.day1, 10)
            record, = Appointment.create([{
                        'company': s.company.id,
                        'customer': s.chen.id,
                        'start': start,
                        'lines': [('create', [{
                                        'service': s.massage.id,
                                        'beautician': s.li.id,
                                        'sequence': 20,
                                        }, {
                                        'service': s.hydrating.id,
                                        'beautician': s.li.id,
                                        'sequence': 10,
                                        }])],
                        }])
            first, second = record.sorted_lines
            self.assertEqual(first.service, s.hydrating)
            self.assertEqual(
                (first.start, first.end, first.busy_end),
                (start, start + 60 * M, start + 75 * M))
            self.assertEqual(
                (second.start, second.end, second.busy_end),
                (start + 75 * M, start + 135 * M, start + 135 * M))
            self.assertEqual(record.end, start + 135 * M)
            self.assertEqual(record.date, s.day1)
            with savepoint_raises(self, AppointmentOverlapError) as cm:
                appointment(s, at(s.day1, 11), [
                        (s.hydrating, s.li, None)], customer=s.zhao)
            message = cm.exception.message
            self.assertIn("李娜", message)
            self.assertIn(record.number, message)

    @with_transaction()
    def test_room_double_booking(self):
        "A room is booked once per place"
        s = setup_salon()
        with set_company(s.company):
            appointment(s, at(s.day1, 10), [(s.hydrating, s.li, s.room_a1)])
            with savepoint_raises(self, AppointmentOverlapError) as cm:
                appointment(s, at(s.day1, 10, 30), [
                        (s.peel, s.wang, s.room_a1)], customer=s.zhao)
            self.assertIn("A1", cm.exception.message)
            # the double SPA room takes two, not three
            appointment(s, at(s.day2, 10), [(s.massage, s.li, s.spa)])
            other = appointment(s, at(s.day2, 10), [
                    (s.massage, s.wang, s.spa)], customer=s.zhao)
            self.assertEqual(other.lines[0].room_place, 2)
            with savepoint_raises(self, AppointmentOverlapError) as cm:
                appointment(s, at(s.day2, 10), [
                        (s.massage, None, s.spa)], customer=s.zhao)
            self.assertIn("S1", cm.exception.message)

    @with_transaction()
    def test_cancel_frees_the_slot(self):
        "A cancelled or missed appointment holds nothing"
        pool = Pool()
        Appointment = pool.get('beauty.appointment')
        s = setup_salon()
        with set_company(s.company):
            first = appointment(
                s, at(s.day1, 10), [(s.hydrating, s.li, s.room_a1)],
                book=True)
            Appointment.cancel([first])
            second = appointment(s, at(s.day1, 10), [
                    (s.hydrating, s.li, s.room_a1)], customer=s.zhao,
                book=True)
            Appointment.no_show([second])
            appointment(s, at(s.day1, 10), [(s.hydrating, s.li, s.room_a1)],
                book=True)
            # reopening the cancelled one conflicts now
            with savepoint_raises(self, AppointmentOverlapError):
                Appointment.reopen([Appointment(first.id)])

    @with_transaction()
    def test_roster(self):
        "No booking outside the roster or during leave"
        pool = Pool()
        Leave = pool.get('beauty.leave')
        s = setup_salon()
        with set_company(s.company):
            with savepoint_raises(self, AppointmentRosterError) as cm:
                appointment(s, at(s.day1, 17, 30), [
                        (s.hydrating, s.li, s.room_a1)])
            self.assertIn("李娜", cm.exception.message)
            self.assertIn('%s 17:30-18:30' % s.day1, cm.exception.message)
            with savepoint_raises(self, AppointmentRosterError):
                appointment(s, at(s.day1 + dt.timedelta(days=2), 10), [
                        (s.hydrating, s.li, s.room_a1)])
            leave, = Leave.create([{
                        'company': s.company.id, 'employee': s.li.id,
                        'type': 'personal', 'from_date': s.day2,
                        'from_time': T(13), 'to_date': s.day2,
                        'to_time': T(18)}])
            Leave.request([leave])
            Leave.approve([leave])
            with savepoint_raises(self, AppointmentRosterError):
                appointment(s, at(s.day2, 13), [
                        (s.hydrating, s.li, s.room_a1)])
            appointment(s, at(s.day2, 11), [(s.hydrating, s.li, s.room_a1)])

    @with_transaction()
    def test_skills(self):
        "The category (or a parent) and the level of the service"
        s = setup_salon()
        with set_company(s.company):
            # 李娜 has 补水 (hydra) and 身体护理 but not 面部护理
            with savepoint_raises(self, AppointmentSkillError) as cm:
                appointment(s, at(s.day1, 10), [(s.peel, s.li, s.room_a1)])
            self.assertIn("面部护理", cm.exception.message)
            # 王美丽 has the parent 面部护理: she may do 补水
            appointment(s, at(s.day1, 10), [
                    (s.hydrating, s.wang, s.room_a1)])
            # level: 王美丽 is senior; a service for experts refuses her
            s.peel.template.skill_level = 'expert'
            s.peel.template.save()
            with savepoint_raises(self, AppointmentSkillError) as cm:
                appointment(s, at(s.day2, 10), [
                        (s.peel, s.wang, s.room_a1)], customer=s.zhao)
            self.assertIn("王美丽", cm.exception.message)

    @with_transaction()
    def test_contraindications(self):
        "A blocking contraindication refuses, another one warns"
        pool = Pool()
        Appointment = pool.get('beauty.appointment')
        Party = pool.get('party.party')
        Warning = pool.get('res.user.warning')
        s = setup_salon()
        Party.write([s.chen], {'contraindications': [('add', [s.acid.id])]})
        Party.write([s.zhao], {
                'contraindications': [('add', [s.pregnancy.id])]})
        with set_company(s.company), Transaction().set_user(1):
            record = appointment(s, at(s.day1, 10), [
                    (s.hydrating, s.li, s.room_a1)])
            with savepoint_raises(self, ContraindicationWarning) as cm:
                Appointment.book([record])
            self.assertIn("果酸敏感", cm.exception.message)
            Warning.skip(cm.exception.name)
            Appointment.book([record])
            self.assertEqual(record.state, 'booked')
            blocked = appointment(s, at(s.day1, 10), [
                    (s.peel, s.wang, s.room_a2)], customer=s.zhao)
            with savepoint_raises(self, ContraindicationError) as cm:
                Appointment.book([blocked])
            self.assertIn("孕期", cm.exception.message)

    @with_transaction()
    def test_no_shows(self):
        "No-shows are counted per customer and warned at booking"
        pool = Pool()
        Appointment = pool.get('beauty.appointment')
        Party = pool.get('party.party')
        s = setup_salon()
        with set_company(s.company), Transaction().set_user(1):
            for hour in [10, 12]:
                record = appointment(s, at(s.day1, hour), [
                        (s.massage, s.li, s.spa)])
                with Transaction().set_context(_skip_warnings=True):
                    Appointment.book([record])
                Appointment.no_show([record])
            self.assertEqual(Party(s.chen.id).no_show_count, 2)
            self.assertEqual(
                Party.search([('no_show_count', '>=', 2)]), [s.chen])
            self.assertIn(s.zhao, Party.search([('no_show_count', '=', 0)]))
            record = appointment(s, at(s.day1, 14), [(s.massage, s.li, s.spa)])
            self.assertEqual(record.no_show_count, 2)
            with savepoint_raises(self, NoShowWarning):
                Appointment.book([record])

    @with_transaction()
    def test_bad_input(self):
        "Past start, empty duration, service without duration"
        pool = Pool()
        Appointment = pool.get('beauty.appointment')
        Template = pool.get('product.template')
        s = setup_salon()
        with set_company(s.company):
            with savepoint_raises(self, AppointmentPastError):
                appointment(s, dt.datetime.now() - dt.timedelta(hours=2), [
                        (s.hydrating, s.li, s.room_a1)])
            record = appointment(s, at(s.day1, 10), [
                    (s.hydrating, s.li, s.room_a1)])
            with savepoint_raises(self, AppointmentValidationError):
                Appointment.write([record], {'lines': [('write',
                                [record.lines[0].id], {
                                    'duration': dt.timedelta(0)})]})
            with savepoint_raises(self, ServiceValidationError):
                Template.write([s.massage.template], {
                        'service_duration': -dt.timedelta(minutes=5)})
            with savepoint_raises(self, ValidationError):
                appointment(s, at(s.day2, 10), [
                        (s.hydrating, s.li, s.spa)])
            with savepoint_raises(self, AppointmentValidationError):
                Appointment.create([{
                            'company': s.company.id,
                            'customer': s.chen.id,
                            'start': at(s.day2, 10),
                            }])
            # the past is allowed to the demo and imports
            with Transaction().set_context(_beauty_allow_past=True):
                appointment(s, dt.datetime.now() - dt.timedelta(days=3), [
                        (s.hydrating, None, None)])

    @with_transaction()
    def test_book_assigns_room_and_notifies(self):
        "Booking gives a free room and queues the confirmations"
        pool = Pool()
        Appointment = pool.get('beauty.appointment')
        Notification = pool.get('beauty.notification')
        Party = pool.get('party.party')
        Configuration = pool.get('beauty.appointment.configuration')
        s = setup_salon()
        Party.write([s.li.party], {'contact_mechanisms': [('create', [{
                            'type': 'email',
                            'value': 'lina@salon.example'}])]})
        # tomorrow 10:00 is 10 to 34 hours away, by the time of the run:
        # the reminder is due an hour before it comes close
        hours = (at(s.day1, 10) - dt.datetime.now()).total_seconds() // 3600
        Configuration.write([Configuration(1)], {
                'reminder_hours': int(hours) - 1})
        with set_company(s.company):
            appointment(s, at(s.day1, 10), [(s.hydrating, s.wang, s.room_a1)],
                book=True)
            record = appointment(s, at(s.day1, 10), [
                    (s.hydrating, s.li, None)], customer=s.zhao, book=True)
            self.assertEqual(record.lines[0].room, s.room_a2)
            notifications = Notification.search([
                    ('appointment', '=', record.id)],
                order=[('audience', 'ASC')])
            self.assertEqual(
                [(n.audience, n.channel, n.recipient) for n in notifications],
                [('customer', 'sms', '+8613712345678'),
                    ('staff', 'email', 'lina@salon.example')])
            customer_sms = notifications[0]
            self.assertIn("赵敏您好", customer_sms.content)
            self.assertIn("10:00", customer_sms.content)
            self.assertIn("补水护理", customer_sms.content)
            self.assertIn(record.number, customer_sms.content)
            self.assertEqual(customer_sms.state, 'queued')
            # booked the day before: the reminder comes later
            self.assertFalse(record.reminded)
            # no facial room left at 10:00
            s.room_a2.active = False
            s.room_a2.save()
            appointment(s, at(s.day1, 11, 15), [(s.hydrating, s.li, None)],
                book=True)
            with savepoint_raises(self, AppointmentRoomError) as cm:
                appointment(s, at(s.day1, 11, 15), [
                        (s.hydrating, s.wang, None)], book=True)
            self.assertIn("面部护理间", cm.exception.message)

    @with_transaction()
    def test_reminders_once(self):
        "The cron queues one reminder per appointment"
        pool = Pool()
        Appointment = pool.get('beauty.appointment')
        Configuration = pool.get('beauty.appointment.configuration')
        s = setup_salon()
        config = Configuration(1)
        config.reminder_hours = 24 * 3
        config.save()
        with set_company(s.company):
            record = appointment(s, at(s.day1, 10), [
                    (s.hydrating, s.li, s.room_a1)], book=True)
            self.assertTrue(record.reminded)
            Appointment.write([record], {'reminded': False})
            reminders = Appointment.generate_reminders()
            self.assertEqual(
                [(n.kind, n.appointment) for n in reminders],
                [('reminder', record)])
            self.assertEqual(Appointment.generate_reminders(), [])

    @with_transaction()
    def test_reschedule_notifies(self):
        "A new time cancels the pending reminder and tells everyone"
        pool = Pool()
        Appointment = pool.get('beauty.appointment')
        Notification = pool.get('beauty.notification')
        s = setup_salon()
        with set_company(s.company):
            record = appointment(s, at(s.day1, 10), [
                    (s.hydrating, s.li, s.room_a1)], book=True)
            Appointment.write([record], {'start': at(s.day2, 14)})
            kinds = [n.kind for n in Notification.search([
                        ('appointment', '=', record.id),
                        ('state', '=', 'queued')], order=[('id', 'ASC')])]
            self.assertEqual(kinds, ['confirmation', 'change'])
            change, = Notification.search([
                    ('appointment', '=', record.id), ('kind', '=', 'change')])
            self.assertIn('%s' % s.day2, change.content)
            self.assertIn("14:00", change.content)
            Appointment.cancel([record])
            self.assertEqual(
                {n.kind for n in Notification.search([
                            ('appointment', '=', record.id),
                            ('state', '=', 'queued')])},
                {'cancellation'})

    @with_transaction()
    def test_check_in_care_record(self):
        "Check-in creates the visit's care record, prefilled"
        pool = Pool()
        Appointment = pool.get('beauty.appointment')
        s = setup_salon()
        with set_company(s.company):
            record = appointment(s, at(s.day1, 10), [
                    (s.hydrating, s.li, s.room_a1)], book=True)
            Appointment.arrive([record])
            record = Appointment(record.id)
            care = record.care_record
            self.assertEqual(care.customer, s.chen)
            self.assertEqual(care.beautician, s.li)
            # the day of the check-in (a day early here)
            self.assertEqual(care.date, pool.get('ir.date').today())
            self.assertEqual(list(care.services), [s.hydrating])
            self.assertIsNotNone(record.arrived_at)
            action = Appointment.open_care_record([record])
            self.assertEqual(action['res_id'], [care.id])
            Appointment.start_service([record])
            Appointment.do([record])
            self.assertEqual(record.state, 'done')

    @with_transaction()
    def test_free_slots(self):
        "Free slots satisfy rosters, skills, rooms and bookings"
        pool = Pool()
        Appointment = pool.get('beauty.appointment')
        Party = pool.get('party.party')
        s = setup_salon()
        with set_company(s.company):
            day_start, day_end = at(s.day1, 0), at(s.day1, 23, 59)
            # the peel needs a senior in 面部护理: only 王美丽
            slots = Appointment.free_slots(
                s.company, [s.peel], start=day_start, end=day_end, limit=100)
            self.assertTrue(slots)
            self.assertEqual({x.beautician for x in slots}, {s.wang.id})
            self.assertEqual(slots[0].start, at(s.day1, 9))
            # the last start leaves time for the service
            self.assertEqual(slots[-1].end, at(s.day1, 17, 45))
            appointment(s, at(s.day1, 9), [(s.peel, s.wang, s.room_a1)])
            slots = Appointment.free_slots(
                s.company, [s.peel], start=day_start, end=day_end, limit=3)
            # busy until 10:00 with the clean-up
            self.assertEqual(slots[0].start, at(s.day1, 10))
            # both facial rooms taken at 10:00 by others
            appointment(s, at(s.day1, 10), [
                    (s.hydrating, s.li, s.room_a1)], customer=s.zhao)
            appointment(s, at(s.day1, 10), [
                    (s.massage, s.wang, s.spa)], customer=s.zhao,
                state='requested')
            slots = Appointment.free_slots(
                s.company, [s.hydrating], start=at(s.day1, 10),
                end=at(s.day1, 11), limit=10)
            self.assertEqual(
                [(x.start, x.beautician) for x in slots],
                [(at(s.day1, 11), s.wang.id)])
            # several services in sequence, the preferred beautician first
            Party.write([s.chen], {'preferred_beautician': s.li.id})
            slots = Appointment.free_slots(
                s.company, [s.hydrating, s.massage], start=at(s.day2, 9),
                end=at(s.day2, 12), customer=s.chen, limit=4)
            self.assertEqual(slots[0].beautician, s.li.id)
            self.assertEqual(
                [p.start for p in slots[0].lines],
                [at(s.day2, 9), at(s.day2, 10, 15)])
            self.assertEqual(slots[0].lines[1].room, s.spa.id)
            # a past window gives nothing before now
            slots = Appointment.free_slots(
                s.company, [s.hydrating],
                start=dt.datetime.now() - dt.timedelta(days=3),
                end=dt.datetime.now(), limit=5)
            self.assertEqual(slots, [])

    @with_transaction()
    def test_waitlist_in_order(self):
        "A freed slot is offered to the waiting customers in order"
        pool = Pool()
        Appointment = pool.get('beauty.appointment')
        Waitlist = pool.get('beauty.appointment.waitlist')
        Party = pool.get('party.party')
        s = setup_salon()
        with set_company(s.company):
            third, = Party.create([{'name': "钱多多", 'mobile': '13812345678'}])
            record = appointment(s, at(s.day1, 10), [
                    (s.hydrating, s.li, s.room_a1)], book=True)
            first, second, other_day, other_service = Waitlist.create([{
                        'company': s.company.id, 'customer': c.id,
                        'service': service.id, 'date_from': d1,
                        'date_to': d2}
                    for c, service, d1, d2 in [
                        (s.zhao, s.hydrating, s.day1, s.day2),
                        (third, s.hydrating, s.day1, s.day1),
                        (third, s.hydrating, s.day2, s.day2),
                        (third, s.massage, s.day1, s.day2)]])
            Appointment.cancel([record])
            first, second = Waitlist.browse([first.id, second.id])
            self.assertEqual(
                [first.state, second.state], ['notified', 'notified'])
            self.assertEqual(
                [other_day.state, other_service.state], ['waiting', 'waiting'])
            self.assertLess(
                first.offered_at, second.offered_at + dt.timedelta(seconds=1))
            Notification = pool.get('beauty.notification')
            offer1, = Notification.search([('waitlist', '=', first.id)])
            offer2, = Notification.search([('waitlist', '=', second.id)])
            self.assertLess(offer1.scheduled, offer2.scheduled)
            self.assertIn("有空位", offer1.content)
            self.assertNotIn("陈思思", offer1.content)
            # the first books the offer: the second one is no longer open
            Waitlist.book([first])
            self.assertEqual(first.appointment.state, 'booked')
            self.assertFalse(Waitlist(second.id).offer_still_open())

    @with_transaction()
    def test_online_attempts(self):
        "The online booking counters"
        pool = Pool()
        Attempt = pool.get('beauty.appointment.online.attempt')
        since = dt.datetime.now() - dt.timedelta(hours=1)
        for _ in range(3):
            Attempt.add('ip', '10.0.0.1')
        Attempt.add('ip', '10.0.0.2')
        self.assertEqual(Attempt.count('ip', '10.0.0.1', since), 3)
        self.assertEqual(Attempt.count('mobile', '10.0.0.1', since), 0)
        Attempt.purge(days=0)
        self.assertEqual(Attempt.count('ip', '10.0.0.1', since), 0)

    @unittest.skipUnless(backend.name == 'postgresql', "PostgreSQL only")
    @with_transaction()
    def test_exclusion_constraints_exist(self):
        "The exclusion constraints are really in the database"
        cursor = Transaction().connection.cursor()
        cursor.execute(
            "SELECT extname FROM pg_extension WHERE extname = 'btree_gist'")
        self.assertTrue(cursor.fetchone())
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'beauty_appointment_line'::regclass "
            "AND contype = 'x' ORDER BY conname")
        constraints = dict(cursor.fetchall())
        self.assertEqual(sorted(constraints), [
                'beauty_appointment_line_beautician_overlap',
                'beauty_appointment_line_room_overlap'])
        definition = constraints['beauty_appointment_line_beautician_overlap']
        self.assertIn('gist', definition)
        self.assertIn('tsrange', definition)
        self.assertIn('WHERE', definition)


del ModuleTestCase
