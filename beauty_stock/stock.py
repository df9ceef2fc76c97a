# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""Lots with expiry dates, write-offs (报损), low-stock alerts (库存预警) and
barcode scanning (扫码) at the checkout and in stocktaking (盘点)."""
import datetime as dt
from collections import defaultdict

from trytond.i18n import gettext
from trytond.model import (
    Index, ModelSQL, ModelView, Unique, Workflow, fields)
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, If
from trytond.transaction import Transaction

from .exceptions import (
    LotExpiredError, QuantityError, ScanError, UnitError, WriteOffError)

NEAR_EXPIRY_DAYS = 30


def consumption_location():
    "The location the consumables of the services go to"
    pool = Pool()
    Location = pool.get('stock.location')
    ModelData = pool.get('ir.model.data')
    return Location(ModelData.get_id('beauty_stock', 'location_consumption'))


def find_product(code):
    """The product scanned: by barcode, else by product code; a clear error
    naming the code when there is none"""
    pool = Pool()
    Product = pool.get('product.product')
    code = (code or '').strip()
    for name in ['barcode', 'code']:
        products = Product.search([(name, '=', code)], limit=1,
            order=[('id', 'ASC')])
        if products:
            return products[0]
    raise ScanError(gettext('beauty_stock.msg_scan_unknown', code=code))


def If_after(name, other):
    "Domain: name is empty or not before other (when other is set)"
    return If(Eval(other),
        ['OR', (name, '=', None), (name, '>=', Eval(other))],
        [])


class Location(metaclass=PoolMeta):
    __name__ = 'stock.location'

    def lost_found_for_write_off(self):
        pool = Pool()
        Location = pool.get('stock.location')
        ModelData = pool.get('ir.model.data')
        if self.lost_found_used:
            return self.lost_found_used
        return Location(ModelData.get_id('stock', 'location_lost_found'))


class Inventory(metaclass=PoolMeta):
    __name__ = 'stock.inventory'

    scan_code = fields.Function(fields.Char(
            "Scan",
            states={
                'readonly': Eval('state') != 'draft',
                },
            help="Scan a barcode (or type a product code) and press Enter: "
            "one unit is counted on the product's line."),
        'get_scan_code', setter='set_scan_code')

    def get_scan_code(self, name):
        return None

    @classmethod
    def set_scan_code(cls, inventories, name, value):
        pass

    @fields.depends('scan_code', 'lines', 'state')
    def on_change_scan_code(self):
        pool = Pool()
        Line = pool.get('stock.inventory.line')
        code, self.scan_code = self.scan_code, None
        if not code or not code.strip() or self.state != 'draft':
            return
        product = find_product(code)
        lines = list(self.lines or [])
        for line in lines:
            if line.product == product:
                line.quantity = (line.quantity or 0) + 1
                break
        else:
            line = Line(inventory=self, product=product)
            line.on_change_product()
            line.expected_quantity = Line.default_expected_quantity()
            line.quantity = 1
            lines.append(line)
        self.lines = lines


def _check_quantities(args, raise_error):
    """Call raise_error(product, record, values) for a negative quantity in
    the values of a create (args = [vlist]) or a write (args = records,
    values, ...): before the database or the field's domain refuses it with
    a message naming no rule"""
    Product = Pool().get('product.product')
    if len(args) == 1:
        items = [(None, v) for v in args[0]]
    else:
        actions = iter(args)
        items = [(r, v) for records, v in zip(actions, actions)
            for r in records[:1]]
    for record, values in items:
        quantity = values.get('quantity')
        if quantity is not None and quantity < 0:
            if values.get('product'):
                product = Product(values['product'])
            else:
                product = record.product
            raise_error(product, record, values)


class InventoryLine(metaclass=PoolMeta):
    __name__ = 'stock.inventory.line'

    @classmethod
    def _raise_negative(cls, product, line, values):
        Inventory = Pool().get('stock.inventory')
        if values.get('inventory'):
            inventory = Inventory(values['inventory'])
        else:
            inventory = line.inventory
        raise QuantityError(gettext(
                'beauty_stock.msg_inventory_quantity_negative',
                product=product.rec_name,
                location=inventory.location.rec_name,
                quantity=values['quantity']))

    @classmethod
    def create(cls, vlist):
        _check_quantities([vlist], cls._raise_negative)
        return super().create(vlist)

    @classmethod
    def write(cls, *args):
        _check_quantities(args, cls._raise_negative)
        super().write(*args)


class Lot(metaclass=PoolMeta):
    __name__ = 'stock.lot'

    production_date = fields.Date("Production Date")
    expiry_date = fields.Date(
        "Expiry Date",
        domain=[
            If_after('expiry_date', 'production_date'),
            ],
        help="The lot may not be sold or used after this day.")
    expired = fields.Function(
        fields.Boolean("Expired"), 'get_expired', searcher='search_expired')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(
            Index(t, (t.expiry_date, Index.Range()),
                where=t.expiry_date != None))

    @fields.depends('product', 'production_date', 'expiry_date')
    def on_change_production_date(self):
        if (self.product and self.production_date
                and self.product.shelf_life_days and not self.expiry_date):
            self.expiry_date = self.production_date + dt.timedelta(
                days=self.product.shelf_life_days)

    @fields.depends(methods=['on_change_production_date'])
    def on_change_product(self):
        try:
            super().on_change_product()
        except AttributeError:
            pass
        self.on_change_production_date()

    def get_expired(self, name):
        today = Pool().get('ir.date').today()
        return bool(self.expiry_date and self.expiry_date < today)

    @classmethod
    def search_expired(cls, name, clause):
        today = Pool().get('ir.date').today()
        _, operator, value = clause
        if (operator == '=') == bool(value):
            return [('expiry_date', '<', today)]
        return ['OR',
            ('expiry_date', '=', None),
            ('expiry_date', '>=', today),
            ]

    def check_not_expired(self, date, what):
        if self.expiry_date and self.expiry_date < date:
            raise LotExpiredError(gettext(
                    'beauty_stock.msg_lot_expired',
                    lot=self.rec_name, product=self.product.rec_name,
                    expiry=self.expiry_date, what=what))


class Move(metaclass=PoolMeta):
    __name__ = 'stock.move'

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + ['beauty.stock.write_off']

    @classmethod
    def _raise_negative(cls, product, move, values):
        raise QuantityError(gettext(
                'beauty_stock.msg_move_quantity_negative',
                product=product.rec_name, quantity=values['quantity']))

    @classmethod
    def create(cls, vlist):
        _check_quantities([vlist], cls._raise_negative)
        return super().create(vlist)

    @classmethod
    def write(cls, *args):
        _check_quantities(args, cls._raise_negative)
        super().write(*args)


class WriteOff(Workflow, ModelSQL, ModelView):
    "Write-off (报损) of damaged, expired or lost stock"
    __name__ = 'beauty.stock.write_off'

    _states = {
        'readonly': Eval('state') != 'draft',
        }

    company = fields.Many2One(
        'company.company', "Store", required=True, states=_states)
    date = fields.Date("Date", required=True, states=_states)
    location = fields.Many2One(
        'stock.location', "Location", required=True, ondelete='RESTRICT',
        domain=[('type', '=', 'storage')], states=_states,
        help="Where the stock is taken from.")
    product = fields.Many2One(
        'product.product', "Product", required=True, ondelete='RESTRICT',
        domain=[('type', '=', 'goods')], states=_states)
    lot = fields.Many2One(
        'stock.lot', "Lot", ondelete='RESTRICT',
        domain=[('product', '=', Eval('product', -1))], states=_states)
    quantity = fields.Float(
        "Quantity", digits='unit', required=True, states=_states)
    unit = fields.Many2One(
        'product.uom', "Unit", required=True, ondelete='RESTRICT',
        states=_states)
    reason = fields.Selection([
            ('damaged', "Damaged"),
            ('expired', "Expired"),
            ('lost', "Lost"),
            ('tester', "Tester / Sample"),
            ('other', "Other"),
            ], "Reason", required=True, states=_states)
    description = fields.Text(
        "Explanation", states=_states,
        help="What happened; required for every write-off.")
    employee = fields.Many2One(
        'company.employee', "Reported By", states=_states)
    move = fields.Many2One('stock.move', "Stock Move", readonly=True)
    state = fields.Selection([
            ('draft', "Draft"),
            ('done', "Done"),
            ('cancelled', "Cancelled"),
            ], "State", readonly=True, required=True, sort=False)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('date', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'done'),
            ('draft', 'cancelled'),
            ('cancelled', 'draft'),
            }
        cls._buttons.update({
                'cancel': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'draft': {
                    'invisible': Eval('state') != 'cancelled',
                    'depends': ['state'],
                    },
                'do': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_date():
        return Pool().get('ir.date').today()

    @staticmethod
    def default_state():
        return 'draft'

    @fields.depends('product', 'unit')
    def on_change_product(self):
        if self.product:
            self.unit = self.product.default_uom

    @classmethod
    def validate_fields(cls, write_offs, field_names):
        super().validate_fields(write_offs, field_names)
        for write_off in write_offs:
            write_off.check_values()

    def check_values(self):
        if self.quantity is not None and self.quantity <= 0:
            raise QuantityError(gettext(
                    'beauty_stock.msg_write_off_quantity_positive',
                    product=self.product.rec_name, quantity=self.quantity))
        if self.unit.category != self.product.default_uom.category:
            raise UnitError(gettext(
                    'beauty_stock.msg_write_off_unit_category',
                    product=self.product.rec_name, unit=self.unit.rec_name,
                    product_unit=self.product.default_uom.rec_name))
        if not (self.description or '').strip():
            raise WriteOffError(gettext(
                    'beauty_stock.msg_write_off_reason_required',
                    product=self.product.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, write_offs):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, write_offs):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    def do(cls, write_offs):
        Move = Pool().get('stock.move')
        moves = []
        for write_off in write_offs:
            write_off.check_values()
            move = Move(
                product=write_off.product, lot=write_off.lot,
                quantity=write_off.quantity, unit=write_off.unit,
                from_location=write_off.location,
                to_location=write_off.location.lost_found_for_write_off(),
                company=write_off.company,
                effective_date=write_off.date, planned_date=write_off.date,
                origin=write_off)
            write_off.move = move
            moves.append(move)
        Move.save(moves)
        Move.do(moves)
        cls.save(write_offs)

    @classmethod
    def check_modification(cls, mode, write_offs, values=None,
            external=False):
        super().check_modification(
            mode, write_offs, values=values, external=external)
        if mode == 'delete':
            for write_off in write_offs:
                if write_off.state == 'done':
                    raise WriteOffError(gettext(
                            'beauty_stock.msg_write_off_delete_done',
                            product=write_off.product.rec_name))


class Minimum(ModelSQL, ModelView):
    "Minimum stock of a product in a store (库存预警线)"
    __name__ = 'beauty.stock.minimum'

    company = fields.Many2One('company.company', "Store", required=True)
    warehouse = fields.Many2One(
        'stock.location', "Warehouse", required=True, ondelete='CASCADE',
        domain=[('type', '=', 'warehouse')])
    product = fields.Many2One(
        'product.product', "Product", required=True, ondelete='CASCADE',
        domain=[('type', '=', 'goods')])
    minimum = fields.Float(
        "Minimum Quantity", digits='unit', required=True,
        help="An alert is raised when the stock falls below it.")
    target = fields.Float(
        "Target Quantity", digits='unit', required=True,
        help="The purchase suggestion brings the stock back to it.")
    unit = fields.Function(
        fields.Many2One('product.uom', "Unit"), 'on_change_with_unit')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('warehouse_product_unique', Unique(t, t.warehouse, t.product),
                'beauty_stock.msg_minimum_unique'),
            ]

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @fields.depends('product')
    def on_change_with_unit(self, name=None):
        if self.product:
            return self.product.default_uom

    @classmethod
    def validate_fields(cls, minimums, field_names):
        super().validate_fields(minimums, field_names)
        for minimum in minimums:
            if minimum.minimum < 0:
                raise QuantityError(gettext(
                        'beauty_stock.msg_minimum_negative',
                        product=minimum.product.rec_name,
                        quantity=minimum.minimum))
            if minimum.target < minimum.minimum:
                raise QuantityError(gettext(
                        'beauty_stock.msg_minimum_target',
                        product=minimum.product.rec_name,
                        target=minimum.target, minimum=minimum.minimum))

    @classmethod
    def cron_check(cls):
        "Daily: raise the alerts of the products below their minimum"
        return cls.check_alerts()

    @classmethod
    def check_alerts(cls, minimums=None):
        """Compare the stock of every product with its minimum, create or
        update an open alert for those below and notify the managers;
        return the open alerts"""
        pool = Pool()
        Alert = pool.get('beauty.stock.alert')
        Product = pool.get('product.product')
        Date = pool.get('ir.date')
        if minimums is None:
            minimums = cls.search([])
        today = Date.today()
        by_warehouse = defaultdict(list)
        for minimum in minimums:
            by_warehouse[minimum.company, minimum.warehouse].append(minimum)
        open_alerts = {
            (a.warehouse.id, a.product.id): a
            for a in Alert.search([('state', '=', 'open')])}
        to_save, to_close = [], []
        for (company, warehouse), w_minimums in by_warehouse.items():
            product_ids = [m.product.id for m in w_minimums]
            # the stock quantities count the moves of the context's company
            with Transaction().set_context(
                    company=company.id,
                    locations=[warehouse.id], stock_date_end=today,
                    with_childs=True):
                quantities = {p.id: p.quantity
                    for p in Product.browse(product_ids)}
            for minimum in w_minimums:
                quantity = quantities[minimum.product.id]
                key = (warehouse.id, minimum.product.id)
                alert = open_alerts.pop(key, None)
                if quantity < minimum.minimum:
                    if alert is None:
                        alert = Alert(
                            company=minimum.company, warehouse=warehouse,
                            product=minimum.product, state='open')
                    alert.date = today
                    alert.quantity = quantity
                    alert.minimum = minimum.minimum
                    alert.target = minimum.target
                    to_save.append(alert)
                elif alert is not None:
                    alert.state = 'done'
                    to_close.append(alert)
        Alert.save(to_save + to_close)
        new = [a for a in to_save]
        if new:
            Alert.notify(new)
        return new


class Alert(ModelSQL, ModelView):
    "Low-stock alert with a purchase suggestion"
    __name__ = 'beauty.stock.alert'

    company = fields.Many2One(
        'company.company', "Store", required=True, readonly=True)
    date = fields.Date("Date", required=True, readonly=True)
    warehouse = fields.Many2One(
        'stock.location', "Warehouse", required=True, readonly=True,
        ondelete='CASCADE')
    product = fields.Many2One(
        'product.product', "Product", required=True, readonly=True,
        ondelete='CASCADE')
    quantity = fields.Float("Quantity", digits='unit', readonly=True,
        help="The stock when checked.")
    minimum = fields.Float("Minimum Quantity", digits='unit', readonly=True)
    target = fields.Float("Target Quantity", digits='unit', readonly=True)
    suggested = fields.Function(
        fields.Float("Suggested Purchase", digits='unit',
            help="The quantity to buy to reach the target."),
        'get_suggested')
    unit = fields.Function(
        fields.Many2One('product.uom', "Unit"), 'get_unit')
    state = fields.Selection([
            ('open', "Open"),
            ('done', "Done"),
            ], "State", required=True, readonly=True, sort=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('date', 'DESC'), ('id', 'DESC')]
        t = cls.__table__()
        cls._sql_indexes.add(
            Index(t, (t.state, Index.Equality(cardinality='low')),
                (t.warehouse, Index.Range()),
                where=t.state == 'open'))
        cls._buttons.update({
                'close': {
                    'invisible': Eval('state') != 'open',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_state():
        return 'open'

    def get_suggested(self, name):
        if self.target is None or self.quantity is None:
            return None
        return self.product.default_uom.round(
            max(self.target - self.quantity, 0))

    def get_unit(self, name):
        return self.product.default_uom

    @classmethod
    @ModelView.button
    def close(cls, alerts):
        cls.write(alerts, {'state': 'done'})

    @classmethod
    def notify(cls, alerts):
        "A notification for every manager and administrator"
        pool = Pool()
        Notification = pool.get('res.notification')
        ModelData = pool.get('ir.model.data')
        Group = pool.get('res.group')
        Action = pool.get('ir.action.act_window')
        groups = Group.browse([
                ModelData.get_id('beauty_customer', 'group_manager'),
                ModelData.get_id('beauty_customer', 'group_salon_admin'),
                ])
        users = {u for g in groups for u in g.users if u.active}
        action = Action(ModelData.get_id('beauty_stock', 'act_alert_form'))
        label = gettext('beauty_stock.msg_alert_notification_label')
        description = gettext(
            'beauty_stock.msg_alert_notification', count=len(alerts),
            products=", ".join(sorted({a.product.rec_name for a in alerts})))
        Notification.save([Notification(
                    user=user, label=label, description=description[:250],
                    icon='tryton-warning', action=action.action.id)
                for user in users])
