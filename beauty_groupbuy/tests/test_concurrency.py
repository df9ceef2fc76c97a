# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""Several checkouts redeem one voucher code at once.

Real concurrent transactions on PostgreSQL (SQLite serialises every
writer): four open sales carry the same code (each accepted when typed, as
the code was still valid), and are checked out together. One is paid by the
voucher, the others are refused with a clear error and stay open.
"""
import datetime as dt
import threading
import time
import unittest
from decimal import Decimal

from proteus import Model, Wizard
from trytond import backend
from trytond.exceptions import UserError
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, drop_db
from trytond.tests.tools import activate_modules
from trytond.transaction import Transaction, TransactionError

from beauty_pos.tests.tools import create_salon_company, setup_salon

CLIENTS = 4
RETRY = 5
CODE = '202405180001'


@unittest.skipIf(backend.name != 'postgresql',
    "concurrent writers need PostgreSQL")
class VoucherConcurrencyTestCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        activate_modules('beauty_groupbuy', create_salon_company)
        salon = setup_salon()
        Deal = Model.get('beauty.groupbuy.deal')
        Platform = Model.get('beauty.groupbuy.platform')
        Sale = Model.get('sale.point.sale')
        Voucher = Model.get('beauty.groupbuy.voucher')
        Product = Model.get('product.product')
        today = dt.date.today()

        douyin, = Platform.find([('code', '=', 'douyin')])
        deal = Deal(name="补水护理 新客价", platform=douyin)
        deal.price = Decimal('68')
        deal.start_date = today - dt.timedelta(days=1)
        deal.end_date = today + dt.timedelta(days=10)
        deal.services.append(Product(salon.facial.id))
        deal.save()
        wizard = Wizard('beauty.groupbuy.voucher.import', [deal])
        wizard.form.codes = CODE
        wizard.execute('import_')
        voucher, = Voucher.find([])

        sales = []
        for _ in range(CLIENTS):
            sale = Sale(point=salon.point, customer=salon.customer)
            line = sale.lines.new()
            line.product = salon.facial
            line.employees.new(employee=salon.beautician)
            sale.groupbuy_code = CODE
            sale.save()
            assert sale.amount_to_pay == 0, sale.amount_to_pay
            sales.append(sale.id)
        cls.voucher, cls.sales = voucher.id, sales

    @classmethod
    def tearDownClass(cls):
        drop_db()

    def test_concurrent_redemptions(self):
        "A code typed on several sales redeems once"
        pool = Pool(DB_NAME)
        Sale = pool.get('sale.point.sale')
        Voucher = pool.get('beauty.groupbuy.voucher')
        barrier = threading.Barrier(CLIENTS)
        done, refused, failures = [], [], []

        def checkout(sale_id):
            try:
                barrier.wait(timeout=60)
            except Exception as exception:  # noqa: reported below
                failures.append(exception)
                return
            extras, attempt = {}, 0
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
                        failures.append("%s: too many retries" % sale_id)
                        return
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
        self.assertEqual(failures, [])
        self.assertEqual(len(done), 1)
        self.assertEqual(len(refused), CLIENTS - 1)
        for error in refused:
            self.assertIn(CODE, error.message)

        with Transaction().start(DB_NAME, 0, readonly=True):
            voucher = Voucher(self.voucher)
            self.assertEqual(voucher.state, 'redeemed')
            self.assertEqual(voucher.sale.id, done[0])
            self.assertEqual(voucher.amount, Decimal('68.00'))
            self.assertEqual(voucher.fee, Decimal('4.08'))
            states = {s.id: s.state for s in Sale.browse(self.sales)}
            self.assertEqual(
                sorted(i for i, s in states.items() if s != 'open'), done)
