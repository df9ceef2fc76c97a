# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
from trytond.model.exceptions import ValidationError
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction
from trytond.transaction import Transaction

from beauty_stock.demo import _ean13


def _goods(name, uom, barcode=None):
    pool = Pool()
    Template = pool.get('product.template')
    template, = Template.create([{
                'name': name,
                'type': 'goods',
                'default_uom': uom.id,
                'products': [('create', [{'barcode': barcode}])],
                }])
    return template


class BeautyStockTestCase(ModuleTestCase):
    "Test beauty_stock module"
    module = 'beauty_stock'

    def test_ean13(self):
        "The demo barcodes carry a valid EAN-13 check digit"
        self.assertEqual(_ean13('690123456789'), '6901234567892')

    @with_transaction()
    def test_barcode_search(self):
        "A product is found by its barcode"
        pool = Pool()
        Product = pool.get('product.product')
        Uom = pool.get('product.uom')
        unit, = Uom.search([('name', '=', 'Unit')])
        template = _goods("玫瑰精油", unit, barcode='6901234567892')
        product, = template.products
        self.assertEqual(
            Product.search([('rec_name', '=', '6901234567892')]), [product])
        self.assertEqual(
            Product.search([('rec_name', 'ilike', '%玫瑰%')]), [product])
        self.assertEqual(
            Product.search([('rec_name', '!=', '6901234567892')]), [])

    @with_transaction()
    def test_consumable_unit_category(self):
        "A consumable's unit must convert into the product's unit"
        pool = Pool()
        Template = pool.get('product.template')
        Consumable = pool.get('beauty.service.consumable')
        Uom = pool.get('product.uom')
        unit, = Uom.search([('name', '=', 'Unit')])
        ml, = Uom.search([('symbol', '=', 'ml')])
        cm3, = Uom.search([('name', '=', 'Cubic centimeter')])
        serum = _goods("院装精华", ml).products[0]
        service, = Template.create([{
                    'name': "补水护理", 'type': 'service',
                    'default_uom': unit.id}])
        consumable, = Consumable.create([{
                    'service': service.id, 'product': serum.id,
                    'quantity': 5, 'unit': cm3.id}])
        with self.assertRaises(ValidationError) as cm:
            Consumable.write([consumable], {'unit': unit.id})
        self.assertIn('Unit', cm.exception.message)
        with self.assertRaises(ValidationError):
            Consumable.write([consumable], {'quantity': -1})

    @with_transaction()
    def test_analysis_hidden_from_front_desk(self):
        "Front desk and beauticians cannot read the margins"
        pool = Pool()
        User = pool.get('res.user')
        ModelAccess = pool.get('ir.model.access')
        ModelData = pool.get('ir.model.data')
        models = [
            'beauty.stock.report.product_sales',
            'beauty.stock.report.product_sales.monthly',
            'beauty.stock.report.usage',
            'beauty.stock.report.usage.employee',
            ]
        for group, allowed in [
                ('group_frontdesk', False), ('group_beautician', False),
                ('group_manager', True), ('group_accountant', True)]:
            user, = User.create([{
                        'login': group, 'name': group,
                        'groups': [('add', [ModelData.get_id(
                                        'beauty_customer', group)])],
                        }])
            with Transaction().set_user(user.id), \
                    Transaction().set_context(_check_access=True):
                for model in models:
                    self.assertEqual(
                        ModelAccess.check(
                            model, 'read', raise_exception=False),
                        allowed, (group, model))
                    self.assertFalse(ModelAccess.check(
                            model, 'write', raise_exception=False))

    @with_transaction()
    def test_near_expiry_front_desk(self):
        "The front desk reads the near-expiry list of its store"
        pool = Pool()
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        NearExpiry = pool.get('beauty.stock.report.near_expiry')
        user, = User.create([{
                    'login': 'desk', 'name': "前台",
                    'groups': [('add', [ModelData.get_id(
                                    'beauty_customer', 'group_frontdesk')])],
                    }])
        with Transaction().set_user(user.id), \
                Transaction().set_context(_check_access=True, days=30):
            self.assertEqual(NearExpiry.search([]), [])


del ModuleTestCase
