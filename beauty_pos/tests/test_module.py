# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
import datetime as dt
from decimal import Decimal

from trytond.tests.test_tryton import ModuleTestCase

from beauty_pos import refund as rules


class BeautyPosTestCase(ModuleTestCase):
    "Test beauty_pos module"
    module = 'beauty_pos'

    def test_card_refund_worked_example(self):
        "Top-up 1000 + 200 bonus, 300 consumed: day 3 and day 40"
        start = dt.date(2026, 3, 1)
        lot = rules.Lot(start, Decimal(1000), Decimal(200))
        day3 = rules.card_refund(
            [lot], Decimal(900), start + dt.timedelta(days=3))
        self.assertEqual(day3.consumed, Decimal(300))
        self.assertEqual(day3.lots[0].rule, rules.RULE_COOLING_OFF)
        self.assertEqual(day3.refund, Decimal('750.00'))
        self.assertEqual(day3.forfeited, Decimal('150.00'))
        day40 = rules.card_refund(
            [lot], Decimal(900), start + dt.timedelta(days=40))
        self.assertEqual(day40.lots[0].rule, rules.RULE_PRINCIPAL_FIRST)
        self.assertEqual(day40.refund, Decimal('700.00'))
        self.assertEqual(day40.forfeited, Decimal('200.00'))
        salon = rules.card_refund(
            [lot], Decimal(900), start + dt.timedelta(days=40),
            salon_fault=True)
        self.assertEqual(salon.refund, Decimal('750.00'))

    def test_card_refund_lots_fifo(self):
        "Consumption is charged to the oldest top-up first"
        old = rules.Lot(dt.date(2025, 1, 1), Decimal(1000), Decimal(200))
        new = rules.Lot(dt.date(2026, 3, 1), Decimal(500), Decimal(0))
        # 1100 consumed: all from the old lot; the new lot is untouched
        result = rules.card_refund(
            [new, old], Decimal(600), dt.date(2026, 3, 3))
        self.assertEqual(
            [r.consumed for r in result.lots], [Decimal(1100), Decimal(0)])
        # old lot after cooling-off: 1000 - min(1000, 1100) = 0
        # new lot within cooling-off: 500 in full
        self.assertEqual(result.refund, Decimal('500.00'))
        self.assertEqual(result.forfeited, Decimal('100.00'))

    def test_card_refund_never_above_balance(self):
        "Rounding never pays back more than the balance"
        lot = rules.Lot(dt.date(2026, 1, 1), Decimal('100'), Decimal('33'))
        for balance in [Decimal('0.01'), Decimal('1.00'), Decimal('99.99'),
                Decimal('133')]:
            for days in [1, 30]:
                result = rules.card_refund(
                    [lot], balance, dt.date(2026, 1, 1)
                    + dt.timedelta(days=days))
                self.assertLessEqual(result.refund, balance)
                self.assertGreaterEqual(result.refund, 0)
                self.assertEqual(
                    result.refund + result.forfeited, balance)

    def test_package_refund(self):
        "Package: paid 1000 for sessions worth 1200, 3 used"
        purchase = dt.date(2026, 3, 1)
        # 3 sessions used: 300 at single prices, 250 at the price paid
        cooling = rules.package_refund(
            Decimal(1000), Decimal(1200), Decimal(300), Decimal(250),
            purchase, purchase + dt.timedelta(days=3))
        self.assertEqual(cooling.refund, Decimal('750.00'))
        later = rules.package_refund(
            Decimal(1000), Decimal(1200), Decimal(300), Decimal(250),
            purchase, purchase + dt.timedelta(days=40))
        self.assertEqual(later.refund, Decimal('700.00'))
        self.assertEqual(later.remaining_liability, Decimal(750))


del ModuleTestCase
