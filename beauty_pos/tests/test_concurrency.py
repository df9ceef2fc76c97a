# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""Many checkouts spend one prepaid card at once.

Real concurrent transactions on PostgreSQL (SQLite serialises every
writer): eight open sales of the same customer, each paying 200 by the same
card holding 1000, are checked out together. The successful ones sum to at
most the balance, the card's ledger runs without a gap and never below
zero, and the balance is what the ledger says.
"""
import threading
import time
import unittest
from decimal import Decimal

from proteus import Model
from trytond import backend
from trytond.exceptions import UserError
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, drop_db
from trytond.tests.tools import activate_modules
from trytond.transaction import Transaction, TransactionError

from .tools import create_salon_company, setup_salon

CLIENTS = 8
# the retries of trytond's dispatcher ([database] retry)
RETRY = 5
# the clicks of a front desk whose checkout failed on a busy card (on a
# loaded machine one checkout can hold the card longer than 5 retries last)
CLICKS = 3


@unittest.skipIf(backend.name != 'postgresql',
    "concurrent writers need PostgreSQL")
class CardConcurrencyTestCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        activate_modules('beauty_pos', create_salon_company)
        salon = setup_salon()
        Configuration = Model.get('beauty.pos.configuration')
        Card = Model.get('beauty.member.card')
        Sale = Model.get('sale.point.sale')
        customer = salon.customer

        sale = Sale(point=salon.point, customer=customer)
        line = sale.lines.new()
        line.product = Configuration(1).topup_product
        line.topup_amount = Decimal('1000')
        card = Card(customer=customer)
        card.save()
        line.card = card
        sale.payments.new(method=salon.methods['cash'])
        sale.click('process')
        card.reload()
        assert card.balance == Decimal('1000'), card.balance

        sales = []
        for _ in range(CLIENTS):
            sale = Sale(point=salon.point, customer=customer)
            line = sale.lines.new()
            line.product = salon.massage
            line.quantity = 1
            line.employees.new(employee=salon.beautician)
            payment = sale.payments.new(method=salon.methods['card'])
            payment.card = card
            payment.amount = Decimal('200')
            sale.save()
            sales.append(sale.id)
        cls.card, cls.sales = card.id, sales

    @classmethod
    def tearDownClass(cls):
        drop_db()

    def test_concurrent_spends(self):
        "The successful spends never exceed the balance"
        pool = Pool(DB_NAME)
        Sale = pool.get('sale.point.sale')
        Card = pool.get('beauty.member.card')
        CardLine = pool.get('beauty.member.card.line')
        barrier = threading.Barrier(CLIENTS)
        done, refused, failures, retries = [], [], [], []

        def checkout(sale_id):
            try:
                barrier.wait(timeout=60)
            except Exception as exception:  # noqa: reported below
                failures.append(exception)
                return
            # as the RPC dispatcher does: a transaction that asks for row
            # locks starts again holding them; a serialization failure or
            # a lock held by another checkout is retried RETRY times, then
            # the front desk gets an error and clicks again (CLICKS times)
            extras, attempt, clicks = {}, 0, 1
            while True:
                try:
                    with Transaction().start(DB_NAME, 0, context={
                                '_skip_warnings': True},
                            **extras) as transaction:
                        Sale.process(Sale.browse([sale_id]))
                        transaction.commit()
                    done.append(sale_id)
                    return
                except TransactionError as error:
                    error.fix(extras)
                    continue
                except backend.DatabaseOperationalError:
                    attempt += 1
                    if attempt > RETRY:
                        if clicks >= CLICKS:
                            failures.append(
                                "%s: too many retries" % sale_id)
                            return
                        clicks += 1
                        extras, attempt = {}, 0
                    retries.append(sale_id)
                    time.sleep(0.02 * (attempt + 1))
                except UserError as error:
                    refused.append(error)
                    return
                except Exception as exception:  # noqa: reported below
                    failures.append(exception)
                    return
        threads = [threading.Thread(target=checkout, args=(s,))
            for s in self.sales]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=180)
        print("%s checkouts: %s paid, %s refused, %s retries" % (
                CLIENTS, len(done), len(refused), len(retries)))
        self.assertEqual(failures, [])
        self.assertEqual(len(done) + len(refused), CLIENTS)
        # 1000 pays five sales of 200, not six
        self.assertEqual(len(done), 5)
        for error in refused:
            self.assertTrue(error.message)

        with Transaction().start(DB_NAME, 0, readonly=True):
            card = Card(self.card)
            self.assertEqual(card.balance, Decimal('0'))
            lines = CardLine.search(
                [('card', '=', self.card)], order=[('id', 'ASC')])
            running = Decimal(0)
            for line in lines:
                running += line.principal_amount + line.bonus_amount
                self.assertGreaterEqual(running, 0)
            self.assertEqual(running, card.balance)
            states = {s.id: s.state for s in Sale.browse(self.sales)}
            self.assertEqual(
                sorted(i for i, s in states.items() if s != 'open'),
                sorted(done))
