# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""The bench data of beauty_pos (see bench/data/__init__.py).

Two steps:

1. *set-up, through the ORM* (a process of its own, ``python -m
   bench.data.pos -d DB``): each store gets what the module's set-up wizard
   gives it (chart of accounts, fiscal years, point of sale, a payment method
   per tender, top-up product), and the chain its catalogue (the demo's
   services and retail products with their prices per store), member levels,
   commission rules, package and coupon templates, as the demo of
   beauty_pos does: few rows, but every rule of the module applies to them.
2. *history, in SQL* (``chain.sale_lines`` checkout lines over 3 years):

   - sales (``sale.point.sale``) of 2.5 lines on average, at the customer's
     home store, one of its beauticians serving, the customer drawn as the
     visits are (a few regulars, many occasional ones); processed and posted
     (their daily closing is done) except today's, which are done;
   - lines: services mostly, retail products, with the tenders allocated as
     ``POSSale.allocate`` does (``paid_*``, cash and consumption
     performance), one beautician per line (share 1);
   - payments: a sale is paid by one money method (WeChat Pay, Alipay, cash,
     bank card) or by the customer's stored-value card: the payments of a
     sale sum to its total, which is the sum of its lines;
   - cards: one per customer who paid with one at her store, opened with a
     top-up (principal and a 20% bonus) covering what she spent with it and
     a rest; a spend ledger line per card payment (principal first) with the
     running balances; the card's balances are the ledger's sums;
   - packages: one active package per card holder (the store's templates),
     a share of the sessions used (one use ledger line per session taken,
     before today), ``remaining`` and ``value_remaining`` their balance;
   - coupons: an issued, valid coupon (the store's "满200减50") for every
     card holder, a used one on some past sales;
   - points: the history earned none (the points ledger starts empty,
     every balance 0: the customers' loader writes 0, as the ORM does);
   - commission: the commission line of each line with its rule (8% of
     the consumption of services, 10% of the money of products), as
     ``Commission.compute_for_sales`` writes it (the performance-only lines
     of the other base, amount 0, are not loaded).

Account moves of the posted sales are not loaded: the closing's posted
amounts of past days are then 0 (the figures the benchmarks read are the
checkout's and the ledgers').
"""
import argparse
import subprocess
import sys
from decimal import Decimal

from bench.common import ROOT, indexes_dropped, log, timed

BATCH = 2_000_000
# lines per sale: 3, 2, 3, 2... (2.5 on average)
LINES_NUM, LINES_DEN = 2, 5
CARD_SHARE = 0.35  # share of the customers (by id) who hold a card
COUPON_SHARE = 0.02  # share of past sales with a coupon of 50 off
GOODS = [
    ("氨基酸洁面乳", 168), ("玻尿酸补水精华液", 298), ("烟酰胺美白精华", 329),
    ("修护保湿面霜", 268), ("蚕丝补水面膜", 129), ("防晒隔离乳", 258),
    ]


# --- 1. set-up through the ORM ------------------------------------------

def setup(database):
    """The stores' checkout set-up and the catalogue (ORM, in this process);
    running it twice changes nothing"""
    from trytond.pool import Pool
    from trytond.transaction import Transaction, TransactionError
    pool = Pool(database)
    pool.init()
    # the tables the set-up locks, taken at the start (as trytond's
    # dispatcher does, restarting when another one is needed)
    extras = {}
    while True:
        with Transaction().start(database, 0,
                context={'_skip_warnings': True}, **extras) as transaction:
            try:
                _setup(pool)
            except TransactionError as e:
                transaction.rollback()
                e.fix(extras)
                continue
            transaction.commit()
            return


def _setup(pool):
    from trytond.transaction import Transaction
    from beauty_customer import demo as customer_demo
    from beauty_pos import demo as pos_demo
    Company = pool.get('company.company')
    Date = pool.get('ir.date')
    Template = pool.get('product.template')
    Level = pool.get('beauty.member.level')
    PackageTemplate = pool.get('beauty.package.template')
    companies = Company.search([], order=[('id', 'ASC')])
    with Transaction().set_context(company=companies[0].id):
        today = Date.today()
        if not Template.search([
                    ('type', '=', 'service'),
                    ('categories', '!=', None),
                    ], limit=1):
            customer_demo._services(companies)
        _goods(companies)
        stores = [pos_demo._setup(c, today) for c in companies]
        if not Level.search([], limit=1):
            pos_demo._levels(companies[0])
        if not PackageTemplate.search([], limit=1):
            pos_demo._commission_rules(stores)
            pos_demo._packages(stores)
            pos_demo._coupons(stores)


def _goods(companies):
    "Retail products sold at the checkout, priced in every store"
    from trytond.pool import Pool
    pool = Pool()
    Template = pool.get('product.template')
    ListPrice = pool.get('product.list_price')
    ModelData = pool.get('ir.model.data')
    names = [n for n, _ in GOODS]
    if Template.search([('name', 'in', names)], limit=1):
        return
    unit = ModelData.get_id('product', 'uom_unit')
    values = {'type': 'goods', 'default_uom': unit, 'sale_uom': unit,
        'salable': True, 'products': [('create', [{}])]}
    if 'product_use' in Template._fields:
        values['product_use'] = 'retail'
    templates = Template.create([dict(values, name=n) for n in names])
    ListPrice.create([{
                'template': t.id, 'company': c.id,
                'list_price': Decimal(price),
                } for t, (_, price) in zip(templates, GOODS)
            for c in companies])


def load_setup(chain):
    conn = chain.conn
    conn.commit()
    from bench.common import trytond_env
    subprocess.run([sys.executable, '-c',
            'from bench.data.pos import main; main()',
            '-d', conn.info.dbname], env=trytond_env(), check=True,
        cwd=ROOT)


# --- 2. history in SQL -----------------------------------------------------

def _catalogue(conn, first_company, stores):
    "What the SQL needs from the set-up, as arrays indexed by store"
    companies = list(range(first_company, first_company + stores))

    def by_store(sql, *args):
        rows = dict(conn.execute(sql, *args).fetchall())
        missing = [c for c in companies if c not in rows]
        assert not missing, (sql, missing)
        return [rows[c] for c in companies]
    points = by_store('SELECT company, min(id) FROM sale_point '
        'GROUP BY company')
    methods = {}
    for kind in ['cash', 'wechat', 'alipay', 'bank', 'card', 'coupon',
            'package']:
        methods[kind] = by_store(
            'SELECT company, min(id) FROM sale_point_payment_method '
            'WHERE kind = %s AND active GROUP BY company', (kind,))
    services = conn.execute(
        "SELECT p.id, min(lp.list_price) FROM product_product p "
        "JOIN product_template t ON t.id = p.template "
        "JOIN product_list_price lp ON lp.template = t.id "
        "WHERE t.type = 'service' AND t.salable AND p.active "
        "AND lp.list_price > 0 "
        "AND NOT EXISTS (SELECT 1 FROM beauty_package_template pt "
        "WHERE pt.product = p.id) "
        "GROUP BY p.id ORDER BY p.id").fetchall()
    goods = conn.execute(
        "SELECT p.id, min(lp.list_price) FROM product_product p "
        "JOIN product_template t ON t.id = p.template "
        "JOIN product_list_price lp ON lp.template = t.id "
        "WHERE t.type = 'goods' AND t.salable AND p.active "
        "AND lp.list_price > 0 GROUP BY p.id ORDER BY p.id").fetchall()
    assert services and goods, (services, goods)
    # the store's single-service package template (补水保湿 10次卡)
    packages = conn.execute(
        "SELECT pt.company, min(pt.id) FROM beauty_package_template pt "
        "WHERE (SELECT count(*) FROM beauty_package_template_line l "
        "WHERE l.template = pt.id) = 1 GROUP BY pt.company").fetchall()
    packages = dict(packages)
    package = [packages[c] for c in companies]
    coupon = by_store(
        "SELECT company, min(id) FROM beauty_coupon_template "
        "WHERE kind = 'threshold' GROUP BY company")
    rule_service = by_store(
        "SELECT company, min(id) FROM beauty_commission_rule "
        "WHERE applies_to = 'service' AND category IS NULL "
        "GROUP BY company")
    rule_goods = by_store(
        "SELECT company, min(id) FROM beauty_commission_rule "
        "WHERE applies_to = 'goods' GROUP BY company")
    return {
        'points': points, 'methods': methods,
        'services': [s[0] for s in services],
        'service_prices': [s[1] for s in services],
        'goods': [g[0] for g in goods], 'goods_prices': [g[1] for g in goods],
        'package_template': package, 'coupon_template': coupon,
        'rule_service': rule_service, 'rule_goods': rule_goods,
        }


def load_sales(chain):
    conn = chain.conn
    n_lines = chain.sale_lines
    if not n_lines:
        return
    cat = _catalogue(conn, chain.first_company, chain.stores)
    n_sales = (n_lines * LINES_NUM + LINES_DEN - 1) // LINES_DEN
    first_sale = chain.allocate('sale_point_sale', n_sales)
    first_line = chain.allocate('sale_point_sale_line', n_lines)
    first_payment = chain.allocate('sale_point_payment', n_sales)
    first_staff = chain.allocate('sale_point_sale_line_employee', n_lines)
    first_commission = chain.allocate('beauty_commission', n_lines)
    params = {
        'first_sale': first_sale, 'first_line': first_line,
        'first_payment': first_payment, 'first_staff': first_staff,
        'first_commission': first_commission,
        'customers': chain.customers, 'first_customer': chain.first_customer,
        'stores': chain.stores, 'first_company': chain.first_company,
        'per_store': chain.per_store, 'first_employee': chain.first_employee,
        'points': cat['points'],
        'cash': cat['methods']['cash'], 'wechat': cat['methods']['wechat'],
        'alipay': cat['methods']['alipay'], 'bank': cat['methods']['bank'],
        'card': cat['methods']['card'], 'coupon': cat['methods']['coupon'],
        'services': cat['services'],
        'service_prices': cat['service_prices'],
        'goods': cat['goods'], 'goods_prices': cat['goods_prices'],
        'rule_service': cat['rule_service'], 'rule_goods': cat['rule_goods'],
        'card_share': CARD_SHARE, 'coupon_share': COUPON_SHARE,
        'num': LINES_NUM, 'den': LINES_DEN,
        }
    conn.execute('SELECT setseed(%s)', (chain.seed / 3,))
    # 1. the sales: customer, store, date, tender (in a work table)
    with timed('sales (%s)' % n_sales):
        conn.execute("""
            CREATE TEMP TABLE bench_sale AS
            SELECT s.j AS j, %(first_sale)s + s.j AS id,
                %(first_customer)s + c.i - 1 AS customer,
                c.i %% %(stores)s AS store,
                current_date - d.days AS date,
                %(first_employee)s + (c.i %% %(stores)s) * %(per_store)s
                    + floor(r.r2 * %(per_store)s)::integer AS employee,
                -- the card holders pay with it 6 times in 10
                CASE WHEN c.i %% 1000 < %(card_share)s * 1000
                    AND r.r3 < 0.6 THEN 'card'
                    ELSE (ARRAY['wechat', 'wechat', 'wechat', 'alipay',
                        'alipay', 'cash', 'cash', 'bank'])[
                        1 + floor(r.r4 * 8)::integer] END AS tender,
                d.days > 0 AND r.r5 < %(coupon_share)s AS coupon
            FROM generate_series(0, %(n)s - 1) AS s(j)
            CROSS JOIN LATERAL (SELECT random() + 0 * s.j AS r1,
                random() AS r2, random() AS r3, random() AS r4,
                random() AS r5, random() AS r6) AS r
            CROSS JOIN LATERAL (SELECT 1 + floor(%(customers)s
                * power(r.r1, 1.6))::integer AS i) AS c
            CROSS JOIN LATERAL (SELECT floor(r.r6 * 1095)::integer AS days)
                AS d
            """, dict(params, n=n_sales))
        conn.execute('ALTER TABLE bench_sale ADD PRIMARY KEY (j)')
        conn.execute('ANALYZE bench_sale')
    # 2. the lines with their amount (in a work table)
    with timed('lines (%s)' % n_lines):
        conn.execute("""
            CREATE TEMP TABLE bench_line AS
            SELECT l.k AS k, %(first_line)s + l.k AS id,
                l.k * %(num)s / %(den)s AS j,
                CASE WHEN r.r1 < 0.85 THEN 'service' ELSE 'goods' END AS kind,
                floor(r.r2 * 1000)::integer AS pick,
                CASE WHEN r.r1 < 0.97 THEN 1 ELSE 2 END AS quantity
            FROM generate_series(0, %(n)s - 1) AS l(k)
            CROSS JOIN LATERAL (SELECT random() + 0 * l.k AS r1,
                random() AS r2) AS r
            """, dict(params, n=n_lines))
        conn.execute("""
            ALTER TABLE bench_line ADD COLUMN product integer,
                ADD COLUMN price numeric
            """)
        conn.execute("""
            UPDATE bench_line SET
                product = CASE WHEN kind = 'service'
                    THEN (%(services)s::integer[])[
                        1 + pick %% cardinality(%(services)s::integer[])]
                    ELSE (%(goods)s::integer[])[
                        1 + pick %% cardinality(%(goods)s::integer[])] END,
                price = CASE WHEN kind = 'service'
                    THEN (%(service_prices)s::numeric[])[
                        1 + pick %% cardinality(%(services)s::integer[])]
                    ELSE (%(goods_prices)s::numeric[])[
                        1 + pick %% cardinality(%(goods)s::integer[])] END
            """, params)
        conn.execute('CREATE INDEX ON bench_line (j)')
        conn.execute('ANALYZE bench_line')
    with timed('sale totals'):
        conn.execute("""
            CREATE TEMP TABLE bench_total AS
            SELECT j, sum(price * quantity) AS total,
                sum(CASE WHEN kind IN ('service', 'goods')
                    THEN price * quantity ELSE 0 END) AS eligible,
                max(k) AS last_k
            FROM bench_line GROUP BY j
            """)
        conn.execute('ALTER TABLE bench_total ADD PRIMARY KEY (j)')
        # a coupon needs 200 of eligible lines
        conn.execute("""
            UPDATE bench_sale s SET coupon = false FROM bench_total t
            WHERE t.j = s.j AND s.coupon AND t.eligible < 200
            """)
        conn.execute('ANALYZE bench_total')

    tables = ['sale_point_sale', 'sale_point_sale_line',
        'sale_point_payment', 'sale_point_sale_line_employee',
        'beauty_commission']
    with indexes_dropped(conn, *tables):
        with timed('sale_point_sale'):
            conn.execute("""
                INSERT INTO sale_point_sale (id, company, point, date,
                    employee, customer, number, state, points_earned,
                    create_date, create_uid)
                SELECT s.id, %(first_company)s + s.store,
                    (%(points)s::integer[])[1 + s.store], s.date,
                    s.employee, s.customer,
                    'P' || lpad(s.id::text, 9, '0'),
                    CASE WHEN s.date < current_date THEN 'posted'
                        ELSE 'done' END,
                    0,
                    s.date + make_interval(hours => 10 + s.j %% 10), 0
                FROM bench_sale s JOIN bench_total t ON t.j = s.j
                ORDER BY s.j
                """, params)
        conn.commit()
        # the coupon (50 off) is spread over the lines pro rata, the last
        # line taking the rest, as POSSale.allocate does
        with timed('sale_point_sale_line'):
            conn.execute("""
                INSERT INTO sale_point_sale_line (id, sale, product,
                    quantity, unit_list_price, unit_gross_price, base_price,
                    discount, kind, paid_money, paid_card, paid_package,
                    paid_coupon, paid_points, cash_performance,
                    consumption_performance, create_date, create_uid)
                SELECT l.id, s.id, l.product, l.quantity, l.price, l.price,
                    l.price, 0, l.kind,
                    CASE WHEN s.tender <> 'card'
                        THEN l.price * l.quantity - a.coupon ELSE 0 END,
                    CASE WHEN s.tender = 'card'
                        THEN l.price * l.quantity - a.coupon ELSE 0 END,
                    0, a.coupon, 0,
                    CASE WHEN s.tender <> 'card'
                        THEN l.price * l.quantity - a.coupon ELSE 0 END,
                    l.price * l.quantity - a.coupon,
                    s.date + make_interval(hours => 10 + s.j %% 10), 0
                FROM bench_line l
                JOIN bench_sale s ON s.j = l.j
                JOIN bench_total t ON t.j = l.j
                CROSS JOIN LATERAL (SELECT CASE WHEN NOT s.coupon THEN 0
                    WHEN l.k = t.last_k THEN 50 - coalesce((
                        SELECT sum(round(50 * o.price * o.quantity
                            / t.eligible, 2)) FROM bench_line o
                        WHERE o.j = l.j AND o.k < l.k), 0)
                    ELSE round(50 * l.price * l.quantity / t.eligible, 2)
                    END AS coupon) AS a
                ORDER BY l.k
                """, params)
        conn.commit()
        with timed('sale_point_sale_line_employee'):
            conn.execute("""
                INSERT INTO sale_point_sale_line_employee (id, line,
                    employee, share, create_date, create_uid)
                SELECT %(first_staff)s + l.k, l.id, s.employee, 1,
                    s.date + make_interval(hours => 10 + s.j %% 10), 0
                FROM bench_line l JOIN bench_sale s ON s.j = l.j
                ORDER BY l.k
                """, params)
        conn.commit()
        with timed('sale_point_payment'):
            # the money or card payment (the total less the coupon)
            conn.execute("""
                INSERT INTO sale_point_payment (id, sale, method, amount,
                    create_date, create_uid)
                SELECT %(first_payment)s + s.j, s.id,
                    (CASE s.tender
                        WHEN 'card' THEN %(card)s::integer[]
                        WHEN 'wechat' THEN %(wechat)s::integer[]
                        WHEN 'alipay' THEN %(alipay)s::integer[]
                        WHEN 'cash' THEN %(cash)s::integer[]
                        ELSE %(bank)s::integer[] END)[1 + s.store],
                    t.total - CASE WHEN s.coupon THEN 50 ELSE 0 END,
                    s.date + make_interval(hours => 10 + s.j %% 10), 0
                FROM bench_sale s JOIN bench_total t ON t.j = s.j
                ORDER BY s.j
                """, params)
        conn.commit()
        with timed('beauty_commission'):
            conn.execute("""
                INSERT INTO beauty_commission (id, company, employee, date,
                    kind, performance, amount, share, rule, sale, sale_line,
                    product, origin, clawback, create_date, create_uid)
                SELECT %(first_commission)s + l.k,
                    %(first_company)s + s.store, s.employee, s.date,
                    CASE WHEN l.kind = 'service' THEN 'consumption'
                        ELSE 'cash' END,
                    p.performance,
                    round(p.performance * CASE WHEN l.kind = 'service'
                        THEN 0.08 ELSE 0.10 END, 2),
                    1,
                    CASE WHEN l.kind = 'service'
                        THEN (%(rule_service)s::integer[])[1 + s.store]
                        ELSE (%(rule_goods)s::integer[])[1 + s.store] END,
                    s.id, l.id, l.product,
                    'sale.point.sale.line,' || l.id, false,
                    s.date + make_interval(hours => 10 + s.j %% 10), 0
                FROM bench_line l JOIN bench_sale s ON s.j = l.j
                CROSS JOIN LATERAL (SELECT CASE
                    WHEN l.kind = 'service' THEN sl.consumption_performance
                    ELSE sl.cash_performance END AS performance
                    FROM sale_point_sale_line sl WHERE sl.id = l.id) AS p
                WHERE p.performance <> 0
                ORDER BY l.k
                """, params)
        conn.commit()
    chain.analyze.update(tables)
    _coupons(chain, params)
    _cards(chain, params)
    _packages(chain, cat)
    conn.execute('DROP TABLE bench_line, bench_total')
    conn.commit()
    log('%s sales, %s lines', n_sales, n_lines)


def _coupons(chain, params):
    "The used coupons of the past sales, an issued valid one per holder"
    conn = chain.conn
    n, = conn.execute('SELECT count(*) FROM bench_sale WHERE coupon'
        ).fetchone()
    holders = int(chain.customers * CARD_SHARE) + chain.stores
    first = chain.allocate('beauty_coupon', n + holders)
    coupon_template = _template_array(conn, chain, 'beauty_coupon_template',
        "kind = 'threshold'")
    with timed('beauty_coupon'):
        conn.execute("""
            INSERT INTO beauty_coupon (id, code, template, customer, company,
                issue_date, expiry_date, state, sale, used_date, origin,
                create_date, create_uid)
            SELECT %(first)s + row_number() OVER (ORDER BY s.j) - 1,
                'B' || lpad((%(first)s + row_number() OVER (ORDER BY s.j)
                    - 1)::text, 10, '0'),
                (%(templates)s::integer[])[1 + s.store], s.customer,
                %(first_company)s + s.store, s.date - 10, s.date + 20,
                'used', s.id, s.date, NULL, s.date, 0
            FROM bench_sale s WHERE s.coupon
            """, dict(params, first=first, templates=coupon_template))
        # payments of the coupons: 50, method coupon
        first_payment = chain.allocate('sale_point_payment', n)
        conn.execute("""
            INSERT INTO sale_point_payment (id, sale, method, amount, coupon,
                create_date, create_uid)
            SELECT %(first_payment)s + row_number() OVER (ORDER BY c.id) - 1,
                c.sale, (%(coupon)s::integer[])[1 + c.company
                    - %(first_company)s], 50, c.id, c.create_date, 0
            FROM beauty_coupon c WHERE c.id >= %(first)s AND c.state = 'used'
            """, dict(params, first=first, first_payment=first_payment))
        # one issued coupon for each customer likely to hold a card
        conn.execute("""
            INSERT INTO beauty_coupon (id, code, template, customer, company,
                issue_date, expiry_date, state, create_date, create_uid)
            SELECT %(first)s + %(n)s + g.i - 1,
                'B' || lpad((%(first)s + %(n)s + g.i - 1)::text, 10, '0'),
                (%(templates)s::integer[])[1 + c.i %% %(stores)s],
                %(first_customer)s + c.i - 1,
                %(first_company)s + c.i %% %(stores)s,
                current_date - 5, current_date + 25, 'issued',
                now(), 0
            FROM generate_series(1, %(holders)s) AS g(i)
            CROSS JOIN LATERAL (SELECT ((g.i - 1) / %(per)s) * 1000
                + (g.i - 1) %% %(per)s AS i) AS c
            WHERE c.i >= 1 AND c.i <= %(customers)s
            """, dict(params, first=first, n=n, holders=holders,
                templates=coupon_template,
                per=int(CARD_SHARE * 1000)))
    chain.analyze.update(['beauty_coupon', 'sale_point_payment'])


def _template_array(conn, chain, table, where):
    rows = dict(conn.execute(
            'SELECT company, min(id) FROM "%s" WHERE %s GROUP BY company' % (
                table, where)).fetchall())
    return [rows[chain.first_company + s] for s in range(chain.stores)]


def _cards(chain, params):
    """A card per customer who paid with one at her store: a top-up covering
    her spending plus a rest, then a spend line per card payment"""
    conn = chain.conn
    with timed('beauty_member_card'):
        conn.execute("""
            CREATE TEMP TABLE bench_card AS
            SELECT s.customer, %(first_company)s + s.store AS company,
                min(s.date) AS first_date, sum(p.amount) AS spent,
                row_number() OVER (ORDER BY s.customer) AS n
            FROM bench_sale s
            JOIN sale_point_payment p ON p.sale = s.id
            WHERE s.tender = 'card' AND p.coupon IS NULL
            GROUP BY s.customer, s.store
            """, params)
        n, = conn.execute('SELECT count(*) FROM bench_card').fetchone()
        first = chain.allocate('beauty_member_card', n)
        # the top-up: principal and a bonus of 20%, at least what was
        # spent plus a rest of 0-3000 (some cards spent to the last fen)
        conn.execute("""
            ALTER TABLE bench_card ADD COLUMN id integer,
                ADD COLUMN principal numeric, ADD COLUMN bonus numeric
            """)
        conn.execute("""
            UPDATE bench_card SET id = %(first)s + n - 1,
                principal = round((spent + CASE WHEN n %% 10 = 0 THEN 0
                    ELSE 1000 * (n %% 4) END) / 1.2, 2)
            """, {'first': first})
        conn.execute("""
            UPDATE bench_card SET bonus = spent + CASE WHEN n %% 10 = 0
                THEN 0 ELSE 1000 * (n %% 4) END - principal
            """, {})
        conn.execute('ALTER TABLE bench_card ADD PRIMARY KEY (customer, '
            'company)')
        conn.execute('ANALYZE bench_card')
        conn.execute("""
            INSERT INTO beauty_member_card (id, number, customer, company,
                state, open_date, principal_balance, bonus_balance,
                create_date, create_uid)
            SELECT c.id, 'V' || lpad(c.id::text, 9, '0'), c.customer,
                c.company, 'active', c.first_date - 1,
                greatest(c.principal - c.spent, 0),
                c.bonus - greatest(c.spent - c.principal, 0),
                c.first_date - 1, 0
            FROM bench_card c
            """)
        conn.execute("""
            UPDATE sale_point_payment p SET card = c.id
            FROM bench_sale s, bench_card c
            WHERE p.sale = s.id AND s.tender = 'card' AND p.coupon IS NULL
                AND c.customer = s.customer
                AND c.company = %(first_company)s + s.store
            """, params)
    with timed('beauty_member_card_line'):
        first_line = chain.allocate('beauty_member_card_line', n)
        conn.execute("""
            INSERT INTO beauty_member_card_line (id, card, company, date,
                type, principal_amount, bonus_amount, principal_balance,
                bonus_balance, description, create_date, create_uid)
            SELECT %(first_line)s + c.n - 1, c.id, c.company,
                c.first_date - 1, 'topup', c.principal, c.bonus,
                c.principal, c.bonus, NULL, c.first_date - 1, 0
            FROM bench_card c
            """, {'first_line': first_line})
        spends, = conn.execute(
            'SELECT count(*) FROM sale_point_payment WHERE card IS NOT NULL'
            ).fetchone()
        first_spend = chain.allocate('beauty_member_card_line', spends)
        # principal first: the cumulated spending before and after each
        # payment gives the part of the principal it took
        conn.execute("""
            INSERT INTO beauty_member_card_line (id, card, company, date,
                type, principal_amount, bonus_amount, principal_balance,
                bonus_balance, sale, payment, create_date, create_uid)
            SELECT %(first)s + row_number() OVER (ORDER BY x.id) - 1,
                x.card, x.company, x.date, 'spend',
                -(least(x.after, x.principal) - least(x.before, x.principal)),
                -(x.amount - (least(x.after, x.principal)
                    - least(x.before, x.principal))),
                x.principal - least(x.after, x.principal),
                x.bonus - greatest(x.after - x.principal, 0),
                x.sale, x.id, x.date, 0
            FROM (SELECT p.id, p.card, p.amount, p.sale, s.date, c.company,
                    c.principal, c.bonus,
                    sum(p.amount) OVER w - p.amount AS before,
                    sum(p.amount) OVER w AS after
                FROM sale_point_payment p
                JOIN sale_point_sale s ON s.id = p.sale
                JOIN bench_card c ON c.id = p.card
                WHERE p.card IS NOT NULL
                WINDOW w AS (PARTITION BY p.card ORDER BY s.date, p.id)
                ) AS x
            """, {'first': first_spend})
    chain.analyze.update(['beauty_member_card', 'beauty_member_card_line',
            'sale_point_payment'])


def _packages(chain, cat):
    """An active package of the store's 10-session template for each card
    holder, bought when the card was opened, some sessions used"""
    conn = chain.conn
    params = {'first_company': chain.first_company,
        'templates': cat['package_template']}
    with timed('beauty_package'):
        n, = conn.execute('SELECT count(*) FROM bench_card').fetchone()
        first = chain.allocate('beauty_package', n)
        first_pline = chain.allocate('beauty_package_line', n)
        conn.execute("""
            INSERT INTO beauty_package (id, number, customer, company,
                template, purchase_date, expiry_date, price, value, state,
                create_date, create_uid)
            SELECT %(first)s + c.n - 1, 'K' || lpad((%(first)s + c.n - 1)
                    ::text, 9, '0'),
                c.customer, c.company, t.id,
                current_date - (c.n %% 300)::integer,
                current_date - (c.n %% 300)::integer
                    + make_interval(months => t.validity_months),
                t.price, t.price, 'active', now(), 0
            FROM bench_card c
            JOIN beauty_package_template t
                ON t.id = (%(templates)s::integer[])[1 + c.company
                    - %(first_company)s]
            """, dict(params, first=first))
        # sessions used: n %% sessions (at least one left)
        conn.execute("""
            INSERT INTO beauty_package_line (id, package, service, sessions,
                remaining, unit_price, unit_value, line_value,
                value_remaining, create_date, create_uid)
            SELECT %(first_pline)s + c.n - 1, %(first)s + c.n - 1,
                tl.service, tl.sessions,
                tl.sessions - c.n %% tl.sessions,
                tl.unit_price, round(t.price / tl.sessions, 2), t.price,
                t.price - round(t.price / tl.sessions, 2)
                    * (c.n %% tl.sessions),
                now(), 0
            FROM bench_card c
            JOIN beauty_package_template t
                ON t.id = (%(templates)s::integer[])[1 + c.company
                    - %(first_company)s]
            JOIN beauty_package_template_line tl ON tl.template = t.id
            """, dict(params, first=first, first_pline=first_pline))
        uses, = conn.execute(
            'SELECT sum(sessions - remaining) FROM beauty_package_line '
            'WHERE id >= %s', (first_pline,)).fetchone()
        uses = int(uses or 0)
        first_use = chain.allocate('beauty_package_use', max(uses, 1))
        conn.execute("""
            INSERT INTO beauty_package_use (id, package, line, company,
                service, date, type, quantity, remaining, value,
                create_date, create_uid)
            SELECT %(first_use)s + row_number() OVER (ORDER BY l.id, u.i) - 1,
                l.package, l.id, p.company, l.service,
                p.purchase_date + (u.i * (current_date - p.purchase_date)
                    / (l.sessions - l.remaining + 1)),
                'use', 1, l.sessions - u.i, l.unit_value, now(), 0
            FROM beauty_package_line l
            JOIN beauty_package p ON p.id = l.package
            CROSS JOIN LATERAL generate_series(1,
                l.sessions - l.remaining) AS u(i)
            WHERE l.id >= %(first_pline)s
            """, {'first_use': first_use, 'first_pline': first_pline})
    chain.analyze.update(['beauty_package', 'beauty_package_line',
            'beauty_package_use'])
    conn.execute('DROP TABLE bench_card, bench_sale')


# the models of the checkout whose tables the loader fills
MODELS = [
    'sale.point.sale', 'sale.point.sale.line', 'sale.point.payment',
    'sale.point.sale.line.employee', 'beauty.member.card',
    'beauty.member.card.line', 'beauty.package', 'beauty.package.line',
    'beauty.package.use', 'beauty.coupon', 'beauty.commission',
    'beauty.pos.closing',
    ]


def materialise(database):
    """What trytond-admin -u does after an update, for the checkout (ORM, in
    this process): the indexes its models declare (the database may be a
    copy of a template activated by an older version) and the materialised
    views of the reports of [table_query_materialized], created and filled"""
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    pool = Pool(database)
    pool.init()
    with Transaction().start(database, 0) as transaction:
        for name in MODELS:
            Model = pool.get(name)
            # the indexes of the relations (many2one...) are added here
            Model.__setup_indexes__()
            if Model._sql_indexes:
                Model._update_sql_indexes()
        for _, Model in pool.iterobject():
            if (getattr(Model, '_table_query_materialized', None)
                    and Model._table_query_materialized()):
                Model.__register__(Model.__module__.split('.')[0])
                Model._table_query_refresh(concurrently=False, force=True)
        transaction.commit()


def load_materialised(chain):
    conn = chain.conn
    conn.commit()
    from bench.common import trytond_env
    subprocess.run([sys.executable, '-c',
            'from bench.data.pos import main; main()',
            '-d', conn.info.dbname, '--materialise'], env=trytond_env(),
        check=True, cwd=ROOT)


# (name, modules, function(chain)), in the order they run
LOADERS = [
    ('checkout set-up (ORM)', {'beauty_pos'}, load_setup),
    ('checkout history', {'beauty_pos'}, load_sales),
    ('checkout indexes, materialised reports (ORM)', {'beauty_pos'},
        load_materialised),
    ]


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument('-d', '--database', required=True)
    parser.add_argument('--materialise', action='store_true',
        help="create and refresh the materialised reports")
    args = parser.parse_args(argv)
    if args.materialise:
        materialise(args.database)
    else:
        setup(args.database)


if __name__ == '__main__':
    main()
