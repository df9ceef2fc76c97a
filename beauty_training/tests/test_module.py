# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
from trytond.tests.test_tryton import ModuleTestCase


class BeautyTrainingTestCase(ModuleTestCase):
    "Test beauty_training module"
    module = 'beauty_training'


del ModuleTestCase
