# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""Barcode scanning (扫码) on the checkout and the stocktaking forms, driven
through proteus as the client does: the scan field's on_change adds a line
or counts one more on the product's line, then empties the field."""
import datetime as dt
import unittest
from decimal import Decimal

from proteus import Model
from trytond.exceptions import UserError
from trytond.tests.test_tryton import drop_db
from trytond.tests.tools import activate_modules

from beauty_pos.tests.tools import create_salon_company, setup_salon


class ScanTestCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        activate_modules('beauty_stock', create_salon_company)
        cls.salon = setup_salon()
        serum = cls.salon.serum
        serum.barcode = '6901234567892'
        serum.save()
        facial = cls.salon.facial
        facial.template.code = 'FACIAL01'
        facial.template.save()

    @classmethod
    def tearDownClass(cls):
        drop_db()

    def new_sale(self):
        Sale = Model.get('sale.point.sale')
        return Sale(point=self.salon.point, customer=self.salon.customer)

    def test_sale_scan_adds_line(self):
        "A scanned barcode adds its product at its price and clears the field"
        sale = self.new_sale()
        sale.scan_code = '6901234567892'
        self.assertIsNone(sale.scan_code)
        line, = sale.lines
        self.assertEqual(line.product, self.salon.serum)
        self.assertEqual(line.quantity, 1)
        self.assertEqual(line.kind, 'goods')
        self.assertEqual(line.amount, Decimal('150.00'))
        self.assertEqual(sale.total, Decimal('150.00'))
        sale.save()
        line, = sale.lines
        self.assertEqual(line.product, self.salon.serum)

    def test_sale_scan_twice_increments(self):
        "Scanning the same product twice counts two on one line"
        sale = self.new_sale()
        sale.scan_code = ' 6901234567892 '
        sale.scan_code = '6901234567892'
        line, = sale.lines
        self.assertEqual(line.quantity, 2)
        self.assertEqual(line.amount, Decimal('300.00'))
        # by the product code, another line
        sale.scan_code = 'FACIAL01'
        self.assertEqual(
            sorted((l.product.id, l.quantity) for l in sale.lines),
            sorted([(self.salon.serum.id, 2), (self.salon.facial.id, 1)]))
        sale.save()
        self.assertEqual(sale.total, Decimal('600.00'))

    def test_sale_scan_unknown(self):
        "An unknown code is refused with a message naming it"
        sale = self.new_sale()
        with self.assertRaises(UserError) as cm:
            sale.scan_code = '0000000000000'
        self.assertIn('"0000000000000"', cm.exception.message)
        self.assertEqual(len(sale.lines), 0)

    def test_inventory_scan(self):
        "Stocktaking: a scan counts one unit on the product's line"
        Inventory = Model.get('stock.inventory')
        inventory = Inventory(
            location=self.salon.point.storage_location,
            date=dt.date.today())
        inventory.scan_code = '6901234567892'
        self.assertIsNone(inventory.scan_code)
        line, = inventory.lines
        self.assertEqual(line.product, self.salon.serum)
        self.assertEqual(line.quantity, 1)
        inventory.scan_code = '6901234567892'
        inventory.scan_code = '6901234567892'
        line, = inventory.lines
        self.assertEqual(line.quantity, 3)
        inventory.save()
        line, = inventory.lines
        self.assertEqual(line.quantity, 3)
        self.assertEqual(line.expected_quantity, 0)
        with self.assertRaises(UserError) as cm:
            inventory.scan_code = 'NOPE-42'
        self.assertIn('"NOPE-42"', cm.exception.message)
