# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""Salon products (brand, specification, barcode, retail or backbar use,
shelf life) and the consumables a service uses (bill of materials)."""
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.tools import is_full_text, lstrip_wildcard

from .exceptions import QuantityError, UnitError

PRODUCT_USES = [
    (None, ""),
    ('retail', "Retail"),
    ('professional', "Professional (Backbar)"),
    ]


class Template(metaclass=PoolMeta):
    __name__ = 'product.template'

    brand = fields.Char("Brand")
    specification = fields.Char(
        "Specification", help="The size of one unit, e.g. 50ml or 10 pieces.")
    product_use = fields.Selection(
        PRODUCT_USES, "Use", sort=False,
        states={
            'invisible': Eval('type') != 'goods',
            },
        help="Retail: sold to customers. "
        "Professional (backbar): used in the treatment room.")
    shelf_life_days = fields.Integer(
        "Shelf Life (Days)",
        domain=['OR',
            ('shelf_life_days', '=', None),
            ('shelf_life_days', '>', 0),
            ],
        states={
            'invisible': Eval('type') != 'goods',
            },
        help="Days from production to expiry; proposes the expiry date "
        "of a new lot.")
    usage_days = fields.Integer(
        "Usage Days",
        domain=['OR',
            ('usage_days', '=', None),
            ('usage_days', '>', 0),
            ],
        states={
            'invisible': Eval('type') != 'goods',
            },
        help="How many days one unit lasts a customer; the customer is "
        "suggested for a repurchase follow-up when it runs out.")
    consumables = fields.One2Many(
        'beauty.service.consumable', 'service', "Consumables",
        states={
            'invisible': Eval('type') != 'service',
            },
        help="The products one service uses up; they leave the store's "
        "stock when the service is checked out.")


class Product(metaclass=PoolMeta):
    __name__ = 'product.product'

    barcode = fields.Char(
        "Barcode", help="The code scanned at the counter (EAN-13 etc.); "
        "products are found by it.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(
            Index(t, (t.barcode, Index.Equality()), where=t.barcode != None))

    @classmethod
    def search_rec_name(cls, name, clause):
        domain = super().search_rec_name(name, clause)
        _, operator, operand, *extra = clause
        code_value = operand
        if operator.endswith('like') and is_full_text(operand):
            code_value = lstrip_wildcard(operand)
        if domain and domain[0] in {'OR', 'AND'}:
            return domain + [('barcode', operator, code_value, *extra)]
        return ['OR', domain, ('barcode', operator, code_value, *extra)]


class ServiceConsumable(ModelSQL, ModelView):
    "Consumable of a service (e.g. 5 ml serum per hydrating facial)"
    __name__ = 'beauty.service.consumable'

    service = fields.Many2One(
        'product.template', "Service", required=True, ondelete='CASCADE',
        domain=[('type', '=', 'service')])
    product = fields.Many2One(
        'product.product', "Product", required=True, ondelete='RESTRICT',
        domain=[('type', '=', 'goods')],
        help="The product taken from the store's stock.")
    quantity = fields.Float(
        "Quantity", digits='unit', required=True,
        help="Used by one service, in the unit below.")
    unit = fields.Many2One(
        'product.uom', "Unit", required=True, ondelete='RESTRICT',
        help="Must be of the same kind as the product's unit "
        "(volume with volume, units with units).")
    product_unit_category = fields.Function(
        fields.Many2One('product.uom.category', "Product Unit Category"),
        'on_change_with_product_unit_category')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.service, Index.Range())))

    @fields.depends('product')
    def on_change_with_product_unit_category(self, name=None):
        if self.product:
            return self.product.default_uom.category

    @fields.depends('product', 'unit')
    def on_change_product(self):
        if self.product and not self.unit:
            self.unit = self.product.default_uom

    @classmethod
    def validate_fields(cls, consumables, field_names):
        super().validate_fields(consumables, field_names)
        for consumable in consumables:
            if consumable.quantity is not None and consumable.quantity <= 0:
                raise QuantityError(gettext(
                        'beauty_stock.msg_consumable_quantity_positive',
                        service=consumable.service.rec_name,
                        product=consumable.product.rec_name,
                        quantity=consumable.quantity))
            if (consumable.unit.category
                    != consumable.product.default_uom.category):
                raise UnitError(gettext(
                        'beauty_stock.msg_consumable_unit_category',
                        service=consumable.service.rec_name,
                        product=consumable.product.rec_name,
                        unit=consumable.unit.rec_name,
                        product_unit=consumable.product.default_uom.rec_name))

    def get_move(self, quantity, from_location, to_location, company, date,
            origin=None):
        "A stock move taking quantity services' worth of this consumable"
        Move = Pool().get('stock.move')
        return Move(
            product=self.product, unit=self.unit,
            quantity=self.unit.round(self.quantity * quantity),
            from_location=from_location, to_location=to_location,
            company=company, effective_date=date, planned_date=date,
            origin=origin)
