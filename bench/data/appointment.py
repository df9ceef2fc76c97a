# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""The bench data of beauty_appointment, in SQL (see bench/data/__init__.py).

- services: a few bookable service products (template, product, list price
  per store, category) in two skill categories under one parent, every
  beautician skilled in the parent;
- rooms: one room type (护理间) and per store one room per beautician;
- rosters: every beautician works 10:00-20:00 (store time, Asia/Shanghai)
  six days a week (her day off is her index modulo 7), from the first
  appointment's week to ROSTER_AHEAD days after today;
- appointments: chain.appointments, one service each, over the last ~2 years
  and the next 2 weeks, on a grid of 6 cells of 90 minutes per beautician
  and worked day (10:00, 11:30... 17:30): appointment j takes the cell
  (j * P) mod cells, P prime to the number of cells, so two appointments
  never share a cell and a beautician (and her room) is never booked twice
  (the exclusion constraints hold); about half of the cells are taken. The
  customer is one of the store's (customer i's home store is i % stores),
  drawn so that a few are regulars. Past ones are done (some cancelled or
  missed), future ones booked or confirmed (some requested or cancelled).
  Ids and numbers follow the start, as if created over time (so do the
  rows' places on disk).

Beautician b (0-based, b = store * per_store + k) has the id
first_employee + b and the room first_room + b.
"""
import datetime as dt
import math

from bench.common import columns, indexes_dropped, log, model_data_id, timed

# name, minutes, clean-up minutes, category key, level, price, online
SERVICES = [
    ('面部补水护理', 60, 15, 'face', 'junior', 298, True),
    ('小气泡清洁', 45, 10, 'face', 'junior', 198, True),
    ('眼部护理', 45, 10, 'face', 'junior', 168, True),
    ('肩颈舒缓按摩', 60, 10, 'body', 'junior', 258, True),
    ('抗衰紧致护理', 75, 15, 'face', 'intermediate', 598, True),
    ('全身精油SPA', 75, 15, 'body', 'junior', 468, False),
    ]
CATEGORIES = [('care', '美容护理', None), ('face', '面部护理', 'care'),
    ('body', '身体护理', 'care')]
LEVELS = ['junior', 'intermediate', 'senior', 'expert']
# the grid of the loaded appointments (store time)
OPENING = dt.time(10)
CLOSING = dt.time(20)
CELL = 90  # minutes
CELLS = 6  # per worked day: 10:00 ... 17:30
UTC_OFFSET = 8  # Asia/Shanghai, the stores' timezone (no DST)
DAYS_AHEAD = 14  # appointments up to today + 13
ROSTER_AHEAD = 90  # rosters up to today + 89 (room for the bookings)
WEEKS_BACK = 105  # about 2 years
CHANNELS = ['phone', 'walk_in', 'online', 'meituan', 'wechat']
CANCEL_REASONS = ['临时有事', '身体不适', '出差', '改约其他时间', '天气原因']
BATCH = 1_000_000


def multiplier(cells):
    "A large prime that does not divide cells (j * P mod cells is a bijection)"
    for p in [1_000_003, 998_244_353, 2_147_483_647, 7_919]:
        if math.gcd(p, cells) == 1:
            return p % cells or 1
    raise AssertionError(cells)


def grid(chain, today=None):
    """(first day, weeks): the worked weeks that hold the appointments, ending
    with the DAYS_AHEAD days from today; at least twice the cells needed"""
    today = today or dt.date.today()
    per_week = chain.beauticians * 6 * CELLS
    weeks = max(WEEKS_BACK + 2, -(-2 * chain.appointments // per_week))
    first = today + dt.timedelta(days=DAYS_AHEAD) - dt.timedelta(
        weeks=weeks)
    return first, weeks


def load_services(chain):
    "Categories, services (templates, products, prices), room type, rooms"
    from beauty_customer.pinyin import pinyin_values
    conn = chain.conn
    now = dt.datetime.now()
    categories = {}
    for key, name, parent in CATEGORIES:
        categories[key], = conn.execute(
            'INSERT INTO product_category (name, parent, create_date, '
            'create_uid) VALUES (%s, %s, %s, 0) RETURNING id',
            (name, categories.get(parent), now)).fetchone()
    unit, = conn.execute(
        "SELECT id FROM product_uom WHERE symbol = 'u' ORDER BY id LIMIT 1"
        ).fetchone()
    room_type, = conn.execute(
        "INSERT INTO beauty_room_type (name, kind, sequence, active, "
        "create_date, create_uid) VALUES ('护理间', 'room', 1, true, %s, 0) "
        "RETURNING id", (now,)).fetchone()
    template_columns = columns(conn, 'product_template')
    services = []
    for i, (name, minutes, buffer, category, level, price, online) in (
            enumerate(SERVICES, 1)):
        values = {
            'name': name, 'type': 'service', 'default_uom': unit,
            'active': True, 'consumable': False, 'code': 'S%03d' % i,
            'service_duration': dt.timedelta(minutes=minutes),
            'service_buffer': dt.timedelta(minutes=buffer),
            'service_category': categories[category],
            'skill_level': level, 'room_type': room_type,
            'online_booking': online,
            'salable': True, 'sale_uom': unit,
            'create_date': now, 'create_uid': 0,
            }
        values.update(pinyin_values(name, person=False))
        values = {k: v for k, v in values.items() if k in template_columns}
        template, = conn.execute(
            'INSERT INTO product_template (%s) VALUES (%s) RETURNING id' % (
                ', '.join('"%s"' % k for k in values),
                ', '.join(['%s'] * len(values))),
            list(values.values())).fetchone()
        product, = conn.execute(
            'INSERT INTO product_product (template, code, active, '
            'create_date, create_uid) VALUES (%s, %s, true, %s, 0) '
            'RETURNING id', (template, 'S%03d' % i, now)).fetchone()
        conn.execute(
            'INSERT INTO "product_template-product_category" '
            '(template, category, create_date, create_uid) '
            'VALUES (%s, %s, %s, 0)', (template, categories[category], now))
        conn.execute(
            'INSERT INTO product_list_price (company, template, list_price, '
            'create_date, create_uid) '
            'SELECT id, %s, %s, %s, 0 FROM company_company',
            (template, price, now))
        services.append({'id': product, 'template': template, 'name': name,
                'minutes': minutes, 'buffer': buffer, 'level': level,
                'online': online})
    chain.services = services
    # every beautician is skilled in the parent category (both kinds)
    conn.execute(
        'INSERT INTO "company_employee-product_category" '
        '(employee, category, create_date, create_uid) '
        'SELECT %s + b, %s, now(), 0 FROM generate_series(0, %s - 1) AS g(b)',
        (chain.first_employee, categories['care'], chain.beauticians))
    # one room per beautician: room first_room + b
    chain.first_room = chain.allocate('beauty_room', chain.beauticians)
    conn.execute(
        "INSERT INTO beauty_room (id, name, code, company, type, capacity, "
        "sequence, active, create_date, create_uid) "
        "SELECT %(room)s + b, '护理间 ' || (1 + b %% %(per_store)s), "
        "'R' || lpad((1 + b %% %(per_store)s)::text, 2, '0'), "
        "%(company)s + b / %(per_store)s, %(type)s, 1, "
        "1 + b %% %(per_store)s, true, now(), 0 "
        "FROM generate_series(0, %(n)s - 1) AS g(b)",
        {'room': chain.first_room, 'per_store': chain.per_store,
            'company': chain.first_company, 'type': room_type,
            'n': chain.beauticians})
    chain.analyze.update(['product_template', 'product_product',
            'beauty_room'])


def load_rosters(chain):
    """10:00-20:00 six days a week for every beautician, from the first week
    of the appointments to ROSTER_AHEAD days after today"""
    conn = chain.conn
    today = dt.date.today()
    first, weeks = grid(chain, today)
    days = (today + dt.timedelta(days=ROSTER_AHEAD) - first).days
    chain.roster_first_day = first
    with indexes_dropped(conn, 'beauty_roster'):
        conn.execute("""
            INSERT INTO beauty_roster (company, employee, date, start_time,
                end_time, start, "end", create_date, create_uid)
            SELECT %(company)s + b / %(per_store)s, %(employee)s + b, day,
                %(opening)s, %(closing)s,
                day + %(opening)s - make_interval(hours => %(offset)s),
                day + %(closing)s - make_interval(hours => %(offset)s),
                now(), 0
            FROM generate_series(0, %(n)s - 1) AS e(b)
            CROSS JOIN generate_series(0, %(days)s - 1) AS d(i)
            CROSS JOIN LATERAL (SELECT %(first)s::date + d.i AS day) AS x
            WHERE d.i %% 7 <> b %% 7
            ORDER BY b, d.i
            """, {'company': chain.first_company,
                'per_store': chain.per_store,
                'employee': chain.first_employee, 'opening': OPENING,
                'closing': CLOSING, 'offset': UTC_OFFSET,
                'n': chain.beauticians, 'days': days, 'first': first})
        conn.commit()
    chain.analyze.add('beauty_roster')


def load_appointments(chain):
    conn = chain.conn
    n = chain.appointments
    if not n:
        return
    today = dt.date.today()
    first_day, weeks = grid(chain, today)
    cells = chain.beauticians * weeks * 6 * CELLS
    assert n <= cells
    services = chain.services
    first_id = chain.allocate('beauty_appointment', n)
    first_line = chain.allocate('beauty_appointment_line', n)
    sequence = model_data_id(conn, 'beauty_appointment',
        'sequence_appointment')
    first_number, = conn.execute(
        'SELECT nextval(%s)', ('ir_sequence_%s' % sequence,)).fetchone()
    conn.execute('SELECT setval(%s, %s)',
        ('ir_sequence_%s' % sequence, first_number + n - 1))
    prefix, padding = conn.execute(
        'SELECT prefix, padding FROM ir_sequence WHERE id = %s',
        (sequence,)).fetchone()
    params = {
        'first_id': first_id, 'first_line': first_line,
        'first_number': first_number, 'prefix': prefix or '',
        'padding': padding or 0,
        'p': multiplier(cells), 'cells': cells,
        'week_cells': weeks * 6 * CELLS,
        'first_day': first_day, 'opening': OPENING, 'offset': UTC_OFFSET,
        'cell': CELL, 'per_store': chain.per_store,
        'stores': chain.stores, 'customers': chain.customers,
        'first_customer': chain.first_customer,
        'first_company': chain.first_company,
        'first_employee': chain.first_employee,
        'first_room': chain.first_room,
        'service_ids': [s['id'] for s in services],
        'durations': [s['minutes'] for s in services],
        'buffers': [s['buffer'] for s in services],
        'ranks': [LEVELS.index(s['level']) for s in services],
        'n_services': len(services),
        'channels': CHANNELS, 'reasons': CANCEL_REASONS,
        }
    # the cell, beautician, customer and service of each appointment
    conn.execute("""
        CREATE TEMP TABLE bench_appointment (
            j integer, b integer, start timestamp, service integer,
            customer integer, r1 float, r2 float, r3 float)""")
    cell_query = """
        INSERT INTO bench_appointment
        SELECT g.j, x.b,
            (%(first_day)s::date + x.w * 7 + (x.b %% 7 + 1 + x.d) %% 7)
                + %(opening)s + make_interval(mins => %(cell)s * x.s)
                - make_interval(hours => %(offset)s),
            CASE WHEN (%(ranks)s::integer[])[1 + x.k] > e.rank
                THEN 1 ELSE 1 + x.k END,
            %(first_customer)s + c.i - 1,
            r.r1, r.r2, r.r3
        FROM generate_series(%(start)s::integer, %(stop)s::integer) AS g(j)
        CROSS JOIN LATERAL (SELECT
            random() + 0 * g.j AS r1, random() AS r2, random() AS r3,
            random() AS r4, random() AS r5) AS r
        CROSS JOIN LATERAL (SELECT ((g.j - 1)::bigint * %(p)s)
            %% %(cells)s AS c) AS cc
        CROSS JOIN LATERAL (SELECT
            (cc.c / %(week_cells)s)::integer AS b,
            (cc.c %% %(week_cells)s / %(day_cells)s)::integer AS w,
            (cc.c %% %(day_cells)s / %(cells_per_day)s)::integer AS d,
            (cc.c %% %(cells_per_day)s)::integer AS s,
            floor(r.r4 * %(n_services)s)::integer AS k) AS x
        -- the skill level of the beautician (beauty_hr: id %% 4)
        CROSS JOIN LATERAL (SELECT
            (%(first_employee)s + x.b) %% 4 AS rank) AS e
        -- a customer of the store (i %% stores = store index), skewed
        CROSS JOIN LATERAL (SELECT
            ((x.b / %(per_store)s) + %(stores)s - 1) %% %(stores)s + 1
            AS s1) AS st
        CROSS JOIN LATERAL (SELECT st.s1 + %(stores)s * floor(
            ((%(customers)s - st.s1) / %(stores)s + 1)
            * power(r.r5, 1.6))::integer AS i) AS c
        """
    params.update(day_cells=6 * CELLS, cells_per_day=CELLS)
    conn.execute('SELECT setseed(%s)', (chain.seed / 3,))
    for start in range(1, n + 1, BATCH):
        stop = min(start + BATCH - 1, n)
        conn.execute(cell_query, dict(params, start=start, stop=stop))
    # ids and numbers in the order of the start, as the front desk would
    # have created them (and the table's rows in that order on disk)
    conn.execute(
        'CREATE TEMP TABLE bench_appointment_k AS '
        'SELECT row_number() OVER (ORDER BY start, j)::integer AS k, '
        'b, start, service, customer, r1, r2, r3 FROM bench_appointment')
    conn.execute('DROP TABLE bench_appointment')
    conn.execute('ALTER TABLE bench_appointment_k RENAME TO bench_appointment')
    conn.execute('CREATE INDEX ON bench_appointment (k)')
    conn.execute('ANALYZE bench_appointment')
    appointment_query = """
        INSERT INTO beauty_appointment (id, number, company, customer,
            start, "end", date, channel, state, notes, cancel_reason,
            arrived_at, reminded, create_date, create_uid)
        SELECT %(first_id)s + a.k - 1,
            %(prefix)s || lpad((%(first_number)s + a.k - 1)::text,
                greatest(%(padding)s,
                    length((%(first_number)s + a.k - 1)::text)), '0'),
            %(first_company)s + a.b / %(per_store)s,
            a.customer, a.start,
            a.start + make_interval(
                mins => (%(durations)s::integer[])[a.service]),
            (a.start + make_interval(hours => %(offset)s))::date,
            (%(channels)s::varchar[])[1 + floor(a.r2 * 5)::integer],
            st.state,
            CASE WHEN a.r3 < 0.1 THEN '客人要求安静' END,
            CASE WHEN st.state = 'cancelled' THEN
                (%(reasons)s::varchar[])[1 + floor(a.r2 * 5)::integer] END,
            CASE WHEN st.state = 'done' THEN a.start
                - make_interval(mins => floor(a.r3 * 15)::integer) END,
            a.start < now() + interval '24 hours',
            least(now(), a.start - make_interval(
                hours => floor(a.r3 * 24 * 14)::integer)),
            0
        FROM bench_appointment AS a
        CROSS JOIN LATERAL (SELECT CASE
            WHEN a.start < now() THEN CASE
                WHEN a.r1 < 0.85 THEN 'done'
                WHEN a.r1 < 0.93 THEN 'cancelled'
                ELSE 'no_show' END
            ELSE CASE
                WHEN a.r1 < 0.50 THEN 'booked'
                WHEN a.r1 < 0.85 THEN 'confirmed'
                WHEN a.r1 < 0.90 THEN 'requested'
                ELSE 'cancelled' END
            END AS state) AS st
        WHERE a.k BETWEEN %(start)s AND %(stop)s
        ORDER BY a.k
        """
    line_query = """
        INSERT INTO beauty_appointment_line (id, appointment, sequence,
            service, beautician, room, room_place, duration, buffer,
            start, "end", busy_end, state, create_date, create_uid)
        SELECT %(first_line)s + a.k - 1, p.id, 10,
            (%(service_ids)s::integer[])[a.service],
            %(first_employee)s + a.b, %(first_room)s + a.b, 1,
            make_interval(mins => (%(durations)s::integer[])[a.service]),
            make_interval(mins => (%(buffers)s::integer[])[a.service]),
            a.start, p."end",
            p."end" + make_interval(
                mins => (%(buffers)s::integer[])[a.service]),
            p.state, p.create_date, 0
        FROM bench_appointment AS a
        JOIN beauty_appointment AS p ON p.id = %(first_id)s + a.k - 1
        WHERE a.k BETWEEN %(start)s AND %(stop)s
        ORDER BY a.k
        """
    with indexes_dropped(conn, 'beauty_appointment',
            'beauty_appointment_line'):
        for start in range(1, n + 1, BATCH):
            stop = min(start + BATCH - 1, n)
            with timed('appointments %s-%s' % (start, stop)):
                conn.execute(appointment_query,
                    dict(params, start=start, stop=stop))
                conn.execute(line_query, dict(params, start=start, stop=stop))
                conn.commit()
    conn.execute('DROP TABLE bench_appointment')
    conn.commit()
    chain.analyze.update(['beauty_appointment', 'beauty_appointment_line'])
    log('%s appointments from %s (%s weeks, %s cells)', n, first_day, weeks,
        cells)


# (name, modules, function(chain)), in the order they run
LOADERS = [
    ('services and rooms', {'beauty_appointment'}, load_services),
    ('rosters', {'beauty_appointment'}, load_rosters),
    ('appointments', {'beauty_appointment'}, load_appointments),
    ]
