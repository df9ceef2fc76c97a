# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"The chain: stores (companies) and their beauticians (employees)"
from .names import catalogue

BRAND = '悦颜'
DISTRICTS = [
    '朝阳', '海淀', '东城', '西城', '丰台', '浦东', '静安', '徐汇', '长宁',
    '天河', '越秀', '福田', '南山', '罗湖', '武侯', '锦江', '江北', '渝中',
    '西湖', '拱墅', '鼓楼', '玄武', '江汉', '洪山', '雁塔', '碑林', '和平',
    '南开', '历下', '市南', '思明', '芙蓉', '岳麓', '金水', '二七', '五华',
    '青秀', '云岩', '城关', '新城', '香坊', '南关', '铁西', '沈河', '中山',
    '甘井子', '庐阳', '东湖', '仓山', '美兰',
    ]


def load_stores(chain):
    "One party and one company per store, in CNY, Asia/Shanghai"
    conn = chain.conn
    currency = conn.execute(
        "SELECT id FROM currency_currency WHERE code = 'CNY'").fetchone()
    if currency:
        currency, = currency
    else:
        currency, = conn.execute(
            "INSERT INTO currency_currency "
            "(active, code, name, symbol, numeric_code, digits, rounding, "
            "create_date, create_uid) VALUES "
            "(true, 'CNY', '人民币', '¥', '156', 2, 0.01, now(), 0) "
            "RETURNING id").fetchone()
    names = []
    for i in range(chain.stores):
        district = DISTRICTS[i % len(DISTRICTS)]
        suffix = '' if i < len(DISTRICTS) else str(i // len(DISTRICTS) + 1)
        names.append('%s美容 %s%s店' % (BRAND, district, suffix))
    chain.store_parties = chain.insert_parties(names)
    first = chain.allocate('company_company', chain.stores)
    conn.execute(
        "INSERT INTO company_company "
        "(id, party, currency, timezone, create_date, create_uid) "
        "SELECT %s + i, %s + i, %s, 'Asia/Shanghai', now(), 0 "
        "FROM generate_series(0, %s - 1) AS g(i)",
        (first, chain.store_parties, currency, chain.stores))
    chain.first_company = first


def load_beauticians(chain):
    """chain.beauticians employees spread evenly over the stores: the
    employee k of store s has the id first_employee + s * per_store + k"""
    conn = chain.conn
    names = [n for n, _ in catalogue(chain.beauticians, seed=2)]
    first_party = chain.insert_parties(names)
    first = chain.allocate('company_employee', chain.beauticians)
    conn.execute(
        "INSERT INTO company_employee "
        "(id, company, party, start_date, create_date, create_uid) "
        "SELECT %(first)s + i, %(company)s + i / %(per_store)s, "
        "%(party)s + i, current_date - (30 + i * 7 %% 2000), now(), 0 "
        "FROM generate_series(0, %(n)s - 1) AS g(i)",
        {'first': first, 'company': chain.first_company,
            'per_store': chain.per_store, 'party': first_party,
            'n': chain.beauticians})
    chain.first_employee = first
