# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""Notifications through real servers on loopback: an SMTP server (aiosmtpd)
and an HTTP SMS gateway double. Sending commits (as the cron does), so these
tests run in transactions of their own and drop their database at the end.
"""
import datetime as dt
import email
import email.policy
import json
import socket
import threading
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import trytond.config as config
from trytond import backend
from trytond.modules.company.tests import set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, activate_module, drop_db
from trytond.transaction import Transaction, TransactionError

from .test_module import appointment, at, setup_salon


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


class SMTPHandler:
    "Keeps the accepted messages; refuses the first ones when told to"

    def __init__(self):
        self.messages = []
        self.refuse = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.refuse:
                self.refuse -= 1
                return '550 5.7.1 mailbox unavailable (test)'
            self.messages.append((
                    envelope.rcpt_tos,
                    email.message_from_bytes(
                        envelope.content, policy=email.policy.default)))
        return '250 OK'


class Gateway:
    "An SMS provider on loopback: answers the statuses it is given"

    def __init__(self):
        self.requests = []
        self.statuses = []
        self.lock = threading.Lock()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers['Content-Length'])
                body = json.loads(self.rfile.read(length))
                with gateway.lock:
                    status = (gateway.statuses.pop(0)
                        if gateway.statuses else 200)
                    gateway.requests.append(
                        (dict(self.headers), body, status))
                answer = json.dumps({'ok': status == 200}).encode()
                self.send_response(status)
                self.send_header('Content-Type', 'application/json')
                self.send_header('Content-Length', str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.url = 'http://127.0.0.1:%s/sms/send' % self.server.server_port
        self.thread = threading.Thread(
            target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def accepted(self):
        return [b for _, b, s in self.requests if s == 200]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class NotificationTestCase(unittest.TestCase):
    "Messages delivered by real SMTP and HTTP servers"

    @classmethod
    def setUpClass(cls):
        activate_module('beauty_appointment')
        with Transaction().start(DB_NAME, 0) as transaction:
            pool = Pool()
            Party = pool.get('party.party')
            cls.salon = salon = setup_salon()
            Party.write([salon.chen], {'contact_mechanisms': [('create', [{
                                'type': 'email',
                                'value': 'chen@example.com'}])]})
            Party.write([salon.li.party], {
                    'contact_mechanisms': [('create', [{
                                    'type': 'email',
                                    'value': 'lina@salon.example'}])]})
            transaction.commit()

    @classmethod
    def tearDownClass(cls):
        # the tests committed: leave no data to the next test classes
        drop_db()

    def setUp(self):
        from aiosmtpd.controller import Controller
        self.smtp = SMTPHandler()
        port = free_port()
        self.controller = Controller(
            self.smtp, hostname='127.0.0.1', port=port)
        self.controller.start()
        self.email_uri = config.get('email', 'uri')
        config.set('email', 'uri', 'smtp://127.0.0.1:%s' % port)
        self.gateway = Gateway()

    def tearDown(self):
        pool = Pool(DB_NAME)
        Notification = pool.get('beauty.notification')
        Appointment = pool.get('beauty.appointment')
        # what a test left pending is not the next one's
        with Transaction().start(DB_NAME, 0) as transaction:
            Notification.write(Notification.search([
                        ('state', 'in', ['queued', 'failed', 'sending'])]),
                {'state': 'cancelled'})
            Appointment.write(Appointment.search([]), {'reminded': True})
            transaction.commit()
        self.controller.stop()
        self.gateway.close()
        config.set('email', 'uri', self.email_uri)

    def _salon(self, hour, **configuration):
        """Configure the emails and the SMS gateway and book 陈思思 with
        李娜 tomorrow at hour (committed)"""
        pool = Pool(DB_NAME)
        Configuration = pool.get('beauty.appointment.configuration')
        salon = self.salon
        with Transaction().start(
                DB_NAME, 0,
                _lock_tables=['beauty_appointment_configuration']
                ) as transaction:
            values = {
                'sms_url': self.gateway.url,
                'sms_token': 'secret-token',
                'retry_delay': 0,
                'customer_sms': True,
                'customer_email': True,
                'staff_email': True,
                'max_attempts': 3,
                'reminder_hours': 24,
                }
            values.update(configuration)
            Configuration.write([Configuration(1)], values)
            with set_company(salon.company):
                record = appointment(
                    salon, at(salon.day1, hour),
                    [(salon.hydrating, salon.li, salon.room_a1)], book=True)
            ids = {
                'appointment': record.id,
                'number': record.number,
                'day1': salon.day1,
                }
            transaction.commit()
        return ids

    def _cron(self, method):
        "Run a cron method as ir.cron does: root, its own transaction"
        pool = Pool(DB_NAME)
        Model, name = method.split('|')
        extras = {}
        while True:
            try:
                with Transaction().start(
                        DB_NAME, 0, context={'_skip_warnings': True},
                        **extras) as transaction:
                    result = getattr(pool.get(Model), name)()
                    if isinstance(result, list):
                        result = [getattr(r, 'id', r) for r in result]
                    transaction.commit()
                return result
            except TransactionError as error:
                # ir.cron starts again with the locks the code asked for
                error.fix(extras)

    def _notifications(self, **domain):
        pool = Pool(DB_NAME)
        Notification = pool.get('beauty.notification')
        with Transaction().start(DB_NAME, 0, readonly=True):
            return [(n.kind, n.audience, n.channel, n.state, n.attempts)
                for n in Notification.search(
                    [(k, '=', v) for k, v in domain.items()],
                    order=[('id', 'ASC')])]

    def test_reminder_by_email_and_sms(self):
        "The cron sends the confirmation, then the reminder, once"
        salon = self._salon(9)
        sent = self._cron('beauty.notification|send_due')
        # confirmation: customer SMS and email, beautician email
        self.assertEqual(len(sent), 3)
        self.assertEqual(len(self.smtp.messages), 2)
        self.assertEqual(len(self.gateway.accepted()), 1)

        # booked some days before: the reminder is due 72 hours ahead
        pool = Pool(DB_NAME)
        Appointment = pool.get('beauty.appointment')
        Configuration = pool.get('beauty.appointment.configuration')
        with Transaction().start(DB_NAME, 0) as transaction:
            Configuration.write([Configuration(1)], {'reminder_hours': 72})
            Appointment.write(
                [Appointment(salon['appointment'])], {'reminded': False})
            transaction.commit()
        reminders = self._cron('beauty.appointment|generate_reminders')
        self.assertEqual(len(reminders), 3)
        self.assertEqual(
            self._cron('beauty.appointment|generate_reminders'), [])
        self._cron('beauty.notification|send_due')
        self.assertEqual(len(self.smtp.messages), 4)
        by_rcpt = {tuple(r): m for r, m in self.smtp.messages[2:]}
        customer = by_rcpt[('chen@example.com',)]
        self.assertEqual(
            customer['Subject'],
            "预约提醒 %s 09:00" % salon['day1'].strftime('%Y-%m-%d'))
        body = customer.get_content()
        self.assertIn("陈思思您好，温馨提醒", body)
        self.assertIn("09:00的补水护理", body)
        self.assertIn("美容师：李娜", body)
        self.assertIn('salon@example.com', customer['From'])
        staff = by_rcpt[('lina@salon.example',)]
        self.assertIn("李娜，提醒", staff.get_content())
        self.assertIn("09:00-10:00有客户陈思思的补水护理", staff.get_content())

        headers, sms, _ = self.gateway.requests[-1]
        self.assertEqual(sms['to'], '+8613612345678')
        self.assertEqual(sms['channel'], 'sms')
        self.assertIn("温馨提醒", sms['content'])
        self.assertEqual(headers['Authorization'], 'Bearer secret-token')
        self.assertEqual(headers['Idempotency-Key'], sms['id'])
        # a duplicate would carry the same id
        self.assertIn(
            customer['X-Beauty-Notification'], customer['Message-ID'])

        # nothing is sent twice
        self.assertEqual(self._cron('beauty.notification|send_due'), [])
        self.assertEqual(len(self.smtp.messages), 4)
        self.assertEqual(len(self.gateway.requests), 2)
        self.assertEqual(
            {s for _, _, _, s, _ in self._notifications(
                    appointment=salon['appointment'])}, {'sent'})

    def test_failure_retried_never_duplicated(self):
        "A refused message is tried again by the cron and delivered once"
        self.smtp.refuse = 1
        self.gateway.statuses = [500]
        salon = self._salon(11, staff_email=False)
        self.assertEqual(self._cron('beauty.notification|send_due'), [])
        failed = self._notifications(appointment=salon['appointment'])
        self.assertEqual(failed, [
                ('confirmation', 'customer', 'sms', 'failed', 1),
                ('confirmation', 'customer', 'email', 'failed', 1)])
        pool = Pool(DB_NAME)
        Notification = pool.get('beauty.notification')
        with Transaction().start(DB_NAME, 0, readonly=True):
            errors = sorted(n.error for n in Notification.search([
                        ('appointment', '=', salon['appointment'])]))
        self.assertIn('550', errors[0])
        self.assertIn('HTTP 500', errors[1])

        self.assertEqual(len(self._cron('beauty.notification|send_due')), 2)
        self.assertEqual(self._notifications(
                appointment=salon['appointment']), [
                ('confirmation', 'customer', 'sms', 'sent', 2),
                ('confirmation', 'customer', 'email', 'sent', 2)])
        for _ in range(3):
            self._cron('beauty.notification|send_due')
        self.assertEqual(len(self.smtp.messages), 1)
        self.assertEqual(len(self.gateway.accepted()), 1)
        self.assertEqual(len(self.gateway.requests), 2)

    def test_attempts_limited(self):
        "A message refused every time stays failed after the maximum"
        self.gateway.statuses = [503] * 10
        salon = self._salon(
            13, staff_email=False, customer_email=False, max_attempts=3)
        for _ in range(5):
            self._cron('beauty.notification|send_due')
        self.assertEqual(self._notifications(
                appointment=salon['appointment']), [
                ('confirmation', 'customer', 'sms', 'failed', 3)])
        self.assertEqual(len(self.gateway.requests), 3)

    def test_sending_left_alone(self):
        "A message left sending by a crash is not sent again by the cron"
        pool = Pool(DB_NAME)
        Notification = pool.get('beauty.notification')
        salon = self._salon(15, staff_email=False, customer_email=False)
        with Transaction().start(DB_NAME, 0) as transaction:
            notifications = Notification.search([
                    ('appointment', '=', salon['appointment'])])
            Notification.write(notifications, {
                    'state': 'sending', 'attempts': 1})
            transaction.commit()
        self.assertEqual(self._cron('beauty.notification|send_due'), [])
        self.assertEqual(self.gateway.requests, [])
        # a person decides to send it again
        with Transaction().start(DB_NAME, 0) as transaction:
            Notification.retry(Notification.search([
                        ('appointment', '=', salon['appointment'])]))
            transaction.commit()
        self.assertEqual(len(self._cron('beauty.notification|send_due')), 1)
        self.assertEqual(len(self.gateway.accepted()), 1)

    @unittest.skipUnless(
        backend.name == 'postgresql', "several connections: PostgreSQL")
    def test_concurrent_senders(self):
        "Two workers sending the same messages deliver each once"
        pool = Pool(DB_NAME)
        Notification = pool.get('beauty.notification')
        salon = self._salon(17, staff_email=False)
        with Transaction().start(DB_NAME, 0, readonly=True):
            ids = [n.id for n in Notification.search([
                        ('appointment', '=', salon['appointment'])])]
        barrier = threading.Barrier(4)
        errors = []

        def worker():
            try:
                with Transaction().start(DB_NAME, 0) as transaction:
                    records = Notification.browse(ids)
                    barrier.wait(timeout=30)
                    Notification.send(records)
                    transaction.commit()
            except Exception as exception:  # noqa: the test reports it
                errors.append(exception)
        threads = [threading.Thread(target=worker) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        self.assertEqual(errors, [])
        self.assertEqual(len(self.gateway.requests), 1)
        self.assertEqual(len(self.smtp.messages), 1)
        self.assertEqual(
            {s for _, _, _, s, _ in self._notifications(
                    appointment=salon['appointment'])}, {'sent'})
