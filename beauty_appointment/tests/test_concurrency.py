# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""Many front desks book the same beautician (or room) at once.

Real concurrent transactions on PostgreSQL (SQLite serialises every writer,
so there is no race to lose there): clients start together behind a
barrier, each books another customer at overlapping times; exactly one
succeeds, the others get the conflict error, and the database holds one
booking.
"""
import datetime as dt
import threading
import time
import unittest

from trytond import backend
from trytond.exceptions import UserError
from trytond.modules.company.tests import set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, activate_module, drop_db
from trytond.transaction import Transaction

from .test_module import at, setup_salon

CLIENTS = 8
# the retries of trytond's dispatcher ([database] retry)
RETRY = 5


@unittest.skipIf(backend.name != 'postgresql',
    "concurrent writers need PostgreSQL")
class BookingConcurrencyTestCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        activate_module('beauty_appointment')
        with Transaction().start(DB_NAME, 0) as transaction:
            pool = Pool()
            Party = pool.get('party.party')
            cls.salon = salon = setup_salon()
            customers = Party.create([{
                        'name': "客户%s" % i,
                        'mobile': '1390000%04d' % i,
                        } for i in range(CLIENTS)])
            cls.ids = {
                'company': salon.company.id,
                'customers': [c.id for c in customers],
                'wang': salon.wang.id,
                'li': salon.li.id,
                'massage': salon.massage.id,
                'hydrating': salon.hydrating.id,
                'spa': salon.spa.id,
                'room_a1': salon.room_a1.id,
                'day': salon.day2,
                }
            transaction.commit()

    @classmethod
    def tearDownClass(cls):
        drop_db()

    def race(self, lines_of):
        """The clients start together, each creates and books its
        appointment;
        lines_of(i) gives the (service, beautician, room, minutes after 10:00)
        of client i. Returns (successes, errors)."""
        pool = Pool(DB_NAME)
        Appointment = pool.get('beauty.appointment')
        Company = pool.get('company.company')
        barrier = threading.Barrier(CLIENTS)
        successes, errors, failures, retries = [], [], [], []

        def client(i):
            service, beautician, room, minutes = lines_of(i)
            try:
                barrier.wait(timeout=60)
            except Exception as exception:  # noqa: reported by the test
                failures.append(exception)
                return
            # as the RPC dispatcher does: a serialization failure is
            # retried, the retry then sees the winner's booking
            for attempt in range(RETRY + 1):
                try:
                    with Transaction().start(DB_NAME, 0) as transaction, \
                            set_company(Company(self.ids['company'])):
                        start = at(self.ids['day'], 10) + dt.timedelta(
                            minutes=minutes)
                        record, = Appointment.create([{
                                    'company': self.ids['company'],
                                    'customer': self.ids['customers'][i],
                                    'start': start,
                                    'lines': [('create', [{
                                                    'service': service,
                                                    'beautician': beautician,
                                                    'room': room,
                                                    }])],
                                    }])
                        Appointment.book([record])
                        transaction.commit()
                        successes.append(record.id)
                    return
                except backend.DatabaseOperationalError:
                    if attempt == RETRY:
                        failures.append("client %s: too many retries" % i)
                        return
                    retries.append(i)
                    time.sleep(0.02 * (attempt + 1))
                except UserError as error:
                    errors.append(error)
                    return
                except Exception as exception:  # noqa: reported by the test
                    failures.append(exception)
                    return
        threads = [threading.Thread(target=client, args=(i,))
            for i in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=180)
        self.assertEqual(failures, [])
        self.assertEqual(len(successes) + len(errors), CLIENTS)
        print("%s clients: %s booked, %s refused, %s retries" % (
                CLIENTS, len(successes), len(errors), len(retries)))
        return successes, errors

    def booked(self, ids):
        pool = Pool(DB_NAME)
        Appointment = pool.get('beauty.appointment')
        with Transaction().start(DB_NAME, 0, readonly=True):
            return [a.id for a in Appointment.browse(ids)
                if a.state == 'booked']

    def test_same_beautician(self):
        "One beautician at overlapping times: one booking, the rest refused"
        ids = self.ids
        successes, errors = self.race(lambda i: (
                ids['massage'], ids['wang'], None, 5 * i))
        self.assertEqual(len(successes), 1, errors)
        self.assertEqual(len(errors), CLIENTS - 1)
        for error in errors:
            self.assertTrue(error.message, error)
        self.assertEqual(self.booked(successes), successes)

    def test_same_room(self):
        "One room, two beauticians at overlapping times: one booking"
        ids = self.ids
        successes, errors = self.race(lambda i: (
                ids['hydrating'], [ids['wang'], ids['li']][i % 2],
                ids['room_a1'], 90 + 5 * i))
        self.assertEqual(len(successes), 1, errors)
        self.assertEqual(len(errors), CLIENTS - 1)
