# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
from trytond.tests.test_tryton import ModuleTestCase


class BeautyGroupbuyTestCase(ModuleTestCase):
    "Test beauty_groupbuy module"
    module = 'beauty_groupbuy'


del ModuleTestCase
