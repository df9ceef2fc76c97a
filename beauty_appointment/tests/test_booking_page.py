# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""The public online booking page, through trytond's WSGI application: the
requests run in their own transactions as they would behind a server, so
the data is committed and the database dropped at the end."""
import datetime as dt
import json
import re
import unittest

from werkzeug.test import Client

from trytond.modules.company.tests import set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, activate_module, drop_db
from trytond.transaction import Transaction
from trytond.wsgi import app

from .test_module import appointment, at, setup_salon


class BookingPageTestCase(unittest.TestCase):
    "Online booking page"

    @classmethod
    def setUpClass(cls):
        activate_module('beauty_appointment')
        # the routes are added when the pool imports the module
        pool = Pool(DB_NAME)
        with Transaction().start(
                DB_NAME, 0,
                _lock_tables=['beauty_appointment_configuration']
                ) as transaction:
            cls.salon = setup_salon()
            with set_company(cls.salon.company):
                # 李娜 is busy tomorrow 10:00-11:15
                appointment(cls.salon, at(cls.salon.day1, 10), [
                        (cls.salon.hydrating, cls.salon.li,
                            cls.salon.room_a1)], book=True)
            Configuration = pool.get('beauty.appointment.configuration')
            config = Configuration(1)
            config.online_ip_limit = 5
            config.online_mobile_limit = 2
            config.online_query_limit = 50
            config.save()
            cls.ids = {
                'store': cls.salon.company.id,
                'hydrating': cls.salon.hydrating.id,
                'massage': cls.salon.massage.id,
                'li': cls.salon.li.id,
                'wang': cls.salon.wang.id,
                }
            transaction.commit()
        cls.base = '/%s/beauty/booking' % DB_NAME

    @classmethod
    def tearDownClass(cls):
        drop_db()

    def setUp(self):
        self.client = Client(app)
        self.ip = 0

    def tearDown(self):
        pool = Pool(DB_NAME)
        with Transaction().start(DB_NAME, 0) as transaction:
            Attempt = pool.get('beauty.appointment.online.attempt')
            Attempt.purge(days=-1)
            transaction.commit()

    def get(self, path='', ip='192.0.2.1', **query):
        return self.client.get(
            self.base + path, query_string=query,
            environ_base={'REMOTE_ADDR': ip})

    def post(self, data, ip=None):
        if ip is None:
            # a new address each time: the address limit is tested apart
            self.ip += 1
            ip = '198.51.100.%s' % self.ip
        body = data if isinstance(data, str) else json.dumps(data)
        return self.client.post(
            self.base, data=body, content_type='application/json',
            environ_base={'REMOTE_ADDR': ip})

    def counts(self):
        pool = Pool(DB_NAME)
        with Transaction().start(DB_NAME, 0, readonly=True):
            Appointment = pool.get('beauty.appointment')
            Party = pool.get('party.party')
            return (Appointment.search_count([]), Party.search_count([]))

    def slot(self, day=None, **query):
        day = day or self.salon.day2
        response = self.get('/slots', store=self.ids['store'],
            service=self.ids['hydrating'], date=day.isoformat(), **query)
        self.assertEqual(response.status_code, 200, response.text)
        return response.json['slots']

    def booking(self, **values):
        slot = self.slot()[0]
        data = {
            'store': self.ids['store'],
            'service': self.ids['hydrating'],
            'beautician': slot['beautician'],
            'start': slot['start'],
            'name': "林小雨",
            'mobile': '139 2468 1357',
            'note': "第一次来",
            }
        data.update(values)
        return data

    def test_page(self):
        "A Chinese, self-contained page with a strict policy"
        response = self.get()
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.content_type.startswith('text/html'))
        self.assertIn('在线预约', response.text)
        self.assertIn('width=device-width', response.text)
        # no external resource, no inline script
        self.assertFalse(re.search(r'(src|href)="(https?:)?//', response.text))
        self.assertNotIn('<script>', response.text)
        self.assertIn(
            "script-src 'self'", response.headers['Content-Security-Policy'])
        script = self.get('/booking.js')
        self.assertEqual(script.status_code, 200)
        self.assertIn('textContent', script.text)
        self.assertNotIn('innerHTML', script.text)
        self.assertIn(self.get('/other.js').status_code, {404, 405})

    def test_options(self):
        "Stores, services bookable online and beauticians; no customer"
        response = self.get('/options')
        self.assertEqual(response.status_code, 200)
        data = response.json
        self.assertEqual(
            [s['id'] for s in data['stores']], [self.ids['store']])
        self.assertEqual(
            {s['name'] for s in data['services']},
            {"补水护理", "果酸焕肤", "肩颈按摩"})
        self.assertEqual(
            {b['name'] for b in data['beauticians']}, {"王美丽", "李娜"})
        self.assertNotIn("陈思思", response.text)
        self.assertNotIn("1361234", response.text)

    def test_slots(self):
        "Free times of a day; no word about who holds the others"
        slots = self.slot(day=self.salon.day1, beautician=self.ids['li'])
        times = [s['time'] for s in slots]
        self.assertNotIn('10:00', times)
        self.assertNotIn('10:30', times)
        self.assertIn('11:30', times)
        self.assertNotIn("陈思思", json.dumps(slots, ensure_ascii=False))
        # any beautician: one per time
        slots = self.slot(day=self.salon.day1)
        self.assertIn('10:00', [s['time'] for s in slots])
        self.assertEqual(len({s['time'] for s in slots}), len(slots))

    def test_slots_bad_input(self):
        "Past days, unknown services, bad dates: clear refusals"
        yesterday = self.salon.day1 - dt.timedelta(days=2)
        for query, code in [
                ({'date': yesterday.isoformat()}, 'past'),
                ({'date': '2026-13-45'}, 'bad_date'),
                ({'date': '<script>'}, 'bad_date'),
                ({'service': 999999}, 'unknown_service'),
                ({'service': 'x'}, 'unknown_service'),
                ({'beautician': 999999}, 'unknown_beautician'),
                ({'store': 999999}, 'unknown_store'),
                ]:
            values = {
                'store': self.ids['store'], 'service': self.ids['hydrating'],
                'date': self.salon.day1.isoformat()}
            values.update(query)
            response = self.get('/slots', **values)
            self.assertEqual(response.status_code, 400, query)
            self.assertEqual(response.json['code'], code)
            self.assertTrue(response.json['error'])

    def test_book(self):
        "A requested appointment; the same answer for a known customer"
        pool = Pool(DB_NAME)
        before = self.counts()
        response = self.post(self.booking())
        self.assertEqual(response.status_code, 200, response.text)
        booking = response.json['booking']
        self.assertEqual(booking['service'], "补水护理")
        self.assertEqual(self.counts(), (before[0] + 1, before[1] + 1))
        with Transaction().start(DB_NAME, 0, readonly=True):
            Appointment = pool.get('beauty.appointment')
            Party = pool.get('party.party')
            record, = Appointment.search([('number', '=', booking['number'])])
            self.assertEqual(record.state, 'requested')
            self.assertEqual(record.channel, 'online')
            self.assertEqual(record.customer.mobile, '+8613924681357')
            self.assertEqual(record.customer.name, "林小雨")
            self.assertIn("第一次来", record.notes)
            self.assertTrue(record.lines[0].room)
            mobile = Party(self.salon.chen.id).mobile
        # a known mobile: her archive is used, nothing else is told
        response = self.post(self.booking(
                name="另一个名字", mobile=mobile[3:]))
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(
            sorted(response.json['booking']), sorted(booking))
        self.assertNotIn("陈思思", response.text)
        self.assertEqual(self.counts()[1], before[1] + 1)
        with Transaction().start(DB_NAME, 0, readonly=True):
            Appointment = pool.get('beauty.appointment')
            Party = pool.get('party.party')
            record, = Appointment.search([
                    ('number', '=', response.json['booking']['number'])])
            self.assertEqual(record.customer.id, self.salon.chen.id)
            self.assertEqual(Party(self.salon.chen.id).name, "陈思思")
            self.assertIn("另一个名字", record.notes)

    def test_book_bad_input(self):
        "Bad input is refused with a clear message, nothing is saved"
        before = self.counts()
        past = (dt.datetime.now() - dt.timedelta(hours=2)).isoformat(
            timespec='minutes')
        for i, (values, status, code) in enumerate([
                ({'name': "<script>alert(1)</script>"}, 400, 'bad_name'),
                ({'name': "王\"><img src=x onerror=alert(1)>"}, 400,
                    'bad_name'),
                ({'name': "   "}, 400, 'bad_name'),
                ({'name': "名" * 40}, 400, 'bad_name'),
                ({'mobile': '12345'}, 400, 'bad_mobile'),
                ({'mobile': '1361234567a'}, 400, 'bad_mobile'),
                ({'mobile': '+1 202 555 0143'}, 400, 'bad_mobile'),
                ({'note': "<script>x</script>"}, 400, 'bad_note'),
                ({'service': 999999}, 400, 'unknown_service'),
                ({'service': self.ids['massage'] * 1000}, 400,
                    'unknown_service'),
                ({'store': 'abc'}, 400, 'unknown_store'),
                ({'start': 'tomorrow'}, 400, 'bad_slot'),
                ({'start': past}, 400, 'past'),
                ({'start': at(self.salon.day1, 10).isoformat(
                            timespec='minutes'),
                        'beautician': self.ids['li']}, 409, 'taken'),
                ]):
            # a mobile of its own: the limit per mobile is tested apart
            values.setdefault('mobile', '1390000%04d' % i)
            response = self.post(self.booking(**values))
            self.assertEqual(response.status_code, status, values)
            self.assertEqual(response.json['code'], code, values)
            self.assertFalse(response.json['ok'])
            self.assertNotIn('<script>', response.text)
        for body in ['{not json', '[1, 2]', '"text"']:
            response = self.post(body)
            self.assertEqual(response.status_code, 400)
            self.assertEqual(response.json['code'], 'bad_request')
        self.assertEqual(self.counts(), before)

    def test_rate_limits(self):
        "Too many bookings from one address or for one mobile"
        for _ in range(5):
            response = self.post({'name': ''}, ip='203.0.113.7')
            self.assertEqual(response.status_code, 400)
        response = self.post(self.booking(), ip='203.0.113.7')
        self.assertEqual(response.status_code, 429)
        self.assertEqual(response.json['code'], 'rate_limited')
        # another address is served
        response = self.post(
            self.booking(mobile='13800138000'), ip='203.0.113.8')
        self.assertEqual(response.status_code, 200, response.text)
        # a mobile books at most twice a day, whatever the address
        response = self.post(self.booking(mobile='13800138000'))
        self.assertEqual(response.status_code, 200, response.text)
        response = self.post(self.booking(mobile='13800138000'))
        self.assertEqual(response.status_code, 429)
        self.assertEqual(response.json['code'], 'rate_limited')
