# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""Demo data of the stock: the salon's product catalogue (retail products,
professional backbar products, disposables) with brand, specification,
barcode, shelf life and usage days; the consumables of the main services;
a warehouse for every other store; a year of movements: the retail products
received in lots (some near expiry), the consumables of the year's services
(beauty_pos's checkouts, by their beauticians) leaving the stock, the backbar
products received every month, a stocktake at the end of every month that
finds a little less than expected, write-offs; the minimum stock of every
product and the low-stock alerts they raise.

``load(scale)`` runs after the demos of beauty_customer (stores, services),
beauty_appointment and beauty_pos (the year's checkouts), as root inside a
transaction (tools/demo.py); deterministic (fixed seed), relative to today,
created in bulk.
"""
import datetime as dt
import math
import random
from collections import defaultdict
from decimal import Decimal

from trytond.pool import Pool
from trytond.transaction import Transaction

SEED = 20261124
DAYS_BACK = 365
# name, brand, specification, use, unit key, list price, cost price,
# shelf life (days), usage days
PRODUCTS = [
    ("氨基酸洁面乳", "芙丽芳丝", "100g", 'retail', 'unit', 168, 62, 1095, 60),
    ("玻尿酸补水精华液", "润百颜", "30ml", 'retail', 'unit', 298, 95, 1095,
        45),
    ("烟酰胺美白精华", "OLAY", "50ml", 'retail', 'unit', 329, 120, 1095, 50),
    ("修护保湿面霜", "薇诺娜", "50g", 'retail', 'unit', 268, 88, 1095, 60),
    ("蚕丝补水面膜", "一叶子", "10片/盒", 'retail', 'unit', 129, 38, 1095,
        20),
    ("玫瑰精油", "阿芙", "10ml", 'retail', 'unit', 198, 70, 1095, 90),
    ("防晒隔离乳", "安热沙", "60ml", 'retail', 'unit', 258, 96, 1095, 45),
    ("院装洁面乳", "芙丽芳丝", "500ml/瓶", 'professional', 'ml', 0, '0.12',
        1095, None),
    ("院装玻尿酸精华", "润百颜", "100ml/瓶", 'professional', 'ml', 0, '1.2',
        730, None),
    ("院装按摩精油", "阿芙", "1000ml/瓶", 'professional', 'ml', 0, '0.3',
        1095, None),
    ("院装软膜粉", "法儿曼", "1000g/袋", 'professional', 'gram', 0, '0.15',
        730, None),
    ("院装眼霜", "雅诗兰黛", "100g/瓶", 'professional', 'gram', 0, '4.5', 730,
        None),
    ("院装蚕丝面膜", "一叶子", "1片", 'professional', 'unit', 0, 6, 1095,
        None),
    ("一次性床单", "洁柔", "100张/包", 'professional', 'unit', 0, '1.2', None,
        None),
    ("化妆棉", "丝美", "1000片/包", 'professional', 'unit', 0, '0.05', None,
        None),
    ]
# service: [(product, quantity)], in the product's unit
CONSUMABLES = {
    "深层清洁护理": [("院装洁面乳", 8), ("化妆棉", 6), ("一次性床单", 1)],
    "补水保湿护理": [("院装洁面乳", 5), ("院装玻尿酸精华", 5),
        ("院装蚕丝面膜", 1), ("一次性床单", 1)],
    "美白焕颜护理": [("院装洁面乳", 5), ("院装软膜粉", 30),
        ("一次性床单", 1)],
    "全身精油SPA": [("院装按摩精油", 30), ("一次性床单", 2)],
    "肩颈舒缓按摩": [("院装按摩精油", 10), ("一次性床单", 1)],
    "眼部抗皱护理": [("院装眼霜", 3), ("化妆棉", 4)],
    }
# received per store: unit key -> quantity of one lot (or one pack ordered)
RECEIVED = {'unit': 24, 'ml': 3000, 'gram': 2000}
PACK = {'unit': 10, 'ml': 500, 'gram': 500}
# what a stocktake finds missing: a share of the month's usage
SHRINK = (0.01, 0.05)
WRITE_OFFS = [
    ("院装玻尿酸精华", 100, 'damaged', "整瓶摔碎"),
    ("蚕丝补水面膜", 2, 'tester', "拆盒给客户试用"),
    ("院装按摩精油", 200, 'expired', "开封超过六个月"),
    ]


def load(scale=1.0):
    pool = Pool()
    Company = pool.get('company.company')
    rng = random.Random(SEED)
    stores = Company.search([], order=[('id', 'ASC')])
    if not stores:
        return
    with Transaction().set_context(company=stores[0].id):
        products = _products(stores)
        _consumables(products)
        warehouses = _warehouses(stores)
        used = _stock(rng, scale, stores, warehouses, products)
        _stocktakes(rng, stores, warehouses, products, used)
        _minimums(stores, warehouses, products)


def _uoms():
    ModelData = Pool().get('ir.model.data')
    return {
        'unit': ModelData.get_id('product', 'uom_unit'),
        'gram': ModelData.get_id('product', 'uom_gram'),
        'ml': ModelData.get_id('beauty_stock', 'uom_milliliter'),
        }


def _products(stores):
    "The catalogue; returns {name: product}"
    pool = Pool()
    Category = pool.get('product.category')
    Template = pool.get('product.template')
    ListPrice = pool.get('product.list_price')
    CostPrice = pool.get('product.cost_price')
    uoms = _uoms()
    retail, backbar = Category.create([
            {'name': "零售产品"}, {'name': "院装耗材"}])
    vlist = []
    for i, (name, brand, spec, use, uom, price, cost, shelf, usage) in (
            enumerate(PRODUCTS)):
        vlist.append({
                'name': name,
                'type': 'goods',
                'default_uom': uoms[uom],
                'salable': use == 'retail',
                'sale_uom': uoms[uom],
                'brand': brand,
                'specification': spec,
                'product_use': use,
                'shelf_life_days': shelf,
                'usage_days': usage,
                'categories': [
                    ('add', [(retail if use == 'retail' else backbar).id])],
                'products': [('create', [{
                                'barcode': _ean13('690%09d' % (1000 + i)),
                                }])],
                })
    templates = Template.create(vlist)
    # one price per store: those created with the products are replaced
    ListPrice.delete(ListPrice.search([
                ('template', 'in', [t.id for t in templates])]))
    CostPrice.delete(CostPrice.search([
                ('product', 'in', [t.products[0].id for t in templates])]))
    ListPrice.create([{
                'template': t.id,
                'company': s.id,
                'list_price': Decimal(row[5]),
                } for t, row in zip(templates, PRODUCTS) for s in stores])
    CostPrice.create([{
                'product': t.products[0].id,
                'company': s.id,
                'cost_price': Decimal(str(row[6])),
                } for t, row in zip(templates, PRODUCTS) for s in stores])
    return {t.name: t.products[0] for t in templates}


def _ean13(digits12):
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits12))
    return digits12 + str((10 - total % 10) % 10)


def _consumables(products):
    pool = Pool()
    Template = pool.get('product.template')
    Consumable = pool.get('beauty.service.consumable')
    services = {t.name: t for t in Template.search([
                ('type', '=', 'service'),
                ('name', 'in', list(CONSUMABLES)),
                ])}
    vlist = []
    for name, items in CONSUMABLES.items():
        if name not in services:
            continue
        for product, quantity in items:
            product = products[product]
            vlist.append({
                    'service': services[name].id,
                    'product': product.id,
                    'quantity': quantity,
                    'unit': product.default_uom.id,
                    })
    Consumable.create(vlist)


def _warehouses(stores):
    """The default warehouse for the first store, a new one for the others;
    the point of sale of every store takes its stock there"""
    pool = Pool()
    Location = pool.get('stock.location')
    Point = pool.get('sale.point')
    ModelData = pool.get('ir.model.data')
    result = [Location(ModelData.get_id('stock', 'location_warehouse'))]
    lost_found = ModelData.get_id('stock', 'location_lost_found')
    for i, store in enumerate(stores[1:], 2):
        name = store.rec_name
        input_, output, storage = Location.create([
                {'name': "%s 收货区" % name, 'type': 'storage'},
                {'name': "%s 出货区" % name, 'type': 'storage'},
                {'name': "%s 库房" % name, 'code': 'STO%d' % i,
                    'type': 'storage'},
                ])
        warehouse, = Location.create([{
                    'name': "%s 仓库" % name,
                    'code': 'WH%d' % i,
                    'type': 'warehouse',
                    'input_location': input_.id,
                    'output_location': output.id,
                    'storage_location': storage.id,
                    'lost_found_location': lost_found,
                    }])
        Location.write([input_, output, storage], {'parent': warehouse.id})
        result.append(warehouse)
    to_write = []
    for store, warehouse in zip(stores, result):
        points = Point.search([('company', '=', store.id)])
        if points:
            storage = warehouse.storage_location
            to_write.extend((points, {
                        'storage_location': storage.id,
                        'return_location': storage.id,
                        }))
    if to_write:
        Point.write(*to_write)
    return result


def _month_starts(today):
    "The first day of the months of the last year, oldest first"
    first = (today - dt.timedelta(days=DAYS_BACK)).replace(day=1)
    months = []
    while first <= today:
        months.append(first)
        first = (first + dt.timedelta(days=32)).replace(day=1)
    return months


def _stock(rng, scale, stores, warehouses, products):
    """The retail products received in two lots (the older one near expiry
    for some), the consumables of the year's services, the backbar products
    received every month (enough for the month's services) and write-offs"""
    pool = Pool()
    Date = pool.get('ir.date')
    Location = pool.get('stock.location')
    Lot = pool.get('stock.lot')
    Move = pool.get('stock.move')
    Sale = pool.get('sale.point.sale')
    WriteOff = pool.get('beauty.stock.write_off')
    ModelData = pool.get('ir.model.data')
    today = Date.today()
    start = today - dt.timedelta(days=DAYS_BACK)
    supplier = Location(ModelData.get_id('stock', 'location_supplier'))
    consumption = Location(ModelData.get_id(
            'beauty_stock', 'location_consumption'))
    rows = {r[0]: r for r in PRODUCTS}
    retail = [n for n in products if rows[n][3] == 'retail']
    backbar = [n for n in products if rows[n][3] != 'retail']

    # the consumables of the services checked out over the year
    sales = Sale.search([
            ('state', 'in', ['done', 'posted']),
            ('company', 'in', [s.id for s in stores]),
            ('date', '>=', start),
            ], order=[('date', 'ASC'), ('id', 'ASC')])
    for i in range(0, len(sales), 500):
        Sale.consume(sales[i:i + 500])
    used = defaultdict(float)  # store, product, month: quantity
    for move in Move.search([
                ('to_location', '=', consumption.id),
                ('state', '=', 'done'),
                ]):
        used[move.company.id, move.product.id,
            move.effective_date.replace(day=1)] += move.internal_quantity

    lot_values = []
    lot_keys = []
    for s, store in enumerate(stores):
        for n, name in enumerate(retail):
            product = products[name]
            shelf = rows[name][7]
            near = n == 0 or rng.random() < 0.25
            for k, (produced, label) in enumerate([
                    (today - dt.timedelta(
                            days=shelf - (rng.randint(5, 25) if near
                                else rng.randint(120, 300))), 'A'),
                    (today - dt.timedelta(days=rng.randint(20, 60)), 'B')]):
                lot_values.append({
                        'number': "%s%02d%s%d" % (
                            produced.strftime('%y%m'), product.id, label, s),
                        'product': product.id,
                        'production_date': produced,
                        'expiry_date': produced + dt.timedelta(days=shelf),
                        })
                lot_keys.append((s, name, k))
    lots = dict(zip(lot_keys, Lot.create(lot_values)))

    def receive(store, warehouse, product, quantity, date, lot=None):
        return Move(
            product=product, unit=product.default_uom,
            quantity=quantity, lot=lot,
            from_location=supplier, to_location=warehouse.storage_location,
            company=store, currency=store.currency,
            unit_price=Decimal(str(rows[product.name][6])),
            effective_date=date, planned_date=date)

    moves = []
    months = _month_starts(today)
    for s, (store, warehouse) in enumerate(zip(stores, warehouses)):
        for name in retail:
            product = products[name]
            for k in range(2):
                lot = lots[s, name, k]
                date = max(start, lot.production_date + dt.timedelta(
                        days=rng.randint(3, 10)))
                moves.append(receive(store, warehouse, product,
                        RECEIVED['unit'] * (k + 1), date, lot=lot))
        for name in backbar:
            product = products[name]
            uom_key = rows[name][4]
            # an opening stock a year ago, then every month what its
            # services use (rounded up to the pack) and a little more
            moves.append(receive(store, warehouse, product,
                    RECEIVED[uom_key], months[0]))
            for month in months[1:]:
                quantity = used[store.id, product.id, month]
                if quantity:
                    packs = math.ceil(quantity * 1.1 / PACK[uom_key])
                    moves.append(receive(store, warehouse, product,
                            packs * PACK[uom_key], month))
    Move.save(moves)
    Move.do(moves)

    write_offs = []
    for s, (store, warehouse) in enumerate(zip(stores, warehouses)):
        for name, quantity, reason, description in WRITE_OFFS:
            product = products[name]
            write_offs.append(WriteOff(
                    company=store, location=warehouse.storage_location,
                    date=today - dt.timedelta(days=rng.randint(1, 15)
                        if (s, name, 1) in lots else rng.randint(1, 300)),
                    product=product, unit=product.default_uom,
                    lot=lots.get((s, name, 1)),
                    quantity=quantity, reason=reason,
                    description=description))
    WriteOff.save(write_offs)
    WriteOff.do(write_offs[:-1])
    return used


def _stocktakes(rng, stores, warehouses, products, used):
    """A stocktake of the backbar products at the end of every month of the
    year: a little less is found than the stock expected"""
    pool = Pool()
    Date = pool.get('ir.date')
    Inventory = pool.get('stock.inventory')
    Line = pool.get('stock.inventory.line')
    today = Date.today()
    rows = {r[0]: r for r in PRODUCTS}
    backbar = [p for n, p in products.items() if rows[n][3] != 'retail']
    for month in _month_starts(today)[1:]:
        end = month - dt.timedelta(days=1)
        inventories = Inventory.create([{
                    'company': store.id,
                    'location': warehouse.storage_location.id,
                    'date': end,
                    'lines': [('create', [
                                {'product': p.id} for p in backbar])],
                    } for store, warehouse in zip(stores, warehouses)])
        Inventory.complete_lines(inventories, fill=False)
        to_save = []
        previous = end.replace(day=1)
        for inventory in inventories:
            for line in inventory.lines:
                expected = max(line.expected_quantity or 0, 0)
                lost = used[inventory.company.id, line.product.id,
                    previous] * rng.uniform(*SHRINK)
                line.quantity = line.unit.round(max(expected - lost, 0))
                to_save.append(line)
        Line.save(to_save)
        Inventory.confirm(inventories)


def _minimums(stores, warehouses, products):
    "A minimum of every product in every store, then the daily check"
    Minimum = Pool().get('beauty.stock.minimum')
    rows = {r[0]: r for r in PRODUCTS}
    vlist = []
    for store, warehouse in zip(stores, warehouses):
        for name, product in products.items():
            lot = RECEIVED[rows[name][4]]
            # the sheets and the cotton pads run low
            factor = 4 if name in {"一次性床单", "化妆棉"} else 1
            vlist.append({
                    'company': store.id,
                    'warehouse': warehouse.id,
                    'product': product.id,
                    'minimum': lot * factor,
                    'target': lot * factor * 3,
                    })
    Minimum.check_alerts(Minimum.create(vlist))
