# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""Customers (party.party with the beauty_customer fields) and their visits
(beauty.care.record), in SQL.

Customer i (1..n) has the id first_customer + i - 1, the home store
i % stores, a unique mobile and a name of the catalogue; visits fall mostly
on the first customers (a few regulars, many occasional ones) at their home
store, with one of its beauticians.
"""
from bench.common import columns, indexes_dropped, log, timed

from .names import rows as name_rows

SOURCES = ['朋友介绍', '美团', '大众点评', '抖音', '小红书', '自然到店', '老客推荐']
# Mainland mobile prefixes that phonenumbers accepts as mobiles
PREFIXES = [
    '130', '131', '132', '133', '135', '136', '137', '138', '139', '150',
    '151', '152', '153', '155', '156', '157', '158', '159', '166', '175',
    '176', '177', '178', '180', '181', '182', '183', '184', '185', '186',
    '187', '188', '189', '191', '198', '199',
    ]
# subscriber number of customer i: (i * A + B) mod 10^8, a bijection
_A, _B = 7368787, 13579
_NAME_STEP = 7919
SKIN_TYPES = ['dry', 'oily', 'combination', 'normal', 'sensitive']
SKIN_STATES = [
    '两颊干燥起皮，T区出油', '额头有闭口粉刺', '肤色暗沉，眼周细纹', '面部泛红，屏障受损',
    '毛孔粗大，黑头较多', '整体状态良好', '颧骨处有色斑', '下巴冒痘，有痘印',
    ]
RESULTS = [
    '补水后皮肤饱满有光泽', '红血丝减轻', '清洁彻底，毛孔收缩', '肤色提亮',
    '客人反映紧致感明显', '痘痘消炎，未见新发', '细纹略有改善',
    ]
NEXT_NOTES = [
    '客人怕痛，手法轻一点', '对果酸敏感，避免使用', '喜欢安静，少推销',
    '下次推荐眼部护理', '预约时间尽量安排在周末', None, None, None,
    ]
BATCH = 1_000_000


def mobile_sql(i):
    "SQL of the 11 digits of customer i's mobile (% doubled for psycopg)"
    prefixes = 'ARRAY[%s]' % ','.join("'%s'" % p for p in PREFIXES)
    return (
        "(%(prefixes)s)[1 + %(i)s %%%% %(n)s] || lpad(((%(i)s::bigint "
        "* %(a)s + %(b)s) %%%% 100000000)::text, 8, '0')" % {
            'prefixes': prefixes, 'i': i, 'n': len(PREFIXES),
            'a': _A, 'b': _B})


def code_sql(number):
    "SQL of a code number padded to 6 digits as ir.sequence does (C000123)"
    return ("repeat('0', greatest(0, 6 - length((%(n)s)::text))) "
        "|| (%(n)s)::text" % {'n': number})


def mobile(i):
    "Python twin of mobile_sql, for the benchmarks and tests"
    return PREFIXES[i % len(PREFIXES)] + '%08d' % ((i * _A + _B) % 10**8)


def load_customers(chain):
    conn = chain.conn
    n = chain.customers
    size = max(min(n, 300_000), 1)
    with timed('name catalogue (%s names, pinyin)' % size):
        conn.execute(
            'CREATE TEMP TABLE bench_name (idx integer PRIMARY KEY, '
            'name varchar, gender varchar, pinyin varchar, '
            'pinyin_search varchar)')
        with conn.cursor().copy(
                'COPY bench_name FROM STDIN') as copy:
            for row in name_rows(size):
                copy.write_row(row)
    size, = conn.execute('SELECT count(*) FROM bench_name').fetchone()
    assert size % _NAME_STEP, "the catalogue size must be prime to the step"

    sources = [r[0] for r in conn.execute(
            'SELECT id FROM beauty_customer_source ORDER BY id')]
    if not sources:
        for i, name in enumerate(SOURCES):
            conn.execute(
                'INSERT INTO beauty_customer_source '
                '(name, sequence, active, create_date, create_uid) '
                'VALUES (%s, %s, true, now(), 0)', (name, i + 1))
        sources = [r[0] for r in conn.execute(
                'SELECT id FROM beauty_customer_source ORDER BY id')]

    first_id = chain.allocate('party_party', n)
    first_code = chain.allocate_codes(n)
    chain.first_customer = first_id
    params = {
        'first_id': first_id, 'first_code': first_code,
        'size': size, 'step': _NAME_STEP,
        'sources': sources,
        'stores': chain.stores, 'first_company': chain.first_company,
        'per_store': chain.per_store, 'first_employee': chain.first_employee,
        'skin_types': SKIN_TYPES, 'seed': chain.seed,
        }
    has_points = 'points_balance' in columns(conn, 'party_party')
    query = """
        INSERT INTO party_party (
            id, active, code, code_alnum, code_digit,
            name, pinyin, pinyin_search, mobile, mobile_digits,
            gender, birthday, source, store, preferred_beautician,
            marketing_consent, marketing_consent_date,
            marketing_consent_channel, skin_type, skin_sensitivity,
            price_range, preferred_visit_time, massage_pressure,
            occupation, wechat, create_date, create_uid%(extra)s)
        SELECT
            %%(first_id)s + g.i - 1,
            r.r1 >= 0.01,
            'C' || %(code)s,
            'C' || %(code)s,
            %%(first_code)s + g.i - 1,
            n.name, n.pinyin, n.pinyin_search,
            '+86' || m.digits, m.digits,
            n.gender,
            current_date - (6570 + floor(r.r2 * 17000))::integer,
            (%%(sources)s::integer[])[1 + floor(r.r3 * %(n_sources)s)],
            %%(first_company)s + g.i %%%% %%(stores)s,
            CASE WHEN r.r4 < 0.3 THEN %%(first_employee)s
                + (g.i %%%% %%(stores)s) * %%(per_store)s
                + floor(r.r5 * %%(per_store)s)::integer END,
            r.r6 < 0.6,
            CASE WHEN r.r6 < 0.6
                THEN current_date - floor(r.r7 * 1500)::integer END,
            CASE WHEN r.r6 < 0.6 THEN (ARRAY['paper', 'wechat', 'sms',
                'online', 'verbal'])[1 + floor(r.r8 * 5)] END,
            CASE WHEN r.r9 < 0.8
                THEN (%%(skin_types)s::varchar[])[1 + floor(r.r2 * 5)] END,
            (ARRAY['low', 'medium', 'high', NULL])[1 + floor(r.r5 * 4)],
            (ARRAY['economy', 'standard', 'premium', 'luxury', NULL])[
                1 + floor(r.r7 * 5)],
            (ARRAY['weekday_morning', 'weekday_afternoon', 'weekday_evening',
                'weekend', NULL])[1 + floor(r.r8 * 5)],
            (ARRAY['light', 'medium', 'firm', NULL])[1 + floor(r.r9 * 4)],
            CASE WHEN r.r3 < 0.4 THEN (ARRAY['教师', '会计', '设计师', '护士',
                '销售', '公务员', '自由职业', '学生'])[1 + floor(r.r4 * 8)] END,
            CASE WHEN r.r1 < 0.5 THEN 'wx_' || md5(g.i::text)::varchar(10)
                END,
            now() - make_interval(secs => floor(r.r7 * 5 * 365 * 86400)),
            0%(extra_values)s
        FROM generate_series(%%(start)s::integer, %%(stop)s::integer) AS g(i)
        CROSS JOIN LATERAL (SELECT
            random() + 0 * g.i AS r1, random() AS r2, random() AS r3,
            random() AS r4, random() AS r5, random() AS r6, random() AS r7,
            random() AS r8, random() AS r9) AS r
        JOIN bench_name AS n
            ON n.idx = (g.i::bigint * %%(step)s) %%%% %%(size)s
        CROSS JOIN LATERAL (SELECT %(mobile)s AS digits) AS m
        """ % {'n_sources': len(sources), 'mobile': mobile_sql('g.i'),
            'code': code_sql('%(first_code)s + g.i - 1'),
            # the points balance of beauty_pos: 0 as the ORM's default (with
            # NULL no point can be earned: a guarded UPDATE of NULL + n)
            'extra': (', points_balance' if has_points else ''),
            'extra_values': (', 0' if has_points else '')}
    with indexes_dropped(conn, 'party_party'):
        conn.execute('SELECT setseed(%s)', (chain.seed,))
        for start in range(1, n + 1, BATCH):
            stop = min(start + BATCH - 1, n)
            with timed('customers %s-%s' % (start, stop)):
                conn.execute(query, dict(params, start=start, stop=stop))
                conn.commit()
    conn.execute('DROP TABLE bench_name')
    conn.commit()
    chain.analyze.add('party_party')


def load_visits(chain):
    """chain.visits care records over the last 3 years; the customer index
    is drawn as n * u^1.6 so that the first customers are regulars."""
    conn = chain.conn
    n = chain.visits
    if not n:
        return
    first_id = chain.allocate('beauty_care_record', n)
    history = 'beauty_care_record__history' if chain.history else None
    cols = columns(conn, 'beauty_care_record')
    assert {'customer', 'company', 'beautician', 'date'} <= cols
    params = {
        'first_id': first_id, 'customers': chain.customers,
        'first_customer': chain.first_customer,
        'stores': chain.stores, 'first_company': chain.first_company,
        'per_store': chain.per_store,
        'first_employee': chain.first_employee,
        'skin_states': SKIN_STATES, 'results': RESULTS,
        'next_notes': NEXT_NOTES,
        }
    fields = (
        'company, customer, date, beautician, hydration, elasticity, '
        'pigmentation, acne, pores, redness, devices, technique, skin_state, '
        'result, customer_feeling, next_recommendation, next_notes, '
        'create_date, create_uid')
    query = """
        INSERT INTO beauty_care_record (id, %(fields)s)
        SELECT
            %%(first_id)s + g.j - 1,
            %%(first_company)s + c.i %%%% %%(stores)s,
            %%(first_customer)s + c.i - 1,
            current_date - d.days,
            %%(first_employee)s + (c.i %%%% %%(stores)s) * %%(per_store)s
                + floor(r.r2 * %%(per_store)s)::integer,
            1 + floor(r.r3 * 10)::integer,
            1 + floor(r.r4 * 10)::integer,
            1 + floor(r.r5 * 10)::integer,
            1 + floor(r.r6 * 10)::integer,
            1 + floor(r.r2 * 10)::integer,
            1 + floor(r.r4 * 10)::integer,
            (ARRAY['小气泡', '射频仪', '超声波导入仪', '冷喷机', NULL])[
                1 + floor(r.r5 * 5)],
            (ARRAY['深层清洁+补水导入', '淋巴引流按摩', '刮痧+热敷', '手法提拉'])[
                1 + floor(r.r6 * 4)],
            (%%(skin_states)s::text[])[1 + floor(r.r3 * %(n_states)s)],
            (%%(results)s::text[])[1 + floor(r.r4 * %(n_results)s)],
            (ARRAY['很舒服', '有点痛', '满意', NULL])[1 + floor(r.r5 * 4)],
            (ARRAY['眼部护理', '肩颈按摩', '光子嫩肤', NULL])[
                1 + floor(r.r6 * 4)],
            (%%(next_notes)s::text[])[1 + floor(r.r2 * %(n_notes)s)],
            (current_date - d.days) + make_interval(
                hours => 10 + floor(r.r3 * 10)::integer),
            0
        FROM generate_series(%%(start)s::integer, %%(stop)s::integer) AS g(j)
        CROSS JOIN LATERAL (SELECT
            random() + 0 * g.j AS r1, random() AS r2, random() AS r3,
            random() AS r4, random() AS r5, random() AS r6,
            random() AS r7) AS r
        CROSS JOIN LATERAL (SELECT 1 + floor(%%(customers)s
            * power(r.r1, 1.6))::integer AS i) AS c
        CROSS JOIN LATERAL (SELECT floor(r.r7 * 1095)::integer AS days) AS d
        """ % {'fields': fields, 'n_states': len(SKIN_STATES),
            'n_results': len(RESULTS), 'n_notes': len(NEXT_NOTES)}
    tables = ['beauty_care_record'] + ([history] if history else [])
    with indexes_dropped(conn, *tables):
        conn.execute('SELECT setseed(%s)', (chain.seed / 2,))
        for start in range(1, n + 1, BATCH):
            stop = min(start + BATCH - 1, n)
            with timed('visits %s-%s' % (start, stop)):
                conn.execute(query, dict(params, start=start, stop=stop))
                if history:
                    # what the ORM writes on create
                    conn.execute(
                        'INSERT INTO beauty_care_record__history '
                        '(id, %s) SELECT id, %s FROM beauty_care_record '
                        'WHERE id BETWEEN %%s AND %%s ORDER BY id' % (
                            fields, fields),
                        (first_id + start - 1, first_id + stop - 1))
                conn.commit()
    chain.analyze.update(tables)
    log('%s visits', n)
