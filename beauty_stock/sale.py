# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""Checkout: the consumables of the services leave the stock when the sale is
processed; a product sold from a lot must not be expired; a scanned barcode
adds its product to the sale."""
from trytond.i18n import gettext
from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval

from .stock import consumption_location, find_product


class POSSale(metaclass=PoolMeta):
    __name__ = 'sale.point.sale'

    scan_code = fields.Function(fields.Char(
            "Scan",
            states={
                'readonly': Eval('state') != 'open',
                },
            help="Scan a barcode (or type a product code) and press Enter: "
            "the product is added to the sale (once more if already on it)."),
        'get_scan_code', setter='set_scan_code')

    def get_scan_code(self, name):
        return None

    @classmethod
    def set_scan_code(cls, sales, name, value):
        pass

    @fields.depends('scan_code', 'lines', 'state', 'point', 'date', 'company',
        'customer', 'currency',
        methods=['on_change_with_total_tax', 'on_change_with_total',
            'on_change_with_amount_to_pay'])
    def on_change_scan_code(self):
        pool = Pool()
        Line = pool.get('sale.point.sale.line')
        code, self.scan_code = self.scan_code, None
        if not code or not code.strip() or self.state != 'open':
            return
        product = find_product(code)
        lines = list(self.lines or [])
        for line in lines:
            if (line.product == product
                    and not getattr(line, 'package_line', None)
                    and not getattr(line, 'returned_line', None)
                    and getattr(line, 'kind', 'goods') in {
                        'goods', 'service'}):
                line.sale = self
                line.quantity = (line.quantity or 0) + 1
                line.on_change_quantity()
                line.amount = line.on_change_with_amount()
                break
        else:
            line = Line(sale=self, product=product, quantity=1)
            line.on_change_product()
            lines.append(line)
        self.lines = lines
        self.total_tax = self.on_change_with_total_tax()
        self.total = self.on_change_with_total()
        self.amount_to_pay = self.on_change_with_amount_to_pay()

    @classmethod
    def do(cls, sales):
        pool = Pool()
        Date = pool.get('ir.date')
        today = Date.today()
        for sale in sales:
            if sale.state != 'open':
                continue
            for line in sale.lines:
                if line.lot and line.quantity > 0:
                    line.lot.check_not_expired(
                        sale.date or today,
                        gettext('beauty_stock.msg_lot_sold'))
        super().do(sales)
        cls.consume(cls.browse([s.id for s in sales]))

    @classmethod
    def consume(cls, sales):
        """Move the consumables of the services sold out of the store's
        stock (once per line: a processed line with moves is skipped)"""
        Move = Pool().get('stock.move')
        to_location = consumption_location()
        moves = []
        for sale in sales:
            if sale.state not in {'done', 'posted'}:
                continue
            for line in sale.lines:
                if (line.product.type != 'service' or line.quantity <= 0
                        or line.moves):
                    continue
                for consumable in line.product.template.consumables:
                    moves.append(consumable.get_move(
                            line.quantity,
                            sale.point.storage_location, to_location,
                            sale.company, sale.date, origin=line))
        if moves:
            Move.save(moves)
            Move.do(moves)
        return moves


class POSSaleLine(metaclass=PoolMeta):
    __name__ = 'sale.point.sale.line'

    lot = fields.Many2One(
        'stock.lot', "Lot", ondelete='RESTRICT',
        domain=[
            ('product', '=', Eval('product', -1)),
            ],
        states={
            'readonly': Eval('sale_state') != 'open',
            'invisible': Eval('kind', 'goods') != 'goods',
            },
        help="The batch the product is taken from; an expired lot cannot "
        "be sold.")

    @classmethod
    def validate_fields(cls, lines, field_names):
        super().validate_fields(lines, field_names)
        if field_names and 'lot' not in field_names:
            return
        today = Pool().get('ir.date').today()
        for line in lines:
            if line.lot and line.quantity > 0 and line.sale.state == 'open':
                line.lot.check_not_expired(
                    today, gettext('beauty_stock.msg_lot_sold'))

    def get_stock_move(self):
        move = super().get_stock_move()
        if move and self.lot:
            move.lot = self.lot
        return move
